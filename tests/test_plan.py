"""Joint planning on a real store (issue 13): the siloed plan is ``padu target``, the
integrated plan passes the independent checker and beats it, the metrics agree with
``padu mpi``, the named lists are the plan, adopting it feeds ``padu convergence``, and
committed recipients, kabupaten floors and unknown codes behave. On DuckDB and PostgreSQL.

The scenario gives every programme a budget of a few units (the preset budgets cover every
eligible unit of the small register, so nothing would bind): the siloed cut and the
optimiser's choices both matter.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from typing import Any

import pytest

from padu.convergence import convergence
from padu.errors import ImportRejected, UsageError
from padu.measure.measures import get_measure
from padu.measure.snapshot import mpi_snapshot
from padu.planning.instance import Instance
from padu.planning.metrics import plan_metrics
from padu.planning.result import PlanResult
from padu.planning.run import adopt_plan, build_instance, plan_scenario, scenario_programmes
from padu.planning.scenario import Limit, Scenario, load_scenario
from padu.planning.solve import Allocation, integrated, siloed
from padu.programmes.model import preset_workshop
from padu.programmes.store import save_workshop
from padu.programmes.targeting import KK, NIK, TargetList, draw_target_list
from tests import plan_checker
from tests.conftest import Stores

ACTOR = "perencana-bappeda"
YEAR = 2026
#: budgets of a few units each (unit costs of the preset: JAMBAN 5.5 jt, RTLH 21.8 jt,
#: SR-AIR 3.5 jt, BANTU-SEKOLAH 2 jt, PELATIHAN-KERJA 7.5 jt, PMT 924 rb, PBI-PEMDA 504 rb,
#: ZAKAT-USAHA 5 jt); PBI-PEMDA and ZAKAT-USAHA close nothing and keep their own ranking
SCENARIO = """\
id: uji-rencana
name: Uji rencana terpadu
year: 2026
objective: lifted
complements: [[PBI-PEMDA, PMT]]
programmes:
  - {code: JAMBAN, closes: [sanitasi_tidak_layak], budget: 27500000}
  - {code: RTLH, closes: [rumah_tidak_layak], budget: 43600000}
  - {code: SR-AIR, closes: [air_tidak_layak], budget: 10500000}
  - {code: BANTU-SEKOLAH, closes: [anak_tidak_sekolah], budget: 6000000}
  - {code: PELATIHAN-KERJA, closes: [tanpa_pekerja], members: one, budget: 15000000}
  - {code: PMT, closes: [gizi_balita], budget: 924000}
  - {code: PBI-PEMDA, budget: 5040000}
  - {code: ZAKAT-USAHA, budget: 15000000}
"""
OPTIMISED = ("JAMBAN", "RTLH", "SR-AIR", "BANTU-SEKOLAH", "PELATIHAN-KERJA", "PMT")
#: words that must not appear in a reason shown to an officer
ENGLISH = re.compile(r"\b(family|families|programme|closes|lifted|score|None|null|nan)\b")


def _scenario(**changes: Any) -> Scenario:
    return dataclasses.replace(load_scenario(SCENARIO, "uji.yaml"), **changes)


def _workshop(stores: Stores) -> None:
    save_workshop(preset_workshop(), stores.catalog, actor=ACTOR)


def _instance(stores: Stores, snapshot: int, scenario: Scenario) -> Instance:
    wh, cat = stores.warehouse, stores.catalog
    programmes, versions, _ = scenario_programmes(scenario, cat)
    with wh.scratch():
        inst, _ = build_instance(wh, cat, scenario, programmes, versions, snapshot)
    return inst


def _plan(stores: Stores, snapshot: int, scenario: Scenario) -> PlanResult:
    return plan_scenario(stores.warehouse, stores.catalog, scenario, snapshot, actor=ACTOR)


def _families(inst: Instance, alloc: Allocation, code: str) -> set[str]:
    p = inst.programme(code)
    return {inst.kk[p.unit_family[u]] for u in alloc.chosen[code]}


def _list_families(t: TargetList) -> set[str]:
    return set(t.rows.column(KK).to_pylist())


def _in_kabupaten(inst: Instance, alloc: Allocation, code: str, kab: str) -> int:
    p = inst.programme(code)
    return sum(1 for u in alloc.chosen[code] if _digits(inst.kabupaten[p.unit_family[u]]) == kab)


def _digits(code: str) -> str:
    return "".join(ch for ch in code if ch.isdigit())


# -- 1. siloed is padu target ---------------------------------------------------------------
def test_siloed_plan_is_padu_target(stores: Stores, snapshot: int) -> None:
    _workshop(stores)
    wh, cat = stores.warehouse, stores.catalog
    scenario = _scenario()
    programmes, versions, _ = scenario_programmes(scenario, cat)
    inst = _instance(stores, snapshot, scenario)
    alloc = siloed(inst)
    for sp in scenario.programmes:
        p = programmes[sp.code]
        assert p.budget == sp.budget  # the scenario's budget, not the preset's
        with wh.scratch():
            target = draw_target_list(wh, cat, p, versions[sp.code], snapshot)
        plan = inst.programme(sp.code)
        key = NIK if p.unit == "individu" else KK
        units = alloc.chosen[sp.code]
        assert [plan.unit_key[u] for u in units] == target.rows.column(key).to_pylist(), sp.code
        assert sum(plan.unit_cost[u] for u in units) == target.cost, sp.code
        assert len(plan.unit_family) == target.eligible, sp.code
        # the budget binds, so the cut itself is under test
        assert 0 < target.selected < target.eligible, sp.code


# -- 2. the integrated plan -----------------------------------------------------------------
def test_integrated_plan_is_feasible_and_beats_siloed(stores: Stores, snapshot: int) -> None:
    _workshop(stores)
    inst = _instance(stores, snapshot, _scenario())
    plan, base = integrated(inst), siloed(inst)
    assert plan_checker.violations(inst, plan) == []
    # the objectives, recomputed by the independent checker
    assert plan.objective == pytest.approx(plan_checker.value(inst, plan))
    assert base.objective == pytest.approx(plan_checker.value(inst, base))
    assert plan.objective > base.objective
    assert plan.gap is not None and plan.gap <= 0.005 and plan.types and plan.types > 0
    metrics = plan_metrics(inst, plan)["province"]
    assert metrics["same_dimension_overlap"] == 0
    assert metrics["poor_lifted"] >= plan_metrics(inst, base)["province"]["poor_lifted"]
    # PBI-PEMDA and PMT share "kesehatan": without the scenario's complement pair the plan
    # may not give both to one family, and the checker agrees
    apart = dataclasses.replace(inst, complements=frozenset())
    alone = integrated(apart)
    assert plan_checker.violations(apart, alone) == []
    assert not _families(apart, alone, "PBI-PEMDA") & _families(apart, alone, "PMT")


# -- 3. metrics agree with padu mpi ----------------------------------------------------------
def test_metrics_before_agree_with_padu_mpi(stores: Stores, snapshot: int) -> None:
    _workshop(stores)
    wh, cat = stores.warehouse, stores.catalog
    inst = _instance(stores, snapshot, _scenario())
    af = mpi_snapshot(wh, cat, snapshot, get_measure("padu-7", cat), by=None).overall
    plan, base = integrated(inst), siloed(inst)
    weights = [i.weight for i in inst.indicators]
    for alloc in (plan, base):
        m = plan_metrics(inst, alloc)["province"]
        assert m["families_counted"] == af.n
        assert m["poor_before"] == af.q
        assert m["H_before"] == pytest.approx(float(af.H))
        assert m["A_before"] == pytest.approx(float(af.A))
        assert m["M0_before"] == pytest.approx(float(af.M0))
        # after the plan: recounted from the checker's closures
        closed = plan_checker.closed_masks(inst, alloc.chosen)
        lifted = still = left = 0
        for f in range(inst.families):
            score = sum(w for b, w in enumerate(weights) if inst.deprived[f] >> b & 1)
            if not inst.complete[f] or score < inst.k:
                continue
            after = score - sum(w for b, w in enumerate(weights) if closed[f] >> b & 1)
            if after < inst.k:
                lifted += 1
            else:
                still, left = still + 1, left + after
        assert m["poor_lifted"] == lifted
        assert m["H_after"] == pytest.approx(still / af.n)
        assert m["M0_after"] == pytest.approx(left / (af.n * inst.scale))
        kab = plan_metrics(inst, alloc)["kabupaten"]
        assert sum(k["poor_before"] for k in kab.values()) == af.q
        assert sum(k["poor_lifted"] for k in kab.values()) == lifted
    assert plan_metrics(inst, plan)["province"]["poor_lifted"] > 0


# -- 4 and 5. the named lists ----------------------------------------------------------------
def test_named_lists_are_the_plan_and_do_not_change(stores: Stores, snapshot: int) -> None:
    _workshop(stores)
    result = _plan(stores, snapshot, _scenario())
    prov = result.metrics["integrated"]["province"]
    assert set(result.lists) == {sp.code for sp in result.scenario.programmes}
    lifting: set[str] = set()
    for code, t in result.lists.items():
        rows = t.rows.to_pylist()
        n = len(result.integrated.chosen[code])
        assert len(rows) == n == t.selected == prov["units_by_programme"][code] > 0, code
        assert t.cost == sum(r["biaya"] for r in rows) == prov["budget_by_programme"][code]
        budget = result.programmes[code].budget
        assert budget is not None and t.cost <= budget
        assert [r["peringkat"] for r in rows] == list(range(1, n + 1))
        assert len({r[KK] for r in rows}) == prov["families_by_programme"][code]
        if result.programmes[code].unit == "individu":
            assert all(r[NIK] for r in rows)
        for r in rows:
            why = r["alasan_rencana"]
            assert why and why[0].isupper() and why.endswith("."), why
            assert why.startswith("Desil ") and "skor deprivasi" in why, why
            assert not ENGLISH.search(why), why
            if code in OPTIMISED:
                assert "program ini menutup deprivasi" in why, why
            else:
                assert "urutan prioritas program sendiri" in why, why
            if "mengangkat keluarga keluar dari kemiskinan multidimensi" in why:
                lifting.add(r[KK])
    # a lifted family's rows say so, and only theirs
    assert len(lifting) == prov["poor_lifted"] > 0
    # the same inputs give the same lists, hash for hash
    again = _plan(stores, snapshot, _scenario())
    assert {c: t.hash for c, t in again.lists.items()} == {
        c: t.hash for c, t in result.lists.items()
    }
    for code, t in again.lists.items():
        assert t.rows.column(KK).to_pylist() == result.lists[code].rows.column(KK).to_pylist()
    # a different budget gives a different list
    cheaper = _scenario(
        programmes=tuple(
            dataclasses.replace(sp, budget=11000000) if sp.code == "JAMBAN" else sp
            for sp in result.scenario.programmes
        )
    )
    other = _plan(stores, snapshot, cheaper)
    assert other.lists["JAMBAN"].selected == 2
    assert other.lists["JAMBAN"].hash != result.lists["JAMBAN"].hash


# -- 6. adopting the plan --------------------------------------------------------------------
def test_adopted_plan_is_what_convergence_counts(stores: Stores, snapshot: int) -> None:
    _workshop(stores)
    wh, cat = stores.warehouse, stores.catalog
    # budgets large enough that some family holds both PBI-PEMDA and PMT (a complement
    # pair of the scenario, not of the programmes)
    budgets = {"PBI-PEMDA": 151200000, "PMT": 4620000}
    scenario = _scenario()
    scenario = dataclasses.replace(
        scenario,
        programmes=tuple(
            dataclasses.replace(sp, budget=budgets.get(sp.code, sp.budget))
            for sp in scenario.programmes
        ),
    )
    result = _plan(stores, snapshot, scenario)
    adopted = adopt_plan(wh, cat, result, actor=ACTOR)
    assert sorted(a.programme for a in adopted) == sorted(result.lists)
    assert {a.programme: a.hash for a in adopted} == {c: t.hash for c, t in result.lists.items()}
    assert all(a.year == YEAR for a in adopted)
    view = convergence(wh, cat, snapshot, YEAR, basis="planned")
    units = result.metrics["integrated"]["province"]["units_by_programme"]
    assert {c: p["recipients"] for c, p in view["programmes"].items()} == units
    # convergence counts a same-dimension pair unless a programme lists the other as its
    # complement; the preset declares PMT with PBI-PEMDA on the programme, so a family that
    # holds both is no overlap in either count, and the plan and convergence agree
    holds: dict[str, set[str]] = defaultdict(set)
    for code, t in result.lists.items():
        for kk in _list_families(t):
            holds[kk].add(code)
    progs = result.programmes
    expected = sum(
        1
        for codes in holds.values()
        if any(
            set(progs[a].dimensions) & set(progs[b].dimensions)
            and b not in progs[a].complements
            and a not in progs[b].complements
            for a in codes
            for b in codes
            if a < b
        )
    )
    assert any({"PBI-PEMDA", "PMT"} <= codes for codes in holds.values())
    overlap = view["overlap"]["same_dimension_families"]
    assert (
        overlap
        == expected
        == result.metrics["integrated"]["province"]["same_dimension_overlap"]
        == 0
    )


# -- 7. keeping committed recipients --------------------------------------------------------
def test_keep_committed_keeps_the_adopted_families(stores: Stores, snapshot: int) -> None:
    _workshop(stores)
    wh, cat = stores.warehouse, stores.catalog
    first = _plan(stores, snapshot, _scenario())
    adopt_plan(wh, cat, first, actor=ACTOR)
    weighted = _plan(stores, snapshot, _scenario(objective="weighted"))
    # without keep_committed the weighted objective picks other families somewhere...
    moved = [
        c
        for c in OPTIMISED
        if not _list_families(first.lists[c]) <= _list_families(weighted.lists[c])
    ]
    assert moved
    kept = _plan(stores, snapshot, _scenario(objective="weighted", keep_committed=True))
    assert kept.warnings == []
    # ...with it, every family of the first plan keeps its programme
    for code in OPTIMISED:
        assert _list_families(first.lists[code]) <= _list_families(kept.lists[code]), code
        budget = kept.programmes[code].budget
        assert budget is not None and kept.lists[code].cost <= budget
    reasons = [r for c in moved for r in kept.lists[c].rows.column("alasan_rencana").to_pylist()]
    assert any("penerima yang sudah ada" in r for r in reasons)


# -- 8. kabupaten floors ---------------------------------------------------------------------
def test_kabupaten_floor_is_met_and_an_impossible_one_is_refused(
    stores: Stores, snapshot: int
) -> None:
    _workshop(stores)
    plain = _instance(stores, snapshot, _scenario())
    jamban = plain.programme("JAMBAN")
    eligible: dict[str, int] = defaultdict(int)
    for f in jamban.units_of:
        eligible[_digits(plain.kabupaten[f])] += 1
    before = integrated(plain)
    # the kabupaten the unconstrained plan serves least, among those with 2+ eligible
    kab = min(
        (k for k, n in eligible.items() if n >= 2),
        key=lambda k: (_in_kabupaten(plain, before, "JAMBAN", k), k),
    )
    assert _in_kabupaten(plain, before, "JAMBAN", kab) < 2  # the floor binds
    floor = _scenario(limits=(Limit("JAMBAN", kab, min_units=2),))
    inst = _instance(stores, snapshot, floor)
    plan = integrated(inst)
    assert plan_checker.violations(inst, plan) == []
    assert _in_kabupaten(inst, plan, "JAMBAN", kab) >= 2
    assert plan.objective <= before.objective + 1e-9  # a floor never helps the objective
    # more than the kabupaten's eligible families, or more than the budget buys (5 units)
    big = max(eligible, key=lambda k: eligible[k])
    assert eligible[big] > 5
    for limit in (
        Limit("JAMBAN", kab, min_units=eligible[kab] + 1),
        Limit("JAMBAN", big, min_units=6),
    ):
        with pytest.raises(UsageError, match="tidak layak"):
            integrated(dataclasses.replace(inst, limits=(limit,)))
    # a floor on a programme that keeps its own ranking is refused before solving
    with pytest.raises(UsageError, match="ZAKAT-USAHA"):
        _plan(stores, snapshot, _scenario(limits=(Limit("ZAKAT-USAHA", kab, min_units=1),)))


# -- 9. unknown codes ------------------------------------------------------------------------
def test_unknown_programme_and_indicator_are_named(stores: Stores) -> None:
    _workshop(stores)
    text = (
        "id: uji-salah\nname: Uji kode salah\nyear: 2026\nprogrammes:\n"
        "  - {code: BEDAH-KAPAL, closes: [sanitasi_tidak_layak]}\n"
        "  - {code: SR-AIR, closes: [air_tidak_layak, air_berwarna]}\n"
    )
    with pytest.raises(ImportRejected) as caught:
        scenario_programmes(load_scenario(text, "uji.yaml"), stores.catalog)
    named = {(p.column, p.value): p.reason for p in caught.value.problems}
    assert set(named) == {
        ("programmes[0].code", "BEDAH-KAPAL"),
        ("programmes[1].closes", "air_berwarna"),
    }
    assert named["programmes[0].code", "BEDAH-KAPAL"].startswith("program tidak ada di katalog")
    assert named["programmes[1].closes", "air_berwarna"].startswith("indikator tidak ada di padu-7")


# -- the type model against the plain family x programme model ----------------------------------
def _plain_optimum(inst: Instance) -> float:
    """The best plan of the optimised programmes, solved by HiGHS as the plain model the issue
    calls too large at full scale: one binary per (family, programme), its value the closure
    it brings, budget and quota rows, and no two programmes of one dimension per family
    (unless complements). For the weighted objective with programmes closing disjoint
    indicators the value is additive, so this model is exact."""
    import highspy
    import numpy as np

    optimised = [p for p in inst.programmes if p.optimised]
    cols: list[tuple[int, int, float, int, int]] = []  # (programme, family, value, cost, units)
    for j, p in enumerate(optimised):
        for f in p.units_of:
            mask = p.closes & inst.deprived[f]
            if mask:
                package = inst.package(p, f)
                cost = sum(p.unit_cost[u] for u in package)
                cols.append((j, f, inst.value(f, mask), cost, len(package)))
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 0.0)
    n = len(cols)
    h.addVars(n, np.zeros(n), np.ones(n))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.array([c[2] for c in cols]))
    h.changeColsIntegrality(
        n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n)
    )
    for j, p in enumerate(optimised):
        mine = [i for i, c in enumerate(cols) if c[0] == j]
        for limit, coef in ((p.budget, 3), (p.quota, 4)):
            if limit is not None and mine:
                values = np.array([float(cols[i][coef]) for i in mine])
                h.addRow(-highspy.kHighsInf, limit, len(mine), np.array(mine, np.int32), values)
    by_family: dict[int, list[int]] = defaultdict(list)
    for i, c in enumerate(cols):
        by_family[c[1]].append(i)
    for idx in by_family.values():
        for a in idx:
            for b in idx:
                if a < b and inst.conflict(optimised[cols[a][0]], optimised[cols[b][0]]):
                    h.addRow(-highspy.kHighsInf, 1, 2, np.array([a, b], np.int32), np.ones(2))
    h.changeObjectiveSense(highspy.ObjSense.kMaximize)
    h.run()
    return float(h.getInfo().objective_function_value)


def test_the_type_model_equals_the_plain_model(stores: Stores, snapshot: int) -> None:
    # the grouping into types is the model's one trick: on a real (small) register it must
    # find the same optimum as the plain one-binary-per-family model solved by HiGHS directly
    _workshop(stores)
    scenario = _scenario(objective="weighted")
    inst = _instance(stores, snapshot, scenario)
    # budgets for about a third of what each programme's eligible families would cost, so
    # they bind across families of every size and composition
    inst.programmes = tuple(
        dataclasses.replace(p, budget=sum(p.unit_cost) // 3, quota=None) if p.optimised else p
        for p in inst.programmes
    )
    closes = [p.closes for p in inst.programmes if p.optimised]
    assert all(a & b == 0 for i, a in enumerate(closes) for b in closes[i + 1 :])
    plan = integrated(inst, gap=0.0)
    assert plan_checker.violations(inst, plan) == []
    assert plan.types is not None and plan.types < sum(len(p.units_of) for p in inst.programmes)
    assert plan.objective == pytest.approx(_plain_optimum(inst), rel=1e-9, abs=1e-9)
    assert plan.objective > 0
