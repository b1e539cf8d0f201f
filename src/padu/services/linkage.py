"""The linkage service: link an agency's beneficiary list to the register, and review the
pairs it could not decide.

``padu link`` and ``padu review list|decide|load`` render these results, and the web pages
call the same functions. The events are recorded by the work itself, each in the
transaction that does it: a linked list is a new ledger with its ``link.ledger`` event; a
saved column mapping is one ``link.mapping`` event; the report and the links CSV are each
one ``personal_data.export`` event (kinds ``link_report`` and ``links_csv``) recorded
before the file is renamed into place; review decisions are stored with one
``link.review`` event, all of them or none. Listing the queue records nothing.

The review queue shows the register NIK beside the list's own: a reviewer needs both to
decide, and only officers who may review reach it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from padu.errors import UsageError
from padu.linkage.matcher import Bands
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import LedgerRow

__all__ = [
    "DECISION_WORDS",
    "LedgerInfo",
    "LinkReport",
    "MappingProposal",
    "ReviewDecisions",
    "ReviewPair",
    "ReviewQueue",
    "decide_review",
    "decision_of",
    "link_agency_list",
    "load_review_report",
    "propose_mapping",
    "review_queue",
]


# -- link ------------------------------------------------------------------------------------
class MappingProposal(BaseModel):
    """The column mapping a link would use (``source``: file, tersimpan or usulan), beside
    the suggestion from the headers with its confidence per field and the unused headers."""

    mapping: dict[str, str]
    confidence: dict[str, float]
    unused: list[str]
    source: str


def propose_mapping(
    catalog: Catalog, agency: str, path: Path, given: dict[str, str] | None = None
) -> MappingProposal:
    """Which header of ``path`` holds which field: ``given``, else the agency's saved
    mapping when its headers are all there, else the suggestion. Records nothing."""
    from padu.linkage.ledger import resolve_mapping
    from padu.linkage.reader import read_headers, suggest_mapping

    headers, _ = read_headers(path)
    use, source = resolve_mapping(catalog, agency, path, given)
    sug = suggest_mapping(headers)
    return MappingProposal(
        mapping=use or sug.mapping, confidence=sug.confidence, unused=sug.unused, source=source
    )


class LinkReport(BaseModel):
    """What linking one list did: rows by outcome (``matched`` by method, and ``review``),
    the stored ledger, the mapping used, and the files written (None when not asked)."""

    rows: int
    matched: dict[str, int]
    unmatched: int
    duplicates_in_list: int
    decisions_reused: int
    unit: str
    rows_set_aside: int
    same_file_ledgers: list[int]
    notes: list[str]
    ledger: int
    snapshot: int
    mapping: dict[str, str]
    report: str | None
    links: str | None
    #: not in the JSON: what a renderer names in its title
    programme: str = Field(exclude=True)
    year: int = Field(exclude=True)
    source_file: str = Field(exclude=True)


def link_agency_list(
    wh: Warehouse,
    catalog: Catalog,
    path: Path,
    *,
    programme: str,
    year: int,
    actor: str,
    snapshot: str = "latest",
    mapping: dict[str, str] | None = None,
    bands: Bands | None = None,
    unit: str | None = None,
    save_mapping: bool = False,
    report: Path | None = None,
    links: Path | None = None,
    cache: Path | None = None,
) -> LinkReport:
    """Link the list at ``path`` for ``programme`` and ``year`` to ``snapshot`` and store it
    as a new ledger; save the mapping for the programme's agency, write the Excel report
    (``report``) and the links CSV (``links``) when asked. ``unit``: individu or keluarga
    when the columns should not decide it; ``cache``: the register's linkage records."""
    from padu.linkage.ledger import link_list
    from padu.linkage.report import write_links_csv, write_report
    from padu.programmes.store import programme as get_programme

    if unit is not None and unit not in ("individu", "keluarga"):
        raise UsageError(f"unit: pilih 'individu' atau 'keluarga', bukan {unit!r}")
    prog, _ = get_programme(catalog, programme)
    run = link_list(
        wh, catalog, path, programme=prog.code, agency=prog.agency, year=year,
        snapshot=snapshot, mapping=mapping, bands=bands, actor=actor, cache=cache, unit=unit,
    )  # fmt: skip
    if save_mapping:
        catalog.save_mapping(prog.agency, run.mapping, actor)
    if report is not None:
        write_report(run, report, catalog, actor=actor)
    if links is not None:
        write_links_csv(run, links, catalog, actor=actor)
    return LinkReport(
        **run.counts,
        notes=run.notes,
        ledger=run.ledger.id,
        snapshot=run.ledger.snapshot_id,
        mapping=run.mapping,
        report=str(report) if report is not None else None,
        links=str(links) if links is not None else None,
        programme=prog.code,
        year=year,
        source_file=path.name,
    )


# -- review ----------------------------------------------------------------------------------
class LedgerInfo(BaseModel):
    """The ledger a review operation acted on (``created`` is for titles, not the JSON)."""

    ledger: int
    programme: str
    year: int
    source_file: str
    snapshot: int
    created: dt.datetime = Field(exclude=True)


def _ledger_info(row: LedgerRow) -> dict[str, Any]:
    return {
        "ledger": row.id, "programme": row.programme, "year": row.year,
        "source_file": row.source_file, "snapshot": row.snapshot_id, "created": row.dibuat,
    }  # fmt: skip


class ReviewPair(BaseModel):
    """A list row in review beside one register candidate (``rank`` 1 = best score)."""

    row: int
    nik_daftar: str | None
    nama_daftar: str | None
    tanggal_lahir_daftar: str | None
    desa_daftar: str | None
    rank: int
    nik: str | None
    kk: str | None
    nama: str | None
    tanggal_lahir: dt.date | None
    desa: str | None
    score: float
    agree: str | None


class ReviewQueue(LedgerInfo):
    pairs: list[ReviewPair]


class ReviewDecisions(LedgerInfo):
    """How many decisions were recorded on the ledger."""

    decisions: int


def review_queue(
    wh: Warehouse,
    catalog: Catalog,
    *,
    programme: str | None = None,
    year: int | None = None,
    ledger_id: int | None = None,
) -> ReviewQueue:
    """The pairs to review on the ledger named by id, else the newest of ``programme`` and
    ``year``, by row and rank. Records nothing."""
    from padu.linkage.review import review_pairs, select_ledger

    ledger = select_ledger(catalog, programme=programme, year=year, ledger_id=ledger_id)
    pairs = review_pairs(wh, ledger)
    return ReviewQueue(**_ledger_info(ledger), pairs=pairs.to_dicts())


#: The words a reviewer may give, as the report's Keputusan column (SAMA/BEDA) and in full.
DECISION_WORDS = {
    "sama": "same",
    "orang yang sama": "same",
    "beda": "different",
    "berbeda": "different",
    "orang yang berbeda": "different",
}


def decision_of(word: str) -> str:
    """``same`` or ``different`` for a reviewer's word (SAMA, BEDA, same, different ...)."""
    from padu.linkage.review import DECISIONS

    decision = DECISION_WORDS.get(word.strip().lower(), word.strip().lower())
    if decision not in DECISIONS:
        raise UsageError(f"keputusan harus 'sama' atau 'beda', bukan {word!r}")
    return decision


def decide_review(
    wh: Warehouse,
    catalog: Catalog,
    row: int,
    decision: str,
    *,
    actor: str,
    candidate: int | None = None,
    programme: str | None = None,
    year: int | None = None,
    ledger_id: int | None = None,
) -> ReviewDecisions:
    """Record one decision (a reviewer's word, see :func:`decision_of`) on ``row`` of the
    chosen ledger: ``candidate`` is needed for ``same`` when the row has several; ``different``
    without it refuses every candidate of the row."""
    from padu.linkage.review import decide, select_ledger

    chosen = decision_of(decision)
    ledger = select_ledger(catalog, programme=programme, year=year, ledger_id=ledger_id)
    n = decide(wh, catalog, ledger, [(row, candidate, chosen)], actor=actor)
    return ReviewDecisions(**_ledger_info(ledger), decisions=n)


def load_review_report(
    wh: Warehouse,
    catalog: Catalog,
    path: Path,
    *,
    actor: str,
    programme: str | None = None,
    year: int | None = None,
    ledger_id: int | None = None,
) -> ReviewDecisions:
    """Record the SAMA/BEDA decisions of a filled-in report on the ledger the report names
    (a report of another ledger than ``ledger_id`` is refused), all of them or none."""
    from padu.linkage.review import load_review

    ledger, n = load_review(
        wh, catalog, path, actor=actor, programme=programme, year=year, ledger_id=ledger_id
    )
    return ReviewDecisions(**_ledger_info(ledger), decisions=n)
