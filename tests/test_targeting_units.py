"""Units of a target list: a person is listed and costed once, ties are broken by a keyed
hash that is the same on every engine, and a run leaves no temporary table behind."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import ibis
import polars as pl
import pyarrow as pa
import pytest

from padu import identifiers as ids
from padu.programmes import preset_workshop
from padu.programmes.model import Programme
from padu.programmes.targeting import KK, NIK, draw_target_list, tie_reference, tie_value
from padu.programmes.targeting import tie_digest as digest
from padu.register import import_register
from padu.stores import open_stores
from padu.synth import SyntheticRegister, write_register
from tests.conftest import SNAPSHOT_DATE, Stores, _fresh_pg_database

EVERYONE = Programme(
    code="SEMUA_ORANG",
    name="Semua orang",
    agency="DINSOS",
    dimensions=("pendapatan",),
    unit="individu",
    rule="benar",
    fiscal_year=2026,
    funding="APBD provinsi",
    unit_cost=100_000,
)


def _with_duplicates(reg: SyntheticRegister) -> tuple[SyntheticRegister, dict[str, str]]:
    """The register plus: a member repeated inside her family, a valid NIK given to a member
    of another family, two different members sharing the invalid NIK ``123`` and one of
    them repeated as an exact copy."""
    ind = reg.individu
    kks = reg.keluarga.get_column(KK).to_list()
    fam = [ind.filter(pl.col(KK) == kk) for kk in kks[:4]]
    inside = fam[0].row(0, named=True)
    across = fam[1].row(0, named=True)
    taken = fam[2].row(0, named=True)
    invalid = fam[3].head(2).with_columns(pl.lit("123").alias(NIK))
    ind = ind.with_columns(
        pl.when(pl.col(NIK) == taken[NIK])
        .then(pl.lit(across[NIK]))
        .otherwise(pl.col(NIK))
        .alias(NIK)
    )
    ind = ind.filter(~pl.col(NIK).is_in(fam[3].head(2).get_column(NIK).to_list()))
    extra = pl.concat([fam[0].head(1), invalid, invalid.head(1)])
    case = {"inside": inside[NIK], "across": across[NIK], "kk_across": taken[KK]}
    return SyntheticRegister(reg.keluarga, pl.concat([ind, extra])), case


def _persons(ind: pl.DataFrame) -> int:
    """The number of persons: distinct valid NIKs plus distinct other records."""
    checked = ind.with_columns(_p=ids.nik_problem(pl.col(NIK)))
    valid = checked.filter(pl.col("_p").is_null())
    other = checked.filter(pl.col("_p").is_not_null())
    return (
        valid.get_column(NIK).n_unique() + other.select(KK, NIK, "nama", "tanggal_lahir").n_unique()
    )


@pytest.fixture
def duplicated(stores: Stores, small_register: SyntheticRegister, tmp_path: Path):  # type: ignore[no-untyped-def]
    reg, case = _with_duplicates(small_register)
    folder = tmp_path / "dup"
    write_register(reg, folder, xlsx=False)
    snap = import_register(
        [folder / "keluarga.parquet", folder / "individu.parquet"],
        stores.warehouse,
        stores.catalog,
        snapshot_date=SNAPSHOT_DATE,
        rejects_dir=stores.home / "rejects",
        actor="penguji",
    ).snapshot
    return reg, case, snap


def test_person_lists_count_every_person_once(stores: Stores, duplicated) -> None:  # type: ignore[no-untyped-def]
    reg, case, snap = duplicated
    drawn = draw_target_list(stores.warehouse, stores.catalog, EVERYONE, 1, snap)
    rows = drawn.rows.to_pylist()
    persons = _persons(reg.individu)
    assert drawn.eligible == drawn.selected == len(rows) == persons < reg.individu.height
    assert drawn.cost == persons * 100_000
    niks = [r[NIK] for r in rows]
    assert niks.count(case["inside"]) == 1  # not 4 (2 copies x 2 in the join), not 2
    assert niks.count(case["across"]) == 1
    assert niks.count("123") == 2  # two different people who share an invalid NIK
    assert [r["peringkat"] for r in rows] == list(range(1, len(rows) + 1))
    dropped = drawn.duplicates.to_pylist()
    assert len(dropped) == reg.individu.height - persons
    assert any(d[NIK] == case["inside"] and d[KK] == d["kk_dipakai"] for d in dropped)
    # the copy kept of a NIK in two families is the better-ranked family's
    kept = next(r for r in rows if r[NIK] == case["across"])
    other = next(d for d in dropped if d[NIK] == case["across"])
    assert other["kk_dipakai"] == kept[KK] != other[KK]
    desil = dict(reg.keluarga.select(KK, "desil_nasional").iter_rows())
    assert int(desil[kept[KK]]) <= int(desil[other[KK]])
    summary = drawn.summary()
    assert summary["duplicates_dropped"] == len(dropped) and len(summary["duplicates"]) == 5
    shown = summary["duplicates"][0]
    assert shown["nik"] == ids.mask_nik(dropped[0][NIK]) != dropped[0][NIK]
    assert shown["kk"] == ids.mask_nik(dropped[0][KK]) != dropped[0][KK]
    assert all(d[KK] not in json.dumps(summary) for d in dropped)  # nor in the audit log
    again = draw_target_list(stores.warehouse, stores.catalog, EVERYONE, 1, snap)
    assert again.hash == drawn.hash and again.duplicates.equals(drawn.duplicates)


def test_quota_counts_persons_not_rows(stores: Stores, duplicated) -> None:  # type: ignore[no-untyped-def]
    reg, case, snap = duplicated
    member = reg.individu.filter(pl.col(NIK) == case["inside"]).row(0, named=True)
    only = dataclasses.replace(
        EVERYONE, rule=f'nomor_kartu_keluarga = "{member[KK]}"', quota=None, budget=None
    )
    drawn = draw_target_list(stores.warehouse, stores.catalog, only, 1, snap)
    family = reg.individu.filter(pl.col(KK) == member[KK])
    assert drawn.selected == family.height - 1 == len(set(drawn.rows.column(NIK).to_pylist()))
    assert drawn.duplicates.column(NIK).to_pylist() == [case["inside"]]


def test_tie_break_is_keyed_and_the_same_on_every_engine(stores: Stores) -> None:
    keys = [f"65{i:014d}" for i in range(3000)]
    t = ibis.memtable(pa.table({"k": keys}))
    expr = t.select(
        t.k, a=tie_value(digest(t.k, "PKH")), b=tie_value(digest(t.k, "SEMBAKO"))
    ).order_by("k")
    got = stores.warehouse.con.to_pyarrow(expr).to_pydict()
    assert got["a"] == [tie_reference(k, "PKH") for k in keys]  # DuckDB and PostgreSQL alike
    assert got["b"] == [tie_reference(k, "SEMBAKO") for k in keys]
    rho = _spearman(got["a"], got["b"])
    assert abs(rho) < 0.1, rho
    # the key itself carries no order either (the old salted tail kept consecutive keys close)
    assert abs(_spearman(list(range(len(keys))), got["a"])) < 0.1


def _spearman(xs: list[int], ys: list[int]) -> float:
    def ranks(v: list[int]) -> list[int]:
        order = sorted(range(len(v)), key=v.__getitem__)
        out = [0] * len(v)
        for r, i in enumerate(order):
            out[i] = r
        return out

    rx, ry, n = ranks(xs), ranks(ys), len(xs)
    d2 = sum((a - b) ** 2 for a, b in zip(rx, ry, strict=True))
    return 1 - 6 * d2 / (n * (n * n - 1))


def _temp_tables(stores: Stores) -> int:
    if stores.backend == "duckdb":
        sql = "SELECT count(*) FROM duckdb_tables() WHERE temporary"
    else:
        sql = "SELECT count(*) FROM pg_tables WHERE schemaname LIKE 'pg_temp%'"
    return int(stores.warehouse.con.sql(sql).to_pyarrow().column(0)[0].as_py())


def test_runs_leave_no_temporary_tables(stores: Stores, snapshot: int) -> None:
    wh, cat = stores.warehouse, stores.catalog
    before = _temp_tables(stores)
    programmes = preset_workshop().programmes[:3]
    with wh.scratch():
        for p in programmes:
            draw_target_list(wh, cat, p, 1, snapshot)
    assert _temp_tables(stores) == before
    draw_target_list(wh, cat, programmes[0], 1, snapshot)
    after_one = _temp_tables(stores)  # the snapshot's Padu-7 features, kept for reuse
    assert after_one <= before + 1
    for _ in range(3):
        for p in programmes[:2]:
            drawn = draw_target_list(wh, cat, p, 1, snapshot)
    assert _temp_tables(stores) == after_one
    assert drawn.rows.num_rows == drawn.selected  # the rows outlive the run's tables


@pytest.mark.postgres
def test_lists_are_the_same_on_duckdb_and_postgres(
    pg_url: str, small_files: Path, tmp_path: Path
) -> None:
    urls = [
        (f"duckdb://{tmp_path / 'w.duckdb'}", f"sqlite:///{tmp_path / 'c.sqlite'}"),
        (_fresh_pg_database(pg_url),) * 2,
    ]
    presets = {p.code: p for p in preset_workshop().programmes}
    cut = [dataclasses.replace(presets[c], quota=q) for c, q in (("RTLH", 40), ("PBI-PEMDA", 90))]
    lists = []
    for wurl, curl in urls:
        wh, cat = open_stores(wurl, curl)
        try:
            snap = import_register(
                [small_files / "keluarga.parquet", small_files / "individu.parquet"],
                wh,
                cat,
                snapshot_date=SNAPSHOT_DATE,
                rejects_dir=tmp_path / "rejects",
                actor="penguji",
            ).snapshot
            drawn = [draw_target_list(wh, cat, p, 1, snap) for p in cut]
            lists.append([(d.eligible, d.rows.select(_keys(d.programme))) for d in drawn])
        finally:
            wh.close()
            cat.close()
    for (n_duck, duck), (n_pg, pg) in zip(*lists, strict=True):
        assert n_duck == n_pg > duck.num_rows > 0
        assert duck.to_pylist() == pg.to_pylist()  # same units in the same order
        classes = [(r["desil_nasional"], r["skor_deprivasi"]) for r in duck.to_pylist()]
        assert len(set(classes)) < len(classes)  # ties that only the tie-break ordered


def _keys(programme: Programme) -> list[str]:
    keys = ["peringkat", KK, "desil_nasional", "skor_deprivasi"]
    return keys + ([NIK] if programme.unit == "individu" else [])
