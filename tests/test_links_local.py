"""Checking in-repository links: paths, slashes, fragments, repository URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from awesome_prune.links import local as local_module
from awesome_prune.links.local import Problem, check_local

from .conftest import write

CHALLENGE = "# Challenges\n\n## Outliers in LLMs\n\ntext\n\n## Привет мир\n\n<a id=\"Custom-ID\"></a>\n"
REPO = "https://github.com/owner/awesome-prune"


def check(root: Path, readme: str, repo_url: str | None = None, **others: str) -> list[Problem]:
    """Problems of README.md (given text) in a tree that also has challenge.md and ``others``."""
    files = {"README.md": readme, "challenge.md": CHALLENGE, **others}
    write(root, files)
    return check_local([root / "README.md"], root, repo_url)


def test_existing_targets_and_fragments_are_fine(tmp_path: Path) -> None:
    readme = "\n".join(
        [
            "[a](challenge.md) [b](./challenge.md#outliers-in-llms) [c](#readme)",
            "[d](challenge.md#%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82-%D0%BC%D0%B8%D1%80)",
            "[e](challenge.md#Custom-ID) [f](challenge.md#user-content-outliers-in-llms)",
            "[g](papers/) [h](papers) [i](/papers/owl.md) [j](papers/my%20paper.md)",
            "",
            "# README",
        ]
    )
    others = {"papers/owl.md": "# OWL\n", "papers/my paper.md": "x\n"}
    assert check(tmp_path, readme, **others) == []


def test_relative_paths_resolve_from_the_linking_folder(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "challenge.md": CHALLENGE,
            "concepts/outliers.md": "[up](../challenge.md#outliers-in-llms) [gone](../missing.md)\n",
        },
    )
    assert check_local([tmp_path / "concepts/outliers.md"], tmp_path) == [
        Problem("concepts/outliers.md", 1, "../missing.md", "error", "'missing.md' does not exist"),
    ]


def test_missing_file_suggests_a_close_sibling(tmp_path: Path) -> None:
    problems = check(tmp_path, "x\n\n[a](papers/OWL.md) [b](chalenge.md)\n", **{"papers/owl.md": "# OWL\n"})
    assert problems == [
        Problem(
            "README.md", 3, "papers/OWL.md", "error",
            "'papers/OWL.md' does not exist; did you mean 'papers/owl.md'?",
        ),
        Problem(
            "README.md", 3, "chalenge.md", "error",
            "'chalenge.md' does not exist; did you mean 'challenge.md'?",
        ),
    ]


def test_path_escaping_the_root_is_an_error(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (tmp_path / "outside.md").write_text("# Out\n", encoding="utf-8")
    assert check(root, "[out](../outside.md)\n[abs](/../outside.md)\n") == [
        Problem("README.md", 1, "../outside.md", "error", "'../outside.md' leads outside the repository"),
        Problem("README.md", 2, "/../outside.md", "error", "'/../outside.md' leads outside the repository"),
    ]


def test_slash_after_a_file_name_is_an_error(tmp_path: Path) -> None:
    readme = "[a](challenge.md/#outliers-in-llms)\n\n[b](./challenge.md/)\n"
    assert check(tmp_path, readme) == [
        Problem(
            "README.md", 1, "challenge.md/#outliers-in-llms", "error",
            "slash after the file name 'challenge.md' breaks the link; use 'challenge.md#outliers-in-llms'",
        ),
        Problem(
            "README.md", 3, "./challenge.md/", "error",
            "slash after the file name 'challenge.md' breaks the link; use './challenge.md'",
        ),
    ]


def test_lone_hash_and_top_are_fine(tmp_path: Path) -> None:
    assert check(tmp_path, "[a](#) [b](#top) [c](challenge.md#top) [d](#TOP)\n") == []


def test_fragment_differing_in_case_names_the_right_anchor(tmp_path: Path) -> None:
    assert check(tmp_path, "# Readme\n\n[a](challenge.md#Outliers-in-LLMs)\n") == [
        Problem(
            "README.md", 3, "challenge.md#Outliers-in-LLMs", "error",
            "no anchor '#Outliers-in-LLMs' in 'challenge.md'; did you mean '#outliers-in-llms'? "
            "(only the case differs: github.com forgives that, other hosts do not)",
        )
    ]


def test_unknown_fragment_with_and_without_suggestion(tmp_path: Path) -> None:
    readme = "# Read me\n\n[a](challenge.md#outliers-in-llm)\n[b](#nothing-like-it)\n[c](#read-mee)\n"
    assert check(tmp_path, readme) == [
        Problem(
            "README.md", 3, "challenge.md#outliers-in-llm", "error",
            "no anchor '#outliers-in-llm' in 'challenge.md'; did you mean '#outliers-in-llms'?",
        ),
        Problem("README.md", 4, "#nothing-like-it", "error", "no anchor '#nothing-like-it' in 'README.md'"),
        Problem(
            "README.md", 5, "#read-mee", "error",
            "no anchor '#read-mee' in 'README.md'; did you mean '#read-me'?",
        ),
    ]


def test_fragments_into_non_markdown_targets_are_not_checked(tmp_path: Path) -> None:
    others = {"papers/owl.yaml": "title: OWL\n", "papers/index.md": "# Index\n", "src/x.py": "x = 1\n"}
    readme = "[a](papers/owl.yaml#anything) [b](papers/#whatever) [c](src/x.py#L1) [d](challenge.md?plain=1#L3)\n"
    assert check(tmp_path, readme, **others) == []


def test_empty_target_is_a_warning(tmp_path: Path) -> None:
    assert check(tmp_path, "line\n[![badge](img.svg)]() <a href=\"\">x</a>\n", **{"img.svg": "<svg/>"}) == [
        Problem("README.md", 2, "", "warning", "empty link target"),
        Problem("README.md", 2, "", "warning", "empty link target"),
    ]


def test_external_links_are_skipped(tmp_path: Path) -> None:
    readme = (
        "[a](https://arxiv.org/abs/1) [b](http://example.org/x.md#y) [c](mailto:a@b.org) "
        "<https://other.org> [d](//cdn.example.org/x.js) [e](https://github.com/other/repo/blob/main/x.md)\n"
    )
    assert check(tmp_path, readme, REPO) == []


def test_links_into_this_repository_are_checked_as_local_paths(tmp_path: Path) -> None:
    readme = "\n".join(
        [
            f"[a]({REPO}/blob/main/challenge.md#outliers-in-llms) [b]({REPO}/tree/main/papers)",
            f"[c]({REPO}/blob/main/challenge.md#nope)",
            f"[d]({REPO}/tree/dev/concepts)",
            "[e](https://GitHub.com/Owner/Awesome-Prune/blob/main/challenge.md/#outliers-in-llms)",
            f"[f]({REPO}/issues/1) [g]({REPO})",
        ]
    )
    assert check(tmp_path, readme, REPO + ".git", **{"papers/owl.md": "# OWL\n"}) == [
        Problem("README.md", 2, f"{REPO}/blob/main/challenge.md#nope", "error",
                "no anchor '#nope' in 'challenge.md'"),
        Problem("README.md", 3, f"{REPO}/tree/dev/concepts", "error", "'concepts' does not exist"),
        Problem(
            "README.md", 4,
            "https://GitHub.com/Owner/Awesome-Prune/blob/main/challenge.md/#outliers-in-llms", "error",
            "slash after the file name 'challenge.md' breaks the link; use "
            "'https://GitHub.com/Owner/Awesome-Prune/blob/main/challenge.md#outliers-in-llms'",
        ),
    ]


def test_repository_links_are_skipped_without_repo_url(tmp_path: Path) -> None:
    assert check(tmp_path, f"[c]({REPO}/blob/main/challenge.md#nope)\n") == []


def test_problem_paths_are_relative_to_root_and_files_keep_their_order(tmp_path: Path) -> None:
    paths = write(
        tmp_path,
        {"b/second.md": "[x](nope.md)\n", "a/first.md": "\n[y](../b/nope.md)\n"},
    )
    assert check_local(paths, tmp_path) == [
        Problem("b/second.md", 1, "nope.md", "error", "'b/nope.md' does not exist"),
        Problem("a/first.md", 2, "../b/nope.md", "error", "'b/nope.md' does not exist"),
    ]


def test_unreadable_files_are_problems_not_exceptions(tmp_path: Path) -> None:
    (tmp_path / "binary.md").write_bytes(b"\xff\xfe\x00bad")
    write(tmp_path, {"README.md": "[b](binary.md#x)\n"})
    problems = check_local([tmp_path / "missing.md", tmp_path / "README.md"], tmp_path)
    assert problems == [
        Problem("missing.md", 0, "", "error", "cannot read file: file not found"),
        Problem("README.md", 1, "binary.md#x", "error",
                "cannot read 'binary.md' to check '#x': not UTF-8 text"),
    ]


def test_each_file_is_parsed_once_for_its_links_and_anchors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    parsed: list[str] = []
    real = local_module.scan_markdown

    def counting(markdown: str):  # type: ignore[no-untyped-def]
        parsed.append(markdown.partition("\n")[0])
        return real(markdown)

    monkeypatch.setattr(local_module, "scan_markdown", counting)
    readme = "[a](challenge.md#outliers-in-llms) [b](challenge.md#custom-id) [c](./challenge.md#x) [d](#readme)\n# README\n"
    problems = check(tmp_path, readme)
    assert [p.url for p in problems] == ["challenge.md#custom-id", "./challenge.md#x"]
    assert sorted(parsed) == ["# Challenges", readme.partition("\n")[0]]  # README (links + anchors), challenge.md


def test_messages_stay_on_one_line(tmp_path: Path) -> None:
    assert check(tmp_path, '<a href="new\nline.md">x</a>\n') == [
        Problem("README.md", 1, "new\nline.md", "error", "'new\\nline.md' does not exist"),
    ]
