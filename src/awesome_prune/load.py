"""YAML files → plain Python data, with every mistake reported at its file, line and column.

Files are composed with libyaml (when available) into nodes and converted here, which is faster
than PyYAML's own constructor and lets us refuse what PyYAML would silently accept (duplicate
keys, anchors and aliases). Nodes are not kept: the line of a field is found again on demand by
`Source.position`, which re-reads the file only when a message needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from .errors import Problem, ProblemsError

MAX_BYTES = 256 * 1024
Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
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


def _scalar(node: yaml.ScalarNode) -> Any:
    tag = node.tag
    if tag == _STR:
        return node.value
    if tag in (_INT, _BOOL, _NULL, _FLOAT, _TIME):
        try:
            return _constructor.construct_object(node, deep=True)
        except ValueError as exc:
            kind = "date" if tag == _TIME else tag.rsplit(":", 1)[1]
            raise _NodeError(node, f"invalid {kind} {node.value!r}: {exc}") from None
    raise _NodeError(node, f"unsupported YAML tag {tag!r}")


class _NodeError(Exception):
    def __init__(self, node: yaml.Node, message: str):
        self.node, self.message = node, message


def _field_of(root: yaml.Node, target: yaml.Node) -> str:
    """The dotted field path of `target` inside `root` (found only when an error needs it)."""
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if node is target:
            return ".".join(map(str, loc))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key is target:
                    return ".".join(map(str, loc + (key.value,)))
                stack.append((value, loc + (key.value,)))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((value, loc + (i,)) for i, value in enumerate(node.value))
    return ""




def _convert(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item) for item in node.value]
    result: dict = {}
    for key, value in node.value:
        if not isinstance(key, yaml.ScalarNode):
            raise _NodeError(key, "a mapping key must be a plain name")
        name = _scalar(key)
        if not isinstance(name, str):
            name = key.value  # `2024:` or `yes:` as keys are names too
        if name in result:
            raise _NodeError(key, f"key {name!r} appears twice in this mapping")
        result[name] = _convert(value)
    return result


def _refuse_anchors(text: str, path: str) -> None:
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            mark = event.start_mark
            kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            raise fail(path, mark.line + 1, mark.column + 1,
                       f"YAML {kind} '{event.anchor}' is not allowed; write the value out in full")


def parse_yaml(text: str, path: str) -> Any:
    """Parse one YAML document; raise ProblemsError with one positioned problem on failure."""
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise fail(path, 1, 1, "file is empty; a record is a mapping of fields (see papers/README or `awesome-prune new`)")
    tab = _TAB_INDENT.search(text)
    if tab:
        line = text.count("\n", 0, tab.start()) + 1
        raise fail(path, line, tab.end() - tab.start(), "tab used for indentation; indent with spaces")
    try:
        if "&" in text or "*" in text:
            _refuse_anchors(text, path)
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if "expected a single document" in (exc.context or ""):
            message = "several YAML documents in one file ('---'); keep one record per file"
        elif exc.context:
            message = f"{exc.context.rstrip()}: {message}" if message.startswith("found") else message
        raise fail(path, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1, f"YAML syntax: {message}") from None
    except yaml.YAMLError as exc:
        raise fail(path, 1, 1, f"YAML syntax: {exc}") from None
    try:
        return _convert(node)
    except _NodeError as exc:
        mark = exc.node.start_mark
        raise fail(path, mark.line + 1, mark.column + 1, exc.message, _field_of(node, exc.node)) from None


def load_mapping(file: Path, path: str) -> Source:
    """Read and parse one YAML file that must hold a mapping."""
    if file.suffix != ".yaml":
        hint = f"rename it to {file.stem}.yaml" if file.suffix == ".yml" else "only .yaml files belong here"
        raise fail(path, 0, 0, f"not a .yaml file; {hint}")
    try:
        size = file.stat().st_size
        if size > MAX_BYTES:
            raise fail(path, 0, 0, f"file is {size // 1024} KiB; the limit is {MAX_BYTES // 1024} KiB")
        raw = file.read_bytes()
    except OSError as exc:
        raise fail(path, 0, 0, f"cannot read: {exc.strerror}") from None
    data = parse_yaml(_decode(raw, path), path)
    if not isinstance(data, dict):
        kind = {list: "a list", type(None): "nothing"}.get(type(data), f"a single value ({data!r})")
        raise fail(path, 1, 1, f"expected a mapping of fields (key: value), got {kind}")
    return Source(path, file, data)
