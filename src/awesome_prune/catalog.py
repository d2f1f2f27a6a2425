"""The load-and-validate stage: every input file → one validated `Catalog`, or every problem at once.

In stages, which `digest` (the build's two-core path) shares: `read_inputs` (settings, taxonomy,
the list of record files, the challenge introduction), then the records read (`records.read_records`) and
checked (`check_records`) in batches, then the checks across records. With many records, a forked
child reads and parses part of them (`parallel.ordered_map` shares the batches out as the two go)
and sends plain data back, while this process validates them in file-name order; the result,
problems included, is the same as one by one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem, ProblemsError
from .load import Source, load_mapping
from .models import Paper, Settings, Taxonomy
from .parallel import MIN_ITEMS, ordered_map
from .records import BATCH, batches, read_records, record_entries
from .settings import load_settings
from .validate import PaperChecker, TagIndex, check_id, check_model, check_same_paper, check_taxonomy


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


@dataclass
class Inputs:
    """What is read before the records, and the problems found in it."""

    root: Path
    settings: Settings
    taxonomy: Taxonomy | None
    tags: TagIndex | None  # None when the taxonomy has problems: it would blame every record
    entries: list[tuple[Path, str]]  # (file, path as shown in messages) of every record, in order
    challenge_intro: str
    problems: list[Problem] = field(default_factory=list)
    checker: PaperChecker = field(default_factory=PaperChecker)


def read_taxonomy(file: Path, shown: str) -> tuple[Taxonomy | None, list[Problem]]:
    """The taxonomy in `file` (`shown` in messages), checked: its schema, then names listed twice.
    Problems are returned, not raised; the taxonomy is None when its schema fails."""
    try:
        source = load_mapping(file, shown)
    except ProblemsError as exc:
        return None, exc.problems
    taxonomy, problems = check_model(source, Taxonomy)
    if taxonomy is not None:
        problems += check_taxonomy(taxonomy, source)
    return taxonomy, problems


def load_taxonomy(root: Path) -> tuple[Settings, Taxonomy]:
    """Settings and a sound taxonomy, without reading the papers (a broken record must not block
    the commands that help fix it: the schema, the link check)."""
    settings = load_settings(root)
    taxonomy, problems = read_taxonomy(root / settings.taxonomy, settings.taxonomy)
    if taxonomy is None or any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return settings, taxonomy


def read_inputs(root: Path, settings: Settings | None = None) -> Inputs:
    """Settings (unless given), taxonomy, the records' listing and the challenge introduction."""
    if settings is None:
        settings = load_settings(root)
    problems: list[Problem] = []
    taxonomy, found = read_taxonomy(root / settings.taxonomy, settings.taxonomy)
    problems += found
    tags = TagIndex(taxonomy) if taxonomy and not problems else None

    entries = record_entries(root, settings.papers)
    if not entries:
        problems.append(Problem(settings.papers, 0, 0, "", "no paper records found"))

    intro = ""
    try:
        intro = (root / settings.challenge_intro).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(settings.challenge_intro, 0, 0, "", f"cannot read the challenge page's introduction: {exc}"))
    return Inputs(root, settings, taxonomy, tags, entries, intro, problems)


def check_records(inputs: Inputs, entries: list[tuple[Path, str]], reads: list[tuple[Any, Any, Any]]
                  ) -> list[tuple[Paper | None, Source | None, list[Problem]]]:
    """Each record of a batch validated: its model, tags and id (checks across records come
    later). `reads`: what `records.read_records` gave for `entries`. One (paper, source, problems)
    per entry, in order; (None, None, its problems) for a file that could not be read. Worked out
    stage by stage over the batch, as `read_records`."""
    sources = [Source(path, file, data) if data is not None else None
               for (file, path), (data, _, _) in zip(entries, reads)]
    checked = [inputs.checker.check(source) if source is not None else (None, read[1])
               for source, read in zip(sources, reads)]
    if inputs.tags:
        for (paper, problems), source in zip(checked, sources):
            if paper is not None:
                problems += inputs.tags.check(paper, source)
    results = []
    for (paper, problems), source in zip(checked, sources):
        if paper is not None:
            problems += check_id(paper, source)
        results.append((paper, source, problems))
    return results


def load_catalog(root: Path) -> Catalog:
    """Read and check everything; raise one ProblemsError listing every problem found."""
    inputs = read_inputs(root)
    problems = list(inputs.problems)
    papers: list[tuple[Paper, Source]] = []
    known_keys: list = []
    chunks = batches(inputs.entries)
    with ordered_map(read_records, chunks, min_items=MIN_ITEMS // BATCH) as results:
        for chunk, reads in zip(chunks, results):
            for (_, keys, _), (paper, source, found) in zip(reads, check_records(inputs, chunk, reads)):
                problems += found
                if paper is not None:
                    papers.append((paper, source))
                    known_keys.append(keys)
    problems += check_same_paper(papers, known_keys)
    if any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return Catalog(root, inputs.settings, inputs.taxonomy, papers, inputs.challenge_intro)
