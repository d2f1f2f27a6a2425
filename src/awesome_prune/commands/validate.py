"""awesome-prune validate"""

HELP = "check every record and the taxonomy; write nothing"
DESCRIPTION = "Check every record, the taxonomy and the settings; report all problems at once; write nothing."


def add_arguments(parser) -> None:
    parser.add_argument("--format", dest="problem_format", choices=["text", "json", "github"], default="text",
                        help="problems as text (default), JSON, or GitHub annotations at each record's line")


def run(args) -> int:
    from ..records.catalog import load_catalog
    from .output import warn

    catalog = load_catalog(args.root)
    warn(catalog.warnings, args.problem_format)
    drafts = sum(p.draft for p in catalog.records)
    if args.problem_format != "text":
        return 0
    print(f"{len(catalog.records)} records valid ({drafts} draft{'s' if drafts != 1 else ''})")
    return 0
