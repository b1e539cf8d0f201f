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
    ind = reg.individu.with_columns(
        age=((pl.lit(as_of) - pl.col("tanggal_lahir")).dt.total_days() / 365.25).floor(),
        kab=pl.col("kode_kabupaten_kota_ktp"),
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
    for area, kab in KAB.items():
        k = kel if kab is None else kel.filter(pl.col("kode_kabupaten_kota") == kab)
        i = ind if kab is None else ind.filter(pl.col("kab") == kab)
        for name, cond in toilet.items():
            add(name, area, _pct(k, cond), "families (KK), Susenas counts households")
        under5 = i.filter(pl.col("age") < 5)
        add(
            "stunting_prevalence_under5_pct",
            area,
            _pct(under5, pl.col("kondisi_gizi") == "2"),
            "kondisi_gizi = 2",
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
    desil1 = _pct(kel, pl.col("desil_nasional") == "1")
    add("poverty_rate_pct", "65", desil1, "synthetic: share of families in national desil 1")
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
