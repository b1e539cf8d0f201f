"""Shared helpers for the benchmark scripts: timing a child process and printing a table."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PADU = [sys.executable, "-m", "padu.cli"]


_WRAP = (
    "import resource, sys\n"
    "from padu.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write(f'__maxrss_kib__ {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)


def run_measured(args: list[str]) -> tuple[float, float]:
    """Run ``padu ARGS`` in a child process; return (seconds, that child's peak RSS in MiB)."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _WRAP, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - start
    peak = next(
        int(line.split()[1])
        for line in proc.stderr.splitlines()
        if line.startswith("__maxrss_kib__")
    )
    return elapsed, peak / 1024


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
