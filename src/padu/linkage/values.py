"""Reading the values agencies type into their own spreadsheets: dates and NIKs.

Dates come in every common form: ``dd-mm-yyyy``, ``dd/mm/yy``, ``yyyy-mm-dd``, Excel serial
numbers, ``12 Januari 1980``, ``12-Jan-1980`` and ``Nunukan, 12-01-1980`` (a
Tempat/Tgl Lahir column). NIKs that Excel stored as numbers (scientific notation, a ``.0``,
or the last digit lost to 15 significant digits) are detected and reported, never matched as
if they were intact. Both are Polars expressions, so a whole column is read at once.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

MONTHS = {
    "01": ("januari", "january", "jan"),
    "02": ("februari", "pebruari", "february", "feb", "peb"),
    "03": ("maret", "march", "mar"),
    "04": ("april", "apr"),
    "05": ("mei", "may"),
    "06": ("juni", "june", "jun"),
    "07": ("juli", "july", "jul"),
    "08": ("agustus", "august", "agu", "agt", "aug"),
    "09": ("september", "sept", "sep"),
    "10": ("oktober", "october", "okt", "oct"),
    "11": ("november", "nopember", "nov", "nop"),
    "12": ("desember", "december", "des", "dec"),
}


def parse_agency_date(value: pl.Expr, today: dt.date | None = None) -> pl.Expr:
    """A date from the forms agencies write (null when it cannot be read)."""
    today = today or dt.date.today()
    text = value.cast(pl.String).str.to_lowercase().str.strip_chars()
    text = text.str.replace(r"^.*,\s*", "")  # "Nunukan, 12-01-1980" -> "12-01-1980"
    for number, names in MONTHS.items():  # "12 januari 1980" -> "12-01-1980"
        pattern = r"[\s\-/\.]*\b(" + "|".join(names) + r")\b[\s\-/\.]*"
        text = text.str.replace(pattern, f"-{number}-")
    text = text.str.replace_all(r"[/\.\s]+", "-").str.strip_chars("-")
    short = text.str.extract(r"^(\d{1,2}-\d{1,2}-)(\d{2})$", 2).cast(pl.Int32, strict=False)
    cut = today.year % 100
    century = (
        pl.when(short <= cut)
        .then(pl.lit(today.year // 100 * 100))
        .otherwise(pl.lit(today.year // 100 * 100 - 100))
    )
    long_year = pl.concat_str(
        [text.str.extract(r"^(\d{1,2}-\d{1,2}-)\d{2}$", 1), (century + short).cast(pl.String)]
    )
    serial = text.cast(pl.Int64, strict=False)
    iso = text.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$")
    day_first = text.str.contains(r"^\d{1,2}-\d{1,2}-\d{4}$")
    return pl.coalesce(
        pl.when(iso).then(text.str.to_date("%Y-%m-%d", strict=False)),
        pl.when(day_first).then(text.str.to_date("%d-%m-%Y", strict=False)),
        long_year.str.to_date("%d-%m-%Y", strict=False),
        pl.when(serial.is_between(1, 60000) & text.str.contains(r"^\d{1,5}$")).then(
            pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=serial)
        ),
    )


def nik_excel_problem(value: pl.Expr) -> pl.Expr:
    """Why a NIK cell looks damaged by Excel, or null: the value must not be matched as is."""
    text = value.cast(pl.String).str.strip_chars()
    return (
        pl.when(text.str.contains(r"(?i)^\d(\.\d+)?e\+?\d+$"))
        .then(
            pl.lit("NIK tersimpan sebagai angka oleh Excel (notasi ilmiah); digit terakhir hilang")
        )
        .when(text.str.contains(r"^\d{15,16}\.0+$"))
        .then(pl.lit("NIK tersimpan sebagai angka oleh Excel (.0); periksa digit terakhir"))
        .when(text.str.contains(r"^\d{13,15}$"))
        .then(pl.lit("NIK kurang dari 16 digit (nol di depan atau digit hilang)"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
