"""The programme, targeting and linkage services (issue 14 item 1), called directly on both
stores: each records its own audit event with the actor given, writes personal-data files
with their export event, and returns a model whose JSON is the core's own result (what
``padu --json`` prints), with optional keys present only when they apply."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from padu.audit import PERSONAL_DATA_EXPORT
from padu.errors import NotFound, UsageError
from padu.linkage.matcher import Bands
from padu.linkage.report import DECISION_HEADER, REVIEW_SHEET
from padu.linkage.review import review_pairs, select_ledger
from padu.programmes.model import preset_workshop
from padu.programmes.store import current_workshop, programme
from padu.services import linkage as lsvc
from padu.services import programmes as psvc
from padu.services import targeting as tsvc
from padu.stores import Catalog
from tests.conftest import Stores

ACTOR = "petugas-layanan"
STRICT = Bands(auto=0.999999999, review=0.01)  # many rows into review, several candidates


def _same(left: object, right: object) -> None:
    """Equal as JSON text: the same keys, values and number types (95 is not 95.0)."""
    assert json.dumps(left, sort_keys=True, default=str) == json.dumps(
        right, sort_keys=True, default=str
    )


def _events(cat: Catalog, kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e.pelaku, json.loads(e.rincian)) for e in cat.events(kind)]


def _imported(stores: Stores) -> None:
    psvc.import_workshop(stores.catalog, preset_workshop("kaltara-2026"), actor=ACTOR)


def test_programmes_list_show_import_export_and_needs(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    done = psvc.import_workshop(
        cat, preset_workshop("kaltara-2026"), params={"SEMBAKO.desil_maks": "3"}, actor=ACTOR
    )
    [(who, _)] = _events(cat, "programme.import")
    assert who == ACTOR
    workshop, versions = current_workshop(cat)
    assert done.programmes == versions and done.agencies == len(workshop.agencies)
    assert "desil_nasional <= 3" in programme(cat, "SEMBAKO")[0].rule

    listed = psvc.list_programmes(cat).model_dump(mode="json")["programmes"]
    assert [p["code"] for p in listed] == sorted(versions)
    assert all(p["version"] == versions[p["code"]] for p in listed)

    p, v = programme(cat, "PKH")
    shown = psvc.show_programme(cat, "PKH").model_dump(mode="json")
    _same(shown, {**p.definition(), "complements": list(p.complements), "version": v})
    assert "quota" not in shown or p.quota is not None  # a key left unset stays out
    with pytest.raises(NotFound, match="PKH"):
        psvc.show_programme(cat, "PKH", 99)

    out = tmp_path / "lokakarya.yaml"
    exported = psvc.export_workshop(cat, out)
    assert exported.model_dump(mode="json") == {"file": str(out), "programmes": len(versions)}
    again = psvc.import_workshop(cat, preset_workshop("kaltara-2026"), actor=ACTOR)
    assert again.programmes["SEMBAKO"] == versions["SEMBAKO"] + 1  # desil_maks back to 4
    assert len(cat.events("programme.import")) == 2

    from padu.programmes.needs import data_needs

    book = tmp_path / "kebutuhan.xlsx"
    needs = psvc.data_needs_report(wh, cat, snapshot, programme="PKH", out=book)
    _same(needs.model_dump(mode="json"), data_needs(wh, cat, snapshot, [p]))
    assert book.exists() and [q.code for q in needs.programmes] == ["PKH"]
    assert len(psvc.data_needs_report(wh, cat, "latest").programmes) == len(versions)


def test_target_draw_export_adopt_and_explain(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    _imported(stores)
    plain = tsvc.draw_target(wh, cat, "PKH", snapshot, actor=ACTOR)
    data = plain.model_dump(mode="json")
    [(who, detail)] = _events(cat, "target.draw")
    assert who == ACTOR
    _same(data, detail)  # the JSON is the draw's audited summary, and no more
    assert {"out", "adoption", "warnings"}.isdisjoint(data)

    bnba = tmp_path / "pkh.csv"
    written = tsvc.draw_target(wh, cat, "PKH", snapshot, actor=ACTOR, out=bnba)
    assert written.out == str(bnba) and written.hash == plain.hash and bnba.exists()
    [(who, export)] = _events(cat, PERSONAL_DATA_EXPORT)
    assert who == ACTOR and export["kind"] == "bnba" and export["path"] == str(bnba.resolve())

    adopted = tsvc.draw_target(wh, cat, "PKH", snapshot, actor=ACTOR, adopt=True)
    assert adopted.adoption is not None and adopted.adoption.replaces is None
    assert adopted.warnings and "acuan" in adopted.warnings[0]  # no agreed reference yet
    [(who, adopt_event)] = _events(cat, "target.adopt")
    assert who == ACTOR and adopt_event["warnings"] == adopted.warnings
    with pytest.raises(UsageError, match="seluruh cakupan"):
        tsvc.draw_target(wh, cat, "PKH", snapshot, actor=ACTOR, region="6501", adopt=True)

    region = tsvc.resolve_region("6501")
    assert region is not None and region.startswith("65")
    one = tsvc.draw_target(wh, cat, "PKH", snapshot, actor=ACTOR, region=region)
    assert one.region == region and one.selected <= plain.selected

    before = len(cat.events("target.draw"))
    every = tsvc.draw_all_targets(wh, cat, snapshot, actor=ACTOR, adopt=True)
    codes = sorted(p.code for p in current_workshop(cat)[0].programmes)
    assert [t.programme for t in every.lists] == codes
    assert len(cat.events("target.draw")) == before + len(codes)
    dumped = every.model_dump(mode="json")
    assert dumped["out"] is None and dumped["warnings"] == [
        w for t in every.lists for w in t.warnings or []
    ]
    pkh = next(t for t in every.lists if t.programme == "PKH")
    assert pkh.adoption is not None and pkh.adoption.replaces == adopted.adoption.id
    assert "warnings" not in tsvc.draw_all_targets(wh, cat, snapshot, actor=ACTOR).model_dump()

    from padu.register.snapshots import snapshot_table
    from padu.rules.explain import explain

    rule = "desil_nasional <= 4 dan pbi_nas"
    _same(tsvc.explain_rule(rule).model_dump(mode="json"), explain(rule).to_dict())
    counted = tsvc.explain_rule(rule, wh, cat, "latest")
    snap = cat.snapshot("latest")
    kel, ind = (snapshot_table(wh, cat, snap.id, t) for t in ("keluarga", "individu"))
    _same(counted.model_dump(mode="json"), explain(rule, kel, ind, snap.tanggal).to_dict())
    assert counted.total_families > 0


def _fill(report: Path, out: Path, decision: str) -> Path:
    """The report's review sheet with ``decision`` on its first review row."""
    rows = CalamineWorkbook.from_path(str(report)).get_sheet_by_name(REVIEW_SHEET).to_python()
    col = [str(h) for h in rows[0]].index(DECISION_HEADER)
    book = xlsxwriter.Workbook(str(out))
    sheet = book.add_worksheet(REVIEW_SHEET)
    for i, r in enumerate(rows):
        cells: list[Any] = list(r)
        if i:
            cells[col] = decision if i == 1 else ""
        sheet.write_row(i, 0, cells)
    book.close()
    return out


def test_link_and_review(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    from padu.synth.agency_list import agency_list_from_snapshot

    wh, cat = stores.warehouse, stores.catalog
    _imported(stores)
    listed = tmp_path / "daftar.xlsx"
    agency_list_from_snapshot(wh, cat, str(snapshot), listed, size=120, seed=5, actor=ACTOR)

    proposal = lsvc.propose_mapping(cat, "KEMENSOS", listed)
    assert proposal.source == "usulan" and "nama" in proposal.mapping
    report, links = tmp_path / "laporan.xlsx", tmp_path / "tautan.csv"
    run = lsvc.link_agency_list(
        wh, cat, listed, programme="PKH", year=2026, snapshot=str(snapshot), bands=STRICT,
        save_mapping=True, report=report, links=links, actor=ACTOR,
    )  # fmt: skip
    data = run.model_dump(mode="json")
    assert {"programme", "year", "source_file"}.isdisjoint(data)  # for titles only
    assert data["report"] == str(report) and data["links"] == str(links)
    assert data["rows"] == sum(run.matched.values()) + run.unmatched
    [(who, ledger_event)] = _events(cat, "link.ledger")
    assert who == ACTOR and ledger_event["ledger"] == run.ledger
    assert [w for w, _ in _events(cat, "link.mapping")] == [ACTOR]
    kinds = sorted(d["kind"] for _, d in _events(cat, PERSONAL_DATA_EXPORT))
    assert kinds == ["agency_list", "link_report", "links_csv"]
    assert lsvc.propose_mapping(cat, "KEMENSOS", listed).source == "tersimpan"

    queue = lsvc.review_queue(wh, cat, programme="PKH", year=2026)
    ledger = select_ledger(cat, ledger_id=run.ledger)
    _same(
        queue.model_dump(mode="json"),
        {
            "ledger": ledger.id, "programme": "PKH", "year": 2026,
            "source_file": listed.name, "snapshot": snapshot,
            "pairs": review_pairs(wh, ledger).to_dicts(),
        },
    )  # fmt: skip
    assert queue.pairs, "the strict bands leave pairs to review"
    first = queue.pairs[0]
    decided = lsvc.decide_review(
        wh, cat, first.row, "BEDA", candidate=first.rank, ledger_id=run.ledger, actor=ACTOR
    )
    assert decided.decisions == 1 and decided.ledger == run.ledger
    [(who, review_event)] = _events(cat, "link.review")
    assert who == ACTOR and review_event["ledger"] == run.ledger
    with pytest.raises(UsageError, match="'sama' atau 'beda'"):
        lsvc.decide_review(wh, cat, first.row, "mungkin", ledger_id=run.ledger, actor=ACTOR)
    assert lsvc.decision_of("Orang yang sama") == "same"

    filled = _fill(report, tmp_path / "diisi.xlsx", "BEDA")
    loaded = lsvc.load_review_report(wh, cat, filled, actor=ACTOR)
    assert loaded.ledger == run.ledger and loaded.decisions >= 1
    assert len(cat.events("link.review")) == 2
    assert set(loaded.model_dump(mode="json")) == {
        "ledger", "programme", "year", "source_file", "snapshot", "decisions",
    }  # fmt: skip
