"""Presenting an Alkire-Foster result: JSON data, rows in words, CSV and XLSX files.

The JSON keeps the machine names (``n``, ``q``, ``censored``); the table and the files an
officer opens carry headers in words ("Keluarga", "H (%)", "Kontribusi (%): Pendapatan")
and say how many units were left out, or counted, for missing data.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from padu.errors import UsageError
from padu.files import atomic_output, check_output_file
from padu.fmt import angka
from padu.measure.af import AFResult
from padu.measure.measures import Measure
from padu.measure.snapshot import dimension_contributions
from padu.regions import kaltara

#: How each missing-data policy treats a unit with an empty indicator, in words.
MISSING_WORDS = {
    "exclude": "tidak dihitung dalam n",
    "not_deprived": "tetap dihitung; indikator yang kosong dianggap tidak terdeprivasi",
    "deprived": "tetap dihitung; indikator yang kosong dianggap terdeprivasi",
}


@dataclass
class MpiReport:
    """One MPI run for people to read: the JSON, rows per group, title and missing-data note.

    The terminal table is drawn from it by the command line (``padu.cli.measure.mpi_table``).
    """

    data: dict[str, Any]
    rows: list[dict[str, Any]]  # headers in words, figures as numbers (percent where named)
    title: str
    unit: str  # "keluarga" or "orang"
    missing_note: str

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
        bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        whole = book.add_format({"num_format": "#,##0"})
        share = book.add_format({"num_format": "0.00"})
        index = book.add_format({"num_format": "0.0000"})
        ws.write(0, 0, self.title, book.add_format({"bold": True}))
        ws.write(1, 0, self.missing_note)
        ws.write_row(2, 0, header, bold)
        for r, row in enumerate(self.rows, start=3):
            for c, h in enumerate(header):
                value = row[h]
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif h == "M0":
                    ws.write_number(r, c, value, index)
                elif isinstance(value, int):
                    ws.write_number(r, c, value, whole)
                else:
                    ws.write_number(r, c, value, share)
        ws.set_column(0, 0, 14)
        ws.set_column(1, 1, 26)
        ws.set_column(2, max(len(header) - 1, 2), 14)
        ws.set_row(2, 60)
        ws.freeze_panes(3, 2)
        ws.autofilter(2, 0, 2 + len(self.rows), max(len(header) - 1, 0))
        book.close()


def _group_name(by: str | None, name: str) -> str:
    """A group in words: a region's name, or a code's label from the code lists."""
    if name == "keseluruhan":
        return "Seluruh provinsi"
    region = kaltara().find(name)
    if region is not None:
        return region.nama
    from padu.schema import register_schema

    schema = register_schema()
    for level in ("keluarga", "individu"):
        try:
            f = schema.field(level, by or "")
        except KeyError:
            continue
        codes = schema.codes_for(f)
        label = codes.label(name) if codes is not None else None
        return label or ("(kosong)" if name in ("", "None") else name)
    return name


def _group_order(name: str) -> tuple[int, int, str]:
    """Groups in reading order: numbers as numbers (desil 1, 2, ... 10), empties last."""
    if name in ("", "None"):
        return (2, 0, "")
    return (0, int(name), "") if name.isdigit() else (1, 0, name)


def mpi_report(
    result: AFResult,
    measure: Measure,
    snapshot: int,
    by: str | None,
    person: bool,
    missing: str = "exclude",
) -> MpiReport:
    """Rows per group (names resolved, headers in words) with every figure, and the JSON."""
    dims = dimension_contributions(result, measure)
    unit = "orang" if person else "keluarga"
    labels = {i.id: i.label_id for i in measure.indicators}
    dim_labels = {d.id: d.label_id for d in measure.dimensions}
    rows = []
    groups = sorted(result.groups.items(), key=lambda kv: _group_order(kv[0]))
    for name, g in [("keseluruhan", result.overall), *groups]:
        row: dict[str, Any] = {
            "Kelompok": name,
            "Nama": _group_name(by, name),
            unit.capitalize(): g.n,
            "Miskin multidimensi": g.q,
            "Data hilang": g.missing,
            "H (%)": round(float(g.H) * 100, 4),
            "A (%)": round(float(g.A) * 100, 4),
            "M0": round(float(g.M0), 6),
        }
        row.update(
            {
                f"Miskin dan terdeprivasi (%): {labels.get(i, i)}": round(float(v) * 100, 4)
                for i, v in g.censored.items()
            }
        )
        row.update(
            {
                f"Kontribusi (%): {dim_labels.get(d, d)}": round(float(v) * 100, 4)
                for d, v in dims["overall" if name == "keseluruhan" else name].items()
            }
        )
        rows.append(row)
    data = {
        "snapshot": snapshot,
        "measure": measure.id,
        "unit": unit,
        "by": by,
        "missing_policy": missing,
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
    note = (
        f"Data hilang: {angka(result.overall.missing)} {unit} dengan indikator kosong "
        f"{MISSING_WORDS.get(missing, missing)} (--missing {missing})."
    )
    return MpiReport(data, rows, title, unit, note)
