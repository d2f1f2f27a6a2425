"""The text of a new paper record: prefilled fields, and a comment on every field left to fill in.

Pure: a `Skeleton` in, YAML text out. Scalars are written through `yaml.safe_dump`, so any title
round-trips; comments are single lines.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

import yaml

from ..render.schema import SCHEMA_LINE
from .arxiv import Entry, shorten


# Venue names recognised in an arXiv comment or journal reference, as the list spells them.
VENUES = {v.casefold(): v for v in (
    "ICLR ICML NeurIPS ACL EMNLP NAACL EACL COLING AAAI IJCAI CVPR ICCV ECCV WACV BMVC KDD WWW SIGIR "
    "MLSys COLM UAI AISTATS ICASSP INTERSPEECH DAC ICCAD TMLR JMLR TPAMI TACL TNNLS").split()}
VENUES["nips"] = "NeurIPS"
JOURNALS = {"TMLR", "JMLR", "TPAMI", "TACL", "TNNLS"}
_VENUE = re.compile(r"\b(" + "|".join(VENUES) + r")\b", re.I)
_YEAR = re.compile(r"(?<!\d)(?:(19\d\d|20\d\d)|'(\d\d))(?!\d)")


@dataclass(frozen=True)
class Skeleton:
    id: str
    identifier: str  # arXiv | OpenReview | DOI
    key: str
    url: str
    today: _dt.date
    entry: Entry | None  # arXiv metadata when fetched
    categories: list[tuple[str, str, list[str]]]  # (key, name, value names)


def scalar(value: object) -> str:
    """`value` as a YAML scalar on one line (quoted when needed)."""
    return yaml.safe_dump({"k": value}, allow_unicode=True, width=1 << 30, default_flow_style=False)[3:].rstrip("\n")


def suggest_venue(text: str) -> dict | None:
    """`Accepted at ICLR 2024` → {status: conference, name: ICLR, year: 2024}, or None."""
    match = _VENUE.search(text)
    if not match:
        return None
    name = VENUES[match.group(1).casefold()]
    year_match = _YEAR.search(text, match.end()) or _YEAR.search(text)
    if not year_match:
        return None
    year = int(year_match.group(1)) if year_match.group(1) else 2000 + int(year_match.group(2))
    lowered = text.casefold()
    if "workshop" in lowered:
        status = "workshop"
    elif name in JOURNALS or "journal" in lowered or "transactions" in lowered:
        status = "journal"
    elif "under review" in lowered or "submitted" in lowered or "submission" in lowered:
        status = "submission"
    else:
        status = "conference"
    return {"status": status, "name": name, "year": year}


def _year(skeleton: Skeleton) -> tuple[int, str]:
    """The venue year and where it came from."""
    if skeleton.entry:
        return skeleton.entry.published.year, "the year of the first arXiv version"
    new_style = re.match(r"^(\d\d)(\d\d)\.", skeleton.key)
    old_style = re.match(r"^[a-z-]+(?:\.[A-Z]{2})?/(\d\d)", skeleton.key)
    if skeleton.identifier == "arXiv" and (new_style or old_style):
        yy = int((new_style or old_style).group(1))
        return (2000 + yy if yy < 90 else 1900 + yy), "the year in the arXiv id; check it"
    return skeleton.today.year, "this year, a guess; set the year of publication"


def _header(skeleton: Skeleton) -> list[str]:
    lines = [SCHEMA_LINE,
             f"# Written by `awesome-prune new` on {skeleton.today.isoformat()} from {skeleton.identifier} "
             f"{skeleton.key}. Fill in every field marked TO FILL IN, then run `awesome-prune validate`."]
    entry = skeleton.entry
    if entry:
        lines.append(f"# First version on arXiv: {entry.published.isoformat()}"
                     + (f"; this version (v{entry.version}): {entry.updated.isoformat()}"
                        if entry.version and entry.updated else "")
                     + (f"; primary category {entry.primary_category}" if entry.primary_category else ""))
        for label, text in (("arXiv comment", entry.comment), ("journal reference", entry.journal_ref)):
            if text:
                lines.append(f"# {label}: {shorten(text, 200)}")
                venue = suggest_venue(text)
                if venue:
                    lines.append(f"#   which suggests: venue: {{status: {venue['status']}, name: {venue['name']}, "
                                 f"year: {venue['year']}}}")
        if entry.doi:
            lines.append(f"# DOI: {shorten(entry.doi, 200)}")
    return lines


def _tags(skeleton: Skeleton) -> list[str]:
    lines = ["# TO FILL IN: one or more values per category, from concepts/taxonomy.yaml ('Other' with a detail when",
             "# none fits). A value may carry a detail: {value: Sparsity, detail: layer}."]
    lines.append("tags:")
    for key, name, values in skeleton.categories:
        lines.append(f"  # {shorten(name, 200)}: {shorten(', '.join(values), 300)}")
        lines.append(f"  {key}: []")
    return lines


def render(skeleton: Skeleton) -> str:
    entry = skeleton.entry
    year, year_source = _year(skeleton)
    lines = _header(skeleton)
    lines.append(f"id: {skeleton.id}")
    if entry:
        lines.append(f"title: {scalar(entry.title)}")
        if entry.authors:  # as arXiv lists them, in order
            lines.append("authors: [" + ", ".join(scalar(name) for name in entry.authors) + "]")
    else:
        lines += ["# TO FILL IN: the paper's title, as printed on it.", "title:",
                  "# The authors in the paper's order, e.g. [Mingjie Sun, Zhuang Liu]; leave it out when unsure.",
                  "# authors: []"]
    lines += [f"paper: {scalar(skeleton.url)}",
              "# status: conference, journal, workshop, submission or preprint; name: the venue, e.g. ICLR",
              f"# (leave it out for a preprint); year: {year_source}.",
              f"venue: {{status: preprint, year: {year}}}",
              "# The code, if any: uncomment and fill in (framework: PyTorch, JAX, …).",
              "# code: {url: https://github.com/OWNER/REPO, framework: PyTorch}",
              "# TO FILL IN: one or two sentences in your own words: what the method does, what it needs",
              "# (data, retraining) and what it achieves. Markdown links are allowed.",
              "takeaway:"]
    lines += _tags(skeleton)
    lines += ["notes:",
              "  # The problems the paper takes on, one item each (shown on the challenge page).",
              "  challenges: []",
              "  # blog: https://…",
              "  # reviews: https://openreview.net/forum?id=…",
              "  # video: https://…",
              f"added: {skeleton.today.isoformat()}"]
    return "\n".join(lines) + "\n"
