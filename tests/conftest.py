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
