"""Print the markdown tables of docs/planning.md section 7 from ``padu --json plan``.

Usage (after ``make demo`` or an equivalent home with the programme preset and the 2026
reference)::

    padu --home HOME --json plan kaltara-2026 --snapshot acuan:2026 > rencana.json
    python scripts/planning_tables.py rencana.json

The tables: the province side by side (integrated, siloed, the difference), the gain by
kabupaten, each programme's units and cost in both plans, and the solver's figures.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from padu.fmt import angka, desimal, persen, rupiah

Cell = Callable[[Any], str]


def _n(x: Any) -> str:
    return "-" if x is None else angka(round(x))


def _rp(x: Any) -> str:
    return "-" if x is None else rupiah(round(x))


def _pct(x: Any) -> str:
    return "-" if x is None else persen(100 * x, 2)


def _dec(x: Any) -> str:
    return "-" if x is None else desimal(x, 4)


def _diff(a: Any, b: Any, cell: Cell) -> str:
    if a is None or b is None:
        return "-"
    d = a - b
    if d == 0:
        return "0"
    sign = "+" if d > 0 else "−"
    if cell is _pct:  # the difference of two shares is in percentage points
        return sign + desimal(100 * abs(d), 2) + " poin"
    return sign + cell(abs(d))


PROVINCE: list[tuple[str, str, Cell]] = [
    ("families_reached", "keluarga terjangkau", _n),
    ("deprivations_closed", "deprivasi tertutup", _n),
    ("poor_before", "keluarga miskin multidimensi (sebelum)", _n),
    ("poor_lifted", "keluarga miskin yang terangkat (skor < k)", _n),
    ("H_before", "H sebelum", _pct),
    ("H_after", "H sesudah", _pct),
    ("A_after", "A sesudah", _pct),
    ("M0_before", "M0 sebelum", _dec),
    ("M0_after", "M0 sesudah", _dec),
    ("same_dimension_overlap", "keluarga dengan 2+ program satu dimensi", _n),
    ("budget_used", "anggaran terpakai", _rp),
    ("cost_per_deprivation_closed", "biaya per deprivasi tertutup", _rp),
]


def province(data: dict[str, Any]) -> list[str]:
    """Integrated, siloed and the difference for the whole province."""
    integ, silo = data["integrated"], data["siloed"]
    out = ["| ukuran | terpadu | sendiri-sendiri | selisih |", "|---|---:|---:|---:|"]
    for key, label, cell in PROVINCE:
        a, b = integ[key], silo[key]
        out.append(f"| {label} | {cell(a)} | {cell(b)} | {_diff(a, b, cell)} |")
    for dim, a in integ["deprivations_closed_by_dimension"].items():
        b = silo["deprivations_closed_by_dimension"][dim]
        out.append(f"| deprivasi tertutup: {dim} | {_n(a)} | {_n(b)} | {_diff(a, b, _n)} |")
    a, b = data["integrated_objective"], data["siloed_objective"]
    out.append(
        f"| nilai tujuan ({data['objective']}) | {desimal(a, 2)} | {desimal(b, 2)} "
        f"| {_diff(a, b, lambda x: desimal(x, 2))} |"
    )
    return out


def kabupaten(data: dict[str, Any]) -> list[str]:
    """Per kabupaten: poor families, lifted, deprivations closed, overlap and M0 after."""
    head = [
        "kabupaten/kota",
        "miskin (sebelum)",
        "terangkat: terpadu",
        "sendiri-sendiri",
        "selisih",
        "deprivasi tertutup: terpadu",
        "sendiri-sendiri",
        "selisih",
        "tumpang tindih: terpadu",
        "sendiri-sendiri",
        "M0 sesudah: terpadu",
        "sendiri-sendiri",
    ]
    out = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    rows = [(e["name"], e["integrated"], e["siloed"]) for e in data["kabupaten"].values()]
    rows.append(("**Kalimantan Utara**", data["integrated"], data["siloed"]))
    for name, i, s in rows:
        cells = [
            name,
            _n(i["poor_before"]),
            _n(i["poor_lifted"]),
            _n(s["poor_lifted"]),
            _diff(i["poor_lifted"], s["poor_lifted"], _n),
            _n(i["deprivations_closed"]),
            _n(s["deprivations_closed"]),
            _diff(i["deprivations_closed"], s["deprivations_closed"], _n),
            _n(i["same_dimension_overlap"]),
            _n(s["same_dimension_overlap"]),
            _dec(i["M0_after"]),
            _dec(s["M0_after"]),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return out


def programmes(data: dict[str, Any]) -> list[str]:
    """Each programme: what it closes, its budget, units, families and cost in both plans."""
    out = [
        "| program | instansi | menutup | pagu | kuota | unit: terpadu | sendiri-sendiri "
        "| keluarga: terpadu | sendiri-sendiri | biaya: terpadu | sendiri-sendiri |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in data["programmes"]:
        i, s = p["integrated"], p["siloed"]
        cells = [
            p["code"],
            p["agency"],
            ", ".join(p["closes"]) or "- (urutan sendiri)",
            _rp(p["budget"]),
            _n(p["quota"]),
            _n(i["units"]),
            _n(s["units"]),
            _n(i["families"]),
            _n(s["families"]),
            _rp(i["cost"]),
            _rp(s["cost"]),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return out


def solver(data: dict[str, Any]) -> list[str]:
    """The model's size, the gap and where the time went (one run)."""
    gap = data["gap"]
    return [
        "| tipe keluarga | variabel | status | celah | data dtk | model dtk | pemecah dtk |",
        "|---:|---:|---|---:|---:|---:|---:|",
        f"| {_n(data['types'])} | {_n(data['variables'])} | {data['solver_status']} "
        f"| {'-' if gap is None else persen(100 * gap, 3)} "
        f"| {desimal(data['data_seconds'] or 0, 1)} | {desimal(data['model_seconds'] or 0, 1)} "
        f"| {desimal(data['solve_seconds'] or 0, 1)} |",
    ]


def tables(data: dict[str, Any]) -> str:
    """Every table, separated by blank lines."""
    if data.get("siloed") is None:
        raise SystemExit("the JSON has no siloed plan: run padu plan without --compare none")
    parts = [province(data), kabupaten(data), programmes(data), solver(data)]
    return "\n\n".join("\n".join(p) for p in parts)


if __name__ == "__main__":
    sys.stdout.write(tables(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))) + "\n")
