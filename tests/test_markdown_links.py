"""Finding the links of a markdown document, with their kinds and lines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from awesome_prune.render.markdown import document_anchors
from awesome_prune.render.markdown import Link, extract_links


def test_inline_link_and_image() -> None:
    assert extract_links('See [the paper](papers/owl.md "OWL") and ![plot](img/plot.png).\n') == [
        Link("papers/owl.md", 1, "link"),
        Link("img/plot.png", 1, "image"),
    ]


def test_reference_links_are_reported_where_used() -> None:
    document = "\n".join(
        [
            "Full [OWL][owl-paper], collapsed [Wanda][],",  # 1
            "shortcut [SparseGPT] and an image ![logo][logo].",  # 2
            "",
            "[owl-paper]: papers/owl.md",
            "[wanda]: <papers/wanda.md> 'title'",
            "[sparsegpt]: https://arxiv.org/abs/2301.00774",
            "[logo]: img/logo.png",
            "[unused]: nowhere.md",
        ]
    )
    assert extract_links(document) == [
        Link("papers/owl.md", 1, "reference"),
        Link("papers/wanda.md", 1, "reference"),
        Link("https://arxiv.org/abs/2301.00774", 2, "reference"),
        Link("img/logo.png", 2, "image"),
    ]


def test_autolinks() -> None:
    assert extract_links("Mail <me@example.org> or see <https://example.org/a?b=c>.\n") == [
        Link("mailto:me@example.org", 1, "autolink"),
        Link("https://example.org/a?b=c", 1, "autolink"),
    ]


def test_lines_in_a_multi_line_paragraph() -> None:
    document = "\n".join(
        [
            "Intro.",  # 1
            "",
            "First line [a](a.md)",  # 3
            "second line with [b](b.md) and [c](",  # 4
            "c.md) split over two lines,",
            "  third ![d](d.png) <https://e.org>",  # 6
            "[a](a.md) again.",  # 7
        ]
    )
    assert extract_links(document) == [
        Link("a.md", 3, "link"),
        Link("b.md", 4, "link"),
        Link("c.md", 4, "link"),
        Link("d.png", 6, "image"),
        Link("https://e.org", 6, "autolink"),
        Link("a.md", 7, "link"),
    ]


def test_lines_in_tables_one_per_row() -> None:
    document = "\n".join(
        [
            "| Paper | Code |",  # 1
            "| --- | --- |",
            "| [OWL](papers/owl.md) | [code](https://github.com/a/owl) |",  # 3
            "| plain | nothing |",
            "| [Wanda](papers/wanda.md) \\| x | ![b](badge.svg) |",  # 5
        ]
    )
    assert extract_links(document) == [
        Link("papers/owl.md", 3, "link"),
        Link("https://github.com/a/owl", 3, "link"),
        Link("papers/wanda.md", 5, "link"),
        Link("badge.svg", 5, "image"),
    ]


def test_badge_link_around_image_gives_both_in_order() -> None:
    document = "[![arXiv](https://img.shields.io/badge/arXiv-2310-red)](https://arxiv.org/abs/2310)\n"
    assert extract_links(document) == [
        Link("https://arxiv.org/abs/2310", 1, "link"),
        Link("https://img.shields.io/badge/arXiv-2310-red", 1, "image"),
    ]


def test_html_block_links_take_the_line_of_their_tag() -> None:
    document = "\n".join(
        [
            "# Title",  # 1
            "",
            '<p align="center">',  # 3
            '  <a href="concepts/outliers.md"><img src="img/a.png" width="40"></a>',  # 4
            "  <img",  # 5
            '    alt="multi"',
            '    src="img/b.png">',
            '  <a name="no-href">x</a> <a href="a&amp;b.md">y</a>',  # 8
            "</p>",
        ]
    )
    assert extract_links(document) == [
        Link("concepts/outliers.md", 4, "html"),
        Link("img/a.png", 4, "html"),
        Link("img/b.png", 5, "html"),
        Link("a&b.md", 8, "html"),
    ]


def test_inline_html_links() -> None:
    document = 'Text line,\nthen <a href=" x.md ">x</a> and <img src="y.png"/> inline.\n'
    assert extract_links(document) == [Link("x.md", 2, "html"), Link("y.png", 2, "html")]


def test_empty_targets_are_reported_with_an_empty_url() -> None:
    document = '[empty]() and [spaces]( ) and [angle](<>)\n\n![no image]()\n\n<a href="">x</a>\n'
    assert extract_links(document) == [
        Link("", 1, "link"),
        Link("", 1, "link"),
        Link("", 1, "link"),
        Link("", 3, "image"),
        Link("", 5, "html"),
    ]


def test_urls_are_kept_as_written_not_percent_encoded() -> None:
    document = (
        "[a](papers/ü.md) [b](a%20b.md) [c](<c d.md>) [e](a\\_b.md#x) [f](a&amp;b.md) "
        "[g](challenge.md/#Outliers)\n"
    )
    assert [link.url for link in extract_links(document)] == [
        "papers/ü.md",
        "a%20b.md",
        "c d.md",
        "a_b.md#x",
        "a&b.md",
        "challenge.md/#Outliers",
    ]


def test_links_in_code_are_not_links_and_javascript_is_reported() -> None:
    document = "`[x](code.md)`\n\n```\n[y](fence.md)\n```\n\n    [z](indented.md)\n\n[j](javascript:void)\n"
    assert extract_links(document) == [Link("javascript:void", 9, "link")]


def test_links_in_headings_lists_and_quotes() -> None:
    document = "## [Heading](h.md)\n\n- item\n  [li](li.md)\n\n> quote\n> [q](q.md)\n"
    assert extract_links(document) == [
        Link("h.md", 1, "link"),
        Link("li.md", 4, "link"),
        Link("q.md", 7, "link"),
    ]


_PIECES = st.sampled_from(
    list("[]()<>!#*_`\\ \n\t|-=:/\"'&;ax.")
    + ['<a href="', "<img src=", "](", "&amp;", "\u2028", "\x85", "\r\n", "<!--", "|---|", 'id="']
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_any_text_gives_links_and_anchors_on_existing_lines(markdown: str) -> None:
    last_line = markdown.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    assert all(1 <= link.line <= last_line for link in extract_links(markdown))
    assert all(1 <= anchor.line <= last_line for anchor in document_anchors(markdown))
