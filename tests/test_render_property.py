"""Property: whatever a contributor writes, each README row stays one row of exactly four cells,
the title reads back as written, and every link the row makes points where the record says."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import unquote

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from awesome_prune.records.catalog import load_catalog
from awesome_prune.render.markup import github_repo
from awesome_prune.records.models import Paper
from awesome_prune.render.pages import Renderer

REPO = Path(__file__).resolve().parents[1]
CATALOG = load_catalog(REPO / "tests" / "fixtures" / "list")
RENDERER = Renderer(CATALOG.settings, CATALOG.taxonomy, REPO / "templates", CATALOG.challenge_intro)
GFM = MarkdownIt("commonmark").enable("table")

# Arbitrary printable text mixed with fragments of markdown, table and HTML syntax, so that the
# dangerous inputs are frequent; control, invisible and private-use characters are refused by the
# model itself (test_errors.py holds those refusals).
chars = st.characters(exclude_categories=("Cs", "Cc", "Cf", "Co", "Zl", "Zp"))
SYNTAX = ["|", "\\|", "\\", "`", "``", "*", "_", "[", "]", "(", ")", "[x](https://e.org/y)", "![i](j)", "<b>",
          "</td>", "<!--", "-->", "<https://a.b/c>", "&#124;", "&amp;", "#", "$", "~~", "<br>", " ", "  ", "\t"]
fragments = st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(chars, max_size=8)), min_size=1, max_size=25)
line = fragments.map(lambda parts: "".join(parts).replace("\t", " ")).filter(lambda s: s.strip())
prose = st.lists(st.one_of(fragments.map("".join), st.just("\n")), min_size=1, max_size=4).map("".join).filter(
    lambda s: s.strip())
url_path = st.text(st.sampled_from("abcXYZ019-._~()|<>[]'\"*!$&+,;=:@%\\^`{}"), max_size=30)


def tokens_text(tokens) -> str:
    return "".join(t.content for t in tokens if t.type in ("text", "code_inline"))


def row_cells(markdown: str):
    """The cells (as lists of inline children) of the body rows of every table in `markdown`."""
    rows, cells, inside = [], [], False
    for token in GFM.parse(markdown):
        if token.type == "tbody_open":
            inside = True
        elif token.type == "tbody_close":
            inside = False
        elif inside and token.type == "tr_open":
            cells = []
        elif inside and token.type == "inline":
            cells.append(token.children)
        elif inside and token.type == "tr_close":
            rows.append(cells)
    return rows


def hrefs(children) -> list[str]:
    return [unquote(t.attrs["href"]) for t in children if t.type == "link_open"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=line, takeaway=prose, detail=line, path=url_path, framework=line, challenge=prose)
def test_any_record_renders_to_one_row_of_four_cells(title, takeaway, detail, path, framework, challenge):
    paper = Paper.model_validate({
        "id": "prop", "title": title, "paper": f"https://example.org/p/{path}",
        "venue": {"status": "conference", "name": "ICML", "year": 2030},
        "code": {"url": f"https://github.com/o/r{path}", "framework": framework},
        "takeaway": takeaway, "tags": {"type": ["Structured"], "data": [{"value": "Small", "detail": detail}]},
        "notes": {"challenges": [challenge], "blog": f"https://example.org/b/{path}"},
        "added": dt.date(2030, 1, 1),
    })
    readme = RENDERER.render([paper, *CATALOG.records])["README.md"]
    section = readme.split("\n## 2030\n", 1)[1].split("\n## ", 1)[0]
    rows = row_cells(section)
    assert len(rows) == 1, "the paper must render as exactly one table row"
    first, tags, notes, code = rows[0]  # exactly four cells, or this unpacking fails

    links = hrefs(first)
    star = [unquote(paper.code.url)] if github_repo(paper.code.url) else []
    assert links[:len(star) + 1] == star + [unquote(paper.paper)], "the star badge (GitHub code), then the paper"
    title_tokens = first[[i for i, t in enumerate(first) if t.type == "link_open"][len(star)] + 1:]
    title_tokens = title_tokens[:[t.type for t in title_tokens].index("link_close")]
    assert tokens_text(title_tokens) == " ".join(title.split()), "the title reads back as written"

    assert hrefs(tags) == ["concepts/type.md#structured", "concepts/data.md#small"]
    assert hrefs(notes)[0].startswith("challenge/challenge.md#") and hrefs(notes)[1:] == [unquote(paper.notes.blog)]
    assert hrefs(code) == [unquote(paper.code.url)]
    assert tokens_text(code) == " ".join(framework.split())
