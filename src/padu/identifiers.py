"""NIK and KK numbers: structure, parts and consistency with the record.

A NIK is province(2) regency(2) district(2) birth day(2, +40 for women) month(2) year(2)
serial(4). Its region prefix is where the person was first registered, so it may be any
Indonesian region, including the retired Kaltim prefixes 6404/6405/6406/6410/6473.

The checks are Polars expressions, so an import checks a whole column at once; the scalar
helpers (:func:`nik_problem`, :func:`parse_nik`) evaluate the same expressions on one value,
so there is one definition of validity.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from padu.regions import RETIRED_KALTIM_PREFIXES

#: Province codes in use in NIKs (Kemendagri), including the Papua provinces of 2022.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33",
        "34", "35", "36", "51", "52", "53", "61", "62", "63", "64", "65", "71", "72",
        "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip
KALTARA_REGENCIES = frozenset({"6501", "6502", "6503", "6504", "6571"})


def _century_year(yy: pl.Expr, today: dt.date) -> pl.Expr:
    """Four-digit year of a two-digit one: this century unless that would be in the future."""
    century = today.year // 100 * 100
    return pl.when(yy <= today.year % 100).then(yy + century).otherwise(yy + century - 100)


def nik_birth_date(nik: pl.Expr, today: dt.date | None = None) -> pl.Expr:
    """The birth date encoded in a NIK (null where it is not a valid date)."""
    today = today or dt.date.today()
    day = nik.str.slice(6, 2).cast(pl.Int32, strict=False)
    day = pl.when(day > 40).then(day - 40).otherwise(day)
    month = nik.str.slice(8, 2).cast(pl.Int32, strict=False)
    year = _century_year(nik.str.slice(10, 2).cast(pl.Int32, strict=False), today)
    return _safe_date(year, month, day)


def _safe_date(year: pl.Expr, month: pl.Expr, day: pl.Expr) -> pl.Expr:
    text = pl.format(
        "{}-{}-{}",
        year.cast(pl.String),
        month.cast(pl.String).str.zfill(2),
        day.cast(pl.String).str.zfill(2),
    )
    return text.str.to_date("%Y-%m-%d", strict=False)


def nik_is_female(nik: pl.Expr) -> pl.Expr:
    """True where the NIK's day part carries the +40 offset for women."""
    return nik.str.slice(6, 2).cast(pl.Int32, strict=False) > 40


def nik_problem(nik: pl.Expr, today: dt.date | None = None) -> pl.Expr:
    """Why a NIK is structurally invalid (Indonesian text), or null when it is valid."""
    digits = nik.str.contains(r"^\d{16}$")
    prov = nik.str.slice(0, 2)
    regency = nik.str.slice(0, 4)
    kaltara_bad = (prov == "65") & ~regency.is_in(list(KALTARA_REGENCIES))
    return (
        pl.when(nik.is_null() | (nik.str.strip_chars() == ""))
        .then(pl.lit("NIK kosong"))
        .when(~digits)
        .then(pl.lit("NIK harus tepat 16 digit angka"))
        .when(~prov.is_in(list(PROVINCE_CODES)))
        .then(pl.lit("kode provinsi pada NIK tidak dikenal"))
        .when((nik.str.slice(2, 2) == "00") | (nik.str.slice(4, 2) == "00") | kaltara_bad)
        .then(pl.lit("kode kabupaten/kecamatan pada NIK tidak valid"))
        .when(nik_birth_date(nik, today).is_null())
        .then(pl.lit("tanggal lahir pada NIK bukan tanggal yang valid"))
        .when(nik.str.slice(12, 4) == "0000")
        .then(pl.lit("nomor urut NIK tidak boleh 0000"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def kk_problem(kk: pl.Expr) -> pl.Expr:
    """Why a KK number is structurally invalid, or null when it is valid."""
    return (
        pl.when(kk.is_null() | (kk.str.strip_chars() == ""))
        .then(pl.lit("nomor KK kosong"))
        .when(~kk.str.contains(r"^\d{16}$"))
        .then(pl.lit("nomor KK harus tepat 16 digit angka"))
        .when(~kk.str.slice(0, 2).is_in(list(PROVINCE_CODES)))
        .then(pl.lit("kode provinsi pada nomor KK tidak dikenal"))
        .when(kk.str.slice(12, 4) == "0000")
        .then(pl.lit("nomor urut KK tidak boleh 0000"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def nik_sex_mismatch(nik: pl.Expr, jenis_kelamin: pl.Expr) -> pl.Expr:
    """True where a valid NIK's sex (+40) disagrees with ``jenis_kelamin`` (1 L, 2 P)."""
    female = nik_is_female(nik)
    return ((jenis_kelamin == "1") & female) | ((jenis_kelamin == "2") & ~female)


def nik_birth_mismatch(
    nik: pl.Expr, tanggal_lahir: pl.Expr, today: dt.date | None = None
) -> pl.Expr:
    """True where a valid NIK's birth date disagrees with the record's ``tanggal_lahir``."""
    return nik_birth_date(nik, today) != tanggal_lahir


@dataclass(frozen=True)
class NikInfo:
    """The parts of a valid NIK."""

    nik: str
    province: str
    regency: str
    district: str
    birth_date: dt.date
    female: bool
    serial: str

    @property
    def kaltara_regency(self) -> str | None:
        """The Kaltara kabupaten (dotted) this NIK was issued in, via retired prefixes too."""
        if self.regency in KALTARA_REGENCIES:
            return f"{self.regency[:2]}.{self.regency[2:]}"
        return RETIRED_KALTIM_PREFIXES.get(self.regency)


def _one(expr: pl.Expr, value: str) -> object:
    return pl.DataFrame({"v": [value]}, schema={"v": pl.String}).select(expr).item()


def nik_problem_of(value: str, today: dt.date | None = None) -> str | None:
    """The reason ``value`` is not a valid NIK, or None."""
    result = _one(nik_problem(pl.col("v"), today), value)
    return None if result is None else str(result)


def parse_nik(value: str, today: dt.date | None = None) -> NikInfo:
    """Split a valid NIK into its parts; ValueError with the reason otherwise."""
    problem = nik_problem_of(value, today)
    if problem:
        raise ValueError(problem)
    born = _one(nik_birth_date(pl.col("v"), today), value)
    if not isinstance(born, dt.date):  # pragma: no cover - nik_problem already checked it
        raise ValueError("tanggal lahir pada NIK bukan tanggal yang valid")
    return NikInfo(
        nik=value,
        province=value[:2],
        regency=value[:4],
        district=value[:6],
        birth_date=born,
        female=int(value[6:8]) > 40,
        serial=value[12:],
    )


def kk_problem_of(value: str) -> str | None:
    """The reason ``value`` is not a valid KK number, or None."""
    result = _one(kk_problem(pl.col("v")), value)
    return None if result is None else str(result)


MASK = "\u2022"  # the bullet shown in place of a hidden digit
_LONG_NUMBER = re.compile(r"\d{11,}")


def mask_nik(value: object) -> str:
    """A NIK or KK number safe to show in a message: ``6501••••••••0123``.

    The first and last four characters stay (the region and the serial are enough to find
    the record in the file); shorter values keep a quarter at each end, and values of three
    characters or fewer are hidden whole. Anything that is not text is shown by its text.
    """
    text = "" if value is None else str(value).strip()
    n = len(text)
    keep = 4 if n >= 12 else n // 4
    if keep == 0:
        return MASK * n
    return text[:keep] + MASK * (n - 2 * keep) + text[-keep:]


def mask_identifiers(text: str) -> str:
    """``text`` with every run of 11 or more digits masked (a NIK or KK inside free text).

    Region codes (at most 10 digits) and ordinary numbers stay readable.
    """
    return _LONG_NUMBER.sub(lambda m: mask_nik(m.group()), text)
