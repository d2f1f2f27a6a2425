"""The static site's folder. The site is written only into a folder that is absent, empty, or
marked as the site's by the marker file `.awesome-prune-site`, which lists the files the last build
wrote there (its manifest); only those are ever removed as stale. Never into the list's folder, a
folder holding it, or a folder the list reads or writes (`write.list_folders`). Every refusal
comes before anything is written; removals walk the folder without following a symbolic link."""

from __future__ import annotations

import errno
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from .errors import Problem, ProblemsError, SettingsError
from .write import DIR_FLAGS, FILE_FLAGS, TEMP_NAME, obstacle, open_inside, replace_file, sweep_temporaries

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
        fd = os.open(marker, FILE_FLAGS)
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
        if (found := obstacle(folder, path)) is None:
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
        top = os.open(folder, DIR_FLAGS)
    except OSError:
        return False
    try:
        parent = open_inside(top, parts[:-1])
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
            top = os.open(folder, DIR_FLAGS)
        except OSError:
            return
        try:
            parent = open_inside(top, below.parts[:-1])
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
        fd = os.open(file, FILE_FLAGS)
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
        replace_file(folder / MARKER, text, 0o644)


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
        result.digests[path] = replace_file(target, data, mode)
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
