"""The build's two-core path: each record read, validated and turned into its share of every
output (its README row pieces, its JSON object, its BibTeX entry) by whichever process reads it.

`parallel.ordered_map` shares the records out between this process and a forked child as the two
go; the child sends back plain strings, never model objects, so no process has to validate or
rebuild every record. This process then runs the checks across records and puts the pages
together from the pieces. The outputs and
problems are exactly those of `load_catalog` followed by `build.render_catalog` (tests compare
them); that pair stays the reference path, used by tests and the other commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from .bibtex import entry as bibtex_entry
from .catalog import Catalog, Inputs, check_records, read_inputs
from .errors import Problem, ProblemsError
from .export import BIBTEX_PATH, JSON_PATH, CanonicalTags, bibtex_document, json_document, paper_json
from .load import Source
from .models import Paper, Settings
from .order import sort_key
from .parallel import MIN_ITEMS, ordered_map
from .records import BATCH, batches, read_records
from .validate import record_keys, same_paper
from .views import PaperView, Views

if TYPE_CHECKING:
    from .render import Renderer


class Digest(NamedTuple):
    """One record's share of the build."""

    problems: list[Problem]
    keys: list | None  # its identities (`paper_keys`); None when it did not validate
    order: tuple | None  # its `sort_key`; None for a draft (not shown)
    view: PaperView | None
    json: str
    bib: str
    data: Any  # the parsed record, when the records themselves are wanted (the site)
    paper: Paper | None  # then also the model, in this process only
    signature: Any = None  # the file as read, for `buildstamp` (when asked for)


class _Worker:
    """What each process does with a batch of record files (stage by stage, as `read_records`)."""

    def __init__(self, inputs: Inputs, keep_data: bool, signatures: bool):
        self.inputs = inputs
        self.keep_data = keep_data
        self.signatures = signatures
        self.views = Views(inputs.taxonomy) if inputs.taxonomy else None
        self.tags = CanonicalTags(inputs.taxonomy) if inputs.taxonomy else None

    def __call__(self, entries: list[tuple[Path, str]]) -> list[Digest]:
        reads = read_records(entries, self.signatures)
        checked = check_records(self.inputs, entries, reads)
        papers = [paper for paper, _, _ in checked if paper is not None]
        shown = [paper for paper in papers if not paper.draft] if self.views else []
        views = [self.views.paper(paper) for paper in shown]
        jsons = [paper_json(paper, self.tags, view.tags) for paper, view in zip(shown, views)]
        bibs = [bibtex_entry(paper) for paper in shown]
        order = self.inputs.settings.order
        pieces = {id(paper): (sort_key(paper, order), view, text, bib)
                  for paper, view, text, bib in zip(shown, views, jsons, bibs)}

        digests = []
        for (data, found, signature), (paper, _, problems) in zip(reads, checked):
            if paper is None:  # unreadable or invalid
                digests.append(Digest(problems, None, None, None, "", "", None, None))
                continue
            keys = record_keys(paper, found)  # `found`: url, title, keys
            kept, model = (data, paper) if self.keep_data else (None, None)
            order_key, view, text, bib = pieces.get(id(paper), (None, None, "", ""))
            digests.append(Digest(problems, keys, order_key, view, text, bib, kept, model, signature))
        return digests

    def remote(self, entries: list[tuple[Path, str]]) -> list[tuple]:
        """What the child sends: each digest as plain tuples (a third cheaper to send than
        named ones), without the model; `_received` makes a `Digest` of it again."""
        return [(d.problems, d.keys, d.order, d.view and tuple(d.view), d.json, d.bib, d.data, d.signature)
                for d in self(entries)]


def _received(digest: Digest | tuple) -> Digest:
    if type(digest) is Digest:
        return digest
    problems, keys, order, view, text, bib, data, signature = digest
    return Digest(problems, keys, order, view and PaperView(*view), text, bib, data, None, signature)


@dataclass
class Digested:
    inputs: Inputs
    records: list[tuple[tuple[Path, str], Digest]]  # every record that validated, in file order
    views: Views | None
    renderer: Renderer
    fixed: dict[str, str]  # the outputs of the settings and taxonomy alone

    def outputs(self) -> dict[str, str]:
        """Every file `build.render_catalog` gives for these records."""
        shown = sorted((d for _, d in self.records if d.order is not None), key=attrgetter("order"))
        outputs = self.renderer.render_views([d.view for d in shown], self.views)
        outputs.update({JSON_PATH: json_document([d.json for d in shown]),
                        BIBTEX_PATH: bibtex_document([d.bib for d in shown])})
        outputs.update(self.fixed)
        return outputs

    def catalog(self) -> Catalog:
        """The records themselves (validated again where this process only has their data)."""
        papers = []
        for (file, path), digest in self.records:
            paper = digest.paper if digest.paper is not None else Paper.model_validate(digest.data)
            papers.append((paper, Source(path, file, digest.data)))
        inputs = self.inputs
        return Catalog(inputs.root, inputs.settings, inputs.taxonomy, papers, inputs.challenge_intro)


def _prepare(inputs: Inputs, cache: Path | None) -> tuple[Renderer, dict[str, str]]:
    """What does not depend on the records, done while the child starts on them: the renderer
    (Jinja imported, templates compiled) and the outputs of the settings and taxonomy alone (the
    schemas, the issue form). Problems are raised as ProblemsError."""
    from .derived import fixed_outputs
    from .render import Renderer

    renderer = Renderer(inputs.settings, inputs.taxonomy, inputs.root / inputs.settings.templates,
                        inputs.challenge_intro, cache)
    renderer.prepare()
    return renderer, fixed_outputs(inputs.settings, inputs.taxonomy)


def digest_list(root: Path, keep_records: bool = False, cache: Path | None = None,
                settings: Settings | None = None, signatures: bool = False) -> Digested:
    """Read and check every record on two cores, and make the renderer ready meanwhile (`cache`: a
    folder for compiled templates; `settings`: when already loaded; `signatures`: each record's
    file signature kept, for the build stamp); raise one ProblemsError listing every problem."""
    inputs = read_inputs(root, settings)
    worker = _Worker(inputs, keep_records, signatures)
    problems = list(inputs.problems)
    records = []
    chunks = batches(inputs.entries)
    renderer, fixed = None, {}
    with ordered_map(worker, chunks, remote=worker.remote, min_items=MIN_ITEMS // BATCH) as results:
        if inputs.taxonomy is not None:
            try:
                renderer, fixed = _prepare(inputs, cache)
            except ProblemsError as exc:
                problems += exc.problems
        for chunk, digests in zip(chunks, results):
            for entry, digest in zip(chunk, map(_received, digests)):
                problems += digest.problems
                if digest.keys is not None:
                    records.append((entry, digest))
    problems += same_paper([d.keys for _, d in records],
                           lambda index: Source(records[index][0][1], records[index][0][0], None))
    if any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return Digested(inputs, records, worker.views, renderer, fixed)
