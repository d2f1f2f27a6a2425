"""What GitHub makes of text: contributor text made safe for markdown (table cells, link text, link
targets, badges), and the anchors GitHub gives headings (github-slugger's rules, below).

Pure string functions, used by the views and as Jinja filters.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache
from urllib.parse import quote

# ASCII punctuation that can start or end markdown syntax inline (GitHub adds $ math and ~ strike).
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&$!#])")
_SPACES = re.compile(r"\s+")
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_PIPE = re.compile(r"(?<!\\)((?:\\\\)*)\|")
_GITHUB = re.compile(r"^https?://(?:www\.)?github\.com/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?(?:[/?#].*)?$")
_TARGET_SPECIAL = re.compile(r"[\\|<>()]")


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) to one space and trim the ends."""
    # Every whitespace character but the space is unprintable, so printable text with no double
    # space and no space at either end is already on one line.
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return _SPACES.sub(" ", text).strip()


def escape_text(text: str) -> str:
    """Plain text → markdown inline source that renders as exactly that text, on one line."""
    return _INLINE_SPECIAL.sub(r"\\\1", one_line(text))


def cell(markdown: str) -> str:
    """Contributor markdown → one GFM table cell: one line, pipes escaped, raw HTML shown as text."""
    text = one_line(markdown)
    if "<" in text:
        text = _HTML_START.sub("&lt;", text)
    # A pipe already escaped stays escaped; every other pipe gets its backslash.
    return _PIPE.sub(r"\1\\|", text) if "|" in text else text


def link_target(url: str) -> str:
    """A URL as a markdown link destination that survives a table cell (validated URLs have no spaces)."""
    if not _TARGET_SPECIAL.search(url):
        return url
    return url.replace("\\", "%5C").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E") \
        .replace("(", "%28").replace(")", "%29")


def shields_escape(text: str) -> str:
    """Text for one part of a shields.io static badge path (`-`→`--`, `_`→`__`, space→`_`)."""
    text = one_line(text).replace("-", "--").replace("_", "__").replace(" ", "_")
    return quote(text, safe="")


def badge_url(label: str, message: str, color: str) -> str:
    return f"https://img.shields.io/badge/{shields_escape(label)}-{shields_escape(message)}-{color}"


def github_repo(url: str) -> str | None:
    """`owner/name` when `url` points into a GitHub repository."""
    match = _GITHUB.match(url)
    return f"{match.group(1)}/{match.group(2)}" if match else None


# The marks the renderer's `Linker` puts in front of link targets (U+E000, a number, U+E001): they
# are taken out before a page is written, so they take no room in it.
_LINK_MARK = re.compile("\ue000\\d+\ue001")
_DELIMITERS = {"l": (":", "-"), "c": (":", ":"), "r": ("-", ":")}


def source_width(markdown: str) -> int:
    """The width of markdown source as remark-lint measures a table cell: in UTF-16 code units
    (a character past U+FFFF counts twice), link marks not counted."""
    if "\ue000" in markdown:
        markdown = _LINK_MARK.sub("", markdown)
    return len(markdown) if markdown.isascii() else len(markdown.encode("utf-16-le")) // 2


def aligned_table(rows, align: str) -> list[list[str]]:
    """The cells of a GFM table (the header row first) padded so that every column's pipes line
    up, with the delimiter row put second; `align` has one letter per column: `l`, `c` or `r`.

    Written as `| ` + cells joined by ` | ` + ` |`, the table passes remark-lint's
    table-pipe-alignment and table-cell-padding (as awesome-lint runs them): in each column every
    cell takes the width of the widest, its spaces on the side the alignment leaves free (split
    either side, the odd one right, in a centred column); the delimiter row is that wide too."""
    rows = [list(row) for row in rows]
    if not rows:
        return []
    widths = [3] * len(align)  # `:-:`, the narrowest delimiter
    measured = [[source_width(cell) for cell in row] for row in rows]
    for row in measured:
        for column, width in enumerate(row):
            widths[column] = max(widths[column], width)
    padded = []
    for row, sizes in zip(rows, measured):
        cells = []
        for column, (cell, width) in enumerate(zip(row, sizes)):
            free = widths[column] - width
            left = free if align[column] == "r" else free // 2 if align[column] == "c" else 0
            cells.append(" " * left + cell + " " * (free - left))
        padded.append(cells)
    delimiter = []
    for column, width in enumerate(widths):
        first, last = _DELIMITERS[align[column]]
        delimiter.append(first + "-" * (width - 2) + last)
    return [padded[0], delimiter, *padded[1:]]


# -- GitHub's heading anchors (github-slugger) -------------------------------------------------

__all__ = ["Slugger", "slugify"]

# General categories whose characters are dropped from a slug.
_REMOVED_CATEGORIES = frozenset(
    {
        "No",
        "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
        "Sm", "Sc", "Sk", "So",
        "Cc", "Cf", "Cs", "Co", "Cn",
        "Zs", "Zl", "Zp",
    }
)

# Characters of those categories that stay anyway.
_KEPT = frozenset(" -")

# Symbols (So) with the Alphabetic property: circled, squared and negative circled/squared
# Latin letters. They stay, like letters.
_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))

# Maximal runs of code points unassigned in Unicode 13.0 in which a later version (up to 17.0)
# assigned characters. Generated from Perl's Present_In=13.0 and Node's Unicode 17.0 data.
_UNASSIGNED_IN_13 = (
    (0x061D, 0x061D), (0x086B, 0x089F), (0x08B5, 0x08B5), (0x08C8, 0x08D2), (0x0C3A, 0x0C3C),
    (0x0C5B, 0x0C5F), (0x0CD7, 0x0CDD), (0x0CF3, 0x0CFF), (0x0ECE, 0x0ECF), (0x170D, 0x170D),
    (0x1715, 0x171F), (0x180F, 0x180F), (0x1AC1, 0x1AFF), (0x1B4C, 0x1B4F), (0x1B7D, 0x1B7F),
    (0x1C89, 0x1C8F), (0x1DFA, 0x1DFA), (0x20C0, 0x20CF), (0x2427, 0x243F), (0x2B96, 0x2B96),
    (0x2C2F, 0x2C2F), (0x2C5F, 0x2C5F), (0x2E53, 0x2E7F), (0x2FFC, 0x2FFF), (0x31E4, 0x31EF),
    (0x9FFD, 0x9FFF), (0xA7C0, 0xA7C1), (0xA7CB, 0xA7F4), (0xFBC2, 0xFBD2), (0xFD40, 0xFD4F),
    (0xFD90, 0xFD91), (0xFDC8, 0xFDCF), (0xFDFE, 0xFDFF), (0x10570, 0x105FF),
    (0x10768, 0x107FF), (0x10940, 0x1097F), (0x10D3A, 0x10E5F), (0x10EB2, 0x10EFF),
    (0x10F5A, 0x10FAF), (0x11070, 0x1107E), (0x110C2, 0x110CC), (0x1123F, 0x1127F),
    (0x11375, 0x113FF), (0x116B9, 0x116BF), (0x116CA, 0x116FF), (0x11740, 0x117FF),
    (0x11AA3, 0x11ABF), (0x11AF9, 0x11BFF), (0x11DAA, 0x11EDF), (0x11EF9, 0x11FAF),
    (0x12544, 0x12FFF), (0x1342F, 0x1342F), (0x13439, 0x143FF), (0x14647, 0x167FF),
    (0x16A70, 0x16ACF), (0x16B90, 0x16E3F), (0x16E9B, 0x16EFF), (0x16FF2, 0x16FFF),
    (0x187F8, 0x187FF), (0x18CD6, 0x18CFF), (0x18D09, 0x1AFFF), (0x1B11F, 0x1B14F),
    (0x1B153, 0x1B163), (0x1BCA4, 0x1CFFF), (0x1D1E9, 0x1D1FF), (0x1D246, 0x1D2DF),
    (0x1DAB0, 0x1DFFF), (0x1E02B, 0x1E0FF), (0x1E150, 0x1E2BF), (0x1E300, 0x1E7FF),
    (0x1F6D8, 0x1F6DF), (0x1F774, 0x1F77F), (0x1F7D9, 0x1F7DF), (0x1F7EC, 0x1F7FF),
    (0x1F8B2, 0x1F8FF), (0x1F979, 0x1F979), (0x1F9CC, 0x1F9CC), (0x1FA54, 0x1FA5F),
    (0x1FA75, 0x1FA77), (0x1FA7B, 0x1FA7F), (0x1FA87, 0x1FA8F), (0x1FAA9, 0x1FAAF),
    (0x1FAB7, 0x1FABF), (0x1FAC3, 0x1FACF), (0x1FAD7, 0x1FAFF), (0x1FBCB, 0x1FBEF),
    (0x1FBFA, 0x1FFFD), (0x2A6DE, 0x2A6FF), (0x2B735, 0x2B73F), (0x2CEA2, 0x2CEAF),
    (0x2EBE1, 0x2F7FF), (0x3134B, 0x3FFFD),
)
_UNASSIGNED_STARTS = tuple(start for start, _ in _UNASSIGNED_IN_13)


def _in_ranges(code: int, ranges: tuple[tuple[int, int], ...], starts: tuple[int, ...]) -> bool:
    index = bisect_right(starts, code) - 1
    return index >= 0 and code <= ranges[index][1]


_ALPHABETIC_STARTS = tuple(start for start, _ in _ALPHABETIC_SYMBOLS)


@lru_cache(maxsize=65536)
def _removed(char: str) -> bool:
    """Whether ``char`` (already lower-cased) is dropped from a slug."""
    if char in _KEPT:
        return False
    code = ord(char)
    if _in_ranges(code, _UNASSIGNED_IN_13, _UNASSIGNED_STARTS):
        return True
    if unicodedata.category(char) not in _REMOVED_CATEGORIES:
        return False
    return not _in_ranges(code, _ALPHABETIC_SYMBOLS, _ALPHABETIC_STARTS)


# ASCII characters a slug drops, for the shortcut below (worked out with `_removed` itself).
_ASCII_DROPPED = str.maketrans("", "", "".join(ch for ch in map(chr, range(128)) if _removed(ch.lower())))


def slugify(text: str) -> str:
    """The GitHub slug of ``text`` on its own (no de-duplication)."""
    if text.isascii():  # pure speed: one translation instead of a test per character
        return text.lower().translate(_ASCII_DROPPED).replace(" ", "-")
    return "".join(char for char in text.lower() if not _removed(char)).replace(" ", "-")


class Slugger:
    """Slugs for the headings of one document: repeats get ``-1``, ``-2``, … suffixes."""

    def __init__(self) -> None:
        self._counts: dict[str, int] = {}

    def slug(self, text: str) -> str:
        """The anchor of the next heading whose text is ``text``."""
        return self.unique(slugify(text))

    def unique(self, base: str) -> str:
        """The anchor of the next heading whose slug on its own is ``base``."""
        candidate = base
        while candidate in self._counts:
            self._counts[base] += 1
            candidate = f"{base}-{self._counts[base]}"
        self._counts[candidate] = 0
        return candidate

    def reset(self) -> None:
        """Forget every slug handed out (start a new document)."""
        self._counts.clear()
