"""The `new` stage: one paper identifier → a prefilled `papers/<id>.yaml` for a contributor to finish.

An arXiv id or URL is looked up on arXiv (unless offline); an OpenReview forum URL or a DOI is
not fetched. The record is refused, and nothing is written, when the paper is already in the list
(same arXiv id in any version, OpenReview forum, DOI or title) or the file exists. A failed fetch
falls back to a skeleton holding only the link.

The written record is not valid yet, on purpose: `takeaway` and the tag lists are left empty for
the contributor. Before anything is written, the text is checked with the project's own loader
and models; any problem outside those placeholders is a bug and is raised instead of written.
After writing, the placeholders are returned as positioned guidance.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from . import arxiv
from ..records.catalog import read_taxonomy
from ..errors import Problem, ProblemsError
from ..records.identity import arxiv_id, doi, openreview_id, paper_keys, title_key
from ..records.identity import derive_id, kebab, unique_id
from ..records.load import Source, load_mapping, parse_yaml
from ..records.models import KEBAB, Paper
from ..records.catalog import record_files
from .skeleton import Skeleton, render
from ..records.catalog import load_settings
from ..records.validate import schema_problems
from ..write import create_new



@dataclass(frozen=True)
class Identifier:
    kind: str  # arXiv | OpenReview | DOI
    key: str  # 2306.11695 | Tr0lPx9woF | 10.1000/xyz
    url: str  # the paper link the record stores
    version: str = ""  # `v2` when an arXiv version was given


@dataclass
class Known:
    """A record already in the list, read leniently (it may itself be unfinished)."""

    id: str
    path: str
    keys: list[tuple[str, str]]


@dataclass
class NewResult:
    path: str  # as shown, relative to the root
    id: str
    fetched: bool
    notices: list[str] = field(default_factory=list)  # what went differently than asked (stderr)
    to_fill: list[Problem] = field(default_factory=list)  # placeholders still to be filled in


def parse_identifier(text: str) -> Identifier:
    """An arXiv id or URL, an OpenReview forum URL or a DOI → its kind, key and the paper link to store."""
    text = text.strip()
    found = arxiv_id(text)
    if found:
        version = text.rstrip("/").removesuffix(".pdf").rpartition(found)[2]
        return Identifier("arXiv", found, f"https://arxiv.org/abs/{found}", version if version[1:].isdigit() else "")
    forum = openreview_id(text)
    if forum:
        return Identifier("OpenReview", forum, f"https://openreview.net/forum?id={forum}")
    found = doi(text)
    if found:
        return Identifier("DOI", found, f"https://doi.org/{found}")
    raise ProblemsError([Problem(text or "''", 0, 0, "", f"{text!r} is not an arXiv id or URL, an OpenReview forum "
                                                     "URL (https://openreview.net/forum?id=…) or a DOI (10.…)")])


def known_papers(root: Path, papers_folder: str) -> list[Known]:
    """Every record's id and identities; files that cannot be read are skipped (validate reports them)."""
    found = []
    for file, shown in record_files(root, papers_folder):  # the files the build reads
        if file.suffix != ".yaml":
            continue  # not a record: validate reports it
        try:
            data = load_mapping(file, shown).data
        except ProblemsError:
            data = {}
        url, title = data.get("paper"), data.get("title")
        keys = paper_keys(url if isinstance(url, str) else "", title if isinstance(title, str) else "")
        keys = [k for k in keys if k != ("title", "")]
        found.append(Known(file.stem, shown, keys))
    return found


def _already_listed(given: str, known: list[Known], keys: list[tuple[str, str]]) -> Problem | None:
    for record in known:
        for key in keys:
            if key in record.keys:
                what = "the same title" if key[0] == "title" else f"{key[0]} {key[1]}"
                return Problem(given, 0, 0, "", f"already in the list: {record.path} has {what}")
    return None


def _categories(root: Path, taxonomy_path: str) -> list[tuple[str, str, list[str]]]:
    """(key, name, value names) per taxonomy category; empty when the taxonomy cannot be read."""
    taxonomy, _ = read_taxonomy(root / taxonomy_path, taxonomy_path)
    if taxonomy is None:
        return []
    return [(c.key, c.name, [v.name for v in c.values]) for c in taxonomy.categories]


def new_record(root: Path, identifier: str, *, offline: bool = False, record_id: str | None = None,
               today: _dt.date | None = None, api: str | None = None,
               timeout: float = arxiv.TIMEOUT) -> NewResult:
    today = today or _dt.date.today()
    settings = load_settings(root)
    ident = parse_identifier(identifier)
    if record_id is not None and not KEBAB.match(record_id):
        raise ProblemsError([Problem("--id", 0, 0, "", f"{record_id!r} is not kebab-case "
                                                       f"(try {kebab(record_id) or 'my-paper'!r})")])
    known = known_papers(root, settings.papers)
    given = identifier.strip()
    duplicate = _already_listed(given, known, [(ident.kind, ident.key)])
    if duplicate:
        raise ProblemsError([duplicate])

    notices: list[str] = []
    entry = None
    if ident.kind == "arXiv" and not offline:
        try:
            entry = arxiv.fetch(ident.key + ident.version, api=api, timeout=timeout)
        except arxiv.NotFound as exc:
            raise ProblemsError([Problem(given, 0, 0, "", f"{exc}; check the id")]) from None
        except arxiv.ArxivError as exc:
            notices.append(f"could not fetch arXiv {ident.key}: {exc}; writing a skeleton with the paper link only "
                           "(fill in title and venue, or run again later)")
    elif ident.kind == "arXiv":
        notices.append("offline: writing a skeleton with the paper link only (title and venue not fetched)")
    if entry:
        duplicate = _already_listed(given, known, [("title", title_key(entry.title))])
        if duplicate:
            raise ProblemsError([duplicate])

    taken = {record.id for record in known}
    if record_id is None:
        record_id = derive_id(entry.title, taken) if entry else _fallback_id(ident, taken)
        if not entry:
            notices.append(f"chose the id {record_id!r} from the identifier; pass --id NAME to choose a better one")
    path = f"{settings.papers}/{record_id}.yaml"
    file = root / path
    if file.exists():
        raise ProblemsError([Problem(path, 1, 1, "", "already exists; not overwritten (pass --id to choose "
                                                     "another id)")])

    skeleton = Skeleton(id=record_id, identifier=ident.kind, key=ident.key, url=ident.url, today=today,
                        entry=entry, categories=_categories(root, settings.taxonomy))
    text = render(skeleton)
    data, unfilled = _check_only_placeholders(text, path, skeleton)
    create_file(file, text, path)
    return NewResult(path, record_id, entry is not None, notices, _guidance(Source(path, file, data), unfilled))


def _fallback_id(ident: Identifier, taken: set[str]) -> str:
    return unique_id(kebab(f"{ident.kind}-{ident.key}"), taken)


PLACEHOLDERS = ("takeaway", "tags", "title")  # fields a skeleton leaves for the contributor


def _check_only_placeholders(text: str, path: str, skeleton: Skeleton) -> tuple[dict, ValidationError | None]:
    """The skeleton's data and what is left to fill in (None: nothing); refused (as a bug) when
    its prefilled fields do not validate."""
    data = parse_yaml(text, path)
    try:
        Paper.model_validate(data)
        return data, None
    except ValidationError as exc:
        unfilled = exc
    errors = unfilled.errors()
    allowed = set(PLACEHOLDERS) - ({"title"} if skeleton.entry else set())
    wrong = [e for e in errors if not e["loc"] or e["loc"][0] not in allowed]
    if wrong:
        shown = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in wrong)
        raise ProblemsError([Problem(path, 1, 1, "", f"internal error, nothing written: the prefilled record "
                                                      f"does not validate ({shown}); please report this")])
    return data, unfilled


def _guidance(source: Source, unfilled: ValidationError | None) -> list[Problem]:
    """What the contributor still has to fill in, at its line in the written file."""
    problems = schema_problems(unfilled, source, Paper) if unfilled is not None else []
    notes = source.data.get("notes") or {}
    if not notes.get("challenges"):
        line, col = source.position(("notes", "challenges"))
        problems.append(Problem(source.path, line, col, "notes.challenges",
                                "optional: the problems the paper takes on, one item each"))
    return [Problem(p.path, p.line, p.col, p.field, f"to fill in: {p.message}", "warning") for p in problems]


def create_file(file: Path, text: str, shown: str) -> None:
    """Write `text` to a new file, atomically; never replace an existing one (a problem instead)."""
    if not create_new(file, text):
        raise ProblemsError([Problem(shown, 1, 1, "", "already exists; not overwritten")])
