"""The warehouse: large columnar data (register snapshots, findings) behind Ibis.

One class, composed from a URL: DuckDB by default (``duckdb:///path/warehouse.duckdb``),
PostgreSQL for a server (``postgresql://...``). Services receive a ``Warehouse`` and build
Ibis expressions; the few statements Ibis has no verb for (delete a batch, take a lock) are
built with sqlglot here, in one place, never from strings.

Services normally get a warehouse from :func:`padu.stores.open_stores`, which also checks
that it belongs to the catalog it is used with.

On PostgreSQL two things keep a server deployment near DuckDB's pace (issue 14): the key
columns of :data:`INDEXES` are indexed, and rows are appended with ``COPY`` rather than
Ibis's row-by-row ``INSERT``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import ibis
import pyarrow as pa
import pyarrow.csv as pacsv
import sqlglot.expressions as sge
from ibis.backends import BaseBackend

from padu.errors import InputError, StoreBusy

#: DuckDB spills to disk beyond this, so an import of a whole register stays small in memory.
DUCKDB_MEMORY_LIMIT = "512MB"

Table = Any  # ibis.expr.types.Table; kept loose because ibis ships no complete stubs

#: The columns queries filter or join the big warehouse tables on, indexed on PostgreSQL:
#: the batch (every query reads one snapshot, adoption or ledger of many), then the family
#: and person keys that rules, lists and convergence join on. The tables belong to
#: padu.register.snapshots, padu.programmes.adopt and padu.linkage.ledger; they are named
#: here so every ``ensure`` of them, old deployments included, gets the same indexes.
#: DuckDB gets none: its min-max zone maps already skip other batches' row groups, and an
#: ART index would slow every append.
INDEXES: dict[str, tuple[tuple[str, ...], ...]] = {
    "keluarga": (("snapshot_id", "nomor_kartu_keluarga"),),
    "individu": (
        ("snapshot_id", "nomor_kartu_keluarga"),
        ("snapshot_id", "nomor_induk_kependudukan"),
    ),
    "temuan": (("snapshot_id",),),
    "rencana": (("adopsi_batch", "programme"),),
    "penerima": (("ledger_batch", "row"),),
    "penerima_kandidat": (("ledger_batch", "row"),),
}
#: Rows sent to PostgreSQL per ``COPY`` chunk (bounds the CSV text held in memory).
COPY_ROWS = 50_000


def _quiet(con: BaseBackend) -> BaseBackend:
    """No progress bar: DuckDB draws one on stdout for a query over two seconds, which
    would break ``padu --json`` output (one JSON object on stdout)."""
    con.raw_sql("SET enable_progress_bar = false")
    return con


def _no_jit(con: BaseBackend) -> BaseBackend:
    """PostgreSQL's JIT off for this session: it compiles every expression of a query whose
    estimated cost is high, and the rules compile to thousands of CASE branches, so it spent
    more time compiling (over half of a deprivation query) than the query then saved."""
    con.raw_sql("SET jit = off").close()
    return con


#: DuckDB's Python client holds the GIL while it registers an in-memory (Arrow) table and
#: waits for the database, while a query scanning such a table holds the database and
#: waits for the GIL: two server threads doing both at once hang the whole server (found
#: by the 50-user load test, IBR lookups). Request paths that use in-memory tables run
#: under this lock on DuckDB (:func:`python_scans`); PostgreSQL needs none.
_PYTHON_SCANS = threading.RLock()

_P = ParamSpec("_P")
_R = TypeVar("_R")


def python_scans(
    fn: Callable[Concatenate[Warehouse, _P], _R],
) -> Callable[Concatenate[Warehouse, _P], _R]:
    """Run ``fn(wh, ...)`` under the in-memory-table lock when ``wh`` is DuckDB."""

    @functools.wraps(fn)
    def run(wh: Warehouse, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        guard = _PYTHON_SCANS if wh.backend == "duckdb" else contextlib.nullcontext()
        with guard:
            return fn(wh, *args, **kwargs)

    return run


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
            return cls(_no_jit(con), url, read_only=read_only)
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
        if self.backend == "postgres":
            # autovacuum never analyses a temporary table: without statistics the planner
            # guesses every join key unique and nests loops over the family features
            self._analyze(_temp_name(key))
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

    def ensure(
        self,
        name: str,
        schema: dict[str, str],
        indexes: Sequence[Sequence[str]] | None = None,
    ) -> None:
        """Create table ``name`` with ``schema`` unless it exists (safe with concurrent
        writers), and its ``indexes`` (by default those of :data:`INDEXES`) on PostgreSQL."""
        if not self.has(name):
            with self.lock("padu.warehouse.ddl"):
                if not self.has(name):
                    self.con.create_table(name, schema=ibis.schema(schema))
        self.ensure_indexes(name, INDEXES.get(name, ()) if indexes is None else indexes)

    def ensure_indexes(self, name: str, indexes: Sequence[Sequence[str]]) -> None:
        """Create the B-tree ``indexes`` (column lists) of table ``name`` that are missing.

        PostgreSQL only (see :data:`INDEXES`). Idempotent: the existing index names are read
        first, so a table that has them takes no lock, and a deployment made before an index
        was added gets it at its next write.
        """
        if self.backend != "postgres" or not indexes:
            return
        wanted = {index_name(name, cols): cols for cols in indexes}
        have = self._index_names(name)
        missing = {ix: cols for ix, cols in wanted.items() if ix not in have}
        if not missing:
            return
        with self.lock("padu.warehouse.ddl"):
            for ix, cols in missing.items():
                stmt = sge.Create(
                    kind="INDEX",
                    exists=True,
                    this=sge.Index(
                        this=sge.to_identifier(ix, quoted=True),
                        table=sge.to_table(name, quoted=True),
                        params=sge.IndexParameters(
                            columns=[sge.Ordered(this=sge.column(c, quoted=True)) for c in cols]
                        ),
                    ),
                )
                self.con.raw_sql(stmt.sql("postgres")).close()

    def _index_names(self, name: str) -> set[str]:
        query = (
            sge.select("indexname")
            .from_("pg_indexes")
            .where(
                sge.column("tablename").eq(sge.Literal.string(name)),
                sge.column("schemaname").eq(sge.func("current_schema")),
            )
        )
        cur = self.con.raw_sql(query.sql("postgres"))
        try:
            return {str(r[0]) for r in cur.fetchall()}
        finally:
            cur.close()

    def append(self, name: str, data: pa.Table) -> None:
        """Append rows to an existing table, columns matched by name."""
        target = self.table(name).schema()
        data = data.select(list(target.names)).cast(target.to_pyarrow())
        if not data.num_rows:
            return
        if self.backend == "duckdb":
            # ibis keeps every inserted memtable registered; register, insert, unregister
            raw = self.con.con
            with _PYTHON_SCANS:  # an in-memory table, beside server threads (see the lock)
                raw.register("_padu_append", data)
                try:
                    stmt = sge.insert(sge.select("*").from_("_padu_append"), sge.to_table(name))
                    raw.execute(stmt.sql("duckdb"))
                finally:
                    raw.unregister("_padu_append")
        elif self.backend == "postgres":
            self._copy(name, data)
        else:  # pragma: no cover - the two conformance backends are handled above
            self.con.insert(name, data)

    def _copy(self, name: str, data: pa.Table) -> None:
        """Append to a PostgreSQL table with ``COPY ... FROM STDIN`` in CSV, in one transaction.

        Ibis inserts row by row from Python dicts (an import of a register spent most of its
        time there); Arrow writes the CSV text in C and PostgreSQL parses it in bulk. The
        CSV keeps what matters: a NULL is an empty field, an empty string a quoted ``""``
        (Arrow quotes every string), floats are written in their shortest exact form.
        """
        target = sge.Schema(
            this=sge.to_table(name, quoted=True),
            expressions=[sge.to_identifier(c, quoted=True) for c in data.column_names],
        )
        stmt = sge.Copy(
            this=target,
            kind=True,  # FROM
            files=[sge.to_identifier("STDIN")],
            params=[sge.CopyParameter(this=sge.Var(this="FORMAT"), expression=sge.Var(this="csv"))],
        )
        raw = self.con.con
        options = pacsv.WriteOptions(include_header=False)
        with raw.transaction(), raw.cursor() as cur, cur.copy(stmt.sql("postgres")) as copy:
            for batch in data.to_batches(max_chunksize=COPY_ROWS):
                buf = io.BytesIO()
                pacsv.write_csv(batch, buf, options)
                copy.write(buf.getvalue())

    def fetch(self, expr: Table) -> pa.Table:
        """Every row of ``expr`` as an Arrow table (its order kept).

        DuckDB hands Arrow over directly. On PostgreSQL Ibis fetches rows as Python tuples
        and builds Arrow from them in Python (16 s of a million-person list); here the rows
        come by ``COPY (query) TO STDOUT`` in CSV, parsed by Arrow in C: the mirror of
        :meth:`append`. A column type CSV could not carry exactly (time zones, decimals,
        binary, nested) falls back to Ibis's own fetch.
        """
        schema = expr.schema().to_pyarrow()
        if self.backend != "postgres" or not all(_copyable(f.type) for f in schema):
            return expr.to_pyarrow()
        self.con._run_pre_execute_hooks(expr)  # memtables the query names
        query = self.con.compiler.to_sqlglot(expr)
        stmt = sge.Copy(
            this=sge.Subquery(this=query),
            kind=False,  # TO
            files=[sge.to_identifier("STDOUT")],
            params=[sge.CopyParameter(this=sge.Var(this="FORMAT"), expression=sge.Var(this="csv"))],
        )
        buf = io.BytesIO()
        raw = self.con.con
        with raw.transaction(), raw.cursor() as cur:
            # the text forms Arrow parses: ISO dates, shortest exact floats
            cur.execute("SET LOCAL datestyle = 'ISO, YMD'")
            cur.execute("SET LOCAL extra_float_digits = 1")
            with cur.copy(stmt.sql("postgres")) as copy:
                for chunk in copy:
                    buf.write(chunk)
        if not buf.tell():
            return schema.empty_table()
        buf.seek(0)
        return pacsv.read_csv(
            buf,
            read_options=pacsv.ReadOptions(column_names=schema.names),
            # a field may hold a line break inside its quotes
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=schema,
                # NULL is an empty field, an empty string a quoted "" (COPY's CSV rules)
                null_values=[""],
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
                true_values=["t"],
                false_values=["f"],
            ),
        ).cast(schema)

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
                self._analyze(name)

    def _analyze(self, name: str) -> None:
        stmt = sge.Analyze(this=sge.to_table(name, quoted=True))
        self.con.raw_sql(stmt.sql("postgres")).close()

    def delete_batch(self, name: str, column: str, batch: str) -> None:
        """Delete the rows of one batch (``column`` equal to ``batch``) from ``name``."""
        cond = sge.column(column).eq(sge.Literal.string(batch))
        stmt = sge.delete(sge.to_table(name), where=cond)
        self.con.raw_sql(stmt.sql(self.dialect))


def _copyable(kind: pa.DataType) -> bool:
    """Whether a column of this Arrow type survives PostgreSQL's CSV text unchanged."""
    return bool(
        pa.types.is_string(kind)
        or pa.types.is_large_string(kind)
        or pa.types.is_boolean(kind)
        or pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_date(kind)
        or (pa.types.is_timestamp(kind) and kind.tz is None)
    )


def _temp_name(key: str) -> str:
    return "_padu_" + "".join(ch if ch.isalnum() else "_" for ch in key).lower()


def index_name(table: str, columns: Sequence[str]) -> str:
    """The name Padu gives the index of ``table`` on ``columns`` (within PostgreSQL's 63)."""
    name = f"{table}_{'_'.join(columns)}_idx"
    if len(name) <= 63:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[:48]}_{digest}_idx"


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a named PostgreSQL advisory lock."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
