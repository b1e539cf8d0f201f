"""Downloads of a region's drill-down: the child and indicator tables as XLSX or CSV.

What a viewer may not see stays hidden in the file ("< 5"); every download is recorded as
:data:`MPI_EXPORT` (the figures are aggregates, not personal data, but who took which
table is worth knowing).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Literal

from pydantic import BaseModel

from padu.audit import MPI_EXPORT
from padu.services.measure.regional import Drilldown
from padu.stores import Catalog

ExportFormat = Literal["xlsx", "csv"]
ExportTable = Literal["wilayah", "indikator"]


class ExportFile(BaseModel):
    filename: str
    media_type: str
    content: bytes
    rows: int


HIDDEN_TEXT = "< 5"
Cell = int | float | str | None


def _pct(x: float | None) -> Cell:
    return HIDDEN_TEXT if x is None else round(100 * x, 2)


def _num(x: int | None) -> Cell:
    return HIDDEN_TEXT if x is None else x


def _dec(x: float | None) -> Cell:
    return HIDDEN_TEXT if x is None else round(x, 4)


REGION_HEADERS = ("Kode wilayah", "Nama wilayah", "Keluarga", "Keluarga miskin",
                  "Keluarga tanpa data lengkap", "H (%)", "A (%)", "M0")  # fmt: skip
INDICATOR_HEADERS = ("Kode indikator", "Indikator", "Dimensi", "Bobot (%)",
                     "Terdeprivasi", "Tingkat deprivasi (%)", "Miskin dan terdeprivasi",
                     "Headcount tersensor (%)", "Kontribusi terhadap M0 (%)")  # fmt: skip


def region_table(d: Drilldown) -> list[list[Cell]]:
    """The child table as rows of cells (the region itself last, as the total)."""
    out: list[list[Cell]] = []
    for ref, f in [*[(c.region, c.figures) for c in d.children],
                   (d.summary.region, d.summary.figures)]:  # fmt: skip
        out.append([ref.kode, ref.nama, _num(f.families), _num(f.poor), _num(f.missing),
                    _pct(f.H), _pct(f.A), _dec(f.M0)])  # fmt: skip
    return out


def indicator_table(d: Drilldown) -> list[list[Cell]]:
    """The indicator table as rows of cells."""
    return [
        [i.id, i.label_id, i.dimension_label_id, round(100 * i.weight, 2), _num(i.deprived),
         _pct(i.uncensored), _num(i.censored_count), _pct(i.censored), _pct(i.contribution)]
        for i in d.indicators
    ]  # fmt: skip


def _about(d: Drilldown) -> list[tuple[str, str]]:
    s = d.summary
    return [
        ("Wilayah", f"{s.region.nama} ({s.region.kode})"),
        ("Snapshot", f"{s.snapshot.label} (id {s.snapshot.id}, {s.snapshot.tanggal.isoformat()})"),
        ("Ukuran", f"{s.measure.label_id} ({s.measure.id}), k = {s.measure.k}"),
        ("Satuan", "orang" if s.person else "keluarga"),
        ("Data tidak lengkap", s.missing_policy),
        ("Sel kecil", "disembunyikan (< 5 keluarga)" if d.suppressed else "ditampilkan"),
    ]


def _csv(headers: Sequence[str], rows: list[list[Cell]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(["" if c is None else c for c in row] for row in rows)
    return ("\ufeff" + buf.getvalue()).encode("utf-8")  # the BOM makes Excel read UTF-8


def _xlsx(d: Drilldown) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F5", "border": 1})
    right = book.add_format({"align": "right"})
    sheets: list[tuple[str, Sequence[str], list[list[Cell]]]] = [
        ("Wilayah", REGION_HEADERS, region_table(d)),
        ("Indikator", INDICATOR_HEADERS, indicator_table(d)),
    ]
    for name, headers, rows in sheets:
        ws = book.add_worksheet(name)
        ws.write_row(0, 0, headers, bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if isinstance(value, str) and value == HIDDEN_TEXT:
                    ws.write_string(r, c, value, right)
                elif value is not None:
                    ws.write(r, c, value)
        ws.set_column(0, 0, 16)
        ws.set_column(1, 2, 30)
        ws.set_column(3, len(headers) - 1, 16)
        ws.freeze_panes(1, 0)
    about = book.add_worksheet("Keterangan")
    for r, (key, value) in enumerate(_about(d)):
        about.write_string(r, 0, key, bold)
        about.write_string(r, 1, value)
    about.set_column(0, 0, 20)
    about.set_column(1, 1, 70)
    book.close()
    return buf.getvalue()


def export_drilldown(
    catalog: Catalog,
    d: Drilldown,
    fmt: ExportFormat,
    *,
    table: ExportTable = "wilayah",
    scope: str = "semua",
    actor: str,
) -> ExportFile:
    """The child table and the indicator table of ``d`` as a workbook (both sheets), or one
    of them as CSV; recorded as :data:`MPI_EXPORT`. Hidden cells stay hidden ("< 5")."""
    s = d.summary
    base = f"kemiskinan_{s.region.kode.replace('.', '')}_{s.measure.id}_snapshot{s.snapshot.id}"
    if fmt == "xlsx":
        content = _xlsx(d)
        filename = f"{base}.xlsx"
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        rows = len(d.children) + 1 + len(d.indicators)
    else:
        make: Callable[[Drilldown], list[list[Cell]]]
        headers, make = (REGION_HEADERS, region_table) if table == "wilayah" else (
            INDICATOR_HEADERS, indicator_table)  # fmt: skip
        data = make(d)
        content, rows = _csv(headers, data), len(data)
        filename, media = f"{base}_{table}.csv", "text/csv; charset=utf-8"
    catalog.record(
        MPI_EXPORT,
        {"format": fmt, "tabel": "wilayah+indikator" if fmt == "xlsx" else table,
         "wilayah": s.region.kode, "snapshot": s.snapshot.id, "ukuran": s.measure.id,
         "versi_ukuran": s.measure.version, "k": s.measure.k, "baris": rows,
         "cakupan": scope, "file": filename},
        actor,
    )  # fmt: skip
    return ExportFile(filename=filename, media_type=media, content=content, rows=rows)
