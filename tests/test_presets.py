"""The kaltara-2026 preset's content (issue 12): every rule compiles, and the facts the
preset was corrected for hold on a hand-built register.

Six families in one desa of Bulungan, written by hand: school-age children at and between
the entry grades of Sekolah Rakyat, in desil 1, 2 and 3; a family where two members hold a
PBI card of their own and one does not; a PKH family with more components than PKH pays.
The expected lists follow from the members' own fields; amounts are read from the preset.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from padu.measure.measures import get_measure
from padu.programmes import preset_workshop
from padu.programmes.model import Programme
from padu.programmes.params import with_params
from padu.programmes.targeting import KK, NIK, draw_target_list
from padu.rules import compile_member_rule, compile_rule
from tests.conftest import HAND_DESA, SNAPSHOT_DATE, Stores, import_files, write_csv_register

DESA = HAND_DESA
SD, SMP, SMA = "3", "8", "13"  # jenjang/ijazah codes: SD, SMP, SMA
IN_SCHOOL, NEVER, LEFT = "2", "1", "3"  # partisipasi_sekolah
TAMAT = "8"  # kelas_tertinggi: "tamat dan lulus"
SEEN_WALK_CARE = ("penglihatan", "berjalan_atau_naik_tangga", "mengurus_diri")  # 4: no difficulty


def _pupil(jenjang: str, kelas: str, ijazah: str = "23") -> dict[str, str]:
    """A member in school at ``jenjang`` and ``kelas`` (ijazah 23: no SD certificate)."""
    return {
        "partisipasi_sekolah": IN_SCHOOL,
        "jenjang_tertinggi_yang_diduduki": jenjang,
        "kelas_tertinggi_yang_diduduki": kelas,
        "ijazah_tertinggi_yang_dimiliki": ijazah,
    }


ADULT = {"partisipasi_sekolah": LEFT, "jenjang_tertinggi_yang_diduduki": SMA,
         "kelas_tertinggi_yang_diduduki": TAMAT, "ijazah_tertinggi_yang_dimiliki": SMA}  # fmt: skip

# family number -> (desil, [(age, fields, tag)]); the tag names the member in the tests
FAMILIES: dict[int, tuple[int, list[tuple[int, dict[str, str], str]]]] = {
    1: (
        1,
        [
            (40, ADULT, "kepala-1"),
            (6, {"partisipasi_sekolah": NEVER}, "masuk-kelas-1"),
            (9, _pupil(SD, "3"), "kelas-3-sd"),
            (12, _pupil(SD, "6", SD), "kelas-6-sd"),
            (13, _pupil(SMP, "1", SD), "kelas-7-sudah"),
            (15, _pupil(SMP, "3", SD), "kelas-9"),
            (17, _pupil(SMA, "2", SMP), "kelas-11"),
        ],
    ),
    2: (
        2,
        [
            (38, ADULT, "kepala-2"),
            (7, _pupil(SD, "1"), "kelas-1-sd"),
            (
                16,
                {
                    "partisipasi_sekolah": LEFT,
                    "jenjang_tertinggi_yang_diduduki": SMP,
                    "kelas_tertinggi_yang_diduduki": TAMAT,
                    "ijazah_tertinggi_yang_dimiliki": SMP,
                },
                "lulus-smp",
            ),
        ],
    ),
    3: (
        3,
        [
            (35, ADULT, "kepala-3"),
            (6, {"partisipasi_sekolah": NEVER}, "desil-3-usia-6"),
            (12, _pupil(SD, "6", SD), "desil-3-kelas-6"),
        ],
    ),
    4: (
        4,
        [
            (50, {**ADULT, "pbi_nas": "1"}, "pbi-nas"),
            (47, {**ADULT, "pbi_pemda": "1"}, "pbi-pemda"),
            (20, ADULT, "tanpa-pbi"),
        ],
    ),
    5: (
        4,
        [
            (45, ADULT, "kepala-5"),
            (75, {"penglihatan": "1"}, "lansia-disabilitas"),
            (4, {"partisipasi_sekolah": NEVER}, "balita"),
            (10, _pupil(SD, "4"), "sd-5"),
            (14, _pupil(SMP, "2", SD), "smp-5"),
            (16, _pupil(SMA, "1", SMP), "sma-5"),
        ],
    ),
    6: (7, [(30, ADULT, "desil-7-tanpa-pbi")]),
}


def _kk(i: int) -> str:
    return f"650101020326{i:04d}"


def _nik(i: int, j: int, age: int) -> str:
    """A well-formed NIK: kecamatan, birth date (2 January), family and member number."""
    return f"6501010201{(SNAPSHOT_DATE.year - age) % 100:02d}{i:02d}{j:02d}"


def _niks() -> dict[str, str]:
    return {
        tag: _nik(i, j, age)
        for i, (_, members) in FAMILIES.items()
        for j, (age, _, tag) in enumerate(members)
    }


def _write(folder: Path) -> list[Path]:
    """The families as DTSEN CSV files; family PBI flags are "any member", as in DTSEN."""
    folder.mkdir()
    kel, ind = [], []
    for i, (desil, members) in FAMILIES.items():
        flags = {
            flag: "1" if any(m.get(flag) == "1" for _, m, _ in members) else "2"
            for flag in ("pbi_nas", "pbi_pemda")
        }
        kel.append(
            {
                KK: _kk(i),
                "nama_anggota_keluarga": f"Kepala {i}",
                "jumlah_anggota_keluarga": str(len(members)),
                "alamat": f"RT 00{i}",
                "desil_nasional": str(desil),
                "status_kepemilikan_rumah": "1",
                **flags,
                **DESA,
            }
        )
        for j, (age, fields, _) in enumerate(members):
            ind.append(
                {
                    NIK: _nik(i, j, age),
                    KK: _kk(i),
                    "nama": f"Anggota {i}-{j}",
                    "jenis_kelamin": "1" if j % 2 == 0 else "2",
                    "tanggal_lahir": dt.date(SNAPSHOT_DATE.year - age, 1, 2).isoformat(),
                    "status_hubungan_keluarga": "1" if j == 0 else "3",
                    "pbi_nas": "2",
                    "pbi_pemda": "2",
                    **dict.fromkeys(SEEN_WALK_CARE, "4"),
                    **fields,
                }
            )
    return write_csv_register(folder, kel, ind)


@pytest.fixture
def hand_snapshot(stores: Stores, tmp_path: Path) -> int:
    return int(import_files(stores, *_write(tmp_path / "register")).snapshot)


def _preset(code: str) -> Programme:
    return next(p for p in preset_workshop().programmes if p.code == code)


def _rows(stores: Stores, snapshot: int, code: str) -> list[dict[str, Any]]:
    drawn = draw_target_list(stores.warehouse, stores.catalog, _preset(code), 1, snapshot)
    rows: list[dict[str, Any]] = drawn.rows.to_pylist()
    return rows


def test_every_rule_of_the_preset_compiles_and_says_what_it_is() -> None:
    workshop = preset_workshop()
    agencies = {a.code for a in workshop.agencies}
    for p in workshop.programmes:
        compile_rule(p.rule)
        if p.member_rule is not None:
            compile_member_rule(p.member_rule)
        for c in p.cost_components:
            compile_member_rule(c.member_rule)
            assert c.amount > 0, (p.code, c.code)
        assert p.agency in agencies, p.code
        assert p.output_indicator and p.output_unit, p.code  # the budget cycle's output
        assert not p.long_list or p.long_list_note, p.code
        assert "{" not in p.rule and "{" not in (p.member_rule or ""), p.code
    codes = {p.code for p in workshop.programmes}
    assert {"PIP", "BSPS", "BPBL", "ATENSI", "BLT-DD", "PMT"} <= codes


def test_sekolah_rakyat_is_kemensos_and_takes_entry_grades_of_desil_1_and_2(
    stores: Stores, hand_snapshot: int
) -> None:
    programme = _preset("SEKOLAH-RAKYAT")
    assert programme.agency == "KEMENSOS"
    niks = _niks()
    got = {r[NIK] for r in _rows(stores, hand_snapshot, "SEKOLAH-RAKYAT")}
    entering = ("masuk-kelas-1", "kelas-1-sd", "kelas-6-sd", "kelas-9", "lulus-smp")
    assert got == {niks[t] for t in entering}
    between = ("kelas-3-sd", "kelas-7-sudah", "kelas-11", "kepala-1")  # not at an entry grade
    assert not got & {niks[t] for t in between}
    assert not got & {niks["desil-3-usia-6"], niks["desil-3-kelas-6"]}  # desil 3


def test_pbi_pemda_reads_each_members_own_pbi_flags(stores: Stores, hand_snapshot: int) -> None:
    niks = _niks()
    got = {r[NIK] for r in _rows(stores, hand_snapshot, "PBI-PEMDA")}
    # family 4 holds both flags (any member), yet its member without a card is listed
    assert niks["tanpa-pbi"] in got
    assert niks["pbi-nas"] not in got and niks["pbi-pemda"] not in got
    assert niks["desil-7-tanpa-pbi"] not in got  # above desil 6


def test_pkh_pays_the_four_largest_components_of_a_family(
    stores: Stores, hand_snapshot: int
) -> None:
    pkh = _preset("PKH")
    amount = {c.code: c.amount for c in pkh.cost_components}
    assert pkh.max_components == 4 and pkh.unit_cost is None
    rows = {r[KK]: r for r in _rows(stores, hand_snapshot, "PKH")}
    # family 5: SD, SMP, SMA, early childhood and an elder with a severe disability who
    # counts once (for the first component she meets); PKH pays the four largest
    five = sorted(
        (amount[c] for c in ("SD", "SMP", "SMA", "ANAK-USIA-DINI", "DISABILITAS-BERAT")),
        reverse=True,
    )
    assert rows[_kk(5)]["biaya"] == sum(five[:4])
    # family 1 (desil 1): SD (grades 3 and 6), SMP (grades 7 and 9), SMA; early childhood
    # for the six-year-old not yet in school
    one = sorted(
        (amount[c] for c in ("SD", "SD", "SMP", "SMP", "SMA", "ANAK-USIA-DINI")), reverse=True
    )
    assert rows[_kk(1)]["biaya"] == sum(one[:4])
    assert _kk(4) not in rows  # adults only: no component, not eligible
    assert _kk(6) not in rows  # desil 7


def test_sembako_desil_is_a_parameter_with_its_source() -> None:
    workshop = preset_workshop()
    sembako = next(p for p in workshop.programmes if p.code == "SEMBAKO")
    (param,) = sembako.params
    assert param.name == "desil_maks" and param.source
    assert sembako.rule == f"desil_nasional <= {param.value}"
    changed = with_params(workshop, {"SEMBAKO.desil_maks": "4"})
    assert next(p for p in changed.programmes if p.code == "SEMBAKO").rule == (
        "desil_nasional <= 4"
    )


def test_water_and_housing_rules_agree_with_padu_7() -> None:
    """SR-AIR targets the sources Padu-7 counts as unimproved (rainwater is improved), and
    RTLH/BSPS the materials Padu-7 counts as non-durable (bamboo floor yes, log walls no)."""
    indicators = {i.id: i.rule.text for i in get_measure("padu-7").indicators}

    def codes(rule: str, field: str) -> set[int]:
        found = re.search(rf"{field} dalam \[([0-9, ]+)\]", rule)
        assert found, (field, rule)
        return {int(c) for c in found.group(1).split(",")}

    water = indicators["air_tidak_layak"]
    assert codes(_preset("SR-AIR").rule, "sumber_air_minum_utama") == codes(
        water, "sumber_air_minum_utama"
    )
    assert 10 not in codes(_preset("SR-AIR").rule, "sumber_air_minum_utama")  # rainwater
    house = indicators["rumah_tidak_layak"]
    for code in ("RTLH", "BSPS"):
        rule = _preset(code).rule
        for field in ("jenis_lantai_terluas", "jenis_dinding_terluas", "jenis_atap_terluas"):
            assert codes(rule, field) == codes(house, field), (code, field)
        assert 7 in codes(rule, "jenis_lantai_terluas")  # bamboo floor
        assert 5 not in codes(rule, "jenis_dinding_terluas")  # log walls
        assert _preset(code).long_list  # decay and land title are not in the register


def test_sanitation_and_schooling_rules_agree_with_padu_7() -> None:
    """JAMBAN targets exactly the sanitation Padu-7 counts as unimproved (an urban pit latrine
    included) and BANTU-SEKOLAH exactly the children Padu-7 counts as out of school (not those
    who left with an SMA certificate)."""
    indicators = {i.id: i.rule.text for i in get_measure("padu-7").indicators}

    def flat(text: str) -> str:
        return " ".join(text.replace("( ", "(").split())

    sanitation = flat(indicators["sanitasi_tidak_layak"])
    assert flat(_preset("JAMBAN").rule) == f"desil_nasional <= 5 dan ({sanitation})"
    out_of_school = flat(indicators["anak_tidak_sekolah"])
    assert out_of_school.startswith("ada anggota(") and out_of_school.endswith(")")
    member_rule = _preset("BANTU-SEKOLAH").member_rule
    assert member_rule is not None
    assert flat(member_rule) == out_of_school.removeprefix("ada anggota(")[:-1]
