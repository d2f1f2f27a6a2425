"""Record ids derived from paper titles: short, kebab-case, unique among the ids already taken.

Shared by `awesome-prune new` and `awesome-prune import`. Pure functions, no I/O.

* A short name before a colon is the paper's name: `SparseGPT: Massive …` → `sparsegpt`,
  `Sheared LLaMA: …` → `sheared-llama`.
* An acronym in parentheses names it too: `Outlier Weighed Layerwise Sparsity (OWL): …` → `owl`.
* Otherwise the first significant words (no articles, prepositions or conjunctions), at most four
  and about 32 characters: `A Simple and Effective Pruning Approach for …` →
  `simple-effective-pruning`.
* A taken id gets `-2`, `-3`, … appended.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container

MAX_WORDS = 4
MAX_LENGTH = 32
MAX_NAME_WORDS = 3  # a colon prefix up to this many words is the paper's name

STOPWORDS = frozenset(
    "a an the and or but nor for of on in into onto to with without via by from at as is are be "
    "can do does how what when where which who why we our your their its it this that these those "
    "towards toward through".split()
)
_ACRONYM = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,15})\)")


def kebab(text: str) -> str:
    """`Sheared LLaMA` → `sheared-llama`: ASCII letters and digits, single dashes, lower case."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _words(text: str) -> list[str]:
    return [w for w in (kebab(part) for part in re.split(r"[\s/]+", text)) if w]


def _significant(text: str) -> str:
    words = [w for w in _words(text) if w not in STOPWORDS] or _words(text)
    chosen: list[str] = []
    for word in words:
        candidate = "-".join(chosen + [word])
        if chosen and (len(chosen) >= MAX_WORDS or len(candidate) > MAX_LENGTH):
            break
        chosen.append(word)
    return "-".join(chosen)[:60].strip("-")


def base_id(title: str) -> str:
    """The id a title suggests, before making it unique; `paper` when nothing usable is left."""
    title = " ".join(title.split())
    prefix, colon, _ = title.partition(":")
    if colon:
        acronym = _ACRONYM.search(prefix)
        if acronym:
            return kebab(acronym.group(1)) or "paper"
        if len(prefix.split()) <= MAX_NAME_WORDS and kebab(prefix):
            return kebab(prefix)[:60].strip("-")
        return _significant(prefix) or _significant(title) or "paper"
    return _significant(title) or "paper"


def unique_id(base: str, taken: Container[str]) -> str:
    """`base`, or `base-2`, `base-3`, … : the first one not in `taken`."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


def derive_id(title: str, taken: Container[str]) -> str:
    return unique_id(base_id(title), taken)
