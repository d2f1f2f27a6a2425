"""A small JSON cache of successful external link checks, so a rerun skips what was just seen.

Only successes are stored (a broken or unverifiable link is always checked again), each with
the time it was checked; entries older than ``max_age`` seconds are ignored and dropped on save.
The file is written atomically (a temporary file, then ``os.replace``). A missing, unreadable or
malformed file is an empty cache: the cache is an optimisation, never a source of failure.

File format (version 1)::

    {"version": 1, "entries": {"<input url>": {"checked": <unix time>, "code": 200,
                                                "detail": "200 OK", "final_url": "..."}}}
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..write import write_atomic

__all__ = ["CacheEntry", "LinkCache", "FORMAT_VERSION"]

FORMAT_VERSION = 1
#: An entry dated this far in the future (clock change) is not trusted.
_FUTURE_SLACK = 300.0


@dataclass(frozen=True)
class CacheEntry:
    checked: float
    code: int | None
    detail: str
    final_url: str | None

    @classmethod
    def load(cls, item: object) -> CacheEntry | None:
        """The entry stored as ``item``, or None when it is not a well-formed one."""
        if not isinstance(item, dict):
            return None
        checked, code = item.get("checked"), item.get("code")
        detail, final_url = item.get("detail", ""), item.get("final_url")
        if (not isinstance(checked, (int, float)) or isinstance(checked, bool)
                or (code is not None and (not isinstance(code, int) or isinstance(code, bool)))
                or not isinstance(detail, str)
                or not (final_url is None or isinstance(final_url, str))):
            return None
        return cls(float(checked), code, detail, final_url)


class LinkCache:
    """Cache of successful checks keyed by input URL; thread-safe; ``save()`` writes it out."""

    def __init__(self, path: Path | str | None, max_age: float = 86400 * 7, *, now=time.time):
        self.path = Path(path) if path is not None else None
        self.max_age = float(max_age)
        self._now = now
        self._dirty = False
        self._lock = threading.Lock()
        self._entries = self._load(self.path) if self.path is not None else {}

    def _fresh(self, entry: CacheEntry, now: float) -> bool:
        return -_FUTURE_SLACK <= now - entry.checked <= self.max_age

    def _load(self, path: Path) -> dict[str, CacheEntry]:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            return {}
        if not isinstance(raw, dict) or raw.get("version") != FORMAT_VERSION:
            return {}
        entries = raw.get("entries")
        if not isinstance(entries, dict):
            return {}
        now = self._now()
        loaded = ((url, CacheEntry.load(item)) for url, item in entries.items())
        return {url: e for url, e in loaded if isinstance(url, str) and e and self._fresh(e, now)}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self.get(url) is not None

    def get(self, url: str) -> CacheEntry | None:
        """The fresh entry for ``url``, or None."""
        with self._lock:
            entry = self._entries.get(url)
            if entry is not None and not self._fresh(entry, self._now()):
                del self._entries[url]
                self._dirty = True
                return None
            return entry

    def put(self, url: str, code: int | None, detail: str, final_url: str | None) -> None:
        """Record a success checked now."""
        with self._lock:
            self._entries[url] = CacheEntry(self._now(), code, detail, final_url)
            self._dirty = True

    def discard(self, url: str) -> None:
        with self._lock:
            if self._entries.pop(url, None) is not None:
                self._dirty = True

    def save(self, *, force: bool = False) -> bool:
        """Write the fresh entries atomically; returns True if a file was written.

        Nothing is written when there is no path or nothing changed (unless ``force``).
        """
        if self.path is None:
            return False
        with self._lock:
            if not (self._dirty or force):
                return False
            now = self._now()
            entries = {u: asdict(e) for u, e in sorted(self._entries.items()) if self._fresh(e, now)}
            data = json.dumps({"version": FORMAT_VERSION, "entries": entries}, indent=1,
                              ensure_ascii=False)
            write_atomic(self.path, data + "\n")
            self._dirty = False
            return True
