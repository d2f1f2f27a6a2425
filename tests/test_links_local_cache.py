"""The stored local results (`.cache/links-local.json`): a run whose files did not change parses
nothing, and anything a result depends on -- a checked page, a target page's anchors, a target that
appears or goes, a folder's names -- makes it run again."""

from __future__ import annotations

import json
from pathlib import Path

from awesome_prune.cli import main
from awesome_prune.links.local import Problem, check_local
from awesome_prune.links.localcache import CACHE_FILE, LocalCache

from .conftest import write


def check(root: Path, cache: Path, files: tuple[str, ...] = ("README.md",)) -> list[Problem]:
    """The problems of `files`, through a cache in `cache` (a new LocalCache: a new run)."""
    stored = LocalCache(cache)
    found = stored.problems("markdown", [root / f for f in files], root, None,
                            lambda fs, r, probe: check_local(fs, r, None, probe))
    stored.save()
    return found


README = "# Readme\n\n[setup](docs/guide.md#setup) [new](docs/new.md) [self](#readme)\n"
GUIDE = "# Guide\n\n## Setup\n"


def test_an_unchanged_run_parses_nothing_and_gives_the_same_problems(tmp_path: Path, parses: list[str]) -> None:
    write(tmp_path, {"README.md": README, "docs/guide.md": GUIDE})
    cache = tmp_path / ".cache" / "local.json"
    first = check(tmp_path, cache)
    assert [p.url for p in first] == ["docs/new.md"] and parses == ["md", "md"]  # README, guide
    parses.clear()
    assert check(tmp_path, cache) == first and parses == []
    assert check_local([tmp_path / "README.md"], tmp_path) == first  # what the cache says is right


def test_a_changed_target_page_checks_the_linking_page_again(tmp_path: Path, parses: list[str]) -> None:
    write(tmp_path, {"README.md": README, "docs/guide.md": GUIDE, "docs/new.md": "x\n"})
    cache = tmp_path / ".cache" / "local.json"
    assert check(tmp_path, cache) == []
    write(tmp_path, {"docs/guide.md": "# Guide\n\n## Set up\n"})  # the anchor README uses is gone
    parses.clear()
    assert check(tmp_path, cache) == [
        Problem("README.md", 3, "docs/guide.md#setup", "error",
                "no anchor '#setup' in 'docs/guide.md'; did you mean '#set-up'?"),
    ]
    assert parses == ["md", "md"]
    write(tmp_path, {"docs/guide.md": GUIDE})
    assert check(tmp_path, cache) == []


def test_a_changed_checked_page_is_checked_again(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": README, "docs/guide.md": GUIDE, "docs/new.md": "x\n"})
    cache = tmp_path / ".cache" / "local.json"
    assert check(tmp_path, cache) == []
    write(tmp_path, {"README.md": README + "[gone](#nowhere)\n"})
    assert [p.url for p in check(tmp_path, cache)] == ["#nowhere"]


def test_targets_that_appear_go_or_change_case_count(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": README, "docs/guide.md": GUIDE})
    cache = tmp_path / ".cache" / "local.json"
    assert [p.message for p in check(tmp_path, cache)] == ["'docs/new.md' does not exist"]
    write(tmp_path, {"docs/New.md": "x\n"})  # a sibling that differs in case: now suggested
    assert [p.message for p in check(tmp_path, cache)] == [
        "'docs/new.md' does not exist; did you mean 'docs/New.md'?"]
    (tmp_path / "docs" / "New.md").rename(tmp_path / "docs" / "new.md")
    assert check(tmp_path, cache) == []
    (tmp_path / "docs" / "new.md").unlink()
    (tmp_path / "docs" / "new.md").mkdir()  # a folder now: fine as a target
    assert check(tmp_path, cache) == []


def test_each_set_of_files_has_its_own_entry(tmp_path: Path, parses: list[str]) -> None:
    write(tmp_path, {"README.md": README, "docs/guide.md": GUIDE + "[x](missing.md)\n"})
    cache = tmp_path / ".cache" / "local.json"
    one, both = check(tmp_path, cache), check(tmp_path, cache, ("README.md", "docs/guide.md"))
    assert len(both) == len(one) + 1
    parses.clear()
    assert (check(tmp_path, cache), check(tmp_path, cache, ("README.md", "docs/guide.md"))) == (one, both)
    assert parses == []


def test_a_broken_or_foreign_cache_file_is_ignored(tmp_path: Path, parses: list[str]) -> None:
    write(tmp_path, {"README.md": "[x](#nothing)\n"})
    cache = tmp_path / ".cache" / "local.json"
    cache.parent.mkdir()
    cache.write_text("{not json", encoding="utf-8")
    expected = [Problem("README.md", 1, "#nothing", "error", "no anchor '#nothing' in 'README.md'")]
    assert check(tmp_path, cache) == expected and parses == ["md"]
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["code"] = "another checker"
    cache.write_text(json.dumps(data), encoding="utf-8")
    assert check(tmp_path, cache) == expected and parses == ["md", "md"]
    assert check(tmp_path, cache) == expected and parses == ["md", "md"]  # rewritten, trusted again


def test_an_unwritable_cache_is_no_error(tmp_path: Path) -> None:
    write(tmp_path, {"README.md": "[x](#nothing)\n", "blocker": "a file where the cache folder would be"})
    assert len(check(tmp_path, tmp_path / "blocker" / "local.json")) == 1


# -- `awesome-prune links` ----------------------------------------------------------------------

def links(root: Path, capsys, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["--root", str(root), "links", *args])
    return code, capsys.readouterr().out


def test_the_generated_pages_and_the_site_are_not_parsed_again(lst: Path, capsys, parses: list[str]) -> None:
    assert main(["--root", str(lst), "build"]) == 0  # with the site
    first = links(lst, capsys, "--format", "json")
    assert "md" in parses and "index.html" in parses and (lst / CACHE_FILE).is_file()
    parses.clear()
    assert links(lst, capsys, "--format", "json") == first and parses == []
    (lst / "README.md").write_text((lst / "README.md").read_text(encoding="utf-8") + "\n[x](#no-such-anchor)\n",
                                   encoding="utf-8")
    code, out = links(lst, capsys, "--format", "json")
    assert code == 1 and "#no-such-anchor" in out
    assert parses.count("md") == 4 and "index.html" not in parses  # the site is unchanged


def test_no_cache_and_given_paths_leave_no_cache(lst: Path, capsys) -> None:
    assert main(["--root", str(lst), "build", "--no-site"]) == 0
    assert links(lst, capsys, "--no-cache")[0] == 0
    assert links(lst, capsys, "README.md")[0] == 0
    assert not (lst / CACHE_FILE).exists()
