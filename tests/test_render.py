"""Rendering: every link the generated pages make resolves, anchors included, even when
headings repeat (GitHub then suffixes -1, -2, … and the README must follow)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from awesome_prune.render.markdown import document_anchors
from awesome_prune.build import render_catalog
from awesome_prune.records.catalog import load_catalog
from awesome_prune.links.local import check_local
from awesome_prune.render.linker import Linker, Origin
from awesome_prune.render.pages import Headings

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "list"


def write_tree(root: Path, outputs: dict) -> list[Path]:
    files = []
    for path, text in outputs.items():
        if path.endswith(".md"):
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
            files.append(root / path)
    return files


def test_repository_pages_have_no_broken_local_link(tmp_path):
    outputs = render_catalog(load_catalog(REPO))
    shutil.copytree(REPO / "concepts", tmp_path / "concepts")
    problems = check_local(write_tree(tmp_path, outputs), tmp_path)
    assert [str(p) for p in problems] == []


def test_repeated_headings_get_the_anchors_github_gives(lst):
    # A hand-written heading equal to a paper title, and two titles with the same slug.
    (lst / "challenge" / "general.md").write_text("## Gamma: An Older Paper\n\nIntro.\n\n2023\n---\n")
    (lst / "papers" / "epsilon.yaml").write_text(
        (lst / "papers" / "gamma.yaml").read_text().replace("id: gamma", "id: epsilon")
        .replace('title: "Gamma: An Older Paper"', 'title: "Gamma - an older paper?"')
        .replace("10.1000/gamma.2023", "10.1000/epsilon"))
    # Same title up to punctuation is refused as the same paper, so make it differ by one word.
    (lst / "papers" / "epsilon.yaml").write_text((lst / "papers" / "epsilon.yaml").read_text()
                                                 .replace("an older paper?", "an older paper? (v2)"))
    outputs = render_catalog(load_catalog(lst))
    challenge = outputs["challenge/challenge.md"]
    names = [a.name for a in document_anchors(challenge)]
    assert names.count("gamma-an-older-paper") == 1 and "gamma-an-older-paper-1" in names
    assert "2023-1" in names  # the setext heading took "2023" first
    problems = check_local(write_tree(lst, outputs), lst)
    assert [str(p) for p in problems] == []
    assert "challenge/challenge.md#gamma-an-older-paper-1)" in outputs["README.md"]


def test_headings_registry_matches_the_parsed_page():
    headings = Headings(Linker())
    page = "\n\n".join([headings(1, "Title"), headings.markdown("## A *b*\n\nx\n\n## Title", Origin("intro.md", 1)),
                        headings(2, "Title", key="t"), headings(3, "a | b <c>", key="p")]) + "\n"
    assert headings.order == [a.name for a in document_anchors(page)]
    assert headings.anchors == {"t": "title-2", "p": "a--b-c"}


@pytest.mark.parametrize("count", [0, 2])
def test_recently_added_shows_the_newest_added_dates(lst, count):
    project = lst / "pyproject.toml"
    project.write_text(project.read_text().replace('order = "added"', f'order = "added"\nrecent = {count}'))
    readme = render_catalog(load_catalog(lst))["README.md"]
    if count == 0:
        assert "Recently added" not in readme
        return
    section = readme.split("\n## Recently added\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split(":")[0] for line in section] == ["- 2024-03-01", "- 2024-02-01"]  # beta, then alpha
    assert "[Recently added](#recently-added)" in readme


@pytest.mark.parametrize("root", [REPO, FIXTURE], ids=["repository", "fixture"])
def test_the_renderer_knows_every_link_and_anchor_of_its_pages(root):
    """The fast way proven equal to the plain way: every page parsed with markdown-it-py gives
    exactly the (link, line) pairs and the anchors the renderer recorded while writing it."""
    from awesome_prune.render.pages import render_pages
    from awesome_prune.render.markdown import extract_links

    rendered = render_pages(load_catalog(root))
    assert len(rendered.pages) >= 3 and rendered.links
    for page, text in rendered.pages.items():
        parsed = sorted((link.url, link.line) for link in extract_links(text))
        recorded = sorted((link.url, link.line) for link in rendered.links if link.page == page)
        assert recorded == parsed, page
        assert rendered.anchors[page] == [a.name for a in document_anchors(text)], page
