"""Writing generated files: atomically, and only when their content changed; or comparing (check mode)."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Difference:
    path: str
    diff: str  # a short unified diff, or a note for a missing file


def write_atomic(file: Path, content: str | bytes) -> None:
    """Write text (UTF-8, LF) or bytes via a temporary file in the same folder, renamed over the target."""
    file.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=file.parent)
    try:
        # mkstemp creates the file 0600; give it the mode the file had, or an ordinary 0644.
        try:
            mode = file.stat().st_mode & 0o777
        except OSError:
            mode = 0o644
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content.encode("utf-8") if isinstance(content, str) else content)
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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


def _current_bytes(file: Path) -> bytes | None:
    try:
        return file.read_bytes()
    except OSError:
        return None


def write_outputs(root: Path, outputs: dict[str, str] | dict[str, bytes]) -> list[str]:
    """Write every output (text, or text already encoded as UTF-8) that differs from disk; return
    the paths written."""
    changed = [path for path, content in sorted(outputs.items())
               if (_current_bytes(root / path) if isinstance(content, bytes) else _current(root / path)) != content]
    for path in changed:
        write_atomic(root / path, outputs[path])
    return changed
