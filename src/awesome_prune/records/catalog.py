"""Read and check every input: settings, taxonomy, records, challenge introduction → one `Catalog`,
or one `ProblemsError` carrying every problem found in every file.

Each record is read, parsed and validated on its own (its schema, its tags, its id); the checks
across records (the same paper twice) follow. Nothing is written and nothing outside the list's
folder is read: every path is confined to it (`confined`), symlinks included. The list settings
(`[tool.awesome-prune]` in pyproject.toml) are read here too.
"""

from __future__ import annotations

import datetime as _dt
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ..errors import Problem, ProblemsError, SettingsError
from .load import Source, load_mapping
from .models import Paper, Settings, Taxonomy
from .validate import TagIndex, check_model, check_record, check_same_paper, check_taxonomy


@dataclass
class Catalog:
    root: Path
    settings: Settings
    taxonomy: Taxonomy
    papers: list[tuple[Paper, Source]]  # drafts included, in file-name order
    challenge_intro: str
    taxonomy_source: Source | None = None
    warnings: list[Problem] = field(default_factory=list)  # found in the inputs; they do not fail the build

    @property
    def records(self) -> list[Paper]:
        return [paper for paper, _ in self.papers]


def read_taxonomy(file: Path, shown: str) -> tuple[Taxonomy | None, list[Problem]]:
    """The taxonomy in `file` (`shown` in messages), checked: its schema, then names listed twice.
    Problems are returned, not raised; the taxonomy is None when its schema fails."""
    taxonomy, _, problems = _read_taxonomy(file, shown)
    return taxonomy, problems


def _read_taxonomy(file: Path, shown: str) -> tuple[Taxonomy | None, Source | None, list[Problem]]:
    try:
        source = load_mapping(file, shown)
    except ProblemsError as exc:
        return None, None, exc.problems
    taxonomy, problems = check_model(source, Taxonomy)
    if taxonomy is not None:
        problems += check_taxonomy(taxonomy, source)
    return taxonomy, source, problems


def load_taxonomy(root: Path) -> tuple[Settings, Taxonomy]:
    """Settings and a sound taxonomy, without reading the papers (a broken record must not block
    the commands that help fix it: the schema, the link check)."""
    settings = load_settings(root)
    taxonomy, problems = read_taxonomy(confined(root, settings.taxonomy, "taxonomy"), settings.taxonomy)
    if taxonomy is None or any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return settings, taxonomy


def record_files(root: Path, papers: str) -> list[tuple[Path, str]]:
    """(file, path as shown in messages) of every entry of the papers folder but hidden ones, by name."""
    folder = confined(root, papers, "papers")
    try:
        names = sorted(name for name in (entry.name for entry in folder.iterdir()) if not name.startswith("."))
    except OSError:
        return []
    prefix = papers.strip("/") + "/" if papers.strip("/.") else ""
    return [(folder / name, prefix + name) for name in names]


def read_record(file: Path, shown: str, tags: TagIndex | None) -> tuple[Paper | None, Source | None, list[Problem]]:
    """One record read and checked on its own: schema, tags (when the taxonomy is sound), id."""
    try:
        if file.is_symlink():
            return None, None, [Problem(shown, 1, 1, "", "a symbolic link; a record is a regular file in the list")]
        source = load_mapping(file, shown)
    except ProblemsError as exc:
        return None, None, exc.problems
    paper, problems = check_model(source, Paper)
    if paper is not None:
        if tags is not None:
            problems += tags.check(paper, source)
        problems += check_record(paper, source, _dt.date.today())
    elif tags is not None and isinstance(source.data.get("tags"), dict):
        problems += tags.check_raw(source)  # the tags too, in the same run as the schema's problems
    return paper, source, problems


def load_catalog(root: Path) -> Catalog:
    """Read and check everything; raise one ProblemsError listing every problem found."""
    settings = load_settings(root)
    taxonomy, taxonomy_source, problems = _read_taxonomy(confined(root, settings.taxonomy, "taxonomy"),
                                                         settings.taxonomy)
    tags = TagIndex(taxonomy) if taxonomy and not any(p.severity == "error" for p in problems) else None
    # templates are code: a list's own, inside it, or the tool's own (the site copies what is there)
    confined(root, settings.templates, "templates", trusted=OWN_TEMPLATES)
    entries = record_files(root, settings.papers)
    if not entries:
        problems.append(Problem(settings.papers, 1, 1, "", "no paper records found"))
    papers: list[tuple[Paper, Source]] = []
    for file, shown in entries:
        paper, source, found = read_record(file, shown, tags)
        problems += found
        if source is not None:
            source.data = None  # checked: the model holds the values; the source keeps the text, for lines
        if paper is not None:
            papers.append((paper, source))
    problems += check_same_paper(papers)
    intro = ""
    try:
        intro = confined(root, settings.challenge_intro, "challenge_intro").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(settings.challenge_intro, 1, 1, "",
                                f"cannot read the challenge page's introduction: {getattr(exc, 'strerror', None) or exc}"))
    if any(p.severity == "error" for p in problems):
        raise ProblemsError(problems)
    return Catalog(root, settings, taxonomy, papers, intro, taxonomy_source, problems)


# -- the list settings: [tool.awesome-prune] in pyproject.toml ---------------------------------

SECTION = "tool.awesome-prune"


def key_line(text: str, key: str) -> int:
    """The line of `key =` inside the settings section (0 when not found)."""
    inside = False
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            inside = stripped.strip("[] ").startswith(SECTION)
        elif inside and stripped.split("=", 1)[0].strip() == key:
            return number
    return 0


def load_settings(root: Path, required: bool = True) -> Settings | None:
    """The list settings; SettingsError when they are missing or wrong. With `required` false,
    None when the folder is not a list (no pyproject.toml, or no settings section in it)."""
    file = root / "pyproject.toml"
    if not required and not file.is_file():
        return None
    try:
        text = file.read_text(encoding="utf-8")
        table = tomllib.loads(text).get("tool", {}).get("awesome-prune")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError([Problem("pyproject.toml", 1, 1, "", f"cannot read: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        where = re.search(r"\(at line (\d+), column (\d+)\)$", str(exc))
        line, col = (int(where[1]), int(where[2])) if where else (1, 1)
        message = str(exc)[:where.start()].rstrip() if where else str(exc)
        raise SettingsError([Problem("pyproject.toml", line, col, "", f"TOML syntax: {message}")]) from None
    if table is None:
        if not required:
            return None
        raise SettingsError([Problem("pyproject.toml", 1, 1, "", f"no [{SECTION}] section; the list settings live there")])
    try:
        return Settings.model_validate(table)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            dotted = ".".join(map(str, err["loc"]))
            message = "unknown setting" if err["type"] == "extra_forbidden" else err["msg"].removeprefix("Value error, ")
            problems.append(Problem("pyproject.toml", key_line(text, key), 1, f"{SECTION}.{dotted}", message))
        raise SettingsError(problems) from None


# The tool's own templates (those of this checkout or installation): trusted wherever the list is.
OWN_TEMPLATES = Path(__file__).resolve().parents[3] / "templates"


def confined(root: Path, relative: str, setting: str, trusted: Path | None = None) -> Path:
    """`root / relative`, refused (SettingsError) when it leads outside the list's folder once
    every symlink is resolved (a pull request can change the settings and commit symlinks),
    unless it is `trusted`."""
    path = root / relative
    try:
        if trusted is None or path.resolve() != trusted.resolve():
            path.resolve().relative_to(root.resolve())
    except ValueError:
        try:
            line = key_line((root / "pyproject.toml").read_text(encoding="utf-8"), setting.rpartition(".")[2])
        except (OSError, UnicodeDecodeError):
            line = 0
        raise SettingsError([Problem("pyproject.toml", line or 1, 1, f"{SECTION}.{setting}",
                                     f"{relative!r} leads outside the list's folder; use a path inside it")]) from None
    return path
