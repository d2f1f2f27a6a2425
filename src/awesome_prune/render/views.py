"""What the pages show of each paper and tag, as values: escaped text, marked link targets, badge
image URLs, anchors. No markup: rows, cells, badges and lists are written by the templates.

Every link target is made by the page set's `Linker` with the place to edit it (the record field,
the taxonomy entry), so the pages' links are known as they are written. Values that repeat across
papers (venues, tag badges) are worked out once per distinct value.
"""

from __future__ import annotations

from typing import NamedTuple

from ..records.models import Category, Paper, Settings, Taxonomy, Value
from . import markup
from .markup import slugify
from .linker import Linker, Origin

README_PAGE = "README.md"
CHALLENGE_PAGE = "challenge/challenge.md"


def sort_key(paper: Paper, order: str) -> tuple:
    """Newest year first; within a year by `order` (added date, title or id), ties broken by id."""
    if order == "added":
        return -paper.venue.year, paper.added, paper.id
    if order == "title":
        return -paper.venue.year, paper.title.casefold(), paper.id
    return -paper.venue.year, paper.id


def shown(papers, order: str) -> list[Paper]:
    """The papers the list shows (drafts left out), in list order (see `sort_key`)."""
    return sorted((paper for paper in papers if not paper.draft), key=lambda paper: sort_key(paper, order))


class Star(NamedTuple):
    repo: str  # `owner/name`, escaped
    image: str
    target: str


class Badge(NamedTuple):
    """One category's badge of a paper: its alt text, shields.io image, and concept page link."""

    alt: str
    image: str
    href: str


class PaperView(NamedTuple):
    id: str
    year: int
    added: str  # ISO date the paper joined the list
    slug: str  # its title's GitHub slug on its own (`slugify(one_line(title))`)
    title: str  # escaped text
    authors: str  # escaped text, names joined by commas ('' when unknown)
    link: str  # marked target of the paper
    venue: str  # `Conference ICLR'24`, escaped
    venue_image: str  # marked shields.io image of the venue
    star: Star | None
    takeaway: str  # a table cell (marked with its links)
    tags: tuple[tuple, ...]  # (category key, (value, detail), …) per category, taxonomy order
    notes: tuple[tuple[str, str], ...]  # (Blog|Reviews|Video, marked target), those it has
    code: tuple[str, str] | None  # (framework or `Code`, marked target)
    challenges: tuple[str, ...]  # each a one-line cell


class Row(NamedTuple):
    """One README row, its values in the order the row shows them (the template unpacks it)."""

    star: Star | None
    venue: str
    venue_image: str
    title: str
    link: str
    authors: str
    takeaway: str
    badges: tuple[Badge, ...]
    challenge: str | None  # the paper's anchor on the challenge page, when it has notes there
    notes: tuple[tuple[str, str], ...]
    code: tuple[str, str] | None


class Views:
    """Builds the views of one render; `linker` records every link target they hold."""

    def __init__(self, settings: Settings, taxonomy: Taxonomy, linker: Linker):
        self.settings = settings
        self.papers_folder = settings.papers.strip("/")
        self.taxonomy_path = settings.taxonomy
        self.taxonomy = taxonomy
        self.linker = linker
        self._index = {c.key: (i, {v.name: j for j, v in enumerate(c.values)}) for i, c in enumerate(taxonomy.categories)}
        self._venues: dict[tuple, tuple[str, str]] = {}
        self._badges: dict[tuple, Badge] = {}

    # -- origins ------------------------------------------------------------------------------
    def record(self, paper: Paper, field: str, loc: tuple) -> Origin:
        return Origin(f"{self.papers_folder}/{paper.id}.yaml", field=field, loc=loc)

    def in_taxonomy(self, loc: tuple, field: str) -> Origin:
        return Origin(self.taxonomy_path, field=field, loc=loc)

    def value_loc(self, category: Category, value: Value) -> tuple:
        c, values = self._index[category.key]
        return ("categories", c, "values", values[value.name])

    # -- papers -------------------------------------------------------------------------------
    def paper(self, paper: Paper) -> PaperView:
        target = self.linker.target
        venue, venue_image = self._venue(paper)
        star = None
        code = paper.code
        if code:
            repo = markup.github_repo(code.url)
            if repo:
                star = Star(markup.escape_text(repo), target(f"https://img.shields.io/github/stars/{repo}?style=social",
                                                             self.record(paper, "code.url", ("code", "url"))),
                            target(code.url, self.record(paper, "code.url", ("code", "url"))))
        notes = paper.notes
        links = tuple((name, target(url, self.record(paper, f"notes.{key}", ("notes", key))))
                      for name, key, url in (("Blog", "blog", notes.blog), ("Reviews", "reviews", notes.reviews),
                                             ("Video", "video", notes.video)) if url)
        return PaperView(
            paper.id, paper.venue.year, paper.added.isoformat(), slugify(markup.one_line(paper.title)),
            markup.escape_text(paper.title), markup.escape_text(", ".join(paper.authors)),
            target(paper.paper, self.record(paper, "paper", ("paper",))), venue, venue_image, star,
            self.linker.fragment(markup.cell(paper.takeaway), self.record(paper, "takeaway", ("takeaway",))),
            paper.tag_entries(self._index), links,
            (markup.escape_text(code.framework or "Code"), target(code.url, self.record(paper, "code.url", ("code", "url"))))
            if code else None,
            tuple(self.linker.fragment(markup.cell(note), self.record(paper, f"notes.challenges[{i}]",
                                                                          ("notes", "challenges", i)))
                  for i, note in enumerate(notes.challenges)))

    def _venue(self, paper: Paper) -> tuple[str, str]:
        venue = paper.venue
        key = (venue.status, venue.name, venue.year)
        found = self._venues.get(key)
        if found is None:
            label, short = venue.label, venue.short
            found = self._venues[key] = (
                f"{label} {markup.escape_text(short)}",
                self.linker.target(markup.badge_url(label, short, "blue"), self.record(paper, "venue", ("venue",))))
        return found

    def carriers(self, views: list[PaperView]) -> dict[str, dict[str, list[tuple[int, list[tuple[str, str, str]]]]]]:
        """category key → value name → [(year, [(title, link, venue) of each paper of that year that
        carries it])], in the order of `views` (newest year first)."""
        found: dict = {c.key: {v.name: [] for v in c.values} for c in self.taxonomy.categories}
        for view in views:
            entry_of = (view.title, view.link, view.venue)
            for entry in view.tags:
                category = self.taxonomy.by_key[entry[0]]
                for value, _ in entry[1:]:
                    years = found[category.key][category.lookup(value).name]
                    if not years or years[-1][0] != view.year:
                        years.append((view.year, []))
                    years[-1][1].append(entry_of)
        return found

    def row(self, view: PaperView, value_anchor: dict, challenge_anchor: dict) -> Row:
        return Row(view.star, view.venue, view.venue_image, view.title, view.link, view.authors, view.takeaway,
                   self.badges(view, value_anchor), challenge_anchor.get(view.id), view.notes, view.code)

    # -- tags -----------------------------------------------------------------------------------
    def badges(self, view: PaperView, value_anchor: dict) -> tuple[Badge, ...]:
        """The paper's badge per category; `value_anchor`: (category key, value name) → anchor."""
        found = []
        for entry in view.tags:
            badge = self._badges.get(entry)
            if badge is None:
                badge = self._badges[entry] = self._badge(entry, value_anchor)
            found.append(badge)
        return tuple(found)

    def _badge(self, entry: tuple, value_anchor: dict) -> Badge:
        category = self.taxonomy.by_key[entry[0]]
        values = [(category.lookup(value), detail) for value, detail in entry[1:]]
        several = len(values) > 1
        message = "/".join(f"{label}-{detail}" if detail else label
                           for label, detail in ((v.short if several and v.short else v.name, d) for v, d in values))
        alt = f"{category.name}: " + ", ".join(f"{v.name} ({d})" if d else v.name for v, d in values)
        href = "concepts/" + category.page
        loc = self._index[category.key][0]
        if len(values) == 1:
            href += "#" + value_anchor[(category.key, values[0][0].name)]
            loc = self.value_loc(category, values[0][0])
        else:
            loc = ("categories", loc)
        origin = self.in_taxonomy(loc, "")
        image = markup.badge_url(category.name, message, category.color)
        return Badge(markup.escape_text(alt), self.linker.target(image, origin), self.linker.target(href, origin))

    # -- concept pages and the README's front matter ----------------------------------------------
    def concept(self, category: Category) -> ConceptView:
        c = self._index[category.key][0]
        values = []
        for j, value in enumerate(category.values):
            loc = ("categories", c, "values", j)
            origin = self.in_taxonomy(loc + ("explanation",), f"categories[{c}].values[{j}].explanation")
            reference = None
            if value.reference:
                reference = self.linker.target(value.reference, self.in_taxonomy(loc + ("reference",), "reference"))
            values.append(ValueView(value, self.linker.fragment(markup.cell(value.explanation), origin),
                                    self.linker.fragment(value.explanation.strip(), origin), reference))
        explanation = self.linker.fragment(category.explanation.strip(), self.in_taxonomy(
            ("categories", c, "explanation"), f"categories[{c}].explanation"))
        return ConceptView(category, explanation, tuple(values))

    def front_matter(self) -> FrontMatter:
        settings = self.settings
        setting = lambda *loc: Origin("pyproject.toml", field="tool.awesome-prune." + ".".join(map(str, loc)), loc=loc)
        related = tuple((markup.escape_text(item.name), self.linker.target(item.url, setting("related", i, "url")),
                         self.linker.fragment(markup.cell(item.description), setting("related", i, "description"))
                         if item.description else "")
                        for i, item in enumerate(settings.related))
        return FrontMatter(markup.escape_text(settings.title),
                           self.linker.fragment(settings.intro.strip(), setting("intro")), related)


class ValueView(NamedTuple):
    value: Value
    cell: str  # its explanation as a table cell (marked)
    text: str  # its explanation as a paragraph (marked)
    reference: str | None  # marked target


class ConceptView(NamedTuple):
    category: Category
    explanation: str  # marked paragraph
    values: tuple[ValueView, ...]


class FrontMatter(NamedTuple):
    title: str  # escaped
    intro: str  # marked markdown
    related: tuple[tuple[str, str, str], ...]  # (name escaped, marked target, description cell or '')
