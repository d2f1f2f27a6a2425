"""Regenerate the golden output trees: `make golden` (python -m tests.golden).

Each fixture list under tests/fixtures/ is rendered and its outputs written under tests/golden/,
which tests/test_golden.py compares against. Review the diff before committing new goldens.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
LISTS = ["list"]


def render(name: str) -> dict[str, str | bytes]:
    from awesome_prune.build import render_catalog
    from awesome_prune.records.catalog import load_catalog

    return render_catalog(load_catalog(HERE / "fixtures" / name))


def main() -> None:
    for name in LISTS:
        target = HERE / "golden" / name
        shutil.rmtree(target, ignore_errors=True)
        for path, content in sorted(render(name).items()):
            file = target / path
            file.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                file.write_bytes(content)
            else:
                file.write_text(content, encoding="utf-8", newline="\n")
        print(f"wrote {target.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
