"""Every shortcut taken for speed gives exactly what the general code gives.

Shortcuts guarded by a regular expression are checked by turning the expression off (it then
never matches) and comparing; the others against the reference code they replace, kept here.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from awesome_prune import anchors, bibtex, identity, markup, models
from awesome_prune.anchors import slugify
from awesome_prune.catalog import Catalog, load_catalog
from awesome_prune.export import CanonicalTags, paper_data, shown_papers, to_json
from awesome_prune.models import Paper
from awesome_prune.validate import TagIndex
from awesome_prune.views import Views

from .conftest import FIXTURE_LIST, REPO, braces_balanced

NEVER = re.compile(r"(?!)")
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
MIXED = st.one_of(TEXT, st.text(st.sampled_from(list(" \t\n\r\x0b\x0c\x1c\x85\xa0\u2028\u3000ab|<\\-_A.:/?#@[]()%{}")),
                                max_size=20))
URLS = st.builds(lambda scheme, host, path: f"{scheme}://{host}{path}",
                 st.sampled_from(["http", "https", "HTTP", "ftp", "https:"]),
                 st.sampled_from(["arxiv.org", "ARXIV.org", "www.arxiv.org", "openreview.net", "www.openreview.net",
                                  "doi.org", "dx.doi.org", "example.org", "a", "x.y:80", "u@x.org", "[::1]", "", "a b.c",
                                  "u@arxiv.org", "arxiv.org:443", "x@doi.org", "doi.org:80", "openreview.net:80",
                                  "u:p@openreview.net", "DOI.ORG", "export.arxiv.org"]),
                 st.one_of(st.sampled_from(["/abs/2306.11695", "/pdf/2306.11695v2.pdf", "/html/2306.11695v1/",
                                            "/abs/cs.LG/0101001", "/forum?id=Abc_1", "/pdf?id=x%20y", "/10.1000/XyZ",
                                            "/10.48550/arXiv.2306.11695", "/abs/2306.11695?x=1", ""]),
                           st.text(st.sampled_from(list("abs/pdf/html/forum?id=2306.11695v12.pdf10.48550/arXiv.Xx_-%#/ \n")),
                                   max_size=30)))


def run(func, *args):
    """(result, None) or (None, error message)."""
    try:
        return func(*args), None
    except ValueError as exc:
        return None, str(exc)


# --- markup ---------------------------------------------------------------------------------

SPACES = re.compile(r"\s+")


@given(MIXED)
def test_markup_matches_its_reference(text):
    line = SPACES.sub(" ", text).strip()
    assert markup.one_line(text) == line
    cell = re.sub(r"(?<!\\)((?:\\\\)*)\|", r"\1\\|", re.sub(r"<(?=[A-Za-z/!?])", "&lt;", line))
    assert markup.cell(text) == cell
    target = text.replace("\\", "%5C").replace("|", "%7C").replace("<", "%3C").replace(">", "%3E") \
        .replace("(", "%28").replace(")", "%29")
    assert markup.link_target(text) == target


def _slug_char_by_char(text: str) -> str:
    """The slug rule applied to each character, as `slugify` does for text that is not ASCII."""
    return "".join(char for char in text.lower() if not anchors._removed(char)).replace(" ", "-")


@given(TEXT)
def test_ascii_slug_shortcut_is_the_rule(text):
    assert slugify(text) == _slug_char_by_char(text)
    ascii_text = text.encode("ascii", "ignore").decode()
    assert slugify(ascii_text) == _slug_char_by_char(ascii_text)


def test_ascii_slug_shortcut_on_every_ascii_character():
    for code in range(128):
        assert slugify(f"A{chr(code)}b c") == _slug_char_by_char(f"A{chr(code)}b c")


_MARKDOWN_SAMPLES = st.sampled_from([
    "## Why it is hard", "# A", "###### Six", "####### Seven", "#NoSpace", "   ## Three spaces", "    ## Four spaces",
    "## Foo ##", "## a *b*", "## *a* b", "## a *b* c", "## a_b_ c", "## _a_ b", "## [x](y)", "## a & b", "## a &amp; b",
    "## café", "## a\u00a0", "##", "## ", "- item", "- ## In a list", "1. item", "10. item", "   ## Indented",
    "> quote", "> ## Quoted", "```", "~~~", "    code", "<div>", "<!-- c -->", "text", "Prose, with: marks.", "---",
    "===", "***", "- - -", "--", "[ref]: /url", "[ref]: /url 'title", "'", "| a | b |", "|---|---|", "", "   ",
    "\t## Tab", "a\\", "issue #5", "## x\u2028y", "## a ## b", "##\tb", "## a\x0cb", "## a!b", "## It's 2:4",
    "  text", "## Ⓖ", "## a  b", "## a \\# b"])
MARKDOWN_LINES = st.one_of(_MARKDOWN_SAMPLES, _MARKDOWN_SAMPLES, _MARKDOWN_SAMPLES,
                           st.text(st.sampled_from(list("# -=*_[]&!<>|`\\~\t abc1\u00a0")), max_size=12))


@settings(max_examples=1000)
@given(st.lists(MARKDOWN_LINES, max_size=6))
@example(["text", "---"])  # a setext heading
@example(["## *a* b"])  # emphasis in a heading
@example(["10. item", "   ## b"])  # a heading inside a list item
@example(["<div>", "## x"])  # inside an HTML block: not a heading
@example(["<div", "## x"])
@example(["```", "## x"])  # inside a code fence
@example(["~~~", "## x"])
@example(["[ref]: /url 'title", "## x", "'"])  # inside a link title over several lines
@example(["| a |", "|---|", "## x"])  # after a table
@example(["## a\\.b"])  # an escape in a heading
def test_plain_heading_shortcut_matches_the_parser(lines):
    from awesome_prune.links.extract import parse

    document = "\n".join(lines)
    plain = anchors._plain_heading_texts(document)
    if plain is not None:
        assert plain == [text for _, text in anchors._headings(parse(document))]


def test_the_challenge_introduction_takes_the_plain_heading_shortcut():
    # the build finds its headings without importing the markdown parser (~50 ms)
    from awesome_prune.links.extract import parse

    introduction = (REPO / "challenge" / "general.md").read_text(encoding="utf-8")
    found = anchors._plain_heading_texts(introduction)
    assert found == [text for _, text in anchors._headings(parse(introduction))] and found


# --- models ---------------------------------------------------------------------------------

@settings(max_examples=300)
@given(st.one_of(MIXED, URLS))
def test_model_validators_match_their_general_code(text):
    fast = [run(f, text) for f in (models._check_url, models._one_line, models._not_blank)]
    saved = models._PLAIN_URL, models._ONE_LINE_OK, models._TEXT_OK
    models._PLAIN_URL = models._ONE_LINE_OK = models._TEXT_OK = NEVER
    try:
        general = [run(f, text) for f in (models._check_url, models._one_line, models._not_blank)]
    finally:
        models._PLAIN_URL, models._ONE_LINE_OK, models._TEXT_OK = saved
    assert fast == general


# --- identity -------------------------------------------------------------------------------

@settings(max_examples=300)
@given(st.one_of(URLS, TEXT))
def test_identity_matches_its_general_code(text):
    fast = [f(text) for f in (identity.arxiv_id, identity.openreview_id, identity.doi)]
    saved = identity._PLAIN_ARXIV, identity._PLAIN_HOST
    identity._PLAIN_ARXIV = identity._PLAIN_HOST = NEVER
    try:
        general = [f(text) for f in (identity.arxiv_id, identity.openreview_id, identity.doi)]
    finally:
        identity._PLAIN_ARXIV, identity._PLAIN_HOST = saved
    assert fast == general


# --- bibtex ---------------------------------------------------------------------------------

def reference_needs_protection(word: str) -> bool:
    for part in word.split("-"):
        letters = [ch for ch in part if ch.isalpha()]
        if any(ch.isupper() for ch in letters[1:]):
            return True
    return False


@given(st.one_of(TEXT, st.text(st.sampled_from(list("aA-{}(ǅϒİß:1 ")), max_size=12)))
def test_bibtex_shortcuts_match_their_reference(word):
    assert bibtex._balanced(word) == braces_balanced(word)
    assert bibtex._needs_protection(word) == reference_needs_protection(word)


@settings(max_examples=300)
@given(st.one_of(TEXT, st.text(st.sampled_from(list("aAbB -(){}[]:.,&_%$#'\"`?!|<>~^\\/0é")), max_size=40)))
def test_bibtex_title_shortcut_matches_the_general_code(title):
    fast = bibtex.bibtex_title(title)
    saved = bibtex._PLAIN_TITLE
    bibtex._PLAIN_TITLE = NEVER
    try:
        assert fast == bibtex.bibtex_title(title)
    finally:
        bibtex._PLAIN_TITLE = saved


# --- exports --------------------------------------------------------------------------------

def assert_json_is_the_data(catalog: Catalog) -> None:
    """data/papers.json holds `paper_data` of each shown paper, one paper per line."""
    tags = CanonicalTags(catalog.taxonomy)
    expected = [paper_data(p, tags) for p in shown_papers(catalog)]
    text = to_json(catalog)
    assert json.loads(text) == {"version": 1, "papers": expected}
    lines = text.splitlines()
    assert [json.loads(line.strip().rstrip(",")) for line in lines[3:3 + len(expected)]] == expected


@pytest.mark.parametrize("root", [REPO, FIXTURE_LIST, FIXTURE_LIST.parent / "site_list"], ids=lambda p: p.name)
def test_json_holds_the_documented_data_one_paper_per_line(root):
    assert_json_is_the_data(load_catalog(root))


LINE = st.text(st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=12).filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(title=LINE, name=st.one_of(st.none(), LINE), framework=st.one_of(st.none(), LINE), code=st.booleans(),
       notes=st.lists(LINE, max_size=2), detail=st.one_of(st.none(), LINE), blog=st.booleans(),
       value=st.sampled_from(["Structured", "fine-grained", "structured"]))
def test_json_of_any_record(title, name, framework, code, notes, detail, blog, value):
    base = load_catalog(FIXTURE_LIST)
    data = {"id": "any", "title": title, "paper": "https://arxiv.org/abs/2401.99999v2",
            "venue": {"status": "workshop", "name": name, "year": 2031}, "takeaway": title + "\n" + title,
            "tags": {"type": [value], "data": [{"value": "Small", "detail": detail}]},
            "notes": {"challenges": notes, **({"blog": "https://e.org/b"} if blog else {})},
            "added": dt.date(2031, 1, 2)}
    if code:
        data["code"] = {"url": "https://github.com/o/r", "framework": framework}
    paper = Paper.model_validate(data)
    catalog = Catalog(base.root, base.settings, base.taxonomy, [*base.papers, (paper, None)], base.challenge_intro)
    assert_json_is_the_data(catalog)


def test_json_of_an_empty_list():
    base = load_catalog(FIXTURE_LIST)
    catalog = Catalog(base.root, base.settings, base.taxonomy, [], base.challenge_intro)
    assert_json_is_the_data(catalog)


# --- tags -----------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["type", "data", "typ"]),
                       st.lists(st.sampled_from(["Structured", "structured", "Unstructured", "fine-grained",
                                                 "Fine-Grained", "Small", "Large", "Nope"]), min_size=1, max_size=3),
                       min_size=1, max_size=3))
def test_tag_check_shortcut_matches_the_full_check(tags):
    catalog = load_catalog(FIXTURE_LIST)
    index = TagIndex(catalog.taxonomy)
    paper, source = catalog.papers[0]
    paper = paper.model_copy(update={"tags": Paper.model_validate(
        {**paper.model_dump(), "tags": tags}).tags})
    assert index.check(paper, source) == index._check(paper, source)


# --- validation -----------------------------------------------------------------------------

TAG = st.one_of(st.sampled_from(["Structured", "Small", "", " ", "x\ny"]), st.integers(), st.booleans(), st.none(),
                st.fixed_dictionaries({"value": st.sampled_from(["Structured", "Small", "", 1])},
                                      optional={"detail": st.one_of(st.none(), st.sampled_from(["a", "", 2, True])),
                                                "extra": st.just("x")}))
VENUE = st.one_of(st.fixed_dictionaries({"status": st.sampled_from(["conference", "preprint", "talk"]),
                                         "year": st.sampled_from([2024, 1949, True, 2024.0, "2024"])},
                                        optional={"name": st.sampled_from(["ICML", "", None, 3])}),
                  st.just("ICML 2024"), st.none())


@settings(max_examples=200, deadline=None)
@given(venue=VENUE, tags=st.dictionaries(st.sampled_from(["type", "data"]), st.one_of(st.lists(TAG, max_size=3), TAG),
                                         max_size=2))
def test_paper_checker_matches_check_model(tmp_path_factory, venue, tags):
    import yaml

    from awesome_prune.load import load_mapping
    from awesome_prune.validate import PaperChecker, check_model

    data = {"id": "p", "title": "T", "paper": "https://arxiv.org/abs/2401.00001", "venue": venue,
            "takeaway": "x", "tags": tags, "added": dt.date(2024, 1, 1)}
    file = tmp_path_factory.mktemp("rec") / "p.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False))
    source = load_mapping(file, "papers/p.yaml")
    checker = PaperChecker()
    for _ in range(2):  # the second time from its caches
        assert checker.check(source) == check_model(source, Paper)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(2023, 1, 1), dt.date(2023, 1, 20)),
                          st.text("abc", min_size=1, max_size=3)), max_size=40, unique_by=lambda t: t[1]),
       st.integers(0, 12))
def test_recently_added_takes_what_a_full_sort_takes(papers, count):
    from types import SimpleNamespace

    from awesome_prune.render import _recent

    views = [SimpleNamespace(added=day.isoformat(), id=ident) for day, ident in papers]
    full = sorted(sorted(views, key=lambda v: v.id), key=lambda v: v.added, reverse=True)[:count]
    assert _recent(views, count) == full


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_canonical_tags_cached_per_entry_match_the_plain_lookup(data):
    """Many papers through one CanonicalTags (its cache shared) give, paper by paper, what the
    plain lookup gives: names, aliases and any case, with or without details."""
    catalog = load_catalog(REPO)
    taxonomy = catalog.taxonomy
    tags = CanonicalTags(taxonomy)
    views = Views(taxonomy)
    spellings = [(c.key, v.name, s) for c in taxonomy.categories for v in c.values for s in (v.name, *v.aliases)]
    for _ in range(20):
        chosen = data.draw(st.lists(st.sampled_from(spellings), min_size=1, max_size=6))
        raw: dict[str, list] = {}
        for key, _, spelling in chosen:
            spelling = data.draw(st.sampled_from([spelling, spelling.upper(), spelling.lower()]))
            detail = data.draw(st.sampled_from([None, "layer", "x"]))
            raw.setdefault(key, []).append({"value": spelling, "detail": detail})
        paper = catalog.records[0].model_copy(update={"tags": {k: [models.TagRef(**e) for e in v] for k, v in raw.items()}})
        plain = {c.key: [{"value": next((v.name for v in c.values
                                         if ref.value.casefold() in {s.casefold() for s in (v.name, *v.aliases)}),
                                        ref.value), "detail": ref.detail} for ref in paper.tags[c.key]]
                 for c in taxonomy.categories if paper.tags.get(c.key)}
        assert tags(paper) == plain
        assert tags(paper, views.paper(paper).tags) == plain  # from the entries the README's views hold
