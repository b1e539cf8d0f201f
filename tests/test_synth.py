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
    return generate_register(scale=0.02, seed=11)


def _planted(reg: SyntheticRegister, kind: str) -> set[str]:
    return {
        p["nomor_induk_kependudukan"] for p in reg.ground_truth["problems"] if p["jenis"] == kind
    }


def test_same_seed_same_register_other_seed_other_register(reg: SyntheticRegister) -> None:
    again = generate_register(scale=0.02, seed=11)
    assert again.individu.equals(reg.individu) and again.keluarga.equals(reg.keluarga)
    assert again.welfare.equals(reg.welfare)
    other = generate_register(scale=0.02, seed=12)
    assert not other.individu.equals(reg.individu)


def test_population_matches_scaled_dukcapil_figures(reg: SyntheticRegister) -> None:
    dukcapil = {"6501": 170239, "6502": 87582, "6503": 227460, "6504": 30036, "6571": 255310}
    expected = {k: round(v * 0.02) for k, v in dukcapil.items()}
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
    ind = reg.individu.join(
        reg.keluarga.select("nomor_kartu_keluarga", "kode_kabupaten_kota"),
        on="nomor_kartu_keluarga",
    )
    malinau = ind.filter(pl.col("kode_kabupaten_kota") == "6502").get_column("nama").drop_nulls()
    christian = malinau.str.contains(
        r"^(Yohanes|Maria|Markus|Lukas|Petrus|Paulus|Yosef|Debora|Ester|Marta|Elisabet)"
    )
    tarakan = ind.filter(pl.col("kode_kabupaten_kota") == "6571").get_column("nama").drop_nulls()
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


def _desil(col: str = "desil_nasional") -> pl.Expr:
    return pl.col(col).cast(pl.Int32, strict=False)


def _scored(reg: SyntheticRegister) -> pl.DataFrame:
    return reg.keluarga.join(reg.welfare, on="nomor_kartu_keluarga", how="left")


def test_desil_is_cut_from_the_pmt_score(reg: SyntheticRegister) -> None:
    k = _scored(reg).with_columns(
        nas=_desil(), prov=_desil("desil_provinsi"), kab=_desil("desil_kabupaten_kota")
    )
    assert k.height == reg.keluarga.height and k.get_column("skor").null_count() == 0
    means = (
        k.filter(pl.col("nas").is_not_null()).group_by("nas").agg(pl.col("skor").mean()).sort("nas")
    )
    assert means.get_column("nas").to_list() == list(range(1, 11))
    assert means.get_column("skor").diff().drop_nulls().min() > 0  # type: ignore[operator]
    # within a kabupaten (national and kabupaten desil) and the province, desil bands of
    # the score never overlap: desil is a cut of the score, not drawn beside it
    for col, groups in (
        ("nas", ["kode_kabupaten_kota"]),
        ("kab", ["kode_kabupaten_kota"]),
        ("prov", []),
    ):
        bands = (
            k.filter(pl.col(col).is_not_null())
            .group_by([*groups, col])
            .agg(lo=pl.col("skor").min(), hi=pl.col("skor").max())
            .sort([*groups, col])
        )
        gap = bands.with_columns(
            nxt=pl.col("lo").shift(-1).over(groups) if groups else pl.col("lo").shift(-1)
        ).drop_nulls("nxt")
        assert gap.filter(pl.col("hi") > pl.col("nxt")).is_empty(), col
    # the score tracks the latent welfare strongly but not perfectly
    rho = k.select(pl.corr("skor", "laten", method="spearman")).item()
    assert 0.45 < rho < 0.85


def test_desil_tails_keep_the_kabupaten_targets(reg: SyntheticRegister) -> None:
    from padu.synth.geography import DESIL1_SHARE, TOP3_SHARE

    ranked = reg.keluarga.filter(pl.col("desil_kabupaten_kota").is_not_null()).with_columns(
        d=_desil()
    )
    planted = {
        p["nomor_kartu_keluarga"]
        for p in reg.ground_truth["problems"]
        if p["kolom"] == "desil_nasional"
    }
    ranked = ranked.filter(~pl.col("nomor_kartu_keluarga").is_in(list(planted)))
    for kab, share in DESIL1_SHARE.items():
        part = ranked.filter(pl.col("kode_kabupaten_kota") == kab.replace(".", ""))
        assert abs((part.get_column("d") == 1).mean() - share) < 0.02  # type: ignore[operator]
        assert abs((part.get_column("d") >= 8).mean() - TOP3_SHARE[kab]) < 0.02  # type: ignore[operator]


def test_deprivations_fall_with_desil_but_not_all_poor_are_deprived(
    reg: SyntheticRegister,
) -> None:
    k = reg.keluarga.with_columns(d=_desil())
    low, high = k.filter(pl.col("d") <= 2), k.filter(pl.col("d") >= 8)
    deprived = {
        "floor": pl.col("jenis_lantai_terluas").is_in(["7", "8"]),
        "firewood": pl.col("bahan_bakar_utama_memasak").is_in(["9", "10"]),
        "toilet": pl.col("fasilitas_bab").is_in(["3", "4", "5", "6"]),
        "light": pl.col("sumber_penerangan_utama").is_in(["3", "4"]),
    }
    for name, cond in deprived.items():
        lo = low.select(cond.mean()).item()
        hi = high.select(cond.mean()).item()
        assert lo > 2 * hi, name
    any_deprivation = pl.any_horizontal(list(deprived.values()))
    assert 0.2 < low.select((~any_deprivation).mean()).item() < 0.8  # strong, not perfect
    assert high.select(any_deprivation.mean()).item() > 0  # some better-off are deprived


def test_families_without_a_desil_yet(reg: SyntheticRegister) -> None:
    k = reg.keluarga
    blank = pl.all_horizontal(
        [pl.col(c).is_null() for c in ("desil_nasional", "desil_provinsi", "desil_kabupaten_kota")]
    )
    share = k.select(blank.mean()).item()
    assert 0.015 < share < 0.05  # about 3 % "belum ditentukan"
    # the planted blank desil are exactly the families with only desil_nasional blank
    only_national = set(
        k.filter(
            pl.col("desil_nasional").is_null() & pl.col("desil_provinsi").is_not_null()
        ).get_column("nomor_kartu_keluarga")
    )
    planted = {
        p["nomor_kartu_keluarga"]
        for p in reg.ground_truth["problems"]
        if p["jenis"] == "kolom_kosong" and p["kolom"] == "desil_nasional"
    }
    assert planted and only_national == planted
    roofless = set(
        k.filter(pl.col("jenis_atap_terluas").is_null()).get_column("nomor_kartu_keluarga")
    )
    assert roofless == {
        p["nomor_kartu_keluarga"]
        for p in reg.ground_truth["problems"]
        if p["jenis"] == "kolom_kosong" and p["kolom"] == "jenis_atap_terluas"
    }


def test_pbi_is_drawn_per_person_after_desil(reg: SyntheticRegister) -> None:
    from padu.synth.welfare import PBI_ERROR_RATE

    members = reg.individu.group_by("nomor_kartu_keluarga").agg(
        nas=pl.col("pbi_nas").any(), pemda=pl.col("pbi_pemda").any()
    )
    k = reg.keluarga.join(members, on="nomor_kartu_keluarga", how="left").with_columns(
        d=_desil(), pbi=pl.col("pbi_nas") | pl.col("pbi_pemda")
    )
    assert k.filter(pl.col("pbi_nas") != pl.col("nas")).is_empty()  # family = any member
    assert k.filter(pl.col("pbi_pemda") != pl.col("pemda")).is_empty()
    assert reg.individu.filter(pl.col("pbi_nas") & pl.col("pbi_pemda")).is_empty()
    above = k.filter(pl.col("d") > 5).get_column("pbi").mean()
    assert above is not None and above <= 2 * PBI_ERROR_RATE  # type: ignore[operator]
    assert k.filter(pl.col("d") <= 4).get_column("pbi").mean() > 0.8  # type: ignore[operator]
    # person-level: some members of PBI families are not covered
    in_pbi = reg.individu.join(
        k.filter(pl.col("pbi_nas")).select("nomor_kartu_keluarga"), on="nomor_kartu_keluarga"
    )
    assert 0.85 < in_pbi.get_column("pbi_nas").mean() < 1  # type: ignore[operator]


def test_shared_dwellings_share_the_house(reg: SyntheticRegister) -> None:
    from padu.synth.families import SHARED_KK_SHARE

    k = reg.keluarga.filter(pl.col("id_pelanggan_pln").is_not_null())
    house = [
        "kode_kelurahan_desa", "alamat", "luas_lantai", "jenis_lantai_terluas",
        "jenis_dinding_terluas", "jenis_atap_terluas", "sumber_air_minum_utama",
        "fasilitas_bab", "jenis_kloset", "pembuangan_akhir_tinja", "sumber_penerangan_utama",
        "daya_terpasang", "bahan_bakar_utama_memasak",
    ]  # fmt: skip
    planted_roof = {
        p["nomor_kartu_keluarga"]
        for p in reg.ground_truth["problems"]
        if p["kolom"] == "jenis_atap_terluas"
    }
    shared = k.filter(
        pl.col("id_pelanggan_pln").is_duplicated()
        & ~pl.col("nomor_kartu_keluarga").is_in(list(planted_roof))
    )
    assert shared.height > 0
    distinct = shared.group_by("id_pelanggan_pln").agg(
        [pl.col(c).n_unique().alias(c) for c in house]
    )
    assert distinct.select(pl.max_horizontal(house).max()).item() == 1
    # the gap between KKs and Susenas households: about 1.2 KK per metered dwelling
    per_meter = k.height / k.get_column("id_pelanggan_pln").n_unique()
    assert abs(per_meter - 1 / (1 - SHARED_KK_SHARE)) < 0.08
    # the guest KK is a married child's: younger heads than their hosts
    heads = reg.individu.filter(pl.col("status_hubungan_keluarga") == "1").select(
        "nomor_kartu_keluarga", "tanggal_lahir"
    )
    ages = (
        shared.join(heads, on="nomor_kartu_keluarga")
        .group_by("id_pelanggan_pln")
        .agg(spread=(pl.col("tanggal_lahir").max() - pl.col("tanggal_lahir").min()).dt.total_days())
    )
    assert ages.get_column("spread").median() > 15 * 365  # type: ignore[operator]


def test_some_ktp_addresses_are_not_the_home(reg: SyntheticRegister) -> None:
    from padu.regions import kaltara

    ind = reg.individu.join(
        reg.keluarga.select("nomor_kartu_keluarga", home="kode_kelurahan_desa"),
        on="nomor_kartu_keluarga",
    )
    elsewhere = ind.filter(pl.col("kode_kelurahan_desa_ktp") != pl.col("home"))
    assert 0.02 < elsewhere.height / ind.height < 0.10
    assert elsewhere.filter(pl.col("kode_provinsi_ktp") != "65").height > 0  # origin KTP
    assert (
        elsewhere.filter(
            (pl.col("kode_provinsi_ktp") == "65")
            & (pl.col("kode_kabupaten_kota_ktp") != pl.col("home").str.slice(0, 4))
        ).height
        > 0
    )  # another kabupaten of Kaltara
    # codes nest, and a Kaltara KTP desa is a real desa with its name
    assert ind.filter(
        ~pl.col("kode_kelurahan_desa_ktp").str.starts_with(pl.col("kode_kecamatan_ktp"))
        | ~pl.col("kode_kecamatan_ktp").str.starts_with(pl.col("kode_kabupaten_kota_ktp"))
        | ~pl.col("kode_kabupaten_kota_ktp").str.starts_with(pl.col("kode_provinsi_ktp"))
    ).is_empty()
    names = {r.kode.replace(".", ""): r.nama for r in kaltara().at_level("desa_kelurahan")}
    local = elsewhere.filter(pl.col("kode_provinsi_ktp") == "65")
    assert all(
        names[c] == n
        for c, n in local.select("kode_kelurahan_desa_ktp", "kelurahan_desa_ktp").iter_rows()
    )
    # only people of KTP age (17+) have a KTP elsewhere
    young = AS_OF.replace(year=AS_OF.year - 16)
    assert elsewhere.filter(pl.col("tanggal_lahir") > young).is_empty()


def test_stunting_is_parent_reported(reg: SyntheticRegister) -> None:
    under5 = reg.individu.filter(pl.col("kondisi_gizi").is_not_null())
    share = under5.select((pl.col("kondisi_gizi") == "2").mean()).item()
    assert 0.04 < share < 0.14  # SSGI 2024 measured 17.6 %; parents report about half
