"""The stores: migrations, batch visibility, and a held DuckDB file."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

from padu.errors import StoreBusy
from padu.register.snapshots import BATCH, drop_orphan_batches, ensure_reference_tables
from padu.stores import Warehouse
from tests.conftest import Stores


def test_reference_tables_and_orphan_batches(stores: Stores) -> None:
    ensure_reference_tables(stores.warehouse)
    assert stores.warehouse.table("wilayah").count().to_pyarrow().as_py() == 543
    assert stores.warehouse.table("kode").count().to_pyarrow().as_py() > 200
    # a batch written without its catalog row (a crash between the two writes) is invisible ...
    schema = stores.warehouse.table("temuan").schema().to_pyarrow()
    row = dict.fromkeys(schema.names) | {BATCH: "b_orphan", "kode": "x"}
    stores.warehouse.append("temuan", pa.Table.from_pylist([row], schema=schema))
    assert stores.catalog.visible_batches() == set()
    # ... and is removed before the next import
    drop_orphan_batches(stores.warehouse, stores.catalog)
    assert stores.warehouse.table("temuan").count().to_pyarrow().as_py() == 0


def test_catalog_migrations_are_idempotent(stores: Stores) -> None:
    from padu.stores import Catalog

    again = Catalog.connect(stores.catalog_url)
    assert again.snapshots() == []
    again.record("test.event", {"x": 1})
    assert [e.jenis for e in stores.catalog.events()] == ["test.event"]
    again.close()


def test_a_held_duckdb_file_gives_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    Warehouse.connect(f"duckdb://{path}").close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("held", flush=True)
            time.sleep(30)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with pytest.raises(StoreBusy, match="padu serve"):
            Warehouse.connect(f"duckdb://{path}")
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
