"""What the commands print: problems (for a person, as JSON, or as GitHub annotations) and a
progress line on a terminal."""

from __future__ import annotations

import json
import sys

from ..errors import Problem, annotation


def report(problems: list[Problem], fmt: str = "text") -> None:
    """Every problem, then a count: as lines on stderr (`text`), or on stdout as one JSON document
    (`json`: {"summary", "problems"}) or as annotations at each file and line (`github`)."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        print(json.dumps({"summary": {"errors": errors, "warnings": warnings},
                          "problems": [{"path": p.path, "line": p.line, "col": p.col, "field": p.field or None,
                                        "severity": p.severity, "message": p.message} for p in problems]},
                         indent=2, ensure_ascii=False))
        return
    stream = sys.stdout if fmt == "github" else sys.stderr
    for p in problems:
        print(annotation(p.severity, p.path, p.line or 1, p.message, p.field, p.col or 1) if fmt == "github" else p,
              file=stream)
    print(f"{errors} error{'s' if errors != 1 else ''}" + (f", {warnings} warning(s)" if warnings else ""),
          file=stream)


def warn(warnings: list[Problem], fmt: str = "text") -> None:
    """The warnings of a run that succeeded: labelled lines on stderr, or `report`'s forms."""
    if fmt == "text":
        for problem in warnings:
            print(labelled(problem), file=sys.stderr)
    else:
        report(warnings, fmt)


def labelled(problem: Problem) -> str:
    """`path:line:col: error: field: message` (or `warning:`): one line that says what it is."""
    where = f"{problem.path}:{problem.line}:{problem.col}" if problem.line else problem.path
    return f"{where}: {problem.severity}: " + (f"{problem.field}: " if problem.field else "") + problem.message


class Progress:
    """`NAME 3 of 120, current` on a terminal, redrawn in place; `clear()` wipes it at the end."""

    def __init__(self, stream, name: str) -> None:
        self.stream, self.name, self.width = stream, name, 0

    def __call__(self, done: int, total: int, current: str = "") -> None:
        text = f"{self.name} {done} of {total}" + (f", {current}" if current else "")
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(text))

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
