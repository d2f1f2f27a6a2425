"""Every link target of a markdown document, with the line it is written on.

Parsing is done by markdown-it-py (CommonMark preset plus GFM tables, linkify off), the same
grammar GitHub renders with for everything that matters to links. Found are:

* ``link``      – inline links ``[text](target)``;
* ``reference`` – links whose target comes from a reference definition (``[text][label]``,
  ``[text][]``, ``[label]``); the line is where the link is *used*, not where it is defined;
* ``image``     – images ``![alt](src)``, inline or by reference;
* ``autolink``  – ``<https://…>`` and ``<someone@example.org>`` (reported as ``mailto:…``);
* ``html``      – ``<a href>`` and ``<img src>`` in raw HTML, block or inline.

**URLs are kept as written**, after exactly the decoding CommonMark itself applies to a link
destination (backslash escapes and entity references), and *never* percent-encoded:
markdown-it would normally normalize hrefs (``ü`` → ``%C3%BC``, ``a b`` → ``a%20b``); this module
switches that off, so ``[x](papers/ü.md)`` gives ``papers/ü.md`` and ``[x](a%20b.md)`` gives
``a%20b.md`` (percent-decoding, where wanted, is the caller's business).
HTML attribute values are entity-decoded and stripped; ``javascript:`` targets are reported too.

Lines are 1-based. Inline links take the line of their own opening ``[`` / ``<`` inside the
block (a multi-line paragraph is resolved line by line; a table row is its own line); HTML
elements take the line their start tag begins on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import NamedTuple

from markdown_it import MarkdownIt
from markdown_it.rules_inline import autolink, html_inline, image, link
from markdown_it.rules_inline.state_inline import StateInline
from markdown_it.token import Token

from .markup import Slugger

__all__ = ["Anchor", "HtmlTag", "Link", "anchors_in", "document_anchors", "extract_links", "heading_texts",
           "html_start_tags", "inline_line", "link_items", "links_in", "markdown_parser", "parse", "scan_markdown"]

InlineRule = Callable[[StateInline, bool], bool]


@dataclass(frozen=True)
class Link:
    """One link target found in a document."""

    url: str
    line: int  # 1-based
    kind: str  # 'link' | 'image' | 'autolink' | 'html' | 'reference'


class HtmlTag(NamedTuple):
    """A start tag found in a piece of raw HTML."""

    name: str  # lower-cased tag name
    attrs: dict[str, str | None]  # lower-cased names; the first of duplicate attributes wins
    line: int  # 1-based line within the HTML piece where the tag starts


class _SourceMarkdown(MarkdownIt):
    """markdown-it that keeps link destinations as written (no percent-encoding, no veto)."""

    def normalizeLink(self, url: str) -> str:  # noqa: N802 - markdown-it's name
        return url

    def normalizeLinkText(self, link: str) -> str:  # noqa: N802 - markdown-it's name
        return link

    def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
        return True


def _tracked(rule: InlineRule, token_type: str, marker: str) -> InlineRule:
    """Wrap an inline rule so the token it opens records where in the inline source it started.

    ``meta["pos"]`` is the offset of the construct in the inline token's content, and
    ``meta["reference"]`` tells whether a link/image got its target from a reference definition
    (its source ends in ``]`` rather than ``)``). ``marker`` is the character every match of the
    rule starts with (the rule's own first test, made here without a call).
    """

    def tracked(state: StateInline, silent: bool) -> bool:
        if state.src[state.pos] != marker:
            return False
        start = state.pos
        first = len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            for token in state.tokens[first:]:
                if token.type == token_type:
                    token.meta = {
                        **(token.meta or {}),
                        "pos": start,
                        "reference": state.src[state.pos - 1] == "]",
                    }
                    break
        return matched

    return tracked


@lru_cache(maxsize=None)
def markdown_parser() -> MarkdownIt:
    """The shared parser: CommonMark + tables, raw link targets, source positions recorded."""
    md = _SourceMarkdown("commonmark", {"linkify": False}).enable("table")
    md.inline.ruler.at("link", _tracked(link, "link_open", "["))
    md.inline.ruler.at("image", _tracked(image, "image", "!"))
    md.inline.ruler.at("autolink", _tracked(autolink, "link_open", "<"))
    md.inline.ruler.at("html_inline", _tracked(html_inline, "html_inline", "<"))
    return md


def parse(markdown: str) -> list[Token]:
    """Block-level tokens of ``markdown`` (inline tokens carry their children)."""
    return markdown_parser().parse(markdown)


def inline_line(inline: Token, child: Token) -> int:
    """1-based source line of ``child``, a token among the children of the ``inline`` token."""
    start = inline.map[0] + 1 if inline.map else 1
    pos = (child.meta or {}).get("pos")
    if not isinstance(pos, int):
        return start
    return start + inline.content.count("\n", 0, pos)


class _TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[HtmlTag] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values: dict[str, str | None] = {}
        for name, value in attrs:
            values.setdefault(name, value)
        self.tags.append(HtmlTag(tag, values, self.getpos()[0]))


def html_start_tags(html: str) -> list[HtmlTag]:
    """Start tags (and self-closing tags) of a piece of raw HTML, in order. Never raises."""
    collector = _TagCollector()
    try:
        collector.feed(html)
        collector.close()
    except Exception:  # html.parser may choke on malformed markup; keep what was found
        pass
    return collector.tags


_HTML_LINK_ATTRS = {"a": "href", "img": "src"}

#: Raw HTML without any of these (in any case) has no link and no anchor attribute: ``<br>``.
#: (Attribute names are lower-cased with ``str.lower``; only ASCII letters lower to these.)
MAY_HOLD_LINKS = re.compile(r"href|src|id|name", re.IGNORECASE).search


def _html_links(html: str, first_line: int) -> Iterator[tuple[str, int, str]]:
    if not MAY_HOLD_LINKS(html):
        return
    for tag in html_start_tags(html):
        attr = _HTML_LINK_ATTRS.get(tag.name)
        if attr is None:
            continue
        value = tag.attrs.get(attr, None)
        if value is None and attr not in tag.attrs:
            continue
        yield (value or "").strip(" \t\n\r\f"), first_line + tag.line - 1, "html"


def link_items(tokens: list[Token]) -> list[tuple[str, int, str]]:
    """(url, line, kind) of every link in the block tokens ``tokens``, in document order."""
    items: list[tuple[str, int, str]] = []
    for token in tokens:
        if token.type == "html_block":
            items.extend(_html_links(token.content, token.map[0] + 1 if token.map else 1))
            continue
        if token.type != "inline" or not token.children:
            continue
        first = token.map[0] + 1 if token.map else 1
        content = token.content
        multiline = "\n" in content
        for child in token.children:
            kind = child.type
            if kind != "link_open" and kind != "image" and kind != "html_inline":
                continue
            line = first
            if multiline:  # what inline_line(token, child) gives
                pos = (child.meta or {}).get("pos")
                if isinstance(pos, int):
                    line += content.count("\n", 0, pos)
            if kind == "link_open":
                if child.info == "auto":
                    kind = "autolink"
                elif (child.meta or {}).get("reference"):
                    kind = "reference"
                else:
                    kind = "link"
                items.append((str(child.attrs.get("href", "")), line, kind))
            elif kind == "image":
                items.append((str(child.attrs.get("src", "")), line, "image"))
            else:
                items.extend(_html_links(child.content, line))
    return items


def links_in(tokens: list[Token]) -> list[Link]:
    """Every link target in the block tokens ``tokens`` (see :func:`extract_links`)."""
    return [Link(url, line, kind) for url, line, kind in link_items(tokens)]


def extract_links(markdown: str) -> list[Link]:
    """Every link target of ``markdown`` in document order (see the module docstring)."""
    return links_in(parse(markdown))


@dataclass(frozen=True)
class Anchor:
    """An anchor a rendered document offers to ``#fragment`` links."""

    name: str
    line: int  # 1-based line of the heading or HTML element


def _inline_text(tokens: list[Token]) -> str:
    """The rendered text of inline tokens: text and code, image alt texts, no raw HTML."""
    parts: list[str] = []
    for token in tokens:
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(_inline_text(token.children or []))
    return "".join(parts)


def _html_anchors(html: str, first_line: int) -> list[Anchor]:
    anchors: list[Anchor] = []
    if not MAY_HOLD_LINKS(html):  # no id or name attribute in it (``<br>``)
        return anchors
    for tag in html_start_tags(html):
        for attr, value in tag.attrs.items():
            if attr in ("id", "name") and value:
                anchors.append(Anchor(value, first_line + tag.line - 1))
    return anchors


def _headings(tokens: list[Token]):
    """(token index, rendered text) of every heading with text, in document order."""
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            text = _inline_text(tokens[index + 1].children or [])
            if text:
                yield index, text


def heading_texts(markdown: str) -> list[str]:
    """The rendered text of every heading of ``markdown`` that gets an anchor, in order."""
    return [text for _, text in _headings(parse(markdown))]


def document_anchors(markdown: str) -> list[Anchor]:
    """Every anchor of ``markdown`` as rendered by GitHub, in document order.

    Headings (ATX and setext) get the slug of their text after inline parsing -- entities and
    escapes decoded, emphasis/link/code markup gone, images replaced by their alt text, raw
    inline HTML tags dropped -- de-duplicated through one :class:`Slugger`. A heading with no
    text at all gets no anchor. ``id="…"`` and ``name="…"`` attributes of raw HTML (blocks and
    inline tags) are anchors too, verbatim: not slugged, not de-duplicated.
    """
    return anchors_in(parse(markdown))


def anchors_in(tokens: list[Token]) -> list[Anchor]:
    """:func:`document_anchors` of already parsed block tokens (inline tokens with children)."""
    slugger = Slugger()
    anchors: list[Anchor] = []
    headings = dict(_headings(tokens))
    for index, token in enumerate(tokens):
        kind = token.type
        if index in headings:
            line = token.map[0] + 1 if token.map else 1
            anchors.append(Anchor(slugger.slug(headings[index]), line))
        elif kind == "html_block":
            anchors.extend(_html_anchors(token.content, token.map[0] + 1 if token.map else 1))
        elif kind == "inline":
            for child in token.children or ():
                if child.type == "html_inline":
                    anchors.extend(_html_anchors(child.content, inline_line(token, child)))
    return anchors


def scan_markdown(text: str) -> tuple[list[tuple[str, int]], list[str]]:
    """(url, line) of every link and every anchor name of a markdown document, from one parse."""
    tokens = parse(text)
    return [(url, line) for url, line, _ in link_items(tokens)], [anchor.name for anchor in anchors_in(tokens)]
