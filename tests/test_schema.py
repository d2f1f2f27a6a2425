"""JSON Schema of records and taxonomy: committed files current, and in agreement with the models."""

from __future__ import annotations

import copy
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st
from jsonschema import Draft7Validator

from awesome_prune.records.catalog import load_taxonomy
from awesome_prune.records.catalog import record_files
from awesome_prune.errors import ProblemsError
from awesome_prune.records.load import load_mapping
from awesome_prune.records.models import Paper, Taxonomy
from awesome_prune.render.schema import (DIALECT, FOLDER, PAPER, TAXONOMY, paper_schema, schema_files,
                                  schema_outputs, taxonomy_schema)
from awesome_prune.records.validate import TagIndex, check_model

REPO = Path(__file__).resolve().parents[1]
SETTINGS, TAXONOMY_MODEL = load_taxonomy(REPO)
TAGS = TagIndex(TAXONOMY_MODEL)


def validator(schema: dict) -> Draft7Validator:
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


PAPER_VALIDATOR = validator(paper_schema(SETTINGS, TAXONOMY_MODEL))


def as_json(data):
    """What an editor sees: YAML dates are strings in the YAML 1.2 core schema."""
    return json.loads(json.dumps(data, default=lambda o: o.isoformat()))


def schema_errors(data) -> list[str]:
    return [e.message for e in PAPER_VALIDATOR.iter_errors(as_json(data))]


def model_problems(tmp_path: Path, data) -> list[str]:
    """Everything `validate` says about one record on its own: the model, then its tags."""
    file = tmp_path / "record.yaml"
    file.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    try:
        source = load_mapping(file, "record.yaml")
    except ProblemsError as exc:
        return [str(p) for p in exc.problems]
    paper, problems = check_model(source, Paper)
    if paper is not None:
        problems += TAGS.check(paper, source)
    return [str(p) for p in problems]


VALID = {
    "id": "alpha-2",
    "title": "Alpha: Pruning & Friends",
    "paper": "https://arxiv.org/abs/2306.11695",
    "venue": {"status": "conference", "name": "ICLR", "year": 2024},
    "code": {"url": "https://github.com/x/y", "framework": "PyTorch"},
    "takeaway": "Two lines\nof take-away.",
    "tags": {"type": ["Unstructured", {"value": "N:M", "detail": "2:4"}], "criteria": [{"value": "Wanda"}],
             "budget": ["Sparsity"], "data": ["Calibration"], "retrain": ["Without"], "weight": ["Frozen"]},
    "notes": {"challenges": ["One.", "Two."], "blog": "http://blog.example.org:8080/a?b=c#d"},
    "added": dt.date(2024, 1, 15),
}


# -- committed files ----------------------------------------------------------------------------

def test_committed_schemas_are_current():
    for path, text in schema_outputs(SETTINGS, TAXONOMY_MODEL).items():
        committed = (REPO / path).read_text(encoding="utf-8")
        assert committed == text, f"{path} is stale: run `make build` (or `awesome-prune schema`) and commit it"


def test_schemas_are_valid_draft_07_with_id_and_title():
    for name in (PAPER, TAXONOMY):
        schema = json.loads((REPO / FOLDER / name).read_text(encoding="utf-8"))
        Draft7Validator.check_schema(schema)
        assert schema["$schema"] == DIALECT
        assert schema["$id"].endswith(f"/{FOLDER}/{name}") and schema["title"]


def test_schema_text_is_sorted_indented_and_ends_with_newline():
    text = (REPO / FOLDER / PAPER).read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "$id": ')
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_every_data_file_points_editors_at_its_schema():
    for file in [file for file, _ in record_files(REPO, SETTINGS.papers)]:
        first = file.read_text(encoding="utf-8").split("\n", 1)[0]
        assert first == f"# yaml-language-server: $schema=../{FOLDER}/{PAPER}", file.name
    first = (REPO / SETTINGS.taxonomy).read_text(encoding="utf-8").split("\n", 1)[0]
    assert first == f"# yaml-language-server: $schema=../{FOLDER}/{TAXONOMY}"
    assert (REPO / "papers" / ".." / FOLDER / PAPER).is_file()


# -- schema and models agree --------------------------------------------------------------------

@pytest.mark.parametrize("file", [file for file, _ in record_files(REPO, SETTINGS.papers)], ids=lambda f: f.name)
def test_every_committed_record_is_valid_for_the_schema(file):
    data = load_mapping(file, file.name).data
    assert schema_errors(data) == []


def test_the_taxonomy_is_valid_for_its_schema():
    data = load_mapping(REPO / SETTINGS.taxonomy, SETTINGS.taxonomy).data
    errors = [e.message for e in validator(taxonomy_schema(SETTINGS)).iter_errors(as_json(data))]
    assert errors == []


VALID_VARIANTS = {
    "as written": lambda d: d,
    "no code, notes or draft": lambda d: {k: v for k, v in d.items() if k not in ("code", "notes")},
    "code null": lambda d: {**d, "code": None},
    "draft": lambda d: {**d, "draft": True},
    "alias, any listed spelling": lambda d: {**d, "tags": {**d["tags"], "type": ["fine-grained"], "data": ["data free"]}},
    "preprint without a name": lambda d: {**d, "venue": {"status": "preprint", "year": 2023}},
    "upper-case scheme, IPv6 host": lambda d: {**d, "paper": "HTTPS://[2001:db8::1]:8443/p"},
    "unicode title": lambda d: {**d, "title": "Über – sparsity ≥ 50 % for $10^{31}$ FLOPs"},
}


@pytest.mark.parametrize("name", VALID_VARIANTS)
def test_records_valid_for_the_models_are_valid_for_the_schema(tmp_path, name):
    data = VALID_VARIANTS[name](copy.deepcopy(VALID))
    assert model_problems(tmp_path, data) == []
    assert schema_errors(data) == []


INVALID_VARIANTS = {
    "no tags at all (every category is required)": lambda d: {**d, "tags": {}},
    "a required category missing": lambda d: {**d, "tags": {k: v for k, v in d["tags"].items() if k != "weight"}},
    "unknown field": lambda d: {**d, "autors": "x"},
    "misspelt venue status": lambda d: {**d, "venue": {**d["venue"], "status": "conferense"}},
    "year out of range": lambda d: {**d, "venue": {**d["venue"], "year": 1900}},
    "year as text": lambda d: {**d, "venue": {**d["venue"], "year": "2024"}},
    "missing take-away": lambda d: {k: v for k, v in d.items() if k != "takeaway"},
    "blank take-away": lambda d: {**d, "takeaway": "   "},
    "two-line title": lambda d: {**d, "title": "Alpha\nBeta"},
    "control character in title": lambda d: {**d, "title": "Alpha\x07Beta"},
    "id not kebab-case": lambda d: {**d, "id": "Alpha_2"},
    "ftp URL": lambda d: {**d, "paper": "ftp://example.org/p.pdf"},
    "URL without scheme": lambda d: {**d, "paper": "arxiv.org/abs/2306.11695"},
    "URL with a password": lambda d: {**d, "paper": "https://me:pw@example.org/p"},
    "unknown tag category": lambda d: {**d, "tags": {"sparsity": ["Unstructured"]}},
    "unknown tag value": lambda d: {**d, "tags": {"type": ["Unstructurd"]}},
    "value of another category": lambda d: {**d, "tags": {"type": ["Wanda"]}},
    "tag value in the wrong case": lambda d: {**d, "tags": {"type": ["unstructured"]}},
    "empty tag list": lambda d: {**d, "tags": {"type": []}},
    "unknown key in a tag": lambda d: {**d, "tags": {"type": [{"value": "Structured", "detial": "heads"}]}},
    "draft as text": lambda d: {**d, "draft": "yes"},
    "date and time": lambda d: {**d, "added": "2024-01-15T10:00:00"},
    "impossible date": lambda d: {**d, "added": "2024-02-30"},
}


@pytest.mark.parametrize("name", INVALID_VARIANTS)
def test_invalid_records_are_invalid_for_both(tmp_path, name):
    data = INVALID_VARIANTS[name](copy.deepcopy(VALID))
    assert model_problems(tmp_path, data), "the models accept it"
    assert schema_errors(data), "the schema accepts it"


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.text(max_size=12), url_tail=st.text(max_size=8), detail=st.text(max_size=6))
def test_whatever_the_models_accept_the_schema_accepts(tmp_path, title, url_tail, detail):
    data = {**copy.deepcopy(VALID), "title": title, "paper": f"https://example.org/{url_tail}",
            "tags": {**VALID["tags"], "budget": [{"value": "Sparsity", "detail": detail}]}}
    try:
        Paper.model_validate(data)
    except ValueError:
        return
    assert schema_errors(data) == []


# -- the schema follows the taxonomy ------------------------------------------------------------

def test_a_new_taxonomy_value_changes_the_schema():
    data = TAXONOMY_MODEL.model_dump()
    data["categories"][0]["values"].append({"name": "Blocky", "explanation": "Blocks.", "aliases": ["block"]})
    bigger = Taxonomy.model_validate(data)
    old, new = schema_files(SETTINGS, TAXONOMY_MODEL)[PAPER], schema_files(SETTINGS, bigger)[PAPER]
    assert old != new
    key = TAXONOMY_MODEL.categories[0].key
    record = {**VALID, "tags": {**VALID["tags"], key: ["Blocky", {"value": "block"}]}}
    assert schema_errors(record) != []
    assert [e.message for e in validator(paper_schema(SETTINGS, bigger)).iter_errors(as_json(record))] == []


def test_without_a_taxonomy_any_category_and_value_is_allowed():
    schema = paper_schema(SETTINGS, None)
    record = {**VALID, "tags": {"anything": ["Whatever", {"value": "x", "detail": "y"}]}}
    assert [e.message for e in validator(schema).iter_errors(as_json(record))] == []


def test_taxonomy_loading_reports_problems_of_the_taxonomy(tmp_path):
    (tmp_path / "pyproject.toml").write_bytes((REPO / "pyproject.toml").read_bytes())
    (tmp_path / "concepts").mkdir()
    (tmp_path / "concepts" / "taxonomy.yaml").write_text("categories: []\n", encoding="utf-8")
    with pytest.raises(ProblemsError) as caught:
        load_taxonomy(tmp_path)
    assert any(p.path == "concepts/taxonomy.yaml" for p in caught.value.problems)


# -- the command --------------------------------------------------------------------------------

def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "awesome_prune", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_schema_command_writes_the_committed_files(tmp_path):
    result = run("schema", "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    for name in (PAPER, TAXONOMY):
        assert (tmp_path / "out" / name).read_bytes() == (REPO / FOLDER / name).read_bytes()
    again = run("schema", "--out", str(tmp_path / "out"))
    assert "0 changed" in again.stdout


def test_schema_command_works_while_a_record_is_broken(tmp_path):
    root = tmp_path / "list"
    root.mkdir()
    (root / "pyproject.toml").write_bytes((REPO / "pyproject.toml").read_bytes())
    (root / "concepts").mkdir()
    (root / "concepts" / "taxonomy.yaml").write_bytes((REPO / SETTINGS.taxonomy).read_bytes())
    (root / "papers").mkdir()
    (root / "papers" / "broken.yaml").write_text("id: broken\ntitle: [\n", encoding="utf-8")
    assert run("validate", cwd=root).returncode == 1
    result = run("schema", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / FOLDER / PAPER).read_bytes() == (REPO / FOLDER / PAPER).read_bytes()


def test_what_an_editor_completes_is_in_the_paper_schema():
    """The YAML language server completes keys from `properties` (with their descriptions) and
    values from `enum`s, following `$ref`s into `definitions` (draft-07, which it supports in full)."""
    schema = json.loads((REPO / FOLDER / PAPER).read_text(encoding="utf-8"))
    assert "$defs" not in json.dumps(schema) and "definitions" in schema
    assert {"id", "title", "authors", "paper", "venue", "takeaway", "tags", "added"} <= set(schema["properties"])
    tags = schema["properties"]["tags"]
    assert set(tags["required"]) == {c.key for c in TAXONOMY_MODEL.categories if c.required}
    for category in TAXONOMY_MODEL.categories:
        ref = tags["properties"][category.key]["items"]["$ref"]
        assert ref == f"#/definitions/Tag_{category.key}"
        values = schema["definitions"][f"TagValue_{category.key}"]["enum"]
        assert {v.name for v in category.values} <= set(values)
    venue = schema["definitions"]["Venue"]["properties"]["status"]
    assert set(venue.get("enum", [])) == {"conference", "journal", "workshop", "submission", "preprint"}
