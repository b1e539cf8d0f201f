"""Targeting: every selected unit satisfies its rule (checked by an independent evaluator),
cuts respect quota and budget in priority order, and the same inputs give the same list."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from python_calamine import CalamineWorkbook

from padu.programmes import preset_workshop
from padu.programmes.bnba import write_xlsx
from padu.programmes.targeting import draw_target_list
from padu.rules import parse
from padu.synth import SyntheticRegister
from tests.conftest import SNAPSHOT_DATE, Stores
from tests.rule_reference import evaluate, with_derived


def _reference_units(programme, reg: SyntheticRegister) -> set[str]:  # type: ignore[no-untyped-def]
    people = list(reg.individu.iter_rows(named=True))
    members: dict[str, list[dict[str, object]]] = {}
    for m in people:
        members.setdefault(str(m["nomor_kartu_keluarga"]), []).append(m)
    rule = parse(programme.rule)
    member_rule = parse(programme.member_rule) if programme.member_rule else None
    out: set[str] = set()
    # the derived fields (perkotaan, jumlah_penghuni_rumah) computed here in plain Python
    for fam in with_derived(list(reg.keluarga.iter_rows(named=True)), people).values():
        kk = str(fam["nomor_kartu_keluarga"])
        if evaluate(rule, fam, members.get(kk, []), SNAPSHOT_DATE) is not True:
            continue
        if programme.unit == "keluarga":
            out.add(kk)
        else:
            out |= {
                str(m["nomor_induk_kependudukan"])
                for m in members.get(kk, [])
                if member_rule is None or evaluate(member_rule, m, [], SNAPSHOT_DATE) is True
            }
    return out


def test_every_preset_selects_exactly_the_units_its_rule_admits(
    stores: Stores, snapshot: int, small_register: SyntheticRegister
) -> None:
    for programme in preset_workshop().programmes:
        free = dataclasses.replace(programme, budget=None, quota=None)
        drawn = draw_target_list(stores.warehouse, stores.catalog, free, 1, snapshot)
        key = "nomor_induk_kependudukan" if programme.unit == "individu" else "nomor_kartu_keluarga"
        got = set(drawn.rows.column(key).to_pylist())
        want = _reference_units(programme, small_register)
        if programme.unit == "keluarga":
            assert got == want, programme.code
        else:  # a person whose NIK is duplicated is listed once
            assert set(got) == want and drawn.selected == len(got) == len(want), programme.code
        assert drawn.selected == drawn.eligible, programme.code
        assert want, f"{programme.code} should admit someone in the synthetic register"


def test_budget_and_quota_cut_in_priority_order(stores: Stores, snapshot: int) -> None:
    rtlh = next(p for p in preset_workshop().programmes if p.code == "SEMBAKO")
    tight = dataclasses.replace(rtlh, budget=2_400_000 * 25 + 1_000_000, quota=None)
    drawn = draw_target_list(stores.warehouse, stores.catalog, tight, 1, snapshot)
    assert drawn.selected == 25 and drawn.cost == 25 * 2_400_000 <= tight.budget  # type: ignore[operator]
    assert drawn.eligible > drawn.selected
    full = draw_target_list(
        stores.warehouse, stores.catalog, dataclasses.replace(rtlh, budget=None), 1, snapshot
    )
    ranked = full.rows.to_pylist()
    chosen = {r["nomor_kartu_keluarga"] for r in drawn.rows.to_pylist()}
    assert chosen == {r["nomor_kartu_keluarga"] for r in ranked[:25]}  # the top of the same ranking
    worst_in = max(int(r["desil_nasional"]) for r in ranked[:25])
    best_out = min(int(r["desil_nasional"]) for r in ranked[25:])
    assert worst_in <= best_out
    quota = draw_target_list(
        stores.warehouse,
        stores.catalog,
        dataclasses.replace(rtlh, budget=None, quota=7),
        1,
        snapshot,
    )
    assert quota.selected == 7


def test_same_inputs_same_list_and_hash(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    pkh = next(p for p in preset_workshop().programmes if p.code == "PKH")
    a = draw_target_list(stores.warehouse, stores.catalog, pkh, 1, snapshot)
    b = draw_target_list(stores.warehouse, stores.catalog, pkh, 1, snapshot)
    assert a.hash == b.hash and a.rows.equals(b.rows)
    c = draw_target_list(stores.warehouse, stores.catalog, pkh, 2, snapshot)
    assert c.hash != a.hash  # the rule version is part of the list's identity
    region = draw_target_list(stores.warehouse, stores.catalog, pkh, 1, snapshot, region="65.71")
    assert 0 < region.selected < a.selected
    assert all(
        code.startswith("65.71") for code in region.rows.column("kode_kelurahan_desa").to_pylist()
    )
    assert all(
        r["alasan"] and r["peringkat"] == i for i, r in enumerate(a.rows.to_pylist(), start=1)
    )
    path = tmp_path / "pkh.xlsx"
    write_xlsx(a, path)
    book = CalamineWorkbook.from_path(str(path))
    cover = book.get_sheet_by_name("Sampul").to_python()
    assert any(a.hash in [str(c) for c in row] for row in cover)
    sheet = book.get_sheet_by_index(1).to_python()
    assert sheet[0][:3] == ["Peringkat", "No. KK", "Nama Kepala Keluarga"]
    listed = sheet[1 : 1 + a.selected]  # the signature block follows the rows
    assert all(isinstance(r[1], str) and len(r[1]) == 16 for r in listed)  # KK as text
    assert [r[0] for r in listed] == list(range(1, a.selected + 1))
