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
