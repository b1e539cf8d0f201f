"""Benchmark: draw every preset programme's target list on the synthetic register (DuckDB),
fetch all its rows and write its BNBA workbook, as `padu target KODE --out F.xlsx` does.

Targets (issue 4): all presets (at least 12 programmes) in under 5 s in total at scale 1,
and under 60 s at scale 10; issue 9 adds the rows and the BNBA file to what is timed.
Generates and imports the register first (not timed).

    python benchmarks/targeting.py [--scale 1]
"""

from __future__ import annotations

import time

from _common import bench_home, home_arguments, open_stores, table

from padu.programmes import preset_workshop
from padu.programmes.bnba import write_xlsx
from padu.programmes.store import programme, save_workshop
from padu.programmes.targeting import draw_target_list


def main() -> None:
    args = home_arguments(__doc__).parse_args()
    with bench_home("target", args.scale, args.home) as (work, home):
        wh, cat = open_stores(home)
        save_workshop(preset_workshop(), cat, actor="benchmark")
        wh.table("wilayah").limit(1).to_pyarrow()  # the one-time ibis set-up of a new process
        rows = []
        totals = [0.0, 0.0]
        for p in preset_workshop().programmes:
            prog, version = programme(cat, p.code)
            start = time.perf_counter()
            result = draw_target_list(wh, cat, prog, version, "latest")  # rows fetched too
            drawn = time.perf_counter()
            path = work / f"{p.code}.xlsx"
            write_xlsx(result, path)
            written = time.perf_counter()
            totals[0] += drawn - start
            totals[1] += written - drawn
            rows.append(
                [
                    p.code,
                    p.unit,
                    f"{result.eligible:,}",
                    f"{result.selected:,}",
                    f"{result.duplicates.num_rows:,}",
                    f"{drawn - start:.2f}",
                    f"{written - drawn:.2f}",
                    f"{path.stat().st_size / 2**20:.1f}",
                ]
            )
        rows.append(["TOTAL", "", "", "", "", f"{totals[0]:.2f}", f"{totals[1]:.2f}", ""])
        rows.append(["ALL STEPS", "", "", "", "", "", f"{sum(totals):.2f}", ""])
        wh.close()
        cat.close()
        table(
            f"Target lists of every preset programme with rows and BNBA file, scale {args.scale:g}",
            [
                "programme",
                "unit",
                "eligible",
                "selected",
                "dup. dropped",
                "draw+rows s",
                "BNBA s",
                "MiB",
            ],
            rows,
        )


if __name__ == "__main__":
    main()
