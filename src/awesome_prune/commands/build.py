"""awesome-prune build"""

import sys
from pathlib import Path

HELP = "validate, regenerate every output and the static site, and check the outputs' local links"
DESCRIPTION = """\
Validate everything, then regenerate the outputs: README.md, concepts/<page>.md, challenge/challenge.md,
data/papers.json, data/papers.bib, schema/paper.schema.json, schema/taxonomy.schema.json and
.github/ISSUE_TEMPLATE/add-paper.yml, and the static site in _site/ (or --site DIR). Only files whose
content changed are written, each atomically; nothing is written while any record has an error.
Then the local links of the pages are checked (files and anchors, no network) from what the renderer
recorded. One build of a list at a time: a second one waits for the first.
Exit codes: 0 done, 1 problems in the records or broken links (or, with --check, outputs out of
date), 2 usage or settings error."""


def add_arguments(parser) -> None:
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 naming each output that differs from what is on disk")
    site = parser.add_mutually_exclusive_group()
    site.add_argument("--site", metavar="DIR", type=Path, default=None,
                      help="write the static site into DIR (default: _site in the list's folder). DIR must be "
                           "absent, empty, or a site folder this tool wrote (it holds .awesome-prune-site); "
                           "only files the last build wrote there are removed. Refused: the list's folder "
                           "and the folders it reads or writes (papers, templates, concepts, …)")
    site.add_argument("--no-site", action="store_true", help="do not build the static site")
    parser.add_argument("--format", dest="problem_format", choices=["text", "json", "github"], default="text",
                        help="problems of the records as text (default), JSON, or GitHub annotations at their lines")
    parser.add_argument("--no-links", action="store_true",
                        help="do not check the local links of what was written (files and anchors; no network)")


def say(message: str) -> None:
    """A note on stderr (the wait for another build's lock)."""
    print(message, file=sys.stderr, flush=True)


def run(args) -> int:
    from ..build import build
    from ..sitefolder import SITE_DIR

    site_dir = None
    if not args.check and not args.no_site:
        site_dir = args.site if args.site is not None else args.root / SITE_DIR
    result = build(args.root, check=args.check, site_dir=site_dir, links=not args.no_links, on_wait=say)
    from .output import warn

    warn(result.warnings, args.problem_format)
    if args.check:
        for diff in result.differences:
            print(f"{diff.path}: differs from what `awesome-prune build` generates", file=sys.stderr)
            print(diff.diff, file=sys.stderr)
        if result.differences:
            print(f"{len(result.differences)} generated file(s) out of date; run `awesome-prune build` (or `make build`) "
                  "and commit them",
                  file=sys.stderr)
            return 1
        print(f"{len(result.outputs)} generated files up to date")
        return 0
    print(f"{len(result.outputs)} files generated, {len(result.written)} changed"
          + (f": {', '.join(result.written)}" if result.written else ""))
    if result.site is not None:
        print(f"site: {result.site.folder}, {len(result.site.written)} file(s) written, "
              f"{len(result.site.removed)} stale file(s) removed")
    if result.links is not None:
        from ..links.report import exit_code, render

        print(render(result.links), end="")
        return exit_code(result.links)
    return 0
