"""Probable duplicate persons inside one register snapshot (``padu register duplicates``).

The same comparisons as list linkage, within the register: pairs blocked on birth date +
first-name key, on name key + desa, and on NIK; u learnt from random register pairs (kept
per snapshot), m from the documented priors. A pair sharing a NIK with different names and
birth dates scores low: that is a NIK given to two people, not one person twice.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from padu.audit import record_export
from padu.files import atomic_output, check_output_file
from padu.linkage.ledger import cached_register_u
from padu.linkage.model import register_duplicates
from padu.linkage.persons import register_persons
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow

SIDE = ("nik", "kk", "nama", "tanggal_lahir", "jenis_kelamin", "desa", "rt")


def find_duplicates(
    wh: Warehouse, catalog: Catalog, snapshot: str, min_score: float = 0.9
) -> tuple[SnapshotRow, int, pl.DataFrame]:
    """The snapshot, its number of persons, and its probable duplicate pairs, best first."""
    snap, persons = register_persons(wh, catalog, snapshot)
    u = cached_register_u(catalog, snap.id, persons)
    pairs = register_duplicates(persons, min_score, register_u=u)
    side = persons.select("pid", *SIDE)
    out = (
        pairs.join(side.rename({c: f"{c}_a" for c in SIDE}), left_on="pid_a", right_on="pid")
        .join(side.rename({c: f"{c}_b" for c in SIDE}), left_on="pid_b", right_on="pid")
        .with_columns(same_kk=pl.col("kk_a") == pl.col("kk_b"))
        .sort(["score", "nik_a", "nik_b"], descending=[True, False, False])
        .drop("pid_a", "pid_b")
    )
    return snap, persons.height, out


SUFFIXES = (".csv", ".xlsx")


def write_duplicates(
    frame: pl.DataFrame, path: Path, catalog: Catalog, *, snapshot: int, actor: str
) -> Path:
    """The pairs as CSV or XLSX at ``path``: audited, renamed into place whole."""
    path = check_output_file(path, SUFFIXES)
    with atomic_output(path) as temp:
        _write(frame, temp, xlsx=path.suffix.lower() == ".xlsx")
        record_export(
            catalog, "register_duplicates", path, actor=actor, snapshot=snapshot,
            pairs=frame.height,
        )  # fmt: skip
    return path


def _write(frame: pl.DataFrame, path: Path, *, xlsx: bool) -> None:
    """CSV, or XLSX with NIK/KK as text."""
    data = frame.with_columns(pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
    if not xlsx:
        data.write_csv(path)
        return
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Dugaan Ganda")
    sheet.freeze_panes(1, 0)
    sheet.write_row(0, 0, data.columns, book.add_format({"bold": True}))
    text = book.add_format({"num_format": "@"})
    for i, rec in enumerate(data.iter_rows(), start=1):
        for j, v in enumerate(rec):
            if isinstance(v, float):
                sheet.write_number(i, j, v)
            elif v is not None:
                sheet.write_string(i, j, str(v), text)
    book.close()
