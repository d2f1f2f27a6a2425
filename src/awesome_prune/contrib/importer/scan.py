"""Finding the rows of a hand-written list: `### YEAR` sections, their tables, commented-out rows.

A year section runs from a heading that is a year to the next heading of level 3 or higher. A
table line is a header when the next line is a delimiter row (`|:---|---:|`). A line commented
out as `[//]: # (…)` is read with `&#40;`/`&#41;` turned back into parentheses: a table row becomes
a draft, a year heading opens a (commented) section, anything else is reported as not imported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...errors import Problem
from .rows import COLUMNS, Cell, split_cells

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_COMMENT = re.compile(r"^\[//\]:\s*#\s*\((.*)\)\s*$")
_DELIMITER = re.compile(r"^\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?$")


@dataclass(frozen=True)
class RawRow:
    line: int
    cells: list[Cell]
    commented: bool  # written as `[//]: # (| … |)`: becomes a draft
    year: int  # of the section it sits in


def _decode(line: str) -> tuple[str, int, bool]:
    """(content, offset of the content in the line, commented?)."""
    comment = _COMMENT.match(line)
    if comment:
        return comment.group(1).replace("&#40;", "(").replace("&#41;", ")"), comment.start(1), True
    return line, 0, False


def _fit(cells: list[Cell], line: int, path: str, problems: list[Problem]) -> list[Cell] | None:
    """Exactly len(COLUMNS) cells: surplus empty cells are dropped (reported); otherwise None."""
    expected = len(COLUMNS)
    if len(cells) == expected:
        return cells
    surplus = len(cells) - expected
    empty = [i for i, cell in enumerate(cells) if i > 0 and not cell.text]
    if surplus > 0 and len(empty) >= surplus:
        dropped = set(empty[:surplus])
        numbers = ", ".join(str(i + 1) for i in sorted(dropped))
        problems.append(Problem(path, line, cells[min(dropped)].col, "", f"row has {len(cells)} cells, the table "
                                f"{expected}: the empty cell {numbers} is ignored (GitHub drops the last cell "
                                "instead, hiding its content)", "warning"))
        return [cell for i, cell in enumerate(cells) if i not in dropped]
    problems.append(Problem(path, line, 1, "", f"row has {len(cells)} cells, the table {expected} "
                            f"({', '.join(COLUMNS)}); row not imported"))
    return None


def scan(text: str, path: str) -> tuple[list[RawRow], list[Problem]]:
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
            if _DELIMITER.match(following):  # a header row
                if len(cells) != len(COLUMNS):
                    problems.append(Problem(path, number, 1, "", f"table has {len(cells)} columns; expected "
                                            f"{len(COLUMNS)} ({', '.join(COLUMNS)})"))
                continue
            fitted = _fit(cells, number, path, problems)
            if fitted is not None:
                rows.append(RawRow(number, fitted, commented, year))
            continue
        what = "commented-out line" if commented else "text outside a table"
        problems.append(Problem(path, number, 1, "", f"{what} not imported: {' '.join(stripped.split())[:100]!r}",
                                "warning"))
    return rows, problems
