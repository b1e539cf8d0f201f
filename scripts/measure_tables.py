"""Print the Markdown tables of docs/measures.md ("Padu-7 and Padu-6 on the synthetic register").

python scripts/measure_tables.py [--scale 1] [--seed 1] [--home DIR]

Generates the synthetic register, imports it into a temporary DuckDB home (or ``--home``)
and prints: Padu-7 before issue 12 (scripts/padu-7-before.yaml) and after, and Padu-6, by
kabupaten (H, A, M0, families counted and left out); each indicator's deprivation rate
before and after; the education indicator's alternatives; the MPI x desil cross-table.
Family-based, k = 1/3, missing data excluded, as ``padu mpi`` by default.
"""

from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from padu.measure.desil import desil_crosstab
from padu.measure.measures import Measure, get_measure, load_measure
from padu.measure.snapshot import mpi_snapshot
from padu.regions import kaltara
from padu.register import import_register
from padu.stores import open_stores
from padu.synth import generate_register, write_register

HERE = Path(__file__).resolve().parent
SNAPSHOT_DATE = dt.date(2026, 1, 23)
#: The education alternatives compared (issue 12): the global MPI's six years, as Padu-7
#: read it before, and the SEPAKAT-style nine years Padu-7 uses now.
EDUCATION = {
    "tanpa_ijazah_sd": "no member aged 15+ holds an SD certificate (before)",
    "tanpa_ijazah_smp": "no member aged 16+ holds an SMP certificate (now)",
}
OLD_EDUCATION_RULE = (
    "semua anggota(umur(tanggal_lahir) < 15 atau partisipasi_sekolah = 1 "
    "atau ijazah_tertinggi_yang_dimiliki kosong atau ijazah_tertinggi_yang_dimiliki = 23)"
)


def _num(x: Any, digits: int = 4) -> str:
    return f"{float(x):.{digits}f}"


def _by_kabupaten(results: dict[str, Any]) -> str:
    names = {r.kode: r.nama.replace("Kabupaten ", "").replace("Kota ", "") for r in
             kaltara().at_level("kabupaten_kota")}  # fmt: skip
    head = "| kabupaten/kota | " + " | ".join(f"{m} H | {m} A | {m} M0" for m in results) + " |"
    lines = [head, "|---|" + "---:|" * 3 * len(results)]
    groups = sorted(next(iter(results.values())).groups)
    for g in [*groups, "province"]:
        cells = []
        for res in results.values():
            r = res.overall if g == "province" else res.groups[g]
            cells += [_num(r.H), _num(r.A), _num(r.M0)]
        label = "Kalimantan Utara" if g == "province" else names.get(g, g)
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    counted = "; ".join(
        f"{m}: {res.overall.n:,} families counted, {res.overall.missing:,} left out"
        for m, res in results.items()
    )
    return "\n".join(lines) + f"\n\n{counted}.\n"


def _indicators(before: Any, after: Any) -> str:
    ids = list(dict.fromkeys([*before.overall.uncensored, *after.overall.uncensored]))
    lines = [
        "| indicator | deprived before (%) | deprived after (%) |",
        "|---|---:|---:|",
    ]
    for i in ids:
        b, a = before.overall.uncensored.get(i), after.overall.uncensored.get(i)
        cell = [("-" if v is None else f"{100 * float(v):.1f}") for v in (b, a)]
        lines.append(f"| `{i}` | {cell[0]} | {cell[1]} |")
    return "\n".join(lines) + "\n"


def _education(wh: Any, cat: Any, snap: int, after: Measure) -> str:
    """H and the indicator's rate with either education rule, the rest of Padu-7 as now."""
    text = (HERE.parent / "src/padu/data/measures/padu-7.yaml").read_text(encoding="utf-8")
    swapped = load_measure(_swap_rule(text), "padu-7-sd.yaml")
    lines = [
        "| education indicator | families deprived (%) | Padu-7 H | Padu-7 poor families |",
        "|---|---:|---:|---:|",
    ]
    for m, ind in ((swapped, "tanpa_ijazah_sd"), (after, "tanpa_ijazah_smp")):
        r = mpi_snapshot(wh, cat, snap, m, by=None).overall
        lines.append(
            f"| {EDUCATION[ind]} | {100 * float(r.uncensored[ind]):.1f} | {_num(r.H)} | {r.q:,} |"
        )
    return "\n".join(lines) + "\n"


def _swap_rule(text: str) -> str:
    """padu-7.yaml with the education indicator's folded rule replaced by the old rule."""
    import yaml

    doc = yaml.safe_load(text)
    for ind in doc["indicators"]:
        if ind["id"] == "tanpa_ijazah_smp":
            ind["id"], ind["rule"] = "tanpa_ijazah_sd", OLD_EDUCATION_RULE
    return str(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False))


def _desil(table: Any) -> str:
    ms = table.measures
    head = "| desil | families | " + " | ".join(
        f"{m} poor | {m} not poor | {m} unclassified" for m in ms
    )
    lines = [head + " |", "|---|---:|" + "---:|" * 3 * len(ms)]
    for row in table.rows():
        label = {"kosong": "blank", "jumlah": "**total**"}.get(row["desil"], row["desil"])
        cells = [f"{row['keluarga']:,}"]
        for m in ms:
            cells += [f"{row[f'{m}_{s}']:,}" for s in ("miskin", "tidak_miskin",
                                                       "tidak_terklasifikasi")]  # fmt: skip
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--home", type=Path, default=None, help="Keep the stores here.")
    args = parser.parse_args()
    commit = subprocess.run(  # noqa: S603 (a fixed git command)
        ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True, text=True, check=False,
    ).stdout.strip() or "unknown (not a git checkout)"  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        home = args.home or Path(tmp)
        home.mkdir(parents=True, exist_ok=True)
        reg = generate_register(scale=args.scale, seed=args.seed)
        write_register(reg, home / "synth", False)
        wh, cat = open_stores(f"duckdb://{home / 'w.duckdb'}", f"sqlite:///{home / 'c.sqlite'}")
        try:
            snap = import_register(
                [home / "synth" / "keluarga.parquet", home / "synth" / "individu.parquet"],
                wh, cat, snapshot_date=SNAPSHOT_DATE, rejects_dir=home / "rejects",
                actor="measure_tables",
            ).snapshot  # fmt: skip
            before = load_measure(
                (HERE / "padu-7-before.yaml").read_text(encoding="utf-8"), "padu-7-before.yaml"
            )
            p7, p6 = get_measure("padu-7"), get_measure("padu-6")
            results = {
                m.id: mpi_snapshot(wh, cat, snap, m, by="kabupaten") for m in (before, p7, p6)
            }
            parts = [
                f"Synthetic register scale {args.scale}, seed {args.seed}, commit {commit}; "
                f"{reg.keluarga.height:,} families.\n",
                _by_kabupaten(results),
                _indicators(results["padu-7-before"], results["padu-7"]),
                _education(wh, cat, snap, p7),
                _desil(desil_crosstab(wh, cat, snap, [p7, p6])),
            ]
        finally:
            wh.close()
            cat.close()
    sys.stdout.write("\n".join(parts))


if __name__ == "__main__":
    main()
