"""What the server process holds: its stores, its session codec and its login throttle.

One warehouse and one catalog are opened at start-up and closed at shutdown. With DuckDB
the server is the file's single writer (a CLI import while it runs is told so by
:class:`padu.errors.StoreBusy`). Pages run in FastAPI's thread pool, and one DuckDB
connection runs one query at a time, so read-only pages do not share it: each worker
thread reads through its own cursor on the same database (:meth:`AppState.reader`), and
DuckDB runs those concurrently under its MVCC. On PostgreSQL each thread gets its own
connection. The catalog is a SQLAlchemy engine with a connection pool and is shared.
Writes (later pages) go through :attr:`AppState.warehouse`, the primary connection.

Long work runs as background jobs (:class:`padu.jobs.JobRunner`) on cursors of the same
stores; at start-up, jobs a previous server left unfinished are marked failed.
"""

from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field

import ibis

from padu.accounts import LoginThrottle
from padu.jobs import JobRunner, mark_interrupted, shared_stores
from padu.stores import Catalog, Warehouse, open_stores
from padu.web.beranda import BerandaCache
from padu.web.config import WebSettings
from padu.web.sessions import SessionCodec


@dataclass
class AppState:
    """The process-wide objects every request may use (``request.app.state.padu``)."""

    settings: WebSettings
    warehouse: Warehouse
    catalog: Catalog
    sessions: SessionCodec
    jobs: JobRunner
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    beranda: BerandaCache = field(default_factory=BerandaCache)
    _local: threading.local = field(default_factory=threading.local)
    _readers: list[Warehouse] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: WebSettings) -> AppState:
        """Open the stores named by ``settings`` (checked as one pair) and the codec."""
        warehouse, catalog = open_stores(
            settings.resolved_warehouse_url(), settings.resolved_catalog_url()
        )
        codec = SessionCodec(settings.session_secret(), settings.session_idle_minutes * 60)
        mark_interrupted(catalog, actor="sistem")
        jobs = JobRunner(
            settings.resolved_catalog_url(),
            settings.resolved_warehouse_url(),
            stores=shared_stores(warehouse, catalog),
        )
        return cls(settings, warehouse, catalog, codec, jobs)

    def reader(self) -> Warehouse:
        """This thread's read connection to the warehouse (made on first use)."""
        found: Warehouse | None = getattr(self._local, "warehouse", None)
        if found is not None:
            return found
        wh = self.warehouse
        if wh.backend == "duckdb":
            backend = ibis.duckdb.from_connection(wh.con.con.cursor())
            backend.raw_sql("SET enable_progress_bar = false")
            made = Warehouse(backend, wh.url, read_only=True)
        else:
            made = Warehouse.connect(wh.url, read_only=True)
        self._local.warehouse = made
        with self._lock:
            self._readers.append(made)
        return made

    def close(self) -> None:
        """Stop the jobs, close every reader, then the stores."""
        self.jobs.close()
        with self._lock:
            readers, self._readers = self._readers, []
        for r in readers:
            with contextlib.suppress(Exception):  # a cursor closed with its database
                r.con.disconnect()
        self.warehouse.close()
        self.catalog.close()
