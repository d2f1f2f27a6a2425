"""No-op rebuilds: `.cache/build-stamp.json` records every input and output of the last build.

Inputs: pyproject.toml, the papers folder (its listing and every record), the taxonomy, the
challenge introduction, every file under the templates folder, the package's own source files, the
files of the libraries that shape the output, and the Python version. Outputs: every generated file
and, when the site was built, the whole site folder. A file is identified by (mtime_ns, ctime_ns,
size, inode); `up_to_date` says whether all of them are as recorded, before anything heavy is
imported. Any difference — a record touched or added, an output edited or deleted, a template
changed — means a full build, which replaces the stamp once it has succeeded (a build that fails
leaves it, and everything else, as it was: what failed differs from it, so the next build is a full
one too).

A file modified within the timestamp granularity of the moment it was recorded could keep the same
identity; such "racy" files (outputs just written, records saved just before the build) get a SHA-1
of their content too, checked as well (git's racy-clean problem). A no-op build writes nothing,
not even the stamp.

Standard library and orjson only (reading and writing the stamp's ~10,000 entries takes orjson
~2 ms, the json module ~20 ms): this module is imported by `build` before pydantic or Jinja.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import orjson

STAMP = ".cache/build-stamp.json"
FORMAT = 1
LIBRARIES = ("yaml", "jinja2", "markupsafe", "pydantic", "pydantic_core", "markdown_it", "orjson")
FINE_WINDOW_NS = 100_000_000  # timestamps with sub-second digits: the kernel's clock tick is far less
COARSE_WINDOW_NS = 2_000_000_000  # whole-second timestamps (FAT keeps 2 s)

Signature = list  # [mtime_ns, ctime_ns, size, inode, sha1 or None]


def _racy(st: os.stat_result, now_ns: int) -> bool:
    """Whether a change within the same clock tick as the file's last one could keep its identity."""
    coarse = st.st_mtime_ns % 1_000_000_000 == 0 == st.st_ctime_ns % 1_000_000_000
    return max(st.st_mtime_ns, st.st_ctime_ns) > now_ns - (COARSE_WINDOW_NS if coarse else FINE_WINDOW_NS)


def _signature(path: str, now_ns: int, content: str | bytes | None = None,
               known: str | None = None) -> Signature | None:
    """The file's identity, with a digest of its content if it is racy: `known` (the SHA-1 of the
    bytes just written), else that of `content`, when given, else of the file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    digest = None
    if _racy(st, now_ns):
        digest = known or (_sha1(path) if content is None else _content_sha1(content))
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, digest]


def read_signature(raw: bytes, st: os.stat_result) -> Signature:
    """The signature of a file read just now, from its fstat at opening and the bytes read."""
    digest = hashlib.sha1(raw).hexdigest() if _racy(st, time.time_ns()) else None
    return [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, digest]


def _content_sha1(content: str | bytes) -> str:
    """SHA-1 of `content` as written (text as UTF-8)."""
    from .write import encoded  # only when recording, after a build: it has been imported then

    digest = hashlib.sha1()
    for data in encoded(content):
        digest.update(data)
    return digest.hexdigest()


def _sha1(path: str) -> str | None:
    try:
        with open(path, "rb") as handle:
            return hashlib.file_digest(handle, "sha1").hexdigest()
    except OSError:
        return None


def _tree(folder: Path) -> list[str]:
    """Every file under `folder`, sorted (bytecode caches left out)."""
    found = []
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [os.path.join(current, name) for name in sorted(files)]
    return found


def _libraries() -> list[str]:
    from importlib.util import find_spec

    files = []
    for name in LIBRARIES:
        spec = find_spec(name)
        if spec is not None and spec.origin:
            files.append(spec.origin)
    return files


class Snapshot:
    """The inputs of a build, recorded before they are read: `Snapshot(root)` before the settings
    are read, `add(settings)` before anything else is, and the records as they are read."""

    def __init__(self, root: Path) -> None:
        self.now = time.time_ns()
        self.root = root.resolve()
        project = str(self.root / "pyproject.toml")
        self.files: dict[str, Signature | None] = {project: _signature(project, self.now)}
        self.listings: dict[str, list[str]] = {}
        self.trees: dict[str, list[str]] = {}

    def add(self, settings) -> None:
        """Every input but the records (`add_records`, as they are read)."""
        root = self.root
        self.papers = root / settings.papers
        files = [str(root / settings.taxonomy), str(root / settings.challenge_intro)]
        package = Path(__file__).resolve().parent
        for folder in (root / settings.templates, package):
            self.trees[str(folder)] = _tree(folder)
            files += self.trees[str(folder)]
        files += _libraries()
        self.files.update((path, _signature(path, self.now)) for path in files)

    def add_records(self, names: list[str], signatures: list[tuple[str, Signature]]) -> None:
        """The records folder as listed before any record was read (`names`), and (name, signature)
        of each record as it was read (`read_signature`)."""
        self.listings[str(self.papers)] = sorted(names)  # as `up_to_date` lists it
        folder = os.path.join(str(self.papers), "")
        self.files.update((folder + name, signature) for name, signature in signatures)


def _meta(site_dir: Path | None) -> dict:
    return {"format": FORMAT, "python": sys.version, "executable": sys.executable,
            "site": str(site_dir.resolve()) if site_dir is not None else None}


def stamp_path(root: Path) -> Path:
    return root / STAMP


def record(root: Path, snapshot: Snapshot, outputs: dict[str, str | bytes], site_dir: Path | None,
           site_outputs: dict[str, str | bytes] | None = None, written: dict[str, str] | None = None,
           site_written: dict[str, str] | None = None) -> None:
    """Write the stamp of a build that succeeded: its inputs (as snapshot) and its outputs now
    (`written`, `site_written`: the SHA-1 of each file this build wrote, by path)."""
    now = time.time_ns()
    files = dict(snapshot.files)
    trees = dict(snapshot.trees)
    for base, produced, digests in ((root, outputs, written or {}), (site_dir, site_outputs or {}, site_written or {})):
        for path, content in produced.items():
            full = str(base.resolve() / path)
            files[full] = _signature(full, now, content, digests.get(path))
    if site_dir is not None:
        trees[str(site_dir.resolve())] = _tree(site_dir.resolve())
    data = {"meta": _meta(site_dir), "outputs": len(outputs), "listings": snapshot.listings,
            "trees": trees, "files": files}
    _write(root, data)


def _write(root: Path, data: dict) -> None:
    target = stamp_path(root)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(orjson.dumps(data))
        os.replace(tmp, target)
    except OSError:  # the stamp of an older build stays: this build's outputs differ from it
        try:
            tmp.unlink()
        except OSError:
            pass


def up_to_date(root: Path, site_dir: Path | None) -> int | None:
    """The number of generated files when nothing changed since the last build; None otherwise."""
    try:
        data = orjson.loads(stamp_path(root).read_bytes())
        if data["meta"] != _meta(site_dir):
            return None
        for folder, names in data["listings"].items():
            if sorted(name for name in os.listdir(folder) if not name.startswith(".")) != names:
                return None
        for folder, files in data["trees"].items():
            if _tree(Path(folder)) != files:
                return None
        for path, recorded in data["files"].items():
            if recorded is None:
                if os.path.lexists(path):
                    return None
                continue
            st = os.stat(path)
            if [st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino] != recorded[:4]:
                return None
            if recorded[4] is not None and _sha1(path) != recorded[4]:
                return None
        return int(data["outputs"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
