"""The warehouse: large columnar data (register snapshots, findings) behind Ibis.

One class, composed from a URL: DuckDB by default (``duckdb:///path/warehouse.duckdb``),
PostgreSQL for a server (``postgresql://...``). Services receive a ``Warehouse`` and build
Ibis expressions; the few statements Ibis has no verb for (delete a batch) are built with
sqlglot here, in one place, never from strings.
"""

from __future__ import annotations

from collections.abc import Iterable
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


class Warehouse:
    """An Ibis connection plus the verbs Padu needs on top of it."""

    def __init__(self, con: BaseBackend, url: str) -> None:
        self.con = con
        self.url = url
        self._temp: dict[str, Table] = {}

    @classmethod
    def connect(cls, url: str) -> Warehouse:
        """Open the warehouse named by ``url`` (``duckdb://PATH``, ``duckdb://`` or ``postgresql://``)."""
        if url.startswith("duckdb://"):
            path = url.removeprefix("duckdb://")
            if path in ("", ":memory:"):
                return cls(ibis.duckdb.connect(), url)
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            try:
                con = ibis.duckdb.connect(path, memory_limit=DUCKDB_MEMORY_LIMIT)
            except Exception as exc:  # duckdb.IOException has no stable import path
                if "lock" in str(exc).lower():
                    raise StoreBusy(
                        f"warehouse {path} sedang dipakai proses lain (misalnya `padu serve`). "
                        "Hentikan proses itu atau jalankan perintah lewat server yang sedang "
                        "berjalan, lalu coba lagi."
                    ) from exc
                raise
            return cls(con, url)
        if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            return cls(ibis.connect(url.replace("postgresql+psycopg://", "postgresql://")), url)
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
        data that depends only on an immutable snapshot); otherwise it is replaced.
        """
        if reuse and key in self._temp:
            return self._temp[key]
        name = "_padu_" + "".join(ch if ch.isalnum() else "_" for ch in key).lower()
        table = self.con.create_table(name, expr, temp=True, overwrite=True)
        self._temp[key] = table
        return table

    def ensure(self, name: str, schema: dict[str, str]) -> None:
        """Create table ``name`` with ``schema`` unless it exists."""
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
        self.con.create_table(name, data, overwrite=True)

    def delete_where_in(
        self, name: str, column: str, values: Iterable[str], negate: bool = False
    ) -> None:
        """Delete rows whose ``column`` is (or, with ``negate``, is not) in ``values``."""
        vals = list(values)
        cond: sge.Expression
        if vals:
            cond = sge.column(column).isin(*[sge.Literal.string(v) for v in vals])
            if negate:
                cond = sge.not_(cond)
        elif negate:
            cond = sge.true()
        else:
            return
        stmt = sge.delete(sge.to_table(name), where=cond)
        self.con.raw_sql(stmt.sql(self.dialect))
