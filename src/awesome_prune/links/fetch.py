"""The check of one unique URL (without fragment): its requests hop by hop and what each answer
means (a redirect, a retry, a pause of its host, the GitHub API fallback, an outcome); each
:meth:`Fetch.step` makes one request. The rules are in docs/link-checker.md."""

from __future__ import annotations

import email.utils
import http
import random
import re
import time
import urllib.request
from http.cookiejar import CookieJar
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urljoin, urlsplit

from urllib3.util import Url, parse_url

from .fragments import GITHUB_WEB_HOSTS, PageIds, trivial
from .transport import DEFAULT_PORT, Failure, Transport, where

if TYPE_CHECKING:
    from .remote import Checker

__all__ = ["Fetch", "Status", "split_fragment"]

Status = Literal["ok", "broken", "unverifiable"]
#: First path segments of github.com that are not user or organisation names.
GITHUB_RESERVED = frozenset(
    "about account apps blog collections contact customer-stories enterprise events explore "
    "features issues login logout marketplace new notifications orgs organizations pricing "
    "pulls search security settings site sponsors topics trending users".split()
)
UNVERIFIABLE = {401: "login required", 403: "access denied, probably a bot wall",
                451: "unavailable for legal reasons", 999: "request denied, a bot wall"}


def phrase(code: int) -> str:
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return {999: "999 Request Denied"}.get(code, str(code))


def _seconds(retry_after: str | None) -> float | None:
    """Seconds to wait from a Retry-After (seconds or an HTTP date); None if there is none.
    (urllib3's ``Retry.parse_retry_after`` caps the value at 6 hours: the true one is shown.)"""
    value = (retry_after or "").strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - time.time()) if when.tzinfo else None


def split_fragment(url: str) -> tuple[str, str | None]:
    base, sep, frag = url.partition("#")
    return base, (frag if sep else None)


def short_chain(chain: list[str], limit: int = 6) -> str:
    """A redirect chain to show: same-origin hops as their path only."""
    parts: list[str] = []
    prev = None
    for url in chain:
        p = urlsplit(url)
        here = (p.scheme, p.netloc)
        parts.append(p.path + (f"?{p.query}" if p.query else "") or "/" if here == prev else url)
        prev = here
    if len(parts) > limit:
        parts = parts[: limit - 2] + ["…", parts[-1]]
    return " → ".join(parts)


class Fetch:
    """One unique URL's requests and, once complete, its outcome (``status`` … ``final_url``)."""

    def __init__(self, run: Checker, url: str):
        self.run, self.o = run, run.o
        self.inputs: list[str] = []  # input URLs (with their fragments) this fetch answers
        self.fragments: set[str] = set()  # decoded fragments to look up
        self.url, self.chain, self.attempt = url, [url], 0
        self.host = where(url)[1]  # the scheduler's queue for the next request
        self.redirect_fragment: str | None = None  # a fragment given by a redirect's Location
        self.api_why: str | None = None  # set: the current request asks the GitHub API
        self.cookies: CookieJar | None = None
        self.status: Status | None = None
        self.code: int | None = None
        self.detail = "no outcome"
        self.final_url: str | None = None
        self.page: PageIds | None = None  # the accepted page, if HTML

    def finish(self, status: Status, code: int | None, detail: str, final_url: str | None = None
               ) -> None:
        self.status, self.code, self.detail, self.final_url = status, code, detail, final_url

    def _go(self, url: str) -> float:
        self.chain.append(url)
        self.url, self.host, self.attempt = url, where(url)[1], 0
        return 0.0

    def _backoff(self, attempt: int) -> float:
        base = self.o.backoff * 2 ** max(0, attempt - 1)
        return min(self.o.max_retry_after, base * random.uniform(1.0, 1.5))

    def _retry(self, detail: str, code: int | None, delay: float | None = None) -> float | None:
        if self.attempt < self.o.retries:
            self.attempt += 1
            return time.monotonic() + (self._backoff(self.attempt) if delay is None else delay)
        n = self.attempt
        suffix = f" (after {n} {'retry' if n == 1 else 'retries'})" if n else ""
        return self.finish("unverifiable", code, detail + suffix, self.url if code else None)

    # ---- one request

    def step(self, transport: Transport) -> float | None:
        """Make the next request: None when the fetch is complete, else the time
        (time.monotonic) not before which it goes on, on the queue of ``self.host``."""
        hop = f" (redirect from {short_chain(self.chain[-2:-1])})" if len(self.chain) > 1 else ""
        scheme, host, port = where(self.url)
        ips = self.run.resolve(host, port)
        if isinstance(ips, str):
            return self.finish("broken", None, ips + hop)
        headers = dict(self.run.headers)
        if self.api_why is not None:
            headers.update({"Accept": "application/vnd.github+json",
                            "X-GitHub-Api-Version": "2022-11-28"})
            if self.o.github_token and (scheme, host, port) == self.run.api_origin:
                headers["Authorization"] = f"Bearer {self.o.github_token}"
        if self.cookies:  # those set earlier in this redirect chain
            request = urllib.request.Request(self.url)
            self.cookies.add_cookie_header(request)
            if cookie := request.get_header("Cookie"):
                headers["Cookie"] = cookie
        try:
            with transport.get(self.url, ips, headers) as resp:
                if "set-cookie" in resp.headers:
                    self.cookies = self.cookies or CookieJar()
                    self.cookies.extract_cookies(resp, urllib.request.Request(self.url))  # type: ignore[arg-type]
                return self._answer(resp, transport)
        except Failure as exc:
            if exc.kind == "retry":
                return self._retry(exc.detail, None)
            return self.finish(exc.kind, None, exc.detail + hop)  # type: ignore[arg-type]

    def _answer(self, resp, transport: Transport) -> float | None:
        code = resp.status
        if 300 <= code < 400 and code not in self.o.accept:
            location = resp.headers.get("Location")
            if location:
                return self._redirect(code, location)
            return self.finish("broken", code, f"{phrase(code)} without a Location header", self.url)
        if self.api_why is not None:
            return self._api_answer(code)
        if code in self.o.accept:
            return self._accepted(resp, transport)
        if code in (404, 410):
            return self.finish("broken", code, phrase(code), self.url)
        if code == 429 and self._github_fallback():
            return 0.0
        if code in (429, 503):
            return self._rate_limited(code, resp.headers.get("Retry-After"))
        if code == 408 or 500 <= code <= 599:
            return self._retry(phrase(code), code)
        if code in UNVERIFIABLE:
            return self.finish("unverifiable", code, f"{phrase(code)} ({UNVERIFIABLE[code]})", self.url)
        return self.finish("broken", code, phrase(code), self.url)

    def _rate_limited(self, code: int, retry_after: str | None) -> float | None:
        """Pause the host for every worker, then retry first in line; a server asking for a
        longer pause than the run affords (``max_retry_after``) gets none: unverifiable now."""
        after = _seconds(retry_after)
        if after is not None and after > self.o.max_retry_after:
            detail = f"{phrase(code)} (asked to retry after {after:.0f} s)"
            return self.finish("unverifiable", code, detail, self.url)
        if self.attempt >= self.o.retries:
            return self._retry(phrase(code), code)
        wait = self._backoff(self.attempt + 1) if after is None else after
        self.run.sched.pause(self.host, time.monotonic() + wait)
        return self._retry(phrase(code), code, delay=0.0)

    def _api_answer(self, code: int) -> float | None:
        """The GitHub API's answer about a repository github.com would not show."""
        page, why = self.chain[0], self.api_why
        if code in self.o.accept:
            detail = f"repository exists ({phrase(code)} from the GitHub API; {why})"
            return self.finish("ok", code, detail, page)
        if code in (404, 410):
            detail = f"repository not found ({phrase(code)} from the GitHub API)"
            return self.finish("broken", code, detail, page)
        if code == 408 or code >= 500:
            return self._retry(f"GitHub API answered {phrase(code)}", code)
        return self.finish("unverifiable", code, f"GitHub API answered {phrase(code)} ({why})", page)

    def _github_fallback(self) -> bool:
        """Switch to the GitHub API if github.com rate-limits a repository URL."""
        if not self.o.github_token or self.api_why is not None or self.host not in GITHUB_WEB_HOSTS:
            return False
        segs = [s for s in urlsplit(self.url).path.split("/") if s]
        if len(segs) < 2 or segs[0].lower() in GITHUB_RESERVED:
            return False
        owner, name = segs[0], segs[1].removesuffix(".git")
        if not re.fullmatch(r"[A-Za-z0-9-]+", owner) or not re.fullmatch(r"[\w.-]+", name):
            return False
        self.api_why = "github.com answered 429"
        self._go(self.o.github_api.rstrip("/") + f"/repos/{owner}/{name}")
        return True

    def _redirect(self, code: int, location: str) -> float | None:
        try:
            target: Url = parse_url(urljoin(self.url, location.strip()))
            base, frag = split_fragment(target.url)
            if target.scheme in DEFAULT_PORT:
                where(base)
        except ValueError as exc:  # LocationParseError is one
            return self.finish("broken", code, f"invalid redirect target {location!r}: {exc}")
        if frag is not None and self.api_why is None:
            self.redirect_fragment = unquote(frag)
        hops = len(self.chain)  # redirects followed once this one is taken
        shown = short_chain([*self.chain, base])
        if base in self.chain:
            return self.finish("broken", code, f"redirect loop after {hops} "
                                               f"{'hop' if hops == 1 else 'hops'}: {shown}")
        if hops > self.o.max_redirects:
            detail = f"too many redirects (more than {self.o.max_redirects}): {shown}"
            return self.finish("broken", code, detail)
        if target.scheme not in DEFAULT_PORT:
            return self.finish("broken", code, f"redirect to unsupported scheme {target.scheme}: {base}")
        return self._go(base)

    def _accepted(self, resp, transport: Transport) -> None:
        code, hops = resp.status, len(self.chain) - 1
        detail = phrase(code) + (f" after {hops} redirect{'s' if hops != 1 else ''}" if hops else "")
        self.finish("ok", code, detail, self.url)
        ctype = resp.headers.get("Content-Type", "")
        if ctype and "html" not in ctype.lower():
            return
        frags = {self.redirect_fragment} if self.redirect_fragment is not None else self.fragments
        self.page = PageIds({x for x in frags if not trivial(x, self.url)})
        if self.page.frags:
            self.page.read(resp, ctype, self.o.fragment_cap, lambda: transport.expired)
