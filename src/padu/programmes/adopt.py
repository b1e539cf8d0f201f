"""Adopted target lists: a drawn list recorded as a programme's planned recipients.

``padu target CODE --adopt`` turns the list just drawn into the programme's plan for its
fiscal year (the *rencana* that convergence views compare with what the agencies report as
delivered). The units go to the warehouse table ``rencana`` under a pending batch
(padu.stores.batches); the catalog row that makes them visible (``adopsi``) is committed
last, with its ``target.adopt`` audit event, so an interrupted adoption leaves nothing a
reader can see.

A later adoption of the same programme and year replaces the earlier one for every reader
(the newest counts); the earlier ones stay as the history of who adopted what, and when.
Only a whole-province list can be adopted: a list drawn for one region is not a
programme's plan. A list drawn from another snapshot than the year's agreed reference is
adopted all the same, with a warning, and every convergence view flags it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pyarrow as pa

from padu.errors import UsageError
from padu.programmes.targeting import KK, NIK, TargetList
from padu.stores import Catalog, Warehouse
from padu.stores.batches import BatchTables, pending_batch
from padu.stores.catalog import AdoptionRow
from padu.stores.pause import pause_point

PLANNED = "rencana"
BATCH = "adopsi_batch"
#: Where an adoption batch's rows live.
ADOPTION_BATCHES = BatchTables("adopsi", (PLANNED,), BATCH)
PLANNED_SCHEMA = {
    BATCH: "string",
    "programme": "string",
    "peringkat": "int64",
    "kk": "string",
    "nik": "string",
}


def adopt_target_list(
    wh: Warehouse, catalog: Catalog, target: TargetList, *, actor: str
) -> AdoptionRow:
    """Record ``target`` as its programme's planned recipients for its fiscal year.

    Returns the adoption, with ``replaces`` (the adoption it took over from, or None) and
    ``warnings`` (the list is not drawn from the year's agreed reference). A list drawn for
    one region is refused (:class:`UsageError`) before anything is written.
    """
    _whole_province(target)
    programme = target.programme
    row = AdoptionRow(
        programme=programme.code,
        year=programme.fiscal_year,
        rule_version=target.version,
        snapshot_id=target.snapshot,
        hash=target.hash,
        eligible=target.eligible,
        selected=target.selected,
        cost=target.cost,
        dibuat=dt.datetime.now(dt.UTC).replace(tzinfo=None),
        pelaku=actor,
    )
    warnings = reference_warnings(catalog, programme.code, row.year, row.snapshot_id)
    units = _units(target)
    wh.ensure(PLANNED, PLANNED_SCHEMA)
    with pending_batch(wh, catalog, ADOPTION_BATCHES, actor) as batch:
        pause_point("adopt.write")
        column = pa.repeat(pa.scalar(batch, pa.string()), units.num_rows)
        wh.append(PLANNED, units.append_column(BATCH, column))
        pause_point("warehouse.append")
        row.batch = batch
        wh.refresh_statistics(ADOPTION_BATCHES.tables)  # before the commit: Ctrl-C stays clean
        adopted = catalog.add_adoption(row, {"warnings": warnings})
    adopted.warnings = tuple(warnings)
    return adopted


def adopt_target_lists(
    wh: Warehouse, catalog: Catalog, targets: Sequence[TargetList], *, actor: str
) -> list[AdoptionRow]:
    """Adopt every list of ``padu target semua`` (each its own adoption, in order).

    A list drawn for one region is refused before any list is adopted."""
    for target in targets:
        _whole_province(target)
    return [adopt_target_list(wh, catalog, t, actor=actor) for t in targets]


def current_adoptions(catalog: Catalog, year: int) -> dict[str, AdoptionRow]:
    """The adoption that counts for each programme in ``year``: its newest."""
    return {row.programme: row for row in catalog.adoptions(year=year)}


def adoption_rows(wh: Warehouse, adoption: AdoptionRow) -> Any:
    """The ibis table of one adoption's units (``rencana`` rows of its batch)."""
    table = wh.table(PLANNED)
    return table.filter(table[BATCH] == adoption.batch)


def reference_warnings(catalog: Catalog, programme: str, year: int, snapshot_id: int) -> list[str]:
    """Why a list of ``programme`` drawn from ``snapshot_id`` is flagged for ``year``: the
    year has no agreed reference, or the list comes from another snapshot (none if not)."""
    agreed = catalog.reference(year)
    if agreed is None:
        return [
            f"tahun {year} belum punya snapshot acuan: daftar {programme} (snapshot "
            f"{snapshot_id}) tetap diadopsi, tetapi ditandai di tampilan konvergensi; "
            f"tetapkan acuan dengan `padu register reference SNAPSHOT --year {year}`"
        ]
    if agreed.snapshot_id != snapshot_id:
        return [
            f"daftar {programme} ditarik dari snapshot {snapshot_id}, bukan snapshot acuan "
            f"tahun {year} (snapshot {agreed.snapshot_id}): tetap diadopsi, tetapi ditandai "
            "di tampilan konvergensi"
        ]
    return []


def _whole_province(target: TargetList) -> None:
    if target.region is not None:
        raise UsageError(
            f"daftar {target.programme.code} ditarik untuk wilayah {target.region} saja; "
            "hanya daftar seluruh cakupan program yang dapat diadopsi sebagai rencana "
            "(tarik ulang tanpa --region)"
        )


def _units(target: TargetList) -> pa.Table:
    """The list's units as ``rencana`` rows (without the batch): rank, KK, and the NIK of a
    person programme (null for a family programme)."""
    rows = target.rows
    n = rows.num_rows
    if target.programme.unit == "individu":
        nik = rows.column(NIK).cast(pa.string())
    else:
        nik = pa.nulls(n, pa.string())
    return pa.table(
        {
            "programme": pa.repeat(pa.scalar(target.programme.code, pa.string()), n),
            "peringkat": rows.column("peringkat").cast(pa.int64()),
            "kk": rows.column(KK).cast(pa.string()),
            "nik": nik,
        }
    )
