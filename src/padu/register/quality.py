"""The quality report of one snapshot, computed inside the warehouse engine.

Completeness per field (overall and by region), invalid identifiers, duplicate NIKs,
inconsistencies with the NIK, and families without a head: the counts a data operator
checks before a snapshot is used for targeting.
"""

from __future__ import annotations

from typing import Any

import ibis

from padu.regions import REGION_COLUMNS
from padu.register.snapshots import snapshot_table
from padu.schema import Level, register_schema
from padu.stores import Catalog, Warehouse

GROUPS = {
    "identitas_tidak_valid": ("nik_tidak_valid", "kk_tidak_valid"),
    "duplikat": ("nik_ganda",),
    "tidak_konsisten": (
        "jenis_kelamin_tidak_sesuai_nik",
        "tanggal_lahir_tidak_sesuai_nik",
        "tanggal_lahir_tidak_wajar",
        "jumlah_anggota_tidak_sesuai",
        "kepala_keluarga_ganda",
    ),
    "tanpa_kepala_keluarga": ("tanpa_kepala_keluarga", "tanpa_anggota"),
    "kode_tidak_dikenal": ("kode_tidak_dikenal",),
    "kolom_kosong": ("kolom_kosong",),
}


def _region_col(by: str) -> str:
    try:
        return REGION_COLUMNS[by]
    except KeyError:
        from padu.errors import UsageError

        raise UsageError(
            f"--by harus salah satu dari: {', '.join(sorted(REGION_COLUMNS))}"
        ) from None


def quality_report(
    wh: Warehouse, catalog: Catalog, ref: str | int, by: str = "kabupaten"
) -> dict[str, Any]:
    """Everything ``padu register quality`` shows, as plain data."""
    region = _region_col(by)  # the arguments first, then the work
    snap = catalog.snapshot(ref)
    kel = snapshot_table(wh, catalog, ref, "keluarga")
    ind = snapshot_table(wh, catalog, ref, "individu")
    tem = snapshot_table(wh, catalog, ref, "temuan")
    schema = register_schema()

    ind_r = ind.join(
        kel.select("nomor_kartu_keluarga", _wil=kel[region]), "nomor_kartu_keluarga", how="left"
    )
    completeness: dict[str, dict[str, Any]] = {}
    by_region: dict[str, dict[str, float]] = {}
    levels: tuple[tuple[Level, Any, Any], ...] = (
        ("keluarga", kel, kel[region]),
        ("individu", ind_r, ind_r["_wil"]),
    )
    for level, t, group in levels:
        names = schema.names(level)
        # one pass per level: the filled cells by region; the overall is their sum (a row
        # store reads every column of every row, so a second, ungrouped pass cost as much)
        rows = (
            t.group_by(_wil=group)
            .aggregate(_n=t.count(), **{n: t[n].count() for n in names})
            .to_pyarrow()
            .to_pylist()
        )
        total = sum(r["_n"] or 0 for r in rows)
        for n in names:
            filled = sum(r[n] or 0 for r in rows)
            completeness[f"{level}.{n}"] = {
                "terisi": filled,
                "total": total,
                "persen": _pct(filled, total),
            }
        for r in rows:
            n_rows = r.pop("_n")
            key = r.pop("_wil") or "(tanpa wilayah)"
            dest = by_region.setdefault(key, {})
            for n in names:
                dest[f"{level}.{n}"] = _pct(r[n], n_rows)
    counts = {
        r["kode"]: r["n"]
        for r in tem.filter(tem.tingkat != "file")
        .group_by("kode")
        .aggregate(n=ibis._.count())
        .to_pyarrow()
        .to_pylist()
    }
    dup_niks = (
        tem.filter(tem.kode == "nik_ganda").nomor_induk_kependudukan.nunique().to_pyarrow().as_py()
    )
    tem_r = tem.filter(tem.tingkat != "file").join(
        kel.select("nomor_kartu_keluarga", _wil=kel[region]), "nomor_kartu_keluarga", how="left"
    )
    region_counts: dict[str, dict[str, int]] = {}
    for r in tem_r.group_by("_wil", "kode").aggregate(n=tem_r.count()).to_pyarrow().to_pylist():
        region_counts.setdefault(r["_wil"] or "(tanpa wilayah)", {})[r["kode"]] = r["n"]
    return {
        "snapshot": snap.id,
        "label": snap.label,
        "snapshot_date": snap.tanggal.isoformat(),
        "families": snap.keluarga,
        "individuals": snap.individu,
        "by": by,
        "findings": counts,
        "summary": {g: sum(counts.get(c, 0) for c in codes) for g, codes in GROUPS.items()},
        "duplicate_nik_values": dup_niks,
        "completeness": completeness,
        "completeness_by_region": by_region,
        "findings_by_region": region_counts,
        "file_notes": tem.filter(tem.tingkat == "file")
        .select("file", "kolom", "kode", "keterangan")
        .to_pyarrow()
        .to_pylist(),
    }


def _pct(part: int | None, total: int | None) -> float:
    return round(100.0 * (part or 0) / total, 2) if total else 0.0


def families_by_desil(
    wh: Warehouse, catalog: Catalog, ref: str | int, by: str = "kabupaten"
) -> Any:
    """Families by desil x region: an Ibis expression (executed by the caller)."""
    col = _region_col(by)
    kel = snapshot_table(wh, catalog, ref, "keluarga")
    return (
        kel.group_by(wilayah=kel[col], desil=kel.desil_nasional)
        .aggregate(keluarga=kel.count())
        .order_by(["wilayah", ibis._.desil.cast("int32")])
    )
