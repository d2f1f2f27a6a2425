"""awesome-prune: a curated paper list kept as YAML records and rendered to markdown."""

__version__ = "0.1.0"
