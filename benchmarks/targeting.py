"""Benchmark: draw every preset programme's target list on the synthetic register (DuckDB).

Targets (issue 4): all presets (at least 12 programmes) in under 5 s in total at scale 1,
and under 60 s at scale 10. Generates and imports the register first (not timed).

    python benchmarks/targeting.py [--scale 1]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import imported_home, open_stores, table

from padu.programmes import preset_workshop
from padu.programmes.store import programme, save_workshop
from padu.programmes.targeting import draw_target_list


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--home", type=Path, help="use an existing home with an imported snapshot")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="padu-bench-target-"))
    try:
        home = args.home or imported_home(work, args.scale)
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
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
