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
from urllib.parse import unquote

from .local import Problem

__all__ = ["HTML_SUFFIXES", "check_html", "page_ids"]

HTML_SUFFIXES = frozenset({".html", ".htm"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]")
_FORBIDDEN = ("javascript", "vbscript", "data")
_URL_ATTRS = {"a": "href", "area": "href", "link": "href", "script": "src", "img": "src",
              "iframe": "src", "source": "src", "track": "src"}


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: dict[str, int] = {}
        self.duplicates: list[tuple[int, str]] = []
        self.links: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for key in ("id",) + (("name",) if tag == "a" else ()):
            name = values.get(key)
            if name:
                if key == "id" and name in self.ids:
                    self.duplicates.append((line, name))
                self.ids.setdefault(name, line)
        attribute = _URL_ATTRS.get(tag)
        if attribute and attribute in values and values[attribute] is not None:
            self.links.append((line, values[attribute]))

    handle_startendtag = handle_starttag


def _parse(path: Path) -> tuple[_Page | None, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, "file not found"
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except OSError as exc:
        return None, exc.strerror or exc.__class__.__name__
    page = _Page()
    page.feed(text)
    page.close()
    return page, ""


def page_ids(path: Path) -> set[str]:
    """The ids (and `<a name>`s) of one HTML page; empty when it cannot be read."""
    page, _ = _parse(path)
    return set(page.ids) if page else set()


class _Checker:
    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))
        self.pages: dict[Path, tuple[_Page | None, str]] = {}

    def page(self, path: Path) -> tuple[_Page | None, str]:
        if path not in self.pages:
            self.pages[path] = _parse(path)
        return self.pages[path]

    def display(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix() or "."
        except ValueError:
            return str(path)

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
        if not path_text:
            target = source
        elif path_text.startswith("/"):
            target = self.root / path_text.lstrip("/")
        else:
            target = source.parent / path_text
        target = Path(os.path.normpath(target))
        if target != self.root and self.root not in target.parents:
            return ("error", f"'{path_text}' leads outside the site")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return ("error", f"'{self.display(target)}' does not exist")
        fragment = unquote(fragment)
        if not has_fragment or fragment == "" or fragment.lower() == "top":
            return None
        if target.suffix.lower() not in HTML_SUFFIXES:
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
        for line, url in page.links:
            found = self.check_link(source, url)
            if found is not None:
                problems.append(Problem(shown, line, url, *found))
        return sorted(problems, key=lambda p: p.line)


def check_html(files: list[Path], root: Path) -> list[Problem]:
    """Problems of the internal links of the HTML `files` under `root` (see the module docstring)."""
    checker = _Checker(root)
    problems: list[Problem] = []
    for file in files:
        problems.extend(checker.check_file(file))
    return problems
