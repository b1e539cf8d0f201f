"""What changed between two snapshots: families and members in and out, moves, desil."""

from __future__ import annotations

from typing import Any

from padu.register.snapshots import snapshot_table
from padu.stores import Catalog, Warehouse

KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"


def diff_snapshots(
    wh: Warehouse, catalog: Catalog, a: str | int, b: str | int, limit: int | None = 1000
) -> dict[str, Any]:
    """Counts and lists of the differences from snapshot ``a`` to snapshot ``b``."""
    sa, sb = catalog.snapshot(a), catalog.snapshot(b)
    ka = snapshot_table(wh, catalog, a, "keluarga").select(
        KK, "kode_kelurahan_desa", "desil_nasional"
    )
    kb = snapshot_table(wh, catalog, b, "keluarga").select(
        KK, "kode_kelurahan_desa", "desil_nasional"
    )
    ia = _members(snapshot_table(wh, catalog, a, "individu"))
    ib = _members(snapshot_table(wh, catalog, b, "individu"))

    both = ka.join(kb, KK, how="inner", rname="{name}_b")
    moved = both.filter(both.kode_kelurahan_desa != both.kode_kelurahan_desa_b).select(
        KK, desa_lama=both.kode_kelurahan_desa, desa_baru=both.kode_kelurahan_desa_b
    )
    desil = both.filter(
        both.desil_nasional.fill_null("") != both.desil_nasional_b.fill_null("")
    ).select(KK, desil_lama=both.desil_nasional, desil_baru=both.desil_nasional_b)
    parts = {
        "keluarga_baru": kb.anti_join(ka, KK).select(KK, "kode_kelurahan_desa", "desil_nasional"),
        "keluarga_keluar": ka.anti_join(kb, KK).select(KK, "kode_kelurahan_desa", "desil_nasional"),
        "anggota_baru": ib.anti_join(ia, NIK),
        "anggota_keluar": ia.anti_join(ib, NIK),
        "pindah_desa": moved,
        "perubahan_desil": desil,
    }
    out: dict[str, Any] = {"from": sa.id, "to": sb.id, "counts": {}, "lists": {}}
    for name, expr in parts.items():
        out["counts"][name] = int(expr.count().to_pyarrow().as_py())
        ordered = expr.order_by(KK if name != "anggota_baru" and name != "anggota_keluar" else NIK)
        if limit is not None:
            ordered = ordered.limit(limit)
        out["lists"][name] = ordered.to_pyarrow().to_pylist()
    matrix = (
        desil.group_by("desil_lama", "desil_baru")
        .aggregate(n=desil.count())
        .to_pyarrow()
        .to_pylist()
    )
    out["desil_matrix"] = sorted(matrix, key=lambda r: (str(r["desil_lama"]), str(r["desil_baru"])))
    return out


def _members(t: Any) -> Any:
    """One row per distinct NIK (a duplicated NIK counts once), portable across engines."""
    return t.group_by(NIK).aggregate(nomor_kartu_keluarga=t[KK].min(), nama=t.nama.min())
