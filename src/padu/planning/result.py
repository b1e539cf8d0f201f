"""What a planning run returns: the allocations, their metrics and the plan's named lists.

The CLI, the workbooks and (later) the web app read this one object; its JSON form is the
``padu --json plan`` output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from padu.planning.scenario import Scenario
from padu.planning.solve import Allocation
from padu.programmes.model import Programme
from padu.programmes.targeting import TargetList


@dataclass
class PlanResult:
    """One scenario solved on one snapshot, with the siloed baseline beside it."""

    scenario: Scenario
    version: int | None  # the scenario's stored version (None: not stored)
    snapshot: int
    snapshot_label: str
    snapshot_date: str  # ISO date of the snapshot
    programmes: dict[str, Programme]  # the scenario's programmes with the budgets it uses
    versions: dict[str, int]  # programme code -> rule version
    agencies: dict[str, str]  # agency code -> name
    integrated: Allocation
    siloed: Allocation | None
    #: "integrated" / "siloed" -> {"province": METRICS, "kabupaten": {code: METRICS}}
    metrics: dict[str, dict[str, Any]]
    #: programme code -> the integrated plan's named list (rows as ``padu target`` lists
    #: them, renumbered, with ``alasan_rencana``: why the plan chose the unit)
    lists: dict[str, TargetList]
    kabupaten_names: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    data_seconds: float | None = None  # reading the register and drawing the eligible lists

    def to_json(self) -> dict[str, Any]:
        """The plan as ``padu --json plan`` prints it (no personal data: counts only)."""
        plan, base = self.integrated, self.siloed
        integ = self.metrics["integrated"]
        silo = self.metrics.get("siloed")
        kabupaten: dict[str, Any] = {}
        for kab, m in integ["kabupaten"].items():
            kabupaten[kab] = {
                "name": self.kabupaten_names.get(kab, kab),
                "integrated": m,
                "siloed": silo["kabupaten"].get(kab) if silo else None,
            }
        closes = {sp.code: list(sp.closes) for sp in self.scenario.programmes}
        programmes = []
        for code, p in self.programmes.items():
            entry: dict[str, Any] = {
                "code": code,
                "name": p.name,
                "agency": p.agency,
                "unit": p.unit,
                "dimensions": list(p.dimensions),
                "closes": closes.get(code, []),
                "optimised": bool(closes.get(code)),
                "budget": p.budget,
                "quota": p.quota,
                "rule_version": self.versions.get(code),
                "list_hash": self.lists[code].hash if code in self.lists else None,
            }
            for name, metrics in (("integrated", integ), ("siloed", silo)):
                if metrics is None:
                    continue
                prov = metrics["province"]
                entry[name] = {
                    "units": prov["units_by_programme"][code],
                    "families": prov["families_by_programme"][code],
                    "cost": prov["budget_by_programme"][code],
                }
            programmes.append(entry)
        return {
            "scenario": self.scenario.id,
            "scenario_version": self.version,
            "scenario_name": self.scenario.name,
            "year": self.scenario.year,
            "measure": self.scenario.measure,
            "snapshot": self.snapshot,
            "snapshot_label": self.snapshot_label,
            "snapshot_date": self.snapshot_date,
            "objective": self.scenario.objective,
            "gap": plan.gap,
            "types": plan.types,
            "variables": plan.variables,
            "solver_status": plan.status,
            "solve_seconds": plan.solve_seconds,
            "model_seconds": plan.model_seconds,
            "data_seconds": self.data_seconds,
            "integrated": integ["province"],
            "siloed": silo["province"] if silo else None,
            "kabupaten": kabupaten,
            "programmes": programmes,
            "warnings": list(self.warnings),
            "siloed_objective": base.objective if base else None,
            "integrated_objective": plan.objective,
        }
