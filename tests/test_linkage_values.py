"""Dates in every form agencies write, and NIKs damaged by Excel."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from padu.linkage.values import nik_excel_problem, parse_agency_date

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("12-01-1980", dt.date(1980, 1, 12)),
        ("12/01/80", dt.date(1980, 1, 12)),
        ("12/01/05", dt.date(2005, 1, 12)),
        ("1980-01-12", dt.date(1980, 1, 12)),
        ("12.01.1980", dt.date(1980, 1, 12)),
        ("29232", dt.date(1980, 1, 12)),  # Excel serial
        ("12 Januari 1980", dt.date(1980, 1, 12)),
        ("12 JAN 1980", dt.date(1980, 1, 12)),
        ("12-Jan-1980", dt.date(1980, 1, 12)),
        ("3 Agustus 1975", dt.date(1975, 8, 3)),
        ("17 Agt 1945", dt.date(1945, 8, 17)),
        ("Nunukan, 12-01-1980", dt.date(1980, 1, 12)),
        ("Tanjung Selor, 5 Mei 1990", dt.date(1990, 5, 5)),
        # the birth place without a comma (an independent list wrote them so)
        ("TORAJA / 20 APRIL 1981", dt.date(1981, 4, 20)),
        ("TANJUNG SELOR 15 NOVEMBER 1974", dt.date(1974, 11, 15)),
        ("Tarakan 5/6/1990", dt.date(1990, 6, 5)),
        ("TANJUNG SELOR / 2001-05-21", dt.date(2001, 5, 21)),
        ("31-02-1980", None),
        ("kemarin", None),
        ("", None),
    ],
)
def test_agency_dates(text: str, want: dt.date | None) -> None:
    got = pl.DataFrame({"v": [text]}).select(parse_agency_date(pl.col("v"), TODAY)).item()
    assert got == want


@pytest.mark.parametrize(
    ("cell", "damaged"),
    [
        ("6.50101E+15", True),
        ("6,50101E+15".replace(",", "."), True),
        ("6501015708800001.0", True),
        ("650101570880001", True),  # 15 digits
        ("6501015708800001", False),
        ("", False),
    ],
)
def test_excel_damaged_niks_are_reported(cell: str, damaged: bool) -> None:
    reason = pl.DataFrame({"v": [cell]}).select(nik_excel_problem(pl.col("v"))).item()
    assert (reason is not None) is damaged
