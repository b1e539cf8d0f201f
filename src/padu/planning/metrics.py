"""What a plan achieves, for the province and each kabupaten, computed the same way for the
integrated and the siloed plan so the two can stand side by side.

- ``families_reached``: families with at least one unit in any programme;
- ``deprivations_closed``: (family, indicator) deprivations the plan closes (the closure rule
  in :mod:`padu.planning.instance`), also by dimension;
- ``poor_before`` / ``poor_lifted``: multidimensionally poor families (complete data, score
  >= k) and those whose score after the closures is below k;
- ``H``, ``A``, ``M0`` before and after, over the families with complete data (as ``padu
  mpi`` counts them, family-weighted);
- ``budget_used`` (every programme) and ``cost_per_deprivation_closed`` (the cost of the
  programmes that close an indicator, over the deprivations closed);
- ``same_dimension_overlap``: families holding two programmes of one dimension that are not
  a declared complement pair (as ``padu convergence`` counts same-dimension overlap).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from padu.planning.instance import Instance
from padu.planning.solve import Allocation, closures


class _Tally:
    def __init__(self, inst: Instance) -> None:
        self.dims = list(dict.fromkeys(i.dimension for i in inst.indicators))
        self.codes = [p.code for p in inst.programmes]
        self.n = 0
        self.poor_before = 0
        self.poor_after = 0
        self.sum_before = 0
        self.sum_after = 0
        self.lifted = 0
        self.reached = 0
        self.closed = 0
        self.closed_weight = 0
        self.by_dim = dict.fromkeys(self.dims, 0)
        self.overlap = 0
        self.cost = dict.fromkeys(self.codes, 0)
        self.units = dict.fromkeys(self.codes, 0)
        self.families = dict.fromkeys(self.codes, 0)
        self.objective = 0.0


def plan_metrics(inst: Instance, alloc: Allocation) -> dict[str, Any]:
    """``{"province": METRICS, "kabupaten": {code: METRICS}}`` for one allocation."""
    closed = closures(inst, alloc)
    holds: dict[int, set[str]] = defaultdict(set)
    province = _Tally(inst)
    kabs = {kab: _Tally(inst) for kab in set(inst.kabupaten)}
    for p in inst.programmes:
        for u in alloc.chosen.get(p.code, []):
            f = p.unit_family[u]
            holds[f].add(p.code)
            for t in (province, kabs[inst.kabupaten[f]]):
                t.cost[p.code] += p.unit_cost[u]
                t.units[p.code] += 1
    programmes = {p.code: p for p in inst.programmes}
    for f in range(inst.families):
        mask = closed.get(f, 0)
        held = holds.get(f, set())
        w = inst.weight(mask) if mask else 0
        score = inst.score[f]
        for t in (province, kabs[inst.kabupaten[f]]):
            _count_family(inst, t, f, mask, w, score, held, programmes)
    out = {"province": _result(inst, province), "kabupaten": {}}
    for kab in sorted(kabs):
        out["kabupaten"][kab] = _result(inst, kabs[kab])
    return out


def _count_family(
    inst: Instance,
    t: _Tally,
    f: int,
    mask: int,
    w: int,
    score: int,
    held: set[str],
    programmes: dict[str, Any],
) -> None:
    if inst.complete[f]:
        t.n += 1
        if score >= inst.k:
            t.poor_before += 1
            t.sum_before += score
            if score - w < inst.k:
                t.lifted += 1
            else:
                t.poor_after += 1
                t.sum_after += score - w
    if held:
        t.reached += 1
        for code in held:
            t.families[code] += 1
        codes = sorted(held)
        if any(
            inst.conflict(programmes[a], programmes[b])
            for i, a in enumerate(codes)
            for b in codes[i + 1 :]
        ):
            t.overlap += 1
    if mask:
        t.closed_weight += w
        t.objective += inst.value(f, mask)
        for i, ind in enumerate(inst.indicators):
            if mask >> i & 1:
                t.closed += 1
                t.by_dim[ind.dimension] += 1


def _result(inst: Instance, t: _Tally) -> dict[str, Any]:
    s = inst.scale

    def ratio(a: float, b: float) -> float:
        return a / b if b else 0.0

    closing = sum(t.cost[p.code] for p in inst.programmes if p.optimised)
    return {
        "families_reached": t.reached,
        "deprivations_closed": t.closed,
        "deprivations_closed_by_dimension": t.by_dim,
        "weighted_deprivations_closed": t.closed_weight / s,
        "poor_before": t.poor_before,
        "poor_lifted": t.lifted,
        "families_counted": t.n,
        "H_before": ratio(t.poor_before, t.n),
        "A_before": ratio(t.sum_before, t.poor_before * s),
        "M0_before": ratio(t.sum_before, t.n * s),
        "H_after": ratio(t.poor_after, t.n),
        "A_after": ratio(t.sum_after, t.poor_after * s),
        "M0_after": ratio(t.sum_after, t.n * s),
        "budget_used": sum(t.cost.values()),
        "budget_by_programme": t.cost,
        "units_by_programme": t.units,
        "families_by_programme": t.families,
        "same_dimension_overlap": t.overlap,
        "cost_per_deprivation_closed": closing / t.closed if t.closed else None,
        "objective": t.objective,
    }
