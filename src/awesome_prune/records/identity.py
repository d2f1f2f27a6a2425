"""What makes two records the same paper: arXiv id, OpenReview forum, DOI, or title.

Pure functions on URLs and titles, shared by validation and by `awesome-prune new`; and the
kebab-case ids that `new` and `import` derive from titles.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container
from urllib.parse import parse_qs, unquote, urlsplit

_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # combining marks
_NOT_ALNUM = re.compile(r"[\W_]+")
_FORMAT = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")  # invisible: removed, not spaces
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
# The usual spellings, read at once (pure speed: each gives what the general code below gives).
_PLAIN_ARXIV = re.compile(r"https?://arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?\.?")
_PLAIN_HOST = re.compile(r"https?://([A-Za-z0-9.-]+)(?:[/?#]|$)")


def arxiv_id(text: str) -> str | None:
    """`2306.11695` from an arXiv id, abs/pdf URL or arXiv DOI, without its version suffix."""
    plain = _PLAIN_ARXIV.fullmatch(text)
    if plain:
        return plain[1]
    host = _PLAIN_HOST.match(text)
    if host and host[1].lower() not in ("arxiv.org", "doi.org", "dx.doi.org") and not host[1].lower().endswith(".arxiv.org"):
        return None
    text = text.strip()
    parts = urlsplit(text)
    if parts.scheme in ("http", "https"):
        host = (parts.hostname or "").lower()
        if host == "doi.org" or host == "dx.doi.org":
            return arxiv_id(unquote(parts.path.lstrip("/")))
        if not (host == "arxiv.org" or host.endswith(".arxiv.org")):
            return None
        match = re.match(r"^/(?:abs|pdf|html)/(.+?)(?:\.pdf)?/?\.?$", parts.path)  # a sentence's dot too
        if not match:
            return None
        text = match.group(1)
    elif text.lower().startswith("arxiv:"):
        text = text[6:]
    doi = _ARXIV_DOI.match(text)
    if doi:
        text = doi.group(1)
    match = _ARXIV_ID.match(text)
    return match.group(1) if match else None


def openreview_id(url: str) -> str | None:
    host = _PLAIN_HOST.match(url)
    if host and host[1].lower() not in ("openreview.net", "www.openreview.net"):
        return None
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in ("openreview.net", "www.openreview.net"):
        return None
    if parts.path.rstrip("/") not in ("/forum", "/pdf"):
        return None
    ids = parse_qs(parts.query).get("id")
    return ids[0] if ids else None


def doi(text: str) -> str | None:
    """The DOI, lower-cased, from `10.…` or a doi.org URL (arXiv DOIs count as arXiv ids instead)."""
    host = _PLAIN_HOST.match(text)
    if host and host[1].lower() not in ("doi.org", "dx.doi.org"):
        return None
    parts = urlsplit(text.strip())
    if parts.scheme in ("http", "https"):
        if (parts.hostname or "").lower() not in ("doi.org", "dx.doi.org"):
            return None
        text = unquote(parts.path.lstrip("/"))
    if not text.startswith("10.") or "/" not in text or _ARXIV_DOI.match(text):
        return None
    return text.lower()


def title_key(title: str) -> str:
    """The title up to case, accents, punctuation and spacing."""
    text = _MARKS.sub("", unicodedata.normalize("NFKD", _FORMAT.sub("", title)).casefold())
    return " ".join(_NOT_ALNUM.sub(" ", text).split())


def paper_keys(url: str, title: str) -> list[tuple[str, str]]:
    """Every identity a record claims: [('arXiv', '2306.11695'), ('title', '…'), …]."""
    keys = []
    for kind, func in (("arXiv", arxiv_id), ("OpenReview", openreview_id), ("DOI", doi)):
        value = func(url)
        if value:
            keys.append((kind, value))
    keys.append(("title", title_key(title)))
    return keys


# -- record ids derived from titles ------------------------------------------------------------

MAX_WORDS = 4
MAX_LENGTH = 32
MAX_NAME_WORDS = 3  # a colon prefix up to this many words is the paper's name

STOPWORDS = frozenset(
    "a an the and or but nor for of on in into onto to with without via by from at as is are be "
    "can do does how what when where which who why we our your their its it this that these those "
    "towards toward through".split()
)
_ACRONYM = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,15})\)")


def kebab(text: str) -> str:
    """`Sheared LLaMA` → `sheared-llama`: ASCII letters and digits, single dashes, lower case."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _words(text: str) -> list[str]:
    return [w for w in (kebab(part) for part in re.split(r"[\s/]+", text)) if w]


def _significant(text: str) -> str:
    words = [w for w in _words(text) if w not in STOPWORDS] or _words(text)
    chosen: list[str] = []
    for word in words:
        candidate = "-".join(chosen + [word])
        if chosen and (len(chosen) >= MAX_WORDS or len(candidate) > MAX_LENGTH):
            break
        chosen.append(word)
    return "-".join(chosen)[:60].strip("-")


def base_id(title: str) -> str:
    """The id a title suggests, before making it unique; `paper` when nothing usable is left."""
    title = " ".join(title.split())
    prefix, colon, _ = title.partition(":")
    if colon:
        acronym = _ACRONYM.search(prefix)
        if acronym:
            return kebab(acronym.group(1)) or "paper"
        if len(prefix.split()) <= MAX_NAME_WORDS and kebab(prefix):
            return kebab(prefix)[:60].strip("-")
        return _significant(prefix) or _significant(title) or "paper"
    return _significant(title) or "paper"


def unique_id(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`, … : the first one not in `taken`."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def derive_id(title: str, taken: Container[str]) -> str:
    return unique_id(base_id(title), taken)
