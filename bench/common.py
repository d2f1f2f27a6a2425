"""What the benchmark scripts share: one command timed as its own process, and the machine's load.

The scripts are run as `python bench/<script>.py`, so this folder is first on sys.path."""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NamedTuple


class Timed(NamedTuple):
    wall: float  # seconds, start to end of the process
    cpu: float  # seconds of CPU (user + system) of the process and the children it waited for
    peak: int  # its peak resident memory (KiB; the largest of it and those children)
    code: int  # exit code
    out: str
    err: str


def timed(args: list[str], cwd: Path | None = None) -> Timed:
    """Run `args` and measure it (os.wait4: its own resource use, whatever else this process ran).
    Output goes to temporary files, never pipes, so a long output cannot stall it."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(args, stdout=out, stderr=err, cwd=cwd)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Timed(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, process.returncode,
                     out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def machine() -> str:
    return (f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs "
            "(other work on the machine slows every figure)")
