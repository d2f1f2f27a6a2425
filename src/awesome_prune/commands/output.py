"""Printing problems for a person: one line each, then a count. Used by the CLI and by commands."""

from __future__ import annotations

import sys


def report(problems, stream=None) -> None:
    stream = stream or sys.stderr
    for problem in problems:
        print(problem, file=stream)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"{errors} error{'s' if errors != 1 else ''}" + (f", {warnings} warning(s)" if warnings else ""),
          file=stream)


def labelled(problem) -> str:
    """`path:line:col: error: field: message` (or `warning:`): one line that says what it is."""
    where = f"{problem.path}:{problem.line}:{problem.col}" if problem.line else problem.path
    return f"{where}: {problem.severity}: " + (f"{problem.field}: " if problem.field else "") + problem.message
