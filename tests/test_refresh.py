"""`awesome-prune refresh`: records checked against a local arXiv stand-in (tests/arxiv_server.py),
authors filled in by line edits that leave every other byte alone, and the command's outputs."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import empty_list

from awesome_prune.contrib import refresh as stage
from awesome_prune.records.catalog import load_catalog
from awesome_prune.cli import main
from awesome_prune.errors import SettingsError
from awesome_prune.contrib import arxiv
from tests.arxiv_server import (BROKEN, EMPTY, ERROR, SLOW, THROTTLED, UNNAMED_ERROR, WITHDRAWN, ArxivStub,
                                synthetic_id)

REPO = Path(__file__).resolve().parents[1]
WANDA = "A Simple and Effective Pruning Approach for Large Language Models"
SPARSEGPT = "'SparseGPT: Massive Language Models Can Be Accurately Pruned in One-Shot'"
WANDA_AUTHORS = ["Mingjie Sun", "Zhuang Liu", "Anna Bair", "J. Zico Kolter"]
LISTED = f"authors: [{', '.join(WANDA_AUTHORS)}]\n"  # as arXiv lists them


def record(record_id: str, title: str, paper: str, venue: str = "{status: preprint, year: 2023}",
           extra: str = "") -> str:
    """A valid record's text in the repository's style, with comments and a folded take-away."""
    return (f"# yaml-language-server: $schema=../schema/paper.schema.json\n"
            f"id: {record_id}\ntitle: {title}\n{extra}paper: {paper}\n"
            f"venue: {venue}  # a comment after a value\n"
            f"takeaway: >-\n  Something in our own words,\n  folded over two lines.\n"
            f"# a comment between fields\ntags:\n  type: [Unstructured]\n  criteria: [Magnitude]\n  budget: [Sparsity]\n  data: [Calibration]\n  retrain: [Without]\n  weight: [Frozen]\nadded: 2024-01-10\n")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A list with the repository's settings and taxonomy and no record yet."""
    root = empty_list(tmp_path)
    return root


def put(root: Path, record_id: str, text: str, newline: str = "\n") -> Path:
    file = root / "papers" / f"{record_id}.yaml"
    file.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return file


@pytest.fixture
def stub():
    with ArxivStub() as server:
        yield server


def run(root: Path, stub: ArxivStub, *targets: str, **options) -> stage.Report:
    options.setdefault("interval", 0)
    return stage.refresh(root, targets, api=stub.url, **options)


def kinds(report: stage.Report) -> list[tuple[str, str, int]]:
    return [(f.problem.path, f.kind, f.problem.line) for f in report.findings]


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- what is found ---------------------------------------------------------------------------------

def test_several_records_in_one_request_each_finding_at_its_line(root, stub):
    authors = "authors: [Elias Frantar, Dan Alistarh]\n"
    put(root, "sparsegpt", record("sparsegpt", SPARSEGPT, "https://arxiv.org/abs/2301.00774v1", extra=authors))
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    put(root, "gone", record("gone", "Pruning Everything at Once", f"https://arxiv.org/abs/{WITHDRAWN}",
                             "{status: preprint, year: 2024}", "authors: [Ada Example]\n"))
    put(root, "nobody", record("nobody", "A Paper arXiv Never Had", f"https://arxiv.org/abs/{EMPTY}"))
    put(root, "elsewhere", record("elsewhere", "On OpenReview Only", "https://openreview.net/forum?id=Tr0lPx9woF"))

    report = run(root, stub)

    # One request for the four arXiv records, asking for as many results as ids (arXiv's default is 10).
    assert [(r["id_list"], r["max_results"]) for r in stub.requests] == [
        (f"{WITHDRAWN},{EMPTY},2301.00774,2306.11695", "4")]
    assert stub.requests[0]["user_agent"].startswith("awesome-prune/")
    assert (report.checked, report.other, report.error) == (4, 1, None)
    assert kinds(report) == [
        ("papers/gone.yaml", "withdrawn", 5),
        ("papers/nobody.yaml", "unknown", 4),
        ("papers/sparsegpt.yaml", "version", 5),  # links v1, arXiv has v3
        ("papers/wanda.yaml", "authors", 3),  # none listed: at the title, where they go
    ]
    found = {f.kind: f for f in report.findings}
    assert "withdrawn by the authors" in found["withdrawn"].problem.message
    assert found["unknown"].problem.message.startswith(f"arXiv has no paper {EMPTY}")
    assert "links v1; arXiv has v3" in found["version"].problem.message
    assert found["authors"].arxiv == WANDA_AUTHORS and found["authors"].problem.field == "authors"
    assert report.written == []


@pytest.mark.parametrize("title", [
    WANDA, WANDA.upper(), "A simple and effective pruning approach for large language  models.",
    "A {Simple} and $Effective$ Pruning Approach for \\emph{Large} Language Models",
])
def test_titles_match_up_to_case_spacing_punctuation_and_tex(root, stub, title):
    put(root, "wanda", record("wanda", yaml.safe_dump(title, width=1000).removesuffix("\n...\n").strip(),
                              "https://arxiv.org/abs/2306.11695", extra=LISTED))
    assert run(root, stub).findings == []


def test_a_title_of_another_paper_is_reported_with_arxivs(root, stub):
    put(root, "wanda", record("wanda", "A Simple and Effective Pruning Approach for Vision Transformers",
                              "https://arxiv.org/abs/2306.11695", extra=LISTED))
    [finding] = run(root, stub).findings
    assert (finding.kind, finding.problem.line, finding.problem.field) == ("title", 3, "title")
    assert finding.arxiv == WANDA and "another paper? check the link" in finding.problem.message


@pytest.mark.parametrize("authors, says", [
    ("[Mingjie Sun, Zhuang Liu, Anna Bair]", "3 here, 4 there"),
    ("[Zhuang Liu, Mingjie Sun, Anna Bair, J. Zico Kolter]", "the same names in another order"),
])
def test_different_authors_are_reported_at_their_line(root, stub, authors, says):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695", extra=f"authors: {authors}\n"))
    [finding] = run(root, stub).findings
    assert (finding.kind, finding.problem.line) == ("authors", 4) and says in finding.problem.message


def test_author_names_compare_up_to_case_accents_and_dots(root, stub):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695",
                              extra="authors: [Mingjie Sun, zhuang liu, Anna Bäir, J Zico Kolter]\n"))
    assert run(root, stub).findings == []


@pytest.mark.parametrize("venue, says", [
    ("{status: preprint, year: 2024}", "a preprint's year is that of its first arXiv version: 2023 (2023-06-20)"),
    ("{status: conference, name: ICLR, year: 2022}", "2022 is before the first arXiv version (2023-06-20)"),
])
def test_years_that_disagree_with_arxiv(root, stub, venue, says):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695", venue,
                              LISTED))
    [finding] = run(root, stub).findings
    assert (finding.kind, finding.problem.field, finding.problem.line) == ("year", "venue.year", 6)
    assert says in finding.problem.message


def test_a_later_venue_and_the_latest_version_are_fine(root, stub):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695v3",
                              "{status: conference, name: ICLR, year: 2024}", LISTED))
    assert run(root, stub).findings == []


def test_a_version_arxiv_does_not_have(root, stub):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/pdf/2306.11695v9.pdf",
                              extra=LISTED))
    [finding] = run(root, stub).findings
    assert finding.kind == "version" and "links v9, but arXiv's latest is v3" in finding.problem.message


def test_an_error_entry_refuses_that_id_and_the_others_are_asked_again(root, stub):
    put(root, "bad", record("bad", "Some Title", f"https://arxiv.org/abs/{ERROR}"))
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    report = run(root, stub)
    assert [r["id_list"] for r in stub.requests] == [f"{ERROR},2306.11695", "2306.11695"]
    assert kinds(report) == [("papers/bad.yaml", "unknown", 4), ("papers/wanda.yaml", "authors", 3)]
    assert f"incorrect id format for {ERROR}" in report.findings[0].problem.message


def test_an_error_entry_naming_no_id_has_each_id_asked_alone(root, stub):
    put(root, "bad", record("bad", "Some Title", f"https://arxiv.org/abs/{UNNAMED_ERROR}"))
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    report = run(root, stub)
    assert [r["id_list"] for r in stub.requests] == [f"{UNNAMED_ERROR},2306.11695", UNNAMED_ERROR, "2306.11695"]
    assert kinds(report) == [("papers/bad.yaml", "unknown", 4), ("papers/wanda.yaml", "authors", 3)]
    assert "something went wrong" in report.findings[0].problem.message


def test_batches_of_a_hundred_ids_every_one_answered(root, stub):
    for n in range(120):
        put(root, f"p{n:03d}", record(f"p{n:03d}", f"Synthetic Paper Number {n}",
                                      f"https://arxiv.org/abs/{synthetic_id(n)}", "{status: preprint, year: 2024}",
                                      f"authors: [Author {n}, Second Author]\n"))
    seen = []
    report = run(root, stub, progress=lambda done, total, current: seen.append((done, total, current)))
    assert [(len(r["id_list"].split(",")), r["max_results"]) for r in stub.requests] == [(100, "100"), (20, "20")]
    assert report.checked == 120 and report.findings == [] and report.error is None
    assert seen == [(1, 120, synthetic_id(0)), (101, 120, synthetic_id(100))]


def test_named_records_only_by_id_or_file(root, stub):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    other = put(root, "sparsegpt", record("sparsegpt", SPARSEGPT, "https://arxiv.org/abs/2301.00774"))
    assert kinds(run(root, stub, "wanda")) == [("papers/wanda.yaml", "authors", 3)]
    assert kinds(run(root, stub, str(other))) == [("papers/sparsegpt.yaml", "authors", 3)]
    assert [r["id_list"] for r in stub.requests] == ["2306.11695", "2301.00774"]
    with pytest.raises(SettingsError, match="no record 'wandaa'.*did you mean 'wanda'"):
        run(root, stub, "wandaa")


def test_an_unreadable_record_is_reported_and_the_rest_checked(root, stub):
    put(root, "broken", "id: broken\ntitle: [unclosed\n")
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    assert [k[:2] for k in kinds(run(root, stub))] == [("papers/broken.yaml", "record"),
                                                       ("papers/wanda.yaml", "authors")]


# -- when arXiv cannot be asked ----------------------------------------------------------------------

@pytest.mark.parametrize("paper_id, says", [(THROTTLED, "Rate exceeded."), (BROKEN, "HTTP 500"),
                                            (SLOW, "did not answer within 0.5 s")])
def test_arxiv_failing_is_an_error_tried_again_once_and_nothing_is_written(root, stub, monkeypatch, paper_id, says):
    monkeypatch.setattr(arxiv, "BATCH", 1)  # wanda's answer arrives before the failing request
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    put(root, "zzz", record("zzz", "Some Title", f"https://arxiv.org/abs/{paper_id}"))
    before = files(root)
    report = run(root, stub, write=True, timeout=0.5)
    assert report.error and says in report.error
    assert [r["id_list"] for r in stub.requests] == ["2306.11695", paper_id, paper_id]  # tried once more
    # The findings so far; none claimed for the id not answered; nothing written, not even wanda's authors.
    assert kinds(report) == [("papers/wanda.yaml", "authors", 3)] and report.written == []
    assert files(root) == before


def test_unreachable_api(root):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    report = stage.refresh(root, api=f"http://127.0.0.1:{port}/api/query", interval=0, timeout=2, retries=0)
    assert "cannot reach the arXiv API" in report.error


def test_the_pacer_spaces_requests_by_the_interval():
    now, slept = [100.0], []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pacer = arxiv.Pacer(3.0, clock=lambda: now[0], sleep=sleep)
    pacer.wait()  # the first request goes at once
    now[0] += 1.0  # the request took a second
    pacer.wait()
    now[0] += 5.0  # this one took longer than the interval
    pacer.wait()
    assert slept == [2.0]


# -- writing -----------------------------------------------------------------------------------------

def test_write_inserts_the_authors_line_and_changes_no_other_byte(root, stub):
    text = record("wanda", WANDA, "https://arxiv.org/abs/2306.11695")
    file = put(root, "wanda", text)
    keep = root / "old-wanda.yaml"
    os.link(file, keep)  # a second name for the old file: an in-place write would change it too

    report = run(root, stub, write=True)

    line = "authors: [Mingjie Sun, Zhuang Liu, Anna Bair, J. Zico Kolter]\n"
    at = text.index("paper:")
    assert file.read_bytes() == (text[:at] + line + text[at:]).encode("utf-8")
    assert keep.read_bytes() == text.encode("utf-8")  # replaced by a new file (os.replace), not rewritten
    assert [p.name for p in (root / "papers").iterdir()] == ["wanda.yaml"]  # no temporary file left
    assert report.written == ["papers/wanda.yaml"] and [f.written for f in report.findings] == [True]
    assert report.remaining == []
    keep.unlink()
    assert [p.authors for p in load_catalog(root).records] == [WANDA_AUTHORS]  # valid, the list too
    assert run(root, stub).findings == []  # and nothing left to find


def test_write_keeps_windows_line_endings(root, stub):
    text = record("wanda", WANDA, "https://arxiv.org/abs/2306.11695")
    file = put(root, "wanda", text, newline="\r\n")
    run(root, stub, write=True)
    at = text.index("paper:")
    expected = text[:at] + "authors: [Mingjie Sun, Zhuang Liu, Anna Bair, J. Zico Kolter]\n" + text[at:]
    assert file.read_bytes() == expected.replace("\n", "\r\n").encode("utf-8")


def test_write_never_overwrites_authors_a_person_wrote_unless_forced(root, stub):
    text = record("wanda", WANDA, "https://arxiv.org/abs/2306.11695", extra="authors: [Mingjie Sun]  # so far\n")
    file = put(root, "wanda", text)
    report = run(root, stub, write=True)
    assert file.read_bytes() == text.encode("utf-8") and report.written == []
    assert [(f.kind, f.written) for f in report.findings] == [("authors", False)]

    report = run(root, stub, write=True, force=True)
    assert file.read_text(encoding="utf-8") == text.replace(
        "[Mingjie Sun]", "[Mingjie Sun, Zhuang Liu, Anna Bair, J. Zico Kolter]")  # the comment stays
    assert report.remaining == []


def test_force_keeps_a_block_list_a_block_list(root, stub):
    text = record("wanda", WANDA, "https://arxiv.org/abs/2306.11695",
                  extra="authors:\n  - Zhuang Liu\n  - Mingjie Sun  # first author?\n")
    file = put(root, "wanda", text)
    run(root, stub, write=True, force=True)
    block = "".join(f"  - {name}\n" for name in WANDA_AUTHORS)
    assert file.read_text(encoding="utf-8") == text.replace(
        "  - Zhuang Liu\n  - Mingjie Sun  # first author?\n", block.removesuffix("\n") + "  # first author?\n")


def test_force_sets_a_preprints_year_in_its_flow_mapping(root, stub):
    extra = LISTED
    text = record("wanda", WANDA, "https://arxiv.org/abs/2306.11695", "{status: preprint, year: 2024}", extra)
    file = put(root, "wanda", text)
    assert run(root, stub, write=True).written == []  # a year is always a person's
    run(root, stub, write=True, force=True)
    assert file.read_text(encoding="utf-8") == text.replace("year: 2024}", "year: 2023}")


def test_title_and_link_are_never_written(root, stub):
    text = record("wanda", "Not The Title At All", "https://arxiv.org/abs/2306.11695v1",
                  extra=LISTED)
    file = put(root, "wanda", text)
    report = run(root, stub, write=True, force=True)
    assert {f.kind for f in report.remaining} == {"title", "version"}
    assert file.read_text(encoding="utf-8") == text


def test_long_author_lists_become_a_block_and_odd_names_are_quoted(root):
    text = record("x", "Étude über Prüning — ça", "https://arxiv.org/abs/2306.11695")  # positions in characters
    names = ["O'Brien, Jr.", "Name: With Colon", "- Dash", "[Bracketed]", "#Hash", "Renée Ünal"] + \
            [f"Author Number {n}" for n in range(10)]
    edited = stage.edit(text, ("authors",), names)
    assert yaml.safe_load(edited)["authors"] == names
    assert "authors:\n  - " in edited
    at = text.index("paper:")
    assert edited.startswith(text[:at]) and edited.endswith(text[at:])
    short = stage.edit(text, ("authors",), ["Ada: Example", "B"])
    assert yaml.safe_load(short)["authors"] == ["Ada: Example", "B"] and "authors: [" in short


def test_a_record_that_does_not_validate_is_not_written(root, stub):
    text = record("wanda", WANDA, "https://arxiv.org/abs/2306.11695").replace("  type: [Unstructured]\n",
                                                                               "  type: [NoSuchTag]\n")
    text = text.replace("added: 2024-01-10", "added: not a date")
    file = put(root, "wanda", text)
    report = run(root, stub, write=True)
    assert file.read_text(encoding="utf-8") == text and report.written == []
    assert any(f.kind == "record" and "does not validate" in f.problem.message for f in report.findings)


def test_an_edit_that_does_not_read_back_is_not_written(root, stub, monkeypatch):
    """The check after editing can fail: a broken edit is refused, the file left alone."""
    text = record("wanda", WANDA, "https://arxiv.org/abs/2306.11695")
    file = put(root, "wanda", text)
    monkeypatch.setattr(stage, "edit", lambda text, loc, value: text.replace("title:", "titel:"))
    report = run(root, stub, write=True)
    assert file.read_text(encoding="utf-8") == text and report.written == []
    assert any("does not read back" in f.problem.message for f in report.findings)


# -- the command ------------------------------------------------------------------------------------

@pytest.fixture
def cli(root, stub, monkeypatch, capsys):
    monkeypatch.setenv(arxiv.API_ENV, stub.url)

    def call(*argv: str) -> tuple[int, str, str]:
        code = main(["--root", str(root), "refresh", "--interval", "0", *argv])
        out, err = capsys.readouterr()
        return code, out, err
    return call


def test_command_exit_codes_and_text(root, cli):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    code, out, err = cli()
    assert code == 1 and err == ""
    assert out.splitlines()[0].startswith("papers/wanda.yaml:3:8: authors: none listed; arXiv 2306.11695 lists 4")
    assert out.splitlines()[-1] == "1 finding; 1 record checked on arXiv"
    code, out, _ = cli("--write")
    assert code == 0 and out.splitlines()[0].endswith("[written]") and "wrote papers/wanda.yaml" in out
    assert cli() == (0, "0 findings; 1 record checked on arXiv\n", "")


def test_command_json_and_github(root, cli):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))
    code, out, _ = cli("--format", "json")
    data = json.loads(out)
    assert code == 1 and data["checked"] == 1 and data["error"] is None
    assert data["findings"] == [{"file": "papers/wanda.yaml", "line": 3, "column": 8, "field": "authors",
                                 "kind": "authors", "severity": "warning", "message": data["findings"][0]["message"],
                                 "arxiv_id": "2306.11695", "arxiv": WANDA_AUTHORS, "written": False}]
    code, out, _ = cli("--format", "github")
    assert code == 1
    assert out.startswith("::warning file=papers/wanda.yaml,line=3,title=refresh%3A authors::papers/wanda.yaml:3:8: "
                          "authors: none listed")


def test_command_unreachable_arxiv_exits_2(root, cli):
    put(root, "failing", record("failing", "Some Title", f"https://arxiv.org/abs/{BROKEN}"))
    code, out, err = cli()
    assert code == 2 and "HTTP 500" in err and "nothing was written" in err


@pytest.mark.parametrize("argv, says", [
    (["--force"], "--force only goes with --write"),
    (["no-such-paper"], "no record 'no-such-paper'"),
    (["--timeout", "0"], "--timeout must be more than 0"),
])
def test_command_usage_errors_exit_2(root, cli, argv, says):
    code, _, err = cli(*argv)
    assert code == 2 and says in err


def test_command_keeps_arxivs_interval_for_arxiv_itself(root, monkeypatch, capsys):
    monkeypatch.delenv(arxiv.API_ENV, raising=False)
    assert main(["--root", str(root), "refresh", "--interval", "1"]) == 2  # refused before any request
    assert "arXiv asks for 3 s between requests" in capsys.readouterr().err


def test_progress_only_on_a_terminal(root, cli, monkeypatch):
    put(root, "wanda", record("wanda", WANDA, "https://arxiv.org/abs/2306.11695"))

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    cli()
    assert "\rrefresh 1 of 1, 2306.11695" in terminal.getvalue() and terminal.getvalue().endswith("\r")


# -- the weekly workflow ------------------------------------------------------------------------------

def workflow() -> dict:
    return yaml.safe_load((REPO / ".github/workflows/refresh.yml").read_text(encoding="utf-8"))


def test_the_weekly_workflow_runs_refresh_and_keeps_one_labelled_issue():
    data = workflow()
    assert data["permissions"]["issues"] == "write"
    assert "schedule" in data[True] and "workflow_dispatch" in data[True]  # YAML 1.1 reads `on` as true
    job = data["jobs"]["refresh"]
    assert job["env"]["LABEL"] == "refresh"
    runs = "\n".join(str(step.get("run", "")) for step in job["steps"])
    assert "awesome-prune refresh --format json > refresh-report.json" in runs
    assert 'gh issue list --state open --label "$LABEL"' in runs  # the one open issue with that label
    assert 'gh issue create --title "$ISSUE_TITLE" --label "$LABEL"' in runs


@pytest.mark.skipif(not shutil.which("jq") or not shutil.which("awk"), reason="needs jq and awk, as on GitHub's runners")
def test_the_workflows_issue_body_is_a_markdown_list_under_githubs_limit(tmp_path):
    """The step that writes the issue, run here with a `gh` that only notes its arguments."""
    step = next(s for s in workflow()["jobs"]["refresh"]["steps"] if s.get("name") == "Open or update the issue")
    finding = {"file": "papers/wanda.yaml", "line": 3, "column": 8, "field": "authors", "kind": "authors",
               "severity": "warning", "message": "none listed; arXiv lists [x](https://evil.example) <b>*y*</b>",
               "arxiv_id": "2306.11695", "arxiv": ["x"], "written": False}
    (tmp_path / "gh").write_text('#!/bin/sh\necho "$*" >> gh.log\n', encoding="utf-8")
    (tmp_path / "gh").chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}", "NUMBER": "", "LABEL": "refresh",
           "ISSUE_TITLE": "Records that disagree with arXiv", "RUN_URL": "https://github.com/o/r/actions/runs/1",
           "BLOB_URL": "https://github.com/o/r/blob/abc", "LC_ALL": "C.UTF-8"}
    for count in (1, 3000):
        report = {"findings": [finding] * count, "written": [], "checked": count, "other": 0, "error": None}
        (tmp_path / "refresh-report.json").write_text(json.dumps(report), encoding="utf-8")
        subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, check=True, timeout=60)
        body = (tmp_path / "issue-body.md").read_text(encoding="utf-8")
        items = [line for line in body.splitlines() if line.startswith("- ")]
        assert items[0] == ("- [`papers/wanda.yaml:3`](https://github.com/o/r/blob/abc/papers/wanda.yaml#L3) "
                            "**authors**: none listed; arXiv lists \\[x\\]\\(https://evil.example\\) "
                            "\\<b\\>\\*y\\*\\</b\\>")
        assert len(body) < 65536
        if count > 1:
            assert len(items) < count and f"and {count - len(items)} more" in body
    assert (tmp_path / "gh.log").read_text().splitlines()[-1] == \
        "issue create --title Records that disagree with arXiv --label refresh --body-file issue-body.md"
