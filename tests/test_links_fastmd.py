"""The checker's faster parsing is the same parsing: each fast piece against markdown-it-py's own,
and one scan (links and anchors from one token stream) against `extract_links` +
`document_anchors`, on seeded random input; the site's pages parsed in two halves against one go;
the two-process map against a plain loop."""

from __future__ import annotations

import importlib
import os
import random
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it import helpers as md_helpers
from markdown_it import rules_inline

from awesome_prune.anchors import document_anchors
from awesome_prune.links import html, pages
from awesome_prune.links import extract
from awesome_prune.links.extract import extract_links, markdown_parser
from awesome_prune.links.fastmd import _escaped_split, parse_link_destination
from awesome_prune.links.pages import Split, map_files, scan_text
from awesome_prune.parallel import can_fork

table_module = importlib.import_module("markdown_it.rules_block.table")

DESTINATION_ALPHABET = ["a", "b", "/", ".", "#", "(", ")", "\\", " ", "\n", "\t", "\x01", "\x7f", "<", ">", "&",
                        "amp;", "é", "%20", '"', "'", ")", "("]


def test_link_destinations_parse_the_same() -> None:
    rng = random.Random(1)
    for _ in range(20000):
        text = "".join(rng.choice(DESTINATION_ALPHABET) for _ in range(rng.randint(0, 14)))
        pos = rng.randint(0, len(text))
        maximum = rng.randint(pos, len(text) + 1)
        fast, slow = parse_link_destination(text, pos, maximum), md_helpers.parseLinkDestination(text, pos, maximum)
        assert (fast.ok, fast.pos, fast.str) == (slow.ok, slow.pos, slow.str), (text, pos, maximum)
    deep = "(" * 40 + "x" + ")" * 40
    assert not parse_link_destination(deep, 0, len(deep)).ok


def test_table_rows_split_the_same() -> None:
    rng = random.Random(2)
    for _ in range(5000):
        row = "".join(rng.choice(["|", "a", " ", "\\", "`", "b|"]) for _ in range(rng.randint(0, 12)))
        assert _escaped_split(row) == table_module.escapedSplit(row), row


PIECES = [
    "[a](b.md)", "[a](<c d.md> 'title')", "![img](i.png)", "[![x](y.svg)](z.md#k)", "<https://e.org>",
    "<me@x.org>", "[ref]", "[ref][]", "[t][ref]", "<a href=\"h.md\">h</a>", "<img src='s.png'>",
    "<a name=\"n1\"></a>", "<span id=\"i1\">", "<br>", "*em*", "_u_", "`code [x](y)`", "&amp;", "&#91;",
    "\\[", "\\<", "text", "word", " ", "|", "[", "]", "(", ")", "<", "!", "Ünï", "-", "2024",
]
BLOCKS = ["# ", "## ", "### ", "- ", "1. ", "> ", "    ", "", "", "", "| a | b |\n|---|---|\n| ",
          "```\n", "<div id=\"blk\">\n", "Title\n===\n", "[ref]: target.md#r\n", "<!-- c -->\n"]


def _document(rng: random.Random) -> str:
    lines = []
    for _ in range(rng.randint(1, 25)):
        inline = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 8)))
        block = rng.choice(BLOCKS)
        lines.append(block + inline)
        if rng.random() < 0.3:
            lines.append("")
    return "\n".join(lines) + "\n"


def test_one_scan_gives_the_links_and_anchors_of_two_parses() -> None:
    rng = random.Random(3)
    for _ in range(700):
        document = _document(rng)
        links, anchors = scan_text(document)
        assert links == [(link.url, link.line) for link in extract_links(document)], document
        assert anchors == [anchor.name for anchor in document_anchors(document)], document


def _plain_tracked(rule, token_type):  # type: ignore[no-untyped-def]
    """extract._tracked as it was first written: no test of the first character."""

    def tracked(state, silent):  # type: ignore[no-untyped-def]
        start, first = state.pos, len(state.tokens)
        matched = rule(state, silent)
        if matched and not silent:
            for token in state.tokens[first:]:
                if token.type == token_type:
                    token.meta = {**(token.meta or {}), "pos": start, "reference": state.src[state.pos - 1] == "]"}
                    break
        return matched

    return tracked


def _stock_parser() -> MarkdownIt:
    """The shared parser as it would be without the fast pieces."""
    md = extract._SourceMarkdown("commonmark", {"linkify": False}).enable("table")
    for name, token in (("link", "link_open"), ("image", "image"), ("autolink", "link_open"),
                        ("html_inline", "html_inline")):
        md.inline.ruler.at(name, _plain_tracked(getattr(rules_inline, name), token))
    return md


def test_the_shared_parser_gives_the_tokens_of_the_stock_rules() -> None:
    rng, stock = random.Random(4), _stock_parser()
    for _ in range(300):
        document = _document(rng)
        tokens = [t.as_dict() for t in markdown_parser().parse(document)]
        assert tokens == [t.as_dict() for t in stock.parse(document)], document


def test_the_checker_parser_leaves_markdown_it_untouched() -> None:
    scan_text("[a](b)\n\n| x |\n|---|\n| [y](z) |\n")
    plain = MarkdownIt("commonmark").enable("table")
    assert plain.helpers is md_helpers
    assert md_helpers.parseLinkDestination is not parse_link_destination
    assert plain.render("[a](b c)") == "<p>[a](b c)</p>\n"


HTML_PIECES = ['<a href="x.html#a">x</a>', '<p id="a">', '<a name="b"></a>', '<img src="i.png">', "&amp;", "&",
               "&am", "<script>var s = '<a href=\"no\">';</script>", "<!-- <a id=\"c\"> -->", "<br/>",
               '<div id="a"></div>', "text", "<", "</p>", "<style>p{}</style>", '<a href="', '">']


@pytest.mark.parametrize("seed", range(4))
def test_a_page_parsed_in_two_halves_is_parsed_once(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    for number in range(150):
        lines = ["".join(rng.choice(HTML_PIECES) for _ in range(rng.randint(0, 6))) for _ in range(rng.randint(1, 30))]
        page = tmp_path / f"p{number}.html"
        page.write_text("\n".join(lines) + "\n", encoding="utf-8")
        assert html._join(html._head(page), html._tail(page)) == html._parse(page), lines
        assert html._join(html._head(page), None) == html._parse(page)


def _pid_and_name(path: Path) -> tuple[int, str]:
    return os.getpid(), path.name


def _fails_in_a_child(path: Path) -> str:
    if os.getpid() != PARENT:
        raise RuntimeError("child")
    return path.name


PARENT = os.getpid()


def test_the_second_process_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "MIN_PARALLEL_BYTES", 0)
    files = []
    for number, size in enumerate([50, 7, 30, 1, 12, 12]):
        files.append(tmp_path / f"f{number}.md")
        files[-1].write_text("x" * size, encoding="utf-8")
    found = map_files(_pid_and_name, files)
    assert [name for _, name in found] == [f.name for f in files]
    if can_fork():
        assert len({pid for pid, _ in found}) == 2
    # a child that fails: its share is done here
    assert map_files(_fails_in_a_child, files) == [f.name for f in files]


def test_a_big_page_is_shared_between_the_processes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pages, "MIN_PARALLEL_BYTES", 0)
    big = tmp_path / "index.html"
    big.write_text("".join(f'<p id="p{i}"><a href="#p{i // 2}">{i}</a>\n' for i in range(3000)), encoding="utf-8")
    small = tmp_path / "other.html"
    small.write_text('<a href="index.html#p1">x</a>\n', encoding="utf-8")
    assert map_files(html._parse, [small, big], html._SPLIT) == [html._parse(small), html._parse(big)]
    calls: list[str] = []
    spy = Split(html._head, html._tail, lambda head, tail: calls.append("join") or html._join(head, tail))
    assert map_files(html._parse, [big], spy) == [html._parse(big)]
    assert calls == (["join"] if can_fork() else [])  # one process: the page is read whole
