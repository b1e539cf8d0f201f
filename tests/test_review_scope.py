"""Review scoped to its list (issue 9, item 8 and problem 7).

Two linked lists of one programme and year: decisions go to the ledger named (by id, or the
newest by default, and the answer names it), a report goes back to the ledger written in
it and is refused by another, ``same`` needs a candidate when there are several, and every
row and candidate is checked against the chosen ledger's review queue.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from padu.cli import main
from padu.errors import ImportRejected, InputError, NotFound, UsageError
from padu.linkage.ledger import LinkRun, link_list
from padu.linkage.matcher import Bands
from padu.linkage.report import DECISION_HEADER, LEDGER_HEADER, REVIEW_SHEET, write_report
from padu.linkage.review import decide, load_review, review_pairs, select_ledger
from padu.programmes.model import preset_workshop
from padu.programmes.store import save_workshop
from padu.register import import_register
from padu.settings import Settings
from padu.stores import Catalog, Warehouse, open_stores
from padu.synth.agency_list import agency_list_from_snapshot
from tests.conftest import SNAPSHOT_DATE

STRICT = Bands(auto=0.999999999, review=0.01)  # many rows into review, several candidates
ACTOR = "peninjau"


@dataclass
class Linked:
    home: Path
    first: LinkRun
    second: LinkRun
    report: Path  # the Excel report of the first (older) ledger
    wh: Warehouse | None = None
    cat: Catalog | None = None


def _open(home: Path) -> tuple[Warehouse, Catalog]:
    settings = Settings(home=home)
    return open_stores(settings.resolved_warehouse_url(), settings.resolved_catalog_url())


@pytest.fixture(scope="module")
def made(small_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Linked:
    """A home with two PKH 2026 ledgers of two different lists (the second is newest)."""
    root = tmp_path_factory.mktemp("review")
    home = root / "home"
    wh, cat = _open(home)
    try:
        import_register(
            [small_files / "keluarga.parquet", small_files / "individu.parquet"], wh, cat,
            snapshot_date=SNAPSHOT_DATE, rejects_dir=root / "ditolak", actor=ACTOR,
        )  # fmt: skip
        save_workshop(preset_workshop("kaltara-2026"), cat, actor=ACTOR)
        runs = []
        for seed in (3, 4):
            path = root / f"daftar-{seed}.xlsx"
            agency_list_from_snapshot(wh, cat, "latest", path, size=200, seed=seed, actor=ACTOR)
            runs.append(
                link_list(
                    wh, cat, path, programme="PKH", agency="KEMENSOS", year=2026,
                    snapshot="latest", bands=STRICT, actor=ACTOR,
                )
            )  # fmt: skip
        report = write_report(runs[0], root / "laporan-1.xlsx", cat, actor=ACTOR)
        return Linked(home, runs[0], runs[1], report)
    finally:
        wh.close()
        cat.close()


@pytest.fixture
def linked(made: Linked) -> Iterator[Linked]:
    """The home's stores, open for one test (the CLI test opens them itself)."""
    wh, cat = _open(made.home)
    try:
        yield Linked(made.home, made.first, made.second, made.report, wh, cat)
    finally:
        wh.close()
        cat.close()


def _stores(linked: Linked) -> tuple[Warehouse, Catalog]:
    assert linked.wh is not None and linked.cat is not None
    return linked.wh, linked.cat


def _several(linked: Linked, run: LinkRun) -> tuple[int, list[int]]:
    """A review row of ``run`` with more than one candidate, and its candidate ranks."""
    pairs = review_pairs(_stores(linked)[0], run.ledger)
    counts = pairs.group_by("row").agg(pl.col("rank").sort()).sort("row")
    row = counts.filter(pl.col("rank").list.len() > 1).row(0, named=True)
    return int(row["row"]), [int(r) for r in row["rank"]]


def test_the_ledger_is_chosen_by_id_or_newest(linked: Linked) -> None:
    _, cat = _stores(linked)
    first, second = linked.first.ledger, linked.second.ledger
    assert select_ledger(cat, programme="PKH", year=2026).id == second.id
    assert select_ledger(cat, ledger_id=first.id).id == first.id
    assert select_ledger(cat, programme="PKH", year=2026, ledger_id=first.id).id == first.id
    with pytest.raises(InputError, match="bukan SEMBAKO"):
        select_ledger(cat, programme="SEMBAKO", year=2026, ledger_id=first.id)
    with pytest.raises(NotFound):
        select_ledger(cat, ledger_id=9999)
    with pytest.raises(NotFound):
        select_ledger(cat, programme="PKH", year=1999)
    with pytest.raises(UsageError, match="--ledger"):
        select_ledger(cat, programme="PKH")


def test_decisions_are_checked_against_the_chosen_ledger(linked: Linked) -> None:
    (wh, cat), ledger = _stores(linked), linked.first.ledger
    row, ranks = _several(linked, linked.first)
    before = len(cat.events("link.review"))
    with pytest.raises(InputError, match="--candidate"):
        decide(wh, cat, ledger, [(row, None, "same")], actor=ACTOR)
    with pytest.raises(InputError, match="calon tidak ada"):
        decide(wh, cat, ledger, [(row, max(ranks) + 1, "same")], actor=ACTOR)
    missing = int(linked.first.rows.get_column("row").max()) + 1  # type: ignore[arg-type]
    with pytest.raises(InputError, match=f"tidak ada di antrian tinjauan ledger {ledger.id}"):
        decide(wh, cat, ledger, [(missing, 1, "different")], actor=ACTOR)
    with pytest.raises(ImportRejected) as many:
        decide(wh, cat, ledger, [(row, None, "same"), (missing, 1, "maybe")], actor=ACTOR)
    assert len(many.value.problems) == 2
    assert len(cat.events("link.review")) == before  # nothing stored by a refused batch

    assert decide(wh, cat, ledger, [(row, ranks[1], "same")], actor=ACTOR) == 1
    [event] = cat.events("link.review")[before:]
    detail = json.loads(event.rincian)
    assert event.pelaku == ACTOR and detail["ledger"] == ledger.id
    assert detail["implied_different"] == len(ranks) - 1
    key = linked.first.rows.filter(pl.col("row") == row).get_column("row_key").item()
    stored = {d.person_key: d.decision for d in cat.decisions([key])}
    assert sorted(stored.values()) == ["different"] * (len(ranks) - 1) + ["same"]


def _fill(report: Path, out: Path, decisions: dict[int, str], keep_ledger: bool = True) -> Path:
    """The report's review sheet as a reviewer saves it: decisions in the last column."""
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_name(REVIEW_SHEET).to_python()
    header = [str(h) for h in rows[0]]
    col = header.index(DECISION_HEADER)
    book = xlsxwriter.Workbook(str(out))
    sheet = book.add_worksheet(REVIEW_SHEET)
    drop = None if keep_ledger else header.index(LEDGER_HEADER)
    for i, r in enumerate(rows):
        cells: list[Any] = list(r)
        if i:
            cells[col] = decisions.get(i, "")
        if drop is not None:
            del cells[drop]
        sheet.write_row(i, 0, cells)
    book.close()
    return out


def test_a_report_goes_back_to_its_own_ledger(linked: Linked, tmp_path: Path) -> None:
    wh, cat = _stores(linked)
    first, second = linked.first.ledger, linked.second.ledger
    sheet = CalamineWorkbook.from_path(str(linked.report)).get_sheet_by_name(REVIEW_SHEET)
    rows = sheet.to_python()
    assert {int(r[0]) for r in rows[1:]} == {first.id}  # the ledger on every review row
    filled = _fill(linked.report, tmp_path / "diisi.xlsx", {1: "BEDA"})

    # the newest ledger is the second; the report still goes to the first
    ledger, n = load_review(wh, cat, filled, actor=ACTOR, programme="PKH", year=2026)
    assert ledger.id == first.id and n >= 1
    with pytest.raises(InputError, match=f"laporan ledger {first.id}, bukan ledger {second.id}"):
        load_review(wh, cat, filled, actor=ACTOR, ledger_id=second.id)
    # a sheet that lost its ledger column names no ledger: it needs --ledger
    bare = _fill(linked.report, tmp_path / "tanpa-ledger.xlsx", {1: "BEDA"}, keep_ledger=False)
    with pytest.raises(InputError, match="--ledger"):
        load_review(wh, cat, bare, actor=ACTOR, programme="PKH", year=2026)
    assert load_review(wh, cat, bare, actor=ACTOR, ledger_id=first.id)[0].id == first.id
    corrupt = tmp_path / "rusak.xlsx"
    corrupt.write_bytes(b"PK\x03\x04 bukan buku kerja")
    with pytest.raises(ImportRejected, match="tidak dapat dibaca"):
        load_review(wh, cat, corrupt, actor=ACTOR, ledger_id=first.id)


def test_review_commands_name_the_ledger(made: Linked, capsys: pytest.CaptureFixture[str]) -> None:
    linked = made  # the CLI opens the stores itself
    wh, cat = _open(linked.home)
    try:
        first_rows = set(review_pairs(wh, linked.first.ledger).get_column("row").to_list())
        row, _ = _several(Linked(linked.home, linked.first, linked.second, linked.report, wh, cat),
                          linked.first)  # fmt: skip
    finally:
        wh.close()
        cat.close()
    base = ["--home", str(linked.home), "--json", "review"]
    first, second = linked.first.ledger, linked.second.ledger
    capsys.readouterr()
    assert main([*base, "list", "--programme", "PKH", "--year", "2026"]) == 0
    newest = json.loads(capsys.readouterr().out)
    assert newest["ledger"] == second.id and newest["source_file"] == second.source_file
    assert main([*base, "list", "--ledger", str(first.id)]) == 0
    older = json.loads(capsys.readouterr().out)
    assert older["ledger"] == first.id
    assert {p["row"] for p in older["pairs"]} == first_rows
    code = main([*base, "decide", "--ledger", str(first.id), "--row", str(row), "same"])
    refused = json.loads(capsys.readouterr().out)
    assert code == 1 and "--candidate" in refused["message"]
    code = main([*base, "decide", "--ledger", str(first.id), "--row", str(row), "different"])
    assert code == 0 and json.loads(capsys.readouterr().out)["ledger"] == first.id
