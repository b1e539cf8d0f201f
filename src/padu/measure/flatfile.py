"""``padu mpi file``: the Alkire-Foster computation on any flat file of 0/1 columns.

The file is read by the register reader (CSV, XLSX, Parquet), every indicator column is
checked to hold only 0, 1 or blank, and the computation runs in an in-memory DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import ibis
import polars as pl

from padu.errors import ImportRejected, InputError, Problem
from padu.measure.af import MISSING_POLICIES, AFResult, Dimension, alkire_foster, parse_fraction
from padu.register.reader import ROW, read_flat


def parse_indicator(spec: str) -> Dimension:
    """``COL=WEIGHT`` (``sanitasi=1/6``) as a :class:`Dimension`."""
    column, sep, weight = spec.partition("=")
    if not sep or not column.strip():
        raise InputError(f"--indicator harus berbentuk KOLOM=BOBOT: {spec!r}")
    return Dimension(column.strip(), parse_fraction(weight, f"bobot {column.strip()}"))


def mpi_from_file(
    path: Path,
    indicators: Sequence[str],
    k: str,
    *,
    by: str | None = None,
    missing: str = "exclude",
) -> AFResult:
    """Read ``path`` and compute the measure for the given indicators and cut-off."""
    if missing not in MISSING_POLICIES:
        raise InputError(f"--missing harus salah satu dari {', '.join(MISSING_POLICIES)}")
    dims = [parse_indicator(s) for s in indicators]
    frame, problems = read_flat(path)
    if frame is None:
        raise ImportRejected(summary=f"{path.name} tidak dapat dibaca", problems=problems)
    needed = [d.column for d in dims] + ([by] if by else [])
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise ImportRejected(
            summary=f"{path.name}: kolom tidak ada: {', '.join(absent)}",
            problems=[Problem(path.name, 1, c, None, "kolom tidak ada di header") for c in absent],
        )
    for d in dims:
        bad = frame.filter(
            pl.col(d.column).is_not_null()
            & ~pl.col(d.column).str.strip_chars().is_in(["0", "1", ""])
        )
        problems += [
            Problem(path.name, row, d.column, value, "indikator deprivasi harus 0, 1 atau kosong")
            for row, value in bad.select(ROW, d.column).iter_rows()
        ]
    if problems:
        raise ImportRejected(
            summary=f"{path.name}: {len(problems)} nilai tidak valid", problems=problems
        )
    data = frame.select(
        *[pl.col(d.column).str.strip_chars().replace("", None).cast(pl.Int64) for d in dims],
        *([pl.col(by)] if by and by not in {d.column for d in dims} else []),
    )
    con = ibis.duckdb.connect()
    try:
        table = con.create_table("masukan", data.to_arrow())
        return alkire_foster(table, dims, parse_fraction(k, "k"), by=by, missing=missing)
    finally:
        con.disconnect()
