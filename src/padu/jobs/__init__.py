"""Background jobs: long work (imports, links, all target lists, plans) run for the web app.

A web request must not wait minutes for an import, and an officer must see how far it is.
So the web app hands such work to a :class:`JobRunner`: ``submit`` records the job in the
catalog as *antri* and returns its id at once; a worker thread marks it *berjalan*, runs it,
and ends it *selesai* with its result or *gagal* with an Indonesian message. Any process
reading the catalog (another worker, the API, a page polling with htmx) sees the state,
progress and current step of every job: the catalog row is the only truth, the runner keeps
nothing a page needs.

Stores. Each job opens its own warehouse and catalog connections (``ctx.stores()``, opened on
first use, closed when the job ends), because an Ibis connection must not be shared between
threads. With DuckDB this still fits the single-writer rule: a DuckDB file takes one writing
*process*, and connections a process opens to a file it already holds are connections of the
same database (DuckDB's in-process instance cache), so a job of ``padu serve`` never meets
the lock its own server holds. (The server must open the warehouse read-write, with the same
settings as :meth:`Warehouse.connect`; DuckDB refuses a second configuration in one process.)
Two connections of one DuckDB database can still conflict when both write, so on DuckDB the
runner runs writing jobs one at a time under a lock; reading jobs run beside them (DuckDB
gives readers a consistent view). On PostgreSQL writing jobs run in parallel: the pending
batch protocol (padu.stores.batches) and advisory locks already make concurrent writers safe.
A job that writes nothing is submitted with ``writes=False``; the default is the safe one.
A server that already holds its stores may pass ``stores=shared_stores(warehouse, catalog)``
instead: jobs then get a cursor of its DuckDB connection (or a new PostgreSQL connection)
and share its catalog, without reopening and re-checking the pair for every job. An
in-memory DuckDB warehouse cannot be reopened, so it needs that factory.

Failures. A job that raises a :class:`padu.errors.PaduError` ends *gagal* with that error's
Indonesian message (NIK/KK masked) and its details (``to_dict``) as the result; any other
exception ends *gagal* with a generic message naming the job, and the traceback goes only
to the log (``padu.jobs``), never to a page.

Cleanup. A job that leaves files to remove (an upload's register files, with personal
data) passes ``cleanup=`` to ``submit``: it runs once whatever happens to the job (done,
failed, its start refused, or cancelled at shutdown while still queued). Only a process
killed outright skips it; the server sweeps what such a process left when it starts.

Progress. ``ctx.progress(fraction, message)`` is cheap to call often: it writes to the
catalog at most once per :data:`PROGRESS_INTERVAL` per job, and a value held back is written
once that interval has passed even if the job reports nothing more (a long single step is
not shown as the previous one).

Use (``padu serve``)::

    mark_interrupted(catalog, actor="sistem")        # once, before taking requests
    runner = JobRunner(catalog_url, warehouse_url)   # one per server process
    job_id = runner.submit("register.import", user, {"berkas": name}, work)
    ...                                              # pages read runner.get(job_id)
    runner.close()                                   # at shutdown

where ``work(ctx)`` calls one service with ``*ctx.stores()`` and ``actor=ctx.actor``, reports
``ctx.progress(fraction, "langkah ...")`` and returns the service's result.

Restarts. A job belongs to the process (pid and host) that runs it. At start the server
calls :func:`mark_interrupted`, which ends as *gagal* every unfinished job whose process is
gone (or whose pid now belongs to a process started after the job was recorded, as after a
container restart); the job's own writes were never made visible (padu.stores.batches), so
nothing is left half done.
"""

from __future__ import annotations

from padu.audit import JOB_FINISH, JOB_SUBMIT
from padu.jobs.restart import INTERRUPTED, mark_interrupted
from padu.jobs.runner import (
    GENERIC_ERROR,
    PROGRESS_INTERVAL,
    JobContext,
    JobFn,
    JobRunner,
    StoreFactory,
    get_job,
    list_jobs,
    shared_stores,
)
from padu.stores.catalog import (
    JOB_DONE,
    JOB_FAILED,
    JOB_QUEUED,
    JOB_RUNNING,
    JobRow,
)

__all__ = [
    "GENERIC_ERROR",
    "INTERRUPTED",
    "JOB_DONE",
    "JOB_FAILED",
    "JOB_FINISH",
    "JOB_QUEUED",
    "JOB_RUNNING",
    "JOB_SUBMIT",
    "PROGRESS_INTERVAL",
    "JobContext",
    "JobFn",
    "JobRow",
    "JobRunner",
    "StoreFactory",
    "get_job",
    "list_jobs",
    "mark_interrupted",
    "shared_stores",
]
