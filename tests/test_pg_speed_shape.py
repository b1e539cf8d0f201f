"""The shape of server mode's speed on PostgreSQL (issue 14 item 7), without timing anything.

``padu mpi`` took 40 times as long on PostgreSQL as on DuckDB: PostgreSQL re-evaluated the
Padu-7 rules (about 50 KB of CASEs) once per output column of the aggregation. These tests
pin the fix down as shapes: the aggregation names each indicator once, the measures read a
materialised table of plain 0/1 columns, the register tables carry their key indexes, and
bulk appends (``COPY`` on PostgreSQL) keep every value exactly.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from fractions import Fraction as F

import ibis
import pyarrow as pa
import pytest

from padu.measure import snapshot as measure_snapshot
from padu.measure.af import Dimension, af_sums, alkire_foster
from padu.measure.measures import get_measure
from padu.measure.snapshot import deprivation_table, deprivations, mpi_snapshot, sensitivity
from padu.register.snapshots import ensure_reference_tables
from padu.stores.warehouse import INDEXES, index_name
from tests.conftest import Stores


def _mentions(sql: str, column: str) -> int:
    return len(re.findall(rf'"{column}"', sql))


@pytest.mark.parametrize("n", [3, 7, 12])
def test_the_aggregation_names_each_indicator_a_fixed_number_of_times(n: int) -> None:
    # before: every indicator appeared in the score, and the score in every one of the
    # 4 + 2n sums (over 2n mentions of each); now a few, however many indicators there are
    t = ibis.table({"g": "string", **{f"d{i}": "int64" for i in range(n)}}, name="deprivasi")
    dims = [Dimension(f"d{i}", F(1, n)) for i in range(n)]
    sql = ibis.to_sql(af_sums(t, dims, F(1, 3), by="g"), dialect="postgres")
    for i in range(n):
        assert _mentions(sql, f"d{i}") <= 3  # the 0/1 value and the missing check of _w, _m
        assert len(re.findall(rf'COALESCE\("[a-z0-9]+"\."d{i}"', sql)) == 1
    assert sql.count("CASE") <= 3 + n  # _w, _m, one per indicator, the poverty status


def test_the_engine_query_gives_the_same_figures_as_the_ratios(stores: Stores) -> None:
    data = pa.table(
        {
            "g": ["a", "a", "b", "b", None],
            "d0": [1, 0, None, 1, 1],
            "d1": [1, 1, 0, None, 0],
            "d2": [0, 1, 1, 1, None],
            "w": [2, 3, 1, 4, 5],
        }
    )
    t = stores.warehouse.con.create_table("af_kecil", data)
    dims = [Dimension("d0", F(1, 2)), Dimension("d1", F(1, 4)), Dimension("d2", F(1, 4))]
    for missing in ("exclude", "not_deprived", "deprived"):
        r = alkire_foster(t, dims, F(1, 2), by="g", unit_weight="w", missing=missing)
        whole = alkire_foster(t, dims, F(1, 2), unit_weight="w", missing=missing)
        assert r.overall == whole.overall
        assert set(r.groups) == {"a", "b", "(kosong)"}
    r = alkire_foster(t, dims, F(1, 2), by="g")
    # a: both units poor (scores 3/4 and 1/2); b and the blank group have a missing value
    assert (r.groups["a"].n, r.groups["a"].q, r.groups["a"].M0) == (2, 2, F(5, 8))
    assert (r.groups["b"].n, r.groups["b"].missing) == (0, 2)


def test_the_measures_read_a_materialised_table_of_plain_columns(
    stores: Stores, snapshot: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    measure = get_measure("padu-7")
    rules_sql = ibis.to_sql(deprivation_table(wh, cat, snapshot, measure), dialect="postgres")
    assert len(rules_sql) > 20_000  # the rules: what must not be repeated per column

    seen: list[str] = []

    def spy(table, *args, **kwargs):  # type: ignore[no-untyped-def]
        sql = ibis.to_sql(af_sums(table, *args, **kwargs), dialect="postgres")
        seen.append(sql)
        return alkire_foster(table, *args, **kwargs)

    monkeypatch.setattr(measure_snapshot, "alkire_foster", spy)
    result = mpi_snapshot(wh, cat, snapshot, measure, by="kecamatan")
    assert result.overall.n > 0 and len(result.groups) > 1
    (sql,) = seen
    assert "_padu_deprivasi_" in sql and "snapshot_id" not in sql
    assert len(sql) < len(rules_sql) / 4
    # the scratch block dropped the temporary table
    assert not any(t.startswith("_padu_deprivasi_") for t in wh.con.list_tables())

    with wh.scratch():
        narrow = deprivations(wh, cat, snapshot, measure, ["kode_kecamatan"])
        assert narrow.columns == (
            "kode_kecamatan",
            "_anggota",
            *(i.id for i in measure.indicators),
        )
        plain = ibis.to_sql(narrow, dialect="postgres")
        assert "CASE" not in plain and "_padu_deprivasi_" in plain
    assert sensitivity(wh, cat, snapshot, measure)[0]["n"] == result.overall.n


def _index_names(stores: Stores, table: str) -> set[str]:
    cur = stores.warehouse.con.raw_sql(
        f"SELECT indexname FROM pg_indexes WHERE tablename = '{table}'"  # noqa: S608 - a test
    )
    try:
        return {r[0] for r in cur.fetchall()}
    finally:
        cur.close()


def test_the_register_tables_carry_their_key_indexes_on_postgresql(
    stores: Stores, snapshot: int
) -> None:
    wh = stores.warehouse
    expected = {
        t: {index_name(t, cols) for cols in INDEXES[t]} for t in ("keluarga", "individu", "temuan")
    }
    if stores.backend != "postgres":
        return  # DuckDB: zone maps, no indexes (see padu.stores.warehouse.INDEXES)
    for table, names in expected.items():
        assert names <= _index_names(stores, table), table
    # a deployment from before the indexes gets them at its next write, once
    wh.con.raw_sql(f'DROP INDEX "{index_name("individu", INDEXES["individu"][1])}"').close()
    ensure_reference_tables(wh)
    ensure_reference_tables(wh)
    assert expected["individu"] <= _index_names(stores, "individu")
    # and the planner's statistics were refreshed by the import
    cur = wh.con.raw_sql("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
    analysed = {r[0] for r in cur.fetchall()}
    cur.close()
    assert {"keluarga", "individu", "temuan"} <= analysed


def test_an_index_name_fits_postgresqls_limit() -> None:
    long = index_name("t" * 40, ["kolom_yang_panjang_sekali", "dan_satu_lagi_yang_panjang"])
    assert len(long) <= 63 and long.endswith("_idx")
    assert long != index_name("t" * 40, ["kolom_yang_panjang_sekali", "dan_satu_lagi_lain"])
    assert index_name("keluarga", ["snapshot_id"]) == "keluarga_snapshot_id_idx"


def test_an_append_keeps_every_value_exactly(stores: Stores) -> None:
    wh = stores.warehouse
    schema = {
        "s": "string",
        "f": "float64",
        "b": "boolean",
        "d": "date",
        "ts": "timestamp",
        "i": "int64",
        "urut": "int64",
    }
    wh.ensure("nilai_sulit", schema)
    data = pa.table(
        {
            "s": ["", None, 'a"b', "x,y\nz", "\\.", "é 6501", " spasi "],
            "f": [0.1, None, 1e-300, 1 / 3, 2.5e20, -0.0, 123456789.123456789],
            "b": [True, False, None, True, False, None, True],
            "d": [
                dt.date(2026, 1, 23),
                None,
                dt.date(1900, 1, 1),
                dt.date(2999, 12, 31),
                dt.date(2000, 2, 29),
                None,
                dt.date(1970, 1, 1),
            ],
            "ts": [
                dt.datetime(2026, 1, 2, 3, 4, 5, 123456),
                None,
                dt.datetime(2026, 1, 1),
                None,
                None,
                None,
                dt.datetime(1999, 12, 31, 23, 59, 59),
            ],
            "i": [1, None, -(2**63), 2**63 - 1, 0, 7, None],
        }
    ).append_column("urut", pa.array(range(7), pa.int64()))
    wh.append("nilai_sulit", data)
    wh.append("nilai_sulit", data.slice(0, 0))  # nothing to write
    back = wh.table("nilai_sulit").order_by("urut").to_pyarrow()
    for name in data.column_names:
        assert back[name].to_pylist() == data[name].to_pylist(), name


def test_a_fetch_keeps_every_value_and_the_order(stores: Stores) -> None:
    # on PostgreSQL rows come by COPY ... TO STDOUT in CSV parsed by Arrow: NULL against
    # empty string, quotes, commas, line breaks, floats, dates and timestamps kept exactly
    wh = stores.warehouse
    strings = ["", None, 'a"b', "x,y\nz", "\\.", "é 6501", " spasi ", "t", "NULL"]
    n = len(strings)
    data = pa.table(
        {
            "s": strings,
            "f": [0.1, None, 1e-300, 1 / 3, 2.5e20, -0.0, float("inf"), -1e308, 5.0],
            "b": [True, False, None, True, False, None, True, None, False],
            "d": [
                dt.date(2026, 1, 23),
                None,
                dt.date(1900, 1, 1),
                dt.date(2999, 12, 31),
                dt.date(2000, 2, 29),
                None,
                dt.date(1970, 1, 1),
                None,
                dt.date(1, 1, 1),
            ],
            "ts": [
                dt.datetime(2026, 1, 2, 3, 4, 5, 123456),
                None,
                dt.datetime(2026, 1, 1),
                *([None] * (n - 4)),
                dt.datetime(1999, 12, 31, 23, 59, 59),
            ],
            "i": [1, None, -(2**63), 2**63 - 1, 0, 7, None, 3, -1],
            "urut": list(range(n)),
        }
    )
    t = wh.con.create_table("nilai_ambil", data)
    expr = t.mutate(j=t.urut.cast("int32")).order_by(t.urut.desc())
    got = wh.fetch(expr)
    assert got.schema == expr.schema().to_pyarrow()
    want = data.take(list(range(n - 1, -1, -1)))
    for name in data.column_names:
        assert got[name].to_pylist() == want[name].to_pylist(), name
    assert wh.fetch(expr.filter(expr.urut < 0)).num_rows == 0
    assert wh.fetch(expr.filter(expr.urut < 0)).schema == expr.schema().to_pyarrow()
    # a type CSV cannot carry exactly is fetched the ordinary way, with the same result
    tz = t.select(t.urut, w=t.ts.cast("timestamp('UTC')")).order_by("urut")
    assert wh.fetch(tz).to_pylist() == tz.to_pyarrow().to_pylist()


def test_postgresql_sessions_run_without_jit(stores: Stores) -> None:
    # JIT compiled the rules' thousands of CASE branches for longer than the query ran
    if stores.backend != "postgres":
        return
    cur = stores.warehouse.con.raw_sql("SHOW jit")
    assert cur.fetchone()[0] == "off"
    cur.close()


# -- the member rules: each condition once, no EXTRACT for ages, no regular expressions ----

AS_OF = [
    dt.date(2026, 1, 23),
    dt.date(2024, 2, 29),
    dt.date(2025, 2, 28),
    dt.date(2025, 3, 1),
    dt.date(2025, 12, 31),
    dt.date(2024, 1, 1),
]
AGE_RULES = [
    *(f"umur(tanggal_lahir) {op} {c}" for op in (">=", ">", "<", "<=", "=", "!=")
      for c in (0, 1, 7, 18, 60, 6.5, 10000)),
    "7 <= umur(tanggal_lahir)",
    "18 > umur(tanggal_lahir)",
    "umur(tanggal_lahir) >= -1",
    "umur(tanggal_lahir) >= 7 dan umur(tanggal_lahir) <= 18",
]  # fmt: skip


def _births(as_of: dt.date) -> list[dt.date | None]:
    """Birth dates on and around every age boundary the rules above test, leap days too."""
    out: list[dt.date | None] = [None]
    for years in (0, 1, 6, 7, 8, 17, 18, 19, 59, 60, 61):
        year = as_of.year - years
        for month, day in ((as_of.month, min(as_of.day, 28)), (2, 28), (3, 1), (1, 1), (12, 31)):
            base = dt.date(year, month, day)
            out += [base - dt.timedelta(days=1), base, base + dt.timedelta(days=1)]
        if year % 4 == 0:
            out.append(dt.date(year, 2, 29))
    out.append(as_of + dt.timedelta(days=400))  # born after the date: a negative age
    return out


def test_age_comparisons_by_date_match_the_computed_age(stores: Stores) -> None:
    from padu.rules.compiler import compile_member_rule, member_condition
    from tests.rule_reference import evaluate as reference

    con = stores.warehouse.con
    rules = {f"r{i}": compile_member_rule(text) for i, text in enumerate(AGE_RULES)}
    for n, as_of in enumerate(AS_OF):
        births = _births(as_of)
        data = pa.table({"urut": list(range(len(births))), "tanggal_lahir": births})
        t = con.create_table(f"lahir_{n}", data, overwrite=True)
        out = t.select("urut", **{k: member_condition(r, t, as_of) for k, r in rules.items()})
        got = out.order_by("urut").to_pyarrow().to_pylist()
        for row, born in zip(got, births, strict=True):
            for key, rule in rules.items():
                want = reference(rule.ast, {"tanggal_lahir": born}, [], as_of)
                assert row[key] == want, (rule.text, as_of, born)


def test_a_member_condition_is_evaluated_once_per_member() -> None:
    from padu.rules.compiler import _Emitter, compile_rule, evaluate

    kel = ibis.table({"nomor_kartu_keluarga": "string", "desil_nasional": "string"}, name="k")
    ind = ibis.table(
        {
            "nomor_kartu_keluarga": "string",
            "tanggal_lahir": "date",
            "partisipasi_sekolah": "string",
        },
        name="i",
    )
    rules = {
        "a": compile_rule(
            "ada anggota(umur(tanggal_lahir) >= 7 dan umur(tanggal_lahir) <= 18 "
            "dan partisipasi_sekolah != 2)"
        ),
        "b": compile_rule("semua anggota(umur(tanggal_lahir) < 16 atau partisipasi_sekolah = 1)"),
        "c": compile_rule("jumlah anggota(umur(tanggal_lahir) >= 60) >= 2"),
    }
    table, exprs = evaluate(rules, kel, ind, dt.date(2026, 1, 23))
    sql = ibis.to_sql(table.select(*exprs.values()), dialect="postgres")
    # one SUM per condition (it packs the true and the known counts), one COUNT(*) each
    assert sql.count("SUM(") == 3 and sql.count("COUNT(") == 3
    # ages compare the birth date with a fixed date (the 7th birthday's latest date)
    assert "EXTRACT" not in sql and ("MAKE_DATE(2019, 1, 23)" in sql or "2019-01-23" in sql)
    # on PostgreSQL a code's digits are checked without a regular expression
    digits = _Emitter(dt.date(2026, 1, 23), "postgres").digits(ind.partisipasi_sekolah)
    on_pg = ibis.to_sql(ind.select(d=digits), dialect="postgres")
    assert " ~ " not in on_pg and "TRANSLATE" in on_pg


def test_the_family_features_and_derived_fields_match_the_inline_rules(
    stores: Stores, snapshot: int
) -> None:
    # the features sum the score from materialised 0/1 indicator columns, and the
    # programmes' rules read the derived fields kept there: the same as evaluating inline
    from padu.programmes.targeting import _family_table, family_features
    from padu.register.snapshots import snapshot_table
    from padu.rules.compiler import compile_rule, evaluate

    wh, cat = stores.warehouse, stores.catalog
    snap = cat.snapshot(snapshot)
    kel = snapshot_table(wh, cat, snapshot, "keluarga")
    ind = snapshot_table(wh, cat, snapshot, "individu")
    measure = get_measure("padu-7")
    table, exprs = evaluate({i.id: i.rule for i in measure.indicators}, kel, ind, snap.tanggal)
    want = {
        r["kk"]: r
        for r in table.select(
            kk=table.nomor_kartu_keluarga,
            **{i.id: exprs[i.id].fill_null(False) for i in measure.indicators},
        )
        .to_pyarrow()
        .to_pylist()
    }
    feats = family_features(wh, cat, snapshot).to_pyarrow().to_pylist()
    assert len(feats) == len(want) > 0
    for row in feats:
        flags = want[row["nomor_kartu_keluarga"]]
        score = sum(i.weight for i in measure.indicators if flags[i.id])
        assert F(row["_score"], math.lcm(*(i.weight.denominator for i in measure.indicators))) == (
            score
        )
        assert row["deprivasi"] == "; ".join(i.id for i in measure.indicators if flags[i.id])
    rules = {
        "a": compile_rule("perkotaan atau jumlah_penghuni_rumah >= 6"),
        "b": compile_rule("bukan perkotaan dan luas_lantai / jumlah_penghuni_rumah < 8"),
    }
    inline_t, inline = evaluate(rules, kel, ind, snap.tanggal)
    kept_t, kept = evaluate(
        rules, _family_table(wh, cat, snapshot, rules.values()), ind, snap.tanggal
    )

    def rows(t: object, e: dict[str, object]) -> list[dict[str, object]]:
        out = t.select("nomor_kartu_keluarga", **e)  # type: ignore[attr-defined]
        return sorted(out.to_pyarrow().to_pylist(), key=lambda r: r["nomor_kartu_keluarga"])

    got, expected = rows(kept_t, kept), rows(inline_t, inline)
    assert got == expected
    assert {r["a"] for r in got} >= {True, False}
