"""Scheduling: per-host queues shared by all workers (per-host limit, minimum gap, pauses)."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .fetch import Fetch

__all__ = ["Host", "Scheduler"]


class Host:
    __slots__ = ("name", "queue", "active", "next_start", "paused_until", "in_ready")

    def __init__(self, name: str):
        self.name = name
        self.queue: deque[Fetch] = deque()
        self.active = 0
        self.next_start = 0.0
        self.paused_until = 0.0
        self.in_ready = False


class Scheduler:
    """Hands each worker the next request of any host that may take one now."""

    def __init__(self, per_host: int, min_gap: float):
        self.per_host = max(1, per_host)
        self.min_gap = max(0.0, min_gap)
        self._cv = threading.Condition()
        self._hosts: dict[str, Host] = {}
        self._ready: deque[Host] = deque()
        self._timers: list[tuple[float, int, Host]] = []
        self._delayed: list[tuple[float, int, str, Fetch]] = []
        self._seq = itertools.count()
        self._pending = 0
        self._closed = False

    def _host(self, name: str) -> Host:
        h = self._hosts.get(name)
        if h is None:
            h = self._hosts[name] = Host(name)
        return h

    def _consider(self, h: Host) -> None:
        if h.queue and h.active < self.per_host and not h.in_ready:
            h.in_ready = True
            self._ready.append(h)

    def _enqueue(self, host: str, task: Fetch, not_before: float, now: float) -> None:
        if not_before > now:
            heapq.heappush(self._delayed, (not_before, next(self._seq), host, task))
        else:
            h = self._host(host)
            h.queue.append(task)
            self._consider(h)

    def submit(self, host: str, task: Fetch) -> None:
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
        prev: Host | None = None,
        then: tuple[str, Fetch, float] | None = None,
        finished: bool = False,
    ) -> tuple[Host, Fetch] | None:
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

    def _start(self, h: Host, now: float) -> tuple[Host, Fetch]:
        task = h.queue.popleft()
        h.active += 1
        h.next_start = now + self.min_gap
        self._consider(h)
        if self._ready:
            self._cv.notify()  # more runnable work: wake another idle worker
        return h, task
