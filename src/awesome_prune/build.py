"""The build: read → validate → render → write. One pipeline, the same for 8 papers and 10,000.

`load_catalog` reads and checks every input (or raises every problem at once); `render_catalog`
renders every committed output as {path: text} with no I/O but the templates; the static site is
rendered the same way; only then is anything written, each changed file atomically (or, with
`check`, nothing is written and the differences are returned).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .links.run import LinkReport, check_links
from .lock import LOCK_TIMEOUT, build_lock
from .records.catalog import Catalog, load_catalog
from .render.exports import export_outputs
from .render.pages import Rendered, render_pages
from .render.schema import issue_form_outputs, schema_outputs
from .render.site import render_site
from .sitefolder import SiteWrite, apply_site, site_plan
from .write import Difference, differences, list_folders, sweep_temporaries, write_outputs, written_folders


@dataclass
class BuildResult:
    outputs: dict[str, str]
    written: list[str]
    differences: list[Difference]
    site: SiteWrite | None = field(default=None)  # the static site written, when one was asked for
    links: LinkReport | None = field(default=None)  # the local link check of what was written
    warnings: list = field(default_factory=list)  # the inputs' warnings (they do not stop the build)


def render_catalog(catalog: Catalog, rendered: Rendered | None = None) -> dict[str, str]:
    """Every file the list keeps in its repository: the markdown pages, the data exports, the
    schemas and the issue form (the static site is separate: it is not committed)."""
    outputs = dict((rendered or render_pages(catalog)).pages)
    outputs.update(export_outputs(catalog))
    outputs.update(schema_outputs(catalog.settings, catalog.taxonomy))
    outputs.update(issue_form_outputs(catalog.settings, catalog.taxonomy))
    return outputs


def build(root: Path, check: bool = False, site_dir: Path | None = None, links: bool = True,
          on_wait: Callable[[str], None] | None = None, lock_timeout: float = LOCK_TIMEOUT) -> BuildResult:
    """Validate and render everything; write what changed, or only compare when `check`.

    With `site_dir` the static site is rendered and written there too; `check` never touches it.
    With `links`, the links of the pages written are checked (no network) from what the renderer
    recorded, and the site's when it is written in the list's `_site` folder.

    A build that writes holds the list's build lock throughout (`on_wait` is told when it must wait
    for another build, up to `lock_timeout` seconds), checks the site folder before anything is
    written, and removes the temporary files a killed build left.
    """
    if check:
        catalog = load_catalog(root)
        outputs = render_catalog(catalog)
        return BuildResult(outputs, [], differences(root, outputs), warnings=catalog.warnings)
    with build_lock(root, lock_timeout, on_wait):
        catalog = load_catalog(root)
        rendered = render_pages(catalog)
        outputs = render_catalog(catalog, rendered)
        site = render_site(catalog) if site_dir is not None else None  # rendered before anything is written
        plan = (site_plan(site_dir, site, root, list_folders(root, catalog.settings, outputs))
                if site is not None else None)  # refused before anything is written
        sweep_temporaries(root, written_folders(catalog.settings, outputs))
        result = BuildResult(outputs, write_outputs(root, outputs), [], warnings=catalog.warnings)
        if plan is not None:
            result.site = apply_site(plan)
        if links:
            # The markdown pages' links as the renderer recorded them. The site's HTML is not parsed
            # here (8 s at 10,000 papers): its internal links come from the same data through the
            # templates, which tests check on every page (tests/test_site_links.py); the people's
            # links it shows are the pages' own, checked here. `links` checks the site as well.
            result.links = check_links(root, catalog=catalog, rendered=rendered, site=False)
    return result
