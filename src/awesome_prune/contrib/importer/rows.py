"""Reading one row of the hand-written list: cells, links, badges, and the four columns' contents.

Pure functions on strings. Problems are returned as (column, message, severity) notes that the
caller turns into positioned `Problem`s; nothing here knows the file or the taxonomy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

COLUMNS = ("Title & Take-away", "Tags", "Note", "Code")
_BR = re.compile(r"<br\s*/?>", re.I)
_STARS = re.compile(r"^https?://img\.shields\.io/github/stars/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.svg)?(?:[?#].*)?$")
_BADGE = re.compile(r"^https?://img\.shields\.io/badge/([^?#]+?)(?:\.svg|\.png)?(?:[?#].*)?$")
_VENUE_MESSAGE = re.compile(r"^(?P<name>.*?)\s*(?:'(?P<yy>\d\d)|(?P<yyyy>(?:19|20)\d\d))$")
STATUSES = {"conference": "conference", "journal": "journal", "workshop": "workshop", "submission": "submission",
            "preprint": "preprint", "arxiv": "preprint"}
NOTE_KINDS = {"challenge": "challenge", "blog": "blog", "reviews": "reviews", "review": "reviews", "video": "video"}
PLAIN_CODE_TEXT = {"", "code", "github", "repo", "repository", "link"}


@dataclass(frozen=True)
class Cell:
    text: str  # as written, entities of commented rows already decoded
    col: int  # 1-based column of the cell's first character in the line


@dataclass(frozen=True)
class Item:
    """A top-level inline link `[label](url)` or image `![label](url)` of a cell."""

    kind: str  # link | image
    label: str
    url: str
    start: int
    end: int

    @property
    def image(self) -> "Item | None":
        """The image a badge link wraps: `[![alt](src)](href)`."""
        inner = items(self.label.strip()) if self.kind == "link" else []
        if len(inner) == 1 and inner[0].kind == "image" and inner[0].end == len(self.label.strip()):
            return inner[0]
        return None


Note = tuple[int, str, str]  # (offset in the cell, message, severity)


@dataclass
class Row:
    """The contents of one row, before tags are resolved against a taxonomy."""

    title: str | None = None
    paper: str | None = None
    takeaway: str = ""
    venue: tuple[str | None, str | None, int | None] | None = None  # (status label, name, year)
    stars: str | None = None  # repository URL of the star badge
    badges: list[tuple[int, str, str, str]] = field(default_factory=list)  # (offset, label, message, color)
    notes: dict[str, tuple[int, str]] = field(default_factory=dict)  # kind → (offset, url)
    code: tuple[str, str | None] | None = None  # (url, framework)
    problems: list[tuple[int, Note]] = field(default_factory=list)  # (cell index, note)


def split_cells(line: str, start: int = 0) -> list[Cell]:
    """The cells of a table row; `start` is where `line` sits in the file's line (for columns)."""
    text = line.rstrip()
    body_start = len(text) - len(text.lstrip())
    text = text.strip()
    if text.startswith("|"):
        text, body_start = text[1:], body_start + 1
    if text.endswith("|") and not text.endswith("\\|"):
        text = text[:-1]
    cells, begin = [], 0
    for match in re.finditer(r"(?<!\\)\|", text):
        cells.append((begin, text[begin:match.start()]))
        begin = match.end()
    cells.append((begin, text[begin:]))
    return [Cell(raw.strip(), start + body_start + offset + (len(raw) - len(raw.lstrip())) + 1)
            for offset, raw in cells]


def _match(text: str, i: int, open_: str, close: str) -> int | None:
    depth, j = 0, i
    while j < len(text):
        char = text[j]
        if char == "\\":
            j += 2
            continue
        if char == open_:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None


def items(text: str) -> list[Item]:
    """Top-level `[label](url)` links and `![alt](src)` images, in order."""
    found, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        image = char == "!" and text[i + 1:i + 2] == "["
        if char == "[" or image:
            bracket = i + 1 if image else i
            close = _match(text, bracket, "[", "]")
            if close is not None and text[close + 1:close + 2] == "(":
                paren = _match(text, close + 1, "(", ")")
                if paren is not None:
                    url = text[close + 2:paren].strip().split(" ")[0].strip("<>")
                    found.append(Item("image" if image else "link", text[bracket + 1:close], url, i, paren + 1))
                    i = paren + 1
                    continue
        i += 1
    return found


def leftover(text: str, found: list[Item]) -> str:
    """What a cell holds besides its links, `<br>`s and spaces."""
    for item in reversed(found):
        text = text[:item.start] + " " + text[item.end:]
    return " ".join(_BR.sub(" ", text).split())


def unescape_markdown(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def shields_parts(path: str) -> list[str]:
    """`Type-Un/Semi--structured-blue` → ['Type', 'Un/Semi-structured', 'blue'] (shields' escaping)."""
    parts, current, i = [], "", 0
    while i < len(path):
        pair = path[i:i + 2]
        if pair in ("--", "__"):
            current += pair[0]
            i += 2
        elif path[i] == "-":
            parts.append(current)
            current, i = "", i + 1
        else:
            current += " " if path[i] == "_" else path[i]
            i += 1
    parts.append(current)
    return [unquote(part) for part in parts]


def badge(url: str) -> tuple[str, str, str] | None:
    """(label, message, color) of a shields.io static badge URL; label is '' for a two-part badge."""
    match = _BADGE.match(url)
    if not match:
        return None
    parts = shields_parts(match.group(1))
    if len(parts) == 2:
        return "", parts[0], parts[1]
    return (parts[0], parts[1], parts[2]) if len(parts) == 3 else None


def parse_venue(label: str, message: str) -> tuple[str | None, str | None, int | None]:
    """`Conference`, `ICML'23` → ('conference', 'ICML', 2023); the status is None when unknown."""
    match = _VENUE_MESSAGE.match(message.strip())
    name, year = message.strip(), None
    if match:
        name = match.group("name").strip()
        year = 2000 + int(match.group("yy")) if match.group("yy") else int(match.group("yyyy"))
    status = STATUSES.get(label.strip().casefold())
    if name.casefold() in ("arxiv", "preprint", ""):
        return status or "preprint", None, year
    return status, name, year


def parse_title_cell(text: str, row: Row) -> None:
    found = items(text)
    title_item = next((i for i in found if i.kind == "link" and i.image is None), None)
    for item in found:
        if title_item is not None and item.start >= title_item.end:
            break
        image = item.image if item.kind == "link" else item
        if item is title_item or image is None:
            continue
        stars = _STARS.match(image.url)
        if stars:
            row.stars = item.url or f"https://github.com/{stars.group(1)}/{stars.group(2)}"
            if not item.url:
                row.problems.append((0, (item.start, "star badge links to nothing `()`; its repository is used",
                                         "warning")))
            continue
        parts = badge(image.url)
        if parts is None:
            row.problems.append((0, (item.start, f"badge {image.url!r} is neither a star nor a venue badge; ignored",
                                     "warning")))
            continue
        if row.venue is not None:
            row.problems.append((0, (item.start, f"a second venue badge ({parts[0]}-{parts[1]}) ignored", "warning")))
            continue
        row.venue = parse_venue(parts[0], parts[1])
        if item.kind == "link" and not item.url:
            row.problems.append((0, (item.start, "venue badge links to nothing `()`; the generated list shows it "
                                                 "without a link", "warning")))
    if title_item is None:
        row.problems.append((0, (0, "no title link `[Title](paper URL)` found; row not imported", "error")))
        return
    row.title = " ".join(unescape_markdown(title_item.label).split())
    row.paper = title_item.url or None
    if not title_item.url:
        row.problems.append((0, (title_item.start, "the title links to nothing `()`; row not imported", "error")))
    stray = leftover(text[:title_item.start], [i for i in found if i.end <= title_item.start])
    if stray:
        row.problems.append((0, (0, f"text before the title ignored: {stray!r}", "warning")))
    takeaway = _BR.sub(" ", text[title_item.end:])
    row.takeaway = " ".join(takeaway.split())
    for item in items(row.takeaway):
        if not item.url:
            row.problems.append((0, (title_item.end, f"take-away link [{item.label}]() links to nothing", "warning")))
        elif not urlsplit(item.url).scheme and not item.url.startswith("#"):
            row.problems.append((0, (title_item.end, f"take-away links to the relative path {item.url!r}, which "
                                                     "may not exist in the generated list", "warning")))


def _stray(text: str, found: list, row: Row, cell: int, name: str) -> None:
    """Text of a cell outside its links and badges (other than a lone `-`): reported, ignored."""
    stray = leftover(text, found)
    if stray and stray != "-":
        row.problems.append((cell, (0, f"text in the {name} cell ignored: {stray[:80]!r}", "error")))


def parse_tags_cell(text: str, row: Row) -> None:
    found = items(text)
    for item in found:
        image = item.image if item.kind == "link" else item
        parts = badge(image.url) if image else None
        if parts is None or not parts[0]:
            shown = text[item.start:item.end]
            row.problems.append((1, (item.start, f"not a tag badge, ignored: {shown[:80]!r}", "error")))
            continue
        row.badges.append((item.start, *parts))
    _stray(text, found, row, 1, "tags")


def parse_notes_cell(text: str, row: Row) -> None:
    found = items(text)
    for item in found:
        kind = NOTE_KINDS.get(unescape_markdown(item.label).strip().casefold())
        if item.kind != "link" or kind is None:
            row.problems.append((2, (item.start, f"note link {item.label!r} is not imported (only Challenge, Blog, "
                                                 "Reviews and Video are)", "error")))
        elif not item.url:
            row.problems.append((2, (item.start, f"{item.label} links to nothing `()`; not imported", "warning")))
        elif kind in row.notes:
            row.problems.append((2, (item.start, f"a second {item.label} link ignored", "error")))
        else:
            row.notes[kind] = (item.start, item.url)
    _stray(text, found, row, 2, "note")


def parse_code_cell(text: str, row: Row) -> None:
    found = items(text)
    for index, item in enumerate(found):
        if index > 0:
            row.problems.append((3, (item.start, f"a second code link ignored: {item.url!r}", "error")))
        elif not item.url:
            row.problems.append((3, (item.start, "the code link links to nothing `()`; not imported", "warning")))
        else:
            label = unescape_markdown(item.label).strip()
            row.code = (item.url, None if label.casefold() in PLAIN_CODE_TEXT else label)
    _stray(text, found, row, 3, "code")


def parse_row(cells: list[Cell]) -> Row:
    """The four cells of a row → `Row` (problems carry the cell index and an offset inside it)."""
    row = Row()
    parse_title_cell(cells[0].text, row)
    parse_tags_cell(cells[1].text, row)
    parse_notes_cell(cells[2].text, row)
    parse_code_cell(cells[3].text, row)
    return row
