"""Synthetic family members (individu): composition, age, names, NIK, schooling, work, health.

Families are expanded into members with a head, usually a spouse, children spaced by birth
order, and in larger families a parent, a grandchild or a son/daughter-in-law. Every
member-level value follows the Regsosek skip rules (``data/dtsen/README.md``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from padu.synth.draw import categorical, mix, only_where, sigmoid
from padu.synth.names import (
    HONORIFIC_FEMALE,
    HONORIFIC_MALE,
    MUHAMMAD_VARIANTS,
    POOLS,
    TITLES_AFTER,
)

# Regency prefixes of NIKs issued outside Kaltara, by the group that typically migrated.
ORIGIN_PREFIXES = {
    "bugis": ("7311", "7313", "7314", "7371", "7308", "7322"),
    "jawa": ("3507", "3578", "3509", "3374", "3310", "3522"),
    "toraja": ("7318", "7326"),
    "timor": ("5302", "5303", "5304", "5305", "5313"),
    "banjar": ("6303", "6371", "6307"),
    "tidung": ("6405", "6406"),
    "bulungan": ("6404",),
    "dayak": ("6405", "6402"),
    "tionghoa": ("6473", "6471"),
}
#: Where a migrant's KTP may still be: the regency of an origin prefix (Kepmendagri
#: codes; kecamatan and desa outside Kaltara are not in the shipped region data).
ORIGIN_REGENCIES = {
    "7308": ("SULAWESI SELATAN", "MAROS"),
    "7311": ("SULAWESI SELATAN", "BONE"),
    "7313": ("SULAWESI SELATAN", "WAJO"),
    "7314": ("SULAWESI SELATAN", "SIDENRENG RAPPANG"),
    "7318": ("SULAWESI SELATAN", "TANA TORAJA"),
    "7322": ("SULAWESI SELATAN", "LUWU UTARA"),
    "7326": ("SULAWESI SELATAN", "TORAJA UTARA"),
    "7371": ("SULAWESI SELATAN", "KOTA MAKASSAR"),
    "3310": ("JAWA TENGAH", "KLATEN"),
    "3374": ("JAWA TENGAH", "KOTA SEMARANG"),
    "3507": ("JAWA TIMUR", "MALANG"),
    "3509": ("JAWA TIMUR", "JEMBER"),
    "3522": ("JAWA TIMUR", "BOJONEGORO"),
    "3578": ("JAWA TIMUR", "KOTA SURABAYA"),
    "5302": ("NUSA TENGGARA TIMUR", "SUMBA TIMUR"),
    "5303": ("NUSA TENGGARA TIMUR", "KUPANG"),
    "5304": ("NUSA TENGGARA TIMUR", "TIMOR TENGAH SELATAN"),
    "5305": ("NUSA TENGGARA TIMUR", "TIMOR TENGAH UTARA"),
    "5313": ("NUSA TENGGARA TIMUR", "MANGGARAI"),
    "6303": ("KALIMANTAN SELATAN", "BANJAR"),
    "6307": ("KALIMANTAN SELATAN", "HULU SUNGAI TENGAH"),
    "6371": ("KALIMANTAN SELATAN", "KOTA BANJARMASIN"),
}
RETIRED = {"65.01": "6404", "65.02": "6405", "65.03": "6406", "65.04": "6410", "65.71": "6473"}
EDU_TEXT = (
    "TIDAK/BELUM SEKOLAH",
    "BELUM TAMAT SD/SEDERAJAT",
    "TAMAT SD/SEDERAJAT",
    "SLTP/SEDERAJAT",
    "SLTA/SEDERAJAT",
    "AKADEMI/DIPLOMA III/S. MUDA",
    "DIPLOMA IV/STRATA I",
    "STRATA II",
)


def _expand(fam: pl.DataFrame) -> pl.DataFrame:
    """One row per member slot: family index and position 0..size-1."""
    sizes = fam.get_column("_size").to_numpy()
    fam_idx = np.repeat(np.arange(fam.height), sizes)
    starts = np.repeat(np.cumsum(sizes) - sizes, sizes)
    return pl.DataFrame(
        {"_f": fam_idx, "_pos": np.arange(len(fam_idx)) - starts, "_n": sizes[fam_idx]}
    )


def generate_members(
    fam: pl.DataFrame, rng: np.random.Generator, as_of: dt.date, serial_offset: int = 0
) -> pl.DataFrame:
    """Members of the families in ``fam`` with every DTSEN member field (plus helpers)."""
    slots = _expand(fam)
    f = slots.get_column("_f").to_numpy()
    pos = slots.get_column("_pos").to_numpy()
    size = slots.get_column("_n").to_numpy()
    m = len(f)
    nf = fam.height
    w_f = fam.get_column("_w").to_numpy()
    w = w_f[f]
    group = fam.get_column("_suku").to_numpy()[f]
    kab = fam.get_column("_kab").to_numpy()[f]
    stratum = fam.get_column("_stratum").to_numpy()[f]

    # family type
    single_old = rng.random(nf) < 0.55
    has_spouse_f = np.where(fam.get_column("_size").to_numpy() >= 2, rng.random(nf) < 0.86, False)
    head_male_f = np.where(has_spouse_f, rng.random(nf) < 0.97, rng.random(nf) < 0.35)
    head_age_f = np.clip(rng.normal(45, 12, nf), 19, 88)
    n_f = fam.get_column("_size").to_numpy()
    head_age_f = np.where(
        n_f == 1, np.where(single_old, rng.uniform(58, 88, nf), rng.uniform(19, 38, nf)), head_age_f
    )
    # a KK living in another KK's dwelling is a married child's: a young head; the host
    # family is the parents' (an older head)
    gi, host = fam.get_column("_gi").to_numpy(), fam.get_column("_host").to_numpy()
    guest_f = host != gi
    is_host_f = np.isin(gi, host[guest_f])
    head_age_f = np.where(guest_f, rng.uniform(20, 38, nf), head_age_f)
    head_age_f = np.where(is_host_f, np.maximum(head_age_f, rng.uniform(44, 72, nf)), head_age_f)
    has_parent_f = (n_f >= 4) & (rng.random(nf) < 0.22) & (head_age_f < 62)
    has_grand_f = (n_f >= 5) & (head_age_f >= 48) & (rng.random(nf) < 0.45)
    has_inlaw_f = has_grand_f & (n_f >= 6) & (rng.random(nf) < 0.6)
    has_spouse = has_spouse_f[f]
    rel = np.full(m, "3", dtype=object)
    rel[pos == 0] = "1"
    rel[(pos == 1) & has_spouse] = "2"
    last = pos == size - 1
    rel[last & has_parent_f[f] & (pos > 1)] = "6"
    rel[(pos == size - 1 - has_parent_f[f].astype(int)) & has_grand_f[f] & (pos > 1)] = "5"
    rel[(pos == size - 2 - has_parent_f[f].astype(int)) & has_inlaw_f[f] & (pos > 1)] = "4"
    other = (rel == "3") & (rng.random(m) < 0.012)
    rel[other] = np.where(rng.random(int(other.sum())) < 0.2, "7", "8")

    head_age = head_age_f[f]
    head_male = head_male_f[f]
    male = np.where(rel == "1", head_male, np.where(rel == "2", ~head_male, rng.random(m) < 0.51))
    male = np.where(rel == "6", rng.random(m) < 0.35, male)
    mother_age = np.where(head_male, head_age - np.clip(rng.normal(4, 3, m), -3, 15), head_age)
    child_rank = np.maximum(pos - has_spouse.astype(int), 0)
    age = np.select(
        [rel == "1", rel == "2", rel == "3", rel == "5", rel == "6", rel == "4"],
        [
            head_age,
            np.clip(mother_age, 16, 90),
            np.clip(mother_age - 19 - 2.6 * child_rank - rng.exponential(2.5, m), 0, None),
            rng.uniform(0, 14, m),
            np.clip(head_age + rng.normal(27, 4, m), 50, 100),
            np.clip(head_age - rng.normal(25, 3, m), 18, None),
        ],
        rng.uniform(10, 60, m),
    )
    age = np.where(rel == "2", np.where(head_male, mother_age, head_age + rng.normal(3, 3, m)), age)
    age = np.clip(age, 0, 100)
    days = (age * 365.25).astype(np.int64) + rng.integers(0, 365, m)
    born = np.datetime64(as_of) - days.astype("timedelta64[D]")
    age_years = np.floor(days / 365.25).astype(int)

    names = _names(rng, group, male, age_years, rel, f)

    # marital status
    kawin = np.select(
        [rel == "1", rel == "2", rel == "4", rel == "6"],
        ["2", "2", "2", "4"],
        np.where((age_years >= 20) & (rng.random(m) < 0.15), "2", "1"),
    ).astype(object)
    lone_head = (rel == "1") & ~has_spouse
    kawin[lone_head] = np.where(
        age_years[lone_head] >= 50,
        np.where(rng.random(int(lone_head.sum())) < 0.75, "4", "3"),
        np.where(rng.random(int(lone_head.sum())) < 0.6, "1", "3"),
    )
    kawin[(rel == "6") & (rng.random(m) < 0.3)] = "2"

    school = _schooling(rng, age_years, w, stratum, male)
    work = _work(rng, age_years, male, w, stratum, school["partisipasi_sekolah"], kab)
    health = _health(rng, age_years, w, kab)
    nik = _nik(rng, fam, f, group, kab, born, male, age_years, serial_offset)

    cols = {
        "_f": f,
        "_pos": pos,
        "_age": age_years,
        "nomor_induk_kependudukan": nik,
        "nama": names,
        "jenis_kelamin": np.where(male, "1", "2"),
        "tanggal_lahir": born.astype("datetime64[D]"),
        "status_kawin": kawin.astype(str),
        "status_hubungan_keluarga": rel.astype(str),
        **school,
        **work,
        **health,
    }
    return pl.DataFrame([_series(k, v) for k, v in cols.items()])


def _series(name: str, values: np.ndarray) -> pl.Series:
    """A Polars column from a NumPy array; object arrays (with None) by their Python values."""
    if values.dtype == object or values.dtype.kind == "U":
        return pl.Series(name, values.tolist(), strict=False)
    return pl.Series(name, values)


def _pick(
    rng: np.random.Generator, pools: dict[str, tuple[str, ...]], keys: np.ndarray
) -> np.ndarray:
    out = np.empty(len(keys), dtype=object)
    for k, names in pools.items():
        mk = keys == k
        if mk.any():
            out[mk] = np.asarray(names, dtype=object)[rng.integers(0, len(names), int(mk.sum()))]
    return out


def _names(
    rng: np.random.Generator,
    group: np.ndarray,
    male: np.ndarray,
    age: np.ndarray,
    rel: np.ndarray,
    f: np.ndarray,
) -> np.ndarray:
    """Full names: given name(s), optional surname, honorifics, titles, bin/binti."""
    m = len(group)
    key = np.char.add(group.astype(str), np.where(male, ":m", ":f"))
    pools = {f"{g}:m": p.male for g, p in POOLS.items()} | {
        f"{g}:f": p.female for g, p in POOLS.items()
    }
    first = _pick(rng, pools, key)
    second = _pick(rng, pools, key)
    single = np.array([POOLS[g].single_name_share for g in group.astype(str)]) > rng.random(m)
    muslim = np.array([POOLS[g].muslim for g in group.astype(str)])
    surname_pool = {g: p.surnames for g, p in POOLS.items() if p.surnames}
    surname = _pick(rng, surname_pool, np.where(np.isin(group, list(surname_pool)), group, ""))
    # children (and the wife, sometimes) carry the head's surname
    head_idx = np.searchsorted(f, f)  # first member of each family is the head
    inherits = np.isin(rel, ["2", "3", "5"]) & np.isin(group, ["toraja", "timor", "tionghoa"])
    surname = np.where(inherits & (rng.random(m) < 0.85), surname[head_idx], surname)
    name = np.where(
        single, first, np.char.add(np.char.add(first.astype(str), " "), second.astype(str))
    )
    has_surname = surname.astype(bool)  # None -> False
    name = np.where(
        has_surname & ~single,
        np.char.add(np.char.add(first.astype(str), " "), surname.astype(str)),
        name,
    )
    muh = muslim & male & (rng.random(m) < 0.18)
    name = np.where(
        muh,
        np.char.add(
            np.char.add(_pick(rng, {"x": MUHAMMAD_VARIANTS}, np.full(m, "x")).astype(str), " "),
            first.astype(str),
        ),
        name,
    )
    bin_ = muslim & (rel == "3") & (rng.random(m) < 0.06)
    father = first[head_idx].astype(str)
    name = np.where(
        bin_,
        np.char.add(np.char.add(name.astype(str), np.where(male, " bin ", " binti ")), father),
        name,
    )
    haji = muslim & (age >= 45) & (rng.random(m) < 0.08)
    name = np.where(
        haji,
        np.char.add(
            np.where(male, HONORIFIC_MALE[0] + " ", HONORIFIC_FEMALE[0] + " "), name.astype(str)
        ),
        name,
    )
    titled = (age >= 24) & (rng.random(m) < 0.025)
    name = np.where(
        titled,
        np.char.add(
            np.char.add(name.astype(str), ", "),
            _pick(rng, {"x": TITLES_AFTER}, np.full(m, "x")).astype(str),
        ),
        name,
    )
    return name.astype(str)


def _schooling(
    rng: np.random.Generator, age: np.ndarray, w: np.ndarray, stratum: np.ndarray, male: np.ndarray
) -> dict[str, np.ndarray]:
    """Participation, level, grade and certificate, consistent with age (skip rules kept)."""
    m = len(age)
    remote = stratum == 2
    attend_p = (
        np.select(
            [age < 5, age <= 6, age <= 12, age <= 15, age <= 18, age <= 24],
            [0.0, 0.45, 0.985, 0.94, 0.78, 0.24],
            0.0,
        )
        * np.where(remote, 0.93, 1.0)
        * sigmoid(3.0 + 1.2 * w)
        / sigmoid(np.array(3.0))
    )
    attending = (age >= 5) & (rng.random(m) < np.clip(attend_p, 0, 1))
    # completed years for those not attending
    years = np.clip(
        np.round(
            rng.normal(
                11.1 + 1.5 * w - 0.045 * np.maximum(age - 35, 0) - 0.6 * remote - 0.3 * ~male, 3.4
            )
        ),
        0,
        18,
    )
    years = np.where(age < 7, 0, np.minimum(years, np.maximum(age - 6, 0)))
    cur = np.select(
        [age <= 12, age <= 15, age <= 18],
        [np.maximum(age - 6, 1), age - 6, age - 6],
        np.minimum(age - 6, 16),
    )
    years = np.where(attending, cur, years)
    part = only_where(~(age < 5), np.where(attending, "2", np.where(years == 0, "1", "3"))).astype(
        object
    )
    level = np.select(
        [years <= 6, years <= 9, years <= 12, years <= 15, years <= 16], [0, 1, 2, 3, 4], 5
    )
    islamic = rng.random(m) < 0.12
    jenjang_codes = np.array(
        [["3", "4"], ["8", "9"], ["13", "14"], ["18", "18"], ["19", "19"], ["21", "21"]],
        dtype=object,
    )
    jenjang = jenjang_codes[level, islamic.astype(int)]
    voc = (level == 2) & (rng.random(m) < 0.3)
    jenjang = np.where(voc, "15", jenjang)
    start = np.array([0, 6, 9, 12, 12, 16])[level]
    span = np.array([6, 3, 3, 3, 4, 2])[level]
    grade = (years - start).astype(int)
    done = (grade >= span) & ~attending
    kelas = np.where(done, "8", np.clip(grade, 1, 7).astype(str)).astype(object)
    prev_cert = np.array(["23", "3", "8", "13", "13", "19"], dtype=object)[level]
    own_cert = np.array(["3", "8", "13", "18", "19", "21"], dtype=object)[level]
    own_cert = np.where(
        jenjang == "4",
        "4",
        np.where(
            jenjang == "9",
            "9",
            np.where(jenjang == "14", "14", np.where(jenjang == "15", "15", own_cert)),
        ),
    )
    cert = np.where(done, own_cert, prev_cert)
    skip = ~np.isin(part, ["2", "3"])
    return {
        "partisipasi_sekolah": part,
        "jenjang_tertinggi_yang_diduduki": only_where(~skip, jenjang),
        "kelas_tertinggi_yang_diduduki": only_where(~skip, kelas),
        "ijazah_tertinggi_yang_dimiliki": only_where(~skip, cert),
        "_years": np.where(skip, 0, years),
        "pendidikan_akhir_ktp": np.asarray(EDU_TEXT, dtype=object)[
            np.select(
                [age < 7, years < 6, years < 9, years < 12, years < 15, years < 17],
                [0, 1, 2, 3, 4, 5],
                6,
            )
        ],
    }


SECTORS = [str(i) for i in range(1, 27)]


def _work(
    rng: np.random.Generator,
    age: np.ndarray,
    male: np.ndarray,
    w: np.ndarray,
    stratum: np.ndarray,
    part: np.ndarray,
    kab: np.ndarray,
) -> dict[str, np.ndarray]:
    """Work status (ages 10+), sector and status in work, own business (skip rules kept)."""
    m = len(age)
    in_school = part == "2"
    p = np.where(male, 0.98, 0.62) * np.select(
        [age < 15, age < 20, age < 60, age < 70], [0.02, 0.45, 1.0, 0.65], 0.3
    )
    p = np.where(in_school, p * 0.08, p) * np.where(w < -1.2, 0.93, 1.0)
    asked = age >= 10
    works = asked & (rng.random(m) < p)
    status = only_where(asked, np.where(works, "1", "2")).astype(object)
    urban = stratum == 0
    rural_w = {
        "1": 6,
        "2": 2,
        "3": 18,
        "4": 9,
        "5": 1.5,
        "6": 5,
        "7": 3,
        "8": 4,
        "11": 5,
        "12": 13,
        "13": 3,
        "14": 6,
        "20": 8,
        "21": 5,
        "22": 2,
        "24": 3,
    }
    urban_w = {
        "1": 1,
        "2": 1,
        "3": 3,
        "4": 7,
        "5": 0.5,
        "6": 1,
        "7": 3,
        "8": 8,
        "10": 0.5,
        "11": 8,
        "12": 21,
        "13": 5,
        "14": 12,
        "15": 1.5,
        "16": 1.5,
        "17": 0.5,
        "18": 1,
        "19": 1.5,
        "20": 10,
        "21": 6,
        "22": 3,
        "23": 0.5,
        "24": 4,
        "25": 1,
    }
    probs = np.where(
        urban[:, None],
        np.tile(mix({s: urban_w.get(s, 0.0) for s in SECTORS}), (m, 1)),
        np.tile(mix({s: rural_w.get(s, 0.0) for s in SECTORS}), (m, 1)),
    )
    sector = categorical(rng, probs, SECTORS)
    agri = np.isin(sector, ["1", "2", "3", "4", "5", "6"])
    gov = np.isin(sector, ["20"]) | (np.isin(sector, ["21", "22"]) & (rng.random(m) < 0.5))
    st = np.where(
        agri,
        categorical(
            rng,
            np.tile(mix({"1": 40, "2": 15, "3": 2, "4": 8, "6": 15, "8": 20}), (m, 1)),
            [str(i) for i in range(1, 9)],
        ),
        categorical(
            rng,
            np.tile(mix({"1": 22, "2": 6, "3": 4, "4": 45, "7": 13, "8": 10}), (m, 1)),
            [str(i) for i in range(1, 9)],
        ),
    )
    st = np.where(gov, "5", st)
    business = works & np.isin(st, ["1", "2", "3"]) & (rng.random(m) < 0.55)
    nbiz = only_where(business, 1 + (rng.random(m) < 0.12))
    paid = only_where(business, np.where(st == "3", rng.integers(1, 8, m), 0))
    unpaid = only_where(business, np.where(st == "2", rng.integers(1, 4, m), 0))
    omzet = only_where(
        business,
        categorical(
            rng,
            np.tile(mix({"1": 70, "2": 18, "3": 6, "4": 5, "5": 1}), (m, 1)),
            [str(i) for i in range(1, 8)],
        ),
    )
    job_text = np.select(
        [
            ~asked | (age < 15),
            in_school,
            ~works & ~male & (age >= 18),
            ~works & (age >= 60),
            ~works,
            st == "5",
            agri & np.isin(sector, ["4"]),
            agri,
            np.isin(st, ["6", "7"]),
            sector == "12",
            st == "4",
        ],
        [
            "BELUM/TIDAK BEKERJA",
            "PELAJAR/MAHASISWA",
            "MENGURUS RUMAH TANGGA",
            "PENSIUNAN",
            "BELUM/TIDAK BEKERJA",
            "PEGAWAI NEGERI SIPIL (PNS)",
            "NELAYAN/PERIKANAN",
            "PETANI/PEKEBUN",
            "BURUH HARIAN LEPAS",
            "PEDAGANG",
            "KARYAWAN SWASTA",
        ],
        "WIRASWASTA",
    )
    return {
        "status_bekerja": status,
        "status_dalam_pekerjaan_utama": only_where(works, st),
        "lapangan_usaha_dari_pekerjaan_utama": only_where(works, sector),
        "kepemilikan_usaha": only_where(asked, business),
        "jumlah_usaha": nbiz,
        "lapangan_usaha_dari_usaha_utama": only_where(business, sector),
        "omzet_usaha_utama": omzet,
        "jumlah_pekerja_yang_dibayar_dari_usaha_utama": paid,
        "jumlah_pekerja_yang_tidak_dibayar_dari_usaha_utama": unpaid,
        "pekerjaan_ktp": job_text,
    }


DIFFICULTY_FROM_2 = (
    "penglihatan",
    "pendengaran",
    "berjalan_atau_naik_tangga",
    "menggunakan_tangan_jari",
    "mengingat_berkonsentrasi",
    "mengurus_diri",
)
DIFFICULTY_FROM_5 = (
    "berbicara_komunikasi",
    "belajar_kemampuan_intelektual",
    "pengendalian_perilaku",
)
#: SSGI 2022 measured stunting prevalence (%) by kabupaten; rescaled to SSGI 2024's
#: province level (17.6 %, ``calibration.csv``).
STUNTING_2022 = {"65.01": 18.9, "65.02": 23.5, "65.03": 30.5, "65.04": 30.7, "65.71": 15.4}
#: ``kondisi_gizi`` is what the respondent reports (Regsosek asks whether the child has a
#: record of stunting), not a measurement. Assumption, not checked against a published
#: comparison: parents report about half of the measured prevalence (many stunted children
#: are never told so at the posyandu, or are not weighed and measured there).
STUNTING_REPORTED_RATIO = 0.5


def _health(
    rng: np.random.Generator, age: np.ndarray, w: np.ndarray, kab: np.ndarray
) -> dict[str, np.ndarray]:
    """Functional difficulty (Washington Group), nutrition under 5, chronic illness."""
    m = len(age)
    p_dis = np.select([age < 2, age < 18, age < 60], [0.0, 0.0055, 0.0075], 0.058) * np.where(
        w < -1, 1.4, 1.0
    )
    disabled = rng.random(m) < p_dis
    domains = DIFFICULTY_FROM_2 + DIFFICULTY_FROM_5
    main = rng.integers(0, len(domains), m)
    out: dict[str, np.ndarray] = {}
    for i, d in enumerate(domains):
        min_age = 2 if d in DIFFICULTY_FROM_2 else 5
        asked = age >= min_age
        severe = disabled & ((main == i) | (rng.random(m) < 0.12))
        mild = ~severe & (rng.random(m) < np.where(age >= 60, 0.12, 0.015))
        code = np.where(severe, np.where(rng.random(m) < 0.3, "1", "2"), np.where(mild, "3", "4"))
        out[d] = only_where(asked, code)
    out["kesedihan_depresi"] = only_where(
        age >= 5,
        categorical(
            rng, np.tile(mix({"1": 1, "2": 4, "3": 30, "4": 65}), (m, 1)), ["1", "2", "3", "4"]
        ),
    )
    under5 = age < 5
    measured = np.array([STUNTING_2022.get(k, 22.1) * 17.6 / 22.1 / 100 for k in kab])
    stunt = measured * STUNTING_REPORTED_RATIO * np.where(w < -0.5, 1.5, 0.8)
    u = rng.random(m)
    gizi = np.where(u < 0.05, "1", np.where(u < 0.05 + stunt, "2", np.where(u > 0.985, "8", "3")))
    out["kondisi_gizi"] = only_where(under5, gizi)
    chronic_p = np.select([age < 30, age < 45, age < 60], [0.03, 0.10, 0.22], 0.38)
    sick = rng.random(m) < chronic_p
    kinds = categorical(
        rng,
        np.tile(
            mix(
                {
                    "2": 45,
                    "3": 12,
                    "4": 6,
                    "5": 7,
                    "6": 14,
                    "7": 2,
                    "8": 3,
                    "9": 1.5,
                    "10": 1,
                    "13": 6,
                    "18": 2.5,
                }
            ),
            (m, 1),
        ),
        [str(i) for i in range(1, 19)],
    )
    out["penyakit_kronis"] = np.where(sick, kinds, "1")
    return out


def _nik(
    rng: np.random.Generator,
    fam: pl.DataFrame,
    f: np.ndarray,
    group: np.ndarray,
    kab: np.ndarray,
    born: np.ndarray,
    male: np.ndarray,
    age: np.ndarray,
    serial_offset: int = 0,
) -> np.ndarray:
    """NIKs consistent with region of first registration, sex (+40) and birth date; unique."""
    m = len(f)
    kec = fam.get_column("_kec").to_numpy()[f]
    local = np.array([k.replace(".", "") for k in kec], dtype=object)
    born_year = born.astype("datetime64[Y]").astype(int) + 1970
    retired = (born_year < 2012) & (rng.random(m) < 0.35)
    retired_prefix = np.char.add(
        np.array([RETIRED[k] for k in kab]), np.array([k[-2:] for k in local])
    )
    migrant = (age >= 22) & (rng.random(m) < 0.25)
    origin = _pick(rng, ORIGIN_PREFIXES, group)
    origin = np.char.add(origin.astype(str), np.char.zfill(rng.integers(1, 15, m).astype(str), 2))
    prefix = np.where(migrant, origin, np.where(retired, retired_prefix, local)).astype(str)
    dd = born.astype("datetime64[D]")
    day = (dd - dd.astype("datetime64[M]")).astype(int) + 1
    month = dd.astype("datetime64[M]").astype(int) % 12 + 1
    yy = born_year % 100
    dpart = np.char.add(
        np.char.add(
            np.char.zfill((day + np.where(male, 0, 40)).astype(str), 2),
            np.char.zfill(month.astype(str), 2),
        ),
        np.char.zfill(yy.astype(str), 2),
    )
    head = np.char.add(prefix, dpart)
    serial = serial_offset + (
        pl.DataFrame({"h": head, "r": rng.random(m)})
        .select(pl.col("r").rank("ordinal").over("h"))
        .to_series()
        .to_numpy()
    )
    return np.char.add(head, np.char.zfill(serial.astype(str), 4))
