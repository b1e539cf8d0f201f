"""Programmes: presets, the workshop file, versions in the catalog."""

from __future__ import annotations

import pytest

from padu.errors import ImportRejected
from padu.programmes import dump_workshop, load_workshop, preset_workshop
from padu.programmes.store import current_workshop, programme, save_workshop
from tests.conftest import Stores


def test_presets_parse_and_cover_every_dimension() -> None:
    w = preset_workshop()
    codes = {p.code for p in w.programmes}
    assert {"PKH", "SEMBAKO", "PBI-JK", "SEKOLAH-RAKYAT", "KIP-KULIAH", "RTLH"} <= codes
    assert len(w.programmes) >= 12
    covered = {d for p in w.programmes for d in p.dimensions}
    assert covered == {
        "pendapatan",
        "pendidikan",
        "kesehatan",
        "perumahan",
        "air",
        "sanitasi",
        "pekerjaan",
    }
    rtlh = next(p for p in w.programmes if p.code == "RTLH")
    assert rtlh.unit_cost == 20_000_000 and rtlh.funding == "APBD provinsi"
    assert {p.unit for p in w.programmes} == {"keluarga", "individu"}


def test_workshop_file_round_trips() -> None:
    w = preset_workshop()
    again = load_workshop(dump_workshop(w))
    assert again.programmes == w.programmes and again.agencies == w.agencies


def test_a_bad_workshop_file_reports_every_problem() -> None:
    text = """
agencies:
  - {code: A, name: Dinas A, kind: OPD}
programmes:
  - {code: X, name: X, agency: B, dimensions: [pendapatan], unit: keluarga,
     rule: "desil_nasionl <= 4", fiscal_year: 2026, funding: APBN}
  - {code: X, name: Y, agency: A, dimensions: [lain], unit: individu,
     rule: "desil_nasional <= 4", fiscal_year: 2026, funding: APBX, budget: 10}
"""
    with pytest.raises(ImportRejected) as info:
        load_workshop(text, "w.yaml")
    text_problems = " | ".join(p.describe() for p in info.value.problems)
    for needle in (
        "instansi tidak ada",
        "maksud Anda: desil_nasional",
        "kode program ganda",
        "dimensi Padu-7",
        "member_rule",
        "APBX",
        "biaya per unit",
    ):
        assert needle in text_problems, needle


def test_every_change_is_a_new_version(stores: Stores) -> None:
    w = preset_workshop()
    first = save_workshop(w, stores.catalog)
    assert set(first.values()) == {1}
    assert save_workshop(w, stores.catalog) == first  # unchanged: no new version
    text = dump_workshop(w).replace(
        "desil_nasional <= 5 dan sumber_air_minum_utama",
        "desil_nasional <= 4 dan sumber_air_minum_utama",
    )
    assert save_workshop(load_workshop(text), stores.catalog)["SR-AIR"] == 2
    now, version = programme(stores.catalog, "SR-AIR")
    old, _ = programme(stores.catalog, "SR-AIR", 1)
    assert (
        version == 2
        and now.rule.startswith("desil_nasional <= 4")
        and old.rule.startswith("desil_nasional <= 5")
    )
    workshop, versions = current_workshop(stores.catalog)
    assert versions["SR-AIR"] == 2 and len(workshop.programmes) == len(w.programmes)
