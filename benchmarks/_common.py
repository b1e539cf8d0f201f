"""Shared helpers for the benchmark scripts: timing a child process and printing a table."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PADU = [sys.executable, "-m", "padu.cli"]


_WRAP = (
    "import resource, sys\n"
    "from padu.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write(f'__maxrss_kib__ {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    "sys.exit(code)\n"
)


def run_measured(args: list[str], *, expect: int = 0) -> tuple[float, float]:
    """Run ``padu ARGS`` in a child process; return (seconds, that child's peak RSS in MiB).

    ``expect`` is the exit code the run must end with (1 for an import that is refused).
    """
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _WRAP, *args],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != expect:
        tail = "\n".join(proc.stderr.splitlines()[-5:])
        raise SystemExit(
            f"padu {' '.join(args)}: exit {proc.returncode}, expected {expect}\n{tail}"
        )
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


def home_arguments(description: str | None) -> argparse.ArgumentParser:
    """A parser with the options every register benchmark takes: --scale and --home."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--home", type=Path, help="use an existing home with an imported snapshot")
    return parser


@contextmanager
def bench_home(name: str, scale: float, home: Path | None = None) -> Iterator[tuple[Path, Path]]:
    """A scratch folder and a home (``home``, or the register imported at ``scale`` there);
    the scratch folder is removed afterwards."""
    work = Path(tempfile.mkdtemp(prefix=f"padu-bench-{name}-"))
    try:
        yield work, home or imported_home(work, scale)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def imported_home(work: Path, scale: float) -> Path:
    """Generate the synthetic register at ``scale`` and import it into a new home (untimed)."""
    synth, home = work / "synth", work / "home"
    subprocess.run(
        [*PADU, "synth", "--scale", str(scale), "--out", str(synth), "--no-xlsx"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    files = [str(synth / "keluarga.parquet"), str(synth / "individu.parquet")]
    subprocess.run(
        [*PADU, "--home", str(home), "register", "import", *files, "--snapshot-date", "2026-01-23"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return home


def open_stores(home: Path) -> tuple[Any, Any]:
    """The warehouse and catalog of a home, as the CLI would open them."""
    from padu.settings import Settings
    from padu.stores import open_stores as connect

    settings = Settings(home=home)
    return connect(settings.resolved_warehouse_url(), settings.resolved_catalog_url())
