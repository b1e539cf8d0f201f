"""How close the synthetic register comes to the published Kaltara figures.

Each row pairs a published figure from ``data/wilayah/calibration.csv`` with the same
quantity computed on the synthetic register, so ``docs/synthetic-register.md`` can show the
gap. Figures the register cannot express (religion, Gini) are not compared.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from importlib import resources

import polars as pl

from padu.schema import register_schema
from padu.synth.generator import SyntheticRegister

KAB = {
    "65": None,
    "65.01": "6501",
    "65.02": "6502",
    "65.03": "6503",
    "65.04": "6504",
    "65.71": "6571",
}
YEARS_BY_CERT = {
    "23": 3, "1": 6, "2": 6, "3": 6, "4": 6, "5": 6, "6": 9, "7": 9, "8": 9, "9": 9, "10": 9,
    "11": 12, "12": 12, "13": 12, "14": 12, "15": 12, "16": 12, "17": 12, "18": 14, "19": 16,
    "20": 17, "21": 18, "22": 21,
}  # fmt: skip


@dataclass(frozen=True)
class Comparison:
    indicator: str
    area: str
    published: float
    year: str
    synthetic: float
    note: str


def _published() -> dict[tuple[str, str], tuple[float, str]]:
    path = resources.files("padu").joinpath("data", "wilayah", "calibration.csv")
    out: dict[tuple[str, str], tuple[float, str]] = {}
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            key = (r["indicator"], r["area_code"])
            if key not in out or r["year"] > out[key][1]:
                out[key] = (float(r["value"]), r["year"])
    return out


def _pct(frame: pl.DataFrame, cond: pl.Expr) -> float:
    return (
        round(100 * frame.select(cond.cast(pl.Float64).mean()).item(), 2) if frame.height else 0.0
    )


def compare(reg: SyntheticRegister, as_of: dt.date = dt.date(2025, 12, 31)) -> list[Comparison]:
    """Published figure and synthetic figure, side by side, for every comparable indicator."""
    pub = _published()
    kel = reg.keluarga
    home = reg.keluarga.select("nomor_kartu_keluarga", kab="kode_kabupaten_kota")
    ind = reg.individu.join(home, on="nomor_kartu_keluarga", how="left").with_columns(
        age=((pl.lit(as_of) - pl.col("tanggal_lahir")).dt.total_days() / 365.25).floor(),
    )
    rows: list[Comparison] = []

    def add(indicator: str, area: str, value: float, note: str = "") -> None:
        if (indicator, area) in pub:
            published, year = pub[(indicator, area)]
            rows.append(Comparison(indicator, area, published, year, round(value, 2), note))

    toilet = {
        "hh_toilet_facility_own_pct": pl.col("fasilitas_bab") == "1",
        "hh_toilet_facility_shared_pct": pl.col("fasilitas_bab") == "2",
        "hh_toilet_facility_public_pct": pl.col("fasilitas_bab").is_in(["3", "4"]),
        "hh_toilet_facility_unused_pct": pl.col("fasilitas_bab") == "5",
        "hh_no_toilet_facility_pct": pl.col("fasilitas_bab") == "6",
    }
    # Susenas counts households: one row per dwelling (KKs sharing a PLN number once)
    homes = kel.with_columns(_home=pl.coalesce("id_pelanggan_pln", "nomor_kartu_keluarga")).unique(
        "_home", keep="first", maintain_order=True
    )
    for area, kab in KAB.items():
        h = homes if kab is None else homes.filter(pl.col("kode_kabupaten_kota") == kab)
        i = ind if kab is None else ind.filter(pl.col("kab") == kab)
        for name, cond in toilet.items():
            add(name, area, _pct(h, cond), "dwellings (KKs sharing a PLN number once)")
        under5 = i.filter(pl.col("age") < 5)
        add(
            "stunting_prevalence_under5_pct",
            area,
            _pct(under5, pl.col("kondisi_gizi") == "2"),
            "kondisi_gizi = 2, parent-reported: half the SSGI 2022 kabupaten pattern "
            "rescaled to the 2024 province level",
        )
    add(
        "electrification_ratio_pct",
        "65",
        _pct(kel, pl.col("sumber_penerangan_utama") != "4"),
        "main lighting is electricity",
    )
    improved = pl.col("sumber_air_minum_utama").is_in(["1", "2", "3", "4", "5", "7", "10", "12"])
    add(
        "hh_access_improved_drinking_water_pct",
        "65",
        _pct(kel, improved),
        "bottled/refill counted as improved",
    )
    adults = ind.filter(pl.col("age") >= 25)
    years = adults.select(
        pl.when(pl.col("partisipasi_sekolah") == "1")
        .then(0)
        .otherwise(
            pl.col("ijazah_tertinggi_yang_dimiliki").replace_strict(YEARS_BY_CERT, default=0)
        )
        .mean()
    ).item()
    add(
        "mean_years_schooling_25plus",
        "65",
        float(years),
        "years implied by the highest certificate",
    )
    p15 = ind.filter(pl.col("age") >= 15)
    tertiary = pl.col("ijazah_tertinggi_yang_dimiliki").is_in(["18", "19", "20", "21", "22"])
    add("pop15plus_with_tertiary_education_pct", "65", _pct(p15, tertiary))
    work = pl.col("status_bekerja") == "1"
    add(
        "labour_force_participation_rate_male_pct",
        "65",
        _pct(p15.filter(pl.col("jenis_kelamin") == "1"), work),
        "employed share (no job-search item)",
    )
    add(
        "labour_force_participation_rate_female_pct",
        "65",
        _pct(p15.filter(pl.col("jenis_kelamin") == "2"), work),
        "employed share (no job-search item)",
    )
    workers = ind.filter(work)
    add(
        "employment_share_agriculture_forestry_fishery_pct",
        "65",
        _pct(
            workers,
            pl.col("lapangan_usaha_dari_pekerjaan_utama").is_in(["1", "2", "3", "4", "5", "6"]),
        ),
    )
    add(
        "employment_share_trade_pct",
        "65",
        _pct(workers, pl.col("lapangan_usaha_dari_pekerjaan_utama") == "12"),
    )
    add(
        "employment_share_public_administration_pct",
        "65",
        _pct(workers, pl.col("lapangan_usaha_dari_pekerjaan_utama") == "20"),
    )
    informal = pl.col("status_dalam_pekerjaan_utama").is_in(["1", "2", "6", "7", "8"])
    add("informal_employment_pct", "65", _pct(workers, informal), "own-account, casual, unpaid")
    domains = register_schema().using_list("individu", "kesulitan_fungsional")
    disabled = pl.any_horizontal([pl.col(d).is_in(["1", "2"]) for d in domains])
    add(
        "disability_prevalence_5plus_pct",
        "65",
        _pct(ind.filter(pl.col("age") >= 5), disabled),
        "a lot of difficulty or cannot, any domain",
    )
    add("disability_prevalence_60plus_pct", "65", _pct(ind.filter(pl.col("age") >= 60), disabled))
    add("population_share_age15_64_pct", "65", _pct(ind, pl.col("age").is_between(15, 64)))
    add(
        "households_count",
        "65",
        float(kel.height),
        "families (KK) in the register; a KK is not a household",
    )
    dwellings = kel.select(
        pl.coalesce("id_pelanggan_pln", "nomor_kartu_keluarga").n_unique()
    ).item()
    add(
        "households_count",
        "65",
        float(dwellings),
        "dwellings: KKs sharing a PLN customer number counted once",
    )
    desil1 = _pct(
        kel.filter(pl.col("desil_nasional").is_not_null()), pl.col("desil_nasional") == "1"
    )
    add("poverty_rate_pct", "65", desil1, "synthetic: share of ranked families in national desil 1")
    return rows


def markdown(rows: list[Comparison]) -> str:
    """The comparison as a Markdown table."""
    lines = [
        "| indicator | area | published | year | synthetic | note |",
        "|---|---|---:|---|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.indicator} | {r.area} | {r.published:g} | {r.year} "
            f"| {r.synthetic:g} | {r.note} |"
        )
    return "\n".join(lines)


def realism(reg: SyntheticRegister) -> dict[str, float]:
    """The figures of the desil model and the register's realism features (percentages).

    The rank correlation of the PMT score with the latent welfare; deprivations in desil
    1-2 against desil 8-10; families without a desil; PBI above desil 5; members whose KTP
    address is not their home; KKs sharing a dwelling (PLN customer number).
    """
    kel = reg.keluarga.with_columns(d=pl.col("desil_nasional").cast(pl.Int32, strict=False))
    low, high = kel.filter(pl.col("d") <= 2), kel.filter(pl.col("d") >= 8)
    ranked = reg.welfare.drop_nans("skor")
    out: dict[str, float] = {
        "spearman_score_latent": round(
            ranked.select(pl.corr("skor", "laten", method="spearman")).item(), 3
        ),
        "no_desil_pct": _pct(kel, pl.col("desil_nasional").is_null()),
    }
    deprivations = {
        "earth_floor": pl.col("jenis_lantai_terluas") == "8",
        "earth_bamboo_floor": pl.col("jenis_lantai_terluas").is_in(["7", "8"]),
        "firewood": pl.col("bahan_bakar_utama_memasak").is_in(["9", "10"]),
        "no_own_toilet": pl.col("fasilitas_bab").is_in(["3", "4", "5", "6"]),
        "no_electricity": pl.col("sumber_penerangan_utama") == "4",
        "no_motorcycle": ~pl.col("aset_bergerak_sepeda_motor"),
    }
    for name, cond in deprivations.items():
        out[f"{name}_desil_1_2_pct"] = _pct(low, cond)
        out[f"{name}_desil_8_10_pct"] = _pct(high, cond)
    any_pbi = pl.col("pbi_nas") | pl.col("pbi_pemda")
    out["pbi_families_desil_1_5_pct"] = _pct(kel.filter(pl.col("d") <= 5), any_pbi)
    out["pbi_families_above_desil_5_pct"] = _pct(kel.filter(pl.col("d") > 5), any_pbi)
    out["pbi_families_no_desil_pct"] = _pct(kel.filter(pl.col("d").is_null()), any_pbi)
    ind = reg.individu.join(
        reg.keluarga.select("nomor_kartu_keluarga", home="kode_kelurahan_desa"),
        on="nomor_kartu_keluarga",
        how="left",
    )
    out["ktp_elsewhere_pct"] = _pct(ind, pl.col("kode_kelurahan_desa_ktp") != pl.col("home"))
    out["ktp_outside_kaltara_pct"] = _pct(ind, pl.col("kode_provinsi_ktp") != "65")
    pln = kel.filter(pl.col("id_pelanggan_pln").is_not_null())
    shared = pln.filter(pl.col("id_pelanggan_pln").is_duplicated())
    out["kk_sharing_a_dwelling_pct"] = _pct(
        kel,
        pl.col("nomor_kartu_keluarga").is_in(shared.get_column("nomor_kartu_keluarga").implode()),
    )
    out["kk_per_metered_dwelling"] = (
        round(pln.height / pln.get_column("id_pelanggan_pln").n_unique(), 3) if pln.height else 0.0
    )
    return out


def desil_shares(reg: SyntheticRegister) -> pl.DataFrame:
    """Per kabupaten (and the province): % of families in each national desil, and blank."""
    kel = reg.keluarga.select(
        kab="kode_kabupaten_kota", d=pl.col("desil_nasional").fill_null("kosong")
    )
    both = pl.concat([kel, kel.with_columns(kab=pl.lit("65"))])
    wide = (
        both.group_by("kab", "d")
        .len()
        .with_columns(pct=(100 * pl.col("len") / pl.col("len").sum().over("kab")).round(1))
        .pivot(on="d", index="kab", values="pct")
        .fill_null(0.0)
        .sort("kab")
    )
    order = [str(i) for i in range(1, 11)] + ["kosong"]
    return wide.select("kab", *[c for c in order if c in wide.columns])


def frame_markdown(frame: pl.DataFrame) -> str:
    """A small frame as a Markdown table."""
    lines = ["| " + " | ".join(frame.columns) + " |", "|" + "---|" * frame.width]
    lines += [
        "| " + " | ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in row) + " |"
        for row in frame.iter_rows()
    ]
    return "\n".join(lines)
