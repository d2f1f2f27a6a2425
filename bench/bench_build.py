"""Build speed: whole `awesome-prune build` processes on synthetic lists (medians), and peak memory.

Targets (2-core machine), for the list build (`build --no-site`): 1,000 papers ≤ 0.5 s; 10,000
papers ≤ 1.5 s cold; a no-op rebuild of 10,000 ≤ 0.3 s; peak memory at 10,000 ≤ 300 MiB. The
static site's cost is reported too (`build`, which writes `_site/` as well). Prints figures, then
one line per target with its median and whether that meets it; asserts nothing.

"Cold" means every output and `.cache/` removed before the run (the OS file cache stays warm);
"no-op" is the same command again with nothing changed. Peak RSS is that of the build process
itself (os.wait4), the largest over its runs.

Environment: BENCH_SIZES (default 1000,10000), BENCH_RUNS (default 3).
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from common import machine, timed
from synth import make_list

RUNS = int(os.environ.get("BENCH_RUNS", "3"))
VARIANTS = {"list (--no-site)": ("--no-site",), "list + site": ()}


def run_build(root: Path, *extra: str) -> tuple[float, int]:
    """Wall time of one build process and its own peak RSS in KiB."""
    run = timed([sys.executable, "-m", "awesome_prune", "--root", str(root), "build", *extra])
    if run.code != 0:
        raise SystemExit(f"build failed:\n{run.err[-2000:]}")
    return run.wall, run.peak


def clean_outputs(root: Path) -> None:
    for name in ("README.md", "challenge/challenge.md", ".cache", "data", "_site", "schema", ".github"):
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for page in (root / "concepts").glob("*.md"):
        page.unlink()


def measure(root: Path, extra: tuple[str, ...]) -> tuple[list[float], list[float], int]:
    cold, noop, peak = [], [], 0
    for _ in range(RUNS):
        clean_outputs(root)
        elapsed, rss = run_build(root, *extra)
        cold.append(elapsed)
        peak = max(peak, rss)
        elapsed, rss = run_build(root, *extra)
        noop.append(elapsed)
        peak = max(peak, rss)
    return cold, noop, peak


# The targets for the list build (`--no-site`): (papers, what, limit, unit).
TARGETS = [(1000, "cold", 0.5, "s"), (10000, "cold", 1.5, "s"), (10000, "no-op", 0.3, "s"),
           (10000, "peak RSS", 300, "MiB")]


def verdicts(found: dict[tuple[int, str], float]) -> list[str]:
    """One line per target measured: the figure, the limit, and whether it is met."""
    lines = []
    for papers, what, limit, unit in TARGETS:
        if (papers, what) in found:
            value = found[(papers, what)]
            shown = f"{value:.3f} s" if unit == "s" else f"{value:.0f} {unit}"
            lines.append(f"{papers:>6} papers, list, {what:<8}: {shown:>9}  target <= {limit} {unit}  "
                         f"{'MET' if value <= limit else 'NOT MET'}")
    return lines


def main() -> None:
    sizes = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
    found: dict[tuple[int, str], float] = {}
    with tempfile.TemporaryDirectory(prefix="awesome-prune-bench-") as tmp:
        for n in sizes:
            root = make_list(Path(tmp) / f"list-{n}", n)
            for name, extra in VARIANTS.items():
                cold, noop, peak = measure(root, extra)
                print(f"{n:>6} papers, {name:<16}: cold median {statistics.median(cold):.3f} s "
                      f"(runs {', '.join(f'{t:.3f}' for t in cold)}); no-op median "
                      f"{statistics.median(noop):.3f} s (runs {', '.join(f'{t:.3f}' for t in noop)}); "
                      f"peak RSS {peak / 1024:.0f} MiB", flush=True)
                if extra == ("--no-site",):
                    found.update({(n, "cold"): statistics.median(cold), (n, "no-op"): statistics.median(noop),
                                  (n, "peak RSS"): peak / 1024})
    print(f"\nmedians of {RUNS} runs; {machine()}")
    for line in verdicts(found):
        print(line)


if __name__ == "__main__":
    main()
