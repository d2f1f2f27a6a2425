"""`awesome-prune import`: the reference's hand-written list → records → a list that builds the same."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import shutil
import tomllib
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from awesome_prune.build import build
from awesome_prune.records.catalog import load_catalog
from awesome_prune.cli import main
from awesome_prune.errors import ProblemsError
from awesome_prune.contrib.importer import import_list
from awesome_prune.contrib.importer.markdown import shields_parts
from awesome_prune.records.load import load_mapping

REPO = Path(__file__).resolve().parents[1]
SEED = Path(__file__).parent / "data" / "seed-README.md"
DAY = dt.date(2024, 2, 1)
OWL = "Outlier Weighed Layerwise Sparsity (OWL): A Missing Secret Sauce for Pruning LLMs to High Sparsity"
PLUG = "Plug-and-Play: An Efficient Post-training Pruning Method for Large Language Models"

# A challenge page in the reference's hand-written format: headings whose GitHub anchors are the
# ones the seed's Challenge links point to (`challenge.md/#wanda-simple-effective-pruning-approach-2024`).
CHALLENGES = """\
# Challenges

## Background

Some words that belong to no paper.

### Wanda: Simple Effective Pruning Approach (2024)

- Magnitude alone misjudges weights that read outlier features.
- Reconstruction needs second-order statistics, costly at scale.

### BESA: Blockwise Parameter-Efficient Sparsity Allocation (2024)

Uniform layer ratios ignore how differently layers tolerate pruning.

### SparseGPT (ICML 2023)

* Retraining a 175B model after pruning is out of reach,
  so pruning must happen in one shot.

### Deja Vu (2023)

- A section no row links to.
"""


def cells(line: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def links(cell: str) -> dict[str, str]:
    """Plain links (not badges) of a cell: text → URL."""
    return {re.sub(r"\\(.)", r"\1", text): url for text, url in re.findall(r"(?<![!\]])\[([^\[\]]+)\]\(([^()]*)\)", cell)}


def badges(cell: str) -> set[tuple[str, str]]:
    """(label, message) of every shields.io badge, with `~` read as the detail dash it stands for."""
    found = set()
    for path in re.findall(r"https://img\.shields\.io/badge/([^)\s?]+)", cell):
        label, message, _color = [p.replace("--", "-") for p in re.split(r"(?<!-)-(?!-)", unquote(path))]
        found.add((label, message.replace("~", "-")))
    return found


def paper_rows(markdown: str) -> dict[str, dict]:
    """Every visible paper row of a README: title → paper, code, notes links and tags (independent parser)."""
    rows = {}
    for line in markdown.splitlines():
        if not line.startswith("| ") or "img.shields.io/badge/" not in line:
            continue
        parts = cells(line)
        if len(parts) < 4 or not links(parts[0]):
            continue  # the legend
        title, paper = next(iter(links(parts[0]).items()))
        code = next((c for c in reversed(parts[3:]) if c and c != "-"), "")
        notes = {k: v for k, v in links(parts[2]).items() if k != "Challenge"}
        rows[title] = {"paper": paper, "code": dict(links(code)), "notes": notes, "tags": badges(parts[1])}
    return rows


SHARED_SEED = REPO.parent / "shared" / "reference" / "seed-README.md"


@pytest.mark.skipif(not SHARED_SEED.is_file(), reason="../shared/reference not available")
def test_seed_copy_matches_the_shared_reference():
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


@pytest.fixture
def imported(tmp_path):
    out = tmp_path / "list"
    result = import_list(SEED, out=out, root=REPO, date=DAY)
    return out, result


def test_the_reference_list_imports_and_rebuilds_with_the_same_papers_links_and_tags(imported):
    out, result = imported
    build(out)

    original = paper_rows(SEED.read_text("utf-8"))
    regenerated = paper_rows((out / "README.md").read_text("utf-8"))
    assert len(original) == 8
    # Plug-and-Play shares OWL's paper link in the original: it is kept, but as a draft (not shown).
    assert set(regenerated) == set(original) - {PLUG}
    for title, row in regenerated.items():
        assert row == original[title], title
    assert regenerated["The Emergence of Essential Sparsity in Large Pre-trained Models: The Weights that Matter"][
        "code"] == {"PyTorch": "https://github.com/VITA-Group/essential_sparsity"}  # the five-cell row's code
    assert original[PLUG]["paper"] == original[OWL]["paper"]


def test_the_duplicate_link_is_reported_naming_both_lines_and_written_as_a_draft(imported):
    out, result = imported
    errors = [p for p in result.problems if p.severity == "error"]
    assert len(errors) == 1
    (duplicate,) = errors
    assert (duplicate.line, duplicate.field) == (43, "paper")
    assert "https://arxiv.org/abs/2310.05175 is also the paper link of line 42" in duplicate.message
    text = (out / "papers" / "plug-and-play.yaml").read_text("utf-8")
    assert "# Draft: https://arxiv.org/abs/2310.05175 was also the paper link of" in text
    data = yaml.safe_load(text)
    assert data["draft"] is True
    assert data["paper"] == "https://openreview.net/forum?id=Tr0lPx9woF"  # its Reviews link stands in


def repository_taxonomy_as_imported() -> str:
    """The project's taxonomy as import writes it for another list: no category required (a
    hand-written list never promised a value in every category)."""
    text = (REPO / "concepts" / "taxonomy.yaml").read_text("utf-8")
    assert "    required: true\n" in text
    return text.replace("    required: true\n", "")


def test_records_hold_what_the_rows_say(imported):
    out, result = imported
    read = {p.stem: yaml.safe_load(p.read_text("utf-8")) for p in (out / "papers").glob("*.yaml")}
    assert set(read) == {"simple-effective-pruning", "besa", "sheared-llama", "owl", "plug-and-play",
                         "accurate-retraining-free-pruning", "sparsegpt", "llm-pruner", "emergence-essential-sparsity"}
    wanda = read["simple-effective-pruning"]
    assert wanda["venue"] == {"status": "submission", "name": "ICLR", "year": 2024}
    assert wanda["code"] == {"url": "https://github.com/locuslab/wanda", "framework": "PyTorch"}
    assert wanda["tags"] == {"type": ["Unstructured", "Semi-structured"], "criteria": ["Wanda"],
                             "budget": [{"value": "Sparsity", "detail": "layer"}], "data": ["Calibration"],
                             "retrain": ["Without"], "weight": ["Frozen"]}
    assert wanda["notes"] == {"blog": "https://www.linkedin.com/pulse/efficient-model-pruning-large-language-models-"
                                      "wandas-ayoub-kirouane/", "reviews": "https://openreview.net/forum?id=PxoFut3dWW"}
    assert wanda["added"] == DAY
    assert wanda["takeaway"].startswith("A pruning metric termed Wanda that considers both weight magnitudes and "
                                        "input activation norms")
    assert "  " not in wanda["takeaway"]
    assert read["sheared-llama"]["tags"]["data"] == [{"value": "Medium", "detail": "50B"}]
    assert read["llm-pruner"]["tags"]["retrain"] == [{"value": "Efficient", "detail": "LoRA"}]
    assert read["sparsegpt"]["venue"] == {"status": "conference", "name": "ICML", "year": 2023}
    assert "code" not in read["plug-and-play"]
    # The commented-out row is a draft, with a placeholder take-away it did not have.
    draft = read["accurate-retraining-free-pruning"]
    assert draft["draft"] is True and draft["paper"] == "https://openreview.net/forum?id=s2NjWfaYdZ"
    assert draft["takeaway"].startswith("To be written")
    assert (out / "concepts" / "taxonomy.yaml").read_text("utf-8") == repository_taxonomy_as_imported()
    # A take-away link to a relative path the new list does not have is written as its text.
    assert "finetune with efficient *LoRA* on [Alpaca](https://github.com/" in read["llm-pruner"]["takeaway"]
    for file in (out / "papers").glob("*.yaml"):
        assert file.read_text("utf-8").startswith("# yaml-language-server: $schema=../schema/paper.schema.json\n")
        load_mapping(file, file.name)  # the project's loader accepts every file


def test_every_mistake_of_the_reference_is_reported(imported):
    _, result = imported
    said = [(p.line, p.severity, p.message) for p in result.problems]
    assert any(line == 58 and "row has 5 cells" in m for line, _, m in said)
    assert sum("venue badge links to nothing `()`" in m for _, _, m in said) == 9
    assert any(line == 47 and "commented-out line not imported: 'Dynamic Sparse No Training" in m for line, _, m in said)
    assert any("Weight badges are coloured orange, the taxonomy says yellow" in m for _, _, m in said)
    assert any(line == 57 and "relative path 'concepts/details/LoRA.md'" in m for line, _, m in said)
    notes = [m for _, _, m in said if "no challenge page given" in m]
    assert len(notes) == 1 and "8 rows" in notes[0]


def test_challenge_notes_come_from_the_sections_the_rows_link_to(tmp_path):
    page = tmp_path / "challenge.md"
    page.write_text(CHALLENGES, "utf-8")
    out = tmp_path / "list"
    result = import_list(SEED, out=out, root=REPO, challenges=page, date=DAY)
    read = {p.stem: yaml.safe_load(p.read_text("utf-8")) for p in (out / "papers").glob("*.yaml")}
    assert read["simple-effective-pruning"]["notes"]["challenges"] == [
        "Magnitude alone misjudges weights that read outlier features.",
        "Reconstruction needs second-order statistics, costly at scale."]
    assert read["besa"]["notes"]["challenges"] == ["Uniform layer ratios ignore how differently layers tolerate pruning."]
    assert read["sparsegpt"]["notes"]["challenges"] == [
        "Retraining a 175B model after pruning is out of reach, so pruning must happen in one shot."]
    assert "challenges" not in read["owl"].get("notes", {})
    messages = [str(p) for p in result.problems]
    assert any("#outlier-weighed-layerwise-sparsity-owl-2024 is no heading" in m for m in messages)
    assert any(m.startswith(f"{page.as_posix()}:21:1: section #deja-vu-2023 is not linked") for m in messages)
    assert not any("no challenge page given" in m for m in messages)

    build(out)
    assert "Magnitude alone misjudges weights" in (out / "challenge" / "challenge.md").read_text("utf-8")


def test_a_missing_challenge_page_is_one_note(tmp_path):
    result = import_list(SEED, out=tmp_path, root=REPO, challenges=tmp_path / "nope.md", date=DAY)
    notes = [p for p in result.problems if "challenge page" in p.message]
    assert len(notes) == 1 and notes[0].severity == "warning" and "cannot read" in notes[0].message


HEADER = "| Title & Take-away | Tags | Note | Code |\n|:---|:---:|:---:|:---:|\n"


def row(title="Alpha: Pruning Things", paper="https://arxiv.org/abs/2401.11111", venue="Conference-ICML'24",
        tags=("Type-Structured-blue", "Retrain-Without-orange"), notes="[Reviews](https://openreview.net/forum?id=abcdef)",
        code="[PyTorch](https://github.com/owner/alpha)", takeaway="Prunes *things*.") -> str:
    badge_cell = " <br> ".join(f"[![Type](https://img.shields.io/badge/{t})](concepts/x.md)" for t in tags)
    return (f"| [![Publish](https://img.shields.io/badge/{venue}-blue)](https://example.org) <br> [{title}]({paper}) "
            f"<br> {takeaway} | {badge_cell} | {notes} | {code} |")


def write_readme(folder: Path, *rows: str, year: int = 2024) -> Path:
    file = folder / "README.md"
    file.write_text(f"# A list\nPapers on pruning.\n### {year}\n\n{HEADER}" + "\n".join(rows) + "\n\n## Related\n", "utf-8")
    return file


def test_wrong_number_of_cells(tmp_path):
    readme = write_readme(tmp_path, row(), "| [Beta: Short](https://arxiv.org/abs/2401.22222) | x | y |",
                          row(title="Gamma: Five", paper="https://arxiv.org/abs/2401.33333") + " extra |")
    result = import_list(readme, out=tmp_path / "out", root=REPO, date=DAY)
    said = {(p.line, p.severity): p.message for p in result.problems}
    assert "row has 3 cells, the table 4" in said[(8, "error")] and "row not imported" in said[(8, "error")]
    assert "row has 5 cells, the table 4 (Title & Take-away, Tags, Note, Code); row not imported" == said[(9, "error")]
    assert sorted(p.name for p in (tmp_path / "out" / "papers").iterdir()) == ["alpha.yaml"]


def test_empty_links(tmp_path):
    readme = write_readme(tmp_path, row(title="Alpha: Empty", paper=""),
                          row(title="Beta: Blog", paper="https://arxiv.org/abs/2401.22222", notes="[Blog]()"))
    result = import_list(readme, out=tmp_path / "out", root=REPO, date=DAY)
    said = [(p.line, p.severity, p.message) for p in result.problems]
    assert (7, "error", "the title links to nothing `()`; row not imported") in said
    assert (8, "warning", "Blog links to nothing `()`; not imported") in said
    beta = yaml.safe_load((tmp_path / "out" / "papers" / "beta.yaml").read_text("utf-8"))
    assert "notes" not in beta
    assert not (tmp_path / "out" / "papers" / "alpha.yaml").exists()


def test_unknown_tag_values_are_kept_verbatim_reported_and_listed(tmp_path):
    readme = write_readme(tmp_path, row(tags=("Type-Structured-blue", "Criteria-Magic~v2-C2A4A6", "Flavour-Sweet-red")))
    result = import_list(readme, out=tmp_path / "out", root=REPO, date=DAY)
    alpha = yaml.safe_load((tmp_path / "out" / "papers" / "alpha.yaml").read_text("utf-8"))
    assert alpha["tags"] == {"type": ["Structured"], "criteria": [{"value": "Magic", "detail": "v2"}],
                             "flavour": ["Sweet"]}
    errors = [p.message for p in result.problems if p.severity == "error"]
    assert any("unknown Criteria value 'Magic'" in m and "kept verbatim" in m for m in errors)
    assert any("unknown tag category 'Flavour'" in m for m in errors)
    taxonomy = (tmp_path / "out" / "concepts" / "taxonomy.yaml").read_text("utf-8")
    assert "#   criteria: Magic (" in taxonomy and "#   flavour: Sweet (" in taxonomy
    assert yaml.safe_load(taxonomy) == yaml.safe_load(repository_taxonomy_as_imported())


def test_an_existing_taxonomy_is_used_and_left_alone(tmp_path):
    out = tmp_path / "out"
    (out / "concepts").mkdir(parents=True)
    small = "categories:\n  - key: type\n    name: Type\n    color: blue\n    page: type.md\n" \
            "    explanation: What goes.\n    values:\n      - {name: Structured, explanation: Whole units.}\n"
    (out / "concepts" / "taxonomy.yaml").write_text(small, "utf-8")
    result = import_list(write_readme(tmp_path, row()), out=out, root=REPO, date=DAY)
    assert (out / "concepts" / "taxonomy.yaml").read_text("utf-8") == small
    assert any("unknown tag category 'Retrain'" in p.message for p in result.problems)
    assert (out / "papers" / "alpha.yaml").as_posix() in result.written
    assert (out / "concepts" / "taxonomy.yaml").as_posix() not in result.written


def test_commented_out_rows_become_drafts(tmp_path):
    commented = row(title="Beta: Hidden", paper="https://arxiv.org/abs/2401.22222").replace("(", "&#40;") \
        .replace(")", "&#41;")
    readme = write_readme(tmp_path, row(), f"\n[//]: # ({commented})", "[//]: # (Some paper to add later)")
    result = import_list(readme, out=tmp_path / "out", root=REPO, date=DAY)
    beta = (tmp_path / "out" / "papers" / "beta.yaml").read_text("utf-8")
    assert "# Draft: this row is commented out in the imported list." in beta
    data = yaml.safe_load(beta)
    assert data["draft"] is True and data["title"] == "Beta: Hidden" and data["takeaway"] == "Prunes *things*."
    assert data["code"] == {"url": "https://github.com/owner/alpha", "framework": "PyTorch"}
    assert any("commented-out line not imported: 'Some paper to add later'" in p.message for p in result.problems)
    assert result.drafts == 1


def test_never_overwrites_without_force(tmp_path):
    out = tmp_path / "out"
    readme = write_readme(tmp_path, row())
    first = import_list(readme, out=out, root=REPO, date=DAY)
    assert [(p.severity, p.field) for p in first.problems] == [("warning", "tool.awesome-prune.repository")]
    alpha = out / "papers" / "alpha.yaml"
    before = alpha.read_bytes()

    readme = write_readme(tmp_path, row(takeaway="Prunes *more* things."))
    again = import_list(readme, out=out, root=REPO, date=DAY)
    assert again.written == [] and alpha.read_bytes() == before
    assert [p.message for p in again.problems] == [
        "already in the list as papers/alpha.yaml; not overwritten (pass --force to replace it)"]

    forced = import_list(readme, out=out, root=REPO, date=DAY, force=True)
    assert forced.problems == [] and yaml.safe_load(alpha.read_text("utf-8"))["takeaway"] == "Prunes *more* things."


def test_an_existing_record_of_the_same_paper_keeps_its_id(tmp_path):
    out = tmp_path / "out"
    (out / "papers").mkdir(parents=True)
    mine = out / "papers" / "my-alpha.yaml"
    mine.write_text("id: my-alpha\ntitle: Alpha Under Another Name\npaper: https://arxiv.org/abs/2401.11111v2\n", "utf-8")
    readme = write_readme(tmp_path, row())
    result = import_list(readme, out=out, root=REPO, date=DAY)
    assert "already in the list as papers/my-alpha.yaml" in result.problems[0].message
    assert not (out / "papers" / "alpha.yaml").exists()
    import_list(readme, out=out, root=REPO, date=DAY, force=True)
    assert yaml.safe_load(mine.read_text("utf-8"))["id"] == "my-alpha"
    assert sorted(p.name for p in (out / "papers").iterdir()) == ["my-alpha.yaml"]


def test_a_different_paper_with_the_same_id_gets_a_new_id(tmp_path):
    out = tmp_path / "out"
    (out / "papers").mkdir(parents=True)
    (out / "papers" / "alpha.yaml").write_text("id: alpha\ntitle: Another\npaper: https://arxiv.org/abs/2301.00001\n")
    import_list(write_readme(tmp_path, row()), out=out, root=REPO, date=DAY)
    assert yaml.safe_load((out / "papers" / "alpha-2.yaml").read_text("utf-8"))["title"] == "Alpha: Pruning Things"


def test_fatal_problems_write_nothing(tmp_path):
    with pytest.raises(ProblemsError, match="cannot read"):
        import_list(tmp_path / "missing.md", out=tmp_path / "out", root=REPO, date=DAY)
    (tmp_path / "plain.md").write_text("# Nothing here\n\nJust text.\n", "utf-8")
    with pytest.raises(ProblemsError, match="no table rows found"):
        import_list(tmp_path / "plain.md", out=tmp_path / "out", root=REPO, date=DAY)
    assert not (tmp_path / "out").exists()
    broken = tmp_path / "broken"
    (broken / "concepts").mkdir(parents=True)
    (broken / "concepts" / "taxonomy.yaml").write_text("categories: []\n", "utf-8")
    with pytest.raises(ProblemsError, match="needs at least one entry"):
        import_list(write_readme(tmp_path, row()), out=broken, root=REPO, date=DAY)
    assert [p.name for p in broken.iterdir()] == ["concepts"]


def test_command_line(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["--root", str(REPO), "import", str(SEED), "--out", str(out), "--date", "2024-02-01"])
    captured = capsys.readouterr()
    assert code == 1  # the duplicate link is an error; the readable rows are written all the same
    templates = sum(f.is_file() for f in (REPO / "templates").rglob("*"))
    # 9 records, the taxonomy, the settings, the templates and the challenge page's introduction
    assert f"9 records imported (2 drafts), {9 + 3 + templates} files written" in captured.out
    assert "Traceback" not in captured.err
    *messages, summary = captured.err.splitlines()
    assert summary == "1 error, 22 warnings"
    assert all(re.match(r"^\S+(:\d+:\d+)?: (error|warning): ", m) for m in messages), messages
    assert [m for m in messages if ": error: " in m][0].startswith(f"{SEED.as_posix()}:43:3: error: paper: ")
    assert {p.id for p in load_catalog(out).records if not p.draft} == {
        "simple-effective-pruning", "besa", "sheared-llama", "owl", "sparsegpt", "llm-pruner",
        "emergence-essential-sparsity"}

    assert main(["import", str(tmp_path / "missing.md"), "--out", str(tmp_path / "none")]) == 1
    assert capsys.readouterr().err.startswith(f"{(tmp_path / 'missing.md').as_posix()}: error: cannot read: ")

    clean = write_readme(tmp_path, row())
    assert main(["--root", str(REPO), "import", str(clean), "--out", str(tmp_path / "clean")]) == 0
    assert main(["--root", str(REPO), "import", str(clean), "--out", str(tmp_path / "clean")]) == 1
    assert "pass --force" in capsys.readouterr().err


@pytest.mark.parametrize("path, parts", [
    ("Type-Un/Semi--structured-blue", ["Type", "Un/Semi-structured", "blue"]),
    ("Type-Un%2FSemi--structured-blue", ["Type", "Un/Semi-structured", "blue"]),
    ("Data-Medium~50B-green", ["Data", "Medium~50B", "green"]),
    ("snake__case-two_words-red", ["snake_case", "two words", "red"]),
])
def test_shields_escaping(path, parts):
    assert shields_parts(path) == parts


@pytest.mark.parametrize("badge_path, venue", [
    ("Conference-ICML'23-blue", {"status": "conference", "name": "ICML", "year": 2023}),
    ("Submission-ICLR'24-blue", {"status": "submission", "name": "ICLR", "year": 2024}),
    ("Arxiv'24-blue", {"status": "preprint", "year": 2024}),
    ("Journal-TMLR_2023-blue", {"status": "journal", "name": "TMLR", "year": 2023}),
])
def test_venue_badges(tmp_path, badge_path, venue):
    readme = write_readme(tmp_path, row(venue=badge_path.rsplit("-", 1)[0]), year=2022)
    result = import_list(readme, out=tmp_path / "out", root=REPO, date=DAY)
    assert yaml.safe_load((tmp_path / "out" / "papers" / "alpha.yaml").read_text("utf-8"))["venue"] == venue
    assert any(f"differs from the section 2022; the record is listed under {venue['year']}" in p.message
               for p in result.problems)


def test_a_row_whose_every_optional_field_fails_is_imported_without_them():
    """Code and the four note fields all invalid: each is reported and dropped, the row stays."""
    from awesome_prune.contrib.importer.records import Imported

    record = Imported(line=7, title="A Title", paper="https://arxiv.org/abs/2401.00001", paper_col=3,
                      venue={"status": "preprint", "year": 2024}, takeaway="Short.", tags={"type": ["Unstructured"]},
                      added=dt.date(2024, 1, 1), draft=False, code={"url": "not a url"},
                      links={"blog": "ftp://x", "reviews": "nope", "video": "also nope"},
                      challenges=["line\nbreak\x07"])
    record.id = "a-title"
    problems: list = []
    record.finish("README.md", problems)
    assert record.data is not None and "code" not in record.data and "notes" not in record.data
    assert len(problems) == 5 and all(p.message.endswith("; not imported") for p in problems)


# -- a complete list from an empty folder -------------------------------------------------------

MIGRATION = "## Migrating a hand-written list"


def migration_commands() -> list[str]:
    """The command lines of the sequence CONTRIBUTING.md gives for a migration."""
    text = (REPO / "CONTRIBUTING.md").read_text("utf-8")
    section = text[text.index(MIGRATION):]
    block = section[section.index("```sh\n") + 6:]
    return [line for line in block[:block.index("```")].splitlines() if line and not line.startswith("#")]


def test_the_documented_sequence_imports_the_reference_into_an_empty_folder_that_builds_at_once(tmp_path, capsys):
    old, new = tmp_path / "old", tmp_path / "new"
    (old / "challenge").mkdir(parents=True)
    shutil.copy(SEED, old / "README.md")
    (old / "challenge" / "challenge.md").write_text(CHALLENGES, "utf-8")
    codes = []
    for line in migration_commands():
        words = shlex.split(line.replace("OLD", str(old)).replace("NEW", str(new)))
        assert words[0] == ".venv/bin/awesome-prune"
        codes.append(main(words[1:]))
    assert [w for line in migration_commands() for w in shlex.split(line)][1:4] == ["import", "OLD/README.md", "--out"]
    # The reference repeats a paper link (an error the messages point at); the list builds all the same.
    assert codes == [1, 0], capsys.readouterr().err
    assert main(["--root", str(new), "validate"]) == 0
    readme = (new / "README.md").read_text("utf-8")
    assert readme.count("# Awesome LLMs Pruning All-In-One [![Awesome]") == 1
    assert "Recently added" not in readme
    assert "Magnitude alone misjudges weights" in (new / "challenge" / "challenge.md").read_text("utf-8")
    settings = tomllib.loads((new / "pyproject.toml").read_text("utf-8"))["tool"]["awesome-prune"]
    assert settings["title"] == "Awesome LLMs Pruning All-In-One"
    assert settings["intro"].startswith("Integrating useful resources into one repository")
    assert (settings["repository"], settings["recent"]) == ("https://github.com/OWNER/NAME", 0)
    for name in ("templates/README.md.j2", "templates/site/site.css", "challenge/general.md"):
        assert (new / name).read_bytes() == (REPO / name).read_bytes()


def test_added_keeps_the_order_of_the_rows_one_day_apart(tmp_path):
    readme = write_readme(tmp_path, row(title="Zeta: First Row", paper="https://arxiv.org/abs/2401.11111"),
                          row(title="Alpha: Second Row", paper="https://arxiv.org/abs/2401.22222"),
                          row(title="Mu: Third Row", paper="https://arxiv.org/abs/2401.33333"))
    out = tmp_path / "out"
    import_list(readme, out=out, root=REPO, today=DAY)
    added = {p.stem: yaml.safe_load(p.read_text("utf-8"))["added"] for p in (out / "papers").glob("*.yaml")}
    assert added == {"zeta": DAY - dt.timedelta(days=2), "alpha": DAY - dt.timedelta(days=1), "mu": DAY}
    build(out)
    assert re.findall(r"<br> \[(\w+): \w+ Row\]", (out / "README.md").read_text("utf-8")) == ["Zeta", "Alpha", "Mu"]


def test_without_defaults_import_says_where_it_looks(tmp_path, monkeypatch):
    import awesome_prune.contrib.importer as importer

    checkout = tmp_path / "checkout"  # all the defaults but the templates
    for name in ("concepts/taxonomy.yaml", "docs/taxonomy-mapping.md", "challenge/general.md"):
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / name, checkout / name)
    monkeypatch.setattr(importer, "PROJECT", checkout)
    with pytest.raises(ProblemsError, match=r"templates: missing: .* install it from one with `pip install -e`"):
        import_list(write_readme(tmp_path, row()), out=tmp_path / "out", root=tmp_path, date=DAY)
    assert not (tmp_path / "out").exists()


# -- tags: the documented mapping, separators, near misses, values to add ----------------------

MAPPING_DOC = REPO / "docs" / "taxonomy-mapping.md"
UPSTREAM = REPO.parent / "shared" / "reference" / "upstream-papers.json"


def documented() -> dict[tuple[str, str], list[tuple[str, str | None]]]:
    """(category, badge text) → [(value, detail)], read from the doc's table by a plain split."""
    table = {}
    for line in MAPPING_DOC.read_text("utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| ") and len(cells) == 4 and cells[0] not in ("Category", "---"):
            table.setdefault((cells[0], cells[1]), []).append((cells[2], cells[3] or None))
    return table


def resolved(category: str, text: str, mapping=None, add_values=False):
    """The importer's tag resolution of one badge `[![…](…/badge/CATEGORY-TEXT-blue)]`."""
    from awesome_prune.contrib.importer.markdown import badge
    from awesome_prune.contrib.importer.markdown import read_mapping
    from awesome_prune.contrib.importer.records import Imported, TagResolver
    from awesome_prune.records.catalog import read_taxonomy

    taxonomy, _ = read_taxonomy(REPO / "concepts" / "taxonomy.yaml", "taxonomy.yaml")
    resolver = TagResolver(taxonomy, read_mapping(MAPPING_DOC, "doc") if mapping is None else mapping, add_values)
    record = Imported(line=1, title="t", paper="https://arxiv.org/abs/2401.00001", paper_col=1, venue={}, takeaway="")
    notes = resolver.resolve([(0, *badge(f"https://img.shields.io/badge/{category}-{text}-blue"))], record)
    key = category.casefold()
    tags = [(t, None) if isinstance(t, str) else (t["value"], t["detail"]) for t in record.tags.get(key, [])]
    return tags, notes, record.unknown


def test_every_documented_badge_text_resolves_to_its_documented_value_and_detail():
    table = documented()
    assert len(table) > 70
    for (category, text), expected in table.items():
        tags, notes, unknown = resolved(category, text)
        assert (tags, unknown) == (expected, []), (category, text)
        assert not [n for n in notes if n[2] == "error"], (category, text, notes)


@pytest.mark.skipif(not UPSTREAM.is_file(), reason="../shared/reference not available")
def test_every_badge_text_of_the_larger_list_is_documented_and_resolves_so():
    table = documented()
    badges = {tuple(tag) for paper in json.loads(UPSTREAM.read_text("utf-8"))["papers"] for tag in paper["tags"]}
    assert len(badges) > 70
    for category, text in sorted(badges):
        assert (category, text) in table, f"{category} {text} is not in docs/taxonomy-mapping.md"
        assert resolved(category, text)[0] == table[category, text], (category, text)


@pytest.mark.parametrize("text, value, detail", [
    ("Medium%2045B", "Medium", "45B"),  # `Value Detail`
    ("Medium_45B", "Medium", "45B"),  # `Value_Detail`: shields' space
    ("Medium__45B", "Medium", "45B"),  # `Value_Detail` in the badge's text
    ("Medium~45B", "Medium", "45B"),
    ("Medium--45B", "Medium", "45B"),  # `Value-Detail`: shields' dash
    ("Medium----45B", "Medium", "45B"),  # `Value--Detail` in the badge's text
    ("Data_free", "Data-free", None),  # a value whose name has a dash
    ("Data_free_tiny", "Data-free", "tiny"),
    ("Medium", "Medium", None),
])
def test_a_detail_follows_its_value_after_any_separator(text, value, detail):
    assert resolved("Data", text, mapping={}) == ([(value, detail)], [], [])


def test_efficient_lora_without_the_mapping():
    assert resolved("Retrain", "Efficient_LoRA", mapping={})[0] == [("Efficient", "LoRA")]
    assert resolved("Budget", "Sparsity--KV_cache", mapping={})[0] == [("Sparsity", "KV cache")]


@pytest.mark.parametrize("text, written, detail", [("Samll", "Samll", None), ("Samll_10K", "Samll", "10K")])
def test_a_near_miss_is_suggested_not_invented_nor_added(text, written, detail):
    for add_values in (False, True):
        tags, notes, unknown = resolved("Data", text, add_values=add_values)
        assert tags == [(written, detail)] and unknown == [("data", written, False)]
        assert [(n[1].split(";")[0], n[2]) for n in notes] == [
            (f"unknown Data value {written!r} (did you mean 'Small'?)", "error")]


def test_add_values_writes_a_taxonomy_the_list_builds_with_and_validate_warns(tmp_path, capsys):
    readme = write_readme(tmp_path, row(tags=("Type-Structured-blue", "Criteria-Magic~v2-C2A4A6",
                                              "Budget-Tokens_Kept-brown", "Retrain-Without-orange")),
                          row(title="Beta: Sweet", paper="https://arxiv.org/abs/2401.22222",
                              tags=("Criteria-Magic-C2A4A6", "Flavour-Sweet-red", "Data-Samll-green")))
    out = tmp_path / "out"
    assert main(["import", str(readme), "--out", str(out), "--add-values", "--date", "2024-02-01"]) == 1
    err = capsys.readouterr().err
    assert "warning: tags: Criteria value 'Magic' is not in the taxonomy: added to it" in err
    assert "error: tags: unknown tag category 'Flavour'" in err and "unknown Data value 'Samll'" in err
    taxonomy = (out / "concepts" / "taxonomy.yaml").read_text("utf-8")
    data = yaml.safe_load(taxonomy)
    criteria = next(c for c in data["categories"] if c["key"] == "criteria")
    budget = next(c for c in data["categories"] if c["key"] == "budget")
    assert criteria["values"][-1]["name"] == "Magic" and budget["values"][-1]["name"] == "Tokens Kept"
    assert criteria["values"][-1]["explanation"].startswith("To be written:")
    assert sum(v["name"] == "Magic" for v in criteria["values"]) == 1
    assert "#   flavour: Sweet (" in taxonomy and "#   data: Samll (" in taxonomy and "criteria: Magic" not in taxonomy
    lines = taxonomy.split("\n")
    for name in ("Magic", "Tokens Kept"):  # each added as two lines; the rest is the taxonomy as it was
        del lines[lines.index(f"      - name: {name}"):lines.index(f"      - name: {name}") + 2]
    assert "\n".join(lines).startswith(repository_taxonomy_as_imported().rstrip("\n") + "\n\n#")

    (out / "papers" / "beta.yaml").unlink()  # the row with what --add-values does not add
    assert main(["--root", str(out), "build"]) == 0
    built = [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line]
    assert main(["--root", str(out), "validate"]) == 0
    warnings = capsys.readouterr().err.splitlines()
    assert len(warnings) == 2 and all(": warning: categories." in w and "is still to be written" in w for w in warnings)
    assert warnings[0].startswith("concepts/taxonomy.yaml:")
    assert built == warnings  # build says them too, though they do not stop it


def test_without_add_values_the_values_are_listed_and_reported(tmp_path):
    readme = write_readme(tmp_path, row(tags=("Type-Structured-blue", "Criteria-Magic~v2-C2A4A6")))
    result = import_list(readme, out=tmp_path / "out", root=REPO, date=DAY)
    assert [p.severity for p in result.problems if "Magic" in p.message] == ["error"]
    assert "pass --add-values" in next(p.message for p in result.problems if "Magic" in p.message)
    assert "#   criteria: Magic (" in (tmp_path / "out" / "concepts" / "taxonomy.yaml").read_text("utf-8")
