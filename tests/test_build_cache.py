"""No-op rebuilds: `build` skips the work when no input or output changed since the last build
(.cache/build-stamp.json), and does a full build whenever anything did."""

from __future__ import annotations

import json
import os

import pytest

from awesome_prune import buildstamp
from awesome_prune.cli import main
from awesome_prune.sitewrite import SITE_DIR

from .conftest import own_templates, snapshot

UP_TO_DATE = "0 changed (no input or output changed since the last build)"


@pytest.fixture
def lst(lst):
    """The fixture list with its own copy of the templates (some tests edit them)."""
    own_templates(lst)
    return lst


def build(root, capsys, *options: str) -> str:
    assert main(["--root", str(root), "build", *options]) == 0
    return capsys.readouterr().out


def later(path, seconds: int = 5) -> None:
    """Move the file's modification time (a `touch` that never falls in the same clock tick)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def test_unchanged_list_is_not_rebuilt(lst, capsys):
    first = build(lst, capsys, "--no-site")
    assert "files generated" in first
    before = snapshot(lst, cache=False)
    second = build(lst, capsys, "--no-site")
    assert UP_TO_DATE in second and ", 0 changed" in second
    assert snapshot(lst, cache=False) == before
    assert UP_TO_DATE in build(lst, capsys, "--no-site")


@pytest.mark.parametrize("change", ["touch a record", "edit a record", "add a record", "remove a record",
                                    "edit the taxonomy", "edit the settings", "edit the challenge intro",
                                    "edit a template", "add a template file"])
def test_any_changed_input_means_a_full_build(lst, capsys, change):
    build(lst, capsys, "--no-site")
    alpha = lst / "papers" / "alpha.yaml"
    if change == "touch a record":
        later(alpha)
    elif change == "edit a record":
        alpha.write_text(alpha.read_text().replace("Alpha: Pruning", "Alpha: Trimming"))
    elif change == "add a record":
        (lst / "papers" / "omega.yaml").write_text(
            alpha.read_text().replace("id: alpha", "id: omega").replace("2401.00001", "2409.99999")
            .replace("Alpha: Pruning", "Omega: Pruning"))
    elif change == "remove a record":
        (lst / "papers" / "delta.yaml").unlink()
    elif change == "edit the taxonomy":
        later(lst / "concepts" / "taxonomy.yaml")
    elif change == "edit the settings":
        project = lst / "pyproject.toml"
        project.write_text(project.read_text().replace('title = "Fixture List"', 'title = "Fixture List 2"'))
    elif change == "edit the challenge intro":
        intro = lst / "challenge" / "general.md"
        intro.write_text(intro.read_text() + "\nOne more line.\n")
    elif change == "edit a template":
        template = lst / "templates" / "README.md.j2"
        template.write_text(template.read_text().replace("## Related lists", "## Related lists and more"))
    else:
        (lst / "templates" / "site" / "extra.txt").write_text("x\n")
    out = build(lst, capsys, "--no-site")
    assert "files generated" in out and UP_TO_DATE not in out
    if change == "edit a record":
        assert "Alpha: Trimming" in (lst / "README.md").read_text()
    if change == "edit a template":
        assert "## Related lists and more" in (lst / "README.md").read_text()
    assert UP_TO_DATE in build(lst, capsys, "--no-site")


@pytest.mark.parametrize("change", ["edit", "delete"])
def test_an_edited_or_deleted_output_is_regenerated(lst, capsys, change):
    build(lst, capsys, "--no-site")
    readme = lst / "README.md"
    good = readme.read_bytes()
    if change == "edit":
        readme.write_text(readme.read_text().replace("Fixture List", "Hand-edited"))
    else:
        readme.unlink()
    out = build(lst, capsys, "--no-site")
    assert "1 changed: README.md" in out
    assert readme.read_bytes() == good


def test_an_output_edited_within_the_same_clock_tick_is_seen(lst, capsys):
    """A change that keeps the file's recorded identity is caught by the content digest kept for
    files written moments before the stamp."""
    build(lst, capsys, "--no-site")
    stamp = buildstamp.stamp_path(lst)
    data = json.loads(stamp.read_text())
    entry = data["files"][str((lst / "README.md").resolve())]
    assert entry[4] is not None, "a file written just now keeps a digest"
    entry[4] = "0" * 40  # as if the content had changed but not its size or times
    stamp.write_text(json.dumps(data))
    assert "files generated" in build(lst, capsys, "--no-site")


def test_a_no_op_build_writes_nothing(lst, capsys):
    build(lst, capsys, "--no-site")
    stamp = buildstamp.stamp_path(lst)
    before = stamp.read_bytes(), stamp.stat().st_mtime_ns
    assert UP_TO_DATE in build(lst, capsys, "--no-site")
    assert (stamp.read_bytes(), stamp.stat().st_mtime_ns) == before


def test_site_changes_are_seen(lst, capsys):
    build(lst, capsys)
    assert UP_TO_DATE in build(lst, capsys)
    index = lst / SITE_DIR / "index.html"
    index.unlink()
    out = build(lst, capsys)
    assert "files generated" in out and index.is_file()
    stray = lst / SITE_DIR / "stray.html"
    stray.write_text("x")
    out = build(lst, capsys)
    assert "1 stale file(s) removed" in out and not stray.exists()
    assert UP_TO_DATE in build(lst, capsys)


def test_other_options_mean_a_full_build(lst, capsys, tmp_path):
    build(lst, capsys)
    assert "files generated" in build(lst, capsys, "--no-site")
    assert UP_TO_DATE in build(lst, capsys, "--no-site")
    assert "files generated" in build(lst, capsys, "--site", str(tmp_path / "elsewhere"))
    assert "files generated" in build(lst, capsys)


def test_check_neither_reads_nor_writes_the_stamp(lst, capsys):
    assert main(["--root", str(lst), "build", "--check"]) == 1
    capsys.readouterr()
    assert not buildstamp.stamp_path(lst).exists()
    build(lst, capsys, "--no-site")
    (lst / "README.md").write_text("stale\n")
    assert main(["--root", str(lst), "build", "--check"]) == 1
    assert "README.md: differs" in capsys.readouterr().err


def test_a_failed_build_changes_nothing_and_is_not_taken_for_a_success(lst, capsys):
    build(lst, capsys, "--no-site")
    before = {**snapshot(lst, cache=False), "stamp": buildstamp.stamp_path(lst).read_bytes()}
    bad = lst / "papers" / "bad.yaml"
    bad.write_text("id: [\n")
    assert main(["--root", str(lst), "build", "--no-site"]) == 1
    capsys.readouterr()
    assert main(["--root", str(lst), "build", "--no-site"]) == 1  # not "up to date"
    capsys.readouterr()
    bad.unlink()
    assert {**snapshot(lst, cache=False), "stamp": buildstamp.stamp_path(lst).read_bytes()} == before
    assert UP_TO_DATE in build(lst, capsys, "--no-site")  # back to what was built


def test_a_broken_stamp_means_a_full_build(lst, capsys):
    build(lst, capsys, "--no-site")
    buildstamp.stamp_path(lst).write_text("{not json")
    assert "files generated" in build(lst, capsys, "--no-site")
