"""data/papers.json and data/papers.bib: stable, drafts left out, BibTeX that a real parser reads back."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import bibtexparser
import pytest
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

from awesome_prune.render.bibtex import bibtex_title, latex_escape
from awesome_prune.records.catalog import Catalog, load_catalog, load_taxonomy
from awesome_prune.render.exports import BIBTEX_PATH, JSON_PATH, export, export_outputs
from awesome_prune.records.models import Paper
from awesome_prune.render.views import shown

from .conftest import braces_balanced

REPO = Path(__file__).resolve().parents[1]
SETTINGS, TAXONOMY = load_taxonomy(REPO)

SPECIAL_TITLE = "R&D at 50% Sparsity: snake_case {Braces} for $10^{31}$ FLOPs, über ~ and \\ and #1 in LLaMA"


def paper(id: str, title: str = "A Title", url: str = "https://example.org/p", status: str = "conference",
          name: str | None = "ICML", year: int = 2024, added: str = "2024-01-01", **extra) -> Paper:
    return Paper.model_validate({
        "id": id, "title": title, "paper": url, "venue": {"status": status, "name": name, "year": year},
        "takeaway": "Short.", "tags": extra.pop("tags", {"type": ["Structured"]}),
        "added": dt.date.fromisoformat(added), **extra})


def catalog(*papers: Paper) -> Catalog:
    return Catalog(REPO, SETTINGS, TAXONOMY, [(p, None) for p in papers], "")


FIXTURE = catalog(
    paper("special", SPECIAL_TITLE, "https://arxiv.org/abs/2401.01234v2", tags={"type": ["fine-grained"]}),
    paper("unbalanced", "A Lone } Brace, Then an Open { One", "https://doi.org/10.1000/XYZ.1",
          status="journal", name="TMLR & Co", year=2023, added="2023-05-01"),
    paper("old-style", "Old arXiv Ids", "https://arxiv.org/abs/cs.LG/0101001", status="preprint", name=None,
          year=2023, added="2023-06-01"),
    paper("under-review", "Submitted Work", status="submission", name="ICLR", year=2025,
          code={"url": "https://github.com/a/b"}, notes={"challenges": ["Why."], "video": "https://v.example.org/x"}),
    paper("workshop-paper", "Ünïcödé Ætherial Æsthetics – naïve façade", status="workshop",
          name="ICML Workshop on Sparsity", year=2024, added="2024-02-01"),
    paper("hidden", "A Draft", draft=True),
)


def latex_decoder() -> LatexNodes2Text:
    """pylatexenc, told the text-mode commands it renders differently from LaTeX."""
    db = get_default_latex_context_db()
    db.add_context_category("latex-text-commands", prepend=True, macros=[
        MacroTextSpec("textasciicircum", simplify_repl="^"), MacroTextSpec("textbraceleft", simplify_repl="{"),
        MacroTextSpec("textbraceright", simplify_repl="}"), MacroTextSpec("textless", simplify_repl="<"),
        MacroTextSpec("textgreater", simplify_repl=">"), MacroTextSpec("textbar", simplify_repl="|"),
    ])
    return LatexNodes2Text(latex_context=db, math_mode="verbatim")


def parse(text: str):
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == [], [b.error for b in library.failed_blocks]
    return library


# -- JSON ---------------------------------------------------------------------------------------

def test_json_is_byte_identical_twice_and_matches_the_committed_file():
    loaded = load_catalog(REPO)
    first, second = export(loaded, "json"), export(load_catalog(REPO), "json")
    assert first == second
    assert (REPO / JSON_PATH).read_text(encoding="utf-8") == first, "run `make build` and commit data/"


def test_json_layout_and_field_names():
    data = json.loads(export(FIXTURE, "json"))
    assert list(data) == ["version", "papers"] and data["version"] == 1
    record = next(p for p in data["papers"] if p["id"] == "under-review")
    assert list(record) == ["id", "title", "authors", "paper", "venue", "code", "takeaway", "tags", "notes", "added", "arxiv"]
    assert record["venue"] == {"status": "submission", "name": "ICLR", "year": 2025}
    assert record["code"] == {"url": "https://github.com/a/b", "framework": None}
    assert record["notes"] == {"challenges": ["Why."], "blog": None, "reviews": None, "video": "https://v.example.org/x"}
    assert record["added"] == "2024-01-01" and record["arxiv"] is None
    special = next(p for p in data["papers"] if p["id"] == "special")
    assert special["arxiv"] == "2401.01234" and special["code"] is None and special["title"] == SPECIAL_TITLE


def test_json_gives_canonical_tag_names_in_taxonomy_order():
    record = paper("tags", tags={"weight": ["updated"], "type": [{"value": "N:M", "detail": "2:4"}, "structural"]})
    data = json.loads(export(catalog(record), "json"))
    assert data["papers"][0]["tags"] == {
        "type": [{"value": "Semi-structured", "detail": "2:4"}, {"value": "Structured", "detail": None}],
        "weight": [{"value": "Update", "detail": None}]}


def test_drafts_are_left_out_and_order_follows_the_readme():
    for fmt in ("json", "bibtex"):
        assert "hidden" not in export(FIXTURE, fmt) and "A Draft" not in export(FIXTURE, fmt)
    ids = [p["id"] for p in json.loads(export(FIXTURE, "json"))["papers"]]
    expected = [p.id for p in shown(FIXTURE.records, SETTINGS.order)]
    assert ids == expected == ["under-review", "special", "workshop-paper", "unbalanced", "old-style"]
    assert [e.key for e in parse(export(FIXTURE, "bibtex")).entries] == expected


def test_the_repository_draft_is_not_exported():
    drafts = [p.id for p in load_catalog(REPO).records if p.draft]
    assert drafts, "the repository keeps one draft record"
    outputs = export_outputs(load_catalog(REPO))
    for draft in drafts:
        assert draft not in [p["id"] for p in json.loads(outputs[JSON_PATH])["papers"]]
        assert f"{{{draft}," not in outputs[BIBTEX_PATH]


# -- BibTeX -------------------------------------------------------------------------------------

def test_bibtex_matches_the_committed_file_and_parses():
    text = export(load_catalog(REPO), "bibtex")
    assert (REPO / BIBTEX_PATH).read_text(encoding="utf-8") == text, "run `make build` and commit data/"
    library = parse(text)
    keys = [e.key for e in library.entries]
    assert len(keys) == len(set(keys)) == len([p for p in load_catalog(REPO).records if not p.draft])


def test_entry_types_and_fields():
    entries = {e.key: e for e in parse(export(FIXTURE, "bibtex")).entries}
    fields = {key: {f.key: f.value for f in e.fields} for key, e in entries.items()}
    assert {k: e.entry_type for k, e in entries.items()} == {
        "special": "inproceedings", "unbalanced": "article", "old-style": "misc", "under-review": "misc",
        "workshop-paper": "inproceedings"}
    assert fields["special"]["booktitle"] == "ICML"
    assert fields["special"]["eprint"] == "2401.01234" and fields["special"]["archivePrefix"] == "arXiv"
    assert fields["special"]["url"] == "https://arxiv.org/abs/2401.01234v2"
    assert fields["workshop-paper"]["booktitle"] == "ICML Workshop on Sparsity"
    assert fields["unbalanced"]["journal"] == r"TMLR \& Co" and fields["unbalanced"]["doi"] == "10.1000/xyz.1"
    assert "eprint" not in fields["unbalanced"]
    assert fields["old-style"]["primaryClass"] == "cs.LG" and fields["old-style"]["note"] == "Preprint"
    assert fields["under-review"]["note"] == "Submitted to ICLR 2025"
    assert {f["year"] for f in fields.values()} == {"2023", "2024", "2025"}


def test_titles_with_special_characters_round_trip():
    decode = latex_decoder()
    entries = {e.key: e for e in parse(export(FIXTURE, "bibtex")).entries}
    for record in FIXTURE.records:
        if record.draft:
            continue
        raw = entries[record.id].fields_dict["title"].value
        assert braces_balanced(raw), raw
        assert raw.isascii() or record.id not in ("special", "workshop-paper"), raw
        assert decode.latex_to_text(raw) == record.title


def test_special_characters_are_escaped_for_latex():
    raw = {e.key: e.fields_dict["title"].value for e in parse(export(FIXTURE, "bibtex")).entries}["special"]
    for escaped in (r"R\&D", r"50\%", r"snake\_case", r"\{Braces\}", r"\$10\textasciicircum{}\{31\}\$",
                    r'{\"u}ber', r"\textasciitilde{}", r"\textbackslash{}", r"\#1", "{LLaMA}"):
        assert escaped in raw, (escaped, raw)
    lone = {e.key: e.fields_dict["title"].value for e in parse(export(FIXTURE, "bibtex")).entries}["unbalanced"]
    assert r"\textbraceleft{}" in lone and r"\textbraceright{}" in lone


@pytest.mark.parametrize("title, protected", [
    ("SparseGPT: Massive Models", "{SparseGPT}: Massive Models"),
    ("Sheared LLaMA via Pruning", "Sheared {LLaMA} via Pruning"),
    ("Sparsity (OWL): Secret Sauce", "Sparsity ({OWL}): Secret Sauce"),
    ("LLM-Pruner: On Structure", "{LLM-Pruner}: On Structure"),
    ("Accurately Pruned in One-Shot", "Accurately Pruned in One-Shot"),
    ("2:4 and N:M Sparsity", "2:4 and {N:M} Sparsity"),
    ("A Simple Approach", "A Simple Approach"),
    ("R&D Matters", "{R\\&D} Matters"),
    ("&GPU Kernels", "{{\\&GPU}} Kernels"),
])
def test_capitals_that_must_stay_are_protected(title, protected):
    assert bibtex_title(title) == protected


def test_accented_and_special_letters():
    assert latex_escape("ü ç ß ø Ł ệ í") == r'{\"u} {\c c} {\ss} {\o} {\L} {\^{\d e}} {\'i}'
    assert latex_escape("“quoted” – yes — no…") == "``quoted'' -- yes --- no{\\ldots}"
    assert latex_escape("中文") == "中文"  # no common LaTeX spelling: kept as UTF-8


def test_bibtex_is_byte_identical_twice():
    assert export(FIXTURE, "bibtex") == export(FIXTURE, "bibtex")


# -- the command --------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt, path", [("json", JSON_PATH), ("bibtex", BIBTEX_PATH)])
def test_export_command_prints_what_build_writes(fmt, path):
    result = subprocess.run([sys.executable, "-m", "awesome_prune", "export", "--format", fmt], cwd=REPO,
                            capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (REPO / path).read_bytes()


def test_export_command_refuses_an_unknown_format():
    result = subprocess.run([sys.executable, "-m", "awesome_prune", "export", "--format", "csv"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "invalid choice" in result.stderr
