"""The load-and-validate stage: every input file → one validated `Catalog`, or every problem at once.

In stages, which `digest` (the build's two-core path) shares: `read_inputs` (settings, taxonomy,
the list of record files, the challenge introduction), then the records read (`read_records`) and
checked (`check_records`) in batches, then the checks across records. With many records, a forked
child reads and parses part of them (`parallel.ordered_map` shares the batches out as the two go)
and sends plain data back, while this process validates them in file-name order; the result,
problems included, is the same as one by one.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .buildstamp import read_signature
from .errors import Problem, ProblemsError
from .identity import paper_keys
from .load import Source, load_mapping, parse_mapping, read_yaml
from .models import Paper, Settings, Taxonomy
from .parallel import MIN_ITEMS, ordered_map
from .settings import load_settings
from .validate import PaperChecker, TagIndex, check_ids, check_model, check_same_paper, check_taxonomy

BATCH = 32  # records per batch, worked out stage by stage (`read_records`)


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


def _names(folder: Path) -> list[str]:
    """The entries of the papers folder but hidden ones, sorted as their paths sort."""
    try:
        names = [name for name in os.listdir(folder) if not name.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(names) if os.name == "posix" else sorted(names, key=os.path.normcase)


def paper_files(root: Path, settings: Settings) -> list[Path]:
    folder = root / settings.papers
    return [folder / name for name in _names(folder)] if folder.is_dir() else []


def _display(root: Path, file: Path) -> str:
    try:
        return file.relative_to(root).as_posix()
    except ValueError:
        return file.as_posix()


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


def read_inputs(root: Path) -> Inputs:
    settings = load_settings(root)
    problems: list[Problem] = []
    taxonomy, found = read_taxonomy(root / settings.taxonomy, settings.taxonomy)
    problems += found
    tags = TagIndex(taxonomy) if taxonomy and not problems else None

    files = paper_files(root, settings)
    entries = []
    if files:
        shown = _display(root, files[0].parent)
        prefix = "" if shown == "." else shown.rstrip("/") + "/"
        entries = [(file, prefix + file.name) for file in files]
    else:
        problems.append(Problem(settings.papers, 0, 0, "", "no paper records found"))

    intro = ""
    try:
        intro = (root / settings.challenge_intro).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(settings.challenge_intro, 0, 0, "", f"cannot read the challenge page's introduction: {exc}"))
    return Inputs(root, settings, taxonomy, tags, entries, intro, problems)


def read_records(entries: list[tuple[Path, str]]) -> list[tuple[Any, Any, Any]]:
    """For each record file, (data, (url, title, identity keys) or None, its `buildstamp`
    signature), or (None, problems, None).

    Worked out stage by stage over the whole batch (read every file, then parse every text, …):
    each stage's code then stays in the processor's caches, which is ~30% faster than record by
    record for the same result."""
    raws: list = []
    for file, path in entries:
        try:
            raws.append(read_yaml(file, path))
        except ProblemsError as exc:
            raws.append(exc)
    results: list[tuple[Any, Any, Any]] = []
    for (_, path), read in zip(entries, raws):
        if isinstance(read, ProblemsError):
            results.append((None, read.problems, None))
            continue
        try:
            results.append((parse_mapping(read[0], path), None, read_signature(*read)))
        except ProblemsError as exc:
            results.append((None, exc.problems, None))
    for index, (data, _, signature) in enumerate(results):
        if data is not None:
            url, title = data.get("paper"), data.get("title")
            if type(url) is str and type(title) is str:
                results[index] = (data, (url, title, paper_keys(url, title)), signature)
    return results


def check_records(inputs: Inputs, entries: list[tuple[Path, str]], datas: list[Any]
                  ) -> list[tuple[Paper | None, Source, list[Problem]]]:
    """Each record validated: its model, tags and id (checks across records come later); stage by
    stage over the batch, as `read_records`."""
    sources = [Source(path, file, data) for (file, path), data in zip(entries, datas)]
    checked = [inputs.checker.check(source) for source in sources]
    if inputs.tags:
        for (paper, problems), source in zip(checked, sources):
            if paper is not None:
                problems += inputs.tags.check(paper, source)
    results = []
    for (paper, problems), source in zip(checked, sources):
        if paper is not None:
            problems += check_ids([(paper, source)])
        results.append((paper, source, problems))
    return results


def batches(items: list, size: int = BATCH) -> list[list]:
    return [items[start:start + size] for start in range(0, len(items), size)]


def load_catalog(root: Path) -> Catalog:
    """Read and check everything; raise one ProblemsError listing every problem found."""
    inputs = read_inputs(root)
    problems = list(inputs.problems)
    papers: list[tuple[Paper, Source]] = []
    known_keys: list = []
    chunks = batches(inputs.entries)
    with ordered_map(read_records, chunks, min_items=MIN_ITEMS // BATCH) as results:
        for chunk, reads in zip(chunks, results):
            readable = [(entry, data, keys) for entry, (data, keys, _) in zip(chunk, reads) if data is not None]
            problems += [problem for data, found, _ in reads if data is None for problem in found]
            checked = check_records(inputs, [e for e, _, _ in readable], [d for _, d, _ in readable])
            for (_, _, keys), (paper, source, found) in zip(readable, checked):
                problems += found
                if paper is not None:
                    papers.append((paper, source))
                    known_keys.append(keys)
    problems += check_same_paper(papers, known_keys)
    if any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return Catalog(root, inputs.settings, inputs.taxonomy, papers, inputs.challenge_intro)
