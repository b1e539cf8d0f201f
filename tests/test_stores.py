"""The stores: identity, pending batches and their cleanup, temp tables, locks, read-only."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa

from padu.errors import InternalError, StoreBusy
from padu.register.snapshots import (
    BATCH,
    SNAPSHOT_BATCHES,
    ensure_reference_tables,
)
from padu.stores import Catalog, StoreMismatch, Warehouse, open_stores
from padu.stores.batches import DATA_TABLES, pending_batch, sweep_abandoned, writer_gone
from padu.stores.catalog import BatchRow, SnapshotRow
from padu.stores.identity import IDENTITY_TABLE
from tests.conftest import Stores, _fresh_pg_database


def _finding(stores: Stores, batch: str) -> None:
    schema = stores.warehouse.table("temuan").schema().to_pyarrow()
    row = dict.fromkeys(schema.names) | {BATCH: batch, "kode": "x"}
    stores.warehouse.append("temuan", pa.Table.from_pylist([row], schema=schema))


def _rows(stores: Stores, table: str = "temuan") -> int:
    return int(stores.warehouse.table(table).count().to_pyarrow().as_py())


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


def test_every_batch_table_counts_when_telling_a_populated_warehouse() -> None:
    from padu.linkage.ledger import LEDGER_BATCHES
    from padu.programmes.adopt import ADOPTION_BATCHES

    tables = [*SNAPSHOT_BATCHES.tables, *LEDGER_BATCHES.tables, *ADOPTION_BATCHES.tables]
    assert sorted(tables) == sorted(DATA_TABLES)


def test_rows_the_catalog_does_not_know_are_never_deleted(stores: Stores) -> None:
    ensure_reference_tables(stores.warehouse)
    assert _rows(stores, "wilayah") == 543
    assert _rows(stores, "kode") > 200
    # rows no catalog row names (another process still writing, or a foreign catalog) ...
    _finding(stores, "b_unknown")
    assert stores.catalog.visible_batches() == set()
    # ... are invisible, but cleanup leaves them alone: only a dead writer's batch goes
    assert sweep_abandoned(stores.warehouse, stores.catalog, SNAPSHOT_BATCHES) == []
    assert _rows(stores) == 1


def test_a_dead_writers_pending_batch_is_swept_and_a_live_ones_is_kept(stores: Stores) -> None:
    ensure_reference_tables(stores.warehouse)
    cat, host = stores.catalog, socket.gethostname()
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        cat.begin_batch("b_dead", "snapshot", "penguji", _dead_pid(), host)
        cat.begin_batch("b_live", "snapshot", "penguji", sleeper.pid, host)
        cat.begin_batch("b_far", "snapshot", "penguji", 1, "host-lain")
        for b in ("b_dead", "b_live", "b_far"):
            _finding(stores, b)
        assert sweep_abandoned(stores.warehouse, cat, SNAPSHOT_BATCHES) == ["b_dead"]
        left = stores.warehouse.table("temuan")[BATCH].to_pyarrow().to_pylist()
        assert sorted(left) == ["b_far", "b_live"]
        assert [b.id for b in cat.pending_batches("snapshot")] == ["b_live", "b_far"]
        sleeper.kill()
        sleeper.wait()  # reaped: the pid is gone
        assert sweep_abandoned(stores.warehouse, cat, SNAPSHOT_BATCHES) == ["b_live"]
    finally:
        sleeper.kill()
        sleeper.wait()
    # a writer on another host is only given up after a long time
    far = cat.pending_batches("snapshot")[0]
    assert not writer_gone(far)
    assert writer_gone(far, now=far.dimulai + dt.timedelta(days=3))


def test_a_failed_write_removes_its_own_rows_and_a_commit_makes_them_visible(
    stores: Stores,
) -> None:
    ensure_reference_tables(stores.warehouse)
    _finding(stores, "b_other")  # someone else's rows, untouched throughout
    with (
        pytest.raises(KeyboardInterrupt),
        pending_batch(stores.warehouse, stores.catalog, SNAPSHOT_BATCHES, "penguji") as batch,
    ):
        _finding(stores, batch)
        raise KeyboardInterrupt
    assert stores.warehouse.table("temuan")[BATCH].to_pyarrow().to_pylist() == ["b_other"]
    assert stores.catalog.pending_batches("snapshot") == []

    with pending_batch(stores.warehouse, stores.catalog, SNAPSHOT_BATCHES, "penguji") as batch:
        pending = stores.catalog.pending_batches("snapshot")
        assert [(b.id, b.pid, b.pelaku) for b in pending] == [(batch, os.getpid(), "penguji")]
        _finding(stores, batch)
        row = stores.catalog.add_snapshot(_snapshot_row(batch), {"files": []}, "penguji")
    assert stores.catalog.visible_batches() == {batch}
    assert stores.catalog.pending_batches("snapshot") == []
    with stores.catalog.session() as s:
        assert s.get(BatchRow, batch).state == "committed"  # type: ignore[union-attr]
    event = stores.catalog.events("register.import")[-1]
    assert event.pelaku == "penguji" and f'"snapshot": {row.id}' in event.rincian
    # a batch cannot be committed twice (nor one that was swept meanwhile)
    with pytest.raises(InternalError):
        stores.catalog.add_snapshot(_snapshot_row(batch), {}, "penguji")


def _snapshot_row(batch: str) -> SnapshotRow:
    return SnapshotRow(
        batch=batch, tanggal=dt.date(2026, 1, 1), label=f"uji {batch}", dibuat=dt.datetime.now(),
        skema_wilayah="kemendagri", keluarga=0, individu=0, temuan=1, sumber=[],
    )  # fmt: skip


def _other_urls(stores: Stores, pg_url: str | None, tmp: Path) -> tuple[str, str]:
    if stores.backend == "duckdb":
        return f"duckdb://{tmp / 'warehouse.duckdb'}", f"sqlite:///{tmp / 'catalog.sqlite'}"
    assert pg_url is not None
    url = _fresh_pg_database(pg_url)
    return url, url


def test_a_foreign_or_empty_catalog_is_refused_naming_both_stores(
    stores: Stores, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    pg = request.getfixturevalue("pg_url") if stores.backend == "postgres" else None
    wid = stores.catalog.identity()
    assert wid is not None and wid == _warehouse_id(stores.warehouse)
    other_w, other_c = _other_urls(stores, pg, tmp_path / "lain")
    stores.warehouse.close()  # a DuckDB file takes one writer (closing twice is harmless)
    # another home's catalog (its own identity) against this warehouse
    for store in open_stores(other_w, other_c):
        store.close()
    with pytest.raises(StoreMismatch) as caught:
        open_stores(stores.warehouse_url, other_c)
    assert other_c.split("@")[-1] in caught.value.message
    assert stores.warehouse_url.split("@")[-1] in caught.value.message
    # a brand-new, empty catalog against this (paired) warehouse
    _, empty_c = _other_urls(stores, pg, tmp_path / "kosong")
    with pytest.raises(StoreMismatch, match="belum pernah dipasangkan"):
        open_stores(stores.warehouse_url, empty_c)
    # and this catalog against an empty warehouse
    empty_w, _ = _other_urls(stores, pg, tmp_path / "kosong2")
    with pytest.raises(StoreMismatch):
        open_stores(empty_w, stores.catalog_url)
    # the right pair still opens
    wh, cat = open_stores(stores.warehouse_url, stores.catalog_url)
    assert cat.identity() == wid
    wh.close()
    cat.close()


def test_a_password_in_a_store_url_is_not_shown(stores: Stores, tmp_path: Path) -> None:
    if stores.backend != "postgres":
        pytest.skip("only server URLs carry passwords")
    url = stores.catalog_url.replace("postgres@", "postgres:rahasia@")
    with pytest.raises(StoreMismatch) as caught:
        open_stores(f"duckdb://{tmp_path / 'w.duckdb'}", url)
    assert "rahasia" not in caught.value.message and "***" in caught.value.message


def _warehouse_id(wh: Warehouse) -> str:
    return str(wh.table(IDENTITY_TABLE).store_id.to_pyarrow().to_pylist()[0])


def _forget_identity(stores: Stores) -> None:
    """Make the stores look like a home from before store identities."""
    stores.warehouse.con.drop_table(IDENTITY_TABLE)
    with stores.catalog.engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM store_identity"))


def test_a_home_from_before_identities_is_adopted_only_when_consistent(
    stores: Stores, snapshot: int
) -> None:
    counts = stores.catalog.snapshot(snapshot)
    _forget_identity(stores)
    wh, cat = open_stores(stores.warehouse_url, stores.catalog_url)  # consistent: adopted
    assert cat.identity() is not None and cat.identity() == _warehouse_id(wh)
    wh.close()
    cat.close()
    _forget_identity(stores)
    with stores.catalog.engine.begin() as conn:  # a catalog whose counts do not match
        conn.execute(sa.text("UPDATE snapshot SET keluarga = keluarga + 1"))
    with pytest.raises(StoreMismatch, match="jumlah baris"):
        open_stores(stores.warehouse_url, stores.catalog_url)
    assert stores.catalog.identity() is None  # refused: nothing written
    assert _rows(stores, "keluarga") == counts.keluarga


def test_empty_stores_opened_read_only_stay_unpaired(tmp_path: Path) -> None:
    wurl, curl = f"duckdb://{tmp_path / 'w.duckdb'}", f"sqlite:///{tmp_path / 'c.sqlite'}"
    Warehouse.connect(wurl).close()
    wh, cat = open_stores(wurl, curl, read_only=True)
    assert wh.read_only and cat.identity() is None
    wh.close()
    cat.close()
    wh, cat = open_stores(wurl, curl)
    assert cat.identity() == _warehouse_id(wh)
    wh.close()
    cat.close()


def test_scratch_drops_its_temporary_tables(stores: Stores) -> None:
    wh = stores.warehouse
    ensure_reference_tables(wh)
    before = set(wh.con.list_tables())
    kept = wh.temp("tetap", wh.table("wilayah").limit(3))
    with pytest.raises(RuntimeError), wh.scratch():
        a = wh.temp("a", wh.table("wilayah").limit(5))
        with wh.scratch():
            b = wh.temp("b", wh.table("kode").limit(2))
            assert b.count().to_pyarrow().as_py() == 2
        assert set(wh.con.list_tables()) - before == {"_padu_tetap", "_padu_a"}
        assert a.count().to_pyarrow().as_py() == 5
        raise RuntimeError
    assert set(wh.con.list_tables()) - before == {"_padu_tetap"}
    assert kept.count().to_pyarrow().as_py() == 3
    wh.drop_temp("tetap")
    wh.drop_temp("tidak-ada")  # nothing to drop: no error
    assert set(wh.con.list_tables()) == before


def test_catalog_migrations_are_idempotent(stores: Stores) -> None:
    again = Catalog.connect(stores.catalog_url)
    assert again.snapshots() == []
    again.record("test.event", {"x": 1}, "penguji")
    assert [e.jenis for e in stores.catalog.events()] == ["test.event"]
    again.close()


def test_migration_records_existing_snapshots_as_committed_batches(tmp_path: Path) -> None:
    from alembic import command
    from alembic.config import Config

    from padu.stores.catalog import _migrations_dir

    engine = sa.create_engine(f"sqlite:///{tmp_path / 'c.sqlite'}")
    cfg = Config()
    cfg.set_main_option("script_location", _migrations_dir())
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
        conn.execute(sa.text(
            "INSERT INTO snapshot (batch, tanggal, label, dibuat, skema_wilayah, keluarga, "
            "individu, temuan, sumber) VALUES ('b_lama', '2025-01-01', 'lama', "
            "'2025-01-02 00:00:00', 'kemendagri', 1, 1, 0, '[]')"
        ))  # fmt: skip
    engine.dispose()
    cat = Catalog.connect(f"sqlite:///{tmp_path / 'c.sqlite'}")
    with cat.session() as s:
        row = s.get(BatchRow, "b_lama")
        assert row is not None and (row.kind, row.state) == ("snapshot", "committed")
    cat.close()


def test_first_connections_at_once_share_one_identity(stores: Stores, tmp_path: Path) -> None:
    """Several processes opening the same fresh stores at once: migrations and pairing do
    not race (PostgreSQL: advisory locks; SQLite: its own write lock; a DuckDB file admits
    one writing process, see the StoreBusy tests, so only the catalog is raced there)."""
    if stores.backend == "postgres":
        url = _fresh_pg_database(stores.catalog_url.rsplit("/", 1)[0] + "/postgres")
        opening = f"wh, cat = open_stores({url!r}, {url!r})"
    else:
        curl = f"sqlite:///{tmp_path / 'c.sqlite'}"
        opening = f"cat = Catalog.connect({curl!r})"
    code = textwrap.dedent(f"""
        from padu.stores import Catalog, open_stores
        {opening}
        print(cat.identity(), len(cat.snapshots()))
    """)
    procs = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    outs = {p.communicate(timeout=120)[0].strip() for p in procs}
    assert [p.returncode for p in procs] == [0, 0, 0, 0]
    assert len(outs) == 1
    ident, snaps = next(iter(outs)).split()
    assert snaps == "0" and len(ident) == (36 if stores.backend == "postgres" else 4)  # "None"


def _hold(path: Path, read_only: bool) -> subprocess.Popen[str]:
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import duckdb, time
            con = duckdb.connect({str(path)!r}, read_only={read_only})
            print("held", flush=True)
            time.sleep(60)
        """)],
        stdout=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    holder.kill()
    holder.wait()
    if holder.stdout is not None:
        holder.stdout.close()


def test_a_held_duckdb_file_gives_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    Warehouse.connect(f"duckdb://{path}").close()
    holder = _hold(path, read_only=False)
    try:
        with pytest.raises(StoreBusy, match="padu serve"):
            Warehouse.connect(f"duckdb://{path}")
        with pytest.raises(StoreBusy):
            Warehouse.connect(f"duckdb://{path}", read_only=True)
    finally:
        _release(holder)


def test_readers_share_a_duckdb_file_and_a_writer_is_told_it_is_busy(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.duckdb"
    wh = Warehouse.connect(f"duckdb://{path}")
    ensure_reference_tables(wh)
    wh.close()
    readers = [_hold(path, read_only=True) for _ in range(2)]
    try:
        wh = Warehouse.connect(f"duckdb://{path}", read_only=True)  # a third reader
        with wh.scratch():  # ranking and MPI work in temp tables: fine read-only
            t = wh.temp("uji", wh.table("wilayah").limit(4))
            assert t.count().to_pyarrow().as_py() == 4
        wh.close()
        with pytest.raises(StoreBusy):
            Warehouse.connect(f"duckdb://{path}")
    finally:
        for r in readers:
            _release(r)
