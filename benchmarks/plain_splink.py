"""A plain splink model of list-to-register linkage: the reference Padu's linker is compared to.

It stands for what a competent analyst would write in an afternoon with splink's documented
API: block on birth date or NIK; compare a cleaned name (exact, same words in any order,
Jaro-Winkler, a shared word), birth date (exact, one part different, within a year), NIK and
sex; u from 1e7 random pairs, m by EM, prior 1 / register size. Bands are Padu's defaults:
matched when the best probability is >= 0.99 and the runner-up < 0.30, review when any
candidate is >= 0.30, unmatched otherwise. ``links`` has one line per list row (the best
score seen, if any pair reached 0.01); ``candidates`` every candidate >= 0.30 of review rows.

    python benchmarks/plain_splink.py --home HOME --list daftar.xlsx --out links.csv
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

import duckdb
import polars as pl
import splink.comparison_level_library as cll
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink import comparison_library as cl

MATCH, REVIEW = 0.99, 0.30


def _clean(frame: pl.DataFrame) -> pl.DataFrame:
    """Upper-cased, punctuation-stripped name, plus its words sorted and as a list."""
    name = (
        pl.col("nama").str.to_uppercase().str.replace_all(r"[^A-Z ]", " ")
        .str.replace_all(r" +", " ").str.strip_chars()
    )  # fmt: skip
    words = pl.col("nama_bersih").str.split(" ")
    return frame.with_columns(pl.when(name != "").then(name).alias("nama_bersih")).with_columns(
        words.list.sort().list.join(" ").alias("nama_urut"), words.alias("kata")
    )


def _settings(register_size: int) -> SettingsCreator:
    l, r = "tanggal_lahir_l", "tanggal_lahir_r"  # noqa: E741
    one_part = (
        f"((year({l}) = year({r}))::int + (month({l}) = month({r}))::int"
        f" + (day({l}) = day({r}))::int) = 2"
    )
    name = cl.CustomComparison(
        output_column_name="nama",
        comparison_levels=[
            cll.NullLevel("nama_bersih"),
            cll.ExactMatchLevel("nama_bersih"),
            cll.ExactMatchLevel("nama_urut").configure(label_for_charts="same words"),
            cll.JaroWinklerLevel("nama_bersih", 0.92),
            cll.JaroWinklerLevel("nama_bersih", 0.85),
            cll.ArrayIntersectLevel("kata", 1),
            cll.ElseLevel(),
        ],
    )
    birth = cl.CustomComparison(
        output_column_name="tanggal_lahir",
        comparison_levels=[
            cll.NullLevel("tanggal_lahir"),
            cll.ExactMatchLevel("tanggal_lahir"),
            cll.CustomLevel(one_part, "one part different"),
            cll.AbsoluteDateDifferenceLevel("tanggal_lahir", input_is_string=False,
                                            threshold=1, metric="year"),
            cll.ElseLevel(),
        ],
    )  # fmt: skip
    return SettingsCreator(
        link_type="link_only",
        unique_id_column_name="uid",
        probability_two_random_records_match=1 / register_size,
        blocking_rules_to_generate_predictions=[block_on("tanggal_lahir"), block_on("nik")],
        comparisons=[name, birth, cl.ExactMatch("nik"), cl.ExactMatch("jenis_kelamin")],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def plain_link(
    lst: pl.DataFrame, ind: pl.DataFrame, *, threads: int = 2
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Link list rows to register persons; return (links, candidates) as described above."""
    cols = ["uid", "nik", "nama", "tanggal_lahir", "jenis_kelamin"]
    left = _clean(lst.select(pl.col("row").cast(pl.Int64).alias("uid"), *cols[1:]))
    people = ind.select(
        pl.int_range(pl.len(), dtype=pl.Int64).alias("uid"),
        pl.col("nomor_induk_kependudukan").alias("nik"),
        pl.col("nomor_kartu_keluarga").alias("kk"),
        *cols[2:],
    )
    right = _clean(people.drop("kk"))
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    db = DuckDBAPI(con)
    linker = Linker(
        [db.register(left.to_arrow(), dataset_display_name="daftar"),
         db.register(right.to_arrow(), dataset_display_name="register")],
        _settings(ind.height),
        log_level=logging.WARNING,
    )  # fmt: skip
    # At 1e6 pairs a full register shows no random pair with equal NIK (about one is expected),
    # so splink warns and falls back to a default u; 1e7 pairs, as its warning advises.
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("nik"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("tanggal_lahir"))
    pairs = linker.inference.predict(threshold_match_probability=0.01).physical_name
    # splink puts the source dataset whose name sorts first ("daftar") on the _l side.
    scored = con.sql(f"select uid_l as row, uid_r, match_probability as score from {pairs}").pl()
    con.close()
    ranked = (
        scored.join(people.select("uid", "nik", "kk"), left_on="uid_r", right_on="uid")
        .sort(["row", "score", "nik", "kk"], descending=[False, True, False, False])
        .with_columns(pl.int_range(1, pl.len() + 1).over("row").alias("rank"))
    )
    best = ranked.group_by("row").agg(
        pl.col("nik").first(), pl.col("kk").first(), pl.col("score").first(),
        pl.col("score").get(1, null_on_oob=True).alias("second"),
    )  # fmt: skip
    status = (
        pl.when((pl.col("score") >= MATCH) & (pl.col("second").fill_null(0) < REVIEW))
        .then(pl.lit("matched"))
        .when(pl.col("score") >= REVIEW)
        .then(pl.lit("review"))
        .otherwise(pl.lit("unmatched"))
    )
    links = (
        lst.select(pl.col("row").cast(pl.Int64))
        .join(best, on="row", how="left")
        .with_columns(status.alias("status"))
        .with_columns(pl.when(pl.col("status") != "unmatched").then(pl.col("nik", "kk")))
        .select("row", "nik", "kk", "status", "score")
        .sort("row")
    )
    review_rows = links.filter(pl.col("status") == "review").select("row")
    candidates = ranked.join(review_rows, on="row").filter(pl.col("score") >= REVIEW)
    return links, candidates.select("row", "rank", "nik", "kk", "score")


def _register(home: Path) -> pl.DataFrame:
    from padu.register.reader import to_polars
    from padu.register.snapshots import snapshot_table
    from padu.settings import Settings
    from padu.stores import open_stores

    s = Settings(home=home)
    wh, cat = open_stores(s.resolved_warehouse_url(), s.resolved_catalog_url(), read_only=True)
    table = snapshot_table(wh, cat, cat.snapshot("latest").id, "individu")
    keep = ["nomor_induk_kependudukan", "nomor_kartu_keluarga", "nama", "jenis_kelamin",
            "tanggal_lahir"]  # fmt: skip
    ind = to_polars(table.select(*keep).to_pyarrow())
    wh.close()
    cat.close()
    return ind


def main() -> None:
    from padu.linkage.reader import read_agency_list

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--list", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--candidates", type=Path, help="also write review candidates (CSV)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    lst, ind = read_agency_list(args.list).frame, _register(args.home)
    start = time.perf_counter()
    links, candidates = plain_link(lst, ind, threads=args.threads)
    seconds = time.perf_counter() - start
    links.write_csv(args.out)
    if args.candidates:
        candidates.write_csv(args.candidates)
    counts = dict(links.group_by("status").len().iter_rows())
    print(f"{seconds:.1f} s wall (linkage only), {links.height:,} rows: {counts}")


if __name__ == "__main__":
    main()
