"""A value per key, computed once per process even when many requests ask at the same moment
(the others wait for the first, then share it). Snapshots never change once imported, so
their figures are cached this way by key (snapshot, measure version, ...)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from padu.measure.measures import get_measure
from padu.services.measure import MpiTable, mpi_table
from padu.services.overview import MEASURE
from padu.stores import Catalog, Warehouse

V = TypeVar("V")


class ComputedOnce(Generic[V]):
    """``get(key, make)``: ``make()`` runs once per key; later calls are a dictionary lookup."""

    def __init__(self) -> None:
        self._done: dict[Hashable, V] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], V]) -> V:
        found = self._done.get(key)
        if found is not None:
            return found
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            found = self._done.get(key)
            if found is None:
                found = self._done[key] = make()
            return found


class FigureCache(ComputedOnce[MpiTable]):
    """``padu mpi`` tables (:func:`padu.services.measure.mpi_table`) per (snapshot, measure
    version, level), computed once per process and shared by Beranda and the API:
    whichever asks first pays, once.
    ``answers`` keeps what is built from them for a kind of caller (the API's JSON per
    level and suppression), so a repeated request costs a lookup, not a serialisation."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: ComputedOnce[bytes] = ComputedOnce()

    def table(
        self, wh: Warehouse, catalog: Catalog, snapshot: int, version: int, level: str,
        *, actor: str,
    ) -> MpiTable:  # fmt: skip
        """Padu-7 (its saved ``version``) on ``snapshot`` by ``level``, computed once."""

        def make() -> MpiTable:
            measure = get_measure(MEASURE, catalog)
            return mpi_table(wh, catalog, snapshot, measure, by=level, actor=actor)

        return self.get((snapshot, version, level), make)
