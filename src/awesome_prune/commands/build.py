"""awesome-prune build"""

import sys

HELP = "validate, then regenerate README, concept pages and challenge notes"
DESCRIPTION = ("Validate everything, then regenerate the outputs; only files whose content changed are "
               "written, each atomically. Nothing is written while any record has an error.")


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming each output that differs from what is on disk")


def run(args) -> int:
    from ..build import build

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
