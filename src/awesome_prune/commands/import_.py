"""awesome-prune import"""

import datetime as _dt
import sys
from pathlib import Path

HELP = "convert a hand-written markdown list (the old README format) into paper records"
DESCRIPTION = """\
Read a hand-written list in the old README format -- one table per `### YEAR` section, rows of
title & take-away, tag badges, notes and code -- and write one record per row to DIR/papers/<id>.yaml.
Rows commented out with `[//]: # (...)` become drafts (draft: true). Ids are derived from the titles
as `new` does; `added` is today's date unless --date is given.

Tags are resolved against DIR/concepts/taxonomy.yaml, or the current list's taxonomy when DIR has
none, in which case it is copied to DIR together with any value the rows use that it lacks. Values
the taxonomy does not know are kept verbatim in the records and reported.

With --challenges, each row's Challenge link (`challenge.md#anchor`, also the old `challenge.md/#anchor`)
picks the section of that page whose notes become the record's notes.challenges.

Nothing is silently dropped: every row that cannot be read as it stands (wrong number of cells,
empty `()` links, unknown tags, unreadable cells, a paper link already used by an earlier row) is
reported with its line. What could be read is written anyway, so one bad row does not hold up the
others; a row whose paper link repeats an earlier row's is written as a draft with a comment
explaining why (its Reviews link on OpenReview, when it has one, stands in as its paper link so
that the list still builds). A row without a title or paper link is not written.

Existing records -- same file, or the same paper under another id -- are never overwritten unless
--force is given (then the existing id is kept).

Exit codes: 0 everything imported (warnings only), 1 some rows have errors (the readable rows are
written all the same; the messages say what to fix), 2 usage or settings error (nothing written)."""


def add_arguments(parser) -> None:
    parser.add_argument("readme", type=Path, help="the hand-written list, e.g. README.md")
    parser.add_argument("--out", type=Path, metavar="DIR", help="the list folder to write into (default: --root)")
    parser.add_argument("--challenges", type=Path, metavar="FILE",
                        help="the hand-written challenge page, e.g. challenge/challenge.md")
    parser.add_argument("--force", action="store_true", help="overwrite existing records")
    parser.add_argument("--date", type=_dt.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the `added` date of every record (default: today)")


def run(args) -> int:
    from .output import report
    from ..contrib.importer import import_list

    result = import_list(args.readme, out=args.out or args.root, root=args.root, challenges=args.challenges,
                         force=args.force, today=args.date)
    if result.problems:
        report(result.problems)
    for path in result.written:
        print(f"wrote {path}")
    drafts = f" ({result.drafts} draft{'s' if result.drafts != 1 else ''})" if result.drafts else ""
    print(f"{len(result.records)} record{'s' if len(result.records) != 1 else ''} imported{drafts}, "
          f"{len(result.written)} file{'s' if len(result.written) != 1 else ''} written", file=sys.stdout)
    return 1 if any(p.severity == "error" for p in result.problems) else 0
