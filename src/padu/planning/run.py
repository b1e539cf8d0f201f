"""Plan a scenario on a snapshot: build the instance, solve both plans, name the lists, adopt.

The eligible units of every programme come from ``padu target`` itself (each programme's
list drawn without its budget and quota, so in its own rank order with each unit's cost);
the siloed plan is that list cut as ``padu target`` cuts it, so the baseline is exactly what
each agency draws today. The integrated plan's lists keep the same columns, renumbered, with
``alasan_rencana``: why the plan chose the unit, in a sentence.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import time
from typing import Any

import pyarrow as pa

from padu import fmt
from padu.audit import PLAN_RUN
from padu.errors import UsageError
from padu.measure.measures import Measure, get_measure
from padu.measure.snapshot import deprivation_table
from padu.planning.instance import IndicatorSpec, Instance, PlanProgramme
from padu.planning.metrics import plan_metrics
from padu.planning.result import PlanResult
from padu.planning.scenario import Scenario, check_against, read_scenario
from padu.planning.solve import Allocation, closures, integrated, siloed
from padu.programmes.adopt import adopt_target_lists
from padu.programmes.model import Programme
from padu.programmes.store import current_workshop
from padu.programmes.targeting import KK, NIK, TargetList, draw_target_list
from padu.regions import kaltara, to_dotted
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import AdoptionRow


def scenario_workshop(scenario: Scenario, catalog: Catalog) -> tuple[dict[str, Programme], Measure]:
    """The catalog's current programmes by code, and the scenario's measure."""
    workshop, _ = current_workshop(catalog)
    return {p.code: p for p in workshop.programmes}, get_measure(scenario.measure, catalog)


def scenario_programmes(
    scenario: Scenario, catalog: Catalog
) -> tuple[dict[str, Programme], dict[str, int], dict[str, str]]:
    """The scenario's programmes (current versions, the scenario's budgets and quotas
    applied), their rule versions, and every agency's name."""
    workshop, versions = current_workshop(catalog)
    known, measure = scenario_workshop(scenario, catalog)
    check_against(scenario, known, measure)
    out: dict[str, Programme] = {}
    for sp in scenario.programmes:
        p = known[sp.code]
        changes: dict[str, Any] = {}
        if sp.budget_given:
            changes["budget"] = sp.budget
        if sp.quota_given:
            changes["quota"] = sp.quota
        out[sp.code] = dataclasses.replace(p, **changes) if changes else p
    agencies = {a.code: a.name for a in workshop.agencies}
    return out, {c: versions[c] for c in out}, agencies


def _scale(measure: Measure) -> int:
    return math.lcm(measure.k.denominator, *(i.weight.denominator for i in measure.indicators))


def _families(wh: Warehouse, catalog: Catalog, snapshot: int, measure: Measure) -> pa.Table:
    table = deprivation_table(wh, catalog, snapshot, measure)
    cols = [KK, "kode_kabupaten_kota", "desil_nasional", *(i.id for i in measure.indicators)]
    # sorted in Arrow: DuckDB's ORDER BY over 2.1 million families (scale 10) exceeds the
    # warehouse's 512 MB memory limit
    return table.select(*cols).to_pyarrow().sort_by(KK)


def _tie(kk: str) -> str:
    return hashlib.md5(f"rencana|{kk}".encode(), usedforsecurity=False).hexdigest()


def _desil(value: object) -> int:
    text = str(value or "")
    return int(text) if text.isdigit() else 99


def build_instance(
    wh: Warehouse,
    catalog: Catalog,
    scenario: Scenario,
    programmes: dict[str, Programme],
    versions: dict[str, int],
    snapshot: int,
) -> tuple[Instance, dict[str, TargetList]]:
    """The instance and every programme's whole eligible list (rank order, with costs)."""
    measure = get_measure(scenario.measure, catalog)
    scale = _scale(measure)
    fam = _families(wh, catalog, snapshot, measure)
    kks = fam.column(KK).to_pylist()
    index = {kk: i for i, kk in enumerate(kks)}
    deprived = [0] * len(kks)
    complete = [True] * len(kks)
    for b, ind in enumerate(measure.indicators):
        for f, v in enumerate(fam.column(ind.id).to_pylist()):
            if v is None:
                complete[f] = False
            elif v:
                deprived[f] |= 1 << b
    bit = {ind.id: b for b, ind in enumerate(measure.indicators)}
    full: dict[str, TargetList] = {}
    plan_programmes = []
    for sp in scenario.programmes:
        p = programmes[sp.code]
        unlimited = dataclasses.replace(p, budget=None, quota=None)
        target = draw_target_list(wh, catalog, unlimited, versions[p.code], snapshot)
        full[p.code] = target
        rows = target.rows
        person = p.unit == "individu"
        keys = rows.column(NIK if person else KK).to_pylist()
        plan_programmes.append(
            PlanProgramme(
                code=p.code,
                agency=p.agency,
                dimensions=p.dimensions,
                closes=sum(1 << bit[i] for i in sp.closes),
                budget=p.budget,
                quota=p.quota,
                person=person,
                members=sp.members,
                unit_family=[index[k] for k in rows.column(KK).to_pylist()],
                unit_cost=[int(c or 0) for c in rows.column("biaya").to_pylist()],
                unit_key=[str(k or "") for k in keys],
            )
        )
    pairs = {frozenset(pair) for pair in scenario.complements}
    for p in programmes.values():
        pairs |= {frozenset((p.code, c)) for c in p.complements if c in programmes}
    inst = Instance(
        indicators=tuple(
            IndicatorSpec(i.id, i.dimension, int(i.weight * scale)) for i in measure.indicators
        ),
        scale=scale,
        k=int(measure.k * scale),
        kk=kks,
        kabupaten=[str(v or "") for v in fam.column("kode_kabupaten_kota").to_pylist()],
        desil=[_desil(v) for v in fam.column("desil_nasional").to_pylist()],
        deprived=deprived,
        complete=complete,
        tie=[_tie(k) for k in kks],
        programmes=tuple(plan_programmes),
        complements=frozenset(pairs),
        # limits may name a kabupaten "6501" or "65.01"; the register holds the dotted code
        limits=tuple(
            dataclasses.replace(lim, kabupaten=to_dotted(lim.kabupaten) or lim.kabupaten)
            for lim in scenario.limits
        ),
        objective=scenario.objective,
    )
    return inst, full


def committed_families(
    wh: Warehouse, catalog: Catalog, inst: Instance, year: int
) -> tuple[dict[str, frozenset[int]], dict[str, frozenset[int]], list[str]]:
    """Recipients already adopted or realised for each scenario programme in ``year`` (the
    recipients ``padu convergence`` counts): their families, the units themselves (a person
    programme's members, by NIK), and warnings for those the plan cannot keep."""
    from padu.convergence.sources import RECIPIENT, recipient_rows, year_sources

    sources = [s for s in year_sources(catalog, year) if s.counted]
    codes = {p.code for p in inst.programmes}
    sources = [s for s in sources if s.programme in codes]
    if not sources:
        return {}, {}, []
    rows = recipient_rows(wh, catalog, sources)
    rows = rows.filter(rows.status == RECIPIENT).select("programme", "kk", "nik").distinct()
    got = rows.to_pyarrow().to_pylist()
    index = {kk: i for i, kk in enumerate(inst.kk)}
    families: dict[str, frozenset[int]] = {}
    units: dict[str, frozenset[int]] = {}
    warnings: list[str] = []
    for p in inst.programmes:
        mine = [r for r in got if r["programme"] == p.code]
        by_key = {(p.unit_family[u], p.unit_key[u]): u for u in range(len(p.unit_family))}
        fams: set[int] = set()
        kept: set[int] = set()
        missed = 0
        for r in mine:
            f = index.get(r["kk"])
            unit = by_key.get((f, r["nik"] if p.person else r["kk"])) if f is not None else None
            if unit is None:
                missed += 1
                continue
            fams.add(f)  # type: ignore[arg-type]
            kept.add(unit)
        if missed:
            who = "orang" if p.person else "keluarga"
            warnings.append(
                f"{p.code}: {fmt.angka(missed)} {who} penerima yang sudah ada tidak layak menurut "
                "aturan program pada snapshot ini (atau tidak ada di snapshot), jadi tidak "
                "dapat dipertahankan dalam rencana"
            )
        families[p.code] = frozenset(fams)
        units[p.code] = frozenset(kept)
    return families, units, warnings


def plan_scenario(
    wh: Warehouse,
    catalog: Catalog,
    scenario_ref: str | Scenario,
    snapshot: str | int,
    *,
    actor: str,
    compare: bool = True,
    gap: float = 0.001,
    time_limit: float = 300.0,
    version: int | None = None,
) -> PlanResult:
    """Solve ``scenario_ref`` (a YAML file, a preset or a stored scenario, or a scenario
    already read, stored as ``version``) on ``snapshot``."""
    if isinstance(scenario_ref, Scenario):
        scenario = scenario_ref
    else:
        scenario, version = read_scenario(scenario_ref, catalog)
    snap = catalog.snapshot(snapshot)
    programmes, versions, agencies = scenario_programmes(scenario, catalog)
    fixed_limits = [
        lim.programme for lim in scenario.limits if not _closes(scenario, lim.programme)
    ]
    if fixed_limits:
        raise UsageError(
            "batas per kabupaten hanya berlaku untuk program yang dioptimalkan (yang menutup "
            f"indikator); {', '.join(sorted(set(fixed_limits)))} tidak menutup indikator apa pun"
        )
    started = time.perf_counter()
    with wh.scratch():
        inst, full = build_instance(wh, catalog, scenario, programmes, versions, snap.id)
        warnings: list[str] = []
        if scenario.keep_committed:
            inst.committed, inst.committed_units, warnings = committed_families(
                wh, catalog, inst, scenario.year
            )
    own = [
        (a, b)
        for a, b in scenario.complements
        if b not in programmes[a].complements and a not in programmes[b].complements
    ]
    if own:
        pairs = ", ".join(f"{a}-{b}" for a, b in own)
        warnings.append(
            f"pasangan pelengkap yang hanya ditetapkan di skenario ({pairs}) tidak dikenal "
            "`padu convergence`: setelah diadopsi, keluarga yang memegang pasangan itu dihitung "
            "tumpang tindih di sana; tetapkan pasangan pada programnya (complements) agar sama"
        )
    data_seconds = time.perf_counter() - started
    plan = integrated(inst, gap=gap, time_limit=time_limit)
    base = siloed(inst) if compare else None
    metrics = {"integrated": plan_metrics(inst, plan)}
    if base is not None:
        metrics["siloed"] = plan_metrics(inst, base)
    why = _Why(inst, plan, get_measure(scenario.measure, catalog))
    lists = {code: _plan_list(why, full[code], code, scenario, snap.batch) for code in programmes}
    regions = kaltara()
    names = {kab: _region_name(regions, kab) for kab in sorted(set(inst.kabupaten))}
    result = PlanResult(
        scenario=scenario,
        version=version,
        snapshot=snap.id,
        snapshot_label=snap.label,
        snapshot_date=snap.tanggal.isoformat(),
        programmes=programmes,
        versions=versions,
        agencies=agencies,
        integrated=plan,
        siloed=base,
        metrics=metrics,
        lists=lists,
        kabupaten_names=names,
        warnings=warnings,
        data_seconds=data_seconds,
    )
    catalog.record(
        PLAN_RUN,
        {
            "scenario": scenario.id,
            "version": version,
            "snapshot": snap.id,
            "objective": scenario.objective,
            "gap": plan.gap,
            "types": plan.types,
            "lists": {c: t.hash for c, t in lists.items()},
        },
        actor,
    )
    return result


def _closes(scenario: Scenario, code: str) -> bool:
    return any(sp.code == code and sp.closes for sp in scenario.programmes)


def _region_name(regions: Any, code: str) -> str:
    try:
        return str(regions.get(code).nama)
    except Exception:  # an unknown code is shown as it is
        return code


def _plan_list(
    why: _Why, full: TargetList, code: str, scenario: Scenario, batch: str
) -> TargetList:
    """The plan's named list of one programme, as ``padu target`` rows, renumbered."""
    inst = why.inst
    chosen = why.alloc.chosen.get(code, [])
    p = inst.programme(code)
    programme = dataclasses.replace(
        full.programme, budget=p.budget, quota=p.quota
    )  # the full list was drawn without them
    rows = full.rows.take(pa.array(chosen, pa.int64()))
    rows = rows.set_column(
        rows.column_names.index("peringkat"),
        "peringkat",
        pa.array(range(1, len(chosen) + 1), pa.int64()),
    )
    reasons = why.reasons(p, chosen)
    rows = rows.append_column("alasan_rencana", pa.array(reasons, pa.string()))
    units = [p.unit_key[u] for u in chosen]
    digest = hashlib.sha256(
        json.dumps(
            {
                "scenario": scenario.id,
                "programme": code,
                "version": full.version,
                "snapshot": batch,
                "units": units,
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    cost = sum(p.unit_cost[u] for u in chosen)
    return TargetList(
        programme,
        full.version,
        full.snapshot,
        None,
        full.eligible,
        len(chosen),
        cost,
        digest,
        rows,
    )


class _Why:
    """What every reason needs about the whole plan, computed once."""

    def __init__(self, inst: Instance, alloc: Allocation, measure: Measure) -> None:
        self.inst = inst
        self.alloc = alloc
        self.labels = {i.id: i.label_id for i in measure.indicators}
        self.closed = closures(inst, alloc)
        self.holds: dict[int, list[str]] = {}
        for q in inst.programmes:
            for u in alloc.chosen.get(q.code, []):
                held = self.holds.setdefault(q.unit_family[u], [])
                if q.code not in held:
                    held.append(q.code)

    def reasons(self, p: PlanProgramme, chosen: list[int]) -> list[str]:
        """Why the plan chose each unit, in a sentence an officer can read out."""
        return _reasons(self, p, chosen)


def _reasons(why: _Why, p: PlanProgramme, chosen: list[int]) -> list[str]:
    inst, labels, closed, holds = why.inst, why.labels, why.closed, why.holds
    kept = inst.committed.get(p.code, frozenset())
    out = []
    for u in chosen:
        f = p.unit_family[u]
        score = inst.score[f]
        desil = "belum ditentukan" if inst.desil[f] == 99 else str(inst.desil[f])
        head = f"Desil {desil}, skor deprivasi {fmt.desimal(score / inst.scale, 2)}"
        parts = [head]
        if f in kept:
            parts.append("penerima yang sudah ada (diadopsi atau terealisasi) dipertahankan")
        mine = p.closes & inst.deprived[f]
        if p.optimised and mine:
            names = [labels[ind.id] for b, ind in enumerate(inst.indicators) if mine >> b & 1]
            parts.append(f"program ini menutup deprivasi: {', '.join(names)}")
            after = score - inst.weight(closed.get(f, 0))
            if inst.poor(f) and after < inst.k:
                others = [
                    c
                    for c in holds.get(f, [])
                    if c != p.code and inst.programme(c).closes & inst.deprived[f]
                ]
                who = f"bersama {', '.join(others)}, program ini" if others else "program ini"
                parts.append(
                    f"{who} mengangkat keluarga keluar dari kemiskinan multidimensi (skor "
                    f"{fmt.desimal(score / inst.scale, 2)} → {fmt.desimal(after / inst.scale, 2)})"
                )
        elif p.optimised and f not in kept:
            parts.append(
                "dipilih untuk memenuhi batas bawah kabupaten (program ini tidak menutup "
                "deprivasi keluarga ini)"
            )
        elif not p.optimised and f not in kept:
            parts.append(
                "urutan prioritas program sendiri; keluarga belum dilayani program lain "
                f"di dimensi {', '.join(p.dimensions)}"
            )
        text = "; ".join(parts)
        out.append(text[0].upper() + text[1:] + ".")
    return out


def adopt_plan(
    wh: Warehouse, catalog: Catalog, result: PlanResult, *, actor: str
) -> list[AdoptionRow]:
    """Record every list of the integrated plan as its programme's planned recipients for
    the scenario's year (each its own adoption; ``padu convergence`` then shows the plan)."""
    targets = []
    for target in result.lists.values():
        programme = dataclasses.replace(target.programme, fiscal_year=result.scenario.year)
        targets.append(dataclasses.replace(target, programme=programme))
    return adopt_target_lists(wh, catalog, targets, actor=actor)
