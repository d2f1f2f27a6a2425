"""The static site: catalog → {relative path: text or bytes} → files under the site folder.

Pages (templates under `<templates>/site/`, HTML autoescaped):

* `index.html`: every non-draft paper, newest year first (the list's `order` within a year), each an
  `<article id="<id>" data-paper-id="<id>">` carrying `data-tags` (space-separated `category:value`
  tokens, the value percent-encoded), `data-year`, `data-added` and `data-title` for the filters of
  `site.js`, its authors, its paper/PDF/code links and its BibTeX entry (`bibtex.entry`, the text of
  data/papers.bib) in a "Cite" disclosure; the page is complete without JavaScript. A category with
  more than `FOLD_OVER` values shows its `FOLD_KEEP` most used ones and folds the rest behind a
  "more" toggle; one with more than `FIND_OVER` values also gets a search of its own.
* `concepts/<page>.html`: one per taxonomy category (explanation, values, the papers of each value).
* `challenge.html`: the challenge introduction and every paper's challenge notes.
* `data/papers.bib`, `data/papers.json`: the list's exports, rendered as the build renders them
  (not read from the committed files), so that the site links to data that matches its pages.
* `tags.css`: the category colours, generated from the taxonomy (no inline styles: the pages carry a
  Content-Security-Policy without 'unsafe-inline').
* every other file of `<templates>/site/` that is not a `.j2` template (`site.css`, `site.js`, …),
  copied verbatim.

Contributor markdown becomes HTML in `html.py`. Output is deterministic: two renders of the same
input are byte-identical.
"""

from __future__ import annotations

import re
from itertools import groupby
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from .bibtex import entry as bibtex_entry
from .exports import BIBTEX_PATH, JSON_PATH, bibtex_document, to_json
from .views import shown
from ..records.catalog import Catalog
from ..records.identity import arxiv_id
from ..errors import Problem, ProblemsError
from .html import inline_html, markdown_html, safe_href, tags_css
from ..records.models import Category, Paper, Value
from ..sitefolder import Output
from .pages import template_problems

TEMPLATE_DIR = "site"  # inside the list's templates folder
INDEX = "index.html"
CHALLENGE = "challenge.html"
TAGS_CSS = "tags.css"
# Facets: a category with more than FOLD_OVER values shows its FOLD_KEEP most used ones (and any
# ticked one) and folds the others behind a "more" toggle; past FIND_OVER it also gets a search box.
FOLD_KEEP, FOLD_OVER, FIND_OVER = 6, 8, 16


# --- markdown ------------------------------------------------------------------------------

def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def tag_token(category: Category, value: Value) -> str:
    """`type:Semi-structured`: one word of `data-tags` (the value percent-encoded: no spaces)."""
    return f"{category.key}:{quote(value.name, safe='')}"


@dataclass(frozen=True)
class Chip:
    category: Category
    value: Value
    detail: str | None
    href: str  # from the site root

    @property
    def label(self) -> str:
        return f"{self.value.name} ({self.detail})" if self.detail else self.value.name


@dataclass(frozen=True)
class SourceLink:
    label: str
    href: str


_OPENREVIEW = re.compile(r"^https?://openreview\.net/(?:forum|pdf)\?id=([A-Za-z0-9_-]+)$")


def source_links(url: str) -> tuple[SourceLink, ...]:
    """The paper's page and its PDF where the host's PDF address is known (arXiv, OpenReview);
    otherwise the paper's link alone."""
    found = arxiv_id(url)
    if found:
        return (SourceLink("arXiv", f"https://arxiv.org/abs/{found}"),
                SourceLink("PDF", f"https://arxiv.org/pdf/{found}"))
    review = _OPENREVIEW.match(url)
    if review:
        return (SourceLink("OpenReview", f"https://openreview.net/forum?id={review[1]}"),
                SourceLink("PDF", f"https://openreview.net/pdf?id={review[1]}"))
    return (SourceLink("Paper", url),)


@dataclass(frozen=True)
class PaperView:
    paper: Paper
    chips: tuple[Chip, ...]
    tokens: str
    challenge_href: str | None
    bibtex: str  # its entry of data/papers.bib
    sources: tuple[SourceLink, ...]


@dataclass(frozen=True)
class ValueView:
    value: Value
    anchor: str
    token: str
    papers: tuple[Paper, ...]
    rare: bool = False  # folded in the index's facet until "more" is asked for (or it is ticked)


@dataclass(frozen=True)
class CategoryView:
    category: Category
    path: str  # concepts/<page>.html
    values: tuple[ValueView, ...]

    @property
    def folded(self) -> int:
        """How many values the facet folds behind its "more" toggle."""
        return sum(1 for value in self.values if value.rare)

    @property
    def findable(self) -> bool:
        """Whether the facet gets a search box of its own."""
        return len(self.values) > FIND_OVER


def rare_values(counts: list[int]) -> list[bool]:
    """Which values a facet folds: none for a short category; else all but the FOLD_KEEP most used
    (ties: the taxonomy's order), whose order on the page stays the taxonomy's."""
    if len(counts) <= FOLD_OVER:
        return [False] * len(counts)
    kept = set(sorted(range(len(counts)), key=lambda i: (-counts[i], i))[:FOLD_KEEP])
    return [i not in kept for i in range(len(counts))]


def _value_anchors(category: Category) -> dict[str, str]:
    """Unique ids for the value sections of a concept page (kebab-case, never `_`-prefixed)."""
    anchors: dict[str, str] = {}
    used: set[str] = set()
    for index, value in enumerate(category.values):
        anchor = slug(value.name) or f"value-{index + 1}"
        base, n = anchor, 2
        while anchor in used:
            anchor, n = f"{base}-{n}", n + 1
        used.add(anchor)
        anchors[value.name] = anchor
    return anchors


class SiteRenderer:
    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.settings = catalog.settings
        self.taxonomy = catalog.taxonomy
        self.folder = catalog.root / self.settings.templates / TEMPLATE_DIR
        self.pages = {c.key: f"concepts/{PurePosixPath(c.page).stem}.html" for c in self.taxonomy.categories}
        self.anchors = {c.key: _value_anchors(c) for c in self.taxonomy.categories}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(self.folder)),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "htm", "xml", "html.j2"),
                                                default_for_string=True, default=True),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # one render: templates are not looked at again on each include
        )
        self.env.filters.update(md=lambda text: Markup(markdown_html(text)),
                                md_inline=lambda text: Markup(inline_html(text)), href=safe_href)
        self.env.globals.update(settings=self.settings, taxonomy=self.taxonomy, concept_pages=self.pages)

    def chips(self, paper: Paper) -> tuple[Chip, ...]:
        chips = []
        for category in self.taxonomy.categories:
            for written, detail in paper.refs.get(category.key, ()):
                value = category.lookup(written)  # known: the records are validated
                href = f"{self.pages[category.key]}#{self.anchors[category.key][value.name]}"
                chips.append(Chip(category, value, detail, href))
        return tuple(chips)

    def render(self) -> dict[str, Output]:
        papers = shown(self.catalog.records, self.settings.order)
        views = []
        entries = []
        for paper in papers:
            chips = self.chips(paper)
            tokens = list(dict.fromkeys(tag_token(c.category, c.value) for c in chips))
            entries.append(bibtex_entry(paper))
            views.append(PaperView(paper, chips, " ".join(tokens),
                                   f"{CHALLENGE}#{paper.id}" if paper.notes.challenges else None,
                                   entries[-1], source_links(paper.paper)))
        by_year = [(year, list(group)) for year, group in groupby(views, key=lambda v: v.paper.year)]  # newest first

        members: dict[tuple[str, str], list[Paper]] = {(c.key, v.name): [] for c in self.taxonomy.categories
                                                       for v in c.values}
        for view in views:  # each paper once under each (category, value) it carries, in list order
            for key in dict.fromkeys((c.category.key, c.value.name) for c in view.chips):
                members[key].append(view.paper)
        categories = []
        for category in self.taxonomy.categories:
            rare = rare_values([len(members[(category.key, v.name)]) for v in category.values])
            values = []
            for value, folded in zip(category.values, rare):
                values.append(ValueView(value, self.anchors[category.key][value.name],
                                        tag_token(category, value), tuple(members[(category.key, value.name)]),
                                        folded))
            categories.append(CategoryView(category, self.pages[category.key], tuple(values)))

        outputs: dict[str, Output] = {}
        outputs[INDEX] = self._page("index.html.j2", INDEX, by_year=by_year, categories=categories,
                                    total=len(views), bibtex_path=BIBTEX_PATH, json_path=JSON_PATH)
        for view in categories:
            outputs[view.path] = self._page("concept.html.j2", view.path, view=view, categories=categories)
        noted = [(year, [v for v in group if v.paper.notes.challenges]) for year, group in by_year]
        outputs[CHALLENGE] = self._page("challenge.html.j2", CHALLENGE, categories=categories,
                                        by_year=[(y, g) for y, g in noted if g],
                                        intro=self.catalog.challenge_intro)
        outputs[TAGS_CSS] = tags_css(self.taxonomy)
        # the exports as the build renders them (same papers, same order: `shown`)
        outputs[BIBTEX_PATH] = bibtex_document(entries)
        outputs[JSON_PATH] = to_json(self.catalog)
        outputs.update(self._static())
        return dict(sorted(outputs.items()))

    def _page(self, template: str, path: str, **context) -> str:
        context.update(root="../" * path.count("/"), page=path)
        return self.env.get_template(template).render(**context)

    def _static(self) -> dict[str, Output]:
        """Every non-template file of the site templates folder, verbatim (text when it is UTF-8)."""
        found: dict[str, Output] = {}
        for file in sorted(self.folder.rglob("*")):
            if not file.is_file() or file.suffix == ".j2" or file.name.startswith("."):
                continue
            data = file.read_bytes()
            try:
                found[file.relative_to(self.folder).as_posix()] = data.decode("utf-8")
            except UnicodeDecodeError:
                found[file.relative_to(self.folder).as_posix()] = data
        return found


def render_site(catalog: Catalog) -> dict[str, Output]:
    """Every file of the site, by path relative to the site folder (POSIX separators)."""
    folder = catalog.root / catalog.settings.templates / TEMPLATE_DIR
    where = f"{catalog.settings.templates}/{TEMPLATE_DIR}"
    if not (folder / "index.html.j2").is_file():
        raise ProblemsError([Problem(where, 0, 0, "", "no site templates here (index.html.j2 missing)")])
    with template_problems(folder, where, "site template"):
        return SiteRenderer(catalog).render()
