"""awesome-prune export"""

import sys

HELP = "print the list as JSON or BibTeX (what data/papers.json and data/papers.bib hold)"
DESCRIPTION = ("Print every non-draft paper, in README order, to standard output: `--format json` (the stable "
               "data/papers.json layout) or `--format bibtex` (one entry per paper, keyed by its id).")


def add_arguments(parser) -> None:
    parser.add_argument("--format", choices=["json", "bibtex"], default="json",
                        help="output format (default: json)")


def run(args) -> int:
    from ..records.catalog import load_catalog
    from ..render.exports import export

    text = export(load_catalog(args.root), args.format)
    binary = getattr(sys.stdout, "buffer", None)
    if binary is None:
        sys.stdout.write(text)
    else:  # UTF-8 and `\n` whatever the locale: the same bytes as the files `build` writes
        sys.stdout.flush()
        binary.write(text.encode("utf-8"))
        binary.flush()
    return 0
