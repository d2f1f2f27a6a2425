"""A small client for the arXiv API: papers' metadata from its Atom feed.

`fetch` asks for one paper (`awesome-prune new`), `fetch_batch` for up to `BATCH` at once
(`awesome-prune refresh`). One request per call, no retries (arXiv asks for about 3 s between
calls; `Pacer` spaces a caller's requests), a timeout, a cap on the answer's size and a
descriptive User-Agent. The API's base URL comes from the `api` argument, else the environment
variable `AWESOME_PRUNE_ARXIV_API`, else arXiv itself; tests point it at a local server.

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
BATCH = 100  # ids in one `id_list` request
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
    summary: str | None = None  # whitespace collapsed


class BadId(NotFound):
    """arXiv answered a whole query with an `Error` entry; `arxiv_id` is the id it names, if any."""

    def __init__(self, message: str, arxiv_id: str | None):
        super().__init__(message)
        self.arxiv_id = arxiv_id


class Pacer:
    """Spaces requests: `wait()` returns once `interval` seconds have passed since the last one
    returned (at once the first time). `clock` and `sleep` are there for tests."""

    def __init__(self, interval: float, clock=time.monotonic, sleep=time.sleep):
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            left = self.last + self.interval - self.clock()
            if left > 0:
                self.sleep(left)
        self.last = self.clock()


def shorten(text: str | None, limit: int = 0) -> str:
    """`text` on one line (runs of whitespace as one space), cut to `limit` characters with "…"."""
    text = one_line(text or "")
    return text[: limit - 1] + "…" if limit and len(text) > limit else text


def api_url(api: str | None = None) -> str:
    return api or os.environ.get(API_ENV) or DEFAULT_API


def fetch(arxiv_id: str, api: str | None = None, timeout: float = TIMEOUT) -> Entry:
    """The metadata of `arxiv_id` (bare or with a version), asked in one request."""
    return parse_feed(_get({"id_list": arxiv_id}, api, timeout, MAX_BYTES), arxiv_id)


def fetch_batch(arxiv_ids: list[str], api: str | None = None, timeout: float = TIMEOUT) -> dict[str, Entry]:
    """The entries of up to `BATCH` bare ids, asked in one request, by bare id; an id arXiv does
    not know is left out. `BadId` when arXiv answers the whole query with an `Error` entry (it
    does so for a malformed id), `ArxivError` when it cannot be asked."""
    if not 0 < len(arxiv_ids) <= BATCH:
        raise ValueError(f"between 1 and {BATCH} ids per request, not {len(arxiv_ids)}")
    # max_results: arXiv answers an id_list with at most 10 entries unless told otherwise.
    params = {"id_list": ",".join(arxiv_ids), "max_results": str(len(arxiv_ids))}
    return parse_entries(_get(params, api, timeout, MAX_BYTES * 8))


def _get(params: dict[str, str], api: str | None, timeout: float, max_bytes: int) -> str:
    """The body of one successful (HTTP 200) answer of the API, as text."""
    import requests  # imported here: only `new` and `refresh` need it

    url = api_url(api)
    headers = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml"}
    try:
        with requests.get(url, params=params, headers=headers, timeout=timeout, stream=True) as response:
            body = _read_capped(response, time.monotonic() + 2 * timeout, max_bytes)
            status = response.status_code
    except requests.RequestException as exc:
        if isinstance(exc, requests.Timeout) or "timed out" in str(exc).lower():
            raise ArxivError(f"the arXiv API ({url}) did not answer within {timeout:g} s") from None
        raise ArxivError(f"cannot reach the arXiv API ({url}): {type(exc).__name__}") from None
    text = body.decode("utf-8", errors="replace")
    if status != 200:
        shown = f": {shorten(text, 80)}" if text.strip() and not text.lstrip().startswith("<") else ""
        raise ArxivError(f"the arXiv API answered HTTP {status}{shown}")
    return text


def _read_capped(response, deadline: float, max_bytes: int) -> bytes:
    chunks, size = [], 0
    for chunk in response.iter_content(chunk_size=4096):
        if time.monotonic() > deadline:
            raise ArxivError("the arXiv API's answer is arriving too slowly; try again later")
        size += len(chunk)
        if size > max_bytes:
            raise ArxivError(f"the arXiv API's answer is larger than {max_bytes // 1024} KiB; not what was asked")
        chunks.append(chunk)
    return b"".join(chunks)


def _date(text: str | None) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _root(text: str) -> ET.Element:
    """The feed element of an answer; `ArxivError` when the answer is not an Atom feed."""
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        shown = shorten(text, 80) or "an empty body"
        raise ArxivError(f"the arXiv API did not answer with a feed but with {shown!r} "
                         "(throttled? wait a few seconds and try again)") from None
    if root.tag != f"{{{NS['atom']}}}feed":
        raise ArxivError(f"the arXiv API answered with <{root.tag.rpartition('}')[2]}>, not an Atom feed")
    return root


def _error(entry: ET.Element) -> str | None:
    """The explanation of an `Error` entry (arXiv's answer to a malformed id), else None."""
    title = shorten(entry.findtext("atom:title", "", NS))
    entry_id = shorten(entry.findtext("atom:id", "", NS))
    if title == "Error" or "/api/errors" in entry_id:
        return shorten(entry.findtext("atom:summary", "", NS), 120) or "it answered with an error entry"
    return None


def _entry(entry: ET.Element) -> Entry | None:
    """The paper an entry describes; None when it names no paper id, title or publication date."""
    match = re.search(r"/abs/(.+?)(?:v(\d+))?$", shorten(entry.findtext("atom:id", "", NS)))
    title = shorten(entry.findtext("atom:title", "", NS))
    published = _date(entry.findtext("atom:published", "", NS))
    if not match or not title or published is None:
        return None
    primary = entry.find("arxiv:primary_category", NS)
    return Entry(
        arxiv_id=match.group(1),
        version=int(match.group(2)) if match.group(2) else None,
        title=title,
        published=published,
        updated=_date(entry.findtext("atom:updated", "", NS)),
        authors=tuple(shorten(a.findtext("atom:name", "", NS)) for a in entry.findall("atom:author", NS)),
        comment=shorten(entry.findtext("arxiv:comment", "", NS)) or None,
        journal_ref=shorten(entry.findtext("arxiv:journal_ref", "", NS)) or None,
        doi=shorten(entry.findtext("arxiv:doi", "", NS)) or None,
        primary_category=primary.get("term") if primary is not None else None,
        summary=shorten(entry.findtext("atom:summary", "", NS)) or None,
    )


def parse_feed(text: str, arxiv_id: str) -> Entry:
    """The entry for `arxiv_id` in an arXiv Atom answer; `ArxivError`/`NotFound` otherwise."""
    wanted = _VERSION.sub("", arxiv_id)
    entries = _root(text).findall("atom:entry", NS)
    if not entries:
        raise NotFound(f"arXiv has no paper {arxiv_id} (its answer lists no entry)")
    for element in entries:
        reason = _error(element)
        if reason:
            raise NotFound(f"arXiv has no paper {arxiv_id}: {reason}")
        match = re.search(r"/abs/(.+?)(?:v(\d+))?$", shorten(element.findtext("atom:id", "", NS)))
        if not match or match.group(1) != wanted:
            continue
        entry = _entry(element)
        if entry is None:
            raise ArxivError(f"arXiv's entry for {arxiv_id} has no title or no publication date")
        return entry
    found = ", ".join(shorten(e.findtext("atom:id", "", NS)) for e in entries)
    raise NotFound(f"arXiv's answer for {arxiv_id} holds other papers only ({shorten(found, 100)})")


def parse_entries(text: str) -> dict[str, Entry]:
    """Every paper of an arXiv Atom answer, by bare id (entries without a title or date are left
    out: arXiv may answer an unknown id so); `BadId` for an `Error` entry, `ArxivError` for an
    answer that is not a feed."""
    found = {}
    for element in _root(text).findall("atom:entry", NS):
        reason = _error(element)
        if reason:
            named = re.search(r"\bfor (\S+?)\.?$", reason)  # "incorrect id format for 1234.5678"
            raise BadId(f"arXiv refused the query: {reason}", named.group(1) if named else None)
        entry = _entry(element)
        if entry is not None:
            found.setdefault(entry.arxiv_id, entry)
    return found
