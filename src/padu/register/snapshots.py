"""Warehouse tables of the register and the view of one snapshot.

Every snapshot's rows live in ``keluarga``/``individu``/``temuan`` under its batch id
(``snapshot_id``). A batch that no catalog row names is invisible and is removed by
:func:`drop_orphan_batches` before the next import.
"""

from __future__ import annotations

import pyarrow as pa

from padu.regions import kaltara
from padu.schema import LEVELS, Level, register_schema
from padu.stores import Catalog, Warehouse
from padu.stores.warehouse import Table

BATCH = "snapshot_id"
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
    if not wh.has("wilayah"):
        wh.replace("wilayah", pa.Table.from_pylist(kaltara().rows()))
    if not wh.has("kode"):
        wh.replace("kode", pa.Table.from_pylist(list(register_schema().code_rows())))


def drop_orphan_batches(wh: Warehouse, catalog: Catalog) -> None:
    """Remove rows of batches that no snapshot names (left by an interrupted import)."""
    keep = catalog.visible_batches()
    for name in ("keluarga", "individu", "temuan"):
        if wh.has(name):
            wh.delete_where_in(name, BATCH, keep, negate=True)


def snapshot_table(
    wh: Warehouse, catalog: Catalog, ref: str | int, name: str = "keluarga"
) -> Table:
    """The rows of one snapshot in ``keluarga``, ``individu`` or ``temuan``."""
    snap = catalog.snapshot(ref)
    t = wh.table(name)
    return t.filter(t[BATCH] == snap.batch)
