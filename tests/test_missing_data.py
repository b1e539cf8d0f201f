"""One meaning for missing data: blank member fields, families without members and
arithmetic faults are "unknown" on DuckDB, on PostgreSQL and in the reference evaluator,
and the measures and the data-needs report count those families."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from padu.rules import CompiledRule, compile_rule
from padu.rules.compiler import evaluate
from padu.rules.parser import RuleError, parse
from padu.synth import SyntheticRegister
from tests.conftest import SNAPSHOT_DATE, Stores, engine_tables
from tests.rule_reference import evaluate as reference
from tests.rule_reference import with_derived

AS_OF = dt.date(2026, 1, 23)
KK = "nomor_kartu_keluarga"


def _engine(
    stores: Stores, rules: list[str], families: list[dict[str, Any]], members: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """{rule: {KK: True/False/None or a number}} as the warehouse engine evaluates it."""
    kel, ind = engine_tables(stores, families, members)
    # counts are not rules: compiled without the check that a rule is true/false
    compiled = {f"r{i}": CompiledRule(text, parse(text)) for i, text in enumerate(rules)}
    try:
        table, exprs = evaluate(compiled, kel, ind, AS_OF)
        rows = table.select(KK, **exprs).to_pyarrow().to_pylist()
    finally:
        for t in (kel, ind):  # a Hypothesis run makes hundreds
            stores.warehouse.con.drop_table(t.op().name, force=True)
    return {text: {r[KK]: r[f"r{i}"] for r in rows} for i, text in enumerate(rules)}


def _reference(
    rules: list[str], families: list[dict[str, Any]], members: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    by_family: dict[str, list[dict[str, Any]]] = {}
    for m in members:
        by_family.setdefault(m[KK], []).append(m)
    return {
        text: {f[KK]: reference(parse(text), f, by_family.get(f[KK], []), AS_OF) for f in families}
        for text in rules
    }


ADULT, CHILD = dt.date(1980, 5, 1), dt.date(2023, 3, 1)
FAMILIES = [
    # every member's work status blank, nobody known to work
    {KK: "blank", "luas_lantai": 36.0, "jumlah_anggota_keluarga": 2, "desil_nasional": "2"},
    # one member works, one is blank: "any works" is decided, "all work" is not
    {KK: "mixed", "luas_lantai": 30.0, "jumlah_anggota_keluarga": 2, "desil_nasional": "3"},
    # no member rows and a declared size of 0 (accepted at import with a quality finding)
    {KK: "empty", "luas_lantai": 20.0, "jumlah_anggota_keluarga": 0, "desil_nasional": "1"},
    # every value known
    {KK: "known", "luas_lantai": 10.0, "jumlah_anggota_keluarga": 2, "desil_nasional": "5"},
    # a floor area far beyond float64 once multiplied
    {KK: "huge", "luas_lantai": 1e100, "jumlah_anggota_keluarga": 1, "desil_nasional": "4"},
    # a child not asked about work (the questionnaire's skip rule leaves it blank)
    {KK: "skip", "luas_lantai": 12.0, "jumlah_anggota_keluarga": 2, "desil_nasional": "6"},
]
MEMBERS = [
    {KK: "blank", "tanggal_lahir": ADULT, "status_bekerja": None, "kepemilikan_usaha": None},
    {KK: "blank", "tanggal_lahir": ADULT, "status_bekerja": None, "kepemilikan_usaha": None},
    {KK: "mixed", "tanggal_lahir": ADULT, "status_bekerja": "1", "kepemilikan_usaha": True},
    {KK: "mixed", "tanggal_lahir": None, "status_bekerja": None, "kepemilikan_usaha": None},
    {KK: "known", "tanggal_lahir": ADULT, "status_bekerja": "2", "kepemilikan_usaha": False},
    {KK: "known", "tanggal_lahir": CHILD, "status_bekerja": "2", "kepemilikan_usaha": False},
    {KK: "huge", "tanggal_lahir": ADULT, "status_bekerja": "1", "kepemilikan_usaha": True},
    {KK: "skip", "tanggal_lahir": ADULT, "status_bekerja": "2", "kepemilikan_usaha": False},
    {KK: "skip", "tanggal_lahir": CHILD, "status_bekerja": None, "kepemilikan_usaha": None},
]
# rule -> the value of every family: the truth table of docs/measures.md
EXPECTED: dict[str, dict[str, Any]] = {
    "ada anggota(status_bekerja = 1)": {
        "blank": None, "mixed": True, "empty": False, "known": False, "huge": True, "skip": None,
    },
    "semua anggota(status_bekerja = 1)": {
        "blank": None, "mixed": None, "empty": True, "known": False, "huge": True, "skip": False,
    },
    "semua anggota(status_bekerja = 2)": {
        "blank": None, "mixed": False, "empty": True, "known": True, "huge": False, "skip": None,
    },
    "jumlah anggota(status_bekerja = 1)": {
        "blank": None, "mixed": None, "empty": 0, "known": 0, "huge": 1, "skip": None,
    },
    "jumlah anggota()": {
        "blank": 2, "mixed": 2, "empty": 0, "known": 2, "huge": 1, "skip": 2,
    },
    "tidak ada anggota(status_bekerja = 1)": {
        "blank": None, "mixed": False, "empty": True, "known": True, "huge": False, "skip": None,
    },
    # a known false decides a conjunction: the child's blank cannot matter
    "ada anggota(umur(tanggal_lahir) >= 15 dan status_bekerja = 1)": {
        "blank": None, "mixed": True, "empty": False, "known": False, "huge": True, "skip": False,
    },
    "luas_lantai / jumlah_anggota_keluarga < 7.2": {
        "blank": False, "mixed": False, "empty": None, "known": True, "huge": False, "skip": True,
    },
    "luas_lantai / (jumlah anggota() - 2) > 0": {
        "blank": None, "mixed": None, "empty": False, "known": None, "huge": False, "skip": None,
    },
    "luas_lantai * luas_lantai > 1": {
        "blank": True, "mixed": True, "empty": True, "known": True, "huge": None, "skip": True,
    },
    "jumlah_ya(ada anggota(kepemilikan_usaha), desil_nasional <= 3) >= 1": {
        "blank": None, "mixed": True, "empty": True, "known": False, "huge": True, "skip": None,
    },
}  # fmt: skip


def test_blank_members_empty_families_and_faults_on_every_engine(stores: Stores) -> None:
    rules = list(EXPECTED)
    got = _engine(stores, rules, FAMILIES, MEMBERS)
    want = _reference(rules, FAMILIES, MEMBERS)
    for text in rules:
        assert got[text] == EXPECTED[text], text
        assert want[text] == EXPECTED[text], text


def test_rule_explain_counts_the_families_a_clause_cannot_decide(stores: Stores) -> None:
    from padu.rules.explain import explain

    kel, ind = engine_tables(stores, FAMILIES, MEMBERS)
    text = "ada anggota(status_bekerja = 1) dan luas_lantai / jumlah_anggota_keluarga < 20"
    e = explain(text, kel, ind, AS_OF).to_dict()
    # ada: blank, skip unknown; the division: empty unknown; the whole rule: blank, skip,
    # and "empty" is false (no members: nobody works)
    assert [c["undecidable"] for c in e["clauses"]] == [2, 1]
    assert (e["families"], e["undecidable"]) == (1, 2)  # "mixed": 15 m2 a person, a worker
    assert explain("benar", kel, ind, AS_OF).families == len(FAMILIES)


def test_a_number_beyond_the_range_is_a_positioned_rule_error() -> None:
    with pytest.raises(RuleError) as info:
        compile_rule("luas_lantai < 1" + "0" * 130)
    assert (info.value.line, info.value.col) == (1, 15)
    assert "terlalu besar" in info.value.message
    # beyond int64 but in range: compared as a float, no engine error
    assert compile_rule("luas_lantai < 100000000000000000000000").fields


# -- engine == reference on random rules over random data with blanks ----------------------

CODES = st.sampled_from([None, "1", "2", "3", "10", "X"])
FAMILY = st.fixed_dictionaries(
    {
        "luas_lantai": st.sampled_from([None, 0.0, -3.5, 7.2, 36.0, 1e100, 1e-100]),
        "jumlah_anggota_keluarga": st.sampled_from([None, 0, 1, 5]),
        "desil_nasional": CODES,
        "pbi_nas": st.sampled_from([None, True, False]),
        "pbi_pemda": st.sampled_from([None, True, False]),
    }
)
MEMBER = st.fixed_dictionaries(
    {
        "tanggal_lahir": st.sampled_from([None, ADULT, CHILD, dt.date(1950, 1, 23)]),
        "status_bekerja": CODES,
        "partisipasi_sekolah": CODES,
        "jumlah_usaha": st.sampled_from([None, 0, 2]),
        "kepemilikan_usaha": st.sampled_from([None, True, False]),
    }
)


def _numbers(fields: list[str], inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from([*fields, "0", "2", "7.2", "1" + "0" * 90]), inner)
    return st.recursive(
        leaf,
        lambda e: st.tuples(e, st.sampled_from(["+", "-", "*", "/"]), e).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        max_leaves=4,
    )


def _conditions(atoms: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.recursive(
        atoms,
        lambda c: st.one_of(
            c.map(lambda x: f"tidak ({x})"),
            st.tuples(c, st.sampled_from(["dan", "atau"]), c).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"
            ),
        ),
        max_leaves=4,
    )


COMPARE = st.sampled_from(["=", "!=", "<", ">="])
MEMBER_NUM = _numbers(["jumlah_usaha", "umur(tanggal_lahir)", "status_bekerja"], st.nothing())
MEMBER_COND = _conditions(
    st.one_of(
        st.tuples(MEMBER_NUM, COMPARE, MEMBER_NUM).map(" ".join),
        st.sampled_from(
            [
                "kepemilikan_usaha",
                "status_bekerja = 1",
                "partisipasi_sekolah dalam [1, 3]",
                "status_bekerja kosong",
                "partisipasi_sekolah != status_bekerja",
            ]
        ),
    )
)
AGGREGATE = st.one_of(
    st.tuples(st.sampled_from(["ada", "semua"]), MEMBER_COND).map(
        lambda t: f"{t[0]} anggota({t[1]})"
    ),
)
FAMILY_NUM = _numbers(
    ["luas_lantai", "jumlah_anggota_keluarga", "desil_nasional", "jumlah anggota()"],
    st.one_of(
        MEMBER_COND.map(lambda c: f"jumlah anggota({c})"),
        st.just("jumlah_ya(pbi_nas, pbi_pemda, ada anggota(kepemilikan_usaha))"),
    ),
)
FAMILY_RULE = _conditions(
    st.one_of(
        st.tuples(FAMILY_NUM, COMPARE, FAMILY_NUM).map(" ".join),
        AGGREGATE,
        st.sampled_from(["pbi_nas", "desil_nasional dalam [1, 2]", "luas_lantai kosong"]),
    )
)


@settings(
    max_examples=int(os.environ.get("PADU_WIDE_SEARCH", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    # the same examples on every run, so CI is reproducible; PADU_WIDE_SEARCH=N runs a
    # random search of N examples (one found that the reference compared 10^90 as an exact
    # integer where the engines hold a float64; the reference now does as the engines do)
    derandomize=os.environ.get("PADU_WIDE_SEARCH") is None,
)
@given(
    families=st.lists(FAMILY, min_size=1, max_size=6),
    sizes=st.lists(st.integers(0, 3), min_size=6, max_size=6),
    pool=st.lists(MEMBER, min_size=18, max_size=18),
    rules=st.lists(FAMILY_RULE, min_size=1, max_size=4),
)
def test_random_rules_equal_the_reference_with_blanks_and_empty_families(
    stores: Stores,
    families: list[dict[str, Any]],
    sizes: list[int],
    pool: list[dict[str, Any]],
    rules: list[str],
) -> None:
    fams = [{**f, KK: f"kk{i}"} for i, f in enumerate(families)]
    members = [{**pool[i * 3 + j], KK: f"kk{i}"} for i in range(len(fams)) for j in range(sizes[i])]
    got, want = _engine(stores, rules, fams, members), _reference(rules, fams, members)
    for text in rules:
        for kk, value in want[text].items():
            assert got[text][kk] == value, (text, kk, got[text][kk])


# -- the measures and the data-needs report count these families --------------------------


@pytest.fixture
def gappy(stores: Stores, small_register: SyntheticRegister, tmp_path: Path) -> tuple[int, Any]:
    """The small register with blanks and an empty family, imported; (snapshot, frames)."""
    import polars as pl

    from padu.register import import_register
    from padu.synth import write_register

    kel, ind = small_register.keluarga, small_register.individu
    sizes = ind.group_by(KK).len()
    big = sizes.filter(pl.col("len") >= 2).sort(KK)[KK].to_list()
    blank, empty = big[0], big[1]  # every work and illness answer blank / no members at all
    ind = ind.filter(pl.col(KK) != empty).with_columns(
        *[
            pl.when(pl.col(KK) == blank).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("status_bekerja", "penyakit_kronis")
        ]
    )
    kel = kel.with_columns(
        jumlah_anggota_keluarga=pl.when(pl.col(KK) == empty)
        .then(0)
        .otherwise(pl.col("jumlah_anggota_keluarga")),
        desil_nasional=pl.when(pl.col(KK) == empty)  # poor: admitted by most programmes
        .then(pl.lit("1"))
        .otherwise(pl.col("desil_nasional")),
    )
    write_register(SyntheticRegister(kel, ind, small_register.ground_truth), tmp_path / "r", False)
    snap = import_register(
        [tmp_path / "r" / "keluarga.parquet", tmp_path / "r" / "individu.parquet"],
        stores.warehouse,
        stores.catalog,
        snapshot_date=SNAPSHOT_DATE,
        rejects_dir=tmp_path / "rejects",
        actor="penguji",
    ).snapshot
    if stores.backend == "postgres":  # fresh statistics: without them one query takes 30 s
        for table in ("keluarga", "individu"):
            stores.warehouse.con.raw_sql(f"ANALYZE {table}").close()
    return snap, (kel, ind, blank, empty)


def _reference_values(rule: str, kel: Any, ind: Any) -> dict[str, Any]:
    members: dict[str, list[dict[str, Any]]] = {}
    for m in ind.iter_rows(named=True):
        members.setdefault(m[KK], []).append(m)
    tree = parse(rule)
    families = with_derived(list(kel.iter_rows(named=True)), list(ind.iter_rows(named=True)))
    return {
        kk: reference(tree, f, members.get(kk, []), SNAPSHOT_DATE) for kk, f in families.items()
    }


def test_mpi_counts_member_unknown_and_fault_families_as_missing(
    stores: Stores, gappy: tuple[int, Any]
) -> None:
    from padu.measure.measures import get_measure
    from padu.measure.snapshot import mpi_snapshot

    snap, (kel, ind, blank, empty) = gappy
    m = get_measure("padu-7")
    values = {i.id: _reference_values(i.rule.text, kel, ind) for i in m.indicators}
    unknown = {kk for v in values.values() for kk, x in v.items() if x is None}
    assert values["lantai_sempit"][empty] is None  # floor area / 0 members
    assert values["penyakit_katastropik"][blank] is None  # every illness answer blank
    assert values["tanpa_pekerja"][empty] is False  # no members: nobody of working age
    assert {blank, empty} <= unknown
    wh, cat = stores.warehouse, stores.catalog
    excluded = mpi_snapshot(wh, cat, snap, m, by=None).overall
    assert excluded.missing == len(unknown)
    assert excluded.n == kel.height - len(unknown)
    for policy in ("not_deprived", "deprived"):
        kept = mpi_snapshot(wh, cat, snap, m, by=None, missing=policy).overall  # type: ignore[arg-type]
        assert (kept.n, kept.missing) == (kel.height, len(unknown))
    worst = mpi_snapshot(wh, cat, snap, m, by=None, missing="deprived").overall
    best = mpi_snapshot(wh, cat, snap, m, by=None, missing="not_deprived").overall
    assert worst.q >= best.q


def test_needs_counts_families_a_rule_cannot_decide(stores: Stores, gappy: tuple[int, Any]) -> None:
    from padu.programmes.model import Programme
    from padu.programmes.needs import data_needs

    snap, (kel, ind, blank, empty) = gappy
    rules = {
        "SESAK": "luas_lantai / jumlah_anggota_keluarga < 7.2",
        "TANPAKERJA": "tidak ada anggota(status_bekerja = 1)",  # negated: Ibis's NOT IS NULL
        "SAKIT": "desil_nasional <= 5 dan ada anggota(penyakit_kronis != 1)",
    }
    programmes = [
        Programme(code, code, "DINSOS", ("kesehatan",), "keluarga", rule, 2026, "APBD")
        for code, rule in rules.items()
    ]
    got = {
        p["code"]: p["undecidable"]
        for p in data_needs(stores.warehouse, stores.catalog, snap, programmes)["programmes"]
    }
    values = {code: _reference_values(rule, kel, ind) for code, rule in rules.items()}
    assert values["SESAK"][empty] is None and values["TANPAKERJA"][blank] is None
    assert got == {code: list(v.values()).count(None) for code, v in values.items()}


def test_needs_counts_members_a_member_rule_cannot_decide(
    stores: Stores, gappy: tuple[int, Any]
) -> None:
    from padu.programmes.model import Programme
    from padu.programmes.needs import data_needs

    snap, (_kel, ind, _blank, _empty) = gappy
    member_rule = "umur(tanggal_lahir) >= 18 dan status_bekerja = 2"
    person = Programme(
        "LATIH", "LATIH", "DISNAKER", ("pekerjaan",), "individu", "benar", 2026, "APBD",
        member_rule=member_rule,
    )  # fmt: skip
    got = data_needs(stores.warehouse, stores.catalog, snap, [person])["programmes"][0]
    tree = parse(member_rule)
    rows = ind.iter_rows(named=True)
    unknown = [m for m in rows if reference(tree, m, [], SNAPSHOT_DATE) is None]
    assert unknown  # the gappy register has members with blank work answers
    assert got["undecidable_members"] == len(unknown)


def test_every_preset_list_draws_on_a_register_with_an_empty_family(
    stores: Stores, gappy: tuple[int, Any]
) -> None:
    """The ranking reads Padu-7, whose crowding indicator divides by the family size: on
    PostgreSQL a family recorded with 0 members used to abort every target list."""
    import dataclasses

    from padu.programmes import preset_workshop
    from padu.programmes.targeting import draw_target_list

    snap, (kel, ind, _blank, empty) = gappy
    for programme in preset_workshop().programmes:
        free = dataclasses.replace(programme, budget=None, quota=None)
        drawn = draw_target_list(stores.warehouse, stores.catalog, free, 1, snap)
        want = {kk for kk, v in _reference_values(programme.rule, kel, ind).items() if v is True}
        if programme.unit == "keluarga":
            assert set(drawn.rows.column(KK).to_pylist()) == want, programme.code
            if programme.code == "SEMBAKO":  # desil <= 5: ranked with Padu-7's crowding
                assert empty in want, programme.code
