"""Print the markdown tables of docs/convergence.md section 7 from ``padu --json convergence``.

Usage (after ``make demo`` or an equivalent home with every preset list adopted)::

    padu --home HOME --json convergence --snapshot acuan:2026 --year 2026 --basis planned \\
        --by kabupaten > konvergensi.json
    python scripts/convergence_tables.py konvergensi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from padu.fmt import angka, persen


def _gap(g: dict[str, int]) -> str:
    return f"{angka(g['unreached'])} dari {angka(g['deprived'])}"


def _row(name: str, part: dict[str, Any], dims: list[str]) -> str:
    cells = [
        name,
        angka(part["families"]),
        angka(part["overlap"]["same_dimension_families"]),
        *[_gap(part["gaps"][d]) for d in dims],
        f"{angka(part['poor']['unreached'])} dari {angka(part['poor']['poor'])}",
    ]
    return "| " + " | ".join(cells) + " |"


def _pct(x: float | None) -> str:
    return "-" if x is None else persen(100 * x, 1)


def tables(data: dict[str, Any]) -> str:
    """The three tables: overlap and gaps by kabupaten, overlap by dimension, coverage."""
    labels: dict[str, str] = data["dimension_labels"]
    dims = list(labels)
    head = ["kabupaten/kota", "keluarga", "2+ program untuk dimensi yang sama"]
    head += [labels[d] for d in dims] + ["miskin multidimensi"]
    out = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for region in data["regions"]:
        out.append(_row(region["nama"], region, dims))
    out.append(_row("**Kalimantan Utara**", data, dims))
    out += ["", "| dimensi | keluarga |", "|---|---:|"]
    for d in dims:
        out.append(f"| {labels[d]} | {angka(data['overlap']['by_dimension'][d])} |")
    out += [
        "",
        "| program | instansi | unit | penerima | memenuhi syarat | cakupan | salah keluar "
        "| cakupan keluarga terdeprivasi |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for code, p in sorted(data["programmes"].items()):
        cells = [
            code,
            p["agency"],
            p["unit"],
            angka(p["recipients"]),
            angka(p["eligible"]),
            _pct(p["coverage"]),
            _pct(p["exclusion_error"]),
            _pct(p["deprived_coverage"]),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


if __name__ == "__main__":
    sys.stdout.write(tables(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))) + "\n")
