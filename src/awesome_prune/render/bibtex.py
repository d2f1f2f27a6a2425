"""Paper records → BibTeX entries, as text. Pure functions; no I/O.

Written here rather than through a library: the format is small, and what matters — LaTeX escaping
of contributor text, brace protection of acronyms, byte-stable output — is exactly what a general
writer leaves to the caller. The tests parse the result back with bibtexparser.

Entry keys are the record ids (unique, kebab-case, stable). Titles: LaTeX specials are escaped,
accented letters become accent commands (`ü` → `{\\"u}`), and words with capitals after their first
letter (`LLaMA`, `SparseGPT`, `OWL`) are wrapped in braces so bibliography styles keep their case.
Characters with no common LaTeX spelling (CJK, most symbols) are kept as UTF-8.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

from ..records.identity import arxiv_id, doi
from ..records.models import Paper

# LaTeX specials in text mode.
_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}",
}
# Braces: `\{` `\}` when they pair up; BibTeX counts them as braces even escaped, so a lone one
# is spelled with a command instead.
_BRACES = ({"{": r"\{", "}": r"\}"}, {"{": r"\textbraceleft{}", "}": r"\textbraceright{}"})
# Letters and punctuation that do not decompose into an ASCII letter and accents.
_LETTERS = {
    "ß": r"{\ss}", "æ": r"{\ae}", "Æ": r"{\AE}", "œ": r"{\oe}", "Œ": r"{\OE}", "ø": r"{\o}",
    "Ø": r"{\O}", "ł": r"{\l}", "Ł": r"{\L}", "ı": r"{\i}", "ȷ": r"{\j}",
    "\u00a0": "~", "–": "--", "—": "---", "‘": "`", "’": "'", "“": "``", "”": "''",
    "…": r"{\ldots}", "×": r"{$\times$}", "±": r"{$\pm$}", "≤": r"{$\leq$}", "≥": r"{$\geq$}",
    "≈": r"{$\approx$}", "→": r"{$\rightarrow$}", "°": r"{\textdegree}", "§": r"{\S}",
}
# Combining accents → LaTeX accent commands (symbol commands take no space before a letter).
_ACCENTS = {
    "\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0307": ".",
    "\u0308": '"', "\u0306": "u", "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0323": "d",
    "\u0327": "c", "\u0328": "k", "\u0331": "b",
}
_OPENERS = "([\"'`"
_CLOSERS = ".,:;!?)]\"'"


def _balanced(text: str) -> bool:
    if "{" not in text and "}" not in text:
        return True
    depth = 0
    for ch in text:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            return False
    return depth == 0


def _accented(ch: str) -> str | None:
    """`{\\"u}` for `ü`, `{\\c c}` for `ç`, `{\\^{\\d e}}` for `ệ`; None when not a letter with accents."""
    parts = unicodedata.normalize("NFD", ch)
    base, marks = parts[0], parts[1:]
    if not marks or not base.isascii() or not base.isalpha() or any(m not in _ACCENTS for m in marks):
        return None
    text = base
    for mark in marks:
        command = _ACCENTS[mark]
        if len(text) == 1:
            text = f"\\{command} {text}" if command.isalpha() else f"\\{command}{text}"
        else:
            text = f"\\{command}{{{text}}}"
    return "{" + text + "}"


_TABLES = tuple(str.maketrans({**_SPECIAL, **braces}) for braces in _BRACES)


def latex_escape(text: str, balanced: bool | None = None) -> str:
    """Plain text → LaTeX that typesets as that text. `balanced`: whether the braces of the whole
    field pair up (worked out from `text` when not given)."""
    if balanced is None:
        balanced = _balanced(text)
    text = text.translate(_TABLES[0 if balanced else 1])
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else _LETTERS.get(ch) or _accented(ch) or ch for ch in text)


def _needs_protection(word: str) -> bool:
    """Capitals after the first letter of a word or of a hyphenated part: acronyms and names such
    as LLaMA, SparseGPT, N:M, LLM-Pruner (but not One-Shot, which a style may lower-case)."""
    rest = word[1:]
    if rest.islower() or rest.isascii() and rest == rest.lower():
        return False  # no capital after the first character at all (pure speed)
    for part in word.split("-"):
        letters = [ch for ch in part if ch.isalpha()]
        if any(ch.isupper() for ch in letters[1:]):
            return True
    return False


# A title with nothing to escape or protect is its own BibTeX (pure speed): ASCII without LaTeX
# specials or braces, and no capital after a letter of the same word or hyphenated part.
_PLAIN_TITLE = re.compile(r"[ !\"'()*+,\-./0-9:;=?@A-Z\[\]`a-z]*")
_CAPITAL_INSIDE = re.compile(r"[A-Za-z][^ -]*[A-Z]")


def bibtex_title(title: str) -> str:
    """A title for BibTeX: escaped, with words whose case must survive the style wrapped in braces."""
    if _PLAIN_TITLE.fullmatch(title) and not _CAPITAL_INSIDE.search(title):
        return title
    balanced = _balanced(title)
    words = []
    for word in title.split(" "):
        if not _needs_protection(word):
            words.append(latex_escape(word, balanced))
            continue
        start, end = 0, len(word)
        while start < end and word[start] in _OPENERS:
            start += 1
        while end > start and word[end - 1] in _CLOSERS:
            end -= 1
        core = latex_escape(word[start:end], balanced)
        # `{\&…}` would be a BibTeX "special character", whose letters styles do change: double up.
        core = f"{{{{{core}}}}}" if core.startswith("\\") else f"{{{core}}}"
        words.append(latex_escape(word[:start], balanced) + core + latex_escape(word[end:], balanced))
    return " ".join(words)


def _url(url: str) -> str:
    """URLs go verbatim (the url and hyperref packages read them so) but must keep braces balanced."""
    return url.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")


def entry_type(paper: Paper) -> str:
    return {"conference": "inproceedings", "workshop": "inproceedings", "journal": "article"}.get(
        paper.venue.status, "misc")


def _note(paper: Paper) -> str | None:
    venue = paper.venue
    if venue.status == "submission":
        return f"Submitted to {venue.name} {venue.year}" if venue.name else "Under submission"
    if venue.status == "preprint":
        return f"Preprint, {venue.name}" if venue.name else "Preprint"
    return None


def _venue_fields(paper: Paper) -> tuple[str, list[tuple[str, str]]]:
    """The entry type and the venue's fields (booktitle or journal, year, note)."""
    venue, kind = paper.venue, entry_type(paper)
    fields = []
    if venue.name and kind != "misc":
        fields.append(("booktitle" if kind == "inproceedings" else "journal", latex_escape(venue.name)))
    fields.append(("year", str(venue.year)))
    note = _note(paper)
    if note:
        fields.append(("note", latex_escape(note)))
    return kind, fields


def entry(paper: Paper) -> str:
    """One BibTeX entry, fields in a fixed order, values in braces."""
    kind, venue_fields = _venue_fields(paper)
    fields: list[tuple[str, str]] = [("title", bibtex_title(paper.title))]
    if paper.authors:  # BibTeX separates names with `and`
        fields.append(("author", " and ".join(latex_escape(name) for name in paper.authors)))
    fields += venue_fields
    arxiv = arxiv_id(paper.paper)
    if arxiv:
        fields += [("eprint", arxiv), ("archivePrefix", "arXiv")]
        if "/" in arxiv:  # old-style ids name their archive: `cs.LG/0101001`
            fields.append(("primaryClass", arxiv.split("/")[0]))
    paper_doi = doi(paper.paper)
    if paper_doi:
        fields.append(("doi", _url(paper_doi)))
    fields.append(("url", _url(paper.paper)))
    width = max(len(name) for name, _ in fields)
    body = ",\n".join(f"  {name.ljust(width)} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{paper.id},\n{body},\n}}\n"


def bibliography(papers: Iterable[Paper], header: str = "") -> str:
    """Entries separated by blank lines; `header` lines are written first as `%` comments."""
    return join_entries([entry(p) for p in papers], header)


def join_entries(entries: list[str], header: str = "") -> str:
    """`bibliography` of entries already written by `entry`."""
    parts = [f"% {line}\n" if line else "%\n" for line in header.splitlines()]
    text = "".join(parts)
    return text + ("\n" if text and entries else "") + "\n".join(entries)
