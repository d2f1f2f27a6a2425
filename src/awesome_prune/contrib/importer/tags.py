"""Tag badges of the hand-written list → record tags, resolved against a taxonomy.

`Type-Un/Semi--structured` gives Unstructured and Semi-structured (`Un` is a value's short
label), `Budget-Sparsity--layer` gives {value: Sparsity, detail: layer}, `Data-Medium~50B` gives
{value: Medium, detail: 50B}. A category or value the taxonomy does not know is kept verbatim
and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...errors import suggest
from ...records.identity import kebab
from ...records.models import Category, Taxonomy
from .rows import Note


@dataclass
class Resolved:
    tags: dict[str, list] = field(default_factory=dict)  # record form: "Name" or {value, detail}
    notes: list[Note] = field(default_factory=list)
    unknown: list[tuple[str, str]] = field(default_factory=list)  # (category key, value as written)
    colors: dict[str, str] = field(default_factory=dict)  # category key → badge colour used


class TagResolver:
    def __init__(self, taxonomy: Taxonomy):
        self.categories: dict[str, Category] = {}
        for category in taxonomy.categories:
            self.categories.setdefault(category.name.casefold(), category)
            self.categories.setdefault(category.key.casefold(), category)
        self.spellings = {
            c.key: {s.casefold(): v.name for v in c.values
                    for s in [v.name, *v.aliases, *([v.short] if v.short else [])]}
            for c in taxonomy.categories
        }

    def _value(self, key: str, text: str) -> tuple[str, str | None] | None:
        """(value name, detail) for `Sparsity-layer`, `Medium~50B`, `Un`; None when unknown."""
        spellings = self.spellings.get(key, {})
        if text.casefold() in spellings:
            return spellings[text.casefold()], None
        for cut in sorted((i for i, ch in enumerate(text) if ch in "-~"), reverse=True):
            name = spellings.get(text[:cut].strip().casefold())
            if name:
                return name, text[cut + 1:].strip() or None
        return None

    def resolve(self, badges: list[tuple[int, str, str, str]]) -> Resolved:
        result = Resolved()
        for offset, label, message, color in badges:
            category = self.categories.get(label.strip().casefold())
            if category is None:
                key = kebab(label) or "tags"
                names = sorted({c.name for c in self.categories.values()})
                result.notes.append((offset, f"unknown tag category {label!r}{suggest(label, names)}; kept "
                                             f"verbatim as {key!r}", "error"))
            else:
                key = category.key
                result.colors.setdefault(key, color)
            if key in result.tags:
                result.notes.append((offset, f"a second {label} badge; its values are added to the first", "warning"))
            refs = result.tags.setdefault(key, [])
            for part in (p.strip() for p in message.split("/")):
                if not part or part == "-":
                    result.notes.append((offset, f"empty tag value in {label}-{message}; ignored", "warning"))
                    continue
                found = self._value(key, part) if category else None
                if found is None:
                    value, _, detail = part.partition("~")
                    found = (value.strip(), detail.strip() or None)
                    result.unknown.append((key, found[0]))
                    if category:
                        names = [v.name for v in category.values]
                        hint = suggest(found[0], names) or f"; known values: {', '.join(names)}"
                        result.notes.append((offset, f"unknown {category.name} value {found[0]!r}{hint}; kept "
                                                     "verbatim (add it to the taxonomy or fix the row)", "error"))
                name, detail = found
                if any((r if isinstance(r, str) else r["value"]) == name for r in refs):
                    result.notes.append((offset, f"{label} value {name!r} listed twice; kept once", "warning"))
                    continue
                refs.append({"value": name, "detail": detail} if detail else name)
            if not refs:
                del result.tags[key]
        return result
