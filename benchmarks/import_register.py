"""Benchmark: import the synthetic Kaltara register (CSV and Parquet) into a fresh DuckDB home.

Targets (issue 2): scale 1 (about 770k people) under 30 s and under 2 GiB peak memory;
scale 10 under 5 minutes. Each import runs in its own process so its peak RSS is its own.

    python benchmarks/import_register.py [--scale 1] [--scale 10]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from _common import run_measured, table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, action="append", help="register scale (repeatable)")
    parser.add_argument("--formats", default="csv,parquet")
    args = parser.parse_args()
    rows = []
    for scale in args.scale or [1.0]:
        work = Path(tempfile.mkdtemp(prefix=f"padu-bench-{scale:g}-"))
        try:
            synth = work / "synth"
            gen_s, gen_mb = run_measured(
                ["synth", "--scale", str(scale), "--seed", "1", "--out", str(synth), "--no-xlsx"]
            )
            rows.append([f"{scale:g}", "synth", f"{gen_s:.1f}", f"{gen_mb:,.0f}"])
            for fmt in args.formats.split(","):
                home = work / f"home-{fmt}"
                secs, mb = run_measured(
                    [
                        "--home",
                        str(home),
                        "register",
                        "import",
                        str(synth / f"keluarga.{fmt}"),
                        str(synth / f"individu.{fmt}"),
                        "--snapshot-date",
                        "2026-01-23",
                    ]
                )
                rows.append([f"{scale:g}", f"import {fmt}", f"{secs:.1f}", f"{mb:,.0f}"])
        finally:
            shutil.rmtree(work, ignore_errors=True)
    table(
        "Import of the synthetic register (fresh DuckDB home, one process each)",
        ["scale", "step", "seconds", "peak MiB"],
        rows,
    )


if __name__ == "__main__":
    main()
