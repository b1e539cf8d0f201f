"""Home addresses of synthetic families and the KTP addresses of their members.

A family's address is where it lives (a street, RT and RW in a kelurahan; an RT and dusun
in a desa). Most members' KTP (Dukcapil) address is that address, but not all: migrants
often keep the KTP of their origin regency, and young adults who moved for school or work
are still registered in their parents' desa or another kabupaten (or the reverse). The
shares are assumptions, not published figures (see ``docs/synthetic-register.md``).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from padu.regions import kaltara
from padu.synth.draw import only_where
from padu.synth.members import ORIGIN_REGENCIES

STREETS = (
    "Jenderal Sudirman",
    "Mulawarman",
    "Yos Sudarso",
    "Gajah Mada",
    "Kusuma Bangsa",
    "Pattimura",
    "Diponegoro",
    "Sengkawit",
    "Aki Balak",
    "Padat Karya",
    "Cendana",
    "Sei Sesayap",
    "Datu Adil",
)

#: Members aged 17+ whose NIK was issued in an origin regency outside Kalimantan: share
#: whose KTP still carries that regency's address.
KTP_ORIGIN_SHARE = 0.35
#: Members aged 17-29: KTP in another desa of the same kabupaten, or in another kabupaten.
KTP_YOUNG_OTHER_DESA = 0.06
KTP_YOUNG_OTHER_KAB = 0.025
#: Members aged 30+: KTP in another desa of the same kabupaten (moved, KTP not updated).
KTP_ADULT_OTHER_DESA = 0.015


def street_addresses(
    rng: np.random.Generator, kelurahan: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Address text, RT, RW (kelurahan only) and dusun (desa only) for each row."""
    n = len(kelurahan)
    street = np.asarray(STREETS, dtype=object)[rng.integers(0, len(STREETS), n)]
    rt = rng.integers(1, 25, n)
    rt_txt = np.char.zfill(rt.astype(str), 3)
    rw_txt = np.char.zfill((1 + (rt - 1) // 5).astype(str), 3)  # about five RT per RW
    dusun = np.char.add("DUSUN ", np.char.zfill(rng.integers(1, 6, n).astype(str), 2))
    house = np.char.add(
        np.char.add("JL. ", street.astype(str)),
        np.char.add(" NO. ", rng.integers(1, 200, n).astype(str)),
    )
    alamat = np.where(
        kelurahan,
        np.char.add(np.char.add(house, " RT "), np.char.add(np.char.add(rt_txt, " RW "), rw_txt)),
        np.char.add(np.char.add("RT ", rt_txt), np.char.add(" ", dusun)),
    )
    return alamat, rt_txt, only_where(kelurahan, rw_txt), only_where(~kelurahan, dusun)


def is_kelurahan(desa_code: np.ndarray) -> np.ndarray:
    """Kelurahan codes have a desa part starting with 1 (``65.01.01.1001``)."""
    return np.array([d.split(".")[3].startswith("1") for d in desa_code], dtype=bool)


def ktp_kinds(age: np.ndarray, nik: pl.Series, rng: np.random.Generator) -> np.ndarray:
    """0 KTP at home, 1 another desa of the kabupaten, 2 another kabupaten, 3 origin regency."""
    m = len(age)
    origin = nik.str.slice(0, 4).is_in(list(ORIGIN_REGENCIES)).fill_null(False).to_numpy()
    u, v = rng.random(m), rng.random(m)
    kind = np.where((age >= 17) & origin & (u < KTP_ORIGIN_SHARE), 3, 0)
    young = (age >= 17) & (age < 30) & (kind == 0)
    kind = np.where(young & (v < KTP_YOUNG_OTHER_DESA), 1, kind)
    kind = np.where(
        young & (v >= KTP_YOUNG_OTHER_DESA) & (v < KTP_YOUNG_OTHER_DESA + KTP_YOUNG_OTHER_KAB),
        2,
        kind,
    )
    older = (age >= 30) & (kind == 0)
    out: np.ndarray = np.where(older & (v < KTP_ADULT_OTHER_DESA), 1, kind)
    return out


def with_ktp_addresses(ind: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """``ind`` (KTP fields equal to the home address) with some members' KTP elsewhere."""
    kind = ktp_kinds(
        ind.get_column("_age").to_numpy(), ind.get_column("nomor_induk_kependudukan"), rng
    )
    moved = np.flatnonzero(kind > 0)
    if not len(moved):
        return ind
    regions = kaltara()
    names = {r.kode: r.nama for r in regions}
    desa = np.array([r.kode for r in regions.at_level("desa_kelurahan")], dtype=object)
    desa_kab = np.array([d[:5] for d in desa], dtype=object)
    home = ind.get_column("kode_kelurahan_desa").to_numpy()[moved]
    home_kab = np.array([f"{h[:2]}.{h[2:4]}" for h in home], dtype=object)
    new = np.empty(len(moved), dtype=object)
    for k in np.unique(home_kab):
        for same, wanted in ((True, 1), (False, 2)):
            rows = np.flatnonzero((home_kab == k) & (kind[moved] == wanted))
            pool = desa[(desa_kab == k) == same]
            if len(rows) and len(pool):
                new[rows] = pool[rng.integers(0, len(pool), len(rows))]
    nik = ind.get_column("nomor_induk_kependudukan").to_numpy()[moved]
    local = kind[moved] < 3
    alamat, rt, rw, dusun = street_addresses(
        rng, np.array([d is not None and d.split(".")[3].startswith("1") for d in new])
    )
    vals: dict[str, np.ndarray] = {
        "alamat_ktp": alamat.astype(object),
        "rt_ktp": rt.astype(object),
        "rw_ktp": rw,
        "dusun_ktp": dusun,
        "kelurahan_desa_ktp": np.array([names[d] if d else None for d in new], dtype=object),
        "kecamatan_ktp": np.array([names[d[:8]] if d else None for d in new], dtype=object),
        "kabupaten_kota_ktp": np.array(
            [
                names[d[:5]] if d else ORIGIN_REGENCIES[n_[:4]][1]
                for d, n_ in zip(new, nik, strict=True)
            ],
            dtype=object,
        ),
        "provinsi_ktp": np.array(
            [
                names["65"] if d else ORIGIN_REGENCIES[n_[:4]][0]
                for d, n_ in zip(new, nik, strict=True)
            ],
            dtype=object,
        ),
        "kode_kelurahan_desa_ktp": np.array(
            [d.replace(".", "") if d else n_[:6] + "2001" for d, n_ in zip(new, nik, strict=True)],
            dtype=object,
        ),
    }
    code = vals["kode_kelurahan_desa_ktp"]
    vals["kode_kecamatan_ktp"] = np.array([c[:6] for c in code], dtype=object)
    vals["kode_kabupaten_kota_ktp"] = np.array([c[:4] for c in code], dtype=object)
    vals["kode_provinsi_ktp"] = np.array([c[:2] for c in code], dtype=object)
    if local.sum() != sum(1 for d in new if d):  # pragma: no cover - every kabupaten has desa
        raise RuntimeError("a KTP move found no desa")
    return ind.with_columns(
        [
            ind.get_column(name).scatter(moved, pl.Series(v.tolist(), dtype=pl.String))
            for name, v in vals.items()
        ]
    )
