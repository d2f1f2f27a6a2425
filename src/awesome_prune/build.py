"""The build stage: catalog → rendered outputs → written files (or a comparison in check mode)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .catalog import Catalog, load_catalog
from .derived import derived_outputs
from .render import Renderer
from .write import Difference, differences, write_outputs

if TYPE_CHECKING:
    from .site import SiteWrite


@dataclass
class BuildResult:
    outputs: dict[str, str]
    written: list[str]
    differences: list[Difference]
    site: SiteWrite | None = field(default=None)  # the static site written, when one was asked for


def render_catalog(catalog: Catalog) -> dict[str, str]:
    """Every file the list keeps in its repository: the markdown pages, the data exports, the
    schemas and the issue form (the static site is separate: it is not committed)."""
    renderer = Renderer(catalog.settings, catalog.taxonomy, catalog.root / catalog.settings.templates,
                        catalog.challenge_intro)
    outputs = renderer.render(catalog.records)
    outputs.update(derived_outputs(catalog))
    return outputs


def build(root: Path, check: bool = False, site_dir: Path | None = None) -> BuildResult:
    """Validate and render everything; write what changed, or only compare when `check`.

    With `site_dir` (the CLI passes `<root>/_site` unless told otherwise) the static site is
    rendered and written there too, after the markdown outputs; `check` never touches the site.
    """
    catalog = load_catalog(root)
    outputs = render_catalog(catalog)
    if check:
        return BuildResult(outputs, [], differences(root, outputs))
    if site_dir is not None:
        from .site import render_site, write_site

        site_outputs = render_site(catalog)  # rendered before anything is written: template errors stop early
        written = write_outputs(root, outputs)
        site = write_site(site_dir, site_outputs, root=root)
        return BuildResult(outputs, written, [], site)
    return BuildResult(outputs, write_outputs(root, outputs), [])
