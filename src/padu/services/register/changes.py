"""What changed from one snapshot to another, and persons recorded twice in one.

The command's results keep KK and NIK (its output and files are personal data; a file
written is audited); the page's difference masks them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from padu.errors import InputError
from padu.identifiers import mask_nik
from padu.regions import kaltara
from padu.register import diff_snapshots
from padu.register.diff import KK, NIK, write_diff
from padu.services.register.snapshots import SnapshotInfo, snapshot_info
from padu.stores import Catalog, Warehouse

#: One listed change as the core lists it: KK (and NIK, name) with the old and new value.
ChangeRow = dict[str, str | None]


class DesilCount(BaseModel):
    desil_lama: str | None
    desil_baru: str | None
    n: int


class RegisterDiff(BaseModel):
    """``padu register diff``: counts, desil moves and the first changes of each kind, with
    KK and NIK as they are (personal data: the command's own output, never a page's)."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    from_: int = Field(alias="from")
    to: int
    counts: dict[str, int]
    lists: dict[str, list[ChangeRow]]
    desil_matrix: list[DesilCount]
    out: str | None = None  # the CSV of every change, when one was written

    @model_serializer(mode="wrap")
    def _without_missing_file(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.out is None:
            data.pop("out", None)
        return data


def register_diff(
    wh: Warehouse,
    catalog: Catalog,
    a: str | int,
    b: str | int,
    *,
    limit: int | None = 20,
    out: Path | None = None,
    actor: str,
) -> RegisterDiff:
    """What changed from snapshot ``a`` to ``b``, listing the first ``limit`` changes of each
    kind; with ``out``, every change is also written there as CSV (renamed in whole and
    recorded as a ``register_diff`` personal-data export by ``actor``)."""
    if limit is not None and limit < 0:
        raise InputError("batas baris daftar tidak boleh negatif")
    if out is None:
        return RegisterDiff.model_validate(diff_snapshots(wh, catalog, a, b, limit=limit))
    d = write_diff(wh, catalog, a, b, out, actor=actor)
    if limit is not None:
        d["lists"] = {k: v[:limit] for k, v in d["lists"].items()}
    return RegisterDiff.model_validate({**d, "out": str(out)})


class DiffRow(BaseModel):
    """One listed change, identifiers masked."""

    kk: str | None
    nik: str | None
    old: str | None
    new: str | None


class DesilMove(BaseModel):
    old: str | None
    new: str | None
    families: int


class SnapshotDiff(BaseModel):
    """The Snapshot page's difference: the same counts as :func:`register_diff`, with region
    names and identifiers masked."""

    old: SnapshotInfo
    new: SnapshotInfo
    counts: dict[str, int]
    desil_matrix: list[DesilMove]
    lists: dict[str, list[DiffRow]]
    limit: int


def snapshot_diff(
    wh: Warehouse, catalog: Catalog, a: str | int, b: str | int, limit: int = 20
) -> SnapshotDiff:
    """Counts, desil moves and the first ``limit`` changes of each kind from ``a`` to ``b``."""
    if limit < 0:
        raise InputError("batas baris daftar tidak boleh negatif")
    old, new = snapshot_info(catalog, a), snapshot_info(catalog, b)
    d = RegisterDiff.model_validate(diff_snapshots(wh, catalog, old.id, new.id, limit=limit))
    regions = kaltara()

    def place(code: object) -> str | None:
        region = regions.find(str(code)) if code else None
        return region.nama if region else (str(code) if code else None)

    lists: dict[str, list[DiffRow]] = {}
    for kind, rows in d.lists.items():
        out = []
        for r in rows:
            old_v: str | None = r.get("desa_lama") or r.get("desil_lama")
            new_v: str | None = r.get("desa_baru") or r.get("desil_baru")
            if kind == "pindah_desa":
                old_v, new_v = place(old_v), place(new_v)
            elif kind.startswith("keluarga_"):
                old_v, new_v = place(r.get("kode_kelurahan_desa")), r.get("desil_nasional")
            out.append(
                DiffRow(
                    kk=mask_nik(r[KK]) if r.get(KK) else None,
                    nik=mask_nik(r[NIK]) if r.get(NIK) else None,
                    old=old_v,
                    new=new_v,
                )
            )
        lists[kind] = out
    matrix = [DesilMove(old=m.desil_lama, new=m.desil_baru, families=m.n) for m in d.desil_matrix]
    return SnapshotDiff(
        old=old, new=new, counts=d.counts, desil_matrix=matrix, lists=lists, limit=limit
    )


class DuplicatePair(BaseModel):
    """Two register rows that are probably one person (personal data), side A and side B."""

    score: float
    agree: str | None  # the agreeing fields, comma-separated
    nik_a: str | None
    kk_a: str | None
    nama_a: str | None
    tanggal_lahir_a: dt.date | None
    jenis_kelamin_a: str | None
    desa_a: str | None
    rt_a: str | None
    nik_b: str | None
    kk_b: str | None
    nama_b: str | None
    tanggal_lahir_b: dt.date | None
    jenis_kelamin_b: str | None
    desa_b: str | None
    rt_b: str | None
    same_kk: bool | None


class DuplicateReport(BaseModel):
    """``padu register duplicates``: how many probable duplicate pairs, and the best ones."""

    snapshot: int
    persons: int
    pairs: int
    same_kk: int  # pairs within one family card
    out: str | None  # the file of every pair, when one was written
    top: list[DuplicatePair]  # the best TOP_PAIRS


TOP_PAIRS = 20


def register_duplicates(
    wh: Warehouse,
    catalog: Catalog,
    ref: str | int,
    *,
    min_score: float = 0.9,
    out: Path | None = None,
    actor: str,
) -> DuplicateReport:
    """Persons probably recorded more than once in snapshot ``ref`` (chance at least
    ``min_score``); with ``out`` (.csv or .xlsx) every pair is written there, recorded as a
    ``register_duplicates`` personal-data export by ``actor``."""
    from padu.linkage.duplicates import find_duplicates, write_duplicates

    if not 0 < min_score <= 1:
        raise InputError("peluang minimum harus di antara 0 dan 1")
    snap, persons, pairs = find_duplicates(wh, catalog, str(ref), min_score)
    if out is not None:
        write_duplicates(pairs, out, catalog, snapshot=snap.id, actor=actor)
    return DuplicateReport(
        snapshot=snap.id, persons=persons, pairs=pairs.height,
        same_kk=int(pairs.get_column("same_kk").sum()), out=str(out) if out else None,
        top=pairs.head(TOP_PAIRS).to_dicts(),
    )  # fmt: skip
