"""The engine tables every convergence view reads, built once per call in the warehouse.

- families: one row per family of the snapshot with its region, desil, a deprivation flag
  per dimension of the measure and its poverty status;
- units: every recipient row resolved to the snapshot: its unit key, its family in the
  snapshot (persons roll up to the family the snapshot gives their NIK) and that family's
  region and desil;
- eligible: every unit eligible for each programme on the snapshot, ranked as ``padu
  target`` ranks it.

They are temporary tables of the connection, dropped when the caller's
``Warehouse.scratch()`` ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa

from padu.convergence.sources import NOT_FOUND, PENDING, RECIPIENT
from padu.measure.af import Dimension, scored
from padu.measure.measures import Measure
from padu.measure.snapshot import deprivation_table, deprivations
from padu.programmes.model import Programme
from padu.programmes.targeting import eligible_units, person_key, ranked, valid_nik
from padu.register.snapshots import snapshot_table
from padu.rules import compile_rule
from padu.rules.compiler import evaluate
from padu.stores import Catalog, Warehouse

KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"
REGION = ("kode_kabupaten_kota", "kode_kecamatan", "kode_kelurahan_desa")
GROUPS = {
    "kabupaten": "kode_kabupaten_kota",
    "kecamatan": "kode_kecamatan",
    "desa": "kode_kelurahan_desa",
}


@dataclass(frozen=True)
class Base:
    """The engine tables of one convergence call and what their columns mean."""

    families: Any  # kk, REGION, desil, poor, d0..dn
    units: Any  # basis, programme, src, row, status, unit_key, in_s, kk_s, REGION, desil
    eligible: Any  # programme, unit_key, peringkat, kk, REGION
    dims: tuple[str, ...]  # the measure's dimension ids; column ``d{i}`` is dims[i]

    def dep(self, dimension: str) -> str:
        """The family column of a dimension's deprivation flag."""
        return f"d{self.dims.index(dimension)}"


_ARROW = {"string": pa.string(), "boolean": pa.bool_(), "int64": pa.int64()}


def small_table(columns: dict[str, tuple[str, list[Any]]]) -> Any:
    """A small in-memory table (programme lists, pairs) typed column by column: built from
    Arrow, so no column's type is guessed and pandas is never involved."""
    return ibis.memtable(
        pa.table({name: pa.array(values, _ARROW[kind]) for name, (kind, values) in columns.items()})
    )


def temp_key(prefix: str) -> str:
    return f"konv_{prefix}_{uuid.uuid4().hex[:12]}"


def family_table(
    wh: Warehouse, catalog: Catalog, snapshot: int, measure: Measure, *, whole: bool = False
) -> tuple[Any, tuple[str, ...]]:
    """Per family of ``snapshot``: region, numeric desil (99 when not a number), a flag per
    dimension (deprived in at least one of its indicators) and ``poor`` (score >= k; a
    family with a missing indicator is not counted poor, as ``padu mpi`` leaves it out).

    ``whole``: the expression will be computed for every family (call inside
    ``wh.scratch()``); the indicators are then written once to a temporary table first, as
    the score and each dimension's flag read them again (PostgreSQL would evaluate the
    rules once per reading). Without it (one family's card) they stay an expression.
    """
    weights = [Dimension(i.id, i.weight) for i in measure.indicators]
    if whole:
        source = deprivations(wh, catalog, snapshot, measure, [KK, *REGION, "desil_nasional"])
    else:
        source = deprivation_table(wh, catalog, snapshot, measure)
    table = scored(source, weights, measure.k)
    dims = tuple(d.id for d in measure.dimensions)
    flags: dict[str, Any] = {}
    for i, dim in enumerate(dims):
        flag = ibis.literal(False)
        for ind in measure.indicators:
            if ind.dimension == dim:
                flag = flag | (table[ind.id].fill_null(0) == 1)
        flags[f"d{i}"] = flag
    desil = table.desil_nasional
    expr = table.select(
        kk=table[KK],
        **{c: table[c] for c in REGION},
        desil=ibis.ifelse(desil.re_search(r"^[0-9]+$"), desil.cast("int64"), 99),
        poor=table.miskin.fill_null(False),
        **flags,
    )
    return expr, dims


def resolve_units(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: int,
    rows: Any,
    families: Any,
    programmes: dict[str, Programme],
) -> Any:
    """Recipient rows tied to the snapshot: unit key, family in the snapshot, its region.

    A row names a register person (NIK and KK as linked or drawn). That person is looked
    up in the snapshot by NIK and KK together, else by a valid NIK alone (a person who
    moved to another family); the family in the snapshot is then that person's, and for a
    row without a NIK the KK's. A person programme's unit is the person as ``padu target``
    counts one (the valid NIK, else the record), a family programme's the family in the
    snapshot (else the KK as written). A row without a key (an unmatched row) is a unit of
    its own.
    """
    person = small_table(
        {
            "_p": ("string", list(programmes)),
            "_person": ("boolean", [p.unit == "individu" for p in programmes.values()]),
        }
    )
    ind = snapshot_table(wh, catalog, snapshot, "individu")
    who = ind.select(_n=ind[NIK], _k=ind[KK], _pu=person_key(ind), _valid=valid_nik(ind))
    pairs = who.group_by("_n", "_k").aggregate(_pu1=who["_pu"].min())
    valid = who.filter(who["_valid"])
    by_nik = valid.group_by(_n2=valid["_n"]).aggregate(
        _k2=valid["_k"].min(), _pu2=valid["_pu"].min()
    )
    r = _flat(rows.left_join(person, rows.programme == person["_p"]))
    r = _flat(r.left_join(pairs, [r.nik == pairs["_n"], r.kk == pairs["_k"]]))
    r = _flat(r.left_join(by_nik, r.nik == by_nik["_n2"]))
    is_person = r["_person"].fill_null(False)
    own = ibis.literal("baris:") + r.src + ":" + r.row.cast("string")
    tied = r.status == RECIPIENT
    found_kk = r["_k"].fill_null(r["_k2"])
    kk_guess = ibis.ifelse(
        r.nik.isnull(), r.kk, ibis.ifelse(is_person, found_kk, found_kk.fill_null(r.kk))
    )
    person_unit = r["_pu1"].fill_null(r["_pu2"]).fill_null(r.nik).fill_null(own)
    r = r.select(
        "basis", "programme", "src", "row", "status",
        _person=is_person,
        _unit=ibis.ifelse(tied, person_unit, own),
        _kk_written=r.kk,
        _kk=ibis.ifelse(tied, kk_guess, ibis.null().cast("string")),
    )  # fmt: skip
    fam = families.select("kk", *REGION, "desil")
    out = r.left_join(fam, r["_kk"] == fam.kk)
    family_unit = out.kk.fill_null(out["_kk_written"]).fill_null(out["_unit"])
    return out.select(
        "basis",
        "programme",
        "src",
        "row",
        "status",
        unit_key=ibis.ifelse(
            out.status != RECIPIENT,
            out["_unit"],
            ibis.ifelse(out["_person"], out["_unit"], family_unit),
        ),
        in_s=out.kk.notnull(),
        kk_s=out.kk,
        **{c: out[c] for c in REGION},
        desil=out.desil,
    )


def _flat(joined: Any) -> Any:
    """A finished join as a plain table expression (the next join can then refer to it)."""
    return joined.select(*joined.columns)


def eligible_table(
    wh: Warehouse, catalog: Catalog, snapshot: int, programmes: list[Programme], families: Any
) -> Any:
    """Every eligible unit of every programme, ranked as ``padu target`` ranks it, with
    its family's region (the unit key is ``padu target``'s).

    Every programme's rule is evaluated in one pass over the snapshot (the member
    aggregates the rules share are computed once).
    """
    parts = []
    flags = _eligibility_flags(wh, catalog, snapshot, programmes)
    for i, p in enumerate(programmes):
        mine = flags.filter(flags[f"_e{i}"]).select("_kk")
        units, _ = eligible_units(wh, catalog, p, snapshot, eligible=mine)
        order = ranked(units)
        key = order["_unit"]  # the KK, or the person as padu target counts one
        parts.append(
            order.select(
                programme=ibis.literal(p.code),
                unit_key=key,
                peringkat=order.peringkat.cast("int64"),
                kk=order[KK],
            )
        )
    fam = families.select(*REGION, _fkk=families.kk)
    if not parts:
        empty = small_table(
            {
                "programme": ("string", []),
                "unit_key": ("string", []),
                "peringkat": ("int64", []),
                "kk": ("string", []),
            }
        )
        parts.append(empty)
    union = parts[0]
    for part in parts[1:]:
        union = union.union(part, distinct=False)
    one = union.group_by("programme", "unit_key").aggregate(
        peringkat=union.peringkat.min(), kk=union.kk.min()
    )
    out = one.join(fam, one.kk == fam["_fkk"])
    return out.select("programme", "unit_key", "peringkat", "kk", *REGION)


def _eligibility_flags(
    wh: Warehouse, catalog: Catalog, snapshot: int, programmes: list[Programme]
) -> Any:
    """One row per family: ``_kk`` and ``_e{i}``, whether programme i's rule holds."""
    snap = catalog.snapshot(snapshot)
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    rules = {f"_e{i}": compile_rule(p.rule) for i, p in enumerate(programmes)}
    table, exprs = evaluate(rules, kel, ind, snap.tanggal)
    expr = table.select(_kk=table[KK], **{k: e.fill_null(False) for k, e in exprs.items()})
    return wh.temp(temp_key("syarat"), expr, reuse=False)


def build_base(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: int,
    measure: Measure,
    rows: Any,
    programmes: dict[str, Programme],
) -> Base:
    """Materialise the three tables (call inside ``wh.scratch()``)."""
    fam_expr, dims = family_table(wh, catalog, snapshot, measure, whole=True)
    families = wh.temp(temp_key("keluarga"), fam_expr, reuse=False)
    listed = wh.temp(temp_key("baris"), rows, reuse=False)
    units = wh.temp(
        temp_key("unit"),
        resolve_units(wh, catalog, snapshot, listed, families, programmes),
        reuse=False,
    )
    eligible = wh.temp(
        temp_key("layak"),
        eligible_table(wh, catalog, snapshot, list(programmes.values()), families),
        reuse=False,
    )
    return Base(families, units, eligible, dims)


__all__ = ["GROUPS", "NOT_FOUND", "PENDING", "RECIPIENT", "REGION", "Base", "build_base"]
