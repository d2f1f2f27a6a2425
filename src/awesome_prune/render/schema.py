"""JSON Schema of paper records and of the taxonomy, for editors (yaml-language-server) and other tools.

Generated from the pydantic models, so the schema follows them: the checks that pydantic runs as
plain functions (URL, single line, not blank, kebab-case, the bare-name tag shorthand) are
translated into patterns and alternatives here, keyed by the validator function rather than by
field, so a new field of an existing kind needs nothing. The paper schema also lists, for each tag
category of `concepts/taxonomy.yaml`, the values (and aliases) it accepts; it therefore depends on
the taxonomy and is a build output, regenerated with the other generated files.

Both schemas accept every record the models accept. They are not stricter, and cannot be quite as
strict: cross-record checks (ids, duplicates) and "listed twice" stay with `awesome-prune validate`.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic.json_schema import GenerateJsonSchema

from ..records import models
from .markup import github_repo, one_line
from ..records.models import Paper, Settings, Taxonomy

DIALECT = "https://json-schema.org/draft/2020-12/schema"
FOLDER = "schema"
PAPER = "paper.schema.json"
TAXONOMY = "taxonomy.schema.json"
# A record's first line: editors (yaml-language-server) validate it against the paper schema.
SCHEMA_LINE = f"# yaml-language-server: $schema=../{FOLDER}/{PAPER}"

# No control characters (line breaks included); text may span lines but has no other controls.
_ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f]*$"
_TEXT = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
_NOT_BLANK = r"\S"
_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@]+([/?#]\S*)?$"

# The function validators of models.py, as the patterns a string they accept matches.
_AFTER = {
    models._check_url: (_URL,),
    models._line: (_ONE_LINE, _NOT_BLANK),
    models._text: (_NOT_BLANK, _TEXT),
    models._kebab: (models.KEBAB.pattern,),
}


class _Generator(GenerateJsonSchema):
    """pydantic's generator, plus what the models check in Python functions."""

    def function_after_schema(self, schema) -> dict[str, Any]:
        result = dict(self.generate_inner(schema["schema"]))
        for pattern in _AFTER.get(schema["function"]["function"], ()):
            _add_pattern(result, pattern)
        return result


def _add_pattern(schema: dict[str, Any], pattern: str) -> None:
    if "pattern" not in schema:
        schema["pattern"] = pattern
    elif schema["pattern"] != pattern and {"pattern": pattern} not in schema.get("allOf", []):
        schema["allOf"] = [*schema.get("allOf", []), {"pattern": pattern}]


def schema_id(settings: Settings, name: str) -> str:
    """Where the committed schema can be fetched: raw GitHub content for a GitHub repository."""
    repo = github_repo(settings.repository)
    if repo:
        return f"https://raw.githubusercontent.com/{repo}/HEAD/{FOLDER}/{name}"
    return f"{settings.repository.rstrip('/')}/{FOLDER}/{name}"


def _header(schema: dict[str, Any], settings: Settings, name: str, title: str, description: str) -> dict[str, Any]:
    return {"$schema": DIALECT, "$id": schema_id(settings, name), **schema, "title": title,
            "description": description}


def _tag_schema(taxonomy: Taxonomy, tag_ref: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """`tags`: one property per category, each a list of that category's values (name or alias)."""
    properties = {}
    for category in taxonomy.categories:
        spellings = [s for value in category.values for s in (value.name, *value.aliases)]
        names = ", ".join(value.name for value in category.values)
        def_name = f"TagValue_{category.key}"
        defs[def_name] = {"type": "string", "enum": spellings,
                          "description": f"A {category.name} value: {names} (or an alias); see concepts/{category.page}."}
        value_ref = {"$ref": f"#/$defs/{def_name}"}
        as_mapping = {**tag_ref, "properties": {**tag_ref["properties"], "value": value_ref}}
        defs[f"Tag_{category.key}"] = {"anyOf": [value_ref, as_mapping]}
        properties[category.key] = {
            "type": "array",
            "minItems": 1,
            "description": f"{category.name}: {one_line(category.explanation)}",
            "items": {"$ref": f"#/$defs/Tag_{category.key}"},
        }
    return {"type": "object", "title": "Tags", "additionalProperties": False, "properties": properties,
            "description": "Tags by category key; each value is a name (or alias) from concepts/taxonomy.yaml, "
                           "optionally with a detail: `{value: Sparsity, detail: layer}`."}


def paper_schema(settings: Settings, taxonomy: Taxonomy | None) -> dict[str, Any]:
    """The schema of one `papers/<id>.yaml`; with a taxonomy, tag categories and values are enumerated."""
    schema = Paper.model_json_schema(schema_generator=_Generator)
    if taxonomy is not None:
        defs = schema["$defs"]
        schema["properties"]["tags"] = _tag_schema(taxonomy, defs["TagRef"], defs)
        if '"#/$defs/TagRef"' not in json.dumps(schema):
            del defs["TagRef"]
    return _header(schema, settings, PAPER, "Paper record",
                   "One paper of the list: papers/<id>.yaml, checked by `awesome-prune validate`.")


def taxonomy_schema(settings: Settings) -> dict[str, Any]:
    schema = Taxonomy.model_json_schema(schema_generator=_Generator)
    return _header(schema, settings, TAXONOMY, "Tag taxonomy",
                   "The tag vocabulary: concepts/taxonomy.yaml, checked by `awesome-prune validate`.")


def dumps(schema: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indent, trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def schema_files(settings: Settings, taxonomy: Taxonomy) -> dict[str, str]:
    """{file name: text} for both schemas."""
    return {PAPER: dumps(paper_schema(settings, taxonomy)), TAXONOMY: dumps(taxonomy_schema(settings))}


def schema_outputs(settings: Settings, taxonomy: Taxonomy) -> dict[str, str]:
    """The schemas as build outputs: {"schema/paper.schema.json": text, …}."""
    return {f"{FOLDER}/{name}": text for name, text in schema_files(settings, taxonomy).items()}
