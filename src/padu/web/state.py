"""What the server process holds: its stores, its session codec and its login throttle.

One warehouse and one catalog are opened at start-up and closed at shutdown. With DuckDB
the server is the file's single writer (a CLI import while it runs is told so by
:class:`padu.errors.StoreBusy`). Pages run in FastAPI's thread pool, and one DuckDB
connection runs one query at a time, so read-only pages do not share it: each worker
thread reads through its own cursor on the same database (:meth:`AppState.reader`), and
DuckDB runs those concurrently under its MVCC. On PostgreSQL each thread gets its own
connection. Readers are pooled: a reader belongs to a live thread, and when that thread
ends (the thread pool retires idle workers) its reader goes back to the pool for the next
new thread, so the number of open readers is bounded by the threads alive at once (the
request thread pool, 40 by default, plus the job workers), never by how many threads ever
existed; beyond :data:`IDLE_READERS` spare ones are closed. The catalog is a SQLAlchemy
engine with a connection pool and is shared.
Writes (later pages) go through :attr:`AppState.warehouse`, the primary connection.

Long work runs as background jobs (:class:`padu.jobs.JobRunner`) on cursors of the same
stores; at start-up, jobs a previous server left unfinished are marked failed, and the
uploaded register files such a server left (and refused rows past their expiry) are
removed (:func:`padu.services.register.upload.sweep_uploads`).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

import ibis

from padu.accounts import LoginThrottle
from padu.accounts.throttle import HashGate
from padu.jobs import JobRunner, mark_interrupted, shared_stores
from padu.services.register.upload import sweep_uploads
from padu.stores import Catalog, Warehouse, open_stores
from padu.web.beranda import BerandaCache
from padu.web.config import WebSettings
from padu.web.replica import ReplicaPublisher
from padu.web.sessions import SessionCodec

#: readers kept open for reuse once their threads have ended; more are closed
IDLE_READERS = 4


@dataclass
class AppState:
    """The process-wide objects every request may use (``request.app.state.padu``)."""

    settings: WebSettings
    warehouse: Warehouse
    catalog: Catalog
    sessions: SessionCodec
    jobs: JobRunner
    throttle: LoginThrottle = field(default_factory=LoginThrottle)
    hashing: HashGate = field(default_factory=HashGate)
    beranda: BerandaCache = field(default_factory=BerandaCache)
    #: read-only copies of a DuckDB warehouse for the CLI (does nothing on PostgreSQL)
    replica: ReplicaPublisher | None = None
    _warming: threading.Thread | None = None
    #: thread -> (the thread, its reader); the thread is kept to tell when it has ended
    _readers: dict[int, tuple[threading.Thread, Warehouse]] = field(default_factory=dict)
    _idle: list[Warehouse] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(cls, settings: WebSettings) -> AppState:
        """Open the stores named by ``settings`` (checked as one pair) and the codec."""
        warehouse, catalog = open_stores(
            settings.resolved_warehouse_url(), settings.resolved_catalog_url()
        )
        codec = SessionCodec(
            settings.session_secret(),
            settings.session_idle_minutes * 60,
            settings.session_absolute_hours * 3600,
            home=Path(settings.home),
        )
        mark_interrupted(catalog, actor="sistem")
        try:
            sweep_uploads(catalog, Path(settings.home), actor="sistem",
                          keep_rejects_days=settings.rejects_keep_days)  # fmt: skip
        except Exception:  # not a reason to refuse service; tried again at the next start
            logging.getLogger(__name__).exception("file unggahan lama tidak dapat dihapus")
        publisher = ReplicaPublisher(warehouse, catalog)
        jobs = JobRunner(
            settings.resolved_catalog_url(),
            settings.resolved_warehouse_url(),
            stores=shared_stores(warehouse, catalog),
            on_written=publisher.request,
        )
        publisher.start()
        return cls(settings, warehouse, catalog, codec, jobs, replica=publisher)

    def reader(self) -> Warehouse:
        """This thread's read connection to the warehouse: its own, a pooled one whose
        thread has ended, or a new one."""
        me = threading.current_thread()
        with self._lock:
            mine = self._readers.get(me.ident or 0)
            if mine is not None and mine[0] is me:
                return mine[1]
            self._reclaim()
            made = self._idle.pop() if self._idle else None
        made = made or self._open_reader()
        with self._lock:
            self._readers[me.ident or 0] = (me, made)
        return made

    def _open_reader(self) -> Warehouse:
        wh = self.warehouse
        if wh.backend == "duckdb":
            backend = ibis.duckdb.from_connection(wh.con.con.cursor())
            backend.raw_sql("SET enable_progress_bar = false")
            return Warehouse(backend, wh.url, read_only=True)
        return Warehouse.connect(wh.url, read_only=True)

    def _reclaim(self) -> None:
        """Move the readers of ended threads to the idle pool; close the surplus.
        (Called with the lock held.)"""
        for ident, (thread, wh) in list(self._readers.items()):
            if not thread.is_alive():
                del self._readers[ident]
                self._idle.append(wh)
        while len(self._idle) > IDLE_READERS:
            _disconnect(self._idle.pop(0))

    def open_readers(self) -> int:
        """How many readers are open (in use or idle): a gauge for tests and monitoring."""
        with self._lock:
            self._reclaim()
            return len(self._readers) + len(self._idle)

    def start_warming(self) -> None:
        """Compute the latest snapshot's Beranda and API figures in a background thread,
        ahead of the first officer (requests meanwhile wait on the same computation)."""
        self._warming = threading.Thread(target=self._warm, name="padu-warm", daemon=True)
        self._warming.start()

    def _warm(self) -> None:
        try:
            self.beranda.warm(self.reader(), self.catalog)
        except Exception:  # a failed warm-up only means the first request computes
            logging.getLogger(__name__).exception("pemanasan awal gagal")

    def close(self) -> None:
        """Stop the warm-up and the jobs, close every reader, then the stores."""
        if self._warming is not None:
            self._warming.join(timeout=120)
        self.jobs.close()
        if self.replica is not None:
            self.replica.close()
        with self._lock:
            readers = [wh for _, wh in self._readers.values()] + self._idle
            self._readers, self._idle = {}, []
        for r in readers:
            _disconnect(r)
        self.warehouse.close()
        self.catalog.close()


def _disconnect(reader: Warehouse) -> None:
    with contextlib.suppress(Exception):  # a cursor closed with its database
        reader.con.disconnect()
