"""Work on two cores with a forked child: `ordered_map` (a function over many items, results in
order) and `in_child` (one call whose result is needed later). Results travel back pickled.

The child's output is drained by a thread of this process as soon as it is written, so the child
never waits for this process to read. Behaviour is that of the sequential code: same results,
same order. Whenever the child cannot deliver (no fork on this platform, one CPU, a child that dies
or raises), this process computes what is missing itself, so an exception is raised here exactly
as a sequential run would raise it.

Forking is only done on Linux, from a process that has started no thread of its own.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS = 400  # below this a fork (~5–10 ms) does not pay
ENV = "AWESOME_PRUNE_JOBS"  # "1" keeps everything in this process (debugging, profiling)
_HEADER = struct.Struct("<Q")
_END = object()


def cpus() -> int:
    if os.environ.get(ENV) == "1":
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Linux, two CPUs or more, and no thread running besides this one (forking is unsafe then)."""
    threading = sys.modules.get("threading")
    if threading is not None and threading.active_count() > 1:
        return False
    return sys.platform.startswith("linux") and hasattr(os, "fork") and cpus() > 1


class _Child:
    """A forked child running `work(send)`; `frames()` yields what it sent, in order, until it ends
    (or fails: then the frames simply stop). With `drain`, a thread reads the frames as they come,
    so that the child never waits on a full pipe."""

    def __init__(self, work: Callable[[Callable[[Any], None]], None], drain: bool):
        read_fd, write_fd = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child never returns into the caller's frames
            status = 1
            try:
                os.close(read_fd)
                with os.fdopen(write_fd, "wb", buffering=1 << 16) as out:
                    def send(value: Any) -> None:
                        data = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
                        out.write(_HEADER.pack(len(data)))
                        out.write(data)

                    work(send)
                    out.write(_HEADER.pack(0))
                status = 0
            except BaseException:  # noqa: BLE001 - the parent computes whatever is missing
                pass
            finally:
                os._exit(status)
        os.close(write_fd)
        self.stream = os.fdopen(read_fd, "rb")
        self.thread = None
        if drain:
            import queue
            import threading

            self.queue: Any = queue.SimpleQueue()
            self.thread = threading.Thread(target=self._drain, name="awesome-prune-reader", daemon=True)
            self.thread.start()

    def _read(self) -> Iterator[bytes]:
        try:
            while True:
                header = self.stream.read(_HEADER.size)
                if len(header) != _HEADER.size:
                    return
                (size,) = _HEADER.unpack(header)
                data = self.stream.read(size) if size else b""
                if not size or len(data) != size:
                    return
                yield data
        except (OSError, ValueError):
            return

    def _drain(self) -> None:
        try:
            for data in self._read():
                self.queue.put(data)
        finally:
            self.queue.put(_END)

    def frames(self) -> Iterator[Any]:
        if self.thread is None:
            for data in self._read():
                yield pickle.loads(data)
            return
        while True:
            data = self.queue.get()
            if data is _END:
                return
            yield pickle.loads(data)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.waitpid(self.pid, 0)
        if self.thread is not None:
            self.thread.join()
        self.stream.close()


@contextmanager
def ordered_map(func: Callable[[T], R], items: Sequence[T], share: float = 0.5, chunk: int = 128,
                min_items: int = MIN_ITEMS, remote: Callable[[T], R] | None = None) -> Iterator[Iterator[R]]:
    """`with ordered_map(f, items) as results:` iterate `f(item)` for every item, in order. A child
    computes the last `share` of the items, streamed in chunks, while this process does the rest.
    `remote`, when given, is what the child calls instead of `func`: the same result, lighter to send
    (e.g. without objects only this process needs)."""
    if len(items) < min_items or not can_fork():
        yield (func(item) for item in items)
        return
    split = len(items) - int(len(items) * share)

    def work(send: Callable[[Any], None]) -> None:
        call = remote or func
        for start in range(split, len(items), chunk):
            send([call(item) for item in items[start:start + chunk]])

    child = _Child(work, drain=True)

    def results() -> Iterator[R]:
        for item in items[:split]:
            yield func(item)
        done = split
        for frame in child.frames():
            yield from frame
            done += len(frame)
        for item in items[done:]:  # what a failed child did not deliver
            yield func(item)

    try:
        yield results()
    finally:
        child.close()


@contextmanager
def in_child(func: Callable[[], R], enabled: bool = True) -> Iterator[Callable[[], R]]:
    """`with in_child(f) as result:` … `result()` is `f()`, computed by a child meanwhile (or here,
    when the child cannot deliver or `enabled` is false)."""
    if not enabled or not can_fork():
        yield func
        return
    child = _Child(lambda send: send(func()), drain=False)

    def result() -> R:
        for value in child.frames():
            return value
        return func()

    try:
        yield result
    finally:
        child.close()
