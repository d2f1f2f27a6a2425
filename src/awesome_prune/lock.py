"""One build of a list at a time: `build_lock` takes an `flock` on `.cache/build.lock`, opened
without following a symbolic link (a pull request can commit one), and refuses anything but a
regular file there; a second build waits, with a message, then gives up in one line."""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from .errors import Problem, ProblemsError
from .write import CACHE_DIR, DIR_FLAGS


# --- the build lock ----------------------------------------------------------------------------

LOCK_FILE = "build.lock"
LOCK_TIMEOUT = 60.0  # seconds a build waits for another build of the same list
_LOCK_POLL = 0.1


def _lock_problem(where: str, message: str) -> ProblemsError:
    return ProblemsError([Problem(where, 1, 1, "", message)])


def _open_lock(root: Path) -> int | None:
    """The lock file `.cache/build.lock` of the list at `root`, open; created when missing, without
    following a symbolic link planted there. None when `root` is not a list's folder (the build
    then reports what is missing)."""
    lock = f"{CACHE_DIR}/{LOCK_FILE}"
    if not (root / "pyproject.toml").is_file():
        return None  # not a list: nothing is made here, and the build says what is missing
    try:
        top = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            os.mkdir(CACHE_DIR, 0o755, dir_fd=top)
        except FileExistsError:
            pass
        except OSError as exc:
            raise _lock_problem(CACHE_DIR, f"cannot make the folder of the build lock: {exc.strerror}") from None
        try:
            cache = os.open(CACHE_DIR, DIR_FLAGS, dir_fd=top)
        except OSError:
            raise _lock_problem(CACHE_DIR, "is not a plain folder (a symbolic link, or a file): the build keeps "
                                           "its lock there; remove it") from None
        try:
            fd = os.open(LOCK_FILE, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644,
                         dir_fd=cache)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _lock_problem(lock, "the build lock is a symbolic link; remove it") from None
            raise _lock_problem(lock, f"cannot open the build lock: {exc.strerror}") from None
        finally:
            os.close(cache)
    finally:
        os.close(top)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _lock_problem(lock, "the build lock is not a regular file; remove it")
    return fd


@contextmanager
def build_lock(root: Path, timeout: float = LOCK_TIMEOUT,
               on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the build lock of the list at `root` (one build of a list at a time). When another
    process holds it, `on_wait` is told once and the lock is awaited up to `timeout` seconds, then
    one problem is raised. The lock ends with its process, however it ends."""
    fd = _open_lock(root)
    if fd is None:
        yield
        return
    try:
        deadline = time.monotonic() + timeout
        for attempt in range(int(timeout / _LOCK_POLL) + 2):  # bounded in count and in time
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            except OSError:
                break  # no locks on this file system: build unlocked, as before
            if on_wait is not None and attempt == 0:
                on_wait(f"waiting for another build of this list… (up to {timeout:g} s)")
            if time.monotonic() >= deadline:
                raise _lock_problem(f"{CACHE_DIR}/{LOCK_FILE}", f"another build of this list held the lock for "
                                                                f"{timeout:g} s; try again when it has finished")
            time.sleep(_LOCK_POLL)
        else:
            raise _lock_problem(f"{CACHE_DIR}/{LOCK_FILE}", f"another build of this list held the lock for "
                                                            f"{timeout:g} s; try again when it has finished")
        yield
    finally:
        os.close(fd)
