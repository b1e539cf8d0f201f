"""One identity shared by a catalog and its warehouse, checked on every connection.

The catalog says which warehouse rows are visible; a catalog that is not the warehouse's
own must never be obeyed (an empty one would make every row look abandoned). So the two
stores carry one store identity (a uuid), written into both when two empty stores are
first connected, and :func:`open_stores` refuses any other pairing with a message that
names both URLs.

A home made before identities existed (both stores populated, no identity yet) is adopted
only when it is consistent: every snapshot the catalog lists has exactly its family and
member counts in the warehouse. Anything else is refused, never repaired by deleting.
"""

from __future__ import annotations

import datetime as dt
import sys
import uuid
from collections.abc import Callable

import pyarrow as pa
from sqlalchemy.engine import make_url

from padu.errors import InputError, StoreBusy
from padu.stores import replica
from padu.stores.batches import DATA_TABLES
from padu.stores.catalog import Catalog
from padu.stores.pause import pause_point
from padu.stores.warehouse import Warehouse

#: The warehouse table holding the identity (one row). Not the catalog's ``store_identity``:
#: on a server both stores may share one PostgreSQL database.
IDENTITY_TABLE = "identitas_store"
PAIRING_LOCK = "padu.stores.pairing"


class StoreMismatch(InputError):
    """The catalog and the warehouse given do not belong to each other."""


def open_stores(
    warehouse_url: str,
    catalog_url: str,
    *,
    read_only: bool = False,
    notice: Callable[[str], None] | None = None,
) -> tuple[Warehouse, Catalog]:
    """Connect the warehouse and the catalog and check that they are one store.

    ``read_only`` opens a DuckDB warehouse read-only (several readers may share it); two
    empty stores opened read-only are left unpaired until the first writer opens them.

    While ``padu serve`` holds a DuckDB warehouse (its single writer), a read-only open
    reads the server's published copy (:mod:`padu.stores.replica`) and says so in one line
    to ``notice`` (default: stderr); a writing open is refused with a StoreBusy that says to
    use the web app or PostgreSQL.
    """
    catalog: Catalog | None = None
    try:
        warehouse = Warehouse.connect(warehouse_url, read_only=read_only)
    except StoreBusy as busy:
        path = replica.duckdb_path(warehouse_url)
        record = replica.server_holding(path, busy) if path is not None else None
        if path is None or record is None:
            raise
        if not read_only:
            raise replica.writer_refusal(path, record) from busy
        catalog = Catalog.connect(catalog_url)
        try:
            warehouse, record = replica.open_published(path, record, _fresh_for(catalog))
        except BaseException:
            catalog.close()
            raise
        (notice or _to_stderr)(replica.notice_text(record))
    try:
        catalog = catalog or Catalog.connect(catalog_url)
    except BaseException:
        warehouse.close()
        raise
    try:
        with catalog.lock(PAIRING_LOCK):
            _pair(warehouse, catalog, read_only=read_only)
    except BaseException:
        warehouse.close()
        catalog.close()
        raise
    pause_point("stores.open")
    return warehouse, catalog


def _fresh_for(catalog: Catalog) -> Callable[[replica.Published], bool]:
    """Whether a published copy holds every batch ``catalog`` lets a reader reach."""

    def fresh(record: replica.Published) -> bool:
        return set(replica.committed_batches(catalog)) <= set(record.batches)

    return fresh


def _to_stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def warehouse_identity(wh: Warehouse) -> str | None:
    """The identity recorded in the warehouse (None if it has none yet)."""
    if not wh.has(IDENTITY_TABLE):
        return None
    ids = set(wh.table(IDENTITY_TABLE).store_id.to_pyarrow().to_pylist())
    if len(ids) > 1:
        raise StoreMismatch(
            f"warehouse {_shown(wh.url)} memuat {len(ids)} identitas store yang berbeda; "
            "warehouse ini rusak atau digabung dari dua store. Tidak ada yang diubah."
        )
    return next(iter(ids), None)


def _pair(wh: Warehouse, cat: Catalog, *, read_only: bool) -> None:
    w_id, c_id = warehouse_identity(wh), cat.identity()
    if w_id is not None and c_id is not None:
        if w_id != c_id:
            raise _refuse(wh, cat, f"katalog milik store {c_id}, warehouse milik store {w_id}")
        return
    if w_id is not None or c_id is not None:
        why = (
            f"warehouse milik store {w_id}, katalog belum pernah dipasangkan dengannya"
            if w_id is not None
            else f"katalog milik store {c_id}, warehouse belum pernah dipasangkan dengannya"
        )
        if not _warehouse_has_rows(wh) and not cat.describes_data():
            # also what a first pairing cut short (kill -9 between the two writes) leaves
            why += (
                "; keduanya belum berisi data, jadi bila ini pemasangan pertama yang terputus, "
                "hapus store yang kosong itu lalu ulangi"
            )
        raise _refuse(wh, cat, why)
    w_data, c_data = _warehouse_has_rows(wh), cat.describes_data()
    if w_data and not c_data:
        raise _refuse(wh, cat, "warehouse sudah berisi data, tetapi katalognya kosong")
    if c_data and not w_data:
        raise _refuse(wh, cat, "katalog mencatat data, tetapi warehouse-nya kosong")
    if w_data and not _consistent(wh, cat):
        raise _refuse(wh, cat, "jumlah baris snapshot di katalog tidak sama dengan isi warehouse")
    if read_only:
        return  # the first writer pairs them
    store_id = cat.set_identity(str(uuid.uuid4()))
    wh.ensure(IDENTITY_TABLE, {"store_id": "string", "dibuat": "timestamp"})
    if warehouse_identity(wh) is None:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        wh.append(
            IDENTITY_TABLE,
            pa.Table.from_pylist([{"store_id": store_id, "dibuat": now}]),
        )


def _warehouse_has_rows(wh: Warehouse) -> bool:
    for name in DATA_TABLES:
        if wh.has(name) and wh.table(name).limit(1).count().to_pyarrow().as_py():
            return True
    return False


def _consistent(wh: Warehouse, cat: Catalog) -> bool:
    """Whether every snapshot of a pre-identity catalog has its rows in the warehouse."""
    snaps = cat.snapshots()
    if not snaps:
        return False
    for level in ("keluarga", "individu"):
        if not wh.has(level):
            return False
        t = wh.table(level)
        rows = t.group_by("snapshot_id").aggregate(n=t.count()).to_pyarrow().to_pylist()
        counts = {r["snapshot_id"]: r["n"] for r in rows}
        if any(counts.get(s.batch) != getattr(s, level) for s in snaps):
            return False
    return True


def _refuse(wh: Warehouse, cat: Catalog, why: str) -> StoreMismatch:
    return StoreMismatch(
        f"katalog {_shown(str(cat.engine.url))} bukan katalog milik warehouse "
        f"{_shown(wh.url)} ({why}). Padu tidak mengubah apa pun. Pakai pasangan katalog dan "
        "warehouse yang dibuat bersama (periksa --home, PADU_WAREHOUSE_URL dan "
        "PADU_CATALOG_URL)."
    )


def _shown(url: str) -> str:
    """A store URL for a message: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # duckdb:// and other URLs SQLAlchemy does not parse
        return url
