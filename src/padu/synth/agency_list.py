"""A realistic noisy agency beneficiary list drawn from a register snapshot, with ground truth.

The list looks like what an agency keeps in Excel: its own headers, a Tempat/Tgl Lahir
column, dates in mixed forms, names with typos, old spellings, honorifics and titles, NIKs
that are missing, mistyped or damaged by Excel, people who are not in the register at all,
and people listed twice. The ground truth names, for every data row, the register person
(NIK and KK) it was drawn from, or none, and the noise applied, so that a linkage run can be
scored row by row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import xlsxwriter

from padu.audit import record_export
from padu.files import atomic_output, check_output_file
from padu.regions import kaltara
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow

#: Shares of list rows (the issue's evaluation kit).
NOT_IN_REGISTER = 0.10
BAD_NIK = 0.20  # missing or wrong
DUPLICATES = 0.03
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
OLD_SPELLING = (("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("SY", "SJ"), ("KH", "CH"), ("Y", "J"))
MUHAMMAD_FORMS = ("Muh.", "Moh.", "Moch.", "Mochammad", "Mohamad", "M.", "Muhamad")
PREFIXES = ("H.", "Hj.", "Bpk.", "Ibu", "Drs.", "Ir.", "Sdr.")
SUFFIXES = (", S.Pd.", ", S.E.", ", A.Md.", ", S.Sos", ", S.Pd.I")
HEADERS = {
    "no": ("No", "No.", "NO"),
    "nik": ("NIK", "No. KTP", "NIK Penerima"),
    "kk": ("No KK", "No. KK", "Nomor KK"),
    "nama": ("Nama Penerima", "Nama Lengkap", "NAMA"),
    "ttl": ("Tempat/Tgl Lahir", "Tempat, Tgl Lahir", "TTL"),
    "jenis_kelamin": ("L/P", "Jenis Kelamin", "JK"),
    "alamat": ("Alamat", "ALAMAT"),
    "rt_rw": ("RT/RW", "Rt/Rw"),
    "desa": ("Desa/Kel", "Kelurahan/Desa", "Desa"),
    "kecamatan": ("Kecamatan", "KEC"),
}


@dataclass
class AgencyList:
    rows: list[dict[str, Any]]  # the sheet's cells, keyed by canonical field
    headers: dict[str, str]  # canonical field -> header written
    truth: list[dict[str, Any]]  # per data row: row, nik, kk (or null), noise


def make_agency_list(persons: pl.DataFrame, size: int, seed: int) -> AgencyList:
    """A noisy list of ``size`` rows drawn from ``persons`` (see :func:`register_persons`)."""
    rng = np.random.default_rng(seed)
    people = persons.filter(
        pl.col("nama").is_not_null()
        & pl.col("tanggal_lahir").is_not_null()
        & pl.col("nik").str.contains(r"^\d{16}$")
    ).sort("pid")
    n_dup = round(size * DUPLICATES)
    n_out = round(size * NOT_IN_REGISTER)
    n_in = size - n_dup - n_out
    adults = people.filter(pl.col("tanggal_lahir") <= dt.date(2008, 1, 1))
    pool = adults if adults.height >= n_in else people
    picked = pool.sample(n=min(n_in, pool.height), seed=int(rng.integers(2**31)))
    records = picked.to_dicts()
    outsiders = _outsiders(people, n_out, rng)
    base: list[tuple[dict[str, Any] | None, dict[str, Any]]] = [(r, r) for r in records]
    base += [(None, o) for o in outsiders]
    for i in rng.choice(len(base), size=min(n_dup, len(base)), replace=False):
        base.append(base[int(i)])
    order = rng.permutation(len(base))
    headers = {k: str(rng.choice(v)) for k, v in HEADERS.items()}
    place_names = {r.digits: r.nama for r in kaltara()}
    rows, truth = [], []
    for n, i in enumerate(order, start=1):
        source, rec = base[int(i)]
        noise: list[str] = []
        cells = _row(rec, place_names, rng, noise)
        cells["no"] = n
        rows.append(cells)
        truth.append(
            {
                "row": n,
                "nik": source["nik"] if source else None,
                "kk": source["kk"] if source else None,
                "noise": noise,
            }
        )
    return AgencyList(rows=rows, headers=headers, truth=truth)


def _outsiders(people: pl.DataFrame, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """People who are not in the register: names, dates and places recombined, new NIKs."""
    if n == 0:
        return []
    idx = rng.integers(0, people.height, size=(n, 3))
    names = people.get_column("nama").to_list()
    births = people.get_column("tanggal_lahir").to_list()
    places = people.select("desa", "kecamatan", "rt", "rw", "alamat").to_dicts()
    known = set(people.get_column("nik").to_list())
    out = []
    for a, b, c in idx.tolist():
        first = names[a].split(" ")[0]
        last = names[b].split(" ")[-1]
        born: dt.date = births[c] + dt.timedelta(days=int(rng.integers(-900, 900)))
        born = min(born, dt.date(2008, 1, 1))
        place = places[c]
        sex = str(rng.choice(["1", "2"]))
        while True:
            day = born.day + (40 if sex == "2" else 0)
            nik = f"{place['kecamatan']}{day:02d}{born:%m%y}{int(rng.integers(1, 9999)):04d}"
            if nik not in known:
                break
        kk = f"{place['kecamatan']}{int(rng.integers(0, 10**10)):010d}"
        out.append(
            {
                "nik": nik,
                "kk": kk,
                "nama": first if first == last else f"{first} {last}",
                "tanggal_lahir": born,
                "jenis_kelamin": sex,
                **place,
            }
        )
    return out


def _row(
    rec: dict[str, Any], places: dict[str, str], rng: np.random.Generator, noise: list[str]
) -> dict[str, Any]:
    u = rng.random(12)
    name = _noisy_name(rec["nama"], u, rng, noise)
    born: dt.date = rec["tanggal_lahir"]
    date_text = _noisy_date(born, u, rng, noise)
    desa = places.get(rec["desa"] or "", "")
    kec = places.get(rec["kecamatan"] or "", "")
    if u[8] < 0.08:
        desa, kec = "", kec if u[9] < 0.5 else ""
        noise.append("alamat_kosong")
    ttl = f"{kec.title() or 'Tarakan'}, {date_text}" if date_text and u[10] < 0.5 else date_text
    rt, rw = rec.get("rt") or "", rec.get("rw") or ""
    return {
        "nik": _noisy_nik(rec, rng, noise),
        "kk": rec["kk"] if u[11] < 0.6 else "",
        "nama": name,
        "ttl": ttl,
        "jenis_kelamin": {"1": "L", "2": "P"}.get(rec.get("jenis_kelamin") or "", ""),
        "alamat": rec.get("alamat") or "",
        "rt_rw": f"{int(rt or 0):03d}/{int(rw or 0):03d}" if rt or rw else "",
        "desa": desa.upper() if u[9] < 0.3 else desa,
        "kecamatan": kec,
    }


def _noisy_name(name: str, u: np.ndarray, rng: np.random.Generator, noise: list[str]) -> str:
    tokens = name.split()
    if u[0] < 0.06 and any(len(t) >= 5 for t in tokens):
        j = int(rng.choice([k for k, t in enumerate(tokens) if len(t) >= 5]))
        tokens[j] = _typo(tokens[j], rng)
        noise.append("salah_ketik_nama")
    if u[1] < 0.08:
        upper = [t.upper() for t in tokens]
        for old, new in OLD_SPELLING:
            if any(old in t for t in upper):
                tokens = [t.upper().replace(old, new, 1).title() for t in tokens]
                noise.append("ejaan_lama")
                break
    if tokens and tokens[0].upper() in {"MUHAMMAD", "MUHAMAD", "MOHAMMAD"} and u[2] < 0.5:
        tokens[0] = str(rng.choice(MUHAMMAD_FORMS))
        noise.append("varian_muhammad")
    if u[3] < 0.04 and len(tokens) >= 2:
        tokens = tokens[1:] + tokens[:1]
        noise.append("urutan_tertukar")
    out = " ".join(tokens)
    if u[4] < 0.08:
        out = f"{rng.choice(PREFIXES)} {out}"
        noise.append("gelar_depan")
    elif u[4] < 0.11:
        out = f"{out}{rng.choice(SUFFIXES)}"
        noise.append("gelar_belakang")
    if u[5] < 0.3:
        out = out.upper()
    return out


def _typo(token: str, rng: np.random.Generator) -> str:
    k = int(rng.integers(1, len(token) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:  # neighbouring letters swapped
        return token[:k] + token[k + 1] + token[k] + token[k + 2 :]
    if kind == 1:  # a letter dropped
        return token[:k] + token[k + 1 :]
    letter = str(rng.choice(list("aeiounrst")))
    return token[:k] + letter + token[k + 1 :]  # a letter replaced


def _noisy_date(born: dt.date, u: np.ndarray, rng: np.random.Generator, noise: list[str]) -> str:
    if u[6] < 0.02:
        noise.append("tanggal_lahir_kosong")
        return ""
    if u[6] < 0.06 and born.day <= 12 and born.day != born.month:
        born = dt.date(born.year, born.day, born.month)
        noise.append("hari_bulan_tertukar")
    form = int(rng.integers(0, 5))
    if form == 0:
        return f"{born:%d-%m-%Y}"
    if form == 1:
        return f"{born:%d/%m/%Y}"
    if form == 2:
        return f"{born:%Y-%m-%d}"
    if form == 3:
        return f"{born.day} {MONTHS_ID[born.month - 1]} {born.year}"
    return f"{born:%d/%m/%y}"


def _noisy_nik(rec: dict[str, Any], rng: np.random.Generator, noise: list[str]) -> str:
    nik: str = rec["nik"]
    if rng.random() >= BAD_NIK:
        return nik
    kind = str(
        rng.choice(
            ["kosong", "tertukar", "plus40", "satu_digit", "excel", "nik_anggota_lain"],
            p=[0.35, 0.15, 0.1, 0.15, 0.15, 0.1],
        )
    )
    noise.append(f"nik_{kind}")
    if kind == "kosong":
        return ""
    if kind == "tertukar":
        k = int(rng.integers(6, 15))
        return nik[:k] + nik[k + 1] + nik[k] + nik[k + 2 :]
    if kind == "plus40":
        day = int(nik[6:8])
        return nik[:6] + f"{(day + 40) % 80 if day != 40 else 0:02d}" + nik[8:]
    if kind == "satu_digit":
        k = int(rng.integers(6, 16))
        return nik[:k] + str((int(nik[k]) + int(rng.integers(1, 10))) % 10) + nik[k + 1 :]
    if kind == "excel":
        return f"{int(nik):.5E}" if rng.random() < 0.5 else nik[:15] + "0.0"
    # another person's NIK (a neighbour's or a relative's): a valid NIK, but not this person's
    return nik[:12] + f"{(int(nik[12:]) % 9999) + 1:04d}"


FILE_SUFFIXES = (".xlsx", ".csv")


def truth_path(out: Path) -> Path:
    """Where the ground truth of the list at ``out`` goes: ``NAME.truth.json`` beside it."""
    return out.with_name(out.stem + ".truth.json")


def write_agency_list(lst: AgencyList, out: Path) -> Path:
    """Write the list as XLSX (or CSV by suffix) and its ``*.truth.json`` beside it.

    Both appear whole or not at all; returns the truth file's path.
    """
    out = check_output_file(out, FILE_SUFFIXES)
    with _written(lst, out) as truth:
        return truth


@contextmanager
def _written(lst: AgencyList, out: Path) -> Iterator[Path]:
    """Write list and truth under temporary names; both are renamed in when the block ends."""
    truth = truth_path(out)
    with atomic_output(out) as temp, atomic_output(truth) as temp_truth:
        _write_list(lst, temp, csv=out.suffix.lower() == ".csv")
        temp_truth.write_text(
            json.dumps({"rows": lst.truth}, ensure_ascii=False, indent=0), encoding="utf-8"
        )
        yield truth


def agency_list_from_snapshot(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str,
    out: Path,
    *,
    size: int,
    seed: int,
    actor: str,
) -> tuple[SnapshotRow, AgencyList, Path]:
    """A noisy list drawn from a (real) snapshot, written to ``out``: personal data, audited.

    The output path is checked before the register is read. Returns the snapshot, the list
    and the truth file's path.
    """
    from padu.linkage.persons import register_persons

    out = check_output_file(out, FILE_SUFFIXES)
    snap, persons = register_persons(wh, catalog, snapshot)
    lst = make_agency_list(persons, size, seed)
    with _written(lst, out) as truth:
        record_export(
            catalog, "agency_list", out, actor=actor, snapshot=snap.id, rows=len(lst.rows),
            truth=str(truth),
        )  # fmt: skip
    return snap, lst, truth


def _write_list(lst: AgencyList, out: Path, *, csv: bool) -> None:
    order = list(HEADERS)
    if csv:
        pl.DataFrame(
            [{lst.headers[k]: str(r[k]) for k in order} for r in lst.rows],
            schema=dict.fromkeys((lst.headers[k] for k in order), pl.String),
        ).write_csv(out)
        return
    book = xlsxwriter.Workbook(str(out))
    sheet = book.add_worksheet("Daftar Penerima")
    sheet.write_row(0, 0, ["DAFTAR PENERIMA BANTUAN"])  # a title row, as agencies do
    sheet.write_row(2, 0, [lst.headers[k] for k in order])
    for i, r in enumerate(lst.rows, start=3):
        for j, k in enumerate(order):
            value = r[k]
            if k == "nik" and isinstance(value, str) and ("E+" in value or value.endswith(".0")):
                sheet.write_number(i, j, float(value))  # what Excel did to the cell
            elif k == "no":
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, str(value))
    book.close()
