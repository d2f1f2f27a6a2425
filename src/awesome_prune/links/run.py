"""The `links` stage: which files to check, the local checks, the external ones when asked, and
every problem placed at its source (see :mod:`.sources`).

Without paths the files are the generated pages (README.md, concepts/<page>.md of each taxonomy
category, challenge/challenge.md) and, when the built site is there (`_site/`), its HTML pages
(internal links only). With paths, the given markdown files and the `*.md` files under the given
folders (hidden folders skipped); each is its own source.

Without paths the local results are kept in `.cache/links-local.json` (see :mod:`.localcache`;
`--no-cache` turns that off): a run whose files, targets and folders have not changed since the
last one is answered from it without parsing a page.

Nothing is printed: the result is a :class:`LinkReport` of :class:`Finding` values (problems, and
with `external` every checked URL that works), formatted by :mod:`.report`. Bad options and
missing paths raise SettingsError; a taxonomy that cannot be read raises ProblemsError.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, SettingsError
from ..models import LinkSettings, Settings
from .config import LinkFlags, remote_options
from .html import check_html
from .local import Problem as LocalProblem
from .local import check_local, repo_local
from .localcache import CACHE_FILE, LocalCache
from .pages import Scan, map_files, scan_markdown
from .probe import Probe
from .sources import Origin, SourceIndex, display_path

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


def _generated(root: Path) -> tuple[Settings, list[str]]:
    from ..views import CHALLENGE_PAGE, README_PAGE
    from ..catalog import load_taxonomy

    settings, taxonomy = load_taxonomy(root)
    return settings, [README_PAGE, *(f"concepts/{c.page}" for c in taxonomy.categories), CHALLENGE_PAGE]


class _Run:
    def __init__(self, root: Path, settings: Settings | None, cache: LocalCache | None = None):
        self.root = root
        self.settings = settings
        self.cache = cache  # stored local results (generated pages only)
        self.index = SourceIndex(root, settings)
        self.pages: dict[str, list[str]] = {}  # generated path → its lines
        self.scans: dict[Path, Scan] = {}  # markdown file (absolute) → its scan, when the local check read it
        self.findings: list[Finding] = []

    def page(self, path: str) -> list[str]:
        if path not in self.pages:
            try:
                self.pages[path] = (self.root / path).read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self.pages[path] = []
        return self.pages[path]

    def origin(self, url: str, place: Place, generated: bool, with_line: bool = True) -> Origin:
        if not generated:
            return Origin(place.path, place.line)
        found = self.index.origin(url, place.path, place.line, self.page(place.path), with_line)
        return found or Origin(place.path, place.line)

    def add(self, url: str, status: str, detail: str, place: Place, generated: bool, **extra) -> None:
        source = self.origin(url, place, generated, with_line=status != "ok")
        where = (place,) if generated and (source.path, source.line) != (place.path, place.line) else ()
        self.findings.append(Finding(url, status, detail, source, where, **extra))

    def local(self, files: list[Path], check_root: Path, repo: str | None, generated: bool,
              prefix: str = "") -> None:
        def checker(fs: list[Path], r: Path, probe: Probe | None = None) -> list[LocalProblem]:
            return check_html(fs, r, probe) if prefix else check_local(fs, r, repo, probe, self.scans)

        if self.cache is not None:
            found = self.cache.problems("html" if prefix else "markdown", files, check_root, repo, checker)
        else:
            found = checker(files, check_root)
        for problem in found:
            place = Place(prefix + problem.path, problem.line)
            status = "warning" if problem.severity == "warning" else "broken"
            self.add(problem.url, status, problem.message, place, generated)


def _external_links(files: list[tuple[Path, str, str | None]], known: dict[Path, Scan]) -> dict[str, list[Place]]:
    """http(s) URL → where it is written, for (file, path as shown, repository URL the local check
    used for it); links into that repository's own files are left to the local check. The files'
    scans are taken from `known` (the local check's) where it has them. (An unreadable file gives
    no links: the local check reports it.)"""
    found: dict[str, list[Place]] = {}
    paths = [Path(os.path.abspath(file)) for file, _, _ in files]
    missing = [path for path in dict.fromkeys(paths) if path not in known]
    fetched = dict(zip(missing, map_files(scan_markdown, missing)))
    for (_, shown, repo), path in zip(files, paths):
        scan = known[path] if path in known else fetched[path]
        for url, line in scan.links:
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


def check_links(root: Path, paths: Sequence[Path] = (), *, external: bool = False, flags: LinkFlags | None = None,
                github_token: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> LinkReport:
    """Check the generated pages (or `paths`) of the list in `root`; see the module docstring."""
    given = bool(paths)
    if given:
        from ..settings import load_settings

        settings = load_settings(root, required=False)  # None: the folder is not a list
        files = _markdown_files(root, paths)
    else:
        settings, names = _generated(root)
    options = remote_options(root, settings.links if settings else LinkSettings(), flags or LinkFlags(),
                             github_token)
    repo = settings.repository if settings else None
    cache = None if given or (flags is not None and flags.no_cache) else LocalCache(root / CACHE_FILE)
    run = _Run(root, settings, cache)
    markdown: list[tuple[Path, str, str | None]] = []  # (file, path as shown, its repository) of each markdown file
    html_pages = 0

    if given:
        groups: dict[Path, list[Path]] = {}
        for file in files:  # a file outside the list is checked within its own folder
            groups.setdefault(root if _inside(file, root) else file.parent, []).append(file)
        for check_root, members in groups.items():
            own = repo if check_root == root else None
            run.local(members, check_root, own, generated=False)
            markdown += [(f, display_path(check_root, f), own) for f in members]
    else:
        for name in names:
            if (root / name).is_file():
                markdown.append((root / name, name, repo))
            else:
                run.findings.append(Finding("", "broken", "generated file is missing; run `awesome-prune build`",
                                            Origin(name)))
        run.local([f for f, _, _ in markdown], root, repo, generated=True)
        from ..sitewrite import SITE_DIR

        site = root / SITE_DIR
        if site.is_dir():
            pages = sorted(p for p in site.rglob("*.html") if p.is_file())
            run.local(pages, site, None, generated=True, prefix=f"{SITE_DIR}/")
            html_pages = len(pages)

    if cache is not None:
        cache.save()
    urls = 0
    if external:
        from .remote import check_urls

        places = _external_links(markdown, run.scans)
        urls = len(places)
        for url, result in check_urls(list(places), options, progress).items():
            for place in places[url]:
                run.add(url, result.status, result.detail, place, generated=not given,
                        code=result.code, final_url=result.final_url)
    return LinkReport(_grouped(run.findings), len(markdown) + html_pages, urls)
