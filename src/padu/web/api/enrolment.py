"""The integrated-beneficiary-registry lookup: which programmes each NIK or KK is enrolled in.

A DCI-style IBR query (``POST /api/v1/ibr/enrolled``): an agency's system sends up to
:data:`MAX_IDS` NIKs or KKs and learns, per id, whether the register knows it and the
programmes it is enrolled in for a fiscal year, planned (an adopted target list) or
realised (a linked agency list). It runs as a few joins in the warehouse whatever the
number of ids; only the answer (at most a few rows per id) comes back to Python.

Who is enrolled where:
- a KK is enrolled in a programme when any row of it names that family (a family
  programme's unit, or a member of a person programme);
- a NIK is enrolled in a programme when a row names that person, or when a family
  programme's row names the person's family.
Families and persons are those of the year's reference snapshot (else the latest); a
person who moved is counted in the family the snapshot gives them.

Scope (padu.access): an opd sees only families in its own agency's programmes' lists of
the year, and for those, every programme they are enrolled in (the point of an IBR is to
see the other programmes that already serve a family). An id outside the scope reads as
not found. The lookup is personal data and is recorded as ``api.ibr``: who, how many ids,
how many found, the scope, the year and the snapshot, never an id.

This module is framework-free (a service the API calls; the CLI could call it too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis
import pyarrow as pa

from padu.access import KK, NIK, Scope, basis_snapshot, enrolled_rows, visible_families
from padu.audit import API_IBR
from padu.errors import InputError
from padu.programmes.store import current_workshop
from padu.register.snapshots import snapshot_table
from padu.stores import Catalog, Warehouse

MAX_IDS = 1000
IdKind = Literal["nik", "kk"]


@dataclass(frozen=True)
class Enrolment:
    """One programme an id is enrolled in."""

    programme: str
    name: str | None
    agency: str | None
    basis: Literal["planned", "realised"]
    year: int


@dataclass
class IdAnswer:
    """The answer for the id at position ``index`` of the request."""

    index: int
    id: str  # as asked: the caller masks it before it leaves
    found: bool
    programmes: list[Enrolment] = field(default_factory=list)


@dataclass(frozen=True)
class LookupResult:
    year: int
    snapshot_id: int
    snapshot_label: str
    snapshot_date: dt.date
    answers: list[IdAnswer]


def _ids_table(ids: list[str]) -> Any:
    return ibis.memtable(
        pa.table({"_i": pa.array(range(len(ids)), pa.int64()), "_id": pa.array(ids, pa.string())})
    )


def lookup_enrolled(
    wh: Warehouse, catalog: Catalog, ids: list[str], by: IdKind, scope: Scope, *, actor: str
) -> LookupResult:
    """The enrolment of each id in ``scope.year`` as ``scope`` may see it (audited)."""
    if not scope.persons:
        raise InputError("peran ini tidak boleh membaca data pribadi")  # callers refuse first
    if len(ids) > MAX_IDS:
        raise InputError(f"paling banyak {MAX_IDS} nomor per permintaan, bukan {len(ids)}")
    snap = basis_snapshot(catalog, scope.year)
    wanted = _ids_table(ids)
    if by == "kk":
        kel = snapshot_table(wh, catalog, snap.id, "keluarga")
        known = kel.select(_f=kel[KK]).distinct()
        present = wanted.join(known, wanted["_id"] == known["_f"])
    else:
        ind = snapshot_table(wh, catalog, snap.id, "individu")
        homes = ind.filter(ind[NIK].notnull()).group_by(_n=ind[NIK]).aggregate(_f=ind[KK].min())
        present = wanted.join(homes, wanted["_id"] == homes["_n"])
    present = present.select("_i", "_id", "_f")
    rows = enrolled_rows(wh, catalog, scope.year, snap.id)
    visible = visible_families(wh, catalog, scope, snap.id, rows)
    if visible is not None:
        present = present.semi_join(visible, present["_f"] == visible.kk)
    workshop, _ = current_workshop(catalog)
    progs = {p.code: p for p in workshop.programmes}
    hits = _hits(rows, present, by, {c for c, p in progs.items() if p.unit != "individu"})
    found = {int(i) for i in present.select("_i").to_pyarrow().column("_i").to_pylist()}
    answers = [IdAnswer(i, value, i in found) for i, value in enumerate(ids)]
    for hit in hits.order_by(["_i", "programme", "basis"]).to_pyarrow().to_pylist():
        p = progs.get(hit["programme"])
        answers[int(hit["_i"])].programmes.append(
            Enrolment(
                hit["programme"], p.name if p else None, p.agency if p else None,
                hit["basis"], scope.year,
            )
        )  # fmt: skip
    detail = {
        "by": by, "ids": len(ids), "found": len(found), "scope": scope.describe(),
        "year": scope.year, "snapshot": snap.id,
    }  # fmt: skip
    catalog.record(API_IBR, detail, actor)
    return LookupResult(scope.year, snap.id, snap.label, snap.tanggal, answers)


def _hits(rows: Any, present: Any, by: IdKind, family_programmes: set[str]) -> Any:
    """(id position, programme, basis) for every enrolment of the present ids.

    The ids are the left side of each join: ibis 12 refuses a join whose left side is a
    projection of a join (``rows``) with a predicate on such a projection's column."""
    by_family = rows
    if by == "nik":  # a person is enrolled in a family programme through the family
        codes = sorted(family_programmes) or ["-"]
        by_family = rows.filter(rows.programme.isin(codes))
    fam = present.join(by_family, present["_f"] == by_family.family)
    parts = [fam.select("_i", "programme", "basis")]
    if by == "nik":
        own = present.join(rows, present["_id"] == rows.nik)
        parts.append(own.select("_i", "programme", "basis"))
    out = parts[0]
    for part in parts[1:]:
        out = out.union(part, distinct=False)
    return out.distinct()
