"""The job runner: a pool of worker threads that run jobs and keep their state in the catalog.

How stores, writers, failures and progress are handled is described in :mod:`padu.jobs`.
"""

from __future__ import annotations

import builtins
import contextlib
import datetime as dt
import json
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import CancelledError, Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from types import TracebackType
from typing import Any

import ibis

from padu.errors import InternalError, PaduError
from padu.identifiers import mask_identifiers
from padu.jobs.restart import INTERRUPTED
from padu.stores import Catalog, Warehouse, open_stores
from padu.stores.batches import this_host
from padu.stores.catalog import JOB_DONE, JOB_FAILED, JOB_QUEUED, JobRow

log = logging.getLogger("padu.jobs")

#: At most one progress write per job in this many seconds.
PROGRESS_INTERVAL = 0.5
GENERIC_ERROR = (
    "terjadi kesalahan internal yang tidak terduga; rinciannya tercatat di log server "
    "(pekerjaan {id}). Hubungi pengelola Padu."
)
QUEUED_MESSAGE, STARTED_MESSAGE, DONE_MESSAGE = "menunggu giliran", "dimulai", "selesai"
#: Parameter names that suggest a secret: a job's parameters are shown to users and logged.
_SECRET_WORDS = ("password", "passwd", "sandi", "secret", "rahasia", "token", "apikey")

StoreFactory = Callable[[], AbstractContextManager[tuple[Warehouse, Catalog]]]
#: The work of a job: returns its result (a JSON-able mapping, a pydantic model, or None).
JobFn = Callable[["JobContext"], object]


class JobContext:
    """What a running job sees: its id and parameters, its stores, a way to report progress."""

    def __init__(
        self, row: JobRow, catalog: Catalog, stores: StoreFactory, interval: float
    ) -> None:
        self.job_id, self.kind, self.actor = row.id, row.kind, row.actor
        self.params: dict[str, Any] = json.loads(json.dumps(row.params))
        self.fraction, self.message = 0.0, STARTED_MESSAGE
        self._catalog, self._factory, self._interval = catalog, stores, interval
        self._lock = threading.Lock()
        self._last_write = time.monotonic()  # start_job has just written
        self._timer: threading.Timer | None = None
        self._ended = self._dirty = False
        self._exit = ExitStack()
        self._stores: tuple[Warehouse, Catalog] | None = None

    def stores(self) -> tuple[Warehouse, Catalog]:
        """The job's own warehouse and catalog (opened on first call, closed at its end)."""
        if self._stores is None:
            self._stores = self._exit.enter_context(self._factory())
        return self._stores

    def progress(self, fraction: float, message: str | None = None) -> None:
        """Report how far the job is (0 to 1) and, optionally, the step it is on now."""
        with self._lock:
            value = float(fraction)
            self.fraction = 0.0 if math.isnan(value) else min(max(value, 0.0), 1.0)
            if message is not None:
                self.message = message
            self._dirty = True
            self._due()

    def _due(self) -> None:
        """Write now if the interval since the last write is over, else make sure a timer
        writes the latest value once it is (the caller holds the lock)."""
        if self._ended:
            return
        wait = self._last_write + self._interval - time.monotonic()
        if wait <= 0:
            self._write()
        elif self._timer is None:
            self._timer = threading.Timer(wait, self._flush)
            self._timer.daemon = True
            self._timer.start()

    def _flush(self) -> None:
        with self._lock:
            if self._timer is not threading.current_thread():
                return  # cancelled after it had fired: a later write or timer took over
            self._timer = None
            if self._dirty:
                self._due()

    def _write(self) -> None:
        """Write the latest progress (the caller holds the lock)."""
        self._last_write, self._dirty = time.monotonic(), False
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        try:
            self._catalog.update_job(self.job_id, self.fraction, self.message)
        except Exception:  # progress is for show: a failed write must not fail the job
            log.warning("kemajuan pekerjaan %s tidak tercatat", self.job_id, exc_info=True)

    def _end(self) -> None:
        """Stop progress writes and close the job's stores."""
        with self._lock:
            self._ended = True
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        self._exit.close()


class JobRunner:
    """Runs jobs in a pool of worker threads and keeps their state in the catalog."""

    def __init__(
        self,
        catalog_url: str,
        warehouse_url: str,
        *,
        workers: int = 2,
        stores: StoreFactory | None = None,
        progress_interval: float = PROGRESS_INTERVAL,
        on_written: Callable[[], None] | None = None,
    ) -> None:
        if stores is None and warehouse_url.removeprefix("duckdb://") in ("", ":memory:"):
            raise InternalError(
                "warehouse di memori tidak dapat dibuka ulang oleh pekerjaan; beri stores="
            )
        self.catalog = Catalog.connect(catalog_url)
        self._stores = stores or (lambda: _open_stores(warehouse_url, catalog_url))
        self._interval = progress_interval
        #: called after each writing job ends (the server publishes a fresh read-only copy)
        self._on_written = on_written
        single_writer = warehouse_url.startswith("duckdb:")
        self._write_lock: threading.Lock | None = threading.Lock() if single_writer else None
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="padu-job")
        self._futures: dict[int, Future[None]] = {}
        self._cleanups: dict[int, Callable[[], None]] = {}
        self._guard = threading.Lock()
        self._closed = False

    def submit(
        self,
        kind: str,
        actor: str,
        params: Mapping[str, object],
        fn: JobFn,
        *,
        writes: bool = True,
        cleanup: Callable[[], None] | None = None,
    ) -> int:
        """Record a job (and its ``job.submit`` event) and queue ``fn``; its id, at once.

        ``params`` describe the job to people (the file name, the programme, the year): JSON
        only, never a secret. ``writes=False`` lets a job that only reads run beside writers.
        ``cleanup`` (removing the job's input files, say) runs exactly once when the job is
        over, whether ``fn`` finished, failed, or never ran (its start refused, or the job
        cancelled at shutdown), before the job's end is recorded; a failing cleanup is
        logged. When ``submit`` raises, the caller still owns what ``cleanup`` would free.
        """
        with self._guard:
            if self._closed:
                raise InternalError("pelaksana pekerjaan sudah ditutup")
            row = self.catalog.add_job(
                JobRow(
                    kind=kind, actor=actor, params=_checked_params(params), state=JOB_QUEUED,
                    progress=0.0, message=QUEUED_MESSAGE, result=None, error=None,
                    created=_now(), started=None, finished=None, pid=os.getpid(),
                    host=this_host(),
                )
            )  # fmt: skip
            try:
                future = self._pool.submit(self._run, row, fn, writes)
            except BaseException:  # no worker will run it: end it now, not at a restart
                with contextlib.suppress(Exception):
                    self.catalog.finish_job(
                        row.id, JOB_FAILED, message=INTERRUPTED, error=INTERRUPTED
                    )
                raise
            self._futures[row.id] = future
            if cleanup is not None:
                self._cleanups[row.id] = cleanup
        future.add_done_callback(lambda _f: self._forget(row.id))
        return row.id

    def get(self, job_id: int) -> JobRow:
        """The job as the catalog has it now (NotFound for an unknown id)."""
        return get_job(self.catalog, job_id)

    def list(
        self, *, actor: str | None = None, kind: str | None = None, limit: int = 50
    ) -> builtins.list[JobRow]:
        """Jobs newest first, optionally of one actor and one kind."""
        return list_jobs(self.catalog, actor=actor, kind=kind, limit=limit)

    def wait(self, job_id: int, timeout: float | None = None) -> JobRow:
        """Wait until a job of this runner has ended (or ``timeout`` passed); the job."""
        with self._guard:
            future = self._futures.get(job_id)
        if future is not None:
            # the job's own failure is in its row, not raised here
            with contextlib.suppress(CancelledError, TimeoutError):
                future.exception(timeout)
        return self.get(job_id)

    def close(self, *, wait: bool = True) -> None:
        """Stop taking jobs; jobs not started yet end *gagal*; with ``wait``, running ones
        finish first. Then release the catalog."""
        with self._guard:
            self._closed = True
            pending = dict(self._futures)
        self._pool.shutdown(wait=wait, cancel_futures=True)
        for job_id, future in pending.items():
            if future.cancelled():  # never started: no process will run it now
                self.catalog.finish_job(job_id, JOB_FAILED, message=INTERRUPTED, error=INTERRUPTED)
        if wait:
            self.catalog.close()

    def __enter__(self) -> JobRunner:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- one job -----------------------------------------------------------------------
    def _forget(self, job_id: int) -> None:
        with self._guard:
            self._futures.pop(job_id, None)
        self._clean(job_id)  # a job cancelled at shutdown never ran: its cleanup runs here

    def _clean(self, job_id: int) -> None:
        """Run a job's cleanup, once (whichever of its ends comes first calls this)."""
        with self._guard:
            cleanup = self._cleanups.pop(job_id, None)
        if cleanup is None:
            return
        try:
            cleanup()
        except Exception:  # what it leaves is swept at the next start
            log.exception("pembersihan pekerjaan %s gagal", job_id)

    def _run(self, row: JobRow, fn: JobFn, writes: bool) -> None:
        """Run one job in a worker thread: start, work, end; never raise what it raised."""
        slot = self._write_lock if writes and self._write_lock is not None else nullcontext()
        with slot:
            try:
                if not self.catalog.start_job(row.id, STARTED_MESSAGE):
                    self._clean(row.id)  # ended meanwhile (a shutdown or another server
                    return  # marked it failed): it will never run
            except Exception:  # the catalog is unreachable: the job stays queued until a
                log.exception("pekerjaan %s tidak dapat dimulai", row.id)  # restart ends it
                self._clean(row.id)
                return
            ctx = JobContext(row, self.catalog, self._stores, self._interval)
            state, result, error = JOB_FAILED, None, None
            try:
                result = _result(fn(ctx))
                state = JOB_DONE
            except PaduError as exc:
                error = mask_identifiers(exc.message)
                result = _result({**exc.to_dict(), "message": error})
                log.info("pekerjaan %s (%s) gagal: %s", row.id, row.kind, error)
            except BaseException as exc:
                error = GENERIC_ERROR.format(id=row.id)
                log.exception("pekerjaan %s (%s) gagal tak terduga", row.id, row.kind)
                if not isinstance(exc, Exception):
                    self._clean(row.id)
                    self._end(ctx, JOB_FAILED, None, error)
                    raise
            self._clean(row.id)  # before the end is recorded: a job seen ended is clean
            self._end(ctx, state, result, error)
        if writes and self._on_written is not None:
            try:
                self._on_written()
            except Exception:  # a copy not requested is made after the next write
                log.exception("salinan baca tidak dapat diminta setelah pekerjaan %s", row.id)

    def _end(
        self, ctx: JobContext, state: str, result: dict[str, object] | None, error: str | None
    ) -> None:
        try:
            ctx._end()
        except Exception:  # closing its stores failed; the work itself is done or failed
            log.warning("koneksi pekerjaan %s tidak tertutup rapi", ctx.job_id, exc_info=True)
        done = state == JOB_DONE
        try:
            self.catalog.finish_job(
                ctx.job_id, state, result=result, error=error,
                message=DONE_MESSAGE if done else ctx.message,
                progress=1.0 if done else ctx.fraction,
            )  # fmt: skip
        except Exception:  # the catalog is gone: a restart's mark_interrupted will end it
            log.exception("akhir pekerjaan %s tidak tercatat", ctx.job_id)


def get_job(catalog: Catalog, job_id: int) -> JobRow:
    """One job (NotFound for an unknown id)."""
    return catalog.job(job_id)


def list_jobs(
    catalog: Catalog, *, actor: str | None = None, kind: str | None = None, limit: int = 50
) -> list[JobRow]:
    """Jobs newest first, optionally of one actor and one kind."""
    return catalog.jobs(actor=actor, kind=kind, limit=limit)


def shared_stores(warehouse: Warehouse, catalog: Catalog) -> StoreFactory:
    """Stores for jobs made from a server's own open ones, so no job reopens the file.

    On DuckDB each job gets a cursor of ``warehouse`` (a connection of the same database,
    usable from its own thread); on PostgreSQL a new connection to the same URL. The catalog
    (a pooled engine) is shared as it is. A job's end closes only its warehouse connection.
    """

    @contextmanager
    def open_shared() -> Iterator[tuple[Warehouse, Catalog]]:
        if warehouse.backend == "duckdb":
            con = ibis.duckdb.from_connection(warehouse.con.con.cursor())
            con.raw_sql("SET enable_progress_bar = false")  # as Warehouse.connect does
            wh = Warehouse(con, warehouse.url)
        else:
            wh = Warehouse.connect(warehouse.url)
        try:
            yield wh, catalog
        finally:
            wh.close()

    return open_shared


@contextmanager
def _open_stores(warehouse_url: str, catalog_url: str) -> Iterator[tuple[Warehouse, Catalog]]:
    wh, cat = open_stores(warehouse_url, catalog_url)
    try:
        yield wh, cat
    finally:
        wh.close()
        cat.close()


def _checked_params(params: Mapping[str, object]) -> dict[str, object]:
    """``params`` as plain JSON; InternalError for what is not JSON or looks like a secret
    (a programming error: the web layer builds these, not the user)."""
    try:
        plain = json.loads(json.dumps(dict(params), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InternalError(f"parameter pekerjaan bukan JSON: {exc}") from None

    def keys(value: object) -> Iterator[str]:
        if isinstance(value, dict):
            for key, inner in value.items():
                yield str(key)
                yield from keys(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from keys(inner)

    for key in keys(plain):
        flat = "".join(ch for ch in key.lower() if ch.isalnum())
        if any(word in flat for word in _SECRET_WORDS):
            raise InternalError(f"parameter pekerjaan tidak boleh memuat rahasia: {key!r}")
    return dict(plain)


def _result(value: object) -> dict[str, object] | None:
    """A job's return value as the JSON its row keeps (a model is dumped in JSON mode)."""
    if value is None:
        return None
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        value = dump(mode="json")
    if not isinstance(value, Mapping):
        raise InternalError(f"hasil pekerjaan harus berupa pemetaan, bukan {type(value)!r}")
    return dict(json.loads(json.dumps(dict(value), default=str)))


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
