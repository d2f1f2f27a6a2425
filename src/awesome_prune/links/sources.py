"""Where a link of a generated page was written, so that a problem is reported at the line to edit.

A URL in README.md, concepts/*.md or challenge/challenge.md comes from

* a record field: ``paper``, ``code.url``, ``notes.blog|reviews|video``, a markdown link in
  ``takeaway`` or in one of ``notes.challenges`` → that record's file and the line of the URL;
* the taxonomy: a value's ``reference``, a link in a category's or value's ``explanation``;
* the settings: ``repository``, ``related[].url``, a link in ``intro`` → pyproject.toml;
* the challenge introduction (challenge/general.md), copied into the challenge page;
* otherwise the template that wrote the page (badges, concept links, anchors…), at the line whose
  text shares the longest piece with the URL (just the template's path when nothing is shared).

Records are read raw (no validation: a record that does not validate still has links to report)
and only when a problem has to be placed; lines are found then, one problem at a time.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ProblemsError, shown_path
from ..load import Source, load_mapping
from ..markup import link_target
from ..models import Settings
from ..records import record_entries
from ..views import CHALLENGE_PAGE
from .extract import extract_links

__all__ = ["Origin", "SourceIndex", "find_line", "template_of"]

#: Generated file (relative to the list's root) → its template (relative to the templates folder).
_TEMPLATES = (
    (re.compile(r"^README\.md$"), "README.md.j2"),
    (re.compile(r"^challenge/challenge\.md$"), "challenge.md.j2"),
    (re.compile(r"^concepts/[^/]+\.md$"), "concept.md.j2"),
    (re.compile(r"^_site/index\.html$"), "site/index.html.j2"),
    (re.compile(r"^_site/challenge\.html$"), "site/challenge.html.j2"),
    (re.compile(r"^_site/concepts/[^/]+\.html$"), "site/concept.html.j2"),
)
_SCAN_LINES = 400  # how far below a field's first line its URL is looked for
_MIN_SHARED = 4  # characters a template line must share with a URL to be named


@dataclass(frozen=True)
class Origin:
    """A place in a source file; `line` 0 when unknown (or not looked up), `field` '' when none."""

    path: str
    line: int = 0
    field: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class _Entry:
    kind: str  # 'record' | 'taxonomy' | 'settings'
    loc: tuple
    field: str
    source: Source | None = None  # records
    paper: str = ""  # the record's paper link as the pages write it (to tell records apart)


def template_of(generated: str) -> str | None:
    for pattern, template in _TEMPLATES:
        if pattern.match(generated):
            return template
    return None


def display_path(root: Path, file: Path) -> str:
    """`file` as messages show it: relative to `root` (both resolved) when inside it."""
    return shown_path(file.resolve(), root.resolve())


def _links(text: Any) -> list[str]:
    if not isinstance(text, str) or not ("[" in text or "<" in text):
        return []
    return [link.url for link in extract_links(text)]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def find_line(lines: list[str], start: int, url: str, nested: bool = True) -> int:
    """The line at or below `start` (1-based) where `url` is written; with `nested` (YAML) only
    within the block that starts there (lines indented deeper than its first). `start` when the
    URL is not found."""
    forms = {url, link_target(url)}
    first = max(0, start - 1)
    for i in range(first, min(len(lines), first + _SCAN_LINES)):
        line = lines[i]
        if nested and i > first and line.strip() and _indent(line) <= _indent(lines[first]):
            break
        if any(form in line for form in forms):
            return i + 1
    return start


class SourceIndex:
    """URL → the fields that wrote it; built on first use."""

    def __init__(self, root: Path, settings: Settings | None):
        self.root = root
        self.settings = settings
        self._urls: dict[str, list[_Entry]] | None = None
        self._taxonomy: Source | None | bool = False  # False: not loaded yet
        self._lines: dict[Path, list[str]] = {}
        self._intro: tuple[int, int, int] | None | bool = False  # (first page line, last, file line)
        self._found: dict[tuple, Origin | None] = {}  # (entry or template, url, with_line) → answer

    # -- the index ---------------------------------------------------------------------------

    def _add(self, url: Any, entry: _Entry) -> None:
        if isinstance(url, str) and url:
            for form in dict.fromkeys((url, link_target(url))):
                self._urls.setdefault(form, []).append(entry)

    def _build(self) -> dict[str, list[_Entry]]:
        self._urls = {}
        settings = self.settings
        if settings is None:
            return self._urls
        for file, shown in record_entries(self.root, settings.papers):
            try:
                source = load_mapping(file, shown)
            except ProblemsError:
                continue
            self._add_record(source)
        taxonomy = self._taxonomy_source()
        categories = taxonomy.data.get("categories") if taxonomy else None
        for ci, category in enumerate(categories if isinstance(categories, list) else []):
            if not isinstance(category, dict):
                continue
            for url in _links(category.get("explanation")):
                self._add(url, _Entry("taxonomy", ("categories", ci, "explanation"),
                                      f"categories.{ci}.explanation"))
            values = category.get("values")
            for vi, value in enumerate(values if isinstance(values, list) else []):
                if not isinstance(value, dict):
                    continue
                at = ("categories", ci, "values", vi)
                self._add(value.get("reference"), _Entry("taxonomy", at + ("reference",),
                                                         f"categories.{ci}.values.{vi}.reference"))
                for url in _links(value.get("explanation")):
                    self._add(url, _Entry("taxonomy", at + ("explanation",),
                                          f"categories.{ci}.values.{vi}.explanation"))
        self._add(settings.repository, _Entry("settings", ("repository",), "repository"))
        for url in _links(settings.intro):
            self._add(url, _Entry("settings", ("intro",), "intro"))
        for i, item in enumerate(settings.related):
            self._add(item.url, _Entry("settings", ("related",), f"related.{i}.url"))
        return self._urls

    def _add_record(self, source: Source) -> None:
        data = source.data
        if data.get("draft") is True:
            return  # not shown: its links are not in the pages
        paper = data.get("paper")
        shown = link_target(paper) if isinstance(paper, str) else ""

        def add(url: Any, loc: tuple) -> None:
            self._add(url, _Entry("record", loc, ".".join(map(str, loc)), source, shown))

        add(paper, ("paper",))
        code, notes = data.get("code"), data.get("notes")
        if isinstance(code, dict):
            add(code.get("url"), ("code", "url"))
        for url in _links(data.get("takeaway")):
            add(url, ("takeaway",))
        if isinstance(notes, dict):
            for key in ("blog", "reviews", "video"):
                add(notes.get(key), ("notes", key))
            challenges = notes.get("challenges")
            for i, note in enumerate(challenges if isinstance(challenges, list) else []):
                for url in _links(note):
                    add(url, ("notes", "challenges", i))

    def _taxonomy_source(self) -> Source | None:
        if self._taxonomy is False:
            self._taxonomy = None
            if self.settings is not None:
                try:
                    self._taxonomy = load_mapping(self.root / self.settings.taxonomy, self.settings.taxonomy)
                except ProblemsError:
                    pass
        return self._taxonomy  # type: ignore[return-value]

    # -- lines -------------------------------------------------------------------------------

    def _file_lines(self, file: Path) -> list[str]:
        if file not in self._lines:
            try:
                self._lines[file] = file.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[file] = []
        return self._lines[file]

    def _place(self, entry: _Entry, url: str, with_line: bool) -> Origin:
        key = (id(entry), url, with_line)
        if key not in self._found:
            self._found[key] = self._locate(entry, url, with_line)
        return self._found[key]  # type: ignore[return-value]

    def _locate(self, entry: _Entry, url: str, with_line: bool) -> Origin:
        if entry.kind in ("record", "taxonomy"):
            source = entry.source if entry.kind == "record" else self._taxonomy_source()
            line = find_line(self._file_lines(source.file), source.position(entry.loc)[0], url) if with_line else 0
            return Origin(source.path, line, entry.field)
        line = 0
        if with_line:
            from ..settings import key_line

            lines = self._file_lines(self.root / "pyproject.toml")
            start = key_line("\n".join(lines), entry.loc[0])
            line = find_line(lines, start, url, nested=False) if start else 0
        return Origin("pyproject.toml", line, entry.field)

    def _choose(self, entries: list[_Entry], generated: str, line: int, page: list[str]) -> _Entry:
        """The entry that most likely wrote the link on `line` of `generated` (1-based)."""
        if len(entries) == 1 or not page:
            return entries[0]
        here = page[line - 1] if 0 < line <= len(page) else ""
        records = [e for e in entries if e.kind == "record" and e.paper]
        for entry in records:
            if entry.paper in here:  # a README row, a concept page's list item
                return entry
        if generated.startswith("concepts/"):
            for entry in entries:
                if entry.kind == "taxonomy":
                    return entry
        for above in range(line - 2, max(-1, line - 60), -1):  # the paper link heading a section
            for entry in records:
                if 0 <= above < len(page) and entry.paper in page[above]:
                    return entry
        return entries[0]

    def _intro_lines(self, page: list[str]) -> tuple[int, int, int] | None:
        """Where the challenge introduction sits in the challenge page, and where it starts in its file."""
        if self._intro is False:
            self._intro = None
            if self.settings is not None:
                file = self.root / self.settings.challenge_intro
                raw = "\n".join(self._file_lines(file))
                intro = raw.strip()
                text = "\n".join(page)
                at = text.find(intro) if intro else -1
                if at >= 0:
                    first = text.count("\n", 0, at) + 1
                    lead = raw[: raw.find(intro)].count("\n")
                    self._intro = (first, first + intro.count("\n"), lead + 1)
        return self._intro  # type: ignore[return-value]

    def _template(self, generated: str, url: str, with_line: bool) -> Origin | None:
        name = template_of(generated)
        if name is None or self.settings is None:
            return None
        key = (name, url, with_line)
        if key not in self._found:
            self._found[key] = self._template_line(name, url, with_line)
        return self._found[key]

    def _template_line(self, name: str, url: str, with_line: bool) -> Origin:
        file = Path(self.settings.templates) / name
        file = file if file.is_absolute() else self.root / file
        shown = display_path(self.root, file)
        if not with_line:
            return Origin(shown)
        best, best_line = 0, 0
        for number, text in enumerate(self._file_lines(file), 1):
            match = difflib.SequenceMatcher(None, text, url, autojunk=False).find_longest_match()
            if match.size > best:
                best, best_line = match.size, number
        return Origin(shown, best_line if best >= _MIN_SHARED else 0)

    # -- the answer --------------------------------------------------------------------------

    def origin(self, url: str, generated: str, line: int, page: list[str], with_line: bool = True) -> Origin | None:
        """Where the link `url` on `line` of the generated file `generated` (its lines: `page`) was
        written; None when it was written in that file itself (no record, settings or template)."""
        urls = self._urls if self._urls is not None else self._build()
        entries = urls.get(url)
        if generated == CHALLENGE_PAGE:
            intro = self._intro_lines(page)
            if intro and intro[0] <= line <= intro[1]:
                shown = display_path(self.root, self.root / self.settings.challenge_intro)
                return Origin(shown, intro[2] + line - intro[0] if with_line else 0)
        if entries:
            return self._place(self._choose(entries, generated, line, page), url, with_line)
        return self._template(generated, url, with_line)
