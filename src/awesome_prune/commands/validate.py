"""awesome-prune validate"""

import sys

HELP = "check every record and the taxonomy; write nothing"
DESCRIPTION = "Check every record, the taxonomy and the settings; report all problems at once; write nothing."


def add_arguments(parser) -> None:
    pass


def run(args) -> int:
    from ..records.catalog import load_catalog
    from .output import labelled

    catalog = load_catalog(args.root)
    for problem in catalog.warnings:
        print(labelled(problem), file=sys.stderr)
    drafts = sum(p.draft for p in catalog.records)
    print(f"{len(catalog.records)} records valid ({drafts} draft{'s' if drafts != 1 else ''})")
    return 0
