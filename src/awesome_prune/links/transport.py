"""One worker's HTTP requests, on connections pinned to the addresses the policy checked, each
under an overall deadline.

urllib3 connection pools are keyed by the checked IP (the name gives the Host header and, for
https, SNI and the certificate check), so DNS rebinding cannot redirect a connection; when
connecting to one address fails, the next one is tried. urllib3 neither retries nor follows
redirects here: the checker does both, hop by hop. A :class:`Watchdog` (one a run) shuts down
the sockets of a request still running ``2 * timeout`` after it started, so a server that drips
bytes cannot hold a worker for ever. A request that raised becomes a :class:`Failure`.
"""

from __future__ import annotations

import functools
import heapq
import http.client
import itertools
import socket
import ssl
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import urllib3
from requests.utils import DEFAULT_CA_BUNDLE_PATH  # the same trust store as requests
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ProtocolError
from urllib3.util import parse_url

__all__ = ["DEFAULT_PORT", "REQUEST_ERRORS", "Failure", "Transport", "Watchdog", "where"]

DEFAULT_PORT = {"http": 80, "https": 443}
#: A body is drained (so its keep-alive connection can be reused) only when what is left of it
#: is at most this: redirects, errors and small pages, bytes the server has usually sent already.
DRAIN_LIMIT = 16 * 1024
MAX_POOLS = 128
REQUEST_ERRORS = (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError)


@functools.lru_cache(maxsize=8192)  # asked again at every step of a fetch and for the cache
def where(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of an http(s) URL (host lower-case, IPv6 in brackets);
    raises ValueError, with a one-line reason, for a URL that cannot be requested."""
    try:
        u = parse_url(url)
    except urllib3.exceptions.LocationParseError as exc:
        raise ValueError(f"invalid URL: {exc}") from None
    if u.scheme not in DEFAULT_PORT:
        raise ValueError(f"unsupported scheme {u.scheme + ':' if u.scheme else '(none)'}")
    if not u.host:
        raise ValueError("no host in URL")
    return u.scheme, u.host, u.port or DEFAULT_PORT[u.scheme]


class Failure(Exception):
    """A request that got no usable answer; ``kind`` is 'retry', 'broken' or 'unverifiable'."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind, self.detail = kind, detail


class Deadline:
    __slots__ = ("at", "socks", "fired", "active")

    def __init__(self, at: float):
        self.at, self.socks, self.fired, self.active = at, [], False, True


class Watchdog:
    """``arm`` a deadline, ``watch`` the sockets used under it, ``disarm`` it when done."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._seq = itertools.count()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="linkcheck-watchdog", daemon=True)
        self._thread.start()

    def arm(self, seconds: float) -> Deadline:
        token = Deadline(time.monotonic() + seconds)
        with self._cv:
            if not self._heap or token.at < self._heap[0][0]:
                self._cv.notify()
            heapq.heappush(self._heap, (token.at, next(self._seq), token))
        return token

    def watch(self, token: Deadline | None, sock: socket.socket | None) -> None:
        with self._cv:
            if token is not None and sock is not None and token.active and sock not in token.socks:
                token.socks.append(sock)
                if token.fired:
                    _shutdown(sock)

    def disarm(self, token: Deadline) -> None:
        with self._cv:
            token.active = False
            token.socks.clear()

    def stop(self) -> None:
        with self._cv:
            self._stopped = True
            self._cv.notify()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        with self._cv:
            while not self._stopped:
                now = time.monotonic()
                while self._heap and self._heap[0][0] <= now:
                    token = heapq.heappop(self._heap)[2]
                    token.fired = token.active
                    for sock in token.socks:
                        _shutdown(sock)
                self._cv.wait(self._heap[0][0] - now if self._heap else None)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


class _Watched:
    """Mixed into urllib3's connections: every socket is handed to the current deadline."""

    def __init__(self, *args, transport: Transport, **kwargs):
        self._transport = transport
        super().__init__(*args, **kwargs)

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        self._transport.watch(self.sock)  # type: ignore[attr-defined]

    def request(self, *args, **kwargs):
        self._transport.watch(self.sock)  # type: ignore[attr-defined]  # a reused connection
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTP(_Watched, HTTPConnection):
    pass


class _HTTPS(_Watched, HTTPSConnection):
    pass


class Transport:
    """GET requests of one worker thread, each to one of the checked addresses of its host."""

    def __init__(self, dog: Watchdog, timeout: float, ca_bundle: str | None):
        self.dog = dog
        self.seconds = max(0.001, float(timeout))
        self.timeout = urllib3.Timeout(connect=self.seconds, read=self.seconds)
        self.ca = ca_bundle or DEFAULT_CA_BUNDLE_PATH
        self.pools: dict[tuple[str, str, int, str], HTTPConnectionPool] = {}
        self.token: Deadline | None = None

    def watch(self, sock: socket.socket | None) -> None:
        self.dog.watch(self.token, sock)

    @property
    def expired(self) -> bool:
        """The current request has overrun its deadline (its sockets are shut down)."""
        return self.token is not None and self.token.fired

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()

    def _pool(self, scheme: str, host: str, port: int, ip: str) -> HTTPConnectionPool:
        pool = self.pools.get((scheme, host, port, ip))
        if pool is None:
            if len(self.pools) >= MAX_POOLS:
                self.pools.pop(next(iter(self.pools))).close()
            if scheme == "https":
                pool = HTTPSConnectionPool(ip, port, maxsize=2, retries=False, transport=self,
                                           cert_reqs="CERT_REQUIRED", ca_certs=self.ca,
                                           server_hostname=host.strip("[]"))
            else:
                pool = HTTPConnectionPool(ip, port, maxsize=2, retries=False, transport=self)
            pool.ConnectionCls = _HTTPS if scheme == "https" else _HTTP
            self.pools[(scheme, host, port, ip)] = pool
        return pool

    @contextmanager
    def get(self, url: str, ips: Sequence[object], headers: dict[str, str]
            ) -> Iterator[urllib3.BaseHTTPResponse]:
        """The response (body unread) to ``GET url`` from the first of ``ips`` that connects;
        raises :class:`Failure`. On exit the connection goes back to the pool or is closed."""
        scheme, host, port = where(url)
        headers = {**headers, "Host": host if port == DEFAULT_PORT[scheme] else f"{host}:{port}"}
        self.token = self.dog.arm(2 * self.seconds)
        resp = None
        try:
            for i, ip in enumerate(ips):
                try:
                    resp = self._pool(scheme, host, port, str(ip)).urlopen(
                        "GET", parse_url(url).request_uri, headers=headers, retries=False,
                        redirect=False, assert_same_host=False, timeout=self.timeout,
                        preload_content=False,
                    )
                    break
                except REQUEST_ERRORS as exc:  # only a failure to connect tries the next address
                    if self.expired or not isinstance(exc, ConnectTimeoutError) or i == len(ips) - 1:
                        raise self._failure(exc) from exc
            yield resp  # type: ignore[misc]
        finally:
            if resp is not None:
                self._release(resp)
            self.dog.disarm(self.token)
            self.token = None

    def _release(self, resp: urllib3.BaseHTTPResponse) -> None:
        """Give the connection back to the pool if the rest of the body is small, else close it."""
        try:
            left = resp.length_remaining  # type: ignore[attr-defined]
            if (left is not None and left <= DRAIN_LIMIT and not self.expired
                    and not resp.chunked and resp.headers.get("Connection", "").lower() != "close"):
                while left > 0 and (data := resp.read(left, decode_content=False)):
                    left -= len(data)
                if left == 0 and not self.expired:
                    resp.release_conn()
                    return
        except Exception:  # noqa: BLE001 - anything odd: just close the connection
            pass
        resp.close()
        resp.release_conn()

    def _failure(self, exc: BaseException) -> Failure:
        """What a request that raised means, with a one-line detail."""
        chain = _causes(exc)

        def first(*types: type) -> BaseException | None:
            return next((e for e in chain if isinstance(e, types)), None)

        if self.expired:
            return Failure("retry", f"timed out (no complete answer within {2 * self.seconds:g} s)")
        if first(ssl.SSLError, urllib3.exceptions.SSLError, ssl.CertificateError):
            verify = first(ssl.SSLCertVerificationError)
            if verify is not None:
                why = getattr(verify, "verify_message", None) or verify
                return Failure("broken", f"TLS: certificate verify failed: {why}")
            return Failure("unverifiable", f"TLS error: {str(exc)[:160]}")
        if first(ConnectionRefusedError):
            return Failure("broken", "connection refused")
        if first(NewConnectionError):  # (a subclass of ConnectTimeoutError)
            why = next((e.strerror for e in chain if isinstance(e, OSError) and e.strerror), None)
            return Failure("unverifiable", f"connection failed: {why or 'cannot connect'}")
        if first(ConnectTimeoutError):
            return Failure("retry", f"connect timed out after {self.seconds:g} s")
        if first(urllib3.exceptions.TimeoutError, TimeoutError):
            return Failure("retry", f"timed out after {self.seconds:g} s")
        if first(ConnectionError, http.client.IncompleteRead):  # RemoteDisconnected is one too
            return Failure("retry", "connection reset by the server")
        bad = first(http.client.HTTPException)
        if bad is not None:  # not HTTP: a bad status line, a header line too long, …
            what = str(bad).strip()[:80]
            if isinstance(bad, http.client.BadStatusLine):
                what = f"status line {what!r}"
            return Failure("unverifiable", f"invalid HTTP response: {what}")
        if first(ProtocolError):
            return Failure("retry", "connection reset by the server")
        return Failure("unverifiable", f"request failed: {type(exc).__name__}: {str(exc)[:160]}")


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it wraps (causes, contexts, arguments, ``reason``)."""
    seen: list[BaseException] = []
    stack: list[object] = [exc]
    while stack:
        e = stack.pop()
        if isinstance(e, BaseException) and not any(e is s for s in seen):
            seen.append(e)
            stack += [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
    return seen
