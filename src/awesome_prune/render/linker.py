"""Every link a page writes, known when it is written: its URL, the page line, and the source to edit.

A link target enters a page in one of three ways, and each goes through the page's `Linker`:

* a value of the data (a record's `paper`, `code.url`, a badge's concept page, a taxonomy
  reference): `Linker.target(url, origin)`, called by `views` where the value is made;
* a link inside markdown that people wrote (take-aways, challenge notes, explanations, the
  introductions): `Linker.fragment(text, origin)`, which parses that fragment alone;
* a link written in a template itself: the template calls `link("…")`, and the origin is the
  template's own line (read from the calling frame, as Jinja's tracebacks are).

Each returns the text to write with a private-use mark in front (``U+E000 n U+E001``); `take`
removes the marks from a rendered page and keeps the marked text, where each link's line is the
line its mark landed on (worked out only where a message or the external check needs it). No
page is parsed again to learn its links: tests parse every page with markdown-it-py and compare.
The input may not hold these two characters (`records.load` refuses them).
"""

from __future__ import annotations

import html
import re
import sys
from functools import lru_cache
from typing import Iterator, NamedTuple

import cmarkgfm
from cmarkgfm.cmark import Options

from .markdown import extract_links
from .markup import link_target

_UNSAFE = Options.CMARK_OPT_UNSAFE  # keep every link target as written (the check judges them)

OPEN, CLOSE = "\ue000", "\ue001"
_MARK = re.compile("\ue000(\\d+)\ue001")


class Origin(NamedTuple):
    """The place to edit for a link: a file, and there a field (`loc`, looked up when a message
    needs its line) or a `line` known at once (templates, hand-written pages)."""

    path: str
    line: int = 0
    field: str = ""
    loc: tuple = ()

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


class Link(NamedTuple):
    url: str
    page: str  # the generated page, relative to the list's root (site pages: under the site folder)
    line: int  # 1-based line in that page
    origin: Origin


_HREF = re.compile(r'<(?:a href|img src)="([^"]*)"')
_RAW_HTML = re.compile(r"<[A-Za-z/!?]")


@lru_cache(maxsize=4096)
def fragment_links(text: str) -> tuple[tuple[str, int], ...]:
    """(url, line offset) of every link in a piece of markdown (parsed on its own).

    A one-line fragment without raw HTML (a table cell: take-aways, notes) is read by cmark-gfm,
    ~10 times faster than markdown-it-py: its links and images, in order, from the HTML it makes.
    cmark percent-encodes some characters of a destination; a URL that does not appear as written
    in the fragment is therefore read again by markdown-it, which keeps destinations as written.
    Multi-line fragments (their links' lines) and raw HTML go to markdown-it at once."""
    if "[" not in text and "<" not in text:
        return ()
    if "\n" not in text and not _RAW_HTML.search(text):
        urls = [html.unescape(url) for url in _HREF.findall(cmarkgfm.markdown_to_html(text, _UNSAFE))]
        if all(url in text for url in urls):
            return tuple((url, 0) for url in urls)
    return tuple((link.url, link.line - 1) for link in extract_links(text))


class Linker:
    def __init__(self, templates: str = "templates") -> None:
        self.templates = templates  # the templates folder as messages show it
        self.marked: dict[str, str] = {}  # page → its text with the marks, as rendered
        self._entries: list[tuple[tuple[str, int, Origin], ...]] = []
        self._template_lines: dict[tuple[str, int], Origin] = {}

    def _mark(self, items: tuple[tuple[str, int, Origin], ...]) -> str:
        self._entries.append(items)
        return f"{OPEN}{len(self._entries) - 1}{CLOSE}"

    def target(self, url: str, origin: Origin) -> str:
        """`url` as a markdown link destination, marked as written from `origin`."""
        return self._mark(((url, 0, origin),)) + link_target(url)

    def fragment(self, text: str, origin: Origin) -> str:
        """Markdown written by people, as it will be placed (a cell, a paragraph), marked with
        the links it holds (lines counted from its first line)."""
        found = fragment_links(text)
        if not found:
            return text
        return self._mark(tuple((url, offset, Origin(origin.path, origin.line + offset) if origin.line else origin)
                                for url, offset in found)) + text

    def template_link(self, url: str) -> str:
        """The template function `link(url)`: `url` marked as written by the calling template line."""
        frame = sys._getframe(1)
        while frame is not None and "__jinja_template__" not in frame.f_globals:
            frame = frame.f_back
        origin = Origin(self.templates)
        if frame is not None:
            template = frame.f_globals["__jinja_template__"]
            key = (template.name, frame.f_lineno)
            origin = self._template_lines.get(key)
            if origin is None:
                origin = self._template_lines[key] = Origin(f"{self.templates}/{template.name}",
                                                            template.get_corresponding_lineno(frame.f_lineno))
        return self._mark(((url, 0, origin),)) + link_target(url)

    def take(self, page: str, text: str) -> str:
        """`text` without its marks; the marked text is kept (`marked`) to tell where each link is."""
        self.marked[page] = text
        return _MARK.sub("", text) if OPEN in text else text

    # -- what the pages hold ------------------------------------------------------------------
    def targets(self) -> Iterator[tuple[str, str, Origin]]:
        """(page, url, origin) of every link target, once per page and mark."""
        entries = self._entries
        for page, text in self.marked.items():
            for index in dict.fromkeys(_MARK.findall(text)):
                for url, _, origin in entries[int(index)]:
                    yield page, url, origin

    def places(self, page: str, urls: set[str] | None = None) -> Iterator[Link]:
        """Every link of `page` (only those to `urls` when given) with its line, in page order."""
        entries, text = self._entries, self.marked.get(page, "")
        line, last = 1, 0
        for match in _MARK.finditer(text):
            items = entries[int(match.group(1))]
            if urls is not None and not any(url in urls for url, _, _ in items):
                continue
            line += text.count("\n", last, match.start())
            last = match.start()
            for url, offset, origin in items:
                if urls is None or url in urls:
                    yield Link(url, page, line + offset, origin)

    @property
    def links(self) -> list[Link]:
        """Every link of every page with its line (all at once: for tests and small lists)."""
        return [link for page in self.marked for link in self.places(page)]
