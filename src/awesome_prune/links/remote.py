"""The external link checker: is every http(s) URL in the list still there?

``check_urls(urls, options)`` returns one :class:`Result` per input URL:

``ok``
    an accepted status (2xx by default) and, for a URL with a ``#fragment``, an element with
    that id (or ``user-content-`` + it, as GitHub renders README headings, or ``<a name>``) in
    the HTML. Excluded URLs (``options.exclude``) are ``ok`` with detail ``'excluded'`` and are
    never requested; cached successes are ``ok`` with ``' (cached)'`` after the detail.
``broken``
    404/410 and other client errors, a DNS failure, an address the network policy refuses,
    a missing fragment, a redirect loop or too many redirects, a refused connection, a
    certificate that does not verify, a scheme other than http/https.
``unverifiable``
    the link could not be judged: 401/403 (bot walls, logins), 999 (LinkedIn), 451, a 429 or
    503 or other 5xx that persists after the retries, timeouts after the retries, a fragment
    not found within the first ``fragment_cap`` bytes of a page.

How the requests are made:

* one GET per unique URL with the fragment stripped (URLs differing only by fragment share it,
  each fragment is then looked up in that one body), ``stream=True``. A plain check reads no
  body: the connection is closed unread, except that a rest of at most ``DRAIN_LIMIT`` (16 KiB)
  declared by Content-Length (a redirect, an error page, a tiny page: bytes the server already
  sent) is drained so the keep-alive connection goes back to the pool. To find fragments the
  HTML is read up to ``fragment_cap`` (2 MiB), stopping as soon as all are found;
* redirects are followed by the checker itself, hop by hop, up to ``max_redirects``; each hop
  is scheduled on its own host's queue. Requests go through the worker Session's adapter with
  no redirect handling at all (``Session.send(allow_redirects=False)`` would still read the
  whole body of a 3xx to prepare ``Response.next``); cookies set along one URL's redirect
  chain are kept for that chain only;
* every host name is resolved once per run with ``socket.getaddrinfo`` and every address it
  resolves to is judged by :mod:`.netguard` (also at each redirect hop); the connection then goes
  to the address that was judged (the pool is keyed by that IP, the Host header and, for https,
  SNI and certificate verification use the name), so DNS rebinding cannot redirect it; when
  connecting to one address fails, the next checked address of the name is tried;
* a pool of ``workers`` threads, one ``requests.Session`` each, shares per-host queues: a
  worker takes the next request from any host that is below ``per_host`` concurrent requests
  and past its ``min_gap`` and pause, so a busy host never holds a worker idle;
* a 429 or 503 pauses that host for every worker (``Retry-After`` in seconds or as an HTTP date,
  capped at ``max_retry_after``; exponential backoff with jitter when absent) and is retried;
  408, other 5xx, timeouts and connection resets are retried after a backoff that occupies no
  worker; 404/410 and DNS failures never are;
* every request also has an overall deadline (``2 * timeout``) enforced by a watchdog that
  shuts the socket down, so a server that drips bytes cannot hold a worker for ever;
* when ``github_token`` is set and github.com answers 429 for ``https://github.com/owner/name…``,
  the repository is confirmed with ``GET {github_api}/repos/owner/name``; the token is sent only
  to the ``github_api`` origin (``https://api.github.com``), never to another host, redirects
  included. ``github_api`` exists so tests can point it at a local server.

Proxies from the environment are ignored (``trust_env`` is off): the checker connects directly.
The optional ``progress(done, total)`` callback counts input URLs; it is called from worker
threads, one call at a time.
"""

from __future__ import annotations

import codecs
import email.utils
import heapq
import html.parser
import http
import itertools
import random
import re
import socket
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from . import netguard
from .cache import LinkCache

__all__ = [
    "DEFAULT_USER_AGENT",
    "DRAIN_LIMIT",
    "FRAGMENT_CAP",
    "GITHUB_API",
    "RemoteOptions",
    "Result",
    "Status",
    "check_urls",
]

Status = Literal["ok", "broken", "unverifiable"]

GITHUB_API = "https://api.github.com"
#: Host names whose 429 may be answered through the GitHub API.
GITHUB_WEB_HOSTS = frozenset({"github.com", "www.github.com"})
#: First path segments of github.com that are not user or organisation names.
_GITHUB_RESERVED = frozenset(
    "about account apps blog collections contact customer-stories enterprise events explore "
    "features issues login logout marketplace new notifications orgs organizations pricing "
    "pulls search security settings site sponsors topics trending users".split()
)
FRAGMENT_CAP = 2 * 1024 * 1024
DEFAULT_USER_AGENT = "Mozilla/5.0 (compatible; awesome-prune-linkcheck/0.1)"
_DEFAULT_PORT = {"http": 80, "https": 443}
_READ_CHUNK = 64 * 1024


@dataclass
class RemoteOptions:
    """Settings of one run; the defaults suit a public README of a few thousand links."""

    timeout: float = 10.0  # connect timeout and timeout between bytes; overall 2x per request
    workers: int = 24
    per_host: int = 4  # concurrent requests to one host name
    min_gap: float = 0.0  # seconds between request starts to one host
    max_redirects: int = 10
    retries: int = 3  # retries after the first attempt (408, 429, 5xx, timeouts, resets)
    backoff: float = 0.5  # first retry delay; doubles each time, with jitter
    max_retry_after: float = 30.0  # cap for Retry-After and for the backoff
    accept: frozenset[int] = frozenset(range(200, 300))
    exclude: tuple[str, ...] = ()  # regexes (re.search on the input URL): 'ok', 'excluded'
    user_agent: str = DEFAULT_USER_AGENT
    allow_networks: tuple[str, ...] = ()  # CIDRs exempt from the netguard refusal
    cache_path: Path | None = None  # e.g. Path('.cache/links.json'); None: no cache
    cache_max_age: float = 86400 * 7
    github_token: str | None = None
    github_api: str = GITHUB_API  # test-only override of the GitHub API origin
    ca_bundle: str | None = None  # a CA bundle to trust instead of the default (tests)
    fragment_cap: int = FRAGMENT_CAP  # bytes of HTML read at most to find fragments


@dataclass(frozen=True)
class Result:
    url: str
    status: Status
    code: int | None
    detail: str
    final_url: str | None


# --------------------------------------------------------------------------------------------
# Per-request deadline: a watchdog shuts down the sockets of a request that overruns.


class _Deadline:
    __slots__ = ("at", "socks", "fired", "active")

    def __init__(self, at: float):
        self.at = at
        self.socks: list[socket.socket] = []
        self.fired = False
        self.active = True


_current = threading.local()


class _Watchdog:
    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._seq = itertools.count()
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="linkcheck-watchdog", daemon=True)
        self._thread.start()

    def arm(self, seconds: float) -> _Deadline:
        token = _Deadline(time.monotonic() + seconds)
        with self._cv:
            first = not self._heap or token.at < self._heap[0][0]
            heapq.heappush(self._heap, (token.at, next(self._seq), token))
            if first:
                self._cv.notify()
        _current.token = token
        return token

    def register(self, sock: socket.socket | None) -> None:
        token = getattr(_current, "token", None)
        if token is None or sock is None:
            return
        with self._cv:
            if token.active and sock not in token.socks:
                token.socks.append(sock)
                if token.fired:
                    _shutdown(sock)

    def disarm(self, token: _Deadline) -> None:
        with self._cv:
            token.active = False
            token.socks.clear()
        if getattr(_current, "token", None) is token:
            _current.token = None

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
                    _, _, token = heapq.heappop(self._heap)
                    if token.active:
                        token.fired = True
                        for sock in token.socks:
                            _shutdown(sock)
                timeout = self._heap[0][0] - now if self._heap else None
                self._cv.wait(timeout)


def _shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_watchdog_lock = threading.Lock()
_watchdog: _Watchdog | None = None
_watchdog_users = 0


def _register_sock(sock: socket.socket | None) -> None:
    dog = _watchdog
    if dog is not None:
        dog.register(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _register_sock(self.sock)

    def request(self, *args, **kwargs):  # type: ignore[override]
        _register_sock(self.sock)
        return super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _register_sock(self.sock)

    def request(self, *args, **kwargs):  # type: ignore[override]
        _register_sock(self.sock)
        return super().request(*args, **kwargs)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


#: A response body is drained (so its keep-alive connection can be reused) only when its
#: declared length is at most this; otherwise the connection is closed unread. Redirects,
#: errors and small pages are usually this small and already sit in the socket buffer.
DRAIN_LIMIT = 16 * 1024


def _release(resp: requests.Response, token: _Deadline) -> None:
    """Give the connection back to the pool if the rest of the body is small, else close it."""
    raw = resp.raw
    try:
        left = getattr(raw, "length_remaining", None)
        if (
            left is not None
            and left <= DRAIN_LIMIT
            and not token.fired
            and not getattr(raw, "chunked", False)
            and raw.headers.get("Connection", "").lower() != "close"
        ):
            while left > 0:
                data = raw.read(left, decode_content=False)
                if not data:
                    break
                left -= len(data)
            if left == 0 and not token.fired:
                raw.release_conn()
                return
    except Exception:  # noqa: BLE001 - anything odd: just close the connection
        pass
    resp.close()


# --------------------------------------------------------------------------------------------
# A requests adapter that connects only to the address netguard checked.


class _Unpinned(requests.exceptions.InvalidURL):
    """A request for a host whose address was not checked: refused before any connection."""


class _PinnedAdapter(HTTPAdapter):
    """Connection pools keyed by the checked IP; Host, SNI and certificate use the name."""

    def __init__(self) -> None:
        self.pins: dict[tuple[str, str, int], str] = {}
        super().__init__(pool_connections=128, pool_maxsize=2, max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):  # type: ignore[override]
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def pin(self, scheme: str, host: str, port: int, ip: str) -> None:
        self.pins = {(scheme, host, port): ip}

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):  # type: ignore[override]
        host_params, pool_kwargs = self.build_connection_pool_key_attributes(request, verify, cert)
        scheme = host_params["scheme"]
        host = (host_params["host"] or "").lower()
        port = host_params["port"] or _DEFAULT_PORT.get(scheme, 0)
        ip = self.pins.get((scheme, host, port))
        if ip is None:
            raise _Unpinned(f"no checked address for {scheme}://{host}:{port}", request=request)
        if scheme == "https":
            pool_kwargs["server_hostname"] = host
            pool_kwargs["assert_hostname"] = host
        return self.poolmanager.connection_from_host(
            scheme=scheme, host=ip, port=port, pool_kwargs=pool_kwargs
        )

    def get_connection(self, url, proxies=None):  # pragma: no cover - deprecated path
        raise _Unpinned("unpinned connection path is disabled")


# --------------------------------------------------------------------------------------------
# Scheduling: per-host queues shared by all workers.


class _Host:
    __slots__ = ("name", "queue", "active", "next_start", "paused_until", "in_ready")

    def __init__(self, name: str):
        self.name = name
        self.queue: deque[_Fetch] = deque()
        self.active = 0
        self.next_start = 0.0
        self.paused_until = 0.0
        self.in_ready = False


class _Scheduler:
    """Hands each worker the next request of any host that may take one now."""

    def __init__(self, per_host: int, min_gap: float):
        self.per_host = max(1, per_host)
        self.min_gap = max(0.0, min_gap)
        self._cv = threading.Condition()
        self._hosts: dict[str, _Host] = {}
        self._ready: deque[_Host] = deque()
        self._timers: list[tuple[float, int, _Host]] = []
        self._delayed: list[tuple[float, int, str, _Fetch]] = []
        self._seq = itertools.count()
        self._pending = 0
        self._closed = False

    def _host(self, name: str) -> _Host:
        h = self._hosts.get(name)
        if h is None:
            h = self._hosts[name] = _Host(name)
        return h

    def _consider(self, h: _Host) -> None:
        if h.queue and h.active < self.per_host and not h.in_ready:
            h.in_ready = True
            self._ready.append(h)

    def _enqueue(self, host: str, task: _Fetch, not_before: float, now: float) -> None:
        if not_before > now:
            heapq.heappush(self._delayed, (not_before, next(self._seq), host, task))
        else:
            h = self._host(host)
            h.queue.append(task)
            self._consider(h)

    def submit(self, host: str, task: _Fetch) -> None:
        with self._cv:
            self._pending += 1
            self._enqueue(host, task, 0.0, 0.0)
            self._cv.notify()

    def pause(self, host: str, until: float) -> None:
        with self._cv:
            h = self._host(host)
            h.paused_until = max(h.paused_until, until)

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def next(
        self,
        prev: _Host | None = None,
        then: tuple[str, _Fetch, float] | None = None,
        finished: bool = False,
    ) -> tuple[_Host, _Fetch] | None:
        """Report the worker's previous request (if any) and take the next one (blocking).

        ``prev`` is the host of the previous request; ``then`` requeues its fetch as
        ``(host, fetch, not_before)``, ``finished`` says the fetch is complete. The worker
        prefers ``prev`` again (keeping its pooled connection busy) when that host may take a
        request now; otherwise hosts are served round-robin. None means: no work left.
        """
        with self._cv:
            if prev is not None:
                prev.active -= 1
                self._consider(prev)
                if finished:
                    self._pending -= 1
                    if self._pending <= 0:
                        self._cv.notify_all()
                elif then is not None:
                    host, task, at = then
                    self._enqueue(host, task, at, time.monotonic())
                    self._cv.notify()
            while True:
                if self._pending <= 0 or self._closed:
                    return None
                now = time.monotonic()
                while self._delayed and self._delayed[0][0] <= now:
                    _, _, host, task = heapq.heappop(self._delayed)
                    self._enqueue(host, task, 0.0, now)
                while self._timers and self._timers[0][0] <= now:
                    self._consider(heapq.heappop(self._timers)[2])
                if (
                    prev is not None
                    and prev.queue
                    and prev.active < self.per_host
                    and max(prev.next_start, prev.paused_until) <= now
                ):
                    return self._start(prev, now)
                prev = None
                while self._ready:
                    h = self._ready.popleft()
                    h.in_ready = False
                    if not h.queue or h.active >= self.per_host:
                        continue
                    gate = max(h.next_start, h.paused_until)
                    if gate > now:
                        heapq.heappush(self._timers, (gate, next(self._seq), h))
                        continue
                    return self._start(h, now)
                events = [t[0] for t in (self._timers[:1] + self._delayed[:1])]  # type: ignore[operator]
                self._cv.wait(max(0.0, min(events) - now) if events else None)

    def _start(self, h: _Host, now: float) -> tuple[_Host, _Fetch]:
        task = h.queue.popleft()
        h.active += 1
        h.next_start = now + self.min_gap
        self._consider(h)
        if self._ready:
            self._cv.notify()  # more runnable work: wake another idle worker
        return h, task


# --------------------------------------------------------------------------------------------
# The work: one _Fetch per unique URL without fragment.


@dataclass
class _Outcome:
    status: Status
    code: int | None
    detail: str
    final_url: str | None = None
    html: bool = False
    ids: set[str] | None = None  # wanted ids found in the page (when a body was read)
    complete: bool = False  # the whole page was read
    read_error: str | None = None  # why the page could not be read for fragments
    fragment_source: str | None = None  # fragment given by a redirect's Location
    note: str | None = None  # a remark for inputs with fragments (GitHub API path)


@dataclass
class _Fetch:
    key: str
    inputs: list[str] = field(default_factory=list)
    fragments: set[str] = field(default_factory=set)  # decoded fragments to verify
    url: str = ""
    chain: list[str] = field(default_factory=list)
    attempt: int = 0
    redirect_fragment: str | None = None
    api: bool = False  # the current request is the GitHub API confirmation
    api_why: str = ""
    outcome: _Outcome | None = None
    cookies: requests.cookies.RequestsCookieJar | None = None  # this fetch's own cookies
    last_code: int | None = None
    last_problem: str = ""


def _phrase(code: int) -> str:
    try:
        return f"{code} {http.HTTPStatus(code).phrase}"
    except ValueError:
        return {999: "999 Request Denied"}.get(code, str(code))


def _split_fragment(url: str) -> tuple[str, str | None]:
    base, sep, frag = url.partition("#")
    return base, (frag if sep else None)


def _origin(url: str) -> tuple[str, str, int] | None:
    try:
        p = urlsplit(url)
        scheme = p.scheme.lower()
        return scheme, (p.hostname or "").lower(), p.port or _DEFAULT_PORT.get(scheme, 0)
    except ValueError:
        return None


def _host_key(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""


def _short_chain(chain: list[str], limit: int = 6) -> str:
    parts: list[str] = []
    prev: tuple[str, str, int] | None = None
    for url in chain:
        o = _origin(url)
        if o is not None and o == prev:
            p = urlsplit(url)
            parts.append(p.path + (f"?{p.query}" if p.query else "") or "/")
        else:
            parts.append(url)
        prev = o
    if len(parts) > limit:
        parts = parts[: limit - 2] + ["…", parts[-1]]
    return " → ".join(parts)


def _retry_after(value: str | None, now_wall: float) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - now_wall)


def _trivial_fragment(frag: str, url: str) -> bool:
    """Fragments a page need not contain: empty, #top, text fragments, GitHub line anchors."""
    if frag in ("", "top") or frag.startswith(":~:"):
        return True
    if _host_key(url) in GITHUB_WEB_HOSTS and re.fullmatch(r"L\d+(C\d+)?(-L\d+(C\d+)?)?", frag):
        return True
    return False


class _IdCollector(html.parser.HTMLParser):
    """Collects the wanted ids (and <a name>) seen in a page."""

    def __init__(self, wanted: set[str]):
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                if value in self.wanted:
                    self.found.add(value)

    handle_startendtag = handle_starttag


def _wanted_ids(fragments: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for f in fragments:
        out.add(f)
        out.add("user-content-" + f)
    return out


def _fragment_found(frag: str, ids: set[str]) -> bool:
    return frag in ids or ("user-content-" + frag) in ids


def _charset(content_type: str) -> str:
    m = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    if m:
        try:
            return codecs.lookup(m.group(1)).name
        except LookupError:
            pass
    return "utf-8"


def _cause_chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or any(e is s for s in seen):
            continue
        seen.append(e)
        stack.append(e.__cause__)
        stack.append(e.__context__)
        for arg in getattr(e, "args", ()):
            if isinstance(arg, BaseException):
                stack.append(arg)
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
    return seen


_UNVERIFIABLE = {
    401: "login required",
    403: "access denied, probably a bot wall",
    451: "unavailable for legal reasons",
    999: "request denied, a bot wall",
}
_REQUEST_ERRORS = (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError)
_RESET_ERRORS = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
    urllib3.exceptions.ProtocolError,
    requests.exceptions.ChunkedEncodingError,
)
_TIMEOUT_ERRORS = (
    requests.exceptions.Timeout,
    urllib3.exceptions.TimeoutError,
    TimeoutError,
    socket.timeout,
)


def _classify_failure(exc: BaseException, deadline_hit: bool, timeout: float) -> tuple[str, str]:
    """``(kind, detail)`` for a request that raised; kind is 'retry', 'broken' or
    'unverifiable'."""
    chain = _cause_chain(exc)

    def has(*types: type) -> bool:
        return any(isinstance(e, types) for e in chain)

    if deadline_hit:
        return "retry", f"timed out (no complete answer within {2 * timeout:g} s)"
    if has(_Unpinned):
        return "broken", f"refused: {exc}"
    if has(ssl.SSLError, requests.exceptions.SSLError, urllib3.exceptions.SSLError):
        verify = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
        if verify is not None:
            return "broken", f"TLS: certificate verify failed: {verify.verify_message or verify}"
        if "doesn't match" in str(exc) or "CERTIFICATE_VERIFY_FAILED" in str(exc):
            return "broken", "TLS: certificate verify failed: the name does not match"
        return "unverifiable", f"TLS error: {str(exc)[:160]}"
    if has(ConnectionRefusedError):
        return "broken", "connection refused"
    if has(*_TIMEOUT_ERRORS):
        connect = has(requests.exceptions.ConnectTimeout, urllib3.exceptions.ConnectTimeoutError)
        return "retry", f"{'connect timed out' if connect else 'timed out'} after {timeout:g} s"
    if has(*_RESET_ERRORS):
        return "retry", "connection reset by the server"
    if has(urllib3.exceptions.NewConnectionError):
        why = next((e.strerror for e in chain if isinstance(e, OSError) and e.strerror), None)
        return "unverifiable", f"connection failed: {why or 'cannot connect'}"
    return "unverifiable", f"request failed: {type(exc).__name__}: {str(exc)[:160]}"


class _Checker:
    def __init__(self, options: RemoteOptions, progress: Callable[[int, int], None] | None):
        self.o = options
        self.allow = netguard.parse_networks(options.allow_networks)
        self.exclude = [re.compile(p) for p in options.exclude]
        self.progress = progress
        self.sched = _Scheduler(options.per_host, options.min_gap)
        self._dns: dict[tuple[str, int], list[netguard.IPAddress] | str] = {}
        self._dns_lock = threading.Lock()
        self._progress_lock = threading.Lock()
        self.done = 0
        self.total = 0
        self._error: BaseException | None = None
        self.results: dict[str, Result] = {}
        self.cache = (
            LinkCache(options.cache_path, options.cache_max_age) if options.cache_path else None
        )
        self.api_origin = _origin(options.github_api)
        self.verify: bool | str = options.ca_bundle or True
        self.headers = {
            "User-Agent": options.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "en",
            "Accept-Encoding": "gzip, deflate",
        }

    # ---- bookkeeping

    def _report(self, n: int) -> None:
        if n <= 0:
            return
        with self._progress_lock:
            self.done += n
            if self.progress is not None:
                self.progress(self.done, self.total)

    def _resolve(self, host: str, port: int) -> list[netguard.IPAddress] | str:
        """The checked addresses of ``host``, or the detail of why it cannot be used.

        Resolved once per run (a DNS failure is never retried); the connection then goes to
        one of these addresses, so a later answer from DNS cannot change where it goes.
        """
        key = (host, port)
        with self._dns_lock:
            hit = self._dns.get(key)
        if hit is None:
            try:
                hit = netguard.check_host(host, port, self.allow)
            except netguard.Refused as exc:
                hit = f"refused: {exc.reason}"
            except netguard.ResolveError as exc:
                hit = f"DNS: cannot resolve {host} ({exc.message})"
            with self._dns_lock:
                self._dns[key] = hit
        return hit

    # ---- the run

    def run(self, urls: Iterable[str]) -> dict[str, Result]:
        fetches: dict[str, _Fetch] = {}
        order = list(dict.fromkeys(urls))
        self.total = len(order)
        pre = 0
        for url in order:
            if any(p.search(url) for p in self.exclude):
                self.results[url] = Result(url, "ok", None, "excluded", None)
                pre += 1
                continue
            base, frag = _split_fragment(url)
            problem = self._invalid(base)
            if problem:
                self.results[url] = Result(url, "broken", None, problem, None)
                pre += 1
                continue
            if self.cache is not None:
                entry = self.cache.get(url)
                if entry is not None:
                    self.results[url] = Result(
                        url, "ok", entry.code, f"{entry.detail} (cached)", entry.final_url
                    )
                    pre += 1
                    continue
            f = fetches.get(base)
            if f is None:
                f = fetches[base] = _Fetch(key=base, url=base, chain=[base])
            f.inputs.append(url)
            if frag is not None:
                f.fragments.add(unquote(frag))
        with self._progress_lock:
            self.done = pre
            if self.progress is not None:
                self.progress(self.done, self.total)
        try:
            if fetches:
                self._run_fetches(list(fetches.values()))
        finally:
            if self.cache is not None:
                self.cache.save()  # also after an interrupt: keep what was confirmed
        return {url: self.results[url] for url in order}

    def _invalid(self, url: str) -> str | None:
        try:
            p = urlsplit(url)
            scheme = p.scheme.lower()
            if scheme not in ("http", "https"):
                return f"unsupported scheme {scheme + ':' if scheme else '(none)'}"
            if not p.hostname:
                return "no host in URL"
            _ = p.port
        except ValueError as exc:
            return f"invalid URL: {exc}"
        return None

    def _run_fetches(self, fetches: list[_Fetch]) -> None:
        global _watchdog, _watchdog_users
        with _watchdog_lock:
            if _watchdog is None:
                _watchdog = _Watchdog()
            _watchdog_users += 1
            self.dog = _watchdog
        try:
            for f in fetches:
                self.sched.submit(_host_key(f.url), f)
            n = max(1, min(self.o.workers, len(fetches)))
            threads = [
                threading.Thread(target=self._worker, name=f"linkcheck-{i}", daemon=True)
                for i in range(n)
            ]
            for t in threads:
                t.start()
            try:
                for t in threads:
                    while t.is_alive():
                        t.join(0.5)
            except BaseException:
                self.sched.close()
                raise
            if self._error is not None:
                raise self._error
        finally:
            with _watchdog_lock:
                _watchdog_users -= 1
                if _watchdog_users == 0 and _watchdog is not None:
                    _watchdog.stop()
                    _watchdog = None

    def _worker(self) -> None:
        # One Session per worker: it owns the pinned adapter and so the worker's pooled
        # keep-alive connections. Proxies and .netrc from the environment are ignored.
        session = requests.Session()
        session.trust_env = False
        session.proxies = {}
        session.headers.clear()
        session.verify = self.verify
        adapter = _PinnedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        prev: _Host | None = None
        then: tuple[str, _Fetch, float] | None = None
        finished = False
        try:
            while True:
                item = self.sched.next(prev, then, finished)
                if item is None:
                    return
                prev, f = item
                try:
                    then = self._step(session, adapter, f)
                except Exception as exc:  # a bug must not hang the run
                    f.outcome = _Outcome("unverifiable", None, f"internal error: {exc!r}")
                    then = None
                finished = then is None
                if finished:
                    self._complete(f)  # may raise from the progress callback
        except BaseException as exc:  # stop the run; check_urls re-raises it
            with self._progress_lock:
                if self._error is None:
                    self._error = exc
            self.sched.close()
        finally:
            session.close()

    # ---- one request

    def _finish(self, f: _Fetch, status: Status, code: int | None, detail: str, **kw) -> None:
        f.outcome = _Outcome(status, code, detail, **kw)

    def _backoff(self, attempt: int) -> float:
        base = self.o.backoff * (2 ** max(0, attempt - 1))
        return min(self.o.max_retry_after, base * random.uniform(1.0, 1.5))

    def _retry_or_give_up(
        self, f: _Fetch, host: str, detail: str, code: int | None, delay: float | None = None
    ) -> tuple[str, _Fetch, float] | None:
        if f.attempt < self.o.retries:
            f.attempt += 1
            wait = self._backoff(f.attempt) if delay is None else delay
            return host, f, time.monotonic() + wait
        n = f.attempt
        suffix = f" (after {n} {'retry' if n == 1 else 'retries'})" if n else ""
        self._finish(f, "unverifiable", code, detail + suffix, final_url=f.url if code else None)
        return None

    def _step(
        self, session: requests.Session, adapter: _PinnedAdapter, f: _Fetch
    ) -> tuple[str, _Fetch, float] | None:
        url = f.url
        hop_note = f" (redirect from {_short_chain(f.chain[-2:-1])})" if len(f.chain) > 1 else ""
        headers = dict(self.headers)
        if f.api:
            headers["Accept"] = "application/vnd.github+json"
            headers["X-GitHub-Api-Version"] = "2022-11-28"
            if self.o.github_token and _origin(url) == self.api_origin:
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
            port = parts.port or _DEFAULT_PORT.get(scheme, 0)
        except (requests.exceptions.RequestException, ValueError) as exc:
            self._finish(f, "broken", None, f"invalid URL: {exc}{hop_note}")
            return None
        if scheme not in ("http", "https") or not host:
            self._finish(f, "broken", None, f"unsupported URL {url}{hop_note}")
            return None
        if "Authorization" in prep.headers and _origin(prep.url) != self.api_origin:
            del prep.headers["Authorization"]  # belt and braces: the token stays with the API
        ips = self._resolve(host, port)
        if isinstance(ips, str):
            self._finish(f, "broken", None, ips + hop_note)
            return None
        default = _DEFAULT_PORT[scheme]
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
                except _REQUEST_ERRORS as exc:
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
            except _REQUEST_ERRORS as exc:
                return self._failed(f, host, exc, token, hop_note)
        finally:
            if resp is not None:
                _release(resp, token)
            self.dog.disarm(token)

    @staticmethod
    def _is_connect_failure(exc: BaseException) -> bool:
        types = (urllib3.exceptions.NewConnectionError, requests.exceptions.ConnectTimeout)
        return any(isinstance(e, types) for e in _cause_chain(exc))

    def _failed(
        self, f: _Fetch, host: str, exc: BaseException, token: _Deadline, hop_note: str
    ) -> tuple[str, _Fetch, float] | None:
        """Map a failed request to a retry or an outcome."""
        kind, detail = _classify_failure(exc, token.fired, self.o.timeout)
        if kind == "retry":
            return self._retry_or_give_up(f, host, detail, None)
        self._finish(f, kind, None, detail + hop_note)  # type: ignore[arg-type]
        return None

    def _response(
        self, f: _Fetch, host: str, resp: requests.Response, token: _Deadline
    ) -> tuple[str, _Fetch, float] | None:
        code = resp.status_code
        f.last_code = code
        accepted = code in self.o.accept
        if 300 <= code < 400 and not accepted:
            location = resp.headers.get("Location")
            if location:
                return self._redirect(f, location)
            detail = f"{_phrase(code)} without a Location header"
            self._finish(f, "broken", code, detail, final_url=f.url)
            return None
        if f.api:
            return self._api_response(f, host, code)
        if accepted:
            return self._accepted(f, resp, token)
        if code in (404, 410):
            self._finish(f, "broken", code, _phrase(code), final_url=f.url)
            return None
        if code in (429, 503):
            if code == 429 and self._github_fallback(f):
                return _host_key(f.url), f, 0.0
            if f.attempt < self.o.retries:
                # Pause the host for every worker, then retry this one first in line.
                after = _retry_after(resp.headers.get("Retry-After"), time.time())
                if after is None:
                    wait = self._backoff(f.attempt + 1)
                else:
                    wait = min(self.o.max_retry_after, after)
                self.sched.pause(host, time.monotonic() + wait)
                return self._retry_or_give_up(f, host, _phrase(code), code, delay=0.0)
            return self._retry_or_give_up(f, host, _phrase(code), code)
        if code == 408 or 500 <= code <= 599:
            return self._retry_or_give_up(f, host, _phrase(code), code)
        if code in _UNVERIFIABLE:
            detail = f"{_phrase(code)} ({_UNVERIFIABLE[code]})"
            self._finish(f, "unverifiable", code, detail, final_url=f.url)
            return None
        self._finish(f, "broken", code, _phrase(code), final_url=f.url)
        return None

    def _api_response(self, f: _Fetch, host: str, code: int) -> tuple[str, _Fetch, float] | None:
        """The GitHub API's answer about a repository github.com would not show."""
        page = f.chain[0]
        if code in self.o.accept:
            detail = f"repository exists ({_phrase(code)} from the GitHub API; {f.api_why})"
            self._finish(f, "ok", code, detail, final_url=page, note=f.api_why)
        elif code in (404, 410):
            detail = f"repository not found ({_phrase(code)} from the GitHub API)"
            self._finish(f, "broken", code, detail, final_url=page)
        elif code == 408 or code >= 500:
            return self._retry_or_give_up(f, host, f"GitHub API answered {_phrase(code)}", code)
        else:
            detail = f"GitHub API answered {_phrase(code)} ({f.api_why})"
            self._finish(f, "unverifiable", code, detail, final_url=page)
        return None

    def _github_fallback(self, f: _Fetch) -> bool:
        """Switch ``f`` to the GitHub API if github.com rate-limits a repository URL."""
        if not self.o.github_token or f.api or _host_key(f.url) not in GITHUB_WEB_HOSTS:
            return False
        segs = [s for s in urlsplit(f.url).path.split("/") if s]
        if len(segs) < 2 or segs[0].lower() in _GITHUB_RESERVED:
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

    def _redirect(self, f: _Fetch, location: str) -> tuple[str, _Fetch, float] | None:
        try:
            target = requests.utils.requote_uri(urljoin(f.url, location.strip()))
        except (ValueError, requests.exceptions.InvalidURL) as exc:
            self._finish(f, "broken", f.last_code, f"invalid redirect target {location!r}: {exc}")
            return None
        base, frag = _split_fragment(target)
        if frag is not None and not f.api:
            f.redirect_fragment = unquote(frag)
        hops = len(f.chain)  # redirects followed once this one is taken
        if base in f.chain:
            f.chain.append(base)
            noun = "hop" if hops == 1 else "hops"
            detail = f"redirect loop after {hops} {noun}: {_short_chain(f.chain)}"
            self._finish(f, "broken", f.last_code, detail)
            return None
        f.chain.append(base)
        if hops > self.o.max_redirects:
            self._finish(
                f, "broken", f.last_code,
                f"too many redirects (more than {self.o.max_redirects}): {_short_chain(f.chain)}",
            )
            return None
        scheme = urlsplit(base).scheme.lower()
        if scheme not in ("http", "https"):
            detail = f"redirect to unsupported scheme {scheme}: {base}"
            self._finish(f, "broken", f.last_code, detail)
            return None
        f.url = base
        f.attempt = 0
        return _host_key(base), f, 0.0

    def _accepted(
        self, f: _Fetch, resp: requests.Response, token: _Deadline
    ) -> tuple[str, _Fetch, float] | None:
        code = resp.status_code
        hops = len(f.chain) - 1
        detail = _phrase(code)
        if hops:
            detail += f" after {hops} redirect{'s' if hops != 1 else ''}"
        ctype = resp.headers.get("Content-Type", "")
        is_html = not ctype or "html" in ctype.lower()
        frags = {f.redirect_fragment} if f.redirect_fragment is not None else set(f.fragments)
        wanted_frags = {x for x in frags if not _trivial_fragment(x, f.url)}
        out = _Outcome("ok", code, detail, final_url=f.url, html=is_html,
                       fragment_source=f.redirect_fragment)
        if wanted_frags and is_html:
            out.ids, out.complete, out.read_error = self._read_ids(resp, wanted_frags, ctype, token)
        f.outcome = out
        return None

    def _read_ids(
        self, resp: requests.Response, frags: set[str], ctype: str, token: _Deadline
    ) -> tuple[set[str], bool, str | None]:
        parser = _IdCollector(_wanted_ids(frags))
        decoder = codecs.getincrementaldecoder(_charset(ctype))(errors="replace")
        total = 0
        cap = max(1, self.o.fragment_cap)
        raw = resp.raw
        try:
            while total < cap:
                chunk = raw.read1(min(_READ_CHUNK, cap - total), decode_content=True)
                if not chunk:
                    parser.feed(decoder.decode(b"", final=True))
                    parser.close()
                    return parser.found, True, None
                total += len(chunk)
                parser.feed(decoder.decode(chunk))
                if all(_fragment_found(x, parser.found) for x in frags):
                    return parser.found, False, None
                if token.fired:
                    return parser.found, False, "timed out reading the page"
        except _REQUEST_ERRORS as exc:
            if token.fired:
                return parser.found, False, "timed out reading the page"
            return parser.found, False, f"could not read the page ({type(exc).__name__})"
        return parser.found, False, f"not found in the first {cap // 1024} KiB"

    # ---- per-input results

    def _complete(self, f: _Fetch) -> None:
        out = f.outcome or _Outcome("unverifiable", None, "no outcome")
        for url in f.inputs:
            _, raw_frag = _split_fragment(url)
            frag = out.fragment_source if out.fragment_source is not None else (
                unquote(raw_frag) if raw_frag is not None else None
            )
            res = self._input_result(url, frag, out)
            self.results[url] = res
            if res.status == "ok" and self.cache is not None:
                self.cache.put(url, res.code, res.detail, res.final_url)
        self._report(len(f.inputs))

    def _input_result(self, url: str, frag: str | None, out: _Outcome) -> Result:
        def result(status: Status, detail: str) -> Result:
            return Result(url, status, out.code, detail, out.final_url)

        if out.status != "ok" or frag is None or _trivial_fragment(frag, out.final_url or url):
            return result(out.status, out.detail)
        shown = f"#{frag}"
        if out.note is not None:  # GitHub API path: the page itself was not seen
            return result("unverifiable", f"{out.detail}; {shown} not checked")
        if not out.html:
            return result("ok", f"{out.detail}; {shown} not checked (not HTML)")
        if _fragment_found(frag, out.ids or set()):
            return result("ok", f"{out.detail}; {shown} found")
        if out.complete:
            return result("broken", f"{out.detail} but fragment {shown} not found")
        why = out.read_error or "page not fully read"
        return result("unverifiable", f"{out.detail}; fragment {shown}: {why}")


def check_urls(
    urls: Iterable[str],
    options: RemoteOptions,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Result]:
    """Check every URL; returns ``{input url: Result}`` in first-seen order (duplicates collapse).

    Raises ValueError for a malformed ``allow_networks`` entry or ``exclude`` pattern.
    """
    return _Checker(options, progress).run(urls)
