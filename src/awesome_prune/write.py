"""Writing generated files: atomically, only when their content changed, and never through a
symbolic link; or comparing them (check mode); and sweeping the temporary files a killed writer
left. Temporary files are `.<name>.<8 random characters>.tmp` next to their target (`TEMP_NAME`);
each is locked (`flock`) by its writer until it is renamed into place, so a sweep
(`sweep_temporaries`) removes only regular files of that name that no live process holds."""

from __future__ import annotations

import difflib
import errno
import fcntl
import hashlib
import os
import re
import stat
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterable, Iterator

from .errors import Problem, SettingsError


@dataclass(frozen=True)
class Difference:
    path: str
    diff: str  # a short unified diff, or a note for a missing file


CHUNK = 1 << 20  # characters of text encoded at a time

# --- temporary files ---------------------------------------------------------------------------

#: The name of every temporary file this module writes (tempfile.mkstemp's 8 random characters
#: between `.<target name>.` and `.tmp`); .gitignore holds the same pattern.
CACHE_DIR = ".cache"
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def encoded(content: str | bytes) -> Iterator[bytes]:
    """`content` as bytes: text as UTF-8, a megabyte at a time (a whole-file copy of a 12 MB README
    would cost more in fresh memory than in encoding)."""
    if isinstance(content, bytes):
        yield content
        return
    for start in range(0, len(content), CHUNK):
        yield content[start:start + CHUNK].encode("utf-8")


def _claimed_temporary(file: Path) -> tuple[BinaryIO, str]:
    """A new temporary file next to `file`, open for writing and locked, still at its name."""
    for _ in range(8):
        fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
        handle = os.fdopen(fd, "wb")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # waits only while a sweep looks at it
        except OSError:
            return handle, tmp  # no locks on this file system: no sweep removes an unlocked file either
        try:
            now, mine = os.stat(tmp, follow_symlinks=False), os.fstat(fd)
            if (now.st_dev, now.st_ino) == (mine.st_dev, mine.st_ino):
                return handle, tmp
        except FileNotFoundError:
            pass  # a sweep removed it before the lock was taken: take another
        handle.close()
    raise OSError(errno.EEXIST, "could not keep a temporary file", str(file.parent))


@contextmanager
def _staged(file: Path, content: str | bytes, mode: int) -> Iterator[tuple[str, str]]:
    """`content` written to a new temporary file next to `file`, with `mode`; yields (its path, the
    SHA-1 of the bytes written) while it is still locked, for the caller to rename or link into
    place. On an error the temporary file is removed."""
    file.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = _claimed_temporary(file)
    try:
        digest = hashlib.sha1()
        os.fchmod(handle.fileno(), mode)  # not mkstemp's 0600
        for data in encoded(content):
            digest.update(data)
            handle.write(data)
        handle.flush()
        yield tmp, digest.hexdigest()
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    finally:
        handle.close()  # and the lock with it


def replace_file(file: Path, content: str | bytes, mode: int) -> str:
    with _staged(file, content, mode) as (tmp, digest):
        os.replace(tmp, file)  # a symbolic link at `file` is replaced, never followed
    return digest


def write_atomic(file: Path, content: str | bytes) -> str:
    """Write text (UTF-8, LF) or bytes via a temporary file in the same folder, renamed over the
    target (keeping its mode, else 0644); return the SHA-1 of the bytes written."""
    try:
        mode = file.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    return replace_file(file, content, mode)


def create_new(file: Path, content: str | bytes) -> bool:
    """Write a new file (0644) atomically, never replacing one: False, with nothing written, when
    `file` already exists. The complete temporary file is hard-linked into place; where the file
    system has no hard links, the file is created exclusively instead."""
    with _staged(file, content, 0o644) as (tmp, _):
        try:
            try:
                os.link(tmp, file)
            except FileExistsError:
                return False
            except OSError:
                try:
                    with open(file, "xb") as handle:
                        handle.write(content.encode("utf-8") if isinstance(content, str) else content)
                except FileExistsError:
                    return False
        finally:
            Path(tmp).unlink(missing_ok=True)
    return True


def open_inside(base: int, parts: Iterable[str]) -> int:
    """A new descriptor of the folder `parts` below the folder open at `base`, no symbolic link
    followed on the way (OSError otherwise)."""
    fd = os.dup(base)
    try:
        for part in parts:
            following = os.open(part, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = following
    except BaseException:
        os.close(fd)
        raise
    return fd


def _remove_if_abandoned(folder: int, name: str) -> bool:
    """Remove the temporary file `name` of the folder open at `folder` when it is a regular file
    that no live writer holds (its writer locks it until it is renamed)."""
    try:
        fd = os.open(name, FILE_FLAGS, dir_fd=folder)
    except OSError:
        return False  # a symbolic link (never followed), or gone
    try:
        mine = os.fstat(fd)
        if not stat.S_ISREG(mine.st_mode):
            return False
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        now = os.stat(name, dir_fd=folder, follow_symlinks=False)
        if (now.st_dev, now.st_ino) != (mine.st_dev, mine.st_ino):
            return False
        os.unlink(name, dir_fd=folder)
        return True
    except OSError:
        return False  # held by a live writer, or no locks here (then nothing is removed)
    finally:
        os.close(fd)


def _sweep(folder: int, depth: int) -> int:
    removed = 0
    with os.scandir(folder) as entries:
        listed = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
    for name, is_dir in listed:
        if is_dir and depth > 0:
            try:
                below = os.open(name, DIR_FLAGS, dir_fd=folder)
            except OSError:
                continue
            try:
                removed += _sweep(below, depth - 1)
            finally:
                os.close(below)
        elif not is_dir and TEMP_NAME.match(name):
            removed += _remove_if_abandoned(folder, name)
    return removed


def sweep_temporaries(base: Path, folders: Iterable[str] = ("",), depth: int = 0) -> int:
    """Remove the temporary files a killed writer left in each of `folders` (relative to `base`,
    reached without following a symbolic link below it) and, with `depth`, that many levels of
    sub-folders below each; the number removed. Only regular files named like `TEMP_NAME` that no
    live writer holds are removed; a folder that cannot be opened is skipped."""
    try:
        top = os.open(base, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return 0
    removed = 0
    try:
        for folder in sorted(set(folders)):
            try:
                fd = open_inside(top, PurePosixPath(folder).parts)
            except OSError:
                continue
            try:
                removed += _sweep(fd, depth)
            finally:
                os.close(fd)
    finally:
        os.close(top)
    return removed


# --- committed outputs -------------------------------------------------------------------------


def _current(file: Path) -> str | None:
    try:
        return file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def differences(root: Path, outputs: dict[str, str], context_lines: int = 2, max_lines: int = 20) -> list[Difference]:
    """The outputs whose file on disk differs from the rendered text, each with a short diff."""
    found = []
    for path, text in sorted(outputs.items()):
        old = _current(root / path)
        if old == text:
            continue
        if old is None:
            found.append(Difference(path, "(missing)"))
            continue
        lines = list(difflib.unified_diff(old.splitlines(), text.splitlines(), f"{path} (on disk)",
                                          f"{path} (generated)", n=context_lines, lineterm=""))
        shown = lines[:max_lines] + ([f"… {len(lines) - max_lines} more diff lines"] if len(lines) > max_lines else [])
        found.append(Difference(path, "\n".join(shown)))
    return found


def obstacle(base: Path, path: str) -> tuple[str, str] | None:
    """The first part of `path` below `base` that stops a file being written there, and what it
    is: a symbolic link or a file where a folder is needed, or a folder where the file goes."""
    parts = PurePosixPath(path).parts
    for depth in range(1, len(parts) + 1):
        here = "/".join(parts[:depth])
        try:
            mode = os.lstat(base / here).st_mode
        except OSError:
            return None
        if depth < len(parts) and not stat.S_ISDIR(mode):
            return here, "a symbolic link" if stat.S_ISLNK(mode) else "a file"
        if depth == len(parts) and stat.S_ISDIR(mode):
            return here, "a folder"
    return None


def _outputs_in_place(root: Path, paths: Iterable[str]) -> None:
    """Refuse (before anything is written) an output that would be written through a symbolic
    link or a file in the list, or over a folder: it would go elsewhere, or fail half-way."""
    problems = []
    for path in paths:
        if (found := obstacle(root, path)) is not None:
            problems.append(Problem(found[0], 1, 1, "", f"is {found[1]}, where the build writes {path}; remove it"))
    if problems:
        raise SettingsError(problems)


def write_outputs(root: Path, outputs: dict[str, str], written: dict[str, str] | None = None) -> list[str]:
    """Write every output that differs from disk; return the paths written (and put the SHA-1 of
    each in `written`, when given)."""
    changed = [path for path, text in sorted(outputs.items()) if _current(root / path) != text]
    _outputs_in_place(root, changed)
    for path in changed:
        digest = write_atomic(root / path, outputs[path])
        if written is not None:
            written[path] = digest
    return changed


def list_folders(root: Path, settings, outputs: Iterable[str]) -> list[Path]:
    """The folders a build of the list at `root` reads or writes, besides the list's folder: its
    records, templates, taxonomy and challenge folders (as set in `settings`), the folder of the
    link cache, the top folder of every committed output (concepts, challenge, data, schema,
    .github), and `.git`, `.github` and `.cache`. The site is never written in or over one."""
    named = {settings.papers, settings.templates, PurePosixPath(settings.taxonomy).parent.as_posix(),
             PurePosixPath(settings.challenge_intro).parent.as_posix(),
             PurePosixPath(settings.links.cache).parent.as_posix(), ".git", ".github", CACHE_DIR}
    named |= {PurePosixPath(path).parts[0] for path in outputs if len(PurePosixPath(path).parts) > 1}
    return [root / name for name in sorted(named) if name not in ("", ".")]


def written_folders(settings, outputs: Iterable[str]) -> list[str]:
    """The folders inside the list where this tool writes files (committed outputs, the records
    `new`, `import` and `refresh` write, the caches), relative to the list's folder: where a killed
    writer can have left a temporary file. Settings leading outside the list are left out."""
    named = {".", CACHE_DIR, settings.papers, PurePosixPath(settings.links.cache).parent.as_posix()}
    named |= {PurePosixPath(path).parent.as_posix() for path in outputs}
    return sorted(name for name in named
                  if not PurePosixPath(name).is_absolute() and ".." not in PurePosixPath(name).parts)
