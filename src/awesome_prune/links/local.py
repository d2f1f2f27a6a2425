"""Checking the links of markdown files that stay inside the repository (no network). For every link:

* links with a scheme (``https:``, ``mailto:``, …) and protocol-relative ``//host`` links are
  skipped -- except links into this same repository when ``repo_url`` is given
  (``https://github.com/owner/name``): ``…/blob/<branch>/<path>#frag`` and
  ``…/tree/<branch>/<path>`` are checked as paths relative to ``root``. The branch is taken to be
  one path segment and is not checked; owner and name compare case-insensitively;
* relative paths resolve from the linking file's folder (``../`` included), a leading ``/``
  from ``root``; the path is percent-decoded first, and a ``?query`` is ignored;
* the target must stay inside ``root`` and exist, with the exact case of every path segment;
* a slash after a file name (``file.md/``, ``file.md/#x``) is an error: GitHub breaks it;
* a fragment (``#x``, ``file.md#x``) is percent-decoded and must name an anchor of the target
  markdown file (GitHub's rules, :mod:`awesome_prune.render.markdown`); GitHub's
  own ``user-content-`` prefix is accepted; ``#`` alone and ``#top`` always work; fragments into
  folders, non-markdown files and ``?plain=1`` views are not checked;
* a fragment that matches an anchor only up to case is an error naming the anchor (github.com
  forgives the case, other hosts of the same files do not); a fragment matching nothing is an
  error, with the closest anchor suggested when one is close;
* an empty target ``[text]()`` is a warning.

A finding is a one-line :class:`Problem`. Generated pages are not read: their links and anchors are
what the renderer recorded (:func:`check_rendered`); other markdown files are parsed once each."""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ..errors import shown_path
from ..render.linker import Link
from ..render.pages import Rendered
from ..render.markdown import scan_markdown

__all__ = ["MARKDOWN_SUFFIXES", "Problem", "check_local", "check_rendered", "read_text", "target_path"]

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdown", ".mkdn", ".mkd"})

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_REPO_LINK = re.compile(
    r"^https?://(?:www\.)?(?P<host>[^/?#]+)/(?P<owner>[^/?#]+)/(?P<name>[^/?#]+)"
    r"/(?:blob|tree)/[^/?#]+(?P<rest>.*)$",
    re.IGNORECASE,
)
_REPO_URL = re.compile(
    r"^https?://(?:www\.)?(?P<host>[^/?#]+)/(?P<owner>[^/?#]+)/(?P<name>[^/?#]+?)(?:\.git)?/*$",
    re.IGNORECASE,
)
_USER_CONTENT = "user-content-"
_WEB = ("https://", "http://")
_LINE_BREAKING = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


@dataclass(frozen=True)
class Problem:  # one broken or doubtful link
    path: str  # the linking file, relative to root (posix) when inside it
    line: int  # 1-based; 0 for a problem with the whole file
    url: str  # the link target as extracted
    severity: str  # 'error' | 'warning'
    message: str  # one line


def _one_line(message: str) -> str:  # control and line-separator characters shown as escapes
    return _LINE_BREAKING.sub(lambda match: ascii(match[0])[1:-1], message)


def _without_slash_after_file(url: str) -> str:
    """``url`` with the slashes that end its path part removed (``a.md/#x`` → ``a.md#x``)."""
    head, hash_sep, fragment = url.partition("#")
    path, query_sep, query = head.partition("?")
    return path.rstrip("/") + query_sep + query + hash_sep + fragment


def _repo_key(repo_url: str | None) -> tuple[str, str, str] | None:
    match = _REPO_URL.match(repo_url.strip()) if repo_url else None
    return (match["host"].lower(), match["owner"].lower(), match["name"].lower()) if match else None


def _in_repo(url: str, repo: tuple[str, str, str] | None) -> str | None:
    match = _REPO_LINK.match(url)
    if repo is None or match is None or (match["host"].lower(), match["owner"].lower(), match["name"].lower()) != repo:
        return None
    return match["rest"] if match["rest"].startswith("/") else "/" + match["rest"]


def repo_local(url: str, repo_url: str | None) -> str | None:
    """``/path#frag`` for a blob/tree link into the repository at ``repo_url``, else None."""
    return _in_repo(url, _repo_key(repo_url))


def read_text(path: Path) -> tuple[str | None, str]:
    """(text, '') of a UTF-8 file, or (None, why it cannot be read)."""
    try:
        return path.read_text(encoding="utf-8"), ""
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    except FileNotFoundError:
        return None, "file not found"
    except OSError as exc:
        return None, exc.strerror or str(exc)


def target_path(root: Path, source: Path, path_text: str) -> Path:
    """Where a link's decoded path leads from `source`: '' is the page itself, `/x` is from the root."""
    if not path_text:
        return source
    if path_text.startswith("/"):
        return Path(os.path.normpath(root / path_text.lstrip("/")))
    return Path(os.path.normpath(source.parent / path_text))


class _Checker:
    def __init__(self, root: Path, repo_url: str | None, known: dict[Path, list[str]] | None = None) -> None:
        self.root = Path(os.path.abspath(root))
        self.repo = _repo_key(repo_url)
        self.known = known or {}  # generated page → its anchors, as rendered (they need not be on disk)
        self._scans: dict[Path, tuple[list[tuple[str, int]], list[str], str]] = {}
        self._anchor_sets: dict[Path, frozenset[str]] = {}
        self._resolved: dict[Path, dict[str, tuple[str, Path, bool]]] = {}
        self._listings: dict[Path, list[str]] = {}

    # -- paths ------------------------------------------------------------------------------
    def display(self, path: Path) -> str:
        return shown_path(path, self.root)

    def _listing(self, folder: Path) -> list[str]:
        if folder not in self._listings:
            try:
                names = os.listdir(folder)
            except OSError:
                names = []
            self._listings[folder] = names + [p.name for p in self.known if p.parent == folder]
        return self._listings[folder]

    def exists_exactly(self, target: Path) -> bool:
        """Whether ``target`` (inside root) exists with the exact case of every segment."""
        if target not in self.known and not os.path.lexists(target):
            return False
        folder = self.root
        for part in target.relative_to(self.root).parts:
            if part not in self._listing(folder):
                return False
            folder = folder / part
        return True

    def isfile(self, target: Path) -> bool:
        return target in self.known or os.path.isfile(target)

    def suggest_sibling(self, target: Path) -> str:
        names = self._listing(target.parent)
        by_case = [name for name in names if name.lower() == target.name.lower()]
        close = by_case or difflib.get_close_matches(target.name, names, n=1)
        return f"; did you mean '{self.display(target.parent / close[0])}'?" if close else ""

    # -- anchors ----------------------------------------------------------------------------
    def scan(self, path: Path) -> tuple[list[tuple[str, int]], list[str], str]:
        """(links, anchors, reason it cannot be read) of markdown file ``path``: read and parsed once."""
        if path not in self._scans:
            text, reason = read_text(path)
            self._scans[path] = (*scan_markdown(text), "") if text is not None else ([], [], reason)
        return self._scans[path]

    def anchors_of(self, target: Path) -> tuple[list[str], str]:
        """(anchor names, '') or ([], reason the file could not be read)."""
        if target in self.known:
            return self.known[target], ""
        _, anchors, reason = self.scan(target)
        return anchors, reason

    def check_fragment(self, fragment: str, target: Path) -> str | None:
        """An error message for ``#fragment`` into markdown file ``target``, or None."""
        names, reason = self.anchors_of(target)
        shown = self.display(target)
        if reason:
            return f"cannot read '{shown}' to check '#{fragment}': {reason}"
        wanted = [fragment]
        if fragment.startswith(_USER_CONTENT):
            wanted.append(fragment[len(_USER_CONTENT):])
        if target not in self._anchor_sets:
            self._anchor_sets[target] = frozenset(names)
        if any(name in self._anchor_sets[target] for name in wanted):
            return None
        for name in wanted:
            same_but_case = [a for a in names if a.lower() == name.lower()]
            if same_but_case:
                return (
                    f"no anchor '#{fragment}' in '{shown}'; did you mean '#{same_but_case[0]}'? "
                    "(only the case differs: github.com forgives that, other hosts do not)"
                )
        close = difflib.get_close_matches(wanted[-1], names, n=1)
        hint = f"; did you mean '#{close[0]}'?" if close else ""
        return f"no anchor '#{fragment}' in '{shown}'{hint}"

    # -- links ------------------------------------------------------------------------------

    def check_link(self, source: Path, url: str) -> tuple[str, str] | None:
        """(severity, message) for one link of file ``source``, or None when it is fine."""
        if not url.strip():
            return ("warning", "empty link target")
        if url.startswith("//"):
            return None
        spec = url
        if _SCHEME.match(url):
            local = _in_repo(url, self.repo)
            if local is None:
                return None
            spec = local

        head, has_fragment, fragment = spec.partition("#")
        path_text, _, query = head.partition("?")
        path_text = unquote(path_text)
        kind, target, markdown = self._resolve(source, path_text)
        if kind == "outside":
            return ("error", f"'{path_text or url}' leads outside the repository")
        if kind == "slash":
            return (
                "error",
                f"slash after the file name '{self.display(target)}' breaks the link; "
                f"use '{_without_slash_after_file(url)}'",
            )
        if kind == "missing":
            hint = self.suggest_sibling(target)
            return ("error", f"'{self.display(target)}' does not exist{hint}")

        fragment = unquote(fragment)
        if not has_fragment or fragment == "" or fragment.lower() == "top":
            return None
        if not markdown:
            return None
        if "plain=1" in query.split("&"):
            return None
        message = self.check_fragment(fragment, target)
        return ("error", message) if message else None

    def _resolve(self, source: Path, path_text: str) -> tuple[str, Path, bool]:
        """('outside' | 'slash' | 'missing' | 'ok', target, whether a markdown file) of a link's
        decoded path; once per path and file."""
        resolved = self._resolved.setdefault(source, {})
        if path_text in resolved:
            return resolved[path_text]
        target = target_path(self.root, source, path_text)
        markdown = False
        if target != self.root and self.root not in target.parents:
            kind = "outside"
        elif path_text.endswith("/") and path_text.rstrip("/") and self.isfile(target):
            kind = "slash"
        elif not self.exists_exactly(target):
            kind = "missing"
        else:
            kind = "ok"
            markdown = self.isfile(target) and target.suffix.lower() in MARKDOWN_SUFFIXES
        resolved[path_text] = (kind, target, markdown)
        return resolved[path_text]

    def check_file(self, file: Path) -> list[Problem]:
        source = Path(os.path.abspath(file))
        shown = self.display(source)
        links, _, reason = self.scan(source)
        if reason:
            return [Problem(shown, 0, "", "error", _one_line(f"cannot read file: {reason}"))]
        problems: list[Problem] = []
        checked: dict[str, tuple[str, str] | None] = {}  # url → answer: it depends on nothing else
        for url, line in links:
            if url not in checked:
                checked[url] = self.check_link(source, url)
            found = checked[url]
            if found is not None:
                severity, message = found
                problems.append(Problem(shown, line, url, severity, _one_line(message)))
        return problems


def check_local(files: list[Path], root: Path, repo_url: str | None = None) -> list[Problem]:
    """Problems of the in-repository links of markdown ``files`` (see the module docstring), in order."""
    checker = _Checker(root, repo_url)
    return [problem for file in files for problem in checker.check_file(file)]


def check_rendered(rendered: Rendered, root: Path, repo_url: str | None) -> list[tuple[Link, str, str]]:
    """(link, severity, message) of each problem of the links the renderer recorded for its pages,
    checked against the anchors it made and the list's files; each distinct (page, url) once."""
    base = Path(os.path.abspath(root))
    checker = _Checker(base, repo_url, {base / page: names for page, names in rendered.anchors.items()})
    answers: dict[tuple[str, str], tuple[str, str] | None] = {}
    wrong: dict[str, set[str]] = {}
    sources: dict[str, Path] = {}
    for page, url, _ in rendered.linker.targets():
        if url.startswith(_WEB) and "/blob/" not in url and "/tree/" not in url:
            continue  # a web address outside any repository: the external check's
        key = (page, url)
        if key not in answers:
            source = sources.get(page) or sources.setdefault(page, base / page)
            answers[key] = found = checker.check_link(source, url)
            if found is not None:
                wrong.setdefault(page, set()).add(url)
    return [(link, *answers[(page, link.url)][:1], _one_line(answers[(page, link.url)][1]))
            for page, urls in wrong.items() for link in rendered.linker.places(page, urls)]
