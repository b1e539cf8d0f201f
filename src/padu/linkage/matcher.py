"""Linking list rows to register persons: exact NIK, repaired NIK, then Fellegi-Sunter.

1. **Exact NIK.** A list NIK equal to a register NIK links when the names agree (a NIK
   typed for the wrong person, or a NIK shared by two register records, must not link on
   the number alone). NIKs are never compared fuzzily here: people born on the same day in
   the same kecamatan differ only in the serial.
2. **Repaired NIK.** For a 16-digit NIK that found nobody: one adjacent transposition, the
   +40 day offset for women, or one wrong digit. A candidate links only when the name
   agrees *and* the birth date is the same.
3. **Probabilistic.** The rest are scored by the Fellegi-Sunter model
   (:mod:`padu.linkage.model`). A row is auto-accepted when its best candidate reaches
   the ``auto`` band and no other candidate reaches ``review``; it needs review when any
   candidate reaches ``review``; otherwise it is unmatched (the rules in :func:`_bands`).

This module holds the order of the stages and the rules that turn scores and evidence
into a status. Nothing depends on row order: the model scores the list in an order
derived from its content (see :mod:`padu.linkage.model`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from padu.linkage import nik
from padu.linkage.evidence import (
    DOB_COMPATIBLE,
    NAME_AGREES,
    NAME_SURE,
    agree_text,
    whole_name,
    with_features,
    with_nik_birth,
)
from padu.linkage.model import score_pairs

__all__ = ["NAME_AGREES", "NAME_SURE", "Bands", "Linkage", "link", "nik_repairs"]
nik_repairs = nik.nik_repairs

#: The least match probability the model reports a pair with.
PREDICT_FROM = 0.01

STATUS = ("matched", "review", "unmatched")
METHODS = (
    "nik", "nik_repaired", "nik_awalan", "probabilistic", "single_candidate", "review_decision",
    "kk", "kk_repaired", "keluarga_nama",
)  # fmt: skip
#: The NIK stages, in the order they run.
NIK_STAGES = ("nik", "nik_repaired", "nik_awalan")


@dataclass(frozen=True)
class Bands:
    """Match-probability thresholds: auto-accept at ``auto`` and above, review from ``review``."""

    auto: float = 0.99
    review: float = 0.30

    def __post_init__(self) -> None:
        if not 0 < self.review <= self.auto <= 1:
            raise ValueError("ambang harus 0 < tinjau <= otomatis <= 1")


@dataclass
class Linkage:
    """The outcome for every list row, and the candidates of rows that need review."""

    links: pl.DataFrame  # row, status, method, pid, score, agree, reason
    candidates: pl.DataFrame  # row, rank, pid, score, agree

    def counts(self) -> dict[str, Any]:
        by = {(s, m): n for s, m, n in self.links.group_by("status", "method").len().iter_rows()}
        matched = {m: int(by.get(("matched", m), 0)) for m in METHODS}
        return {
            "rows": self.links.height,
            "matched": {
                **matched,
                "review": int(sum(v for (s, _), v in by.items() if s == "review")),
            },
            "unmatched": int(sum(v for (s, _), v in by.items() if s == "unmatched")),
        }


def link(
    rows: pl.DataFrame,
    persons: pl.DataFrame,
    bands: Bands | None = None,
    *,
    register_u: list[dict[str, Any]] | None = None,
    threads: int = 2,
) -> Linkage:
    """Link agency-list records (:mod:`padu.linkage.reader`) to register persons.

    ``register_u``: the comparisons with u probabilities of this register
    (:func:`padu.linkage.model.train_register_u`), trained here when not given.
    """
    bands = bands or Bands()
    rest = with_nik_birth(_kk_typed_as_nik(rows, persons))
    decided, kept = [], []
    for method, pairs_of in zip(
        NIK_STAGES, (nik.exact_pairs, nik.repair_pairs, nik.prefix_pairs), strict=True
    ):
        pairs = pairs_of(rest, persons)
        chosen = nik.choose(pairs, method)
        decided.append(chosen)
        rest = rest.join(chosen.select("row"), on="row", how="anti")
        kept.append(nik.key_candidates(pairs, method))
    keys = pl.concat(kept).join(rest.select("row"), on="row", how="semi")
    scored = score_pairs(rest, persons, register_u, least=PREDICT_FROM, threads=threads)
    links, candidates = _bands(rest, persons, scored, keys, bands)
    done = pl.concat(decided, how="vertical_relaxed").with_columns(
        status=pl.lit("matched"), reason=pl.lit(None, pl.String)
    )
    allrows = pl.concat([done.select(links.columns), links], how="vertical_relaxed").sort("row")
    return Linkage(allrows, candidates.sort("row", "rank"))


def _kk_typed_as_nik(rows: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """A NIK cell that holds a register KK is also the row's KK (when it has none).

    When it is no register NIK it is only a KK: the NIK is dropped and the row says why.
    (KK and NIK share one form, so a KK may also be somebody's NIK; then both are tried.)
    """
    kks = persons.select(pl.col("kk").alias("_kk")).unique()
    niks = persons.select(pl.col("nik").alias("_n")).unique()
    # a KK cell that repeats a register NIK (and is no KK) held the NIK: the KK is unknown
    copied = (
        rows.filter(pl.col("kk") == pl.col("nik"))
        .join(kks, left_on="kk", right_on="_kk", how="anti")
        .join(niks, left_on="kk", right_on="_n", how="semi")
        .get_column("row")
    )
    rows = rows.with_columns(
        kk=pl.when(pl.col("row").is_in(copied.implode())).then(None).otherwise("kk")
    )
    typed = rows.join(kks, left_on="nik", right_on="_kk", how="semi").select(
        "row", _kk=pl.col("nik")
    )
    if typed.is_empty():
        return rows
    only_kk = typed.join(niks, left_on="_kk", right_on="_n", how="anti").select(
        "row", _only=pl.lit(True)
    )
    note = pl.lit("kolom NIK berisi nomor KK")
    only = pl.col("_only").fill_null(False)
    return (
        rows.join(typed, on="row", how="left")
        .join(only_kk, on="row", how="left")
        .with_columns(
            kk=pl.coalesce("kk", "_kk"),
            nik=pl.when(~only).then("nik"),
            nik_masalah=pl.when(only).then(note).otherwise("nik_masalah"),
        )
        .drop("_kk", "_only")
    )


#: The least match probability of a single strong candidate (see :func:`_bands`).
STRONG_MIN = 0.05
#: The least name similarity of any automatic link: other fields never carry a name that
#: differs (people born on one day in one desa share birth date, place and often sex).
NAME_LEAST = 0.70
#: Candidates per row whose evidence is read, and the most a review row shows.
MAX_CANDIDATES = 5


def _bands(
    rows: pl.DataFrame,
    persons: pl.DataFrame,
    scored: pl.DataFrame,
    keys: pl.DataFrame,
    bands: Bands,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per-row status from the candidates' evidence; the review rows' candidates kept.

    A row is linked when its best candidate

    - reaches ``bands.auto`` and no other candidate reaches ``bands.review``
      (``probabilistic``), or
    - is a **single strong candidate** (``single_candidate``): a name that agrees all but
      fully (>= NAME_SURE), the same birth date, the same desa (or KK), no contradicting
      sex, a match probability of at least STRONG_MIN, and no rival (no other candidate
      that reaches ``bands.review`` or has an agreeing name and a compatible birth date).

    A one-word name found inside the other name never links on its own, nor does a name
    below NAME_LEAST. A row goes to
    review when a candidate reaches ``bands.review`` or a NIK stage kept one (an exact NIK
    that is in the register is never unmatched); otherwise it is unmatched, with a reason.
    """
    floor = bands.review
    cands = (
        pl.concat(
            [
                scored.select("row", "pid", "score", via=pl.lit(None, pl.String)),
                keys.select("row", "pid", score=pl.lit(None, pl.Float64), via="via"),
            ],
            how="vertical_relaxed",
        )
        .group_by("row", "pid")
        .agg(  # a pair the model scored keeps its score; one only a NIK stage kept scores
            # as low as the model reports (it stays in review, but never as a rival)
            pl.col("score").filter(pl.col("via").is_null()).max().fill_null(PREDICT_FROM),
            pl.col("via").drop_nulls().first(),
        )
        .sort(["row", "score", "pid"], descending=[False, True, False])
        .with_columns(rank=pl.col("pid").cum_count().over("row"))
    )
    read = with_features(
        cands.filter((pl.col("rank") <= MAX_CANDIDATES) | pl.col("via").is_not_null())
        .join(rows, on="row")
        .join(nik.register_side(persons), on="pid"),
        dob="tanggal_lahir_banding",
    ).with_columns(agree=agree_text())
    best = read.filter(pl.col("rank") == 1)
    others = (
        read.filter(pl.col("rank") > 1)
        .group_by("row")
        .agg(
            second=pl.col("score").max(),
            rival=(
                (pl.col("score") >= floor)
                | ((pl.col("name_sim") >= NAME_AGREES) & pl.col("dob_rel").is_in(DOB_COMPATIBLE))
            ).any(),
        )
    )
    kept = cands.group_by("row").agg(kept=pl.col("via").is_not_null().any())
    best = (
        best.join(others, on="row", how="left")
        .join(kept, on="row", how="left")
        .with_columns(pl.col("second").fill_null(0.0), pl.col("rival").fill_null(False))
    )
    whole = whole_name() & (pl.col("name_sim") >= NAME_LEAST)
    auto = (pl.col("score") >= bands.auto) & (pl.col("second") < floor) & whole
    strong = (
        (pl.col("name_sim") >= NAME_SURE)
        & whole
        & (pl.col("dob_rel") == "same")
        & ~pl.col("sex_conflict")
        & ((pl.col("desa") == pl.col("desa_r")) | (pl.col("kk") == pl.col("kk_r"))).fill_null(False)
        & (pl.col("score") >= STRONG_MIN)
        & ~pl.col("rival")
    )
    best = best.with_columns(
        method=pl.when(auto)
        .then(pl.lit("probabilistic"))
        .when(strong)
        .then(pl.lit("single_candidate")),
        in_review=(pl.col("score") >= floor) | pl.col("kept"),
    )
    linked = pl.col("method").is_not_null()
    review = ~linked & pl.col("in_review").fill_null(False)
    not_found = pl.concat_str(
        [
            pl.lit("tidak ditemukan di register"),
            pl.when(pl.col("score").is_not_null()).then(pl.lit(" (calon terbaik terlalu lemah)")),
            pl.when(pl.col("nik_masalah").is_not_null()).then(pl.lit("; ") + pl.col("nik_masalah")),
        ],
        ignore_nulls=True,
    )
    why_review = (
        pl.when(pl.col("second") >= floor)
        .then(pl.lit("lebih dari satu calon"))
        .when((pl.col("via") == "nik") & (pl.col("name_sim") < NAME_AGREES))
        .then(pl.lit("NIK ada di register, tetapi nama tidak cocok"))
        .when(pl.col("via") == "nik")
        .then(pl.lit("NIK ada di register, tetapi data lain tidak mendukung"))
        .when(pl.col("kept") & pl.col("via").is_null())
        .then(pl.lit("NIK di daftar ada di register, tetapi bukti lain menunjuk ke calon lain"))
        .when(pl.col("name_partial"))
        .then(pl.lit("nama hanya sebagian sama (satu kata di dalam nama lain)"))
        .when(pl.col("via") == "nik_awalan")
        .then(pl.lit("NIK rusak oleh Excel; digit yang tersisa cocok dengan orang di register"))
        .when(pl.col("via").is_not_null())
        .then(pl.lit("NIK hanya beda satu ketikan dari NIK di register"))
        .otherwise(pl.lit("bukti belum cukup (skor di rentang tinjauan)"))
    )
    out = (
        rows.select("row", "nik_masalah")
        .join(best, on="row", how="left")
        .select(
            "row",
            status=pl.when(linked)
            .then(pl.lit("matched"))
            .when(review)
            .then(pl.lit("review"))
            .otherwise(pl.lit("unmatched")),
            method=pl.when(linked).then("method").when(review).then(pl.lit("review")),
            pid=pl.when(linked | review).then("pid"),
            score="score",
            agree=pl.when(linked | review).then("agree"),
            reason=pl.when(linked).then(None).when(review).then(why_review).otherwise(not_found),
        )
    )
    # a review row shows the candidates in the review band (the best MAX_CANDIDATES) and
    # every pair a NIK stage kept, whatever its rank; the row names its first candidate
    in_review = out.filter(pl.col("status") == "review").select("row")
    agree = read.select("row", "pid", "agree")
    candidates = (
        cands.join(in_review, on="row")
        .filter((pl.col("score") >= floor) | pl.col("via").is_not_null())
        .filter((pl.col("rank") <= MAX_CANDIDATES) | pl.col("via").is_not_null())
        .join(agree, on=["row", "pid"], how="left")
        .sort(["row", "rank"])
        .with_columns(rank=pl.col("pid").cum_count().over("row"))
        .select("row", pl.col("rank").cast(pl.Int64), "pid", "score", "agree")
    )
    first = candidates.filter(pl.col("rank") == 1).select(
        "row", pid_1="pid", score_1="score", agree_1="agree"
    )
    out = (
        out.join(first, on="row", how="left")
        .with_columns(
            pid=pl.coalesce("pid_1", "pid"),
            score=pl.coalesce("score_1", "score"),
            agree=pl.coalesce("agree_1", "agree"),
        )
        .drop("pid_1", "score_1", "agree_1")
    )
    return out, candidates
