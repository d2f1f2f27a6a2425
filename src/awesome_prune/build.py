"""The build stage: records → rendered outputs → written files (or a comparison in check mode).

`render_catalog(load_catalog(root))` is the reference path. `build` takes the two-core path of
`digest` (each record validated and rendered into pieces by whichever process reads it), which
gives the same outputs; the static site, when asked for, is rendered by a forked child meanwhile
(`parallel.in_child`). Nothing is written before everything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .parallel import in_child
from .settings import load_settings
from .write import Difference, differences, write_outputs

if TYPE_CHECKING:
    from .catalog import Catalog
    from .sitewrite import SiteWrite

SITE_CHILD_MIN = 200  # papers from which the site is rendered by a child while the pages are (a fork pays)
TEMPLATE_CACHE = ".cache/templates"  # compiled templates (jinja2 bytecode), keyed by their source; not in check mode


@dataclass
class BuildResult:
    outputs: dict[str, str]
    written: list[str]
    differences: list[Difference]
    site: SiteWrite | None = field(default=None)  # the static site written, when one was asked for
    records: Any = field(default=None, repr=False)  # the records as the build took them in (`digest.Digested`)


def render_catalog(catalog: Catalog) -> dict[str, str]:
    """Every file the list keeps in its repository: the markdown pages, the data exports, the
    schemas and the issue form (the static site is separate: it is not committed)."""
    from .derived import derived_outputs
    from .render import Renderer

    renderer = Renderer(catalog.settings, catalog.taxonomy, catalog.root / catalog.settings.templates,
                        catalog.challenge_intro)
    outputs = renderer.render(catalog.records)
    outputs.update(derived_outputs(catalog))
    return outputs


def build(root: Path, check: bool = False, site_dir: Path | None = None, stamp: bool = False) -> BuildResult:
    """Validate and render everything; write what changed, or only compare when `check`.

    With `site_dir` (the CLI passes `<root>/_site` unless told otherwise) the static site is
    rendered and written there too, after the markdown outputs; `check` never touches the site.
    With `stamp` (the CLI), a build that succeeds records its inputs and outputs for
    `buildstamp.up_to_date` (never in check mode).
    """
    from .digest import digest_list

    snapshot = settings = None
    if stamp and not check:
        from .buildstamp import Snapshot

        snapshot = Snapshot(root)  # every input is recorded before it is read
        settings = load_settings(root)
        snapshot.add(settings)
    with_site = site_dir is not None and not check
    cache = None if check else root / TEMPLATE_CACHE
    digested = digest_list(root, keep_records=with_site, cache=cache, settings=settings,
                           signatures=snapshot is not None)
    if check:
        outputs = digested.outputs()
        return BuildResult(outputs, [], differences(root, outputs))
    rendered_site = None
    if with_site:
        from .site import render_site

        # rendered before anything is written: template errors stop early
        with in_child(lambda: render_site(digested.catalog(), cache),
                      enabled=len(digested.records) > SITE_CHILD_MIN) as site:
            outputs = digested.outputs()
            rendered_site = site()
    else:
        outputs = digested.outputs()
    digests: dict[str, str] = {}  # of the outputs written, for the stamp
    result = BuildResult(outputs, write_outputs(root, outputs, digests), [], records=digested)
    if rendered_site is not None:
        from .sitewrite import write_site

        result.site = write_site(site_dir, rendered_site, root=root)
    if snapshot is not None:
        from .buildstamp import record

        snapshot.add_records([file.name for file, _ in digested.inputs.entries],
                             [(file.name, digest.signature) for (file, _), digest in digested.records])
        record(root, snapshot, outputs, site_dir, rendered_site, digests,
               result.site.digests if result.site is not None else None)
    return result
