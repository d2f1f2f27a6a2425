"""One row of the hand-written list → one record's data, checked by the models, and its YAML text."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import yaml
from pydantic import ValidationError

from ...errors import Problem, ProblemsError
from .rows import parse_row
from .scan import RawRow
from .tags import TagResolver
from ...records.load import parse_yaml
from ...render.markup import github_repo
from ...records.models import Paper
from ...render.schema import SCHEMA_LINE

NO_TAKEAWAY = "To be written: the imported row had no take-away."
_FIELDS = ("title", "tags", "note", "code")


@dataclass
class Imported:
    line: int
    title: str
    paper: str
    paper_col: int
    venue: dict
    takeaway: str
    tags: dict
    added: _dt.date
    draft: bool
    code: dict | None = None
    links: dict = field(default_factory=dict)  # blog, reviews, video
    challenge: tuple[int, str] | None = None  # (column, URL) of the Challenge link
    challenges: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    colors: dict = field(default_factory=dict)
    unknown: list = field(default_factory=list)
    id: str | None = None
    data: dict | None = None  # set by finish(): what is written

    @property
    def reviews(self) -> str | None:
        return self.links.get("reviews")

    def mark_duplicate(self, first: "Imported", stand_in: str | None) -> None:
        self.comments.append(f"Draft: {self.paper} was also the paper link of {first.title!r} in the imported list.")
        if stand_in:
            self.comments.append("The Reviews link stands in as the paper link: check it, then remove `draft`.")
            self.paper = stand_in
        else:
            self.comments.append("Correct the paper link, then remove `draft`.")
        self.draft = True

    def _data(self) -> dict:
        data: dict = {"id": self.id, "title": self.title, "paper": self.paper, "venue": self.venue}
        if self.code:
            data["code"] = self.code
        data["takeaway"] = self.takeaway
        data["tags"] = self.tags
        notes = {"challenges": self.challenges} if self.challenges else {}
        notes.update(self.links)
        if notes:
            data["notes"] = notes
        data["added"] = self.added
        if self.draft:
            data["draft"] = True
        return data

    def finish(self, path: str, problems: list[Problem]) -> None:
        """Check the record with the models; drop optional fields that fail (reported); refuse the rest."""
        data = self._data()
        while True:  # ends: each pass returns or drops a field
            try:
                Paper.model_validate(data)
                self.data = data
                return
            except ValidationError as exc:
                error = exc.errors()[0]
            loc = tuple(error["loc"])
            shown = ".".join(map(str, loc))
            message = error["msg"].removeprefix("Value error, ")
            if loc[0] == "code" or loc[:1] == ("notes",) and len(loc) > 1:
                problems.append(Problem(path, self.line, 1, shown, f"{message}; not imported"))
                if loc[0] == "code":
                    data.pop("code")
                else:
                    data["notes"].pop(loc[1])
                    if not data["notes"]:
                        data.pop("notes")
                continue
            problems.append(Problem(path, self.line, 1, shown, f"{message}; row not imported"))
            return


def build_record(raw: RawRow, resolver: TagResolver, path: str, today: _dt.date,
                 problems: list[Problem]) -> Imported | None:
    row = parse_row(raw.cells)
    for cell, (offset, message, severity) in row.problems:
        problems.append(Problem(path, raw.line, raw.cells[cell].col + offset, _FIELDS[cell], message, severity))
    if not row.title or not row.paper:
        return None
    resolved = resolver.resolve(row.badges)
    for offset, message, severity in resolved.notes:
        problems.append(Problem(path, raw.line, raw.cells[1].col + offset, "tags", message, severity))

    def report(message: str, severity: str = "warning", cell: int = 0) -> None:
        problems.append(Problem(path, raw.line, raw.cells[cell].col, _FIELDS[cell], message, severity))

    status, name, year = row.venue or (None, None, None)
    if row.venue is None:
        report(f"no venue badge; written as a preprint of {raw.year}")
    elif status is None:
        status = "conference" if name else "preprint"
        report(f"venue badge label is not one of Conference, Journal, Workshop, Submission, Preprint, Arxiv; "
               f"written as {status}", "error")
    if year is not None and year != raw.year:
        report(f"venue year {year} differs from the section {raw.year}; the record is listed under {year}")
    venue = {"status": status or "preprint", **({"name": name} if name else {}), "year": year or raw.year}

    code = {"url": row.code[0], **({"framework": row.code[1]} if row.code[1] else {})} if row.code else None
    if code is None and row.stars:
        code = {"url": row.stars}
        report(f"no code link; the star badge's repository {row.stars} is used", cell=3)
    elif code and row.stars and github_repo(row.stars) != github_repo(code["url"]):
        report(f"the star badge ({row.stars}) and the code link ({code['url']}) differ; the code link is kept", cell=3)

    record = Imported(line=raw.line, title=row.title, paper=row.paper, paper_col=raw.cells[0].col, venue=venue,
                      takeaway=row.takeaway, tags=resolved.tags, added=today, draft=raw.commented, code=code,
                      links={k: url for k, (_, url) in row.notes.items() if k != "challenge"},
                      colors=resolved.colors, unknown=resolved.unknown)
    if "challenge" in row.notes:
        offset, url = row.notes["challenge"]
        record.challenge = (raw.cells[2].col + offset, url)
    if raw.commented:
        record.comments.append("Draft: this row is commented out in the imported list.")
    if not row.takeaway:
        record.takeaway = NO_TAKEAWAY
        record.comments.append("Draft: the imported row has no take-away; write one, then remove `draft`.")
        report("no take-away: imported as a draft with a placeholder take-away",
               "warning" if raw.commented else "error")
        record.draft = True
    return record


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


def _str(dumper, value: str):
    folded = len(value) > 80 and " " in value.strip()
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=">" if folded else None)


def _seq(dumper, value: list):
    flow = all(isinstance(v, str) and len(v) <= 40 for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


def _map(dumper, value: dict):
    flow = all(isinstance(v, int) or isinstance(v, str) and len(v) <= 60 and not any(c in v for c in ":,[]{}#'\"")
               for v in value.values())
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _seq)
_Dumper.add_representer(dict, _map)


def _dump(data: dict, folded: bool) -> str:
    if folded:
        return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=80)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1 << 30, default_flow_style=False)


def record_text(record: Imported) -> str:
    """The record's YAML, with the schema line and any explanation as comments; checked to round-trip."""
    assert record.data is not None
    head = "\n".join([SCHEMA_LINE] + [f"# {c}" for c in record.comments]) + "\n"
    for folded in (True, False):
        text = head + _dump(record.data, folded)
        if parse_yaml(text, f"{record.id}.yaml") == record.data:
            return text
    raise ProblemsError([Problem(f"{record.id}.yaml", 0, 0, "", "internal error, not written: the record does "
                                                                "not round-trip through YAML; please report this")])
