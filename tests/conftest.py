"""Test fixtures: a throwaway PostgreSQL server, per-test stores on each backend, small registers.

The PostgreSQL server is started once per session from /usr/lib/postgresql/15/bin on
127.0.0.1 (as the ``postgres`` user when running as root, since initdb refuses root), in a
temporary folder, and stopped at the end. Set ``PADU_TEST_PG_URL`` to use a running server.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from padu.stores import Catalog, Warehouse, open_stores
from padu.synth import SyntheticRegister, generate_register, write_register

pytest_plugins = ["tests.web_support"]

PG_BIN = Path(os.environ.get("PADU_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """URL of an admin connection to a throwaway PostgreSQL 15 server."""
    given = os.environ.get("PADU_TEST_PG_URL")
    if given:
        yield given
        return
    if not (PG_BIN / "initdb").exists():
        pytest.fail(
            f"PostgreSQL binaries not found in {PG_BIN}; run `make test` (it installs them)"
        )
    root = Path(tempfile.mkdtemp(prefix="padu-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        for p in (root, sock):
            os.chown(p, pw.pw_uid, pw.pw_gid)
    port = _free_port()
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        check=True,
        capture_output=True,
    )
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run(
        _as_postgres(
            [
                str(PG_BIN / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                opts,
                "-l",
                str(root / "log"),
                "-w",
                "start",
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def _fresh_pg_database(admin_url: str) -> str:
    import psycopg

    name = f"padu_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


@dataclass
class Stores:
    """A warehouse and a catalog on one backend, plus the folder for rejects."""

    backend: str
    warehouse: Warehouse
    catalog: Catalog
    home: Path
    warehouse_url: str
    catalog_url: str


@pytest.fixture(params=["duckdb", pytest.param("postgres", marks=pytest.mark.postgres)])
def stores(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Stores]:
    """Fresh, empty stores on DuckDB+SQLite or on PostgreSQL (the conformance backends)."""
    if request.param == "duckdb":
        wurl, curl = (
            f"duckdb://{tmp_path / 'warehouse.duckdb'}",
            f"sqlite:///{tmp_path / 'catalog.sqlite'}",
        )
    else:
        url = _fresh_pg_database(request.getfixturevalue("pg_url"))
        wurl = curl = url
    wh, cat = open_stores(wurl, curl)
    try:
        yield Stores(request.param, wh, cat, tmp_path, wurl, curl)
    finally:
        wh.close()
        cat.close()


@pytest.fixture(scope="session")
def small_register() -> SyntheticRegister:
    """A small synthetic register (about 2,300 people), generated once."""
    return generate_register(scale=0.003, seed=7)


@pytest.fixture(scope="session")
def small_files(
    small_register: SyntheticRegister, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The small register written as CSV, Parquet and XLSX."""
    out = tmp_path_factory.mktemp("synth")
    write_register(small_register, out, xlsx=True)
    return out


SNAPSHOT_DATE = dt.date(2026, 1, 23)


@pytest.fixture
def snapshot(stores: Stores, small_files: Path) -> int:
    """The small synthetic register imported into fresh stores; its snapshot id."""
    from padu.register import import_register

    return import_register(
        [small_files / "keluarga.parquet", small_files / "individu.parquet"],
        stores.warehouse,
        stores.catalog,
        snapshot_date=SNAPSHOT_DATE,
        rejects_dir=stores.home / "rejects",
        actor="penguji",
    ).snapshot


def import_args(
    home: Path, folder: Path, fmt: str = "csv", *, date: str = "2026-01-23"
) -> list[str]:
    """CLI arguments importing ``folder``'s family and member files into ``home``."""
    files = [str(folder / f"keluarga.{fmt}"), str(folder / f"individu.{fmt}")]
    return ["--home", str(home), "register", "import", *files, "--snapshot-date", date]


def import_files(stores: Stores, *files: Path):  # type: ignore[no-untyped-def]
    """Import ``files`` into ``stores`` as the test officer; the ImportResult."""
    from padu.register import import_register

    return import_register(
        list(files),
        stores.warehouse,
        stores.catalog,
        snapshot_date=SNAPSHOT_DATE,
        rejects_dir=stores.home / "rejects",
        actor="penguji",
    )


def write_csv_register(
    folder: Path, keluarga: list[dict[str, object]], individu: list[dict[str, object]]
) -> list[Path]:
    """Hand-built family and member rows as the two CSV files of an extract (blank = None)."""
    import csv

    from padu.schema import register_schema

    schema = register_schema()
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for level, rows in (("keluarga", keluarga), ("individu", individu)):
        path = folder / f"{level}.csv"
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=list(schema.names(level)))  # type: ignore[arg-type]
            writer.writeheader()
            writer.writerows(rows)
        paths.append(path)
    return paths


#: One real desa of Bulungan, in the family fields of a hand-built register row.
HAND_DESA = {
    "kode_kelurahan_desa": "6501011001",
    "kelurahan_desa": "Tanjung Palas Hulu",
    "kode_kecamatan": "650101",
    "kecamatan": "Tanjung Palas",
    "kode_kabupaten_kota": "6501",
    "kabupaten_kota": "Kabupaten Bulungan",
    "kode_provinsi": "65",
    "provinsi": "Kalimantan Utara",
}


def table_rows(text: str) -> dict[str, list[str]]:
    """The rows of the rich tables a command printed, by their first cell."""
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("\u2502"):
            cells = [c.strip() for c in line.strip("\u2502").split("\u2502")]
            out.setdefault(cells[0], cells)
    return out


def engine_tables(
    stores: Stores, families: list[dict[str, Any]], members: list[dict[str, Any]]
) -> list[Any]:
    """Family and member rows as temporary tables of the warehouse engine, every column."""
    import ibis
    import pyarrow as pa

    from padu.register.snapshots import level_schema

    out = []
    for level, rows in (("keluarga", families), ("individu", members)):
        schema = ibis.schema(level_schema(level)).to_pyarrow()
        data = pa.Table.from_pylist([{c: r.get(c) for c in schema.names} for r in rows], schema)
        name = f"uji_{level}_{uuid.uuid4().hex[:8]}"
        out.append(stores.warehouse.con.create_table(name, data, temp=True))
    return out


def wait_paused(proc: subprocess.Popen[str], stage: str) -> None:
    """Read ``proc``'s stderr until it reports a pause at ``stage`` (PADU_TEST_PAUSE_AT)."""
    assert proc.stderr is not None
    seen = ""
    while f"PADU_PAUSED {stage}" not in seen:
        line = proc.stderr.readline()
        assert line, f"never reached {stage}: {seen}"
        seen += line
