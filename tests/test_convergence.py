"""Convergence views on hand-built ledgers: every count known in advance (issue 11).

A register of eleven families in three desa of Bulungan and Tarakan, written by hand so that
each family's deprivations are plain (desil, an earth floor, an unprotected spring, no
toilet, no PBI together with kidney failure), two snapshots of it (a family leaves and a
grandmother moves in with another family between them), a workshop of four agencies and
seven programmes, adopted lists and agency lists linked from hand-written CSV files. Every
figure below was worked out by hand from the scenario described in :func:`_scenario`, on
DuckDB and PostgreSQL; the plain-Python reference (tests/convergence_reference.py) must
agree with them too.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from padu.convergence import convergence
from padu.linkage.ledger import link_list
from padu.linkage.review import decide, review_pairs
from padu.programmes import load_workshop
from padu.programmes.adopt import adopt_target_list
from padu.programmes.store import programme, save_workshop
from padu.programmes.targeting import draw_target_list
from padu.regions import kaltara
from padu.register import import_register
from padu.synth import SyntheticRegister, write_register
from tests import convergence_reference as reference
from tests.conftest import Stores

ACTOR = "penguji-konvergensi"
YEAR = 2026
JANUARY, MARCH = dt.date(2026, 1, 23), dt.date(2026, 3, 2)

# -- the register --------------------------------------------------------------------------

DESA = {  # desa code, desa, kecamatan code, kecamatan, kabupaten code, kabupaten
    "A": ("6501011001", "Tanjung Palas Hulu", "650101", "Tanjung Palas", "6501",
          "Kabupaten Bulungan"),
    "B": ("6501022001", "Long Beluah", "650102", "Tanjung Palas Barat", "6501",
          "Kabupaten Bulungan"),
    "C": ("6571011001", "Karang Anyar", "657101", "Tarakan Barat", "6571", "Kota Tarakan"),
}  # fmt: skip


@dataclass(frozen=True)
class Person:
    name: str
    born: dt.date
    sex: str  # 1 L, 2 P
    prefix: str  # the kecamatan digits the NIK starts with

    @property
    def nik(self) -> str:
        day = self.born.day + (40 if self.sex == "2" else 0)
        return f"{self.prefix}{day:02d}{self.born.month:02d}{self.born.year % 100:02d}0001"


@dataclass
class Family:
    """A family: its desa, desil and the housing facts that make a deprivation."""

    kk: str
    desa: str
    desil: int
    floor: bool = False  # earth floor: perumahan (and the house programmes)
    water: bool = False  # unprotected spring: air
    toilet: bool = False  # no toilet: sanitasi
    pbi: bool = True  # False: no PBI, members with kidney failure (kesehatan)
    members: list[tuple[Person, str]] = field(default_factory=list)  # (person, relation)


def _kk(i: int, desa: str) -> str:
    return DESA[desa][2] + f"0203{i:02d}" + "0001"


# heads (all working, SMA certificate, no illness) and grandparents aged 70+
AHMAD = Person("Ahmad Fauzi", dt.date(1981, 4, 12), "1", "650101")
SITI = Person("Siti Aminah", dt.date(1955, 2, 3), "2", "650101")
BUDI = Person("Budi Santoso", dt.date(1979, 7, 21), "1", "650101")
RINA = Person("Rina Marlina", dt.date(1985, 9, 14), "2", "650102")
YOHANES = Person("Yohanes Lawing", dt.date(1950, 11, 30), "1", "650102")
HENDRA = Person("Hendra Gunawan", dt.date(1977, 3, 8), "1", "650102")
JOKO = Person("Joko Susilo", dt.date(1983, 5, 17), "1", "657101")
SRI = Person("Sri Wahyuni", dt.date(1952, 8, 25), "2", "657101")
DEWI = Person("Dewi Lestari", dt.date(1988, 12, 2), "2", "657101")
YUSUF = Person("Yusuf Habibi", dt.date(1990, 1, 19), "1", "657101")
AGUS = Person("Agus Salim", dt.date(1975, 6, 6), "1", "650101")
MARIA = Person("Maria Ulfa", dt.date(1982, 10, 10), "2", "650102")
ROBERT = Person("Robert Tanoto", dt.date(1970, 2, 14), "1", "657101")
BAMBANG = Person("Bambang Pamungkas", dt.date(1980, 8, 8), "1", "650101")
NYAI = Person("Nyai Ratna", dt.date(1948, 4, 4), "2", "650101")
RUDI = Person("Rudi Hartono", dt.date(1986, 11, 11), "1", "650101")

HEAD, PARENT = "1", "6"
F = {i: _kk(i, d) for i, d in enumerate("AABBCCCABCAA", start=1)}  # F[1] .. F[12]


def _families(snapshot: str) -> list[Family]:
    """The register in January (F12 still there, Sri in F05) or in March (F12 gone, Sri
    moved in with F06)."""
    march = snapshot == "march"
    out = [
        Family(F[1], "A", 1, floor=True, water=True, toilet=True, pbi=False,
               members=[(AHMAD, HEAD), (SITI, PARENT)]),
        Family(F[2], "A", 2, floor=True, members=[(BUDI, HEAD)]),
        Family(F[3], "B", 3, water=True, toilet=True, members=[(RINA, HEAD), (YOHANES, PARENT)]),
        Family(F[4], "B", 4, floor=True, members=[(HENDRA, HEAD)]),
        Family(F[5], "C", 2, floor=True, toilet=True,
               members=[(JOKO, HEAD)] + ([] if march else [(SRI, PARENT)])),
        Family(F[6], "C", 5, water=True, pbi=False,
               members=[(DEWI, HEAD)] + ([(SRI, PARENT)] if march else [])),
        Family(F[7], "C", 1, floor=True, water=True, members=[(YUSUF, HEAD)]),
        Family(F[8], "A", 6, floor=True, members=[(AGUS, HEAD)]),
        Family(F[9], "B", 8, members=[(MARIA, HEAD)]),
        Family(F[10], "C", 9, members=[(ROBERT, HEAD)]),
        Family(F[11], "A", 3, members=[(BAMBANG, HEAD), (NYAI, PARENT)]),
    ]  # fmt: skip
    if not march:
        out.append(Family(F[12], "A", 1, floor=True, members=[(RUDI, HEAD)]))
    return out


def _family_row(f: Family, schema: pl.Schema) -> dict[str, Any]:
    code, desa, kec_code, kec, kab_code, kab = DESA[f.desa]
    row: dict[str, Any] = dict.fromkeys(schema.names())
    row.update(
        nomor_kartu_keluarga=f.kk, nama_anggota_keluarga=f.members[0][0].name,
        jumlah_anggota_keluarga=len(f.members), alamat="RT 001 DUSUN 01",
        kelurahan_desa=desa, kecamatan=kec, kabupaten_kota=kab, provinsi="Kalimantan Utara",
        kode_kelurahan_desa=code, kode_kecamatan=kec_code, kode_kabupaten_kota=kab_code,
        kode_provinsi="65", luas_lantai=90.0,
        jenis_lantai_terluas="8" if f.floor else "2", jenis_dinding_terluas="3",
        jenis_atap_terluas="3", jenis_kloset="1", fasilitas_bab="6" if f.toilet else "1",
        sumber_air_minum_utama="8" if f.water else "4", sumber_penerangan_utama="1",
        bahan_bakar_utama_memasak="4", pembuangan_akhir_tinja="1",
        status_kepemilikan_rumah="1", kepemilikan_aset=False, pbi_nas=f.pbi, pbi_pemda=False,
        desil_nasional=str(f.desil),
    )  # fmt: skip
    return row


def _member_row(f: Family, p: Person, relation: str, schema: pl.Schema) -> dict[str, Any]:
    code, desa, kec_code, kec, kab_code, kab = DESA[f.desa]
    row: dict[str, Any] = dict.fromkeys(schema.names())
    works = relation == HEAD
    row.update(
        nomor_induk_kependudukan=p.nik, nomor_kartu_keluarga=f.kk, nama=p.name,
        jenis_kelamin=p.sex, tanggal_lahir=p.born, status_kawin="2",
        status_hubungan_keluarga=relation, kelurahan_desa_ktp=desa, kecamatan_ktp=kec,
        kabupaten_kota_ktp=kab, provinsi_ktp="Kalimantan Utara",
        kode_kelurahan_desa_ktp=code, kode_kecamatan_ktp=kec_code,
        kode_kabupaten_kota_ktp=kab_code, kode_provinsi_ktp="65",
        partisipasi_sekolah="3", ijazah_tertinggi_yang_dimiliki="13",
        status_bekerja="1" if works else "2", status_dalam_pekerjaan_utama="4" if works else None,
        kepemilikan_usaha=False, penglihatan="4", pendengaran="4",
        berjalan_atau_naik_tangga="4", menggunakan_tangan_jari="4",
        mengingat_berkonsentrasi="4", mengurus_diri="4", berbicara_komunikasi="4",
        belajar_kemampuan_intelektual="4", pengendalian_perilaku="4",
        penyakit_kronis="1" if f.pbi else "10",
        pbi_nas=f.pbi, pbi_pemda=False,
    )  # fmt: skip
    return row


def _import(
    stores: Stores, template: SyntheticRegister, which: str, date: dt.date, folder: Path
) -> int:
    fams = _families(which)
    kel_schema, ind_schema = template.keluarga.schema, template.individu.schema
    kel = pl.DataFrame([_family_row(f, kel_schema) for f in fams], schema=kel_schema)
    ind = pl.DataFrame(
        [_member_row(f, p, r, ind_schema) for f in fams for p, r in f.members],
        schema=ind_schema,
    )
    write_register(SyntheticRegister(kel, ind), folder, xlsx=False)
    return import_register(
        [folder / "keluarga.parquet", folder / "individu.parquet"],
        stores.warehouse,
        stores.catalog,
        snapshot_date=date,
        label=f"DTSEN {which}",
        rejects_dir=stores.home / "rejects",
        actor=ACTOR,
    ).snapshot


# -- the workshop --------------------------------------------------------------------------

WORKSHOP = """
agencies:
  - {code: DINSOS, name: Dinas Sosial, kind: OPD}
  - {code: DINKES, name: Dinas Kesehatan, kind: OPD}
  - {code: PERKIM, name: Dinas Perumahan dan Kawasan Permukiman, kind: OPD}
  - {code: PUPR, name: Dinas Pekerjaan Umum, kind: OPD}
programmes:
  - {code: BANSOS, name: Bantuan Sosial, agency: DINSOS, dimensions: [pendapatan],
     unit: keluarga, rule: desil_nasional <= 4, quota: 3, fiscal_year: 2026,
     funding: APBD provinsi, complements: [KARTU-SEHAT]}
  - {code: KARTU-SEHAT, name: Kartu Sehat Lansia, agency: DINKES,
     dimensions: [kesehatan, pendapatan], unit: individu, rule: desil_nasional <= 3,
     member_rule: umur(tanggal_lahir) >= 60, quota: 2, fiscal_year: 2026,
     funding: APBD provinsi}
  - {code: RTLH, name: Rumah Tidak Layak Huni, agency: PERKIM, dimensions: [perumahan],
     unit: keluarga, rule: "desil_nasional <= 4 dan jenis_lantai_terluas dalam [8, 9]",
     quota: 3, fiscal_year: 2026, funding: APBD provinsi}
  - {code: BEDAH-RUMAH, name: Bedah Rumah Bulungan, agency: DINSOS, dimensions: [perumahan],
     unit: keluarga, rule: "desil_nasional <= 5 dan jenis_lantai_terluas dalam [8, 9]",
     regions: ["65.01"], fiscal_year: 2026, funding: APBD kabupaten}
  - {code: AIR-BERSIH, name: Sambungan Air Bersih, agency: PUPR, dimensions: [air, sanitasi],
     unit: keluarga, rule: "desil_nasional <= 5 dan sumber_air_minum_utama dalam [6, 8, 9, 11]",
     quota: 2, fiscal_year: 2026, funding: APBD provinsi}
  - {code: JAMBAN, name: Jamban Sehat, agency: PUPR, dimensions: [sanitasi], unit: keluarga,
     rule: "desil_nasional <= 5 dan fasilitas_bab dalam [4, 5, 6]", fiscal_year: 2026,
     funding: DAK}
  - {code: BANSOS-2025, name: Bantuan Sosial 2025, agency: DINSOS, dimensions: [pendapatan],
     unit: keluarga, rule: desil_nasional <= 2, fiscal_year: 2025, funding: APBD provinsi}
"""


# -- the agency lists ----------------------------------------------------------------------

HEADER = ["No", "NIK", "Nama", "Tanggal Lahir", "Desa"]


def _row(p: Person, desa: str, *, name: str | None = None) -> list[str]:
    """A list row for ``p``; with another ``name`` the row gives no date and no desa."""
    if name is not None:
        return [p.nik, name, "", ""]
    return [p.nik, p.name, p.born.strftime("%d-%m-%Y"), DESA[desa][1]]


def _write_list(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        for i, r in enumerate(rows, start=1):
            out.writerow([str(i), *r])
    return path


@dataclass
class Scenario:
    january: int
    march: int
    adoptions: dict[str, int]  # programme -> the adoption that counts
    replaced_adoption: int
    ledgers: dict[str, int]  # name -> ledger id


def _adopt(stores: Stores, code: str, snapshot: int, quota: int | None = None) -> int:
    p, version = programme(stores.catalog, code)
    if quota is not None:
        p = dataclasses.replace(p, quota=quota)
    drawn = draw_target_list(stores.warehouse, stores.catalog, p, version, snapshot)
    return adopt_target_list(stores.warehouse, stores.catalog, drawn, actor=ACTOR).id


def _link(stores: Stores, path: Path, code: str, agency: str, snapshot: int) -> int:
    run = link_list(
        stores.warehouse, stores.catalog, path, programme=code, agency=agency, year=YEAR,
        snapshot=str(snapshot), actor=ACTOR,
    )  # fmt: skip
    return run.ledger.id


def _scenario(stores: Stores, template: SyntheticRegister, tmp: Path) -> Scenario:
    """The register in January and March, the workshop, adoptions and linked lists.

    Deprivations in March (Padu-7; the weights in 84ths: pendapatan 12, perumahan's floor 3,
    air 12, sanitasi 12, kesehatan's catastrophic illness 4; poor from 28):

    ====  ====  =====  ==============================================  =====
    KK    desa  desil  deprived in                                     score
    ====  ====  =====  ==============================================  =====
    F01   A     1      pendapatan perumahan air sanitasi kesehatan     43 poor
    F02   A     2      pendapatan perumahan                            15
    F03   B     3      pendapatan air sanitasi                         36 poor
    F04   B     4      pendapatan perumahan                            15
    F05   C     2      pendapatan perumahan sanitasi                   27
    F06   C     5      air kesehatan                                   16
    F07   C     1      pendapatan perumahan air                        27
    F08   A     6      perumahan                                       3
    F09   B     8      -                                               0
    F10   C     9      -                                               0
    F11   A     3      pendapatan                                      12
    ====  ====  =====  ==============================================  =====

    A and B are in Bulungan (65.01), C in Tarakan (65.71). In January F12 (A, desil 1,
    earth floor) is there too, and Sri (73) lives in F05; in March F12 is gone and Sri lives
    in F06. Siti (71) is in F01, Yohanes (75) in F03, Nyai (77) in F11.

    Planned (adopted) lists: BANSOS from March with quota 2 (F01 F07), then again from
    January with quota 3 (F01 F07 F12): the newest counts and is off the reference;
    KARTU-SEHAT Siti, Yohanes; RTLH F01 F07 F05; BEDAH-RUMAH F01 F02 F04; AIR-BERSIH F01 F07.

    Realised (linked) lists, on March unless said:
    - BANSOS bansos-2026.csv: Ahmad (F01), Rina (F03), Maria (F09, desil 8), Ahmad again,
      a man nobody knows, Hendra's NIK under another name (review, decided same after the
      link: F04), Bambang's NIK under another name (review, undecided);
    - RTLH rtlh.csv: Budi (F02), Hendra (F04); then rtlh.csv corrected: Budi, Yusuf (F07),
      which replaces it; rtlh-tahap2.csv: Joko (F05), which adds;
    - BEDAH-RUMAH bedah.csv: Budi (F02), Agus (F08, desil 6), Dewi (F06, in Tarakan); the
      same file again as bedah-salinan.csv, which replaces it;
    - KARTU-SEHAT kartu-sehat.csv, linked on January (off the reference): Sri (then in
      F05, now in F06), Nyai (F11).
    """
    january = _import(stores, template, "january", JANUARY, tmp / "januari")
    march = _import(stores, template, "march", MARCH, tmp / "maret")
    save_workshop(load_workshop(WORKSHOP), stores.catalog, actor=ACTOR)
    replaced = _adopt(stores, "BANSOS", march, quota=2)
    adoptions = {
        "BANSOS": _adopt(stores, "BANSOS", january),
        "KARTU-SEHAT": _adopt(stores, "KARTU-SEHAT", march),
        "RTLH": _adopt(stores, "RTLH", march),
        "BEDAH-RUMAH": _adopt(stores, "BEDAH-RUMAH", march),
        "AIR-BERSIH": _adopt(stores, "AIR-BERSIH", march),
    }
    stranger = ["6502015505700003", "Kornelius Ngau", "15-05-1970", "Long Beluah"]
    bansos = _write_list(
        tmp / "bansos-2026.csv",
        [
            _row(AHMAD, "A"), _row(RINA, "B"), _row(MARIA, "B"), _row(AHMAD, "A"), stranger,
            _row(HENDRA, "B", name="Endang Kosasih"), _row(BAMBANG, "A", name="Slamet Riyadi"),
        ],
    )  # fmt: skip
    ledgers = {"bansos": _link(stores, bansos, "BANSOS", "DINSOS", march)}
    rtlh = _write_list(tmp / "rtlh.csv", [_row(BUDI, "A"), _row(HENDRA, "B")])
    ledgers["rtlh-1"] = _link(stores, rtlh, "RTLH", "PERKIM", march)
    _write_list(rtlh, [_row(BUDI, "A"), _row(YUSUF, "C")])
    ledgers["rtlh-2"] = _link(stores, rtlh, "RTLH", "PERKIM", march)
    tahap2 = _write_list(tmp / "rtlh-tahap2.csv", [_row(JOKO, "C")])
    ledgers["rtlh-tahap2"] = _link(stores, tahap2, "RTLH", "PERKIM", march)
    bedah = _write_list(tmp / "bedah.csv", [_row(BUDI, "A"), _row(AGUS, "A"), _row(DEWI, "C")])
    ledgers["bedah"] = _link(stores, bedah, "BEDAH-RUMAH", "DINSOS", march)
    copy = tmp / "bedah-salinan.csv"
    shutil.copyfile(bedah, copy)
    ledgers["bedah-salinan"] = _link(stores, copy, "BEDAH-RUMAH", "DINSOS", march)
    kartu = _write_list(tmp / "kartu-sehat.csv", [_row(SRI, "C"), _row(NYAI, "A")])
    ledgers["kartu"] = _link(stores, kartu, "KARTU-SEHAT", "DINKES", january)

    # the two review rows of the BANSOS list: Hendra's is decided after the link
    ledger = next(x for x in stores.catalog.ledgers() if x.id == ledgers["bansos"])
    pairs = review_pairs(stores.warehouse, ledger)
    queue = {r["nik"]: r["row"] for r in pairs.iter_rows(named=True)}
    assert set(queue) == {HENDRA.nik, BAMBANG.nik}, "the scenario needs these two in review"
    decide(stores.warehouse, stores.catalog, ledger, [(queue[HENDRA.nik], None, "same")],
           actor="peninjau")  # fmt: skip
    return Scenario(january, march, adoptions, replaced, ledgers)


# -- expected figures ----------------------------------------------------------------------

DIMENSIONS = ("pendapatan", "pendidikan", "kesehatan", "perumahan", "air", "sanitasi", "pekerjaan")
PROGRAMMES = {  # agency, unit, dimensions
    "BANSOS": ("DINSOS", "keluarga", ["pendapatan"]),
    "KARTU-SEHAT": ("DINKES", "individu", ["kesehatan", "pendapatan"]),
    "RTLH": ("PERKIM", "keluarga", ["perumahan"]),
    "BEDAH-RUMAH": ("DINSOS", "keluarga", ["perumahan"]),
    "AIR-BERSIH": ("PUPR", "keluarga", ["air", "sanitasi"]),
}


def _rate(a: int, b: int) -> float | None:
    return None if b == 0 else round(a / b, 6)


def _prog(
    code: str,
    recipients: int,
    inclusion: tuple[int, int, int, int],  # not found, left, desil 6-10, outside scope
    eligible: int,
    reached: int,
    skipped: int,
    deprived: int,
    deprived_reached: int,
    pending: int = 0,
) -> dict[str, Any]:
    agency, unit, dims = PROGRAMMES[code]
    return {
        "agency": agency,
        "unit": unit,
        "dimensions": dims,
        "recipients": recipients,
        "inclusion": dict(zip(reference.INCLUSION, inclusion, strict=True)),
        "inclusion_error": _rate(sum(inclusion), recipients),
        "eligible": eligible,
        "eligible_reached": reached,
        "exclusion_error": _rate(eligible - reached, eligible),
        "priority_skipped": skipped,
        "coverage": _rate(reached, eligible),
        "deprived": deprived,
        "deprived_reached": deprived_reached,
        "deprived_coverage": _rate(deprived_reached, deprived),
        "pending_review": pending,
    }


def _gaps(**given: tuple[int, int]) -> dict[str, dict[str, int]]:
    """Deprived and reached per dimension (every other dimension: none deprived)."""
    out = {}
    for d in DIMENSIONS:
        deprived, reached = given.get(d, (0, 0))
        out[d] = {"deprived": deprived, "reached": reached, "unreached": deprived - reached}
    return out


def _overlap(
    same_dim: int,
    same_prog: int,
    compl: int,
    perumahan: int,
    distribution: tuple[int, int, int, int],
    pairs: list[tuple[str, str, int]],
) -> dict[str, Any]:
    by_dim = dict.fromkeys(DIMENSIONS, 0) | {"perumahan": perumahan}
    return {
        "same_dimension_families": same_dim,
        "same_programme_families": same_prog,
        "complementary_families": compl,
        "by_dimension": by_dim,
        "concentration": {
            "threshold": 4,
            "families": distribution[3],
            "distribution": dict(zip(("1", "2", "3", "4+"), distribution, strict=True)),
        },
        "by_agency_pair": [{"agencies": [a, b], "families": n} for a, b, n in pairs],
    }


def _area(
    families: int,
    overlap: dict[str, Any],
    gaps: dict[str, Any],
    poor: tuple[int, int],
    dimension_agency: list[tuple[str, str, int]],
    programmes: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    return {
        "families": families,
        "overlap": overlap,
        "gaps": gaps,
        "poor": {"poor": poor[0], "reached": poor[1], "unreached": poor[0] - poor[1]},
        "dimension_agency": [
            {"dimension": d, "agency": a, "families": n} for d, a, n in dimension_agency
        ],
        "programmes": programmes,
    }


# Province, March, every programme's eligible units in rank order:
#   BANSOS F01 F07 F05 F02 F03 F11 F04; KARTU-SEHAT Siti Yohanes Nyai;
#   RTLH F01 F07 F05 F02 F04; BEDAH-RUMAH (Bulungan) F01 F02 F04; AIR-BERSIH F01 F07 F03 F06.
# Deprived per dimension: pendapatan 7, kesehatan 2, perumahan 6, air 4, sanitasi 3.

PLANNED = _area(
    11,
    # F01: all five (RTLH and BEDAH-RUMAH on perumahan; BANSOS and KARTU-SEHAT complement
    # each other); F07: BANSOS RTLH AIR-BERSIH; F02 F04: BEDAH-RUMAH; F03: KARTU; F05: RTLH
    _overlap(1, 0, 1, 1, (4, 0, 1, 1), [
        ("DINSOS", "PERKIM", 2), ("DINSOS", "PUPR", 2), ("PERKIM", "PUPR", 2),
        ("DINKES", "DINSOS", 1), ("DINKES", "PERKIM", 1), ("DINKES", "PUPR", 1),
    ]),
    _gaps(pendapatan=(7, 3), kesehatan=(2, 1), perumahan=(6, 5), air=(4, 2), sanitasi=(3, 1)),
    (2, 2),
    [("pendapatan", "DINKES", 2), ("pendapatan", "DINSOS", 2), ("kesehatan", "DINKES", 1),
     ("perumahan", "DINSOS", 3), ("perumahan", "PERKIM", 3), ("air", "PUPR", 2),
     ("sanitasi", "PUPR", 1)],
    {
        "BANSOS": _prog("BANSOS", 3, (0, 1, 0, 0), 7, 2, 0, 7, 2),  # F12 left
        "KARTU-SEHAT": _prog("KARTU-SEHAT", 2, (0, 0, 0, 0), 3, 2, 0, 8, 2),
        "RTLH": _prog("RTLH", 3, (0, 0, 0, 0), 5, 3, 0, 6, 3),
        "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 3, (0, 0, 0, 0), 3, 3, 0, 4, 3),
        "AIR-BERSIH": _prog("AIR-BERSIH", 2, (0, 0, 0, 0), 4, 2, 0, 5, 2),
    },
)  # fmt: skip

REALISED = _area(
    11,
    # F02: RTLH and BEDAH-RUMAH; F06: KARTU-SEHAT and BEDAH-RUMAH (no dimension shared);
    # F01 is twice on the BANSOS list; everyone else one programme
    _overlap(1, 1, 0, 1, (8, 2, 0, 0), [("DINKES", "DINSOS", 1), ("DINSOS", "PERKIM", 1)]),
    _gaps(pendapatan=(7, 4), kesehatan=(2, 1), perumahan=(6, 4), air=(4, 0), sanitasi=(3, 0)),
    (2, 2),
    [("pendapatan", "DINKES", 1), ("pendapatan", "DINSOS", 3), ("kesehatan", "DINKES", 1),
     ("perumahan", "DINSOS", 2), ("perumahan", "PERKIM", 3)],
    {
        # F01 F03 F09 F04 and the stranger; Bambang's row waits for review
        "BANSOS": _prog("BANSOS", 5, (1, 0, 1, 0), 7, 3, 4, 7, 3, pending=1),
        # Sri counts in F06 now; Siti and Yohanes (ranks 1, 2) are skipped for Nyai (3)
        "KARTU-SEHAT": _prog("KARTU-SEHAT", 2, (0, 0, 0, 0), 3, 1, 2, 8, 2),
        "RTLH": _prog("RTLH", 3, (0, 0, 0, 0), 5, 3, 1, 6, 3),
        "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 3, (0, 0, 1, 1), 3, 1, 1, 4, 2),
    },
)  # fmt: skip

BOTH = _area(
    11,
    _overlap(2, 1, 2, 2, (4, 4, 1, 1), [
        ("DINKES", "DINSOS", 3), ("DINSOS", "PERKIM", 3), ("DINSOS", "PUPR", 2),
        ("PERKIM", "PUPR", 2), ("DINKES", "PERKIM", 1), ("DINKES", "PUPR", 1),
    ]),
    _gaps(pendapatan=(7, 5), kesehatan=(2, 2), perumahan=(6, 6), air=(4, 2), sanitasi=(3, 1)),
    (2, 2),
    [("pendapatan", "DINKES", 3), ("pendapatan", "DINSOS", 4), ("kesehatan", "DINKES", 2),
     ("perumahan", "DINSOS", 4), ("perumahan", "PERKIM", 4), ("air", "PUPR", 2),
     ("sanitasi", "PUPR", 1)],
    {
        "BANSOS": _prog("BANSOS", 7, (1, 1, 1, 0), 7, 4, 3, 7, 4, pending=1),
        "KARTU-SEHAT": _prog("KARTU-SEHAT", 4, (0, 0, 0, 0), 3, 3, 0, 8, 4),
        "RTLH": _prog("RTLH", 4, (0, 0, 0, 0), 5, 4, 0, 6, 4),
        "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 5, (0, 0, 1, 1), 3, 3, 0, 4, 4),
        "AIR-BERSIH": _prog("AIR-BERSIH", 2, (0, 0, 0, 0), 4, 2, 0, 5, 2),
    },
)  # fmt: skip

# by kabupaten: Bulungan F01 F02 F03 F04 F08 F09 F11, Tarakan F05 F06 F07 F10; eligible
# units of Bulungan: BANSOS F01 F02 F03 F11 F04 (ranks 1 4 5 6 7), KARTU-SEHAT all three,
# RTLH F01 F02 F04 (1 4 5), BEDAH-RUMAH all three, AIR-BERSIH F01 F03 (1 3); of Tarakan:
# BANSOS F07 F05 (2 3), RTLH F07 F05 (2 3), AIR-BERSIH F07 F06 (2 4)
REGIONS = {
    "planned": {
        "65.01": _area(
            7,
            _overlap(1, 0, 1, 1, (3, 0, 0, 1), [
                ("DINKES", "DINSOS", 1), ("DINKES", "PERKIM", 1), ("DINKES", "PUPR", 1),
                ("DINSOS", "PERKIM", 1), ("DINSOS", "PUPR", 1), ("PERKIM", "PUPR", 1),
            ]),
            _gaps(pendapatan=(5, 2), kesehatan=(1, 1), perumahan=(4, 3), air=(2, 1),
                  sanitasi=(2, 1)),
            (2, 2),
            [("pendapatan", "DINKES", 2), ("pendapatan", "DINSOS", 1), ("kesehatan", "DINKES", 1),
             ("perumahan", "DINSOS", 3), ("perumahan", "PERKIM", 1), ("air", "PUPR", 1),
             ("sanitasi", "PUPR", 1)],
            {
                "BANSOS": _prog("BANSOS", 1, (0, 0, 0, 0), 5, 1, 0, 5, 1),
                "KARTU-SEHAT": _prog("KARTU-SEHAT", 2, (0, 0, 0, 0), 3, 2, 0, 5, 2),
                "RTLH": _prog("RTLH", 1, (0, 0, 0, 0), 3, 1, 0, 4, 1),
                "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 3, (0, 0, 0, 0), 3, 3, 0, 4, 3),
                "AIR-BERSIH": _prog("AIR-BERSIH", 1, (0, 0, 0, 0), 2, 1, 0, 2, 1),
            },
        ),
        "65.71": _area(
            4,
            _overlap(0, 0, 0, 0, (1, 0, 1, 0), [
                ("DINSOS", "PERKIM", 1), ("DINSOS", "PUPR", 1), ("PERKIM", "PUPR", 1),
            ]),
            _gaps(pendapatan=(2, 1), kesehatan=(1, 0), perumahan=(2, 2), air=(2, 1),
                  sanitasi=(1, 0)),
            (0, 0),
            [("pendapatan", "DINSOS", 1), ("perumahan", "PERKIM", 2), ("air", "PUPR", 1)],
            {
                "BANSOS": _prog("BANSOS", 1, (0, 0, 0, 0), 2, 1, 0, 2, 1),
                "KARTU-SEHAT": _prog("KARTU-SEHAT", 0, (0, 0, 0, 0), 0, 0, 0, 3, 0),
                "RTLH": _prog("RTLH", 2, (0, 0, 0, 0), 2, 2, 0, 2, 2),
                "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 0, (0, 0, 0, 0), 0, 0, 0, 0, 0),
                "AIR-BERSIH": _prog("AIR-BERSIH", 1, (0, 0, 0, 0), 2, 1, 0, 3, 1),
            },
        ),
    },
    "realised": {
        "65.01": _area(
            7,
            _overlap(1, 1, 0, 1, (6, 1, 0, 0), [("DINSOS", "PERKIM", 1)]),
            _gaps(pendapatan=(5, 4), kesehatan=(1, 0), perumahan=(4, 2), air=(2, 0),
                  sanitasi=(2, 0)),
            (2, 2),
            [("pendapatan", "DINKES", 1), ("pendapatan", "DINSOS", 3),
             ("perumahan", "DINSOS", 2), ("perumahan", "PERKIM", 1)],
            {
                "BANSOS": _prog("BANSOS", 4, (0, 0, 1, 0), 5, 3, 2, 5, 3),
                "KARTU-SEHAT": _prog("KARTU-SEHAT", 1, (0, 0, 0, 0), 3, 1, 2, 5, 1),
                "RTLH": _prog("RTLH", 1, (0, 0, 0, 0), 3, 1, 1, 4, 1),
                "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 2, (0, 0, 1, 0), 3, 1, 1, 4, 2),
            },
        ),
        "65.71": _area(
            4,
            _overlap(0, 0, 0, 0, (2, 1, 0, 0), [("DINKES", "DINSOS", 1)]),
            _gaps(pendapatan=(2, 0), kesehatan=(1, 1), perumahan=(2, 2), air=(2, 0),
                  sanitasi=(1, 0)),
            (0, 0),
            [("kesehatan", "DINKES", 1), ("perumahan", "PERKIM", 2)],
            {
                "BANSOS": _prog("BANSOS", 0, (0, 0, 0, 0), 2, 0, 0, 2, 0),
                "KARTU-SEHAT": _prog("KARTU-SEHAT", 1, (0, 0, 0, 0), 0, 0, 0, 3, 1),
                "RTLH": _prog("RTLH", 2, (0, 0, 0, 0), 2, 2, 0, 2, 2),
                "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 1, (0, 0, 0, 1), 0, 0, 0, 0, 0),
            },
        ),
    },
    "both": {
        "65.01": _area(
            7,
            _overlap(2, 1, 2, 2, (3, 3, 0, 1), [
                ("DINKES", "DINSOS", 2), ("DINSOS", "PERKIM", 2), ("DINKES", "PERKIM", 1),
                ("DINKES", "PUPR", 1), ("DINSOS", "PUPR", 1), ("PERKIM", "PUPR", 1),
            ]),
            _gaps(pendapatan=(5, 4), kesehatan=(1, 1), perumahan=(4, 4), air=(2, 1),
                  sanitasi=(2, 1)),
            (2, 2),
            [("pendapatan", "DINKES", 3), ("pendapatan", "DINSOS", 3), ("kesehatan", "DINKES", 1),
             ("perumahan", "DINSOS", 4), ("perumahan", "PERKIM", 2), ("air", "PUPR", 1),
             ("sanitasi", "PUPR", 1)],
            {
                "BANSOS": _prog("BANSOS", 4, (0, 0, 1, 0), 5, 3, 2, 5, 3),
                "KARTU-SEHAT": _prog("KARTU-SEHAT", 3, (0, 0, 0, 0), 3, 3, 0, 5, 3),
                "RTLH": _prog("RTLH", 2, (0, 0, 0, 0), 3, 2, 0, 4, 2),
                "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 4, (0, 0, 1, 0), 3, 3, 0, 4, 4),
                "AIR-BERSIH": _prog("AIR-BERSIH", 1, (0, 0, 0, 0), 2, 1, 0, 2, 1),
            },
        ),
        "65.71": _area(
            4,
            _overlap(0, 0, 0, 0, (1, 1, 1, 0), [
                ("DINKES", "DINSOS", 1), ("DINSOS", "PERKIM", 1), ("DINSOS", "PUPR", 1),
                ("PERKIM", "PUPR", 1),
            ]),
            _gaps(pendapatan=(2, 1), kesehatan=(1, 1), perumahan=(2, 2), air=(2, 1),
                  sanitasi=(1, 0)),
            (0, 0),
            [("pendapatan", "DINSOS", 1), ("kesehatan", "DINKES", 1), ("perumahan", "PERKIM", 2),
             ("air", "PUPR", 1)],
            {
                "BANSOS": _prog("BANSOS", 1, (0, 0, 0, 0), 2, 1, 0, 2, 1),
                "KARTU-SEHAT": _prog("KARTU-SEHAT", 1, (0, 0, 0, 0), 0, 0, 0, 3, 1),
                "RTLH": _prog("RTLH", 2, (0, 0, 0, 0), 2, 2, 0, 2, 2),
                "BEDAH-RUMAH": _prog("BEDAH-RUMAH", 1, (0, 0, 0, 1), 0, 0, 0, 0, 0),
                "AIR-BERSIH": _prog("AIR-BERSIH", 1, (0, 0, 0, 0), 2, 1, 0, 3, 1),
            },
        ),
    },
}  # fmt: skip
PROVINCE = {"planned": PLANNED, "realised": REALISED, "both": BOTH}
WITHOUT_LIST = {
    "planned": ["JAMBAN"],
    "realised": ["AIR-BERSIH", "JAMBAN"],
    "both": ["JAMBAN"],
}  # BANSOS-2025 is another year's


def _sorted_cells(cells: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The dimension x agency cells in one order (the contract does not fix theirs)."""
    return sorted(cells, key=lambda c: (c["dimension"], c["agency"]))


def _overlap_shape(overlap: dict[str, Any]) -> dict[str, Any]:
    """The overlap view with ``by_dimension`` reduced to the dimensions with a family (the
    contract lists every dimension for gaps, not for this count)."""
    by_dim = {d: n for d, n in overlap["by_dimension"].items() if n}
    assert set(overlap["by_dimension"]) <= set(DIMENSIONS)
    return {**overlap, "by_dimension": by_dim}


def _check_area(got: dict[str, Any], want: dict[str, Any], where: str) -> None:
    for key in ("families", "gaps", "poor"):
        assert got[key] == want[key], f"{where}: {key}"
    assert _overlap_shape(got["overlap"]) == _overlap_shape(want["overlap"]), f"{where}: overlap"
    assert _sorted_cells(got["dimension_agency"]) == _sorted_cells(want["dimension_agency"]), (
        f"{where}: dimension_agency"
    )
    assert set(got["programmes"]) == set(want["programmes"]), f"{where}: programmes"
    for code, figures in want["programmes"].items():
        assert got["programmes"][code] == figures, f"{where}: {code}"


# -- the tests -----------------------------------------------------------------------------


@pytest.fixture
def scenario(stores: Stores, small_register: SyntheticRegister, tmp_path: Path) -> Scenario:
    return _scenario(stores, small_register, tmp_path)


def _sources(sc: Scenario, basis: str) -> list[tuple[Any, ...]]:
    """(basis, kind, id, programme, snapshot, rows, file, off_reference, replaced_by) of
    every source, with March as the reference: BANSOS's adoption and KARTU-SEHAT's list are
    from January; the first rtlh.csv is replaced by its resubmission (same name), bedah.csv
    by its copy (same content), and neither counts."""
    a, led, jan, mar = sc.adoptions, sc.ledgers, sc.january, sc.march
    planned = [
        ("planned", "adoption", a["BANSOS"], "BANSOS", jan, 3, None, True, None),
        ("planned", "adoption", a["KARTU-SEHAT"], "KARTU-SEHAT", mar, 2, None, False, None),
        ("planned", "adoption", a["RTLH"], "RTLH", mar, 3, None, False, None),
        ("planned", "adoption", a["BEDAH-RUMAH"], "BEDAH-RUMAH", mar, 3, None, False, None),
        ("planned", "adoption", a["AIR-BERSIH"], "AIR-BERSIH", mar, 2, None, False, None),
    ]
    realised = [
        ("realised", "ledger", led["bansos"], "BANSOS", mar, 7, "bansos-2026.csv", False, None),
        ("realised", "ledger", led["rtlh-1"], "RTLH", mar, 2, "rtlh.csv", False, led["rtlh-2"]),
        ("realised", "ledger", led["rtlh-2"], "RTLH", mar, 2, "rtlh.csv", False, None),
        ("realised", "ledger", led["rtlh-tahap2"], "RTLH", mar, 1, "rtlh-tahap2.csv", False, None),
        ("realised", "ledger", led["bedah"], "BEDAH-RUMAH", mar, 3, "bedah.csv", False,
         led["bedah-salinan"]),
        ("realised", "ledger", led["bedah-salinan"], "BEDAH-RUMAH", mar, 3,
         "bedah-salinan.csv", False, None),
        ("realised", "ledger", led["kartu"], "KARTU-SEHAT", jan, 2, "kartu-sehat.csv", True, None),
    ]  # fmt: skip
    return sorted({"planned": planned, "realised": realised, "both": planned + realised}[basis])


def _source_tuples(got: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    for s in got:
        assert isinstance(s["dibuat"], str) and s["dibuat"], s
        assert s["pelaku"] == ACTOR, s
        assert s["counted"] == (s.get("replaced_by") is None), s
    return sorted(
        (s["basis"], s["kind"], s["id"], s["programme"], s["snapshot"], s["rows"],
         s.get("file"), s["off_reference"], s.get("replaced_by"))
        for s in got
    )  # fmt: skip


def test_every_figure_of_the_province_and_each_kabupaten(
    stores: Stores, scenario: Scenario
) -> None:
    stores.catalog.set_reference(YEAR, scenario.march, "data acuan lokakarya", ACTOR)
    wh, cat = stores.warehouse, stores.catalog
    world = reference.load(wh, cat, scenario.march, YEAR)
    reference.load_eligible(wh, cat, world)
    for basis in ("planned", "realised", "both"):  # one scenario, three bases
        for by in (None, "kabupaten"):
            engine = convergence(wh, cat, scenario.march, YEAR, basis=basis, by=by)
            ours = reference.recompute(
                wh, cat, scenario.march, YEAR, basis=basis, by=by, world=world
            )
            for name, got in (("engine", engine), ("reference", ours)):
                where = f"{name} {basis} by={by}"
                assert (got["year"], got["basis"], got["measure"], got["by"]) == (
                    YEAR, basis, "padu-7", by,
                ), where  # fmt: skip
                assert got["snapshot"] == {
                    "id": scenario.march, "label": "DTSEN march", "tanggal": "2026-03-02",
                    "reference": True,
                }, where  # fmt: skip
                _check_area(got, PROVINCE[basis], where)
                assert got["programmes_without_list"] == WITHOUT_LIST[basis], where
                if by is None:
                    assert "regions" not in got or got["regions"] in (None, []), where
                    continue
                regions = {r["kode"]: r for r in got["regions"]}
                assert list(regions) == ["65.01", "65.71"], where
                for kode, want in REGIONS[basis].items():
                    region = regions[kode]
                    assert region["level"] == "kabupaten", where
                    assert region["nama"] == kaltara().get(kode).nama, where
                    _check_area(region, want, f"{where} {kode}")
            assert _source_tuples(engine["sources"]) == _sources(scenario, basis)


def test_off_reference_sources_and_snapshots_are_flagged(
    stores: Stores, scenario: Scenario
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    # no reference agreed for the year yet: every source and the snapshot are flagged
    before = convergence(wh, cat, scenario.march, YEAR)
    assert before["snapshot"]["reference"] is False
    assert all(s["off_reference"] for s in before["sources"])
    assert len(before["sources"]) == 12 and before["warnings"]  # 10 count, 2 replaced
    replaced = {s["id"]: s["replaced_by"] for s in before["sources"] if not s["counted"]}
    led = scenario.ledgers
    assert replaced == {led["rtlh-1"]: led["rtlh-2"], led["bedah"]: led["bedah-salinan"]}
    for old, new in replaced.items():
        said = f"#{old} ("
        assert any(said in w and f"digantikan daftar tertaut #{new}" in w
                   for w in before["warnings"]), before["warnings"]  # fmt: skip

    cat.set_reference(YEAR, scenario.march, "data acuan lokakarya", ACTOR)
    agreed = convergence(wh, cat, scenario.march, YEAR)
    flagged = {s["programme"] for s in agreed["sources"] if s["off_reference"]}
    assert flagged == {"BANSOS", "KARTU-SEHAT"}  # the January adoption and list
    assert agreed["snapshot"]["reference"] is True
    for code in ("BANSOS", "KARTU-SEHAT"):
        assert any(code in w for w in agreed["warnings"]), (code, agreed["warnings"])

    # only the realised lists: KARTU-SEHAT's January list is the one flagged
    realised = convergence(wh, cat, scenario.march, YEAR, basis="realised")
    assert {s["programme"] for s in realised["sources"] if s["off_reference"]} == {"KARTU-SEHAT"}
    assert any("KARTU-SEHAT" in w for w in realised["warnings"])

    # the views on January, which is not the reference: the snapshot itself is flagged
    january = convergence(wh, cat, scenario.january, YEAR)
    assert january["snapshot"]["reference"] is False
    assert len(january["warnings"]) > len(agreed["warnings"])
    flagged = {s["programme"] for s in january["sources"] if s["off_reference"]}
    assert flagged == {"BANSOS", "KARTU-SEHAT"}  # flags are about the year's reference


def test_concentration_threshold(stores: Stores, scenario: Scenario) -> None:
    wh, cat = stores.warehouse, stores.catalog
    # five programmes reach F01, three F07, two each F02 F03 F04 F06, one F05 F08 F09 F11
    two = convergence(wh, cat, scenario.march, YEAR, concentration=2)
    assert two["overlap"]["concentration"] == {
        "threshold": 2, "families": 6, "distribution": {"1": 4, "2+": 6},
    }  # fmt: skip
    five = convergence(wh, cat, scenario.march, YEAR, concentration=5)
    assert five["overlap"]["concentration"] == {
        "threshold": 5, "families": 1, "distribution": {"1": 4, "2": 4, "3": 1, "4": 0, "5+": 1},
    }  # fmt: skip


def test_a_year_without_any_list(stores: Stores, scenario: Scenario) -> None:
    wh, cat = stores.warehouse, stores.catalog
    # nobody adopted or linked a list for 2025: its one programme is without a list, and
    # the register's deprivations are all unreached
    other = convergence(wh, cat, scenario.march, 2025)
    assert other["programmes"] == {} and other["sources"] == []
    assert other["programmes_without_list"] == ["BANSOS-2025"]
    assert other["overlap"]["same_dimension_families"] == 0
    assert other["gaps"]["pendapatan"] == {"deprived": 7, "reached": 0, "unreached": 7}
    assert other["poor"] == {"poor": 2, "reached": 0, "unreached": 2}


def test_a_review_decided_later_turns_a_pending_row_into_a_recipient(
    stores: Stores, scenario: Scenario
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    before = convergence(wh, cat, scenario.march, YEAR, basis="realised")
    assert before["programmes"]["BANSOS"]["pending_review"] == 1
    assert before["programmes"]["BANSOS"]["recipients"] == 5
    ledger = next(x for x in cat.ledgers() if x.id == scenario.ledgers["bansos"])
    row = next(r["row"] for r in review_pairs(wh, ledger).iter_rows(named=True)
               if r["nik"] == BAMBANG.nik)  # fmt: skip
    decide(wh, cat, ledger, [(row, None, "same")], actor="peninjau")
    after = convergence(wh, cat, scenario.march, YEAR, basis="realised")
    bansos = after["programmes"]["BANSOS"]
    # Bambang's F11 (desil 3, rank 6) is now a recipient: 6 units, 4 eligible reached, and
    # only F07 F05 F02 (ranks 2-4) are skipped before F04 (rank 7)
    assert (bansos["pending_review"], bansos["recipients"], bansos["eligible_reached"]) == (0, 6, 4)
    assert bansos["priority_skipped"] == 3
    assert after["gaps"]["pendapatan"] == {"deprived": 7, "reached": 4, "unreached": 3}
    # F11 was already reached (by KARTU-SEHAT, Nyai): BANSOS and KARTU-SEHAT complement
    assert after["overlap"]["complementary_families"] == 1
    assert after["overlap"]["same_dimension_families"] == 1


def test_a_review_rejected_later_is_a_recipient_not_found(
    stores: Stores, scenario: Scenario
) -> None:
    # every candidate of Bambang's row decided "different" after the link: the row is then
    # what a re-link would make it, a recipient not found in the register, not pending
    wh, cat = stores.warehouse, stores.catalog
    before = convergence(wh, cat, scenario.march, YEAR, basis="realised")["programmes"]["BANSOS"]
    ledger = next(x for x in cat.ledgers() if x.id == scenario.ledgers["bansos"])
    row = next(r["row"] for r in review_pairs(wh, ledger).iter_rows(named=True)
               if r["nik"] == BAMBANG.nik)  # fmt: skip
    decide(wh, cat, ledger, [(row, None, "different")], actor="peninjau")
    after = convergence(wh, cat, scenario.march, YEAR, basis="realised")["programmes"]["BANSOS"]
    assert (before["pending_review"], after["pending_review"]) == (1, 0)
    assert after["recipients"] == before["recipients"] + 1
    assert after["inclusion"]["not_found"] == before["inclusion"]["not_found"] + 1
    assert after["eligible_reached"] == before["eligible_reached"]


def test_a_family_in_two_tranches_is_not_the_same_programme_twice(
    stores: Stores, scenario: Scenario, tmp_path: Path
) -> None:
    # Budi's family is on rtlh.csv already; a second tranche lists it again: two sources,
    # so not a duplicate (Ahmad twice inside the BANSOS list is one, and stays one)
    wh, cat = stores.warehouse, stores.catalog
    before = convergence(wh, cat, scenario.march, YEAR, basis="realised")
    tranche = _write_list(tmp_path / "rtlh-tahap3.csv", [_row(BUDI, "A")])
    _link(stores, tranche, "RTLH", "PERKIM", scenario.march)
    after = convergence(wh, cat, scenario.march, YEAR, basis="realised")
    assert after["programmes"]["RTLH"]["recipients"] == before["programmes"]["RTLH"]["recipients"]
    assert after["overlap"]["same_programme_families"] == 1
    assert before["overlap"]["same_programme_families"] == 1
    # the same row twice inside that tranche is a duplicate: Budi's family is then counted
    twice = _write_list(tmp_path / "rtlh-tahap4.csv", [_row(BUDI, "A"), _row(BUDI, "A")])
    _link(stores, twice, "RTLH", "PERKIM", scenario.march)
    again = convergence(wh, cat, scenario.march, YEAR, basis="realised")
    assert again["overlap"]["same_programme_families"] == 2
