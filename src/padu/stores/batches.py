"""Writes that span both stores: a pending batch, its warehouse rows, then one commit.

Every write of warehouse rows (a register snapshot, a linked ledger, an adopted target
list) goes through :func:`pending_batch`:

1. the batch is recorded in the catalog as *pending*, with who, process id, host and start;
2. the caller writes the warehouse rows under the batch id;
3. the caller commits the catalog row that makes the batch visible (``Catalog.add_snapshot``,
   ``Catalog.add_ledger`` or ``Catalog.add_adoption``), which marks the batch committed in
   the same transaction.

Readers only ever reach warehouse rows through a committed catalog row. If the writer
fails with an exception, its rows and its pending record are removed at once; if it is
killed outright, :func:`sweep_abandoned` removes them later, but only once the writer is
provably gone. Rows the catalog does not describe are never deleted for that reason alone.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from padu.stores.catalog import BatchRow, Catalog
from padu.stores.warehouse import Warehouse

#: A pending batch of a writer on another host is left alone until it is this old: Padu
#: cannot see that host's processes, and a national import can run for hours.
FOREIGN_WRITER_TIMEOUT = dt.timedelta(days=2)
#: Every warehouse table that holds batch rows (register snapshots, linked ledgers, adopted
#: target lists): a warehouse with rows in any of them is populated (padu.stores.identity).
DATA_TABLES = ("keluarga", "individu", "temuan", "penerima", "penerima_kandidat", "rencana")


@dataclass(frozen=True)
class BatchTables:
    """Where the rows of one kind of batch live: warehouse tables and their batch column."""

    kind: str
    tables: Sequence[str]
    column: str


def this_host() -> str:
    return socket.gethostname()


def new_batch_id() -> str:
    return "b" + uuid.uuid4().hex[:16]


@contextmanager
def pending_batch(
    wh: Warehouse, catalog: Catalog, layout: BatchTables, actor: str
) -> Iterator[str]:
    """Record a pending batch, yield its id for the writes, and clean up if they fail.

    The block must end by committing the batch (``add_snapshot``, ``add_ledger`` or
    ``add_adoption``). On any exception (Ctrl-C included) the rows written so far and the
    pending record are removed before the exception goes on.
    """
    sweep_abandoned(wh, catalog, layout)
    batch = new_batch_id()
    catalog.begin_batch(batch, layout.kind, actor, os.getpid(), this_host())
    try:
        yield batch
    except BaseException:
        # best effort: if the stores themselves failed, the sweep retries once we are gone
        with contextlib.suppress(Exception):
            if batch in {b.id for b in catalog.pending_batches(layout.kind)}:
                _remove(wh, catalog, layout, batch)
        raise


def sweep_abandoned(wh: Warehouse, catalog: Catalog, layout: BatchTables) -> list[str]:
    """Remove the rows and records of pending batches whose writer is gone; their ids.

    Gone: on this host, no live process has the recorded id; on another host, the batch
    started more than :data:`FOREIGN_WRITER_TIMEOUT` ago.
    """
    removed = []
    for row in catalog.pending_batches(layout.kind):
        if writer_gone(row):
            _remove(wh, catalog, layout, row.id)
            removed.append(row.id)
    return removed


def writer_gone(row: BatchRow, now: dt.datetime | None = None) -> bool:
    """Whether the process that recorded a pending batch can no longer finish it."""
    if row.host != this_host():
        now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return now - row.dimulai > FOREIGN_WRITER_TIMEOUT
    if row.pid == os.getpid():
        return False  # this process's own batch (the writer is still working)
    return not process_alive(row.pid)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` of this host still runs (a zombie counts as gone)."""
    if os.name != "posix":  # pragma: no cover - no safe liveness probe; never delete
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    try:  # Linux: a killed process not yet reaped by its parent is a zombie, and gone
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _remove(wh: Warehouse, catalog: Catalog, layout: BatchTables, batch: str) -> None:
    """Delete a batch's warehouse rows, then its pending record (so a crash can retry)."""
    for name in layout.tables:
        if wh.has(name):
            wh.delete_batch(name, layout.column, batch)
    catalog.forget_batch(batch)
