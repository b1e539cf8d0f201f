"""The server's side of read-only copies: publish one after start-up and after each write.

With DuckDB the server is the warehouse's single writer; :mod:`padu.stores.replica` makes
the copies that read-only CLI commands open meanwhile. :class:`ReplicaPublisher` runs
those publishes on one background thread, so no request and no job waits for one: a
request made while a copy is being written is folded into one more copy after it.
On PostgreSQL (or an in-memory DuckDB) it does nothing: readers share the store there.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from padu.stores import Catalog, Warehouse, replica
from padu.stores.replica import Published

log = logging.getLogger("padu.web.replica")
#: After a failed copy (a long write kept the warehouse busy), the next try comes this late.
RETRY_SECONDS = 5.0


class ReplicaPublisher:
    """Publishes copies of the server's DuckDB warehouse, one at a time, in the background."""

    def __init__(self, warehouse: Warehouse, catalog: Catalog, *, url: str | None = None) -> None:
        self.warehouse = warehouse
        self.catalog = catalog
        self.url = url
        self.path: Path | None = (
            replica.duckdb_path(warehouse.url) if warehouse.backend == "duckdb" else None
        )
        self.last: Published | None = None
        self.failures = 0
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._stop = False
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        return self.path is not None

    def start(self) -> None:
        """Announce the server as the holder and publish the first copy (in the background)."""
        if self.path is None:
            return
        replica.announce(self.path, url=self.url)
        self._thread = threading.Thread(target=self._run, name="padu-replica", daemon=True)
        self._thread.start()
        self.request()

    def request(self) -> None:
        """Ask for a fresh copy (after a write job finished); returns at once."""
        if self.path is None:
            return
        self._idle.clear()
        self._wanted.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until no copy is wanted or being written (for tests and shutdown)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """Stop publishing and remove the copies: once the server has stopped, readers open
        the warehouse itself again."""
        if self.path is None:
            return
        self._stop = True
        self._wanted.set()
        if self._thread is not None:
            self._thread.join(timeout=600)
        replica.remove_published(self.path)

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stop:
                return
            self._wanted.clear()
            self._publish_once()
            if not self._wanted.is_set():
                self._idle.set()

    def _publish_once(self) -> None:
        assert self.path is not None  # noqa: S101 - only started for a DuckDB file
        try:
            self.last = replica.publish(self.warehouse, self.catalog, self.path, url=self.url)
        except Exception:  # the previous copy stays current; try again shortly
            self.failures += 1
            log.warning("salinan baca warehouse gagal dibuat; dicoba lagi", exc_info=True)
            if not self._stop:
                timer = threading.Timer(RETRY_SECONDS, self.request)
                timer.daemon = True
                timer.start()
            return
        log.info(
            "salinan baca warehouse generasi %d siap (%.1f detik)",
            self.last.generation,
            self.last.seconds or 0.0,
        )
