"""The `import` stage, writing the list: a hand-written markdown list (the old README format) → a
list folder `awesome-prune build` accepts: one record per row, and the settings, templates, taxonomy
and challenge introduction the folder lacks. (`markdown` reads the README, `records` makes records.)

Lenient and loud: what can be read is written, everything else is a positioned `Problem`; a fatal
one (unreadable README, no rows) raises `ProblemsError` before anything is written. No existing
file is overwritten (records only with `force`). The defaults (templates, taxonomy, challenge
introduction, the badge mapping of `docs/taxonomy-mapping.md`) are this project's own files, found
from the package: a checkout and `pip install -e .` (how `make` installs it) have them.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ...errors import Problem, ProblemsError
from ...records.catalog import load_settings, read_taxonomy
from ...records.identity import derive_id, openreview_id, paper_keys
from ...records.load import parse_yaml
from ...records.models import Settings, Taxonomy
from ...records.validate import PLACEHOLDER
from ...write import write_atomic
from ..new import Known, create_file, known_papers
from ..skeleton import scalar
from .markdown import anchor_of, front, read_mapping, relative_links, scan, sections
from .records import Imported, TagResolver, build_record, record_text

PROJECT = Path(__file__).resolve().parents[4]  # src/awesome_prune/contrib/importer/ → the checkout
DEFAULTS = {"templates": "templates", "taxonomy": "concepts/taxonomy.yaml", "challenge_intro": "challenge/general.md",
            "mapping": "docs/taxonomy-mapping.md"}
REPOSITORY = "https://github.com/OWNER/NAME"


@dataclass
class ImportResult:
    records: list[Imported] = field(default_factory=list)  # written records
    written: list[str] = field(default_factory=list)  # paths of the files written
    problems: list[Problem] = field(default_factory=list)

    @property
    def drafts(self) -> int:
        return sum(r.draft for r in self.records)


def _shown(folder: Path, relative: str) -> str:
    return (folder / relative).as_posix() if str(folder) not in ("", ".") else relative


def _default(name: str) -> Path:
    file = PROJECT / DEFAULTS[name]
    if not file.exists():
        raise ProblemsError([Problem(file.as_posix(), 0, 0, "", "missing: import takes its defaults (templates, "
                                     "taxonomy, challenge introduction, badge mapping) from the awesome-prune checkout "
                                     "it runs from; install it from one with `pip install -e`")])
    return file


def import_list(readme: Path, *, out: Path, root: Path, challenges: Path | None = None, force: bool = False,
                today: _dt.date | None = None, date: _dt.date | None = None,
                add_values: bool = False) -> ImportResult:
    """Import `readme` into the list folder `out`. `added` is `date` for every record, else one day
    apart in the order of the rows, the last one `today`. The taxonomy is `out`'s, else that of the
    list in `root`, else the default."""
    today, path = today or _dt.date.today(), readme.as_posix()
    try:
        text = readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProblemsError([Problem(path, 0, 0, "", f"cannot read: {exc}")]) from None
    defaults = {name: _default(name) for name in DEFAULTS}  # all there before anything is written
    settings = load_settings(out, required=False)
    layout = settings or Settings.model_construct()
    sources = [(out, layout.taxonomy), (root, (load_settings(root, required=False) or layout).taxonomy)]
    tax_dir, tax_rel = next(((d, r) for d, r in sources if (d / r).is_file()), (PROJECT, DEFAULTS["taxonomy"]))
    taxonomy, found = read_taxonomy(tax_dir / tax_rel, _shown(tax_dir, tax_rel))
    if taxonomy is None or any(p.severity == "error" for p in found):
        raise ProblemsError(found)
    resolver = TagResolver(taxonomy, read_mapping(defaults["mapping"], DEFAULTS["mapping"]), add_values)
    raw_rows, problems = scan(text, path)
    if not raw_rows:
        raise ProblemsError(problems + [Problem(path, 0, 0, "", "no table rows found under `### YEAR` headings; "
                                                                "is this a list in the old README format?")])
    result = ImportResult(problems=problems)
    colors = {c.key: c.color for c in taxonomy.categories}
    records = [r for r in (build_record(raw, resolver, path, result.problems) for raw in raw_rows) if r]
    for position, record in enumerate(records):
        record.added = date or today - _dt.timedelta(days=len(records) - 1 - position)
        for key, color in record.colors.items():
            if key in colors and color.casefold() != colors[key].casefold():  # reported once per category
                result.problems.append(Problem(path, record.line, 1, "tags", f"{taxonomy.by_key[key].name} badges "
                                               f"are coloured {color}, the taxonomy says {colors.pop(key)}; the "
                                               "generated list uses the latter", "warning"))
    unknown = [(key, value, add, r.line) for r in records for key, value, add in r.unknown]
    records = _drop_duplicates(records, path, result.problems)
    _match_existing(records, known_papers(out, layout.papers), force, path, result.problems)
    _challenges(records, challenges, path, result.problems)
    for record in (r for r in records if r.id is not None):
        record.finish(path, result.problems)
        file, shown = out / layout.papers / f"{record.id}.yaml", _shown(out, f"{layout.papers}/{record.id}.yaml")
        if record.data is not None and _write(file, record_text(record), shown, result, force):
            result.records.append(record)

    if tax_dir is not out:
        tax_text = _taxonomy_text((tax_dir / tax_rel).read_text("utf-8"), unknown, path, today, result)
        _write(out / layout.taxonomy, tax_text, _shown(out, layout.taxonomy), result)
    elif any(add for _, _, add, _ in unknown):
        result.problems.append(Problem(_shown(out, layout.taxonomy), 0, 0, "", "--add-values adds values only to a "
                                       "taxonomy import writes; add the values reported to this one", "warning"))
    if settings is None:
        shown = _shown(out, "pyproject.toml")
        _write(out / "pyproject.toml", _settings_text(text, path, shown, today, result), shown, result)
    if not (out / layout.templates).exists():
        for file in sorted(f for f in defaults["templates"].rglob("*") if f.is_file()):
            relative = f"{layout.templates}/{file.relative_to(defaults['templates']).as_posix()}"
            _write(out / relative, file.read_bytes(), _shown(out, relative), result)
    if not (out / layout.challenge_intro).exists():
        _write(out / layout.challenge_intro, defaults["challenge_intro"].read_bytes(),
               _shown(out, layout.challenge_intro), result)
    result.problems = sorted(set(result.problems))
    return result


def _write(file: Path, content: str | bytes, shown: str, result: ImportResult, force: bool = False) -> bool:
    try:
        if force and file.exists():
            write_atomic(file, content)
        else:
            create_file(file, content, shown)
    except ProblemsError as exc:
        result.problems += exc.problems
        return False
    result.written.append(shown)
    return True


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
            forum = openreview_id(record.links.get("reviews", ""))
            stand_in = record.links["reviews"] if forum and ("OpenReview", forum) not in claimed else None
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
    taken, used = {k.id for k in known}, set()
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
        record.id = match.id if match else derive_id(record.title, taken)
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


def _taxonomy_text(text: str, unknown: list[tuple[str, str, bool, int]], path: str, today: _dt.date,
                   result: ImportResult) -> str:
    """The taxonomy to write: values to add (--add-values) inserted at the end of their category
    with a placeholder explanation; the other values the records lack listed in a closing comment.
    A hand-written list never promised a value in every category, so no category is required
    (`required: true` once the records state one)."""
    text = re.sub(r"(?m)^ +required: true\n", "", text)
    adding: dict[str, dict[str, int]] = {}  # category key → value → README line
    for key, value, add, line in unknown:
        if add and value.casefold() not in map(str.casefold, adding.get(key, {})):
            adding.setdefault(key, {})[value] = line
    lines = text.split("\n")
    for category in reversed({k.value: v for k, v in yaml.compose(text).value}["categories"].value):
        fields = {k.value: v for k, v in category.value}
        if fields["key"].value not in adding or fields["values"].flow_style:
            continue
        last = fields["values"].value[-1]
        end = last.end_mark.line  # the line after the last value, or that of the next token
        while end > last.start_mark.line + 1 and (not lines[end - 1].strip() or lines[end - 1].lstrip()[:1] == "#"):
            end -= 1
        dash = " " * (last.start_mark.column - 2)
        lines[end:end] = [f"{dash}- name: {scalar(value)}\n{dash}  explanation: "
                          + scalar(f"{PLACEHOLDER} added by `awesome-prune import` for {path}:{line}; say what this "
                                   "value means.") for value, line in adding[fields["key"].value].items()]
    try:
        taxonomy = Taxonomy.model_validate(parse_yaml("\n".join(lines), "taxonomy.yaml"))
        if not all(taxonomy.by_key[key].lookup(value) for key in adding for value in adding[key]):
            raise ValueError("not inserted")
        text = "\n".join(lines)
    except (ProblemsError, ValueError):
        result.problems.append(Problem(path, 0, 0, "", "--add-values: the values could not be inserted in the "
                                       "taxonomy's layout; they are listed at its end instead"))
        adding = {}
    rest = sorted({(key, value): line for key, value, _, line in reversed(unknown)
                   if value.casefold() not in map(str.casefold, adding.get(key, {}))}.items())
    if rest:
        text = text.rstrip("\n") + "\n\n" + "\n".join(
            [f"# Values the records imported from {path} on {today.isoformat()} use but this taxonomy lacks;",
             "# add each to its category with an explanation, or correct the records:"]
            + [f"#   {key}: {value} ({path}:{line})" for (key, value), line in rest]) + "\n"
    return text


def _toml(text: str) -> str:
    escaped = re.sub(r'[\x00-\x08\x0b-\x1f\x7f"\\]', lambda m: f"\\u{ord(m.group()):04x}", text)
    return f'"""\n{escaped}"""' if "\n" in text else f'"{escaped}"'


def _settings_text(readme: str, path: str, shown: str, today: _dt.date, result: ImportResult) -> str:
    """`[tool.awesome-prune]`: the README's first heading as title, the text under it as intro."""
    title, intro, line = front(readme)
    intro, unlinked = relative_links(intro)
    for offset, url, label in unlinked:
        result.problems.append(Problem(path, line, 1, "", f"the intro links to the relative path {url!r}, which the "
                                       f"imported list does not have: written as its text {label!r}", "warning"))
    if not title or not intro:
        result.problems.append(Problem(path, line, 1, "", f"no {'title' if not title else 'intro'} found (the first "
                                       "heading, the text under it): pyproject.toml has a placeholder", "warning"))
    text = "\n".join([
        f"# The list's settings, read by awesome-prune; written by `awesome-prune import` from {path} on {today}.",
        "[tool.awesome-prune]",
        f"title = {_toml(title or 'To be written: the title of the list')}",
        f"intro = {_toml((intro or 'To be written: what the list collects.') + chr(10))}",
        "# A placeholder: the URL of the list's own repository. The records' schema URLs, the issue",
        "# form and the site's footer point there.",
        f'repository = "{REPOSITORY}"',
        'order = "added"',
        "# Imported records were all added on import (one day apart, in the order of the rows), so",
        "# none is shown as recently added. Set a number (5 by default) once papers come one by one.",
        "recent = 0", ""])
    result.problems.append(Problem(shown, text.split("\n").index(f'repository = "{REPOSITORY}"') + 1, 1,
                                   "tool.awesome-prune.repository", "a placeholder: set the URL of the list's own "
                                   "repository", "warning"))
    return text
