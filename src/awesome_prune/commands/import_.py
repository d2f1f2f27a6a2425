"""awesome-prune import"""

import datetime as _dt
import sys
from pathlib import Path

HELP = "convert a hand-written markdown list (the old README format) into a list of paper records"
DESCRIPTION = """\
Read a hand-written list in the old README format -- one table per `### YEAR` section, rows of
title & take-away, tag badges, notes and code -- and write a list folder DIR that
`awesome-prune --root DIR build` accepts:

  papers/<id>.yaml        one record per row; rows commented out with `[//]: # (...)` become drafts
  pyproject.toml          [tool.awesome-prune]: title from the README's first heading, intro from the
                          text under it, a placeholder repository (https://github.com/OWNER/NAME) to
                          replace, recent = 0 (no paper is "recently added" by an import)
  concepts/taxonomy.yaml  the tag vocabulary: DIR's own is used and left alone; otherwise the current
                          list's (--root), else awesome-prune's, is copied
  templates/              awesome-prune's default templates
  challenge/general.md    awesome-prune's introduction to the challenge notes (to rewrite)
Files DIR already has are not overwritten (records only with --force). The templates, taxonomy,
challenge introduction and badge mapping are those of the awesome-prune checkout the command runs
from (installed with `pip install -e`, as `make` does).

Ids are derived from the titles as `new` does. `added` keeps the order of the rows: one day apart,
the last row today (or --date for every record).

Tags: the badge texts listed in docs/taxonomy-mapping.md map to the value and detail given there;
any other badge names values of the taxonomy (name, alias or short label, split at `/`), with a
detail after a space, `_`, `~` or `-` (`Medium 45B` is Medium with detail 45B). A near miss
(`Samll`) is suggested, not corrected. Values the taxonomy lacks are kept verbatim and reported;
with --add-values they are added to the taxonomy written, with an explanation to write that
`validate` reports as a warning, so that the list builds at once.

With --challenges, each row's Challenge link (`challenge.md#anchor`, also the old `challenge.md/#anchor`)
picks the section of that page whose notes become the record's notes.challenges.

Nothing is silently dropped: every message says `error:` or `warning:` with the README's line and
column. What could be read is written anyway; a row whose paper link repeats an earlier row's is
written as a draft explaining why (its Reviews link on OpenReview, when it has one, stands in as
its paper link); a take-away link to a relative path is written as its text.

Exit codes: 0 everything imported (warnings only), 1 some rows have errors (the readable rows are
written all the same; the messages say what to fix), 2 usage or settings error (nothing written)."""


def add_arguments(parser) -> None:
    parser.add_argument("readme", type=Path, help="the hand-written list, e.g. README.md")
    parser.add_argument("--out", type=Path, metavar="DIR", help="the list folder to write into (default: --root)")
    parser.add_argument("--challenges", type=Path, metavar="FILE",
                        help="the hand-written challenge page, e.g. challenge/challenge.md")
    parser.add_argument("--force", action="store_true", help="overwrite existing records")
    parser.add_argument("--date", type=_dt.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the `added` date of every record (default: one day apart, the last row today)")
    parser.add_argument("--add-values", action="store_true",
                        help="add the tag values the taxonomy lacks to the taxonomy written, to be explained")


def run(args) -> int:
    from ..contrib.importer import import_list
    from ..errors import ProblemsError, SettingsError
    from .output import labelled

    try:
        result = import_list(args.readme, out=args.out or args.root, root=args.root, challenges=args.challenges,
                             force=args.force, date=args.date, add_values=args.add_values)
    except ProblemsError as exc:
        result, code = None, 2 if isinstance(exc, SettingsError) else 1
        problems = exc.problems
    else:
        problems = result.problems
    for problem in problems:
        print(labelled(problem), file=sys.stderr)
    errors = sum(p.severity == "error" for p in problems)
    print(f"{errors} error{'s' if errors != 1 else ''}, {len(problems) - errors} warning"
          f"{'s' if len(problems) - errors != 1 else ''}", file=sys.stderr)
    if result is None:
        return code
    for path in result.written:
        print(f"wrote {path}")
    drafts = f" ({result.drafts} draft{'s' if result.drafts != 1 else ''})" if result.drafts else ""
    print(f"{len(result.records)} record{'s' if len(result.records) != 1 else ''} imported{drafts}, "
          f"{len(result.written)} file{'s' if len(result.written) != 1 else ''} written")
    return 1 if errors else 0
