"""What an answer means: a redirect to follow, a retry (429/503 pause the host), the GitHub API
fallback, an outcome, or a page to read for fragments."""

from __future__ import annotations

import codecs
import re
import time
from urllib.parse import unquote, urljoin, urlsplit

import requests

from .failures import REQUEST_ERRORS, UNVERIFIABLE
from .fetch import Fetch, Outcome, host_key, phrase, retry_after, short_chain, split_fragment
from .fragments import IdCollector, charset, fragment_found, trivial_fragment, wanted_ids
from .options import GITHUB_RESERVED, GITHUB_WEB_HOSTS, READ_CHUNK
from .watchdog import Deadline

__all__ = ["Responses"]


class Responses:
    """The response half of the checker; mixed into ``Checker`` through ``Requests``."""

    def _response(
        self, f: Fetch, host: str, resp: requests.Response, token: Deadline
    ) -> tuple[str, Fetch, float] | None:
        code = resp.status_code
        f.last_code = code
        accepted = code in self.o.accept
        if 300 <= code < 400 and not accepted:
            location = resp.headers.get("Location")
            if location:
                return self._redirect(f, location)
            detail = f"{phrase(code)} without a Location header"
            self._finish(f, "broken", code, detail, final_url=f.url)
            return None
        if f.api:
            return self._api_response(f, host, code)
        if accepted:
            return self._accepted(f, resp, token)
        if code in (404, 410):
            self._finish(f, "broken", code, phrase(code), final_url=f.url)
            return None
        if code in (429, 503):
            if code == 429 and self._github_fallback(f):
                return host_key(f.url), f, 0.0
            if f.attempt < self.o.retries:
                # Pause the host for every worker, then retry this one first in line.
                after = retry_after(resp.headers.get("Retry-After"), time.time())
                if after is None:
                    wait = self._backoff(f.attempt + 1)
                else:
                    wait = min(self.o.max_retry_after, after)
                self.sched.pause(host, time.monotonic() + wait)
                return self._retry_or_give_up(f, host, phrase(code), code, delay=0.0)
            return self._retry_or_give_up(f, host, phrase(code), code)
        if code == 408 or 500 <= code <= 599:
            return self._retry_or_give_up(f, host, phrase(code), code)
        if code in UNVERIFIABLE:
            detail = f"{phrase(code)} ({UNVERIFIABLE[code]})"
            self._finish(f, "unverifiable", code, detail, final_url=f.url)
            return None
        self._finish(f, "broken", code, phrase(code), final_url=f.url)
        return None

    def _api_response(self, f: Fetch, host: str, code: int) -> tuple[str, Fetch, float] | None:
        """The GitHub API's answer about a repository github.com would not show."""
        page = f.chain[0]
        if code in self.o.accept:
            detail = f"repository exists ({phrase(code)} from the GitHub API; {f.api_why})"
            self._finish(f, "ok", code, detail, final_url=page, note=f.api_why)
        elif code in (404, 410):
            detail = f"repository not found ({phrase(code)} from the GitHub API)"
            self._finish(f, "broken", code, detail, final_url=page)
        elif code == 408 or code >= 500:
            return self._retry_or_give_up(f, host, f"GitHub API answered {phrase(code)}", code)
        else:
            detail = f"GitHub API answered {phrase(code)} ({f.api_why})"
            self._finish(f, "unverifiable", code, detail, final_url=page)
        return None

    def _github_fallback(self, f: Fetch) -> bool:
        """Switch ``f`` to the GitHub API if github.com rate-limits a repository URL."""
        if not self.o.github_token or f.api or host_key(f.url) not in GITHUB_WEB_HOSTS:
            return False
        segs = [s for s in urlsplit(f.url).path.split("/") if s]
        if len(segs) < 2 or segs[0].lower() in GITHUB_RESERVED:
            return False
        owner, name = segs[0], segs[1]
        if name.endswith(".git"):
            name = name[:-4]
        if not re.fullmatch(r"[A-Za-z0-9-]+", owner) or not re.fullmatch(r"[\w.-]+", name):
            return False
        api = self.o.github_api.rstrip("/") + f"/repos/{owner}/{name}"
        f.api = True
        f.api_why = "github.com answered 429"
        f.chain.append(api)
        f.url = api
        f.attempt = 0
        return True

    def _redirect(self, f: Fetch, location: str) -> tuple[str, Fetch, float] | None:
        try:
            target = requests.utils.requote_uri(urljoin(f.url, location.strip()))
        except (ValueError, requests.exceptions.InvalidURL) as exc:
            self._finish(f, "broken", f.last_code, f"invalid redirect target {location!r}: {exc}")
            return None
        base, frag = split_fragment(target)
        if frag is not None and not f.api:
            f.redirect_fragment = unquote(frag)
        hops = len(f.chain)  # redirects followed once this one is taken
        if base in f.chain:
            f.chain.append(base)
            noun = "hop" if hops == 1 else "hops"
            detail = f"redirect loop after {hops} {noun}: {short_chain(f.chain)}"
            self._finish(f, "broken", f.last_code, detail)
            return None
        f.chain.append(base)
        if hops > self.o.max_redirects:
            self._finish(
                f, "broken", f.last_code,
                f"too many redirects (more than {self.o.max_redirects}): {short_chain(f.chain)}",
            )
            return None
        scheme = urlsplit(base).scheme.lower()
        if scheme not in ("http", "https"):
            detail = f"redirect to unsupported scheme {scheme}: {base}"
            self._finish(f, "broken", f.last_code, detail)
            return None
        f.url = base
        f.attempt = 0
        return host_key(base), f, 0.0

    def _accepted(
        self, f: Fetch, resp: requests.Response, token: Deadline
    ) -> tuple[str, Fetch, float] | None:
        code = resp.status_code
        hops = len(f.chain) - 1
        detail = phrase(code)
        if hops:
            detail += f" after {hops} redirect{'s' if hops != 1 else ''}"
        ctype = resp.headers.get("Content-Type", "")
        is_html = not ctype or "html" in ctype.lower()
        frags = {f.redirect_fragment} if f.redirect_fragment is not None else set(f.fragments)
        wanted_frags = {x for x in frags if not trivial_fragment(x, f.url)}
        out = Outcome("ok", code, detail, final_url=f.url, html=is_html,
                       fragment_source=f.redirect_fragment)
        if wanted_frags and is_html:
            out.ids, out.complete, out.read_error = self._read_ids(resp, wanted_frags, ctype, token)
        f.outcome = out
        return None

    def _read_ids(
        self, resp: requests.Response, frags: set[str], ctype: str, token: Deadline
    ) -> tuple[set[str], bool, str | None]:
        parser = IdCollector(wanted_ids(frags))
        decoder = codecs.getincrementaldecoder(charset(ctype))(errors="replace")
        total = 0
        cap = max(1, self.o.fragment_cap)
        raw = resp.raw
        try:
            while total < cap:
                chunk = raw.read1(min(READ_CHUNK, cap - total), decode_content=True)
                if not chunk:
                    parser.feed(decoder.decode(b"", final=True))
                    parser.close()
                    return parser.found, True, None
                total += len(chunk)
                parser.feed(decoder.decode(chunk))
                if all(fragment_found(x, parser.found) for x in frags):
                    return parser.found, False, None
                if token.fired:
                    return parser.found, False, "timed out reading the page"
        except REQUEST_ERRORS as exc:
            if token.fired:
                return parser.found, False, "timed out reading the page"
            return parser.found, False, f"could not read the page ({type(exc).__name__})"
        return parser.found, False, f"not found in the first {cap // 1024} KiB"
