"""The snapshots of the register: the list, one snapshot, and the agreed reference of a
fiscal year (who agreed it and why, recorded)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from pydantic import BaseModel, PlainSerializer

from padu.audit import REGISTER_IMPORT
from padu.errors import InputError
from padu.services.register.upload import IMPORT_JOB
from padu.stores import Catalog
from padu.stores.catalog import SnapshotRow


class SnapshotInfo(BaseModel):
    """One snapshot as the list shows it."""

    id: int
    label: str
    snapshot_date: dt.date
    imported_at: dt.datetime  # UTC, naive (as the catalog keeps it)
    imported_by: str | None
    families: int
    individuals: int
    findings: int
    region_scheme: str
    content_hash: str | None
    reference_for: list[int]
    latest: bool

    @property
    def short_hash(self) -> str | None:
        return self.content_hash[:12] if self.content_hash else None


def list_snapshots(catalog: Catalog) -> list[SnapshotInfo]:
    """Every snapshot, newest first, with who imported it, the years it is the agreed
    reference of (``padu register reference``) and its content hash where known."""
    snaps = catalog.snapshots()
    agreed: dict[int, list[int]] = {}
    history = catalog.references()
    for year in sorted({r.tahun for r in history}):
        current = [r for r in history if r.tahun == year][-1]
        agreed.setdefault(current.snapshot_id, []).append(year)
    by_whom: dict[int, str] = {}
    for event in catalog.events(REGISTER_IMPORT):
        detail = _json(event.rincian)
        if isinstance(detail.get("snapshot"), int):
            by_whom[detail["snapshot"]] = event.pelaku
    hashes = _upload_hashes(catalog)
    latest = max((s.id for s in snaps), default=None)
    return [
        _info(s, by_whom.get(s.id), hashes.get(s.id), agreed.get(s.id, []), s.id == latest)
        for s in reversed(snaps)
    ]


def snapshot_info(catalog: Catalog, ref: str | int) -> SnapshotInfo:
    """One snapshot by id, label, ``latest`` or ``acuan:TAHUN`` (NotFound otherwise)."""
    row = catalog.snapshot(ref)
    return next(s for s in list_snapshots(catalog) if s.id == row.id)


def _info(
    s: SnapshotRow, by: str | None, digest: str | None, years: list[int], latest: bool
) -> SnapshotInfo:
    return SnapshotInfo(
        id=s.id, label=s.label, snapshot_date=s.tanggal, imported_at=s.dibuat, imported_by=by,
        families=s.keluarga, individuals=s.individu, findings=s.temuan,
        region_scheme=s.skema_wilayah, content_hash=getattr(s, "isi_hash", None) or digest,
        reference_for=years, latest=latest,
    )  # fmt: skip


#: A time to the second in JSON (``2026-01-23T10:41:00``), as the command has always printed.
Seconds = Annotated[
    dt.datetime,
    PlainSerializer(lambda t: t.isoformat(timespec="seconds"), return_type=str, when_used="json"),
]


class SnapshotEntry(BaseModel):
    """One snapshot as ``padu register list`` prints it."""

    snapshot: int
    label: str
    snapshot_date: dt.date
    families: int
    individuals: int
    findings: int
    region_scheme: str
    imported_at: Seconds  # UTC, naive
    reference_for: list[int]


class SnapshotList(BaseModel):
    """``padu register list``: every snapshot, oldest first."""

    snapshots: list[SnapshotEntry]


def snapshot_list(catalog: Catalog) -> SnapshotList:
    """Every snapshot, oldest first: the same rows as :func:`list_snapshots`."""
    fields = SnapshotEntry.model_fields.keys() - {"snapshot"}
    return SnapshotList(
        snapshots=[
            SnapshotEntry(snapshot=s.id, **{f: getattr(s, f) for f in fields})
            for s in reversed(list_snapshots(catalog))
        ]
    )


class ReferenceSet(BaseModel):
    """``padu register reference``: the snapshot now agreed for a fiscal year."""

    year: int
    snapshot: int
    label: str
    previous: int | None  # the snapshot agreed for that year before, if any
    by: str
    why: str


def set_reference(
    catalog: Catalog, ref: str | int, *, year: int, why: str, actor: str
) -> ReferenceSet:
    """Agree snapshot ``ref`` as the common basis of fiscal year ``year``, for a reason (a
    meeting's minutes); recorded as ``register.reference`` with who and why. The earlier
    reference stays in the history."""
    if not why.strip():
        raise InputError("alasan penetapan acuan wajib diisi")
    if not 2000 <= year <= 2100:
        raise InputError(f"tahun anggaran {year} tidak masuk akal")
    snap = catalog.snapshot(ref)
    before = catalog.reference(year)
    row = catalog.set_reference(year, snap.id, why.strip(), actor)
    return ReferenceSet(
        year=year, snapshot=snap.id, label=snap.label,
        previous=before.snapshot_id if before else None, by=row.pelaku, why=row.alasan,
    )  # fmt: skip


def _upload_hashes(catalog: Catalog) -> dict[int, str]:
    """Snapshot id -> content hash of the files it was uploaded from (finished import jobs)."""
    out: dict[int, str] = {}
    for job in catalog.jobs(kind=IMPORT_JOB, states=("selesai",), limit=None):
        snap = (job.result or {}).get("snapshot")
        digest = job.params.get("content_hash")
        if isinstance(snap, int) and isinstance(digest, str):
            out[snap] = digest
    return out


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
