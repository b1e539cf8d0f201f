"""Benchmark: link two independent 50,000-row agency lists to the register, next to plain splink.

Targets (issues 5 and 10), against the full scale-1 register (770,627 people), for each of
two evaluation lists made by different noise models: auto precision >= 0.999; the right
person auto-linked or among the review candidates >= 0.995; review <= 2 % (goal 1 %); no
row whose exact NIK is in the register unmatched; rows exported = data rows; a warm link
under 5 s. The lists:

- ``synth``: ``padu synth list`` (the project's own generator, next to the matcher);
- ``habits``: ``benchmarks/habits_list.py`` (seed 23; the matcher's rules were checked
  on seed 7 only), a second noise model written apart from the matcher from agency
  habits (Excel-number NIKs, KK in the NIK column, capitals and titles, place and date in
  one cell, dates as text, nicknames, other provinces, title, total and note rows...);
- ``families``: a family-keyed list from the same second model (KK, head's name, desa as
  text), scored on the family.

Each list is linked by ``padu link`` in its own process: first against the snapshot with no
cache (learns u, normalises the register's names), then warm; and by the plain splink model
of ``benchmarks/plain_splink.py`` (person lists; it reads the list through Padu's reader,
so it gets the same rows, dates and NIK cells and differs only in the matching). "First
run" clears the home's persons cache (u stays in the catalog after the first list).
Everything is scored from the exported
links file (``row,nik,kk,status,score,rank``: one line per review candidate) against the
list's ground truth, overall and per noise kind.

    python benchmarks/linkage.py [--scale 1] [--size 50000] [--home HOME]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
from _common import PADU, ROOT, bench_home, home_arguments, run_measured, table

HERE = ROOT / "benchmarks"
_WRAP = (
    "import resource, runpy, sys\n"
    "sys.argv = sys.argv[1:]\n"
    "try:\n"
    "    runpy.run_path(sys.argv[0], run_name='__main__')\n"
    "finally:\n"
    "    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
    "    sys.stderr.write(f'__maxrss_kib__ {r}\\n')\n"
)


def _script_measured(script: Path, args: list[str]) -> tuple[float, float]:
    """Run a benchmark script in a child process: (seconds, peak MiB)."""
    import time

    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _WRAP, str(script), *args],
        check=False, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{script.name}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    peak = next(
        int(line.split()[1])
        for line in proc.stderr.splitlines()
        if line.startswith("__maxrss_kib__")
    )
    return elapsed, peak / 1024


def _truth(path: Path) -> pl.DataFrame:
    rows = json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))
    frame = pl.DataFrame(rows["rows"], infer_schema_length=None)
    return frame.select(
        "row",
        pl.col("nik").cast(pl.String).alias("t_nik"),
        pl.col("kk").cast(pl.String).alias("t_kk"),
        pl.col("noise").cast(pl.List(pl.String)),
    )


def _exact_nik_rows(listed: Path, home: Path) -> pl.DataFrame:
    """The data rows whose NIK, as written, is a register NIK."""
    from padu.linkage.reader import read_agency_list
    from padu.register.reader import to_polars
    from padu.register.snapshots import snapshot_table
    from padu.settings import Settings
    from padu.stores import open_stores

    rows = read_agency_list(listed).frame.select("row", "nik")
    s = Settings(home=home)
    wh, cat = open_stores(s.resolved_warehouse_url(), s.resolved_catalog_url(), read_only=True)
    try:
        t = snapshot_table(wh, cat, "latest", "individu")
        niks = to_polars(t.select(nik=t.nomor_induk_kependudukan).to_pyarrow())
    finally:
        wh.close()
        cat.close()
    return rows.join(niks, on="nik", how="semi").select("row")


def score(
    lines: pl.DataFrame, truth: pl.DataFrame, exact: pl.DataFrame, *, family: bool
) -> dict[str, Any]:
    """Accuracy of an exported links file (one line per review candidate) against the truth."""
    right = pl.col("kk") == pl.col("t_kk")
    if not family:
        right = right & (pl.col("nik") == pl.col("t_nik"))
    key = "t_kk" if family else "t_nik"
    lines = lines.join(truth, on="row", how="left").with_columns(ok=right.fill_null(False))
    exported = lines.group_by("row").agg(pl.col("status").first(), pl.col("ok").any())
    # every measure counts from the truth: a data row missing from the export counts as missed
    per_row = truth.join(exported, on="row", how="left").with_columns(
        pl.col("ok").fill_null(False), inreg=pl.col(key).is_not_null()
    )
    auto = per_row.filter(pl.col("status") == "matched")
    review = per_row.filter(pl.col("status") == "review")
    inreg = per_row.filter("inreg")
    unmatched_exact = per_row.filter(pl.col("status") == "unmatched").join(exact, on="row").height
    return {
        "rows": exported.height,
        "data_rows": truth.height,
        "auto_precision": auto.get_column("ok").mean() or 0.0,
        "auto_recall": inreg.filter((pl.col("status") == "matched") & pl.col("ok")).height
        / max(inreg.height, 1),
        "found": inreg.filter(pl.col("ok") & (pl.col("status") != "unmatched")).height
        / max(inreg.height, 1),
        "review_share": review.height / max(truth.height, 1),
        "wrong_auto": auto.filter(~pl.col("ok")).height,
        "unmatched_exact": unmatched_exact,
        "per_noise": _per_noise(per_row),
    }


def _per_noise(rows: pl.DataFrame) -> pl.DataFrame:
    return (
        rows.explode("noise")
        .group_by("noise")
        .agg(
            n=pl.len(),
            auto=(pl.col("status") == "matched").mean(),
            review=(pl.col("status") == "review").mean(),
            wrong=((pl.col("status") == "matched") & ~pl.col("ok")).sum(),
            found=(pl.col("ok") & (pl.col("status") != "unmatched")).sum() / pl.col("inreg").sum(),
        )
        .sort("n", descending=True)
    )


def _plain_lines(links: pl.DataFrame, queue: pl.DataFrame) -> pl.DataFrame:
    """The plain model's outcome in the form of Padu's links file (a line per candidate)."""
    decided = links.filter(pl.col("status") != "review").select("row", "nik", "kk", "status")
    queued = queue.select("row", "nik", "kk", status=pl.lit("review"))
    return pl.concat([decided, queued], how="vertical_relaxed")


def _read_links(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, schema_overrides={"nik": pl.String, "kk": pl.String})


def main() -> None:
    parser = home_arguments(__doc__)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--families", type=int, default=20_000, help="rows of the family list")
    args = parser.parse_args()
    with bench_home("link", args.scale, args.home) as (work, home):
        base = ["--home", str(home)]
        subprocess.run([*PADU, *base, "programme", "import", "preset:kaltara-2026"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        lists = {"synth": work / "synth.xlsx", "habits": work / "habits.xlsx",
                 "families": work / "families.xlsx"}  # fmt: skip
        subprocess.run([*PADU, *base, "synth", "list", "--from", "latest", "--out",
                        str(lists["synth"]), "--size", str(args.size), "--seed", "1"],
                       check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        habits = [sys.executable, str(HERE / "habits_list.py"), "--home", str(home)]
        subprocess.run([*habits, "--size", str(args.size), "--seed", "23", "--out",
                        str(lists["habits"])], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
        subprocess.run([*habits, "--size", str(args.families), "--seed", "11", "--families",
                        "--out", str(lists["families"])], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        results: dict[str, dict[str, Any]] = {}
        timing = []
        for name, listed in lists.items():
            links = work / f"{name}.links.csv"
            cmd = [*base, "link", str(listed), "--programme", "PKH", "--year", "2026",
                   "--snapshot", "latest", "--export-links", str(links)]  # fmt: skip
            shutil.rmtree(home / "cache", ignore_errors=True)
            first = run_measured(cmd)
            warm = run_measured(cmd)
            truth = _truth(listed)
            family = name == "families"
            exact = _exact_nik_rows(listed, home)
            results[f"Padu, {name}"] = score(_read_links(links), truth, exact, family=family)
            timing.append([f"Padu, {name}", f"{first[0]:.1f}", f"{warm[0]:.1f}", f"{warm[1]:,.0f}"])
            if family:
                continue
            plain, queue = work / f"{name}.plain.csv", work / f"{name}.plain-queue.csv"
            secs, peak = _script_measured(
                HERE / "plain_splink.py",
                ["--home", str(home), "--list", str(listed), "--out", str(plain),
                 "--candidates", str(queue)],
            )  # fmt: skip
            lines = _plain_lines(_read_links(plain), _read_links(queue))
            results[f"plain splink, {name}"] = score(lines, truth, exact, family=False)
            timing.append([f"plain splink, {name}", "", f"{secs:.1f}", f"{peak:,.0f}"])
        table(
            f"Time: {args.size:,}-row lists (families {args.families:,}), scale {args.scale:g}",
            ["linker, list", "first run s", "warm s", "peak MiB"],
            timing,
        )
        names = list(results)
        measures = [
            ("auto precision", "auto_precision", "{:.5f}", ">= 0.999"),
            ("auto-only recall", "auto_recall", "{:.4f}", ""),
            ("right one auto-linked or in review", "found", "{:.4f}", ">= 0.995"),
            ("review share", "review_share", "{:.2%}", "<= 2 %"),
            ("wrong auto links", "wrong_auto", "{:,}", ""),
            ("exact register NIK left unmatched", "unmatched_exact", "{:,}", "0"),
            ("rows exported / data rows", None, "", "equal"),
        ]
        body = []
        for label, key, fmt, target in measures:
            if key is None:
                cells = [f"{results[n]['rows']:,} / {results[n]['data_rows']:,}" for n in names]
            else:
                cells = [fmt.format(results[n][key]) for n in names]
            body.append([label, *cells, target])
        table("Accuracy against the ground truth", ["measure", *names, "target"], body)
        for n in names:
            noise = results[n]["per_noise"]
            table(
                f"Per noise kind: {n}",
                ["noise", "rows", "auto", "review", "wrong auto", "found"],
                [[str(r["noise"]), f"{r['n']:,}", f"{r['auto']:.3f}", f"{r['review']:.3f}",
                  f"{r['wrong']:,}", f"{(r['found'] or 0):.4f}"]
                 for r in noise.iter_rows(named=True)],
            )  # fmt: skip


if __name__ == "__main__":
    main()
