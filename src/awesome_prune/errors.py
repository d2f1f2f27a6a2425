"""Problems found in the input, carried as plain data and raised together.

The library never prints: stages collect `Problem`s and raise one `ProblemsError` carrying all of
them; only the CLI turns them into messages and an exit code.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import PurePath
from typing import Iterable


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    field: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class ProblemsError(Exception):
    """Raised once by a stage that found problems; `problems` holds every one of them."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(map(str, self.problems)))


class SettingsError(ProblemsError):
    """The list settings themselves are wrong: a usage problem (exit code 2), not a data problem."""


def annotation(level: str, path: str, line: int, message: str, title: str = "", col: int = 0) -> str:
    """A GitHub Actions workflow command (`::error file=…,line=…::message`) that shows `message` on
    `path` at `line`, with GitHub's escaping of the message and of the properties."""
    def data(text: str) -> str:
        return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")

    def prop(text: str) -> str:
        return data(text).replace(":", "%3A").replace(",", "%2C")

    props = f"file={prop(path)}" + (f",line={line}" if line else "") + (f",col={col}" if col else "")
    return f"::{level} {props}" + (f",title={prop(title)}" if title else "") + f"::{data(message)}"


def suggest(word: str, choices: Iterable[str]) -> str:
    """`" (did you mean 'x'?)"` for the closest choice, ignoring case, or ''."""
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    if word.lower() in lowered:
        return f" (did you mean {lowered[word.lower()]!r}?)"
    close = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {lowered[close[0]]!r}?)" if close else ""


def shown_path(file: PurePath, root: PurePath) -> str:
    """`file` as messages show it: relative to `root` with `/` separators ("." for `root` itself),
    or whole when it lies outside. Both are taken as given: resolve them first where a link may
    lead elsewhere."""
    try:
        return file.relative_to(root).as_posix() or "."
    except ValueError:
        return file.as_posix()
