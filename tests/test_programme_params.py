"""The optional programme fields of issue 12: parameters in rules, cost components, the
budget-cycle fields and the long-list mark; how they are checked, stored and exported, and
that a workshop file without them keeps the definition (and rule version) it had."""

from __future__ import annotations

import pytest

from padu.errors import ImportRejected
from padu.programmes import dump_workshop, load_workshop
from padu.programmes.model import CostComponent, Workshop
from padu.programmes.needs import programme_fields
from padu.programmes.params import with_params
from padu.programmes.store import current_workshop, programme, save_workshop
from tests.conftest import Stores

OLD = """
agencies:
  - {code: DINSOS, name: Dinas Sosial, kind: OPD}
programmes:
  - code: BANSOS
    name: Bantuan sosial
    agency: DINSOS
    dimensions: [pendapatan]
    unit: keluarga
    rule: desil_nasional <= 2
    fiscal_year: 2026
    funding: APBD provinsi
    unit_cost: 1.000.000
    budget: 50_000_000
    note: catatan
"""

NEW = """
agencies:
  - {code: KEMENSOS, name: Kementerian Sosial, kind: vertikal}
programmes:
  - code: SEMBAKO
    name: Sembako
    agency: KEMENSOS
    dimensions: [pendapatan]
    unit: keluarga
    rule: desil_nasional <= {desil_maks} dan kode_kabupaten_kota dalam {kabupaten}
    fiscal_year: 2026
    funding: APBN
    unit_cost: 2400000
    params:
      kabupaten: {value: ["6501", "6571"], label: Kabupaten}
      desil_maks: {value: 4, label: Desil tertinggi, source: sumber uji}
  - code: PKH
    name: PKH
    agency: KEMENSOS
    dimensions: [pendapatan, pendidikan]
    unit: keluarga
    rule: desil_nasional <= 4
    fiscal_year: 2026
    funding: APBN
    budget: 10.000.000
    cost_components:
      - {code: AUD, label: Anak usia dini, amount: 3.000.000, member_rule: umur(tanggal_lahir) <= 6}
      - {code: SD, label: SD, amount: 900000, member_rule: "partisipasi_sekolah = 2"}
    max_components: 4
    sub_activity_code: 1.06.04.2.01.0001
    sub_activity_name: Sub-kegiatan uji
    output_indicator: Jumlah keluarga penerima
    output_unit: keluarga
    output_volume: 120
    tags: [kemiskinan_ekstrem, stunting]
    long_list: true
    long_list_note: Daftar panjang untuk verifikasi lapangan.
  - code: PIP
    name: PIP
    agency: KEMENSOS
    dimensions: [pendidikan]
    unit: individu
    rule: desil_nasional <= {desil}
    member_rule: umur(tanggal_lahir) >= {umur_min} dan partisipasi_sekolah = 2
    fiscal_year: 2026
    funding: APBN
    params:
      desil: {value: 3}
      umur_min: {value: 6}
    cost_components:
      - {code: SD, label: SD, amount: 450000, member_rule: umur(tanggal_lahir) <= 12}
"""


def _problems(text: str) -> str:
    with pytest.raises(ImportRejected) as info:
        load_workshop(text, "w.yaml")
    return " | ".join(p.describe() for p in info.value.problems)


def test_an_old_workshop_file_keeps_its_definition() -> None:
    (p,) = load_workshop(OLD).programmes
    assert p.definition() == {
        "code": "BANSOS",
        "name": "Bantuan sosial",
        "agency": "DINSOS",
        "dimensions": ["pendapatan"],
        "unit": "keluarga",
        "rule": "desil_nasional <= 2",
        "fiscal_year": 2026,
        "funding": "APBD provinsi",
        "unit_cost": 1_000_000,
        "budget": 50_000_000,
        "note": "catatan",
    }
    assert load_workshop(dump_workshop(load_workshop(OLD))).programmes == [p]


def test_parameters_are_substituted_and_the_template_is_exported() -> None:
    w = load_workshop(NEW)
    sembako, pkh, pip = w.programmes
    assert sembako.rule == 'desil_nasional <= 4 dan kode_kabupaten_kota dalam ["6501", "6571"]'
    assert [(q.name, q.value, q.label, q.source) for q in sembako.params] == [
        ("desil_maks", 4, "Desil tertinggi", "sumber uji"),
        ("kabupaten", ("6501", "6571"), "Kabupaten", ""),
    ]
    assert pip.member_rule == "umur(tanggal_lahir) >= 6 dan partisipasi_sekolah = 2"
    exported = dump_workshop(w)
    assert "rule: desil_nasional <= {desil_maks} dan" in exported
    assert "member_rule: umur(tanggal_lahir) >= {umur_min} dan" in exported
    again = load_workshop(exported)
    assert again.programmes == w.programmes and again.agencies == w.agencies
    assert pkh.cost_components[0] == CostComponent(
        "AUD", "Anak usia dini", 3_000_000, "umur(tanggal_lahir) <= 6"
    )
    assert (pkh.max_components, pkh.budget, pkh.output_volume) == (4, 10_000_000, 120)
    assert pkh.tags == ("kemiskinan_ekstrem", "stunting") and pkh.long_list
    assert pkh.sub_activity_code == "1.06.04.2.01.0001"


def test_every_new_field_survives_the_catalog(stores: Stores) -> None:
    w = load_workshop(NEW)
    versions = save_workshop(w, stores.catalog, actor="penguji")
    for p in w.programmes:
        stored, version = programme(stores.catalog, p.code)
        assert stored == p and version == versions[p.code] == 1
    current, _ = current_workshop(stores.catalog)
    assert sorted(current.programmes, key=lambda p: p.code) == sorted(
        w.programmes, key=lambda p: p.code
    )
    # the same file again is no new version; a new parameter value is
    assert save_workshop(w, stores.catalog, actor="penguji") == versions
    changed = with_params(w, {"SEMBAKO.desil_maks": "5"})
    assert save_workshop(changed, stores.catalog, actor="penguji")["SEMBAKO"] == 2
    stored, _ = programme(stores.catalog, "SEMBAKO")
    assert stored.rule.startswith("desil_nasional <= 5 ") and stored.params[0].value == 5
    assert load_workshop(dump_workshop(Workshop(w.agencies, [stored]))).programmes == [stored]


def test_overrides_are_typed_and_every_mistake_is_reported() -> None:
    w = load_workshop(NEW)
    new = with_params(w, {"SEMBAKO.desil_maks": "5", "SEMBAKO.kabupaten": "6501", "PIP.desil": "2"})
    sembako, _, pip = new.programmes
    assert sembako.rule == 'desil_nasional <= 5 dan kode_kabupaten_kota dalam ["6501"]'
    assert pip.rule == "desil_nasional <= 2" and pip.member_rule == w.programmes[2].member_rule
    assert w.programmes[0].rule.startswith("desil_nasional <= 4")  # the original is unchanged
    with pytest.raises(ImportRejected) as info:
        with_params(
            w,
            {
                "SEMBAKO.desil_maks": "4,5",
                "SEMBAKO.desil": "3",
                "BANSOS.desil_maks": "3",
                "desil_maks": "3",
                "PIP.umur_min": "enam",
            },
        )
    text = " | ".join(p.describe() for p in info.value.problems)
    assert len(info.value.problems) == 5
    for needle in (
        "SEMBAKO.desil_maks: harus bilangan bulat",
        "tidak punya parameter 'desil'; parameternya: desil_maks, kabupaten",
        "program 'BANSOS' tidak ada",
        "KODE.nama=nilai",
        "PIP.umur_min: harus bilangan bulat",
    ):
        assert needle in text, needle


def test_every_problem_of_the_new_fields_is_reported_at_once() -> None:
    text = """
agencies:
  - {code: A, name: Dinas A, kind: OPD}
programmes:
  - code: X
    name: X
    agency: A
    dimensions: [pendapatan]
    unit: keluarga
    rule: desil_nasional <= {desil_maks} dan desil_nasional >= {desil_min}
    fiscal_year: 2026
    funding: APBN
    unit_cost: 100
    params:
      desil_maks: {value: 4}
      tidak_dipakai: {value: 1}
      Salah: {value: 1}
      rusak: {value: {a: 1}}
    cost_components:
      - {code: A, label: A, amount: -5, member_rule: umur(tanggal_lahir) <= 6}
      - {code: A, amount: 1, member_rule: "umur(tgl_lahir) <= 6"}
    max_components: 0
    sub_activity_code: satu-dua
    output_volume: banyak
    tags: [Kemiskinan Ekstrem, stunting, stunting]
    long_list: ya
  - code: Y
    name: Y
    agency: A
    dimensions: [pendapatan]
    unit: individu
    rule: benar
    member_rule: benar
    fiscal_year: 2026
    funding: APBN
    budget: 100
    max_components: 2
    long_list: true
"""
    found = _problems(text)
    for needle in (
        "parameter 'desil_min' tidak ada di params",
        "tidak_dipakai",
        "nama parameter",
        "nilai parameter harus angka",
        "cost_components[0].amount",
        "kode komponen ganda",
        "cost_components[1].label",
        "maksud Anda: tanggal_lahir",
        "pakai unit_cost atau cost_components",
        "max_components",
        "paling sedikit 1",
        "kode sub-kegiatan",
        "output_volume",
        "label: huruf kecil",
        "label disebut dua kali",
        "long_list: harus true atau false",
        "anggaran membutuhkan biaya per unit",
        "hanya berlaku dengan cost_components",
        "daftar panjang butuh alasannya",
    ):
        assert needle in found, needle


def test_data_needs_include_the_fields_of_cost_components() -> None:
    pkh = load_workshop(NEW).programmes[1]
    assert programme_fields(pkh) == [
        "individu.partisipasi_sekolah",
        "individu.tanggal_lahir",
        "keluarga.desil_nasional",
    ]
