"""A fast path for the common shape of a YAML record, giving exactly what `yaml.load` gives, or None.

PyYAML builds a Python object for every parser event, which costs ~0.15 ms for a small record.
This module reads the shapes records are written in, line by line, in plain Python: block
mappings and sequences (indentless sequences and `- key: value` items included), one-line plain,
single- and double-quoted scalars, one-line flow collections (`{status: conference, year: 2024}`,
`[Unstructured, Wanda]`), `>`, `>-`, `|` and `|-` block scalars, and comments.

It is strict: anything it is not certain to read exactly as libyaml does (`yaml.load` with
`CSafeLoader`) makes `parse` return None, and the caller falls back to the full parser, which also
produces every error message. Among what falls back: tabs, carriage returns, trailing spaces,
control and other unusual characters, `---` and `...` markers, directives, anchors, aliases and
tags, escapes in double quotes, scalars over several lines, block scalars with indentation or
`+` indicators or more-indented lines, keys that are not plain names or that YAML would read as
something other than text (`yes`, `null`), duplicate keys, and scalars that resolve to anything but
text, a whole decimal number, `true`/`false` and friends, null, or a plain `YYYY-MM-DD` date.
Equivalence with `yaml.load` is tested on generated records (tests/test_fastyaml.py).
"""

from __future__ import annotations

import re
from typing import Any

from .yamlvalues import COMMENT, KEY, NAME, NAMES, PLAIN_START, RESOLVERS, Unsure, check_name, flow_value, plain, quoted

# One line: indentation, then `key:` (and the spaces after it) when it starts with one, then the rest.
_TOKEN = re.compile(rf"^( *)(?:({NAME})(:(?: +|$)))?(.*)$", re.M)
# First characters of a plain scalar that no YAML resolver looks at and that start no other syntax:
# such a scalar is its own text.
_TEXT_START = frozenset(ch for ch in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_(/\\$^"
                        if ch not in RESOLVERS and ch not in PLAIN_START)


def _text(rest: str) -> bool:
    """Whether `rest` (after `key: ` or `- `) is a plain scalar that reads as exactly itself."""
    return (rest[0] in _TEXT_START and ": " not in rest and " #" not in rest and rest[-1] != ":"
            and rest[-1] != " ")


class _Reader:
    """Recursive descent over the lines' tokens: (indentation, key, separator, rest)."""

    __slots__ = ("tokens", "i")

    def __init__(self, tokens: list[tuple[str, str, str, str]]):
        self.tokens = tokens
        self.i = 0

    def skip(self) -> int:
        """Skip blank and comment lines; the indentation of the next line, or -1 at the end."""
        tokens, i = self.tokens, self.i
        while i < len(tokens):
            indent, key, _, rest = tokens[i]
            if key or rest and rest[0] != "#":
                self.i = i
                return len(indent)
            i += 1
        self.i = i
        return -1

    def mapping(self, indent: int) -> dict:
        result: dict = {}
        tokens, i, count = self.tokens, self.i, len(self.tokens)
        while i < count:
            spaces, name, _, rest = tokens[i]
            if not name:
                if not rest or rest[0] == "#":
                    i += 1
                    continue
                if len(spaces) < indent:
                    break
                raise Unsure
            here = len(spaces)
            if here != indent:
                if here < indent:
                    break
                raise Unsure
            if name in result:
                raise Unsure
            if name not in NAMES:
                check_name(name)
            i += 1
            if rest:
                if _text(rest):
                    result[name] = rest
                    continue
                ch = rest[0]
                if ch not in PLAIN_START:
                    result[name] = plain(rest)
                    continue
                if ch == "[" or ch == "{":
                    result[name] = flow_value(rest)
                    continue
            self.i = i
            result[name] = self.value(rest, indent)
            i = self.i
        self.i = i
        return result

    def sequence(self, indent: int) -> list:
        items = []
        tokens = self.tokens
        while True:
            here = self.skip()
            if here < indent:
                return items
            _, name, _, rest = tokens[self.i]
            if name or not rest.startswith("- "):
                if here > indent:
                    raise Unsure
                return items  # the next key after an indentless sequence
            body = rest[2:]
            if here > indent or not body or body[0] == " ":
                raise Unsure
            key = KEY.match(body)
            if key:  # `- key: value`: a mapping whose keys sit at column here + 2
                tokens[self.i] = (" " * (here + 2), key[1], body[len(key[1]):key.end()], body[key.end():])
                items.append(self.mapping(here + 2))
            else:
                self.i += 1
                items.append(body if _text(body) else self.value(body, indent))

    def value(self, rest: str, indent: int) -> Any:
        """The value written after `key: ` or `- `; `indent` is the column of its key or dash."""
        if not rest or rest[0] == "#":
            here = self.skip()
            if here > indent:
                _, name, _, following = self.tokens[self.i]
                return self.sequence(here) if not name and following.startswith("- ") else self.mapping(here)
            if here == indent:
                _, name, _, following = self.tokens[self.i]
                if not name and following.startswith("- "):
                    return self.sequence(indent)  # an indentless sequence
            return None
        ch = rest[0]
        if ch in PLAIN_START:
            if ch == "[" or ch == "{":
                return flow_value(rest)
            if ch == "'" or ch == '"':
                value, end = quoted(rest, 0)
                if end != len(rest) and not COMMENT.match(rest, end):
                    raise Unsure
                return value
            if ch == ">" or ch == "|":
                return self.block_scalar(rest, indent)
            raise Unsure
        return plain(rest)

    def block_scalar(self, header: str, indent: int) -> str:
        if header not in (">", ">-", "|", "|-"):
            raise Unsure
        tokens, i = self.tokens, self.i
        first = "".join(tokens[i])
        content = len(first) - len(first.lstrip(" "))
        if content <= indent or content == len(first):
            raise Unsure
        margin = " " * content
        body = []
        for i in range(i, len(tokens)):
            line = "".join(tokens[i])
            if not line:
                body.append("")
                continue
            if not line.startswith(margin):
                break
            if line[content] == " " or line[-1] == " ":
                raise Unsure  # more-indented lines and trailing spaces fold in ways left to libyaml
            body.append(line[content:])
        else:
            i = len(tokens)
        while not body[-1]:
            body.pop()
        self.i = i
        if header[0] == "|":
            text = "\n".join(body)
        elif "" not in body:
            text = " ".join(body)
        else:  # folding: a line break between two lines becomes a space; k empty lines give k breaks
            text = body[0]
            for number in range(1, len(body)):
                part = body[number]
                text += part if not part or not body[number - 1] else " " + part
                if not part:
                    text += "\n"
        return text if header[-1] == "-" else text + "\n"


def parse(text: str) -> dict | None:
    """The mapping `text` holds, exactly as `yaml.load` reads it; None when not sure (use the full parser).

    `text` has LF line ends. Refused up front: any character but LF that is not printable (tabs,
    CR, controls, U+2028/2029, U+FEFF, …); lines that start a document marker or directive are
    refused by the structure (they can only be read as a key or a value at column 0).
    """
    if not text.replace("\n", " ").isprintable():
        return None
    reader = _Reader(_TOKEN.findall(text))
    try:
        if reader.skip() != 0:
            return None
        data = reader.mapping(0)
        return data if reader.skip() == -1 else None
    except (Unsure, IndexError, RecursionError):
        return None
