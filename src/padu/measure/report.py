"""Presenting an Alkire-Foster result: JSON data, a table, CSV and XLSX files."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.table import Table

from padu.measure.af import AFResult
from padu.measure.measures import Measure
from padu.measure.snapshot import dimension_contributions
from padu.regions import kaltara


@dataclass
class MpiReport:
    data: dict[str, Any]
    rows: list[dict[str, Any]]
    title: str

    def table(self) -> Table:
        t = Table("kelompok", "nama", "n", "miskin", "H", "A", "M0", title=self.title)
        for r in self.rows:
            t.add_row(
                r["kelompok"],
                r["nama"],
                f"{r['n']:,}",
                f"{r['q']:,}",
                f"{r['H']:.4f}",
                f"{r['A']:.4f}",
                f"{r['M0']:.4f}",
            )
        return t

    def write(self, fmt: str, path: Path | None) -> None:
        header = list(self.rows[0]) if self.rows else []
        if fmt == "csv":
            fh = path.open("w", newline="", encoding="utf-8") if path else sys.stdout
            try:
                w = csv.DictWriter(fh, fieldnames=header)
                w.writeheader()
                w.writerows(self.rows)
            finally:
                if path:
                    fh.close()
            return
        import xlsxwriter

        assert path is not None  # noqa: S101 - the CLI requires --out for xlsx
        book = xlsxwriter.Workbook(str(path))
        ws = book.add_worksheet("MPI")
        bold = book.add_format({"bold": True})
        ws.write(0, 0, self.title, bold)
        ws.write_row(2, 0, header, bold)
        for r, row in enumerate(self.rows, start=3):
            ws.write_row(r, 0, [row[h] for h in header])
        ws.freeze_panes(3, 0)
        ws.autofilter(2, 0, 2 + len(self.rows), max(len(header) - 1, 0))
        book.close()


def mpi_report(
    result: AFResult, measure: Measure, snapshot: int, by: str | None, person: bool
) -> MpiReport:
    """Rows per group (region names resolved) with every figure, plus the JSON shape."""
    regions = kaltara()
    dims = dimension_contributions(result, measure)
    unit = "orang" if person else "keluarga"
    rows = []
    for name, g in [("keseluruhan", result.overall), *result.groups.items()]:
        region = regions.find(name) if name != "keseluruhan" else None
        row: dict[str, Any] = {
            "kelompok": name,
            "nama": region.nama if region else "",
            "n": g.n,
            "q": g.q,
            "data_hilang": g.missing,
            "H": float(g.H),
            "A": float(g.A),
            "M0": float(g.M0),
        }
        row.update({f"ch_{i}": float(v) for i, v in g.censored.items()})
        row.update(
            {
                f"kontribusi_{d}": float(v)
                for d, v in dims["overall" if name == "keseluruhan" else name].items()
            }
        )
        rows.append(row)
    data = {
        "snapshot": snapshot,
        "measure": measure.id,
        "unit": unit,
        "by": by,
        **result.to_dict(),
        "dimension_contribution": {g: {d: float(v) for d, v in c.items()} for g, c in dims.items()},
        "dimension_contribution_absolute": {
            g: {d: float(v) for d, v in c.items()}
            for g, c in dimension_contributions(result, measure, absolute=True).items()
        },
    }
    title = f"{measure.id}, snapshot {snapshot}, k = {result.k}, per {unit}" + (
        f", menurut {by}" if by else ""
    )
    return MpiReport(data, rows, title)
