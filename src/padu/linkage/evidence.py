"""What a (list row, register person) pair has in common, in the terms a reviewer uses.

Every candidate pair, whichever stage found it, is described by the same few facts:

- ``name_sim``: :func:`padu.linkage.names.name_similarity` of the two names (0..1);
- ``name_partial``: one name is a single word found inside the other, longer name. Such a
  pair is never enough on its own: a mistyped NIK that lands on a neighbour born the same
  day whose one-word name is part of the listed name looks exactly like this;
- ``dob_rel``: how the list's birth date relates to the register's: ``same``, ``swapped``
  (day and month), ``near`` (one of day, month, year differs, or the year by one),
  ``blank`` (the list has none) or ``differs``;
- ``sex_conflict`` and ``place_conflict`` (both sides name a desa, different ones, and the
  KK does not tie them).

A NIK carries its holder's birth date and sex (digits 7-12: DDMMYY, with 40 added to the
day for women). :func:`with_nik_birth` reads them from the list's NIK, or from the digits
Excel kept of it, so that a row without a birth date column still has one to compare.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import polars as pl

from padu.linkage.names import NameForm, name_similarity, normalise_name

NAME_AGREES = 0.85  # name similarity from which two names are taken to be one person's
NAME_SURE = 0.95  # a name this close carries a NIK match even when the birth date differs

DOB_RELATIONS = ("same", "swapped", "near", "blank", "differs")
#: Birth-date relations that do not contradict a match (typing habits, or no date).
DOB_COMPATIBLE = ("same", "swapped", "near", "blank")


@lru_cache(maxsize=200_000)
def _form(name: str) -> NameForm:
    return normalise_name(name)


def name_sim(a: str | None, b: str | None) -> float:
    if not a or not b:
        return 0.0
    return name_similarity(_form(a), _form(b))


def name_partial(a: str | None, b: str | None) -> bool:
    """One name is a single word and the other has more (only containment can join them)."""
    if not a or not b:
        return False
    na, nb = len(_form(a).tokens), len(_form(b).tokens)
    return min(na, nb) == 1 and max(na, nb) > 1


@lru_cache(maxsize=400_000)
def _normal_form(normal: str) -> NameForm:
    """The form of a name already normalised (``nama_normal``): its tokens are its words."""
    return NameForm(normal, normal, tuple(normal.split(" ")), "", None, ())


def _normal_facts(a: str | None, b: str | None) -> tuple[float, bool, bool]:
    """(similarity, one-word-inside-another, ``a`` has fewer words) of normalised names."""
    if not a or not b:
        return 0.0, False, False
    fa, fb = _normal_form(a), _normal_form(b)
    na, nb = len(fa.tokens), len(fb.tokens)
    return name_similarity(fa, fb), min(na, nb) == 1 and max(na, nb) > 1, na < nb


def _best_facts(a: str | None, b: str | None, b_full: str | None) -> tuple[float, bool, bool]:
    """The facts of ``a`` against the register name, or its full form with the part after
    bin/binti (lists often write "Rudi Rudi" for "Rudi bin Rudi"), whichever fits better."""
    plain = _normal_facts(a, b)
    if b_full is None or b_full == b or (plain[0] >= NAME_AGREES and not plain[1]):
        return plain
    full = _normal_facts(a, b_full)
    return full if (full[0], not full[1]) > (plain[0], not plain[1]) else plain


def whole_name() -> pl.Expr:
    """The names may carry a link: not a one-word name inside a longer one, unless the
    list gave the shorter name and the NIK and birth date are the register's own (a list
    that drops names is common; a mistyped NIK lands on a neighbour with the same date,
    and then it is the register's name that is the shorter, see finding 4 of issue 10)."""
    return ~pl.col("name_partial") | (
        pl.col("list_shorter")
        & (pl.col("nik") == pl.col("nik_r")).fill_null(False)
        & (pl.col("dob_rel") == "same")
    )


def nik_birth(nik: pl.Expr, today: dt.date | None = None) -> tuple[pl.Expr, pl.Expr]:
    """The birth date and sex ('1' male, '2' female) a NIK (or its first 12+ digits) carries.

    Null when the digits do not make a date. The century is the one that puts the date in
    the past.
    """
    today = today or dt.date.today()
    digits = nik.str.slice(6, 6)
    day = digits.str.slice(0, 2).cast(pl.Int32, strict=False)
    yy = digits.str.slice(4, 2).cast(pl.Int32, strict=False)
    female = day > 40
    real_day = pl.when(female).then(day - 40).otherwise(day)
    century = pl.when(yy <= today.year % 100).then(pl.lit("20")).otherwise(pl.lit("19"))
    text = pl.concat_str(
        [
            century,
            digits.str.slice(4, 2),
            pl.lit("-"),
            digits.str.slice(2, 2),
            pl.lit("-"),
            real_day.cast(pl.String).str.zfill(2),
        ]
    )
    usable = digits.str.contains(r"^\d{6}$")
    born = pl.when(usable).then(text.str.to_date("%Y-%m-%d", strict=False))
    sex = pl.when(usable & day.is_between(1, 71)).then(
        pl.when(female).then(pl.lit("2")).otherwise(pl.lit("1"))
    )
    return born, sex


def with_nik_birth(rows: pl.DataFrame) -> pl.DataFrame:
    """Rows with ``tanggal_lahir_nik`` and ``jenis_kelamin_nik`` read from the NIK.

    The NIK is the list's 16-digit NIK, else the digits Excel kept (``nik_awalan``, when 12
    or more). ``tanggal_lahir_banding`` is the date compared by the probabilistic stage: the
    list's own, else the NIK's; that stage fills a blank sex from the NIK the same way. The
    NIK stages compare only what the list itself says: a NIK typed without the +40 of a
    woman must not veto its own repair by the sex it seems to carry.
    """
    source = pl.col("nik")
    if "nik_awalan" in rows.columns:
        prefix = pl.col("nik_awalan")
        source = pl.coalesce(source, pl.when(prefix.str.len_chars() >= 12).then(prefix))
    born, sex = nik_birth(source)
    return rows.with_columns(tanggal_lahir_nik=born, jenis_kelamin_nik=sex).with_columns(
        tanggal_lahir_banding=pl.coalesce("tanggal_lahir", "tanggal_lahir_nik"),
    )


def dob_relation(left: str, right: str) -> pl.Expr:
    """How the date in column ``left`` (the list) relates to ``right`` (the register)."""
    a, b = pl.col(left), pl.col(right)
    same_year = a.dt.year() == b.dt.year()
    parts_same = (
        (a.dt.year() == b.dt.year()).cast(pl.Int8)
        + (a.dt.month() == b.dt.month()).cast(pl.Int8)
        + (a.dt.day() == b.dt.day()).cast(pl.Int8)
    )
    near_year = ((a.dt.year() - b.dt.year()).abs() == 1) & (a.dt.month() == b.dt.month())
    near_year = near_year & (a.dt.day() == b.dt.day())
    return (
        pl.when(a.is_null() | b.is_null())
        .then(pl.lit("blank"))
        .when(a == b)
        .then(pl.lit("same"))
        .when(same_year & (a.dt.day() == b.dt.month()) & (a.dt.month() == b.dt.day()))
        .then(pl.lit("swapped"))
        .when((parts_same == 2) | near_year)
        .then(pl.lit("near"))
        .otherwise(pl.lit("differs"))
    )


def place_conflict() -> pl.Expr:
    """Both records name a desa, different ones, and the KK does not tie them either."""
    return (
        pl.col("desa").is_not_null()
        & pl.col("desa_r").is_not_null()
        & (pl.col("desa") != pl.col("desa_r"))
        & ~(pl.col("kk") == pl.col("kk_r")).fill_null(False)
    )


def with_features(pairs: pl.DataFrame, dob: str = "tanggal_lahir") -> pl.DataFrame:
    """(row, register person) pairs with the facts of the module docstring.

    ``dob`` is the list column compared with the register's birth date: the list's own date
    (for NIK stages, where the NIK's date would agree by construction) or
    ``tanggal_lahir_banding``.
    """
    left, right, full = "nama_normal", "nama_normal_r", "nama_penuh_r"
    if full not in pairs.columns:
        pairs = pairs.with_columns(pl.col(right).alias(full))
    names = pairs.select(left, right, full).unique()
    facts = [
        _best_facts(x, y, z)
        for x, y, z in zip(
            names.get_column(left).to_list(),
            names.get_column(right).to_list(),
            names.get_column(full).to_list(),
            strict=True,
        )
    ]
    names = names.with_columns(
        name_sim=pl.Series([f[0] for f in facts], dtype=pl.Float64),
        name_partial=pl.Series([f[1] for f in facts], dtype=pl.Boolean),
        list_shorter=pl.Series([f[2] for f in facts], dtype=pl.Boolean),
    )
    out = pairs.join(names, on=[left, right, full], how="left", nulls_equal=True)
    return out.with_columns(
        pl.col("name_sim").fill_null(0.0),
        pl.col("name_partial").fill_null(False),
        pl.col("list_shorter").fill_null(False),
        dob_rel=dob_relation(dob, "tanggal_lahir_r"),
        sex_conflict=(pl.col("jenis_kelamin") != pl.col("jenis_kelamin_r")).fill_null(False),
        place_conflict=place_conflict(),
    )


def agree_text() -> pl.Expr:
    """Which fields agree in a pair, as 'nik,nama,tanggal_lahir,...'."""
    parts = [
        pl.when(pl.col("nik") == pl.col("nik_r")).then(pl.lit("nik")),
        pl.when(pl.col("name_sim") >= NAME_AGREES).then(pl.lit("nama")),
        pl.when(pl.col("dob_rel") == "same").then(pl.lit("tanggal_lahir")),
        pl.when(pl.col("kk") == pl.col("kk_r")).then(pl.lit("kk")),
        pl.when(pl.col("desa") == pl.col("desa_r")).then(pl.lit("desa")),
        pl.when(pl.col("jenis_kelamin") == pl.col("jenis_kelamin_r")).then(pl.lit("jenis_kelamin")),
    ]
    return pl.concat_str(parts, separator=",", ignore_nulls=True)
