"""What helps contributors write a record: the JSON Schema of paper records and of the taxonomy, for
editors (yaml-language-server) and other tools, and the GitHub issue form "Add a paper".

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
import re
from typing import Any, get_args

import yaml

from pydantic.json_schema import GenerateJsonSchema

from ..records import models
from .markup import github_repo, one_line
from ..records.models import Paper, Settings, Taxonomy, VenueStatus

# draft-07: what the YAML language server (VS Code's YAML extension) supports in full; pydantic's
# `$defs` become draft-07's `definitions`.
DIALECT = "http://json-schema.org/draft-07/schema#"
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
    schema = json.loads(json.dumps(schema).replace('"#/$defs/', '"#/definitions/'))
    if "$defs" in schema:
        schema["definitions"] = schema.pop("$defs")
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
    required = [category.key for category in taxonomy.categories if category.required]
    return {"type": "object", "title": "Tags", "additionalProperties": False, "properties": properties,
            **({"required": required} if required else {}),
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


# -- the issue form: .github/ISSUE_TEMPLATE/add-paper.yml --------------------------------------

PATH = ".github/ISSUE_TEMPLATE/add-paper.yml"
HEADER = ("# Generated by awesome-prune from concepts/taxonomy.yaml; do not edit this file: "
          "edit that and run `make build`.\n")


def _first_sentence(text: str) -> str:
    text = one_line(text)
    match = re.match(r"^(.+?[.!?])(?:\s|$)", text)
    return match.group(1) if match else text


def _concept_link(settings: Settings, page: str) -> str:
    repo = github_repo(settings.repository)
    base = f"https://github.com/{repo}/blob/HEAD" if repo else settings.repository.rstrip("/")
    return f"{base}/concepts/{page}"


def _field(kind: str, id: str, label: str, description: str = "", required: bool = False,
           **attributes: Any) -> dict[str, Any]:
    field: dict[str, Any] = {"type": kind, "id": id, "attributes": {"label": label}}
    if description:
        field["attributes"]["description"] = description
    field["attributes"].update(attributes)
    if required:
        field["validations"] = {"required": True}
    return field


def form(settings: Settings, taxonomy: Taxonomy) -> dict[str, Any]:
    """The issue form as data (GitHub's issue-form schema)."""
    body: list[dict[str, Any]] = [
        {"type": "markdown", "attributes": {"value": (
            "Suggest a paper for the list. A maintainer turns this into `papers/<id>.yaml`; "
            "you can also open a pull request yourself (see CONTRIBUTING.md).")}},
        _field("input", "title", "Title", "The paper's title, as published.", True),
        _field("input", "authors", "Authors", "The authors in the paper's order, separated by commas.",
               placeholder="Mingjie Sun, Zhuang Liu, Anna Bair, J. Zico Kolter"),
        _field("input", "paper", "Paper URL", "arXiv abstract page, OpenReview forum, or the publisher's page.",
               True, placeholder="https://arxiv.org/abs/2306.11695"),
        _field("dropdown", "venue-status", "Venue status", "Where the paper stands.", True,
               options=list(get_args(VenueStatus))),
        _field("input", "venue-name", "Venue name", "Short name, e.g. ICLR, NeurIPS, TMLR; empty for a preprint.",
               placeholder="ICLR"),
        _field("input", "venue-year", "Year", "Year of the venue (or of the preprint).", True, placeholder="2024"),
        _field("input", "code-url", "Code URL", "Official code repository, if any.",
               placeholder="https://github.com/…"),
        _field("input", "code-framework", "Framework", "e.g. PyTorch, JAX.", placeholder="PyTorch"),
        _field("textarea", "takeaway", "Take-away",
               "One or two sentences: what the paper does and why it matters.", True),
    ]
    for category in taxonomy.categories:
        description = (f"{_first_sentence(category.explanation)} "
                       f"[About these values]({_concept_link(settings, category.page)}).")
        body.append(_field("dropdown", f"tags-{category.key}", f"Tags: {category.name}", description,
                           multiple=True, options=[value.name for value in category.values]))
    body += [
        _field("textarea", "tag-details", "Tag details",
               "Optional details for tags above, one per line, e.g. `budget: Sparsity-layer`."),
        _field("textarea", "challenges", "Challenges",
               "The challenges the paper tackles, one per paragraph (for the challenge notes)."),
        _field("input", "blog", "Blog post", "A blog post explaining the paper, if any."),
        _field("input", "reviews", "Reviews", "Public reviews, e.g. the OpenReview forum."),
        _field("input", "video", "Video", "A talk or video about the paper."),
    ]
    return {"name": "Add a paper", "description": "Suggest a paper for the list.",
            "title": "Add paper: ", "labels": ["add-paper"], "body": body}


def render_form(settings: Settings, taxonomy: Taxonomy) -> str:
    text = yaml.safe_dump(form(settings, taxonomy), sort_keys=False, allow_unicode=True, width=10_000,
                          default_flow_style=False)
    return HEADER + text


def issue_form_outputs(settings: Settings, taxonomy: Taxonomy) -> dict[str, str]:
    return {PATH: render_form(settings, taxonomy)}
