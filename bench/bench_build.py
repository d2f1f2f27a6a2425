"""Build speed against the targets of the one-pipeline issue: whole processes on synthetic lists.

Figures (medians of BENCH_RUNS runs, default 5; "cold" = no outputs and no `.cache/`, the OS file
cache warm):

* `make build` (the site and the local link check included) at 1,000 and 10,000 papers, cold, and
  at 10,000 with nothing changed; run as `make -f <this checkout>/Makefile -C <list> build`;
* `awesome-prune build --no-site` at 10,000, cold;
* the peak RSS of the build process at 10,000 (`make build`, cold);
* the size of `src/` (lines, modules, the largest module).

Prints each figure, then one line per target: figure, limit, MET or NOT MET. Asserts nothing.
Environment: BENCH_SIZES (default 1000,10000), BENCH_RUNS (default 5).
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

REPO = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
OUTPUTS = ("README.md", "challenge/challenge.md", ".cache", "data", "_site", "schema", ".github")


def clean(root: Path) -> None:
    for name in OUTPUTS:
        path = root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    for page in (root / "concepts").glob("*.md"):
        page.unlink()


def run(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one command and its children."""
    result = timed(args)
    if result.code != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.out[-1500:]}{result.err[-1500:]}")
    return result.wall, result.peak


def make_build(root: Path) -> list[str]:
    return ["make", "--no-print-directory", "-s", "-f", str(REPO / "Makefile"), "-C", str(root), "build"]


def no_site(root: Path) -> list[str]:
    return [str(REPO / ".venv" / "bin" / "awesome-prune"), "--root", str(root), "build", "--no-site"]


def medians(root: Path, command: list[str], cold: bool) -> tuple[float, int, list[float]]:
    times, peak = [], 0
    for _ in range(RUNS):
        if cold:
            clean(root)
        wall, rss = run(command)
        times.append(wall)
        peak = max(peak, rss)
    return statistics.median(times), peak, times


def source_size() -> tuple[int, int, int, str]:
    files = sorted((REPO / "src").rglob("*.py"))
    sizes = {f.relative_to(REPO / "src").as_posix(): len(f.read_text(encoding="utf-8").splitlines()) for f in files}
    largest = max(sizes, key=sizes.get)
    return sum(sizes.values()), len(files), sizes[largest], largest


TARGETS = [  # (name, limit, unit)
    ("src/ lines", 5500, ""), ("src/ modules", 40, ""), ("largest module, lines", 300, ""),
    ("make build, 1,000 papers, cold", 0.6, "s"), ("make build, 10,000 papers, cold", 3.0, "s"),
    ("build --no-site, 10,000, cold", 1.2, "s"), ("make build, 10,000, nothing changed", 0.3, "s"),
    ("peak RSS, make build, 10,000", 300, "MiB"),
]


def main() -> None:
    found: dict[str, float] = {}
    lines, modules, biggest, name = source_size()
    print(f"src/: {lines} lines in {modules} modules; the largest: {name} ({biggest} lines)")
    found.update({"src/ lines": lines, "src/ modules": modules, "largest module, lines": biggest})
    sizes = [int(n) for n in os.environ.get("BENCH_SIZES", "1000,10000").split(",")]
    with tempfile.TemporaryDirectory(prefix="awesome-prune-bench-") as tmp:
        for n in sizes:
            root = make_list(Path(tmp) / f"list-{n}", n)
            label = f"{n:,}"
            median, peak, times = medians(root, make_build(root), cold=True)
            print(f"{label:>7} papers, make build, cold: median {median:.3f} s (runs {', '.join(f'{t:.2f}' for t in times)}); "
                  f"peak RSS {peak / 1024:.0f} MiB", flush=True)
            found[f"make build, {label} papers, cold"] = median
            if n >= 10000:
                found[f"peak RSS, make build, {label}"] = peak / 1024
                median, _, times = medians(root, make_build(root), cold=False)
                print(f"{label:>7} papers, make build, nothing changed: median {median:.3f} s", flush=True)
                found[f"make build, {label}, nothing changed"] = median
                median, _, times = medians(root, no_site(root), cold=True)
                print(f"{label:>7} papers, build --no-site, cold: median {median:.3f} s "
                      f"(runs {', '.join(f'{t:.2f}' for t in times)})", flush=True)
                found[f"build --no-site, {label}, cold"] = median
    print(f"\nmedians of {RUNS} runs; {machine()}")
    for target, limit, unit in TARGETS:
        if target in found:
            value = found[target]
            shown = f"{value:.3f} s" if unit == "s" else f"{value:.0f}{' ' + unit if unit else ''}"
            print(f"{target:<38} {shown:>10}   target <= {limit}{' ' + unit if unit else ''}   "
                  f"{'MET' if value <= limit else 'NOT MET'}")


if __name__ == "__main__":
    sys.exit(main())
