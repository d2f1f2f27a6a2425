"""Fragments of external pages: the ids a fetch looks for, read from the streamed HTML, and the
verdict on each input URL's ``#fragment``.

A fragment is found when the page has an element with that id, ``user-content-`` + it (how
GitHub renders README headings) or an ``<a name>``; the page is read only until every wanted
fragment is found, and at most ``fragment_cap`` bytes. Empty fragments, ``#top``, text fragments
(``#:~:``) and GitHub line anchors (``#L10-L20``) need no checking.
"""

from __future__ import annotations

import codecs
import html.parser
import re
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from .transport import REQUEST_ERRORS

if TYPE_CHECKING:
    from .fetch import Fetch, Status

__all__ = ["GITHUB_WEB_HOSTS", "PageIds", "trivial"]

GITHUB_WEB_HOSTS = frozenset({"github.com", "www.github.com"})
READ_CHUNK = 64 * 1024


def trivial(frag: str, url: str) -> bool:
    """A fragment the page need not contain."""
    if frag in ("", "top") or frag.startswith(":~:"):
        return True
    host = (urlsplit(url).hostname or "").lower()
    return host in GITHUB_WEB_HOSTS and bool(re.fullmatch(r"L\d+(C\d+)?(-L\d+(C\d+)?)?", frag))


class PageIds(html.parser.HTMLParser):
    """The wanted ids of one page: ``found``, whether the page was read to its end
    (``complete``) and, if not, why (``error``)."""

    def __init__(self, frags: set[str]):
        super().__init__(convert_charrefs=True)
        self.frags = frags
        self.wanted = frags | {"user-content-" + f for f in frags}
        self.found: set[str] = set()
        self.complete = False
        self.error: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (name == "id" or (name == "name" and tag == "a")) and value in self.wanted:
                self.found.add(value)

    handle_startendtag = handle_starttag

    def has(self, frag: str) -> bool:
        return frag in self.found or "user-content-" + frag in self.found

    def read(self, resp, content_type: str, cap: int, expired: Callable[[], bool]) -> None:
        """Read ``resp`` (decoded) until every fragment is found, its end, or ``cap`` bytes."""
        m = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
        try:
            decoder = codecs.getincrementaldecoder(m.group(1) if m else "utf-8")(errors="replace")
        except LookupError:
            decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        total, cap = 0, max(1, cap)
        try:
            while total < cap:
                chunk = resp.read1(min(READ_CHUNK, cap - total))
                if not chunk:
                    self.feed(decoder.decode(b"", final=True))
                    self.close()
                    self.complete = True
                    return
                total += len(chunk)
                self.feed(decoder.decode(chunk))
                if all(self.has(f) for f in self.frags):
                    return
                if expired():
                    self.error = "timed out reading the page"
                    return
        except REQUEST_ERRORS as exc:
            self.error = ("timed out reading the page" if expired()
                          else f"could not read the page ({type(exc).__name__})")
            return
        self.error = f"not found in the first {cap // 1024} KiB"

    @staticmethod
    def verdict(f: Fetch, frag: str | None, url: str) -> tuple[Status, str]:
        """The status and detail of the input ``url`` (fragment ``frag``) that ``f`` answers."""
        status = f.status or "unverifiable"
        if f.redirect_fragment is not None:  # a redirect's Location named the fragment
            frag = f.redirect_fragment
        if status != "ok" or frag is None or trivial(frag, f.final_url or url):
            return status, f.detail
        shown = f"#{frag}"
        if f.api_why is not None:  # the GitHub API said so: the page itself was not seen
            return "unverifiable", f"{f.detail}; {shown} not checked"
        if f.page is None:
            return "ok", f"{f.detail}; {shown} not checked (not HTML)"
        if f.page.has(frag):
            return "ok", f"{f.detail}; {shown} found"
        if f.page.complete:
            return "broken", f"{f.detail} but fragment {shown} not found"
        return "unverifiable", f"{f.detail}; fragment {shown}: {f.page.error or 'page not fully read'}"
