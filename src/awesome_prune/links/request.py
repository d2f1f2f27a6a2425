"""One request of a fetch: prepared by hand, sent through the pinned adapter to each checked
address in turn, under a deadline; a failure becomes a retry (with backoff) or an outcome."""

from __future__ import annotations

import random
import time
from urllib.parse import urlsplit

import requests
import urllib3

from .failures import REQUEST_ERRORS, cause_chain, classify_failure
from .fetch import Fetch, Outcome, origin, short_chain
from .options import DEFAULT_PORT, Status
from .pinned import PinnedAdapter, release_response
from .responses import Responses
from .watchdog import Deadline

__all__ = ["Requests"]


class Requests(Responses):
    """The request half of the checker (``Checker`` provides ``o``, ``dog``, ``headers``, …)."""

    def _finish(self, f: Fetch, status: Status, code: int | None, detail: str, **kw) -> None:
        f.outcome = Outcome(status, code, detail, **kw)

    def _backoff(self, attempt: int) -> float:
        base = self.o.backoff * (2 ** max(0, attempt - 1))
        return min(self.o.max_retry_after, base * random.uniform(1.0, 1.5))

    def _retry_or_give_up(
        self, f: Fetch, host: str, detail: str, code: int | None, delay: float | None = None
    ) -> tuple[str, Fetch, float] | None:
        if f.attempt < self.o.retries:
            f.attempt += 1
            wait = self._backoff(f.attempt) if delay is None else delay
            return host, f, time.monotonic() + wait
        n = f.attempt
        suffix = f" (after {n} {'retry' if n == 1 else 'retries'})" if n else ""
        self._finish(f, "unverifiable", code, detail + suffix, final_url=f.url if code else None)
        return None

    def _step(
        self, session: requests.Session, adapter: PinnedAdapter, f: Fetch
    ) -> tuple[str, Fetch, float] | None:
        url = f.url
        hop_note = f" (redirect from {short_chain(f.chain[-2:-1])})" if len(f.chain) > 1 else ""
        headers = dict(self.headers)
        if f.api:
            headers["Accept"] = "application/vnd.github+json"
            headers["X-GitHub-Api-Version"] = "2022-11-28"
            if self.o.github_token and origin(url) == self.api_origin:
                headers["Authorization"] = f"Bearer {self.o.github_token}"
        try:
            # Prepared by hand and sent through the adapter: Session.send with
            # allow_redirects=False still reads the whole body of a 3xx to build Response.next.
            prep = requests.PreparedRequest()
            prep.prepare_method("GET")
            prep.prepare_url(url, None)
            prep.prepare_headers(headers)
            if f.cookies is not None and len(f.cookies):
                prep.prepare_cookies(f.cookies)
            parts = urlsplit(prep.url)
            scheme = parts.scheme.lower()
            host = (parts.hostname or "").lower()
            port = parts.port or DEFAULT_PORT.get(scheme, 0)
        except (requests.exceptions.RequestException, ValueError) as exc:
            self._finish(f, "broken", None, f"invalid URL: {exc}{hop_note}")
            return None
        if scheme not in ("http", "https") or not host:
            self._finish(f, "broken", None, f"unsupported URL {url}{hop_note}")
            return None
        if "Authorization" in prep.headers and origin(prep.url) != self.api_origin:
            del prep.headers["Authorization"]  # belt and braces: the token stays with the API
        ips = self._resolve(host, port)
        if isinstance(ips, str):
            self._finish(f, "broken", None, ips + hop_note)
            return None
        default = DEFAULT_PORT[scheme]
        hostport = f"[{host}]" if ":" in host else host
        prep.headers["Host"] = hostport if port == default else f"{hostport}:{port}"
        timeout = max(0.001, float(self.o.timeout))

        resp = None
        last_exc: BaseException | None = None
        token = self.dog.arm(2 * timeout)
        try:
            for ip in ips:
                adapter.pin(scheme, host, port, str(ip))
                try:
                    resp = adapter.send(
                        prep,
                        stream=True,
                        timeout=(timeout, timeout),
                        verify=self.verify,
                        cert=None,
                        proxies={},
                    )
                    break
                except REQUEST_ERRORS as exc:
                    last_exc = exc
                    if token.fired or not self._is_connect_failure(exc):
                        break  # only a failure to connect moves on to the next address
            if resp is None:
                assert last_exc is not None
                return self._failed(f, host, last_exc, token, hop_note)
            if "set-cookie" in resp.headers:
                if f.cookies is None:
                    f.cookies = requests.cookies.RequestsCookieJar()
                requests.cookies.extract_cookies_to_jar(f.cookies, prep, resp.raw)
            try:
                return self._response(f, host, resp, token)
            except REQUEST_ERRORS as exc:
                return self._failed(f, host, exc, token, hop_note)
        finally:
            if resp is not None:
                release_response(resp, token)
            self.dog.disarm(token)

    @staticmethod
    def _is_connect_failure(exc: BaseException) -> bool:
        types = (urllib3.exceptions.NewConnectionError, requests.exceptions.ConnectTimeout)
        return any(isinstance(e, types) for e in cause_chain(exc))

    def _failed(
        self, f: Fetch, host: str, exc: BaseException, token: Deadline, hop_note: str
    ) -> tuple[str, Fetch, float] | None:
        """Map a failed request to a retry or an outcome."""
        kind, detail = classify_failure(exc, token.fired, self.o.timeout)
        if kind == "retry":
            return self._retry_or_give_up(f, host, detail, None)
        self._finish(f, kind, None, detail + hop_note)  # type: ignore[arg-type]
        return None
