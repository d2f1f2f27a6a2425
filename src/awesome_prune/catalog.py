"""The load-and-validate stage: every input file → one validated `Catalog`, or every problem at once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ProblemsError
from .load import Source, load_mapping
from .models import Paper, Settings, Taxonomy
from .settings import load_settings
from .validate import TagIndex, check_ids, check_model, check_same_paper, check_taxonomy


@dataclass
class Catalog:
    root: Path
    settings: Settings
    taxonomy: Taxonomy
    papers: list[tuple[Paper, Source]]  # drafts included, in file-name order
    challenge_intro: str

    @property
    def records(self) -> list[Paper]:
        return [paper for paper, _ in self.papers]


def paper_files(root: Path, settings: Settings) -> list[Path]:
    folder = root / settings.papers
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if not p.name.startswith("."))


def _display(root: Path, file: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


def load_catalog(root: Path) -> Catalog:
    """Read and check everything; raise one ProblemsError listing every problem found."""
    settings = load_settings(root)
    problems: list[Problem] = []

    taxonomy = None
    try:
        tax_source = load_mapping(root / settings.taxonomy, settings.taxonomy)
        taxonomy, found = check_model(tax_source, Taxonomy)
        problems += found
        if taxonomy:
            problems += check_taxonomy(taxonomy, tax_source)
    except ProblemsError as exc:
        problems += exc.problems
    # Tags are checked only against a sound taxonomy: a broken one would blame every record.
    tags = TagIndex(taxonomy) if taxonomy and not problems else None

    papers: list[tuple[Paper, Source]] = []
    files = paper_files(root, settings)
    if not files:
        problems.append(Problem(settings.papers, 0, 0, "", "no paper records found"))
    for file in files:
        try:
            source = load_mapping(file, _display(root, file))
        except ProblemsError as exc:
            problems += exc.problems
            continue
        paper, found = check_model(source, Paper)
        problems += found
        if paper:
            papers.append((paper, source))
            if tags:
                problems += tags.check(paper, source)
    problems += check_ids(papers)
    problems += check_same_paper(papers)

    intro = ""
    try:
        intro = (root / settings.challenge_intro).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(settings.challenge_intro, 0, 0, "", f"cannot read the challenge page's introduction: {exc}"))

    if any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return Catalog(root, settings, taxonomy, papers, intro)
