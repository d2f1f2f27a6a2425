"""One module per CLI command. Each defines HELP, DESCRIPTION, `add_arguments(parser)` and
`run(args) -> int`, and imports its stage inside `run`, so that building the parser stays cheap.

Commands are listed in `COMMANDS`, in the order `--help` shows them; a name ending in `_`
(`import_`) is a Python keyword and becomes the command without it.
"""

COMMANDS = ["validate", "build", "links", "serve", "new", "refresh", "import_", "schema", "export"]
