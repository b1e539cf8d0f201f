"""A plain-Python checker of plans: the independent reference for the optimiser's tests.

It shares with Padu only the plain-data dataclasses of :mod:`padu.planning.instance` (and
reads nothing but their fields: not ``Instance.value``, ``conflict``, ``score`` or a
programme's ``package``/``need``), never :mod:`padu.planning.solve` or ``metrics``, so a
mistake in the optimiser's model or in its value function cannot hide behind the same
mistake here. It follows docs of issue 13 as agreed in the interfaces:

- a programme closes ``closes & deprived[f]`` for family ``f`` when its chosen units in
  ``f`` number at least the need: 1 for a family programme or ``members="one"``, every
  eligible unit of the family for ``members="all"``; closures of several programmes are a
  union (an indicator closed twice counts once);
- objective ``lifted``: families with complete data, score >= k and score minus closed
  weight < k, plus 0.01 x closed weight / scale over every family; ``weighted``: closed
  weight / scale x desil factor ((11 - d) / 10, 0.1 without a desil) x score / scale;
- ``members="one"`` gives a family its first eligible member in the programme's rank order;
- a committed family keeps the programme (at least one unit; the members rule does the rest).

Choices where the interface leaves room (kept in one place):

- the one-programme-per-dimension rule binds every programme, optimised or not;
- the members rule binds optimised programmes only (``closes != 0``), as the brief says;
- kabupaten limits count units and their cost in the families of that kabupaten.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from padu.planning.instance import Instance, PlanProgramme

LIFT_CLOSED_VALUE = 0.01
#: the brute force's limits: beyond these, enumeration stops being quick
MAX_FAMILIES, MAX_PROGRAMMES = 6, 3


def _bits(mask: int) -> Iterator[int]:
    i = 0
    while mask:
        if mask & 1:
            yield i
        mask >>= 1
        i += 1


def _weight(inst: Instance, mask: int) -> int:
    return sum(inst.indicators[i].weight for i in _bits(mask))


def _units_in(p: PlanProgramme) -> dict[int, list[int]]:
    """Family -> the programme's eligible unit indices in it, in rank order."""
    out: dict[int, list[int]] = defaultdict(list)
    for u, f in enumerate(p.unit_family):
        out[f].append(u)
    return out


def _share_dimension(inst: Instance, a: PlanProgramme, b: PlanProgramme) -> bool:
    if frozenset((a.code, b.code)) in inst.complements:
        return False
    return bool(set(a.dimensions) & set(b.dimensions))


def family_value(inst: Instance, f: int, closed: int) -> float:
    """The objective's worth of closing the indicators ``closed`` for family ``f``."""
    closed &= inst.deprived[f]
    cw = _weight(inst, closed)
    score = _weight(inst, inst.deprived[f])
    if inst.objective == "weighted":
        d = inst.desil[f]
        factor = (11 - d) / 10 if 1 <= d <= 10 else 0.1
        return (cw / inst.scale) * factor * (score / inst.scale)
    lifted = inst.complete[f] and score >= inst.k and score - cw < inst.k
    return (1.0 if lifted else 0.0) + LIFT_CLOSED_VALUE * cw / inst.scale


def closed_masks(inst: Instance, chosen: dict[str, list[int]]) -> list[int]:
    """Per family, the indicators the plan closes (the closure rule)."""
    closed = [0] * len(inst.kk)
    for p in inst.programmes:
        units = _units_in(p)
        per_family: dict[int, int] = defaultdict(int)
        for u in set(chosen.get(p.code, [])):
            if 0 <= u < len(p.unit_family):
                per_family[p.unit_family[u]] += 1
        for f, n in per_family.items():
            need = len(units[f]) if p.person and p.members == "all" else 1
            if n >= need:
                closed[f] |= p.closes & inst.deprived[f]
    return closed


def value(inst: Instance, alloc: Any) -> float:
    """The plan's objective, recomputed from its chosen units."""
    closed = closed_masks(inst, alloc.chosen)
    return sum(family_value(inst, f, closed[f]) for f in range(len(inst.kk)))


def violations(inst: Instance, alloc: Any) -> list[str]:
    """Every rule the plan breaks, in plain words; [] for a feasible plan."""
    out: list[str] = []
    by_code = {p.code: p for p in inst.programmes}
    out += [f"unknown programme {c!r} in the plan" for c in alloc.chosen if c not in by_code]
    holds: dict[int, set[str]] = defaultdict(set)
    for p in inst.programmes:
        chosen = list(alloc.chosen.get(p.code, []))
        valid = [u for u in chosen if isinstance(u, int) and 0 <= u < len(p.unit_family)]
        out += [f"{p.code}: unit {u!r} is not an eligible unit" for u in chosen if u not in valid]
        if len(set(chosen)) != len(chosen):
            out.append(f"{p.code}: a unit is chosen twice")
        if valid == chosen and chosen != sorted(chosen):
            out.append(f"{p.code}: chosen units are not in ascending order")
        units = sorted(set(valid))
        cost = sum(p.unit_cost[u] for u in units)
        if p.budget is not None and cost > p.budget:
            out.append(f"{p.code}: spends {cost}, over its budget of {p.budget}")
        if p.quota is not None and len(units) > p.quota:
            out.append(f"{p.code}: {len(units)} units, over its quota of {p.quota}")
        eligible = _units_in(p)
        got: dict[int, list[int]] = defaultdict(list)
        for u in units:
            got[p.unit_family[u]].append(u)
        for f, us in got.items():
            holds[f].add(p.code)
            if p.closes == 0:
                continue
            if not p.person and len(us) > 1:
                out.append(f"{p.code}: family {f} gets {len(us)} units of a family programme")
            elif p.person and p.members == "all" and len(us) != len(eligible[f]):
                out.append(
                    f"{p.code}: family {f} gets {len(us)} of its {len(eligible[f])} eligible"
                    " members (members=all: all or none)"
                )
            elif p.person and p.members == "one" and us != eligible[f][:1]:
                out.append(
                    f"{p.code}: family {f} gets units {us}, not only its first eligible member"
                    f" {eligible[f][0]} (members=one)"
                )
        for lim in (x for x in inst.limits if x.programme == p.code):
            here = [u for u in units if inst.kabupaten[p.unit_family[u]] == lim.kabupaten]
            n, spent = len(here), sum(p.unit_cost[u] for u in here)
            for what, amount, low, high in (
                ("units", n, lim.min_units, lim.max_units),
                ("budget", spent, lim.min_budget, lim.max_budget),
            ):
                if low is not None and amount < low:
                    out.append(f"{p.code} in {lim.kabupaten}: {what} {amount} below floor {low}")
                if high is not None and amount > high:
                    out.append(f"{p.code} in {lim.kabupaten}: {what} {amount} above cap {high}")
        for f in sorted(inst.committed.get(p.code, frozenset())):
            if f not in got:
                out.append(f"{p.code}: committed family {f} is not kept")
    for f in sorted(holds):
        for a, b in itertools.combinations(sorted(holds[f]), 2):
            if _share_dimension(inst, by_code[a], by_code[b]):
                out.append(f"family {f} holds {a} and {b}, which share a dimension")
    return out


def _family_options(inst: Instance, f: int) -> list[tuple[dict[str, list[int]], float]]:
    """Every way to serve family ``f`` by itself (units per programme) and its worth."""
    eligible = [p for p in inst.programmes if f in _units_in(p)]
    options = []
    for r in range(len(eligible) + 1):
        for subset in itertools.combinations(eligible, r):
            codes = {p.code for p in subset}
            if any(_share_dimension(inst, a, b) for a, b in itertools.combinations(subset, 2)):
                continue
            if any(f in inst.committed.get(p.code, ()) and p.code not in codes for p in eligible):
                continue
            units, closed = {}, 0
            for p in subset:
                mine = _units_in(p)[f]
                units[p.code] = mine[:1] if not p.person or p.members == "one" else mine
                closed |= p.closes & inst.deprived[f]
            options.append((units, family_value(inst, f, closed)))
    return options


def brute_force_plan(inst: Instance) -> tuple[float, dict[str, list[int]]] | None:
    """The best feasible plan of a tiny instance, by enumerating per-family programme
    sets (pruned only where a budget, quota or cap is already exceeded, or the rest cannot
    beat the best found); None when no plan is feasible."""
    if len(inst.kk) > MAX_FAMILIES or len(inst.programmes) > MAX_PROGRAMMES:
        raise ValueError("brute force is for tiny instances only")
    if any(p.closes == 0 for p in inst.programmes):
        raise ValueError("brute force covers optimised programmes only")
    by_code = {p.code: p for p in inst.programmes}
    options = [_family_options(inst, f) for f in range(len(inst.kk))]
    rest = [0.0] * (len(options) + 1)  # the most the families from i on can add
    for i in range(len(options) - 1, -1, -1):
        rest[i] = rest[i + 1] + max((v for _, v in options[i]), default=0.0)
    best: list[Any] = [-math.inf, None]
    picked: list[dict[str, list[int]]] = []

    def plan() -> dict[str, list[int]]:
        out: dict[str, list[int]] = {p.code: [] for p in inst.programmes}
        for units in picked:
            for code, us in units.items():
                out[code] += us
        return {c: sorted(us) for c, us in out.items()}

    def within(chosen: dict[str, list[int]], final: bool) -> bool:
        for code, us in chosen.items():
            p = by_code[code]
            if p.budget is not None and sum(p.unit_cost[u] for u in us) > p.budget:
                return False
            if p.quota is not None and len(us) > p.quota:
                return False
        for lim in inst.limits:
            p = by_code[lim.programme]
            here = [
                u
                for u in chosen[lim.programme]
                if inst.kabupaten[p.unit_family[u]] == lim.kabupaten
            ]
            n, spent = len(here), sum(p.unit_cost[u] for u in here)
            if (lim.max_units is not None and n > lim.max_units) or (
                lim.max_budget is not None and spent > lim.max_budget
            ):
                return False
            if final and (
                (lim.min_units is not None and n < lim.min_units)
                or (lim.min_budget is not None and spent < lim.min_budget)
            ):
                return False
        return True

    def walk(i: int, total: float) -> None:
        if total + rest[i] <= best[0] + 1e-12 and best[1] is not None:
            return
        if i == len(options):
            chosen = plan()
            if within(chosen, final=True) and total > best[0]:
                best[0], best[1] = total, chosen
            return
        for units, v in options[i]:
            picked.append(units)
            if within(plan(), final=False):
                walk(i + 1, total + v)
            picked.pop()

    walk(0, 0.0)
    return None if best[1] is None else (best[0], best[1])


def brute_force(inst: Instance) -> float:
    """The best objective value over every feasible plan of a tiny instance."""
    found = brute_force_plan(inst)
    if found is None:
        raise ValueError("no feasible plan")
    return found[0]
