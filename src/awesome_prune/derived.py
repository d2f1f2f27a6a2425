"""Generated files besides the markdown pages: data exports, JSON schemas, the issue form.

`build` adds these to the rendered pages, so `build` writes them and `build --check` compares them.
"""

from __future__ import annotations

from .catalog import Catalog
from .export import export_outputs
from .issue_form import issue_form_outputs
from .models import Settings, Taxonomy
from .schema import schema_outputs


def fixed_outputs(settings: Settings, taxonomy: Taxonomy) -> dict[str, str]:
    """The outputs of the settings and taxonomy alone: the schemas and the issue form."""
    return {**schema_outputs(settings, taxonomy), **issue_form_outputs(settings, taxonomy)}


def derived_outputs(catalog: Catalog) -> dict[str, str]:
    """{path: text} of every non-markdown output, from a loaded catalog."""
    return {**export_outputs(catalog), **fixed_outputs(catalog.settings, catalog.taxonomy)}
