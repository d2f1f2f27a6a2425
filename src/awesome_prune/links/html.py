"""Checking the internal links of generated HTML pages (no network).

For every `href` of `<a>`, `<area>` and `<link>` and every `src` of `<script>`, `<img>`, `<iframe>`,
`<source>` and `<track>` of every file (parsed with :mod:`html.parser`):

* `javascript:`, `vbscript:` and `data:` targets are errors (the site never needs them);
* other targets with a scheme (`https:`, `mailto:`, …) and protocol-relative `//host` are skipped;
* relative paths resolve from the page's folder, a leading `/` from `root`; the path is
  percent-decoded, a `?query` ignored; the target must stay inside `root` and exist (a folder must
  hold an `index.html`);
* a `#fragment` (percent-decoded) must be the `id` (or `<a name>`) of an element of the target
  page when that is an HTML file; `#` alone and `#top` always work;
* an id used twice in one page is an error (a fragment to it would be ambiguous);
* an empty `href=""` is a warning.

Findings are :class:`awesome_prune.links.local.Problem` values, in file order; a file that cannot
be read is reported on line 0, never raised.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import unquote

from ..errors import shown_path
from .local import Problem, read_text, target_path

__all__ = ["HTML_SUFFIXES", "check_html"]

HTML_SUFFIXES = frozenset({".html", ".htm"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")
_FORBIDDEN = ("javascript", "vbscript", "data")
_URL_ATTRS = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src",
              "iframe": "src", "source": "src", "track": "src"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.names: list[tuple[int, str, bool]] = []  # (line, id or <a name>, whether an id)
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for key in ("id",) + (("name",) if tag == "a" else ()):
            name = values.get(key)
            if name:
                self.names.append((line, name, key == "id"))
        attribute = _URL_ATTRS.get(tag)
        if attribute and attribute in values and values[attribute] is not None:
            self.links.append((line, values[attribute]))

    handle_startendtag = handle_starttag


class _Parsed(NamedTuple):
    """What the check needs of one page."""

    ids: dict[str, int]  # id (or <a name>) → line of its first element
    duplicates: list[tuple[int, str]]  # (line, id) of every id used again
    links: list[tuple[int, str]]  # (line, url) of every link, in order


def _parsed(names: list[tuple[int, str, bool]], links: list[tuple[int, str]]) -> _Parsed:
    ids: dict[str, int] = {}
    duplicates: list[tuple[int, str]] = []
    for line, name, is_id in names:
        if is_id and name in ids:
            duplicates.append((line, name))
        ids.setdefault(name, line)
    return _Parsed(ids, duplicates, links)


def _parse(text: str) -> _Parsed:
    page = _Page()
    page.feed(text)
    page.close()
    return _parsed(page.names, page.links)


class _Checker:
    def __init__(self, root: Path, texts: dict[Path, str] | None = None) -> None:
        self.root = Path(os.path.abspath(root))
        self.texts = texts or {}  # pages as rendered, by absolute path (read from disk otherwise)
        self.pages: dict[Path, tuple[_Parsed | None, str]] = {}
        self._resolved: dict[Path, dict[str, tuple[str, Path, bool]]] = {}

    def page(self, path: Path) -> tuple[_Parsed | None, str]:
        if path not in self.pages:
            text, reason = (self.texts[path], "") if path in self.texts else read_text(path)
            self.pages[path] = (_parse(text), "") if text is not None else (None, reason)
        return self.pages[path]

    def display(self, path: Path) -> str:
        return shown_path(path, self.root)

    def _resolve(self, source: Path, path_text: str) -> tuple[str, Path, bool]:
        """(error message or '', target, whether an HTML file) of a link's decoded path; once per
        path and page."""
        resolved = self._resolved.setdefault(source, {})
        if path_text in resolved:
            return resolved[path_text]
        target = target_path(self.root, source, path_text)
        error = ""
        if target != self.root and self.root not in target.parents:
            error = f"'{path_text}' leads outside the site"
        else:
            if target not in self.texts and os.path.isdir(target):
                target = target / "index.html"
            if target not in self.texts and not os.path.isfile(target):
                error = f"'{self.display(target)}' does not exist"
        resolved[path_text] = (error, target, target.suffix.lower() in HTML_SUFFIXES)
        return resolved[path_text]

    def check_link(self, source: Path, url: str) -> tuple[str, str] | None:
        if not url.strip():
            return ("warning", "empty link target")
        compact = _INVISIBLE.sub("", url)
        scheme = _SCHEME.match(compact)
        if scheme:
            if scheme.group(1).lower() in _FORBIDDEN:
                return ("error", f"'{scheme.group(1).lower()}:' link")
            return None
        if compact.startswith("//"):
            return None
        head, has_fragment, fragment = url.strip().partition("#")
        path_text = unquote(head.partition("?")[0])
        error, target, html = self._resolve(source, path_text)
        if error:
            return ("error", error)
        fragment = unquote(fragment)
        if not has_fragment or fragment == "" or fragment.lower() == "top":
            return None
        if not html:
            return None
        page, reason = self.page(target)
        if page is None:
            return ("error", f"cannot read '{self.display(target)}' to check '#{fragment}': {reason}")
        if fragment not in page.ids:
            return ("error", f"no id '{fragment}' in '{self.display(target)}'")
        return None

    def check_file(self, file: Path) -> list[Problem]:
        source = Path(os.path.abspath(file))
        shown = self.display(source)
        page, reason = self.page(source)
        if page is None:
            return [Problem(shown, 0, "", "error", f"cannot read file: {reason}")]
        problems = [Problem(shown, line, f"#{name}", "error", f"id '{name}' is used more than once")
                    for line, name in page.duplicates]
        checked: dict[str, tuple[str, str] | None] = {}  # url → answer: it depends on nothing else
        for line, url in page.links:
            if url not in checked:
                checked[url] = self.check_link(source, url)
            found = checked[url]
            if found is not None:
                problems.append(Problem(shown, line, url, *found))
        return sorted(problems, key=lambda p: p.line)


def check_html(files: list[Path], root: Path, texts: dict[Path, str] | None = None) -> list[Problem]:
    """Problems of the internal links of the HTML `files` under `root` (see the module docstring).

    Each page is parsed once, each distinct link of a page checked once; `texts` (optional) holds
    pages as rendered, by absolute path, which need not be written yet.
    """
    checker = _Checker(root, texts)
    return [problem for file in files for problem in checker.check_file(file)]
