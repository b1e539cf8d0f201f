"""Reading an extract file (CSV, XLSX, Parquet) into DTSEN fields, level detected.

The file is read by the shared table reader (:mod:`padu.sheets`): every value as text, so
that validation, not the reader, decides what is wrong; title rows above the header are
skipped; each row keeps ``_baris``, the row number a person sees in an editor or in Excel.
Problems that make the file or a row unreadable are returned, never raised, so one report
can list all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from padu.errors import Problem
from padu.register.headers import HeaderMatch, guess_level, match_headers, score_header_row
from padu.schema import Level
from padu.sheets import ROW, cell_text, read_sheet, to_polars

FILE = "_file"
__all__ = ["FILE", "ROW", "RawFile", "cell_text", "read_file", "read_flat", "to_polars"]


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
    header_row: int = 1  # the row that holds the header (title rows above it are skipped)

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
    """Read ``path`` with the shared reader; a header row is one that names DTSEN fields."""
    sheet = read_sheet(path, score=score_header_row)
    return RawFile(
        path=path,
        level=None,
        frame=sheet.frame,
        headers=sheet.headers,
        problems=sheet.problems,
        encoding=sheet.encoding,
        delimiter=sheet.delimiter,
        header_row=sheet.header_row,
    )


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
                raw.header_row,
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
                raw.header_row,
                ", ".join(hs),
                None,
                f"kolom {' dan '.join(hs)} sama-sama berarti {fld}; hapus atau ganti nama salah "
                "satunya",
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
