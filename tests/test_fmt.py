"""Numbers in the Indonesian form an officer reads."""

from __future__ import annotations

import datetime as dt

import pytest

from padu.fmt import angka, desimal, persen, rupiah, tanggal, waktu_wita


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
