"""DuckDB's single writer (issue 14 item 4): while the server holds the warehouse, read-only
CLI commands read its published copy, writing ones are told to use the server or PostgreSQL.

This test process plays the server: it holds the DuckDB file read-write (as ``padu serve``
does) and publishes copies with :class:`padu.web.replica.ReplicaPublisher`; the CLI runs as
real subprocesses, since the lock is between processes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from padu.register import import_register
from padu.stores import open_stores, replica
from padu.stores.catalog import Catalog
from padu.stores.identity import _fresh_for
from padu.stores.warehouse import Warehouse
from padu.web.replica import ReplicaPublisher
from tests.conftest import SNAPSHOT_DATE, Stores, import_args

PADU = Path(sys.executable).with_name("padu")


def _padu(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(PADU), "--home", str(home), *args],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PADU_USER": "penguji", **(env or {})},
    )  # fmt: skip


@pytest.fixture
def served(stores: Stores, snapshot: int) -> ReplicaPublisher:
    """The stores held read-write by this process, with a first copy published."""
    if stores.backend != "duckdb":
        pytest.skip("only DuckDB has a single writer")
    publisher = ReplicaPublisher(stores.warehouse, stores.catalog, url="http://127.0.0.1:8000/")
    publisher.start()
    assert publisher.wait(120)
    assert publisher.last is not None and publisher.failures == 0
    return publisher


def test_read_only_command_reads_the_servers_copy(stores: Stores, served: ReplicaPublisher) -> None:
    done = _padu(stores.home, "--json", "mpi", "--snapshot", "latest", "--by", "kabupaten")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert rows  # the figures of the imported snapshot, read from the copy
    notes = [line for line in done.stderr.splitlines() if line.startswith("Catatan:")]
    assert len(notes) == 1, done.stderr
    assert "membaca salinan server per" in notes[0] and "WITA" in notes[0]
    assert f"PID {os.getpid()}" in notes[0]


def test_writing_command_is_refused_with_the_way_out(
    stores: Stores, served: ReplicaPublisher, small_files: Path
) -> None:
    done = _padu(stores.home, *import_args(stores.home, small_files)[2:])
    assert done.returncode != 0
    message = " ".join(done.stderr.split())
    assert "satu-satunya penulis" in message
    assert "aplikasi web (http://127.0.0.1:8000/)" in message
    assert "PostgreSQL" in message
    assert "Traceback" not in done.stderr


def test_a_copy_is_never_seen_half_written(stores: Stores, served: ReplicaPublisher) -> None:
    """Readers open only the name the record points at, and the record moves only after the
    copy is complete under that name; temporary names are hidden and never listed."""
    path = Path(stores.warehouse_url.removeprefix("duckdb://"))
    first = served.last
    assert first is not None and first.file is not None
    for _ in range(3):
        served.request()
        assert served.wait(120)
    record = replica.read_record(path)
    assert record is not None and record.generation == first.generation + 3
    # publishing never drops the server's lock (POSIX drops it when the holder closes any
    # descriptor of the file: the bytes are read by a child process)
    probe = subprocess.run(
        [sys.executable, "-c", f"import duckdb; duckdb.connect({str(path)!r}, read_only=True)"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert probe.returncode != 0 and "lock" in probe.stderr.lower()
    names = sorted(p.name for p in replica.folder(path).iterdir())
    assert not [n for n in names if n.startswith(".")]  # no temporary file left
    # the current copy and one before it; older ones pruned
    assert [n for n in names if n.endswith(".duckdb")] == sorted(
        [f"warehouse-{record.generation - 1}.duckdb", f"warehouse-{record.generation}.duckdb"]
    )
    wh = Warehouse.connect(f"duckdb://{replica.folder(path) / record.file!s}", read_only=True)
    try:
        assert wh.table("keluarga").count().to_pyarrow().as_py() == (
            stores.warehouse.table("keluarga").count().to_pyarrow().as_py()
        )
    finally:
        wh.close()


def test_a_publish_killed_midway_leaves_the_last_copy_current(
    stores: Stores, served: ReplicaPublisher
) -> None:
    """A copy cut short leaves only a hidden temporary file (removed at the next start),
    and the record still names the last complete copy."""
    path = Path(stores.warehouse_url.removeprefix("duckdb://"))
    before = replica.read_record(path)
    assert before is not None
    half = replica.folder(path) / f".warehouse-{before.generation + 1}.duckdb.dead.tmp"
    half.write_bytes(b"DUCK" * 100)  # what a killed COPY leaves: not a usable database
    assert replica.read_record(path) == before
    reader = _padu(stores.home, "--json", "register", "list")
    assert reader.returncode == 0, reader.stderr
    assert f"generasi {before.generation})" in reader.stderr
    replica.announce(path)  # a restarted server clears what the dead publish left
    assert not half.exists()


def test_a_copy_older_than_the_catalog_is_waited_for(
    stores: Stores, served: ReplicaPublisher, small_files: Path
) -> None:
    """A batch the catalog shows but the copy lacks (a job just finished) makes a reader
    wait for the next copy rather than read a snapshot with no rows."""
    path = Path(stores.warehouse_url.removeprefix("duckdb://"))
    import_register(
        [small_files / "keluarga.parquet", small_files / "individu.parquet"],
        stores.warehouse, stores.catalog, snapshot_date=SNAPSHOT_DATE,
        rejects_dir=stores.home / "rejects", actor="penguji",
    )  # fmt: skip
    stale = replica.read_record(path)
    assert stale is not None
    catalog = Catalog.connect(stores.catalog_url)
    try:
        fresh = _fresh_for(catalog)
        assert not fresh(stale)
        with pytest.raises(Exception, match="belum memuat data terbaru"):
            replica.open_published(path, stale, fresh, wait=0.3)
        served.request()
        wh, record = replica.open_published(path, stale, fresh, wait=120)
        wh.close()
        assert record.generation > stale.generation and fresh(record)
    finally:
        catalog.close()


def test_without_a_server_the_warehouse_itself_is_read(stores: Stores, snapshot: int) -> None:
    """A record left by a server that is gone is ignored: the lock is free, so the CLI
    opens the warehouse itself and says nothing about copies."""
    if stores.backend != "duckdb":
        pytest.skip("only DuckDB has a single writer")
    path = Path(stores.warehouse_url.removeprefix("duckdb://"))
    publisher = ReplicaPublisher(stores.warehouse, stores.catalog)
    publisher.start()
    assert publisher.wait(120)
    publisher.close()
    assert not replica.record_path(path).exists()
    stores.warehouse.close()
    stores.catalog.close()
    done = _padu(stores.home, "--json", "register", "list")
    assert done.returncode == 0, done.stderr
    assert "Catatan" not in done.stderr
    wh, cat = open_stores(stores.warehouse_url, stores.catalog_url)  # for the fixture's close
    stores.warehouse, stores.catalog = wh, cat


def test_copies_are_private_whatever_the_umask(stores: Stores, snapshot: int) -> None:
    """The copies hold the whole register: ``baca/`` is 0700 (also when it was left open)
    and every file in it 0600, even under a umask that would give them to everyone."""
    if stores.backend != "duckdb":
        pytest.skip("only DuckDB has read-only copies")
    path = replica.duckdb_path(stores.warehouse.url)
    assert path is not None
    replica.folder(path).mkdir(exist_ok=True)
    os.chmod(replica.folder(path), 0o755)  # noqa: S103 - as an older server left it
    old = os.umask(0)
    try:
        publisher = ReplicaPublisher(stores.warehouse, stores.catalog)
        publisher.start()
        assert publisher.wait(120) and publisher.failures == 0
        publisher.request()  # a second generation, after a write job
        assert publisher.wait(120) and publisher.failures == 0
    finally:
        os.umask(old)
    try:
        assert replica.folder(path).stat().st_mode & 0o777 == 0o700
        files = list(replica.folder(path).iterdir())
        assert {f.suffix for f in files} == {".duckdb", ".json"}
        for f in files:
            assert f.stat().st_mode & 0o777 == 0o600, f.name
    finally:
        publisher.close()
