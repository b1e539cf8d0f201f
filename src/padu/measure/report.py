"""Presenting an Alkire-Foster result: JSON data, a table, CSV and XLSX files."""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from rich.table import Table

from padu.errors import UsageError
from padu.files import atomic_output, check_output_file
from padu.fmt import angka, desimal
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
                angka(r["n"]),
                angka(r["q"]),
                desimal(r["H"], 4),
                desimal(r["A"], 4),
                desimal(r["M0"], 4),
            )
        return t

    def write(self, fmt: str, path: Path | None) -> None:
        """CSV (to ``path``, or stdout without one) or XLSX; a file appears whole or not at all.

        The figures are aggregates (no person or family in them), so no audit event.
        """
        if path is None:
            if fmt != "csv":
                raise UsageError("format xlsx membutuhkan --out FILE.xlsx")
            self._write_csv(sys.stdout)
            return
        path = check_output_file(path, (f".{fmt}",))
        with atomic_output(path) as temp:
            if fmt == "csv":
                with temp.open("w", newline="", encoding="utf-8") as fh:
                    self._write_csv(fh)
            else:
                self._write_xlsx(temp)

    def _write_csv(self, fh: TextIO) -> None:
        w = csv.DictWriter(fh, fieldnames=list(self.rows[0]) if self.rows else [])
        w.writeheader()
        w.writerows(self.rows)

    def _write_xlsx(self, path: Path) -> None:
        import xlsxwriter

        header = list(self.rows[0]) if self.rows else []
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
