"""The static site without a browser: contents, escaping, determinism, size, writing, build and serve.

The small list in tests/fixtures/site_list has known tags (see test_site_browser.py for what the
filters must show); the shipped list is checked for completeness and for the page-size budget.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from awesome_prune.records.catalog import load_catalog
from awesome_prune.cli import main
from awesome_prune.errors import ProblemsError
from awesome_prune.render.bibtex import entry
from awesome_prune.render.exports import BIBTEX_PATH, JSON_PATH, export
from awesome_prune.records.validate import link_allowed
from awesome_prune.render.html import color_hex, tint
from awesome_prune.render.site import INDEX, rare_values, render_site, source_links
from awesome_prune.sitefolder import write_site

REPO = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "site_list"
FIXTURE_IDS = {"alpha-prune", "beta-sparse", "gamma-heads", "delta-layers", "epsilon", "zeta-mixed"}
# The page's shell (styles, script, filters) and each paper's card: a budget that grows with the list.
SHELL_BUDGET, CARD_BUDGET = 40 * 1024, 3 * 1024


def copy_list(source: Path, target: Path) -> Path:
    """A copy of a list whose `templates` setting points at the repository's templates."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("_site", ".git"))
    settings = target / "pyproject.toml"
    text = settings.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^templates = .*$', "", text)
    text = text.replace("[tool.awesome-prune]\n", f"[tool.awesome-prune]\ntemplates = {str(REPO / 'templates')!r}\n", 1)
    settings.write_text(text, encoding="utf-8")
    return target


# A category of 64 values, for the facets (issue 13 §5): 16 scores, each also per row, block and head.
CRITERIA = [base + kind for kind in ("", " (row)", " (block)", " (head)")
            for base in ("Magnitude", "Taylor", "Hessian", "Fisher", "Wanda", "RIA", "SNIP", "GraSP", "SynFlow",
                         "Movement", "Activation", "Similarity", "Perplexity", "Gradient flow", "Entropy",
                         "Learned mask")]
MANY_TAGS = {"zeta-mixed": ["Magnitude", "Wanda"], "gamma-heads": ["Taylor (head)", "Magnitude"],
             "alpha-prune": ["Magnitude", "SNIP (head)"], "beta-sparse": ["Wanda", "Hessian"],
             "epsilon": ["Movement (block)"], "delta-layers": ["Hessian", "Taylor"], "draft-paper": ["Magnitude"]}
# Most used first (ties: taxonomy order), the six a folded facet shows, in taxonomy order:
MANY_SHOWN = ["Magnitude", "Taylor", "Hessian", "Wanda", "Movement (block)", "Taylor (head)"]
HOSTILE_TITLE = "Gamma: <img src=x onerror=alert(1)> Removing Attention Heads"


def many_values_list(target: Path) -> Path:
    """The fixture list plus a `criteria` category of 64 values (few of them used), and one title
    that looks like markup."""
    root = copy_list(FIXTURE, target)
    taxonomy_file = root / "concepts" / "taxonomy.yaml"
    taxonomy = yaml.safe_load(taxonomy_file.read_text(encoding="utf-8"))
    taxonomy["categories"].insert(1, {
        "key": "criteria", "name": "Criteria", "color": "C2A4A6", "page": "criteria.md",
        "explanation": "The score that decides what is removed.",
        "values": [{"name": name, "explanation": f"Scores by {name.lower()}."} for name in CRITERIA]})
    taxonomy_file.write_text(yaml.safe_dump(taxonomy, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for paper_id, values in MANY_TAGS.items():
        file = root / "papers" / f"{paper_id}.yaml"
        record = yaml.safe_load(file.read_text(encoding="utf-8"))
        record["tags"]["criteria"] = values
        if paper_id == "gamma-heads":
            record["title"] = HOSTILE_TITLE
        file.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return root


class Page(HTMLParser):
    """Everything the tests look at in one page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._script: dict | None = None
        self._script_text: list[str] = []
        self.text: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag == "script":
            self._script, self._script_text = attributes, []

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None

    def handle_data(self, data):
        (self._script_text if self._script is not None else self.text).append(data)

    def with_attr(self, name: str) -> list[tuple[str, dict]]:
        return [(tag, attrs) for tag, attrs in self.elements if name in attrs]

    def paper_ids(self) -> list[str]:
        return [attrs["data-paper-id"] for tag, attrs in self.elements if "data-paper-id" in attrs]


@pytest.fixture(scope="module")
def fixture_site() -> dict:
    return render_site(load_catalog(FIXTURE))


@pytest.fixture(scope="module")
def shipped_site() -> dict:
    return render_site(load_catalog(REPO))


# --- contents --------------------------------------------------------------------------------


def test_site_has_the_index_concept_pages_challenge_page_and_assets(fixture_site: dict) -> None:
    assert sorted(fixture_site) == ["challenge.html", "concepts/data.html", "concepts/retrain.html",
                                    "concepts/type.html", "data/papers.bib", "data/papers.json", "favicon.svg",
                                    "index.html", "site.css", "site.js", "tags.css"]


def test_index_lists_every_non_draft_paper_once_newest_year_first(fixture_site: dict) -> None:
    page = Page(fixture_site[INDEX])
    assert page.paper_ids() == ["zeta-mixed", "gamma-heads", "alpha-prune", "beta-sparse", "epsilon",
                                "delta-layers"]
    ids = [attrs["id"] for _, attrs in page.with_attr("data-paper-id")]
    assert ids == page.paper_ids()
    assert "draft-paper" not in fixture_site[INDEX]
    assert "A Draft That Must Not Appear" not in fixture_site[INDEX]


def test_shipped_index_lists_every_non_draft_record() -> None:
    catalog = load_catalog(REPO)
    expected = {p.id for p in catalog.records if not p.draft}
    assert len(expected) >= 5
    page = Page(render_site(catalog)[INDEX])
    assert sorted(page.paper_ids()) == sorted(expected)
    drafts = {p.id for p in catalog.records if p.draft}
    assert not drafts & set(page.paper_ids())


def test_papers_carry_filter_data(fixture_site: dict) -> None:
    page = Page(fixture_site[INDEX])
    beta = next(attrs for _, attrs in page.elements if attrs.get("data-paper-id") == "beta-sparse")
    # written as the alias "N:M" in the record, listed under the value's name
    assert beta["data-tags"] == "type:Semi-structured type:Unstructured data:Calibration retrain:Efficient"
    assert (beta["data-year"], beta["data-added"], beta["data-title"]) == ("2023", "2024-01-05",
                                                                          "Beta Sparse Transformers")
    delta = next(attrs for _, attrs in page.elements if attrs.get("data-paper-id") == "delta-layers")
    assert delta["data-title"] == "Delta & Layers Drop Whole Blocks"
    assert 'data-title="Delta &amp; Layers Drop Whole Blocks"' in fixture_site[INDEX]


def test_paper_entry_shows_links_chips_and_challenges(fixture_site: dict) -> None:
    html = fixture_site[INDEX]
    entry = html[html.index('id="delta-layers"'):]
    entry = entry[:entry.index("</article>")]
    for text in ('href="https://example.org/papers/delta"', ">Delta &amp; Layers Drop Whole Blocks</a>",
                 "NeurIPS&#39;22", 'href="https://github.com/example/delta">Code</a>',
                 'href="https://example.org/blog/delta">Blog</a>', ">Reviews</a>", ">Video</a>",
                 'href="challenge.html#delta-layers">Challenge notes</a>',
                 "Deciding which blocks matter without retraining.",
                 'class="chip" data-cat="type" href="concepts/type.html#structured"',
                 'class="chip" data-cat="data" href="concepts/data.html#large"'):
        assert text in entry, text


def test_facets_offer_every_value_with_its_count(fixture_site: dict) -> None:
    page = Page(fixture_site[INDEX])
    boxes = [(a["name"], a["value"]) for t, a in page.elements if t == "input" and a.get("type") == "checkbox"]
    assert boxes == [("type", "Unstructured"), ("type", "Structured"), ("type", "Semi-structured"),
                     ("data", "Calibration"), ("data", "Small"), ("data", "Large"),
                     ("retrain", "Without"), ("retrain", "Efficient")]
    counts = re.findall(r'value="([^"]+)" data-token="[^"]+"> <span class="option-name">[^<]+</span> '
                        r'<span class="count" data-count>(\d+)</span>', fixture_site[INDEX])
    assert counts == [("Unstructured", "3"), ("Structured", "3"), ("Semi-structured", "2"),
                      ("Calibration", "3"), ("Small", "2"), ("Large", "1"), ("Without", "3"), ("Efficient", "3")]


def _article(html_text: str, paper_id: str) -> str:
    start = html_text.index(f'<article class="paper" id="{paper_id}"')
    return html_text[start:html_text.index("</article>", start)]


def test_each_paper_shows_its_authors_sources_and_bibtex_entry(fixture_site: dict) -> None:
    catalog = load_catalog(FIXTURE)
    index = fixture_site[INDEX]
    for paper in (p for p in catalog.records if not p.draft):
        article = _article(index, paper.id)
        # the entry is the one data/papers.bib holds, as text inside the Cite disclosure
        entries = re.findall(r'<details class="cite"><summary>Cite</summary><div class="cite-pop">'
                             r'<pre class="bibtex">(.*?)</pre></div></details>', article, re.S)
        assert [html.unescape(e) for e in entries] == [entry(paper)], paper.id
        authors = re.findall(r'<p class="authors">(.*?)</p>', article)
        assert [html.unescape(a) for a in authors] == ([", ".join(paper.authors)] if paper.authors else []), paper.id
        if paper.authors:  # right under the title
            assert article.index('class="paper-title"') < article.index('class="authors"') < article.index('class="paper-meta"')
        assert f'<li><a href="{paper.paper}">Paper</a></li>' in article  # the fixture's papers are on example.org
    alpha = _article(index, "alpha-prune")
    assert "Ada Lovelace, Élodie Müller" in alpha
    assert '<a href="https://github.com/example/alpha">Code (PyTorch)</a>' in alpha


def test_source_links_give_the_paper_page_and_its_pdf() -> None:
    assert [(s.label, s.href) for s in source_links("https://arxiv.org/abs/2306.11695v2")] == [
        ("arXiv", "https://arxiv.org/abs/2306.11695"), ("PDF", "https://arxiv.org/pdf/2306.11695")]
    assert [(s.label, s.href) for s in source_links("https://arxiv.org/pdf/2403.03853")] == [
        ("arXiv", "https://arxiv.org/abs/2403.03853"), ("PDF", "https://arxiv.org/pdf/2403.03853")]
    assert [(s.label, s.href) for s in source_links("https://openreview.net/forum?id=Tr0lPx9woF")] == [
        ("OpenReview", "https://openreview.net/forum?id=Tr0lPx9woF"), ("PDF", "https://openreview.net/pdf?id=Tr0lPx9woF")]
    assert [(s.label, s.href) for s in source_links("https://example.org/papers/x")] == [
        ("Paper", "https://example.org/papers/x")]


def test_shipped_index_links_each_paper_to_its_pdf(shipped_site: dict) -> None:
    from awesome_prune.records.identity import arxiv_id

    catalog = load_catalog(REPO)
    index = shipped_site[INDEX]
    kinds = set()
    for paper in (p for p in catalog.records if not p.draft):
        article = _article(index, paper.id)
        found = arxiv_id(paper.paper)
        if found:
            kinds.add("arxiv")
            assert f'<a href="https://arxiv.org/pdf/{found}">PDF</a>' in article, paper.id
        elif "openreview.net" in paper.paper:
            kinds.add("openreview")
            assert '<a href="https://openreview.net/pdf?id=' in article, paper.id
        if paper.code:
            assert f'<a href="{paper.code.url}">Code' in article, paper.id
    assert kinds == {"arxiv", "openreview"}


def test_site_ships_the_exports_as_rendered_not_the_committed_files(tmp_path: Path, fixture_site: dict) -> None:
    catalog = load_catalog(FIXTURE)
    assert fixture_site[BIBTEX_PATH] == export(catalog, "bibtex")
    assert fixture_site[JSON_PATH] == export(catalog, "json")
    assert 'href="data/papers.bib"' in fixture_site[INDEX] and 'href="data/papers.json"' in fixture_site[INDEX]
    root = copy_list(FIXTURE, tmp_path / "list")
    (root / "data").mkdir()
    (root / BIBTEX_PATH).write_text("% stale, committed by hand\n", encoding="utf-8")
    (root / JSON_PATH).write_text("{}\n", encoding="utf-8")
    site = render_site(load_catalog(root))
    assert site[BIBTEX_PATH] == export(catalog, "bibtex") and "stale" not in site[BIBTEX_PATH]
    assert site[JSON_PATH] == export(catalog, "json")


def test_rare_values_keep_the_most_used_six_of_a_long_category() -> None:
    assert rare_values([0, 5, 1]) == [False, False, False]
    assert rare_values([1] * 8) == [False] * 8  # eight or fewer: nothing folded
    counts = [3, 1, 2, 0, 2, 0, 0, 1, 1, 0]  # top six: 3, 2, 2, then the first three with 1
    assert rare_values(counts) == [False, False, False, True, False, True, True, False, False, True]


def test_a_long_facet_is_folded_and_searchable_short_ones_are_not(tmp_path: Path, fixture_site: dict) -> None:
    index = render_site(load_catalog(many_values_list(tmp_path / "many")))[INDEX]
    start = index.index('<fieldset class="facet" data-cat="criteria"')
    criteria = index[start:index.index("</fieldset>", start)]
    assert criteria.startswith('<fieldset class="facet" data-cat="criteria" data-folded>')
    assert re.findall(r'<label class="option"><input type="checkbox" name="criteria" value="([^"]+)"', criteria) == MANY_SHOWN
    assert criteria.count("<label class=\"option\" data-rare>") == 64 - 6
    assert 'data-more aria-expanded="false" data-more-label="58 more">58 more</button>' in criteria
    assert 'class="facet-find" data-facet-find' in criteria and 'aria-label="Find a value of Criteria"' in criteria
    for small in (index, fixture_site[INDEX]):
        for key in ("type", "data", "retrain"):
            start = small.index(f'<fieldset class="facet" data-cat="{key}"')
            fieldset = small[start:small.index("</fieldset>", start)]
            assert "data-folded" not in fieldset and "data-rare" not in fieldset and "data-facet-find" not in fieldset
    assert "&lt;img src=x onerror=alert(1)&gt;" in index and "<img" not in index


def test_concept_page_explains_values_and_lists_their_papers(fixture_site: dict) -> None:
    html = fixture_site["concepts/type.html"]
    assert "<h1>" in html and "What is removed, from single weights to whole layers." in html
    section = html[html.index('<section class="value" id="semi-structured">'):]
    section = section[:section.index("</section>")]
    assert "A fixed N:M pattern." in section and "<code>N:M</code>" in section
    assert re.findall(r'href="\.\./index\.html#([a-z-]+)"', section) == ["beta-sparse", "epsilon"]
    data = fixture_site["concepts/data.html"]
    assert '<a href="https://example.org/guide">the guide</a>' in data


def test_challenge_page_has_intro_and_notes(fixture_site: dict) -> None:
    html = fixture_site["challenge.html"]
    assert "<h2>Why it is hard</h2>" in html and "<em>emphasis</em>" in html
    assert "&lt;b&gt;raw HTML that must stay text&lt;/b&gt;" in html
    assert re.findall(r'<section class="challenge-paper" id="([a-z-]+)">', html) == [
        "zeta-mixed", "alpha-prune", "delta-layers"]


def test_category_colours_are_in_the_generated_stylesheet(fixture_site: dict) -> None:
    css = fixture_site["tags.css"]
    assert '[data-cat="type"] { --cat: #007ec6;' in css
    assert '[data-cat="data"] { --cat: #97ca00;' in css
    assert '[data-cat="retrain"] { --cat: #c2a4a6;' in css
    assert color_hex("brown") == "#a52a2a" and color_hex("nonsense") == "#9f9f9f"
    assert tint("#000000", 0.2) == "#cccccc" and tint("#007ec6", 1.0) == "#007ec6"


def test_static_files_are_copied_verbatim(fixture_site: dict) -> None:
    for name in ("site.css", "site.js", "favicon.svg"):
        assert fixture_site[name].encode("utf-8") == (REPO / "templates" / "site" / name).read_bytes()


# --- safety ----------------------------------------------------------------------------------


def test_link_allowed_only_http_https_relative_and_fragments() -> None:
    for good in ("https://example.org/a", "HTTP://example.org", "page.html", "../x/y.html#z", "#frag",
                 "/abs/path", "?q=1", "a/b:c"):
        assert link_allowed(good), good
    for bad in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:x",
                "java\nscript:x", "jav\u200bascript:x", "data:text/html,x", "vbscript:x", "file:///etc/passwd",
                "mailto:a@b.c", "//evil.example/x", "\\\\evil\\x"):
        assert not link_allowed(bad), bad


def _hostile_list(tmp_path: Path) -> Path:
    root = copy_list(FIXTURE, tmp_path / "list")
    paper = root / "papers" / "alpha-prune.yaml"
    text = paper.read_text(encoding="utf-8")
    text = text.replace("title: 'Alpha: Magnitude Pruning for Llama'", "title: '<script>alert(1)</script> Alpha'")
    text = text.replace(
        "takeaway: >-\n  Removes the smallest weights of every layer and keeps the outlier\n  features intact.",
        "takeaway: >-\n  Click [me](javascript:alert(2)) or [this](JAVASCRIPT:alert(3)) or\n"
        "  ![img](javascript:alert(4)) <img src=x onerror=alert(5)> <a href=\"javascript:alert(6)\">raw</a>\n"
        "  and [fine](https://example.org/fine) \"quoted\" & more.")
    assert "<script>" in text and "javascript:alert(2)" in text
    paper.write_text(text, encoding="utf-8")
    return root


def _hostile_catalog(tmp_path: Path):
    """The hostile list as the site renderer would get it if validation let it through: `validate`
    refuses its javascript: links (tests/test_errors.py), the site must be safe all the same."""
    root = _hostile_list(tmp_path)
    with pytest.raises(ProblemsError, match="only http"):
        load_catalog(root)
    hostile = yaml.safe_load((root / "papers" / "alpha-prune.yaml").read_text(encoding="utf-8"))
    (root / "papers" / "alpha-prune.yaml").write_text(
        (root / "papers" / "alpha-prune.yaml").read_text(encoding="utf-8").replace("javascript:", "https://x.org/").replace("JAVASCRIPT:", "https://x.org/"),
        encoding="utf-8")
    catalog = load_catalog(root)
    catalog.papers = [(paper.model_copy(update={"takeaway": hostile["takeaway"]}) if paper.id == "alpha-prune"
                       else paper, source) for paper, source in catalog.papers]
    return catalog


def test_hostile_title_and_takeaway_are_escaped(tmp_path: Path) -> None:
    site = render_site(_hostile_catalog(tmp_path))
    for path in ("index.html", "concepts/type.html", "challenge.html"):
        html = site[path]
        page = Page(html)
        assert "<script>alert" not in html, path
        assert [attrs.get("src") for attrs, _ in page.scripts] == (["site.js"] if path == INDEX else []), path
        assert all(not body.strip() for _, body in page.scripts), "no inline script"
        handlers = [(tag, key) for tag, attrs in page.elements for key in attrs if key.startswith("on")]
        assert handlers == [], path
        urls = [value for _, attrs in page.elements for key, value in attrs.items()
                if key in ("href", "src") and value is not None]
        assert not [u for u in urls if not link_allowed(u)], path
    index = site[INDEX]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Alpha" in index
    assert 'data-title="&lt;script&gt;alert(1)&lt;/script&gt; Alpha"' in index
    assert "<a>me</a>" in index  # a refused link keeps its text, without a target
    assert "&lt;img src=x onerror=alert(5)&gt;" in index
    assert '<a href="https://example.org/fine">fine</a>' in index
    assert "&quot;quoted&quot; &amp; more." in index


def test_every_page_has_a_restrictive_csp_and_no_inline_style_or_handlers(fixture_site: dict) -> None:
    for path, text in fixture_site.items():
        if not path.endswith(".html"):
            continue
        page = Page(text)
        csp = [a["content"] for t, a in page.elements if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
        assert len(csp) == 1, path
        policy = {part.split()[0]: part.split()[1:] for part in csp[0].split(";") if part.strip()}
        assert policy["default-src"] == ["'self'"] and policy["img-src"] == ["'self'", "https:"]
        assert policy["script-src"] == ["'self'"] and "'unsafe-inline'" not in csp[0]
        assert not page.with_attr("style") and all(tag != "style" for tag, _ in page.elements), path
        assert not re.search(r"\son[a-z]+=", text), path
        assert "javascript:" not in text.lower(), path
        external = [a.get("src") or a.get("href") for t, a in page.elements
                    if t in ("script", "link", "img") and re.match(r"^(https?:)?//", a.get("src") or a.get("href") or "")]
        assert external == [], f"{path}: no external assets (no CDN): {external}"


def test_autoescape_is_on_for_html_templates(fixture_site: dict) -> None:
    from awesome_prune.render.site import SiteRenderer

    env = SiteRenderer(load_catalog(FIXTURE)).env
    assert env.autoescape("index.html.j2") and env.autoescape("page.html")
    assert env.from_string("{{ x }}").render(x="<b>") == "&lt;b&gt;"


def test_controls_are_labelled(fixture_site: dict) -> None:
    page = Page(fixture_site[INDEX])
    labels = {a["for"] for t, a in page.elements if t == "label" and "for" in a}
    assert {"site_q", "site_sort"} <= labels
    search = [a for t, a in page.elements if t == "input" and a.get("type") == "search"]
    assert [a["id"] for a in search] == ["site_q"]
    html = fixture_site[INDEX]
    assert html.count("<fieldset") == html.count("<legend>") == 3
    assert re.search(r'<label class="option"><input type="checkbox"', html)  # each box inside its label


# --- determinism and size --------------------------------------------------------------------


def test_two_renders_are_byte_identical() -> None:
    first = render_site(load_catalog(FIXTURE))
    second = render_site(load_catalog(FIXTURE))
    assert list(first) == list(second)
    assert all(first[k] == second[k] for k in first)
    assert render_site(load_catalog(REPO)) == render_site(load_catalog(REPO))


def test_render_does_not_depend_on_file_order(tmp_path: Path) -> None:
    root = copy_list(FIXTURE, tmp_path / "list")
    before = render_site(load_catalog(root))
    catalog = load_catalog(root)
    catalog.papers.reverse()
    assert render_site(catalog) == before


def test_shipped_index_is_within_the_size_budget(shipped_site: dict) -> None:
    size = len(shipped_site[INDEX].encode("utf-8"))
    papers = shipped_site[INDEX].count('<article class="paper"')
    INDEX_BUDGET = SHELL_BUDGET + CARD_BUDGET * papers
    total = sum(len(v.encode("utf-8") if isinstance(v, str) else v) for v in shipped_site.values())
    print(f"\nshipped index.html: {size} bytes ({size / 1024:.1f} KiB of {INDEX_BUDGET // 1024} KiB); "
          f"whole site {total} bytes")
    assert size <= INDEX_BUDGET, f"index.html is {size} bytes, over the {INDEX_BUDGET}-byte budget"


# --- writing ---------------------------------------------------------------------------------


def test_write_site_writes_changes_only_and_removes_stale_files(tmp_path: Path, fixture_site: dict) -> None:
    folder = tmp_path / "_site"
    first = write_site(folder, {**fixture_site, "old.html": "stale", "gone/deep/x.css": "stale"})
    assert sorted(first.written) == sorted([*fixture_site, "old.html", "gone/deep/x.css"]) and first.removed == []
    assert (folder / "concepts" / "type.html").read_text(encoding="utf-8") == fixture_site["concepts/type.html"]
    again = write_site(folder, {**fixture_site, "old.html": "stale", "gone/deep/x.css": "stale"})
    assert again.written == [] and again.removed == []

    # Stale files are the last build's own (its marker lists them); hand-made ones stay.
    (folder / "index.html").write_text("edited by hand", encoding="utf-8")
    (folder / "notes.txt").write_text("hand-made", encoding="utf-8")
    third = write_site(folder, fixture_site)
    assert third.written == ["index.html"]
    assert third.removed == ["gone/deep/x.css", "old.html"]
    assert not (folder / "gone").exists()
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
                  ) == sorted([*fixture_site, ".awesome-prune-site", "notes.txt"])
    assert not list(folder.rglob("*.tmp"))


def test_write_site_writes_bytes_too(tmp_path: Path) -> None:
    result = write_site(tmp_path / "s", {"a.bin": b"\x00\xff", "b.txt": "é\n"})
    assert result.written == ["a.bin", "b.txt"]
    assert (tmp_path / "s" / "a.bin").read_bytes() == b"\x00\xff"
    assert (tmp_path / "s" / "b.txt").read_bytes() == "é\n".encode("utf-8")


def test_write_site_refuses_the_list_folder_and_source_trees(tmp_path: Path) -> None:
    root = tmp_path / "list"
    (root / "papers").mkdir(parents=True)
    (root / "pyproject.toml").write_text("", encoding="utf-8")
    for folder in (root, tmp_path):
        with pytest.raises(ProblemsError) as caught:
            write_site(folder, {"index.html": "x"}, root=root)
        assert "must not be the list's folder" in str(caught.value)
    with pytest.raises(ProblemsError) as caught:
        write_site(root, {"index.html": "x"})
    assert "looks like a source tree" in str(caught.value)
    assert (root / "pyproject.toml").exists() and not (root / "index.html").exists()
    with pytest.raises(ValueError):
        write_site(tmp_path / "s", {"../escape.html": "x"})
    assert not (tmp_path / "escape.html").exists()


# --- build command ---------------------------------------------------------------------------


def test_build_command_writes_the_site_and_check_does_not(tmp_path: Path, capsys) -> None:
    root = copy_list(FIXTURE, tmp_path / "list")
    assert main(["--root", str(root), "build", "--check"]) == 1  # README etc. not generated yet
    assert not (root / "_site").exists()
    assert main(["--root", str(root), "build"]) == 0
    out = capsys.readouterr().out
    assert "site:" in out and "stale file(s) removed" in out
    assert (root / "_site" / "index.html").is_file() and (root / "README.md").is_file()
    assert main(["--root", str(root), "build", "--check"]) == 0

    (root / "_site" / "index.html").unlink()
    assert main(["--root", str(root), "build", "--check"]) == 0
    assert not (root / "_site" / "index.html").exists()
    assert main(["--root", str(root), "build", "--no-site"]) == 0
    assert not (root / "_site" / "index.html").exists()

    other = tmp_path / "elsewhere"
    assert main(["--root", str(root), "build", "--site", str(other)]) == 0
    assert (other / "index.html").read_text(encoding="utf-8") == render_site(load_catalog(root))[INDEX]


def test_build_without_site_templates_is_a_problem(tmp_path: Path, capsys) -> None:
    root = copy_list(FIXTURE, tmp_path / "list")
    shutil.copytree(REPO / "templates", root / "templates", ignore=shutil.ignore_patterns("site"))
    settings = root / "pyproject.toml"
    settings.write_text(re.sub(r"(?m)^templates = .*$", 'templates = "templates"',
                               settings.read_text(encoding="utf-8")), encoding="utf-8")
    assert main(["--root", str(root), "build"]) == 1
    assert "no site templates here" in capsys.readouterr().err
    assert not (root / "README.md").exists(), "nothing is written when the site cannot be rendered"


# --- serve -----------------------------------------------------------------------------------


def test_serve_binds_loopback_and_serves_the_site(tmp_path: Path, fixture_site: dict) -> None:
    from awesome_prune.serve import HOST, make_server, url

    folder = tmp_path / "_site"
    write_site(folder, fixture_site)
    server = make_server(folder, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert HOST == "127.0.0.1" and server.server_address[0] == "127.0.0.1"
        with urllib.request.urlopen(url(server) + "index.html", timeout=30) as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/html")
            assert response.read().decode("utf-8") == fixture_site[INDEX]
        with urllib.request.urlopen(url(server) + "site.js", timeout=30) as response:
            assert response.headers["Content-Type"].startswith("text/javascript")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=30)


def test_serve_builds_the_site_first_when_missing(tmp_path: Path) -> None:
    from awesome_prune.serve import ensure_site

    root = copy_list(FIXTURE, tmp_path / "list")
    folder = root / "_site"
    assert ensure_site(root, folder) is True
    assert (folder / "index.html").is_file()
    assert ensure_site(root, folder) is False


def test_serve_refuses_a_missing_folder(tmp_path: Path) -> None:
    from awesome_prune.serve import make_server

    with pytest.raises(ProblemsError):
        make_server(tmp_path / "nothing", 0)


# --- GitHub Pages workflow -------------------------------------------------------------------


def test_pages_workflow_builds_uploads_and_deploys() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "pages.yml").read_text(encoding="utf-8"))
    assert workflow["permissions"] == {"contents": "read"}  # the deploy job alone may write Pages
    deploy = workflow["jobs"]["deploy"]["permissions"]
    assert deploy == {"pages": "write", "id-token": "write"}
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert "actions/setup-python" in uses
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    assert any("make build" in step.get("run", "") for step in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "_site"
    assert uses.index("actions/upload-pages-artifact") < uses.index("actions/deploy-pages")


def test_serve_command_prints_its_loopback_address_and_stops_on_ctrl_c(tmp_path: Path, fixture_site: dict) -> None:
    import signal
    import subprocess
    import sys

    folder = tmp_path / "_site"
    write_site(folder, fixture_site)
    process = subprocess.Popen([sys.executable, "-m", "awesome_prune", "--root", str(tmp_path), "serve",
                                "--port", "0", "--dir", str(folder)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = process.stdout.readline()
        match = re.match(r"^serving .* at (http://127\.0\.0\.1:\d+/) \(Ctrl\+C to stop\)$", line.strip())
        assert match, line
        with urllib.request.urlopen(match.group(1) + "challenge.html", timeout=30) as response:
            assert response.read().decode("utf-8") == fixture_site["challenge.html"]
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        assert process.stdout.read().strip() == "stopped"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=60)
