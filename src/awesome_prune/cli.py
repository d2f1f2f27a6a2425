"""Command line: parse options, call one stage, turn problems into messages and exit codes.

Exit codes: 0 success, 1 problems in the data (or outputs out of date with --check), 2 usage or
settings error. Each command lives in `commands/<name>.py` and imports its stage lazily.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from pathlib import Path

from .commands import COMMANDS
from .commands.output import report
from . import __version__
from .errors import ProblemsError, SettingsError


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="awesome-prune",
        description="Validate the paper records, generate the list from them and check its links.",
        epilog="Exit codes: 0 success, 1 problems found (or outputs out of date), 2 usage or settings error.",
    )
    root.add_argument("--root", type=Path, default=Path("."), help="the list's folder (default: current folder)")
    root.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMANDS:
        module = importlib.import_module(f".commands.{module_name}", __package__)
        name = module_name.rstrip("_")
        command = sub.add_parser(name, help=module.HELP, description=module.DESCRIPTION,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
        # `awesome-prune build --root DIR` as well as `awesome-prune --root DIR build`
        command.add_argument("--root", type=Path, default=argparse.SUPPRESS,
                             help="the list's folder (default: current folder)")
        module.add_arguments(command)
        command.set_defaults(func=module.run)
    return root


def main(argv: list[str] | None = None) -> int:
    return _dispatch(parser().parse_args(argv))


def _dispatch(args: argparse.Namespace) -> int:
    try:
        return args.func(args)
    except SettingsError as exc:
        report(exc.problems, fmt=getattr(args, "problem_format", "text"))
        return 2
    except ProblemsError as exc:
        report(exc.problems, fmt=getattr(args, "problem_format", "text"))
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """The console entry (`awesome-prune`, `python -m awesome_prune`).

    A build is a short batch process that keeps ~100 objects per paper alive to its end; with
    CPython 3.11's default thresholds the cyclic collector walks all of them again and again (14
    full collections, ~35% of a 10,000-paper build). Like mypy's entry point, this one sets a
    larger first threshold for the process; nothing is paused, frozen or turned off, and the
    library (tests, other programs) keeps the interpreter's defaults."""
    gc.set_threshold(50_000, 20, 20)
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # `awesome-prune export | head`: the reader left; nothing more to say
        sys.stdout = None
    sys.exit(code)
