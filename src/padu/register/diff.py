"""What changed between two snapshots: families and members in and out, moves, desil.

:func:`write_diff` writes the full lists (KK, NIK: personal data) as CSV, audited as a
personal-data export and renamed into place only when whole.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from padu.audit import record_export
from padu.files import atomic_output, check_output_file
from padu.register.snapshots import snapshot_table
from padu.stores import Catalog, Warehouse

LIST_HEADER = ("perubahan", "nomor_kartu_keluarga", "nomor_induk_kependudukan", "lama", "baru")

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


def diff_rows(diff: dict[str, Any]) -> Iterator[list[str]]:
    """One flat row per listed change: kind, KK, NIK, old value, new value."""
    for kind, rows in diff["lists"].items():
        for r in rows:
            old = r.get("desa_lama") or r.get("desil_lama") or ""
            new = r.get("desa_baru") or r.get("desil_baru") or ""
            kk, nik = r.get(KK) or "", r.get(NIK) or ""
            yield [kind, kk, nik, str(old), str(new)]


def write_diff(
    wh: Warehouse,
    catalog: Catalog,
    a: str | int,
    b: str | int,
    path: Path,
    *,
    actor: str,
) -> dict[str, Any]:
    """Every change from ``a`` to ``b`` as a CSV at ``path`` (audited); the diff itself.

    The path is checked before the comparison runs.
    """
    path = check_output_file(path, (".csv",))
    diff = diff_snapshots(wh, catalog, a, b, limit=None)
    with atomic_output(path) as temp, temp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(LIST_HEADER)
        writer.writerows(diff_rows(diff))
        fh.flush()
        record_export(
            catalog, "register_diff", path, actor=actor, snapshot_from=diff["from"],
            snapshot_to=diff["to"], counts=diff["counts"],
        )  # fmt: skip
    return diff
