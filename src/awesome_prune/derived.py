"""Generated files besides the markdown pages: data exports, JSON schemas, the issue form.

`build` adds these to the rendered pages, so `build` writes them and `build --check` compares them.
"""

from __future__ import annotations

from .catalog import Catalog
from .export import export_outputs
from .issue_form import issue_form_outputs
from .schema import schema_outputs


def derived_outputs(catalog: Catalog) -> dict[str, str]:
    """{path: text} of every non-markdown output, from a loaded catalog."""
    return {**export_outputs(catalog), **schema_outputs(catalog.settings, catalog.taxonomy),
            **issue_form_outputs(catalog.settings, catalog.taxonomy)}
