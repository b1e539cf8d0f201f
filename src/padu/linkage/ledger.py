"""A linked beneficiary list as a ledger: programme, year, source file, rows and their links.

:func:`link_list` is the whole job behind ``padu link``: read the list with the agency's
mapping, link it to a snapshot, apply earlier review decisions, and store the result. The
rows go to the warehouse table ``penerima`` (review candidates to ``penerima_kandidat``)
under a new pending batch (padu.stores.batches); the catalog row that makes the batch
visible is committed last, so an interrupted run leaves nothing a reader can see.

Review decisions are keyed by the content of a list row (not its position) and the register
person (NIK and KK), so they are reused on the next run of the same list in any order, and
on a corrected resubmission for every row that did not change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from padu.linkage.matcher import Bands, Linkage, link
from padu.linkage.model import comparisons, same_levels, train_register_u
from padu.linkage.persons import register_persons
from padu.linkage.reader import read_agency_list, read_headers
from padu.stores import Catalog, Warehouse
from padu.stores.batches import BatchTables, pending_batch
from padu.stores.catalog import LedgerRow
from padu.stores.pause import pause_point

LEDGER = "penerima"
CANDIDATES = "penerima_kandidat"
BATCH = "ledger_batch"
#: Where a ledger batch's rows live.
LEDGER_BATCHES = BatchTables("ledger", (LEDGER, CANDIDATES), BATCH)
#: Cells of a list row that identify the person (the key of review decisions).
IDENTIFYING = (
    "nik_asli",
    "kk",
    "nama",
    "tanggal_lahir_asli",
    "desa_asli",
    "kecamatan_asli",
    "alamat",
)
ORIGINAL = {
    "nik_asli": "nik_daftar",
    "kk": "kk_daftar",
    "nama": "nama_daftar",
    "tanggal_lahir_asli": "tanggal_lahir_daftar",
    "alamat": "alamat_daftar",
    "desa_asli": "desa_daftar",
    "kecamatan_asli": "kecamatan_daftar",
}
LEDGER_SCHEMA = {
    BATCH: "string",
    "row": "int64",
    "baris": "int64",
    "row_key": "string",
    **dict.fromkeys(ORIGINAL.values(), "string"),
    "nik_masalah": "string",
    "status": "string",
    "method": "string",
    "score": "float64",
    "agree": "string",
    "reason": "string",
    "nik": "string",
    "kk": "string",
    "nama": "string",
    "tanggal_lahir": "date",
    "desa": "string",
}
CANDIDATE_SCHEMA = {
    BATCH: "string",
    "row": "int64",
    "rank": "int64",
    "nik": "string",
    "kk": "string",
    "nama": "string",
    "tanggal_lahir": "date",
    "desa": "string",
    "score": "float64",
    "agree": "string",
}


@dataclass
class LinkRun:
    """What ``padu link`` did: the stored ledger, counts, and the frames for reports."""

    ledger: LedgerRow
    counts: dict[str, Any]
    rows: pl.DataFrame  # the ledger rows (LEDGER_SCHEMA without the batch)
    candidates: pl.DataFrame
    mapping: dict[str, str]
    bands: Bands
    duplicates: int = 0
    notes: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def row_key() -> pl.Expr:
    """A stable key of each row's identifying cells (order of rows does not matter)."""
    joined = pl.concat_str(
        [pl.col(c).cast(pl.String).fill_null("").str.to_uppercase() for c in IDENTIFYING],
        separator="\x1f",
    )
    return joined.map_elements(
        lambda s: hashlib.sha256(s.encode()).hexdigest(), return_dtype=pl.String
    )


def person_key() -> pl.Expr:
    """The register person a decision is about: NIK and KK (stable across snapshots)."""
    return pl.concat_str([pl.col("nik").fill_null(""), pl.col("kk").fill_null("")], separator="|")


def resolve_mapping(
    catalog: Catalog, agency: str, path: Path, given: dict[str, str] | None
) -> tuple[dict[str, str] | None, str]:
    """The mapping to use and where it came from: given, saved for the agency, or suggested."""
    if given:
        return given, "file"
    saved = catalog.mapping(agency)
    if saved:
        headers, _ = read_headers(path)
        if all(h in headers for h in saved.values()):
            return saved, "tersimpan"
    return None, "usulan"


def link_list(
    wh: Warehouse,
    catalog: Catalog,
    path: Path,
    *,
    programme: str,
    agency: str,
    year: int,
    snapshot: str,
    mapping: dict[str, str] | None = None,
    bands: Bands | None = None,
    actor: str,
    cache: Path | None = None,
    unit: str | None = None,
) -> LinkRun:
    """Read, link, apply earlier decisions and store a beneficiary list as a new ledger.

    ``cache``: the folder where the register's linkage records are kept per snapshot
    (:func:`padu.linkage.persons.register_persons`). ``unit``: ``individu`` or
    ``keluarga``, when the list's columns should not decide it. A family-keyed list is
    linked to register families (:func:`padu.linkage.families.link_families`): each row to
    the family's head.
    """
    from padu.linkage.families import link_families

    bands = bands or Bands()
    use, source = resolve_mapping(catalog, agency, path, mapping)
    listed = read_agency_list(path, use, unit)
    snap, persons = register_persons(wh, catalog, snapshot, cache=cache)
    rows = listed.frame.with_columns(row_key=row_key())
    if listed.unit == "keluarga":
        result = link_families(rows, persons, bands)
    else:
        u = cached_register_u(catalog, snap.id, persons)
        result = link(rows, persons, bands, register_u=u)
    result, decided = _apply_decisions(catalog, rows, persons, result)
    ledger_rows = _ledger_rows(rows, persons, result)
    candidates = _candidate_rows(persons, result)
    counts = result.counts()
    dup = ledger_rows.filter(pl.col("nik").is_not_null()).group_by("nik", "kk").len()
    duplicates = int(dup.filter(pl.col("len") > 1).height)
    counts["duplicates_in_list"] = duplicates
    counts["decisions_reused"] = decided
    counts["unit"] = listed.unit
    counts["rows_set_aside"] = len(listed.skipped)
    sha = file_sha256(path)
    # the same file linked before for this programme and year: the officer is told
    counts["same_file_ledgers"] = [
        earlier.id for earlier in catalog.ledgers(programme, year) if earlier.file_sha256 == sha
    ]
    ledger = _store(
        wh, catalog, ledger_rows, candidates,
        LedgerRow(
            programme=programme,
            year=year,
            source_file=path.name,
            file_sha256=sha,
            snapshot_id=snap.id,
            counts=json.dumps(counts),
            dibuat=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            pelaku=actor,
        ),
        path,
    )  # fmt: skip
    notes = [f"pemetaan kolom: {source}", *listed.skipped_lines()]
    return LinkRun(
        ledger, counts, ledger_rows, candidates, listed.mapping, bands, duplicates, notes
    )


def cached_register_u(
    catalog: Catalog, snapshot_id: int, persons: pl.DataFrame
) -> list[dict[str, Any]]:
    """The snapshot's u probabilities: learnt once per snapshot, then read from the catalog."""
    found = catalog.link_model(snapshot_id)
    if found is not None and same_levels(found, comparisons()):  # else the model changed
        return [dict(c) for c in found]
    trained = train_register_u(persons)
    catalog.save_link_model(snapshot_id, trained)
    return trained


def _apply_decisions(
    catalog: Catalog, rows: pl.DataFrame, persons: pl.DataFrame, result: Linkage
) -> tuple[Linkage, int]:
    """Rows in review with a stored decision: 'same' links, 'different' drops the candidate.

    A row linked automatically to a person a reviewer once called 'different' is not
    linked to them again: it is unmatched, and says why.
    """
    result, undone = _rejected_links(catalog, rows, persons, result)
    review = result.links.filter(pl.col("status") == "review").select("row")
    if review.is_empty():
        return result, undone
    keyed = rows.select("row", "row_key").join(review, on="row")
    found = catalog.decisions(keyed.get_column("row_key").to_list())
    if not found:
        return result, 0
    dec = pl.DataFrame(
        {
            "row_key": [d.row_key for d in found],
            "person_key": [d.person_key for d in found],
            "decision": [d.decision for d in found],
        }
    )
    cand = (
        result.candidates.join(keyed, on="row")
        .join(persons.select("pid", "nik", "kk"), on="pid")
        .with_columns(person_key=person_key())
        .join(dec, on=["row_key", "person_key"], how="left")
    )
    same = (
        cand.filter(pl.col("decision") == "same")
        .sort("row", "rank")  # two "same" for one row (two ledgers): the better candidate
        .group_by("row", maintain_order=True)
        .agg(pl.col("pid").first(), pl.col("score").first())
    )
    different = cand.filter(pl.col("decision") == "different").select("row", "pid")
    remaining = result.candidates.join(different, on=["row", "pid"], how="anti")
    rejected_all = review.join(remaining.select("row").unique(), on="row", how="anti")
    decided = pl.col("pid_same").is_not_null()
    rejected = pl.col("row").is_in(rejected_all.get_column("row").implode())
    links = (
        result.links.join(same, on="row", how="left", suffix="_same")
        .with_columns(
            status=pl.when(decided)
            .then(pl.lit("matched"))
            .when(rejected)
            .then(pl.lit("unmatched"))
            .otherwise("status"),
            method=pl.when(decided)
            .then(pl.lit("review_decision"))
            .when(rejected)
            .then(None)
            .otherwise("method"),
            pid=pl.when(rejected).then(None).otherwise(pl.coalesce("pid_same", "pid")),
            score=pl.when(decided).then("score_same").otherwise("score"),
            reason=pl.when(decided)
            .then(pl.lit("diputuskan sama oleh peninjau"))
            .when(rejected)
            .then(pl.lit("semua calon ditolak peninjau"))
            .otherwise("reason"),
        )
        .drop("pid_same", "score_same")
    )
    remaining = remaining.join(same.select("row"), on="row", how="anti")
    used = int(cand.filter(pl.col("decision").is_not_null()).select("row").n_unique())
    return Linkage(links, remaining), used + undone


def _rejected_links(
    catalog: Catalog, rows: pl.DataFrame, persons: pl.DataFrame, result: Linkage
) -> tuple[Linkage, int]:
    """Automatic links to a person a stored decision calls 'different' for that row."""
    auto = result.links.filter(
        (pl.col("status") == "matched") & (pl.col("method") != "review_decision")
    ).select("row", "pid")
    if auto.is_empty():
        return result, 0
    keyed = (
        rows.select("row", "row_key")
        .join(auto, on="row")
        .join(persons.select("pid", "nik", "kk"), on="pid")
        .with_columns(person_key=person_key())
    )
    found = catalog.decisions(keyed.get_column("row_key").to_list())
    different = pl.DataFrame(
        [(d.row_key, d.person_key) for d in found if d.decision == "different"],
        schema={"row_key": pl.String, "person_key": pl.String},
        orient="row",
    )
    undone = keyed.join(different, on=["row_key", "person_key"], how="semi").get_column("row")
    if undone.is_empty():
        return result, 0
    hit = pl.col("row").is_in(undone.implode())
    links = result.links.with_columns(
        status=pl.when(hit).then(pl.lit("unmatched")).otherwise("status"),
        method=pl.when(hit).then(None).otherwise("method"),
        pid=pl.when(hit).then(None).otherwise("pid"),
        reason=pl.when(hit)
        .then(pl.lit("peninjau pernah memutuskan orang ini berbeda; tidak ditautkan lagi"))
        .otherwise("reason"),
    )
    return Linkage(links, result.candidates), undone.len()


def _ledger_rows(rows: pl.DataFrame, persons: pl.DataFrame, result: Linkage) -> pl.DataFrame:
    person = persons.select("pid", "nik", "kk", "nama", "tanggal_lahir", "desa")
    return (
        rows.select("row", "baris", "row_key", *ORIGINAL, "nik_masalah")
        .rename(ORIGINAL)
        .join(result.links, on="row", how="left")
        .join(person, on="pid", how="left")
        .with_columns(pl.col("row").cast(pl.Int64), pl.col("baris").cast(pl.Int64))
        .select([c for c in LEDGER_SCHEMA if c != BATCH])
        .sort("row")
    )


def _candidate_rows(persons: pl.DataFrame, result: Linkage) -> pl.DataFrame:
    person = persons.select("pid", "nik", "kk", "nama", "tanggal_lahir", "desa")
    return (
        result.candidates.join(person, on="pid")
        .with_columns(pl.col("row").cast(pl.Int64), pl.col("rank").cast(pl.Int64))
        .select([c for c in CANDIDATE_SCHEMA if c != BATCH])
        .sort("row", "rank")
    )


def _store(
    wh: Warehouse,
    catalog: Catalog,
    rows: pl.DataFrame,
    candidates: pl.DataFrame,
    ledger: LedgerRow,
    path: Path,
) -> LedgerRow:
    """Write the rows as a pending batch and commit them with the ledger row (one transaction
    with its ``link.ledger`` audit event)."""
    wh.ensure(LEDGER, LEDGER_SCHEMA)
    wh.ensure(CANDIDATES, CANDIDATE_SCHEMA)
    with pending_batch(wh, catalog, LEDGER_BATCHES, ledger.pelaku) as batch:
        pause_point("link.write")
        wh.append(LEDGER, rows.with_columns(pl.lit(batch).alias(BATCH)).to_arrow())
        pause_point("warehouse.append")
        if not candidates.is_empty():
            wh.append(CANDIDATES, candidates.with_columns(pl.lit(batch).alias(BATCH)).to_arrow())
        ledger.batch = batch
        wh.refresh_statistics(LEDGER_BATCHES.tables)  # before the commit: Ctrl-C stays clean
        source = str(path.resolve())
        return catalog.add_ledger(ledger, {"file": source, "actor": ledger.pelaku})
