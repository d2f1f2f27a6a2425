"""Writing generated files: atomically, and only when their content changed; or comparing (check mode).
Also the static site's folder: changed files only, atomically, stale files removed only inside it,
and never into the list's own folder or a repository."""

from __future__ import annotations

import difflib
import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable, Iterator

from .errors import Problem, ProblemsError


@dataclass(frozen=True)
class Difference:
    path: str
    diff: str  # a short unified diff, or a note for a missing file


CHUNK = 1 << 20  # characters of text encoded at a time


def encoded(content: str | bytes) -> Iterator[bytes]:
    """`content` as bytes: text as UTF-8, a megabyte at a time (a whole-file copy of a 12 MB README
    would cost more in fresh memory than in encoding)."""
    if isinstance(content, bytes):
        yield content
        return
    for start in range(0, len(content), CHUNK):
        yield content[start:start + CHUNK].encode("utf-8")


def _temporary(file: Path, content: str | bytes, mode: int) -> tuple[str, str]:
    """`content` written to a new temporary file next to `file`, with `mode`: (its path, the SHA-1
    of the bytes written)."""
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    digest = hashlib.sha1()
    try:
        os.fchmod(fd, mode)  # not mkstemp's 0600
        with os.fdopen(fd, "wb") as handle:
            for data in encoded(content):
                digest.update(data)
                handle.write(data)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp, digest.hexdigest()


def write_atomic(file: Path, content: str | bytes) -> str:
    """Write text (UTF-8, LF) or bytes via a temporary file in the same folder, renamed over the
    target (keeping its mode, else 0644); return the SHA-1 of the bytes written."""
    try:
        mode = file.stat().st_mode & 0o777
    except OSError:
        mode = 0o644
    tmp, digest = _temporary(file, content, mode)
    try:
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return digest


def create_new(file: Path, content: str | bytes) -> bool:
    """Write a new file (0644) atomically, never replacing one: False, with nothing written, when
    `file` already exists. The complete temporary file is hard-linked into place; where the file
    system has no hard links, the file is created exclusively instead."""
    tmp, _ = _temporary(file, content, 0o644)
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


def write_outputs(root: Path, outputs: dict[str, str], written: dict[str, str] | None = None) -> list[str]:
    """Write every output that differs from disk; return the paths written (and put the SHA-1 of
    each in `written`, when given)."""
    changed = [path for path, text in sorted(outputs.items()) if _current(root / path) != text]
    for path in changed:
        digest = write_atomic(root / path, outputs[path])
        if written is not None:
            written[path] = digest
    return changed


# --- the static site ---------------------------------------------------------------------------

Output = str | bytes
SITE_DIR = "_site"  # the site's default folder, relative to the list's root


@dataclass
class SiteWrite:
    folder: Path
    removed: list[str] = field(default_factory=list)
    digests: dict[str, str] = field(default_factory=dict)  # SHA-1 of each file written (for the build stamp)

    @property
    def written(self) -> list[str]:
        """The files written, in path order."""
        return list(self.digests)


def _encoded(content: Output) -> bytes:
    return content.encode("utf-8") if isinstance(content, str) else content


def _refuse(folder: Path, root: Path | None) -> str | None:
    """Why writing (and deleting stale files) in `folder` would be unsafe, or None."""
    resolved = folder.resolve()
    if root is not None:
        top = root.resolve()
        if resolved == top or resolved in top.parents:
            return "the site folder must not be the list's folder or contain it"
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        return "the site folder must not be a file-system root or the home folder"
    if resolved.is_dir() and any((resolved / name).exists() for name in (".git", "pyproject.toml")):
        return "the site folder looks like a source tree (it has .git or pyproject.toml)"
    return None


def _relative_paths(outputs: Iterable[str]) -> None:
    for path in outputs:
        pure = PurePosixPath(path)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts:
            raise ValueError(f"site output path {path!r} is not a plain relative path")


def write_site(folder: Path, outputs: dict[str, Output], root: Path | None = None) -> SiteWrite:
    """Write the outputs that differ from disk (atomically) and delete stale files inside `folder`.

    Only files under `folder` are ever deleted; symbolic links are removed, never followed. Empty
    sub-folders left behind are removed too; `folder` itself stays.
    """
    reason = _refuse(folder, root)
    if reason:
        raise ProblemsError([Problem(str(folder), 0, 0, "", reason)])
    if folder.exists() and not folder.is_dir():
        raise ProblemsError([Problem(str(folder), 0, 0, "", "the site folder is a file")])
    _relative_paths(outputs)
    result = SiteWrite(folder)
    for path, content in sorted(outputs.items()):
        target = folder / path
        data = _encoded(content)
        try:
            if not target.is_symlink() and target.is_file() and target.read_bytes() == data:
                continue
        except OSError:
            pass
        if target.is_symlink():
            target.unlink()
        result.digests[path] = write_atomic(target, data)

    if folder.is_dir():
        keep = set(outputs)
        for current, dirs, files in os.walk(folder, topdown=False, followlinks=False):
            here = Path(current)
            for name in sorted(files) + sorted(d for d in dirs if (here / d).is_symlink()):
                file = here / name
                relative = file.relative_to(folder).as_posix()
                if relative not in keep:
                    file.unlink()
                    result.removed.append(relative)
            if here != folder and not any(here.iterdir()):
                here.rmdir()
    result.removed.sort()
    return result
