"""NIK and KK: structure, parts, retired prefixes, consistency with the record."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from padu.identifiers import (
    kk_problem_of,
    mask_identifiers,
    mask_nik,
    nik_birth_mismatch,
    nik_problem_of,
    nik_sex_mismatch,
    parse_nik,
)

TODAY = dt.date(2026, 1, 1)


@pytest.mark.parametrize(
    ("nik", "problem"),
    [
        ("6501015708800001", None),  # woman born 17-08-1980 in Tanjung Palas
        ("6571011201950123", None),  # man born 12-01-1995 in Tarakan Barat
        ("6404011201950123", None),  # retired Kaltim prefix of Bulungan
        ("7371016510000001", None),  # migrant from Makassar, woman born 25-10-2000
        ("650101570880000", "NIK harus tepat 16 digit angka"),
        ("65010157088O0001", "NIK harus tepat 16 digit angka"),
        ("9901015708800001", "kode provinsi pada NIK tidak dikenal"),
        (
            "6509015708800001",
            "kode kabupaten/kecamatan pada NIK tidak valid",
        ),  # no regency 09 in Kaltara
        ("6501005708800001", "kode kabupaten/kecamatan pada NIK tidak valid"),
        ("6501013102800001", "tanggal lahir pada NIK bukan tanggal yang valid"),
        ("6501017213800001", "tanggal lahir pada NIK bukan tanggal yang valid"),  # month 13
        ("6501013502800001", "tanggal lahir pada NIK bukan tanggal yang valid"),  # day 35
        ("6501015708800000", "nomor urut NIK tidak boleh 0000"),
        ("", "NIK kosong"),
    ],
)
def test_nik_structure(nik: str, problem: str | None) -> None:
    assert nik_problem_of(nik, TODAY) == problem


def test_parse_nik_parts_and_sex_offset() -> None:
    info = parse_nik("6501015708800001", TODAY)
    assert (info.province, info.regency, info.district, info.serial) == (
        "65",
        "6501",
        "650101",
        "0001",
    )
    assert info.birth_date == dt.date(1980, 8, 17)
    assert info.female
    assert info.kaltara_regency == "65.01"
    man = parse_nik("6473011201050123", TODAY)
    assert man.birth_date == dt.date(2005, 1, 12) and not man.female
    assert man.kaltara_regency == "65.71"  # the retired Kaltim prefix of Tarakan
    assert parse_nik("7371016510000001", TODAY).kaltara_regency is None
    with pytest.raises(ValueError, match="16 digit"):
        parse_nik("123")


@pytest.mark.parametrize(
    ("kk", "problem"),
    [
        ("6501012304150003", None),
        ("650101230415000", "nomor KK harus tepat 16 digit angka"),
        ("0001012304150003", "kode provinsi pada nomor KK tidak dikenal"),
        ("6501012304150000", "nomor urut KK tidak boleh 0000"),
    ],
)
def test_kk_structure(kk: str, problem: str | None) -> None:
    assert kk_problem_of(kk) == problem


def test_consistency_with_record() -> None:
    frame = pl.DataFrame(
        {
            "nik": ["6501015708800001", "6501015708800001", "6501011708800001"],
            "jk": ["2", "1", "1"],
            "born": [dt.date(1980, 8, 17), dt.date(1980, 8, 18), dt.date(1980, 8, 17)],
        }
    )
    out = frame.select(
        sex=nik_sex_mismatch(pl.col("nik"), pl.col("jk")),
        birth=nik_birth_mismatch(pl.col("nik"), pl.col("born"), TODAY),
    )
    assert out["sex"].to_list() == [False, True, False]
    assert out["birth"].to_list() == [False, True, False]


@given(
    born=st.dates(min_value=dt.date(1927, 1, 2), max_value=dt.date(2025, 12, 31)),
    female=st.booleans(),
    serial=st.integers(min_value=1, max_value=9999),
    district=st.sampled_from(["650101", "650315", "657104", "640401", "737101"]),
)
def test_any_well_formed_nik_round_trips(
    born: dt.date, female: bool, serial: int, district: str
) -> None:
    day = born.day + (40 if female else 0)
    nik = f"{district}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"
    info = parse_nik(nik, TODAY)
    assert info.birth_date == born
    assert info.female is female
    assert int(info.serial) == serial


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("6501070101800123", "6501••••••••0123"),  # a NIK: region and serial kept
        ("650107010180012", "6501•••••••0012"),  # one digit short
        (" 6501070101800123 ", "6501••••••••0123"),  # spaces around are not digits
        ("6.50107E+15", "6.•••••••15"),  # Excel's damage: a quarter at each end
        ("12345", "1•••5"),
        ("123", "•••"),  # too short to show any of it
        ("", ""),
        (None, ""),
        (6501070101800123, "6501••••••••0123"),  # a number cell
    ],
)
def test_mask_nik(value: object, shown: str) -> None:
    assert mask_nik(value) == shown


@given(st.text(alphabet="0123456789", min_size=12, max_size=20))
def test_mask_nik_never_shows_more_than_eight_characters(value: str) -> None:
    masked = mask_nik(value)
    assert len(masked) == len(value)
    assert sum(ch != "•" for ch in masked) == 8


def test_long_numbers_in_text_are_masked_and_region_codes_kept() -> None:
    text = "6501070101800123,Ahmad,65.01.07.2008,6501072008,12 Januari 1980"
    assert mask_identifiers(text) == (
        "6501••••••••0123,Ahmad,65.01.07.2008,6501072008,12 Januari 1980"
    )
