"""Read and check every input: settings, taxonomy, records, challenge introduction → one `Catalog`,
or one `ProblemsError` carrying every problem found in every file.

Each record is read, parsed and validated on its own (its schema, its tags, its id); the checks
across records (the same paper twice) follow. Nothing is written and nothing outside the list's
folder is read: every path is confined to it (`settings.confined`), symlinks included.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, ProblemsError
from .load import Source, load_mapping
from .models import Paper, Settings, Taxonomy
from .settings import confined, load_settings
from .validate import TagIndex, check_id, check_model, check_same_paper, check_taxonomy


@dataclass
class Catalog:
    root: Path
    settings: Settings
    taxonomy: Taxonomy
    papers: list[tuple[Paper, Source]]  # drafts included, in file-name order
    challenge_intro: str
    taxonomy_source: Source | None = None

    @property
    def records(self) -> list[Paper]:
        return [paper for paper, _ in self.papers]


def read_taxonomy(file: Path, shown: str) -> tuple[Taxonomy | None, list[Problem]]:
    """The taxonomy in `file` (`shown` in messages), checked: its schema, then names listed twice.
    Problems are returned, not raised; the taxonomy is None when its schema fails."""
    taxonomy, _, problems = _read_taxonomy(file, shown)
    return taxonomy, problems


def _read_taxonomy(file: Path, shown: str) -> tuple[Taxonomy | None, Source | None, list[Problem]]:
    try:
        source = load_mapping(file, shown)
    except ProblemsError as exc:
        return None, None, exc.problems
    taxonomy, problems = check_model(source, Taxonomy)
    if taxonomy is not None:
        problems += check_taxonomy(taxonomy, source)
    return taxonomy, source, problems


def load_taxonomy(root: Path) -> tuple[Settings, Taxonomy]:
    """Settings and a sound taxonomy, without reading the papers (a broken record must not block
    the commands that help fix it: the schema, the link check)."""
    settings = load_settings(root)
    taxonomy, problems = read_taxonomy(confined(root, settings.taxonomy, "taxonomy"), settings.taxonomy)
    if taxonomy is None or any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return settings, taxonomy


def record_files(root: Path, papers: str) -> list[tuple[Path, str]]:
    """(file, path as shown in messages) of every entry of the papers folder but hidden ones, by name."""
    folder = confined(root, papers, "papers")
    try:
        names = sorted(name for name in (entry.name for entry in folder.iterdir()) if not name.startswith("."))
    except OSError:
        return []
    prefix = papers.strip("/") + "/" if papers.strip("/.") else ""
    return [(folder / name, prefix + name) for name in names]


def read_record(file: Path, shown: str, tags: TagIndex | None) -> tuple[Paper | None, Source | None, list[Problem]]:
    """One record read and checked on its own: schema, tags (when the taxonomy is sound), id."""
    try:
        if file.is_symlink():
            return None, None, [Problem(shown, 1, 1, "", "a symbolic link; a record is a regular file in the list")]
        source = load_mapping(file, shown)
    except ProblemsError as exc:
        return None, None, exc.problems
    paper, problems = check_model(source, Paper)
    if paper is not None:
        if tags is not None:
            problems += tags.check(paper, source)
        problems += check_id(paper, source)
    elif tags is not None and isinstance(source.data.get("tags"), dict):
        problems += tags.check_raw(source)  # the tags too, in the same run as the schema's problems
    return paper, source, problems


def load_catalog(root: Path) -> Catalog:
    """Read and check everything; raise one ProblemsError listing every problem found."""
    settings = load_settings(root)
    taxonomy, taxonomy_source, problems = _read_taxonomy(confined(root, settings.taxonomy, "taxonomy"),
                                                         settings.taxonomy)
    tags = TagIndex(taxonomy) if taxonomy and not problems else None
    entries = record_files(root, settings.papers)
    if not entries:
        problems.append(Problem(settings.papers, 1, 1, "", "no paper records found"))
    papers: list[tuple[Paper, Source]] = []
    for file, shown in entries:
        paper, source, found = read_record(file, shown, tags)
        problems += found
        if paper is not None:
            papers.append((paper, source))
    problems += check_same_paper(papers)
    intro = ""
    try:
        intro = confined(root, settings.challenge_intro, "challenge_intro").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(settings.challenge_intro, 1, 1, "",
                                f"cannot read the challenge page's introduction: {getattr(exc, 'strerror', None) or exc}"))
    if any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return Catalog(root, settings, taxonomy, papers, intro, taxonomy_source)
