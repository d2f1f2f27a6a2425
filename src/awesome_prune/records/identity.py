"""What makes two records the same paper: arXiv id, OpenReview forum, DOI, or title.

Pure functions on URLs and titles, shared by validation and by `awesome-prune new`.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs, unquote, urlsplit

_ARXIV_ID = re.compile(r"^(\d{4}\.\d{4,5}|[a-z-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")  # combining marks
_NOT_ALNUM = re.compile(r"[\W_]+")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.I)
# The usual spellings, read at once (pure speed: each gives what the general code below gives).
_PLAIN_ARXIV = re.compile(r"https?://arxiv\.org/(?:abs|pdf|html)/(\d{4}\.\d{4,5})(?:v\d+)?(?:\.pdf)?/?")
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
        match = re.match(r"^/(?:abs|pdf|html)/(.+?)(?:\.pdf)?/?$", parts.path)
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
    text = _MARKS.sub("", unicodedata.normalize("NFKD", title).casefold())
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
