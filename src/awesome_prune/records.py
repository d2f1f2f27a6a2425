"""Record files read and parsed, not validated: the papers folder's listing, then each file's bytes,
data and identities, in batches (no pydantic here; `catalog` validates)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .errors import ProblemsError, shown_path
from .identity import paper_keys
from .load import parse_mapping, read_yaml

BATCH = 32  # records per batch, worked out stage by stage (`read_records`)


def record_files(folder: Path) -> list[Path]:
    """The record files of the papers folder (every entry but hidden ones), in path order.
    (`iterdir` makes the paths four times faster than joining 10,000 names to the folder.)"""
    try:
        files = [file for file in folder.iterdir() if not file.name.startswith(".")]
    except (FileNotFoundError, NotADirectoryError):
        return []
    if os.name == "posix":
        return sorted(files, key=lambda file: file.name)
    return sorted(files, key=lambda file: os.path.normcase(file.name))


def record_entries(root: Path, papers: str) -> list[tuple[Path, str]]:
    """(file, path as shown in messages) of every record in the folder `papers` of the list at `root`."""
    folder = root / papers
    files = record_files(folder)
    shown = shown_path(folder, root)
    prefix = "" if shown == "." else shown + "/"
    return [(file, prefix + file.name) for file in files]


def batches(items: list) -> list[list]:
    """`items` in runs of `BATCH`."""
    return [items[start:start + BATCH] for start in range(0, len(items), BATCH)]


def read_records(entries: list[tuple[Path, str]], signatures: bool = False) -> list[tuple[Any, Any, Any]]:
    """For each record file, (data, (url, title, identity keys) or None, its `buildstamp`
    signature when `signatures` is asked for, else None), or (None, problems, None).

    Worked out stage by stage over the whole batch (read every file, then parse every text, …):
    each stage's code then stays in the processor's caches, which is ~30% faster than record by
    record for the same result."""
    if signatures:
        from .buildstamp import read_signature
    raws: list = []
    for file, path in entries:
        try:
            raws.append(read_yaml(file, path))
        except ProblemsError as exc:
            raws.append(exc)
    results: list[tuple[Any, Any, Any]] = []
    for (_, path), read in zip(entries, raws):
        if isinstance(read, ProblemsError):
            results.append((None, read.problems, None))
            continue
        try:
            results.append((parse_mapping(read[0], path), None, read_signature(*read) if signatures else None))
        except ProblemsError as exc:
            results.append((None, exc.problems, None))
    for index, (data, _, signature) in enumerate(results):
        if data is not None:
            url, title = data.get("paper"), data.get("title")
            if type(url) is str and type(title) is str:
                results[index] = (data, (url, title, paper_keys(url, title)), signature)
    return results
