"""Planning scenarios (issue 13): the YAML file, its checks, the preset, catalog versions."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from padu.errors import ImportRejected, NotFound
from padu.measure.measures import get_measure
from padu.planning.scenario import (
    Limit,
    Scenario,
    ScenarioProgramme,
    check_against,
    dump_scenario,
    load_scenario,
    preset_scenario,
    preset_scenario_names,
    read_scenario,
    save_scenario,
    scenario_versions,
)
from padu.programmes import preset_workshop
from tests.conftest import Stores


def _problems(text: str) -> dict[str, str]:
    """column -> reason(s) of every problem ``load_scenario`` reports for ``text``."""
    with pytest.raises(ImportRejected) as info:
        load_scenario(text, "uji.yaml")
    out: dict[str, str] = {}
    for p in info.value.problems:
        assert p.file == "uji.yaml"
        out[p.column or ""] = (out.get(p.column or "", "") + " | " + p.reason).strip(" |")
    return out


def _catalog_problems(s: Scenario) -> dict[str, list[str]]:
    programmes = {p.code: p for p in preset_workshop().programmes}
    with pytest.raises(ImportRejected) as info:
        check_against(s, programmes, get_measure("padu-7"))
    out: dict[str, list[str]] = {}
    for p in info.value.problems:
        out.setdefault(p.column or "", []).append(f"{p.value}: {p.reason}")
    return out


def test_the_preset_holds_the_budgeted_programmes_and_passes_the_catalog_check() -> None:
    assert "kaltara-2026" in preset_scenario_names()
    s = preset_scenario()
    workshop = preset_workshop("kaltara-2026")
    budgeted = {p.code for p in workshop.programmes if p.budget is not None or p.quota is not None}
    assert {p.code for p in s.programmes} == budgeted
    assert {"PKH", "SEMBAKO", "PBI-JK", "BSPS"}.isdisjoint(p.code for p in s.programmes)
    assert not any(p.budget_given or p.quota_given for p in s.programmes)  # their own budgets
    assert (s.id, s.year, s.measure, s.objective, s.keep_committed) == (
        "kaltara-2026", 2026, "padu-7", "lifted", False,
    )  # fmt: skip
    by_code = {p.code: p for p in s.programmes}
    assert by_code["RTLH"].closes == ("rumah_tidak_layak",)
    assert by_code["PELATIHAN-KERJA"].members == "one"
    assert by_code["PBI-PEMDA"].closes == () and by_code["ZAKAT-USAHA"].closes == ()
    assert all(p.note for p in s.programmes)  # every choice says why
    # the pairs that may meet in one family are declared on the programmes, so convergence
    # counts overlap as the plan does; the preset scenario adds none of its own
    assert s.complements == ()
    programmes = {p.code: p for p in workshop.programmes}
    assert "PBI-PEMDA" in programmes["PMT"].complements
    assert "KIP-KULIAH" in programmes["BANTU-SEKOLAH"].complements
    check_against(s, {p.code: p for p in workshop.programmes}, get_measure("padu-7"))


def test_dump_and_load_round_trip() -> None:
    s = preset_scenario()
    assert load_scenario(dump_scenario(s)) == s
    edited = replace(
        s,
        objective="weighted",
        keep_committed=True,
        programmes=(
            ScenarioProgramme("RTLH", ("rumah_tidak_layak",), budget=1_000_000_000),
            ScenarioProgramme("JAMBAN", budget_given=True),  # budget: null = no limit
            ScenarioProgramme("PMT", ("gizi_balita",), quota=0, note="kuota nol"),
            ScenarioProgramme("PELATIHAN-KERJA", ("tanpa_pekerja",), members="one"),
        ),
        limits=(Limit("RTLH", "6502", min_units=10), Limit("JAMBAN", "6571", max_budget=5)),
    )
    again = load_scenario(dump_scenario(edited))
    assert again == edited
    jamban = again.programmes[1]
    assert jamban.budget is None and jamban.budget_given and not jamban.quota_given
    assert again.programmes[2].quota == 0 and again.programmes[2].quota_given


def test_budget_absent_null_or_written_with_separators() -> None:
    text = """
id: uji
name: Uji
year: 2026
programmes:
  - {code: RTLH}
  - {code: JAMBAN, budget: null}
  - {code: SR-AIR, budget: "10.000.000.000", quota: 2_857}
"""
    rtlh, jamban, air = load_scenario(text).programmes
    assert (rtlh.budget, rtlh.budget_given) == (None, False)
    assert (jamban.budget, jamban.budget_given) == (None, True)
    assert (air.budget, air.quota) == (10_000_000_000, 2857)


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    found = _problems("""
id: Kaltara_2026
name: Uji
year: 2026
objective: most
complements: [[PBI-PEMDA], [PMT, PMT], PBI-PEMDA]
programmes:
  - {code: RTLH, members: some, budget: -5, closes: rumah_tidak_layak}
  - {code: RTLH, quota: 1.5, closes: [air_tidak_layak, air_tidak_layak]}
  - {code: PMT, closes: [gizi_balita, 3], budjet: 10}
limits:
  - {programme: RTLH, kabupaten: "6502"}
  - {programme: RTLH, kabupaten: "65.02", min_units: 10, max_units: 5}
  - {programme: KIP-KULIAH, kabupaten: "6501", min_budget: 9, max_budget: 1}
""")
    expected = {
        "id": "huruf kecil",
        "objective": "lifted",
        "complements[0]": "dua kode",
        "complements[1]": "dua kode",
        "complements[2]": "dua kode",
        "programmes[0].members": "all",
        "programmes[0].budget": "tidak negatif",
        "programmes[0].closes": "daftar id indikator",
        "programmes[1].code": "ganda",
        "programmes[1].quota": "bilangan bulat",
        "programmes[1].closes": "dua kali",
        "programmes[2].closes": "daftar id indikator",
        "programmes[2].budjet": "tidak dikenal",
        "limits[0]": "paling sedikit satu",
        "limits[1].kabupaten": "4 angka",
        "limits[1].min_units": "max_units",
        "limits[2].programme": "bukan program di skenario",
        "limits[2].min_budget": "max_budget",
    }
    for column, reason in expected.items():
        assert reason in found.get(column, ""), (column, found)
    assert set(found) == set(expected)


def test_required_fields_and_shapes() -> None:
    found = _problems("objective: lifted\nprogrammes: []\n")
    assert {"id", "name", "year", "programmes"} <= set(found)
    assert "wajib" in found["id"] and "wajib" in found["name"] and "wajib" in found["year"]
    assert (
        "tahun anggaran"
        in _problems("id: a\nname: b\nyear: dua ribu\nprogrammes: [{code: X}]")["year"]
    )
    for text in ("", "- a\n- b\n", "id: [unclosed\n"):
        with pytest.raises(ImportRejected):
            load_scenario(text)


def test_check_against_names_every_unknown_code() -> None:
    s = Scenario(
        id="uji",
        name="Uji",
        year=2026,
        programmes=(
            ScenarioProgramme("RTLH", ("rumah_tidak_layak", "rumah_bocor")),
            ScenarioProgramme("TIDAK-ADA", ("air_tidak_layak",)),
            ScenarioProgramme("JAMBAN", ("air_tidak_layak",), members="one"),
        ),
        complements=(("RTLH", "HANTU"),),
        limits=(Limit("RTLH", "6599", min_units=1), Limit("RTLH", "6502", max_units=9)),
    )
    found = _catalog_problems(s)
    assert set(found) == {
        "programmes[0].closes",
        "programmes[1].code",
        "programmes[2].closes",
        "programmes[2].members",
        "complements[0]",
        "limits[0].kabupaten",
    }
    assert found["programmes[0].closes"][0].startswith("rumah_bocor: indikator tidak ada")
    assert "TIDAK-ADA: program tidak ada di katalog" in found["programmes[1].code"][0]
    assert "dimensi air bukan dimensi program JAMBAN" in found["programmes[2].closes"][0]
    assert found["complements[0]"][0].startswith("HANTU:")
    assert "6501" in found["limits[0].kabupaten"][0]  # the known codes are listed
    with pytest.raises(ImportRejected):  # a scenario for another measure
        check_against(
            replace(preset_scenario(), measure="mpi-global"),
            {p.code: p for p in preset_workshop().programmes},
            get_measure("padu-7"),
        )


def test_a_new_version_only_when_the_text_changes(stores: Stores) -> None:
    cat = stores.catalog
    s = preset_scenario()
    assert save_scenario(s, cat, actor="penguji") == 1
    assert save_scenario(s, cat, actor="penguji") == 1  # unchanged: same version, no event
    rtlh = next(i for i, p in enumerate(s.programmes) if p.code == "RTLH")
    changed = replace(
        s,
        programmes=tuple(
            replace(p, budget=20_000_000_000) if i == rtlh else p
            for i, p in enumerate(s.programmes)
        ),
    )
    assert save_scenario(changed, cat, actor="perencana") == 2
    rows = scenario_versions(cat, "kaltara-2026")
    assert [(r.version, r.pelaku) for r in rows] == [(1, "penguji"), (2, "perencana")]
    assert load_scenario(rows[0].definition) == s and load_scenario(rows[1].definition) == changed
    events = cat.events("scenario.save")
    assert [(json.loads(e.rincian), e.pelaku) for e in events] == [
        ({"scenario": "kaltara-2026", "version": 1}, "penguji"),
        ({"scenario": "kaltara-2026", "version": 2}, "perencana"),
    ]
    assert scenario_versions(cat, "lain") == [] and len(scenario_versions(cat)) == 2


def test_read_scenario_by_file_preset_or_stored_id(stores: Stores, tmp_path: Path) -> None:
    cat = stores.catalog
    own = replace(preset_scenario(), id="uji-2026", objective="weighted")
    path = tmp_path / "skenario.yaml"
    path.write_text(dump_scenario(own), encoding="utf-8")
    assert read_scenario(str(path), cat) == (own, None)
    assert read_scenario("kaltara-2026", cat) == (preset_scenario(), None)
    assert read_scenario("kaltara-2026") == (preset_scenario(), None)  # no catalog needed
    save_scenario(own, cat, actor="penguji")
    weighted_again = replace(own, objective="lifted")
    save_scenario(weighted_again, cat, actor="penguji")
    assert read_scenario("uji-2026", cat) == (weighted_again, 2)
    assert read_scenario("uji-2026@1", cat) == (own, 1)
    save_scenario(preset_scenario(), cat, actor="penguji")  # stored under the preset's id
    assert read_scenario("kaltara-2026", cat) == (preset_scenario(), None)  # the preset first
    assert read_scenario("kaltara-2026@1", cat) == (preset_scenario(), 1)  # the stored one
    with pytest.raises(NotFound, match="tidak punya versi 7"):
        read_scenario("uji-2026@7", cat)
    with pytest.raises(NotFound) as info:
        read_scenario("hilang-2026", cat)
    assert "kaltara-2026" in info.value.message and "uji-2026" in info.value.message
    with pytest.raises(NotFound, match="belum ada"):
        read_scenario("uji-2026")  # stored ids need the catalog
