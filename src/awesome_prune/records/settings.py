"""The list settings: `[tool.awesome-prune]` in pyproject.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from ..errors import Problem, SettingsError
from .models import Settings

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
        raise SettingsError([Problem("pyproject.toml", 0, 0, "", f"cannot read: {exc}")]) from None
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError([Problem("pyproject.toml", 0, 0, "", f"TOML syntax: {exc}")]) from None
    if table is None:
        if not required:
            return None
        raise SettingsError([Problem("pyproject.toml", 0, 0, "", f"no [{SECTION}] section; the list settings live there")])
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


def confined(root: Path, relative: str, setting: str) -> Path:
    """`root / relative`, refused (SettingsError) when it leads outside the list's folder once
    every symlink is resolved: a pull request can change the settings and commit symlinks."""
    path = root / relative
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        try:
            line = key_line((root / "pyproject.toml").read_text(encoding="utf-8"), setting.rpartition(".")[2])
        except (OSError, UnicodeDecodeError):
            line = 0
        raise SettingsError([Problem("pyproject.toml", line or 1, 1, f"{SECTION}.{setting}",
                                     f"{relative!r} leads outside the list's folder; use a path inside it")]) from None
    return path
