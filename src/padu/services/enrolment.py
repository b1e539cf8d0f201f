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
not found. The lookup is personal data and is recorded as ``api.ibr``: who, the ids asked
(in full, so "who looked up this NIK" has an answer; the audit page masks them on
display), how many, how many found, the scope, the year and the snapshot. The ids come
back masked (``6501••••••••0123``), matched to the request by their position.

A service (framework-free): the API's ``POST /api/v1/ibr/enrolled`` calls it, a CLI could.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import ibis
import pyarrow as pa
from pydantic import BaseModel, Field

from padu.access import KK, NIK, Scope, basis_snapshot, visible_families
from padu.audit import API_IBR
from padu.convergence.sources import RECIPIENT, recipient_rows, year_sources
from padu.errors import InputError
from padu.identifiers import mask_nik
from padu.programmes.store import current_workshop
from padu.register.snapshots import snapshot_table
from padu.stores import Catalog, Warehouse
from padu.stores.warehouse import python_scans

MAX_IDS = 1000
IdKind = Literal["nik", "kk"]
Basis = Literal["planned", "realised"]


class Enrolment(BaseModel):
    """One programme an id is enrolled in."""

    programme: str
    name: str | None
    agency: str | None
    basis: Basis
    year: int


class IdAnswer(BaseModel):
    """The answer for the id at position ``index`` of the request."""

    index: int
    id: str  # masked: the position ties it to the request
    found: bool
    programmes: list[Enrolment] = Field(default_factory=list)


class LookupResult(BaseModel):
    """Every asked id's answer, the year and snapshot they were read in, and the scope."""

    year: int
    by: IdKind
    scope: str  # :meth:`padu.access.Scope.describe`
    snapshot_id: int
    snapshot_label: str
    snapshot_date: dt.date
    answers: list[IdAnswer]


@python_scans
def lookup_enrolled(
    wh: Warehouse, catalog: Catalog, ids: list[str], by: IdKind, scope: Scope, *, actor: str
) -> LookupResult:
    """The enrolment of each id in ``scope.year`` as ``scope`` may see it (audited)."""
    if not scope.persons:
        raise InputError("peran ini tidak boleh membaca data pribadi")  # callers refuse first
    if len(ids) > MAX_IDS:
        raise InputError(f"paling banyak {MAX_IDS} nomor per permintaan, bukan {len(ids)}")
    snap = basis_snapshot(catalog, scope.year)
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    present, members = _families(wh, catalog, snap.id, ind, ids, by)  # position -> KK
    families = sorted(set(present.values()))
    asked = ids if by == "nik" else []
    rows = _rows_near(wh, catalog, scope.year, ind, families, members, asked)
    visible = visible_families(wh, catalog, scope, snap.id, _as_table(rows))
    if visible is not None:
        seen = set(_column(visible.filter(visible.kk.isin(families or ["-"])), "kk"))
        present = {i: f for i, f in present.items() if f in seen}
    workshop, _ = current_workshop(catalog)
    progs = {p.code: p for p in workshop.programmes}
    family_programmes = {c for c, p in progs.items() if p.unit != "individu"}
    answers = [
        IdAnswer(index=i, id=mask_nik(value), found=i in present) for i, value in enumerate(ids)
    ]
    for i, hits in _hits(rows, present, ids, by, family_programmes).items():
        for programme, basis in sorted(hits):
            p = progs.get(programme)
            answers[i].programmes.append(
                Enrolment(programme=programme, name=p.name if p else None,
                          agency=p.agency if p else None, basis=basis, year=scope.year)
            )  # fmt: skip
    detail = {
        "by": by, "ids": list(ids), "n_ids": len(ids), "found": len(present),
        "scope": scope.describe(), "year": scope.year, "snapshot": snap.id,
    }  # fmt: skip
    catalog.record(API_IBR, detail, actor)
    return LookupResult(
        year=scope.year, by=by, scope=scope.describe(), snapshot_id=snap.id,
        snapshot_label=snap.label, snapshot_date=snap.tanggal, answers=answers,
    )  # fmt: skip


def _column(expr: Any, name: str) -> list[Any]:
    return list(expr.to_pyarrow().column(name).to_pylist())


def _families(
    wh: Warehouse, catalog: Catalog, snapshot: int, ind: Any, ids: list[str], by: IdKind
) -> tuple[dict[int, str], set[str]]:
    """Position -> family of each id the snapshot knows (a KK itself, or a person's home:
    the smallest KK the snapshot gives that NIK), and the NIKs of those families' members.

    For NIKs this is one query: every person of a family holding an asked NIK, from which
    both the homes (every row of an asked NIK is among them) and the members follow."""
    if by == "kk":
        kel = snapshot_table(wh, catalog, snapshot, "keluarga")
        known = set(_column(kel.filter(kel[KK].isin(ids)).select(kel[KK]).distinct(), KK))
        present = {i: v for i, v in enumerate(ids) if v in known}
        inside = ind.filter(ind[KK].isin(sorted(known) or ["-"]) & ind[NIK].notnull())
        return present, set(_column(inside.select(ind[NIK]).distinct(), NIK))
    asked = ind.filter(ind[NIK].isin(ids))
    around = ind.filter(ind[KK].isin(asked[KK]) & ind[NIK].notnull()).select(NIK, KK)
    table = around.to_pyarrow()
    pairs = list(zip(table.column(NIK).to_pylist(), table.column(KK).to_pylist(), strict=True))
    wanted, homes = set(ids), dict[str, str]()
    for nik, kk in pairs:
        if nik in wanted and (nik not in homes or kk < homes[nik]):
            homes[nik] = kk
    families = set(homes.values())
    members = {nik for nik, kk in pairs if kk in families}
    return {i: homes[v] for i, v in enumerate(ids) if v in homes}, members


def _homes(ind: Any, niks: list[str]) -> dict[str, str]:
    """NIK -> the smallest KK the snapshot gives it, for the NIKs of ``niks`` it knows."""
    if not niks:
        return {}
    found = ind.filter(ind[NIK].isin(niks)).group_by(_n=ind[NIK]).aggregate(_k=ind[KK].min())
    table = found.to_pyarrow()
    return dict(zip(table.column("_n").to_pylist(), table.column("_k").to_pylist(), strict=True))


def _rows_near(
    wh: Warehouse,
    catalog: Catalog,
    year: int,
    ind: Any,
    families: list[str],
    members: set[str],
    niks: list[str],
) -> list[dict[str, Any]]:
    """The rows of :func:`padu.access.enrolled_rows` whose family is one of ``families``
    (whose members' NIKs are ``members``) or whose NIK is one of ``niks``, found without
    reading every recipient of the year.

    A row's family is the snapshot's home of its person, else the row's own KK. So a row
    belongs to a family F when its person lives in F (its NIK is among F's members), or
    when its person is not in the snapshot and its KK is F; every such row names a member
    of F or F itself, which is a filter the engine can apply while reading. The homes of
    those rows' persons are then looked up to drop the ones who moved elsewhere."""
    if not families and not niks:
        return []
    members = members | set(niks)
    sources = [s for s in year_sources(catalog, year, "both") if s.counted]
    if not sources:
        return []
    rec = recipient_rows(wh, catalog, sources)
    near = rec.filter(rec.status == RECIPIENT)
    near = near.filter(near.nik.isin(sorted(members) or ["-"]) | near.kk.isin(families or ["-"]))
    near = near.select("programme", "basis", "nik", "kk").to_pyarrow().to_pylist()
    homes = _homes(ind, sorted({r["nik"] for r in near if r["nik"] is not None}))
    wanted, asked = set(families), set(niks)
    out = []
    for r in near:
        family = homes.get(r["nik"], r["kk"]) if r["nik"] is not None else r["kk"]
        if family in wanted or r["nik"] in asked:
            out.append({"programme": r["programme"], "basis": r["basis"], "nik": r["nik"],
                        "family": family})  # fmt: skip
    return out


def _as_table(rows: list[dict[str, Any]]) -> Any:
    """Rows of (programme, basis, nik, family) as an engine table (for the scope rule)."""
    columns = ("programme", "basis", "nik", "family")
    return ibis.memtable(
        pa.table({c: pa.array([r[c] for r in rows], pa.string()) for c in columns})
    )


def _hits(
    rows: list[dict[str, Any]], present: dict[int, str], ids: list[str], by: IdKind,
    family_programmes: set[str],
) -> dict[int, set[tuple[str, Basis]]]:  # fmt: skip
    """Position -> {(programme, basis)} for every enrolment of the present ids: through the
    family (for a NIK, family programmes only), and for a NIK through its own rows."""
    by_family: dict[str, set[tuple[str, Basis]]] = {}
    by_nik: dict[str, set[tuple[str, Basis]]] = {}
    for r in rows:
        hit = (r["programme"], r["basis"])
        if r["family"] is not None and (by == "kk" or r["programme"] in family_programmes):
            by_family.setdefault(r["family"], set()).add(hit)
        if by == "nik" and r["nik"] is not None:
            by_nik.setdefault(r["nik"], set()).add(hit)
    return {
        i: by_family.get(family, set()) | by_nik.get(ids[i], set()) for i, family in present.items()
    }
