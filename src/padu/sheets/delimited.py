"""Delimited text files (CSV, TSV, ``;`` or ``|``) as text columns.

The encoding (UTF-8 with or without BOM, else Windows-1252), the delimiter and the header
row are found from the first 64 KiB. A row that cannot be parsed becomes a problem naming
its line and its field count, never its text: the line holds names and NIKs.
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from padu.errors import Problem
from padu.sheets.base import (
    HEAD_ROWS,
    ROW,
    UNREADABLE,
    HeaderScore,
    Sheet,
    duplicated,
    failed,
    header_index,
    named_headers,
    to_polars,
)

DELIMITERS = (",", ";", "|", "\t")
SNIFF = 1 << 16


def encoding_of(head: bytes) -> str | None:
    """The encoding a CSV's first bytes suggest: UTF-8 (BOM or not) or Windows-1252, else None.

    A file whose first 64 KiB are valid UTF-8 but whose later bytes are not is caught by the
    parser and retried as Windows-1252.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        return None
    try:
        head[: len(head) - 4].decode("utf-8") if len(head) == SNIFF else head.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"


def _not_text(head: bytes) -> str:
    """Why a file with NUL bytes is not read: UTF-16 text, or not text at all."""
    sample = head[:4096]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")) or (
        len(sample) > 1 and sample.count(b"\x00") * 3 >= len(sample) and b"\x00\x00" not in sample
    ):
        return "encoding tidak didukung (UTF-16?); simpan ulang sebagai CSV UTF-8"
    return "bukan file teks CSV (isinya biner); ekspor ulang sebagai CSV UTF-8 atau XLSX"


def _delimiter(line: str) -> str:
    counts = {d: line.count(d) for d in DELIMITERS}
    return max(counts, key=lambda d: counts[d])


def _split(line: str, delim: str) -> list[str]:
    """The cells of one line, quotes honoured (``"Tempat, Tgl Lahir"`` is one cell)."""
    try:
        row = next(csv.reader([line], delimiter=delim), [])
    except csv.Error:
        row = line.split(delim)
    return [c.strip().strip('"').strip() for c in row]


def _cells(line: str) -> list[str]:
    return _split(line, _delimiter(line))


def _top_lines(data: bytes, encoding: str) -> list[str]:
    """The first lines of the file as text (the last one dropped if the sniff cut it)."""
    text = data.decode("cp1252" if encoding == "cp1252" else "utf-8", errors="replace")
    lines = text.lstrip("\ufeff").split("\n")
    if len(data) == SNIFF and len(lines) > 1:
        lines = lines[:-1]
    return [line.rstrip("\r") for line in lines[:HEAD_ROWS]]


def read_csv(path: Path, data: bytes, score: HeaderScore | None) -> Sheet:
    """Read a delimited file whose first bytes are ``data``; title rows above the header skipped."""
    encoding = encoding_of(data)
    if encoding is None:
        return failed(path, _not_text(data))
    lines = _top_lines(data, encoding)
    head = header_index([_cells(line) for line in lines], score)
    header_line = lines[head] if head < len(lines) else ""
    delim = _delimiter(header_line)
    if header_line.count(delim) == 0:
        return failed(
            path,
            "pemisah kolom tidak dikenali: header hanya berisi satu kolom "
            "(gunakan koma, titik koma, | atau tab)",
            "pemisah_salah",
        )
    headers = named_headers(_split(header_line, delim))
    if dup := duplicated(path, headers, head + 1):
        return Sheet(path, None, headers, [dup], encoding, delim, head + 1)
    try:
        table, problems, encoding = _parse(path, headers, delim, head + 1, encoding)
    except (pa.ArrowException, UnicodeError, OSError) as exc:
        # the parser's own text can quote a row (names, NIK): say what, never echo it
        reason = "CSV tidak dapat diurai: susunan baris atau tanda kutip rusak"
        if isinstance(exc, UnicodeError):
            reason = "encoding tidak dikenali; simpan ulang sebagai CSV UTF-8"
        failure = [Problem(path.name, None, None, None, reason, UNREADABLE)]
        return Sheet(path, None, headers, failure, encoding, delim, head + 1)
    frame = to_polars(table)
    del table
    pa.default_memory_pool().release_unused()  # Polars copied the text; give the Arrow blocks back
    frame = _number_rows(path, frame, problems, head + 1)
    return Sheet(path, frame, headers, [p for p, _ in problems], encoding, delim, head + 1)


def _parse(
    path: Path, headers: list[str], delim: str, skip: int, encoding: str
) -> tuple[pa.Table, list[tuple[Problem, str]], str]:
    """Parse the records below the header; bad rows become (problem, their text) pairs.

    The text is kept only to find the row's line number; it never enters a problem.
    """
    bad: list[tuple[Problem, str]] = []

    def bad_row(row: pacsv.InvalidRow) -> str:
        n = row.actual_columns
        kind = "terpotong" if n < len(headers) else "rusak"
        reason = f"baris {kind}: {n} kolom, header punya {len(headers)}"
        number = row.number if row.number and row.number > 0 else None
        bad.append((Problem(path.name, number, None, None, reason, "baris_rusak"), row.text or ""))
        return "skip"

    def parse(enc: str) -> pa.Table:
        bad.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=headers, skip_rows=skip, encoding=enc, block_size=8 << 20
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delim, invalid_row_handler=bad_row, ignore_empty_lines=True
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(headers, pa.string()),
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )

    if encoding == "cp1252":
        _check_cp1252(path)
        return parse("cp1252"), bad, encoding
    try:
        return parse("utf8"), bad, encoding
    except pa.ArrowInvalid as exc:
        if "UTF8" not in str(exc):
            raise
    _check_cp1252(path)
    return parse("cp1252"), bad, "cp1252"


#: Bytes that Windows-1252 leaves undefined: a file holding one is in some other encoding.
_NOT_CP1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def _check_cp1252(path: Path) -> None:
    """Raise UnicodeError if ``path`` is not Windows-1252 text.

    Checked before the parser transcodes: a decoding error inside its worker threads
    would abort the process instead of raising.
    """
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            if any(b in chunk for b in _NOT_CP1252):
                raise UnicodeError("not Windows-1252")


def _number_rows(
    path: Path, frame: pl.DataFrame, bad: list[tuple[Problem, str]], header: int
) -> pl.DataFrame:
    """Give every record (and every bad row) the line number a person sees in an editor."""
    if any(p.row is None for p, _ in bad):
        bad[:] = _locate(path, bad, header)
    skipped = {p.row for p, _ in bad}
    newlines, ends = _count_lines(path)
    below = newlines + (0 if ends else 1) - header  # physical lines after the header
    if below == frame.height and not skipped:  # one record per line
        return frame.with_row_index(ROW, offset=header + 1).with_columns(pl.col(ROW).cast(pl.Int64))
    rows = _record_lines(path, skipped, header)
    if rows.len() == frame.height:
        return frame.with_columns(rows.alias(ROW))
    # quoted line breaks: record numbers are the best we have
    return frame.with_row_index(ROW, offset=header + 1).with_columns(pl.col(ROW).cast(pl.Int64))


def _count_lines(path: Path) -> tuple[int, bool]:
    """Newlines in a file and whether it ends with one, read in chunks."""
    n, last = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n, last == b"\n"


def _locate(path: Path, bad: list[tuple[Problem, str]], header: int) -> list[tuple[Problem, str]]:
    """Give rows the parser could not number their line number, found by their text."""
    lines = _physical_lines(path, header)
    wanted = {text for p, text in bad if p.row is None}
    found = lines.filter(pl.col("line").is_in(list(wanted)))
    by_text: dict[str, list[int]] = {}
    for row, text in found.select(ROW, "line").iter_rows():
        by_text.setdefault(text, []).append(row)
    out = []
    for p, text in bad:
        row = p.row
        if row is None and by_text.get(text):
            row = by_text[text].pop(0)
        out.append((Problem(p.file, row, p.column, None, p.reason, p.code), text))
    return out


def _physical_lines(path: Path, header: int) -> pl.DataFrame:
    """Every line below the header with its line number (the header is line ``header``)."""
    lines = pl.read_csv(
        path,
        has_header=False,
        encoding="utf8-lossy",
        separator="\x1f",
        quote_char=None,
        infer_schema=False,
        new_columns=["line"],
    )
    return (
        lines.slice(header)
        .with_row_index(ROW, offset=header + 1)
        .with_columns(pl.col(ROW).cast(pl.Int64))
    )


def _record_lines(path: Path, skipped: set[int | None], header: int) -> pl.Series:
    """Line numbers of the non-blank lines below the header that became records."""
    return (
        _physical_lines(path, header)
        .filter(
            (pl.col("line").str.strip_chars().fill_null("") != "")
            & ~pl.col(ROW).is_in([r for r in skipped if r is not None])
        )
        .get_column(ROW)
    )
