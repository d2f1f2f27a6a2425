"""Making contributor text safe for markdown: table cells, link text, link targets, badges.

Pure string functions, used as Jinja filters by `render`.
"""

from __future__ import annotations

import re
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
