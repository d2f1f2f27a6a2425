"""The static site: catalog → {relative path: text or bytes} → files under the site folder.

Pages (templates under `<templates>/site/`, HTML autoescaped):

* `index.html`: every non-draft paper, newest year first (the list's `order` within a year), each an
  `<article id="<id>" data-paper-id="<id>">` carrying `data-tags` (space-separated `category:value`
  tokens, the value percent-encoded), `data-year`, `data-added` and `data-title` for the filters of
  `site.js`; the page is complete without JavaScript.
* `concepts/<page>.html`: one per taxonomy category (explanation, values, the papers of each value).
* `challenge.html`: the challenge introduction and every paper's challenge notes.
* `tags.css`: the category colours, generated from the taxonomy (no inline styles: the pages carry a
  Content-Security-Policy without 'unsafe-inline').
* every other file of `<templates>/site/` that is not a `.j2` template (`site.css`, `site.js`, …),
  copied verbatim.

Contributor markdown is rendered by cmark-gfm (CommonMark, raw HTML left out): explanations and
introductions as blocks, take-aways and challenge notes as one paragraph of inline markdown, as
the README's table cells show them; links and images keep their target only for http(s),
relative and fragment targets. Output is deterministic: two renders of the same input are byte-identical.
"""

from __future__ import annotations

import html
import re
from itertools import groupby
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import jinja2
import cmarkgfm
from cmarkgfm.cmark import Options
from markupsafe import Markup

from .markup import one_line
from .views import shown
from ..records.catalog import Catalog
from ..errors import Problem, ProblemsError
from ..records.models import Category, Paper, Taxonomy, Value
from ..write import Output
from .pages import template_problems

TEMPLATE_DIR = "site"  # inside the list's templates folder
INDEX = "index.html"
CHALLENGE = "challenge.html"
TAGS_CSS = "tags.css"


# --- markdown ------------------------------------------------------------------------------

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]")


def link_allowed(url: str) -> bool:
    """Whether a link or image target may appear in the site: http(s), relative, `#fragment`.

    Refused: every other scheme (`javascript:`, `data:`, `vbscript:`, `file:`, `mailto:` …), also
    when disguised by case, whitespace or control characters, and protocol-relative `//host`.
    """
    compact = _INVISIBLE.sub("", url)
    if compact.startswith(("//", "\\\\", "/\\", "\\/")):
        return False
    scheme = _SCHEME.match(compact)
    if scheme is None:
        return ":" not in compact.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    return scheme.group(1).lower() in ("http", "https")


_LINK = re.compile(r'<(a href|img src)="([^"]*)"')
_HTML_START = re.compile(r"<(?=[A-Za-z/!?])")
_BLOCK_START = re.compile(r"^(?:[#>+*=_`~<|-]|\d+[.)])")


def _allowed_links(html_text: str) -> str:
    """cmark's HTML with every link or image whose target `link_allowed` refuses left without one."""
    def check(match: re.Match) -> str:
        tag, url = match.groups()
        return match.group(0) if link_allowed(html.unescape(url)) else f"<{tag.split()[0]}"
    return _LINK.sub(check, html_text)


def markdown_html(text: str) -> str:
    """Markdown people wrote (explanations, introductions) as HTML: CommonMark by cmark-gfm, raw
    HTML shown as text (as the README's cells show it), links kept only where `link_allowed`. (With
    no raw HTML left, cmark's unsafe mode only keeps targets as written, for `link_allowed` to judge.)"""
    return _allowed_links(cmarkgfm.markdown_to_html(_HTML_START.sub("&lt;", text.strip()), Options.CMARK_OPT_UNSAFE))


def inline_html(text: str) -> str:
    """One paragraph of inline markdown (take-aways, challenge notes) as HTML, as the README's table
    cell shows it: on one line, a leading block marker (`#`, `>`, `-`, `1.`) read as text."""
    line = one_line(text)
    if _BLOCK_START.match(line):
        line = "\\" + line if not line[0].isdigit() else re.sub(r"^(\d+)([.)])", r"\1\\\2", line)
    found = markdown_html(line)
    return found[3:-5] if found.startswith("<p>") and found.endswith("</p>\n") else found


def safe_href(url: str) -> str:
    """A URL for an href attribute, or `#` when it is not http(s)/relative (the models allow none)."""
    return url if link_allowed(url) else "#"


# --- colours -------------------------------------------------------------------------------

# shields.io's named colours (the README badges use them) and a few CSS names.
NAMED_COLORS = {
    "brightgreen": "44cc11", "green": "97ca00", "yellowgreen": "a4a61d", "yellow": "dfb317",
    "orange": "fe7d37", "red": "e05d44", "blue": "007ec6", "grey": "555555", "gray": "555555",
    "lightgrey": "9f9f9f", "lightgray": "9f9f9f", "blueviolet": "8a2be2", "success": "44cc11",
    "important": "fe7d37", "critical": "e05d44", "informational": "007ec6", "inactive": "9f9f9f",
    "brown": "a52a2a", "purple": "800080", "pink": "ffc0cb", "teal": "008080", "navy": "000080",
    "black": "000000", "white": "ffffff", "violet": "ee82ee", "magenta": "ff00ff", "cyan": "00ffff",
    "gold": "ffd700", "olive": "808000", "maroon": "800000", "indigo": "4b0082", "crimson": "dc143c",
}
FALLBACK_COLOR = "9f9f9f"


def color_hex(color: str) -> str:
    """`blue` → `#007ec6`, `C2A4A6` → `#c2a4a6`; an unknown name gets neutral grey."""
    if re.fullmatch(r"[0-9A-Fa-f]{6}", color):
        return "#" + color.lower()
    return "#" + NAMED_COLORS.get(color.lower(), FALLBACK_COLOR)


def tint(hex_color: str, share: float) -> str:
    """`hex_color` mixed with white, keeping `share` of the colour (light backgrounds for dark text)."""
    rgb = [int(hex_color[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - (255 - c) * share):02x}" for c in rgb)


def tags_css(taxonomy: Taxonomy) -> str:
    lines = ["/* Generated by awesome-prune from concepts/taxonomy.yaml: one colour per tag category. */"]
    for category in taxonomy.categories:
        base = color_hex(category.color)
        lines.append(f'[data-cat="{category.key}"] {{ --cat: {base}; --cat-bg: {tint(base, 0.2)}; '
                     f'--cat-bg-strong: {tint(base, 0.38)}; }}')
    return "\n".join(lines) + "\n"


# --- views ---------------------------------------------------------------------------------


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
class PaperView:
    paper: Paper
    chips: tuple[Chip, ...]
    tokens: str
    challenge_href: str | None


@dataclass(frozen=True)
class ValueView:
    value: Value
    anchor: str
    token: str
    papers: tuple[Paper, ...]


@dataclass(frozen=True)
class CategoryView:
    category: Category
    path: str  # concepts/<page>.html
    values: tuple[ValueView, ...]


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
        for paper in papers:
            chips = self.chips(paper)
            tokens = list(dict.fromkeys(tag_token(c.category, c.value) for c in chips))
            views.append(PaperView(paper, chips, " ".join(tokens),
                                   f"{CHALLENGE}#{paper.id}" if paper.notes.challenges else None))
        by_year = [(year, list(group)) for year, group in groupby(views, key=lambda v: v.paper.year)]  # newest first

        members: dict[tuple[str, str], list[Paper]] = {(c.key, v.name): [] for c in self.taxonomy.categories
                                                       for v in c.values}
        for view in views:  # each paper once under each (category, value) it carries, in list order
            for key in dict.fromkeys((c.category.key, c.value.name) for c in view.chips):
                members[key].append(view.paper)
        categories = []
        for category in self.taxonomy.categories:
            values = []
            for value in category.values:
                values.append(ValueView(value, self.anchors[category.key][value.name],
                                        tag_token(category, value), tuple(members[(category.key, value.name)])))
            categories.append(CategoryView(category, self.pages[category.key], tuple(values)))

        outputs: dict[str, Output] = {}
        outputs[INDEX] = self._page("index.html.j2", INDEX, by_year=by_year, categories=categories,
                                    total=len(views))
        for view in categories:
            outputs[view.path] = self._page("concept.html.j2", view.path, view=view, categories=categories)
        noted = [(year, [v for v in group if v.paper.notes.challenges]) for year, group in by_year]
        outputs[CHALLENGE] = self._page("challenge.html.j2", CHALLENGE, categories=categories,
                                        by_year=[(y, g) for y, g in noted if g],
                                        intro=self.catalog.challenge_intro)
        outputs[TAGS_CSS] = tags_css(self.taxonomy)
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
