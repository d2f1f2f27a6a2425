"""Per-request deadlines: a watchdog thread shuts down the sockets of a request that overruns.

The connections made through :data:`HTTPPool` / :data:`HTTPSPool` register their sockets with the
deadline armed by the current thread, so a server that drips bytes cannot hold a worker for ever.
One watchdog serves every run in progress (:func:`acquire` / :func:`release`).
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["Deadline", "HTTPPool", "HTTPSPool", "Watchdog", "acquire", "release"]


class Deadline:
    __slots__ = ("at", "socks", "fired", "active")

    def __init__(self, at: float):
        self.at = at
        self.socks: list[socket.socket] = []
        self.fired = False
        self.active = True


_current = threading.local()


class Watchdog:
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
                    shutdown(sock)

    def disarm(self, token: Deadline) -> None:
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
                            shutdown(sock)
                timeout = self._heap[0][0] - now if self._heap else None
                self._cv.wait(timeout)


def shutdown(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


_watchdog_lock = threading.Lock()
_watchdog: Watchdog | None = None
_watchdog_users = 0


def acquire() -> Watchdog:
    """The shared watchdog, started when no run is using it yet."""
    global _watchdog, _watchdog_users
    with _watchdog_lock:
        if _watchdog is None:
            _watchdog = Watchdog()
        _watchdog_users += 1
        return _watchdog


def release() -> None:
    """One run is done with the watchdog; the last one stops it."""
    global _watchdog, _watchdog_users
    with _watchdog_lock:
        _watchdog_users -= 1
        if _watchdog_users == 0 and _watchdog is not None:
            _watchdog.stop()
            _watchdog = None


def register_sock(sock: socket.socket | None) -> None:
    dog = _watchdog
    if dog is not None:
        dog.register(sock)


class _Watched:
    """Mixed into urllib3's connection classes: each socket is handed to the watchdog."""

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        register_sock(self.sock)  # type: ignore[attr-defined]

    def request(self, *args, **kwargs):
        register_sock(self.sock)  # type: ignore[attr-defined]
        return super().request(*args, **kwargs)  # type: ignore[misc]


class WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class HTTPPool(HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection
