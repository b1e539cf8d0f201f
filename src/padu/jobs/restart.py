"""Restarts: jobs whose process is gone are ended as failed when a server starts."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from padu.stores import Catalog
from padu.stores.batches import FOREIGN_WRITER_TIMEOUT, process_alive, this_host
from padu.stores.catalog import JOB_FAILED, JOB_QUEUED, JOB_RUNNING, JobRow

INTERRUPTED = "server dihentikan sebelum pekerjaan selesai"
#: A process that started this many seconds after a job was recorded cannot be its runner
#: (its pid was reused, as after a container restart); the slack covers clock rounding.
_START_SLACK = 2.0


def mark_interrupted(catalog: Catalog, *, actor: str = "sistem") -> int:
    """End as *gagal* every unfinished job whose process is gone; how many.

    Called once at server start. Gone: on this host, no live process has the recorded pid,
    or the one that has it started after the job was recorded (a reused pid); on another
    host, the job is older than ``FOREIGN_WRITER_TIMEOUT`` (its processes are not visible
    from here). Each job ended gets its ``job.finish`` event, by ``actor``.
    """
    ended = 0
    for row in catalog.jobs(states=(JOB_QUEUED, JOB_RUNNING), limit=None):
        if runner_gone(row) and catalog.finish_job(
            row.id, JOB_FAILED, message=INTERRUPTED, error=INTERRUPTED, actor=actor
        ):
            ended += 1
    return ended


def runner_gone(row: JobRow, now: dt.datetime | None = None) -> bool:
    """Whether the process that recorded a job can no longer finish it."""
    if row.host != this_host():
        now = now or _now()
        return now - (row.started or row.created) > FOREIGN_WRITER_TIMEOUT
    if not process_alive(row.pid):
        return True
    started = process_start(row.pid)
    created = row.created.replace(tzinfo=dt.UTC).timestamp()
    return started is not None and started > created + _START_SLACK


def process_start(pid: int) -> float | None:
    """When process ``pid`` of this host started (seconds since the epoch); None when that
    cannot be read (not Linux, or the process is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        ticks = int(stat.rsplit(")", 1)[1].split()[19])  # field 22: start time since boot
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
        return boot + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)
