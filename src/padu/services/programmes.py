"""The programmes service: the agencies' programmes, their workshop file, and the data they need.

``padu programme list|show|import|export`` and ``padu needs`` are thin renderers over these
functions, and the web pages call the same ones, so the two cannot drift. Each function
takes open stores and resolved inputs (a parsed workshop, a programme code, an output
path already chosen) and returns a pydantic model whose ``model_dump(mode="json")`` is the
command's ``--json`` output. The audit events stay where the catalog writes them: an import
is one ``programme.import`` event in the transaction that stores the new versions
(:meth:`padu.stores.Catalog.save_programmes`); listing, showing, exporting the (non-personal)
workshop and computing data needs record nothing, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, SerializerFunctionWrapHandler, model_serializer

from padu.errors import InputError
from padu.files import atomic_output, check_output_file
from padu.programmes.model import Programme, Workshop
from padu.stores import Catalog, Warehouse

__all__ = [
    "FieldQuality",
    "NeedsReport",
    "ProgrammeDetail",
    "ProgrammeList",
    "ProgrammeNeeds",
    "ProgrammeSummary",
    "RegionName",
    "SparseModel",
    "WorkshopExport",
    "WorkshopImport",
    "data_needs_report",
    "export_workshop",
    "import_workshop",
    "list_programmes",
    "show_programme",
]


class SparseModel(BaseModel):
    """A result whose optional keys appear in its JSON only when they were given.

    The command-line JSON of these results has always left out a key that does not apply
    (a programme without a quota, a list not written to a file); a field with a default
    that the service did not set is left out of ``model_dump`` the same way.
    """

    @model_serializer(mode="wrap")
    def _given_only(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        fields = type(self).model_fields
        given = self.model_fields_set
        return {
            k: v
            for k, v in data.items()
            if k in given or k not in fields or fields[k].is_required()
        }


# -- list and show ---------------------------------------------------------------------------
class ProgrammeSummary(BaseModel):
    """One programme as the list shows it (its current version)."""

    code: str
    name: str
    agency: str
    dimensions: list[str]
    unit: str
    complements: list[str]
    version: int


class ProgrammeList(BaseModel):
    programmes: list[ProgrammeSummary]


def list_programmes(catalog: Catalog) -> ProgrammeList:
    """Every stored programme at its current version, by code."""
    from padu.programmes.store import current_workshop

    workshop, versions = current_workshop(catalog)
    return ProgrammeList(
        programmes=[
            ProgrammeSummary(
                code=p.code,
                name=p.name,
                agency=p.agency,
                dimensions=list(p.dimensions),
                unit=p.unit,
                complements=list(p.complements),
                version=versions[p.code],
            )
            for p in sorted(workshop.programmes, key=lambda p: p.code)
        ]
    )


class ProgrammeDetail(SparseModel):
    """One programme version: its stored definition (fields left at their defaults are
    absent, as in the catalog), its complementary programmes and its version number."""

    code: str
    name: str
    agency: str
    dimensions: list[str]
    unit: str
    rule: str
    fiscal_year: int
    funding: str
    member_rule: str | None = None
    unit_cost: int | None = None
    budget: int | None = None
    quota: int | None = None
    regions: list[str] | None = None
    data_needs: list[str] | None = None
    complements: list[str]
    note: str | None = None
    params: dict[str, dict[str, Any]] | None = None
    rule_template: str | None = None
    member_rule_template: str | None = None
    cost_components: list[dict[str, Any]] | None = None
    max_components: int | None = None
    sub_activity_code: str | None = None
    sub_activity_name: str | None = None
    output_indicator: str | None = None
    output_unit: str | None = None
    output_volume: int | None = None
    tags: list[str] | None = None
    long_list: bool | None = None
    long_list_note: str | None = None
    version: int


def show_programme(catalog: Catalog, code: str, version: int | None = None) -> ProgrammeDetail:
    """A programme at ``version`` (the current one when None); NotFound names the known codes."""
    from padu.programmes.store import programme

    p, v = programme(catalog, code, version)
    return ProgrammeDetail(**{**p.definition(), "complements": list(p.complements), "version": v})


# -- workshop import and export --------------------------------------------------------------
class WorkshopImport(BaseModel):
    """What an import stored: how many agencies, and each programme's current version."""

    agencies: int
    programmes: dict[str, int]


def import_workshop(
    catalog: Catalog,
    workshop: Workshop,
    *,
    actor: str,
    params: Mapping[str, str] | None = None,
) -> WorkshopImport:
    """Store a checked workshop (a changed programme gets a new version), with ``params``
    (``KODE.NAMA`` -> value) applied first; one ``programme.import`` event by ``actor``."""
    from padu.programmes.params import with_params
    from padu.programmes.store import save_workshop

    if params:
        workshop = with_params(workshop, dict(params))
    versions = save_workshop(workshop, catalog, actor=actor)
    return WorkshopImport(agencies=len(workshop.agencies), programmes=versions)


class WorkshopExport(BaseModel):
    file: str
    programmes: int


def export_workshop(catalog: Catalog, path: Path) -> WorkshopExport:
    """Write every agency and current programme as a workshop file (.yaml), whole or not at
    all. Rules are written as their templates, so a re-import keeps the parameters."""
    from padu.programmes.model import dump_workshop
    from padu.programmes.store import current_workshop

    check_output_file(path, (".yaml", ".yml"))
    workshop, _ = current_workshop(catalog)
    with atomic_output(path) as temp:
        temp.write_text(dump_workshop(workshop), encoding="utf-8")
    return WorkshopExport(file=str(path), programmes=len(workshop.programmes))


# -- data needs ------------------------------------------------------------------------------
class RegionName(BaseModel):
    kode: str
    nama: str


class ProgrammeNeeds(BaseModel):
    """The register fields one programme reads, and the families its rule cannot decide."""

    code: str
    name: str
    agency: str
    fields: list[str]
    undecidable: int
    undecidable_by_region: dict[str, int]
    undecidable_members: int
    unreliable_regions: list[RegionName]


class FieldQuality(BaseModel):
    """How complete and valid one needed field is, overall and by region (percent)."""

    completeness: float
    validity: float
    by_region: dict[str, float | None]


class NeedsReport(BaseModel):
    """Data needs of programmes on one snapshot: fields per programme, their quality, the
    regions where a decisive field falls under ``threshold_percent``, and the agency x
    field matrix (how many of an agency's programmes read each field)."""

    snapshot: int
    by: str
    threshold_percent: float
    programmes: list[ProgrammeNeeds]
    fields: dict[str, FieldQuality]
    matrix: dict[str, dict[str, int]]


def data_needs_report(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    *,
    programme: str | None = None,
    by: str = "kabupaten",
    out: Path | None = None,
) -> NeedsReport:
    """The data needs of one programme (``programme``) or of all current ones, on
    ``snapshot``; with ``out``, also the workbook (one sheet per agency), whole or not at all.
    The workbook holds counts and percentages only, no personal data."""
    from padu.programmes.needs import data_needs, write_workbook
    from padu.programmes.store import current_workshop
    from padu.programmes.store import programme as one_programme

    progs: list[Programme]
    if programme:
        progs = [one_programme(catalog, programme)[0]]
    else:
        progs = current_workshop(catalog)[0].programmes
    if not progs:
        raise InputError(
            "belum ada program; impor dulu (padu programme import preset:kaltara-2026)"
        )
    result = data_needs(wh, catalog, snapshot, progs, by=by)
    if out is not None:
        with atomic_output(out) as temp:
            write_workbook(result, temp)
    return NeedsReport.model_validate(result)
