"""Reading an extract file (CSV, XLSX, Parquet) into a frame of strings.

Every value is read as text so that validation, not the reader, decides what is wrong.
Each row keeps ``_baris``: the row number a person sees in an editor or in Excel (the
header is row 1 in a CSV). Problems that make the file or a row unreadable are returned,
never raised, so one report can list all of them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from padu.errors import Problem
from padu.register.headers import HeaderMatch, guess_level, match_headers, score_header_row
from padu.schema import Level

ROW = "_baris"
FILE = "_file"
DELIMITERS = (",", ";", "|", "\t")


@dataclass
class RawFile:
    """One extract file as text columns named by DTSEN field, with where each row came from."""

    path: Path
    level: Level | None
    frame: pl.DataFrame | None
    headers: list[str] = field(default_factory=list)
    match: HeaderMatch | None = None
    problems: list[Problem] = field(default_factory=list)
    encoding: str = ""
    delimiter: str = ""

    @property
    def name(self) -> str:
        return self.path.name


def read_file(path: Path) -> RawFile:
    """Read a DTSEN extract file: text columns named by DTSEN field, level detected."""
    raw = _read_any(path)
    return _finish(raw) if raw.frame is not None else raw


def read_flat(path: Path) -> tuple[pl.DataFrame | None, list[Problem]]:
    """Read any table file as text columns under its own headers (plus ``_baris``)."""
    raw = _read_any(path)
    return raw.frame, raw.problems


def _read_any(path: Path) -> RawFile:
    """Read ``path`` by its content (not only its suffix), headers as they are."""
    if not path.exists():
        return _fail(path, "file tidak ditemukan")
    with path.open("rb") as fh:
        data = fh.read(1 << 16)  # enough to sniff the kind, encoding and delimiter
    if not data.strip() and path.stat().st_size < (1 << 16):
        return _fail(path, "file kosong: tidak ada header maupun baris data")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls"):
        if not data.startswith(b"PK\x03\x04") and not data.startswith(b"\xd0\xcf\x11\xe0"):
            return _fail(path, "bukan file spreadsheet Excel yang valid (isi file bukan XLSX)")
        return _read_xlsx(path)
    if suffix == ".parquet" or data[:4] == b"PAR1":
        return _read_parquet(path)
    return _read_csv(path, data)


def to_polars(table: pa.Table) -> pl.DataFrame:
    """An Arrow table as a Polars frame, keeping the Arrow chunks (no extra copy)."""
    frame = pl.from_arrow(table, rechunk=False)  # a rechunk would copy every column once more
    if not isinstance(frame, pl.DataFrame):  # pragma: no cover - a Table always gives a frame
        raise TypeError("expected a table")
    return frame


def _count_lines(path: Path) -> tuple[int, bool]:
    """Newlines in a file and whether it ends with one, read in chunks."""
    n, last = 0, b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    return n, last == b"\n"


def _fail(path: Path, reason: str, code: str = "file_tidak_terbaca") -> RawFile:
    return RawFile(
        path=path,
        level=None,
        frame=None,
        problems=[Problem(path.name, None, None, None, reason, code)],
    )


def _encoding(head: bytes) -> str | None:
    """The encoding a CSV's first bytes suggest: UTF-8 (BOM or not) or Windows-1252, else None.

    A file whose first 64 KiB are valid UTF-8 but whose later bytes are not is caught by the
    parser and retried as Windows-1252.
    """
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4096]:
        return None
    try:
        head[: len(head) - 4].decode("utf-8") if len(head) == 1 << 16 else head.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"


def _read_csv(path: Path, data: bytes) -> RawFile:
    encoding = _encoding(data)
    if encoding is None:
        return _fail(path, "encoding tidak didukung (UTF-16?); simpan ulang sebagai CSV UTF-8")
    header_line = (
        data.split(b"\n", 1)[0]
        .decode("utf-8" if encoding != "cp1252" else "cp1252")
        .lstrip("\ufeff")
        .rstrip("\r")
    )
    counts = {d: header_line.count(d) for d in DELIMITERS}
    delim = max(counts, key=lambda d: counts[d])
    if counts[delim] == 0:
        return _fail(
            path,
            "pemisah kolom tidak dikenali: header hanya berisi satu kolom "
            "(gunakan koma, titik koma, | atau tab)",
            "pemisah_salah",
        )
    headers = [h.strip().strip('"').strip() for h in header_line.split(delim)]
    if len(set(headers)) != len(headers):
        dup = sorted({h for h in headers if headers.count(h) > 1})
        return _fail(path, f"nama kolom ganda di header: {', '.join(dup)}", "kolom_ganda")
    problems: list[Problem] = []

    def bad_row(row: pacsv.InvalidRow) -> str:
        n = row.actual_columns
        if n < len(headers):
            reason = f"baris terpotong: {n} kolom, header punya {len(headers)}"
        else:
            reason = f"baris rusak: {n} kolom, header punya {len(headers)}"
        number = row.number if row.number and row.number > 0 else None
        problems.append(Problem(path.name, number, None, row.text or "", reason, "baris_rusak"))
        return "skip"

    def parse(enc: str) -> pa.Table:
        problems.clear()
        return pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=headers, skip_rows=1, encoding=enc, block_size=8 << 20
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

    try:
        try:
            table = parse("utf8" if encoding != "cp1252" else "cp1252")
        except pa.ArrowInvalid as exc:
            if "UTF8" not in str(exc) or encoding == "cp1252":
                raise
            encoding = "cp1252"
            table = parse("cp1252")
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        problems.append(
            Problem(
                path.name,
                None,
                None,
                None,
                f"CSV tidak dapat diurai: {first}",
                "file_tidak_terbaca",
            )
        )
        return RawFile(path, None, None, headers, problems=problems)
    if any(p.row is None for p in problems):
        problems = _locate(path, problems)
    frame = to_polars(table)
    del table
    pa.default_memory_pool().release_unused()  # Polars copied the text; give the Arrow blocks back
    newlines, ends = _count_lines(path)
    physical = newlines + (0 if ends else 1) - 1
    bad = {p.row for p in problems}
    if physical == frame.height + len(bad) and not bad:  # one record per line
        frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    else:
        rows = _record_lines(path, bad)
        if rows.len() == frame.height:
            frame = frame.with_columns(rows.alias(ROW))
        else:  # quoted line breaks: record numbers are the best we have
            frame = frame.with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawFile(path, None, frame, headers, None, problems, encoding, delim)


def _locate(path: Path, problems: list[Problem]) -> list[Problem]:
    """Give rows the parser could not number their line number, found by their text."""
    lines = _physical_lines(path)
    wanted = {p.value for p in problems if p.row is None}
    found = lines.filter(pl.col("line").is_in(list(wanted)))
    by_text: dict[str, list[int]] = {}
    for row, text in found.select(ROW, "line").iter_rows():
        by_text.setdefault(text, []).append(row)
    out = []
    for p in problems:
        row = p.row
        if row is None and by_text.get(p.value or ""):
            row = by_text[p.value or ""].pop(0)
        out.append(Problem(p.file, row, p.column, (p.value or "")[:80], p.reason, p.code))
    return out


def _physical_lines(path: Path) -> pl.DataFrame:
    """Every line after the header with its line number (header = 1)."""
    lines = pl.read_csv(
        path,
        has_header=False,
        encoding="utf8-lossy",
        separator="\x1f",
        quote_char=None,
        infer_schema=False,
        new_columns=["line"],
    )
    return lines.slice(1).with_row_index(ROW, offset=2).with_columns(pl.col(ROW).cast(pl.Int64))


def _record_lines(path: Path, skipped: set[int | None]) -> pl.Series:
    """Line numbers (header = 1) of the non-blank lines that became records."""
    return (
        _physical_lines(path)
        .filter(
            (pl.col("line").str.strip_chars().fill_null("") != "")
            & ~pl.col(ROW).is_in([r for r in skipped if r is not None])
        )
        .get_column(ROW)
    )


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "2"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _read_xlsx(path: Path) -> RawFile:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises several unrelated types for broken files
        return _fail(path, f"file Excel tidak dapat dibaca: {exc}")
    if not rows:
        return _fail(path, "lembar pertama file Excel kosong")
    scores = [score_header_row(r) for r in rows[:10]]
    head_idx = max(range(len(scores)), key=lambda i: (scores[i], -i))
    headers = [
        str(c).strip() if c not in (None, "") else f"kolom_{i + 1}"
        for i, c in enumerate(rows[head_idx])
    ]
    body = rows[head_idx + 1 :]
    columns: dict[str, list[str | None]] = {h: [] for h in headers}
    for r in body:
        cells = list(r) + [None] * (len(headers) - len(r))
        for h, c in zip(headers, cells, strict=False):
            columns[h].append(cell_text(c))
    frame = pl.DataFrame(columns, schema=dict.fromkeys(headers, pl.String))
    frame = frame.with_row_index(ROW, offset=head_idx + 2).with_columns(pl.col(ROW).cast(pl.Int64))
    frame = frame.filter(~pl.all_horizontal(pl.exclude(ROW).is_null()))
    return RawFile(path, None, frame, headers, None, [], "xlsx", "")


def _read_parquet(path: Path) -> RawFile:
    """A Parquet file, batch by batch, every column as text (bounded Arrow copies)."""
    try:
        source = pq.ParquetFile(path)
        parts = [
            to_polars(pa.Table.from_batches([batch])).with_columns(pl.all().cast(pl.String))
            for batch in source.iter_batches(batch_size=200_000)
        ]
        headers = list(source.schema_arrow.names)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ...
        return _fail(path, f"file Parquet tidak dapat dibaca: {exc}")
    pa.default_memory_pool().release_unused()
    frame = (
        pl.concat(parts, rechunk=False)
        if parts
        else pl.DataFrame(schema=dict.fromkeys(headers, pl.String))
    )
    frame = frame.with_row_index(ROW, offset=1).with_columns(pl.col(ROW).cast(pl.Int64))
    return RawFile(path, None, frame, headers, None, [], "parquet", "")


def _finish(raw: RawFile) -> RawFile:
    """Map a file's headers to DTSEN fields and tell which set (family or member) it holds."""
    path, headers, frame = raw.path, raw.headers, raw.frame
    if frame is None:  # pragma: no cover - callers only pass frames
        return raw
    level = raw.level = guess_level(headers)
    if level is None:
        raw.problems.append(
            Problem(
                path.name,
                1,
                None,
                ", ".join(headers[:8]),
                "tidak dikenali sebagai set keluarga (perlu nomor KK dan kode wilayah) "
                "atau individu (perlu NIK)",
                "kolom_wajib_hilang",
            )
        )
        return raw
    raw.match = match_headers(headers, level)
    for fld, hs in raw.match.duplicates.items():
        raw.problems.append(
            Problem(
                path.name,
                1,
                ", ".join(hs),
                None,
                f"beberapa kolom sama-sama berarti {fld}",
                "kolom_ganda",
            )
        )
    keep = {h: f for h, f in raw.match.mapping.items() if f not in raw.match.duplicates}
    # the file column is added before the select: the other order copies every column
    frame = frame.with_columns(pl.lit(path.name).alias(FILE))
    raw.frame = frame.select(
        [pl.col(h).alias(f) for h, f in keep.items()] + [pl.col(ROW), pl.col(FILE)]
    )
    return raw
