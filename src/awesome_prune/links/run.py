"""The `links` stage: which links to check, the local checks, the external ones when asked, and
every problem placed at its source (see :mod:`.sources`).

Without paths the links are those of the generated pages as the renderer writes them (every link
with its page line and its origin: no page is parsed), checked against the anchors the renderer
made and the files of the list; a generated page missing on disk, or different from what the build
writes, is a problem too. When the built site is there (`_site/`), its HTML pages are checked as
well (internal links only). With paths, the given markdown files and the `*.md` files under the
given folders (hidden folders skipped) are read and parsed; each is its own source.

Nothing is printed: the result is a :class:`LinkReport` of :class:`Finding` values (problems, and
with `external` every checked URL that works), formatted by :mod:`.report`. Bad options and
missing paths raise SettingsError; records that do not validate raise ProblemsError.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, SettingsError
from ..records.catalog import Catalog, load_catalog
from ..records.models import LinkSettings
from ..records.catalog import load_settings
from ..render.linker import Origin
from ..render.pages import Rendered, render_pages
from .config import LinkFlags, remote_options
from .html import check_html
from .local import _Checker, check_rendered, repo_local
from .sources import Sources, display_path

from ..sitefolder import SITE_DIR

__all__ = ["Finding", "LinkReport", "Place", "check_links"]

_HTTP = re.compile(r"^https?://", re.IGNORECASE)


@dataclass(frozen=True)
class Place:
    """Where a link is written in a file that was checked (generated, or given)."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Finding:
    url: str
    status: str  # 'ok' | 'broken' | 'unverifiable' | 'warning'
    detail: str
    source: Origin  # the line to edit
    generated: tuple[Place, ...] = ()  # where the generated pages show it; () when source is the file
    code: int | None = None  # HTTP status (external checks)
    final_url: str | None = None


@dataclass
class LinkReport:
    findings: list[Finding]
    files: int  # files checked
    external: int  # unique external URLs checked (0 without `external`)


def _markdown_files(root: Path, paths: Sequence[Path]) -> list[Path]:
    missing = [Problem(str(p), 0, 0, "", "no such file or folder") for p in paths if not p.exists()]
    if missing:
        raise SettingsError(missing)
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(f for f in path.rglob("*.md")
                            if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts))
        else:
            files.append(path)
    return list(dict.fromkeys(files))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _external_links(files: list[tuple[Path, str, str | None]], checker: _Checker) -> dict[str, list[Place]]:
    """http(s) URL → where it is written, for (file, path as shown, repository URL the local check
    used for it); links into that repository's own files are left to the local check. The files'
    scans are the local check's (`checker`)."""
    found: dict[str, list[Place]] = {}
    for file, shown, repo in files:
        for url, line in checker.scan(Path(os.path.abspath(file)))[0]:
            url = url.strip()
            if _HTTP.match(url) and repo_local(url, repo) is None:
                found.setdefault(url, []).append(Place(shown, line))
    return found


def _grouped(findings: list[Finding]) -> list[Finding]:
    """One finding per URL, status, detail and source; the generated places gathered."""
    groups: dict[tuple, tuple[Finding, dict[Place, None]]] = {}
    for f in findings:
        _, places = groups.setdefault((f.url, f.status, f.detail, f.source), (f, {}))
        places.update(dict.fromkeys(f.generated))
    return [Finding(f.url, f.status, f.detail, f.source, tuple(places), f.code, f.final_url)
            for f, places in groups.values()]


def _given(root: Path, paths: Sequence[Path], repo: str | None) -> tuple[list[Finding], list, _Checker | None]:
    """The local check of given markdown files: findings, (file, shown, repo) of each, a checker."""
    files = _markdown_files(root, paths)
    groups: dict[Path, list[Path]] = {}
    for file in files:  # a file outside the list is checked within its own folder
        groups.setdefault(root if _inside(file, root) else file.parent, []).append(file)
    findings, markdown, checkers = [], [], []
    for check_root, members in groups.items():
        own = repo if check_root == root else None
        checker = _Checker(check_root, own)
        checkers.append(checker)
        for file in members:
            for problem in checker.check_file(file):
                status = "warning" if problem.severity == "warning" else "broken"
                findings.append(Finding(problem.url, status, problem.message, Origin(problem.path, problem.line)))
        markdown += [(f, display_path(check_root, f), own) for f in members]
    merged = _Checker(root, None)  # one place for every scan made, for the external check
    for checker in checkers:
        merged._scans.update(checker._scans)
    return findings, markdown, merged


def check_rendered_links(catalog: Catalog, rendered: Rendered) -> list[Finding]:
    """The local check of the generated pages as rendered: their links against the anchors the
    renderer made and the list's files."""
    sources = Sources(catalog)
    findings = []
    for link, severity, message in check_rendered(rendered, catalog.root, catalog.settings.repository):
        source = sources.place(link.origin, link.url)
        findings.append(Finding(link.url, "warning" if severity == "warning" else "broken", message, source,
                                (Place(link.page, link.line),)))
    return _grouped(findings)


def check_links(root: Path, paths: Sequence[Path] = (), *, external: bool = False, flags: LinkFlags | None = None,
                github_token: str | None = None, progress: Callable[[int, int], None] | None = None,
                catalog: Catalog | None = None, rendered: Rendered | None = None, site: bool = True) -> LinkReport:
    """Check the generated pages (or `paths`) of the list in `root`; see the module docstring.
    `catalog` and `rendered`: the build's own, when it checks what it has just rendered; `site`:
    whether to check the site in `_site` too, when it is there."""
    if paths:
        settings = load_settings(root, required=False)  # None: the folder is not a list
        repo = settings.repository if settings else None
        findings, markdown, checker = _given(root, paths, repo)
        options = remote_options(root, settings.links if settings else LinkSettings(), flags or LinkFlags(),
                                 github_token)
        count = len(markdown)
        places = _external_links(markdown, checker) if external else {}
        origin_of = {url: [(Origin(p.path, p.line), ()) for p in where] for url, where in places.items()}
    else:
        findings = []
        if rendered is None:  # the command on its own: render (nothing is written) and compare
            catalog = load_catalog(root)
            rendered = render_pages(catalog)
            findings = _on_disk(root, rendered)
        options = remote_options(root, catalog.settings.links, flags or LinkFlags(), github_token)
        findings += check_rendered_links(catalog, rendered)
        count = len(rendered.pages)
        folder = root / SITE_DIR
        if site and folder.is_dir():
            pages = sorted(p for p in folder.rglob("*.html") if p.is_file())
            written = {}  # the same data wrote the site's links and the pages'
            for _, url, origin in rendered.linker.targets():
                written.setdefault(url, origin)
            sources = Sources(catalog)
            for problem in check_html(pages, folder):
                status = "warning" if problem.severity == "warning" else "broken"
                place = Place(f"{SITE_DIR}/{problem.path}", problem.line)
                origin = written.get(problem.url)
                findings.append(Finding(problem.url, status, problem.message, sources.place(origin, problem.url), (place,))
                                if origin is not None else Finding(problem.url, status, problem.message,
                                                                   Origin(place.path, place.line)))
            count += len(pages)
        origin_of = {}
        if external:
            sources = Sources(catalog)
            repo = catalog.settings.repository
            wanted = {url for _, url, _ in rendered.linker.targets()
                      if _HTTP.match(url) and repo_local(url, repo) is None}
            for page in rendered.pages:
                for link in rendered.linker.places(page, wanted):
                    origin_of.setdefault(link.url, []).append((link.origin, (Place(link.page, link.line),)))
    urls = 0
    if external:
        from .remote import check_urls

        urls = len(origin_of)
        for url, result in check_urls(list(origin_of), options, progress).items():
            for origin, generated in origin_of[url]:
                source = origin if paths else sources.place(origin, url) if result.status != "ok" else \
                    Origin(sources.place(origin, url).path, 0, origin.field)
                findings.append(Finding(url, result.status, result.detail, source, generated,
                                        result.code, result.final_url))
    return LinkReport(_grouped(findings), count, urls)


def _on_disk(root: Path, rendered: Rendered) -> list[Finding]:
    """A generated page missing on disk, or not as the build writes it, is a problem of its own."""
    findings = []
    for page, text in rendered.pages.items():
        try:
            same = (root / page).read_text(encoding="utf-8") == text
        except FileNotFoundError:
            findings.append(Finding("", "broken", "generated file is missing; run `awesome-prune build`", Origin(page)))
            continue
        except (OSError, UnicodeDecodeError):
            same = False
        if not same:
            findings.append(Finding("", "broken", "generated file differs from what `awesome-prune build` writes; "
                                                  "run it (the links checked are the build's)", Origin(page)))
    return findings
