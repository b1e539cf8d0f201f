"""The API's aggregate figures: snapshots and Padu-7 by region, shaped for the caller's role.

The figures are the services' (:func:`padu.services.measure.mpi_table`, the numbers
``padu --json mpi --by LEVEL`` prints, shaped by :func:`padu.services.overview.regional_mpi`).
Alkire-Foster on a snapshot takes a second or more on a full register, and a snapshot never
changes once imported, so each (snapshot, measure version, level) is computed once per
process (:class:`padu.web.once.FigureCache`, shared with Beranda and by concurrent
callers) and only the suppression for the caller's role is applied per request.
"""

from __future__ import annotations

import re

from padu.access import Scope
from padu.errors import NotFound
from padu.services.measure import measure_version
from padu.services.overview import MEASURE, Level, regional_mpi
from padu.services.register import list_snapshots
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow
from padu.web.api.models import MpiOut, SnapshotOut
from padu.web.once import FigureCache

__all__ = ["FigureCache", "Level", "find_snapshot", "mpi_json", "snapshots"]

_REFERENCE = re.compile(r"acuan:[0-9]{4}")


def snapshots(catalog: Catalog) -> list[SnapshotOut]:
    """Every snapshot, oldest first (:func:`padu.services.register.list_snapshots`)."""
    return [
        SnapshotOut(id=s.id, label=s.label, tanggal=s.snapshot_date, families=s.families,
                    persons=s.individuals)
        for s in reversed(list_snapshots(catalog))
    ]  # fmt: skip


def find_snapshot(catalog: Catalog, ref: str) -> SnapshotRow:
    """A snapshot by ``latest``, id, ``acuan:YYYY`` or label; NotFound for anything else
    (an id too long for the catalog, another script's digits), never a database error."""
    if ref.isdigit() and not ref.isascii():
        raise NotFound(f"snapshot {ref!r} tidak ada")
    if ref.isdigit():
        if len(ref) > 9:
            raise NotFound(f"snapshot {ref} tidak ada")
        return catalog.snapshot(int(ref))
    if ref.startswith("acuan:") and not _REFERENCE.fullmatch(ref):
        raise NotFound(f"{ref!r}: tulis snapshot acuan sebagai acuan:TAHUN (4 angka)")
    return catalog.snapshot(ref)


def mpi_json(
    wh: Warehouse, catalog: Catalog, ref: str, by: Level, scope: Scope, cache: FigureCache,
    *, actor: str,
) -> bytes:  # fmt: skip
    """Padu-7 on snapshot ``ref`` by ``by`` as ``scope`` may see it, as the JSON the API
    answers (an ``MpiOut``): the ``padu mpi`` table of the level
    (:func:`padu.services.measure.mpi_table`, computed once per snapshot, measure version
    and level) shaped by :func:`padu.services.overview.regional_mpi`, serialised once per
    suppression (the answer depends on the caller only through it)."""
    snap = find_snapshot(catalog, ref)
    version = measure_version(catalog, MEASURE)

    def shaped() -> bytes:
        table = cache.table(wh, catalog, snap.id, version, by, actor=actor)
        answer = regional_mpi(table, snap, by, scope)
        return MpiOut.model_validate(answer.model_dump()).model_dump_json().encode()

    return cache.answers.get((snap.id, version, by, scope.suppress_small), shaped)
