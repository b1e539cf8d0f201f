"""The planning service: plan a scenario, adopt it, hand it over; list, import and export
scenarios.

:func:`plan` is what ``padu plan`` (and later the web page and its background job) calls:
it reads the scenario (a YAML file, a preset or a stored id), checks it against the
catalog, stores it as a version, solves the integrated plan beside the siloed baseline,
writes the files asked for and, last, adopts the plan. Its :class:`PlanReport` dumps
(``model_dump(mode="json")``) to the JSON of ``padu --json plan``, key for key.

The audit events are the core's own, recorded as each step happens: ``scenario.save`` (a
new version), ``plan.run`` (the solved plan and its list hashes), ``personal_data.export``
of kind ``plan_handover`` (an agency's workbook names families) and ``target.adopt`` (each
adopted list). Files come first and adoption last, so a refused file leaves the year's
plan as it was.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from padu.errors import UsageError
from padu.files import atomic_output, check_output_file
from padu.fmt import waktu_wita
from padu.stores import Catalog, Warehouse

__all__ = [
    "MAX_GAP",
    "PlanReport",
    "ScenarioExport",
    "ScenarioList",
    "ScenarioSaved",
    "export_scenario",
    "import_scenario",
    "list_scenarios",
    "plan",
]

#: The widest optimality gap a plan accepts (the issue's target is 0.5 %).
MAX_GAP = 0.05
Number = int | float


class _Strict(BaseModel):
    """A part of a result: a key the core adds and this model lacks is an error, not a
    silent loss (the tests compare the report with the core's own dictionary)."""

    model_config = ConfigDict(extra="forbid")


# -- a plan ----------------------------------------------------------------------------------
class PlanFigures(_Strict):
    """A plan's outcome for the province or one kabupaten (``padu.planning.metrics``)."""

    families_reached: int
    deprivations_closed: int
    deprivations_closed_by_dimension: dict[str, int]
    weighted_deprivations_closed: Number
    poor_before: int
    poor_lifted: int
    families_counted: int
    H_before: Number
    A_before: Number
    M0_before: Number
    H_after: Number
    A_after: Number
    M0_after: Number
    budget_used: int
    budget_by_programme: dict[str, int]
    units_by_programme: dict[str, int]
    families_by_programme: dict[str, int]
    same_dimension_overlap: int
    cost_per_deprivation_closed: Number | None
    objective: Number


class KabupatenPlan(_Strict):
    name: str
    integrated: PlanFigures
    siloed: PlanFigures | None


class ProgrammeShare(_Strict):
    """What one plan gives a programme: units, families and their cost."""

    units: int
    families: int
    cost: int


class ProgrammePlan(_Strict):
    code: str
    name: str
    agency: str
    unit: str
    dimensions: list[str]
    closes: list[str]  # the indicators the scenario lets it close (empty: its own order)
    optimised: bool
    budget: int | None
    quota: int | None
    rule_version: int | None
    list_hash: str | None
    integrated: ProgrammeShare
    siloed: ProgrammeShare | None = None  # only with the siloed comparison

    @model_serializer(mode="wrap")
    def _as_printed(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.siloed is None:
            data.pop("siloed", None)
        return data


class Adopted(_Strict):
    """One list of the plan recorded as its programme's planned recipients."""

    programme: str
    year: int
    adoption: int
    selected: int
    warnings: list[str]


class PlanReport(_Strict):
    """``padu --json plan``: the integrated plan beside the siloed baseline, the solver's
    account, and (when asked) the adoptions and the agencies' workbooks."""

    scenario: str
    scenario_version: int | None
    scenario_name: str
    year: int
    measure: str
    snapshot: int
    snapshot_label: str
    snapshot_date: str
    objective: str
    gap: float | None
    types: int | None
    variables: int | None
    solver_status: str
    solve_seconds: float | None
    model_seconds: float | None
    data_seconds: float | None
    integrated: PlanFigures
    siloed: PlanFigures | None
    kabupaten: dict[str, KabupatenPlan]
    programmes: list[ProgrammePlan]
    warnings: list[str]
    siloed_objective: Number | None
    integrated_objective: Number
    adopted: list[Adopted] | None = None  # only with adoption
    workbooks: list[str] | None = None  # only with hand-over workbooks

    @model_serializer(mode="wrap")
    def _as_printed(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """``adopted`` and ``workbooks`` appear only when there are some."""
        data: dict[str, Any] = handler(self)
        for key in ("adopted", "workbooks"):
            if not data.get(key):
                data.pop(key, None)
        return data


def check_plan_options(*, compare: str, gap: float, time_limit: float) -> None:
    """Refuse a comparison, gap or time limit out of range, before any work."""
    if compare not in ("siloed", "none"):
        raise UsageError("--compare: harus siloed atau none")
    if not 0 <= gap <= MAX_GAP:
        raise UsageError("--gap: harus di antara 0 dan 0,05 (0,005 = 0,5 %)")
    if time_limit <= 0:
        raise UsageError("--time-limit: harus lebih dari 0 detik")


def plan(
    wh: Warehouse,
    catalog: Catalog,
    scenario: str,
    snapshot: str | int,
    *,
    actor: str,
    compare: bool = True,
    gap: float = 0.001,
    time_limit: float = 300.0,
    adopt: bool = False,
    workbooks: Path | None = None,
    comparison: Path | None = None,
    json_out: Path | None = None,
) -> PlanReport:
    """Solve ``scenario`` (a YAML file, a preset name or a stored scenario id) on
    ``snapshot``, storing the scenario as a version first (a preset too, so an adopted plan
    can be traced to its text).

    ``workbooks``: a folder, one budget-cycle workbook per agency (personal data, audited);
    ``comparison``: the integrated-vs-siloed workbook (.xlsx, counts only); ``json_out``:
    the report as JSON; ``adopt``: record every list as its programme's plan for the year
    (the stores must then be writable).
    """
    from padu.planning.handover import check_handover_folder, write_comparison, write_handover
    from padu.planning.run import adopt_plan, plan_scenario, scenario_workshop
    from padu.planning.scenario import check_against, read_scenario, save_scenario

    check_plan_options(compare="siloed" if compare else "none", gap=gap, time_limit=time_limit)
    if workbooks is not None:
        check_handover_folder(workbooks)
    if comparison is not None:
        check_output_file(comparison, (".xlsx",))
    if json_out is not None:
        check_output_file(json_out, (".json",))
    loaded, _ = read_scenario(scenario, catalog)
    source = scenario if Path(scenario).exists() else None
    check_against(loaded, *scenario_workshop(loaded, catalog), source=source)
    version = save_scenario(loaded, catalog, actor=actor)
    result = plan_scenario(
        wh, catalog, loaded, snapshot, actor=actor, compare=compare,
        gap=gap, time_limit=time_limit, version=version,
    )  # fmt: skip
    # files first, adoption last: a refused file leaves the year's plan as it was
    written = write_handover(result, workbooks, wh, catalog, actor=actor) if workbooks else []
    if comparison is not None:
        write_comparison(result, comparison)
    adopted = adopt_plan(wh, catalog, result, actor=actor) if adopt else []
    report = PlanReport.model_validate(result.to_json())
    if adopted:
        report.adopted = [
            Adopted(
                programme=a.programme,
                year=a.year,
                adoption=a.id,
                selected=a.selected,
                warnings=list(a.warnings),
            )
            for a in adopted
        ]
    if written:
        report.workbooks = [str(p) for p in written]
    if json_out is not None:
        text = json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=1)
        with atomic_output(json_out) as temp:
            temp.write_text(text, encoding="utf-8")
    return report


# -- scenarios -------------------------------------------------------------------------------
class StoredScenario(_Strict):
    id: str
    version: int
    dibuat: str  # ISO time, UTC
    dibuat_wita: str
    oleh: str


class ScenarioList(_Strict):
    """``padu --json scenario list``: the shipped presets and every stored version."""

    presets: list[str]
    stored: list[StoredScenario]


class ScenarioSaved(_Strict):
    scenario: str
    version: int


class ScenarioExport(_Strict):
    scenario: str
    version: int | None  # None: a preset
    out: str


def list_scenarios(catalog: Catalog) -> ScenarioList:
    """The presets by name and every stored scenario version, oldest first."""
    from padu.planning.scenario import preset_scenario_names, scenario_versions

    stored = [
        StoredScenario(
            id=r.scenario_id,
            version=r.version,
            dibuat=r.dibuat.isoformat(timespec="seconds"),
            dibuat_wita=waktu_wita(r.dibuat),
            oleh=r.pelaku,
        )
        for r in scenario_versions(catalog)
    ]
    return ScenarioList(presets=preset_scenario_names(), stored=stored)


def import_scenario(catalog: Catalog, text: str, source: str, *, actor: str) -> ScenarioSaved:
    """Store a scenario's YAML ``text`` (read from ``source``) as a new version when its
    content changed (``scenario.save``), once it is known to fit the catalog."""
    from padu.planning.run import scenario_workshop
    from padu.planning.scenario import check_against, load_scenario, save_scenario

    loaded = load_scenario(text, source)
    programmes, measure = scenario_workshop(loaded, catalog)
    check_against(loaded, programmes, measure, source=source)
    version = save_scenario(loaded, catalog, actor=actor)
    return ScenarioSaved(scenario=loaded.id, version=version)


def export_scenario(catalog: Catalog, scenario: str, path: Path) -> ScenarioExport:
    """Write a scenario (a preset, or a stored one's newest version; ``id@N`` for version N)
    as editable YAML, whole or not at all (no personal data, so no audit event)."""
    from padu.planning.scenario import dump_scenario, read_scenario

    target = check_output_file(path, (".yaml", ".yml"))
    loaded, version = read_scenario(scenario, catalog)
    with atomic_output(target) as temp:
        temp.write_text(dump_scenario(loaded), encoding="utf-8")
    return ScenarioExport(scenario=loaded.id, version=version, out=str(path))
