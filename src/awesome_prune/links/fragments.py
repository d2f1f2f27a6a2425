"""Fragments of external pages: which need no checking, and finding ids in streamed HTML."""

from __future__ import annotations

import codecs
import html.parser
import re
from collections.abc import Iterable

from .fetch import host_key
from .options import GITHUB_WEB_HOSTS

__all__ = ["IdCollector", "charset", "fragment_found", "trivial_fragment", "wanted_ids"]


def trivial_fragment(frag: str, url: str) -> bool:
    """Fragments a page need not contain: empty, #top, text fragments, GitHub line anchors."""
    if frag in ("", "top") or frag.startswith(":~:"):
        return True
    if host_key(url) in GITHUB_WEB_HOSTS and re.fullmatch(r"L\d+(C\d+)?(-L\d+(C\d+)?)?", frag):
        return True
    return False


class IdCollector(html.parser.HTMLParser):
    """Collects the wanted ids (and <a name>) seen in a page."""

    def __init__(self, wanted: set[str]):
        super().__init__(convert_charrefs=True)
        self.wanted = wanted
        self.found: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name == "id" or (name == "name" and tag == "a"):
                if value in self.wanted:
                    self.found.add(value)

    handle_startendtag = handle_starttag


def wanted_ids(fragments: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for f in fragments:
        out.add(f)
        out.add("user-content-" + f)
    return out


def fragment_found(frag: str, ids: set[str]) -> bool:
    return frag in ids or ("user-content-" + frag) in ids


def charset(content_type: str) -> str:
    m = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    if m:
        try:
            return codecs.lookup(m.group(1)).name
        except LookupError:
            pass
    return "utf-8"
