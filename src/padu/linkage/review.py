"""The review queue of one linked list (ledger): choose it, list it, decide, load a report.

Every operation names the ledger it acts on. By default that is the newest ledger of a
programme and year, and the caller shows which one was used; a report loaded back acts on
the ledger written in the report, never on whichever list happens to be newest.

A decision is validated against the chosen ledger: the row must be in its review queue and
the candidate one of that row's candidates. ``same`` needs a candidate when a row has more
than one, and deciding that a row is one candidate also records that it is none of the
others, so a later link never has two "same" decisions to choose from. Decisions and their
``link.review`` audit event are written in one catalog transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from padu.audit import LINK_REVIEW, audit_row
from padu.errors import ImportRejected, InputError, NotFound, Problem, UsageError
from padu.linkage.ledger import BATCH, CANDIDATES, LEDGER, person_key
from padu.linkage.report import read_review_sheet
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import LedgerRow, LinkDecisionRow

DECISIONS = ("same", "different")
Choice = tuple[int, int | None, str]  # (data row, candidate rank or None, same|different)


def select_ledger(
    catalog: Catalog,
    *,
    programme: str | None = None,
    year: int | None = None,
    ledger_id: int | None = None,
) -> LedgerRow:
    """The ledger named by id, else the newest of ``programme`` and ``year``.

    A ledger id that belongs to another programme or year than the ones given is refused.
    """
    if ledger_id is not None:
        found = next((r for r in catalog.ledgers() if r.id == ledger_id), None)
        if found is None:
            raise NotFound(f"ledger {ledger_id} tidak ada; lihat `padu review list`")
        if (programme is not None and found.programme != programme) or (
            year is not None and found.year != year
        ):
            raise InputError(
                f"ledger {ledger_id} adalah daftar {found.programme} tahun {found.year}, "
                f"bukan {programme or found.programme} tahun {year or found.year}"
            )
        return found
    if programme is None or year is None:
        raise UsageError("sebutkan --ledger ID, atau --programme dan --year")
    ledgers = catalog.ledgers(programme, year)
    if not ledgers:
        raise NotFound(f"belum ada daftar tertaut untuk program {programme} tahun {year}")
    return ledgers[-1]


def ledger_frames(wh: Warehouse, ledger: LedgerRow) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows and review candidates of a stored ledger."""
    from padu.register.reader import to_polars

    out = []
    for name in (LEDGER, CANDIDATES):
        t = wh.table(name)
        out.append(to_polars(t.filter(t[BATCH] == ledger.batch).drop(BATCH).to_pyarrow()))
    return out[0].sort("row"), out[1].sort("row", "rank")


def review_pairs(wh: Warehouse, ledger: LedgerRow) -> pl.DataFrame:
    """Each row in review beside each of its candidates, by row and rank."""
    rows, cands = ledger_frames(wh, ledger)
    return (
        rows.filter(pl.col("status") == "review")
        .select("row", "nik_daftar", "nama_daftar", "tanggal_lahir_daftar", "desa_daftar")
        .join(cands, on="row")
        .sort("row", "rank")
    )


def _person_key(frame: pl.DataFrame) -> list[str]:
    """The register person of each candidate, keyed as stored decisions are."""
    return frame.select(person_key()).to_series().to_list()


def _checked(
    ledger: LedgerRow, pairs: pl.DataFrame, choices: Sequence[Choice], source: str
) -> tuple[dict[tuple[str, str], str], dict[tuple[str, str], str], list[Problem]]:
    """The decisions given and those they imply, by (row key, person key); every problem."""
    problems: list[Problem] = []
    out: dict[tuple[str, str], str] = {}
    implied: dict[tuple[str, str], str] = {}
    same_rows: dict[int, int] = {}
    for row, rank, decision in choices:
        where = f"baris {row}" + ("" if rank is None else f" calon {rank}")
        if decision not in DECISIONS:
            problems.append(
                Problem(source, row, "keputusan", decision, "harus 'same' atau 'different'")
            )
            continue
        cands = pairs.filter(pl.col("row") == row)
        if cands.is_empty():
            problems.append(
                Problem(source, row, None, None,
                        f"baris {row} tidak ada di antrian tinjauan ledger {ledger.id}",
                        "baris_tidak_ada")
            )  # fmt: skip
            continue
        ranks = cands.get_column("rank").to_list()
        if rank is not None and rank not in ranks:
            problems.append(
                Problem(source, row, "calon", str(rank),
                        f"{where}: calon tidak ada; calon baris ini: "
                        f"{', '.join(map(str, ranks))}", "calon_tidak_ada")
            )  # fmt: skip
            continue
        if decision == "same" and rank is None and len(ranks) > 1:
            problems.append(
                Problem(source, row, "calon", None,
                        f"baris {row} punya {len(ranks)} calon ({', '.join(map(str, ranks))}); "
                        "sebutkan calon yang sama (--candidate)", "calon_wajib")
            )  # fmt: skip
            continue
        if decision == "same":
            chosen = rank if rank is not None else ranks[0]
            if same_rows.setdefault(row, chosen) != chosen:
                problems.append(
                    Problem(source, row, "calon", None,
                            f"baris {row}: lebih dari satu calon diputuskan sama",
                            "sama_ganda")
                )  # fmt: skip
                continue
        picked = cands if rank is None else cands.filter(pl.col("rank") == rank)
        row_key = str(cands.get_column("row_key")[0])
        for person in _person_key(picked):
            out[(row_key, person)] = decision
        if decision == "same":  # the row is this person, so none of the others
            others = cands.filter(pl.col("rank") != (rank if rank is not None else ranks[0]))
            for person in _person_key(others):
                implied[(row_key, person)] = "different"
    return out, {k: v for k, v in implied.items() if k not in out}, problems


def decide(
    wh: Warehouse,
    catalog: Catalog,
    ledger: LedgerRow,
    choices: Sequence[Choice],
    *,
    actor: str,
    source: str = "keputusan",
) -> int:
    """Record review decisions on ``ledger``'s queue, all or none; the number given.

    Each choice is ``(row, candidate rank or None, 'same'|'different')``; ``None`` means
    every candidate of the row (allowed for ``same`` only when the row has one). Every
    invalid choice is reported together and nothing is stored.
    """
    rows, _ = ledger_frames(wh, ledger)
    pairs = review_pairs(wh, ledger).join(rows.select("row", "row_key"), on="row")
    given, implied, problems = _checked(ledger, pairs, choices, source)
    if problems:
        if len(problems) == 1:
            raise InputError(problems[0].reason)
        raise ImportRejected(f"keputusan tinjauan ditolak: {len(problems)} masalah", problems)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    detail = {
        "ledger": ledger.id, "programme": ledger.programme, "year": ledger.year,
        "decisions": len(given), "implied_different": len(implied), "source": source,
    }  # fmt: skip
    with catalog.session() as s:
        for (row_key, person_key), decision in {**implied, **given}.items():
            s.merge(
                LinkDecisionRow(
                    row_key=row_key, person_key=person_key, decision=decision,
                    programme=ledger.programme, source_file=ledger.source_file,
                    diputuskan=now, pelaku=actor,
                )
            )  # fmt: skip
        s.add(audit_row(LINK_REVIEW, detail, actor))
    return len(given)


def load_review(
    wh: Warehouse,
    catalog: Catalog,
    path: Path,
    *,
    actor: str,
    programme: str | None = None,
    year: int | None = None,
    ledger_id: int | None = None,
) -> tuple[LedgerRow, int]:
    """Record the SAMA/BEDA decisions of a filled-in report on the ledger the report names.

    A report that names another ledger than ``ledger_id`` (or another programme or year) is
    refused; a sheet that names no ledger needs ``ledger_id``.
    """
    sheet = read_review_sheet(path)
    if sheet.ledger is None and ledger_id is None:
        raise InputError(
            f"{path.name} tidak menyebut ledger-nya; sebutkan --ledger ID (lihat padu review list)"
        )
    if sheet.ledger is not None and ledger_id is not None and sheet.ledger != ledger_id:
        raise InputError(
            f"{path.name} adalah laporan ledger {sheet.ledger}, bukan ledger {ledger_id}; "
            "keputusan hanya dimuat ke daftar tempat keputusan itu dibuat"
        )
    wanted = sheet.ledger if sheet.ledger is not None else ledger_id
    ledger = select_ledger(catalog, programme=programme, year=year, ledger_id=wanted)
    n = decide(wh, catalog, ledger, sheet.decisions, actor=actor, source=path.name)
    return ledger, n
