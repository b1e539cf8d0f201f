"""A planning problem as plain data: families, their deprivations, and every programme's
eligible units with their costs, in the programme's own rank order.

The optimiser, the siloed baseline and the metrics read only this, so they can be tested on
hand-built instances without a store; :mod:`padu.planning.run` builds one from a snapshot.

Scores are integers on one scale (Padu-7's weights 1/7, 1/14, 1/21, 1/28 are 12, 6, 4 and 3
out of 84), so "below k" is decided exactly, as ``padu mpi`` decides it.

The closure rule: a programme closes its indicators for a family when it reaches the family
*whole*: a family programme by its one unit; a person programme with ``members="one"`` by
one member; with ``members="all"`` only when every eligible member of the family is reached
(a back-to-school grant to one of two out-of-school children does not end the family's
deprivation). A family is lifted when it was poor (complete data, score >= k) and its score
after the closures is below k.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from padu.planning.scenario import Limit

Objective = Literal["lifted", "weighted"]
#: Objective "lifted": a lifted family counts 1, each unit of closed weight (a whole
#: dimension's worth) this much, so money that can lift no one still closes deprivations.
CLOSED_WEIGHT_VALUE = 0.01
NO_DESIL = 99


@dataclass(frozen=True)
class IndicatorSpec:
    id: str
    dimension: str
    weight: int  # on the instance's integer scale


@dataclass(frozen=True)
class PlanProgramme:
    """One programme of the scenario with its eligible units in its own rank order."""

    code: str
    agency: str
    dimensions: tuple[str, ...]
    closes: int  # bitmask over Instance.indicators; 0 = not optimised (keeps its ranking)
    budget: int | None
    quota: int | None
    person: bool
    members: Literal["all", "one"]
    unit_family: list[int]  # family index of each eligible unit, in rank order
    unit_cost: list[int]
    unit_key: list[str]  # KK (family programme) or the person key

    @property
    def optimised(self) -> bool:
        return self.closes != 0

    @cached_property
    def units_of(self) -> dict[int, list[int]]:
        """Family index -> the programme's unit indices in it, in rank order."""
        out: dict[int, list[int]] = defaultdict(list)
        for u, f in enumerate(self.unit_family):
            out[f].append(u)
        return dict(out)

    def package(self, family: int) -> list[int]:
        """The units a plan gives ``family`` when it chooses the programme for it whole."""
        units = self.units_of.get(family, [])
        if self.person and self.members == "one":
            return units[:1]
        return units

    def need(self, family: int) -> int:
        """How many of the family's units must be reached for the programme to close."""
        if not self.person or self.members == "one":
            return 1
        return len(self.units_of.get(family, []))


@dataclass
class Instance:
    indicators: tuple[IndicatorSpec, ...]
    scale: int
    k: int
    kk: list[str]
    kabupaten: list[str]
    desil: list[int]
    deprived: list[int]  # bitmask of indicators equal to 1
    complete: list[bool]  # no indicator NULL
    tie: list[str]  # the shared priority tie-break of each family
    programmes: tuple[PlanProgramme, ...]
    complements: frozenset[frozenset[str]] = frozenset()
    limits: tuple[Limit, ...] = ()
    committed: dict[str, frozenset[int]] = field(default_factory=dict)
    #: programme -> the committed units themselves (a person programme's committed member:
    #: the one a ``members="one"`` package keeps, and the only ones a not-optimised
    #: programme is held to); without an entry every unit of a committed family counts
    committed_units: dict[str, frozenset[int]] = field(default_factory=dict)
    objective: Objective = "lifted"

    @property
    def families(self) -> int:
        return len(self.kk)

    def weight(self, mask: int) -> int:
        """The summed weight of the indicators in ``mask``."""
        return sum(ind.weight for i, ind in enumerate(self.indicators) if mask >> i & 1)

    @cached_property
    def score(self) -> list[int]:
        weights = [ind.weight for ind in self.indicators]
        return [sum(w for i, w in enumerate(weights) if m >> i & 1) for m in self.deprived]

    def poor(self, f: int) -> bool:
        return self.complete[f] and self.score[f] >= self.k

    def package(self, p: PlanProgramme, family: int) -> list[int]:
        """The units a plan gives ``family`` when it chooses ``p`` for it: the programme's
        package, except that a committed member stays the one of a ``members="one"``
        package."""
        units = p.package(family)
        if p.person and p.members == "one" and units:
            kept = self.committed_units.get(p.code, frozenset())
            mine = [u for u in p.units_of.get(family, []) if u in kept]
            return mine[:1] or units
        return units

    def committed_units_of(self, p: PlanProgramme) -> list[int]:
        """Every unit ``p`` must keep (in rank order)."""
        families = self.committed.get(p.code, frozenset())
        if not families:
            return []
        if p.code in self.committed_units:
            return sorted(self.committed_units[p.code])
        if p.optimised:
            return sorted(u for f in families for u in self.package(p, f))
        return sorted(u for f in families for u in p.units_of.get(f, []))

    def programme(self, code: str) -> PlanProgramme:
        return next(p for p in self.programmes if p.code == code)

    def conflict(self, a: PlanProgramme, b: PlanProgramme) -> bool:
        """Whether one family may not hold both: they share a dimension and are not a
        declared complement pair."""
        if a.code == b.code:
            return False
        if frozenset((a.code, b.code)) in self.complements:
            return False
        return bool(set(a.dimensions) & set(b.dimensions))

    def priority(self, f: int) -> tuple[int, int, str]:
        """The shared priority order: desil ascending, score descending, then the tie."""
        return (self.desil[f], -self.score[f], self.tie[f])

    def value(self, f: int, closed: int) -> float:
        """The objective's value of closing the indicators ``closed`` for family ``f``."""
        closed &= self.deprived[f]
        if not closed:
            return 0.0
        w = self.weight(closed)
        if self.objective == "weighted":
            d = self.desil[f]
            factor = (11 - d) / 10 if 1 <= d <= 10 else 0.1
            return (w / self.scale) * factor * (self.score[f] / self.scale)
        lifted = self.poor(f) and self.score[f] - w < self.k
        return (1.0 if lifted else 0.0) + CLOSED_WEIGHT_VALUE * w / self.scale
