"""Writing generated files: atomically, only when their content changed, and never outside what the
tool owns; or comparing them (check mode). Also the build lock, the sweep of the temporary files a
killed writer left, and the static site's folder (its marker, its manifest, its stale files).

The repository is hostile input: a pull request can commit symbolic links, a `.cache` folder, a
planted site marker, and settings that name any folder. What is guarded here, and how:

* Temporary files are `.<name>.<8 random characters>.tmp` next to their target (`TEMP_NAME`); each
  is locked (`flock`) by its writer until it is renamed into place, so a sweep (`sweep_temporaries`)
  removes only regular files of that name that no live process holds: what a killed writer left.
* One build of a list at a time: `build_lock` takes an `flock` on `.cache/build.lock`, opened
  without following a symbolic link, and refuses anything but a regular file there.
* The site is written only into a folder that is absent, empty, or marked as the site's by the
  marker file `.awesome-prune-site`, which lists the files the last build wrote there (its manifest);
  only those are ever removed as stale. Never into the list's folder, a folder holding it, or a
  folder the list reads or writes (`list_folders`). Every refusal comes before anything is written.
  Removals walk the folder without following a symbolic link.
"""

from __future__ import annotations

import difflib
import errno
import fcntl
import hashlib
import json
import os
import re
import stat
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Callable, Iterable, Iterator

from .errors import Problem, ProblemsError, SettingsError


@dataclass(frozen=True)
class Difference:
    path: str
    diff: str  # a short unified diff, or a note for a missing file


CHUNK = 1 << 20  # characters of text encoded at a time

# --- temporary files ---------------------------------------------------------------------------

#: The name of every temporary file this module writes (tempfile.mkstemp's 8 random characters
#: between `.<target name>.` and `.tmp`); .gitignore holds the same pattern.
TEMP_NAME = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


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


def _replace(file: Path, content: str | bytes, mode: int) -> str:
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
    return _replace(file, content, mode)


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


def _open_inside(base: int, parts: Iterable[str]) -> int:
    """A new descriptor of the folder `parts` below the folder open at `base`, no symbolic link
    followed on the way (OSError otherwise)."""
    fd = os.dup(base)
    try:
        for part in parts:
            following = os.open(part, _DIR_FLAGS, dir_fd=fd)
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
        fd = os.open(name, _FILE_FLAGS, dir_fd=folder)
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
                below = os.open(name, _DIR_FLAGS, dir_fd=folder)
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
                fd = _open_inside(top, PurePosixPath(folder).parts)
            except OSError:
                continue
            try:
                removed += _sweep(fd, depth)
            finally:
                os.close(fd)
    finally:
        os.close(top)
    return removed


# --- the build lock ----------------------------------------------------------------------------

CACHE_DIR = ".cache"
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
            cache = os.open(CACHE_DIR, _DIR_FLAGS, dir_fd=top)
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


def _obstacle(base: Path, path: str) -> tuple[str, str] | None:
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
        if (found := _obstacle(root, path)) is not None:
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


# --- the static site ---------------------------------------------------------------------------

Output = str | bytes
SITE_DIR = "_site"  # the site's default folder, relative to the list's root
MARKER = ".awesome-prune-site"  # in the site folder: the site's; lists the files the last build wrote
_MARKER_KEY = "awesome-prune-site"
_MARKER_LIMIT = 16 << 20


@dataclass
class SiteWrite:
    folder: Path
    removed: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # SHA-1 of each file written (for the build stamp)

    @property
    def written(self) -> list[str]:
        """The files written, in path order."""
        return list(self.digests)


@dataclass
class SitePlan:
    """A site folder checked and ready to be written (`site_plan`), nothing written yet."""

    folder: Path
    outputs: dict[str, Output]
    previous: list[str]  # the files the last build wrote there (the marker's manifest)
    in_the_way: list[str]  # files of `previous` standing where a folder is needed now


def _encoded(content: Output) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _plain(path: str) -> bool:
    pure = PurePosixPath(path)
    return (bool(path) and not pure.is_absolute() and pure.as_posix() == path and "\0" not in path
            and all(part not in (".", "..") for part in pure.parts))


def _site_paths(outputs: Iterable[str]) -> None:
    for path in outputs:
        if not _plain(path):
            raise ValueError(f"site output path {path!r} is not a plain relative path")
        name = PurePosixPath(path).name
        if path == MARKER or TEMP_NAME.match(name):
            raise ProblemsError([Problem(path, 1, 1, "", f"a site file may not be named like the site's marker ({MARKER}) "
                                                         "or a temporary file (.NAME.XXXXXXXX.tmp); rename it")])


def _refuse(folder: Path, root: Path | None, protected: Iterable[Path]) -> str | None:
    """Why writing the site into `folder` would be unsafe (its position only), or None."""
    if folder.is_symlink():
        return "the site folder is a symbolic link; give the folder itself"
    if folder.exists() and not folder.is_dir():
        return "the site folder is not a folder"
    resolved = folder.resolve()
    if root is not None:
        top = root.resolve()
        if resolved == top or resolved in top.parents:
            return "the site folder must not be the list's folder or contain it"
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        return "the site folder must not be a file-system root or the home folder"
    if resolved.is_dir() and any(os.path.lexists(resolved / name) for name in (".git", "pyproject.toml")):
        return "the site folder looks like a source tree (it has .git or pyproject.toml)"
    for other in protected:
        there = other.resolve()
        if resolved == there or there in resolved.parents or resolved in there.parents:
            return (f"the site folder must not be in or hold {other.name or other}, a folder the list reads or "
                    "writes; use _site or a folder outside the list")
    return None


def _read_manifest(folder: Path) -> list[str]:
    """The files the marker of `folder` lists; SettingsError when it is not one this tool wrote."""
    marker = folder / MARKER

    def refused(why: str) -> SettingsError:
        return SettingsError([Problem(str(marker), 1, 1, "", f"not a site marker this tool wrote ({why}); nothing "
                                                             "written: empty the folder or choose another one")])

    try:
        fd = os.open(marker, _FILE_FLAGS)
    except OSError as exc:
        raise refused("a symbolic link" if exc.errno == errno.ELOOP else exc.strerror or "unreadable") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MARKER_LIMIT:
            raise refused("not a regular file" if not stat.S_ISREG(info.st_mode) else "too large")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(_MARKER_LIMIT + 1)
    finally:
        os.close(fd)
    try:
        manifest = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise refused("not JSON") from None
    files = manifest.get("files") if isinstance(manifest, dict) and manifest.get(_MARKER_KEY) == 1 else None
    if not isinstance(files, list) or not all(isinstance(f, str) and _plain(f) and f != MARKER for f in files):
        raise refused("its file list is not one of plain relative paths")
    return sorted(set(files))


def _manifest_text(files: Iterable[str]) -> str:
    return json.dumps({_MARKER_KEY: 1, "files": sorted(set(files))}, indent=0, ensure_ascii=False) + "\n"


def _links_below(folder: Path) -> list[Path]:
    """The symbolic links anywhere below `folder` (none followed)."""
    found = []
    for current, dirs, files in os.walk(folder, followlinks=False):
        found += [Path(current, name) for name in [*dirs, *files] if os.path.islink(os.path.join(current, name))]
    return sorted(found)


def _only_site_files(folder: Path, outputs: Iterable[str]) -> bool:
    """Whether everything in `folder` is a regular file at a path the site writes (or a folder on
    the way to one): the list's own `_site` as builds wrote it before the marker existed."""
    paths = set(outputs)
    folders = {parent.as_posix() for path in paths for parent in PurePosixPath(path).parents}
    for current, dirs, files in os.walk(folder, followlinks=False):
        here = PurePosixPath(Path(current).relative_to(folder).as_posix())
        for name in dirs:
            if (here / name).as_posix() not in folders or os.path.islink(os.path.join(current, name)):
                return False
        for name in files:
            if name.startswith(f"{MARKER}.") and TEMP_NAME.match(name) and here == PurePosixPath("."):
                continue
            if (here / name).as_posix() not in paths or not stat.S_ISREG(os.lstat(os.path.join(current, name)).st_mode):
                return False
    return True


def site_plan(folder: Path, outputs: dict[str, Output], root: Path | None = None,
              protected: Iterable[Path] = ()) -> SitePlan:
    """Check that the site may be written into `folder`, before anything is written anywhere.

    Refused (SettingsError, `folder:1:1: …`): a symbolic link or a file; the list's folder or one
    holding it; a file-system root or the home folder; a source tree; a folder in or over one of
    `protected` (the folders the list reads or writes); a folder holding anything but without the
    site's marker; a marker this tool did not write; a symbolic link anywhere in the folder (the
    Pages upload follows links: one could publish any file of the runner); and a foreign file
    standing where a site folder is needed. One exception, for the builds before the marker existed: the
    list's own `_site` is taken without a marker when it holds nothing but files at paths the site
    writes (nothing else is there to lose; they are overwritten, nothing is removed).
    """
    _site_paths(outputs)
    reason = _refuse(folder, root, protected)
    if reason:
        raise SettingsError([Problem(str(folder), 1, 1, "", reason)])
    previous: list[str] = []
    if folder.is_dir():
        names = [name for name in os.listdir(folder) if not (name.startswith(f"{MARKER}.") and TEMP_NAME.match(name))]
        if MARKER in names:
            previous = _read_manifest(folder)
        elif names and not (root is not None and folder.resolve() == (root / SITE_DIR).resolve()
                            and _only_site_files(folder, outputs)):
            raise SettingsError([Problem(str(folder), 1, 1, "", f"the site folder holds files this tool did not write "
                                                                f"(it has no {MARKER} marker); nothing written: empty "
                                                                "it or choose another folder")])
    problems = [Problem(str(link), 1, 1, "", "a symbolic link in the site folder (publishing would follow it); "
                                            "remove it") for link in _links_below(folder)]
    if problems:
        raise SettingsError(problems)
    in_the_way = set()
    for path in sorted(outputs):
        if (found := _obstacle(folder, path)) is None:
            continue
        here, kind = found
        if kind != "a folder" and here in previous:
            in_the_way.add(here)  # the last build's file, where a folder is needed now
        else:
            problems.append(Problem(str(folder / here), 1, 1, "", f"is {kind} this tool did not write, where the "
                                                                  f"site writes {path}; remove it"))
    if problems:
        raise SettingsError(problems)
    return SitePlan(folder, outputs, previous, sorted(in_the_way))


def _remove_inside(folder: Path, path: str) -> bool:
    """Remove the file (or symbolic link) `path` below `folder`, reached without following a
    symbolic link; False when it is not there, is a folder, or lies beyond a link."""
    parts = PurePosixPath(path).parts
    try:
        top = os.open(folder, _DIR_FLAGS)
    except OSError:
        return False
    try:
        parent = _open_inside(top, parts[:-1])
    except OSError:
        return False
    finally:
        os.close(top)
    try:
        if stat.S_ISDIR(os.stat(parts[-1], dir_fd=parent, follow_symlinks=False).st_mode):
            return False
        os.unlink(parts[-1], dir_fd=parent)
        return True
    except OSError:
        return False
    finally:
        os.close(parent)


def _remove_empty_folders(folder: Path, removed: Iterable[str]) -> None:
    """Remove the folders the removal of `removed` left empty (never `folder` itself)."""
    candidates = {PurePosixPath(path).parents[i] for path in removed for i in range(len(PurePosixPath(path).parts) - 1)}
    for below in sorted(candidates, key=lambda p: len(p.parts), reverse=True):
        try:
            top = os.open(folder, _DIR_FLAGS)
        except OSError:
            return
        try:
            parent = _open_inside(top, below.parts[:-1])
        except OSError:
            continue
        finally:
            os.close(top)
        try:
            os.rmdir(below.name, dir_fd=parent)  # only when empty; a symbolic link is not removed
        except OSError:
            pass
        finally:
            os.close(parent)


def _same_bytes(file: Path, data: bytes) -> bool:
    try:
        fd = os.open(file, _FILE_FLAGS)
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read(len(data) + 1) == data
    finally:
        os.close(fd)


def _write_marker(folder: Path, files: Iterable[str]) -> None:
    text = _manifest_text(files)
    if not _same_bytes(folder / MARKER, text.encode("utf-8")):
        _replace(folder / MARKER, text, 0o644)


def apply_site(plan: SitePlan) -> SiteWrite:
    """Write a checked site folder: the marker first (listing the last build's files and this
    one's, so that a build killed half-way leaves nothing unaccounted for), then the files that
    differ from disk (atomically), then remove the last build's files this one does not write, and
    the marker again with this build's files only. Temporary files a killed build left go too."""
    folder, outputs = plan.folder, plan.outputs
    result = SiteWrite(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sweep_temporaries(folder, depth=64)
    _write_marker(folder, set(plan.previous) | set(outputs))
    for path in plan.in_the_way:
        _remove_inside(folder, path)
    for path, content in sorted(outputs.items()):
        target, data = folder / path, _encoded(content)
        if _same_bytes(target, data):
            continue
        try:
            info = os.lstat(target)
            mode = info.st_mode & 0o777 if stat.S_ISREG(info.st_mode) else 0o644
        except OSError:
            mode = 0o644
        result.digests[path] = _replace(target, data, mode)
    stale = [path for path in plan.previous if path not in outputs and path not in plan.in_the_way]
    result.removed = sorted(path for path in stale if _remove_inside(folder, path))
    _remove_empty_folders(folder, [*result.removed, *plan.in_the_way])
    _write_marker(folder, outputs)
    return result


def write_site(folder: Path, outputs: dict[str, Output], root: Path | None = None,
               protected: Iterable[Path] = ()) -> SiteWrite:
    """Check `folder` (`site_plan`), then write the site there (`apply_site`): the files that
    differ from disk, atomically; the stale files of the last build removed; nothing else touched."""
    return apply_site(site_plan(folder, outputs, root, protected))
