"""Benchmark: family cards one after another (`padu family`, the web's Cari keluarga page).

An officer looks families up one after another; each card should take well under a
second on the full register (scale 1: 214,565 families), on DuckDB and on PostgreSQL. The
script generates the synthetic register at ``--scale`` (untimed) and, on each backend in
turn (PostgreSQL: a throwaway server, as ``pg_ratio.py`` starts one), sets a home up the
way a year's work leaves it, untimed, with ``padu`` in child processes:

    padu register import keluarga.parquet individu.parquet --snapshot-date 2026-01-23
    padu programme import preset:kaltara-2026
    padu register reference latest --year 2026 --why ...
    padu target semua --snapshot acuan:2026 --adopt          (every programme's list)
    padu synth list ... --size 5000 ; padu link ... --programme PKH --year 2026

Then, in this process with the stores a server holds open, it shows ``--cards`` cards of
families spread over the register (every k-th KK; every other one looked up by a member's
NIK), each through :func:`padu.convergence.family.family_card` with its audit record. The
first card of a process compiles the card's queries and is reported apart; mean, p95 and
max are over the others.

    python benchmarks/family_card.py [--scale 1] [--cards 60] [--synth DIR]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import table
from pg_ratio import PADU, postgres_server

DATE = "2026-01-23"
YEAR = 2026
KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"
#: (label, arguments after ``--home HOME``); ``{synth}`` and ``{work}`` are folders
SETUP: list[tuple[str, list[str]]] = [
    ("register import", ["register", "import", "{synth}/keluarga.parquet",
                         "{synth}/individu.parquet", "--snapshot-date", DATE]),
    ("programme import", ["programme", "import", "preset:kaltara-2026"]),
    ("register reference", ["register", "reference", "latest", "--year", str(YEAR),
                            "--why", "Benchmark: acuan 2026"]),
    ("target semua --adopt", ["target", "semua", "--snapshot", "acuan:2026", "--adopt"]),
    ("synth list", ["synth", "list", "--from", "acuan:2026", "--programme", "PKH", "--size",
                    "5000", "--seed", "1", "--out", "{work}/daftar-pkh.xlsx"]),
    ("link", ["link", "{work}/daftar-pkh.xlsx", "--programme", "PKH", "--year", str(YEAR),
              "--snapshot", "acuan:2026"]),
]  # fmt: skip


def set_up(home: Path, work: Path, synth: Path, env: dict[str, str]) -> None:
    """Run the set-up steps on one backend (the agency list is made once, then reused)."""
    for label, args in SETUP:
        if label == "synth list" and (work / "daftar-pkh.xlsx").exists():
            continue
        argv = [*PADU, "--home", str(home), *(a.format(synth=synth, work=work) for a in args)]
        start = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True, check=False)  # fmt: skip
        if proc.returncode != 0:
            tail = "\n".join(proc.stderr.splitlines()[-8:])
            raise SystemExit(f"{label}: exit {proc.returncode}\n{tail}")
        print(f"  {label}: {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)


def keys(wh: Any, catalog: Any, cards: int) -> list[str]:
    """``cards`` KKs spread over the register, every other one replaced by a member's NIK."""
    from padu.programmes.targeting import valid_nik
    from padu.register.snapshots import snapshot_table

    kel = snapshot_table(wh, catalog, "latest", "keluarga")
    every = kel.select(KK).order_by(KK).to_pyarrow().column(KK).to_pylist()
    step = max(1, len(every) // cards)
    chosen = [str(k) for k in every[::step][:cards]]
    ind = snapshot_table(wh, catalog, "latest", "individu")
    mine = ind.filter(ind[KK].isin(chosen[1::2]) & valid_nik(ind))
    niks = mine.group_by(KK).aggregate(nik=mine[NIK].min()).to_pyarrow().to_pylist()
    nik_of = {str(r[KK]): str(r["nik"]) for r in niks}
    return [nik_of.get(kk, kk) if i % 2 else kk for i, kk in enumerate(chosen)]


def time_cards(warehouse_url: str, catalog_url: str, cards: int) -> list[float]:
    """Seconds of each card, in order (the first compiles the card's queries)."""
    from padu.convergence.family import family_card
    from padu.stores import open_stores

    wh, catalog = open_stores(warehouse_url, catalog_url)
    try:
        chosen = keys(wh, catalog, cards)
        seconds = []
        for key in chosen:
            start = time.perf_counter()
            family_card(wh, catalog, key, YEAR, actor="benchmark")
            seconds.append(time.perf_counter() - start)
        shown = ", ".join(f"{s:.2f}" for s in seconds)
        print(f"  {len(seconds)} cards: {shown} s", file=sys.stderr, flush=True)
        return seconds
    finally:
        wh.close()
        catalog.close()


def row(store: str, seconds: list[float]) -> list[str]:
    rest = seconds[1:] or seconds
    p95 = statistics.quantiles(rest, n=20)[18] if len(rest) > 1 else rest[0]
    return [store, str(len(seconds)), f"{seconds[0]:.2f}", f"{statistics.mean(rest):.3f}",
            f"{p95:.3f}", f"{max(rest):.3f}"]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--cards", type=int, default=60)
    parser.add_argument("--synth", type=Path, help="a generated register folder to reuse")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="padu-bench-card-"))
    env = {
        k: v for k, v in os.environ.items() if k not in ("PADU_WAREHOUSE_URL", "PADU_CATALOG_URL")
    }
    rows = []
    try:
        synth = args.synth or work / "synth"
        if args.synth is None:
            subprocess.run(
                [*PADU, "synth", "--scale", str(args.scale), "--out", str(synth), "--no-xlsx"],
                check=True, stdout=subprocess.DEVNULL, env=env,
            )  # fmt: skip
        print("DuckDB + SQLite", file=sys.stderr)
        home = work / "home-duckdb"
        set_up(home, work, synth, env)
        from padu.settings import Settings

        settings = Settings(home=home)
        duck = (settings.resolved_warehouse_url(), settings.resolved_catalog_url())
        rows.append(row("DuckDB + SQLite", time_cards(*duck, args.cards)))
        with postgres_server() as url:
            print("PostgreSQL", file=sys.stderr)
            pg_env = {**env, "PADU_WAREHOUSE_URL": url, "PADU_CATALOG_URL": url}
            set_up(work / "home-pg", work, synth, pg_env)
            rows.append(row("PostgreSQL", time_cards(url, url, args.cards)))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    table(
        f"Family cards one after another, scale {args.scale:g} (seconds per card, in process)",
        ["store", "cards", "first s", "mean s", "p95 s", "max s"],
        rows,
    )


if __name__ == "__main__":
    main()
