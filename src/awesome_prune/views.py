"""What the markdown pages show of each paper, as ready-made markdown pieces (no Jinja per row).

Templates keep the shape of each page and row; the pieces they put together are worked out here
once per paper with the `markup` helpers: escaped title, link targets, the venue and its badge, the
take-away as a table cell, the tag badges, the notes and code cells. Pieces that repeat across
papers (venue and tag badges) are computed once per distinct value.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from . import markup
from .anchors import slugify
from .models import Category, Paper, Taxonomy, Value

README_PAGE = "README.md"
CHALLENGE_PAGE = "challenge/challenge.md"

@dataclass(frozen=True)
class TagView:
    """A paper's values in one category: (value, detail) pairs."""

    category: Category
    values: tuple[tuple[Value, str | None], ...]

    @property
    def message(self) -> str:
        """`Un/Semi-structured`, `Sparsity-layer`: the badge text the reference uses."""
        several = len(self.values) > 1
        parts = []
        for value, detail in self.values:
            label = value.short if several and value.short else value.name
            parts.append(f"{label}-{detail}" if detail else label)
        return "/".join(parts)

    @property
    def alt(self) -> str:
        return f"{self.category.name}: " + ", ".join(
            f"{value.name} ({detail})" if detail else value.name for value, detail in self.values)


class PaperView(NamedTuple):
    """What the markdown pages show of one paper, as plain strings (picklable: it is computed on
    either core). Cells that depend on other pages' anchors are completed by `Views.row`."""

    id: str
    year: int
    slug: str  # its title's GitHub slug on its own (`slugify(one_line(title))`)
    title: str  # escaped link text
    link: str  # the paper's URL as a link target
    venue: str  # `Conference ICLR'24`
    entry: str  # `[title](link) (venue)`, as lists of papers show it
    challenges: tuple[str, ...]  # each a one-line cell
    tags: tuple[tuple, ...]  # (category key, (value, detail), …) per category with tags, in taxonomy order
    carried: tuple[tuple[str, str], ...]  # (category key, value name) of each tag, by the value's own name
    star: str  # `[![GitHub stars of o/r](…)](…) ` or ""
    venue_badge: str
    takeaway: str  # a table cell
    links: tuple[str, ...]  # `[Blog](…)`, `[Reviews](…)`, `[Video](…)`, those it has
    code: str  # the code cell
    added: str  # ISO date the paper joined the list


class Row(NamedTuple):
    """The cells of one README row (the first one in pieces: star, venue badge, title, take-away)."""

    star: str
    venue_badge: str
    title: str
    link: str
    takeaway: str
    tags: str
    notes: str
    code: str


class Views:
    """Builds the views of one render (texts that repeat, such as badges, are worked out once)."""

    def __init__(self, taxonomy: Taxonomy):
        self.categories = taxonomy.categories
        self._by_key = taxonomy.by_key
        self._venues: dict[tuple, tuple[str, str]] = {}
        self._badges: dict[tuple, str] = {}
        self._codes: dict[str | None, str] = {}
        self._carried: dict[tuple, tuple[tuple[str, str], ...]] = {}

    def _venue(self, paper: Paper) -> tuple[str, str]:
        """(`Conference ICLR'24`, its badge image) of a paper's venue."""
        venue = paper.venue
        key = (venue.status, venue.name, venue.year)
        found = self._venues.get(key)
        if found is None:
            label, short = venue.label, venue.short
            found = self._venues[key] = (
                f"{label} {markup.escape_text(short)}",
                f"![Venue: {label} {markup.escape_text(short)}]({markup.badge_url(label, short, 'blue')})")
        return found

    def paper(self, paper: Paper) -> PaperView:
        title, link = markup.escape_text(paper.title), markup.link_target(paper.paper)
        venue, badge = self._venue(paper)
        keys = paper.tag_entries(self._by_key)
        code, notes = paper.code, paper.notes
        star = ""
        if code:
            repo = markup.github_repo(code.url)
            if repo:
                star = (f"[![GitHub stars of {markup.escape_text(repo)}](https://img.shields.io/github/stars/{repo}"
                        f"?style=social)]({markup.link_target(code.url)}) ")
        links = tuple([f"[{name}]({markup.link_target(url)})"
                       for name, url in (("Blog", notes.blog), ("Reviews", notes.reviews), ("Video", notes.video)) if url])
        return PaperView(paper.id, paper.venue.year, slugify(markup.one_line(paper.title)), title, link, venue,
                         f"[{title}]({link}) ({venue})",
                         tuple([markup.cell(note) for note in notes.challenges]), keys, self._names(keys), star,
                         badge, markup.cell(paper.takeaway), links, self._code(code.framework, code.url) if code else "-",
                         paper.added.isoformat())

    def _names(self, keys: tuple[tuple, ...]) -> tuple[tuple[str, str], ...]:
        """(category key, value name) of each tag of these `PaperView.tags` (aliases resolved),
        worked out once per distinct category entry (whole tag sets rarely repeat)."""
        found: tuple[tuple[str, str], ...] = ()
        carried = self._carried
        for key in keys:
            names = carried.get(key)
            if names is None:
                category = self._by_key[key[0]]
                values = [category.lookup(value) for value, _ in key[1:]]
                names = tuple((key[0], value.name) for value in values if value is not None)  # else: a problem
                if len(carried) < 4096:
                    carried[key] = names
            found += names
        return found

    def _code(self, framework: str | None, url: str) -> str:
        name = self._codes.get(framework)
        if name is None:
            name = self._codes[framework] = markup.escape_text(framework or "Code")
        return f"[{name}]({markup.link_target(url)})"

    def carriers(self, views: list[PaperView]) -> dict[str, dict[str, list[str]]]:
        """category key → value name → the `entry` of each paper that carries it, in the order of `views`."""
        found = {c.key: {v.name: [] for v in c.values} for c in self.categories}
        lists = {(key, name): entries for key, names in found.items() for name, entries in names.items()}
        for view in views:
            entry = view.entry
            for pair in view.carried:
                lists[pair].append(entry)
        return found

    def row(self, view: PaperView, value_anchor: dict, challenge_anchor: dict) -> Row:
        anchor = challenge_anchor.get(view.id)
        notes = view.links if anchor is None else (f"[Challenge]({CHALLENGE_PAGE}#{anchor})", *view.links)
        return Row(view.star, view.venue_badge, view.title, view.link, view.takeaway,
                   self._tags(view.tags, value_anchor), " <br> ".join(notes) if notes else "-", view.code)

    def _tags(self, keys: tuple[tuple, ...], value_anchor: dict) -> str:
        badges = []
        for key in keys:
            badge = self._badges.get(key)
            if badge is None:
                category = self._by_key[key[0]]
                view = TagView(category, tuple((category.lookup(value), detail) for value, detail in key[1:]))
                badge = self._badges[key] = self._badge(view, value_anchor)
            badges.append(badge)
        return " <br> ".join(badges)

    @staticmethod
    def _badge(view: TagView, value_anchor: dict) -> str:
        category = view.category
        href = "concepts/" + category.page
        if len(view.values) == 1:
            href += "#" + value_anchor[(category.key, view.values[0][0].name)]
        return (f"[![{markup.escape_text(view.alt)}]({markup.badge_url(category.name, view.message, category.color)})]"
                f"({markup.link_target(href)})")
