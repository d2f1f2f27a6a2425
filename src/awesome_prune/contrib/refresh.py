"""The `refresh` stage: records checked against arXiv, and the authors arXiv knows filled in.

Every record whose `paper` link is an arXiv URL is looked up (`arxiv.BATCH` ids a request, one
request every `interval` seconds, as arXiv asks) and compared with its entry. Each finding is a
`Problem` at the line of the field concerned (missing authors: at the title, where they go), of a
kind: title (differs beyond case, spacing, punctuation, accents and TeX: most often a wrong id),
authors (none, or not arXiv's list: names up to case, accents and dots, in order), year (a
preprint's other than its first arXiv version's, or a venue's before it), withdrawn (so says the
arXiv comment or abstract), version (the link's vN is not arXiv's latest), unknown (no entry, or
the `Error` entry arXiv gives for a malformed id), record (unreadable, or an edit not written).

With `write` the authors are filled in where a record has none; with `force` as well, a different
author list and a preprint's year are replaced by arXiv's; nothing else is ever written. An edit
replaces the text of that one value (keeping its flow or block style) or inserts an `authors:`
entry after the title; every other byte stays. The edited text must read back as the old data
plus that change and validate, else nothing is written; files are replaced atomically. When arXiv
cannot be asked (after `retries` more tries) the report carries the error and the findings so
far, and nothing is written. Nothing here prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from itertools import groupby
from pathlib import Path
from typing import Any, Callable, Sequence

import yaml
from pydantic import ValidationError

from ..errors import Problem, ProblemsError, SettingsError, shown_path, suggest
from ..records.catalog import record_files
from ..records.identity import arxiv_id, title_key
from ..records.load import LOADER, Source, load_mapping, parse_mapping
from ..records.models import Paper
from ..records.catalog import load_settings
from ..write import write_atomic
from . import arxiv

INTERVAL = 3.0  # seconds between two requests: arXiv asks for 3
RETRIES = 1  # further tries of a request arXiv failed (throttled, HTTP error, timeout)
FLOW_WIDTH = 100  # a longer `authors: [...]` line is written as a block list
_TEX = re.compile(r"\\[A-Za-z]+\s*|\\[^A-Za-z\s]|[{}$]")
_WITHDRAWN_COMMENT = re.compile(r"\bwithdr[ae]wn?\b", re.I)
_WITHDRAWN_SUMMARY = re.compile(r"^withdrawn\b|\b(?:paper|article|submission|manuscript)\s+(?:has\s+been|"
                                r"is|was)\s+withdrawn\b", re.I)


@dataclass(frozen=True)
class Finding:
    problem: Problem
    kind: str  # title | authors | year | withdrawn | version | unknown | record
    arxiv_id: str | None = None
    arxiv: Any = None  # arXiv's value, where it has one (a title, the authors, a year)
    fix: tuple | None = None  # (loc, value, needs force): what `write` may set
    written: bool = False  # set in the file by this run


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    written: list[str] = field(default_factory=list)  # files edited
    checked: int = 0  # records with an arXiv link
    other: int = 0  # records with another link: not asked about
    error: str | None = None  # arXiv could not be asked: the findings are partial, nothing written

    @property
    def remaining(self) -> list[Finding]:
        return [f for f in self.findings if not f.written]


def select(root: Path, targets: Sequence[str] = ()) -> list[tuple[Path, str]]:
    """(file, shown path) of the records named by id or file (all by default); else a usage error."""
    entries = [(f, shown) for f, shown in record_files(root, load_settings(root).papers) if f.suffix == ".yaml"]
    if not targets:
        return entries
    by_id = {file.stem: (file, shown) for file, shown in entries}
    chosen: dict[str, tuple[Path, str]] = {}
    problems = []
    for target in targets:
        if target in by_id or Path(target).is_file():
            file, shown = by_id.get(target) or (Path(target), shown_path(Path(target).resolve(), root.resolve()))
            chosen.setdefault(shown, (file, shown))
        else:
            problems.append(Problem(target, 1, 1, "", f"no record {target!r}: neither a paper id nor a file"
                                                      f"{suggest(target, by_id)}"))
    if problems:
        raise SettingsError(problems)
    return list(chosen.values())


def refresh(root: Path, targets: Sequence[str] = (), *, write: bool = False, force: bool = False,
            api: str | None = None, timeout: float = arxiv.TIMEOUT, interval: float = INTERVAL,
            retries: int = RETRIES, progress: Callable[[int, int, str], None] | None = None) -> Report:
    """Check the records `targets` names (all by default) against arXiv; with `write`, fill in."""
    report = Report()
    records: list[tuple[Source, str, int | None]] = []
    for file, shown in select(root, targets):
        try:
            source = load_mapping(file, shown)
        except ProblemsError as exc:
            report.findings += [Finding(p, "record") for p in exc.problems]
            continue
        link = source.data.get("paper")
        if not (found := arxiv_id(link) if isinstance(link, str) else None):
            report.other += 1
            continue
        version = re.search(re.escape(found) + r"v(\d+)", link)
        records.append((source, found, int(version.group(1)) if version else None))
    report.checked = len(records)
    ids = list(dict.fromkeys(found for _, found, _ in records))
    entries, refused = {}, {}  # bare id → Entry; bare id → why arXiv refused it
    try:
        ask(ids, entries, refused, api=api, timeout=timeout, interval=interval, retries=retries, progress=progress)
    except arxiv.ArxivError as exc:
        report.error = str(exc)
    for source, found, version in records:
        if found in entries:
            report.findings += compare(source, found, version, entries[found])
        elif found in refused or report.error is None:
            reason = refused.get(found, f"arXiv has no paper {found} (its answer lists no entry for it)")
            report.findings.append(_finding(source, "unknown", "paper", found, f"{reason}; check the link"))
    if write and report.error is None:
        report.findings = _write_all(report, {source.path: source.file for source, _, _ in records}, force)
    report.findings.sort(key=lambda f: f.problem)
    return report


def ask(ids: list[str], entries: dict, refused: dict, *, api: str | None, timeout: float, interval: float,
        retries: int, progress: Callable | None = None) -> None:
    """Fill `entries` (bare id → Entry) and `refused` (bare id → why arXiv refused it) for `ids`, in
    batches; `ArxivError` when arXiv cannot be asked. An `Error` entry refuses a whole batch: the
    id it names is set apart and the rest asked again; when it names none, each id is asked alone."""
    queue = [ids[start:start + arxiv.BATCH] for start in range(0, len(ids), arxiv.BATCH)]
    pacer, done, tries = arxiv.Pacer(interval), 0, retries
    # At most one good request per batch (first, rest after a refusal, id alone) and per refused id,
    for _ in range((retries + 1) * (2 * len(queue) + 4 * len(ids))):  # each after `retries` failures
        if not queue:
            return
        batch = queue.pop(0)
        if progress:
            progress(done + 1, len(ids), batch[0])
        pacer.wait()
        try:
            entries.update(arxiv.fetch_batch(batch, api=api, timeout=timeout))
        except arxiv.BadId as exc:
            named = batch[0] if len(batch) == 1 else exc.arxiv_id if exc.arxiv_id in batch else None
            if named is None:
                queue[:0] = [[one] for one in batch]
            else:
                refused[named], done = str(exc), done + 1
                queue[:0] = [[one for one in batch if one != named]] if len(batch) > 1 else []
        except arxiv.ArxivError:
            if (tries := tries - 1) < 0:
                raise
            queue.insert(0, batch)
        else:
            done, tries = done + len(batch), retries
    if queue:
        raise arxiv.ArxivError("gave up asking arXiv: more requests than the ids can need")


def _finding(source: Source, kind: str, field: str, found: str, message: str, value: Any = None,
             fix: tuple | None = None, at: tuple | None = None, severity: str = "error") -> Finding:
    line, col = source.position(at or tuple(field.split(".")))
    return Finding(Problem(source.path, line, col, field, message, severity), kind, found, value, fix)


def _title(text: str) -> str:
    return title_key(_TEX.sub("", text))


def _listed(names: Sequence[str], limit: int = 6) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


def compare(source: Source, found: str, version: int | None, entry: arxiv.Entry) -> list[Finding]:
    """What a record says that its arXiv entry does not."""
    data, out = source.data, []
    title = data.get("title")
    if not isinstance(title, str) or _title(title) != _title(entry.title):
        out.append(_finding(source, "title", "title", found, f"differs from the title of arXiv {found}, "
                            f"{entry.title!r}: another paper? check the link", entry.title))
    authors, theirs = data.get("authors") or [], list(entry.authors)
    mine = [title_key(str(a)) for a in (authors if isinstance(authors, list) else [authors])]
    names = [title_key(a) for a in theirs]
    if theirs and not mine:
        out.append(_finding(source, "authors", "authors", found, f"none listed; arXiv {found} lists {len(theirs)}: "
                            f"{_listed(theirs)}", theirs, (("authors",), theirs, False), ("title",), "warning"))
    elif theirs and mine != names:
        how = "the same names in another order" if sorted(mine) == sorted(names) else \
            f"{len(mine)} here, {len(theirs)} there"
        out.append(_finding(source, "authors", "authors", found, f"differ from arXiv {found}'s ({how}): "
                            f"{_listed(theirs)}", theirs, (("authors",), theirs, True)))
    venue = data.get("venue") if isinstance(data.get("venue"), dict) else {}
    year, first = venue.get("year"), entry.published
    if isinstance(year, int) and venue.get("status") == "preprint" and year != first.year:
        out.append(_finding(source, "year", "venue.year", found, f"{year}, but a preprint's year is that of its "
                            f"first arXiv version: {first.year} ({first})", first.year,
                            (("venue", "year"), first.year, True)))
    elif isinstance(year, int) and year < first.year:
        out.append(_finding(source, "year", "venue.year", found, f"{year} is before the first arXiv version "
                            f"({first}): check the venue, or whether the link names another paper", first.year))
    if _WITHDRAWN_COMMENT.search(entry.comment or "") or _WITHDRAWN_SUMMARY.search(entry.summary or ""):
        why = arxiv.shorten(entry.comment if _WITHDRAWN_COMMENT.search(entry.comment or "") else entry.summary, 120)
        out.append(_finding(source, "withdrawn", "paper", found, f"arXiv {found} is withdrawn: {why}"))
    if version and entry.version and version != entry.version:
        message = (f"links v{version}; arXiv has v{entry.version} ({entry.updated})" if version < entry.version
                   else f"links v{version}, but arXiv's latest is v{entry.version}")
        out.append(_finding(source, "version", "paper", found, message, entry.version,
                            severity="warning" if version < entry.version else "error"))
    return out


def _write_all(report: Report, files: dict[str, Path], force: bool) -> list[Finding]:
    """Apply the fixes of `report.findings` allowed (`force` for values a person wrote), file by file."""
    out: list[Finding] = []
    for path, group in groupby(sorted(report.findings, key=lambda f: f.problem), lambda f: f.problem.path):
        findings = list(group)
        fixes = [f for f in findings if f.fix and (force or not f.fix[2])]
        problem = write_fixes(files[path], path, [f.fix[:2] for f in fixes]) if fixes else None
        if fixes and not problem:
            report.written.append(path)
            findings = [replace(f, written=True) if f in fixes else f for f in findings]
        out += findings + ([Finding(problem, "record")] if problem else [])
    return out


def write_fixes(file: Path, path: str, changes: list[tuple[tuple, Any]]) -> Problem | None:
    """Set each (loc, value) of `changes` in the record `file` by a line edit; a Problem when not written."""
    raw = file.read_bytes()
    try:
        Paper.model_validate(expected := parse_mapping(raw, path))
    except (ProblemsError, ValidationError):
        return Problem(path, 1, 1, "", "not written: the record does not validate; run `awesome-prune validate`")
    new = raw.decode("utf-8")
    for loc, value in changes:
        expected, new = _with(expected, loc, value), edit(new, loc, value)
    try:
        written = parse_mapping(new.encode("utf-8"), path)
        why = "" if written == expected and list(written) == list(expected) else "does not read back as intended"
        if not why:
            Paper.model_validate(written)
    except (ProblemsError, ValidationError) as exc:
        why = f"would not be valid ({str(exc).splitlines()[0]})"
    if why or file.read_bytes() != raw:
        return Problem(path, 1, 1, "", f"not written: the edited record {why} (please report this)" if why
                       else "not written: the file changed while refreshing; run again")
    write_atomic(file, new)
    return None


def _with(data: dict, loc: tuple, value: Any) -> dict:
    """`data` with `value` at `loc`; a new top-level key goes right after `title`."""
    if len(loc) > 1:
        return {**data, loc[0]: _with(data[loc[0]], loc[1:], value)}
    if loc[0] in data:
        return {**data, loc[0]: value}
    items = list(data.items())
    at = next((i + 1 for i, (key, _) in enumerate(items) if key == "title"), len(items))
    return dict(items[:at] + [(loc[0], value)] + items[at:])


def _find(root: yaml.Node, loc: tuple) -> tuple[yaml.Node | None, yaml.Node | None]:
    pair: tuple = (None, root)
    for part in loc:
        mapping = pair[1].value if isinstance(pair[1], yaml.MappingNode) else []
        pair = next(((k, v) for k, v in mapping if k.value == part), (None, None))
    return pair


def _flow(value: Any) -> str:
    return yaml.safe_dump(value, default_flow_style=True, width=float("inf"), allow_unicode=True) \
        .removesuffix("\n...\n").strip()


def edit(text: str, loc: tuple, value: Any) -> str:
    """`text` with the value at `loc` replaced (its text only, in its flow or block style), or,
    when missing, a `key: value` entry inserted after the `title` entry; nothing else changes."""
    newline = "\r\n" if "\r\n" in text else "\n"
    root = yaml.compose(text, Loader=LOADER)
    key, node = _find(root, loc)
    items = [_flow([item])[1:-1] for item in value] if isinstance(value, list) else None
    if node is not None:
        start = node.start_mark.index
        if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value and items:
            end = node.value[-1].end_mark.index
            return text[:start] + (newline + " " * node.start_mark.column).join(f"- {i}" for i in items) + text[end:]
        return text[:start] + _flow(value) + text[node.end_mark.index:]
    title_key_node, title = _find(root, loc[:-1] + ("title",))  # a valid record has one
    end = title.end_mark.index
    at = end if text[end - 1:end] == "\n" else (text.find("\n", end) + 1 or len(text))
    indent = " " * title_key_node.start_mark.column
    line = f"{indent}{loc[-1]}: {_flow(value)}"
    if items and len(line) > FLOW_WIDTH:
        line = f"{indent}{loc[-1]}:" + "".join(f"{newline}{indent}  - {item}" for item in items)
    prefix = text[:at] if text[:at].endswith("\n") or not at else text[:at] + newline
    return prefix + line + newline + text[at:]
