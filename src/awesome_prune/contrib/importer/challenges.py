"""The hand-written challenge page → its sections, by the GitHub anchor of their headings.

A section runs from its heading to the next heading of the same or a higher level. Its notes are
its paragraphs and list items (those under sub-headings too; the sub-headings themselves are
skipped), as markdown on one line each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...render.markdown import anchors_in
from ...render.markdown import parse

_MARKER = re.compile(r"^\s*(?:[-*+]|\d{1,9}[.)])\s+")


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
    """Every heading's section, keyed by the heading's anchor."""
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
        notes, depth_heading = [], False
        for token in tokens[index + 3:end]:
            if token.type == "heading_open":
                depth_heading = True
            elif token.type == "heading_close":
                depth_heading = False
            elif depth_heading or not token.map:
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
