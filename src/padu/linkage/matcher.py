"""Linking list rows to register persons: exact NIK, repaired NIK, then Fellegi-Sunter.

1. **Exact NIK.** A list NIK equal to a register NIK links when the names agree (a NIK
   typed for the wrong person, or a NIK shared by two register records, must not link on
   the number alone). NIKs are never compared fuzzily here: people born on the same day in
   the same kecamatan differ only in the serial.
2. **Repaired NIK.** For a 16-digit NIK that found nobody: one adjacent transposition, the
   +40 day offset for women, or one wrong digit. A candidate links only when the name
   agrees *and* the birth date is the same.
3. **Probabilistic.** The rest go to a Fellegi-Sunter model in splink (DuckDB): u
   probabilities from random pairs of register persons (deterministic sample), m
   probabilities by expectation maximisation on this list's blocked pairs, blocking on KK,
   birth date, and name key + desa. A row is auto-accepted when its best candidate reaches
   the ``auto`` band and no other candidate reaches ``review``; it needs review when any
   candidate reaches ``review``; otherwise it is unmatched.

Nothing depends on row order: the list is given to the model in an order derived from its
content, the register in ``pid`` order (itself derived from content), and sampling in
splink is a hash of those ids.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from padu.linkage import nik
from padu.linkage.evidence import (
    DOB_COMPATIBLE,
    NAME_AGREES,
    NAME_SURE,
    agree_text,
    name_sim,
    whole_name,
    with_features,
    with_nik_birth,
)
from padu.register.reader import to_polars

__all__ = ["NAME_AGREES", "NAME_SURE", "Bands", "Linkage", "link", "nik_repairs"]
nik_repairs = nik.nik_repairs

#: The least match probability the model reports a pair with.
PREDICT_FROM = 0.01
#: Rows left for the probabilistic stage from which m is learnt by EM; fewer keep the priors
#: (EM on a few hundred pairs is noisier than the documented priors).
EM_MIN_ROWS = 1000
_name_sim = name_sim  # the cached name similarity, for the family linker

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
    (:func:`train_register_u`), trained here when not given.
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
    scored = _probabilistic(rest, persons, register_u, threads=threads)
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


# -- probabilistic ---------------------------------------------------------------------

_COLUMNS = (
    "nik", "kk", "nama_normal", "nama_kunci", "kunci_depan", "kunci_urut", "tanggal_lahir",
    "tahun_lahir", "jenis_kelamin", "desa", "kecamatan", "rt",
)  # fmt: skip


def _lvl(sql: str, label: str, m: float | None = None, *, null: bool = False) -> dict[str, Any]:
    """A comparison level; ``m`` is the prior share of true pairs at this level (a starting
    point for EM, and the value used where no list is there to learn from)."""
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if m is not None:
        level["m_probability"] = m
    return level


_REST = -1.0  # placeholder: the ELSE level gets what the other levels leave


def _with_rest(comparison: dict[str, Any]) -> dict[str, Any]:
    levels = comparison["comparison_levels"]
    used = sum(lv.get("m_probability", 0.0) for lv in levels if lv.get("m_probability", 0) > 0)
    for lv in levels:
        if lv.get("m_probability") == _REST:
            lv["m_probability"] = round(max(1.0 - used, 0.01), 4)
    return comparison


def comparisons() -> list[dict[str, Any]]:
    return [_with_rest(c) for c in _comparison_specs()]


def same_levels(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    """Whether two comparison lists have the same levels (a stored model still applies)."""

    def conditions(cs: list[dict[str, Any]]) -> list[list[str]]:
        return [[lv["sql_condition"] for lv in c["comparison_levels"]] for c in cs]

    return conditions(a) == conditions(b)


def _exact(col: str, m: float) -> dict[str, Any]:
    """A comparison of one column: empty (either side), the same, or different."""
    empty = f"{col}_l IS NULL OR {col}_r IS NULL OR {col}_l = '' OR {col}_r = ''"
    return {
        "output_column_name": col,
        "comparison_levels": [
            _lvl(empty, "kosong", null=True),
            _lvl(f"{col}_l = {col}_r", "sama", m),
            _lvl("ELSE", "berbeda", _REST),
        ],
    }


def _comparison_specs() -> list[dict[str, Any]]:
    jw = "jaro_winkler_similarity(nama_normal_l, nama_normal_r)"
    keys_l, keys_r = "string_split(kunci_urut_l, ' ')", "string_split(kunci_urut_r, ' ')"
    dob_l, dob_r = "tanggal_lahir_l", "tanggal_lahir_r"
    return [
        {
            "output_column_name": "nama",
            "comparison_levels": [
                _lvl("nama_normal_l IS NULL OR nama_normal_r IS NULL", "kosong", null=True),
                _lvl("nama_normal_l = nama_normal_r", "sama persis", 0.60),
                _lvl("kunci_urut_l = kunci_urut_r", "bunyi sama (urutan bebas)", 0.15),
                _lvl(f"{jw} >= 0.92", "hampir sama", 0.10),
                _lvl(
                    f"list_has_all({keys_l}, {keys_r}) OR list_has_all({keys_r}, {keys_l})",
                    "satu nama bagian nama lain",
                    0.06,
                ),
                _lvl(f"kunci_depan_l = kunci_depan_r OR {jw} >= 0.80", "nama depan sama", 0.05),
                _lvl("ELSE", "berbeda", _REST),
            ],
        },
        {
            "output_column_name": "tanggal_lahir",
            "comparison_levels": [
                _lvl(f"{dob_l} IS NULL OR {dob_r} IS NULL", "kosong", null=True),
                _lvl(f"{dob_l} = {dob_r}", "sama", 0.88),
                _lvl(
                    f"day({dob_l}) = month({dob_r}) AND month({dob_l}) = day({dob_r}) "
                    f"AND year({dob_l}) = year({dob_r})",
                    "hari dan bulan tertukar",
                    0.03,
                ),
                _lvl(
                    f"(year({dob_l}) = year({dob_r}) AND (month({dob_l}) = month({dob_r}) "
                    f"OR day({dob_l}) = day({dob_r}))) OR (abs(year({dob_l}) - year({dob_r})) <= 1 "
                    f"AND month({dob_l}) = month({dob_r}) AND day({dob_l}) = day({dob_r}))",
                    "satu bagian berbeda",
                    0.05,
                ),
                _lvl("ELSE", "berbeda", _REST),
            ],
        },
        {
            "output_column_name": "wilayah",
            "comparison_levels": [
                _lvl(
                    "(desa_l IS NULL AND kecamatan_l IS NULL) OR desa_r IS NULL",
                    "kosong",
                    null=True,
                ),
                _lvl("desa_l = desa_r", "desa sama", 0.80),
                _lvl("kecamatan_l = kecamatan_r", "kecamatan sama", 0.12),
                _lvl("ELSE", "berbeda", _REST),
            ],
        },
        _exact("kk", 0.85),
        # The NIK counts only when it is the same. A NIK one keying slip from another is
        # what two people born on one day in one kecamatan have (they differ only in the
        # serial), so "one slip" is no evidence here; the repair stage uses it, with the name.
        _exact("nik", 0.80),
        _exact("jenis_kelamin", 0.97),
        _exact("rt", 0.80),
    ]


#: The compared fields; a pair "agrees" on those whose evidence favours a match.
_COMPARED = ("nama", "tanggal_lahir", "wilayah", "kk", "nik", "jenis_kelamin", "rt")

BLOCKING = (
    "l.kk = r.kk",
    "l.tanggal_lahir = r.tanggal_lahir",
    "l.kunci_depan = r.kunci_depan AND l.desa = r.desa",
    "l.kunci_urut = r.kunci_urut AND l.tahun_lahir = r.tahun_lahir",
)


#: Blocking for learning m by EM: tight, so that a large register gives few pairs with
#: many true ones; the first leaves birth date and place to the second, which leaves name.
EM_BLOCKING = (
    "l.tanggal_lahir = r.tanggal_lahir AND l.kecamatan = r.kecamatan",
    "l.kunci_urut = r.kunci_urut AND l.tahun_lahir = r.tahun_lahir",
)


def dedupe_comparisons() -> list[dict[str, Any]]:
    """Comparisons for duplicates inside the register.

    Sharing a KK is no evidence there (family members share it by definition), and two
    different NIKs one digit apart are what siblings born on the same day have; so KK is
    left out and NIK only counts when it is the same.
    """
    out = []
    for c in comparisons():
        if c["output_column_name"] == "kk":
            continue
        if c["output_column_name"] == "nik":
            null, same = c["comparison_levels"][:2]
            c = {**c, "comparison_levels": [null, same, _lvl("ELSE", "berbeda", 0.2)]}
        out.append(c)
    return out


def settings(
    link_type: str, n_register: int, blocking: tuple[str, ...] = BLOCKING
) -> dict[str, Any]:
    """The splink settings of a link (``link_only``) or a register dedupe (``dedupe_only``)."""
    return {
        "link_type": link_type,
        "unique_id_column_name": "uid",
        # at most one true partner per record among the register's persons
        "probability_two_random_records_match": min(0.5, 0.5 / max(n_register, 1)),
        "blocking_rules_to_generate_predictions": [{"blocking_rule": b} for b in blocking],
        "comparisons": comparisons(),
        "retain_intermediate_calculation_columns": True,
        "retain_matching_columns": False,
        "additional_columns_to_retain": [],
    }


def _frame_for_splink(frame: pl.DataFrame, uid: str) -> Any:
    cols = [pl.col(uid).cast(pl.Int64).alias("uid")] + [pl.col(c) for c in _COLUMNS]
    return frame.select(cols).to_arrow()


class _Splink:
    """One in-memory DuckDB for splink, with the register's persons registered once."""

    def __init__(self, persons: pl.DataFrame, threads: int) -> None:
        from splink.backends.duckdb import DuckDBAPI

        logging.getLogger("splink").setLevel(logging.ERROR)
        self.con = duckdb.connect()
        self.con.execute(f"SET threads = {threads}")
        self.api = DuckDBAPI(self.con)
        self.n = persons.height
        self.register = self.api.register(
            _frame_for_splink(persons, "pid"), dataset_display_name="register"
        )

    def close(self) -> None:
        self.con.close()

    def register_u(self) -> list[dict[str, Any]]:
        """Comparisons with u probabilities from random pairs of register persons.

        The sample is a hash of ``pid`` (content-derived), so it does not depend on order.
        """
        from splink import Linker

        linker = Linker(self.register, settings("dedupe_only", self.n), log_level=None)
        linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
        comparisons: list[dict[str, Any]] = linker.misc.save_model_to_json()["comparisons"]
        return comparisons

    @staticmethod
    def scored(pred: Any) -> pl.DataFrame:
        frame = to_polars(pred.as_pyarrow_table())
        return frame.with_columns(
            agree=pl.concat_str(
                [
                    pl.when(pl.col(f"mw_{c}") > 0).then(pl.lit(c))
                    for c in _COMPARED
                    if f"mw_{c}" in frame.columns
                ],
                separator=",",
                ignore_nulls=True,
            )
        )


def reachable(persons: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """The persons that share a blocking key with some list row.

    Only they can be paired by :data:`BLOCKING`, so handing splink just them gives the
    same pairs and scores (u is learnt from the whole register beforehand, and the prior
    uses its full size) while it copies and joins a fraction of a large register.
    """
    keep = pl.col("kk").is_in(rows.get_column("kk").drop_nulls().unique().implode()) | pl.col(
        "tanggal_lahir"
    ).is_in(rows.get_column("tanggal_lahir").drop_nulls().unique().implode())
    by_pairs = [
        persons.join(rows.select(*keys).drop_nulls().unique(), on=list(keys), how="semi").select(
            "pid"
        )
        for keys in (("kunci_depan", "desa"), ("kunci_urut", "tahun_lahir"))
    ]
    pids = pl.concat([persons.filter(keep).select("pid"), *by_pairs]).unique()
    return persons.join(pids, on="pid", how="semi").sort("pid")


def train_register_u(persons: pl.DataFrame, *, threads: int = 2) -> list[dict[str, Any]]:
    """The comparisons with u probabilities learnt from random pairs of ``persons``."""
    sp = _Splink(persons, threads)
    try:
        return sp.register_u()
    finally:
        sp.close()


def _probabilistic(
    rows: pl.DataFrame,
    persons: pl.DataFrame,
    register_u: list[dict[str, Any]] | None,
    *,
    threads: int,
) -> pl.DataFrame:
    """Scored (row, pid, probability, agreeing fields) for the rows left by the NIK stages."""
    from splink import Linker
    from splink.internals.exceptions import SplinkException

    empty = pl.DataFrame(
        schema={
            "row": rows.schema.get("row", pl.UInt32),
            "pid": pl.UInt32,
            "score": pl.Float64,
            "agree": pl.String,
        }
    )
    if rows.is_empty():
        return empty
    # the order splink sees is derived from content, so that a shuffled list scores the same
    if "tanggal_lahir_banding" in rows.columns:  # the list's date, else the NIK's
        born = pl.col("tanggal_lahir_banding")
        rows = rows.with_columns(
            tanggal_lahir=born,
            tahun_lahir=born.dt.year(),
            jenis_kelamin=pl.coalesce("jenis_kelamin", "jenis_kelamin_nik"),
        )
    content = [c for c in _COLUMNS if c in rows.columns] + ["nama", "alamat"]
    ordered = rows.sort(content, nulls_last=True).with_row_index("uid", offset=1)
    register_u = register_u or train_register_u(persons, threads=threads)
    sp = _Splink(reachable(persons, ordered), threads)
    try:
        model = settings("link_only", persons.height)
        model["comparisons"] = register_u
        lst = sp.api.register(_frame_for_splink(ordered, "uid"), dataset_display_name="daftar")
        linker = Linker([lst, sp.register], model, log_level=None)
        if rows.height >= EM_MIN_ROWS:
            try:
                for rule in EM_BLOCKING:  # each rule leaves its own fields to the other
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        rule,
                        fix_probability_two_random_records_match=True,
                        record_sample_proportion=1.0,
                    )
            except (SplinkException, ValueError):  # too few or degenerate pairs: keep priors
                linker = Linker([lst, sp.register], model, log_level=None)
        scored = sp.scored(linker.inference.predict(threshold_match_probability=PREDICT_FROM))
    finally:
        sp.close()
    if scored.is_empty():
        return empty
    left_is_list = pl.col("source_dataset_l") == "daftar"
    scored = scored.select(
        uid=pl.when(left_is_list).then("uid_l").otherwise("uid_r"),
        pid=pl.when(left_is_list).then("uid_r").otherwise("uid_l"),
        score=pl.col("match_probability"),
        agree="agree",
    )
    return scored.join(ordered.select("uid", "row"), on="uid").select(
        "row", pl.col("pid").cast(pl.UInt32), "score", "agree"
    )


def _with_u(target: list[dict[str, Any]], trained: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``target`` comparisons with the u probabilities of the same levels in ``trained``.

    A level that ``trained`` does not have (NIK "different" in the dedupe model) gets what
    the other levels of its comparison leave.
    """
    u = {
        (c["output_column_name"], lv["sql_condition"]): lv.get("u_probability")
        for c in trained
        for lv in c["comparison_levels"]
    }
    out = []
    for c in target:
        name, levels = c["output_column_name"], c["comparison_levels"]
        found = [u.get((name, lv["sql_condition"])) for lv in levels]
        if name == "nik":
            found[-1] = 1.0 - sum(f or 0.0 for f in found[1:-1])
        out.append(
            {
                **c,
                "comparison_levels": [
                    lv if f is None else {**lv, "u_probability": f}
                    for lv, f in zip(levels, found, strict=True)
                ],
            }
        )
    return out


#: Blocking for probable duplicates inside the register.
DEDUPE_BLOCKING = (
    "l.tanggal_lahir = r.tanggal_lahir AND l.kunci_depan = r.kunci_depan",
    "l.kunci_urut = r.kunci_urut AND l.desa = r.desa",
    "l.nik = r.nik",
)


def register_duplicates(
    persons: pl.DataFrame,
    min_score: float = 0.9,
    *,
    register_u: list[dict[str, Any]] | None = None,
    threads: int = 2,
) -> pl.DataFrame:
    """Pairs of register records that are probably one person (pid_a < pid_b), best first.

    u comes from random register pairs; m are the documented priors of the comparison
    levels (a register holds too few duplicates for EM to learn from).
    """
    from splink import Linker

    sp = _Splink(persons, threads)
    try:
        model = settings("dedupe_only", persons.height, DEDUPE_BLOCKING)
        model["comparisons"] = _with_u(dedupe_comparisons(), register_u or sp.register_u())
        linker = Linker(sp.register, model, log_level=None)
        scored = sp.scored(linker.inference.predict(threshold_match_probability=min_score))
    finally:
        sp.close()
    if scored.is_empty():
        return pl.DataFrame(
            schema={"pid_a": pl.UInt32, "pid_b": pl.UInt32, "score": pl.Float64, "agree": pl.String}
        )
    return scored.select(
        pid_a=pl.min_horizontal("uid_l", "uid_r").cast(pl.UInt32),
        pid_b=pl.max_horizontal("uid_l", "uid_r").cast(pl.UInt32),
        score=pl.col("match_probability"),
        agree="agree",
    ).sort(["score", "pid_a", "pid_b"], descending=[True, False, False])


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
