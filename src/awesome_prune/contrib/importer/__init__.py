"""The `import` stage: a hand-written markdown list (the old README format) → paper records.

Reading is lenient and loud: every row that can be read becomes a record, and everything that
cannot be read as it stands is returned as a positioned `Problem` (nothing is silently dropped).
Records for readable rows are written even when other rows have errors; the command exits 1 then.
A fatal problem (unreadable README, no usable taxonomy) raises `ProblemsError` before anything is
written. Existing records are never overwritten without `force`.

Modules: `scan` (sections, tables, rows), `rows` (cells), `tags` (tags),
`challenges` (challenge page), `records` (row → record data, YAML text).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from pathlib import Path

from ...records.catalog import read_taxonomy
from ...errors import Problem, ProblemsError
from ...records.identity import openreview_id, paper_keys
from ...records.identity import derive_id
from .challenges import anchor_of, sections
from .records import Imported, build_record, record_text
from .scan import scan
from .tags import TagResolver
from ...records.models import Settings, Taxonomy
from ..new import Known, create_file, known_papers
from ...records.catalog import load_settings
from ...write import write_atomic


@dataclass
class ImportResult:
    records: list[Imported] = field(default_factory=list)  # written (or attempted) records
    written: list[str] = field(default_factory=list)  # paths of the files written
    problems: list[Problem] = field(default_factory=list)
    unknown: list[tuple[str, str, int]] = field(default_factory=list)  # (category, value, README line)

    @property
    def drafts(self) -> int:
        return sum(r.draft for r in self.records)


def _layout(folder: Path) -> tuple[str, str]:
    """(papers folder, taxonomy file) of a list folder: its settings, or the defaults."""
    if (folder / "pyproject.toml").is_file():
        settings = load_settings(folder)
        return settings.papers, settings.taxonomy
    return Settings.model_fields["papers"].default, Settings.model_fields["taxonomy"].default


def _shown(folder: Path, relative: str) -> str:
    return (folder / relative).as_posix() if str(folder) not in ("", ".") else relative


def _taxonomy(out: Path, out_tax: str, root: Path) -> tuple[Taxonomy, str | None, str]:
    """(taxonomy, its text when it must be copied to `out` (at `out_tax`) else None, its display
    path in `out`)."""
    source_dir, copy = (out, False) if (out / out_tax).is_file() else (root, True)
    tax_path = out_tax if not copy else _layout(root)[1]
    file = source_dir / tax_path
    if not file.is_file():
        raise ProblemsError([Problem(_shown(out, out_tax), 0, 0, "", "no taxonomy to resolve tags against (nor in "
                                     f"{_shown(root, tax_path)}); create one first")])
    taxonomy, problems = read_taxonomy(file, _shown(source_dir, tax_path))
    if taxonomy is None:
        raise ProblemsError(problems)
    return taxonomy, file.read_text(encoding="utf-8") if copy else None, _shown(out, out_tax)


def import_list(readme: Path, *, out: Path, root: Path, challenges: Path | None = None, force: bool = False,
                today: _dt.date | None = None) -> ImportResult:
    """Import `readme` into the list folder `out`; `root` is the current list (its taxonomy is the fallback)."""
    today = today or _dt.date.today()
    path = readme.as_posix()
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemsError([Problem(path, 0, 0, "", f"cannot read: {exc}")]) from None
    papers_rel, out_tax = _layout(out)
    taxonomy, tax_text, tax_shown = _taxonomy(out, out_tax, root)
    raw_rows, problems = scan(text, path)
    if not raw_rows:
        raise ProblemsError(problems + [Problem(path, 0, 0, "", "no table rows found under `### YEAR` headings; "
                                                                "is this a list in the old README format?")])
    result = ImportResult(problems=problems)
    resolver = TagResolver(taxonomy)
    colors = {c.key: c.color for c in taxonomy.categories}
    names = {c.key: c.name for c in taxonomy.categories}
    records: list[Imported] = []
    for raw in raw_rows:
        record = build_record(raw, resolver, path, today, result.problems)
        if record is None:
            continue
        for key, color in record.colors.items():
            if key in colors and color.casefold() != colors[key].casefold():  # reported once per category
                result.problems.append(Problem(path, raw.line, 1, "tags", f"{names[key]} badges are coloured {color}, "
                                               f"the taxonomy says {colors.pop(key)}; the generated list uses the "
                                               "latter", "warning"))
        result.unknown += [(key, value, raw.line) for key, value in record.unknown]
        records.append(record)

    records = _drop_duplicates(records, path, result.problems)
    _match_existing(records, known_papers(out, papers_rel), force, path, result.problems)
    _challenges(records, challenges, path, result.problems)
    for record in records:
        if record.id is None:
            continue
        record.finish(path, result.problems)
        if record.data is None:
            continue
        shown = _shown(out, f"{papers_rel}/{record.id}.yaml")
        file = out / papers_rel / f"{record.id}.yaml"
        try:
            if force and file.exists():
                write_atomic(file, record_text(record))
            else:
                create_file(file, record_text(record), shown)
        except ProblemsError as exc:
            result.problems += exc.problems
            continue
        result.records.append(record)
        result.written.append(shown)
    if tax_text is not None:
        _write_taxonomy(out / out_tax, tax_shown, tax_text, result, path, today)
    result.problems = sorted(set(result.problems))
    return result


def _drop_duplicates(records: list[Imported], path: str, problems: list[Problem]) -> list[Imported]:
    """A paper link or title used by an earlier row: same title → not imported; same link → a draft."""
    claimed: dict[tuple[str, str], Imported] = {}
    kept = []
    for record in records:
        keys = paper_keys(record.paper, record.title)
        same_title = claimed.get(keys[-1])
        if same_title is not None:
            problems.append(Problem(path, record.line, 1, "title", f"the same title as line {same_title.line}; "
                                    "the same paper twice, this row is not imported"))
            continue
        first = next((claimed[k] for k in keys if k in claimed), None)
        if first is not None:
            reviews = record.reviews
            stand_in = reviews if reviews and openreview_id(reviews) and \
                ("OpenReview", openreview_id(reviews)) not in claimed else None
            what = (f"its Reviews link {stand_in} stands in as the paper link" if stand_in else
                    "`awesome-prune build` refuses it until the link is fixed")
            problems.append(Problem(path, record.line, record.paper_col, "paper",
                                    f"{record.paper} is also the paper link of line {first.line} ({first.title!r}); "
                                    f"imported as a draft: {what}"))
            record.mark_duplicate(first, stand_in)
            keys = paper_keys(record.paper, record.title)
        for key in keys:
            claimed.setdefault(key, record)
        kept.append(record)
    return kept


def _match_existing(records: list[Imported], known: list[Known], force: bool, path: str,
                    problems: list[Problem]) -> None:
    """Give every record an id: the existing record's (with --force), else a new one from its title."""
    taken = {k.id for k in known}
    used: set[str] = set()
    holders: dict[tuple[str, str], list[int]] = {}  # identity → positions of the records claiming it
    for position, existing in enumerate(known):
        for key in existing.keys:
            holders.setdefault(key, []).append(position)
    for record in records:
        claimants = sorted({p for key in paper_keys(record.paper, record.title) for p in holders.get(key, ())})
        match = next((known[p] for p in claimants if known[p].id not in used), None)  # the first in list order
        if match and not force:
            problems.append(Problem(path, record.line, 1, "", f"already in the list as {match.path}; not "
                                    "overwritten (pass --force to replace it)"))
            continue
        if match:
            record.id = match.id
        else:
            record.id = derive_id(record.title, taken)
        used.add(record.id)
        taken.add(record.id)


def _challenges(records: list[Imported], page: Path | None, path: str, problems: list[Problem]) -> None:
    linked = [r for r in records if r.challenge]
    if page is None:
        if linked:
            problems.append(Problem(path, 0, 0, "", f"no challenge page given (--challenges): notes.challenges left "
                                    f"empty for the {len(linked)} rows with a Challenge link", "warning"))
        return
    try:
        found = sections(page.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(page.as_posix(), 0, 0, "", f"cannot read the challenge page ({exc}): "
                                "notes.challenges left empty", "warning"))
        return
    folded = {anchor.casefold(): section for anchor, section in found.items()}
    used_levels, used = set(), set()
    for record in linked:
        col, url = record.challenge
        anchor = anchor_of(url)
        section = found.get(anchor) or folded.get((anchor or "").casefold())
        if section is None:
            why = f"#{anchor} is no heading of {page.as_posix()}" if anchor else "it is not a challenge page anchor"
            problems.append(Problem(path, record.line, col, "note", f"Challenge link {url!r}: {why}; "
                                    "notes.challenges left empty", "warning"))
            continue
        if not section.notes:
            problems.append(Problem(page.as_posix(), section.line, 1, "", f"section #{section.anchor} has no notes",
                                    "warning"))
        record.challenges = list(section.notes)
        used.add(section.anchor)
        used_levels.add(section.level)
    for section in found.values():
        if section.level in used_levels and section.anchor not in used:
            problems.append(Problem(page.as_posix(), section.line, 1, "", f"section #{section.anchor} is not linked "
                                    "from any row; not imported", "warning"))


def _write_taxonomy(file: Path, shown: str, text: str, result: ImportResult, path: str, today: _dt.date) -> None:
    if result.unknown:
        seen = sorted({(key, value): line for key, value, line in reversed(result.unknown)}.items())
        text = text.rstrip("\n") + "\n\n" + "\n".join(
            [f"# Values the records imported from {path} on {today.isoformat()} use but this taxonomy lacks;",
             "# add each to its category with an explanation, or correct the records:"]
            + [f"#   {key}: {value} ({path}:{line})" for (key, value), line in seen]) + "\n"
    try:
        create_file(file, text, shown)
        result.written.append(shown)
    except ProblemsError as exc:
        result.problems += exc.problems
