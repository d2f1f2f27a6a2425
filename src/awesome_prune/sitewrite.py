"""Writing the static site into its folder: changed files only, atomically, stale files removed
only inside that folder, and never into the list's own folder or a repository."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Iterable

from .errors import Problem, ProblemsError
from .write import write_atomic

Output = str | bytes
SITE_DIR = "_site"  # the site's default folder, relative to the list's root (here: a light module)


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
