"""One-line YAML values for `fastyaml`: plain scalars as the YAML 1.1 resolvers read them, quoted
scalars, and flow collections written on one line.

Each function gives exactly what libyaml gives for what it accepts and raises `Unsure` for
anything else (the caller then leaves the whole file to the full parser). Results for values that
repeat across records (tag values, venues, keys) are kept in small caches; they are immutable, or
copied when handed out.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import yaml

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, when PyYAML was built with it
RESOLVERS = LOADER.yaml_implicit_resolvers
NAME = r"[A-Za-z_][A-Za-z0-9_-]{0,99}"  # a mapping key read without the full parser
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
KEY = re.compile(rf"({NAME}):(?: +|$)")
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_SINGLE = re.compile(r"'((?:[^']|'')*)'")
_DOUBLE = re.compile(r'"([^"\\]*)"')
COMMENT = re.compile(r" +#")  # after a value: spaces, then a comment to the end of the line
PLAIN_START = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# One-line flow collections of plain scalars, read with split(): no quotes, no nesting, no comments.
_SIMPLE_SEQ = re.compile(r"\[([^\[\]{}#?:'\"]*)\]")
_SIMPLE_MAP = re.compile(r"\{([^\[\]{}#?'\"]*)\}")
_FLOW_PLAIN = re.compile(r"[^,\[\]{}]*")
_FLOW_FORBIDDEN = re.compile(r"[#?]|: ")  # comments, '?' and ': ' stay with libyaml
_FLOW_KEY = re.compile(rf" *({NAME}): +")


class Unsure(Exception):
    """Raised anywhere in the fast path: the full parser takes over."""


_SEEN: dict[str, Any] = {}  # short plain scalars already resolved (tag values, venues, keys …)


def scalar(text: str) -> Any:
    """A plain scalar as the YAML 1.1 resolvers read it (only the kinds records use)."""
    if text in _SEEN:
        return _SEEN[text]
    value = _resolve(text)
    if len(text) <= 40 and len(_SEEN) < 4096:
        _SEEN[text] = value  # str, int, bool, None and date values are immutable
    return value


def _resolve(text: str) -> Any:
    resolvers = RESOLVERS.get(text[:1])
    if resolvers:
        for tag, regexp in resolvers:
            if regexp.match(text):
                kind = tag[18:]  # after "tag:yaml.org,2002:"
                if kind == "int" and _INT.fullmatch(text):
                    return int(text)
                if kind == "bool":
                    return _BOOLS[text.lower()]
                if kind == "null":
                    return None
                if kind == "timestamp":
                    date = _DATE.fullmatch(text)
                    if date:
                        try:
                            return _dt.date(int(date[1]), int(date[2]), int(date[3]))
                        except ValueError:
                            pass
                raise Unsure
    return text


NAMES: set[str] = set()  # keys known to read as themselves


def check_name(key: str) -> str:
    """A mapping key, if YAML reads it as this very text (not `yes`, `null`, …)."""
    if key not in NAMES:
        if scalar(key) != key:
            raise Unsure
        if len(NAMES) < 4096:
            NAMES.add(key)
    return key


def _item(text: str) -> Any:
    """One plain scalar of a flow collection, spaces around it removed."""
    text = text.strip(" ")
    if not text or text[0] in PLAIN_START or text[-1] == ":":
        raise Unsure
    return scalar(text)


def quoted(line: str, pos: int) -> tuple[str, int]:
    if line[pos] == "'":
        match = _SINGLE.match(line, pos)
        if match:
            return match[1].replace("''", "'"), match.end()
    else:
        match = _DOUBLE.match(line, pos)
        if match:
            return match[1], match.end()
    raise Unsure


def _flow(line: str, pos: int) -> tuple[Any, int]:
    """A flow collection or scalar starting at `pos` (no spaces before it) → (value, end)."""
    ch = line[pos] if pos < len(line) else ""
    if ch == "[":
        simple = _SIMPLE_SEQ.match(line, pos)
        if simple:
            inner = simple[1]
            return ([] if not inner.strip(" ") else [_item(part) for part in inner.split(",")]), simple.end()
        items: list = []
        pos += 1
        while True:
            while line.startswith(" ", pos):
                pos += 1
            if line.startswith("]", pos) and not items:
                return items, pos + 1
            value, pos = _flow(line, pos)
            items.append(value)
            while line.startswith(" ", pos):
                pos += 1
            if line.startswith("]", pos):
                return items, pos + 1
            if not line.startswith(", ", pos) or line.startswith(", ]", pos):
                raise Unsure
            pos += 2
    if ch == "{":
        mapping: dict = {}
        simple = _SIMPLE_MAP.match(line, pos)
        if simple:
            inner = simple[1]
            if inner.strip(" "):
                for part in inner.split(","):
                    key, sep, value = part.partition(": ")
                    key = key.lstrip(" ")
                    if not sep or key in mapping or not KEY.fullmatch(key + ":"):
                        raise Unsure
                    if ": " in value:
                        raise Unsure
                    mapping[check_name(key)] = _item(value)
            return mapping, simple.end()
        pos += 1
        if line.startswith("}", pos):
            return mapping, pos + 1
        while True:
            key = _FLOW_KEY.match(line, pos)
            if not key or key[1] in mapping:
                raise Unsure
            mapping[check_name(key[1])], pos = _flow(line, key.end())
            while line.startswith(" ", pos):
                pos += 1
            if line.startswith("}", pos):
                return mapping, pos + 1
            if not line.startswith(",", pos):
                raise Unsure
            pos += 1
    if ch == "'" or ch == '"':
        return quoted(line, pos)
    if not ch or ch in PLAIN_START:
        raise Unsure
    end = _FLOW_PLAIN.match(line, pos).end()
    text = line[pos:end].rstrip(" ")
    if _FLOW_FORBIDDEN.search(text) or text[-1] == ":":
        raise Unsure
    return scalar(text), pos + len(text)


_FLOWS: dict[str, tuple | dict] = {}  # one-line flow collections of plain scalars already read


def plain(text: str) -> Any:
    """The rest of a line after `key: ` or `- `, when it is a plain scalar (and maybe a comment)."""
    comment = text.find(" #")
    text = (text[:comment] if comment >= 0 else text).rstrip(" ")
    if ": " in text or text[-1] == ":":
        raise Unsure
    return scalar(text)


def flow_value(text: str) -> Any:
    """`text` (a whole value) as a one-line flow collection; copies of cached results for repeats."""
    cached = _FLOWS.get(text)
    if cached is None:
        value, end = _flow(text, 0)
        if end != len(text) and not COMMENT.match(text, end):
            raise Unsure
        if len(_FLOWS) >= 4096 or (_SIMPLE_SEQ.fullmatch(text) or _SIMPLE_MAP.fullmatch(text)) is None:
            return value
        _FLOWS[text] = cached = tuple(value) if type(value) is list else value
    return list(cached) if type(cached) is tuple else dict(cached)
