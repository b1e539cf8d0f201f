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
from pathlib import Path
from typing import Any

import pytest

from padu.audit import TARGET_ADOPT
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
from tests.conftest import Stores, import_files

ACTOR = "perencana-bappeda"


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
