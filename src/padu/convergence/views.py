"""The convergence views: overlap, gaps, targeting errors and coverage, in the engine.

:func:`convergence` is the service behind ``padu convergence``. It picks the year's
sources (:mod:`padu.convergence.sources`), builds the engine tables once
(:mod:`padu.convergence.base`) and answers every view with aggregate queries, for the
province and, with ``by``, for each kabupaten, kecamatan or desa. Only counts leave the
engine. The definitions are in ``docs/convergence.md``; a plain-Python recomputation in
the tests must agree with them exactly.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ibis

from padu.convergence.base import GROUPS, Base, build_base, small_table
from padu.convergence.sources import (
    BASES,
    NOT_FOUND,
    PENDING,
    RECIPIENT,
    Basis,
    Source,
    recipient_rows,
    year_sources,
)
from padu.errors import UsageError
from padu.measure.measures import get_measure
from padu.programmes.model import Programme
from padu.programmes.store import current_workshop
from padu.regions import Region, kaltara
from padu.stores import Catalog, Warehouse

INCLUSION = ("not_found", "left_register", "desil_6_10", "outside_scope")
Key = str | None  # a region code, or None for the province


@dataclass(frozen=True)
class _Ctx:
    base: Base
    programmes: dict[str, Programme]  # the programmes with a source, by code
    agencies: Any  # table programme -> agency
    reached: Any  # distinct (kk, programme, agency, region columns) reached in S
    concentration: int
    units: Any  # one row per recipient unit of a programme, its region and inclusion error
    hits: Any  # the eligible units, each with ``_hit``: whether it is a recipient
    pairs: Any  # per family reached by two programmes: (kk, _a, _b, region columns), _a < _b


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 6) if den else None


def _grouped(
    expr: Any, group: str | None, by: Sequence[str] = (), **aggs: Any
) -> list[dict[str, Any]]:
    """``expr`` aggregated by ``by`` (and the region column ``group``), as rows with
    ``_g`` = the region code (None without a group)."""
    keys = [*by, *([group] if group else [])]
    q = expr.group_by(keys).aggregate(**aggs) if keys else expr.aggregate(**aggs)
    rows: list[dict[str, Any]] = q.to_pyarrow().to_pylist()
    for r in rows:
        r["_g"] = r.pop(group) if group else None
    return rows


def _true(condition: Any) -> Any:
    """How many rows meet ``condition`` (NULL counts as not), on every engine (PostgreSQL
    cannot cast a boolean to a bigint)."""
    return ibis.ifelse(condition.fill_null(False), 1, 0).sum()


def _n(value: Any) -> int:
    return int(value or 0)


def _scope(programme: Any, desa: Any, programmes: dict[str, Programme]) -> Any:
    """Whether a family's desa is inside its programme's region scope."""
    cases = [
        (programme == code, ibis.or_(*(desa.startswith(r) for r in p.regions)))
        for code, p in programmes.items()
        if p.regions
    ]
    return ibis.cases(*cases, else_=True) if cases else ibis.literal(True)


class _Slots(dict[Key, dict[str, Any]]):
    """Per region key, the view's dictionary, made from ``fresh`` on first use."""

    def __init__(self, fresh: Any) -> None:
        super().__init__()
        self.fresh = fresh

    def at(self, key: Key) -> dict[str, Any]:
        if key not in self:
            self[key] = self.fresh()
        return self[key]


# -- overlap -------------------------------------------------------------------------------
def _overlap(ctx: _Ctx, group: str | None) -> _Slots:
    progs = ctx.programmes
    gcols = [group] if group else []
    top = ctx.concentration
    labels = [str(i) for i in range(1, top)] + [f"{top}+"]
    out = _Slots(
        lambda: {
            "same_dimension_families": 0,
            "same_programme_families": 0,
            "complementary_families": 0,
            "by_dimension": {},
            "concentration": {
                "threshold": ctx.concentration,
                "families": 0,
                "distribution": dict.fromkeys(labels, 0),
            },
            "by_agency_pair": [],
        }
    )
    codes = sorted(progs)
    pair_rows = []
    for i, a in enumerate(codes):
        for b in codes[i + 1 :]:
            compl = b in progs[a].complements or a in progs[b].complements
            shared = sorted(set(progs[a].dimensions) & set(progs[b].dimensions))
            pair_rows.append((a, b, bool(shared) and not compl, compl, shared))
    if pair_rows:
        pairs = small_table(
            {
                "_pa": ("string", [r[0] for r in pair_rows]),
                "_pb": ("string", [r[1] for r in pair_rows]),
                "_same": ("boolean", [r[2] for r in pair_rows]),
                "_compl": ("boolean", [r[3] for r in pair_rows]),
            }
        )
        both = ctx.pairs
        j = both.join(pairs, [both["_a"] == pairs["_pa"], both["_b"] == pairs["_pb"]])
        fam = j.group_by(["kk", *gcols]).aggregate(_same=j["_same"].any(), _compl=j["_compl"].any())
        for r in _grouped(
            fam,
            group,
            same=_true(fam["_same"]),
            compl=_true(fam["_compl"]),
        ):
            s = out.at(r["_g"])
            s["same_dimension_families"] = _n(r["same"])
            s["complementary_families"] = _n(r["compl"])
        dim_rows = [(pa_, pb_, d) for pa_, pb_, same, _, dims in pair_rows if same for d in dims]
        if dim_rows:
            pd_ = small_table(
                {
                    "_pa": ("string", [r[0] for r in dim_rows]),
                    "_pb": ("string", [r[1] for r in dim_rows]),
                    "dim": ("string", [r[2] for r in dim_rows]),
                }
            )
            jd = both.join(pd_, [both["_a"] == pd_["_pa"], both["_b"] == pd_["_pb"]])
            per = jd.select("kk", "dim", *gcols).distinct()
            for r in _grouped(per, group, ["dim"], n=per.count()):
                out.at(r["_g"])["by_dimension"][r["dim"]] = _n(r["n"])
    _same_programme(ctx, group, out)
    _concentration(ctx, group, out)
    _agency_pairs(ctx, group, out)
    for s in out.values():
        s["by_dimension"] = dict(sorted(s["by_dimension"].items()))
        dist = s["concentration"]["distribution"]
        s["concentration"]["distribution"] = {k: dist.get(k, 0) for k in labels}
        s["by_agency_pair"].sort(key=lambda p: (-p["families"], p["agencies"]))
    return out


def _same_programme(ctx: _Ctx, group: str | None, out: _Slots) -> None:
    u = ctx.base.units
    rec = u.filter((u.status == RECIPIENT) & u.in_s)
    gcols = [group] if group else []
    twice = rec.group_by("basis", "programme", "unit_key").aggregate(
        _n=rec.count(), kk=rec.kk_s.min(), **{g: rec[g].min() for g in gcols}
    )
    fams = twice.filter(twice["_n"] > 1).select("kk", *gcols).distinct()
    for r in _grouped(fams, group, n=fams.count()):
        out.at(r["_g"])["same_programme_families"] = _n(r["n"])


def _concentration(ctx: _Ctx, group: str | None, out: _Slots) -> None:
    fp, top = ctx.reached, ctx.concentration
    gcols = [group] if group else []
    per = fp.group_by(["kk", *gcols]).aggregate(_n=fp.count())
    per = per.mutate(_b=ibis.least(per["_n"], top))
    for r in _grouped(per, group, ["_b"], n=per.count()):
        conc = out.at(r["_g"])["concentration"]
        label = f"{r['_b']}+" if r["_b"] == top else str(r["_b"])
        conc["distribution"][label] = _n(r["n"])
        if r["_b"] == top:
            conc["families"] = _n(r["n"])


def _agency_pairs(ctx: _Ctx, group: str | None, out: _Slots) -> None:
    fp = ctx.reached
    gcols = [group] if group else []
    fa = fp.select("kk", "agency", *gcols).distinct()
    b = fa.select(_kk2=fa.kk, _ag2=fa.agency)
    j = fa.join(b, [fa.kk == b["_kk2"], fa.agency < b["_ag2"]])
    for r in _grouped(j, group, ["agency", "_ag2"], n=j.count()):
        out.at(r["_g"])["by_agency_pair"].append(
            {"agencies": [r["agency"], r["_ag2"]], "families": _n(r["n"])}
        )


# -- gaps ----------------------------------------------------------------------------------
def _aims(ctx: _Ctx) -> Any:
    """Programme -> dimension, for the measure's dimensions each programme aims at."""
    rows = [
        (code, d) for code, p in ctx.programmes.items() for d in p.dimensions if d in ctx.base.dims
    ]
    return small_table(
        {"_p": ("string", [r[0] for r in rows]), "dim": ("string", [r[1] for r in rows])}
    )


def _gaps(
    ctx: _Ctx, group: str | None
) -> tuple[_Slots, _Slots, _Slots, dict[Key, list[dict[str, Any]]]]:
    """Per region: gaps by dimension, the poor reached, family counts and the dimension x
    agency cells."""
    base, fp = ctx.base, ctx.reached
    fam = base.families
    dims = base.dims
    aims = _aims(ctx)
    reach = fp.join(aims, fp.programme == aims["_p"]).select("kk", "agency", "dim")
    per = reach.group_by(_rk=reach.kk).aggregate(
        **{f"_r{i}": (reach.dim == d).any() for i, d in enumerate(dims)}
    )
    anyone = fp.select(_ak=fp.kk).distinct()
    f = fam.left_join(per, fam.kk == per["_rk"]).left_join(anyone, fam.kk == anyone["_ak"])
    aggs: dict[str, Any] = {
        "families": f.count(),
        "poor": _true(f.poor),
        "poor_reached": _true(f.poor & f["_ak"].notnull()),
    }
    for i in range(len(dims)):
        reached = f[f"_r{i}"].fill_null(False)
        aggs[f"dep{i}"] = _true(f[f"d{i}"])
        aggs[f"reach{i}"] = _true(f[f"d{i}"] & reached)
    gaps = _Slots(lambda: {d: {"deprived": 0, "reached": 0, "unreached": 0} for d in dims})
    poor = _Slots(lambda: {"poor": 0, "reached": 0, "unreached": 0})
    families = _Slots(lambda: {"families": 0})
    for r in _grouped(f, group, **aggs):
        g = r["_g"]
        for i, d in enumerate(dims):
            dep, hit = _n(r[f"dep{i}"]), _n(r[f"reach{i}"])
            gaps.at(g)[d] = {"deprived": dep, "reached": hit, "unreached": dep - hit}
        p, hit = _n(r["poor"]), _n(r["poor_reached"])
        poor.at(g).update(poor=p, reached=hit, unreached=p - hit)
        families.at(g)["families"] = _n(r["families"])
    cells: dict[Key, list[dict[str, Any]]] = {}
    distinct = reach.distinct()
    j = distinct.join(fam, distinct.kk == fam.kk)
    deprived = ibis.cases(*((j.dim == d, j[f"d{i}"]) for i, d in enumerate(dims)), else_=False)
    hit = j.filter(deprived)
    for r in _grouped(hit, group, ["dim", "agency"], n=hit.count()):
        cells.setdefault(r["_g"], []).append(
            {"dimension": r["dim"], "agency": r["agency"], "families": _n(r["n"])}
        )
    order = {d: i for i, d in enumerate(dims)}
    for c in cells.values():
        c.sort(key=lambda x: (order[x["dimension"]], x["agency"]))
    return gaps, poor, families, cells


# -- targeting errors and coverage ---------------------------------------------------------
def _programme_stats(ctx: _Ctx, group: str | None) -> _Slots:
    progs = ctx.programmes
    empty = {
        code: {
            "agency": p.agency,
            "unit": p.unit,
            "dimensions": list(p.dimensions),
            "recipients": 0,
            "inclusion": dict.fromkeys(INCLUSION, 0),
            "inclusion_error": None,
            "eligible": 0,
            "eligible_reached": 0,
            "exclusion_error": None,
            "priority_skipped": 0,
            "coverage": None,
            "deprived": 0,
            "deprived_reached": 0,
            "deprived_coverage": None,
            "pending_review": 0,
        }
        for code, p in sorted(progs.items())
    }
    out = _Slots(lambda: copy.deepcopy(empty))
    per = ctx.units
    aggs = {k: _true(per["_why"] == k) for k in INCLUSION}
    for r in _grouped(per, group, ["programme"], n=per.count(), **aggs):
        s = out.at(r["_g"])[r["programme"]]
        s["recipients"] = _n(r["n"])
        s["inclusion"] = {k: _n(r[k]) for k in INCLUSION}
    e = ctx.hits
    for r in _grouped(e, group, ["programme"], n=e.count(), hit=_true(e["_hit"])):
        s = out.at(r["_g"])[r["programme"]]
        s["eligible"], s["eligible_reached"] = _n(r["n"]), _n(r["hit"])
    _priority(ctx, e, group, out)
    _deprived_coverage(ctx, group, out)
    if group is None:
        _pending(ctx, out)
    for region in out.values():
        _rates(region)
    return out


def _unit_table(base: Base, progs: dict[str, Programme]) -> Any:
    """One row per recipient unit of a programme (pending rows left out): its region, and
    ``_why``, the first inclusion error that holds (NULL for none)."""
    u = base.units.filter(base.units.status != PENDING)
    per = u.group_by("programme", "unit_key").aggregate(
        _nf=(u.status == NOT_FOUND).any(),
        _ins=u.in_s.any(),
        _desil=u.desil.min(),
        **{g: u[g].max() for g in GROUPS.values()},
    )
    inside = _scope(per.programme, per.kode_kelurahan_desa.fill_null(""), progs)
    reason = ibis.cases(
        (per["_nf"], "not_found"),
        (~per["_ins"], "left_register"),
        ((per["_desil"] >= 6) & (per["_desil"] <= 10), "desil_6_10"),
        (~inside, "outside_scope"),
        else_=ibis.null().cast("string"),
    )
    return per.mutate(_why=reason)


def _hit_table(base: Base, units: Any) -> Any:
    """The eligible units, each with ``_hit``: whether it is a recipient."""
    el = base.eligible
    keys = units.select(_p=units.programme, _u=units.unit_key)
    e = el.left_join(keys, [el.programme == keys["_p"], el.unit_key == keys["_u"]])
    return e.mutate(_hit=e["_u"].notnull()).drop("_p", "_u")


def _pair_table(reached: Any) -> Any:
    """Every family reached by two programmes, once per pair (``_a`` < ``_b``)."""
    a = reached.select("kk", *GROUPS.values(), _a=reached.programme)
    b = reached.select(_kk2=reached.kk, _b=reached.programme)
    return a.join(b, [a.kk == b["_kk2"], a["_a"] < b["_b"]]).drop("_kk2")


def _priority(ctx: _Ctx, e: Any, group: str | None, out: _Slots) -> None:
    """Eligible units ranked before the last-ranked eligible recipient that receive nothing."""
    gcols = [group] if group else []
    last = e.filter(e["_hit"]).group_by(["programme", *gcols]).aggregate(_last=e.peringkat.max())
    on = [e.programme == last.programme, *(e[g] == last[g] for g in gcols)]
    before = e.join(last, on)
    skipped = before.filter(~before["_hit"] & (before.peringkat < before["_last"]))
    for r in _grouped(skipped, group, ["programme"], n=skipped.count()):
        out.at(r["_g"])[r["programme"]]["priority_skipped"] = _n(r["n"])


def _pending(ctx: _Ctx, out: _Slots) -> None:
    """Rows still waiting for a reviewer (province only: they are tied to no family)."""
    pend = ctx.base.units.filter(ctx.base.units.status == PENDING)
    for r in _grouped(pend, None, ["programme"], n=pend.count()):
        out.at(None)[r["programme"]]["pending_review"] = _n(r["n"])


def _rates(programmes: dict[str, dict[str, Any]]) -> None:
    for s in programmes.values():
        s["inclusion_error"] = _rate(sum(s["inclusion"].values()), s["recipients"])
        s["exclusion_error"] = _rate(s["eligible"] - s["eligible_reached"], s["eligible"])
        s["coverage"] = _rate(s["eligible_reached"], s["eligible"])
        s["deprived_coverage"] = _rate(s["deprived_reached"], s["deprived"])


def _deprived_condition(ctx: _Ctx, code: str, table: Any) -> Any:
    """A family of ``table`` is deprived in one of the programme's dimensions, in scope."""
    p = ctx.programmes[code]
    flags = [table[ctx.base.dep(d)] for d in p.dimensions if d in ctx.base.dims]
    if not flags:
        return ibis.literal(False)
    inside = (
        ibis.or_(*(table.kode_kelurahan_desa.startswith(r) for r in p.regions))
        if p.regions
        else ibis.literal(True)
    )
    return ibis.or_(*flags) & inside


def _deprived_coverage(ctx: _Ctx, group: str | None, out: _Slots) -> None:
    fam, fp = ctx.base.families, ctx.reached
    codes = sorted(ctx.programmes)
    if not codes:
        return
    aggs = {f"_c{i}": _true(_deprived_condition(ctx, c, fam)) for i, c in enumerate(codes)}
    for r in _grouped(fam, group, **aggs):
        for i, c in enumerate(codes):
            out.at(r["_g"])[c]["deprived"] = _n(r[f"_c{i}"])
    j = fp.select("kk", "programme").join(fam, fp.kk == fam.kk)
    cond = ibis.cases(
        *((j.programme == c, _deprived_condition(ctx, c, j)) for c in codes), else_=False
    )
    hit = j.filter(cond)
    for r in _grouped(hit, group, ["programme"], n=hit.count()):
        out.at(r["_g"])[r["programme"]]["deprived_reached"] = _n(r["n"])


# -- the service ---------------------------------------------------------------------------
def convergence(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    year: int,
    *,
    basis: Basis = "both",
    by: str | None = None,
    measure: str = "padu-7",
    concentration: int = 4,
) -> dict[str, Any]:
    """Every convergence view of ``year`` on ``snapshot`` (the JSON of ``padu
    convergence``; its shape and every definition are in ``docs/convergence.md``)."""
    if by is not None and by not in GROUPS:
        raise UsageError(f"--by harus salah satu dari {', '.join(GROUPS)}, bukan {by!r}")
    with wh.scratch():
        prepared = prepare(
            wh, catalog, snapshot, year, basis=basis, measure=measure, concentration=concentration
        )
        return all_views(prepared, by)


@dataclass(frozen=True)
class Prepared:
    """The engine set-up of one year on one snapshot: what every view reads."""

    ctx: _Ctx
    year: int
    basis: str
    snapshot: Any  # SnapshotRow
    measure: Any  # Measure
    sources: list[Source]
    warnings: list[str]
    without: list[str]
    reference: bool


def prepare(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    year: int,
    *,
    basis: Basis = "both",
    measure: str = "padu-7",
    concentration: int = 4,
) -> Prepared:
    """Choose the sources and build the engine tables (temporary: call inside
    ``wh.scratch()``, and ask :func:`all_views` before it ends)."""
    if basis not in BASES:
        raise UsageError(f"--basis harus salah satu dari {', '.join(BASES)}, bukan {basis!r}")
    if concentration < 2:
        raise UsageError("--concentration: paling sedikit 2 program")
    snap = catalog.snapshot(snapshot)
    chosen = get_measure(measure, catalog)
    workshop, _ = current_workshop(catalog)
    known = {p.code: p for p in workshop.programmes}
    sources = year_sources(catalog, year, basis)
    warnings = _warnings(catalog, year, snap.id, sources, known)
    listed = {s.programme for s in sources if s.programme in known}
    progs = {c: known[c] for c in sorted(listed)}
    without = sorted(c for c, p in known.items() if p.fiscal_year == year and c not in listed)
    counted = [s for s in sources if s.programme in known]
    rows = recipient_rows(wh, catalog, counted)
    base = build_base(wh, catalog, snap.id, chosen, rows, progs)
    agencies = small_table(
        {"_ap": ("string", list(progs)), "agency": ("string", [p.agency for p in progs.values()])}
    )
    u = base.units
    rec = u.filter((u.status == RECIPIENT) & u.in_s)
    fp = rec.select(kk=rec.kk_s, programme=rec.programme, **{c: rec[c] for c in GROUPS.values()})
    fp = fp.distinct()
    fp = fp.join(agencies, fp.programme == agencies["_ap"]).drop("_ap")
    reached = wh.temp(_temp_key("terjangkau"), fp, reuse=False)
    units = wh.temp(_temp_key("unit_program"), _unit_table(base, progs), reuse=False)
    hits = wh.temp(_temp_key("layak_terjangkau"), _hit_table(base, units), reuse=False)
    pairs = wh.temp(_temp_key("pasangan"), _pair_table(reached), reuse=False)
    ref = catalog.reference(year)
    return Prepared(
        _Ctx(base, progs, agencies, reached, concentration, units, hits, pairs),
        year,
        basis,
        snap,
        chosen,
        sources,
        warnings,
        without,
        ref is not None and ref.snapshot_id == snap.id,
    )


def _temp_key(name: str) -> str:
    return f"konv_{name}_{uuid.uuid4().hex[:12]}"


def all_views(prepared: Prepared, by: str | None = None) -> dict[str, Any]:
    """Every view of a prepared year, for the province and, with ``by``, per region."""
    if by is not None and by not in GROUPS:
        raise UsageError(f"--by harus salah satu dari {', '.join(GROUPS)}, bukan {by!r}")
    ctx, snap, chosen = prepared.ctx, prepared.snapshot, prepared.measure
    views: dict[str | None, dict[Key, dict[str, Any]]]
    if by is None:
        views = {None: _views(ctx, None)}
    else:
        views = {by: _views(ctx, GROUPS[by])}
        views[None] = {None: _province(ctx, views[by])}
    result: dict[str, Any] = {
        "year": prepared.year,
        "basis": prepared.basis,
        "measure": chosen.id,
        "dimension_labels": {d.id: d.label_id for d in chosen.dimensions},
        "by": by,
        "snapshot": {
            "id": snap.id,
            "label": snap.label,
            "tanggal": snap.tanggal.isoformat(),
            "reference": prepared.reference,
        },
        **views[None][None],
        "sources": [s.describe() for s in prepared.sources],
        "warnings": prepared.warnings,
        "programmes_without_list": prepared.without,
    }
    if by:
        regions = kaltara()
        result["regions"] = [
            {
                "level": by,
                "kode": code,
                "nama": _region_name(regions.find(code), code),
                **view,
            }
            for code, view in sorted(views[by].items(), key=lambda kv: str(kv[0]))
            if code is not None
        ]
    return result


def _region_name(region: Region | None, code: str) -> str:
    return region.nama if region is not None else code


def _views(ctx: _Ctx, group: str | None) -> dict[Key, dict[str, Any]]:
    """Every view for the province (``group`` None) or per region of ``group``; with a
    group, the key None holds the programme figures of units in no region (not in S)."""
    overlap = _overlap(ctx, group)
    gaps, poor, families, cells = _gaps(ctx, group)
    programmes = _programme_stats(ctx, group)
    out: dict[Key, dict[str, Any]] = {}
    if group is not None and None in programmes:
        out[None] = {"programmes": programmes[None]}
    for g in families:
        out[g] = {
            "families": families[g]["families"],
            "overlap": overlap.at(g),
            "gaps": gaps.at(g),
            "poor": poor.at(g),
            "dimension_agency": cells.get(g, []),
            "programmes": programmes.at(g),
        }
    return out


def _province(ctx: _Ctx, regions: dict[Key, dict[str, Any]]) -> dict[str, Any]:
    """The province figures from the regions': every family lives in exactly one region,
    so family counts add up; only the priority skipped (its cut-off rank is the province's
    own) and the rows waiting for review are asked of the engine again."""
    # the regions first (the units in none only add programme figures, keys stay in order)
    parts = [regions[g] for g in sorted(regions, key=lambda k: (k is None, str(k)))]
    total: dict[str, Any] = _sum(parts)
    total["overlap"]["concentration"]["threshold"] = ctx.concentration
    total["overlap"]["by_agency_pair"].sort(key=lambda p: (-p["families"], p["agencies"]))
    order = {d: i for i, d in enumerate(ctx.base.dims)}
    total["dimension_agency"].sort(key=lambda x: (order[x["dimension"]], x["agency"]))
    out = _Slots(lambda: total["programmes"])
    for s in total["programmes"].values():
        s["priority_skipped"] = 0
        s["pending_review"] = 0
    _priority(ctx, ctx.hits, None, out)
    _pending(ctx, out)
    _rates(total["programmes"])
    return total


def _sum(values: list[Any]) -> Any:
    """Same-shaped views added up: numbers summed, mappings key by key, lists of cells
    (``families`` beside the cell's names) cell by cell; text and rates kept."""
    first = values[0]
    if isinstance(first, bool) or not isinstance(first, int | dict | list):
        return first
    if isinstance(first, int):
        return sum(values)
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for v in values for k in v))
        return {k: _sum([v[k] for v in values if k in v]) for k in keys}
    if not any(isinstance(item, dict) for v in values for item in v):
        return first
    cells: dict[str, dict[str, Any]] = {}
    for v in values:
        for item in v:
            name = repr(sorted((k, str(x)) for k, x in item.items() if k != "families"))
            if name in cells:
                cells[name]["families"] += item["families"]
            else:
                cells[name] = dict(item)
    return list(cells.values())


def _warnings(
    catalog: Catalog, year: int, snapshot: int, sources: list[Source], known: dict[str, Programme]
) -> list[str]:
    """Sentences about what the reader must know: the reference, unknown programmes."""
    out: list[str] = []
    ref = catalog.reference(year)
    if ref is None:
        out.append(
            f"Tahun {year} belum punya snapshot acuan (padu register reference); "
            "semua sumber ditandai bukan acuan."
        )
    elif ref.snapshot_id != snapshot:
        out.append(
            f"Snapshot {snapshot} bukan acuan tahun {year} (acuan: snapshot {ref.snapshot_id})."
        )
    for s in sources:
        if s.programme not in known:
            out.append(
                f"{_name(s)} untuk program {s.programme} yang tidak ada di daftar program; "
                "tidak dihitung."
            )
        elif ref is not None and s.off_reference:
            out.append(
                f"{_name(s)} program {s.programme} ditarik dari snapshot {s.snapshot}, "
                f"bukan acuan tahun {year} (snapshot {ref.snapshot_id})."
            )
    return out


def _name(s: Source) -> str:
    if s.kind == "adoption":
        return f"Adopsi #{s.id}"
    return f"Daftar tertaut #{s.id} ({s.file})"
