"""Reading markdown: the README's title, intro and `### YEAR` tables (rows, cells, links, badges),
the challenge page's sections, and the table of the badge mapping document.

A year section runs from a heading that is a year to the next heading of level 3 or higher. A
table line is a header when the next line is a delimiter row. A line commented out as
`[//]: # (…)` is read with `&#40;`/`&#41;` turned back into parentheses: a table row becomes a
draft, a year heading opens a (commented) section, anything else is reported as not imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ...errors import Problem, ProblemsError
from ...render.markdown import anchors_in, parse

COLUMNS = ("Title & Take-away", "Tags", "Note", "Code")
BR = re.compile(r"<br\s*/?>", re.I)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_COMMENT = re.compile(r"^\[//\]:\s*#\s*\((.*)\)\s*$")
_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")
_BADGE = re.compile(r"^https?://img\.shields\.io/badge/([^?#]+?)(?:\.svg|\.png)?(?:[?#].*)?$")
_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")
Mapping = dict[str, dict[str, list[tuple[str, str | None]]]]  # category → badge message → [(value, detail)]


@dataclass(frozen=True)
class Cell:
    text: str  # as written, entities of commented rows already decoded
    col: int  # 1-based column of the cell's first character in the line


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: list[Cell]
    commented: bool  # written as `[//]: # (| … |)`: becomes a draft
    year: int  # of the section it sits in


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
        """The image a badge link wraps: `[![alt](src)](href)`; an image is its own."""
        if self.kind == "image":
            return self
        inner = items(self.label.strip())
        return inner[0] if len(inner) == 1 and inner[0].kind == "image" and inner[0].end == len(
            self.label.strip()) else None


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
    for match in [*re.finditer(r"(?<!\\)\|", text), None]:
        end = match.start() if match else len(text)
        raw = text[begin:end]
        cells.append(Cell(raw.strip(), start + body_start + begin + len(raw) - len(raw.lstrip()) + 1))
        begin = match.end() if match else 0
    return cells


def _match(text: str, i: int, open_: str, close: str) -> int | None:
    depth, j = 0, i
    while j < len(text):
        if text[j] == "\\":
            j += 1
        elif text[j] == open_:
            depth += 1
        elif text[j] == close:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return None


def items(text: str) -> list[Item]:
    """Top-level `[label](url)` links and `![alt](src)` images, in order."""
    found, i = [], 0
    while i < len(text):
        image = text[i] == "!" and text[i + 1:i + 2] == "["
        if text[i] == "\\":
            i += 1
        elif text[i] == "[" or image:
            bracket = i + 1 if image else i
            close = _match(text, bracket, "[", "]")
            paren = None if close is None or text[close + 1:close + 2] != "(" else _match(text, close + 1, "(", ")")
            if paren is not None:
                url = text[close + 2:paren].strip().split(" ")[0].strip("<>")
                found.append(Item("image" if image else "link", text[bracket + 1:close], url, i, paren + 1))
                i = paren
        i += 1
    return found


def leftover(text: str, found: list[Item]) -> str:
    """What a cell holds besides its links, `<br>`s and spaces."""
    for item in reversed(found):
        text = text[:item.start] + " " + text[item.end:]
    return " ".join(BR.sub(" ", text).split())


def unescape_markdown(text: str) -> str:
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


def relative_links(text: str) -> tuple[str, list[tuple[int, str, str]]]:
    """`text` with each link to a relative path replaced by its label: (text, [(offset, url, label)])."""
    gone = [i for i in items(text) if i.kind == "link" and i.url and not urlsplit(i.url).scheme
            and not i.url.startswith("#") and i.image is None]
    for item in reversed(gone):
        text = text[:item.start] + item.label + text[item.end:]
    return text, [(i.start, i.url, i.label) for i in gone]


def shields_parts(path: str) -> list[str]:
    """`Type-Un/Semi--structured-blue` → ['Type', 'Un/Semi-structured', 'blue'] (shields' escaping:
    `--` is a dash, `__` an underscore, `_` a space)."""
    parts = path.replace("--", "\0").replace("__", "\1").split("-")
    return [unquote(p.replace("_", " ").replace("\0", "-").replace("\1", "_")) for p in parts]


def badge(url: str) -> tuple[str, str, str] | None:
    """(label, message, color) of a shields.io static badge URL; label is '' for a two-part badge."""
    match = _BADGE.match(url)
    parts = shields_parts(match.group(1)) if match else []
    return ("", *parts) if len(parts) == 2 else tuple(parts) if len(parts) == 3 else None


def read_mapping(file: Path, shown: str) -> Mapping:
    """The table `| Category | Badge text | Value | Detail |`, badge texts decoded as in a badge URL."""
    table: Mapping = {}
    lines = file.read_text(encoding="utf-8").split("\n")
    start = next((n for n, line in enumerate(lines) if line.startswith("|") and [c.text for c in split_cells(line)]
                  == ["Category", "Badge text", "Value", "Detail"]), None)
    if start is None:
        raise ProblemsError([Problem(shown, 0, 0, "", "no table `| Category | Badge text | Value | Detail |`")])
    for number in range(start + 2, len(lines)):
        cells = [c.text for c in split_cells(lines[number])] if lines[number].startswith("|") else None
        if cells is None:
            break
        parts = shields_parts(cells[1]) if len(cells) == 4 else []
        if len(parts) != 1 or not cells[0] or not cells[2]:
            raise ProblemsError([Problem(shown, number + 1, 1, "", "not a row `| Category | Badge text (one badge "
                                         "message) | Value | Detail |`")])
        table.setdefault(cells[0].casefold(), {}).setdefault(parts[0], []).append((cells[2], cells[3] or None))
    return table


def front(text: str) -> tuple[str | None, str, int]:
    """(title, intro, line): the first heading without its badges, the text up to the next heading."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = next((i for i, line in enumerate(lines) if _HEADING.match(line)), None)
    if start is None:
        return None, "", 0
    heading = _HEADING.match(lines[start]).group(2)
    found = items(heading)
    for item in reversed(found):
        heading = heading[:item.start] + ("" if item.image else item.label) + heading[item.end:]
    end = next((i for i in range(start + 1, len(lines)) if _HEADING.match(lines[i])), len(lines))
    intro = "\n".join(line.rstrip() for line in lines[start + 1:end] if not _COMMENT.match(line))
    return " ".join(unescape_markdown(heading).split()) or None, re.sub(r"\n{3,}", "\n\n", intro).strip(), start + 1


def _decode(line: str) -> tuple[str, int, bool]:
    """(content, offset of the content in the line, commented?)."""
    comment = _COMMENT.match(line)
    if comment:
        return comment.group(1).replace("&#40;", "(").replace("&#41;", ")"), comment.start(1), True
    return line, 0, False


def _fit(cells: list[Cell], line: int, path: str, problems: list[Problem]) -> list[Cell] | None:
    """Exactly len(COLUMNS) cells: surplus empty cells are dropped (reported); otherwise None."""
    expected, surplus = len(COLUMNS), len(cells) - len(COLUMNS)
    if not surplus:
        return cells
    empty = [i for i, cell in enumerate(cells) if i > 0 and not cell.text]
    if surplus > 0 and len(empty) >= surplus:
        dropped = set(empty[:surplus])
        problems.append(Problem(path, line, cells[min(dropped)].col, "", f"row has {len(cells)} cells, the table "
                                f"{expected}: the empty cell {', '.join(str(i + 1) for i in sorted(dropped))} is "
                                "ignored (GitHub drops the last cell instead, hiding its content)", "warning"))
        return [cell for i, cell in enumerate(cells) if i not in dropped]
    problems.append(Problem(path, line, 1, "", f"row has {len(cells)} cells, the table {expected} "
                            f"({', '.join(COLUMNS)}); row not imported"))
    return None


def scan(text: str, path: str) -> tuple[list[RawRow], list[Problem]]:
    """The rows of every `### YEAR` table, in the order written."""
    lines = text.replace("\r\n", "\n").split("\n")
    rows: list[RawRow] = []
    problems: list[Problem] = []
    year: int | None = None
    for index, line in enumerate(lines):
        number = index + 1
        content, offset, commented = _decode(line)
        heading = _HEADING.match(content)
        if heading:
            title = heading.group(2).strip()
            if re.fullmatch(r"(?:19|20)\d\d", title):
                year = int(title)
            elif len(heading.group(1)) <= 3:
                year = None
            continue
        stripped = content.strip()
        if year is None or not stripped or _DELIMITER.match(stripped):
            continue
        if stripped.startswith("|"):
            following = _decode(lines[index + 1])[0].strip() if index + 1 < len(lines) else ""
            cells = split_cells(content, offset)
            if not _DELIMITER.match(following):
                fitted = _fit(cells, number, path, problems)
                if fitted is not None:
                    rows.append(RawRow(number, fitted, commented, year))
            elif len(cells) != len(COLUMNS):  # a header row
                problems.append(Problem(path, number, 1, "", f"table has {len(cells)} columns; expected "
                                        f"{len(COLUMNS)} ({', '.join(COLUMNS)})"))
            continue
        what = "commented-out line" if commented else "text outside a table"
        problems.append(Problem(path, number, 1, "", f"{what} not imported: {' '.join(stripped.split())[:100]!r}",
                                "warning"))
    return rows, problems


# -- the challenge page: its sections, by the GitHub anchor of their headings -------------------

@dataclass(frozen=True)
class Section:
    anchor: str
    line: int  # 1-based line of the heading
    level: int
    notes: tuple[str, ...]


def _source(lines: list[str], start: int, end: int, strip_marker: bool) -> str:
    chunk = lines[start:end]
    if strip_marker and chunk:
        chunk = [_MARKER.sub("", chunk[0], count=1)] + chunk[1:]
    return " ".join(" ".join(chunk).split())


def sections(markdown: str) -> dict[str, Section]:
    """Every heading's section (up to the next heading of its level or higher) by the heading's
    anchor; its notes: its paragraphs and list items, sub-headings' too, each on one line."""
    lines = markdown.split("\n")
    tokens = parse(markdown)
    anchor_at: dict[int, str] = {}
    for anchor in anchors_in(tokens):
        anchor_at.setdefault(anchor.line, anchor.name)
    headings = [(i, int(t.tag[1:]), t.map[0]) for i, t in enumerate(tokens) if t.type == "heading_open" and t.map]
    found: dict[str, Section] = {}
    for number, (index, level, line) in enumerate(headings):
        anchor = anchor_at.get(line + 1)
        if not anchor:
            continue
        end = next((i for i, lvl, _ in headings[number + 1:] if lvl <= level), len(tokens))
        notes, in_heading = [], False
        for token in tokens[index + 3:end]:
            if token.type in ("heading_open", "heading_close"):
                in_heading = token.type == "heading_open"
            elif in_heading or not token.map:
                continue
            elif token.type == "paragraph_open" and token.level == 0:
                notes.append(_source(lines, token.map[0], token.map[1], False))
            elif token.type == "list_item_open" and token.level == 1:
                notes.append(_source(lines, token.map[0], token.map[1], True))
        found.setdefault(anchor, Section(anchor, line + 1, level, tuple(n for n in notes if n)))
    return found


def anchor_of(url: str) -> str | None:
    """`challenge/challenge.md/#wanda-2024` or `challenge.md#wanda-2024` → `wanda-2024`."""
    path, hash_, fragment = url.partition("#")
    if not hash_ or not fragment:
        return None
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return fragment if name in ("", "challenge.md") or name.endswith(".md") else None
