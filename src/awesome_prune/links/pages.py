"""One parse per file: a markdown page's links and anchors from the same token stream, and many
pages read on two cores.

:func:`scan_markdown` reads a file once, parses it once (with
:func:`awesome_prune.links.extract.scan_parser`) and keeps only what the local check needs: every
link's (url, line) and every anchor name, in document order -- never the tokens, which for a large
page take far more memory than its text. :func:`map_files` applies such a function to many files,
in a second (forked) process for about half of the bytes when there are enough of them (more than
:data:`MIN_PARALLEL_BYTES`, two CPUs, Linux; ``AWESOME_PRUNE_JOBS=1`` turns it off), a file bigger
than all the others together shared between the two when the caller knows how to (:class:`Split`);
results are the same as a plain loop, in the same order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from ..anchors import anchors_in
from ..gcpause import paused_gc
from ..parallel import can_fork, in_child
from .extract import link_items, scan_parser
from .probe import Read, read_file

__all__ = ["MIN_PARALLEL_BYTES", "Scan", "Split", "check_each", "map_files", "scan_markdown", "scan_text",
           "target_path"]

R = TypeVar("R")

MIN_PARALLEL_BYTES = 1 << 20  # below this a second process does not pay for itself


class Scan(NamedTuple):
    """What the local check needs of one markdown file."""

    links: list[tuple[str, int]]  # (url as extracted, 1-based line), in document order
    anchors: list[str]  # anchor names, in document order (awesome_prune.anchors.document_anchors)
    reason: str  # why the file could not be read; '' when it was
    digest: str  # of the file's bytes (see awesome_prune.links.probe.read_file)


def scan_text(markdown: str) -> tuple[list[tuple[str, int]], list[str]]:
    """(links, anchors) of ``markdown``, from one parse."""
    tokens = scan_parser().parse(markdown)
    links = [(url, line) for url, line, _ in link_items(tokens)]
    return links, [anchor.name for anchor in anchors_in(tokens)]


def scan_markdown(path: Path) -> Scan:
    """Read and scan one markdown file; an unreadable file gives no links, no anchors, a reason."""
    read: Read = read_file(path)
    if read.text is None:
        return Scan([], [], read.reason, read.digest)
    with paused_gc():
        links, anchors = scan_text(read.text)
    return Scan(links, anchors, "", read.digest)


def _size(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except (OSError, ValueError):
        return 0


class Split(NamedTuple):
    """How two processes share one file too big to leave to one of them (see :func:`map_files`)."""

    head: Callable[[Path], Any]  # here, first: the first part, keeping what it needs to go on alone
    tail: Callable[[Path], Any]  # in the child: the rest (module-level, picklable result)
    join: Callable[[Any, Any], Any]  # (head, tail or None when the child failed) → the file's result


def _groups(sizes: Sequence[int], skip: int | None) -> tuple[list[int], list[int]]:
    """Indexes (but ``skip``, shared by both) in two groups of about the same total size (biggest
    first, greedy)."""
    groups: tuple[list[int], list[int]] = ([], [])
    loads = [0, 0]
    for index in sorted(range(len(sizes)), key=lambda i: (-sizes[i], i)):
        if index == skip:
            continue
        side = 0 if loads[0] <= loads[1] else 1
        groups[side].append(index)
        loads[side] += sizes[index]
    return groups


def _child(func: Callable[[Path], R], tail: Callable[[Path], Any] | None, shared: Path | None,
           paths: list[Path]) -> tuple[Any, list[R]]:
    with paused_gc():
        return (tail(shared) if tail is not None and shared is not None else None), [func(p) for p in paths]


def map_files(func: Callable[[Path], R], paths: Sequence[Path], split: Split | None = None) -> list[R]:
    """``[func(p) for p in paths]``, part of it in a forked process when the files are big enough.

    ``func`` must return picklable data. The files go to the two
    processes by size; with ``split``, a file bigger than all the others together is shared:
    ``split.head`` here, ``split.tail`` in the child, ``split.join`` of both is its result. When the
    second process cannot deliver (no fork here, one CPU, a child that dies), the rest is computed
    here, so an exception is raised here exactly as the plain loop would raise it.
    """
    paths = list(paths)
    sizes = [_size(path) for path in paths]
    total = sum(sizes)
    big = max(range(len(paths)), key=lambda i: (sizes[i], -i), default=None)
    shared = big if split is not None and big is not None and sizes[big] * 2 > total else None
    if (len(paths) < 2 and shared is None) or total < MIN_PARALLEL_BYTES or not can_fork():
        return [func(path) for path in paths]
    mine, theirs = _groups(sizes, shared)
    big = paths[shared] if split is not None and shared is not None else None
    results: dict[int, Any] = {}
    with in_child(lambda: _child(func, split.tail if big is not None else None, big,
                                 [paths[i] for i in theirs])) as child:
        head = split.head(big) if big is not None else None
        for index in mine:
            results[index] = func(paths[index])
        tail, found = child()
    results.update(zip(theirs, found))
    if big is not None:
        results[shared] = split.join(head, tail)
    return [results[index] for index in range(len(paths))]


# -- what the markdown and the HTML page checkers share --------------------------------------


def target_path(root: Path, source: Path, path_text: str) -> Path:
    """Where a link's decoded path leads from `source`: '' is the page itself, `/x` is from the root."""
    if not path_text:
        return source
    if path_text.startswith("/"):
        return Path(os.path.normpath(root / path_text.lstrip("/")))
    return Path(os.path.normpath(source.parent / path_text))


def check_each(checker, files: list[Path]) -> list:
    """Run a page checker (`local`'s for markdown, `html`'s for the site) over `files`: every page
    parsed up front, then each file's problems in order."""
    checker.prefetch([Path(os.path.abspath(file)) for file in files])
    problems: list = []
    with paused_gc():
        for file in files:
            problems.extend(checker.check_file(file))
    return problems
