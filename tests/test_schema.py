"""The DTSEN schema and code lists ship as data."""

from __future__ import annotations

from padu.schema import normalize_code, register_schema


def test_schema_has_all_fields_with_types() -> None:
    s = register_schema()
    assert len(s.fields) == 101
    assert len(s.level("keluarga")) == 52 and len(s.level("individu")) == 49
    assert s.required("keluarga") == (
        "nomor_kartu_keluarga",
        "kode_kelurahan_desa",
        "kode_kecamatan",
        "kode_kabupaten_kota",
        "kode_provinsi",
    )
    assert s.field("individu", "tanggal_lahir").ibis_type == "date"
    assert s.field("keluarga", "aset_bergerak_ac").ibis_type == "boolean"


def test_code_lists_with_labels_and_provisional_flags() -> None:
    s = register_schema()
    assert len(s.code_lists) == 28
    water = s.code_lists["sumber_air_minum_utama"]
    assert water.label("3") == "Leding" and water.label("03") == "Leding"
    assert water.label("3", "en") == "Piped water (tap)"
    assert water.by_code()["12"].provisional and not water.by_code()["3"].provisional
    assert "99" not in water
    assert s.codes_for(s.field("individu", "penglihatan")) is s.code_lists["kesulitan_fungsional"]


def test_codes_compare_without_zero_padding() -> None:
    assert normalize_code("01") == "1"
    assert normalize_code("00") == "0"
    assert normalize_code("2.0") == "2"
    assert normalize_code(" A ") == "A"


def test_fields_by_code_list() -> None:
    difficulty = register_schema().using_list("individu", "kesulitan_fungsional")
    assert (
        len(difficulty) == 9
        and "penglihatan" in difficulty
        and "kesedihan_depresi" not in difficulty
    )
