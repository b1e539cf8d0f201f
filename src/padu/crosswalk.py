"""Loading a user's BPS<->Kemendagri crosswalk (none ships: codes are never inferred)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy import delete

from padu.audit import REGIONS_CROSSWALK, audit_row
from padu.errors import ImportRejected, InputError, Problem
from padu.regions import BPS_DIGITS, kaltara
from padu.stores.catalog import Catalog, CrosswalkRow


def load_crosswalk(path: Path, catalog: Catalog, *, actor: str) -> int:
    """Replace the crosswalk with the rows of a CSV (``kode_bps``, ``kode_kemendagri``).

    The whole file is checked first; the replacement and its ``regions.crosswalk`` audit
    event (by ``actor``) are one catalog transaction.
    """
    if not path.is_file():
        raise InputError(f"berkas crosswalk tidak ada: {path}")
    try:
        frame = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as exc:
        raise ImportRejected(summary=f"{path.name}: tidak dapat dibaca: {exc}") from exc
    problems: list[Problem] = []
    for col in ("kode_bps", "kode_kemendagri"):
        if col not in frame.columns:
            problems.append(Problem(path.name, 1, col, None, "kolom wajib tidak ada"))
    if problems:
        raise ImportRejected(summary=f"{path.name}: crosswalk ditolak", problems=problems)
    regions = kaltara()
    rows: list[CrosswalkRow] = []
    by_len = {v: k for k, v in BPS_DIGITS.items()}
    for i, r in enumerate(frame.iter_rows(named=True), start=2):
        bps, kem = (r["kode_bps"] or "").strip(), (r["kode_kemendagri"] or "").strip()
        region = regions.find(kem)
        if region is None:
            problems.append(
                Problem(path.name, i, "kode_kemendagri", kem, "kode Kemendagri tidak dikenal")
            )
            continue
        if not bps.isdigit() or by_len.get(len(bps)) != region.level:
            problems.append(
                Problem(
                    path.name,
                    i,
                    "kode_bps",
                    bps,
                    f"kode BPS untuk {region.level} harus {BPS_DIGITS[region.level]} digit",
                )
            )
            continue
        rows.append(
            CrosswalkRow(
                kode_bps=bps,
                kode_kemendagri=region.kode,
                tingkat=region.level,
                sumber=str(r.get("sumber") or path.name),
            )
        )
    if problems:
        raise ImportRejected(
            summary=f"{path.name}: crosswalk ditolak, {len(problems)} masalah", problems=problems
        )
    with catalog.session() as s:
        s.execute(delete(CrosswalkRow))
        s.add_all(rows)
        detail = {"rows": len(rows), "file": str(path.resolve())}
        s.add(audit_row(REGIONS_CROSSWALK, detail, actor))
    return len(rows)
