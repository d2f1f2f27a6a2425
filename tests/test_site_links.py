"""Internal links of the generated site: every relative href leads to a file, every #fragment to an id.

The checker is `awesome_prune.links.html.check_html`; it is exercised on hand-made pages first (so
that it is seen to fail), then on the site built from the shipped list and from the test fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from awesome_prune.records.catalog import load_catalog
import re

from awesome_prune.links.html import check_html
from awesome_prune.render.site import render_site
from awesome_prune.sitefolder import write_site

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site_list"


def _page(folder: Path, name: str, body: str) -> Path:
    file = folder / name
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(f"<!DOCTYPE html><html><head><title>t</title></head><body>\n{body}\n</body></html>\n",
                    encoding="utf-8")
    return file


def _messages(problems) -> list[tuple[int, str, str, str]]:
    return [(p.line, p.url, p.severity, p.message) for p in problems]


def test_links_that_resolve_are_accepted(tmp_path: Path) -> None:
    _page(tmp_path, "a.html", '<h2 id="one">One</h2><a name="old">x</a>')
    _page(tmp_path, "sub/index.html", '<p id="deep">deep</p>')
    (tmp_path / "style.css").write_text("p{}", encoding="utf-8")
    page = _page(tmp_path, "b.html", "\n".join([
        '<a href="a.html">a</a>', '<a href="a.html#one">one</a>', '<a href="./a.html?x=1#old">old</a>',
        '<a href="#here">here</a><p id="here"></p>', '<a href="#">top</a>', '<a href="#top">top</a>',
        '<a href="sub/">sub</a>', '<a href="sub/index.html#deep">deep</a>', '<a href="/a.html#one">abs</a>',
        '<a href="https://example.org/x#y">ext</a>', '<a href="mailto:a@example.org">mail</a>',
        '<link rel="stylesheet" href="style.css">', '<a href="a%2Ehtml#one">encoded</a>',
    ]))
    assert check_html([page], tmp_path) == []


def test_broken_links_are_reported_with_their_line(tmp_path: Path) -> None:
    _page(tmp_path, "a.html", '<h2 id="one">One</h2>')
    page = _page(tmp_path, "b.html", "\n".join([
        '<a href="missing.html">1</a>',
        '<a href="a.html#two">2</a>',
        '<a href="#nowhere">3</a>',
        '<a href="../outside.html">4</a>',
        '<a href="javascript:alert(1)">5</a>',
        '<a href=" JavaScript:alert(1)">6</a>',
        '<script src="gone.js"></script>',
        '<a href="">8</a>',
        '<p id="twice"></p><p id="twice"></p>',
    ]))
    found = _messages(check_html([page], tmp_path))
    assert found == [
        (2, "missing.html", "error", "'missing.html' does not exist"),
        (3, "a.html#two", "error", "no id 'two' in 'a.html'"),
        (4, "#nowhere", "error", "no id 'nowhere' in 'b.html'"),
        (5, "../outside.html", "error", "'../outside.html' leads outside the site"),
        (6, "javascript:alert(1)", "error", "'javascript:' link"),
        (7, " JavaScript:alert(1)", "error", "'javascript:' link"),
        (8, "gone.js", "error", "'gone.js' does not exist"),
        (9, "", "warning", "empty link target"),
        (10, "#twice", "error", "id 'twice' is used more than once"),
    ]


def test_unreadable_file_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    (tmp_path / "bad.html").write_bytes(b"\xff\xfe<a href='x'>")
    problems = check_html([tmp_path / "bad.html", tmp_path / "gone.html"], tmp_path)
    assert [(p.path, p.line, p.message) for p in problems] == [
        ("bad.html", 0, "cannot read file: not UTF-8 text"),
        ("gone.html", 0, "cannot read file: file not found"),
    ]


@pytest.fixture(scope="module", params=["shipped", "fixture"])
def built_site(request, tmp_path_factory) -> Path:
    root = REPO if request.param == "shipped" else FIXTURE
    folder = tmp_path_factory.mktemp(f"site-{request.param}")
    write_site(folder, render_site(load_catalog(root)))
    return folder


def test_every_internal_link_of_the_site_resolves(built_site: Path) -> None:
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) >= 3, pages
    problems = check_html(pages, built_site)
    assert [str(p) for p in problems] == []


def test_the_site_links_each_paper_from_its_concept_pages(built_site: Path) -> None:
    """Guards the test above against a site without links: paper anchors are actually linked to."""
    index_ids = set(re.findall(r'\bid="([^"]+)"', (built_site / "index.html").read_text(encoding="utf-8")))
    concept_text = "".join(p.read_text(encoding="utf-8") for p in (built_site / "concepts").glob("*.html"))
    papers = [i for i in index_ids if f'href="../index.html#{i}"' in concept_text]
    assert len(papers) >= 5
