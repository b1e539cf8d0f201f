"""Regions: the 543 shipped codes, navigation, validation and scheme detection."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from padu.errors import InputError, NotFound
from padu.regions import boundaries_path, detect_scheme, kaltara, to_dotted


def test_all_codes_and_levels_are_shipped() -> None:
    r = kaltara()
    assert len(r) == 543
    assert [
        len(r.at_level(lv)) for lv in ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")
    ] == [1, 5, 55, 482]
    assert sum(x.jenis == "kelurahan" for x in r.at_level("desa_kelurahan")) == 35


def test_lookup_by_code_in_both_forms_and_by_name() -> None:
    r = kaltara()
    assert r.get("65.03.05").nama == "Krayan"
    assert r.get("650305").nama == "Krayan"
    assert r.get("6501012005").nama == "Gunung Putih"
    assert next(x.kode for x in r.search("krayan", "kecamatan")) == "65.03.05"
    assert r.search("Tarakan Barat")[0].kode == "65.71.01"
    with pytest.raises(NotFound):
        r.get("65.09")


def test_navigation() -> None:
    r = kaltara()
    assert [c.kode for c in r.children("65")] == ["65.01", "65.02", "65.03", "65.04", "65.71"]
    assert len(r.children("65.71")) == 4
    parent = r.parent("65.01.01.2005")
    assert parent is not None and parent.kode == "65.01.01"
    assert r.ancestor("65.01.01.2005", "kabupaten_kota").nama == "Kabupaten Bulungan"
    assert r.parent("65") is None


def test_validation_at_each_level() -> None:
    r = kaltara()
    assert r.validate("65.02", "kabupaten_kota").nama == "Kabupaten Malinau"
    with pytest.raises(InputError, match="bukan desa_kelurahan"):
        r.validate("65.02", "desa_kelurahan")


def test_code_forms_and_scheme_detection() -> None:
    assert to_dotted("6501012005") == "65.01.01.2005"
    assert to_dotted("650101") == "65.01.01"
    assert to_dotted("6501010") is None  # a 7-digit BPS district code is not Kemendagri
    assert detect_scheme(["6501010", "6501020"]) == "bps"
    assert detect_scheme(["650101", "65.01.02"]) == "kemendagri"


def test_boundaries_and_licences_travel_with_the_package() -> None:
    with open(boundaries_path("desa_kelurahan"), encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    codes = {f["properties"]["kode"] for f in features}
    assert codes == {x.kode for x in kaltara().at_level("desa_kelurahan")}
    data = resources.files("padu").joinpath("data", "wilayah")
    assert "MIT" in data.joinpath("LICENSE-cahyadsn-wilayah.txt").read_text(encoding="utf-8")
    assert "MIT" in data.joinpath("LICENSE-cahyadsn-wilayah_boundaries.txt").read_text(
        encoding="utf-8"
    )


def test_every_desa_has_an_urban_rural_status() -> None:
    # derived, not BPS's list (docs/measures.md): kelurahan and Kota Tarakan urban
    r = kaltara()
    desa = r.at_level("desa_kelurahan")
    assert all(x.perkotaan is (x.jenis == "kelurahan" or x.kode.startswith("65.71.")) for x in desa)
    assert sum(bool(x.perkotaan) for x in desa) == 35
    assert all(x.perkotaan is True for x in r.at_level("desa_kelurahan") if x.kode[:5] == "65.71")
    assert all(x.perkotaan is None for x in r if x.level != "desa_kelurahan")
    rows = {row["kode"]: row for row in r.rows()}
    assert rows["65.71.01.1001"]["perkotaan"] is True
    assert rows["65.01.01.2005"]["perkotaan"] is False
    assert rows["65.01"]["perkotaan"] is None
