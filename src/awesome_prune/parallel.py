"""Work on two cores with a forked child: `ordered_map` (a function over many items, results in
order, the items shared out as the two go) and `in_child` (one call whose result is needed
later). Results travel back pickled.

The child writes its results to an anonymous file in memory, which this process reads as it
goes: the child never waits for this process, and this process runs no thread. Behaviour is that
of the sequential code: same results, same order. Whenever the child cannot deliver (no fork on
this platform, one CPU, a child that dies or raises), this process computes what is missing
itself, so an exception is raised here exactly as a sequential run would raise it.

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


def _scratch() -> int:
    """A file descriptor of an anonymous file in memory (on disk where memfd is missing)."""
    try:
        return os.memfd_create("awesome-prune-results", os.MFD_CLOEXEC)
    except (AttributeError, OSError):
        import tempfile

        return os.dup(tempfile.TemporaryFile().fileno())


class _Child:
    """A forked child running `work(send)`. What it sends goes to an anonymous file, never to a
    pipe: the child never waits for this process, which needs no thread to read (one would contend
    for the interpreter lock with the work done here). `poll()` gives the frames complete so far,
    `frames()` waits for the child to end and gives the rest, in order; when the child failed, the
    frames stop where its output does."""

    def __init__(self, work: Callable[[Callable[[Any], None]], None]):
        self.fd = _scratch()
        sys.stdout.flush()
        sys.stderr.flush()
        self.pid = os.fork()
        if self.pid == 0:  # the child never returns into the caller's frames
            status = 1
            try:
                with os.fdopen(self.fd, "wb", buffering=1 << 16) as out:
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
        self.ended = False
        self.data = bytearray()  # what the child has written so far, as read here
        self.pos = 0  # where the next frame starts in it
        self.last = False  # the end mark was read

    def _wait(self) -> None:
        if not self.ended:
            os.waitpid(self.pid, 0)
            self.ended = True

    def poll(self) -> list[Any]:
        """The frames the child has completed since the last call (without waiting for it)."""
        data = self.data
        while not self.last:
            chunk = os.pread(self.fd, 1 << 20, len(data))
            if not chunk:
                break
            data += chunk
        found = []
        view = memoryview(data)
        try:
            while not self.last and self.pos + _HEADER.size <= len(data):
                (length,) = _HEADER.unpack_from(data, self.pos)
                start = self.pos + _HEADER.size
                if not length:
                    self.last = True
                elif start + length <= len(data):
                    found.append(pickle.loads(view[start:start + length]))
                    self.pos = start + length
                else:
                    break
        finally:
            view.release()  # `data` grows on the next call
        return found

    def frames(self) -> Iterator[Any]:
        self._wait()
        yield from self.poll()

    def close(self) -> None:
        if not self.ended:
            os.kill(self.pid, signal.SIGKILL)
            self._wait()
        os.close(self.fd)


class _Claims:
    """Who computes which chunk: this process takes chunks from the front, the child from the back,
    until they meet; so both finish together whatever else either has to do meanwhile (and however
    busy its core is). Two counters in memory both processes share, each written by one side only;
    a side claims a chunk by moving its own counter *before* working on it, having read the other's.
    Stale reads can only make both take the same chunk (the one where they meet), never leave one
    out: this process then keeps its own result."""

    _COUNTER = struct.Struct("<q")

    def __init__(self, count: int):
        import mmap

        self.memory = mmap.mmap(-1, 2 * self._COUNTER.size)  # anonymous and shared across fork
        self._set(0, 0)
        self._set(1, count)

    def _get(self, which: int) -> int:
        return self._COUNTER.unpack_from(self.memory, which * self._COUNTER.size)[0]

    def _set(self, which: int, value: int) -> None:
        self._COUNTER.pack_into(self.memory, which * self._COUNTER.size, value)

    @property
    def front(self) -> int:
        """The first chunk this process did not take."""
        return self._get(0)

    def take_front(self) -> int | None:
        index = self._get(0)
        if index >= self._get(1):
            return None
        self._set(0, index + 1)
        return index

    def take_back(self) -> int | None:
        index = self._get(1) - 1
        if index < self._get(0):
            return None
        self._set(1, index)
        return index


class Sharing:
    """Chunks of items shared out between this process and a forked child as the two go
    (`_Claims`): the child computes `call(item)` for the items of the chunks it claims from the
    back, from the moment it is created; `results(func)` gives every result in order, computing
    this process's chunks (from the front) as it is iterated, then the child's, and whatever a
    failed child did not deliver."""

    def __init__(self, chunks: list[Sequence[T]], call: Callable[[T], R]):
        self.chunks = chunks
        self.claims = claims = _Claims(len(chunks))

        def work(send: Callable[[Any], None]) -> None:
            while (index := claims.take_back()) is not None:
                send((index, [call(item) for item in chunks[index]]))

        self.child = _Child(work)

    def results(self, func: Callable[[T], R]) -> Iterator[R]:
        claims, chunks, sent = self.claims, self.chunks, {}
        while (index := claims.take_front()) is not None:
            for item in chunks[index]:
                yield func(item)
            sent.update(self.child.poll())  # unpickled here while the child still works
        sent.update(self.child.frames())
        for index in range(claims.front, len(chunks)):
            if index in sent:
                yield from sent[index]
            else:  # what a failed child did not deliver
                for item in chunks[index]:
                    yield func(item)

    def close(self) -> None:
        self.child.close()


@contextmanager
def ordered_map(func: Callable[[T], R], items: Sequence[T], chunk: int = 1, min_items: int = MIN_ITEMS,
                remote: Callable[[T], R] | None = None) -> Iterator[Iterator[R]]:
    """`with ordered_map(f, items) as results:` iterate `f(item)` for every item, in order.

    This process computes chunks of `chunk` items from the front as `results` is iterated, a
    child computes them from the back from the start (`Sharing`), so work done here before or
    between results (preparing what comes next) is balanced too. `remote`, when given, is what the
    child calls instead of `func`: the same result, lighter to send (e.g. without objects only this
    process needs)."""
    if len(items) < min_items or not can_fork():
        yield (func(item) for item in items)
        return
    chunks = [items[start:start + chunk] for start in range(0, len(items), chunk)]
    sharing = Sharing(chunks, remote or func)
    try:
        yield sharing.results(func)
    finally:
        sharing.close()


@contextmanager
def in_child(func: Callable[[], R], enabled: bool = True) -> Iterator[Callable[[], R]]:
    """`with in_child(f) as result:` … `result()` is `f()`, computed by a child meanwhile (or here,
    when the child cannot deliver or `enabled` is false)."""
    if not enabled or not can_fork():
        yield func
        return
    child = _Child(lambda send: send(func()))

    def result() -> R:
        for value in child.frames():
            return value
        return func()

    try:
        yield result
    finally:
        child.close()
