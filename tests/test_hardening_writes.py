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
    from awesome_prune.sitefolder import write_site

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

    from awesome_prune.sitefolder import _remove_inside, write_site

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
    from awesome_prune.sitefolder import write_site

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
    from awesome_prune.sitefolder import write_site

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
    from awesome_prune.sitefolder import write_site

    with pytest.raises(ProblemsError):
        write_site(tmp_path / "site", {MARKER: "{}", "index.html": "x"})
    assert not (tmp_path / "site").exists()


def test_an_empty_folder_and_one_holding_only_a_killed_markers_temporary_file_are_taken(tmp_path):
    from awesome_prune.sitefolder import write_site

    (tmp_path / "empty").mkdir()
    write_site(tmp_path / "empty", {"index.html": "x"})
    (tmp_path / "killed").mkdir()
    (tmp_path / "killed" / f"{MARKER}.abcd_123.tmp").write_text("{")
    write_site(tmp_path / "killed", {"index.html": "x"})
    assert sorted(p.name for p in (tmp_path / "killed").iterdir()) == [MARKER, "index.html"]


# --- §3: the lock ------------------------------------------------------------------------------


@pytest.mark.parametrize("plant", ["symlink", "fifo", "cache-symlink"])
def test_a_planted_lock_file_is_refused_in_one_line(lst, tmp_path, capsys, plant):
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    if plant == "cache-symlink":
        (tmp_path / "cachedir").mkdir()
        (lst / ".cache").symlink_to(tmp_path / "cachedir")
    else:
        (lst / ".cache").mkdir()
        if plant == "symlink":
            (lst / ".cache" / "build.lock").symlink_to(victim)
        else:
            os.mkfifo(lst / ".cache" / "build.lock")
    assert main(["--root", str(lst), "build"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and re.match(r"^\.cache(/build\.lock)?:1:1: ", err[0]), err
    assert victim.read_text() == "keep\n" and not (lst / "README.md").exists()
    assert plant != "cache-symlink" or list((tmp_path / "cachedir").iterdir()) == []


def hold_lock(root: Path) -> int:
    (root / ".cache").mkdir(exist_ok=True)
    fd = os.open(root / ".cache" / "build.lock", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def test_a_second_build_waits_for_the_first_saying_so(lst):
    fd = hold_lock(lst)
    process = build_process(lst)
    try:
        said, deadline = "", time.monotonic() + 60
        while "waiting" not in said and process.poll() is None and time.monotonic() < deadline:
            if select.select([process.stderr], [], [], 1)[0]:
                said += process.stderr.readline()
        assert said.startswith("waiting for another build of this list"), said
        assert not (lst / "README.md").exists()  # nothing written while the other build holds the lock
    finally:
        os.close(fd)
    assert process.wait(timeout=120) == 0
    assert (lst / "README.md").is_file()


def test_the_wait_is_bounded_and_ends_in_one_line(lst):
    from awesome_prune.build import build

    fd = hold_lock(lst)
    waits: list[str] = []
    try:
        with pytest.raises(ProblemsError) as caught:
            build(lst, lock_timeout=0.2, on_wait=waits.append)
    finally:
        os.close(fd)
    assert len(waits) == 1 and "waiting for another build" in waits[0]
    [problem] = caught.value.problems
    assert str(problem).startswith(".cache/build.lock:1:1: ") and "another build" in str(problem)
    assert not (lst / "README.md").exists()


def test_check_takes_no_lock(lst):
    """`build --check` writes nothing: it runs while a build holds the lock (and in a read-only
    checkout)."""
    assert main(["--root", str(lst), "build", "--no-links"]) == 0
    fd = hold_lock(lst)
    try:
        result = subprocess.run([sys.executable, "-m", "awesome_prune", "--root", str(lst), "build", "--check"],
                                capture_output=True, text=True, timeout=120)
    finally:
        os.close(fd)
    assert result.returncode == 0 and "waiting" not in result.stderr, result.stderr


# --- §3: temporary files ---------------------------------------------------------------------


def test_temporary_files_a_killed_build_left_are_removed_and_nothing_else(lst, tmp_path, references):
    set_title(lst, 1)
    assert main(["--root", str(lst), "build", "--no-links"]) == 0
    set_title(lst, 0)
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("keep")
    strays = [".README.md.abcd1234.tmp", "concepts/.type.md.x_9yz012.tmp", "_site/.index.html.k3j4h5g6.tmp",
              "_site/concepts/.type.html.aaaaaaaa.tmp", f"_site/.{MARKER}.bbbbbbbb.tmp", "data/.papers.json.cccccccc.tmp",
              ".cache/.links.json.dddddddd.tmp", "papers/.alpha.yaml.eeeeeeee.tmp"]
    for stray in strays:
        (lst / stray).write_text("half a file")
    kept = {"notes.tmp": "mine", "concepts/.draft.tmp": "mine", "_site/.keep.md.abcd1234.tmpx": "mine"}
    for name, text in kept.items():
        (lst / name).write_text(text)
    (lst / ".link.md.zzzzzzzz.tmp").symlink_to(elsewhere)  # the pattern, but a link: left alone
    held = lst / "challenge" / ".challenge.md.hhhhhhhh.tmp"  # a live writer's file (it holds its lock)
    held.write_text("being written")
    fd = os.open(held, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        assert main(["--root", str(lst), "build", "--no-links"]) == 0
    finally:
        os.close(fd)
    assert temporaries(lst) == [".link.md.zzzzzzzz.tmp", "challenge/.challenge.md.hhhhhhhh.tmp"]
    assert elsewhere.read_text() == "keep" and all((lst / n).read_text() == t for n, t in kept.items())
    for name in [*kept, ".link.md.zzzzzzzz.tmp", "challenge/.challenge.md.hhhhhhhh.tmp"]:
        (lst / name).unlink()
    assert outputs(lst) == references[0]


def test_gitignore_covers_the_temporary_files(tmp_path):
    from .conftest import REPO

    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    names = ["README.md", ".README.md.abcd1234.tmp", "concepts/.type.md.x_9yz012.tmp"]
    result = subprocess.run(["git", "-C", str(REPO), "check-ignore", "--no-index", *names],
                            capture_output=True, text=True, timeout=60)
    assert result.stdout.split() == names[1:]


# A build whose every rename waits a little, so that a kill lands in the write phase often: the
# temporary file of the file being written is then there, complete but not renamed.
SLOW_WRITES = """
import os, sys, time
rename = os.replace
def slow(source, target):
    time.sleep(0.05)
    rename(source, target)
os.replace = slow
from awesome_prune.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_an_interrupted_build_is_repaired_by_the_next(lst, references):
    """Builds killed (SIGKILL) at a random point: every file is then old or new, and the next build
    gives exactly what a clean build gives, with no temporary file left."""
    def slow_build() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", SLOW_WRITES, "--root", str(lst), "build", "--no-links"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    set_title(lst, 1)
    started = time.monotonic()
    assert slow_build().wait(timeout=120) == 0
    span = time.monotonic() - started  # how long a whole build takes here: kills land within it
    rng = random.Random(11)
    for round_ in range(10):
        state = round_ % 2
        set_title(lst, state)
        child = slow_build()
        time.sleep(rng.uniform(0.0, span))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        for path, data in outputs(lst).items():  # each output file is old or new, never a mix
            if not TEMP.match(Path(path).name) and not path.endswith(MARKER) and path != "pyproject.toml":
                assert data in (references[0].get(path), references[1].get(path)), path
        assert main(["--root", str(lst), "build", "--no-links"]) == 0
        assert temporaries(lst) == []
        assert outputs(lst) == references[state], f"round {round_}"


def test_concurrent_builds_neither_crash_nor_mix(lst, references):
    """Two builds of one list at once, 20 rounds, the site folder fresh each round (so both write
    every site file): before the lock, 2 or 3 rounds in 20 crashed (one build's stale-file sweep
    removed the other's temporary file)."""
    import shutil

    crashes = []
    for round_ in range(20):
        state = round_ % 2
        set_title(lst, state)
        shutil.rmtree(lst / "_site", ignore_errors=True)
        first, second = build_process(lst), build_process(lst)
        for process in (first, second):
            try:
                _, err = process.communicate(timeout=180)
            except subprocess.TimeoutExpired:
                process.kill()
                _, err = process.communicate(timeout=60)
            if process.returncode != 0 or "Traceback" in err:
                crashes.append((round_, process.returncode, err[-500:]))
        assert temporaries(lst) == []
        assert outputs(lst) == references[state], f"round {round_}"
    assert crashes == []
