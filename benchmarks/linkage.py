"""Benchmark: link a noisy 50,000-row agency list to the synthetic register, and score it.

Targets (issue 5), against the full scale-1 register (770,627 people): auto-accepted links
with precision >= 0.999; of the rows whose person is in the register, >= 0.995 auto-linked
to the right person or in review with the right person as a candidate; the review band
under 2 % of the list; under 30 s and under 2 GiB peak. At scale 10: under 5 minutes.

Generates and imports the register and makes the list first (not timed), then times
``padu link`` in its own process: the first run against a snapshot (which learns the
register's u probabilities once) and a second one (reads them back), with and without
the Excel report. Accuracy is measured against the list's ground truth, per band.

    python benchmarks/linkage.py [--scale 1] [--size 50000] [--home HOME]
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import polars as pl
from _common import PADU, bench_home, home_arguments, open_stores, run_measured, table

from padu.linkage.review import ledger_frames


def _score(links: Path, truth: Path, candidates: pl.DataFrame) -> dict[str, Any]:
    got = pl.read_csv(links, schema_overrides={"nik": pl.String, "kk": pl.String})
    rows = json.loads(truth.read_text(encoding="utf-8"))["rows"]
    t = pl.DataFrame(rows).select("row", pl.col("nik").alias("t_nik"), pl.col("kk").alias("t_kk"))
    scored = got.join(t, on="row")
    right = (pl.col("nik") == pl.col("t_nik")) & (pl.col("kk") == pl.col("t_kk"))
    cand_right = candidates.join(t, on="row").filter(right).select("row").unique().get_column("row")
    auto = scored.filter(pl.col("status") == "matched")
    review = scored.filter(pl.col("status") == "review")
    unmatched = scored.filter(pl.col("status") == "unmatched")
    inreg = scored.filter(pl.col("t_nik").is_not_null())
    found = inreg.filter(
        ((pl.col("status") == "matched") & right) | pl.col("row").is_in(cand_right.implode())
    )
    return {
        "rows": scored.height,
        "in_register": inreg.height,
        "auto": auto.height,
        "auto_precision": auto.filter(right).height / max(auto.height, 1),
        "auto_recall": inreg.filter((pl.col("status") == "matched") & right).height / inreg.height,
        "review": review.height,
        "review_share": review.height / scored.height,
        "review_right_candidate": review.filter(pl.col("row").is_in(cand_right.implode())).height
        / max(review.height, 1),
        "review_not_in_register": review.filter(pl.col("t_nik").is_null()).height,
        "unmatched": unmatched.height,
        "unmatched_truly_absent": unmatched.filter(pl.col("t_nik").is_null()).height
        / max(unmatched.height, 1),
        "recall_auto_or_review": found.height / inreg.height,
    }


def main() -> None:
    parser = home_arguments(__doc__)
    parser.add_argument("--size", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with bench_home("link", args.scale, args.home) as (work, home):
        base = ["--home", str(home)]
        subprocess.run([*PADU, *base, "programme", "import", "preset:kaltara-2026"], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        listed = work / "daftar.xlsx"
        synth = [*PADU, *base, "synth", "list", "--from", "latest", "--out", str(listed)]
        subprocess.run([*synth, "--size", str(args.size), "--seed", str(args.seed)], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        links = work / "links.csv"
        link = [*base, "link", str(listed), "--programme", "PKH", "--year", "2026",
                "--snapshot", "latest", "--export-links", str(links)]  # fmt: skip
        timings = []
        for label, extra in (
            ("first run on the snapshot (learns u)", []),
            ("next run (u from the catalog)", []),
            ("next run + Excel report", ["--out", str(work / "laporan.xlsx")]),
        ):
            secs, peak = run_measured([*link, *extra])
            timings.append([label, f"{secs:.1f}", f"{peak:,.0f}"])
        wh, cat = open_stores(home)
        _, candidates = ledger_frames(wh, cat.ledgers("PKH", 2026)[-1])
        wh.close()
        cat.close()
        s = _score(links, listed.with_name("daftar.truth.json"), candidates)
        table(
            f"padu link, {args.size:,}-row list, scale {args.scale:g}",
            ["run", "seconds", "peak MiB"],
            timings,
        )
        table(
            "Accuracy against the ground truth, per band",
            ["measure", "value", "target"],
            [
                ["rows / in register", f"{s['rows']:,} / {s['in_register']:,}", ""],
                ["auto-accepted rows", f"{s['auto']:,}", ""],
                ["auto precision", f"{s['auto_precision']:.5f}", ">= 0.999"],
                ["auto recall (of rows in register)", f"{s['auto_recall']:.5f}", ""],
                ["review rows (share of list)", f"{s['review']:,} ({s['review_share']:.2%})",
                 "< 2 %"],
                ["review rows with the right candidate", f"{s['review_right_candidate']:.4f}", ""],
                ["review rows not in register", f"{s['review_not_in_register']:,}", ""],
                ["unmatched rows", f"{s['unmatched']:,}", ""],
                ["unmatched rows truly not in register", f"{s['unmatched_truly_absent']:.4f}", ""],
                ["right person auto-linked or a review candidate",
                 f"{s['recall_auto_or_review']:.5f}", ">= 0.995"],
            ],
        )  # fmt: skip


if __name__ == "__main__":
    main()
