"""Benchmark: import the synthetic Kaltara register (CSV and Parquet) into a fresh DuckDB home,
and the refusal path: the same CSV files with 10 % of the rows broken beyond use.

Targets (issue 2): scale 1 (about 770k people) under 30 s and under 2 GiB peak memory;
scale 10 under 5 minutes. Issue 9: the refused import (scale 1, 10 % bad rows: report and
rejects files written, nothing stored) also under 2 GiB. Each import runs in its own
process so its peak RSS is its own.

    python benchmarks/import_register.py [--scale 1] [--scale 10] [--bad 0.1] [--work DIR]

``--work DIR`` keeps the generated register (and the broken copy) in DIR and reuses them on
the next run, so a re-measurement skips generation; ``--formats ""`` measures only the
refusal.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import polars as pl
from _common import run_measured, table

DATE = ["--snapshot-date", "2026-01-23"]
NIK = "nomor_induk_kependudukan"


def break_rows(synth: Path, out: Path, share: float) -> None:
    """Copy the CSV files to ``out`` with ``share`` of each file's rows structurally broken:
    a family's unknown village code; a member's blank NIK or impossible birth date (half
    each)."""
    out.mkdir()
    step = round(1 / share)
    row = pl.int_range(pl.len())
    hit = row % step == 0
    kel = pl.read_csv(synth / "keluarga.csv", infer_schema=False)
    kel = kel.with_columns(
        pl.when(hit)
        .then(pl.lit("65.99.99.9999"))
        .otherwise(pl.col("kode_kelurahan_desa"))
        .alias("kode_kelurahan_desa")
    )
    ind = pl.read_csv(synth / "individu.csv", infer_schema=False)
    first = row % (2 * step) == 0
    ind = ind.with_columns(
        pl.when(hit & first).then(pl.lit("")).otherwise(pl.col(NIK)).alias(NIK),
        pl.when(hit & ~first)
        .then(pl.lit("31-02-1990"))
        .otherwise(pl.col("tanggal_lahir"))
        .alias("tanggal_lahir"),
    )
    kel.write_csv(out / "keluarga.csv")
    ind.write_csv(out / "individu.csv")


def broken_rows(bad: Path, share: float) -> int:
    """How many rows :func:`break_rows` broke in the files under ``bad``."""
    step = round(1 / share)
    heights = (
        pl.scan_csv(bad / name, infer_schema=False).select(pl.len()).collect().item()
        for name in ("keluarga.csv", "individu.csv")
    )
    return sum(-(-height // step) for height in heights)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, action="append", help="register scale (repeatable)")
    parser.add_argument("--formats", default="csv,parquet")
    parser.add_argument("--bad", type=float, default=0.1, help="share of rows broken (0: skip)")
    parser.add_argument("--work", type=Path, help="keep and reuse the generated files here")
    args = parser.parse_args()
    rows = []
    for scale in args.scale or [1.0]:
        if args.work:
            work = args.work / f"scale-{scale:g}"
            work.mkdir(parents=True, exist_ok=True)
        else:
            work = Path(tempfile.mkdtemp(prefix=f"padu-bench-{scale:g}-"))
        try:
            synth = work / "synth"
            if not (synth / "individu.csv").exists():
                shutil.rmtree(synth, ignore_errors=True)
                generate = ["synth", "--scale", str(scale), "--seed", "1", "--no-xlsx"]
                gen_s, gen_mb = run_measured([*generate, "--out", str(synth)])
                rows.append([f"{scale:g}", "synth", f"{gen_s:.1f}", f"{gen_mb:,.0f}"])
            for fmt in filter(None, args.formats.split(",")):
                home = work / f"home-{fmt}"
                shutil.rmtree(home, ignore_errors=True)
                files = [str(synth / f"keluarga.{fmt}"), str(synth / f"individu.{fmt}")]
                secs, mb = run_measured(["--home", str(home), "register", "import", *files, *DATE])
                rows.append([f"{scale:g}", f"import {fmt}", f"{secs:.1f}", f"{mb:,.0f}"])
            if args.bad:
                bad = work / f"bad-{args.bad:g}"
                if not (bad / "individu.csv").exists():
                    shutil.rmtree(bad, ignore_errors=True)
                    break_rows(synth, bad, args.bad)
                n = broken_rows(bad, args.bad)
                files = [str(bad / "keluarga.csv"), str(bad / "individu.csv")]
                home = work / "home-bad"
                shutil.rmtree(home, ignore_errors=True)
                secs, mb = run_measured(
                    ["--home", str(home), "register", "import", *files, *DATE], expect=1
                )
                step = f"refused csv ({args.bad:.0%} bad, {n:,} rows)"
                rows.append([f"{scale:g}", step, f"{secs:.1f}", f"{mb:,.0f}"])
        finally:
            if not args.work:
                shutil.rmtree(work, ignore_errors=True)
    table(
        "Import of the synthetic register (fresh DuckDB home, one process each)",
        ["scale", "step", "seconds", "peak MiB"],
        rows,
    )


if __name__ == "__main__":
    main()
