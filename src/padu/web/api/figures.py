"""The API's aggregate figures: snapshots and Padu-7 by region, shaped for the caller's role.

Alkire-Foster on a snapshot takes a second or more on a full register, and a snapshot never
changes once imported, so each (snapshot, measure version, level) is computed once per
process (:class:`padu.web.once.FigureCache`, shared with Beranda and by concurrent
callers) and only the suppression for
the caller's role is applied per request.
"""

from __future__ import annotations

import re
from typing import Literal

from padu.access import Scope, protect, shown_cell
from padu.errors import NotFound
from padu.measure.af import AFResult, GroupResult
from padu.measure.measures import get_measure
from padu.measure.snapshot import mpi_snapshot
from padu.regions import kaltara
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow
from padu.web.api.models import MpiCell, MpiGroup, MpiOut, SnapshotOut, SnapshotRef
from padu.web.once import FigureCache

__all__ = ["FigureCache", "Level", "find_snapshot", "mpi_by_region", "mpi_json", "snapshots"]

MEASURE = "padu-7"
Level = Literal["kabupaten", "kecamatan", "desa"]
_REFERENCE = re.compile(r"acuan:[0-9]{4}")


def snapshots(catalog: Catalog) -> list[SnapshotOut]:
    """Every snapshot, oldest first."""
    return [
        SnapshotOut(id=s.id, label=s.label, tanggal=s.tanggal, families=s.keluarga,
                    persons=s.individu)
        for s in catalog.snapshots()
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


def _cell(g: GroupResult, scope: Scope) -> MpiCell:
    c = shown_cell(g.n, g.q, float(g.H), float(g.A), float(g.M0), scope)
    return MpiCell(n=c.n, q=c.q, H=c.H, A=c.A, M0=c.M0, suppressed=c.suppressed)


def mpi_by_region(
    wh: Warehouse, catalog: Catalog, ref: str, by: Level, scope: Scope, cache: FigureCache
) -> MpiOut:
    """Padu-7 on snapshot ``ref`` overall and per region of ``by``, as ``scope`` may see it."""
    return MpiOut.model_validate_json(mpi_json(wh, catalog, ref, by, scope, cache))


def mpi_json(
    wh: Warehouse, catalog: Catalog, ref: str, by: Level, scope: Scope, cache: FigureCache
) -> bytes:
    """:func:`mpi_by_region` as the JSON the API answers, built once per (snapshot, measure
    version, level, suppression): the answer depends on the caller only through whether
    small cells are suppressed."""
    snap = find_snapshot(catalog, ref)
    saved = catalog.measure_versions(MEASURE)
    key = (snap.id, saved[-1].version if saved else 0, by)

    def shaped() -> bytes:
        measure = get_measure(MEASURE, catalog)
        result = cache.get(key, lambda: mpi_snapshot(wh, catalog, snap.id, measure, by=by))
        return _shaped(snap, measure.id, result, by, scope).model_dump_json().encode()

    return cache.answers.get((*key, scope.suppress_small), shaped)


def _shaped(snap: SnapshotRow, measure: str, result: AFResult, by: Level, scope: Scope) -> MpiOut:
    regions = kaltara()
    # a viewer sees the overall figures too: hide whatever they would give back by
    # subtraction (complementary suppression over the groups of this answer)
    no_n: set[str] = set()
    no_q: set[str] = set()
    if scope.suppress_small:
        no_n = protect({c: g.n for c, g in result.groups.items()})
        no_q = protect({c: g.q for c, g in result.groups.items()}, no_n)
    groups = []
    for code, group in result.groups.items():
        region = regions.find(code)
        cell = _cell(group, scope)
        if code in no_n:
            cell = MpiCell(n=None, q=None, H=None, A=None, M0=None, suppressed=True)
        elif code in no_q:
            cell = MpiCell(n=cell.n, q=None, H=None, A=None, M0=None, suppressed=True)
        groups.append(
            MpiGroup(kode=code, nama=region.nama if region else None, **cell.model_dump())
        )
    return MpiOut(
        snapshot=SnapshotRef(id=snap.id, label=snap.label, tanggal=snap.tanggal),
        measure=measure,
        k=float(result.k),
        by=by,
        overall=_cell(result.overall, scope),
        groups=groups,
    )
