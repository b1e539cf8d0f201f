"""The synthetic register: deterministic, consistent, following the skip rules, realistic."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from padu.synth import SyntheticRegister, generate_register

AS_OF = dt.date(2025, 12, 31)


@pytest.fixture(scope="module")
def reg() -> SyntheticRegister:
    return generate_register(scale=0.05, seed=11)


def _planted(reg: SyntheticRegister, kind: str) -> set[str]:
    return {
        p["nomor_induk_kependudukan"] for p in reg.ground_truth["problems"] if p["jenis"] == kind
    }


def test_same_seed_same_register_other_seed_other_register(reg: SyntheticRegister) -> None:
    again = generate_register(scale=0.05, seed=11)
    assert again.individu.equals(reg.individu) and again.keluarga.equals(reg.keluarga)
    other = generate_register(scale=0.05, seed=12)
    assert not other.individu.equals(reg.individu)


def test_population_matches_scaled_dukcapil_figures(reg: SyntheticRegister) -> None:
    expected = {"6501": 8512, "6502": 4379, "6503": 11373, "6504": 1502, "6571": 12766}
    assert reg.ground_truth["population_by_kabupaten"] == expected
    sizes = reg.keluarga.get_column("jumlah_anggota_keluarga")
    assert 3.2 < sizes.mean() < 4.0  # type: ignore[operator]
    assert sizes.max() >= 8  # type: ignore[operator]


def test_family_skip_rules(reg: SyntheticRegister) -> None:
    k = reg.keluarga
    assert k.filter(
        (pl.col("sumber_penerangan_utama") != "1") & pl.col("daya_terpasang").is_not_null()
    ).is_empty()
    has_toilet = pl.col("fasilitas_bab").is_in(["1", "2", "3"])
    assert k.filter(
        ~has_toilet
        & (pl.col("jenis_kloset").is_not_null() | pl.col("pembuangan_akhir_tinja").is_not_null())
    ).is_empty()
    assert k.filter(has_toilet & pl.col("jenis_kloset").is_null()).is_empty()
    gas = pl.col("bahan_bakar_utama_memasak").is_in(["2", "3"])
    assert k.filter(gas != pl.col("aset_bergerak_tabung_gas")).is_empty()
    no_power = pl.col("sumber_penerangan_utama") == "4"
    for asset in (
        "aset_bergerak_lemari_es",
        "aset_bergerak_ac",
        "aset_bergerak_tv_datar",
        "aset_bergerak_pemanas_air",
    ):
        assert k.filter(no_power & pl.col(asset)).is_empty()


def test_member_skip_rules(reg: SyntheticRegister) -> None:
    i = reg.individu.with_columns(
        age=((pl.lit(AS_OF) - pl.col("tanggal_lahir")).dt.total_days() / 365.25)
    )
    schooled = pl.col("partisipasi_sekolah").is_in(["2", "3"])
    for col in (
        "jenjang_tertinggi_yang_diduduki",
        "kelas_tertinggi_yang_diduduki",
        "ijazah_tertinggi_yang_dimiliki",
    ):
        assert i.filter(~schooled & pl.col(col).is_not_null()).is_empty()
    works = pl.col("status_bekerja") == "1"
    assert i.filter(~works & pl.col("lapangan_usaha_dari_pekerjaan_utama").is_not_null()).is_empty()
    assert i.filter(~works & pl.col("status_dalam_pekerjaan_utama").is_not_null()).is_empty()
    business = pl.col("kepemilikan_usaha").fill_null(False)
    assert i.filter(~business & pl.col("omzet_usaha_utama").is_not_null()).is_empty()
    assert i.filter(business & pl.col("jumlah_usaha").is_null()).is_empty()
    shifted = _planted(
        reg, "tanggal_lahir_tidak_sesuai_nik"
    )  # their birth date was moved on purpose
    aged = i.filter(
        pl.col("age").is_not_null() & ~pl.col("nomor_induk_kependudukan").is_in(list(shifted))
    )
    assert aged.filter((pl.col("age") >= 5) & pl.col("kondisi_gizi").is_not_null()).is_empty()
    assert aged.filter((pl.col("age") < 2) & pl.col("penglihatan").is_not_null()).is_empty()
    assert aged.filter(
        (pl.col("age") < 5) & pl.col("berbicara_komunikasi").is_not_null()
    ).is_empty()
    assert i.filter(pl.col("penyakit_kronis").is_null()).is_empty()


def test_identifiers_consistent_except_planted(reg: SyntheticRegister) -> None:
    from padu.identifiers import nik_birth_mismatch, nik_problem, nik_sex_mismatch

    i = reg.individu.with_columns(
        p=nik_problem(pl.col("nomor_induk_kependudukan"), AS_OF),
        sex=nik_sex_mismatch(pl.col("nomor_induk_kependudukan"), pl.col("jenis_kelamin")),
        born=nik_birth_mismatch(pl.col("nomor_induk_kependudukan"), pl.col("tanggal_lahir"), AS_OF),
    )
    planted = set().union(
        *(
            _planted(reg, k)
            for k in (
                "nik_tidak_valid",
                "nik_ganda",
                "jenis_kelamin_tidak_sesuai_nik",
                "tanggal_lahir_tidak_sesuai_nik",
                "kolom_kosong",
            )
        )
    )
    dup_values = set(
        i.filter(pl.col("nomor_induk_kependudukan").is_duplicated()).get_column(
            "nomor_induk_kependudukan"
        )
    )
    clean = i.filter(~pl.col("nomor_induk_kependudukan").is_in(list(planted | dup_values)))
    assert clean.filter(pl.col("p").is_not_null()).is_empty()
    assert clean.filter(pl.col("sex")).is_empty()
    assert clean.filter(pl.col("born")).is_empty()
    assert set(
        i.filter(pl.col("p").is_not_null()).get_column("nomor_induk_kependudukan")
    ) == _planted(reg, "nik_tidak_valid") - {None}
    # KK numbers carry the family's kecamatan and are unique
    k = reg.keluarga
    assert k.get_column("nomor_kartu_keluarga").is_unique().all()
    assert k.filter(
        pl.col("nomor_kartu_keluarga").str.slice(0, 6) != pl.col("kode_kecamatan")
    ).is_empty()


def test_one_head_per_family_except_planted(reg: SyntheticRegister) -> None:
    heads = reg.individu.group_by("nomor_kartu_keluarga").agg(
        h=(pl.col("status_hubungan_keluarga") == "1").sum()
    )
    headless = set(heads.filter(pl.col("h") == 0).get_column("nomor_kartu_keluarga"))
    assert headless == {
        p["nomor_kartu_keluarga"]
        for p in reg.ground_truth["problems"]
        if p["jenis"] == "tanpa_kepala_keluarga"
    }
    assert heads.filter(pl.col("h") > 1).is_empty()


def test_names_fit_the_region(reg: SyntheticRegister) -> None:
    names = reg.individu.get_column("nama").drop_nulls()
    assert names.str.starts_with("H. ").any() and names.str.starts_with("Hj. ").any()
    assert names.str.contains(r" bin | binti ").any()
    assert names.str.contains(r"^(Muh\.|Moh\.|Moch\.|M\.) ").any()
    assert (~names.str.contains(" ")).mean() > 0.05  # single names are common
    malinau = (
        reg.individu.filter(pl.col("kode_kabupaten_kota_ktp") == "6502")
        .get_column("nama")
        .drop_nulls()
    )
    christian = malinau.str.contains(
        r"^(Yohanes|Maria|Markus|Lukas|Petrus|Paulus|Yosef|Debora|Ester|Marta|Elisabet)"
    )
    tarakan = (
        reg.individu.filter(pl.col("kode_kabupaten_kota_ktp") == "6571")
        .get_column("nama")
        .drop_nulls()
    )
    assert (
        christian.mean()
        > tarakan.str.contains(
            r"^(Yohanes|Maria|Markus|Lukas|Petrus|Paulus|Yosef|Debora|Ester|Marta|Elisabet)"
        ).mean()
    )


def test_poorer_places_look_poorer(reg: SyntheticRegister) -> None:
    k = reg.keluarga.with_columns(poor=pl.col("desil_nasional").cast(pl.Int32, strict=False) <= 2)
    by_kab = dict(k.group_by("kode_kabupaten_kota").agg(pl.col("poor").mean()).iter_rows())
    assert by_kab["6501"] > by_kab["6504"]  # Bulungan 8.76 % poverty vs Tana Tidung 4.47 %
    krayan = k.filter(
        pl.col("kode_kecamatan").is_in(["650305", "650307", "650317", "650318", "650319"])
    )
    assert (
        krayan.get_column("poor").mean()
        > k.filter(pl.col("kode_kabupaten_kota") == "6571").get_column("poor").mean()
    )  # type: ignore[operator]
    # deprivations move with desil
    k = k.with_columns(wood=pl.col("bahan_bakar_utama_memasak") == "10")
    assert (
        k.filter(pl.col("poor")).get_column("wood").mean()
        > k.filter(~pl.col("poor")).get_column("wood").mean()
    )  # type: ignore[operator]


def test_planted_problems_are_one_to_two_percent(reg: SyntheticRegister) -> None:
    records = reg.individu.height + reg.keluarga.height
    share = len(reg.ground_truth["problems"]) / records
    assert 0.01 <= share <= 0.02
    assert set(reg.ground_truth["problem_counts"]) == {
        "nik_tidak_valid",
        "nik_ganda",
        "jenis_kelamin_tidak_sesuai_nik",
        "tanggal_lahir_tidak_sesuai_nik",
        "kolom_kosong",
        "tanpa_kepala_keluarga",
    }


def test_streamed_files_equal_the_in_memory_register(tmp_path: Path) -> None:
    from padu.synth.generator import synthesize_to

    truth = synthesize_to(tmp_path, scale=0.1, seed=5)  # above the XLSX size: written per kabupaten
    reg = generate_register(scale=0.1, seed=5)
    assert not (tmp_path / "individu.xlsx").exists()
    assert truth["problem_counts"] == reg.ground_truth["problem_counts"]
    ind = pl.read_parquet(tmp_path / "individu.parquet")
    assert ind.height == reg.individu.height == truth["individuals"]
    assert ind.get_column("nomor_induk_kependudukan").equals(
        reg.individu.get_column("nomor_induk_kependudukan")
    )
    kel = pl.read_csv(tmp_path / "keluarga.csv", infer_schema=False)
    assert kel.height == reg.keluarga.height
    assert set(kel.get_column("pbi_nas").unique()) <= {"1", "2"}  # flags as Regsosek codes
