"""Audit in the services (issue 9, item 6): each service records its own event, no CLI.

Every service that changes the catalog or writes personal data is called directly, and its
event is found in the audit log with the actor given and, for a file, the file's absolute
path. A file's event is recorded before the file is renamed into place: when the audit
insert fails there is no file, and a refused output path leaves no event and no file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from padu.audit import EXPORT_KINDS, PERSONAL_DATA_EXPORT
from padu.errors import InputError
from padu.programmes.model import preset_workshop
from padu.programmes.store import current_workshop, programme, save_workshop
from padu.stores import Catalog
from tests.conftest import Stores

ACTOR = "petugas-audit"
VOCABULARY = {
    "register.import",
    "target.draw",
    "link.ledger",
    "link.review",
    "link.mapping",
    "programme.import",
    "measure.save",
    "regions.crosswalk",
    PERSONAL_DATA_EXPORT,
}


def _exports(catalog: Catalog, kind: str) -> list[dict[str, Any]]:
    """The personal-data exports of one kind: their details, with the actor under 'by'."""
    out = []
    for e in catalog.events(PERSONAL_DATA_EXPORT):
        detail = json.loads(e.rincian)
        if detail["kind"] == kind:
            out.append({**detail, "by": e.pelaku})
    return out


def _only_one(catalog: Catalog, kind: str, path: Path) -> dict[str, Any]:
    found = _exports(catalog, kind)
    assert len(found) == 1, found
    assert found[0]["path"] == str(path.resolve()) and Path(found[0]["path"]).is_absolute()
    assert found[0]["by"] == ACTOR
    assert path.exists()
    return found[0]


def test_every_service_records_its_event(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    from padu.crosswalk import load_crosswalk
    from padu.linkage.duplicates import find_duplicates, write_duplicates
    from padu.linkage.ledger import link_list
    from padu.linkage.report import write_links_csv, write_report
    from padu.measure.measures import get_measure
    from padu.measure.snapshot import write_family_scores
    from padu.programmes.bnba import publish_all, publish_target_list
    from padu.register.diff import write_diff
    from padu.synth.agency_list import agency_list_from_snapshot

    wh, cat = stores.warehouse, stores.catalog
    save_workshop(preset_workshop("kaltara-2026"), cat, actor=ACTOR)
    [imported] = cat.events("programme.import")
    assert imported.pelaku == ACTOR

    pkh, version = programme(cat, "PKH")
    bnba = tmp_path / "pkh.xlsx"
    target = publish_target_list(wh, cat, pkh, version, snapshot, actor=ACTOR, out=bnba)
    [drawn] = cat.events("target.draw")
    assert drawn.pelaku == ACTOR and json.loads(drawn.rincian)["hash"] == target.hash
    assert _only_one(cat, "bnba", bnba)["hash"] == target.hash

    scores = tmp_path / "keluarga-skor.csv"
    m = get_measure("padu-7")
    rows = write_family_scores(wh, cat, snapshot, m, m.k, scores, actor=ACTOR)
    assert _only_one(cat, "mpi_families", scores)["rows"] == rows

    diff = tmp_path / "perubahan.csv"
    write_diff(wh, cat, snapshot, snapshot, diff, actor=ACTOR)
    assert _only_one(cat, "register_diff", diff)["snapshot_from"] == snapshot

    dup = tmp_path / "ganda.csv"
    snap, _, pairs = find_duplicates(wh, cat, str(snapshot))
    write_duplicates(pairs, dup, cat, snapshot=snap.id, actor=ACTOR)
    assert _only_one(cat, "register_duplicates", dup)["pairs"] == pairs.height

    listed = tmp_path / "daftar.xlsx"
    _, lst, truth = agency_list_from_snapshot(
        wh, cat, str(snapshot), listed, size=60, seed=2, actor=ACTOR
    )
    event = _only_one(cat, "agency_list", listed)
    assert event["rows"] == len(lst.rows) and event["truth"] == str(truth) and truth.exists()

    run = link_list(
        wh, cat, listed, programme="PKH", agency=pkh.agency, year=2026,
        snapshot=str(snapshot), actor=ACTOR,
    )  # fmt: skip
    [ledger_event] = cat.events("link.ledger")
    assert ledger_event.pelaku == ACTOR
    report, links = tmp_path / "laporan.xlsx", tmp_path / "tautan.csv"
    write_report(run, report, cat, actor=ACTOR)
    write_links_csv(run, links, cat, actor=ACTOR)
    assert _only_one(cat, "link_report", report)["ledger"] == run.ledger.id
    assert _only_one(cat, "links_csv", links)["ledger"] == run.ledger.id
    cat.save_mapping(pkh.agency, run.mapping, ACTOR)
    assert [e.pelaku for e in cat.events("link.mapping")] == [ACTOR]

    crosswalk = tmp_path / "crosswalk.csv"
    crosswalk.write_text("kode_bps,kode_kemendagri\n6501,65.01\n", encoding="utf-8")
    assert load_crosswalk(crosswalk, cat, actor=ACTOR) == 1
    [cw] = cat.events("regions.crosswalk")
    assert cw.pelaku == ACTOR and json.loads(cw.rincian)["file"] == str(crosswalk.resolve())

    workshop, versions = current_workshop(cat)
    programmes = [(p, versions[p.code]) for p in workshop.programmes]
    book = tmp_path / "semua.xlsx"
    lists = publish_all(wh, cat, programmes, snapshot, actor=ACTOR, out=book)
    assert len(_exports(cat, "bnba")) == 1 + len(lists)  # one export per list in the book
    folder = tmp_path / "semua"
    publish_all(wh, cat, programmes, snapshot, actor=ACTOR, out=folder)
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(f"{p.code}.xlsx" for p, _ in programmes)
    recorded = {e["path"] for e in _exports(cat, "bnba")}
    assert {str((folder / f).resolve()) for f in files} <= recorded

    # one vocabulary, one actor convention, absolute paths
    events = cat.events()
    assert {e.jenis for e in events} <= VOCABULARY
    assert all(e.pelaku in (ACTOR, "penguji") for e in events)  # penguji: the fixture import
    for e in cat.events(PERSONAL_DATA_EXPORT):
        detail = json.loads(e.rincian)
        assert detail["kind"] in EXPORT_KINDS and Path(detail["path"]).is_absolute()
    assert not list(tmp_path.rglob(".*tmp-*"))  # no temporary file left behind


def test_a_failed_audit_insert_leaves_no_file(
    stores: Stores, snapshot: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from padu.register.diff import write_diff

    def broken(*_: object, **__: object) -> None:
        raise RuntimeError("katalog putus")

    monkeypatch.setattr(stores.catalog, "record_all", broken)
    out = tmp_path / "perubahan.csv"
    with pytest.raises(RuntimeError, match="katalog putus"):
        write_diff(stores.warehouse, stores.catalog, snapshot, snapshot, out, actor=ACTOR)
    assert list(tmp_path.glob("*perubahan*")) == []


def test_a_refused_output_path_leaves_no_event_and_no_file(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    from padu.programmes.bnba import publish_all, publish_target_list

    wh, cat = stores.warehouse, stores.catalog
    save_workshop(preset_workshop("kaltara-2026"), cat, actor=ACTOR)
    pkh, version = programme(cat, "PKH")
    before = len(cat.events())
    tmp_path = tmp_path / "keluaran"
    tmp_path.mkdir()
    for bad in (tmp_path / "tidak-ada" / "pkh.xlsx", tmp_path / "pkh.txt"):
        with pytest.raises(InputError):
            publish_target_list(wh, cat, pkh, version, snapshot, actor=ACTOR, out=bad)
    workshop, versions = current_workshop(cat)
    programmes = [(p, versions[p.code]) for p in workshop.programmes]
    for bad in (tmp_path / "semua.csv", tmp_path / "tidak-ada" / "semua.xlsx"):
        with pytest.raises(InputError):
            publish_all(wh, cat, programmes, snapshot, actor=ACTOR, out=bad)
    assert len(cat.events()) == before  # refused before the draw: no target.draw either
    assert list(tmp_path.iterdir()) == []
