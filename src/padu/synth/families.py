"""Synthetic families (keluarga): location, latent welfare, dwellings, housing, assets.

Each family gets a latent welfare ``w`` (its true living standard): lower in poorer
kabupaten, in remote kecamatan and in villages rather than kelurahan. Every family attribute
is drawn from a distribution that moves with ``w`` and the place (urban / rural / remote),
so that poverty indicators correlate as they do in real registers. Toilet facilities are
assigned by quantile to match the published Susenas 2022 shares per kabupaten exactly.
The desil is *not* drawn here: it is cut from a PMT score computed from these attributes
and the members' (``padu.synth.welfare``). Some families share a dwelling with another
family (a married child's KK living with the parents): they get the host's housing.
"""

from __future__ import annotations

import csv
import itertools
from importlib import resources
from statistics import NormalDist

import numpy as np
import polars as pl

from padu.regions import Regions
from padu.synth.draw import by_quantile, categorical, mix, only_where, sigmoid
from padu.synth.geography import (
    DESIL1_SHARE,
    REMOTENESS,
    TOP3_SHARE,
    desa_weights,
    kabupaten_profiles,
)

URBAN, RURAL, REMOTE = 0, 1, 2

#: Family size distribution (persons per KK); mean about 3.6.
SIZE_P = np.array([0.11, 0.18, 0.22, 0.22, 0.14, 0.07, 0.035, 0.015, 0.006, 0.004])


#: Share of KKs that live in another KK's dwelling: the gap between the register's
#: families (214,565 KK at scale 1, Dukcapil Dec 2024) and Susenas 2024's 176,652
#: households in Kaltara (``calibration.csv``, households_count): 1 - 176,652 / 214,565.
SHARED_KK_SHARE = 1 - 176_652 / 214_565
#: Families with no desil yet ("belum ditentukan"): newly registered or not yet ranked.
#: An assumption (no published share found): 8 % of KKs in another KK's dwelling (mostly
#: recently split off on marriage) and 2 % of the others, about 3 % in all.
UNDETERMINED_NEW_KK = 0.08
UNDETERMINED_OTHER = 0.02


def shared_dwellings(desa: np.ndarray, sizes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """For each family, the index of the family whose dwelling it lives in (mostly itself).

    Guests are small families (at most 4 people: a young couple with small children or a
    single adult); each lives with a family of 2+ people in the same desa that is not a
    guest itself, so the dwelling has one set of housing answers and one PLN meter.
    """
    n = len(desa)
    host = np.arange(n)
    small = sizes <= 4
    if n == 0 or not small.any():
        return host
    guest = small & (rng.random(n) < min(1.0, SHARED_KK_SHARE / small.mean()))
    can_host = ~guest & (sizes >= 2)
    order = np.argsort(desa, kind="stable")
    _, starts = np.unique(desa[order], return_index=True)
    bounds = [*starts.tolist(), n]
    for a, b in itertools.pairwise(bounds):
        idx = order[a:b]
        hosts, guests = idx[can_host[idx]], idx[guest[idx]]
        if len(hosts) and len(guests):
            host[guests] = hosts[rng.integers(0, len(hosts), len(guests))]
    return host


def _table(
    poor: list[dict[str, float]], rich: list[dict[str, float]], codes: list[str]
) -> tuple[np.ndarray, np.ndarray]:
    def vec(d: dict[str, float]) -> np.ndarray:
        return mix({c: d.get(c, 0.0) + 0.002 for c in codes})

    return np.stack([vec(d) for d in poor]), np.stack([vec(d) for d in rich])


def _draw(
    rng: np.random.Generator,
    stratum: np.ndarray,
    t: np.ndarray,
    poor: list[dict[str, float]],
    rich: list[dict[str, float]],
    codes: list[str],
) -> np.ndarray:
    p, r = _table(poor, rich, codes)
    probs = p[stratum] * (1 - t)[:, None] + r[stratum] * t[:, None]
    return categorical(rng, probs, codes)


def _codes(n: int, start: int = 1) -> list[str]:
    return [str(i) for i in range(start, n + 1)]


def _toilet_shares() -> dict[str, list[float]]:
    """Susenas 2022 shares per kabupaten, worst first: none, unused, umum, komunal, shared, own."""
    path = resources.files("padu").joinpath("data", "wilayah", "calibration.csv")
    vals: dict[tuple[str, str], float] = {}
    with path.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["indicator"].startswith(("hh_toilet_facility", "hh_no_toilet")):
                vals[(r["indicator"], r["area_code"])] = float(r["value"])
    out = {}
    for kab in ("65.01", "65.02", "65.03", "65.04", "65.71"):
        pub = vals[("hh_toilet_facility_public_pct", kab)]
        out[kab] = [
            vals[("hh_no_toilet_facility_pct", kab)],
            vals[("hh_toilet_facility_unused_pct", kab)],
            pub * 0.6,
            pub * 0.4,
            vals[("hh_toilet_facility_shared_pct", kab)],
            vals[("hh_toilet_facility_own_pct", kab)],
        ]
    return out


RELIGION = {  # Islam, Protestan, Katolik, Buddha, Hindu (Kemenag 2024, Dukcapil 2023)
    "65.71": (86.0, 7.5, 4.0, 2.3, 0.2),
    "65.01": (82.0, 10.0, 7.0, 0.8, 0.2),
    "65.03": (73.0, 17.0, 9.3, 0.5, 0.2),
    "65.04": (77.0, 12.6, 8.3, 0.2, 0.1),
    "65.02": (34.0, 52.0, 13.0, 0.3, 0.1),
}
MUSLIM_GROUPS = {
    "65.71": {
        "tidung": 15,
        "bugis": 35,
        "jawa": 25,
        "banjar": 15,
        "bulungan": 5,
        "dayak": 3,
        "toraja": 2,
    },
    "65.01": {"bulungan": 30, "tidung": 10, "bugis": 20, "jawa": 25, "banjar": 10, "dayak": 5},
    "65.03": {"tidung": 20, "bugis": 45, "jawa": 15, "banjar": 10, "timor": 3, "dayak": 7},
    "65.04": {"tidung": 60, "bugis": 15, "jawa": 15, "banjar": 10},
    "65.02": {"tidung": 20, "bugis": 25, "jawa": 30, "banjar": 15, "dayak": 10},
}
CHRISTIAN_GROUPS = {
    "65.71": {"toraja": 40, "dayak": 25, "timor": 30, "tionghoa": 5},
    "65.01": {"dayak": 70, "toraja": 15, "timor": 15},
    "65.03": {"dayak": 55, "timor": 30, "toraja": 15},
    "65.04": {"dayak": 70, "toraja": 15, "timor": 15},
    "65.02": {"dayak": 90, "toraja": 5, "timor": 5},
}


def generate_families(
    regions: Regions, scale: float, rng: np.random.Generator
) -> tuple[pl.DataFrame, np.ndarray]:
    """One row per family with every DTSEN family field (plus ``_``-prefixed helpers)."""
    parts = []
    for prof in kabupaten_profiles():
        pop = round(prof.population * scale)
        if pop <= 0:
            continue
        sizes = rng.choice(np.arange(1, 11), size=int(pop / 2.5) + 10, p=SIZE_P / SIZE_P.sum())
        cum = np.cumsum(sizes)
        n = int(np.searchsorted(cum, pop)) + 1
        sizes = sizes[:n].copy()
        sizes[-1] -= int(cum[n - 1] - pop)
        if sizes[-1] <= 0:
            sizes = sizes[:-1]
            sizes[-1] += pop - int(sizes.sum())
        desa, weights = desa_weights(regions, prof.kode, rng)
        first = np.arange(min(len(desa), n))
        rest = rng.choice(len(desa), size=n - len(first), p=weights)
        place = rng.permutation(np.concatenate([first, rest]))
        parts.append(
            pl.DataFrame(
                {"kab": prof.kode, "desa": np.asarray(desa)[place], "size": sizes.astype(np.int64)}
            )
        )
    fam = pl.concat(parts)
    n = fam.height
    desa_codes = fam.get_column("desa").to_numpy()
    kab_codes = fam.get_column("kab").to_numpy()
    kec_codes = np.array([d[:8] for d in desa_codes], dtype=object)
    by_code = {r.kode: r for r in regions}
    kelurahan = np.array([by_code[d].jenis == "kelurahan" for d in desa_codes])
    remote = np.array([REMOTENESS.get(k, 0.0) for k in kec_codes])
    urban = kelurahan | (kab_codes == "65.71")
    stratum = np.where(remote >= 1.0, REMOTE, np.where(urban, URBAN, RURAL))

    uniq_desa, desa_idx = np.unique(desa_codes, return_inverse=True)
    desa_effect = rng.normal(0, 0.3, size=len(uniq_desa))[desa_idx]
    w = -0.8 * remote + 0.3 * kelurahan + desa_effect + rng.normal(0, 0.9, size=n)
    # The latent welfare (true consumption) of each kabupaten is put on the national scale
    # by an affine map that gives it the kabupaten's target tails; the desil itself is cut
    # later from the PMT score (padu.synth.welfare), not from this latent value.
    z10, z70 = NormalDist().inv_cdf(0.1), NormalDist().inv_cdf(0.7)
    for kab, share in DESIL1_SHARE.items():
        m = kab_codes == kab
        if m.any():
            low, high = np.quantile(w[m], [share, 1 - TOP3_SHARE[kab]])
            w[m] = z10 + (z70 - z10) / (high - low) * (w[m] - low)
    sizes = fam.get_column("size").to_numpy()
    host = shared_dwellings(desa_codes, sizes, rng)
    guest = host != np.arange(n)
    # a married child's family shares its parents' living standard, partly
    w = np.where(guest, 0.5 * w + 0.5 * w[host], w)
    t = np.clip((w + 1.6) / 3.2, 0, 1)

    water = _draw(
        rng,
        stratum,
        t,
        [
            {
                "2": 40,
                "3": 25,
                "4": 10,
                "5": 5,
                "6": 3,
                "10": 12,
                "9": 2,
                "1": 1,
                "11": 0.5,
                "12": 0.5,
            },
            {"2": 10, "3": 10, "4": 20, "5": 15, "6": 12, "7": 5, "8": 5, "9": 13, "10": 10},
            {"3": 5, "5": 10, "6": 15, "7": 15, "8": 20, "9": 30, "10": 5},
        ],
        [
            {"1": 20, "2": 45, "3": 30, "4": 5},
            {"2": 35, "3": 25, "4": 25, "5": 10, "10": 5},
            {"2": 10, "3": 30, "4": 15, "5": 10, "7": 25, "9": 10},
        ],
        _codes(12),
    )
    light = _draw(
        rng,
        stratum,
        t,
        [
            {"1": 82, "2": 14, "3": 2, "4": 2},
            {"1": 62, "2": 14, "3": 16, "4": 7},
            {"1": 18, "2": 5, "3": 55, "4": 21},
        ],
        [{"1": 99, "2": 1}, {"1": 92, "2": 3, "3": 5}, {"1": 45, "2": 5, "3": 47, "4": 3}],
        _codes(4),
    )
    fuel = _draw(
        rng,
        stratum,
        t,
        [
            {"4": 72, "10": 10, "7": 3, "0": 2, "12": 1},
            {"10": 58, "4": 37, "7": 3, "0": 2},
            {"10": 94, "4": 6},
        ],
        [
            {"4": 38, "3": 32, "2": 10, "1": 5, "12": 2, "0": 3},
            {"4": 70, "3": 10, "10": 15, "2": 5},
            {"10": 60, "4": 35, "3": 5},
        ],
        _codes(12, 0),
    )
    tarakan_gas = (kab_codes == "65.71") & np.isin(fuel, ["4", "3"]) & (rng.random(n) < 0.3)
    fuel = np.where(tarakan_gas, "5", fuel)
    floor = _draw(
        rng,
        stratum,
        t,
        [
            {"5": 45, "6": 28, "8": 2, "7": 3, "2": 15, "4": 5},
            {"5": 60, "6": 15, "8": 8, "7": 10, "2": 5, "9": 2},
            {"5": 70, "8": 10, "7": 15, "6": 3, "9": 2},
        ],
        [
            {"2": 70, "1": 5, "3": 5, "4": 10, "5": 10},
            {"2": 40, "5": 40, "6": 15, "4": 5},
            {"5": 75, "2": 10, "6": 15},
        ],
        _codes(10),
    )
    wall = _draw(
        rng,
        stratum,
        t,
        [
            {"3": 65, "1": 25, "2": 3, "4": 4, "7": 3},
            {"3": 75, "1": 8, "4": 6, "5": 4, "6": 5, "2": 1, "7": 1},
            {"3": 70, "4": 8, "5": 10, "6": 10, "7": 2},
        ],
        [{"1": 70, "3": 30}, {"3": 60, "1": 40}, {"3": 85, "1": 15}],
        _codes(7),
    )
    roof = _draw(
        rng,
        stratum,
        t,
        [
            {"3": 85, "4": 5, "7": 5, "6": 3, "2": 2},
            {"3": 78, "7": 10, "6": 7, "4": 3, "5": 2},
            {"3": 55, "6": 20, "7": 22, "5": 3},
        ],
        [
            {"3": 75, "1": 8, "2": 7, "4": 10},
            {"3": 88, "4": 6, "2": 3, "1": 3},
            {"3": 85, "6": 12, "1": 3},
        ],
        _codes(9),
    )
    own = _draw(
        rng,
        stratum,
        t,
        [
            {"1": 60, "2": 20, "3": 15, "4": 2, "5": 3},
            {"1": 82, "3": 14, "2": 2, "5": 2},
            {"1": 88, "3": 10, "5": 2},
        ],
        [
            {"1": 75, "2": 15, "3": 3, "4": 7},
            {"1": 90, "2": 3, "3": 3, "4": 4},
            {"1": 90, "3": 5, "4": 5},
        ],
        _codes(5),
    )
    shares = _toilet_shares()
    # Susenas counts households: the shares are hit over dwellings (a guest family gets
    # its host's toilet below)
    dwelling = ~guest
    bab = np.full(n, "1", dtype=object)
    bab[dwelling] = by_quantile(
        (w + rng.normal(0, 0.6, n) - 0.5 * remote)[dwelling],
        kab_codes[dwelling],
        {k: v for k, v in shares.items() if (kab_codes[dwelling] == k).any()},
        ["6", "5", "4", "3", "2", "1"],
    )
    bab = bab[host]
    has_toilet = np.isin(bab, ["1", "2", "3"])
    closet = only_where(
        has_toilet,
        _draw(
            rng,
            stratum,
            t,
            [
                {"1": 90, "2": 3, "3": 2, "4": 5},
                {"1": 80, "2": 5, "3": 3, "4": 12},
                {"1": 65, "2": 8, "3": 7, "4": 20},
            ],
            [{"1": 99, "4": 1}] * 3,
            _codes(4),
        ),
    )
    sewage = only_where(
        has_toilet,
        _draw(
            rng,
            stratum,
            t,
            [
                {"1": 55, "3": 30, "4": 10, "5": 2, "6": 1, "7": 2},
                {"1": 45, "3": 20, "4": 28, "5": 5, "7": 2},
                {"1": 25, "3": 35, "4": 35, "5": 5},
            ],
            [
                {"1": 90, "3": 6, "2": 2, "7": 2},
                {"1": 85, "4": 8, "3": 7},
                {"1": 60, "4": 20, "3": 20},
            ],
            _codes(7),
        ),
    )
    power = only_where(
        light == "1",
        _draw(
            rng,
            stratum,
            t,
            [{"1": 45, "2": 50, "3": 5, "6": 0.5}] * 3,
            [{"1": 3, "2": 30, "3": 40, "4": 20, "5": 7, "7": 0.5}] * 3,
            _codes(7),
        ),
    )

    # families sharing a dwelling live in the host's house: one set of housing answers
    water, light, fuel, floor, wall, roof, bab, closet, sewage, power = (
        x[host] for x in (water, light, fuel, floor, wall, roof, bab, closet, sewage, power)
    )
    own = np.where(guest, "3", own)  # rent-free in the parents' house
    electric = light != "4"
    ruralish = stratum != URBAN

    def asset(
        a: float, b: float, extra: np.ndarray | float = 0.0, needs_power: bool = False
    ) -> np.ndarray:
        p = sigmoid(a + b * w + extra)
        got = rng.random(n) < p
        if needs_power:
            got &= electric
        return got

    assets = {
        "aset_bergerak_sepeda_motor": asset(1.8, 0.9, -1.0 * (stratum == REMOTE)),
        "aset_bergerak_mobil": asset(-2.6, 1.2),
        "aset_bergerak_sepeda": asset(-1.5, 0.2),
        "aset_bergerak_perahu": asset(-2.8, -0.3, 1.2 * ruralish),
        "aset_bergerak_kapal_perahu_motor": asset(-3.2, 0.3, 1.3 * ruralish),
        "aset_bergerak_smartphone": asset(2.0, 1.2, -1.5 * (stratum == REMOTE)),
        "aset_bergerak_komputer_laptop_tablet": asset(-2.0, 1.3),
        "aset_bergerak_lemari_es": asset(0.3, 1.4, needs_power=True),
        "aset_bergerak_ac": asset(-2.8, 1.5, 1.0 * ~ruralish, needs_power=True),
        "aset_bergerak_tv_datar": asset(-0.8, 1.2, needs_power=True),
        "aset_bergerak_emas_perhiasan": asset(-1.3, 0.9),
        "aset_bergerak_tabung_gas": np.isin(fuel, ["2", "3"]),
        "aset_bergerak_pemanas_air": asset(-4.5, 1.5, needs_power=True),
        "aset_bergerak_telepon_rumah": asset(-4.5, 0.8, needs_power=True),
        "aset_tidak_bergerak_rumah_lainnya": asset(-3.0, 1.0),
        "aset_tidak_bergerak_lahan_lainnya": asset(-1.5, 0.5, 0.7 * ruralish),
    }
    any_asset = np.logical_or.reduce(list(assets.values()))

    rel = np.empty(n, dtype=object)
    for kab, wts in RELIGION.items():
        m = kab_codes == kab
        if m.any():
            probs = np.tile(
                mix(
                    dict(
                        zip(["islam", "protestan", "katolik", "buddha", "hindu"], wts, strict=True)
                    )
                ),
                (int(m.sum()), 1),
            )
            deep = (remote[m] >= 1.0) & (kab != "65.04")
            probs[deep] = mix({"islam": 4, "protestan": 88, "katolik": 8, "buddha": 0, "hindu": 0})
            rel[m] = categorical(rng, probs, ["islam", "protestan", "katolik", "buddha", "hindu"])
    group = np.empty(n, dtype=object)
    for kab in RELIGION:
        for table, which in (
            (MUSLIM_GROUPS, rel == "islam"),
            (CHRISTIAN_GROUPS, np.isin(rel, ["protestan", "katolik"])),
        ):
            m = (kab_codes == kab) & which
            if m.any():
                names = list(table[kab])
                group[m] = categorical(rng, np.tile(mix(table[kab]), (int(m.sum()), 1)), names)
    christian_remote = np.isin(rel, ["protestan", "katolik"]) & (remote >= 1.0)
    group[christian_remote] = "dayak"
    group[rel == "buddha"] = "tionghoa"
    group[rel == "hindu"] = "jawa"

    krayan = np.isin(kec_codes, ["65.03.05", "65.03.07", "65.03.17", "65.03.18", "65.03.19"])
    pigs_ok = np.isin(rel, ["protestan", "katolik"]) & ruralish
    livestock = {
        "jumlah_ternak_sapi": np.where(ruralish & (rng.random(n) < 0.04), rng.poisson(3, n) + 1, 0),
        "jumlah_ternak_kerbau": np.where(krayan & (rng.random(n) < 0.25), rng.poisson(3, n) + 1, 0),
        "jumlah_ternak_kuda": np.where(rng.random(n) < 0.0005, 1, 0),
        "jumlah_ternak_kambing_domba": np.where(
            ruralish & (rel == "islam") & (rng.random(n) < 0.05), rng.poisson(4, n) + 1, 0
        ),
        "jumlah_ternak_babi": np.where(pigs_ok & (rng.random(n) < 0.3), rng.poisson(2, n) + 1, 0),
    }
    people = np.bincount(host, weights=sizes, minlength=n)  # dwelling size, on the host
    area = np.round(np.clip(rng.lognormal(np.log(18 + 9 * people) + 0.22 * w, 0.3), 9, 600), 1)
    area = area[host]
    # no desil yet ("belum ditentukan"): newly registered families, more often a new KK
    undetermined = rng.random(n) < np.where(guest, UNDETERMINED_NEW_KK, UNDETERMINED_OTHER)

    def s(x: np.ndarray) -> pl.Series:
        return pl.Series(x.tolist(), dtype=pl.String)

    out = pl.DataFrame(
        {
            "_kab": kab_codes,
            "_kec": kec_codes,
            "_desa": desa_codes,
            "_size": sizes,
            "_w": w,
            "_gi": np.arange(n),
            "_host": host,
            "_tanpa_desil": undetermined,
            "_stratum": stratum,
            "_remote": remote,
            "_agama": rel.astype(str),
            "_suku": group.astype(str),
            "luas_lantai": area,
            "jenis_lantai_terluas": s(floor),
            "jenis_dinding_terluas": s(wall),
            "jenis_atap_terluas": s(roof),
            "jenis_kloset": s(closet),
            "fasilitas_bab": s(bab),
            "sumber_air_minum_utama": s(water),
            "sumber_penerangan_utama": s(light),
            "bahan_bakar_utama_memasak": s(fuel),
            "daya_terpasang": s(power),
            "pembuangan_akhir_tinja": s(sewage),
            "status_kepemilikan_rumah": s(own),
            "kepemilikan_aset": any_asset,
            **assets,
            **{k: v.astype(np.int64) for k, v in livestock.items()},
        }
    )
    return out, w
