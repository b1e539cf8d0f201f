"""Benchmark: the joint plan of the preset scenario, integrated against siloed (issue 13).

Runs ``padu --json plan kaltara-2026 --snapshot acuan:2026`` in a child process, as a user
would, and prints where the time goes (reading the register and drawing every eligible list,
grouping families into types and building the model, HiGHS), the size of the model, the
child's peak RSS, and what the integrated plan gains over each agency planning alone.

Targets (issue 13): scale 1 in under 60 s with an optimality gap of at most 0.5 %, scale 10
in under 10 minutes. The script exits non-zero when the gap is over 0.5 % or the integrated
plan scores below the siloed one on the scenario's own objective (it cannot, if the solver
is right: the siloed plan is a feasible plan of the same model).

Without ``--home`` it generates the register at ``--scale``, imports it, imports the
programme preset and agrees the snapshot as the 2026 reference (none of that timed). A home
given with ``--home`` must already have all three. ``--work DIR`` builds the home in DIR and
keeps it (a second run with the same DIR reuses it), for scale 10 where building takes long.

    python benchmarks/planning.py [--scale 1] [--home HOME | --work DIR] [--json F]
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import _WRAP, PADU, home_arguments, imported_home, open_stores, table

MAX_GAP = 0.005
SCENARIO = "kaltara-2026"
SNAPSHOT = "acuan:2026"


def prepared_home(work: Path, scale: float) -> Path:
    """The register at ``scale`` imported into a home under ``work``, with the programme
    preset and the 2026 reference (what ``make demo`` does before ``padu plan``)."""
    ready = work / f"home-ready-scale-{scale:g}"
    if ready.exists():
        return work / "home"  # kept by an earlier run with the same --work
    shutil.rmtree(work / "home", ignore_errors=True)  # an interrupted earlier build
    home = imported_home(work, scale)
    for args in (
        ["programme", "import", "preset:kaltara-2026"],
        ["register", "reference", "latest", "--year", "2026", "--why", "benchmark"],
    ):
        subprocess.run([*PADU, "--home", str(home), *args], check=True, stdout=subprocess.DEVNULL)
    ready.touch()
    return home


def run_plan(home: Path) -> tuple[dict[str, Any], float, float]:
    """``padu --json plan`` in a child process: its JSON, wall seconds and peak RSS in MiB."""
    args = ["--home", str(home), "--json", "plan", SCENARIO, "--snapshot", SNAPSHOT]
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _WRAP, *args],
        check=False,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        # with --json an error is a JSON object on stdout; the traceback (if any) on stderr
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-8:])
        raise SystemExit(f"padu {' '.join(args)}: exit {proc.returncode}\n{tail}")
    peak = next(
        int(line.split()[1])
        for line in proc.stderr.splitlines()
        if line.startswith("__maxrss_kib__")
    )
    return _json(proc.stdout), elapsed, peak / 1024


def _json(stdout: str) -> dict[str, Any]:
    """The JSON document on stdout. Text before it (DuckDB's progress bar, which DuckDB
    prints onto stdout when a query runs over two seconds) is reported, then skipped."""
    start = stdout.find("\n{") + 1 if not stdout.startswith("{") else 0
    if start:
        stray = stdout[:start].strip().splitlines()
        print(f"warning: {len(stray)} line(s) before the JSON on stdout: {stray[0][:60]!r}")
    data, _ = json.JSONDecoder().raw_decode(stdout, start)
    return dict(data)


def _n(x: float | None) -> str:
    return "-" if x is None else f"{x:,.0f}"


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def gain_rows(data: dict[str, Any]) -> list[list[str]]:
    """Integrated against siloed, for the province."""
    integ, silo = data["integrated"], data["siloed"]
    rows = []
    for key, label in (
        ("poor_lifted", "poor families lifted below k"),
        ("deprivations_closed", "deprivations closed"),
        ("families_reached", "families reached"),
        ("same_dimension_overlap", "same-dimension overlap (families)"),
        ("budget_used", "budget used (Rp)"),
    ):
        a, b = integ[key], silo[key]
        rows.append([label, _n(a), _n(b), f"{a - b:+,}"])
    a, b = integ["M0_after"], silo["M0_after"]
    rows.append(["M0 after", f"{a:.4f}", f"{b:.4f}", f"{a - b:+.4f}"])
    a, b = data["integrated_objective"], data["siloed_objective"]
    rows.append(
        ["objective (" + data["objective"] + ")", f"{a:,.2f}", f"{b:,.2f}", f"{a - b:+,.2f}"]
    )
    return rows


def failures(data: dict[str, Any]) -> list[str]:
    """Why the run misses the issue's bar (empty when it meets it)."""
    out = []
    gap = data["gap"]
    if gap is None or gap > MAX_GAP:
        out.append(f"gap {gap} over {MAX_GAP}")
    if data["siloed_objective"] is None:
        out.append("no siloed plan in the output")
    elif data["integrated_objective"] < data["siloed_objective"] - 1e-6:
        out.append(
            f"integrated objective {data['integrated_objective']:.4f} below siloed "
            f"{data['siloed_objective']:.4f}"
        )
    return out


def main() -> None:
    parser = home_arguments(__doc__)
    parser.add_argument("--work", type=Path, help="build the home here and keep it")
    parser.add_argument("--json", type=Path, help="also write the plan's JSON here")
    args = parser.parse_args()
    scratch = None
    if args.home:
        home = args.home
    else:
        work = args.work or Path(tempfile.mkdtemp(prefix="padu-bench-plan-"))
        scratch = None if args.work else work
        work.mkdir(parents=True, exist_ok=True)
        built = time.perf_counter()
        home = prepared_home(work, args.scale)
        print(f"home ready in {time.perf_counter() - built:.0f} s (not timed): {home}")
    try:
        data, wall, peak = run_plan(home)
        wh, cat = open_stores(home)
        families = cat.snapshot(SNAPSHOT).keluarga
        wh.close()
        cat.close()
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    gap = data["gap"]
    table(
        f"padu plan {SCENARIO} --snapshot {SNAPSHOT}, scale {args.scale:g}",
        [
            "families",
            "types",
            "variables",
            "data s",
            "model s",
            "solver s",
            "gap",
            "status",
            "total wall s",
            "peak MiB",
        ],
        [
            [
                _n(families),
                _n(data["types"]),
                _n(data["variables"]),
                _s(data["data_seconds"]),
                _s(data["model_seconds"]),
                _s(data["solve_seconds"]),
                "-" if gap is None else f"{100 * gap:.3f} %",
                data["solver_status"],
                _s(wall),
                _n(peak),
            ]
        ],
    )
    table(
        "Integrated against siloed (province)",
        ["", "integrated", "siloed", "gain"],
        gain_rows(data),
    )
    problems = failures(data)
    if problems:
        print("\nFAILED: " + "; ".join(problems))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
