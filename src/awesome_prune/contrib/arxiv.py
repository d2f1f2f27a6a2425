"""A small client for the arXiv API: one paper's metadata from its Atom feed.

One request per call, no retries (arXiv asks for about 3 s between calls), a timeout, a cap on
the answer's size and a descriptive User-Agent. The API's base URL comes from the `api`
argument, else the environment variable `AWESOME_PRUNE_ARXIV_API`, else arXiv itself; tests
point it at a local server.

Failures raise `ArxivError` with a one-line message. `NotFound` (a subclass) means arXiv
answered but has no such paper (an empty feed, or the entry titled `Error` it returns for a
malformed id); the other failures mean arXiv could not be asked (network, timeout, HTTP
error, throttling, an answer that is not a feed).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from ..render.markup import one_line

DEFAULT_API = "https://export.arxiv.org/api/query"
API_ENV = "AWESOME_PRUNE_ARXIV_API"
USER_AGENT = ("awesome-prune/0.1 (curated list of LLM pruning papers; `awesome-prune new`; "
              "+https://github.com/awesome-prune/awesome-prune)")
TIMEOUT = 15.0  # seconds, for connecting and for each read; the whole answer gets twice that
MAX_BYTES = 1024 * 1024
NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom",
      "opensearch": "http://a9.com/-/spec/opensearch/1.1/"}
_VERSION = re.compile(r"v(\d+)$")


class ArxivError(Exception):
    """arXiv could not be asked, or gave an unusable answer; the message is one line."""


class NotFound(ArxivError):
    """arXiv answered, but has no paper under that id."""


@dataclass(frozen=True)
class Entry:
    arxiv_id: str  # bare, without version: 2306.11695
    version: int | None
    title: str  # whitespace collapsed
    published: _dt.date  # first version
    updated: _dt.date | None
    authors: tuple[str, ...]
    comment: str | None
    journal_ref: str | None
    doi: str | None
    primary_category: str | None


def shorten(text: str | None, limit: int = 0) -> str:
    """`text` on one line (runs of whitespace as one space), cut to `limit` characters with "…"."""
    text = one_line(text or "")
    return text[: limit - 1] + "…" if limit and len(text) > limit else text


def api_url(api: str | None = None) -> str:
    return api or os.environ.get(API_ENV) or DEFAULT_API


def fetch(arxiv_id: str, api: str | None = None, timeout: float = TIMEOUT) -> Entry:
    """The metadata of `arxiv_id` (bare or with a version), asked in one request."""
    import requests  # imported here: only `new` needs it

    url = api_url(api)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml"}
    try:
        with requests.get(url, params={"id_list": arxiv_id}, headers=headers, timeout=timeout,
                          stream=True) as response:
            body = _read_capped(response, time.monotonic() + 2 * timeout)
            status = response.status_code
    except requests.RequestException as exc:
        if isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower():
            raise ArxivError(f"the arXiv API ({url}) did not answer within {timeout:g} s") from None
        raise ArxivError(f"cannot reach the arXiv API ({url}): {type(exc).__name__}") from None
    text = body.decode("utf-8", errors="replace")
    if status != 200:
        shown = f": {shorten(text, 80)}" if text.strip() and not text.lstrip().startswith("<") else ""
        raise ArxivError(f"the arXiv API answered HTTP {status}{shown}")
    return parse_feed(text, arxiv_id)


def _read_capped(response, deadline: float) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=4096):
        if time.monotonic() > deadline:
            raise ArxivError("the arXiv API's answer is arriving too slowly; try again later")
        size += len(chunk)
        if size > MAX_BYTES:
            raise ArxivError(f"the arXiv API's answer is larger than {MAX_BYTES // 1024} KiB; not a single paper")
        chunks.append(chunk)
    return b"".join(chunks)


def _date(text: str | None) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def parse_feed(text: str, arxiv_id: str) -> Entry:
    """The entry for `arxiv_id` in an arXiv Atom answer; `ArxivError`/`NotFound` otherwise."""
    wanted = _VERSION.sub("", arxiv_id)
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        shown = shorten(text, 80) or "an empty body"
        raise ArxivError(f"the arXiv API did not answer with a feed but with {shown!r} "
                         "(throttled? wait a few seconds and try again)") from None
    if root.tag != f"{{{NS['atom']}}}feed":
        raise ArxivError(f"the arXiv API answered with <{root.tag.rpartition('}')[2]}>, not an Atom feed")
    entries = root.findall("atom:entry", NS)
    if not entries:
        raise NotFound(f"arXiv has no paper {arxiv_id} (its answer lists no entry)")
    for entry in entries:
        title = shorten(entry.findtext("atom:title", "", NS))
        entry_id = shorten(entry.findtext("atom:id", "", NS))
        if title == "Error" or "/api/errors" in entry_id:
            reason = shorten(entry.findtext("atom:summary", "", NS), 120)
            raise NotFound(f"arXiv has no paper {arxiv_id}: {reason or 'it answered with an error entry'}")
        match = re.search(r"/abs/(.+?)(?:v(\d+))?$", entry_id)
        if not match or match.group(1) != wanted:
            continue
        published = _date(entry.findtext("atom:published", "", NS))
        if not title or published is None:
            raise ArxivError(f"arXiv's entry for {arxiv_id} has no title or no publication date")
        primary = entry.find("arxiv:primary_category", NS)
        return Entry(
            arxiv_id=wanted,
            version=int(match.group(2)) if match.group(2) else None,
            title=title,
            published=published,
            updated=_date(entry.findtext("atom:updated", "", NS)),
            authors=tuple(shorten(a.findtext("atom:name", "", NS)) for a in entry.findall("atom:author", NS)),
            comment=shorten(entry.findtext("arxiv:comment", "", NS)) or None,
            journal_ref=shorten(entry.findtext("arxiv:journal_ref", "", NS)) or None,
            doi=shorten(entry.findtext("arxiv:doi", "", NS)) or None,
            primary_category=primary.get("term") if primary is not None else None,
        )
    found = ", ".join(shorten(e.findtext("atom:id", "", NS)) for e in entries)
    raise NotFound(f"arXiv's answer for {arxiv_id} holds other papers only ({shorten(found, 100)})")

