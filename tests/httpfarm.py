"""Threaded HTTP test servers on loopback addresses (127.0.0.2, 127.0.0.3, …) for link checks.

Linux routes all of 127.0.0.0/8 to the loopback interface, so each test host gets its own
address. Every server is a ``ThreadingHTTPServer`` (daemon threads, a large accept queue, no
request logging) run in a background thread, recording every request it sees so tests can
assert what reached it (or that nothing did).

Routes map a path (without the query) to a handler ``fn(h: Handler) -> None``; helpers build the
usual ones: :func:`text`, :func:`html`, :func:`status`, :func:`redirect`, :func:`sequence`,
:func:`slow`, :func:`reset`, :func:`raw`, :func:`endless`, :func:`drip`. Anything else answers 404.

:func:`loopback_guard` is a context manager backed by an audit hook: while active, any socket
connect, send or name lookup that could leave the machine (a non-loopback address, a host name
other than localhost, a reverse lookup) raises PermissionError and is recorded. ``HTTPServer``'s
own ``getfqdn`` reverse lookup on bind is avoided here (it would query DNS for 127.0.0.2).
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import socketserver
import ssl
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = [
    "Farm",
    "Handler",
    "HostServer",
    "Seen",
    "drip",
    "endless",
    "html",
    "loopback_guard",
    "make_certs",
    "raw",
    "redirect",
    "reset",
    "sequence",
    "slow",
    "status",
    "text",
]

LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")
#: Upper bounds for every streaming handler, so no server loop runs unbounded.
STREAM_MAX_BYTES = 256 * 1024 * 1024
STREAM_MAX_SECONDS = 20.0


# ----------------------------------------------------------------------------------------------
# The loopback guard (an audit hook, installed once, enforcing while any guard is active).

_guard_lock = threading.Lock()
_guard_depth = 0
_guard_installed = False
violations: list[str] = []


def _is_loopback_host(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    text = host.strip("[]").split("%", 1)[0]
    if text in ("localhost", "localhost."):
        return True
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def _is_ip_literal(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    try:
        ipaddress.ip_address(host.strip("[]").split("%", 1)[0])
    except ValueError:
        return False
    return True


def _audit(event: str, args: tuple) -> None:
    if _guard_depth <= 0:
        return
    problem = None
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        if isinstance(address, tuple) and address:
            if not _is_loopback_host(address[0]):
                problem = f"{event} to {address!r}"
    elif event == "socket.getaddrinfo":
        host = args[0]
        if host is not None and not _is_ip_literal(host) and not _is_loopback_host(host):
            problem = f"name lookup of {host!r}"
    elif event in ("socket.gethostbyname", "socket.gethostbyaddr", "socket.getnameinfo"):
        target = args[0] if args else None
        if event == "socket.getnameinfo" or not (
            event == "socket.gethostbyname" and _is_loopback_host(target)
        ):
            problem = f"{event}({target!r})"
    if problem is not None:
        violations.append(problem)
        raise PermissionError(f"loopback guard: {problem}")


@contextlib.contextmanager
def loopback_guard() -> Iterator[list[str]]:
    """While active, traffic or lookups that could leave loopback raise PermissionError."""
    global _guard_depth, _guard_installed
    with _guard_lock:
        if not _guard_installed:
            sys.addaudithook(_audit)
            _guard_installed = True
        _guard_depth += 1
    try:
        yield violations
    finally:
        with _guard_lock:
            _guard_depth -= 1


# ----------------------------------------------------------------------------------------------
# Servers.


@dataclass(frozen=True)
class Seen:
    """A request a server received."""

    method: str
    path: str
    headers: dict[str, str]
    client: str


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 1024

    def __init__(self, address, handler, owner: HostServer):
        self.owner = owner
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup: skip it.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = port

    def handle_error(self, request, client_address) -> None:  # no tracebacks on resets
        pass


class Handler(BaseHTTPRequestHandler):
    """Request handler; route functions receive it and use the helpers below."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # no 40 ms Nagle/delayed-ACK stalls on keep-alive
    server: _Server

    def log_message(self, format, *args) -> None:  # noqa: A002 - no per-request logging
        pass

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):  # handshake here, not in the accept loop
            self.request.settimeout(5)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()
        self.server.owner._track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.owner._track(self.connection, False)

    @property
    def owner(self) -> HostServer:
        return self.server.owner

    @property
    def stopping(self) -> threading.Event:
        return self.server.owner.stopping

    def send(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        """A complete response with Content-Length (keep-alive friendly)."""
        self.send_response(code)
        hdrs = {"Content-Type": "text/plain; charset=utf-8"}
        hdrs.update(headers or {})
        for k, v in hdrs.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()  # one write for the headers, one for the body (TCP_NODELAY is on)
        if self.command != "HEAD" and body:
            self.wfile.write(body)

    def _dispatch(self) -> None:
        path = self.path.split("?", 1)[0]
        seen = Seen(
            self.command,
            self.path,
            {k.lower(): v for k, v in self.headers.items()},
            self.client_address[0],
        )
        self.owner._record(seen)
        route = self.owner.routes.get(path) or self.owner.routes.get(self.path)
        if route is None:
            route = self.owner.default
        try:
            route(self)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802
        self._dispatch()

    def do_HEAD(self) -> None:  # noqa: N802
        self._dispatch()


Route = Callable[[Handler], None]


def _not_found(h: Handler) -> None:
    h.send(404, b"not found")


class HostServer:
    """One ThreadingHTTPServer on ``host:port`` in a daemon thread; a context manager."""

    def __init__(
        self,
        host: str = "127.0.0.2",
        port: int = 0,
        routes: dict[str, Route] | None = None,
        default: Route | None = None,
        tls: ssl.SSLContext | None = None,
    ):
        if ipaddress.ip_address(host) not in LOOPBACK_V4:
            raise ValueError(f"test servers bind to 127.0.0.0/8 only, not {host}")
        self.host = host
        self.routes: dict[str, Route] = dict(routes or {})
        self.default: Route = default or _not_found
        self.stopping = threading.Event()
        self._seen: list[Seen] = []
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._server = _Server((host, port), Handler, self)
        self.port: int = self._server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread: threading.Thread | None = None

    # bookkeeping
    def _record(self, seen: Seen) -> None:
        with self._lock:
            self._seen.append(seen)

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    @property
    def requests(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def hits(self, path: str | None = None) -> int:
        with self._lock:
            if path is None:
                return len(self._seen)
            return sum(1 for s in self._seen if s.path.split("?", 1)[0] == path)

    @property
    def base(self) -> str:
        return f"{self.scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base + path

    def route(self, path: str, handler: Route) -> str:
        self.routes[path] = handler
        return self.url(path)

    # life cycle
    def start(self) -> HostServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"httpfarm-{self.host}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._server.server_close()

    def __enter__(self) -> HostServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class Farm:
    """``n`` servers on consecutive loopback addresses (127.0.0.<first> …), same port if asked."""

    def __init__(self, n: int, first: int = 2, same_port: bool = False, routes=None, default=None):
        if first < 1 or first + n - 1 > 254:
            raise ValueError("addresses must stay within 127.0.0.1-127.0.0.254")
        self.servers: list[HostServer] = []
        try:
            port = 0
            for i in range(n):
                srv = HostServer(f"127.0.0.{first + i}", port, routes=routes, default=default)
                if same_port:
                    port = srv.port
                self.servers.append(srv)
        except BaseException:
            for srv in self.servers:
                srv._server.server_close()
            raise

    def __getitem__(self, i: int) -> HostServer:
        return self.servers[i]

    def __len__(self) -> int:
        return len(self.servers)

    def __enter__(self) -> Farm:
        for srv in self.servers:
            srv.start()
        return self

    def __exit__(self, *exc) -> None:
        for srv in self.servers:
            srv.stop()


# ----------------------------------------------------------------------------------------------
# Route helpers.


def text(body: str | bytes = "ok", code: int = 200, headers: dict[str, str] | None = None) -> Route:
    data = body.encode() if isinstance(body, str) else body

    def route(h: Handler) -> None:
        h.send(code, data, headers)

    return route


def html(body: str, code: int = 200, headers: dict[str, str] | None = None) -> Route:
    hdrs = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
    return text(body, code, hdrs)


def status(code: int, headers: dict[str, str] | None = None, body: str | bytes = b"") -> Route:
    return text(body, code, headers)


def redirect(location: str, code: int = 302) -> Route:
    return text(b"", code, {"Location": location})


def sequence(*routes: Route) -> Route:
    """The first request gets routes[0], the next routes[1], …; the last one repeats."""
    lock = threading.Lock()
    count = [0]

    def route(h: Handler) -> None:
        with lock:
            i = min(count[0], len(routes) - 1)
            count[0] += 1
        routes[i](h)

    return route


def slow(delay: float, then: Route) -> Route:
    """Wait ``delay`` seconds (cut short when the server stops), then answer with ``then``."""

    def route(h: Handler) -> None:
        if h.stopping.wait(delay):
            h.close_connection = True
            return
        then(h)

    return route


def reset() -> Route:
    """Close the connection abruptly (a TCP RST via SO_LINGER 0) without answering."""

    def route(h: Handler) -> None:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.close_connection = True
        with contextlib.suppress(OSError):
            h.connection.close()

    return route


def raw(data: bytes) -> Route:
    """Answer with ``data`` as it is, not HTTP (e.g. ``b"garbage\\r\\n\\r\\n"``), then close."""

    def route(h: Handler) -> None:
        h.close_connection = True
        h.wfile.write(data)

    return route


def endless(
    prefix: bytes = b"<html><body>",
    chunk: bytes = b"<p>" + b"x" * 8185 + b"</p>",
    content_type: str = "text/html; charset=utf-8",
    max_bytes: int = STREAM_MAX_BYTES,
    max_seconds: float = STREAM_MAX_SECONDS,
) -> Route:
    """A 200 whose body never ends (no length, connection close): written until the client goes
    away, the server stops, or the (generous) byte/time bound is reached."""

    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        sent = 0
        deadline = time.monotonic() + max_seconds
        h.wfile.write(prefix)
        while sent < max_bytes and time.monotonic() < deadline and not h.stopping.is_set():
            h.wfile.write(chunk)
            sent += len(chunk)

    return route


def drip(
    body: bytes = b"<html>" + b" " * 10_000,
    interval: float = 0.05,
    content_type: str = "text/html; charset=utf-8",
    max_seconds: float = STREAM_MAX_SECONDS,
) -> Route:
    """Headers at once, then one body byte every ``interval`` seconds (a slow-loris body)."""

    def route(h: Handler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", content_type)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.close_connection = True
        deadline = time.monotonic() + max_seconds
        for i in range(len(body)):
            if time.monotonic() > deadline or h.stopping.wait(interval):
                return
            h.wfile.write(body[i : i + 1])
            h.wfile.flush()

    return route


@dataclass(frozen=True)
class CertSet:
    """A throw-away CA and a server certificate for ``names`` signed by it (PEM paths)."""

    ca: str
    cert: str
    key: str

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def make_certs(directory, names: list[str]) -> CertSet:
    """Create a CA and a server certificate with ``names`` as DNS SANs using the openssl CLI.

    Raises FileNotFoundError when openssl is not installed (tests then skip)."""
    from pathlib import Path

    d = Path(directory)
    d.mkdir(parents=True, exist_ok=True)
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60, cwd=d)

    run("req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=awesome-prune test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", f"/CN={names[0]}")
    (d / "ext.cnf").write_text(
        "basicConstraints=CA:FALSE\n"
        "keyUsage=critical,digitalSignature\n"
        "extendedKeyUsage=serverAuth\n"
        "subjectKeyIdentifier=hash\n"
        "authorityKeyIdentifier=keyid\n"
        f"subjectAltName={','.join('DNS:' + n for n in names)}\n"
    )
    run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf")
    return CertSet(str(d / "ca.pem"), str(d / "server.pem"), str(d / "server.key"))


def record_headers(server: HostServer) -> list[dict[str, str]]:
    return [s.headers for s in server.requests]


@dataclass
class Counter:
    """A thread-safe counter (for custom routes)."""

    n: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bump(self) -> int:
        with self.lock:
            self.n += 1
            return self.n
