"""Adopting target lists as planned recipients (issue 11, point 1), and ``complements``.

An adopted list's rows are exactly the drawn list; a later adoption of the same programme
and year replaces the earlier one for every reader while the history stays; the adoption is
audited; a failure while writing leaves nothing; a list from another snapshot than the
year's reference is adopted with a warning; a region's list is refused. On DuckDB and
PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from padu.audit import TARGET_ADOPT
from padu.cli import main
from padu.errors import ImportRejected, UsageError
from padu.programmes import load_workshop, preset_workshop
from padu.programmes.adopt import (
    ADOPTION_BATCHES,
    PLANNED,
    adopt_target_list,
    adoption_rows,
    current_adoptions,
)
from padu.programmes.store import programme, save_workshop
from padu.programmes.targeting import KK, NIK, TargetList, draw_target_list
from padu.stores import open_stores
from tests.conftest import Stores, import_files, wait_paused

ACTOR = "perencana-bappeda"
PADU = Path(sys.executable).with_name("padu")


def _draw(stores: Stores, snapshot: int, code: str, **changes: Any) -> TargetList:
    p = next(p for p in preset_workshop().programmes if p.code == code)
    return draw_target_list(
        stores.warehouse, stores.catalog, dataclasses.replace(p, **changes), 1, snapshot
    )


def _stored(stores: Stores, adoption: Any) -> list[tuple[int, str, str | None]]:
    rows = adoption_rows(stores.warehouse, adoption).to_pyarrow().to_pylist()
    assert {r["programme"] for r in rows} <= {adoption.programme}
    return sorted((r["peringkat"], r["kk"], r["nik"]) for r in rows)


def _nothing_pending(stores: Stores) -> bool:
    return stores.catalog.pending_batches(ADOPTION_BATCHES.kind) == []


@pytest.mark.parametrize("code", ["PKH", "PBI-JK"])
def test_adopted_rows_are_the_drawn_list(stores: Stores, snapshot: int, code: str) -> None:
    target = _draw(stores, snapshot, code)
    adopted = adopt_target_list(stores.warehouse, stores.catalog, target, actor=ACTOR)
    drawn = target.rows.to_pylist()
    person = target.programme.unit == "individu"
    want = sorted((r["peringkat"], r[KK], r[NIK] if person else None) for r in drawn)
    assert want and _stored(stores, adopted) == want
    assert [r["peringkat"] for r in drawn] == list(range(1, len(drawn) + 1))
    assert (adopted.programme, adopted.year, adopted.snapshot_id) == (code, 2026, snapshot)
    assert (adopted.selected, adopted.eligible) == (len(drawn), target.eligible)
    assert (adopted.hash, adopted.cost, adopted.pelaku) == (target.hash, target.cost, ACTOR)
    assert adopted.replaces is None
    assert [a.id for a in stores.catalog.adoptions(code, 2026)] == [adopted.id]
    events = stores.catalog.events(TARGET_ADOPT)
    assert [e.pelaku for e in events] == [ACTOR]
    detail = json.loads(events[0].rincian)
    assert (detail["adoption"], detail["programme"], detail["year"]) == (adopted.id, code, 2026)
    assert detail["replaces"] is None and detail["hash"] == target.hash
    assert _nothing_pending(stores)


def test_a_later_adoption_replaces_the_earlier_and_the_history_stays(
    stores: Stores, snapshot: int
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    first_list = _draw(stores, snapshot, "SEMBAKO", quota=10)
    first = adopt_target_list(wh, cat, first_list, actor="dinsos-a")
    other = adopt_target_list(wh, cat, _draw(stores, snapshot, "RTLH"), actor="perkim")
    second_list = _draw(stores, snapshot, "SEMBAKO", quota=25)
    second = adopt_target_list(wh, cat, second_list, actor="dinsos-b")
    assert second.replaces == first.id and other.replaces is None
    now = current_adoptions(cat, 2026)
    assert {c: a.id for c, a in now.items()} == {"SEMBAKO": second.id, "RTLH": other.id}
    assert _stored(stores, now["SEMBAKO"]) == sorted(
        (r["peringkat"], r[KK], None) for r in second_list.rows.to_pylist()
    )
    assert len(_stored(stores, now["SEMBAKO"])) == 25
    # the history: both adoptions, oldest first, each with its own rows, who and when
    history = cat.adoptions("SEMBAKO", 2026)
    assert [(a.id, a.pelaku, a.selected) for a in history] == [
        (first.id, "dinsos-a", 10), (second.id, "dinsos-b", 25),
    ]  # fmt: skip
    assert history[0].dibuat <= history[1].dibuat
    assert len(_stored(stores, history[0])) == 10
    replaced = [json.loads(e.rincian)["replaces"] for e in cat.events(TARGET_ADOPT)]
    assert replaced == [None, None, first.id]
    assert current_adoptions(cat, 2027) == {}


@pytest.mark.parametrize("where", ["rows written", "catalog commit"])
def test_a_failure_inside_the_write_leaves_nothing(
    stores: Stores, snapshot: int, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _draw(stores, snapshot, "PKH")

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("putus")

    if where == "rows written":  # the units are in the warehouse, the catalog row is not
        monkeypatch.setattr(
            "padu.programmes.adopt.pause_point",
            lambda stage: boom() if stage == "warehouse.append" else None,
        )
    else:  # the audit event fails inside the transaction that would commit the batch
        monkeypatch.setattr("padu.stores.catalog.audit_row", boom)
    with pytest.raises(RuntimeError, match="putus"):
        adopt_target_list(stores.warehouse, stores.catalog, target, actor=ACTOR)
    monkeypatch.undo()
    assert stores.catalog.adoptions() == [] and current_adoptions(stores.catalog, 2026) == {}
    assert _nothing_pending(stores) and stores.catalog.events(TARGET_ADOPT) == []
    assert stores.warehouse.table(PLANNED).count().to_pyarrow().as_py() == 0
    # the next adoption goes through as if nothing had happened
    adopted = adopt_target_list(stores.warehouse, stores.catalog, target, actor=ACTOR)
    assert adopted.replaces is None and len(_stored(stores, adopted)) == target.selected


def test_a_list_off_the_agreed_reference_is_adopted_with_a_warning(
    stores: Stores, snapshot: int, small_files: Path
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    target = _draw(stores, snapshot, "RTLH")
    unagreed = adopt_target_list(wh, cat, target, actor=ACTOR)
    assert len(unagreed.warnings) == 1
    assert "tahun 2026 belum punya snapshot acuan" in unagreed.warnings[0]
    cat.set_reference(2026, snapshot, "BA rapat Bappeda", "bappeda")
    assert adopt_target_list(wh, cat, target, actor=ACTOR).warnings == ()
    newer = import_files(stores, small_files / "keluarga.csv", small_files / "individu.csv")
    cat.set_reference(2026, newer.snapshot, "pemutakhiran", "bappeda")
    off = adopt_target_list(wh, cat, target, actor=ACTOR)
    assert len(off.warnings) == 1
    said = f"snapshot {snapshot}, bukan snapshot acuan tahun 2026 (snapshot {newer.snapshot})"
    assert said in off.warnings[0]
    assert current_adoptions(cat, 2026)["RTLH"].id == off.id  # adopted all the same
    detail = json.loads(cat.events(TARGET_ADOPT)[-1].rincian)
    assert detail["warnings"] == list(off.warnings)
    on = adopt_target_list(wh, cat, _draw(stores, newer.snapshot, "RTLH"), actor=ACTOR)
    assert on.warnings == () and on.replaces == off.id


def test_a_region_list_is_refused(stores: Stores, snapshot: int) -> None:
    p = next(p for p in preset_workshop().programmes if p.code == "SEMBAKO")
    target = draw_target_list(stores.warehouse, stores.catalog, p, 1, snapshot, region="65.01")
    assert target.selected > 0
    with pytest.raises(UsageError, match="hanya daftar seluruh cakupan program"):
        adopt_target_list(stores.warehouse, stores.catalog, target, actor=ACTOR)
    assert stores.catalog.adoptions() == [] and _nothing_pending(stores)
    assert not stores.warehouse.has(PLANNED) or (
        stores.warehouse.table(PLANNED).count().to_pyarrow().as_py() == 0
    )


# -- complements --------------------------------------------------------------------------
WORKSHOP = """
agencies:
  - {code: A, name: Dinas A, kind: OPD}
programmes:
  - {code: X, name: X, agency: A, dimensions: [pendapatan], unit: keluarga,
     rule: "desil_nasional <= 4", fiscal_year: 2026, funding: APBN, complements: %s}
  - {code: Y, name: Y, agency: A, dimensions: [kesehatan], unit: keluarga,
     rule: "desil_nasional <= 5", fiscal_year: 2026, funding: APBN, complements: %s}
"""


def test_complements_name_other_programmes_of_the_file_once() -> None:
    good = load_workshop(WORKSHOP % ("[Y]", "[]"))
    assert [p.complements for p in good.programmes] == [("Y",), ()]
    with pytest.raises(ImportRejected) as info:
        load_workshop(WORKSHOP % ("[Y, X, Y, Z]", "PKH"), "w.yaml")
    found = {(p.column, p.value, p.reason) for p in info.value.problems}
    assert found == {
        ("programmes[0] (X).complements", "X", "program tidak dapat melengkapi dirinya sendiri"),
        ("programmes[0] (X).complements", "Y", "kode program disebut dua kali"),
        ("programmes[0] (X).complements", "Z", "bukan program di file ini (X, Y)"),
        ("programmes[1] (Y).complements", "PKH", "harus berupa daftar kode program"),
    }
    assert all(p.file == "w.yaml" for p in info.value.problems)


def test_complements_are_stored_without_changing_other_programmes(stores: Stores) -> None:
    preset = preset_workshop()
    pkh = next(p for p in preset.programmes if p.code == "PKH")
    assert pkh.complements == ("PBI-JK", "SEMBAKO")
    assert pkh.definition()["complements"] == ["PBI-JK", "SEMBAKO"]
    sembako = next(p for p in preset.programmes if p.code == "SEMBAKO")
    assert "complements" not in sembako.definition()  # versions stored before stay equal
    save_workshop(preset, stores.catalog, actor=ACTOR)
    assert programme(stores.catalog, "PKH")[0].complements == ("PBI-JK", "SEMBAKO")
    assert programme(stores.catalog, "SEMBAKO")[0].complements == ()


# -- the command line ---------------------------------------------------------------------
def _cli(
    stores: Stores, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, Any]]:
    """Run ``padu`` on the test's stores (closed here first: the command opens its own)."""
    stores.warehouse.close()
    stores.catalog.close()
    monkeypatch.setenv("PADU_HOME", str(stores.home))
    monkeypatch.setenv("PADU_WAREHOUSE_URL", stores.warehouse_url)
    monkeypatch.setenv("PADU_CATALOG_URL", stores.catalog_url)
    monkeypatch.setenv("PADU_USER", ACTOR)

    def run(*args: str) -> tuple[int, Any]:
        code = main(list(args))
        printed = capsys.readouterr().out.strip()
        if args[0] != "--json":
            return code, printed
        return code, json.loads(printed.splitlines()[-1]) if printed else {}

    return run


def test_programme_list_and_show_give_complements(
    stores: Stores, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    run = _cli(stores, monkeypatch, capsys)
    assert run("--json", "programme", "import", "preset:kaltara-2026")[0] == 0
    code, listed = run("--json", "programme", "list")
    assert code == 0
    complements = {p["code"]: p["complements"] for p in listed["programmes"]}
    assert complements["PKH"] == ["PBI-JK", "SEMBAKO"]
    assert {c for c, given in complements.items() if given} == {
        "PKH", "SEKOLAH-RAKYAT", "BANTU-SEKOLAH", "PMT"
    }  # fmt: skip
    assert complements["PMT"] == ["PBI-PEMDA"]
    code, shown = run("--json", "programme", "show", "PKH")
    assert code == 0 and shown["complements"] == ["PBI-JK", "SEMBAKO"]
    assert run("--json", "programme", "show", "SEMBAKO")[1]["complements"] == []
    code, table = run("programme", "show", "PKH")
    assert code == 0 and "PBI-JK, SEMBAKO" in table


def test_target_adopt_round_trip_for_one_programme_and_for_all(
    stores: Stores,
    snapshot: int,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    save_workshop(preset_workshop(), stores.catalog, actor=ACTOR)
    run = _cli(stores, monkeypatch, capsys)
    snap = str(snapshot)
    code, drawn = run("--json", "target", "PKH", "--snapshot", snap)
    assert code == 0 and "adoption" not in drawn  # drawing alone adopts nothing
    code, first = run("--json", "target", "PKH", "--snapshot", snap, "--adopt")
    assert code == 0 and first["adoption"] == {"id": 1, "year": 2026, "replaces": None}
    assert first["selected"] == drawn["selected"] > 0 and first["hash"] == drawn["hash"]
    assert len(first["warnings"]) == 1 and "belum punya snapshot acuan" in first["warnings"][0]
    code, printed = run("target", "PKH", "--snapshot", snap, "--adopt")
    assert code == 0
    assert "PKH: diadopsi sebagai rencana tahun 2026 (adopsi #2, menggantikan #1)" in printed
    assert "peringatan: tahun 2026 belum punya snapshot acuan" in printed
    # a region's list is refused before anything is drawn or written
    code, refused = run(
        "--json", "target", "PKH", "--snapshot", snap, "--region", "65.01", "--adopt"
    )
    assert code == 2 and "hapus --region" in refused["message"]
    code, refused = run(
        "--json", "target", "semua", "--snapshot", snap, "--region", "65.01", "--adopt"
    )
    assert code == 2
    # every list at once, before and after the year's reference is agreed
    code, everything = run("--json", "target", "semua", "--snapshot", snap, "--adopt")
    assert code == 0
    lists = {sm["programme"]: sm for sm in everything["lists"]}
    assert len(lists) == len(preset_workshop().programmes)
    assert lists["PKH"]["adoption"]["replaces"] == 2
    assert all(sm["adoption"]["replaces"] is None for c, sm in lists.items() if c != "PKH")
    assert len(everything["warnings"]) == len(lists)
    reference = ("--json", "register", "reference", snap, "--year", "2026", "--why", "BA 1/2026")
    assert run(*reference)[0] == 0
    code, again = run("--json", "target", "semua", "--snapshot", snap, "--adopt")
    assert code == 0 and again["warnings"] == []
    before = {c: sm["adoption"]["id"] for c, sm in lists.items()}
    after = {sm["programme"]: sm["adoption"] for sm in again["lists"]}
    assert {c: a["replaces"] for c, a in after.items()} == before
    # what the stores hold now: the newest adoption of each programme, its rows the list's
    wh, cat = open_stores(stores.warehouse_url, stores.catalog_url)
    try:
        now = current_adoptions(cat, 2026)
        assert {c: a.id for c, a in now.items()} == {c: a["id"] for c, a in after.items()}
        for sm in again["lists"]:
            rows = adoption_rows(wh, now[sm["programme"]]).count().to_pyarrow().as_py()
            assert rows == sm["selected"], sm["programme"]
        assert len(cat.adoptions()) == 2 + 2 * len(lists)
        assert {e.pelaku for e in cat.events(TARGET_ADOPT)} == {ACTOR}
    finally:
        wh.close()
        cat.close()


@pytest.mark.slow
@pytest.mark.parametrize("stage", ["adopt.write", "warehouse.append", "catalog.audit:target.adopt"])
def test_an_adoption_killed_midway_is_invisible_and_swept(
    stores: Stores, snapshot: int, stage: str
) -> None:
    save_workshop(preset_workshop(), stores.catalog, actor=ACTOR)
    stores.warehouse.close()
    stores.catalog.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PADU_")}
    env |= {
        "PADU_HOME": str(stores.home), "PADU_WAREHOUSE_URL": stores.warehouse_url,
        "PADU_CATALOG_URL": stores.catalog_url, "PADU_USER": ACTOR, "PADU_TEST_PAUSE_AT": stage,
    }  # fmt: skip
    argv = [str(PADU), "--json", "target", "PKH", "--snapshot", str(snapshot), "--adopt"]
    proc = subprocess.Popen(
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        wait_paused(proc, stage)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
    wh, cat = open_stores(stores.warehouse_url, stores.catalog_url)
    try:
        assert cat.adoptions() == [] and current_adoptions(cat, 2026) == {}
        assert cat.events(TARGET_ADOPT) == []
        assert [b.pid for b in cat.pending_batches(ADOPTION_BATCHES.kind)] == [proc.pid]
        # the next adoption sweeps the dead writer's batch and its rows away
        p, v = programme(cat, "PKH")
        target = draw_target_list(wh, cat, p, v, snapshot)
        adopted = adopt_target_list(wh, cat, target, actor=ACTOR)
        assert adopted.replaces is None and cat.pending_batches(ADOPTION_BATCHES.kind) == []
        assert wh.table(PLANNED).count().to_pyarrow().as_py() == target.selected
    finally:
        wh.close()
        cat.close()
