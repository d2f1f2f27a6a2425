"""Pydantic models of the list's data: papers, the tag taxonomy and the list settings.

No I/O here: loading and cross-record checks live in their own stages. Every model refuses
unknown keys, so a misspelt field is an error rather than silently ignored data.
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from functools import cached_property
from typing import Annotated, Iterable, Literal, Union

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, StrictBool, Tag

KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_WHITESPACE = re.compile(r"\s")
_HOST = re.compile(r"^[A-Za-z0-9.-]+(?::\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](?::\d{1,5})?$")


# The usual URL (a dotted host name, no port, no whitespace, printable ASCII only).
_PLAIN_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:[/?#][!-~]*)?")
_PORT = re.compile(r":(\d*)$")


_HIDDEN = frozenset({"Cc", "Cf", "Co", "Cs", "Zl", "Zp"})  # controls, format (zero-width, bidi), private use, …


def _invisible(value: str) -> None:
    """Refuse characters that cannot be seen or that reorder text: controls, zero-width and bidi
    formatting characters (Unicode Cf), line and paragraph separators, private use, unassigned."""
    for char in value:
        if not char.isprintable() and char not in "\t\n\r":
            kind = unicodedata.category(char)
            if kind in _HIDDEN:
                what = "control" if kind == "Cc" else "invisible"
                raise ValueError(f"contains the {what} character U+{ord(char):04X}; remove it")


def _check_url(value: str) -> str:
    """An absolute http(s) URL with a host, a valid port and no whitespace or invisible character."""
    if _PLAIN_URL.fullmatch(value):
        return value
    if _WHITESPACE.search(value):
        raise ValueError("URL contains whitespace; encode spaces as %20")
    _invisible(value)
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
    port = _PORT.search(host.rpartition("]")[2])
    if port and not (port[1] and 1 <= int(port[1]) <= 65535):
        raise ValueError(f"URL port {port[1] or '(empty)'} is not between 1 and 65535")
    return value


def _line(value: str) -> str:
    """One line of visible text, trimmed."""
    if value.isprintable():
        stripped = value.strip()
        if stripped:
            return stripped
    elif "\n" in value or "\r" in value:
        raise ValueError("must be a single line")
    elif "\t" in value:
        raise ValueError("contains a tab; use a space")
    _invisible(value)
    if not value.strip():
        raise ValueError("must not be empty")
    return value.strip()


def _text(value: str) -> str:
    """Visible text, line breaks allowed, trimmed."""
    if not value.isprintable():
        _invisible(value)
    stripped = value.strip()
    if not stripped:
        raise ValueError("must not be empty")
    return stripped


def _kebab(value: str) -> str:
    if not KEBAB.match(value):
        raise ValueError(f"{value!r} is not kebab-case (lower-case letters, digits and single dashes)")
    return value


_DATE_LIKE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _strict_date(value: object) -> object:
    """YAML gives a date for `2024-01-15`; refuse numbers and other shapes before pydantic coerces them."""
    if isinstance(value, _dt.datetime):
        raise ValueError("expected a date like 2024-01-15, not a date and time")
    if isinstance(value, (int, float, bool)):
        raise ValueError(f"expected a date like 2024-01-15, got {value!r}")
    if isinstance(value, str) and _DATE_LIKE.fullmatch(value):  # YAML reads an impossible date as text
        try:
            _dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"invalid date {value!r}: {exc}") from None
    return value


Url = Annotated[str, Field(strict=True), AfterValidator(_check_url)]
Text = Annotated[str, Field(strict=True), AfterValidator(_text)]
Line = Annotated[str, Field(strict=True), AfterValidator(_line)]
Kebab = Annotated[str, Field(strict=True), AfterValidator(_kebab)]
Day = Annotated[_dt.date, BeforeValidator(_strict_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=False)


VenueStatus = Literal["conference", "journal", "workshop", "submission", "preprint"]


class Venue(Strict):
    status: VenueStatus
    name: Line | None = None
    year: Annotated[int, Field(strict=True, ge=1950, le=2100)]

    @cached_property
    def label(self) -> str:
        """`Conference`, `Submission`, … as the venue badge's left part."""
        return self.status.capitalize()

    @cached_property
    def short(self) -> str:
        """`ICLR'24`: the venue name with a two-digit year; `arXiv'24` for a nameless preprint, the
        year alone for another nameless venue (`Submission 2025`, not `Submission Submission'25`)."""
        if self.name or self.status == "preprint":
            return f"{self.name or 'arXiv'}'{self.year % 100:02d}"
        return str(self.year)


class Code(Strict):
    url: Url
    framework: Line | None = None


class TagRef(Strict):
    value: Line
    detail: Line | None = None


# A tag is a bare value name (`Unstructured`) or a mapping (`{value: Sparsity, detail: layer}`).
# The two are told apart before validation, so a bad entry gets the messages of its own form; the
# bare name stays a string (a model per tag would cost most of a record's validation).
TAG_NAME, TAG_MAPPING = "tag-name", "tag-mapping"  # dropped from error locations by `validate`
TagEntry = Annotated[Union[Annotated[Line, Tag(TAG_NAME)], Annotated[TagRef, Tag(TAG_MAPPING)]],
                     Discriminator(lambda value: TAG_NAME if isinstance(value, str) else TAG_MAPPING)]


class Notes(Strict):
    challenges: list[Text] = Field(default_factory=list)
    blog: Url | None = None
    reviews: Url | None = None
    video: Url | None = None


class Paper(Strict):
    id: Kebab
    title: Annotated[Line, Field(max_length=300)]
    authors: list[Line] = Field(default_factory=list)  # in the paper's order; left out when unknown
    paper: Url
    venue: Venue
    code: Code | None = None
    takeaway: Annotated[Text, Field(max_length=1200)]
    tags: dict[str, Annotated[list[TagEntry], Field(min_length=1)]]
    notes: Notes = Field(default_factory=Notes)
    added: Day
    draft: StrictBool = False

    @property
    def year(self) -> int:
        return self.venue.year

    @cached_property
    def refs(self) -> dict[str, tuple[tuple[str, str | None], ...]]:
        """Category key → its tags as (value as written, detail or None)."""
        return {key: tuple((ref, None) if isinstance(ref, str) else (ref.value, ref.detail) for ref in refs)
                for key, refs in self.tags.items()}

    def tag_entries(self, keys: Iterable[str]) -> tuple[tuple, ...]:
        """(category key, (value, detail), …) for each category of `keys` (taxonomy order) the
        paper has tags in: hashable, so what is worked out from it can be kept per entry."""
        refs = self.refs
        return tuple([(key, *refs[key]) for key in keys if refs.get(key)])


class Value(Strict):
    name: Line
    short: Line | None = None
    explanation: Line
    reference: Url | None = None
    aliases: list[Line] = Field(default_factory=list)


class Category(Strict):
    key: Kebab
    name: Line
    color: Annotated[str, Field(strict=True, pattern=r"^(?:[a-z]+|[0-9A-Fa-f]{6})$")]
    page: Annotated[str, Field(strict=True, pattern=r"^[a-z0-9_-]+\.md$")]
    explanation: Text
    values: Annotated[list[Value], Field(min_length=1)]
    required: StrictBool = False  # every record must state a value (`Other`, with a detail, when none fits)

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
