"""The counts behind every convergence view, as grouped queries on the engine tables.

Each view function answers for the province (``group`` None) or per region of a region
column, on the tables :func:`padu.convergence.views.prepare` builds once; only counts
leave the engine. The definitions are in ``docs/convergence.md``.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ibis

from padu.convergence.base import GROUPS, Base, small_table
from padu.convergence.sources import NOT_FOUND, PENDING, RECIPIENT
from padu.programmes.model import Programme

INCLUSION = ("not_found", "left_register", "desil_6_10", "outside_scope")
Key = str | None  # a region code, or None for the province


@dataclass(frozen=True)
class Ctx:
    base: Base
    programmes: dict[str, Programme]  # the programmes with a source, by code
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


class Slots(dict[Key, dict[str, Any]]):
    """Per region key, the view's dictionary, made from ``fresh`` on first use."""

    def __init__(self, fresh: Any) -> None:
        super().__init__()
        self.fresh = fresh

    def at(self, key: Key) -> dict[str, Any]:
        if key not in self:
            self[key] = self.fresh()
        return self[key]


# -- overlap -------------------------------------------------------------------------------
def overlap_view(ctx: Ctx, group: str | None) -> Slots:
    progs = ctx.programmes
    gcols = [group] if group else []
    top = ctx.concentration
    labels = [str(i) for i in range(1, top)] + [f"{top}+"]
    out = Slots(
        lambda: {
            "same_dimension_families": 0,
            "same_programme_families": 0,
            "complementary_families": 0,
            "by_dimension": dict.fromkeys(ctx.base.dims, 0),
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
        dim_rows = [
            (pa_, pb_, d)
            for pa_, pb_, same, _, dims in pair_rows
            if same
            for d in dims
            if d in ctx.base.dims
        ]
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
        dist = s["concentration"]["distribution"]
        s["concentration"]["distribution"] = {k: dist.get(k, 0) for k in labels}
        s["by_agency_pair"].sort(key=lambda p: (-p["families"], p["agencies"]))
    return out


def _same_programme(ctx: Ctx, group: str | None, out: Slots) -> None:
    """Families holding a unit that one source (one adopted list, one linked file) lists
    twice or more; every family the duplicated unit's rows roll up to counts, in its own
    region. The same unit in two sources (tranches of one programme) is not a duplicate."""
    u = ctx.base.units
    rec = u.filter((u.status == RECIPIENT) & u.in_s)
    gcols = [group] if group else []
    twice = rec.group_by("src", "unit_key").aggregate(_n=rec.count())
    twice = twice.filter(twice["_n"] > 1).select(_s=twice.src, _u=twice.unit_key)
    hit = rec.join(twice, [rec.src == twice["_s"], rec.unit_key == twice["_u"]])
    fams = hit.select(kk=hit.kk_s, **{g: hit[g] for g in gcols}).distinct()
    for r in _grouped(fams, group, n=fams.count()):
        out.at(r["_g"])["same_programme_families"] = _n(r["n"])


def _concentration(ctx: Ctx, group: str | None, out: Slots) -> None:
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


def _agency_pairs(ctx: Ctx, group: str | None, out: Slots) -> None:
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
def _aims(ctx: Ctx) -> Any:
    """Programme -> dimension, for the measure's dimensions each programme aims at."""
    rows = [
        (code, d) for code, p in ctx.programmes.items() for d in p.dimensions if d in ctx.base.dims
    ]
    return small_table(
        {"_p": ("string", [r[0] for r in rows]), "dim": ("string", [r[1] for r in rows])}
    )


def gap_view(
    ctx: Ctx, group: str | None
) -> tuple[Slots, Slots, Slots, dict[Key, list[dict[str, Any]]]]:
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
    gaps = Slots(lambda: {d: {"deprived": 0, "reached": 0, "unreached": 0} for d in dims})
    poor = Slots(lambda: {"poor": 0, "reached": 0, "unreached": 0})
    families = Slots(lambda: {"families": 0})
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
def programme_view(ctx: Ctx, group: str | None) -> Slots:
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
    out = Slots(lambda: copy.deepcopy(empty))
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
    priority_skipped(ctx, e, group, out)
    _deprived_coverage(ctx, group, out)
    if group is None:
        pending_rows(ctx, out)
    for region in out.values():
        rates(region)
    return out


def unit_table(base: Base, progs: dict[str, Programme]) -> Any:
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


def hit_table(base: Base, units: Any) -> Any:
    """The eligible units, each with ``_hit``: whether it is a recipient."""
    el = base.eligible
    keys = units.select(_p=units.programme, _u=units.unit_key)
    e = el.left_join(keys, [el.programme == keys["_p"], el.unit_key == keys["_u"]])
    return e.mutate(_hit=e["_u"].notnull()).drop("_p", "_u")


def pair_table(reached: Any) -> Any:
    """Every family reached by two programmes, once per pair (``_a`` < ``_b``)."""
    a = reached.select("kk", *GROUPS.values(), _a=reached.programme)
    b = reached.select(_kk2=reached.kk, _b=reached.programme)
    return a.join(b, [a.kk == b["_kk2"], a["_a"] < b["_b"]]).drop("_kk2")


def priority_skipped(ctx: Ctx, e: Any, group: str | None, out: Slots) -> None:
    """Eligible units ranked before the last-ranked eligible recipient that receive nothing."""
    gcols = [group] if group else []
    last = e.filter(e["_hit"]).group_by(["programme", *gcols]).aggregate(_last=e.peringkat.max())
    on = [e.programme == last.programme, *(e[g] == last[g] for g in gcols)]
    before = e.join(last, on)
    skipped = before.filter(~before["_hit"] & (before.peringkat < before["_last"]))
    for r in _grouped(skipped, group, ["programme"], n=skipped.count()):
        out.at(r["_g"])[r["programme"]]["priority_skipped"] = _n(r["n"])


def pending_rows(ctx: Ctx, out: Slots) -> None:
    """Rows still waiting for a reviewer (province only: they are tied to no family)."""
    pend = ctx.base.units.filter(ctx.base.units.status == PENDING)
    for r in _grouped(pend, None, ["programme"], n=pend.count()):
        out.at(None)[r["programme"]]["pending_review"] = _n(r["n"])


def rates(programmes: dict[str, dict[str, Any]]) -> None:
    for s in programmes.values():
        s["inclusion_error"] = _rate(sum(s["inclusion"].values()), s["recipients"])
        s["exclusion_error"] = _rate(s["eligible"] - s["eligible_reached"], s["eligible"])
        s["coverage"] = _rate(s["eligible_reached"], s["eligible"])
        s["deprived_coverage"] = _rate(s["deprived_reached"], s["deprived"])


def _deprived_condition(ctx: Ctx, code: str, table: Any) -> Any:
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


def _deprived_coverage(ctx: Ctx, group: str | None, out: Slots) -> None:
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
