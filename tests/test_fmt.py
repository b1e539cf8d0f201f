"""Numbers in the Indonesian form an officer reads."""

from __future__ import annotations

import datetime as dt

import pytest

from padu.fmt import (
    angka,
    baca_tanggal,
    desimal,
    persen,
    rupiah,
    tanggal,
    tanggal_teks,
    waktu_wita,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (999, "999"), (10793, "10.793"), (770627, "770.627"), (-1500, "-1.500"),
     (2.6, "3"), ("-", "-")],
)  # fmt: skip
def test_angka(value: object, shown: str) -> None:
    assert angka(value) == shown


def test_rupiah_desimal_persen() -> None:
    assert rupiah(1_500_000) == "Rp1.500.000"
    assert rupiah(20_000_000 * 1_234) == "Rp24.680.000.000"
    assert desimal(12.5) == "12,50"
    assert desimal(1234.567, 1) == "1.234,6"
    assert persen(5.47) == "5,47 %"


def test_dates_in_words_and_wita() -> None:
    assert tanggal(dt.date(2026, 1, 23)) == "23 Januari 2026"
    utc = dt.datetime(2026, 11, 29, 23, 5)  # naive: UTC, as the catalog stores it
    assert waktu_wita(utc) == "30 November 2026, 07.05 WITA"


@pytest.mark.parametrize(
    ("typed", "date"),
    [("23-01-2026", dt.date(2026, 1, 23)), ("23/01/2026", dt.date(2026, 1, 23)),
     ("2026-01-23", dt.date(2026, 1, 23)), (" 1-2-2026 ", dt.date(2026, 2, 1)),
     ("29-02-2024", dt.date(2024, 2, 29))],
)  # fmt: skip
def test_a_date_as_an_officer_types_it(typed: str, date: dt.date) -> None:
    assert baca_tanggal(typed) == date


@pytest.mark.parametrize("typed", ["2026-13-01", "29-02-2026", "23.01.2026", "Januari", ""])
def test_a_date_in_no_accepted_form_is_refused_by_name(typed: str) -> None:
    with pytest.raises(ValueError, match="bukan tanggal") as info:
        baca_tanggal(typed)
    assert repr(typed) in str(info.value)


def test_dates_from_the_stores_in_words() -> None:
    assert tanggal_teks("1990-02-14") == "14 Februari 1990"
    assert tanggal_teks(dt.date(2025, 9, 24)) == "24 September 2025"
    assert tanggal_teks(dt.datetime(2026, 3, 1, 23, 0)) == "1 Maret 2026"
    assert tanggal_teks(None) == "-" and tanggal_teks("") == "-"
    assert tanggal_teks("Krayan, 14/02/1990") == "Krayan, 14/02/1990"  # as written on a list
