"""Padu-7's corrected indicators (issue 12) on hand-built families, on every engine.

Each family differs from a fully non-deprived baseline by the one fact the correction is
about (an SMA graduate aged 17, a bamboo floor, a pit latrine in a rural or urban desa, two
KKs in one small dwelling...), and the test names the indicator value it must get. The
derived fields are checked here too, with one KK evaluated alone against its dwelling.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

import pytest

from padu.measure.measures import get_measure
from padu.rules import compile_rule, fields_used
from padu.rules.compiler import evaluate
from padu.rules.parser import RuleError
from tests.conftest import Stores, engine_tables
from tests.rule_reference import evaluate as reference
from tests.rule_reference import with_derived

AS_OF = dt.date(2026, 1, 23)
KK = "nomor_kartu_keluarga"
URBAN = "6571011001"  # Karang Anyar, Kota Tarakan (kelurahan)
RURAL = "6501012005"  # Gunung Putih, Bulungan (desa)


#: Washington Group difficulty items, asked from age 2 and from age 5
FROM_AGE_2 = (
    "penglihatan",
    "pendengaran",
    "berjalan_atau_naik_tangga",
    "menggunakan_tangan_jari",
    "mengingat_berkonsentrasi",
    "mengurus_diri",
)
FROM_AGE_5 = ("berbicara_komunikasi", "belajar_kemampuan_intelektual", "pengendalian_perilaku")


def born(age: int) -> dt.date:
    """A birth date giving ``age`` on AS_OF (birthday already passed)."""
    return dt.date(AS_OF.year - age, 1, 1)


def family(kk: str, **changes: Any) -> dict[str, Any]:
    """A family deprived in nothing (but the desil), with ``changes``."""
    base: dict[str, Any] = {
        KK: kk,
        "kode_kelurahan_desa": RURAL,
        "desil_nasional": "6",
        "jenis_lantai_terluas": "2",
        "jenis_dinding_terluas": "1",
        "jenis_atap_terluas": "2",
        "luas_lantai": 100.0,
        "jumlah_anggota_keluarga": 2,
        "sumber_penerangan_utama": "1",
        "bahan_bakar_utama_memasak": "2",
        "sumber_air_minum_utama": "3",
        "fasilitas_bab": "1",
        "jenis_kloset": "1",
        "pembuangan_akhir_tinja": "1",
        "id_pelanggan_pln": None,
    }
    return base | changes


def member(kk: str, age: int, **changes: Any) -> dict[str, Any]:
    """A member with no deprivation: works (adult) or attends school (child)."""
    base: dict[str, Any] = {
        KK: kk,
        "tanggal_lahir": born(age),
        "status_hubungan_keluarga": "1" if age >= 18 else "3",
        "partisipasi_sekolah": "2" if 7 <= age <= 18 else "3",
        "ijazah_tertinggi_yang_dimiliki": "13" if age > 18 else None,
        "status_bekerja": "1" if age > 18 else ("2" if age >= 10 else None),
        "status_dalam_pekerjaan_utama": "4" if age > 18 else None,
        "penyakit_kronis": "1",
        "kondisi_gizi": "3" if age < 5 else None,
    }
    for item in FROM_AGE_2:
        base[item] = "4" if age >= 2 else None
    for item in FROM_AGE_5:
        base[item] = "4" if age >= 5 else None
    return base | changes


def head(kk: str, **changes: Any) -> dict[str, Any]:
    return member(kk, 40, **changes)


# (family, members, {indicator: expected value}); None = unknown
CASES: list[tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any]]] = [
    # the baseline: nothing deprived
    (family("dasar"), [head("dasar"), member("dasar", 10)], {
        "anak_tidak_sekolah": False, "tanpa_ijazah_smp": False, "rumah_tidak_layak": False,
        "lantai_sempit": False, "sanitasi_tidak_layak": False, "air_tidak_layak": False,
        "tanpa_pekerja": False, "kepala_pekerja_rentan": False, "penyakit_katastropik": False,
        "disabilitas_berat": False,
    }),
    # a 17-year-old who left school with an SMA certificate has finished schooling
    (family("sma17"), [head("sma17"), member("sma17", 17, partisipasi_sekolah="3",
                                             ijazah_tertinggi_yang_dimiliki="13")],
     {"anak_tidak_sekolah": False}),
    # a 17-year-old out of school with only an SMP certificate is deprived
    (family("smp17"), [head("smp17"), member("smp17", 17, partisipasi_sekolah="3",
                                             ijazah_tertinggi_yang_dimiliki="8")],
     {"anak_tidak_sekolah": True}),
    # a 16-year-old who left school and whose certificate is blank: no SMA certificate shown,
    # deprived (not undecided)
    (family("kosong16"), [head("kosong16"), member("kosong16", 16, partisipasi_sekolah="3",
                                                   ijazah_tertinggi_yang_dimiliki=None)],
     {"anak_tidak_sekolah": True}),
    # a 17-year-old who never attended school: no certificate to read, deprived
    (family("tak17"), [head("tak17"), member("tak17", 17, partisipasi_sekolah="1")],
     {"anak_tidak_sekolah": True}),
    # nobody aged 16+ holds an SMP certificate (the adults hold SD only)
    (family("sdsaja"), [head("sdsaja", ijazah_tertinggi_yang_dimiliki="3"),
                        member("sdsaja", 38, ijazah_tertinggi_yang_dimiliki="3")],
     {"tanpa_ijazah_smp": True}),
    # one adult with an SMP certificate is enough
    (family("smpada"), [head("smpada", ijazah_tertinggi_yang_dimiliki="3"),
                        member("smpada", 20, ijazah_tertinggi_yang_dimiliki="8")],
     {"tanpa_ijazah_smp": False}),
    (family("bambu", jenis_lantai_terluas="7"), [head("bambu")], {"rumah_tidak_layak": True}),
    (family("kayulog", jenis_dinding_terluas="5"), [head("kayulog")],
     {"rumah_tidak_layak": False}),
    (family("anyaman", jenis_dinding_terluas="4"), [head("anyaman")],
     {"rumah_tidak_layak": True}),
    # a hole in the ground: improved in a rural desa, not in an urban one
    (family("lubangdesa", pembuangan_akhir_tinja="4"), [head("lubangdesa")],
     {"sanitasi_tidak_layak": False}),
    (family("lubangkota", pembuangan_akhir_tinja="4", kode_kelurahan_desa=URBAN),
     [head("lubangkota")], {"sanitasi_tidak_layak": True}),
    # an unknown desa leaves the pit latrine undecided; a septic tank does not need the desa
    (family("lubang_x", pembuangan_akhir_tinja="4", kode_kelurahan_desa="9999999999"),
     [head("lubang_x")], {"sanitasi_tidak_layak": None}),
    (family("septik_x", kode_kelurahan_desa="9999999999"), [head("septik_x")],
     {"sanitasi_tidak_layak": False}),
    (family("hujan", sumber_air_minum_utama="10"), [head("hujan")], {"air_tidak_layak": False}),
    (family("sungai", sumber_air_minum_utama="9"), [head("sungai")], {"air_tidak_layak": True}),
    # two KKs of three in one 40 m2 dwelling (same PLN ID): 40 / 6 < 7.2 for both; alone,
    # each would have 40 / 3 = 13.3 m2 per person
    (family("rumah1", luas_lantai=40.0, jumlah_anggota_keluarga=3, id_pelanggan_pln="5101"),
     [head("rumah1"), member("rumah1", 35), member("rumah1", 10)], {"lantai_sempit": True}),
    (family("rumah2", luas_lantai=40.0, jumlah_anggota_keluarga=3, id_pelanggan_pln="5101"),
     [head("rumah2"), member("rumah2", 33), member("rumah2", 8)], {"lantai_sempit": True}),
    # a family lit from the neighbour's line carries the neighbour's ID: not the same house
    (family("tetangga", luas_lantai=40.0, jumlah_anggota_keluarga=3, id_pelanggan_pln="5101",
            sumber_penerangan_utama="2"),
     [head("tetangga"), member("tetangga", 35), member("tetangga", 10)],
     {"lantai_sempit": False}),
    (family("sendiri", luas_lantai=40.0, jumlah_anggota_keluarga=3),
     [head("sendiri"), member("sendiri", 35), member("sendiri", 10)], {"lantai_sempit": False}),
    # the head works on own account; a casual worker is not vulnerable in ILO's sense
    (family("sendiriusaha"), [head("sendiriusaha", status_dalam_pekerjaan_utama="1")],
     {"kepala_pekerja_rentan": True}),
    (family("buruhlepas"), [head("buruhlepas", status_dalam_pekerjaan_utama="7")],
     {"kepala_pekerja_rentan": False}),
    (family("tidakdibayar"), [head("tidakdibayar", status_dalam_pekerjaan_utama="8")],
     {"kepala_pekerja_rentan": True}),
    # a 66-year-old who does not work is of working age: the family is jobless
    (family("lansia"), [member("lansia", 66, status_bekerja="2",
                               status_dalam_pekerjaan_utama=None)],
     {"tanpa_pekerja": True}),
    # hypertension is not a deprivation, kidney failure is
    (family("hipertensi"), [head("hipertensi", penyakit_kronis="2")],
     {"penyakit_katastropik": False}),
    (family("ginjal"), [head("ginjal", penyakit_kronis="10")], {"penyakit_katastropik": True}),
    (family("tunanetra"), [head("tunanetra", penglihatan="1")], {"disabilitas_berat": True}),
]  # fmt: skip


@pytest.fixture
def tables(stores: Stores) -> Any:
    families = [f for f, _, _ in CASES]
    members = [m for _, ms, _ in CASES for m in ms]
    kel, ind = engine_tables(stores, families, members)
    return kel, ind, families, members


def test_every_corrected_indicator_on_hand_built_families(tables: Any) -> None:
    kel, ind, families, members = tables
    measure = get_measure("padu-7")
    rules = {i.id: i.rule for i in measure.indicators}
    table, exprs = evaluate(rules, kel, ind, AS_OF)
    rows = {r[KK]: r for r in table.select(KK, **exprs).to_pyarrow().to_pylist()}
    derived = with_derived(families, members)
    by_kk: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        by_kk.setdefault(m[KK], []).append(m)
    for fam, _, expected in CASES:
        kk = fam[KK]
        for indicator, want in expected.items():
            assert rows[kk][indicator] is want, (kk, indicator, rows[kk][indicator])
            # the plain-Python reference agrees
            ref = reference(rules[indicator].ast, derived[kk], by_kk[kk], AS_OF)
            assert ref is want, (kk, indicator, "reference", ref)


def test_derived_fields_and_one_kk_evaluated_alone(tables: Any) -> None:
    kel, ind, _, _ = tables
    rules = {
        "kota": compile_rule("perkotaan"),
        "ramai": compile_rule("jumlah_penghuni_rumah >= 6"),
    }
    table, exprs = evaluate(rules, kel, ind, AS_OF)
    rows = {
        r[KK]: r
        for r in table.select(KK, "perkotaan", "jumlah_penghuni_rumah", **exprs)
        .to_pyarrow()
        .to_pylist()
    }
    assert rows["lubangkota"]["perkotaan"] is True
    assert rows["lubangdesa"]["perkotaan"] is False
    assert rows["lubang_x"]["perkotaan"] is None
    assert [rows[k]["jumlah_penghuni_rumah"] for k in ("rumah1", "rumah2", "sendiri")] == [6, 6, 3]
    # the family card evaluates one KK: given the whole snapshot as population, its dwelling
    # still counts the other KK's members; without it, only its own
    one_kel, one_ind = kel.filter(kel[KK] == "rumah1"), ind.filter(ind[KK] == "rumah1")
    for population, want in (((kel, ind), 6), (None, 3)):
        t, e = evaluate(rules, one_kel, one_ind, AS_OF, population=population)
        got = t.select("jumlah_penghuni_rumah", **e).to_pyarrow().to_pylist()
        assert got == [{"jumlah_penghuni_rumah": want, "kota": False, "ramai": want >= 6}]


def test_derived_fields_in_the_checker() -> None:
    # the fields a rule reads are the register fields the derived ones are computed from
    assert fields_used("perkotaan dan jumlah_penghuni_rumah > 4") == {
        ("keluarga", "kode_kelurahan_desa"),
        ("keluarga", "id_pelanggan_pln"),
        ("keluarga", "sumber_penerangan_utama"),
    }
    with pytest.raises(RuleError, match="kolom keluarga"):
        compile_rule("ada anggota(perkotaan)")
    with pytest.raises(RuleError, match="maksud Anda: perkotaan"):
        compile_rule("perkotan")
    with pytest.raises(RuleError, match="tidak bisa membandingkan"):
        compile_rule("perkotaan > 1")


def test_padu6_is_padu7_without_income_reweighted() -> None:
    p7, p6 = get_measure("padu-7"), get_measure("padu-6")
    rules7 = {i.id: " ".join(i.rule.text.split()) for i in p7.indicators}
    assert {i.id for i in p6.indicators} == set(rules7) - {"desil_1_4"}
    assert all(" ".join(i.rule.text.split()) == rules7[i.id] for i in p6.indicators)
    assert set(p6.dimension_weights().values()) == {Fraction(1, 6)}
    assert len(p6.dimensions) == 6 and p6.k == p7.k
    # inside a dimension the weights stay equal
    for d in p6.dimensions:
        weights = {i.weight for i in p6.indicators if i.dimension == d.id}
        assert len(weights) == 1
