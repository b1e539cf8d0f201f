"""Where the synthetic families live: population per kabupaten, desa weights, remoteness.

Population per kabupaten is the Dukcapil figure (Dec 2024) times the scale, exactly.
Remote interior kecamatan (Krayan, Lumbis, Sembakung, interior Malinau, upper Peso) get a
lower welfare level, so that they look poorer, as they are.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

from padu.regions import Regions

#: Kecamatan that are remote (1.0) or partly remote (0.5): border highlands and upriver.
REMOTENESS: dict[str, float] = {
    # Nunukan: Krayan highlands, Lumbis, Sembakung, Tulin Onsoi
    **dict.fromkeys(["65.03.05", "65.03.07", "65.03.17", "65.03.18", "65.03.19"], 1.0),
    **dict.fromkeys(["65.03.04", "65.03.15", "65.03.20", "65.03.21"], 1.0),
    **dict.fromkeys(["65.03.03", "65.03.16", "65.03.14", "65.03.06"], 0.5),
    # Malinau interior (Apau Kayan, Bahau, upper Mentarang)
    **dict.fromkeys(
        ["65.02.03", "65.02.05", "65.02.10", "65.02.11", "65.02.09", "65.02.12", "65.02.15"], 1.0
    ),
    **dict.fromkeys(["65.02.04", "65.02.14", "65.02.06", "65.02.13", "65.02.01"], 0.5),
    # Bulungan upriver
    **dict.fromkeys(["65.01.07", "65.01.02"], 1.0),
    **dict.fromkeys(["65.01.08", "65.01.03", "65.01.09"], 0.5),
    # Tana Tidung upriver
    **dict.fromkeys(["65.04.05", "65.04.04"], 0.5),
}

#: Target share of families in national desil 1, per kabupaten: BPS poverty rate 2024 x 1.3
#: (desil 1 is the poorest 10 % nationally while national poverty is about 8.5 %).
DESIL1_SHARE: dict[str, float] = {
    "65.01": 0.0876 * 1.3,
    "65.02": 0.0694 * 1.3,
    "65.03": 0.0573 * 1.3,
    "65.04": 0.0447 * 1.3,
    "65.71": 0.0556 * 1.3,
}

#: Target share of families in national desil 8-10 per kabupaten, from the 2025 HDI
#: ordering (Tarakan 78.62 > Bulungan 74.66 > Tana Tidung 73.45 > Malinau 73.18 > Nunukan
#: 69.87): 0.30 + (HDI - 72) / 50. Together with the desil-1 share it fixes both tails.
TOP3_SHARE: dict[str, float] = {
    "65.01": 0.30 + (74.66 - 72) / 50,
    "65.02": 0.30 + (73.18 - 72) / 50,
    "65.03": 0.30 + (69.87 - 72) / 50,
    "65.04": 0.30 + (73.45 - 72) / 50,
    "65.71": 0.30 + (78.62 - 72) / 50,
}


@dataclass(frozen=True)
class Kabupaten:
    kode: str
    nama: str
    population: int
    male: int


def kabupaten_profiles() -> list[Kabupaten]:
    """Dukcapil population per kabupaten/kota (Dec 2024), shipped in ``data/wilayah``."""
    path = resources.files("padu").joinpath("data", "wilayah", "kaltara_kabkota_profile.csv")
    with path.open(encoding="utf-8") as fh:
        return [
            Kabupaten(
                r["kode"],
                r["nama"],
                int(r["penduduk_total_dukcapil_des2024"]),
                int(r["penduduk_laki"]),
            )
            for r in csv.DictReader(fh)
            if r["kode"].count(".") == 1
        ]


def desa_weights(
    regions: Regions, kab: str, rng: np.random.Generator
) -> tuple[list[str], np.ndarray]:
    """Desa codes of a kabupaten and their relative population weights."""
    desa = [r for r in regions.at_level("desa_kelurahan") if r.kode.startswith(kab + ".")]
    w = np.array(
        [
            (5.0 if d.jenis == "kelurahan" else 1.0)
            * (0.45 if REMOTENESS.get(d.induk or "", 0.0) >= 1.0 else 1.0)
            for d in desa
        ]
    )
    w = w * rng.lognormal(0.0, 0.5, size=len(desa))
    return [d.kode for d in desa], w / w.sum()
