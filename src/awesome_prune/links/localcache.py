"""The results of the local link checks, kept between runs (``.cache/links-local.json``).

A local check (:func:`.local.check_local`, :func:`.html.check_html`) is a function of its files,
its root, the repository URL and the answers to its file-system questions: the bytes of every file
it read (the checked files and the targets whose anchors it looked up), whether target paths exist
or are files or folders, and the names in the folders it listed. A :class:`.probe.Probe` writes
all of them down; the cache keeps, per check (kind, root, repository URL, files), those answers and
the problems found. The next run asks the same questions again (hashing the files it read, no
parse) and, when every answer is the same, takes the problems as they are -- with or without
problems. One answer that differs (a checked page changed, a target page's anchors, a file that
appeared or went) and the check runs again, and its result replaces the stored one.

Entries are also tied to the checker itself: the source of the modules that decide a result, the
markdown-it-py version and the Unicode data of this Python; any change and the cache is ignored.
A cache that cannot be read is ignored, one that cannot be written is not written; neither is an
error. The file is written once per run (`LocalCache.save`), after all its checks.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path

from ..write import write_atomic
from .local import Problem
from .probe import Probe, unchanged

__all__ = ["CACHE_FILE", "LocalCache"]

CACHE_FILE = Path(".cache") / "links-local.json"
_FORMAT = 1
_KEEP = 8  # checks remembered (the markdown pages and the site, of a few roots or file sets)

Check = Callable[[list[Path], Path, Probe], list[Problem]]


def _fingerprint() -> str:
    """What the checker's answers depend on besides its input: its code and its libraries."""
    import markdown_it

    from .. import anchors, errors
    from . import extract, fastmd, html, local, localcache, pages, probe

    digest = hashlib.blake2b(digest_size=16)
    for module in (anchors, errors, extract, fastmd, html, local, localcache, pages, probe):
        digest.update(Path(module.__file__ or "").read_bytes())
    versions = (markdown_it.__version__, unicodedata.unidata_version, sys.version)
    digest.update(repr(versions).encode())
    return digest.hexdigest()


class LocalCache:
    """The stored local results of one list, in ``file`` (see the module docstring)."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.code = _fingerprint()
        self.runs: dict[str, dict] = {}
        self.changed = False  # results stored since the file was read: `save` writes them
        try:  # now, not at the first write: a check may list the folder this is in
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return
        if isinstance(data, dict) and data.get("format") == _FORMAT and data.get("code") == self.code \
                and isinstance(data.get("runs"), dict):
            self.runs = data["runs"]

    @staticmethod
    def _key(kind: str, files: list[Path], root: Path, repo: str | None) -> str:
        spec = [kind, os.path.abspath(root), repo, [os.path.abspath(file) for file in files]]
        return hashlib.blake2b(json.dumps(spec).encode(), digest_size=16).hexdigest()

    def problems(self, kind: str, files: list[Path], root: Path, repo: str | None, check: Check) -> list[Problem]:
        """``check(files, root, probe)``, or its stored result when nothing it depends on changed."""
        key = self._key(kind, files, root, repo)
        entry = self.runs.get(key)
        if isinstance(entry, dict) and unchanged(entry.get("answers")):
            try:
                found = [Problem(*fields) for fields in entry["problems"]]
            except (KeyError, TypeError):
                found = None
            if found is not None:
                return found
        probe = Probe()
        found = check(files, root, probe)
        self.runs.pop(key, None)
        self.runs[key] = {"answers": probe.record,
                          "problems": [[p.path, p.line, p.url, p.severity, p.message] for p in found]}
        for old in list(self.runs)[:-_KEEP]:
            del self.runs[old]
        self.changed = True
        return found

    def save(self) -> None:
        """Write the stored results, when this run added any (once, after all its checks)."""
        if not self.changed:
            return
        self.changed = False
        data = json.dumps({"format": _FORMAT, "code": self.code, "runs": self.runs})
        try:
            write_atomic(self.file, data)
        except OSError:
            pass  # a read-only checkout: no cache, no error
