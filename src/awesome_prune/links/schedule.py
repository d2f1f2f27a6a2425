"""Per-host queues shared by all workers: a concurrency limit and a minimum gap between request
starts for each host, pauses of a host for every worker (429/503), and delayed retries that
occupy no worker while they wait."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from typing import Any

__all__ = ["Host", "Scheduler"]


class Host:
    __slots__ = ("name", "queue", "active", "next_start", "paused_until", "in_ready")

    def __init__(self, name: str):
        self.name = name
        self.queue: deque[Any] = deque()
        self.active = 0
        self.next_start = 0.0
        self.paused_until = 0.0
        self.in_ready = False


class Scheduler:
    """Hands each worker the next task of any host that may take one now."""

    def __init__(self, per_host: int, min_gap: float):
        self.per_host = max(1, per_host)
        self.min_gap = max(0.0, min_gap)
        self._cv = threading.Condition()
        self._hosts: dict[str, Host] = {}
        self._ready: deque[Host] = deque()  # hosts that may have a startable task
        self._timers: list[tuple[float, int, Host]] = []  # hosts held back by a gap or pause
        self._delayed: list[tuple[float, int, str, Any]] = []  # retries waiting for their time
        self._seq = itertools.count()
        self._pending = 0
        self._closed = False

    def _consider(self, h: Host) -> None:
        if h.queue and h.active < self.per_host and not h.in_ready:
            h.in_ready = True
            self._ready.append(h)

    def _enqueue(self, host: str, task: Any, not_before: float, now: float) -> None:
        if not_before > now:
            heapq.heappush(self._delayed, (not_before, next(self._seq), host, task))
            return
        h = self._hosts.get(host) or self._hosts.setdefault(host, Host(host))
        h.queue.append(task)
        self._consider(h)

    def submit(self, host: str, task: Any) -> None:
        with self._cv:
            self._pending += 1
            self._enqueue(host, task, 0.0, 0.0)
            self._cv.notify()

    def pause(self, host: str, until: float) -> None:
        """No task of ``host`` starts before ``until`` (time.monotonic), whichever worker."""
        with self._cv:
            h = self._hosts.get(host) or self._hosts.setdefault(host, Host(host))
            h.paused_until = max(h.paused_until, until)

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify_all()

    def next(
        self, prev: Host | None = None, then: tuple[str, Any, float] | None = None
    ) -> tuple[Host, Any] | None:
        """Report the worker's previous task (if any) and take the next one (blocking).

        ``prev`` is the host of the previous task; ``then`` requeues it as ``(host, task,
        not_before)``, None says it is complete. The worker prefers ``prev`` again (keeping its
        pooled connection busy) when that host may start a task now; otherwise hosts are served
        round-robin. None means: no work left (or the run was closed).
        """
        with self._cv:
            if prev is not None:
                prev.active -= 1
                self._consider(prev)
                if then is None:
                    self._pending -= 1
                    if self._pending <= 0:
                        self._cv.notify_all()
                else:
                    self._enqueue(*then, time.monotonic())
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
                if (prev is not None and prev.queue and prev.active < self.per_host
                        and max(prev.next_start, prev.paused_until) <= now):
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
                events = [e[0] for e in (*self._timers[:1], *self._delayed[:1])]
                self._cv.wait(max(0.0, min(events) - now) if events else None)

    def _start(self, h: Host, now: float) -> tuple[Host, Any]:
        task = h.queue.popleft()
        h.active += 1
        h.next_start = now + self.min_gap
        self._consider(h)
        if self._ready:
            self._cv.notify()  # more runnable work: wake another idle worker
        return h, task
