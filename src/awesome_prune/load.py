"""YAML files → plain Python data, with every mistake reported at its file, line and column.

Records in the common shape are read by `fastyaml`, a strict line reader that gives exactly what
`yaml.load` gives or declines. Everything else is built straight from libyaml's parser events
(when libyaml is available), which is faster than PyYAML's composer and constructor and lets us
refuse what PyYAML would silently accept (duplicate keys, anchors and aliases); every error
message comes from there. No nodes are kept: the line of a field is found again on demand by
`Source.position`, which re-reads the file only when a message needs it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from . import fastyaml
from .errors import Problem, ProblemsError
from .yamlvalues import LOADER as Loader

MAX_BYTES = 256 * 1024
_BOMS = {b"\xef\xbb\xbf": "UTF-8", b"\xff\xfe": "UTF-16", b"\xfe\xff": "UTF-16"}
_TAB_INDENT = re.compile(r"^[ ]*\t", re.M)
_STR, _INT, _BOOL, _NULL, _FLOAT, _TIME = (
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "bool", "null", "float", "timestamp")
)
_constructor = SafeConstructor()
Loc = tuple  # a field path such as ("tags", "type", 0)


def fail(path: str, line: int, col: int, message: str, field: str = "") -> ProblemsError:
    return ProblemsError([Problem(path, line, col, field, message)])


@dataclass
class Source:
    """A loaded YAML file: its data, and where each field came from (computed when asked)."""

    path: str  # as shown in messages, relative to the project root
    file: Path
    data: Any
    _positions: dict[Loc, tuple[int, int]] | None = field(default=None, repr=False)

    def position(self, loc: Loc) -> tuple[int, int]:
        """(line, col), 1-based, of the value at `loc`, or of its nearest existing parent."""
        if self._positions is None:
            self._positions = {}
            root = yaml.compose(_decode(self.file.read_bytes(), self.path), Loader=Loader)
            _walk_positions(root, (), self._positions)
        loc = tuple(loc)
        while loc not in self._positions and loc:
            loc = loc[:-1]
        return self._positions.get(loc, (1, 1))

    def key_position(self, loc: Loc) -> tuple[int, int]:
        """(line, col) of the key that names `loc` (for unknown keys), else of the value."""
        self.position(())
        return self._positions.get(("<key>",) + tuple(loc)) or self.position(loc)


def _walk_positions(node: yaml.Node, loc: Loc, out: dict) -> None:
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


def _scalar(loader, event: yaml.ScalarEvent, loc: list) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        if not event.implicit[0]:
            return event.value  # quoted: always text
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag == _STR:
        return event.value
    if tag in (_INT, _BOOL, _NULL, _FLOAT, _TIME):
        try:
            return _constructor.construct_object(yaml.ScalarNode(tag, event.value), deep=True)
        except ValueError as exc:
            kind = "date" if tag == _TIME else tag.rsplit(":", 1)[1]
            raise _EventError(event, f"invalid {kind} {event.value!r}: {exc}", loc) from None
    raise _EventError(event, f"unsupported YAML tag {tag!r}", loc)


def _refuse(event: yaml.Event, loc: list) -> None:
    kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
    raise _EventError(event, f"YAML {kind} '{event.anchor}' is not allowed; write the value out in full", loc)


def _value(loader, loc: list) -> Any:
    """Build the next value from parser events (no nodes): faster than composing, and it sees
    what composing hides: anchors, aliases and duplicate keys."""
    event = loader.get_event()
    kind = event.__class__
    if kind is yaml.AliasEvent or event.anchor:
        _refuse(event, loc)
    if kind is yaml.ScalarEvent:
        return _scalar(loader, event, loc)
    if kind is yaml.SequenceStartEvent:
        items = []
        while not loader.check_event(yaml.SequenceEndEvent):
            loc.append(len(items))
            items.append(_value(loader, loc))
            loc.pop()
        loader.get_event()
        return items
    result: dict = {}
    while not loader.check_event(yaml.MappingEndEvent):
        key = loader.get_event()
        if key.__class__ is yaml.AliasEvent or key.anchor:
            _refuse(key, loc)
        if key.__class__ is not yaml.ScalarEvent:
            raise _EventError(key, "a mapping key must be a plain name", loc)
        name = key.value
        loc.append(name)
        if name in result:
            raise _EventError(key, f"key {name!r} appears twice in this mapping", loc)
        result[name] = _value(loader, loc)
        loc.pop()
    loader.get_event()
    return result


def _document(text: str) -> Any:
    loader = Loader(text)
    try:
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # document start
        data = _value(loader, [])
        loader.get_event()  # document end
        if loader.check_event(yaml.DocumentStartEvent):
            raise _EventError(loader.peek_event(), "several YAML documents in one file ('---'); keep one record "
                                                   "per file", [])
        return data
    finally:
        loader.dispose()


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document; raise ProblemsError with one positioned problem on failure."""
    data = fastyaml.parse(text)  # declines empty files, tabs and anything unusual
    if data is not None:
        return data
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise fail(path, 1, 1, "file is empty; a record is a mapping of fields (see papers/README or `awesome-prune new`)")
    tab = _TAB_INDENT.search(text)
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        raise fail(path, line, tab.end() - tab.start(), "tab used for indentation; indent with spaces")
    try:
        return _document(text)
    except _EventError as exc:
        mark = exc.event.start_mark
        raise fail(path, mark.line + 1, mark.column + 1, exc.message, exc.loc) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if exc.context and message.startswith("found"):
            message = f"{exc.context.rstrip()}: {message}"
        raise fail(path, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, f"YAML syntax: {message}") from None
    except yaml.YAMLError as exc:
        raise fail(path, 1, 1, f"YAML syntax: {exc}") from None


def load_mapping(file: Path, path: str) -> Source:
    """Read and parse one YAML file that must hold a mapping."""
    return Source(path, file, parse_mapping(read_yaml(file, path)[0], path))


def read_yaml(file: Path, path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of a .yaml file (at most `MAX_BYTES`) and its status as it was when read (for
    `buildstamp`): the first half of `load_mapping`."""
    if file.suffix != ".yaml":
        hint = f"rename it to {file.stem}.yaml" if file.suffix == ".yml" else "only .yaml files belong here"
        raise fail(path, 0, 0, f"not a .yaml file; {hint}")
    try:
        fd = os.open(file, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            st = os.fstat(fd)
            if st.st_size > MAX_BYTES:
                raise fail(path, 0, 0, f"file is {st.st_size // 1024} KiB; the limit is {MAX_BYTES // 1024} KiB")
            data = os.read(fd, st.st_size + 1)
            if len(data) <= st.st_size:
                return data, st
            chunks = [data]  # the file grew since fstat: read to its end, as read_bytes() would
            while chunks[-1]:
                chunks.append(os.read(fd, 1 << 16))
            return b"".join(chunks), st
        finally:
            os.close(fd)
    except OSError as exc:
        raise fail(path, 0, 0, f"cannot read: {exc.strerror}") from None


def parse_mapping(raw: bytes, path: str) -> dict:
    """The mapping a YAML file's bytes hold (the second half of `load_mapping`)."""
    data = parse_yaml(_decode(raw, path), path)
    if not isinstance(data, dict):
        kind = {list: "a list", type(None): "nothing"}.get(type(data), f"a single value ({data!r})")
        raise fail(path, 1, 1, f"expected a mapping of fields (key: value), got {kind}")
    return data
