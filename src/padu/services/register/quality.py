"""The quality of a snapshot (completeness, invalid identifiers, duplicates, inconsistencies)
by region, and its families by desil.

The command gets the core report as it is (:class:`QualitySummary`); the Snapshot page gets
the same report with region names, drill-down and each region's least-filled field
(:class:`QualityReport`)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from padu.errors import InputError
from padu.regions import REGION_COLUMNS, Region, kaltara
from padu.register import quality_report
from padu.register.quality import GROUPS, families_by_desil
from padu.register.snapshots import snapshot_table
from padu.schema import EXPECTED_FIELDS, register_schema
from padu.services.register.snapshots import SnapshotInfo, snapshot_info
from padu.stores import Catalog, Warehouse

#: Families and findings of no known region.
NO_REGION = "(tanpa wilayah)"
_CHILD_LEVEL = {"provinsi": "kabupaten", "kabupaten_kota": "kecamatan", "kecamatan": "desa"}


class FieldCount(BaseModel):
    """How often one field is filled in (the core report's words)."""

    terisi: int | None
    total: int
    persen: float


class FileNoteRow(BaseModel):
    """A note on a whole file (an unknown column, ignored), as the core report keeps it."""

    file: str | None
    kolom: str | None
    kode: str
    keterangan: str


class QualitySummary(BaseModel):
    """``padu register quality``: the core report of one snapshot by one region level."""

    snapshot: int
    label: str
    snapshot_date: dt.date
    families: int
    individuals: int
    by: str
    findings: dict[str, int]
    summary: dict[str, int]
    duplicate_nik_values: int
    completeness: dict[str, FieldCount]  # ``level.name`` -> filled
    completeness_by_region: dict[str, dict[str, float]]  # region -> ``level.name`` -> percent
    findings_by_region: dict[str, dict[str, int]]
    file_notes: list[FileNoteRow]


def quality_summary(
    wh: Warehouse, catalog: Catalog, ref: str | int, by: str = "kabupaten"
) -> QualitySummary:
    """Completeness, invalid identifiers, duplicates and inconsistencies of a snapshot, in
    total and by region (``kabupaten``, ``kecamatan`` or ``desa``)."""
    return QualitySummary.model_validate(quality_report(wh, catalog, ref, by))


class FieldCompleteness(BaseModel):
    """How often one register field is filled in."""

    field: str  # ``level.name``
    label: str
    filled: int
    total: int
    percent: float


class RegionQuality(BaseModel):
    """The findings and completeness of one region."""

    kode: str
    nama: str
    families: int
    findings: dict[str, int]
    groups: dict[str, int]
    total: int
    completeness: dict[str, float]  # expected fields (``level.name``) -> percent filled
    lowest_label: str | None  # the expected field least filled in here, and how much
    lowest_percent: float | None
    drill: bool  # whether a lower level can be shown


class FileNote(BaseModel):
    file: str | None
    column: str | None
    code: str
    reason: str


class QualityReport(BaseModel):
    """``padu register quality`` for one snapshot, with the regions of one level."""

    snapshot: SnapshotInfo
    level: str  # kabupaten, kecamatan or desa
    within: Region | None  # the region drilled into (None: the province)
    findings: dict[str, int]
    summary: dict[str, int]
    duplicate_nik_values: int
    expected: list[FieldCompleteness]
    completeness: list[FieldCompleteness]
    regions: list[RegionQuality]
    file_notes: list[FileNote]


def snapshot_quality(
    wh: Warehouse, catalog: Catalog, ref: str | int, within: str | None = None
) -> QualityReport:
    """The quality report of a snapshot by kabupaten, or by the kecamatan (desa) of the
    kabupaten (kecamatan) ``within``; the snapshot-wide figures are the province's."""
    regions = kaltara()
    parent = regions.get(within) if within else None
    level = _CHILD_LEVEL.get(parent.level if parent else "provinsi")
    if level is None:
        raise InputError(f"{parent.nama if parent else within}: tidak ada wilayah di bawahnya")
    info = snapshot_info(catalog, ref)
    rep = quality_summary(wh, catalog, info.id, level)
    families = _families_by_region(wh, catalog, info.id, level)
    expected = [f"{lv}.{n}" for lv, names in EXPECTED_FIELDS.items() for n in names]
    shown = [
        code
        for code in sorted({*families, *rep.findings_by_region}, key=str)
        if parent is None
        or (code != NO_REGION and code.startswith(parent.kode + "."))
        or (code == NO_REGION and level == "kabupaten")
    ]
    fields = [_field(name, c) for name, c in rep.completeness.items()]
    labels = {f.field: f.label for f in fields}
    rows = []
    for code in shown:
        found = rep.findings_by_region.get(code, {})
        region = regions.find(code) if code != NO_REGION else None
        cells = rep.completeness_by_region.get(code, {})
        filled = {f: cells[f] for f in expected if f in cells}
        low = min(filled, key=lambda f: (filled[f], f), default=None)
        rows.append(
            RegionQuality(
                kode=code, nama=_short(region) if region else code, families=families.get(code, 0),
                findings=found, total=sum(found.values()),
                groups={g: sum(found.get(c, 0) for c in codes) for g, codes in GROUPS.items()},
                completeness=filled, lowest_label=labels.get(low) if low else None,
                lowest_percent=filled[low] if low else None,
                drill=region is not None and level != "desa",
            )
        )  # fmt: skip
    return QualityReport(
        snapshot=info, level=level, within=parent, findings=rep.findings,
        summary=rep.summary, duplicate_nik_values=rep.duplicate_nik_values,
        expected=[f for f in fields if f.field in expected], completeness=fields, regions=rows,
        file_notes=[
            FileNote(file=n.file, column=n.kolom, code=n.kode, reason=n.keterangan)
            for n in rep.file_notes
        ],
    )  # fmt: skip


def _families_by_region(wh: Warehouse, catalog: Catalog, snap: int, level: str) -> dict[str, int]:
    kel = snapshot_table(wh, catalog, snap, "keluarga")
    rows = kel.group_by(_w=kel[REGION_COLUMNS[level]]).aggregate(_n=kel.count())
    return {r["_w"] or NO_REGION: int(r["_n"]) for r in rows.to_pyarrow().to_pylist()}


def _field(name: str, c: FieldCount) -> FieldCompleteness:
    level, _, field = name.partition(".")
    try:
        label = register_schema().field(level, field).label_id  # type: ignore[arg-type]
    except KeyError:
        label = field.replace("_", " ")
    return FieldCompleteness(
        field=name, label=f"{label} ({level})", filled=c.terisi or 0, total=c.total,
        percent=c.persen,
    )  # fmt: skip


def _short(region: Region) -> str:
    return region.nama.removeprefix("Kabupaten ")


class DesilCell(BaseModel):
    wilayah: str | None
    desil: str | None
    keluarga: int


class DesilCounts(BaseModel):
    """``padu register desil``: families per national desil x region."""

    snapshot: str | int  # as asked (an id, a label, ``latest``)
    by: str
    rows: list[DesilCell]


def desil_counts(
    wh: Warehouse, catalog: Catalog, ref: str | int, by: str = "kabupaten"
) -> DesilCounts:
    """Families per national desil in each region of level ``by``, desil 1 to 10 in order."""
    rows = families_by_desil(wh, catalog, ref, by).to_pyarrow().to_pylist()
    return DesilCounts(snapshot=ref, by=by, rows=rows)
