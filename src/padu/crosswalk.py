"""Loading a user's BPS<->Kemendagri crosswalk (none ships: codes are never inferred)."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from padu.errors import ImportRejected, Problem
from padu.regions import BPS_DIGITS, kaltara
from padu.stores.catalog import Catalog, CrosswalkRow


def load_crosswalk(path: Path, catalog: Catalog) -> int:
    """Replace the crosswalk with the rows of a CSV (``kode_bps``, ``kode_kemendagri``)."""
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
    return catalog.load_crosswalk(rows)
