"""awesome-prune schema"""

from pathlib import Path

HELP = "write the JSON Schema of paper records and of the taxonomy (for editors)"
DESCRIPTION = ("Write paper.schema.json and taxonomy.schema.json, generated from the models; the paper schema "
               "lists the tag values of the taxonomy. Reads only the settings and the taxonomy, so it works while "
               "records have errors. `build` regenerates schema/ too; this command is for another folder or a "
               "quick refresh.")


def add_arguments(parser) -> None:
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="folder to write into (default: schema/ in the list's folder)")


def run(args) -> int:
    from ..records.catalog import load_taxonomy
    from ..render.schema import FOLDER, schema_files
    from ..write import write_outputs

    settings, taxonomy = load_taxonomy(args.root)
    out = args.out if args.out is not None else args.root / FOLDER
    files = schema_files(settings, taxonomy)
    written = write_outputs(out, files)
    print(f"{len(files)} schema files in {out}, {len(written)} changed"
          + (f": {', '.join(written)}" if written else ""))
    return 0
