"""The warehouse: large columnar data (register snapshots, findings) behind Ibis.

One class, composed from a URL: DuckDB by default (``duckdb:///path/warehouse.duckdb``),
PostgreSQL for a server (``postgresql://...``). Services receive a ``Warehouse`` and build
Ibis expressions; the few statements Ibis has no verb for (delete a batch, take a lock) are
built with sqlglot here, in one place, never from strings.

Services normally get a warehouse from :func:`padu.stores.open_stores`, which also checks
that it belongs to the catalog it is used with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import sqlglot.expressions as sge
from ibis.backends import BaseBackend

from padu.errors import InputError, StoreBusy

#: DuckDB spills to disk beyond this, so an import of a whole register stays small in memory.
DUCKDB_MEMORY_LIMIT = "512MB"

Table = Any  # ibis.expr.types.Table; kept loose because ibis ships no complete stubs


def _quiet(con: BaseBackend) -> BaseBackend:
    """No progress bar: DuckDB draws one on stdout for a query over two seconds, which
    would break ``padu --json`` output (one JSON object on stdout)."""
    con.raw_sql("SET enable_progress_bar = false")
    return con


class Warehouse:
    """An Ibis connection plus the verbs Padu needs on top of it."""

    def __init__(self, con: BaseBackend, url: str, *, read_only: bool = False) -> None:
        self.con = con
        self.url = url
        self.read_only = read_only
        self._temp: dict[str, Table] = {}
        self._scopes: list[set[str]] = []

    @classmethod
    def connect(cls, url: str, *, read_only: bool = False) -> Warehouse:
        """Open the warehouse named by ``url`` (``duckdb://PATH``, ``duckdb://`` or ``postgresql://``).

        ``read_only`` opens a DuckDB file read-only, so several reading processes can share
        it (temporary tables still work); it changes nothing on PostgreSQL, where readers and
        writers never block each other. A DuckDB file that does not exist yet is created
        read-write first, since there is nothing to share.
        """
        if url.startswith("duckdb://"):
            path = url.removeprefix("duckdb://")
            if path in ("", ":memory:"):
                return cls(_quiet(ibis.duckdb.connect()), url)
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            read_only = read_only and Path(path).exists()
            try:
                con = ibis.duckdb.connect(
                    path, memory_limit=DUCKDB_MEMORY_LIMIT, read_only=read_only
                )
            except Exception as exc:  # duckdb.IOException has no stable import path
                if "lock" in str(exc).lower():
                    raise StoreBusy(
                        f"warehouse {path} sedang dipakai proses lain (misalnya `padu serve`). "
                        "Hentikan proses itu atau jalankan perintah lewat server yang sedang "
                        "berjalan, lalu coba lagi."
                    ) from exc
                raise
            return cls(_quiet(con), url, read_only=read_only)
        if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            con = ibis.connect(url.replace("postgresql+psycopg://", "postgresql://"))
            return cls(con, url, read_only=read_only)
        raise InputError(
            f"URL warehouse tidak didukung: {url!r} (pakai duckdb:// atau postgresql://)"
        )

    @property
    def backend(self) -> str:
        return str(self.con.name)

    @property
    def dialect(self) -> str:
        return "postgres" if self.backend == "postgres" else self.backend

    def close(self) -> None:
        for key in list(self._temp):
            self.drop_temp(key)
        disconnect = getattr(self.con, "disconnect", None)
        if disconnect is not None:
            disconnect()

    def has(self, name: str) -> bool:
        return name in self.con.list_tables()

    def table(self, name: str) -> Table:
        return self.con.table(name)

    def temp(self, key: str, expr: Table, *, reuse: bool = True) -> Table:
        """``expr`` materialised as a temporary table of this connection.

        With ``reuse``, a table already made under ``key`` is returned as it is (for derived
        data that depends only on an immutable snapshot); otherwise it is replaced. Inside
        :meth:`scratch` the table is dropped when the scratch block ends; outside it lives as
        long as the connection (or until :meth:`drop_temp`).
        """
        if reuse and key in self._temp:
            return self._temp[key]
        table = self.con.create_table(_temp_name(key), expr, temp=True, overwrite=True)
        self._temp[key] = table
        if self._scopes:
            self._scopes[-1].add(key)
        return table

    def kept_temp(self, key: str) -> Table | None:
        """The temporary table made under ``key``, if this connection still has it (so a
        caller can skip building an expensive expression it would not need)."""
        return self._temp.get(key)

    def drop_temp(self, key: str) -> None:
        """Drop the temporary table made under ``key`` (nothing if there is none)."""
        if self._temp.pop(key, None) is not None:
            self.con.drop_table(_temp_name(key), force=True)

    @contextmanager
    def scratch(self) -> Iterator[Warehouse]:
        """A block whose temporary tables are dropped when it ends, however it ends.

        A long-running server calls the ranking services thousands of times on one
        connection; each call wraps its work in ``scratch()`` so no table outlives it.
        """
        self._scopes.append(set())
        try:
            yield self
        finally:
            for key in self._scopes.pop():
                self.drop_temp(key)

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold an exclusive lock named ``name`` across processes (PostgreSQL advisory lock).

        DuckDB needs none: a DuckDB file takes one writing process at a time.
        """
        if self.backend != "postgres":
            yield
            return
        key = sge.Literal.number(lock_key(name))
        self.con.raw_sql(sge.select(sge.func("pg_advisory_lock", key)).sql("postgres")).close()
        try:
            yield
        finally:
            stmt = sge.select(sge.func("pg_advisory_unlock", key))
            self.con.raw_sql(stmt.sql("postgres")).close()

    def ensure(self, name: str, schema: dict[str, str]) -> None:
        """Create table ``name`` with ``schema`` unless it exists (safe with concurrent writers)."""
        if self.has(name):
            return
        with self.lock("padu.warehouse.ddl"):
            if not self.has(name):
                self.con.create_table(name, schema=ibis.schema(schema))

    def append(self, name: str, data: pa.Table) -> None:
        """Append rows to an existing table, columns matched by name."""
        target = self.table(name).schema()
        data = data.select(list(target.names)).cast(target.to_pyarrow())
        if not data.num_rows:
            return
        if self.backend == "duckdb":
            # ibis keeps every inserted memtable registered; register, insert, unregister
            raw = self.con.con
            raw.register("_padu_append", data)
            try:
                stmt = sge.insert(sge.select("*").from_("_padu_append"), sge.to_table(name))
                raw.execute(stmt.sql("duckdb"))
            finally:
                raw.unregister("_padu_append")
        else:
            self.con.insert(name, data)

    def replace(self, name: str, data: pa.Table) -> None:
        """Create or overwrite a small reference table (regions, code lists)."""
        with self.lock("padu.warehouse.ddl"):
            self.con.create_table(name, data, overwrite=True)

    def refresh_statistics(self, names: Iterable[str]) -> None:
        """Bring the planner's statistics up to date after a bulk write.

        PostgreSQL plans from statistics that autovacuum refreshes only later; right after
        an import they are stale, and the member aggregation of a rule is then planned as a
        nested loop (about 40 times slower). DuckDB keeps its statistics as it writes.
        """
        if self.backend != "postgres":
            return
        for name in names:
            if self.has(name):
                stmt = sge.Analyze(this=sge.to_table(name))
                self.con.raw_sql(stmt.sql("postgres")).close()

    def delete_batch(self, name: str, column: str, batch: str) -> None:
        """Delete the rows of one batch (``column`` equal to ``batch``) from ``name``."""
        cond = sge.column(column).eq(sge.Literal.string(batch))
        stmt = sge.delete(sge.to_table(name), where=cond)
        self.con.raw_sql(stmt.sql(self.dialect))


def _temp_name(key: str) -> str:
    return "_padu_" + "".join(ch if ch.isalnum() else "_" for ch in key).lower()


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a named PostgreSQL advisory lock."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
