"""`awesome-prune new`: records prefilled from a local arXiv stand-in, refusals, skeletons, ids."""

from __future__ import annotations

import datetime as dt
import re
import socket
from pathlib import Path

import pytest
import yaml

from .conftest import empty_list

from awesome_prune.contrib.new import arxiv
from awesome_prune.records.catalog import load_catalog
from awesome_prune.cli import main
from awesome_prune.errors import ProblemsError
from awesome_prune.records.identity import base_id, derive_id, unique_id
from awesome_prune.records.load import load_mapping
from awesome_prune.records.models import Paper
from awesome_prune.contrib.new import create_file, new_record
from awesome_prune.contrib.skeleton import SCHEMA_LINE, suggest_venue
from awesome_prune.records.validate import check_model
from tests.arxiv_server import BROKEN, EMPTY, ERROR, SLOW, THROTTLED, ArxivStub

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2024, 2, 1)
WANDA = "A Simple and Effective Pruning Approach for Large Language Models"


def write_record(root: Path, record_id: str, title: str, paper: str) -> None:
    data = {"id": record_id, "title": title, "paper": paper, "venue": {"status": "preprint", "year": 2024},
            "takeaway": "Something in our own words.", "added": TODAY,
            "tags": {"type": ["Unstructured"], "criteria": ["Magnitude"], "budget": ["Sparsity"],
                     "data": ["Calibration"], "retrain": ["Without"], "weight": ["Frozen"]}}
    (root / "papers" / f"{record_id}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A small list: the repository's settings and taxonomy, and one unrelated record."""
    root = empty_list(tmp_path)
    write_record(root, "other", "Some Other Paper on Pruning", "https://arxiv.org/abs/2401.00001")
    return root


@pytest.fixture
def stub():
    with ArxivStub() as server:
        yield server


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def fill_in(text: str) -> str:
    """What a contributor does: write a take-away and pick a value in every category."""
    text = text.replace("\ntakeaway:\n", "\ntakeaway: Scores weights by magnitude times input norm.\n")
    for key, value in (("type", "Unstructured"), ("criteria", "Wanda"), ("budget", "Sparsity"),
                       ("data", "Calibration"), ("retrain", "Without"), ("weight", "Frozen")):
        text = text.replace(f"  {key}: []", f"  {key}: [{value}]")
    return text


def test_fetched_record_is_prefilled_and_only_placeholders_remain(root, stub):
    result = new_record(root, "https://arxiv.org/abs/2306.11695v2", api=stub.url, today=TODAY)

    assert result.fetched and result.notices == []
    assert result.path == "papers/simple-effective-pruning.yaml"
    file = root / result.path
    text = file.read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    source = load_mapping(file, result.path)
    data = source.data
    assert data["id"] == "simple-effective-pruning"
    assert data["title"] == WANDA  # the hard-wrapped title, whitespace collapsed
    assert data["paper"] == "https://arxiv.org/abs/2306.11695"  # bare id, no version
    assert data["venue"] == {"status": "preprint", "year": 2023}  # year of the first version
    assert data["added"] == TODAY
    assert "# First version on arXiv: 2023-06-20" in text
    assert "# arXiv comment: Accepted at ICLR 2024." in text
    assert "which suggests: venue: {status: conference, name: ICLR, year: 2024}" in text
    assert "authors: [Mingjie Sun, Zhuang Liu, Anna Bair, J. Zico Kolter]" in text  # the record field, in order
    assert data["authors"] == ["Mingjie Sun", "Zhuang Liu", "Anna Bair", "J. Zico Kolter"]
    assert "# Type: Unstructured, Structured, Semi-structured, Other" in text

    # The prefilled fields validate; what fails is exactly the placeholders left for the contributor.
    _, problems = check_model(source, Paper)
    assert {p.field.split(".")[0] for p in problems} == {"takeaway", "tags"}
    assert {p.field for p in result.to_fill} == {"takeaway", "notes.challenges"} | {
        f"tags.{key}" for key in ("type", "criteria", "budget", "data", "retrain", "weight")}
    assert all(p.line > 0 and p.severity == "warning" for p in result.to_fill)

    # One request, asking for the version given, with a descriptive User-Agent.
    assert [r["id_list"] for r in stub.requests] == ["2306.11695v2"]
    assert stub.requests[0]["user_agent"].startswith("awesome-prune/")

    # Once filled in, the record and the whole list validate.
    file.write_text(fill_in(text), encoding="utf-8")
    catalog = load_catalog(root)
    assert {p.id for p in catalog.records} == {"other", "simple-effective-pruning"}


def test_journal_reference_suggests_the_venue_and_the_id_comes_from_the_acronym(root, stub):
    result = new_record(root, "2301.00774", api=stub.url, today=TODAY)
    text = (root / result.path).read_text(encoding="utf-8")
    assert result.path == "papers/sparsegpt.yaml"
    assert "title: 'SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot'" in text
    assert "venue: {status: preprint, year: 2023}" in text
    assert "which suggests: venue: {status: conference, name: ICML, year: 2023}" in text


def test_id_collision_gets_a_number(root, stub):
    write_record(root, "sparsegpt", "SparseGPT for Something Else Entirely", "https://arxiv.org/abs/2401.00002")
    result = new_record(root, "2301.00774", api=stub.url, today=TODAY)
    assert result.id == "sparsegpt-2"
    assert (root / "papers" / "sparsegpt-2.yaml").is_file()


@pytest.mark.parametrize("given", ["2306.11695", "2306.11695v1", "https://arxiv.org/pdf/2306.11695v3.pdf",
                                   "arXiv:2306.11695", "https://doi.org/10.48550/arXiv.2306.11695"])
def test_refuses_a_paper_already_listed_before_asking_arxiv(root, stub, given):
    write_record(root, "wanda", WANDA, "https://arxiv.org/abs/2306.11695")
    before = files(root)
    with pytest.raises(ProblemsError) as caught:
        new_record(root, given, api=stub.url, today=TODAY)
    assert "already in the list: papers/wanda.yaml has arXiv 2306.11695" in str(caught.value)
    assert stub.requests == []
    assert files(root) == before


def test_refuses_the_same_title_under_another_link(root, stub):
    write_record(root, "wanda", WANDA, "https://openreview.net/forum?id=PxoFut3dWW")
    before = files(root)
    with pytest.raises(ProblemsError, match="papers/wanda.yaml has the same title"):
        new_record(root, "2306.11695", api=stub.url, today=TODAY)
    assert files(root) == before


@pytest.mark.parametrize("existing, given", [
    ("https://openreview.net/forum?id=Tr0lPx9woF", "https://openreview.net/pdf?id=Tr0lPx9woF"),
    ("https://doi.org/10.1145/3580305.3599411", "10.1145/3580305.3599411"),
])
def test_refuses_openreview_and_doi_duplicates(root, existing, given):
    write_record(root, "known", "A Known Paper", existing)
    before = files(root)
    with pytest.raises(ProblemsError, match="already in the list: papers/known.yaml"):
        new_record(root, given, today=TODAY)
    assert files(root) == before


def test_never_overwrites_an_existing_file(root, stub):
    before = files(root)
    with pytest.raises(ProblemsError, match="papers/other.yaml:1:1: already exists"):
        new_record(root, "2306.11695", api=stub.url, today=TODAY, record_id="other")
    assert files(root) == before
    with pytest.raises(ProblemsError, match="already exists"):
        create_file(root / "papers" / "other.yaml", "id: x\n", "papers/other.yaml")
    assert files(root) == before


def test_offline_skeleton_has_the_link_and_asks_nothing(root, stub):
    result = new_record(root, "2306.11695v2", offline=True, api=stub.url, today=TODAY)
    assert stub.requests == []
    assert not result.fetched
    assert any("offline" in n for n in result.notices)
    text = (root / result.path).read_text(encoding="utf-8")
    assert text.splitlines()[0] == SCHEMA_LINE
    data = yaml.safe_load(text)
    assert data["paper"] == "https://arxiv.org/abs/2306.11695"
    assert data["title"] is None and data["takeaway"] is None
    assert data["venue"] == {"status": "preprint", "year": 2023}  # from the id's YYMM
    assert data["id"] == result.id == "arxiv-2306-11695"
    assert {"title", "takeaway"} <= {p.field for p in result.to_fill}


@pytest.mark.parametrize("paper_id, says", [(THROTTLED, "Rate exceeded."), (BROKEN, "HTTP 500"),
                                            (SLOW, "did not answer within 0.5 s")])
def test_fetch_failure_falls_back_to_a_skeleton(root, stub, paper_id, says):
    result = new_record(root, paper_id, api=stub.url, today=TODAY, timeout=0.5)
    assert not result.fetched
    assert any(says in n and "skeleton" in n for n in result.notices), result.notices
    data = yaml.safe_load((root / result.path).read_text(encoding="utf-8"))
    assert data["title"] is None and data["paper"] == f"https://arxiv.org/abs/{paper_id}"


def test_unreachable_api_falls_back_to_a_skeleton(root):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = new_record(root, "2306.11695", api=f"http://127.0.0.1:{port}/api/query", today=TODAY, timeout=2)
    assert not result.fetched and "cannot reach the arXiv API" in result.notices[0]


@pytest.mark.parametrize("paper_id", [EMPTY, ERROR])
def test_unknown_id_is_refused_and_nothing_written(root, stub, paper_id):
    before = files(root)
    with pytest.raises(ProblemsError, match=f"arXiv has no paper {re.escape(paper_id)}") as caught:
        new_record(root, paper_id, api=stub.url, today=TODAY)
    assert "\n" not in str(caught.value)
    assert files(root) == before


def test_openreview_and_doi_give_skeletons_without_fetching(root, stub):
    forum = new_record(root, "https://openreview.net/pdf?id=Tr0lPx9woF", api=stub.url, today=TODAY)
    doi = new_record(root, "https://doi.org/10.1145/3580305.3599411", api=stub.url, today=TODAY)
    assert stub.requests == []
    assert yaml.safe_load((root / forum.path).read_text())["paper"] == "https://openreview.net/forum?id=Tr0lPx9woF"
    assert yaml.safe_load((root / doi.path).read_text())["paper"] == "https://doi.org/10.1145/3580305.3599411"
    assert forum.id == "openreview-tr0lpx9wof" and doi.id == "doi-10-1145-3580305-3599411"


@pytest.mark.parametrize("given, record_id, says", [("not a paper", None, "is not an arXiv id"),
                                                     ("2306.11695", "Not Kebab", "is not kebab-case")])
def test_bad_arguments_are_refused(root, given, record_id, says):
    before = files(root)
    with pytest.raises(ProblemsError, match=says):
        new_record(root, given, offline=True, record_id=record_id, today=TODAY)
    assert files(root) == before


def test_command_line(root, stub, monkeypatch, capsys):
    monkeypatch.setenv(arxiv.API_ENV, stub.url)
    assert main(["--root", str(root), "new", "2306.11695"]) == 0
    out = capsys.readouterr().out
    assert "wrote papers/simple-effective-pruning.yaml; still to fill in" in out
    assert "takeaway: to fill in: expected text, got nothing" in out

    assert main(["--root", str(root), "new", "https://arxiv.org/abs/2306.11695v9"]) == 1
    err = capsys.readouterr().err
    assert "already in the list: papers/simple-effective-pruning.yaml" in err and "Traceback" not in err

    assert main(["--root", str(root), "new", "--offline", "2402.01234"]) == 0
    captured = capsys.readouterr()
    assert "note: offline" in captured.err and "(skeleton)" in captured.out


def test_parse_feed_refuses_what_is_not_the_paper():
    with pytest.raises(arxiv.ArxivError, match="Rate exceeded"):
        arxiv.parse_feed("Rate exceeded.", "2306.11695")
    with pytest.raises(arxiv.ArxivError, match="not an Atom feed"):
        arxiv.parse_feed("<html><body>hi</body></html>", "2306.11695")


@pytest.mark.parametrize("title, expected", [
    ("SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot", "sparsegpt"),
    ("LLM-Pruner: On the Structural Pruning of Large Language Models", "llm-pruner"),
    ("Sheared LLaMA: Accelerating Language Model Pre-training via Structured Pruning", "sheared-llama"),
    ("Outlier Weighed Layerwise Sparsity (OWL): A Missing Secret Sauce for Pruning LLMs", "owl"),
    (WANDA, "simple-effective-pruning"),
    ("The Emergence of Essential Sparsity in Large Pre-trained Models: The Weights that Matter",
     "emergence-essential-sparsity"),
    ("Étude: Élagage", "etude"),
    ("日本語のタイトル", "paper"),
])
def test_ids_from_titles(title, expected):
    assert base_id(title) == expected


def test_unique_ids():
    assert unique_id("owl", set()) == "owl"
    assert unique_id("owl", {"owl", "owl-2"}) == "owl-3"
    assert derive_id("BESA: Pruning", {"besa"}) == "besa-2"


@pytest.mark.parametrize("text, expected", [
    ("Accepted at ICLR 2024", {"status": "conference", "name": "ICLR", "year": 2024}),
    ("NeurIPS'23 workshop on efficiency", {"status": "workshop", "name": "NeurIPS", "year": 2023}),
    ("Published in TMLR (2023)", {"status": "journal", "name": "TMLR", "year": 2023}),
    ("Under review at ICML 2025", {"status": "submission", "name": "ICML", "year": 2025}),
    ("12 pages, 3 figures", None),
])
def test_venue_suggestions(text, expected):
    assert suggest_venue(text) == expected
