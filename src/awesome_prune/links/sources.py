"""Where a link of a generated page was written, so that a problem is reported at the line to edit.

The renderer gives every link an `Origin`: a record field or taxonomy entry (a field path, whose
line is looked up here, from the loaded file, only when a message needs it), a line of
pyproject.toml's settings, of the challenge introduction, or of a template (known at once). A URL
inside a multi-line field (a folded take-away) is placed on its own line.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import shown_path
from ..records.catalog import Catalog
from ..records.load import Source, find_line as load_find_line
from ..records.catalog import key_line
from ..render.linker import Origin
from ..render.markup import link_target

__all__ = ["Sources", "display_path", "find_line"]

def display_path(root: Path, file: Path) -> str:
    """`file` as messages show it: relative to `root` (both resolved) when inside it."""
    return shown_path(file.resolve(), root.resolve())


def find_line(lines: list[str], start: int, url: str, nested: bool = True) -> int:
    """The line at or below `start` where `url` is written (as written or as a link target)."""
    return load_find_line(lines, start, list(dict.fromkeys((url, link_target(url)))), nested)


class Sources:
    """Turns the renderer's origins into (file as shown, line) for one catalog."""

    def __init__(self, catalog: Catalog):
        self.root = catalog.root
        self.templates = catalog.settings.templates
        self.files: dict[str, Source] = {source.path: source for _, source in catalog.papers}
        if catalog.taxonomy_source is not None:
            self.files[catalog.taxonomy_source.path] = catalog.taxonomy_source
        self._lines: dict[str, list[str]] = {}

    def _text_lines(self, path: str) -> list[str]:
        if path not in self._lines:
            source = self.files.get(path)
            try:
                text = source.text if source is not None and source.text is not None else \
                    (self.root / path).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = ""
            self._lines[path] = text.splitlines()
        return self._lines[path]

    def place(self, origin: Origin, url: str) -> Origin:
        """`origin` with its line (and the path as messages show it)."""
        if origin.path.startswith(self.templates + "/") or origin.path == self.templates:
            return Origin(display_path(self.root, self.root / origin.path), origin.line, origin.field)
        if origin.line or not origin.loc:
            return Origin(origin.path, origin.line, origin.field)
        if origin.path == "pyproject.toml":
            lines = self._text_lines(origin.path)
            start = key_line("\n".join(lines), str(origin.loc[0]))
            return Origin(origin.path, find_line(lines, start, url, nested=False) if start else 0, origin.field)
        source = self.files.get(origin.path)
        if source is None:
            return Origin(origin.path, 0, origin.field)
        start = source.position(origin.loc)[0]
        return Origin(origin.path, find_line(self._text_lines(origin.path), start, url), origin.field)
