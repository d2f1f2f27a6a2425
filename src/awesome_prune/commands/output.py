"""Printing problems: for a person (one line each, then a count), as JSON, or as GitHub annotations."""

from __future__ import annotations

import json
import sys

FORMATS = ("text", "json", "github")


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def report(problems, stream=None, fmt: str = "text") -> None:
    """Every problem, then a count: `text` on stderr (or `stream`); `json` ({"summary", "problems"})
    and `github` (::error/::warning annotations at each file and line) on stdout."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if fmt == "json":
        print(json.dumps({"summary": {"errors": errors, "warnings": warnings},
                          "problems": [{"path": p.path, "line": p.line, "col": p.col, "field": p.field or None,
                                        "severity": p.severity, "message": p.message} for p in problems]},
                         indent=2, ensure_ascii=False), file=stream or sys.stdout)
        return
    if fmt == "github":
        for p in problems:
            where = f"file={_escape(p.path, True)},line={p.line or 1},col={p.col or 1}"
            title = f",title={_escape(p.field, True)}" if p.field else ""
            print(f"::{p.severity} {where}{title}::{_escape(p.message)}", file=stream or sys.stdout)
        stream = stream or sys.stdout
    stream = stream or sys.stderr
    if fmt == "text":
        for problem in problems:
            print(problem, file=stream)
    print(f"{errors} error{'s' if errors != 1 else ''}" + (f", {warnings} warning(s)" if warnings else ""),
          file=stream)


def labelled(problem) -> str:
    """`path:line:col: error: field: message` (or `warning:`): one line that says what it is."""
    where = f"{problem.path}:{problem.line}:{problem.col}" if problem.line else problem.path
    return f"{where}: {problem.severity}: " + (f"{problem.field}: " if problem.field else "") + problem.message
