"""The file-system questions of one local link check, answered once each and written down.

A local check (:mod:`.local`, :mod:`.html`) depends on nothing but the answers to a few questions:
the content of the files it reads, whether paths exist or are files or folders, and the names in
folders. :class:`Probe` answers each question once (a page with thousands of links to the same
file asks once) and keeps the answers in :attr:`Probe.record`, plain JSON data; :func:`unchanged`
asks the same questions again and tells whether every answer is still the same, which is what
:mod:`.localcache` needs to trust an earlier result.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["Probe", "Read", "file_digest", "read_file", "unchanged"]

_KINDS = ("read", "exists", "isfile", "isdir", "listdir")


class Read:
    """A file read as UTF-8 text (universal newlines, like ``Path.read_text``)."""

    __slots__ = ("text", "reason", "digest")

    def __init__(self, text: str | None, reason: str, digest: str) -> None:
        self.text = text  # None when the file could not be read
        self.reason = reason  # why not ('' when read)
        self.digest = digest  # of the bytes; '!' + reason when there were none


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _read_bytes(path: Path) -> tuple[bytes | None, str]:
    try:
        return path.read_bytes(), ""
    except FileNotFoundError:
        return None, "file not found"
    except OSError as exc:
        return None, exc.strerror or exc.__class__.__name__
    except ValueError:  # a NUL character in the path
        return None, "invalid file name"


def read_file(path: Path) -> Read:
    """``path`` as text, or the reason it cannot be read (never raises for a bad file)."""
    data, reason = _read_bytes(path)
    if data is None:
        return Read(None, reason, "!" + reason)
    digest = _digest(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return Read(None, "not UTF-8 text", digest)
    if "\r" in text:  # what text mode's universal newlines would have done
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Read(text, "", digest)


def file_digest(path: Path) -> str:
    """The ``digest`` :func:`read_file` gives for ``path``, without decoding it."""
    data, reason = _read_bytes(path)
    return _digest(data) if data is not None else "!" + reason


def _listing(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))
    except (OSError, ValueError):  # missing, not a folder, NUL in the name, …
        return []


def _listing_digest(names: list[str]) -> str:
    return _digest("\0".join(names).encode("utf-8", "surrogateescape"))


class Probe:
    """Memoized file-system answers of one check, recorded in :attr:`record`."""

    def __init__(self) -> None:
        self.record: dict[str, dict[str, object]] = {kind: {} for kind in _KINDS}
        self._listings: dict[Path, list[str]] = {}

    def _ask(self, kind: str, path: Path, answer) -> bool:  # type: ignore[no-untyped-def]
        answers = self.record[kind]
        key = str(path)
        if key not in answers:
            answers[key] = answer(path)
        return answers[key]  # type: ignore[return-value]

    def exists(self, path: Path) -> bool:
        return self._ask("exists", path, os.path.exists)

    def isfile(self, path: Path) -> bool:
        return self._ask("isfile", path, os.path.isfile)

    def isdir(self, path: Path) -> bool:
        return self._ask("isdir", path, os.path.isdir)

    def listing(self, folder: Path) -> list[str]:
        """The sorted names in ``folder``; empty when it cannot be listed."""
        if folder not in self._listings:
            names = self._listings[folder] = _listing(folder)
            self.record["listdir"][str(folder)] = _listing_digest(names)
        return self._listings[folder]

    def noted(self, path: Path, digest: str) -> None:
        """Write down that ``path`` was read, its bytes having this ``digest``."""
        self.record["read"][str(path)] = digest


def unchanged(record: object) -> bool:
    """Whether every answer in ``record`` (a :attr:`Probe.record`) is still the same."""
    if not isinstance(record, dict) or any(not isinstance(record.get(kind), dict) for kind in _KINDS):
        return False
    tests = (("exists", os.path.exists), ("isfile", os.path.isfile), ("isdir", os.path.isdir))
    for kind, test in tests:
        if any(test(path) != answer for path, answer in record[kind].items()):
            return False
    if any(_listing_digest(_listing(Path(folder))) != digest for folder, digest in record["listdir"].items()):
        return False
    return all(file_digest(Path(path)) == digest for path, digest in record["read"].items())
