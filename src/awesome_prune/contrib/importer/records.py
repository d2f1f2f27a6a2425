"""Turning rows into records: the cells' contents, the venue, the tags, the data checked by the models.

Tags: `docs/taxonomy-mapping.md` maps the badge texts it lists, whole (`Structured--Channel+Depth`)
or one value of several (`Samll--50K` in `Calibration/Samll--50K`). Any other badge text is split
at `/` into values, each a name, alias or short label (`Un`) of the taxonomy, then maybe a detail
after a space, `_`, `~`, `-` or `--` (`Medium 45B` → Medium (45B)). A near miss (`Samll`) is
suggested, never corrected; what the taxonomy lacks is kept verbatim and reported.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field

import yaml
from pydantic import ValidationError

from ...errors import Problem, ProblemsError, suggest
from ...records.identity import kebab
from ...records.load import parse_yaml
from ...records.models import Paper, Taxonomy
from ...render.markup import github_repo
from ...render.schema import SCHEMA_LINE
from .markdown import BR, Mapping, RawRow, badge, items, leftover, relative_links, unescape_markdown

NO_TAKEAWAY = "To be written: the imported row had no take-away."
_STARS = re.compile(r"^https?://img\.shields\.io/github/stars/([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.svg)?(?:[?#].*)?$")
_VENUE = re.compile(r"^(?P<name>.*?)\s*(?:'(?P<yy>\d\d)|(?P<yyyy>(?:19|20)\d\d))$")
_SEPARATOR = re.compile(r"[\s_~-]+")
STATUSES = {**{s: s for s in ("conference", "journal", "workshop", "submission", "preprint")}, "arxiv": "preprint"}
NOTE_KINDS = {"challenge": "challenge", "blog": "blog", "reviews": "reviews", "review": "reviews", "video": "video"}
PLAIN_CODE_TEXT = {"", "code", "github", "repo", "repository", "link"}
_FIELDS = ("title", "tags", "note", "code")


def _norm(text: str) -> str:
    return " ".join(_SEPARATOR.split(text.casefold())).strip()


class TagResolver:
    def __init__(self, taxonomy: Taxonomy, mapping: Mapping, add_values: bool = False):
        # by name or key, ignoring case; the first category listed wins
        self.categories = {n.casefold(): c for c in reversed(taxonomy.categories) for n in (c.name, c.key)}
        self.spellings = {c.key: {_norm(s): v.name for v in c.values for s in [v.name, *v.aliases, v.short or v.name]}
                          for c in taxonomy.categories}
        self.mapping = {c.key: {**{m.casefold(): t for m, t in mapping.get(c.name.casefold(), {}).items()},
                                **mapping.get(c.name.casefold(), {})} for c in taxonomy.categories}
        self.add_values = add_values

    def values(self, key: str, message: str) -> list[tuple[str | None, str, str | None]]:
        """[(value name, or None when the taxonomy lacks it; value as written; detail)] of a badge message."""
        mapped = self.mapping.get(key, {})
        found = mapped.get(message) or mapped.get(message.casefold())
        if found:
            return [(self.spellings[key].get(_norm(v)), v, d) for v, d in found]
        out: list = []
        for part in (p.strip() for p in message.split("/")):
            found = mapped.get(part) or mapped.get(part.casefold())
            out += [(self.spellings[key].get(_norm(v)), v, d) for v, d in found] if found else [self._value(key, part)]
        return out

    def _value(self, key: str, text: str) -> tuple[str | None, str, str | None]:
        spellings = self.spellings.get(key, {})
        if _norm(text) in spellings:
            return spellings[_norm(text)], text, None
        cuts = list(_SEPARATOR.finditer(text))
        for cut in reversed(cuts):  # the longest value name first: `Sparsity-KV cache`
            if _norm(text[:cut.start()]) in spellings:
                return spellings[_norm(text[:cut.start()])], text[:cut.start()], text[cut.end():].strip() or None
        near = next((cut for cut in cuts if suggest(text[:cut.start()], spellings.values())), None)
        value, _, detail = text.partition("~") if near is None else (text[:near.start()], "", text[near.end():])
        return None, value.strip(), detail.strip() or None

    def resolve(self, badges: list[tuple[int, str, str, str]], record: "Imported") -> list[tuple[int, str, str]]:
        """Fill `record.tags` (and colors, unknown) from the badges; return (offset, message, severity) notes."""
        notes = []
        for offset, label, message, color in badges:
            category = self.categories.get(label.strip().casefold())
            key = category.key if category else kebab(label) or "tags"
            if category is None:
                names = sorted({c.name for c in self.categories.values()})
                notes.append((offset, f"unknown tag category {label!r}{suggest(label, names)}; kept verbatim as "
                                      f"{key!r}", "error"))
            else:
                record.colors.setdefault(key, color)
            if key in record.tags:
                notes.append((offset, f"a second {label} badge; its values are added to the first", "warning"))
            refs = record.tags.setdefault(key, [])
            for name, written, detail in self.values(key, message):
                if not written or written == "-":
                    notes.append((offset, f"empty tag value in {label}-{message}; ignored", "warning"))
                    continue
                if name is None:
                    name = written
                    known = [v.name for v in category.values] if category else []
                    hint = suggest(written, known)
                    record.unknown.append((key, written, bool(category and not hint and self.add_values)))
                    if category and not hint and self.add_values:
                        notes.append((offset, f"{category.name} value {written!r} is not in the taxonomy: added to "
                                              "it with an explanation to write (--add-values)", "warning"))
                    elif category:
                        notes.append((offset, f"unknown {category.name} value {written!r}"
                                              f"{hint or '; known values: ' + ', '.join(known)}; kept verbatim (add it "
                                              "to the taxonomy, or pass --add-values, or fix the row)", "error"))
                if any((r if isinstance(r, str) else r["value"]) == name for r in refs):
                    notes.append((offset, f"{label} value {name!r} listed twice; kept once", "warning"))
                    continue
                refs.append({"value": name, "detail": detail} if detail else name)
            if not refs:
                del record.tags[key]
        return notes


@dataclass
class Imported:
    line: int
    title: str
    paper: str
    paper_col: int
    venue: dict
    takeaway: str
    added: _dt.date | None = None
    draft: bool = False
    tags: dict = field(default_factory=dict)
    code: dict | None = None
    links: dict = field(default_factory=dict)  # blog, reviews, video
    challenge: tuple[int, str] | None = None  # (column, URL) of the Challenge link
    challenges: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    colors: dict = field(default_factory=dict)  # category key → badge colour used
    unknown: list = field(default_factory=list)  # (category key, value as written, to be added?)
    id: str | None = None
    data: dict | None = None  # set by finish(): what is written

    def mark_duplicate(self, first: "Imported", stand_in: str | None) -> None:
        self.comments.append(f"Draft: {self.paper} was also the paper link of {first.title!r} in the imported list.")
        self.comments.append("The Reviews link stands in as the paper link: check it, then remove `draft`."
                             if stand_in else "Correct the paper link, then remove `draft`.")
        self.paper, self.draft = stand_in or self.paper, True

    def finish(self, path: str, problems: list[Problem]) -> None:
        """Check the record with the models; drop optional fields that fail (reported); refuse the rest."""
        notes = {"challenges": self.challenges} if self.challenges else {}
        notes.update(self.links)
        data = {"id": self.id, "title": self.title, "paper": self.paper, "venue": self.venue,
                **({"code": self.code} if self.code else {}), "takeaway": self.takeaway, "tags": self.tags,
                **({"notes": notes} if notes else {}), "added": self.added, **({"draft": True} if self.draft else {})}
        while True:  # ends: each pass returns or drops a field
            try:
                Paper.model_validate(data)
                self.data = data
                return
            except ValidationError as exc:
                error = exc.errors()[0]
            loc, message = tuple(error["loc"]), error["msg"].removeprefix("Value error, ")
            optional = loc[0] == "code" or loc[0] == "notes" and len(loc) > 1
            problems.append(Problem(path, self.line, 1, ".".join(map(str, loc)),
                                    f"{message}; {'not imported' if optional else 'row not imported'}"))
            if not optional:
                return
            (data if loc[0] == "code" else data["notes"]).pop(loc[0] if loc[0] == "code" else loc[1])
            if not data.get("notes", True):
                data.pop("notes")


def build_record(raw: RawRow, resolver: TagResolver, path: str, problems: list[Problem]) -> Imported | None:
    """One row → one record (tags resolved, not yet checked); None when it has no title or paper link."""
    def report(cell: int, offset: int | None, message: str, severity: str = "warning") -> None:
        col = raw.cells[cell].col + (offset or 0)
        problems.append(Problem(path, raw.line, col, _FIELDS[cell], message, severity))

    text = raw.cells[0].text
    found = items(text)
    title = next((i for i in found if i.kind == "link" and i.image is None), None)
    stars, venue = None, None
    for item in found[:found.index(title) if title else None]:
        stars_match = _STARS.match(item.image.url) if item.image else None
        parts = badge(item.image.url) if item.image else None
        if stars_match:
            stars = item.url or f"https://github.com/{stars_match.group(1)}/{stars_match.group(2)}"
            if not item.url:
                report(0, item.start, "star badge links to nothing `()`; its repository is used")
        elif parts is None:
            report(0, item.start, f"badge {item.image.url!r} is neither a star nor a venue badge; ignored")
        elif venue is not None:
            report(0, item.start, f"a second venue badge ({parts[0]}-{parts[1]}) ignored")
        else:
            match, name, year = _VENUE.match(parts[1].strip()), parts[1].strip(), None
            if match:
                name = match["name"].strip()
                year = 2000 + int(match["yy"]) if match["yy"] else int(match["yyyy"])
            venue = (STATUSES.get(parts[0].strip().casefold()), name, year)
            if name.casefold() in ("arxiv", "preprint", ""):
                venue = (venue[0] or "preprint", None, year)
            if item.kind == "link" and not item.url:
                report(0, item.start, "venue badge links to nothing `()`; the generated list shows it without a link")
    if title is None or not title.url:
        report(0, title and title.start, "the title links to nothing `()`; row not imported" if title else
               "no title link `[Title](paper URL)` found; row not imported", "error")
        return None
    stray = leftover(text[:title.start], [i for i in found if i.end <= title.start])
    if stray:
        report(0, 0, f"text before the title ignored: {stray!r}")
    takeaway, unlinked = relative_links(" ".join(BR.sub(" ", text[title.end:]).split()))
    for _, url, label in unlinked:
        report(0, title.end, f"take-away links to the relative path {url!r}, which the imported list does not "
                             f"have: written as its text {label!r} (link it by its full URL to keep it)")
    for item in items(takeaway):
        if not item.url:
            report(0, title.end, f"take-away link [{item.label}]() links to nothing")

    status, name, year = venue or (None, None, None)
    if venue is None:
        report(0, 0, f"no venue badge; written as a preprint of {raw.year}")
    elif status is None:
        status = "conference" if name else "preprint"
        report(0, 0, "venue badge label is not one of Conference, Journal, Workshop, Submission, Preprint, Arxiv; "
                     f"written as {status}", "error")
    if year is not None and year != raw.year:
        report(0, 0, f"venue year {year} differs from the section {raw.year}; the record is listed under {year}")
    record = Imported(line=raw.line, title=" ".join(unescape_markdown(title.label).split()), paper=title.url,
                      paper_col=raw.cells[0].col, venue={"status": status or "preprint", **({"name": name} if name
                                                         else {}), "year": year or raw.year},
                      takeaway=takeaway, draft=raw.commented)

    badges = []
    for item in items(raw.cells[1].text):
        parts = badge(item.image.url) if item.image else None
        if parts is None or not parts[0]:
            report(1, item.start, f"not a tag badge, ignored: {raw.cells[1].text[item.start:item.end][:80]!r}", "error")
        else:
            badges.append((item.start, *parts))
    for offset, message, severity in resolver.resolve(badges, record):
        report(1, offset, message, severity)
    for item in items(raw.cells[2].text):
        kind = NOTE_KINDS.get(unescape_markdown(item.label).strip().casefold())
        if item.kind != "link" or kind is None:
            report(2, item.start, f"note link {item.label!r} is not imported (only Challenge, Blog, Reviews and Video "
                                  "are)", "error")
        elif not item.url:
            report(2, item.start, f"{item.label} links to nothing `()`; not imported")
        elif kind in record.links or kind == "challenge" and record.challenge:
            report(2, item.start, f"a second {item.label} link ignored", "error")
        elif kind == "challenge":
            record.challenge = (raw.cells[2].col + item.start, item.url)
        else:
            record.links[kind] = item.url
    for index, item in enumerate(items(raw.cells[3].text)):
        if index:
            report(3, item.start, f"a second code link ignored: {item.url!r}", "error")
        elif not item.url:
            report(3, item.start, "the code link links to nothing `()`; not imported")
        else:
            label = unescape_markdown(item.label).strip()
            record.code = {"url": item.url, **({} if label.casefold() in PLAIN_CODE_TEXT else {"framework": label})}
    for cell in (1, 2, 3):
        stray = leftover(raw.cells[cell].text, items(raw.cells[cell].text))
        if stray and stray != "-":
            report(cell, 0, f"text in the {_FIELDS[cell]} cell ignored: {stray[:80]!r}", "error")

    if record.code is None and stars:
        record.code = {"url": stars}
        report(3, 0, f"no code link; the star badge's repository {stars} is used")
    elif record.code and stars and github_repo(stars) != github_repo(record.code["url"]):
        report(3, 0, f"the star badge ({stars}) and the code link ({record.code['url']}) differ; the code link is kept")
    if raw.commented:
        record.comments.append("Draft: this row is commented out in the imported list.")
    if not record.takeaway:
        record.takeaway, record.draft = NO_TAKEAWAY, True
        record.comments.append("Draft: the imported row has no take-away; write one, then remove `draft`.")
        report(0, 0, "no take-away: imported as a draft with a placeholder take-away",
               "warning" if raw.commented else "error")
    return record


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


_Dumper.add_representer(str, lambda d, v: d.represent_scalar(
    "tag:yaml.org,2002:str", v, style=">" if len(v) > 80 and " " in v.strip() else None))
_Dumper.add_representer(list, lambda d, v: d.represent_sequence(
    "tag:yaml.org,2002:seq", v, flow_style=all(isinstance(x, str) and len(x) <= 40 for x in v)))
_Dumper.add_representer(dict, lambda d, v: d.represent_mapping("tag:yaml.org,2002:map", v, flow_style=all(
    isinstance(x, int) or isinstance(x, str) and len(x) <= 60 and not any(c in x for c in ":,[]{}#'\"")
    for x in v.values())))


def record_text(record: Imported) -> str:
    """The record's YAML, with the schema line and any explanation as comments; checked to round-trip."""
    head = "\n".join([SCHEMA_LINE] + [f"# {c}" for c in record.comments]) + "\n"
    for text in (head + yaml.dump(record.data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=80),
                 head + yaml.safe_dump(record.data, sort_keys=False, allow_unicode=True, width=1 << 30)):
        if parse_yaml(text, f"{record.id}.yaml") == record.data:
            return text
    raise ProblemsError([Problem(f"{record.id}.yaml", 0, 0, "", "internal error, not written: the record does "
                                                                "not round-trip through YAML; please report this")])
