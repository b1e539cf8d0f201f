"""The Fellegi-Sunter model in splink (DuckDB) that scores list rows against register persons.

A pair of a list row and a register person is compared on name, birth date, region, KK,
NIK, sex and RT; each comparison's levels are plain SQL. u probabilities come from random
pairs of register persons (a deterministic sample), m probabilities by expectation
maximisation on this list's blocked pairs (the documented priors when the list is small),
blocking on KK, birth date, name key + desa, and sorted name key + birth year. The same
levels, without KK, find probable duplicates inside the register.

The model only scores pairs: which score links, goes to review or stays unmatched is
decided in :mod:`padu.linkage.matcher`. Scores do not depend on row order: the list is
given to the model in an order derived from its content, the register in ``pid`` order
(itself derived from content), and sampling in splink is a hash of those ids.
"""

from __future__ import annotations

import logging
from typing import Any

import duckdb
import polars as pl

from padu.register.reader import to_polars

__all__ = [
    "comparisons",
    "register_duplicates",
    "same_levels",
    "score_pairs",
    "train_register_u",
]

#: Rows left for the probabilistic stage from which m is learnt by EM; fewer keep the priors
#: (EM on a few hundred pairs is noisier than the documented priors).
EM_MIN_ROWS = 1000

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


def score_pairs(
    rows: pl.DataFrame,
    persons: pl.DataFrame,
    register_u: list[dict[str, Any]] | None,
    *,
    least: float,
    threads: int,
) -> pl.DataFrame:
    """Scored (row, pid, probability, agreeing fields) for the rows left by the NIK stages.

    ``least``: the least match probability a pair is reported with.
    """
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
        scored = sp.scored(linker.inference.predict(threshold_match_probability=least))
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
