"""Benchmark: draw every preset programme's target list on the synthetic register (DuckDB).

Targets (issue 4): all presets (at least 12 programmes) in under 5 s in total at scale 1,
and under 60 s at scale 10. Generates and imports the register first (not timed).

    python benchmarks/targeting.py [--scale 1]
"""

from __future__ import annotations

import time

from _common import bench_home, home_arguments, open_stores, table

from padu.programmes import preset_workshop
from padu.programmes.store import programme, save_workshop
from padu.programmes.targeting import draw_target_list


def main() -> None:
    args = home_arguments(__doc__).parse_args()
    with bench_home("target", args.scale, args.home) as (_, home):
        wh, cat = open_stores(home)
        save_workshop(preset_workshop(), cat)
        wh.table("wilayah").limit(1).to_pyarrow()  # the one-time ibis set-up of a new process
        rows = []
        total = 0.0
        for p in preset_workshop().programmes:
            prog, version = programme(cat, p.code)
            start = time.perf_counter()
            result = draw_target_list(wh, cat, prog, version, "latest")
            secs = time.perf_counter() - start
            total += secs
            rows.append(
                [p.code, p.unit, f"{result.eligible:,}", f"{result.selected:,}", f"{secs:.2f}"]
            )
        rows.append(["TOTAL", "", "", "", f"{total:.2f}"])
        wh.close()
        cat.close()
        table(
            f"Target lists of every preset programme, scale {args.scale:g}",
            ["programme", "unit", "eligible", "selected", "seconds"],
            rows,
        )


if __name__ == "__main__":
    main()
