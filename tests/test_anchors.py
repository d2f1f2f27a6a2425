"""GitHub heading anchors: github-slugger's fixtures, and anchors of whole documents."""

from __future__ import annotations

import json
import string
from pathlib import Path

import pytest

from awesome_prune.render.markup import Slugger, slugify
from awesome_prune.render.markdown import Anchor, document_anchors

FIXTURES = Path(__file__).parent / "data" / "github-slugger-fixtures.json"
# The reference copy lives next to the repository (../shared); CI has it, a bare checkout may not.
SHARED_FIXTURES = (
    Path(__file__).resolve().parents[1].parent / "shared/reference/github-slugger-fixtures.json"
)

CASES: list[dict[str, str]] = json.loads(FIXTURES.read_text(encoding="utf-8"))


def test_fixture_file_has_the_78_cases() -> None:
    assert len(CASES) == 78
    assert all({"name", "input", "expected"} <= case.keys() for case in CASES)


@pytest.mark.skipif(not SHARED_FIXTURES.is_file(), reason="../shared/reference not available")
def test_fixture_copy_matches_the_shared_reference() -> None:
    assert FIXTURES.read_bytes() == SHARED_FIXTURES.read_bytes()


def test_all_fixtures_through_one_slugger_in_order() -> None:
    slugger = Slugger()
    wrong = [
        (case["name"], got, case["expected"])
        for case in CASES
        if (got := slugger.slug(case["input"])) != case["expected"]
    ]
    assert wrong == []


def _as_heading_source(text: str) -> str:
    """Markdown whose heading text is exactly ``text`` (how the fixtures' gist was written)."""
    out: list[str] = []
    for char in text:
        if char in string.punctuation:
            out.append("\\" + char)
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:  # controls: line breaks, NUL, …
            out.append(f"&#x{ord(char):X};")
        else:
            out.append(char)
    source = "".join(out)
    body = source.strip(" ")
    leading = len(source) - len(source.lstrip(" "))
    trailing = len(source) - len(source.rstrip(" ")) if body else 0
    return "&#x20;" * leading + body + "&#x20;" * trailing


def test_all_fixtures_as_headings_of_one_markdown_document() -> None:
    document = "\n\n".join("# " + _as_heading_source(case["input"]) for case in CASES) + "\n"
    anchors = document_anchors(document)
    assert [a.name for a in anchors] == [case["expected"] for case in CASES]
    assert [a.line for a in anchors] == list(range(1, 2 * len(CASES), 2))


def test_heading_source_escaping_round_trips_edge_spaces() -> None:
    assert _as_heading_source(" a ") == "&#x20;a&#x20;"
    assert _as_heading_source(" ") == "&#x20;"
    assert _as_heading_source("a.b") == "a\\.b"


def test_slugify_is_stateless() -> None:
    assert slugify("Outliers in LLMs") == "outliers-in-llms"
    assert slugify("Outliers in LLMs") == "outliers-in-llms"
    assert slugify("Wanda (2023): Pruning — by Weights & Activations!") == (
        "wanda-2023-pruning--by-weights--activations"
    )


def test_slugger_counts_past_suffixed_slugs_and_resets() -> None:
    slugger = Slugger()
    assert [slugger.slug(t) for t in ["a", "a-1", "a", "a", "A"]] == ["a", "a-1", "a-2", "a-3", "a-4"]
    slugger.reset()
    assert slugger.slug("a") == "a"


def test_atx_and_setext_headings_with_lines() -> None:
    document = "\n".join(
        [
            "Title",  # 1
            "=====",
            "",
            "Sub part",  # 4
            "--------",
            "",
            "### Third ###",  # 7
            "",
            "Two",  # 9
            "lines",
            "===",
        ]
    )
    assert document_anchors(document) == [
        Anchor("title", 1),
        Anchor("sub-part", 4),
        Anchor("third", 7),
        Anchor("twolines", 9),
    ]


def test_headings_use_rendered_text_of_links_emphasis_code_images_entities() -> None:
    document = "\n".join(
        [
            "## See [the *paper*](https://example.org/x) and `code_x()`",
            "# ![Logo](logo.png) **Bold** _title_",
            "# Q&amp;A &copy; 2024",
            "# Foo <span class=\"x\">bar</span><!-- note -->",
            "# <https://example.org/a%20b>",
            "# Escaped \\*stars\\* and \\# hash",
        ]
    )
    assert [a.name for a in document_anchors(document)] == [
        "see-the-paper-and-code_x",
        "logo-bold-title",
        "qa--2024",
        "foo-bar",
        "httpsexampleorga20b",
        "escaped-stars-and--hash",
    ]


def test_repeated_headings_are_numbered_in_document_order() -> None:
    document = "# Notes\n\n## Notes\n\n- ## Notes\n\n> # Notes\n"
    assert document_anchors(document) == [
        Anchor("notes", 1),
        Anchor("notes-1", 3),
        Anchor("notes-2", 5),
        Anchor("notes-3", 7),
    ]


def test_not_headings_give_no_anchor() -> None:
    document = "```\n# in a fence\n```\n\n    # indented code\n\n#\n\n#hashtag\n\n# Real\n"
    assert document_anchors(document) == [Anchor("real", 11)]


def test_html_id_and_name_are_anchors_verbatim_and_not_deduplicated() -> None:
    document = "\n".join(
        [
            "# Intro",  # 1
            "",
            '<div id="intro" class="box">',  # 3
            '<a name="Old_Name"></a>',  # 4
            '<img alt="x"',  # 5
            '     id="Multi Line">',
            "</div>",
            "",
            "Some text and",  # 9
            'an <a id="inline-id"></a> inline <span name="also">anchor</span>.',  # 10
            "",
            "# Intro",  # 12
            "",
            '<p id="">empty ids are not anchors</p>',
        ]
    )
    assert document_anchors(document) == [
        Anchor("intro", 1),
        Anchor("intro", 3),
        Anchor("Old_Name", 4),
        Anchor("Multi Line", 5),
        Anchor("inline-id", 10),
        Anchor("also", 10),
        Anchor("intro-1", 12),
    ]


def test_html_in_a_heading_gives_both_anchors() -> None:
    document = '## <a name="wanda"></a>Wanda: pruning by weights and activations\n'
    assert document_anchors(document) == [
        Anchor("wanda-pruning-by-weights-and-activations", 1),
        Anchor("wanda", 1),
    ]


def test_unicode_version_is_pinned_to_github_slugger() -> None:
    # U+1E290 TOTO LETTER PA was assigned in Unicode 14.0: unassigned for github-slugger 2.0.0.
    assert slugify("a\U0001E290b") == "ab"
    # U+306F8 is a CJK ideograph of Unicode 13.0 (kept); U+24B6 CIRCLED A is an alphabetic symbol.
    assert slugify("\U000306F8 \u24b6") == "\U000306F8-\u24d0"
