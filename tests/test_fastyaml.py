"""The fast YAML path reads exactly what `yaml.load` (CSafeLoader) reads, or declines (None).

Checked on every record of the repository and the fixtures, on generated records in many YAML
spellings, on random mutations of realistic records (a character inserted, deleted or replaced, a
line duplicated), and on a list of odd inputs that must always be left to the full parser.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from awesome_prune import fastyaml
from awesome_prune.load import _document

from .conftest import REPO, synth

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
RECORDS = sorted([*REPO.glob("papers/*.yaml"), *REPO.glob("tests/fixtures/*/papers/*.yaml")])


def typed(value):
    """The value with every type spelt out, so that 1 == True or 1 == 1.0 cannot hide a difference."""
    if isinstance(value, dict):
        return ("dict", [(typed(k), typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, value)


def agrees(text: str) -> bool:
    """Whether the fast path read `text` (True) or declined (False); fails if it read it wrongly."""
    fast = fastyaml.parse(text)
    if fast is None:
        return False
    reference = yaml.load(text, Loader=LOADER)  # must not raise: the fast path accepted it
    assert typed(fast) == typed(reference), text
    assert typed(_document(text)) == typed(reference), text
    return True


@pytest.mark.parametrize("file", RECORDS, ids=lambda f: f.relative_to(REPO).as_posix())
def test_every_record_of_the_repository_takes_the_fast_path(file):
    assert agrees(file.read_text(encoding="utf-8"))


def test_synthetic_records_take_the_fast_path():
    import random

    record = synth().record

    taxonomy = yaml.load((REPO / "concepts" / "taxonomy.yaml").read_text(), Loader=LOADER)
    rng = random.Random(3)
    for i in range(200):
        assert agrees(record(i, rng, taxonomy))


ODD = {
    "tab in a value": "a: b\tc\n",
    "tab indentation": "a:\n\tb: c\n",
    "carriage return": "a: b\rc\n",
    "anchor": "a: &x b\nc: *x\n",
    "alias in flow": "a: [*x]\n",
    "tag": "a: !!str 1\n",
    "duplicate key": "a: 1\na: 2\n",
    "duplicate flow key": "a: {b: 1, b: 2}\n",
    "key read as a bool": "yes: 1\n",
    "key read as null": "null: 1\n",
    "several documents": "a: 1\n---\nb: 2\n",
    "document start": "---\na: 1\n",
    "document end": "a: 1\n...\n",
    "directive": "%YAML 1.1\n---\na: 1\n",
    "multi-line plain scalar": "a: b\n  c\n",
    "multi-line quoted scalar": "a: 'b\n  c'\n",
    "multi-line flow": "a: [b,\n  c]\n",
    "escape in double quotes": 'a: "b\\nc"\n',
    "float": "a: 1.5\n",
    "octal": "a: 010\n",
    "underscored int": "a: 1_000\n",
    "sexagesimal": "a: 1:30\n",
    "timestamp with time": "a: 2024-01-01 10:00:00\n",
    "bad date": "a: 2024-13-01\n",
    "merge key": "<<: {a: 1}\n",
    "mapping value in plain scalar": "a: b: c\n",
    "plain scalar ending in a colon": "a: b:\n",
    "block scalar with keep": "a: |+\n  b\n\n",
    "block scalar with indentation indicator": "a: >2\n   b\n",
    "more-indented folded line": "a: >\n  b\n    c\n  d\n",
    "trailing space in a block scalar": "a: >-\n  b \n  c\n",
    "leading empty line in a block scalar": "a: >-\n\n  b\n",
    "empty block scalar": "a: >-\nb: c\n",
    "list at the top": "- a\n- b\n",
    "scalar at the top": "just words\n",
    "indented top": "  a: 1\n",
    "question mark key": "? a\n: b\n",
    "quoted key": "'a': b\n",
    "empty sequence item": "a:\n  -\n  - b\n",
    "trailing comma": "a: [b, ]\n",
    "BOM inside": "a: b\ufeffc\n",
    "line separator": "a: b\u2028c\n",
    "NEL": "a: b\x85c\n",
    "control character": "a: b\x07c\n",
    "private use character": "a: b\ue000c\n",
    "empty file": "",
    "only a comment": "# nothing\n",
    "long key": "k" * 200 + ": v\n",
}


@pytest.mark.parametrize("name", sorted(ODD))
def test_odd_inputs_are_left_to_the_full_parser(name):
    assert fastyaml.parse(ODD[name]) is None


# --- generated records ----------------------------------------------------------------------

CHARS = st.sampled_from(list("abcXYZ019 _-.:#,[]{}'\"?&*!|>%@`~=<\\/()+é✓😀\t") + ["\u2028", "\x85", "\r"])
WORDS = st.sampled_from(["yes", "No", "on", "null", "~", "true", "2024", "-3", "0", "012", "1.5", "2024-02-29",
                         "2023-02-29", "2024-1-1", ".inf", "=", "<<", "x", "A b", "https://x.org/a?b=c#d",
                         "a: b", "a #b", "a#b", "C#", "-", "- a", "[a]", "{a: b}", "'q'", '"q"', "", " "])
SAFE = st.text(st.sampled_from(list("abcXYZ019 _-.:/()+é✓😀")), min_size=1, max_size=12)
TEXT = st.one_of(SAFE, SAFE, SAFE, WORDS, st.text(CHARS, max_size=12), st.builds(lambda a, b: a + " " + b, WORDS, SAFE))
KEYS = st.one_of(st.sampled_from(["id", "title", "tags", "a", "b-c", "_d", "Key", "n0"]),
                 st.sampled_from(["id", "title", "yes", "null", "on", "x y", "1", "k:", "a" * 101]))


def scalar(draw) -> str:
    text = draw(TEXT)
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "single":
        return "'" + text.replace("'", draw(st.sampled_from(["''", "'"]))) + "'"
    if style == "double":
        return '"' + text + '"'
    return text


@st.composite
def flow(draw, depth=0) -> str:
    if depth < 2 and draw(st.booleans()):
        items = draw(st.lists(st.deferred(lambda: flow(depth + 1)), max_size=3))
        if draw(st.booleans()):
            return "[" + draw(st.sampled_from([", ", ",", " , "])).join(items) + "]"
        keys = draw(st.lists(KEYS, min_size=len(items), max_size=len(items), unique=draw(st.booleans())))
        return "{" + ", ".join(f"{k}: {v}" for k, v in zip(keys, items)) + "}"
    return scalar(draw)


@st.composite
def block_scalar(draw, indent: int) -> list[str]:
    header = draw(st.sampled_from([">", ">-", "|", "|-", ">", ">-", "|", "|-", ">+", "|2", "> # c"]))
    pad = " " * (indent + draw(st.sampled_from([1, 2, 3])))
    lines = draw(st.lists(st.one_of(TEXT, st.just("")), min_size=1, max_size=4))
    extra = draw(st.sampled_from(["", "", "", " ", "  "]))
    blank = st.sampled_from(["", "", "", " ", pad])
    return [header] + [(pad + extra + line if line else draw(blank)) for line in lines]


@st.composite
def node(draw, indent: int, depth: int) -> tuple[str, list[str]]:
    """(text after `key: `, following lines) of one value at `indent`."""
    kind = draw(st.sampled_from(["scalar", "flow", "block", "map", "seq", "empty"] if depth < 3 else ["scalar"]))
    step = draw(st.sampled_from([2, 2, 4, 1]))
    if kind == "scalar":
        comment = draw(st.sampled_from(["", "", " # note", "#x", "  # note"]))
        return scalar(draw) + comment, []
    if kind == "flow":
        return draw(flow()), []
    if kind == "block":
        head, *rest = draw(block_scalar(indent))
        return head, rest
    if kind == "empty":
        return "", []
    if kind == "map":
        return "", draw(mapping(indent + step, depth + 1))
    sub = indent + draw(st.sampled_from([0, step]))
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.booleans()):
            first, *rest = draw(mapping(sub + 2, depth + 1))
            lines += [" " * sub + "- " + first[sub + 2:]] + rest
        else:
            head, rest = draw(node(sub, depth + 1))
            lines += [" " * sub + "- " + head] + rest
    return "", lines


@st.composite
def mapping(draw, indent: int = 0, depth: int = 0) -> list[str]:
    lines = []
    for key in draw(st.lists(KEYS, min_size=1, max_size=4, unique=draw(st.integers(0, 5)) > 0)):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", "# comment", " " * indent + "# c"])))
        head, rest = draw(node(indent, depth))
        lines.append(" " * indent + key + ":" + (" " + head if head else draw(st.sampled_from(["", " # c"]))))
        lines += rest
    return lines


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mapping())
def test_generated_documents_are_read_as_yaml_reads_them_or_declined(lines):
    text = "\n".join(lines) + "\n"
    try:
        agrees(text)
    except yaml.YAMLError:
        raise AssertionError(f"fast path accepted what YAML refuses:\n{text}") from None


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(RECORDS), st.integers(0, 10**6), st.sampled_from(["insert", "delete", "replace", "line"]),
       st.sampled_from(list(" \n:#-'\"[]{},>|&*!?ab1\t") + ["  ", "\n  ", ": ", " #", "- "]))
def test_mutated_records_are_read_as_yaml_reads_them_or_declined(file, where, how, piece):
    text = file.read_text(encoding="utf-8")
    at = where % (len(text) + 1)
    if how == "insert":
        text = text[:at] + piece + text[at:]
    elif how == "delete":
        text = text[:at] + text[at + len(piece):]
    elif how == "replace":
        text = text[:at] + piece + text[at + 1:]
    else:
        lines = text.split("\n")
        line = lines[at % len(lines)]
        lines.insert(at % len(lines), line)
        text = "\n".join(lines)
    try:
        agrees(text)
    except yaml.YAMLError:
        raise AssertionError(f"fast path accepted what YAML refuses:\n{text}") from None


def test_dates_and_numbers_have_yaml_types():
    data = fastyaml.parse("a: 2024-02-29\nb: 2024\nc: '2024'\nd: true\ne: ~\nf:\n")
    assert data == {"a": dt.date(2024, 2, 29), "b": 2024, "c": "2024", "d": True, "e": None, "f": None}
