"""Several ``padu`` processes on one store at once, as a server and its users will run them.

PostgreSQL: two imports (and two links) at once both succeed and neither touches the other's
rows, including the case the old cleanup got wrong: a second writer sweeping while the
first one's batch is still pending. DuckDB: one writer per file, a second one is told
plainly (StoreBusy); readers share the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from padu.stores import open_stores
from tests.conftest import _fresh_pg_database, import_args, wait_paused

PADU = Path(sys.executable).with_name("padu")
pytestmark = pytest.mark.slow


def _env(url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PADU_")}
    if url:
        env |= {"PADU_WAREHOUSE_URL": url, "PADU_CATALOG_URL": url}
    return {**env, "PADU_USER": "penguji", **extra}


def _start(argv: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(PADU), "--json", *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env=env,
    )  # fmt: skip


def _finish(proc: subprocess.Popen[str]) -> tuple[int, dict[str, object]]:
    out, err = proc.communicate(timeout=600)
    assert "Traceback" not in err, err
    lines = out.strip().splitlines()
    return proc.returncode, json.loads(lines[-1]) if lines else {}


def _check_batches(url: str, kind: str) -> list[tuple[str, int]]:
    """Every committed batch's warehouse rows equal its counts; no pending batch, no stray rows."""
    wh, cat = open_stores(url, url, read_only=True)
    try:
        assert cat.pending_batches(kind) == []
        if kind == "snapshot":
            t = wh.table("keluarga")
            expected = {s.batch: s.keluarga for s in cat.snapshots()}
            column = "snapshot_id"
        else:
            t = wh.table("penerima")
            expected = {r.batch: json.loads(r.counts)["rows"] for r in cat.ledgers()}
            column = "ledger_batch"
        rows = t.group_by(column).aggregate(n=t.count()).to_pyarrow().to_pylist()
        assert {r[column]: r["n"] for r in rows} == expected
        return sorted(expected.items())
    finally:
        wh.close()
        cat.close()


@pytest.mark.postgres
def test_two_imports_at_once_on_postgres(pg_url: str, small_files: Path, tmp_path: Path) -> None:
    """The first import waits with its batch pending while the second one sweeps, writes and
    commits (the old cleanup deleted the first one's rows here); then the first commits."""
    url, release = _fresh_pg_database(pg_url), tmp_path / "weiter"
    first = _start(
        import_args(tmp_path / "a", small_files, date="2025-07-01"),
        _env(url, PADU_TEST_PAUSE_AT="warehouse.append", PADU_TEST_RELEASE=str(release)),
    )
    wait_paused(first, "warehouse.append")
    code_b, data_b = _finish(_start(import_args(tmp_path / "b", small_files, "parquet"), _env(url)))
    release.touch()
    code_a, data_a = _finish(first)
    assert (code_a, code_b) == (0, 0), (data_a, data_b)
    assert (data_a["snapshot"], data_b["snapshot"]) == (2, 1)  # committed in that order
    batches = _check_batches(url, "snapshot")
    assert len(batches) == 2 and batches[0][1] == batches[1][1] > 0


@pytest.mark.postgres
def test_two_links_at_once_on_postgres(pg_url: str, small_files: Path, tmp_path: Path) -> None:
    url = _fresh_pg_database(pg_url)
    env = _env(url)
    home = tmp_path / "home"
    for argv in (
        import_args(home, small_files, "parquet"),
        ["--home", str(home), "programme", "import", "preset:kaltara-2026"],
        ["--home", str(home), "synth", "list", "--from", "1", "--size", "80",
         "--out", str(tmp_path / "daftar.csv")],
    ):  # fmt: skip
        code, data = _finish(_start(argv, env))
        assert code == 0, data
    link = ["--home", str(home), "link", str(tmp_path / "daftar.csv"), "--year", "2026"]
    release = tmp_path / "weiter"
    first = _start(
        [*link, "--programme", "PKH"],
        _env(url, PADU_TEST_PAUSE_AT="warehouse.append", PADU_TEST_RELEASE=str(release)),
    )
    wait_paused(first, "warehouse.append")
    code_b, data_b = _finish(_start([*link, "--programme", "PKH"], env))
    release.touch()
    code_a, data_a = _finish(first)
    assert (code_a, code_b) == (0, 0), (data_a, data_b)
    assert (data_a["ledger"], data_b["ledger"]) == (2, 1)
    batches = _check_batches(url, "ledger")
    assert [n for _, n in batches] == [80, 80]


def test_a_second_duckdb_writer_is_told_the_store_is_busy(
    small_files: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    code, data = _finish(_start(import_args(home, small_files, "parquet"), _env()))
    assert code == 0, data
    holder = _start(
        import_args(home, small_files, "parquet", date="2026-03-01"),
        _env(PADU_TEST_PAUSE_AT="import.write"),
    )
    try:
        wait_paused(holder, "import.write")
        code, err = _finish(_start(import_args(home, small_files, date="2026-04-01"), _env()))
        assert code == 1 and err["error"] == "StoreBusy", err
        assert "sedang dipakai proses lain" in str(err["message"])
        code, err = _finish(_start(["--home", str(home), "register", "list"], _env()))
        assert code == 1 and err["error"] == "StoreBusy"  # DuckDB: no reader beside a writer
    finally:
        holder.kill()
        holder.communicate()


def test_readers_share_a_duckdb_home(small_files: Path, tmp_path: Path) -> None:
    """Read-only commands run side by side while another reader holds the file."""
    home = tmp_path / "home"
    code, data = _finish(_start(import_args(home, small_files, "parquet"), _env()))
    assert code == 0, data
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from padu.stores import open_stores
            wh, cat = open_stores({f"duckdb://{home / 'warehouse.duckdb'}"!r},
                                  {f"sqlite:///{home / 'catalog.sqlite'}"!r}, read_only=True)
            print("held", flush=True)
            time.sleep(120)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        readers = [
            _start(["--home", str(home), *argv], _env())
            for argv in (
                ["register", "list"],
                ["register", "desil", "1"],
                ["mpi", "--snapshot", "1"],
            )
        ]
        results = [_finish(r) for r in readers]
        assert [code for code, _ in results] == [0, 0, 0], results
        assert results[0][1]["snapshots"]
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
