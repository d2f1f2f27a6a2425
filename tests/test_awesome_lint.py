"""The README passes awesome-lint, the linter of the Awesome lists, with no error but `double-link`.

The pinned awesome-lint is the one npm installs into the repository's `node_modules/`
(`npm install --no-save --prefix . awesome-lint@2.3.0`, which `.ci/run` does). Without it, or
without Node.js, the test is skipped, unless AWESOME_PRUNE_REQUIRE_AWESOME_LINT=1 (CI), where it
fails instead.

awesome-lint looks at more than the file: the folder must be a git repository whose branch has a
GitHub remote, with a contributing.md beside the README. The test therefore copies the committed
README.md, CONTRIBUTING.md and LICENSE into a fresh repository whose `origin` is the list's
`repository` setting. With that remote awesome-lint would also ask the GitHub API about the
repository (description, topics, licence: settings on GitHub, not files here); the test preloads
a module that makes Node's `fetch` fail before anything is sent, which awesome-lint takes as "no
answer" and skips those checks. Nothing leaves the machine.

`double-link` is the one rule allowed to complain: every tag badge links to its concept page, so
those links repeat by design. Its messages must all fall on table rows (the tag legend and the
paper rows); anything else the README repeats is a failure.

The alignment the table rules want is also checked without Node, by an independent reading of the
generated tables (pipe columns counted in UTF-16 units, as remark counts them).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from awesome_prune.render.markup import aligned_table, source_width

REPO = Path(__file__).resolve().parents[1]
VERSION = "2.3.0"
INSTALLED = REPO / "node_modules" / "awesome-lint"
REQUIRED = os.environ.get("AWESOME_PRUNE_REQUIRE_AWESOME_LINT") == "1"
ALLOWED = {"double-link"}

# Replaces Node's fetch: awesome-lint's GitHub API calls fail at once (and are skipped by it).
OFFLINE = 'globalThis.fetch = async () => { throw new Error("no network in tests"); };\n'
# A reporter (awesome-lint --reporter imports it) that prints every message as JSON.
REPORTER = """export const report = files => JSON.stringify(files.flatMap(file => file.messages.map(m => ({
  file: file.path, rule: m.ruleId, source: m.source, fatal: m.fatal, line: m.line, column: m.column,
  reason: m.reason}))));
"""


def unavailable(reason: str) -> None:
    if REQUIRED:
        pytest.fail(f"{reason} (AWESOME_PRUNE_REQUIRE_AWESOME_LINT=1); "
                    f"install it with: npm install --no-save --prefix . awesome-lint@{VERSION}")
    pytest.skip(reason)


def awesome_lint() -> tuple[str, Path]:
    """(node, awesome-lint's cli.js) of the pinned install, or skip/fail."""
    node = shutil.which("node")
    if node is None:
        unavailable("Node.js is not installed")
    package = INSTALLED / "package.json"
    if not package.is_file():
        unavailable(f"awesome-lint is not installed in {INSTALLED.parent.relative_to(REPO)}/")
    version = json.loads(package.read_text(encoding="utf-8"))["version"]
    assert version == VERSION, f"node_modules/ holds awesome-lint {version}, the test pins {VERSION}"
    return node, INSTALLED / "cli.js"


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=folder, check=True, capture_output=True, text=True)


def lint_copy(tmp_path: Path) -> list[dict]:
    """awesome-lint's messages on a copy of the list's README in a fresh git repository."""
    node, cli = awesome_lint()
    if shutil.which("git") is None:
        unavailable("git is not installed")
    copy = tmp_path / "list"
    copy.mkdir()
    for name in ("README.md", "CONTRIBUTING.md", "LICENSE"):
        shutil.copy(REPO / name, copy / name)
    repository = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["awesome-prune"]["repository"]
    git(copy, "init", "--quiet", "--initial-branch=main")
    git(copy, "remote", "add", "origin", repository)
    git(copy, "config", "branch.main.remote", "origin")
    (tmp_path / "offline.mjs").write_text(OFFLINE, encoding="utf-8")
    (tmp_path / "reporter.mjs").write_text(REPORTER, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k.lower() not in ("github_token", "node_options")}
    result = subprocess.run(
        [node, "--import", (tmp_path / "offline.mjs").as_uri(), str(cli), "README.md",
         "--reporter", str(tmp_path / "reporter.mjs")],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300)
    lines = [line for line in result.stdout.splitlines() if line.startswith("[")]
    assert lines, f"no report from awesome-lint (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
    messages = json.loads(lines[-1])
    assert result.returncode == (1 if any(m["fatal"] for m in messages) else 0), result.stderr
    return messages


def test_the_readme_passes_awesome_lint_but_for_repeated_tag_links(tmp_path):
    messages = lint_copy(tmp_path)
    errors = [m for m in messages if m["fatal"] is not False]
    shown = [f"{m['file']}:{m['line']}:{m['column']} {m['rule']}: {m['reason']}"
             for m in errors if m["rule"] not in ALLOWED]
    assert shown == [], "\n".join(shown)

    lines = (REPO / "README.md").read_text("utf-8").splitlines()
    outside = [f"README.md:{m['line']}: {m['reason']}" for m in errors
               if m["rule"] == "double-link" and not lines[m["line"] - 1].startswith("| ")]
    assert outside == [], "links repeated outside the tables:\n" + "\n".join(outside)


# -- the alignment itself, without Node -----------------------------------------------------------

_PIPE = re.compile(r"(?<!\\)\|")


def pipe_columns(line: str) -> list[int]:
    """UTF-16 offsets of the unescaped pipes of a table row (remark's columns)."""
    return [len(line[:m.start()].encode("utf-16-le")) // 2 for m in _PIPE.finditer(line)]


def tables(markdown: str) -> list[list[str]]:
    found, current = [], []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found


@pytest.mark.parametrize("page", ["README.md", "tests/golden/list/README.md"])
def test_every_table_of_the_readme_has_its_pipes_in_line(page):
    found = tables((REPO / page).read_text("utf-8"))
    assert len(found) >= 2  # the tag legend and at least one year
    for table in found:
        columns = {tuple(pipe_columns(row)) for row in table}
        assert len(columns) == 1, f"{page}: {table[0][:60]}… has rows whose pipes do not line up"
        assert all(row.startswith("| ") and row.endswith(" |") for row in table), table[0][:60]


def test_cells_are_padded_by_their_width_on_the_page():
    wide = "\U0001F600"  # one character, two UTF-16 units: two columns to remark
    marked = "\ue0007\ue001https://x.test"  # a link mark takes no room: it is gone from the page
    rows = [["Name", "Where"], [f"a{wide}", marked], ["longer name", "b"]]
    table = aligned_table(rows, "lc")
    page = ["| " + " | ".join(cells).replace("\ue0007\ue001", "") + " |" for cells in table]
    assert len({tuple(pipe_columns(line)) for line in page}) == 1, page
    assert page[1] == "| :---------- | :------------: |"
    assert page[2] == f"| a{wide}{' ' * 8} | https://x.test |"  # 3 wide, in a column of 11
    assert page[3] == "| longer name |       b        |"  # centred: the odd space on the right
    assert source_width(marked) == len("https://x.test") and source_width(wide) == 2
