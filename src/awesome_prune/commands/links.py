"""awesome-prune links"""

import os
import sys
from pathlib import Path

HELP = "check the links of the generated pages (or of given markdown files); --external for URLs"
DESCRIPTION = """\
Check every link of README.md, concepts/<page>.md and challenge/challenge.md (and of the built site's
HTML pages, when _site/ exists), or of the markdown files and folders given: files exist, anchors
exist as GitHub computes them, no `file.md/#x`. With --external, every http(s) URL is fetched too
(private, loopback and link-local addresses are refused unless --allow-network names them).

Each problem names its source first -- the record file and line of the field that wrote the link
(papers/<id>.yaml:7: code.url: …), the taxonomy, pyproject.toml or the template -- then where the
generated page shows it. Defaults come from [tool.awesome-prune.links] in pyproject.toml (timeout,
workers, per_host, exclude, accept, user_agent, cache, cache_max_age); flags override them, and
--exclude patterns are added to the configured ones. GITHUB_TOKEN, when set, is sent to
api.github.com only, to confirm repositories github.com rate-limits."""
EPILOG = """\
exit codes:
  0  no broken link (warnings and, without --strict, unverifiable links do not fail)
  1  broken links; with --strict, unverifiable links (403 bot walls, timeouts, lasting 429) too
  2  usage or settings error: bad flag, invalid CIDR or regular expression, missing path"""


def add_arguments(parser) -> None:
    parser.epilog = EPILOG
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                        help="markdown files or folders to check instead of the generated pages")
    parser.add_argument("--external", action="store_true", help="also fetch every http(s) URL")
    parser.add_argument("--strict", action="store_true", help="unverifiable URLs fail the run too")
    parser.add_argument("--format", choices=["text", "json", "github", "markdown"], default="text",
                        help="text (default), json ({\"summary\", \"findings\"}: the problems), github annotations, "
                             "or markdown (the problems grouped by file, for an issue)")
    parser.add_argument("--all", action="store_true", dest="everything",
                        help="with --format json, list the working URLs too")
    parser.add_argument("--timeout", type=float, metavar="S", help="seconds per request (setting: 10)")
    parser.add_argument("--workers", type=int, metavar="N", help="requests at once (setting: 24)")
    parser.add_argument("--per-host", type=int, metavar="N", help="requests at once to one host (setting: 4)")
    parser.add_argument("--exclude", action="append", default=[], metavar="REGEX",
                        help="skip URLs this regular expression finds (repeatable)")
    parser.add_argument("--accept", metavar="CODES", help="status codes that count as working (setting: 200-299)")
    parser.add_argument("--user-agent", metavar="UA", help="User-Agent header of the requests")
    parser.add_argument("--allow-network", action="append", default=[], metavar="CIDR",
                        help="let the checker connect to this otherwise refused network (repeatable)")
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument("--cache", type=Path, metavar="FILE", help="cache of working URLs (setting: .cache/links.json)")
    cache.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--cache-max-age", type=float, metavar="S", help="seconds a cached success is trusted")


def run(args) -> int:
    from ..links.config import LinkFlags
    from ..links.report import exit_code, render
    from ..links.run import check_links

    flags = LinkFlags(timeout=args.timeout, workers=args.workers, per_host=args.per_host, exclude=args.exclude,
                      accept=args.accept, user_agent=args.user_agent, allow_networks=args.allow_network,
                      cache=args.cache, no_cache=args.no_cache, cache_max_age=args.cache_max_age)
    from .output import Progress

    bar = Progress(sys.stderr, "links") if args.external and args.format == "text" and sys.stderr.isatty() else None
    try:
        report = check_links(args.root, args.paths, external=args.external, flags=flags,
                             github_token=os.environ.get("GITHUB_TOKEN"), progress=bar)
    finally:
        if bar is not None:
            bar.clear()
    sys.stdout.write(render(report, args.format, args.strict, args.everything))
    return exit_code(report, args.strict)
