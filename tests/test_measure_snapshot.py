"""Measures on a register snapshot: presets, checks, engine results, sensitivity, change, CLI."""

from __future__ import annotations

import json
from fractions import Fraction as F
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from padu.cli import main
from padu.errors import ImportRejected
from padu.measure.measures import get_measure, load_measure, preset_ids
from padu.measure.snapshot import (
    change,
    deprivation_table,
    mpi_snapshot,
    possible_scores,
    sensitivity,
)
from padu.register import import_register
from padu.synth import SyntheticRegister
from tests.conftest import SNAPSHOT_DATE, Stores, import_args
from tests.test_measure_af import _reference


def test_every_preset_parses_with_weights_summing_to_one() -> None:
    assert {"padu-7", "global-mpi"} <= set(preset_ids())
    for pid in preset_ids():
        m = get_measure(pid)
        assert sum(i.weight for i in m.indicators) == 1
        assert all(i.rule.fields for i in m.indicators)
    padu7 = get_measure("padu-7")
    assert len(padu7.dimensions) == 7 and 12 <= len(padu7.indicators) <= 16
    assert set(padu7.dimension_weights().values()) == {F(1, 7)}
    assert get_measure("global-mpi").not_expressible


def test_a_bad_measure_file_reports_every_problem_at_once() -> None:
    text = """
id: rusak
label_id: Rusak
label_en: Broken
dimensions: [{id: a, label_id: A, label_en: A}]
indicators:
  - {id: x, dimension: a, weight: 1/2, label_id: X, label_en: X, rule: desl_nasional <= 4}
  - {id: y, dimension: b, weight: 1/2, label_id: Y, label_en: Y, rule: "desil_nasional <= 4"}
  - {id: z, dimension: a, weight: nol, label_id: Z, label_en: Z,
     rule: "ada anggota(tanggal_lahir > 5)"}
"""
    with pytest.raises(ImportRejected) as info:
        load_measure(text, "rusak.yaml")
    reasons = " | ".join(p.describe() for p in info.value.problems)
    assert "maksud Anda: desil_nasional" in reasons
    assert "dimensi tidak ada" in reasons
    assert "bobot harus" in reasons
    assert "tanggal (tanggal_lahir) dengan angka (5)" in reasons
    assert len(info.value.problems) == 4


def test_mpi_on_a_snapshot_equals_the_reference_on_its_deprivation_matrix(
    stores: Stores, snapshot: int
) -> None:
    m = get_measure("padu-7")
    table = deprivation_table(stores.warehouse, stores.catalog, snapshot, m)
    rows = table.to_pyarrow().to_pylist()
    ids = [i.id for i in m.indicators]
    matrix = [[r[i] for i in ids] for r in rows]
    groups = [r["kode_kabupaten_kota"] for r in rows]
    want = _reference(matrix, groups, [i.weight for i in m.indicators], m.k)
    got = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by="kabupaten")
    assert (got.overall.H, got.overall.A, got.overall.M0) == want["*"]
    for g, res in got.groups.items():
        assert (res.H, res.A, res.M0) == want[g]
    assert 0 < got.overall.H < 1
    assert got.overall.missing == sum(1 for r in matrix if None in r)


def test_person_based_figures_count_members(stores: Stores, snapshot: int) -> None:
    m = get_measure("padu-7")
    fam = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by=None)
    per = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by=None, person=True)
    assert per.overall.n > fam.overall.n
    by_desil = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by="desil_nasional")
    assert by_desil.groups["1"].H > by_desil.groups["10"].H


def test_sensitivity_covers_every_possible_cutoff(stores: Stores, snapshot: int) -> None:
    m = get_measure("padu-7")
    rows = sensitivity(stores.warehouse, stores.catalog, snapshot, m)
    assert [r["k"] for r in rows] == possible_scores(m)
    assert rows[-1]["k"] == 1
    hs = [r["H"] for r in rows]
    assert hs == sorted(hs, reverse=True)  # raising k never adds poor units
    at_k = next(r for r in rows if r["k"] == m.k)
    direct = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by=None).overall
    assert (at_k["H"], at_k["A"], at_k["M0"]) == (direct.H, direct.A, direct.M0)


def test_change_between_snapshots(
    stores: Stores, snapshot: int, small_register: SyntheticRegister, tmp_path: Path
) -> None:
    import polars as pl

    from padu.synth import write_register

    m = get_measure("padu-7")
    poorer = small_register.keluarga.with_columns(
        desil_nasional=pl.when(pl.col("kode_kabupaten_kota") == "6571")
        .then(pl.lit("1"))
        .otherwise(pl.col("desil_nasional"))
    )
    write_register(
        SyntheticRegister(poorer, small_register.individu, small_register.ground_truth),
        tmp_path / "b",
        xlsx=False,
    )
    later = import_register(
        [tmp_path / "b" / "keluarga.parquet", tmp_path / "b" / "individu.parquet"],
        stores.warehouse,
        stores.catalog,
        snapshot_date=SNAPSHOT_DATE,
        rejects_dir=stores.home / "rejects",
        actor="penguji",
    ).snapshot
    moved = {
        r["group"]: r for r in change(stores.warehouse, stores.catalog, snapshot, later, m)["rows"]
    }
    assert moved["65.71"]["H_perubahan"] > 0 and moved["65.71"]["ch_desil_1_4_perubahan"] > 0
    assert moved["65.01"]["M0_perubahan"] == 0  # untouched kabupaten
    same = change(stores.warehouse, stores.catalog, snapshot, snapshot, m)
    assert all(r["M0_perubahan"] == 0 for r in same["rows"])
    assert all(r["ch_desil_1_4_perubahan"] == 0 for r in same["rows"])
    assert {r["group"] for r in same["rows"]} == {
        "keseluruhan",
        "65.01",
        "65.02",
        "65.03",
        "65.04",
        "65.71",
    }


def test_mpi_cli_formats(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, small_files: Path
) -> None:
    home = tmp_path / "home"
    assert main(import_args(home, small_files, "csv")) == 0
    capsys.readouterr()
    assert (
        main(["--home", str(home), "--json", "mpi", "--snapshot", "latest", "--by", "kecamatan"])
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["measure"] == "padu-7" and data["k"] == "1/3"
    assert {"H", "A", "M0", "censored", "contribution"} <= set(data["overall"])
    assert all(g.count(".") == 2 for g in data["groups"])  # kecamatan codes
    assert abs(sum(data["dimension_contribution"]["overall"].values()) - 1) < 1e-9
    absolute = data["dimension_contribution_absolute"]["overall"]
    assert abs(sum(absolute.values()) - data["overall"]["M0"]) < 1e-9
    out = tmp_path / "mpi.xlsx"
    assert (
        main(
            [
                "--home",
                str(home),
                "mpi",
                "--snapshot",
                "1",
                "--measure",
                "global-mpi",
                "--format",
                "xlsx",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[2][:3] == ["Kelompok", "Nama", "Keluarga"] and rows[3][0] == "keseluruhan"
    capsys.readouterr()
    assert (
        main(
            [
                "--home",
                str(home),
                "mpi",
                "--snapshot",
                "1",
                "--format",
                "csv",
                "--by",
                "desil_nasional",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out.startswith("Kelompok,Nama,Keluarga,Miskin multidimensi")
    assert main(["--home", str(home), "mpi", "--snapshot", "1", "--by", "tidak_ada"]) == 2
    assert main(["--home", str(home), "--json", "measure", "list"]) == 0
    assert {m["id"] for m in json.loads(capsys.readouterr().out.splitlines()[-1])["measures"]} >= {
        "padu-7",
        "global-mpi",
    }


def test_user_measures_are_saved_with_every_version(stores: Stores, tmp_path: Path) -> None:
    from importlib import resources

    from padu.measure.measures import save_measure

    base = (
        resources.files("padu")
        .joinpath("data", "measures", "padu-7.yaml")
        .read_text(encoding="utf-8")
    )
    mine = tmp_path / "uji.yaml"
    mine.write_text(base.replace("id: padu-7", "id: kaltara-uji"), encoding="utf-8")
    assert save_measure(mine, stores.catalog, actor="penguji")[1] == 1
    mine.write_text(
        base.replace("id: padu-7", "id: kaltara-uji").replace("k: 1/3", "k: 1/2"), encoding="utf-8"
    )
    assert save_measure(mine, stores.catalog, actor="penguji")[1] == 2
    assert get_measure("kaltara-uji", stores.catalog).k == F(1, 2)
    assert get_measure("kaltara-uji@1", stores.catalog).k == F(1, 3)
    preset_copy = tmp_path / "p.yaml"
    preset_copy.write_text(base, encoding="utf-8")
    with pytest.raises(ImportRejected, match="preset"):
        save_measure(preset_copy, stores.catalog, actor="penguji")
    assert [v.version for v in stores.catalog.measure_versions("kaltara-uji")] == [1, 2]


def test_family_scores_agree_with_the_measure(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    import polars as pl

    from padu.measure.snapshot import write_family_scores

    m = get_measure("padu-7")
    result = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by=None)
    path = tmp_path / "keluarga.csv"
    rows = write_family_scores(
        stores.warehouse, stores.catalog, snapshot, m, m.k, path, actor="penguji"
    )
    fam = pl.read_csv(path, schema_overrides={"nomor_kartu_keluarga": pl.String})
    assert rows == fam.height == result.overall.n + result.overall.missing
    assert fam.filter(pl.col("miskin") == True).height == result.overall.q  # noqa: E712
    assert fam.filter(pl.col("miskin").is_null()).height == result.overall.missing
    assert fam.filter((pl.col("skor") >= 1 / 3 - 1e-12) != pl.col("miskin")).height == 0
    assert sum(result.overall.contribution_absolute.values()) == result.overall.M0


def test_measure_save_and_list_commands(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from importlib import resources

    home = tmp_path / "home"
    base = (
        resources.files("padu")
        .joinpath("data", "measures", "padu-7.yaml")
        .read_text(encoding="utf-8")
    )
    mine = tmp_path / "uji.yaml"
    mine.write_text(base.replace("id: padu-7", "id: kaltara-uji"), encoding="utf-8")
    assert main(["--json", "--home", str(home), "measure", "save", str(mine)]) == 0
    assert json.loads(capsys.readouterr().out) == {"id": "kaltara-uji", "version": 1}
    assert main(["--json", "--home", str(home), "measure", "list"]) == 0
    listed = {m["id"]: m for m in json.loads(capsys.readouterr().out)["measures"]}
    assert listed["kaltara-uji"]["source"] == "tersimpan" and listed["kaltara-uji"]["version"] == 1
    assert listed["padu-7"]["source"] == "preset"
