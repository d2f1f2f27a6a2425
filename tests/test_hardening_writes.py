"""Issue 11 §1 and §3: output folders that must not be written, the build lock, temporary files left
by a killed build, and builds that run at once or are interrupted.

Every list here is a copy under tmp_path; child processes are builds of that copy. Loops are bounded
in rounds and each wait in time; nothing asserts on how long anything took.
"""

from __future__ import annotations

import fcntl
import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from awesome_prune.cli import main
from awesome_prune.errors import ProblemsError, SettingsError

from .conftest import own_templates, snapshot

TEMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # the tool's temporary files (write.py)
MARKER = ".awesome-prune-site"


def files_under(folder: Path) -> dict[str, bytes]:
    """Every file (and symbolic link, as its target's name) under `folder`, but the build lock."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if path.name == "build.lock" and path.parent.name == ".cache":
            continue
        if path.is_symlink():
            found[rel] = b"-> " + os.readlink(path).encode()
        elif path.is_file():
            found[rel] = path.read_bytes()
    return found


def temporaries(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if TEMP.match(p.name))


def build_process(root: Path, *args: str, stderr=subprocess.PIPE) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "awesome_prune", "--root", str(root), "build", "--no-links", *args],
                            stdout=subprocess.DEVNULL, stderr=stderr, text=True)


def set_title(root: Path, state: int) -> None:
    """Two input states, A (0) and B (1), that change the README, the exports and the site."""
    project = root / "pyproject.toml"
    text = re.sub(r'(?m)^title = .*$', f'title = "Fixture List {"AB"[state]}"', project.read_text())
    project.write_text(text)


def outputs(root: Path) -> dict[str, bytes]:
    """What a build leaves in the list's folder, its cache folder left out."""
    return snapshot(root, cache=False)


@pytest.fixture
def references(lst, tmp_path) -> dict[int, dict[str, bytes]]:
    """The outputs of a clean build of each input state, built in a copy at the same depth."""
    import shutil

    refs = {}
    for state in (0, 1):
        copy = tmp_path / f"ref{state}" / "list"
        shutil.copytree(lst, copy)
        set_title(copy, state)
        assert main(["--root", str(copy), "build", "--no-links"]) == 0
        refs[state] = outputs(copy)
    return refs


# --- §1: folders the site must not be written into ---------------------------------------------


def fake_git(root: Path) -> None:
    for name, text in {"HEAD": "ref: refs/heads/main\n", "config": "[core]\n", "objects/ab/cdef": "blob"}.items():
        (root / ".git" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / ".git" / name).write_text(text)


@pytest.mark.parametrize("site", ["papers", "templates", "concepts", "challenge", ".git", ".", "papers/new",
                                  "templates/site", ".git/hooks", "..", "elsewhere"])
def test_build_refuses_a_site_folder_it_does_not_own_and_writes_nothing(lst, tmp_path, capsys, site):
    own_templates(lst)
    fake_git(lst)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "notes.txt").write_text("mine\n")
    folder = (tmp_path / site) if site == "elsewhere" else (lst / site)
    before = files_under(tmp_path)
    assert main(["--root", str(lst), "build", "--site", str(folder)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and err[0].startswith(f"{folder}:1:1: ") and err[1] == "1 error", err
    assert files_under(tmp_path) == before  # nothing deleted, nothing written (not even README.md)


def test_serve_refuses_to_build_into_the_records(lst):
    before = files_under(lst)
    process = subprocess.Popen([sys.executable, "-m", "awesome_prune", "--root", str(lst), "serve", "--port", "0",
                                "--dir", str(lst / "papers")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate(timeout=60)
    assert process.returncode == 2, (out, err)
    assert err.startswith(f"{lst / 'papers'}:1:1: ") and "Traceback" not in err
    assert files_under(lst) == before


def test_a_site_folder_that_is_a_symbolic_link_is_refused(lst, tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    (lst / "_site").symlink_to(tmp_path / "empty")
    assert main(["--root", str(lst), "build"]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert list((tmp_path / "empty").iterdir()) == [] and not (lst / "README.md").exists()


def test_stale_files_are_only_those_the_previous_build_recorded(tmp_path):
    from awesome_prune.write import write_site

    folder = tmp_path / "site"
    write_site(folder, {"a.html": "a", "old/b.html": "b", "c.html": "c"})
    assert (folder / MARKER).is_file()
    (folder / "notes.txt").write_text("hand-made")  # in the folder, never written by the tool
    (folder / "old" / "mine.txt").write_text("hand-made")
    result = write_site(folder, {"a.html": "a2"})
    assert result.written == ["a.html"] and result.removed == ["c.html", "old/b.html"]
    assert (folder / "notes.txt").read_text() == "hand-made" and (folder / "old" / "mine.txt").exists()
    assert write_site(folder, {"a.html": "a2"}).removed == []


def test_a_planted_marker_cannot_reach_outside_the_folder(tmp_path):
    import json

    from awesome_prune.write import _remove_inside, write_site

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "victim.yaml").write_text("id: x\n")
    folder = tmp_path / "site"
    write_site(folder, {"index.html": "x"})
    for manifest in (["../outside/victim.yaml"], [str(outside / "victim.yaml")], ["a//b"], "nope", [1]):
        (folder / MARKER).write_text(json.dumps({"awesome-prune-site": 1, "files": manifest}))
        with pytest.raises(SettingsError) as caught:
            write_site(folder, {"index.html": "y"})
        assert str(caught.value).startswith(f"{folder / MARKER}:1:1: not a site marker this tool wrote")
        assert (outside / "victim.yaml").read_text() == "id: x\n" and (folder / "index.html").read_text() == "x"
    (folder / MARKER).unlink()
    (folder / MARKER).symlink_to(outside / "victim.yaml")
    with pytest.raises(SettingsError):
        write_site(folder, {"index.html": "y"})
    # Removals never pass a symbolic link (write_site refuses a folder holding one; this is the
    # second line of defence).
    (folder / "sub").symlink_to(outside)
    assert _remove_inside(folder, "sub/victim.yaml") is False
    assert (outside / "victim.yaml").read_text() == "id: x\n"


def test_a_symbolic_link_anywhere_in_the_site_folder_is_refused(tmp_path, lst, capsys):
    """The Pages upload follows links: a committed `_site/leak.txt -> /proc/self/environ` would
    publish the runner's environment."""
    from awesome_prune.write import write_site

    secret = tmp_path / "secret"
    secret.write_text("token")
    assert main(["--root", str(lst), "build", "--no-links"]) == 0
    (lst / "_site" / "concepts" / "leak.txt").symlink_to(secret)
    before = files_under(lst)
    capsys.readouterr()
    assert main(["--root", str(lst), "build", "--no-links"]) == 2
    assert capsys.readouterr().err.startswith(f"{lst / '_site' / 'concepts' / 'leak.txt'}:1:1: a symbolic link")
    assert files_under(lst) == before and secret.read_text() == "token"
    with pytest.raises(SettingsError):
        write_site(lst / "_site", {"index.html": "x"})


def test_the_lists_own_site_from_before_the_marker_is_taken_when_it_holds_only_site_files(lst, tmp_path, capsys):
    assert main(["--root", str(lst), "build", "--no-links"]) == 0
    (lst / "_site" / MARKER).unlink()  # as a build before the marker left it
    (lst / "_site" / "index.html").write_text("older")
    assert main(["--root", str(lst), "build", "--no-links"]) == 0
    assert (lst / "_site" / MARKER).is_file() and (lst / "_site" / "index.html").read_text() != "older"
    # … but not with anything else in it, nor in another folder
    (lst / "_site" / MARKER).unlink()
    (lst / "_site" / "notes.txt").write_text("mine")
    before = files_under(lst)
    capsys.readouterr()
    assert main(["--root", str(lst), "build", "--no-links"]) == 2
    assert "no .awesome-prune-site marker" in capsys.readouterr().err and files_under(lst) == before
    import shutil

    shutil.copytree(lst / "_site", tmp_path / "other")
    (tmp_path / "other" / "notes.txt").unlink()
    assert main(["--root", str(lst), "build", "--no-links", "--site", str(tmp_path / "other")]) == 2


def test_a_symbolic_link_in_the_way_of_a_site_file_is_refused(tmp_path):
    from awesome_prune.write import write_site

    outside = tmp_path / "outside"
    outside.mkdir()
    folder = tmp_path / "site"
    write_site(folder, {"index.html": "x"})
    (folder / "concepts").symlink_to(outside)
    with pytest.raises(SettingsError) as caught:
        write_site(folder, {"index.html": "y", "concepts/type.html": "t"})
    assert "concepts" in str(caught.value)
    assert list(outside.iterdir()) == [] and (folder / "index.html").read_text() == "x"


def test_a_site_file_may_not_take_the_markers_name(tmp_path):
    from awesome_prune.write import write_site

    with pytest.raises(ProblemsError):
        write_site(tmp_path / "site", {MARKER: "{}", "index.html": "x"})
    assert not (tmp_path / "site").exists()
