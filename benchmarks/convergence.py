"""Benchmark: every convergence view of every preset programme on the synthetic register.

Targets (issue 11): every view for all presets on the full synthetic register under 3 s in
total after the one-time engine set-up, and under 30 s at scale 10. The register is
generated and imported, the Kaltara presets imported and every list adopted (planned),
and one synthetic PKH list linked (realised); none of that is timed. Then, in one
process: the set-up (sources, the family table with Padu-7, every programme's eligible
units ranked, the recipients tied to the snapshot), the views for the province, and the
views by desa (the workbook's).

    python benchmarks/convergence.py [--scale 1] [--home HOME] [--list-size 5000]
"""

from __future__ import annotations

import subprocess
import time

from _common import PADU, bench_home, home_arguments, open_stores, table

from padu.convergence.views import all_views, prepare


def _setup(home: str, size: int) -> None:
    """Presets imported, every list adopted, one PKH list linked (untimed)."""
    base = [*PADU, "--home", home]
    steps = [
        ["programme", "import", "preset:kaltara-2026"],
        ["target", "semua", "--snapshot", "latest", "--adopt"],
        ["synth", "list", "--from", "latest", "--size", str(size), "--seed", "1",
         "--programme", "PKH", "--out", f"{home}/daftar-pkh.xlsx"],
        ["link", f"{home}/daftar-pkh.xlsx", "--programme", "PKH", "--year", "2026",
         "--snapshot", "latest"],
    ]  # fmt: skip
    for step in steps:
        subprocess.run([*base, *step], check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = home_arguments(__doc__)
    parser.add_argument("--list-size", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="view runs (the best counts)")
    args = parser.parse_args()
    with bench_home("convergence", args.scale, args.home) as (_work, home):
        if args.home is None:
            _setup(str(home), args.list_size)
        wh, cat = open_stores(home)
        wh.table("wilayah").limit(1).to_pyarrow()  # the one-time ibis set-up of a new process
        with wh.scratch():
            start = time.perf_counter()
            prepared = prepare(wh, cat, "latest", 2026)
            setup = time.perf_counter() - start
            best = {None: float("inf"), "desa": float("inf")}
            for _ in range(args.repeat):
                for by in best:
                    start = time.perf_counter()
                    result = all_views(prepared, by)
                    best[by] = min(best[by], time.perf_counter() - start)
        target = "< 3 s" if args.scale <= 1 else "< 30 s" if args.scale <= 10 else ""
        rows = [
            [
                f"{args.scale:g}",
                f"{result['families']:,}",
                str(len(result["programmes"])),
                f"{setup:.2f}",
                f"{best[None]:.2f}",
                f"{best['desa']:.2f}",
                target,
            ]
        ]
        table(
            "Convergence views, basis both (planned and realised), DuckDB",
            ["scale", "families", "programmes", "set-up s", "province s", "by desa s", "target"],
            rows,
        )


if __name__ == "__main__":
    main()
