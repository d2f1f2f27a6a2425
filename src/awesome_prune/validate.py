"""Checks on records: the schema (pydantic errors mapped to file:line:col), tags against the
taxonomy, the id against the file name, and across records the same paper under two ids.

Each check returns a list of problems; nothing here raises for bad data or prints.
"""

from __future__ import annotations

import datetime as _dt
import types
import typing
from typing import Any, Callable, get_args, get_origin

from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import Problem, suggest
from .identity import paper_keys
from .load import Source
from .models import Paper, TagEntry, Taxonomy, Venue

T = typing.TypeVar("T", bound=BaseModel)


def _unwrap(tp: Any) -> Any:
    while True:
        origin = get_origin(tp)
        if origin is typing.Annotated:
            tp = get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            tp = next(a for a in get_args(tp) if a is not type(None))
        else:
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
    if kind == "too_short":
        return "needs at least one entry"
    return err["msg"].removeprefix("Value error, ")


def schema_problems(exc: ValidationError, source: Source, model: type[BaseModel]) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
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


class PaperChecker:
    """`check_model(source, Paper)`, faster: venues and the tag lists of a category repeat across
    records, so each distinct one is validated once and its (frozen) models handed to pydantic in
    place of the raw value, which pydantic then takes as they are. A record with any problem is
    validated again from its raw data, so messages are exactly `check_model`'s."""

    LIMIT = 4096  # distinct values kept per cache

    def __init__(self) -> None:
        self._venues: dict = {}
        self._tags: dict = {}
        self._tags_adapter: TypeAdapter | None = None

    def check(self, source: Source) -> tuple[Paper | None, list[Problem]]:
        data = source.data
        if type(data) is dict:
            try:
                return Paper.model_validate(self._known(data)), []
            except ValidationError:
                pass
        return check_model(source, Paper)

    @staticmethod
    def _key(value: Any) -> Any:
        """A key telling raw values apart by type too (1, 1.0 and True are equal in Python)."""
        if type(value) is dict:
            return tuple((k, type(v), v) for k, v in value.items())
        if type(value) is list:  # tag values as bare names (the usual way): nothing but text is
            return tuple(value)  # ever validated, and no other value equals a text
        return type(value), value

    def _model(self, cache: dict, value: Any, validate) -> Any:
        try:
            key = self._key(value)
            found = cache.get(key)
        except TypeError:  # unhashable (a mapping inside): left to pydantic
            return value
        if found is None:
            try:
                found = validate(value)
            except ValidationError:
                return value
            if len(cache) < self.LIMIT:
                cache[key] = found
        return found

    def _known(self, data: dict) -> dict:
        data = dict(data)
        venue = data.get("venue")
        if type(venue) is dict:
            data["venue"] = self._model(self._venues, venue, Venue.model_validate)
        tags = data.get("tags")
        if type(tags) is dict:
            if self._tags_adapter is None:
                self._tags_adapter = TypeAdapter(list[TagEntry])
            validate, cache = self._tags_adapter.validate_python, self._tags
            data["tags"] = {key: self._model(cache, entries, validate) if type(entries) is list else entries
                            for key, entries in tags.items()}
        return data


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
        # category key → spelling written exactly as a value's name or alias → that value's name
        # (built only from a sound taxonomy: no spelling is listed twice, whatever the case)
        self.exact = {key: {spelling: value.name for value in category.values
                            for spelling in (value.name, *value.aliases)}
                      for key, category in self.categories.items()}

    def check(self, paper: Paper, source: Source) -> list[Problem]:
        """Problems of the record's tags (the common case, every tag known and listed once, is a
        lookup per tag; anything else is worked out in full)."""
        exact = self.exact
        for key, refs in paper.tags.items():
            names = exact.get(key)
            if names is None:
                return self._check(paper, source)
            seen = set()
            for ref in refs:
                name = names.get(ref.value)
                if name is None or name in seen:
                    return self._check(paper, source)
                seen.add(name)
        return []

    def _check(self, paper: Paper, source: Source) -> list[Problem]:
        problems = []
        for key, refs in paper.tags.items():
            if key not in self.categories:
                line, col = source.key_position(("tags", key))
                problems.append(Problem(source.path, line, col, f"tags.{key}",
                                        f"unknown tag category {key!r}{suggest(key, self.categories)}"))
                continue
            seen = set()
            for i, ref in enumerate(refs):
                value = self.categories[key].lookup(ref.value)
                loc = ("tags", key, i)
                if value is None or value.name != ref.value and ref.value not in value.aliases:
                    names = [v.name for v in self.categories[key].values]
                    hint = f" (did you mean {value.name!r}?)" if value else suggest(ref.value, names)
                    if not hint:
                        hint = f"; known values: {', '.join(names)}"
                    line, col = source.position(loc)
                    problems.append(Problem(source.path, line, col, f"tags.{key}[{i}]",
                                            f"unknown value {ref.value!r}{hint}"))
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


def check_same_paper(papers: list[tuple[Paper, Source]], known: list) -> list[Problem]:
    """The same paper under two records: same arXiv id, OpenReview forum, DOI or title.

    `known` holds for each record (url, title, paper_keys(url, title)) worked out from its raw
    data, or None; they are used when the validated record has that very url and title.
    """
    return same_paper([record_keys(paper, found) for (paper, _), found in zip(papers, known)],
                      lambda index: papers[index][1])


def record_keys(paper: Paper, found: tuple | None) -> list[tuple[str, str]]:
    """The `paper_keys` of a validated record: those `found` in its raw data ((url, title, keys),
    from `records.read_records`) when the record has that very url and title."""
    if found and found[0] == paper.paper and found[1] == paper.title:
        return found[2]
    return paper_keys(paper.paper, paper.title)


def same_paper(keys: list[list[tuple[str, str]]], source: Callable[[int], Source]) -> list[Problem]:
    """`check_same_paper` of records given by their `paper_keys`, in file order; `source(index)`
    gives a record's source, asked for only when it is named in a problem."""
    problems = []
    claimed: dict[tuple[str, str], int] = {}
    for index, found in enumerate(keys):
        reported = False
        for key in found:
            first = claimed.setdefault(key, index)
            if first == index or reported:
                continue
            kind, value = key
            field = "title" if kind == "title" else "paper"
            other, here = source(first), source(index)
            o_line, o_col = other.position((field,))
            line, col = here.position((field,))
            what = "same title as" if kind == "title" else "same paper as"
            shown = "" if kind == "title" else f" ({kind} {value})"
            problems.append(Problem(here.path, line, col, field, f"{what} {other.path}:{o_line}:{o_col}{shown}"))
            reported = True
    return problems
