"""Shared fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE_LIST = Path(__file__).parent / "fixtures" / "list"


@pytest.fixture
def lst(tmp_path) -> Path:
    """A writable copy of tests/fixtures/list, its templates setting pointing at the repository's."""
    root = tmp_path / "list"
    shutil.copytree(FIXTURE_LIST, root)
    project = root / "pyproject.toml"
    project.write_text(project.read_text().replace('"../../../templates"', f'"{REPO / "templates"}"'))
    return root


def braces_balanced(value: str) -> bool:
    """BibTeX's own rule: every brace counts, escaped or not; never more closed than opened.
    Written here on purpose rather than imported from `bibtex`: a test oracle must not share the
    code it checks (bibtex._balanced decides how text is escaped), nor its way of counting: here
    the depth after each character is counted afresh from the start."""
    depths = [value.count("{", 0, end) - value.count("}", 0, end) for end in range(1, len(value) + 1)]
    return not depths or (min(depths) >= 0 and depths[-1] == 0)


def write(root: Path, files: dict[str, str]) -> list[Path]:
    """Write each file (UTF-8), folders made as needed; their paths, in order."""
    paths = []
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every markdown document parsed ("md") and every HTML page parsed ("html"), in this process."""
    from awesome_prune.links import html
    from awesome_prune.render import markdown

    seen: list[str] = []
    parse_markdown, parse_html = markdown.parse, html._parse

    def counting_markdown(text: str):  # type: ignore[no-untyped-def]
        seen.append("md")
        return parse_markdown(text)

    def counting_html(text: str):  # type: ignore[no-untyped-def]
        seen.append("html")
        return parse_html(text)

    monkeypatch.setattr(markdown, "parse", counting_markdown)
    monkeypatch.setattr(html, "_parse", counting_html)
    return seen


def own_templates(root: Path) -> Path:
    """Give the list at `root` its own copy of the repository's templates (to edit or break); the
    copy's folder."""
    shutil.copytree(REPO / "templates", root / "templates")
    project = root / "pyproject.toml"
    project.write_text("\n".join('templates = "templates"' if line.startswith("templates =") else line
                                 for line in project.read_text().splitlines()) + "\n")
    return root / "templates"


def snapshot(root: Path, cache: bool = True) -> dict[str, bytes]:
    """Every file under `root` and its bytes (those under `.cache/` only with `cache`)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and (cache or ".cache" not in p.relative_to(root).parts)}


def synth():
    """bench/synth.py, the generator of synthetic lists, imported from its file (bench/ is not a
    package, and sys.path stays as it is)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_synth", REPO / "bench" / "synth.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def empty_list(tmp_path: Path) -> Path:
    """A list with the repository's settings and taxonomy, a challenge introduction and no record."""
    root = tmp_path / "list"
    (root / "papers").mkdir(parents=True)
    (root / "concepts").mkdir()
    (root / "challenge").mkdir()
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    (root / "pyproject.toml").write_text(text[text.index("[tool.awesome-prune]"):], encoding="utf-8")
    shutil.copy(REPO / "concepts" / "taxonomy.yaml", root / "concepts" / "taxonomy.yaml")
    (root / "challenge" / "general.md").write_text("Why it is hard.\n", encoding="utf-8")
    return root
