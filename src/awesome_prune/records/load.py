"""YAML files → plain Python data, with every mistake reported at its file, line and column.

Values come from `yaml_rs` (a Rust YAML 1.2 parser: ~10× faster than libyaml through PyYAML, the
same Python values for what records hold, duplicate keys refused, `yes` read as text). What
yaml_rs accepts but a record must not use (anchors and aliases, explicit tags, several documents,
complex keys) and every syntax error are found by PyYAML's event reader, which carries the marks
for a positioned message; it reads only files that yaml_rs refuses or that hold one of those
characters. Field positions (`Source.position`) are worked out from PyYAML's nodes, only when a
message needs them.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
import yaml_rs

from ..errors import Problem, ProblemsError

MAX_BYTES = 256 * 1024
MAX_DEPTH = 32  # a record nests four levels; anything deeper is refused before it can recurse far
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML was built with it
_BOMS = {b"\xef\xbb\xbf": "UTF-8", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}
_TAB_INDENT = re.compile(r"^[ ]*\t", re.M)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Where yaml_rs's reading may differ from a record's rules: a node property (anchor `&`, alias `*`,
# tag `!`) where a value may start (after `:`, `-`, `[`, `{`, `,` or a line break, and spaces), a
# document marker or directive, a complex key. Markdown such as `non-*emphasis*` matches too: such
# a file merely takes the event reader's look as well. (Each pattern starts with a character class,
# which the regex engine scans for quickly.)
_PROPERTY = re.compile(r"[:\[{,\n-][ \t]*[&*!]")
_DOCUMENT = re.compile(r"\n(?:---|\.\.\.|%)|\n[ \t]*\?[ \t\n]")


def _needs_events(text: str) -> bool:
    return bool(text[:1] in ("&", "*", "!", "%", "?") or text.startswith(("---", "...")) or _PROPERTY.search(text)
                or _DOCUMENT.search(text))


Loc = tuple  # a field path such as ("tags", "type", 0)


def fail(path: str, line: int, col: int, message: str, field: str = "") -> ProblemsError:
    return ProblemsError([Problem(path, line, col, field, message)])


@dataclass
class Source:
    """A loaded YAML file: its data, and where each field came from (computed when asked)."""

    path: str  # as shown in messages, relative to the project root
    file: Path
    data: Any
    text: str | None = field(default=None, repr=False)
    _positions: dict[Loc, tuple[int, int]] | None = field(default=None, repr=False)

    def position(self, loc: Loc) -> tuple[int, int]:
        """(line, col), 1-based, of the value at `loc`, or of its nearest existing parent."""
        if self._positions is None:
            self._positions = {}
            text = self.text if self.text is not None else _decode(self.file.read_bytes(), self.path)
            _walk_positions(yaml.compose(text, Loader=LOADER), (), self._positions)
        loc = tuple(loc)
        while loc not in self._positions and loc:
            loc = loc[:-1]
        return self._positions.get(loc, (1, 1))

    def line_of(self, loc: Loc, needle: str) -> int:
        """The line where `needle` (a URL) is written inside the value at `loc`: a folded text
        spans several lines; the value's first line when it is not found there."""
        start = self.position(loc)[0]
        lines = (self.text if self.text is not None else _decode(self.file.read_bytes(), self.path)).splitlines()
        return find_line(lines, start, [needle])

    def key_position(self, loc: Loc) -> tuple[int, int]:
        """(line, col) of the key that names `loc` (for unknown keys), else of the value."""
        self.position(())
        return self._positions.get(("<key>",) + tuple(loc)) or self.position(loc)


def find_line(lines: list[str], start: int, forms: list[str], nested: bool = True, limit: int = 400) -> int:
    """The line at or below `start` (1-based) where one of `forms` is written; with `nested`
    (YAML) only within the block that starts there (lines indented deeper than its first).
    `start` when none is found."""
    first = max(0, start - 1)
    indent = len(lines[first]) - len(lines[first].lstrip(" ")) if first < len(lines) else 0
    for i in range(first, min(len(lines), first + limit)):
        line = lines[i]
        if nested and i > first and line.strip() and len(line) - len(line.lstrip(" ")) <= indent:
            break
        if any(form in line for form in forms):
            return i + 1
    return start


def _walk_positions(node: yaml.Node | None, loc: Loc, out: dict) -> None:
    if node is None:
        return
    out[loc] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = loc + (key.value,)
            out[("<key>",) + sub] = (key.start_mark.line + 1, key.start_mark.column + 1)
            _walk_positions(value, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _walk_positions(value, loc + (i,), out)


def _decode(raw: bytes, path: str) -> str:
    for bom, name in _BOMS.items():
        if raw.startswith(bom):
            raise fail(path, 1, 1, f"file starts with a {name} byte-order mark; save it as UTF-8 without BOM")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise fail(path, line, col, f"invalid UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8") from None
    return text.replace("\r\n", "\n")


class _EventError(Exception):
    def __init__(self, event: yaml.Event, message: str, loc: list):
        self.event, self.message, self.loc = event, message, ".".join(map(str, loc))


def _check_node(loader, loc: list) -> None:
    """Read the next node's events, refusing what a record must not use (no values are built)."""
    event = loader.get_event()
    kind = event.__class__
    if kind is yaml.AliasEvent or event.anchor:
        what = "alias" if kind is yaml.AliasEvent else "anchor"
        raise _EventError(event, f"YAML {what} '{event.anchor}' is not allowed; write the value out in full", loc)
    if getattr(event, "tag", None) not in (None, "!") and not (kind is yaml.ScalarEvent and not event.implicit[0]
                                                                and event.tag is None):
        raise _EventError(event, f"YAML tag {event.tag!r} is not allowed; write the plain value", loc)
    if kind is yaml.ScalarEvent:
        return
    if len(loc) >= MAX_DEPTH:
        raise _EventError(event, f"nested more than {MAX_DEPTH} levels deep; a record needs four", loc)
    if kind is yaml.SequenceStartEvent:
        index = 0
        while not loader.check_event(yaml.SequenceEndEvent):
            loc.append(index)
            _check_node(loader, loc)
            loc.pop()
            index += 1
        loader.get_event()
        return
    seen: set[str] = set()
    while not loader.check_event(yaml.MappingEndEvent):
        key = loader.peek_event()
        if key.__class__ is not yaml.ScalarEvent:
            if key.__class__ is yaml.AliasEvent or key.anchor:
                _check_node(loader, loc)  # raises for the alias or anchor
            raise _EventError(key, "a mapping key must be a plain name", loc)
        _check_node(loader, loc)
        loc.append(key.value)
        if key.value in seen:
            raise _EventError(key, f"key {key.value!r} appears twice in this mapping", loc)
        seen.add(key.value)
        _check_node(loader, loc)
        loc.pop()
    loader.get_event()


def _check_events(text: str) -> None:
    loader = LOADER(text)
    try:
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return
        loader.get_event()  # document start
        _check_node(loader, [])
        loader.get_event()  # document end
        if loader.check_event(yaml.DocumentStartEvent):
            raise _EventError(loader.peek_event(), "several YAML documents in one file ('---'); keep one record "
                                                   "per file", [])
    finally:
        loader.dispose()


_RS_WHERE = re.compile(r"at line (\d+), column (\d+)")


def _fast_error(exc: Exception, path: str) -> ProblemsError:
    """yaml_rs's refusal as one line (used only where the event reader found nothing to say)."""
    text = str(exc)
    where = _RS_WHERE.search(text)
    line, col = (int(where[1]), int(where[2])) if where else (1, 1)
    reason = text.strip().splitlines()[-1] if "\n" in text.strip() else text
    return fail(path, line, col, f"YAML syntax: {reason}")


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document; raise ProblemsError with one positioned problem on failure."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise fail(path, 1, 1, "file is empty; a record is a mapping of fields (see papers/README or `awesome-prune new`)")
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise fail(path, line, col, f"control character U+{ord(bad.group()):04X} in the file; remove it")
    tab = _TAB_INDENT.search(text) if "\t" in text else None
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        raise fail(path, line, tab.end() - tab.start(), "tab used for indentation; indent with spaces")
    refused = None
    try:
        data = yaml_rs.loads(text)
    except yaml_rs.YAMLDecodeError as exc:
        refused = exc
    if refused is None and not _needs_events(text):
        return data
    try:
        _check_events(text)
    except _EventError as exc:
        mark = exc.event.start_mark
        raise fail(path, mark.line + 1, mark.column + 1, exc.message, exc.loc) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if exc.context_mark and "end of stream" in message:  # where the unclosed thing starts, not the end
            mark, message = exc.context_mark, f"{exc.context.removeprefix('while scanning ')} is never closed"
        elif exc.context and message.startswith("found"):
            message = f"{exc.context.rstrip()}: {message}"
        raise fail(path, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1,
                   f"YAML syntax: {message}") from None
    except yaml.YAMLError as exc:
        raise fail(path, 1, 1, f"YAML syntax: {' '.join(str(exc).split())}") from None
    if refused is not None:
        raise _fast_error(refused, path)
    return data


def read_yaml(file: Path, path: str) -> bytes:
    """The bytes of a regular .yaml file of at most `MAX_BYTES` (FIFOs and devices are refused
    before they are opened for reading, so they cannot block)."""
    if file.suffix != ".yaml":
        hint = f"rename it to {file.stem}.yaml" if file.suffix == ".yml" else "only .yaml files belong here"
        raise fail(path, 1, 1, f"not a .yaml file; {hint}")
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise fail(path, 1, 1, "not a regular file; a record is a plain .yaml file")
            if st.st_size > MAX_BYTES:
                raise fail(path, 1, 1, f"file is {st.st_size // 1024} KiB; the limit is {MAX_BYTES // 1024} KiB")
            chunks = [os.read(fd, st.st_size + 1)]
            while chunks[-1] and sum(map(len, chunks)) <= MAX_BYTES:  # the file grew since fstat
                chunks.append(os.read(fd, 1 << 16))
            return b"".join(chunks)
        finally:
            os.close(fd)
    except OSError as exc:
        raise fail(path, 1, 1, f"cannot read: {exc.strerror}") from None


def parse_mapping(raw: bytes, path: str) -> dict:
    """The mapping a YAML file's bytes hold."""
    return _mapping(parse_yaml(_decode(raw, path), path), path)


def _mapping(data: Any, path: str) -> dict:
    if not isinstance(data, dict):
        kind = {list: "a list", type(None): "nothing"}.get(type(data), "a single value")
        raise fail(path, 1, 1, f"expected a mapping of fields (key: value), got {kind}")
    return data


def load_mapping(file: Path, path: str) -> Source:
    """Read and parse one YAML file that must hold a mapping."""
    text = _decode(read_yaml(file, path), path)
    return Source(path, file, _mapping(parse_yaml(text, path), path), text)
