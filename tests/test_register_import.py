"""Conformance: importing a register, on DuckDB and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from padu.register import diff_snapshots, import_register, quality_report
from padu.register.quality import families_by_desil
from padu.register.snapshots import snapshot_table
from padu.synth import SyntheticRegister, generate_register, write_register
from tests.conftest import SNAPSHOT_DATE, Stores


def _import(stores: Stores, *files: Path, date: dt.date = SNAPSHOT_DATE, label: str | None = None):  # type: ignore[no-untyped-def]
    return import_register(
        list(files),
        stores.warehouse,
        stores.catalog,
        snapshot_date=date,
        label=label,
        rejects_dir=stores.home / "rejects",
        actor="penguji",
    )


def test_import_csv_creates_snapshot_with_every_row(
    stores: Stores, small_files: Path, small_register: SyntheticRegister
) -> None:
    result = _import(stores, small_files / "keluarga.csv", small_files / "individu.csv")
    assert result.families == small_register.keluarga.height
    assert result.individuals == small_register.individu.height
    kel = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "keluarga")
    ind = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "individu")
    assert kel.count().to_pyarrow().as_py() == small_register.keluarga.height
    assert ind.count().to_pyarrow().as_py() == small_register.individu.height
    # typed storage: dates are dates, flags are booleans, codes keep their text
    row = ind.filter(ind.tanggal_lahir.notnull()).limit(1).to_pyarrow().to_pylist()[0]
    assert isinstance(row["tanggal_lahir"], dt.date)
    fam = kel.limit(1).to_pyarrow().to_pylist()[0]
    assert isinstance(fam["pbi_nas"], bool)
    assert fam["kode_kelurahan_desa"].count(".") == 3  # stored as dotted Kemendagri codes


def test_every_planted_problem_is_flagged_on_its_record(
    stores: Stores, small_files: Path, small_register: SyntheticRegister
) -> None:
    result = _import(stores, small_files / "keluarga.parquet", small_files / "individu.parquet")
    tem = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "temuan")
    found = (
        tem.select("tingkat", "kode", "nomor_kartu_keluarga", "nomor_induk_kependudukan", "kolom")
        .to_pyarrow()
        .to_pylist()
    )
    index = {
        (
            f["kode"],
            f["nomor_kartu_keluarga"],
            f["nomor_induk_kependudukan"] if f["tingkat"] == "individu" else None,
        )
        for f in found
    }
    planted = small_register.ground_truth["problems"]
    assert planted, "the generator must plant problems"
    missing = [
        p
        for p in planted
        if (p["jenis"], p["nomor_kartu_keluarga"], p["nomor_induk_kependudukan"]) not in index
    ]
    assert missing == []
    # and the record itself carries the flag
    ind = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "individu")
    flagged = ind.filter(ind.kualitas.contains("nik_tidak_valid")).count().to_pyarrow().as_py()
    assert flagged == sum(1 for p in planted if p["jenis"] == "nik_tidak_valid")


def test_each_import_is_a_new_snapshot_and_diff_sees_changes(
    stores: Stores, tmp_path: Path, small_register: SyntheticRegister
) -> None:
    first = tmp_path / "a"
    write_register(small_register, first, xlsx=False)
    kel = small_register.keluarga
    gone = kel.get_column("nomor_kartu_keluarga")[0]
    moved = kel.get_column("nomor_kartu_keluarga")[1]
    other_desa = (
        kel.filter(pl.col("kode_kecamatan") == kel.get_column("kode_kecamatan")[1])
        .get_column("kode_kelurahan_desa")
        .unique()
        .sort()
    )
    target = next(d for d in other_desa.to_list() if d != kel.get_column("kode_kelurahan_desa")[1])
    changed = kel.filter(pl.col("nomor_kartu_keluarga") != gone).with_columns(
        kode_kelurahan_desa=pl.when(pl.col("nomor_kartu_keluarga") == moved)
        .then(pl.lit(target))
        .otherwise(pl.col("kode_kelurahan_desa")),
        desil_nasional=pl.when(pl.col("nomor_kartu_keluarga") == moved)
        .then(pl.lit("10"))
        .otherwise(pl.col("desil_nasional")),
    )
    second = tmp_path / "b"
    write_register(
        SyntheticRegister(
            changed, small_register.individu.filter(pl.col("nomor_kartu_keluarga") != gone)
        ),
        second,
        xlsx=False,
    )

    a = _import(stores, first / "keluarga.csv", first / "individu.csv", label="Januari")
    b = _import(
        stores,
        second / "keluarga.csv",
        second / "individu.csv",
        date=dt.date(2026, 4, 1),
        label="April",
    )
    assert [s.id for s in stores.catalog.snapshots()] == [a.snapshot, b.snapshot]
    assert stores.catalog.snapshot("Januari").id == a.snapshot
    assert stores.catalog.snapshot("latest").id == b.snapshot
    d = diff_snapshots(stores.warehouse, stores.catalog, a.snapshot, b.snapshot)
    n_members = (
        small_register.individu.filter(pl.col("nomor_kartu_keluarga") == gone)
        .get_column("nomor_induk_kependudukan")
        .n_unique()
    )
    assert d["counts"]["keluarga_keluar"] == 1
    assert d["lists"]["keluarga_keluar"][0]["nomor_kartu_keluarga"] == gone
    assert d["counts"]["keluarga_baru"] == 0
    assert d["counts"]["pindah_desa"] == 1
    assert d["lists"]["pindah_desa"][0]["desa_baru"].replace(".", "") == target
    old_desil = kel.filter(pl.col("nomor_kartu_keluarga") == moved).get_column("desil_nasional")[0]
    assert d["counts"]["perubahan_desil"] == (0 if old_desil == "10" else 1)
    # members only in the removed family left (a NIK shared with another family stays)
    assert 0 < d["counts"]["anggota_keluar"] <= n_members
    # the first snapshot is untouched
    assert (
        snapshot_table(stores.warehouse, stores.catalog, a.snapshot).count().to_pyarrow().as_py()
        == kel.height
    )


def test_quality_report_counts_match_the_findings(
    stores: Stores, small_files: Path, small_register: SyntheticRegister
) -> None:
    result = _import(stores, small_files / "keluarga.csv", small_files / "individu.csv")
    rep = quality_report(stores.warehouse, stores.catalog, result.snapshot, by="kabupaten")
    planted = small_register.ground_truth["problem_counts"]
    assert rep["findings"]["nik_tidak_valid"] == planted["nik_tidak_valid"]
    assert rep["summary"]["tanpa_kepala_keluarga"] >= planted["tanpa_kepala_keluarga"]
    assert rep["completeness"]["individu.nomor_induk_kependudukan"]["persen"] == 100.0
    assert rep["completeness"]["keluarga.desil_nasional"]["persen"] < 100.0  # planted blanks
    assert set(rep["completeness_by_region"]) == {"65.01", "65.02", "65.03", "65.04", "65.71"}
    assert rep["duplicate_nik_values"] >= 1


def test_families_by_desil_and_kabupaten(
    stores: Stores, small_files: Path, small_register: SyntheticRegister
) -> None:
    result = _import(stores, small_files / "keluarga.csv", small_files / "individu.csv")
    rows = (
        families_by_desil(stores.warehouse, stores.catalog, result.snapshot)
        .to_pyarrow()
        .to_pylist()
    )
    expected = small_register.keluarga.group_by("kode_kabupaten_kota", "desil_nasional").len()
    got = {(r["wilayah"].replace(".", ""), r["desil"]): r["keluarga"] for r in rows}
    assert got == {(k, d): n for k, d, n in expected.iter_rows()}


@pytest.mark.slow
def test_full_scale_register_has_exact_dukcapil_population() -> None:
    reg = generate_register(scale=1.0, seed=1)
    by_kab = reg.ground_truth["population_by_kabupaten"]
    assert by_kab == {"6501": 170239, "6502": 87582, "6503": 227460, "6504": 30036, "6571": 255310}
    assert reg.individu.height == 770627
    assert reg.keluarga.get_column("kode_kelurahan_desa").n_unique() == 482
    share = len(reg.ground_truth["problems"]) / (reg.individu.height + reg.keluarga.height)
    assert 0.01 <= share <= 0.02
