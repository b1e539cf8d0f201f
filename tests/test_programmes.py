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
    assert rtlh.unit_cost == 21_800_000 and rtlh.funding == "APBD provinsi"  # BSPS 2025
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
    first = save_workshop(w, stores.catalog, actor="penguji")
    assert set(first.values()) == {1}
    assert save_workshop(w, stores.catalog, actor="penguji") == first  # unchanged: no new version
    text = dump_workshop(w).replace(
        "desil_nasional <= 5 dan sumber_air_minum_utama",
        "desil_nasional <= 4 dan sumber_air_minum_utama",
    )
    assert save_workshop(load_workshop(text), stores.catalog, actor="penguji")["SR-AIR"] == 2
    now, version = programme(stores.catalog, "SR-AIR")
    old, _ = programme(stores.catalog, "SR-AIR", 1)
    assert (
        version == 2
        and now.rule.startswith("desil_nasional <= 4")
        and old.rule.startswith("desil_nasional <= 5")
    )
    workshop, versions = current_workshop(stores.catalog)
    assert versions["SR-AIR"] == 2 and len(workshop.programmes) == len(w.programmes)


def test_data_needs_fields_completeness_and_undecidable(
    stores: Stores, small_files, small_register, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import polars as pl
    from python_calamine import CalamineWorkbook

    from padu.programmes.needs import data_needs, programme_fields, write_workbook
    from padu.register import import_register
    from tests.conftest import SNAPSHOT_DATE

    snap = import_register(
        [small_files / "keluarga.csv", small_files / "individu.csv"],
        stores.warehouse,
        stores.catalog,
        snapshot_date=SNAPSHOT_DATE,
        rejects_dir=stores.home / "rejects",
        actor="penguji",
    ).snapshot
    progs = preset_workshop().programmes
    rtlh = next(p for p in progs if p.code == "RTLH")
    assert programme_fields(rtlh) == [
        "keluarga.desil_nasional", "keluarga.jenis_atap_terluas", "keluarga.jenis_dinding_terluas",
        "keluarga.jenis_lantai_terluas", "keluarga.status_kepemilikan_rumah",
    ]  # fmt: skip
    needs = data_needs(stores.warehouse, stores.catalog, snap, progs)
    kel = small_register.keluarga
    blank_desil = kel.filter(pl.col("desil_nasional").is_null()).height
    sembako = next(p for p in needs["programmes"] if p["code"] == "SEMBAKO")
    assert sembako["fields"] == ["keluarga.desil_nasional"]
    assert sembako["undecidable"] == blank_desil > 0  # desil blank: the rule cannot decide
    want = round(100 * (1 - blank_desil / kel.height), 2)
    assert needs["fields"]["keluarga.desil_nasional"]["completeness"] == want
    assert needs["matrix"]["PERKIM"]["keluarga.status_kepemilikan_rumah"] == 1
    jamban = next(p for p in needs["programmes"] if p["code"] == "JAMBAN")

    def short(field: str) -> set[str]:  # kabupaten where the field is under 95 % complete
        blank = kel.group_by("kode_kabupaten_kota").agg(pl.col(field).is_null().mean())
        return {f"{k[:2]}.{k[2:]}" for k, share in blank.iter_rows() if share > 0.05}

    # only fields every family carries count (desil may not be set yet, issue 12); closet
    # blanks of families without a toilet are expected and flag no region
    always = short("desil_nasional") | short("fasilitas_bab")
    assert {r["kode"] for r in jamban["unreliable_regions"]} == always
    assert short("jenis_kloset") - always  # a region the closet blanks alone would flag
    import dataclasses

    # the PLN customer ID is filled only for metered homes: a blank is "no meter", so naming
    # it as a data need flags no region the rule's own fields do not already flag
    meters = dataclasses.replace(rtlh, data_needs=("id_pelanggan_pln",))
    weak = data_needs(stores.warehouse, stores.catalog, snap, [meters])["programmes"][0][
        "unreliable_regions"
    ]
    rtlh_always = short("desil_nasional") | short("jenis_atap_terluas")
    rtlh_always |= short("jenis_dinding_terluas") | short("jenis_lantai_terluas")
    rtlh_always |= short("status_kepemilikan_rumah")
    assert {r["kode"] for r in weak} == rtlh_always
    assert short("id_pelanggan_pln") - rtlh_always  # the PLN blanks alone would flag more
    path = tmp_path / "needs.xlsx"
    write_workbook(needs, path)
    book = CalamineWorkbook.from_path(str(path))
    assert set(book.sheet_names) == {p.agency for p in progs}
