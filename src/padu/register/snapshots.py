"""Warehouse tables of the register, writing one snapshot, and the view of one snapshot.

Every snapshot's rows live in ``keluarga``/``individu``/``temuan`` under its batch id
(``snapshot_id``). :func:`write_snapshot` writes them as a pending batch and makes them
visible with the catalog's snapshot row (padu.stores.batches); rows of a batch whose writer
was killed are removed by the next import once that writer is provably gone, and rows the
catalog merely does not know are never removed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import polars as pl
import pyarrow as pa

from padu.errors import Problem
from padu.regions import kaltara
from padu.register.reader import FILE, ROW
from padu.register.validate import RID, Validated
from padu.schema import LEVELS, Level, register_schema
from padu.stores import Catalog, Warehouse
from padu.stores.batches import BatchTables, pending_batch
from padu.stores.catalog import SnapshotRow
from padu.stores.pause import pause_point
from padu.stores.warehouse import Table

BATCH = "snapshot_id"
#: Where a snapshot batch's rows live.
SNAPSHOT_BATCHES = BatchTables("snapshot", ("keluarga", "individu", "temuan"), BATCH)
APPEND_ROWS = 200_000
FINDINGS_SCHEMA = {
    BATCH: "string",
    "tingkat": "string",
    "file": "string",
    "baris": "int64",
    "kolom": "string",
    "nilai": "string",
    "kode": "string",
    "keterangan": "string",
    "nomor_kartu_keluarga": "string",
    "nomor_induk_kependudukan": "string",
}


def level_schema(level: Level) -> dict[str, str]:
    """Warehouse columns of a register level: batch id, DTSEN fields, quality flags."""
    cols = {BATCH: "string"}
    cols.update({f.name: f.ibis_type for f in register_schema().level(level)})
    cols["kualitas"] = "string"
    return cols


def ensure_reference_tables(wh: Warehouse) -> None:
    """Create the register tables and (re)load regions and code lists if absent."""
    for level in LEVELS:
        wh.ensure(level, level_schema(level))
    wh.ensure("temuan", FINDINGS_SCHEMA)
    with wh.lock("padu.warehouse.ddl"):
        if not wh.has("wilayah"):
            wh.replace("wilayah", pa.Table.from_pylist(kaltara().rows()))
        if not wh.has("kode"):
            wh.replace("kode", pa.Table.from_pylist(list(register_schema().code_rows())))


def write_snapshot(
    wh: Warehouse,
    catalog: Catalog,
    checked: Validated,
    problems: Sequence[Problem],
    *,
    snapshot_date: dt.date,
    label: str | None,
    paths: Sequence[Path],
    actor: str,
    progress: Callable[[str], None],
) -> SnapshotRow:
    """Store an accepted extract as one new snapshot: pending batch, rows, one commit."""
    ensure_reference_tables(wh)
    with pending_batch(wh, catalog, SNAPSHOT_BATCHES, actor) as batch:
        pause_point("import.write")
        for lv in LEVELS:
            data = (
                getattr(checked, lv).drop(RID, FILE, ROW).with_columns(pl.lit(batch).alias(BATCH))
            )
            for chunk in data.iter_slices(APPEND_ROWS):  # bounded Arrow copies
                wh.append(lv, chunk.to_arrow())
                pause_point("warehouse.append")
        wh.append("temuan", _findings(checked, problems, batch).to_arrow())

        progress("mencatat snapshot")
        wh.refresh_statistics(SNAPSHOT_BATCHES.tables)  # before the commit: Ctrl-C stays clean
        files = [str(Path(p).resolve()) for p in paths]
        return catalog.add_snapshot(
            SnapshotRow(
                batch=batch,
                tanggal=snapshot_date,
                label=label or f"DTSEN per {snapshot_date.isoformat()}",
                dibuat=dt.datetime.now(dt.UTC).replace(tzinfo=None),
                skema_wilayah=checked.scheme,
                keluarga=checked.keluarga.height,
                individu=checked.individu.height,
                temuan=checked.quality.height,
                sumber=files,
            ),
            {
                "families": checked.keluarga.height,
                "individuals": checked.individu.height,
                "files": files,
                "actor": actor,
            },
            actor,
        )


def _findings(checked: Validated, problems: Sequence[Problem], batch: str) -> pl.DataFrame:
    """Quality findings of the rows and the file-level notes, as ``temuan`` rows."""
    findings = checked.quality.select(
        pl.lit(batch).alias(BATCH),
        "tingkat",
        pl.col(FILE).alias("file"),
        pl.col(ROW).alias("baris"),
        "kolom",
        "nilai",
        "kode",
        "keterangan",
        "nomor_kartu_keluarga",
        "nomor_induk_kependudukan",
    )
    info = pl.DataFrame(
        [
            {
                BATCH: batch,
                "tingkat": "file",
                "file": p.file,
                "baris": p.row,
                "kolom": p.column,
                "nilai": p.value,
                "kode": p.code,
                "keterangan": p.reason,
                "nomor_kartu_keluarga": None,
                "nomor_induk_kependudukan": None,
            }
            for p in problems
        ],
        schema=findings.schema,
    )
    return pl.concat([findings, info])


def snapshot_table(
    wh: Warehouse, catalog: Catalog, ref: str | int, name: str = "keluarga"
) -> Table:
    """The rows of one snapshot in ``keluarga``, ``individu`` or ``temuan``."""
    snap = catalog.snapshot(ref)
    t = wh.table(name)
    return t.filter(t[BATCH] == snap.batch)
