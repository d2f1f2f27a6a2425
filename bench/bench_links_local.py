"""Benchmark of `awesome-prune links` without arguments (the local checks `make build` runs).

For each size, a synthetic list (bench/synth.py) is built with `awesome-prune build --no-site`
(add `--site` to build and check the static site too), then `awesome-prune --root DIR links` is
timed as a separate process:

* cold -- no stored local results (`.cache/links-local.json` removed before each run): every page
  read and parsed;
* warm -- the stored results of the previous run, no page changed: nothing parsed.

Printed: the median wall time of `--runs` runs (default 3), the CPU time (user + system, the
second process included) of the median run, and the 1-minute load average before the runs (other
processes on the machine make wall times longer; CPU times much less so).

    .venv/bin/python bench/bench_links_local.py [--sizes 1000 10000] [--runs 3] [--site] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from awesome_prune.links.localcache import CACHE_FILE as CACHE
from common import machine, timed
from synth import make_list

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "awesome_prune"]


def _run(args: list[str]) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the process and its children, stdout) of one command."""
    run = timed(args, cwd=ROOT)
    if run.code not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({run.code}):\n{run.err}")
    return run.wall, run.cpu, run.out


def _median(samples: list[tuple[float, float, str]]) -> tuple[float, float, str]:
    wall = statistics.median(s[0] for s in samples)
    return min(samples, key=lambda s: abs(s[0] - wall))


def bench(root: Path, size: int, runs: int, site: bool) -> tuple[tuple[float, float, str], tuple[float, float, str]]:
    make_list(root, size)
    build = [*CLI, "--root", str(root), "build"] + ([] if site else ["--no-site"])
    wall, _, _ = _run(build)
    print(f"  {size:>6} papers: built in {wall:.1f} s "
          f"({sum(f.stat().st_size for f in root.rglob('*.md')) / 1e6:.1f} MB of markdown)", flush=True)
    links = [*CLI, "--root", str(root), "links"]
    cold = []
    for _ in range(runs):
        (root / CACHE).unlink(missing_ok=True)
        cold.append(_run(links))
    warm = [_run(links) for _ in range(runs)]  # the last cold run stored its results
    outputs = [s[2] for s in cold + warm]
    if len(set(outputs)) != 1:
        raise SystemExit("cold and warm runs disagree:\n" + "\n---\n".join(o[-2000:] for o in outputs))
    return _median(cold), _median(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--site", action="store_true", help="build the static site and check it too")
    parser.add_argument("--keep", type=Path, help="build the lists in DIR (kept) instead of a temporary folder")
    args = parser.parse_args()

    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-links-local-"))
    print(f"awesome-prune links (local checks{', site included' if args.site else ''}), median of {args.runs}; "
          f"{machine()}")
    rows = []
    try:
        for size in args.sizes:
            cold, warm = bench(base / f"list-{size}", size, args.runs, args.site)
            rows.append((size, cold, warm, cold[2].strip().splitlines()[-1]))
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)
    print(f"{'papers':>8} {'cold wall':>10} {'cold cpu':>9} {'warm wall':>10} {'warm cpu':>9}  result")
    for size, cold, warm, result in rows:
        print(f"{size:>8} {cold[0]:>9.2f}s {cold[1]:>8.2f}s {warm[0]:>9.2f}s {warm[1]:>8.2f}s  {result}")


if __name__ == "__main__":
    main()
