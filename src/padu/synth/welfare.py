"""The synthetic desil: a PMT-style welfare score computed from the register's own answers.

In DTSEN the desil is not observed: BPS ranks families by a proxy-means test (PMT), a
model that predicts log consumption per capita from what the register records (housing,
services, assets, family composition, schooling, work) with region effects. The official
model and its weights are not public, so this module uses a model of the same shape with
weights we chose for their sign and plausible size, not estimated from survey data
(documented in ``docs/synthetic-register.md``); a noise term stands for what a PMT cannot
see. The desil is then cut from the score, so the
link between deprivations and desil is strong but imperfect, as in a real extract.

PBI health insurance is drawn after the desil, person by person (``person_pbi``).
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import polars as pl

from padu.synth.geography import DESIL1_SHARE, TOP3_SHARE

#: Weights of the PMT score (log consumption per capita), per attribute. A family gets the
#: sum of the weights of what it has, plus ``noise``. Codes are the Regsosek codes.
PMT_WEIGHTS: dict[str, float] = {
    "ln_family_size": -0.30,  # per log-person: larger families consume less per head
    "children_share": -0.30,  # members under 15 / all members
    "elderly_present": -0.05,  # a member aged 60+
    "schooling_years": 0.03,  # per year, the most schooled member aged 15+
    "head_agriculture": -0.08,  # the head works in agriculture, forestry or fishery
    "formal_worker": 0.12,  # a member is an employee or civil servant (status 4, 5)
    "workers_share": 0.15,  # employed members / all members
    "severe_disability": -0.05,  # a member who cannot or has a lot of difficulty
    "ln_floor_area_per_person": 0.10,  # of the dwelling, shared dwellings counted whole
    "floor_earth_bamboo": -0.10,  # floor 7 bambu, 8 tanah
    "wall_bamboo_logs": -0.06,  # wall 4 anyaman bambu, 5 batang kayu, 6 bambu
    "roof_thatch_bamboo": -0.08,  # roof 5 bambu, 7 jerami/ijuk/daun/rumbia
    "water_unimproved": -0.05,  # 6, 8 unprotected well/spring, 9 surface, 11 other
    "water_piped_bottled": 0.04,  # 1, 2, 12 bottled/refill, 3 piped
    "no_own_toilet": -0.08,  # public, communal, unused or none (fasilitas_bab 3-6)
    "no_pln_meter": -0.04,  # lighting 2 PLN without a meter
    "no_pln": -0.10,  # lighting 3 non-PLN, 4 not electric
    "power_2200_plus": 0.08,  # installed power 2,200 VA or more (4, 5)
    "cooking_wood_charcoal": -0.10,  # fuel 9 charcoal, 10 firewood
    "cooking_clean_unsubsidised": 0.06,  # 1 electric, 2/3 LPG 5.5/12 kg, 5 city gas, 12
    "aset_bergerak_sepeda_motor": 0.06,
    "aset_bergerak_mobil": 0.25,
    "aset_bergerak_lemari_es": 0.08,
    "aset_bergerak_ac": 0.15,
    "aset_bergerak_tv_datar": 0.05,
    "aset_bergerak_komputer_laptop_tablet": 0.12,
    "aset_bergerak_emas_perhiasan": 0.06,
    "aset_bergerak_smartphone": 0.04,
    "aset_bergerak_kapal_perahu_motor": 0.05,
    "aset_bergerak_pemanas_air": 0.10,
    "aset_bergerak_telepon_rumah": 0.05,
    "aset_tidak_bergerak_rumah_lainnya": 0.12,
    "aset_tidak_bergerak_lahan_lainnya": 0.05,
    "ln_large_livestock": 0.04,  # per log(1 + cattle + buffalo + horses)
    "ln_small_livestock": 0.02,  # per log(1 + goats/sheep + pigs)
    "urban": 0.10,  # region effect: urban desa/kelurahan (within the kabupaten)
    "remote": -0.10,  # region effect: remote interior kecamatan
}
#: Standard deviation of the noise added to the score: what the PMT cannot see.
PMT_NOISE_SD = 0.15

#: PBI-JK covers desil 1-5 after the 2025 clean-up (Kepmensos 79/HUK/2025 sets the desil
#: ranking used for aid; PBI-JK for desil 1-5 as Dinas Sosial and desa pages summarise
#: it; not checked against the primary text). Share of families with any PBI member:
PBI_NAS_BY_DESIL = {1: 0.85, 2: 0.85, 3: 0.85, 4: 0.85, 5: 0.60}
#: of the desil 1-5 families without national PBI, the share the pemda covers (PBPU Pemda)
PBI_PEMDA_SHARE = 0.35
#: Families above desil 5 (or without a desil) still carrying PBI: the error rate left
#: after the clean-up (an assumption: 1 % of families, 60 % national, 40 % pemda).
PBI_ERROR_RATE = 0.01
#: In a PBI family, each member is covered with this probability (newborns not yet
#: registered, members insured through work).
PBI_MEMBER_COVERED = 0.95

_Z10, _Z70 = NormalDist().inv_cdf(0.1), NormalDist().inv_cdf(0.7)
_CUTS = np.array([NormalDist().inv_cdf(q / 10) for q in range(1, 10)])
_FORMAL = ["4", "5"]
_AGRI = ["1", "2", "3", "4", "5", "6"]
_DOMAINS = (
    "penglihatan",
    "pendengaran",
    "berjalan_atau_naik_tangga",
    "menggunakan_tangan_jari",
    "mengingat_berkonsentrasi",
    "mengurus_diri",
    "berbicara_komunikasi",
    "belajar_kemampuan_intelektual",
    "pengendalian_perilaku",
)


def member_profile(mem: pl.DataFrame, families: int) -> pl.DataFrame:
    """What the PMT uses from the members, one row per family index ``_f`` (0..families-1)."""
    adult = pl.col("_age") >= 15
    severe = pl.any_horizontal([pl.col(d).is_in(["1", "2"]).fill_null(False) for d in _DOMAINS])
    prof = mem.group_by("_f").agg(
        n=pl.len(),
        children=(pl.col("_age") < 15).sum(),
        elderly=(pl.col("_age") >= 60).any(),
        years=pl.when(adult).then(pl.col("_years")).max().fill_null(0),
        head_agri=(
            (pl.col("_pos") == 0)
            & pl.col("lapangan_usaha_dari_pekerjaan_utama").is_in(_AGRI).fill_null(False)
        ).any(),
        formal=pl.col("status_dalam_pekerjaan_utama").is_in(_FORMAL).fill_null(False).any(),
        workers=(pl.col("status_bekerja") == "1").fill_null(False).sum(),
        disabled=severe.any(),
    )
    index = pl.DataFrame({"_f": np.arange(families)}).cast({"_f": prof.schema["_f"]})
    return index.join(prof, on="_f", how="left").sort("_f")


def pmt_score(fam: pl.DataFrame, mem: pl.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """The predicted log consumption per capita of each family in ``fam`` (one kabupaten)."""
    p = member_profile(mem, fam.height)
    n = np.maximum(p.get_column("n").fill_null(1).to_numpy(), 1).astype(float)
    w = PMT_WEIGHTS

    def col(name: str) -> np.ndarray:
        return fam.get_column(name).to_numpy()

    def has(name: str, codes: list[str]) -> np.ndarray:
        return fam.get_column(name).is_in(codes).fill_null(False).to_numpy()

    host = col("_host")
    local = np.searchsorted(col("_gi"), host)
    people = np.bincount(local, weights=col("_size"), minlength=fam.height)[local]
    score = (
        w["ln_family_size"] * np.log(n)
        + w["children_share"] * p.get_column("children").fill_null(0).to_numpy() / n
        + w["elderly_present"] * p.get_column("elderly").fill_null(False).to_numpy()
        + w["schooling_years"] * p.get_column("years").fill_null(0).to_numpy()
        + w["head_agriculture"] * p.get_column("head_agri").fill_null(False).to_numpy()
        + w["formal_worker"] * p.get_column("formal").fill_null(False).to_numpy()
        + w["workers_share"] * p.get_column("workers").fill_null(0).to_numpy() / n
        + w["severe_disability"] * p.get_column("disabled").fill_null(False).to_numpy()
        + w["ln_floor_area_per_person"] * np.log(col("luas_lantai") / np.maximum(people, 1))
        + w["floor_earth_bamboo"] * has("jenis_lantai_terluas", ["7", "8"])
        + w["wall_bamboo_logs"] * has("jenis_dinding_terluas", ["4", "5", "6"])
        + w["roof_thatch_bamboo"] * has("jenis_atap_terluas", ["5", "7"])
        + w["water_unimproved"] * has("sumber_air_minum_utama", ["6", "8", "9", "11"])
        + w["water_piped_bottled"] * has("sumber_air_minum_utama", ["1", "2", "3", "12"])
        + w["no_own_toilet"] * has("fasilitas_bab", ["3", "4", "5", "6"])
        + w["no_pln_meter"] * has("sumber_penerangan_utama", ["2"])
        + w["no_pln"] * has("sumber_penerangan_utama", ["3", "4"])
        + w["power_2200_plus"] * has("daya_terpasang", ["4", "5"])
        + w["cooking_wood_charcoal"] * has("bahan_bakar_utama_memasak", ["9", "10"])
        + w["cooking_clean_unsubsidised"]
        * has("bahan_bakar_utama_memasak", ["1", "2", "3", "5", "12"])
        + sum(w[a] * col(a).astype(float) for a in w if a.startswith("aset_"))
        + w["ln_large_livestock"]
        * np.log1p(
            col("jumlah_ternak_sapi") + col("jumlah_ternak_kerbau") + col("jumlah_ternak_kuda")
        )
        + w["ln_small_livestock"]
        * np.log1p(col("jumlah_ternak_kambing_domba") + col("jumlah_ternak_babi"))
        + w["urban"] * (col("_stratum") == 0)
        + w["remote"] * (col("_remote") >= 1.0)
    )
    out: np.ndarray = score + rng.normal(0, PMT_NOISE_SD, fam.height)
    return out


def calibrate(score: np.ndarray, kab: np.ndarray, ranked: np.ndarray) -> np.ndarray:
    """The score on the national scale: per kabupaten, an affine map that puts exactly the
    kabupaten's target shares (``DESIL1_SHARE``, ``TOP3_SHARE``) below the national desil-1
    and above the desil-7 cut. Only ``ranked`` families (with a desil) set the map."""
    z = np.full(len(score), np.nan)
    for k in np.unique(kab):
        m = kab == k
        basis = score[m & ranked]
        if not len(basis):
            continue
        low, high = np.quantile(basis, [DESIL1_SHARE[k], 1 - TOP3_SHARE[k]])
        slope = (_Z70 - _Z10) / (high - low) if high > low else 1.0
        z[m] = _Z10 + slope * (score[m] - low)
    return z


def national_desil(z: np.ndarray) -> np.ndarray:
    """Desil 1-10 from the calibrated score at the national deciles (0 where no score)."""
    out: np.ndarray = np.where(np.isnan(z), 0, np.searchsorted(_CUTS, z) + 1)
    return out


def desil_within(z: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Desil 1-10 of each ranked family within its group (0 where ``z`` is NaN)."""
    ranked = ~np.isnan(z)
    frame = pl.DataFrame({"z": np.where(ranked, z, 0.0), "g": groups, "r": ranked})
    d = (
        frame.with_row_index("_i")
        .filter(pl.col("r"))
        .with_columns(d=(pl.col("z").rank("ordinal").over("g") - 1) * 10 // pl.len().over("g") + 1)
    )
    out = np.zeros(len(z), dtype=np.int64)
    out[d.get_column("_i").to_numpy()] = d.get_column("d").to_numpy()
    return out


def as_codes(desil: np.ndarray) -> pl.Series:
    """Desil as register codes, blank where 0 (belum ditentukan)."""
    return pl.Series([str(d) if d else None for d in desil.tolist()], dtype=pl.String)


def person_pbi(
    desil: np.ndarray, f: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Person-level national and pemda PBI flags, drawn after the family's desil (0: none)."""
    nf = len(desil)
    eligible = (desil >= 1) & (desil <= 5)
    p_nas = np.array([PBI_NAS_BY_DESIL.get(int(d), 0.0) for d in desil]) if nf else np.zeros(0)
    p_nas = np.where(eligible, p_nas, 0.6 * PBI_ERROR_RATE)
    p_pemda = np.where(eligible, PBI_PEMDA_SHARE * (1 - p_nas), 0.4 * PBI_ERROR_RATE)
    u = rng.random(nf)
    nas_f = u < p_nas
    pemda_f = ~nas_f & (u < p_nas + p_pemda)
    covered = rng.random(len(f)) < PBI_MEMBER_COVERED
    return nas_f[f] & covered, pemda_f[f] & covered
