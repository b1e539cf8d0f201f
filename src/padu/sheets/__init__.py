"""The one reader of table files (CSV, XLSX, XLS, Parquet): text columns under their headers.

Registers, agency lists and indicator files all come from spreadsheets, so they share one
reader with one set of habits: the kind is told by content, not only by suffix; title rows
above the header ("DATA DTSEN - DINAS SOSIAL ...", with or without trailing delimiters) are
skipped in a CSV as in an XLSX; duplicated headers are refused with their names; a file
with a header and no data rows is reported. Every value is read as text, so the caller's
validation, not the reader, decides what is wrong. Each row keeps ``_baris``: the row
number a person sees in an editor or in Excel.

Problems are returned, never raised, so one report can list all of them. A problem never
carries a raw line of the file (it holds names and NIKs): only where it is and why.
"""

from __future__ import annotations

from pathlib import Path

from padu.errors import Problem
from padu.sheets.base import (
    DUPLICATE,
    NO_ROWS,
    ROW,
    UNREADABLE,
    CellText,
    HeaderScore,
    Sheet,
    cell_text,
    failed,
    read_text,
    to_polars,
)
from padu.sheets.delimited import SNIFF, read_csv
from padu.sheets.workbook import read_parquet, read_xlsx

XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls")

__all__ = [
    "DUPLICATE",
    "NO_ROWS",
    "ROW",
    "UNREADABLE",
    "CellText",
    "HeaderScore",
    "Sheet",
    "cell_text",
    "read_sheet",
    "read_text",
    "to_polars",
]


def read_sheet(
    path: Path, *, score: HeaderScore | None = None, cell: CellText = cell_text
) -> Sheet:
    """Read ``path`` by its content: text columns, title rows skipped, headers checked.

    ``score`` tells a header row from a title row (the best-scoring of the first rows wins);
    without it, or when no row scores, the header is the first row with two filled cells.
    ``cell`` turns a spreadsheet cell into text.
    """
    try:
        if not path.exists():
            return failed(path, "file tidak ditemukan")
        if path.is_dir():
            return failed(path, "ini sebuah folder, bukan file")
        with path.open("rb") as fh:
            data = fh.read(SNIFF)
        if not data.strip() and path.stat().st_size < SNIFF:
            return failed(path, "file kosong: tidak ada header maupun baris data")
    except OSError as exc:
        return failed(path, f"file tidak dapat dibuka ({exc.strerror or type(exc).__name__})")
    suffix = path.suffix.lower()
    workbook = data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0"))  # zip (XLSX) or OLE (XLS)
    if suffix in XLSX_SUFFIXES or workbook:
        if not workbook:
            return failed(path, "bukan file spreadsheet Excel yang valid (isi file bukan XLSX)")
        sheet = read_xlsx(path, score, cell)
    elif suffix == ".parquet" or data[:4] == b"PAR1":
        sheet = read_parquet(path)
    else:
        sheet = read_csv(path, data, score)
    if sheet.frame is not None and sheet.frame.height == 0:
        reason = "file hanya berisi header, tidak ada baris data"
        sheet.problems.append(Problem(path.name, sheet.header_row, None, None, reason, NO_ROWS))
    return sheet
