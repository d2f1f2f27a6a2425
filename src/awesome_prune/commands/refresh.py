"""awesome-prune refresh"""

import json
import sys

from ..errors import annotation
from .output import Progress

HELP = "check the records against arXiv (title, authors, year, withdrawal, versions); --write fills in authors"
DESCRIPTION = """\
Ask the arXiv API about every record whose paper link is an arXiv URL (or only the PAPERs named,
by id or file) and report, at the record's file and line: a title that differs (beyond case,
spacing, punctuation and TeX; most often a wrong id), authors missing or different from arXiv's,
a preprint's year other than its first arXiv version's or a venue year before it, a withdrawn
paper, a link to an older version (vN) than arXiv's latest, and an id arXiv does not know.

Up to 100 ids go in one request, one request every 3 s as arXiv asks. The API address can be set
with AWESOME_PRUNE_ARXIV_API (--interval may then be shorter).

--write fills in the authors of records that list none; with --force it also replaces an author
list that differs and a preprint's year. Nothing else is written: a title, link or venue that
disagrees is for a person to look at. Only the line(s) of that value change (comments, key order
and every other byte stay); the file must still validate, and is replaced atomically. Nothing is
written when arXiv could not be asked."""
EPILOG = """\
exit codes:
  0  nothing found (or everything found was written)
  1  findings
  2  usage error, or arXiv could not be asked (findings so far are still reported)"""


def add_arguments(parser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("papers", nargs="*", metavar="PAPER", help="paper ids or record files (default: all)")
    parser.add_argument("--write", action="store_true", help="fill in authors that are missing")
    parser.add_argument("--force", action="store_true", help="with --write: also replace different authors and "
                                                             "a preprint's year")
    parser.add_argument("--format", choices=["text", "json", "github"], default="text",
                        help="text (default), json, or github workflow annotations")
    parser.add_argument("--timeout", type=float, default=None, metavar="S", help="seconds per request (default 15)")
    parser.add_argument("--interval", type=float, default=None, metavar="S",
                        help="seconds between requests (default 3; less only with AWESOME_PRUNE_ARXIV_API)")


def _usage(message: str):
    from ..errors import Problem, SettingsError

    return SettingsError([Problem("refresh", 0, 0, "", message)])


def run(args) -> int:
    from ..contrib import arxiv
    from ..contrib.refresh import INTERVAL, refresh

    if args.force and not args.write:
        raise _usage("--force only goes with --write")
    if args.timeout is not None and not 0 < args.timeout <= 300:
        raise _usage("--timeout must be more than 0 and at most 300 seconds")
    interval = INTERVAL if args.interval is None else args.interval
    if interval < 0 or interval < INTERVAL and arxiv.api_url() == arxiv.DEFAULT_API:
        raise _usage(f"--interval under {INTERVAL:g} s is only for another API address (AWESOME_PRUNE_ARXIV_API): "
                     f"arXiv asks for {INTERVAL:g} s between requests")
    progress = Progress(sys.stderr, "refresh") if sys.stderr.isatty() else None
    try:
        report = refresh(args.root, args.papers, write=args.write, force=args.force, interval=interval,
                         timeout=args.timeout or arxiv.TIMEOUT, progress=progress)
    finally:
        if progress is not None:
            progress.clear()
    sys.stdout.write(render(report, args.format))
    if report.error:
        print(f"error: {report.error}; the findings above are partial, nothing was written", file=sys.stderr)
        return 2
    return 1 if report.remaining else 0


def summary(report) -> str:
    found, written = len(report.findings), sum(f.written for f in report.findings)
    text = f"{found} finding{'s' if found != 1 else ''}" + (f" ({written} written)" if written else "")
    text += f"; {report.checked} record{'s' if report.checked != 1 else ''} checked on arXiv"
    text += f", {report.other} with another link" if report.other else ""
    return text + (f"; wrote {', '.join(report.written)}" if report.written else "")


def render(report, fmt: str) -> str:
    """The report as text (a line per finding, then a summary), JSON or GitHub annotations."""
    if fmt == "json":
        items = [{"file": f.problem.path, "line": f.problem.line or None, "column": f.problem.col or None,
                  "field": f.problem.field or None, "kind": f.kind, "severity": f.problem.severity,
                  "message": f.problem.message, "arxiv_id": f.arxiv_id, "arxiv": f.arxiv, "written": f.written}
                 for f in report.findings]
        return json.dumps({"findings": items, "written": report.written, "checked": report.checked,
                           "other": report.other, "error": report.error}, indent=2, ensure_ascii=False) + "\n"
    lines = []
    for f in report.findings:
        if fmt == "github":
            lines.append(annotation("warning", f.problem.path, f.problem.line, str(f.problem),
                                    f"refresh: {f.kind}" + (" (written)" if f.written else "")))
        else:
            lines.append(f"{f.problem}" + (" [written]" if f.written else ""))
    return "\n".join(lines + [summary(report)]) + "\n"
