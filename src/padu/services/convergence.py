"""The convergence service: who receives what across every agency, as a typed report.

:func:`convergence_report` is what ``padu convergence`` (and later the web page and the
API) calls: it runs every view of :func:`padu.convergence.convergence` (overlap, gaps,
targeting errors and coverage, for the province and per region) and returns a
:class:`ConvergenceReport` whose ``model_dump(mode="json")`` is the JSON of ``padu --json
convergence``, key for key. :func:`write_convergence_file` writes the report as the
workshop's workbook or as JSON, whole or not at all, and records the file as a
``convergence.export`` event: the report holds counts only, never a person, but a workbook
with ``suppress_below=0`` shows cells under five families, so who wrote which is kept.
The definitions are in ``docs/convergence.md``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

from padu.errors import InputError
from padu.files import atomic_output, check_output_file
from padu.stores import Catalog, Warehouse

__all__ = [
    "CONVERGENCE_EXPORT",
    "ConvergenceReport",
    "agency_names",
    "convergence_report",
    "write_convergence_file",
]

#: The audit event of a convergence file written (counts only: not a personal-data export).
CONVERGENCE_EXPORT = "convergence.export"
FileFormat = Literal["xlsx", "json"]


class _Strict(BaseModel):
    """A part of the report: a key the views add and this model lacks is an error, not a
    silent loss (the tests compare the report with the views' own dictionary)."""

    model_config = ConfigDict(extra="forbid")


class SnapshotUsed(_Strict):
    id: int
    label: str
    tanggal: str  # ISO date
    reference: bool  # the agreed reference snapshot of the year


class Concentration(_Strict):
    threshold: int  # N: families with N programmes or more
    families: int
    distribution: dict[str, int]  # "1", "2", ..., "N+" -> families


class AgencyPair(_Strict):
    agencies: list[str]  # two agency codes
    families: int


class Overlap(_Strict):
    same_dimension_families: int
    same_programme_families: int
    complementary_families: int
    by_dimension: dict[str, int]
    concentration: Concentration
    by_agency_pair: list[AgencyPair]


class Gap(_Strict):
    deprived: int
    reached: int
    unreached: int


class PoorReach(_Strict):
    poor: int
    reached: int
    unreached: int


class DimensionAgency(_Strict):
    dimension: str
    agency: str
    families: int


class ProgrammeFigures(_Strict):
    """Targeting errors and coverage of one programme (rates None where undefined)."""

    agency: str
    unit: str
    dimensions: list[str]
    recipients: int
    inclusion: dict[str, int]  # why a recipient is an inclusion error -> units
    inclusion_error: float | None
    eligible: int
    eligible_reached: int
    exclusion_error: float | None
    priority_skipped: int
    coverage: float | None
    deprived: int
    deprived_reached: int
    deprived_coverage: float | None
    pending_review: int


class Views(_Strict):
    """Every view of one area (the province or a region)."""

    families: int
    overlap: Overlap
    gaps: dict[str, Gap]  # dimension -> its gap
    poor: PoorReach
    dimension_agency: list[DimensionAgency]
    programmes: dict[str, ProgrammeFigures]


class RegionViews(Views):
    level: str  # kabupaten, kecamatan or desa
    kode: str
    nama: str

    @model_serializer(mode="wrap")
    def _as_printed(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The region's name first, then its views (as the CLI has always printed them)."""
        data: dict[str, Any] = handler(self)
        head = {k: data.pop(k) for k in ("level", "kode", "nama")}
        return {**head, **data}


class Source(_Strict):
    """An adoption or a linked agency list counted (or not) for the year."""

    basis: str
    kind: str  # adoption | ledger
    id: int
    programme: str
    snapshot: int | None
    rows: int
    off_reference: bool
    counted: bool
    dibuat: str
    pelaku: str
    file: str | None = None
    replaced_by: int | None = None


class ConvergenceReport(Views):
    """``padu --json convergence``: the province's views, then (with ``by``) each region's."""

    year: int
    basis: str
    measure: str
    dimension_labels: dict[str, str]
    by: str | None
    snapshot: SnapshotUsed
    sources: list[Source]
    warnings: list[str]
    programmes_without_list: list[str]
    regions: list[RegionViews] | None = None  # only with ``by``

    @model_serializer(mode="wrap")
    def _as_printed(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The keys in the order the CLI has always printed them; ``regions`` only with
        ``by``, a source's ``file`` and ``replaced_by`` only where they apply."""
        data: dict[str, Any] = handler(self)
        head = ("year", "basis", "measure", "dimension_labels", "by", "snapshot")
        out = {k: data[k] for k in head}
        out.update({k: v for k, v in data.items() if k not in out and k != "regions"})
        for source in out["sources"]:
            for key in ("file", "replaced_by"):
                if source.get(key) is None:
                    source.pop(key, None)
        if self.regions is not None:
            out["regions"] = data["regions"]
        return out


def agency_names(catalog: Catalog) -> dict[str, str]:
    """Agency code -> name, as the workshop recorded them."""
    return {a.code: a.name for a in catalog.agencies()}


def convergence_report(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    year: int,
    *,
    basis: str = "both",
    by: str | None = None,
    measure: str = "padu-7",
    concentration: int = 4,
) -> ConvergenceReport:
    """Every convergence view of ``year`` on ``snapshot`` (``by``: also per kabupaten,
    kecamatan or desa). Counts only, so nothing is audited until a file is written."""
    from padu.convergence import convergence

    raw = convergence(
        wh, catalog, snapshot, year, basis=basis, by=by, measure=measure,
        concentration=concentration,
    )  # fmt: skip
    return ConvergenceReport.model_validate(raw)


def write_convergence_file(
    catalog: Catalog,
    report: ConvergenceReport,
    path: Path,
    fmt: FileFormat,
    *,
    actor: str,
    suppress_below: int = 5,
    agencies: dict[str, str] | None = None,
) -> Path:
    """Write the report as the workshop's workbook (``xlsx``: cells under
    ``suppress_below`` families hidden; 0 shows every cell) or as JSON; the file appears
    only once its ``convergence.export`` event is recorded. Returns the absolute path."""
    from padu.convergence.workbook import write_convergence_xlsx

    if fmt not in ("xlsx", "json"):
        raise InputError(f"format berkas konvergensi harus xlsx atau json, bukan {fmt!r}")
    target = check_output_file(path, (f".{fmt}",))
    data = report.model_dump(mode="json")
    with atomic_output(target) as temp:
        if fmt == "xlsx":
            # the workbook writes under its own temporary name; the outer one is renamed last
            write_convergence_xlsx(
                data, temp, suppress_below=suppress_below, agencies=agencies or {}
            )
        else:
            temp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        detail: dict[str, object] = {
            "path": str(target),
            "format": fmt,
            "year": report.year,
            "snapshot": report.snapshot.id,
            "basis": report.basis,
            "by": report.by,
            "measure": report.measure,
        }
        if fmt == "xlsx":
            detail["suppress_below"] = suppress_below
        catalog.record(CONVERGENCE_EXPORT, detail, actor)
    return target
