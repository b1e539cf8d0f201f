"""The optimiser against optima known by hand and by brute force, checked independently.

Every plan here is checked by ``tests/plan_checker.py`` (plain Python that shares nothing
with the solver but the instance dataclasses): feasibility (budgets, quotas, eligibility,
one programme per dimension, members, kabupaten limits, committed families) and the
objective recomputed from the closure rule.

The tiny instances use four indicators, weight 1 each on a scale of 4, and k = 2 (a family
is poor when deprived in two of four):

    lantai (rumah), dinding (rumah), sanitasi (sanitasi), sekolah (pendidikan)

so a poor family deprived in exactly two is lifted by closing one, and one deprived in three
needs two closures. Under objective "lifted" a lifted family is worth 1 and each closed
indicator 0.01 x 1/4 = 0.0025.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any, cast

import pytest

from padu.errors import UsageError
from padu.planning.instance import IndicatorSpec, Instance, Objective, PlanProgramme
from padu.planning.metrics import plan_metrics
from padu.planning.scenario import Limit
from padu.planning.solve import integrated, objective_value, siloed
from tests.plan_checker import brute_force, brute_force_plan, value, violations

INDICATORS = (
    IndicatorSpec("lantai", "rumah", 1),
    IndicatorSpec("dinding", "rumah", 1),
    IndicatorSpec("sanitasi", "sanitasi", 1),
    IndicatorSpec("sekolah", "pendidikan", 1),
)
BIT = {ind.id: 1 << i for i, ind in enumerate(INDICATORS)}
DIMENSION = {ind.id: ind.dimension for ind in INDICATORS}
CLOSE = 0.0025  # one closed indicator under "lifted": 0.01 x 1/4


def mask(ids: str) -> int:
    return sum(BIT[i] for i in ids.split())


def prog(
    code: str,
    closes: str,
    units: list[tuple[int, int]],
    *,
    budget: int | None = None,
    quota: int | None = None,
    person: bool = False,
    members: str = "all",
    dims: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """A programme: the indicators it closes, its units as (family, cost) in rank order;
    its dimensions default to those of the indicators it closes."""
    return {
        "code": code,
        "closes": closes,
        "units": units,
        "budget": budget,
        "quota": quota,
        "person": person,
        "members": members,
        "dims": dims or tuple(dict.fromkeys(DIMENSION[i] for i in closes.split())),
    }


def make(
    families: Sequence[tuple[Any, ...]],
    programmes: list[dict[str, Any]],
    *,
    objective: str = "lifted",
    complements: tuple[tuple[str, str], ...] = (),
    limits: tuple[Limit, ...] = (),
    committed: dict[str, set[int]] | None = None,
    indicators: tuple[IndicatorSpec, ...] = INDICATORS,
    scale: int = 4,
    k: int = 2,
) -> Instance:
    """An instance from rows (kabupaten, desil, deprived indicator ids[, complete])."""
    bit = {ind.id: 1 << i for i, ind in enumerate(indicators)}
    plans = []
    for p in programmes:
        plans.append(
            PlanProgramme(
                code=p["code"],
                agency="dinas-" + p["code"],
                dimensions=p["dims"],
                closes=sum(bit[i] for i in p["closes"].split()),
                budget=p["budget"],
                quota=p["quota"],
                person=p["person"],
                members=p["members"],
                unit_family=[f for f, _ in p["units"]],
                unit_cost=[c for _, c in p["units"]],
                unit_key=[
                    f"{p['code']}-{u}" if p["person"] else f"KK{f}"
                    for u, (f, _) in enumerate(p["units"])
                ],
            )
        )
    return Instance(
        indicators=indicators,
        scale=scale,
        k=k,
        kk=[f"KK{f}" for f in range(len(families))],
        kabupaten=[row[0] for row in families],
        desil=[row[1] for row in families],
        deprived=[sum(bit[i] for i in row[2].split()) for row in families],
        complete=[bool(row[3]) if len(row) > 3 else True for row in families],
        tie=[f"{f:04d}" for f in range(len(families))],
        programmes=tuple(plans),
        complements=frozenset(frozenset(pair) for pair in complements),
        limits=limits,
        committed={c: frozenset(fs) for c, fs in (committed or {}).items()},
        objective=cast(Objective, objective),
    )


def solve_and_check(inst: Instance, expected: float) -> tuple[Any, Any]:
    """Solve exactly; the plan is feasible, worth ``expected``, and no worse than siloed
    whenever siloed itself keeps every rule."""
    plan = integrated(inst, gap=0.0)
    base = siloed(inst)
    assert violations(inst, plan) == []
    assert value(inst, plan) == pytest.approx(expected, abs=1e-9)
    assert objective_value(inst, plan) == pytest.approx(expected, abs=1e-9)
    if not violations(inst, base):
        assert value(inst, plan) >= value(inst, base) - 1e-9
    return plan, base


def families_of(inst: Instance, plan: Any, code: str) -> list[int]:
    p = inst.programme(code)
    return sorted({p.unit_family[u] for u in plan.chosen.get(code, [])})


# -- (i) per-unit costs where the rank-order cut is not optimal -------------------------------
def test_varying_costs_beat_the_greedy_cut() -> None:
    # Three poor families (lantai + sanitasi); RTLH closes lantai, which lifts each. Budget 10,
    # costs 6, 5, 5 in rank order: the cut takes the first (6) and stops (6 + 5 > 10), lifting
    # one; the optimum takes the two 5s and lifts two: 2 x (1 + 0.0025).
    inst = make(
        [("6501", 1, "lantai sanitasi")] * 3,
        [prog("rtlh", "lantai", [(0, 6), (1, 5), (2, 5)], budget=10)],
    )
    plan, base = solve_and_check(inst, 2 * (1 + CLOSE))
    assert base.chosen["rtlh"] == [0]
    assert value(inst, base) == pytest.approx(1 + CLOSE)
    assert plan.chosen["rtlh"] == [1, 2]


# -- (ii) lifting needs two programmes on one family -------------------------------------------
def test_lifting_needs_two_programmes_on_one_family() -> None:
    # Two families deprived in three indicators: lifting one needs two closures. RTLH ranks
    # family 0 first, the toilet programme family 1; each can pay for one unit. Siloed spreads
    # them and lifts no one (2 closures: 0.005); integrated puts both on one family: 1.005.
    inst = make(
        [("6501", 1, "lantai sanitasi sekolah")] * 2,
        [
            prog("rtlh", "lantai", [(0, 1), (1, 1)], budget=1),
            prog("jamban", "sanitasi", [(1, 1), (0, 1)], budget=1),
        ],
    )
    plan, base = solve_and_check(inst, 1 + 2 * CLOSE)
    assert value(inst, base) == pytest.approx(2 * CLOSE)
    assert families_of(inst, base, "rtlh") != families_of(inst, base, "jamban")
    assert families_of(inst, plan, "rtlh") == families_of(inst, plan, "jamban")


# -- (iii) one programme per dimension unless declared complements -----------------------------
@pytest.mark.parametrize("complement", [False, True])
def test_same_dimension_pair_only_as_complements(complement: bool) -> None:
    # Floor and wall programmes are both "rumah". Each family needs two closures to be lifted.
    # Not complements: no family may hold both, so the best is one closure each (0.005).
    # Declared complements: both on one family lifts it (1.005). Siloed spreads them (0.005).
    inst = make(
        [("6501", 1, "lantai dinding sanitasi")] * 2,
        [
            prog("lantai", "lantai", [(0, 1), (1, 1)], budget=1),
            prog("dinding", "dinding", [(1, 1), (0, 1)], budget=1),
        ],
        complements=(("lantai", "dinding"),) if complement else (),
    )
    plan, base = solve_and_check(inst, 1 + 2 * CLOSE if complement else 2 * CLOSE)
    assert value(inst, base) == pytest.approx(2 * CLOSE)
    both = set(families_of(inst, plan, "lantai")) & set(families_of(inst, plan, "dinding"))
    assert len(both) == (1 if complement else 0)


def test_checker_flags_a_same_dimension_pair() -> None:
    inst = make(
        [("6501", 1, "lantai dinding sanitasi")],
        [prog("lantai", "lantai", [(0, 1)]), prog("dinding", "dinding", [(0, 1)])],
    )
    plan = siloed(inst)  # each alone gives the family its programme
    assert [v for v in violations(inst, plan) if "share a dimension" in v]
    assert plan_metrics(inst, plan)["province"]["same_dimension_overlap"] == 1


# -- (iv) quota -------------------------------------------------------------------------------
def test_quota_binds_on_the_family_it_lifts() -> None:
    # No budget, quota 1. Family 0 is not poor (one deprivation), family 1 is lifted by closing
    # lantai, family 2 (three deprivations) is not. Siloed takes family 0 (0.0025); the
    # optimum family 1 (1.0025).
    inst = make(
        [
            ("6501", 1, "lantai"),
            ("6501", 1, "lantai sanitasi"),
            ("6501", 1, "lantai dinding sekolah"),
        ],
        [prog("rtlh", "lantai", [(0, 1), (1, 1), (2, 1)], quota=1)],
    )
    plan, base = solve_and_check(inst, 1 + CLOSE)
    assert base.chosen["rtlh"] == [0]
    assert plan.chosen["rtlh"] == [1]


# -- (v) members "one" and "all" with person units ---------------------------------------------
@pytest.mark.parametrize("members", ["all", "one"])
def test_person_programme_members(members: str) -> None:
    # Two poor families (sekolah + sanitasi); a school grant per child costs 3, budget 6.
    # Family 0 has two eligible children, family 1 one. "all": a family's deprivation ends
    # only when every child is reached, so at most one family: 6 for family 0 or 3 for family
    # 1 (1.0025). "one": one child per family closes it: 3 + 3 lifts both (2.005).
    inst = make(
        [("6501", 1, "sekolah sanitasi")] * 2,
        [
            prog(
                "pip",
                "sekolah",
                [(0, 3), (0, 3), (1, 3)],
                budget=6,
                person=True,
                members=members,
            )
        ],
    )
    plan, base = solve_and_check(inst, 2 * (1 + CLOSE) if members == "one" else 1 + CLOSE)
    assert base.chosen["pip"] == [0, 1]  # the rank-order cut: both children of family 0
    if members == "one":
        assert plan.chosen["pip"] == [0, 2]  # the first child of each family
    else:
        counts = [plan.chosen["pip"].count(u) for u in range(3)]
        assert counts in ([1, 1, 0], [0, 0, 1])


def test_checker_flags_a_split_family() -> None:
    inst = make(
        [("6501", 1, "sekolah sanitasi")],
        [prog("pip", "sekolah", [(0, 3), (0, 3)], person=True, members="all")],
    )

    plan = SimpleNamespace(chosen={"pip": [1]})
    assert value(inst, plan) == 0.0  # half a family closes nothing
    assert [v for v in violations(inst, plan) if "members=all" in v]


# -- (vi) kabupaten floors and caps -------------------------------------------------------------
@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        (None, 2 * (1 + CLOSE)),
        (Limit("rtlh", "6502", min_units=1), 1 + 2 * CLOSE),
        (Limit("rtlh", "6502", min_budget=1), 1 + 2 * CLOSE),
        (Limit("rtlh", "6501", max_units=1), 1 + 2 * CLOSE),
        (Limit("rtlh", "6501", max_budget=1), 1 + 2 * CLOSE),
    ],
)
def test_kabupaten_limits(limit: Limit | None, expected: float) -> None:
    # Budget for two units. Families 0 and 2 (6501) are poor and lifted by lantai; family 1
    # (6502) is not poor. Free: families 0 and 2 (2.005). A floor in 6502 or a cap in 6501
    # forces family 1 in, lifting only one (1.005) = siloed's rank-order cut (0 and 1).
    inst = make(
        [("6501", 1, "lantai sanitasi"), ("6502", 1, "lantai"), ("6501", 1, "lantai sekolah")],
        [prog("rtlh", "lantai", [(1, 1), (0, 1), (2, 1)], budget=2)],
        limits=(limit,) if limit else (),
    )
    plan, _ = solve_and_check(inst, expected)
    if limit is not None:
        assert 1 in families_of(inst, plan, "rtlh")


@pytest.mark.parametrize("floor", ["min_units", "min_budget"])
def test_floor_met_by_a_family_the_programme_closes_nothing_for(floor: str) -> None:
    # Budget for two units. Family 0 (6501) is lifted by lantai; family 1, the only eligible
    # family in 6502, is not deprived in lantai. A floor of one unit in 6502 can only be met
    # there, so the plan is family 0 and family 1 (1.0025), not infeasible.
    inst = make(
        [("6501", 1, "lantai sanitasi"), ("6502", 1, "sanitasi")],
        [prog("rtlh", "lantai", [(0, 1), (1, 1)], budget=2)],
        limits=(Limit("rtlh", "6502", **{floor: 1}),),
    )
    plan, _ = solve_and_check(inst, 1 + CLOSE)
    assert families_of(inst, plan, "rtlh") == [0, 1]


@pytest.mark.parametrize("other", [False, True])
def test_unreachable_floor_is_reported_not_ignored(other: bool) -> None:
    # No family of 6502 is eligible, so a floor there cannot be met: the solver must say so
    # rather than return a plan that breaks it (with or without another programme that
    # gives the model something to choose).
    inst = make(
        [("6501", 1, "sanitasi")],
        [
            prog("rtlh", "lantai", [(0, 1)], budget=2),
            *([prog("jamban", "sanitasi", [(0, 1)])] if other else []),
        ],
        limits=(Limit("rtlh", "6502", min_units=1),),
    )
    with pytest.raises(UsageError):
        integrated(inst, gap=0.0)


def test_programme_that_closes_nothing_keeps_its_ranking_outside_served_families() -> None:
    # "bansos" closes no indicator (not optimised) but is in the sanitasi dimension; the
    # toilet programme lifts family 0. Siloed gives both to family 0 (a same-dimension
    # overlap); integrated lets bansos keep its rank order but skip family 0: family 1.
    inst = make(
        [("6501", 1, "lantai sanitasi"), ("6501", 2, "lantai sanitasi")],
        [
            prog("jamban", "sanitasi", [(0, 1), (1, 2)], budget=1),
            prog("bansos", "", [(0, 1), (1, 1)], budget=1, dims=("sanitasi",)),
        ],
    )
    plan, base = solve_and_check(inst, 1 + CLOSE)
    assert [v for v in violations(inst, base) if "share a dimension" in v]
    assert families_of(inst, plan, "jamban") == [0]
    assert families_of(inst, plan, "bansos") == [1]


# -- (vii) committed families ---------------------------------------------------------------
def test_committed_families_are_kept() -> None:
    # Budget for two units. Family 0 (not poor) already holds RTLH and must keep it, leaving
    # one unit for family 1 or 2 (both lifted by it): 1 + 2 x 0.0025. Uncommitted the optimum
    # would lift both.
    rows = [("6501", 1, "lantai"), ("6501", 1, "lantai sanitasi"), ("6501", 1, "lantai sekolah")]
    programmes = [prog("rtlh", "lantai", [(1, 1), (2, 1), (0, 1)], budget=2)]
    free = make(rows, programmes)
    solve_and_check(free, 2 * (1 + CLOSE))
    kept = make(rows, programmes, committed={"rtlh": {0}})
    plan, _ = solve_and_check(kept, 1 + 2 * CLOSE)
    assert 0 in families_of(kept, plan, "rtlh")


# -- (viii) objective "weighted" --------------------------------------------------------------
def test_weighted_prefers_lower_desil_and_higher_score() -> None:
    # One unit. Value = closed/4 x (11 - desil)/10 x score/4:
    #   family 0 desil 5, score 2: 1/4 x 0.6 x 2/4 = 0.075   (siloed's first)
    #   family 1 desil 1, score 2: 1/4 x 1.0 x 2/4 = 0.125
    #   family 2 no desil, score 2: 1/4 x 0.1 x 2/4 = 0.0125
    #   family 3 desil 2, score 4: 1/4 x 0.9 x 4/4 = 0.225  (the best)
    inst = make(
        [
            ("6501", 5, "lantai sanitasi"),
            ("6501", 1, "lantai sanitasi"),
            ("6501", 99, "lantai sanitasi"),
            ("6501", 2, "lantai dinding sanitasi sekolah"),
        ],
        [prog("rtlh", "lantai", [(0, 1), (2, 1), (1, 1), (3, 1)], budget=1)],
        objective="weighted",
    )
    plan, base = solve_and_check(inst, 0.225)
    assert value(inst, base) == pytest.approx(0.075)
    assert families_of(inst, plan, "rtlh") == [3]
    # without family 3, the lowest desil wins
    inst2 = make(
        [
            ("6501", 5, "lantai sanitasi"),
            ("6501", 1, "lantai sanitasi"),
            ("6501", 99, "lantai sanitasi"),
        ],
        [prog("rtlh", "lantai", [(0, 1), (2, 1), (1, 1)], budget=1)],
        objective="weighted",
    )
    plan2, _ = solve_and_check(inst2, 0.125)
    assert families_of(inst2, plan2, "rtlh") == [1]


# -- metrics on a hand instance ---------------------------------------------------------------
def test_plan_metrics_by_hand() -> None:
    # f0 6501 poor (3 deprivations), f1 6501 poor (2), f2 6502 not poor (1), f3 6502 with
    # missing data (deprived lantai + dinding). RTLH (lantai + dinding, budget 3) costs 5 at
    # f0 (unaffordable), 2 at f1, 1 at f3; the toilet programme (budget 1) reaches f0 only.
    # The unique optimum: RTLH at f1 (lifted) and f3 (2 closures), toilet at f0 (still poor):
    # 1 + 4 x 0.0025 = 1.01.
    inst = make(
        [
            ("6501", 1, "lantai sanitasi sekolah"),
            ("6501", 2, "lantai sanitasi"),
            ("6502", 3, "sekolah"),
            ("6502", 4, "lantai dinding", False),
        ],
        [
            prog("rtlh", "lantai dinding", [(0, 5), (1, 2), (3, 1)], budget=3),
            prog("jamban", "sanitasi", [(0, 1)], budget=1),
        ],
    )
    plan, _ = solve_and_check(inst, 1 + 4 * CLOSE)
    assert families_of(inst, plan, "rtlh") == [1, 3]
    assert families_of(inst, plan, "jamban") == [0]
    m = plan_metrics(inst, plan)
    prov, k1, k2 = m["province"], m["kabupaten"]["6501"], m["kabupaten"]["6502"]
    assert prov["families_reached"] == 3
    assert prov["deprivations_closed"] == 4
    assert prov["deprivations_closed_by_dimension"]["rumah"] == 3
    assert prov["deprivations_closed_by_dimension"]["sanitasi"] == 1
    assert (prov["poor_before"], prov["poor_lifted"]) == (2, 1)
    # H, A, M0 over the three families with complete data
    assert prov["H_before"] == pytest.approx(2 / 3)
    assert prov["A_before"] == pytest.approx((3 / 4 + 2 / 4) / 2)
    assert prov["M0_before"] == pytest.approx(2 / 3 * 5 / 8)
    assert prov["H_after"] == pytest.approx(1 / 3)  # f0 stays poor with 2 of 4
    assert prov["A_after"] == pytest.approx(2 / 4)
    assert prov["M0_after"] == pytest.approx(1 / 3 * 2 / 4)
    assert prov["budget_used"] == 4
    assert prov["budget_by_programme"] == {"rtlh": 3, "jamban": 1}
    assert prov["units_by_programme"] == {"rtlh": 2, "jamban": 1}
    assert prov["families_by_programme"] == {"rtlh": 2, "jamban": 1}
    assert prov["same_dimension_overlap"] == 0
    assert prov["cost_per_deprivation_closed"] == pytest.approx(1.0)
    assert prov["objective"] == pytest.approx(value(inst, plan))
    assert (k1["families_reached"], k1["poor_lifted"], k1["H_before"], k1["H_after"]) == (
        2,
        1,
        pytest.approx(1.0),
        pytest.approx(0.5),
    )
    assert (k2["families_reached"], k2["poor_before"], k2["H_after"]) == (1, 0, 0.0)
    assert k2["deprivations_closed"] == 2
    assert k1["budget_used"] + k2["budget_used"] == prov["budget_used"]


# -- random tiny instances against brute force ------------------------------------------------
def random_instance(rng: random.Random) -> Instance:
    """1-6 families, 1-3 optimised programmes, with budgets, quotas, person units, members,
    complements, kabupaten limits and committed families drawn at random."""
    n = rng.randint(1, 6)
    kabs = ["6501", "6502"]
    rows = []
    for _ in range(n):
        deprived = [i.id for i in INDICATORS if rng.random() < 0.5]
        rows.append(
            (
                rng.choice(kabs),
                rng.choice([*range(1, 11), 99]),
                " ".join(deprived),
                rng.random() < 0.85,
            )
        )
    programmes = []
    for j in range(rng.randint(1, 3)):
        closes = rng.sample([i.id for i in INDICATORS], rng.randint(1, 2))
        person = rng.random() < 0.4
        units = []
        for f in range(n):
            if rng.random() < 0.7:
                for _ in range(rng.randint(1, 2) if person else 1):
                    units.append((f, rng.randint(1, 6)))
        rng.shuffle(units)  # the programme's own rank order
        total = sum(c for _, c in units)
        dims = tuple(dict.fromkeys(DIMENSION[i] for i in closes))
        if rng.random() < 0.2:  # a programme whose dimensions reach past what it closes
            dims = tuple(dict.fromkeys([*dims, rng.choice(list(DIMENSION.values()))]))
        programmes.append(
            prog(
                f"p{j}",
                " ".join(closes),
                units,
                budget=rng.randint(0, total) if rng.random() < 0.8 else None,
                quota=rng.randint(0, len(units)) if rng.random() < 0.3 else None,
                person=person,
                members=rng.choice(["all", "one"]),
                dims=dims,
            )
        )
    codes = [p["code"] for p in programmes]
    complements = tuple(
        (a, b) for i, a in enumerate(codes) for b in codes[i + 1 :] if rng.random() < 0.3
    )
    limits: list[Limit] = []
    committed: dict[str, set[int]] = {}
    for p in programmes:
        if rng.random() < 0.25:
            kab = rng.choice(kabs)
            kind = rng.choice(["min_units", "max_units", "min_budget", "max_budget"])
            limits.append(Limit(p["code"], kab, **{kind: rng.randint(0, 3)}))
    if programmes[0]["units"] and rng.random() < 0.2:
        committed[programmes[0]["code"]] = {rng.choice(programmes[0]["units"])[0]}
    return make(
        rows,
        programmes,
        objective=rng.choice(["lifted", "weighted"]),
        complements=complements,
        limits=tuple(limits),
        committed=committed,
    )


@pytest.mark.parametrize("seed", range(200))
def test_integrated_equals_brute_force(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 (reproducible test draws, not secrets)
    inst = random_instance(rng)
    while brute_force_plan(inst) is None:  # an infeasible draw: floors or commitments
        inst = random_instance(rng)
    best, best_plan = brute_force_plan(inst)  # type: ignore[misc]
    # the brute force's own plan passes the checker and is worth what it says
    assert violations(inst, SimpleNamespace(chosen=best_plan)) == []
    assert value(inst, SimpleNamespace(chosen=best_plan)) == pytest.approx(best, abs=1e-9)
    plan = integrated(inst, gap=0.0)
    assert violations(inst, plan) == []
    assert value(inst, plan) == pytest.approx(best, abs=1e-6)
    assert brute_force(inst) == pytest.approx(best)
    assert objective_value(inst, plan) == pytest.approx(value(inst, plan), abs=1e-9)
    assert plan.objective == pytest.approx(value(inst, plan), abs=1e-9)
    base = siloed(inst)
    assert objective_value(inst, base) == pytest.approx(value(inst, base), abs=1e-9)
    if not violations(inst, base):  # siloed is a feasible plan, so never better
        assert value(inst, base) <= best + 1e-9
    m = plan_metrics(inst, plan)["province"]
    assert m["objective"] == pytest.approx(value(inst, plan), abs=1e-9)


# -- the checker itself flags every broken rule -------------------------------------------------
@pytest.mark.parametrize(
    ("chosen", "words"),
    [
        ({"rtlh": [0, 1, 2]}, "over its budget"),
        ({"rtlh": [0, 1], "pip": [0, 1, 2]}, "over its quota"),
        ({"rtlh": [7]}, "not an eligible unit"),
        ({"rtlh": [0, 0]}, "chosen twice"),
        ({"rtlh": [1, 0]}, "ascending"),
        ({"kip": [0]}, "unknown programme"),
        ({"pip": [1]}, "members=one"),
        ({"rtlh": [0], "lantai": [0]}, "share a dimension"),
        ({"rtlh": [2]}, "committed family 0 is not kept"),
        ({"rtlh": [0, 1]}, "above cap"),
        ({"rtlh": [0]}, "below floor"),
    ],
)
def test_checker_flags_each_rule(chosen: dict[str, list[int]], words: str) -> None:
    inst = make(
        [("6501", 1, "lantai sekolah"), ("6501", 1, "lantai sekolah"), ("6502", 1, "lantai")],
        [
            prog("rtlh", "lantai", [(0, 1), (1, 1), (2, 1)], budget=2),
            prog("pip", "sekolah", [(0, 1), (0, 1), (1, 1)], person=True, members="one", quota=2),
            prog("lantai", "lantai", [(0, 1)]),
        ],
        limits=(Limit("rtlh", "6501", max_units=1), Limit("rtlh", "6502", min_units=1)),
        committed={"rtlh": {0}},
    )
    found = violations(inst, SimpleNamespace(chosen=chosen))
    assert [v for v in found if words in v], found


# -- committed units of programmes that are not optimised (review findings) -------------------
def test_a_family_kept_in_a_fixed_programme_gets_no_same_dimension_programme() -> None:
    # "bsps" closes nothing (kept in its own ranking) and shares rtlh's dimension; family 0
    # already holds bsps and keeps it, so rtlh (budget for one) goes to family 1 instead,
    # and the plan keeps the one-programme-per-dimension rule.
    rows = [("6501", 1, "lantai sanitasi"), ("6501", 2, "lantai sanitasi")]
    rtlh = prog("rtlh", "lantai", [(0, 1), (1, 1)], budget=1)
    bsps = prog("bsps", "", [(0, 1)], dims=rtlh["dims"])
    inst = make(rows, [rtlh, bsps], committed={"bsps": {0}})
    plan, _ = solve_and_check(inst, 1 + CLOSE)
    assert families_of(inst, plan, "rtlh") == [1]
    assert families_of(inst, plan, "bsps") == [0]
    # kept in both: no plan can keep the rule, and the message says so (the KK masked)
    both = make(rows, [rtlh, bsps], committed={"bsps": {0}, "rtlh": {0}})
    with pytest.raises(UsageError, match="tidak dapat digabung") as err:
        integrated(both, gap=0.0)
    assert "KK0" not in str(err.value)


def test_committed_units_over_the_budget_or_quota_are_refused_by_name() -> None:
    rows = [("6501", 1, "lantai")] * 3
    inst = make(
        rows,
        [prog("rtlh", "lantai", [(0, 4), (1, 4), (2, 4)], budget=5, quota=1)],
        committed={"rtlh": {0, 1}},
    )
    with pytest.raises(UsageError) as err:
        integrated(inst, gap=0.0)
    text = str(err.value)
    assert "rtlh: 2 unit yang dipertahankan melebihi kuota 1" in text
    assert "Rp8 melebihi pagu Rp5" in text


def test_a_time_limit_without_a_plan_says_so() -> None:
    rows = [("6501", d % 10 + 1, "lantai sanitasi") for d in range(60)]
    units = [(f, 3 + f % 7) for f in range(60)]
    inst = make(rows, [prog("rtlh", "lantai", units, budget=97)])
    try:
        plan = integrated(inst, gap=0.0, time_limit=1e-9)
    except UsageError as err:
        assert "batas waktu pemecah" in str(err) and "--time-limit" in str(err)
    else:  # HiGHS found a plan before its first time check: it must still be feasible
        assert violations(inst, plan) == []
