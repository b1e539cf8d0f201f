"""The rule language: results equal an independent evaluation; errors are clear; fuzzing is safe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import ibis
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from padu.register.snapshots import level_schema, snapshot_table
from padu.rules import compile_rule, fields_used
from padu.rules.parser import RuleError
from padu.synth import SyntheticRegister
from tests.conftest import SNAPSHOT_DATE, Stores, import_args

AS_OF = SNAPSHOT_DATE


def _age(born: pl.Expr) -> pl.Expr:
    before = (born.dt.month() > AS_OF.month) | (
        (born.dt.month() == AS_OF.month) & (born.dt.day() > AS_OF.day)
    )
    return AS_OF.year - born.dt.year() - before.cast(pl.Int32)


def _desil() -> pl.Expr:
    return pl.col("desil_nasional").cast(pl.Int32, strict=False)


# rule -> the same condition written independently in Polars over the synthetic frames
CASES: list[tuple[str, object]] = [
    ("desil_nasional <= 4", lambda k, i: k.filter(_desil() <= 4)),
    (
        "desil <= 4".replace("desil", "desil_nasional") + " and pbi_nas",
        lambda k, i: k.filter((_desil() <= 4) & pl.col("pbi_nas")),
    ),
    (
        "tidak pbi_nas dan desil_nasional dalam [1, 2, 3]",
        lambda k, i: k.filter(~pl.col("pbi_nas") & (_desil() <= 3)),
    ),
    (
        "jenis_lantai_terluas dalam [7, 8] atau jenis_atap_terluas = 7",
        lambda k, i: k.filter(
            pl.col("jenis_lantai_terluas").is_in(["7", "8"]) | (pl.col("jenis_atap_terluas") == "7")
        ),
    ),
    ("desil_nasional kosong", lambda k, i: k.filter(pl.col("desil_nasional").is_null())),
    (
        "luas_lantai / jumlah_anggota_keluarga < 7.2",
        lambda k, i: k.filter(pl.col("luas_lantai") / pl.col("jumlah_anggota_keluarga") < 7.2),
    ),
    (
        "ada anggota(umur(tanggal_lahir) >= 60)",
        lambda k, i: k.filter(
            pl.col("nomor_kartu_keluarga").is_in(
                i.filter(_age(pl.col("tanggal_lahir")) >= 60)["nomor_kartu_keluarga"].implode()
            )
        ),
    ),
    (
        "any member(age(tanggal_lahir) >= 7 and age(tanggal_lahir) <= 15"
        " and partisipasi_sekolah != 2)",
        lambda k, i: k.filter(
            pl.col("nomor_kartu_keluarga").is_in(
                i.filter(
                    _age(pl.col("tanggal_lahir")).is_between(7, 15)
                    & (pl.col("partisipasi_sekolah") != "2")
                )["nomor_kartu_keluarga"].implode()
            )
        ),
    ),
    (
        "jumlah anggota() >= 5",
        lambda k, i: k.filter(
            pl.col("nomor_kartu_keluarga").is_in(
                i.group_by("nomor_kartu_keluarga")
                .len()
                .filter(pl.col("len") >= 5)["nomor_kartu_keluarga"]
                .implode()
            )
        ),
    ),
    (  # a member's blank status (children under 10 are not asked) leaves "all" unknown
        "semua anggota(status_bekerja != 1)",
        lambda k, i: k.filter(
            ~pl.col("nomor_kartu_keluarga").is_in(
                i.filter((pl.col("status_bekerja") == "1") | pl.col("status_bekerja").is_null())[
                    "nomor_kartu_keluarga"
                ].implode()
            )
        ),
    ),
    (  # ... unless the rule says what a skipped question means
        "semua anggota(umur(tanggal_lahir) < 10 atau status_bekerja != 1)",
        lambda k, i: k.filter(
            ~pl.col("nomor_kartu_keluarga").is_in(
                i.filter((_age(pl.col("tanggal_lahir")) >= 10) & (pl.col("status_bekerja") == "1"))[
                    "nomor_kartu_keluarga"
                ].implode()
            )
        ),
    ),
]


def test_rules_match_an_independent_evaluation(
    stores: Stores, snapshot: int, small_register: SyntheticRegister
) -> None:
    kel = snapshot_table(stores.warehouse, stores.catalog, snapshot, "keluarga")
    ind = snapshot_table(stores.warehouse, stores.catalog, snapshot, "individu")
    for text, reference in CASES:
        table, expr = compile_rule(text).to_ibis(kel, ind, AS_OF)
        got = set(
            table.filter(expr).select("nomor_kartu_keluarga").to_pyarrow().column(0).to_pylist()
        )
        want = set(
            reference(small_register.keluarga, small_register.individu)[
                "nomor_kartu_keluarga"
            ].to_list()
        )  # type: ignore[operator]
        assert got == want, text
        assert got, f"{text} should match someone in the synthetic register"


def test_fields_used_are_the_data_a_rule_needs() -> None:
    rule = "desil_nasional <= 4 dan ada anggota(umur(tanggal_lahir) < 7)"
    assert fields_used(rule) == {("keluarga", "desil_nasional"), ("individu", "tanggal_lahir")}


@pytest.mark.parametrize(
    ("text", "line", "col", "needle"),
    [
        ("desil_nasionl <= 4", 1, 1, "maksud Anda: desil_nasional"),
        ("desil_nasional <= 4 dan\n  jenis_lantai_terlas = 8", 2, 3, "jenis_lantai_terluas"),
        ("ada anggota(tanggal_lahir > 5)", 1, 13, "tanggal (tanggal_lahir) dengan angka (5)"),
        ("nama = 1", 1, 1, "kolom anggota"),
        ("desil_nasional <= ", 1, 19, "akhir aturan"),
        ("(desil_nasional <= 4", 1, 21, "')'"),
        ("foo(tanggal_lahir) > 3", 1, 1, "fungsi tidak dikenal"),
        ("desil_nasional", 1, 1, "benar/salah"),
        ("umur(desil_nasional) > 3", 1, 1, "membutuhkan tanggal"),
        ("pbi_nas + 1 > 2", 1, 1, "membutuhkan angka"),
        ("desil_nasional <= 4 #", 1, 21, "karakter tidak dikenal"),
        ("", 1, 1, "aturan kosong"),
    ],
)
def test_rule_errors_name_line_column_and_reason(
    text: str, line: int, col: int, needle: str
) -> None:
    with pytest.raises(RuleError) as info:
        compile_rule(text)
    assert (info.value.line, info.value.col) == (line, col)
    assert needle in info.value.message


def test_a_rule_that_matches_nobody_counts_zero(stores: Stores, snapshot: int) -> None:
    kel = snapshot_table(stores.warehouse, stores.catalog, snapshot, "keluarga")
    ind = snapshot_table(stores.warehouse, stores.catalog, snapshot, "individu")
    table, expr = compile_rule("desil_nasional > 10").to_ibis(kel, ind, AS_OF)
    assert table.filter(expr).count().to_pyarrow().as_py() == 0


WORDS = [
    "desil_nasional", "pbi_nas", "luas_lantai", "tanggal_lahir", "jenis_kelamin", "nama",
    "jenis_lantai_terluas", "dan", "atau", "tidak", "and", "or", "not", "dalam", "in", "kosong",
    "is", "null", "adalah", "ada", "semua", "jumlah", "anggota", "members", "umur", "tahun",
    "benar", "salah", "(", ")", "[", "]", ",", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/",
    "1", "4", "7.2", '"1"', '"2020-01-01"', "\n",
]  # fmt: skip


@pytest.fixture(scope="module")
def empty_tables() -> tuple[object, object]:
    con = ibis.duckdb.connect()
    kel = con.create_table("keluarga", schema=ibis.schema(level_schema("keluarga")))
    ind = con.create_table("individu", schema=ibis.schema(level_schema("individu")))
    return kel, ind


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.lists(st.sampled_from(WORDS), max_size=14).map(" ".join)))
def test_any_text_compiles_or_raises_a_rule_error(
    empty_tables: tuple[object, object], text: str
) -> None:
    try:
        rule = compile_rule(text)
    except RuleError as exc:
        assert exc.line >= 1 and exc.col >= 1
        return
    kel, ind = empty_tables
    table, expr = rule.to_ibis(kel, ind, dt.date(2026, 1, 1))
    assert table.filter(expr).count().to_pyarrow().as_py() == 0


def test_rule_explain_counts_each_clause_and_the_whole(
    stores: Stores, snapshot: int, small_register: SyntheticRegister
) -> None:
    from padu.rules.explain import explain

    kel = snapshot_table(stores.warehouse, stores.catalog, snapshot, "keluarga")
    ind = snapshot_table(stores.warehouse, stores.catalog, snapshot, "individu")
    text = "desil_nasional <= 4 dan ada anggota(umur(tanggal_lahir) < 7) dan tidak pbi_nas"
    e = explain(text, kel, ind, AS_OF)
    k, i = small_register.keluarga, small_register.individu
    young = set(i.filter(_age(pl.col("tanggal_lahir")) < 7)["nomor_kartu_keluarga"])
    low = set(k.filter(_desil() <= 4)["nomor_kartu_keluarga"])
    no_pbi = set(k.filter(~pl.col("pbi_nas"))["nomor_kartu_keluarga"])
    assert [c["families"] for c in e.clauses] == [len(low), len(young), len(no_pbi)]
    whole = low & young & no_pbi
    assert e.families == len(whole) > 0
    assert e.persons == i.filter(pl.col("nomor_kartu_keluarga").is_in(list(whole))).height
    assert e.fields == ["individu.tanggal_lahir", "keluarga.desil_nasional", "keluarga.pbi_nas"]
    assert explain("desil_nasional > 10", kel, ind, AS_OF).to_dict()["matches_nobody"] is True


def test_rule_explain_cli_without_and_with_snapshot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, small_files: Path
) -> None:
    import json

    from padu.cli import main

    home = tmp_path / "home"
    assert (
        main(["--json", "--home", str(home), "rule", "explain", "desil_nasional <= 2 or pbi_pemda"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["parsed"] == "((desil_nasional <= 2) or pbi_pemda)" and data["fields"] == [
        "keluarga.desil_nasional",
        "keluarga.pbi_pemda",
    ]
    main(import_args(home, small_files, "csv"))
    capsys.readouterr()
    assert (
        main(
            [
                "--json",
                "--home",
                str(home),
                "rule",
                "explain",
                "desil_nasional <= 2",
                "--snapshot",
                "latest",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out)["families"] > 0
    assert main(["--json", "--home", str(home), "rule", "explain", "desil_nasionl <= 2"]) == 1
    err = json.loads(capsys.readouterr().out)
    assert err["error"] == "RuleError" and err["line"] == 1 and "desil_nasional" in err["message"]
