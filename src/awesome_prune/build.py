"""The build stage: catalog → rendered outputs → written files (or a comparison in check mode)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog, load_catalog
from .render import Renderer
from .write import Difference, differences, write_outputs


@dataclass
class BuildResult:
    outputs: dict[str, str]
    written: list[str]
    differences: list[Difference]


def render_catalog(catalog: Catalog) -> dict[str, str]:
    renderer = Renderer(catalog.settings, catalog.taxonomy, catalog.root / catalog.settings.templates,
                        catalog.challenge_intro)
    return renderer.render(catalog.records)


def build(root: Path, check: bool = False) -> BuildResult:
    """Validate and render everything; write what changed, or only compare when `check`."""
    outputs = render_catalog(load_catalog(root))
    if check:
        return BuildResult(outputs, [], differences(root, outputs))
    return BuildResult(outputs, write_outputs(root, outputs), [])
