"""Checks on records, each returning problems (nothing raises for bad data or prints): the schema
(pydantic errors at file:line:col), tags, ids, dates, links in markdown, the same paper twice."""

from __future__ import annotations

import datetime as _dt
import html
import re
import types
import typing
from typing import Any, get_args, get_origin

from pydantic import BaseModel, ValidationError

from ..errors import Problem, suggest
from .identity import arxiv_id, paper_keys
from .load import Source
from .models import TAG_MAPPING, TAG_NAME, Paper, Taxonomy

T = typing.TypeVar("T", bound=BaseModel)
# A value explanation starting so is still to be written (`import --add-values` writes it): a warning.
PLACEHOLDER = "To be written:"


def _unwrap(tp: Any) -> Any:
    while get_origin(tp) in (typing.Annotated, typing.Union, types.UnionType):
        tp = get_args(tp)[0] if get_origin(tp) is typing.Annotated else next(a for a in get_args(tp) if a is not type(None))
    return tp


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed in the mapping at `loc`, for 'did you mean' on unknown keys."""
    tp: Any = model
    for part in loc:
        tp = _unwrap(tp)
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            if part not in tp.model_fields:
                return []
            tp = tp.model_fields[part].annotation
        else:
            args = get_args(tp)
            tp = args[-1] if args else None
    tp = _unwrap(tp)
    return list(tp.model_fields) if isinstance(tp, type) and issubclass(tp, BaseModel) else []


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"true/false ({value})".lower()
    kind = {int: "a number", float: "a number", list: "a list", dict: "a mapping", type(None): "nothing",
            _dt.date: "a date", _dt.datetime: "a date and time"}.get(type(value))
    return f"{kind} ({value!r})" if kind and not isinstance(value, (list, dict, type(None))) else kind or repr(value)


def _message(err: dict, model: type[BaseModel]) -> str:
    kind, value, loc = err["type"], err.get("input"), err["loc"]
    if kind == "missing":
        return f"missing required field {loc[-1]!r}"
    if kind == "extra_forbidden":
        return f"unknown field {loc[-1]!r}{suggest(str(loc[-1]), _fields_at(model, loc[:-1]))}"
    if kind == "literal_error":
        allowed = [a.strip("'") for a in err["ctx"]["expected"].replace(" or ", ", ").split(", ")]
        return f"{value!r} is not one of {', '.join(allowed)}{suggest(str(value), allowed)}"
    if kind == "string_type":
        return f"expected text, got {_describe(value)}"
    if kind.startswith("date") or kind == "value_error" and "2024-01-15" in err["msg"]:
        text = err["msg"].removeprefix("Value error, ")
        return text if "2024-01-15" in text else f"expected a date like 2024-01-15, got {value!r}"
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"expected a whole number, got {_describe(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {_describe(value)}"
    if kind == "model_type" or kind == "model_attributes_type":
        return f"expected a mapping of fields, got {_describe(value)}"
    if kind == "dict_type":
        return f"expected a mapping, got {_describe(value)}"
    if kind == "list_type":
        return f"expected a list, got {_describe(value)}"
    if kind in ("string_too_long", "too_long") and isinstance(value, str):
        limit = err["ctx"]["max_length"]
        return f"is {len(value)} characters long; the limit is {limit} (say less: a README row shows it)"
    if kind == "too_short":
        return "needs at least one entry"
    return err["msg"].removeprefix("Value error, ")


def schema_problems(exc: ValidationError, source: Source, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(part for i, part in enumerate(err["loc"])  # without the tag form's name
                    if not (part in (TAG_NAME, TAG_MAPPING) and i and isinstance(err["loc"][i - 1], int)))
        if err["type"] == "extra_forbidden":
            line, col = source.key_position(loc)
        else:
            line, col = source.position(loc)
        problems.append(Problem(source.path, line, col, ".".join(map(str, loc)), _message(err, model)))
    return problems


def check_model(source: Source, model: type[T]) -> tuple[T | None, list[Problem]]:
    try:
        return model.model_validate(source.data), []
    except ValidationError as exc:
        return None, schema_problems(exc, source, model)


def check_taxonomy(taxonomy: Taxonomy, source: Source) -> list[Problem]:
    problems = []

    def dup(loc: tuple, what: str, name: str, first: tuple) -> None:
        line, col = source.position(loc)
        first_line = source.position(first)[0]
        problems.append(Problem(source.path, line, col, ".".join(map(str, loc)),
                                f"{what} {name!r} is listed twice (first at line {first_line})"))

    seen_keys: dict[str, tuple] = {}
    seen_pages: dict[str, tuple] = {}
    for c, category in enumerate(taxonomy.categories):
        here = ("categories", c)
        for table, value, field in ((seen_keys, category.key, "key"), (seen_pages, category.page, "page")):
            if value in table:
                dup(here + (field,), f"category {field}", value, table[value])
            table.setdefault(value, here + (field,))
        names: dict[str, tuple] = {}
        for v, value in enumerate(category.values):
            if value.explanation.startswith(PLACEHOLDER):
                loc = here + ("values", v, "explanation")
                problems.append(Problem(source.path, *source.position(loc), ".".join(map(str, loc)),
                                        f"the explanation of {value.name!r} is still to be written", "warning"))
            spellings = [(value.name, here + ("values", v, "name"))]
            spellings += [(alias, here + ("values", v, "aliases", a)) for a, alias in enumerate(value.aliases)]
            for spelling, loc in spellings:
                if spelling.casefold() in names:
                    dup(loc, "value", spelling, names[spelling.casefold()])
                names.setdefault(spelling.casefold(), loc)
    return problems


class TagIndex:
    """Resolves a tag as written (name or alias, any case) to its category and value."""

    def __init__(self, taxonomy: Taxonomy):
        self.categories = taxonomy.by_key
        # category key → each spelling written exactly as a value's name or alias → that value's name
        self.required = {key for key, category in self.categories.items() if category.required}
        self.exact = {key: {spelling: value.name for value in category.values for spelling in (value.name, *value.aliases)}
                      for key, category in self.categories.items()}

    def check(self, paper: Paper, source: Source) -> list[Problem]:
        """Problems of a valid record's tags: unknown categories and values, values listed twice."""
        tags = [(key, [value for value, _ in refs]) for key, refs in paper.refs.items()]
        if self.required - {key for key, _ in tags}:
            return self._check(source, tags)
        for key, values in tags:  # the usual case, every tag known and listed once: a look-up each
            names = self.exact.get(key)
            if names is None or len({names.get(value) for value in values} - {None}) != len(values):
                return self._check(source, tags)
        return []

    def check_raw(self, source: Source) -> list[Problem]:
        """The same for a record whose schema failed, from its raw data (so that one run reports
        every problem of the record); entries that are not tags are the schema's problems."""
        found = []
        for key, entries in source.data["tags"].items():
            if isinstance(entries, list):
                values = [e.get("value") if isinstance(e, dict) else e for e in entries]
                found.append((key, [v if isinstance(v, str) else None for v in values]))
        return self._check(source, found)

    def _check(self, source: Source, tags: list[tuple[str, list[str | None]]]) -> list[Problem]:
        problems = []
        stated = {key for key, _ in tags}
        for category in self.categories.values():
            if category.required and category.key not in stated:
                line, col = source.key_position(("tags",))
                problems.append(Problem(source.path, line, col, f"tags.{category.key}",
                                        f"no value for {category.name}, which every record states; use 'Other' with "
                                        "a detail when no value fits"))
        for key, values in tags:
            if key not in self.categories:
                line, col = source.key_position(("tags", key))
                problems.append(Problem(source.path, line, col, f"tags.{key}",
                                        f"unknown tag category {key!r}{suggest(key, self.categories)}"))
                continue
            category = self.categories[key]
            seen = set()
            for i, written in enumerate(values):
                if written is None:
                    continue
                value = category.lookup(written)
                loc = ("tags", key, i)
                if value is None or value.name != written and written not in value.aliases:
                    names = [v.name for v in category.values]
                    hint = f" (did you mean {value.name!r}?)" if value else suggest(written, names)
                    if not hint:
                        hint = f"; known values: {', '.join(names)}"
                    line, col = source.position(loc)
                    problems.append(Problem(source.path, line, col, f"tags.{key}[{i}]",
                                            f"unknown value {written!r}{hint}"))
                elif value.name in seen:
                    line, col = source.position(loc)
                    problems.append(Problem(source.path, line, col, f"tags.{key}[{i}]",
                                            f"value {value.name!r} is listed twice"))
                else:
                    seen.add(value.name)
        return problems


def check_id(paper: Paper, source: Source) -> list[Problem]:
    """The record's id must be its file's name."""
    if paper.id == source.file.stem:
        return []
    line, col = source.position(("id",))
    return [Problem(source.path, line, col, "id", f"id {paper.id!r} differs from the file name; rename the file to "
                                                  f"{paper.id}.yaml or set id: {source.file.stem}")]


EARLIEST = _dt.date(2000, 1, 1)


def check_record(paper: Paper, source: Source, today: _dt.date) -> list[Problem]:
    """What a record's fields must agree on: its id and file name, dates, and the links in its
    markdown (http(s), relative or `#anchor` only)."""
    problems = check_id(paper, source)

    def problem(loc: tuple, message: str) -> None:
        problems.append(Problem(source.path, *source.position(loc), ".".join(map(str, loc)), message))

    if paper.added > today:
        problem(("added",), f"{paper.added.isoformat()} is in the future (today is {today.isoformat()})")
    elif paper.added < EARLIEST:
        problem(("added",), f"{paper.added.isoformat()} is before {EARLIEST.year}; the list began later")
    first = arxiv_id(paper.paper)
    year = int(first[:2]) + 2000 if first and first[:2].isdigit() else None
    if year and paper.venue.year < year:
        problem(("venue", "year"), f"{paper.venue.year} is before {year}, when the paper first appeared on arXiv "
                                   f"(its id {first} says so)")
    texts = [(("takeaway",), paper.takeaway)] + [(("notes", "challenges", i), note)
                                                  for i, note in enumerate(paper.notes.challenges)]
    for loc, text in texts:
        for url in link_targets(text):
            if not link_allowed(url):
                line = source.line_of(loc, url)
                col = source.text.splitlines()[line - 1].find(url) + 1 if source.text else 0
                problems.append(Problem(source.path, line, col or 1, ".".join(map(str, loc)),
                                        f"link to {url!r}: only http(s), relative or #anchor links are allowed"))
    return problems


# A link's target in markdown: `[text](target)`, `![alt](target)`, `[label]: target`, `<scheme:…>`.
# Not a parser: a net wide enough to catch every target markdown could make a link of (a target
# inside a code span is caught too, and must be allowed as well).
_TARGET = re.compile(r"\]\(\s*<?((?:[^\s()<>]|\([^\s()]*\))*)|^\s*\[[^\]]+\]:\s*<?(\S*?)>?(?:\s|$)|<([A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]*)>",
                     re.M)
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def link_targets(text: str) -> list[str]:
    if "](" not in text and "<" not in text and "]:" not in text:
        return []
    return [next(g for g in match.groups() if g is not None) for match in _TARGET.finditer(text)]


def link_allowed(url: str) -> bool:
    """Whether a link or image target may appear in the pages: http(s), relative, `#fragment`.

    Refused: every other scheme (`javascript:`, `data:`, `vbscript:`, `file:`, `mailto:` …), also
    when disguised by case, whitespace or control characters, and protocol-relative `//host`.
    """
    compact = _INVISIBLE.sub("", html.unescape(url))
    if compact.startswith(("//", "\\\\", "/\\", "\\/")):
        return False
    scheme = _SCHEME.match(compact)
    if scheme is None:
        return ":" not in compact.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return scheme.group(1).lower() in ("http", "https")


def check_same_paper(papers: list[tuple[Paper, Source]]) -> list[Problem]:
    """The same paper under two records: same arXiv id, OpenReview forum, DOI or title."""
    problems = []
    claimed: dict[tuple[str, str], int] = {}
    for index, (paper, here) in enumerate(papers):
        for key in paper_keys(paper.paper, paper.title):
            first = claimed.setdefault(key, index)
            if first == index:
                continue
            kind, value = key
            field = "title" if kind == "title" else "paper"
            other = papers[first][1]
            o_line, o_col = other.position((field,))
            line, col = here.position((field,))
            what = "same title as" if kind == "title" else "same paper as"
            shown = "" if kind == "title" else f" ({kind} {value})"
            problems.append(Problem(here.path, line, col, field, f"{what} {other.path}:{o_line}:{o_col}{shown}"))
            break
    return problems
