"""The NIK stages of linkage: exact, repaired, and the digits Excel kept.

A NIK is near-certain evidence, but only together with the name: people born on the same
day in the same kecamatan differ only in the 4-digit serial, so one keying slip turns one
person's NIK into a neighbour's. Each stage therefore finds candidate pairs by the NIK and
accepts one only on agreeing evidence (:mod:`padu.linkage.evidence`):

1. **Exact.** The list's NIK is a register NIK. Accepted when the names agree (and neither
   is a one-word name inside the other), and the birth date, desa and sex do not contradict
   it (a contradiction needs a name that agrees all but fully). A day/month swap, a date one
   part off or no date at all is no contradiction: the NIK itself carries the date.
2. **Repaired.** A 16-digit NIK that is no register NIK, one keying slip from one: an
   adjacent transposition, the +40 day offset for women, or one wrong digit. Accepted when
   the names agree and the birth date is the same.
3. **Excel prefix.** A NIK that Excel stored as a number keeps 15 significant digits (the
   last becomes 0); a 16-digit NIK ending in 0 that is no register NIK may be one too. Its
   kept digits hold region, birth date and most of the serial, so they find at most ten
   people; accepted when exactly one of them has an agreeing name and no contradicting date.
   Fewer digits (scientific notation shows 12 to 14) only find candidates for review.

Two equally good candidates are accepted by no stage. A pair a stage found but did not
accept stays a candidate for review (see ``key_candidates``): an exact NIK that is in the
register never ends unmatched.
"""

from __future__ import annotations

import polars as pl

from padu.linkage.evidence import (
    DOB_COMPATIBLE,
    NAME_AGREES,
    NAME_SURE,
    agree_text,
    whole_name,
    with_features,
)

_REG = (
    "pid", "nik", "kk", "nama", "nama_normal", "nama_penuh", "tanggal_lahir", "desa",
    "jenis_kelamin",
)  # fmt: skip
#: How many leading digits of a NIK are enough to look people up by (region + birth date).
MIN_PREFIX = 12
#: The digits a NIK stored as a number keeps: enough for an automatic link.
FULL_PREFIX = 15


def register_side(persons: pl.DataFrame) -> pl.DataFrame:
    """The register persons with their columns renamed ``*_r`` (``pid`` kept)."""
    have = [c for c in _REG if c != "pid" and c in persons.columns]
    return persons.select(pl.col("pid"), *(pl.col(c).alias(f"{c}_r") for c in have))


def slip_variants(number: pl.Expr, *, plus40: bool) -> pl.Expr:
    """Every number one keying slip from ``number`` (16 digits as an ``Int64``), as a list:
    adjacent digits swapped, or one digit replaced, and, with ``plus40``, the day (digits 7
    and 8) moved by 40, as a NIK writes a woman's birth day; ``None`` where that day would
    leave 1..71. The number itself is among them where a swap or a replacement changes
    nothing. Serves both the NIK and the KK (which has no +40 day). Arithmetic on the
    number is far cheaper than slicing strings.
    """
    number = number.cast(pl.Int64)
    digit = [((number // 10 ** (15 - i)) % 10).cast(pl.Int64) for i in range(16)]
    out = [
        number + (digit[i + 1] - digit[i]) * (10 ** (15 - i) - 10 ** (14 - i)) for i in range(15)
    ]
    if plus40:
        day = (number // 10**8) % 100
        out += [
            pl.when((day + offset).is_between(1, 71)).then(number + offset * 10**8)
            for offset in (40, -40)
        ]
    out += [number + (d - digit[i]) * 10 ** (15 - i) for i in range(16) for d in range(10)]
    return pl.concat_list(out)


def repair_variants(rows: pl.DataFrame) -> pl.DataFrame:
    """(row, nik_variant) for every 16-digit NIK of ``rows`` (the NIK itself excluded)."""
    have = rows.filter(pl.col("nik").str.contains(r"^\d{16}$")).select("row", "nik")
    variants = slip_variants(pl.col("nik"), plus40=True)
    return (
        have.select("row", "nik", nik_variant=variants)
        .explode("nik_variant")
        .with_columns(pl.col("nik_variant").cast(pl.String).str.zfill(16))
        .filter(pl.col("nik_variant").is_not_null() & (pl.col("nik_variant") != pl.col("nik")))
        .select("row", "nik_variant")
        .unique()
    )


def nik_repairs(nik: str) -> set[str]:
    """Every NIK one keying slip away from ``nik``."""
    frame = repair_variants(pl.DataFrame({"row": [1], "nik": [nik]}))
    return set(frame.get_column("nik_variant").to_list())


def _pairs(rows: pl.DataFrame, persons: pl.DataFrame, left: str, right: str) -> pl.DataFrame:
    return with_features(
        rows.join(register_side(persons), left_on=left, right_on=right, coalesce=False)
    )


def exact_pairs(rows: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    return _pairs(rows.filter(pl.col("nik").is_not_null()), persons, "nik", "nik_r")


def repair_pairs(rows: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    variants = repair_variants(rows).join(
        register_side(persons), left_on="nik_variant", right_on="nik_r", coalesce=False
    )
    return with_features(variants.join(rows, on="row"))


def prefix_pairs(rows: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """Pairs by the digits Excel kept: ``nik_awalan``, or the first 15 of a NIK ending in 0."""
    kept = pl.col("nik_awalan") if "nik_awalan" in rows.columns else pl.lit(None, pl.String)
    # a NIK ending in 0 may have lost its last digit, unless it is somebody's NIK as written
    known = rows.join(persons.select("nik"), on="nik", how="semi").get_column("row")
    ending_zero = pl.when(
        pl.col("nik").str.ends_with("0") & ~pl.col("row").is_in(known.implode())
    ).then(pl.col("nik").str.slice(0, 15))
    keyed = rows.with_columns(_awalan=pl.coalesce(kept, ending_zero)).filter(
        pl.col("_awalan").str.len_chars() >= MIN_PREFIX
    )
    found = []
    for k in keyed.get_column("_awalan").str.len_chars().unique().to_list():
        part = keyed.filter(pl.col("_awalan").str.len_chars() == k)
        side = register_side(persons).with_columns(_awalan=pl.col("nik_r").str.slice(0, k))
        found.append(
            part.join(side, on="_awalan").drop("_awalan").with_columns(awalan_digits=pl.lit(k))
        )
    if not found:
        empty = rows.head(0).join(register_side(persons).head(0), how="cross")
        return with_features(empty.with_columns(awalan_digits=pl.lit(0)))
    return with_features(pl.concat(found, how="vertical_relaxed"))


_SURE = pl.col("name_sim") >= NAME_SURE
_NAMES = (pl.col("name_sim") >= NAME_AGREES) & whole_name()
ACCEPT = {
    "nik": _NAMES
    & (pl.col("dob_rel").is_in(DOB_COMPATIBLE) | _SURE)
    & (~pl.col("place_conflict") | _SURE)
    & (~pl.col("sex_conflict") | _SURE),
    "nik_repaired": _NAMES
    & (pl.col("dob_rel") == "same")
    & (~pl.col("place_conflict") | _SURE)
    & ~pl.col("sex_conflict"),
    # 15 digits leave at most ten people born that day there; fewer only find candidates
    "nik_awalan": _NAMES
    & (pl.col("awalan_digits") >= FULL_PREFIX)
    & pl.col("dob_rel").is_in(DOB_COMPATIBLE)
    & (~pl.col("place_conflict") | _SURE)
    & ~pl.col("sex_conflict"),
}
#: Pairs of each stage that stay review candidates when the stage accepts nothing.
KEEP = {
    "nik": pl.lit(True),
    "nik_repaired": (pl.col("name_sim") >= NAME_AGREES) & pl.col("dob_rel").is_in(DOB_COMPATIBLE),
    "nik_awalan": pl.col("name_sim") >= NAME_AGREES,
}


def choose(pairs: pl.DataFrame, method: str) -> pl.DataFrame:
    """Accepted pairs, one per row: the single best by name; two equally good -> none."""
    ok = pairs.filter(ACCEPT[method])
    best = ok.filter(pl.col("name_sim") == pl.col("name_sim").max().over("row"))
    return best.filter(pl.len().over("row") == 1).select(
        "row",
        pl.lit(method).alias("method"),
        "pid",
        pl.lit(1.0).alias("score"),
        agree=agree_text(),
    )


def key_candidates(pairs: pl.DataFrame, method: str) -> pl.DataFrame:
    """(row, pid, via) of the pairs a stage keeps for review."""
    return pairs.filter(KEEP[method]).select("row", "pid", via=pl.lit(method))
