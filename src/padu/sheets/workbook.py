"""Spreadsheets (XLSX, XLS) and Parquet files as text columns.

A Padu BNBA workbook sent back by an agency reads as its list: its rows sheet ("Semua")
rather than its cover ("Sampul"), and without the signature block printed under the rows
(it starts with :data:`SIGNATURE_START`).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from padu.sheets.base import (
    HEAD_ROWS,
    ROW,
    CellText,
    HeaderScore,
    Sheet,
    cell_text,
    duplicated,
    failed,
    header_index,
    named_headers,
    short,
    to_polars,
)

#: The first line of the signature block a BNBA sheet has under its rows: the reader stops
#: there (the block is for the village meeting's signatures, not data).
SIGNATURE_START = "Daftar ini dibahas dan disepakati dalam musyawarah desa/kelurahan."
#: A BNBA workbook: its cover, and the sheet with every row.
BNBA_SHEETS = ("Sampul", "Semua")


def read_xlsx(path: Path, score: HeaderScore | None, cell: CellText) -> Sheet:
    """The first worksheet (a BNBA workbook's all-rows sheet), title rows above the header
    skipped, blank rows dropped, a BNBA signature block left out."""
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        bnba = len(names) > 1 and tuple(names[:2]) == BNBA_SHEETS
        rows = book.get_sheet_by_index(1 if bnba else 0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several unrelated types for broken files
        return failed(path, f"file Excel tidak dapat dibaca (rusak atau terpotong?): {short(exc)}")
    if not rows:
        return failed(path, "lembar pertama file Excel kosong")
    head = header_index([[cell_text(c) or "" for c in r] for r in rows[:HEAD_ROWS]], score)
    headers = named_headers(rows[head])
    if dup := duplicated(path, headers, head + 1):
        return Sheet(path, None, headers, [dup], "xlsx", "", head + 1)
    columns: dict[str, list[str | None]] = {h: [] for h in headers}
    lines: list[int] = []
    for n, r in enumerate(rows[head + 1 :], start=head + 2):
        # text cells (most of them) need no conversion beyond trimming
        cells = [
            (c.strip() or None) if type(c) is str else cell(c)
            for c in list(r) + [None] * (len(headers) - len(r))
        ]
        if all(c is None for c in cells):
            continue
        if len(cells) > 1 and cells[1] == SIGNATURE_START:  # a BNBA sheet's signature block
            break
        lines.append(n)
        for h, c in zip(headers, cells, strict=False):
            columns[h].append(c)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(headers, pl.String))
    frame = frame.with_columns(pl.Series(ROW, lines, dtype=pl.Int64))
    return Sheet(path, frame, headers, [], "xlsx", "", head + 1)


def read_parquet(path: Path) -> Sheet:
    """A Parquet file, batch by batch, every column as text (bounded Arrow copies)."""
    try:
        source = pq.ParquetFile(path)
        headers = list(source.schema_arrow.names)
        if dup := duplicated(path, headers, 1):
            return Sheet(path, None, headers, [dup], "parquet", "")
        parts = [
            to_polars(pa.Table.from_batches([batch])).with_columns(pl.all().cast(pl.String))
            for batch in source.iter_batches(batch_size=200_000)
        ]
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        return failed(path, f"file Parquet tidak dapat dibaca: {short(exc)}")
    pa.default_memory_pool().release_unused()
    frame = (
        pl.concat(parts, rechunk=False)
        if parts
        else pl.DataFrame(schema=dict.fromkeys(headers, pl.String))
    )
    frame = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return Sheet(path, frame, headers, [], "parquet", "")
