"""Pydantic models of the list's data: papers, the tag taxonomy and the list settings.

No I/O here: loading and cross-record checks live in their own stages. Every model refuses
unknown keys, so a misspelt field is an error rather than silently ignored data.
"""

from __future__ import annotations

import datetime as _dt
import re
from functools import cached_property
from typing import Annotated, Iterable, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StrictBool

KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WHITESPACE = re.compile(r"\s")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")


# The usual URL (a dotted host name, no port, no whitespace): accepted at once (pure speed).
_PLAIN_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#]\S*)?")


def _check_url(value: str) -> str:
    """An absolute http(s) URL with a host and no whitespace; returned unchanged."""
    if _PLAIN_URL.fullmatch(value):
        return value
    if _WHITESPACE.search(value):
        raise ValueError("URL contains whitespace; encode spaces as %20")
    scheme, sep, rest = value.partition("://")
    if not sep:
        raise ValueError(f"not an absolute URL: {value!r} (expected https://…)")
    if scheme.lower() not in ("http", "https"):
        raise ValueError(f"URL scheme {scheme!r} is not allowed (use https)")
    host = re.split(r"[/?#]", rest, maxsplit=1)[0]
    if "@" in host:
        raise ValueError("URL must not carry a user name or password")
    if not host or not _HOST.match(host) or "." not in host.strip("[]") and ":" not in host:
        raise ValueError(f"URL has no valid host: {value!r}")
    return value


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # tab, LF and CR are checked apart


def _no_controls(value: str) -> str:
    bad = _CONTROLS.search(value)
    if bad:
        raise ValueError(f"contains the control character U+{ord(bad.group()):04X}; remove it")
    return value


_ONE_LINE_OK = re.compile(r"[^\x00-\x1f\x7f-\x9f]*")  # no control character, tab, LF or CR (pure speed)
_TEXT_OK = re.compile(r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*")


def _one_line(value: str) -> str:
    if _ONE_LINE_OK.fullmatch(value):
        return value
    if "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    if "\t" in value:
        raise ValueError("contains a tab; use a space")
    return _no_controls(value)


def _not_blank(value: str) -> str:
    if _TEXT_OK.fullmatch(value) and not value.isspace() and value:
        return value.strip()
    _no_controls(value)
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _kebab(value: str) -> str:
    if not KEBAB.match(value):
        raise ValueError(f"{value!r} is not kebab-case (lower-case letters, digits and single dashes)")
    return value


def _strict_date(value: object) -> object:
    """YAML gives a date for `2024-01-15`; refuse numbers and other shapes before pydantic coerces them."""
    if isinstance(value, _dt.datetime):
        raise ValueError("expected a date like 2024-01-15, not a date and time")
    if isinstance(value, (int, float, bool)):
        raise ValueError(f"expected a date like 2024-01-15, got {value!r}")
    return value


Url = Annotated[str, Field(strict=True), AfterValidator(_check_url)]
Text = Annotated[str, Field(strict=True), AfterValidator(_not_blank)]
Line = Annotated[str, Field(strict=True), AfterValidator(_one_line), AfterValidator(_not_blank)]
Kebab = Annotated[str, Field(strict=True), AfterValidator(_kebab)]
Day = Annotated[_dt.date, BeforeValidator(_strict_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


VenueStatus = Literal["conference", "journal", "workshop", "submission", "preprint"]


class Venue(Strict):
    status: VenueStatus
    name: Line | None = None
    year: Annotated[int, Field(strict=True, ge=1950, le=2100)]

    @property
    def label(self) -> str:
        """`Conference`, `Submission`, … as the venue badge's left part."""
        return self.status.capitalize()

    @property
    def short(self) -> str:
        """`ICLR'24`: the venue name with a two-digit year (`arXiv'24` for a nameless preprint)."""
        name = self.name or ("arXiv" if self.status == "preprint" else self.status.capitalize())
        return f"{name}'{self.year % 100:02d}"


class Code(Strict):
    url: Url
    framework: Line | None = None


class TagRef(Strict):
    value: Line
    detail: Line | None = None


def _tag_shorthand(value: object) -> object:
    """A tag may be written as a bare value name: `Unstructured` means `{value: Unstructured}`."""
    return {"value": value} if isinstance(value, str) else value


TagEntry = Annotated[TagRef, BeforeValidator(_tag_shorthand)]


class Notes(Strict):
    challenges: list[Text] = []
    blog: Url | None = None
    reviews: Url | None = None
    video: Url | None = None


class Paper(Strict):
    id: Kebab
    title: Line
    authors: list[Line] = []  # in the paper's order; left out when unknown
    paper: Url
    venue: Venue
    code: Code | None = None
    takeaway: Text
    tags: dict[str, Annotated[list[TagEntry], Field(min_length=1)]]
    notes: Notes = Notes()
    added: Day
    draft: StrictBool = False

    @property
    def year(self) -> int:
        return self.venue.year

    def tag_entries(self, keys: Iterable[str]) -> tuple[tuple, ...]:
        """(category key, (value, detail), …) for each category of `keys` (taxonomy order) the
        paper has tags in: hashable, so what is worked out from it can be kept per entry."""
        tags = self.tags
        return tuple([(key, *[(ref.value, ref.detail) for ref in tags[key]]) for key in keys if tags.get(key)])


class Value(Strict):
    name: Line
    short: Line | None = None
    explanation: Line
    reference: Url | None = None
    aliases: list[Line] = []


class Category(Strict):
    key: Kebab
    name: Line
    color: Annotated[str, Field(strict=True, pattern=r"^(?:[a-z]+|[0-9A-Fa-f]{6})$")]
    page: Annotated[str, Field(strict=True, pattern=r"^[a-z0-9_-]+\.md$")]
    explanation: Text
    values: Annotated[list[Value], Field(min_length=1)]

    @cached_property
    def _spellings(self) -> dict[str, Value]:
        index: dict[str, Value] = {}
        for value in self.values:
            for spelling in (value.name, *value.aliases):
                index.setdefault(spelling.casefold(), value)
        return index

    def lookup(self, spelling: str) -> Value | None:
        """The value a tag names, by name or alias, ignoring case (the first listed wins)."""
        return self._spellings.get(spelling.casefold())


class Taxonomy(Strict):
    categories: Annotated[list[Category], Field(min_length=1)]

    @cached_property
    def by_key(self) -> dict[str, Category]:
        return {category.key: category for category in self.categories}


class Related(Strict):
    name: Line
    url: Url
    description: Line | None = None


_CODES = r"^\s*\d{3}(?:\s*-\s*\d{3})?(?:\s*,\s*\d{3}(?:\s*-\s*\d{3})?)*\s*$"


class LinkSettings(Strict):
    """`[tool.awesome-prune.links]`: defaults of `awesome-prune links` (its flags override them)."""

    timeout: Annotated[float, Field(gt=0, le=300)] = 10.0  # seconds per request (overall: twice that)
    workers: Annotated[int, Field(ge=1, le=256)] = 24
    per_host: Annotated[int, Field(ge=1, le=64)] = 4  # concurrent requests to one host
    exclude: list[Annotated[str, Field(strict=True, min_length=1)]] = []  # regexes searched in each URL
    accept: Annotated[str, Field(strict=True, pattern=_CODES)] = "200-299"  # e.g. "200-299,403"
    user_agent: Line | None = None  # None: the checker's own
    cache: str = ".cache/links.json"  # successes only; relative to the list's folder
    cache_max_age: Annotated[float, Field(ge=0)] = 7 * 86400.0  # seconds


class Settings(Strict):
    """`[tool.awesome-prune]` in pyproject.toml."""

    title: Line
    intro: Text
    repository: Url
    related: list[Related] = []
    order: Literal["added", "title", "id"] = "added"
    recent: Annotated[int, Field(ge=0, le=100)] = 5  # papers in "Recently added" (0: no such section)
    papers: str = "papers"
    taxonomy: str = "concepts/taxonomy.yaml"
    templates: str = "templates"
    challenge_intro: str = "challenge/general.md"
    links: LinkSettings = LinkSettings()
