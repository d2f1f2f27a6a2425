"""Faster, token-for-token identical pieces of markdown-it-py for the link checker's parser.

markdown-it-py scans link destinations and table rows one character at a time in Python; on a
generated page with hundreds of thousands of links that is a large share of the parse. This
module gives the checker's own parser instance (never markdown-it's shared state: nothing here is
monkeypatched):

* :func:`parse_link_destination` -- ``helpers.parseLinkDestination`` with runs of ordinary
  characters skipped by one regular expression; ``<…>`` destinations and odd bounds go to the
  original;
* :func:`fast_table` -- the GFM table rule, whose row splitting (``escapedSplit``) is ``str.split``
  when the row has no backslash (the original otherwise);
* :func:`lean_inline` -- a core ``inline`` rule that leaves unparsed the inline tokens that cannot
  hold a link, an image, an autolink or raw HTML (no ``[`` and no ``<`` in them) unless they are
  a heading's text. Only for :func:`awesome_prune.links.extract.scan_parser`, whose callers read
  nothing else from the children.

``tests/test_links_fastmd.py`` compares each with the original on random input.
"""

from __future__ import annotations

import importlib
import re
import types
from typing import Any

from markdown_it import helpers as _helpers
from markdown_it.common.utils import unescapeAll
from markdown_it.rules_core.state_core import StateCore

__all__ = ["HELPERS", "fast_table", "lean_inline", "parse_link_destination"]

# (imported as modules: markdown_it.rules_block.table, as an attribute, is the rule function)
_table_module = importlib.import_module("markdown_it.rules_block.table")
_destination_module = importlib.import_module("markdown_it.helpers.parse_link_destination")
_original_destination = _helpers.parseLinkDestination
_original_split = getattr(_table_module, "escapedSplit", None)

# Characters parseLinkDestination passes over without a second look: not a space or control
# character, not a backslash, not a parenthesis.
_PLAIN = re.compile(r"[^\x00-\x20\x7f\\()]*")


def parse_link_destination(string: str, pos: int, maximum: int) -> Any:
    """``markdown_it.helpers.parseLinkDestination``, same result."""
    if maximum > len(string) or pos >= maximum or string[pos] == "<":
        return _original_destination(string, pos, maximum)
    start = pos
    level = 0
    plain = _PLAIN.match
    while pos < maximum:
        pos = plain(string, pos, maximum).end()
        if pos >= maximum:
            break
        char = string[pos]
        if char == "\\":
            if pos + 1 < maximum:
                if string[pos + 1] == " ":
                    break
                pos += 2
            else:
                pos += 1
        elif char == "(":
            level += 1
            if level > 32:
                return _destination_module._Result()
            pos += 1
        elif char == ")":
            if level == 0:
                break
            level -= 1
            pos += 1
        else:  # a space or a control character
            break
    result = _destination_module._Result()
    if start == pos or level != 0:
        return result
    result.str = unescapeAll(string[start:pos])
    result.pos = pos
    result.ok = True
    return result


def _escaped_split(string: str) -> list[str]:
    """``escapedSplit`` of markdown-it's table rule: without a backslash, a plain split on ``|``."""
    if "\\" not in string:
        return string.split("|")
    return _original_split(string)


def _table_rule() -> Any:
    """The table rule, reading ``escapedSplit`` from a copy of its module's globals."""
    rule = _table_module.table
    if _original_split is None or "escapedSplit" not in rule.__code__.co_names:  # markdown-it changed
        return rule
    namespace = dict(vars(_table_module))
    namespace["escapedSplit"] = _escaped_split
    return types.FunctionType(rule.__code__, namespace, rule.__name__, rule.__defaults__, rule.__closure__)


fast_table = _table_rule()

#: The ``helpers`` namespace of the checker's parser: markdown-it's, but parseLinkDestination.
HELPERS = types.SimpleNamespace(**vars(_helpers))
if hasattr(_destination_module, "_Result"):  # else markdown-it changed: keep its own
    HELPERS.parseLinkDestination = parse_link_destination


def lean_inline(state: StateCore) -> None:
    """The core ``inline`` rule, skipping inline tokens that hold no link and are no heading."""
    tokens = state.tokens
    md, env = state.md, state.env
    parse = md.inline.parse
    for index, token in enumerate(tokens):
        if token.type != "inline":
            continue
        if token.children is None:
            token.children = []
        content = token.content
        if "[" in content or "<" in content or (index and tokens[index - 1].type == "heading_open"):
            parse(content, md, env, token.children)
