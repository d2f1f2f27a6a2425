"""Command line: parse options, call one stage, turn problems into messages and exit codes.

Exit codes: 0 success, 1 problems in the data (or outputs out of date with --check), 2 usage.
Stages are imported inside each command so that `--help` and quick commands stay fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import ProblemsError


def _report(problems, stream=sys.stderr) -> None:
    for problem in problems:
        print(problem, file=stream)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    print(f"{errors} error{'s' if errors != 1 else ''}" + (f", {warnings} warning(s)" if warnings else ""),
          file=stream)


def cmd_validate(args) -> int:
    from .catalog import load_catalog

    catalog = load_catalog(args.root)
    drafts = sum(p.draft for p in catalog.records)
    print(f"{len(catalog.records)} records valid ({drafts} draft{'s' if drafts != 1 else ''})")
    return 0


def cmd_build(args) -> int:
    from .build import build

    result = build(args.root, check=args.check)
    if args.check:
        for diff in result.differences:
            print(f"{diff.path}: differs from what `make build` generates", file=sys.stderr)
            print(diff.diff, file=sys.stderr)
        if result.differences:
            print(f"{len(result.differences)} generated file(s) out of date; run `make build` and commit them",
                  file=sys.stderr)
            return 1
        print(f"{len(result.outputs)} generated files up to date")
        return 0
    print(f"{len(result.outputs)} files generated, {len(result.written)} changed"
          + (f": {', '.join(result.written)}" if result.written else ""))
    return 0


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="awesome-prune",
        description="Validate the paper records and generate the list from them.",
        epilog="Exit codes: 0 success, 1 problems found (or outputs out of date), 2 usage or settings error.",
    )
    root.add_argument("--root", type=Path, default=Path("."), help="the list's folder (default: current folder)")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check every record and the taxonomy; write nothing",
                       description="Check every record and the taxonomy, report all problems, write nothing.")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="validate, then regenerate README, concept pages and challenge notes",
                       description="Validate everything, then regenerate the outputs (only changed files are written).")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 naming each output that differs from what is on disk")
    p.set_defaults(func=cmd_build)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except ProblemsError as exc:
        _report(exc.problems)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
