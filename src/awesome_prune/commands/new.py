"""awesome-prune new"""

import sys

HELP = "start a paper record from an arXiv id or URL, an OpenReview URL or a DOI"
DESCRIPTION = """\
Write papers/<id>.yaml prefilled for one paper, with a comment on every field left to fill in.

For an arXiv id or URL (any version, abs or pdf) the title, the year of the first version and any
venue named in the arXiv comment are fetched from the arXiv API (one request; the API address can
be set with AWESOME_PRUNE_ARXIV_API). The id is derived from the title (`SparseGPT: …` → sparsegpt;
-2, -3 … when taken) unless --id is given. OpenReview URLs and DOIs are not fetched.

With --offline, or when arXiv cannot be reached, a skeleton with only the paper link is written and
stderr says so; an id arXiv does not know is refused. Nothing is written when the paper is already
in the list (same arXiv id in any version, OpenReview forum, DOI or title) or the file exists.

The new record is not valid until its take-away and tags are filled in: the fields still to fill
are listed on stdout. Exit codes: 0 written (possibly as a skeleton), 1 refused, 2 settings error."""


def add_arguments(parser) -> None:
    parser.add_argument("paper", help="arXiv id (2306.11695, 2306.11695v2) or URL, OpenReview forum URL, or DOI")
    parser.add_argument("--offline", action="store_true", help="do not ask arXiv; write a skeleton with the link")
    parser.add_argument("--id", dest="record_id", metavar="ID", help="the record's id (kebab-case) instead of one "
                                                                      "derived from the title")


def run(args) -> int:
    from ..contrib.new import new_record

    result = new_record(args.root, args.paper, offline=args.offline, record_id=args.record_id)
    for notice in result.notices:
        print(f"note: {notice}", file=sys.stderr)
    print(f"wrote {result.path}" + ("" if result.fetched else " (skeleton)")
          + ("; still to fill in before it validates:" if result.to_fill else ""))
    for problem in result.to_fill:
        print(f"  {problem}")
    return 0
