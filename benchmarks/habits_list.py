"""Agency-habit evaluation lists: a second, independent test bed for Padu's record linkage.

What it is for: measuring the matcher on lists that its authors did not shape. The noise here
was written from how Indonesian agency staff keep beneficiary lists in Excel, without reading
the matcher or the project's own list generator. Each list comes with a truth file that says,
for every data row, which register person (or family) it is, and which habits disturbed it.

    python benchmarks/habits_list.py --home HOME --size 50000 --seed 7 --out /tmp/l.xlsx
    python benchmarks/habits_list.py --home HOME --size 20000 --seed 7 --out /tmp/f.xlsx --families

API: make_person_list(ind, size, seed) and make_family_list(ind, size, seed) return (data rows
keyed by header, headers, truth per data row); write_list(path, listing, seed, family) lays them
out as an office sheet and writes NAME.xlsx and NAME.truth.json. Deterministic per seed and
register (the register is sorted by NIK before sampling).

Person list: ~90 % register people (85 % adults, 15 % children; only people whose NIK is 16
digits and held by no one else, so the truth is unambiguous), 5 % other_province, 5 %
invented_kaltara, 1.5 % duplicate. Family list: ~90 % register families (drawn by head),
9 % invented_kaltara, 1 % other_province, 1 % duplicate. Noise kinds with the rates measured on
50,000 rows ("ID" is the NIK column in person lists, the KK column in family lists):

- ID_excel_number (4, 7 or 12 %, chosen per list): a number cell keeping 15 significant digits
  (last digit 0); one in five is the text "6.50109E+15".  ID_blank (3 %).  ID_typo (3 %: one
  digit wrong or two adjacent swapped).  ID_with_spaces_or_quote (4 %: "'6501...", "6501 0923
  ...", "650109 230373 0001", dots, a trailing space).  nik_is_kk / kk_is_nik (2 %: the other
  number typed in the column).  nik_of_relative (0.1 %: 1 % of children carry the head's NIK).
  Rows with any ID problem: 16-24 %, depending on the list's Excel rate.
- name_caps_titles (5-6 %: H., HJ., DRS., IBU, NY., S.PD, SE ...), name_dropped_middle (1 %:
  15 % of 3+ token names), name_nickname (6.5 %: Muh./M., Abd., St., Nur, Frans ..., or the last
  token cut to an initial), name_typo (4 %), name_spelling_variant (5 %: i/y, u/oe, dj/j, tj/c,
  ch/kh, sy/s, f/p, doubled letters, final h), name_order (1 %), name_bin_binti (2 %),
  wife_name (family lists, 4 %: 6 % of families with a wife are listed under her name).
- ttl_one_cell (every row of lists with a "TEMPAT/TGL LAHIR" column), date_other_format (6.5 %:
  a row typed in another style than the list's), date_day_month_swapped (0.9 %), date_blank
  (2 %), date_year_only_wrong (3 %: the year, or else the month or the day, off by one).
- desa_prefix (per list 0, 30 or 90 %: "Ds.", "Desa", "Kel.", "Kelurahan" by the desa's kind),
  desa_typo (3 %: a letter, two words run together, a word dropped), desa_blank (1 %),
  address_moved (1.4 %: desa and kecamatan of somewhere else), sex_blank (2 %).

List-level habits, not counted as noise: ALL CAPS text (70 % of lists, else 10 % of rows), the
date style (Excel date cell, Excel serial number, dd-mm-yyyy, dd/mm/yyyy, d/m/yy, yyyy-mm-dd,
"12 Mar 1980", "12 MARET 1980"), sex as L/P, LAKI-LAKI/PEREMPUAN or LK/PR, RT/RW as "003/001",
"3/1", "RT 3 RW 1" or two columns, kecamatan as "Kec. X", an optional kabupaten column.
Sheet habits: 1-3 title rows (sometimes merged), a blank row, a column-number row, the header
repeated every ~50 rows, kecamatan section rows, stray blank rows, a total row, and notes with a
signature block (including an 18-digit NIP) under the table.

Truth: NAME.truth.json beside NAME.xlsx holds {"rows": [{"row", "baris", "nik", "kk",
"noise"}], "junk_rows": [...], "habits": {...}}; row is the 1-based ordinal of the data row,
baris its 1-based sheet row; junk_rows are all other sheet rows up to the last one written.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

Row = dict[str, Any]
Listing = tuple[list[Row], list[str], list[Row]]  # data rows, headers, truth per data row
TODAY = dt.date(2026, 1, 23)
ADULT = TODAY.replace(year=2009)  # born on or before: 17 or older


def _table(text: str) -> list[list[str]]:
    """Rows split at ';', fields at ',' (keeps the word lists below short to read)."""
    return [[f.strip() for f in row.split(",")] for row in text.split(";") if row.strip()]


BULAN = _table(
    "Januari, Februari, Maret, April, Mei, Juni, Juli, Agustus, September, Oktober, "
    "November, Desember"
)[0]
TOWN = dict(
    _table("6501,Tanjung Selor; 6502,Malinau; 6503,Nunukan; 6504,Tideng Pale; 6571,Tarakan")
)
ORIGIN = _table("Bone, Sinjai, Wajo, Parepare, Makassar, Tawau, Samarinda, Balikpapan, Toraja")[0]
OTHER = _table(  # region, kabupaten/kota, kecamatan, desa/kelurahan outside Kaltara
    "7308,Kab. Bone,Tanete Riattang,Watampone; 7313,Kab. Wajo,Tempe,Siengkang; "
    "7371,Kota Makassar,Mariso,Lette; 7372,Kota Parepare,Bacukiki,Lemoe; "
    "6472,Kota Samarinda,Sungai Kunjang,Loa Bakung; 6471,Kota Balikpapan,Balikpapan Utara,Gunung "
    "Samarinda; "
    "3578,Kota Surabaya,Tambaksari,Pacar Keling; 5306,Kab. Flores Timur,Larantuka,Balela; "
    "7318,Kab. Tana Toraja,Makale,Tondon Mamullu; 6371,Kota Banjarmasin,Banjarmasin Utara,Alalak"
)
MALE = _table(
    "Muhammad, Ahmad, Abdul, Andi, Agus, Budi, Hendra, Rudi, Yohanes, Markus, Arif, "
    "Syamsul, Hasan, Rahmat, Irwan, Jumadi, Sulaiman, Hamzah, Lukas, Petrus, Ridwan"
)[0]
FEMALE = _table(
    "Siti, Nurhayati, Fatimah, Aisyah, Rahmawati, Sri, Dewi, Maria, Yuliana, Hasnah, "
    "Nurjannah, Rosmini, Hartati, Sitti, Marlina, Fitriani, Juwita, Agustina, Hadijah"
)[0]
SECOND = _table(
    "Rahman, Hidayat, Saputra, Wijaya, Kurniawan, Setiawan, Lestari, Handayani, Salim, "
    "Yusuf, Ismail, Hamid, Usman, Bakri, Laing, Lawai, Ngau, Gani, Lamba, Paembonan"
)[0]
STREET = _table("Jl. Poros, Jl. Merdeka, Jl. Sudirman, Jl. Ahmad Yani, Gg. Mawar, Jl. Kartini")[0]
NICK = {
    r[0]: r[1:]
    for r in _table(
        "muhammad,Muh.,M.,Moh.,Mhd.,Muhamad; mohammad,Moh.,M.; ahmad,A.,Ahmd.; abdul,Abd.,Abd; "
        "siti,St.; sitti,St.; nurhayati,Nur,Yati; andi,A.; fransiskus,Frans; yohanes,Yohan,Jhon; "
        "agustinus,Agus; kristina,Tina; fatimah,Fatma; yakobus,Yakob; baharuddin,Bahar"
    )
}
SPELL = _table(  # old and new spelling, i/y, doubled letters, a final h
    r"y\b,i; i\b,y; iy,i; \bsu,soe; oe,u; dj,j; \bj,dj; \by,j; tj,c; c,tj; kh,ch; ch,kh; "
    r"\bkh,h; (m|t|n|l|s)\1,\1; h\b,; a\b,ah; sy,s; dh,d; q,k; f,p; \bz,j; "
    r"([aiueo])([mntsl])([aiueo]),\1\2\2\3"
)
TITLE_M, TITLE_F = ["H.", "Bpk.", "Bapak", "Drs.", "Ir.", "Tn."], ["Hj.", "Ibu", "Ny.", "Dra."]
DEGREE = ["S.Pd", "S.Pd.I", "SE", "S.E", "S.Sos", "S.Kep", "S.IP", "S.T", "S.H", "A.Md", "S.Ag"]
KEYS = "qwertyuiop asdfghjkl zxcvbnm"
TEXT_STYLES = ["dd-mm-yyyy", "dd/mm/yyyy", "d/m/yy", "yyyy-mm-dd", "d Mon yyyy", "d BULAN yyyy"]
COLS = dict(
    _table(  # register column -> the short name used here
        "nomor_induk_kependudukan,nik; nomor_kartu_keluarga,kk; nama,nama; jenis_kelamin,sex; "
        "tanggal_lahir,tgl; status_hubungan_keluarga,shk; alamat_ktp,alamat; rt_ktp,rt; "
        "rw_ktp,rw; kode_kelurahan_desa_ktp,kode; kelurahan_desa_ktp,desa; kecamatan_ktp,kec; "
        "kabupaten_kota_ktp,kab"
    )
)
HEADERS = {
    k: v.split("|")
    for k, v in _table(  # column -> the headers offices give it
        "no,NO; nik,NIK|NO. NIK|NOMOR NIK|NIK KTP; kk,NO. KK|NO KK|NOMOR KK|NKK; "
        "nama,NAMA|NAMA LENGKAP|NAMA SESUAI KTP; tempat,TEMPAT LAHIR; tgl,TANGGAL LAHIR|TGL LAHIR; "
        "kepala,NAMA KEPALA KELUARGA|NAMA KK|NAMA PENERIMA; "
        "ttl,TEMPAT/TGL LAHIR|TEMPAT/TANGGAL LAHIR|TTL; "
        "jk,JENIS KELAMIN|L/P|JK; alamat,ALAMAT; rt,RT; rw,RW; rtrw,RT/RW; kec,KECAMATAN; "
        "desa,DESA/KELURAHAN|DESA/KEL|KELURAHAN/DESA|DESA; kab,KABUPATEN/KOTA; jiwa,JUMLAH JIWA; "
        "ket,KETERANGAN"
    )
}


def load_register(home: Path) -> pl.DataFrame:
    """The latest snapshot's individu table, sorted by NIK so that sampling is deterministic."""
    from padu.register.reader import to_polars
    from padu.register.snapshots import snapshot_table
    from padu.settings import Settings
    from padu.stores import open_stores

    s = Settings(home=home)
    wh, cat = open_stores(s.resolved_warehouse_url(), s.resolved_catalog_url(), read_only=True)
    try:
        snap = cat.snapshot("latest")
        table = snapshot_table(wh, cat, snap.id, "individu").select(*COLS)
        ind = to_polars(table.to_pyarrow())
    finally:
        wh.close()
        cat.close()
    return ind.sort("nomor_induk_kependudukan")


def _title(text: str) -> str:
    return " ".join(t.capitalize() for t in text.split())


def _typo(rng: random.Random, word: str) -> str:
    """One slip of the finger: a neighbouring key, a dropped, doubled or transposed letter."""
    for _ in range(10):
        i, op = rng.randrange(1, len(word)), rng.randrange(4)
        low = word[i].lower()
        if op == 0 and low.isalpha() and low in KEYS:
            k = KEYS.index(low)
            c = rng.choice([c for c in KEYS[max(k - 1, 0) : k + 2] if c.isalpha() and c != low])
            out = word[:i] + (c.upper() if word[i].isupper() else c) + word[i + 1 :]
        else:
            out = [word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:],
                   word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]][op % 3]  # fmt: skip
        if out != word:
            return out
    return word + word[-1]


def _name_noise(rng: random.Random, p: Row, kinds: list[str], father: str | None) -> str:
    toks = (p["nama"] or "-").split()
    if len(toks) >= 3 and rng.random() < 0.15:
        toks.pop(rng.randrange(1, len(toks) - 1))
        kinds.append("name_dropped_middle")
    low = [t.lower() for t in toks]
    known = [i for i, t in enumerate(low) if t in NICK or (t[:3] == "nur" and len(t) > 5)]
    if len(toks) >= 2 and rng.random() < (0.25 if known else 0.06):
        if known:
            i = rng.choice(known)
            toks[i] = rng.choice(NICK.get(toks[i].lower(), ["Nur"]))
        else:
            toks[-1] = toks[-1][0] + "."
        kinds.append("name_nickname")
    if len(toks) >= 2 and rng.random() < 0.015:
        toks = toks[-1:] + toks[:-1]
        kinds.append("name_order")
    name = " ".join(toks)
    if rng.random() < 0.06:
        rules = [(a, b) for a, b in SPELL if re.search(a, name.lower())]
        if rules:
            a, b = rng.choice(rules)
            name = _title(re.sub(a, b, name.lower(), count=1))
            kinds.append("name_spelling_variant")
    long = [t for t in name.split() if len(t) >= 3]
    if long and rng.random() < 0.04:
        word = rng.choice(long)
        name = name.replace(word, _typo(rng, word), 1)
        kinds.append("name_typo")
    if rng.random() < 0.02:
        bin_ = "bin" if p["sex"] == "1" else "binti"
        name += f" {bin_} {father or rng.choice(MALE)}"
        kinds.append("name_bin_binti")
    if not p["child"] and rng.random() < 0.06:
        if rng.random() < 0.6:
            name = f"{rng.choice(TITLE_M if p['sex'] == '1' else TITLE_F)} {name}"
        else:
            name += rng.choice([", ", " "]) + rng.choice(DEGREE)
        kinds.append("name_caps_titles")
    return name


def _id_noise(
    rng: random.Random, ident: str | None, other: str | None, kind: str, excel: float
) -> tuple[Any, list[str]]:
    """The ID as an agency's cell holds it; `other` is the number most often typed instead."""
    u, kinds = rng.random(), []
    if not ident:
        return None, [f"{kind}_blank"]
    if u < excel and len(ident) == 16:
        kinds.append(f"{kind}_excel_number")
        value = float(ident[:15] + "0")
        return (f"{value:.5E}" if rng.random() < 0.2 else value), kinds
    if u < excel + 0.03:
        return None, [f"{kind}_blank"]
    if u < excel + 0.05 and other:
        return other, [f"{kind}_is_{'kk' if kind == 'nik' else 'nik'}"]
    if u < excel + 0.08:
        d, i = list(ident), rng.randrange(len(ident) - 1)
        if rng.random() < 0.4 and d[i] != d[i + 1]:
            d[i], d[i + 1] = d[i + 1], d[i]
        else:
            d[i] = rng.choice([c for c in "0123456789" if c != d[i]])
        return "".join(d), [f"{kind}_typo"]
    if u < excel + 0.12:
        g = [ident[i : i + 4] for i in range(0, len(ident), 4)]
        forms = ["'" + ident, " ".join(g), ".".join(g), f"{ident[:6]} {ident[6:12]} {ident[12:]}"]
        return rng.choice([*forms, ident + " "]), [f"{kind}_with_spaces_or_quote"]
    return ident, kinds


def _date_text(d: dt.date, style: str) -> Any:
    if style == "cell":
        return d
    if style == "serial":
        return (d - dt.date(1899, 12, 30)).days
    return {
        "dd-mm-yyyy": f"{d.day:02d}-{d.month:02d}-{d.year}",
        "dd/mm/yyyy": f"{d.day:02d}/{d.month:02d}/{d.year}",
        "d/m/yy": f"{d.day}/{d.month}/{d.year % 100:02d}",
        "yyyy-mm-dd": d.isoformat(),
        "d Mon yyyy": f"{d.day} {BULAN[d.month - 1][:3]} {d.year}",
        "d BULAN yyyy": f"{d.day} {BULAN[d.month - 1].upper()} {d.year}",
    }[style]


def _date_noise(rng: random.Random, d: dt.date | None, kinds: list[str]) -> dt.date | None:
    if d is None or rng.random() < 0.02:
        kinds.append("date_blank")
        return None
    if d.day <= 12 and d.day != d.month and rng.random() < 0.025:
        kinds.append("date_day_month_swapped")
        return dt.date(d.year, d.day, d.month)
    if rng.random() < 0.03:
        kinds.append("date_year_only_wrong")
        part, step = rng.choice(["year", "year", "month", "day"]), rng.choice([-1, 1])
        try:
            if part == "year":
                return d.replace(year=d.year + step)
            if part == "month":
                return d.replace(month=(d.month - 1 + step) % 12 + 1)
            return d + dt.timedelta(days=step)
        except ValueError:
            return d.replace(day=28, year=d.year + step)
    return d


def _place(rng: random.Random, p: Row, h: Row, kinds: list[str], pool: list[Row]) -> Row:
    """Address cells: desa with prefixes and typos, kecamatan, kabupaten, RT/RW."""
    desa, kec, kab = p["desa"] or "", p["kec"] or "", p["kab"] or ""
    if p["in_reg"] and rng.random() < 0.015:
        donor = rng.choice(pool)
        desa, kec = donor["desa"] or "", donor["kec"] or ""
        kinds.append("address_moved")
    if desa and rng.random() < 0.03:
        toks = desa.split()
        if len(toks) >= 2 and rng.random() < 0.4:
            desa = "".join(toks) if rng.random() < 0.7 else " ".join(toks[:-1])
        else:
            i = max(range(len(toks)), key=lambda j: len(toks[j]))
            desa = " ".join([*toks[:i], _typo(rng, toks[i]), *toks[i + 1 :]])
        kinds.append("desa_typo")
    if rng.random() < h["desa_prefix"]:
        kel = (p["kode"] or "")[6:7] == "1"  # Kemendagri: 1xxx kelurahan, 2xxx desa
        desa = rng.choice(["Kel. ", "Kelurahan "] if kel else ["Ds. ", "Desa "]) + desa
        kinds.append("desa_prefix")
    if rng.random() < 0.01:
        desa = None
        kinds.append("desa_blank")
    rt = int(p["rt"]) if p["rt"] and p["rt"].isdigit() else None
    rw = int(p["rw"]) if p["rw"] and p["rw"].isdigit() else None
    rtrw = {
        "003/001": f"{rt or 0:03d}/{rw:03d}" if rw else f"{rt or 0:03d}",
        "3/1": f"{rt}/{rw}" if rw else f"{rt}",
        "RT 3 RW 1": f"RT {rt} RW {rw or '-'}",
    }
    kab_text = {"full": kab, "bare": kab.split(" ", 1)[-1], "kab": kab.replace("Kabupaten", "Kab.")}
    return {
        "alamat": p["alamat"] if rng.random() > 0.03 else "-",
        "desa": desa,
        "kec": h["kec_prefix"] + kec,
        "kab": kab_text[h["kab_style"]],
        "rtrw": rtrw[h["rtrw"]] if h["rtrw"] in rtrw and rt else None,
        "rt": rt,
        "rw": rw,
    }


def _habits(rng: random.Random, family: bool) -> Row:
    """List-level choices: the columns, their headers and how this office types things."""
    h: Row = {
        "caps": rng.random() < 0.7, "excel": rng.choice([0.04, 0.07, 0.12]),
        "desa_prefix": rng.choice([0.0, 0.3, 0.9]), "kec_prefix": rng.choice(["", "", "Kec. "]),
        "kab_style": rng.choice(["full", "bare", "kab"]),
        "ttl": rng.choice(["one", "two", "two", "tgl"]),
        "date": rng.choice(["cell", "cell", "serial", *TEXT_STYLES]),
        "sex": rng.choice([("L", "P"), ("LAKI-LAKI", "PEREMPUAN"), ("LK", "PR"), None]),
        "rtrw": rng.choice(["003/001", "3/1", "RT 3 RW 1", "split", None]),
    }  # fmt: skip
    if h["ttl"] == "one" and h["date"] not in TEXT_STYLES:
        h["date"] = "dd-mm-yyyy"
    keys = ["no", "kk", "kepala"] if family else ["no", "nik", "kk", "nama", "ttl", "jk"]
    keys = [k for k in keys if k != "kk" or family or rng.random() < 0.5]
    if not family:
        births = {"one": ["ttl"], "two": ["tempat", "tgl"], "tgl": ["tgl"]}[h["ttl"]]
        keys[keys.index("ttl") : keys.index("ttl") + 1] = births
        keys = [k for k in keys if k != "jk" or h["sex"]]
    rtrw = {"split": ["rt", "rw"], None: []}.get(h["rtrw"], ["rtrw"])
    keys += ["alamat"] * (rng.random() < 0.8) + rtrw + ["desa", "kec"]
    keys += ["kab"] * (rng.random() < 0.3) + ["jiwa"] * (family and rng.random() < 0.4)
    keys += ["ket"] * (rng.random() < 0.4)
    h["cols"] = [("nama" if k == "kepala" else k, rng.choice(HEADERS[k])) for k in keys]
    return h


def _invent(rng: random.Random, donors: list[Row], taken: set[str], kaltara: bool) -> Row:
    """Someone not in the register, with a plausible NIK and KK (new numbers, never taken)."""
    sex, child = rng.choice("12"), rng.random() < 0.15
    toks = [rng.choice(MALE if sex == "1" else FEMALE), *rng.sample(SECOND, rng.randrange(3))]
    days = rng.randrange(365 * 2, 365 * 16) if child else rng.randrange(365 * 18, 365 * 80)
    born, rt = TODAY - dt.timedelta(days=days), f"{rng.randrange(1, 30):03d}"
    donor = rng.choice(donors)  # where the office files them, whatever their address says
    p = dict(donor, rw=None, rt=rt, in_reg=False, child=child, group=(donor["kab"], donor["kec"]))
    p |= {"nama": " ".join(toks), "sex": sex, "tgl": born, "kind": "invented_kaltara"}
    p["alamat"] = f"{rng.choice(STREET)} No. {rng.randrange(1, 200)} RT {rt}"
    if not kaltara:
        code, p["kab"], p["kec"], p["desa"] = rng.choice(OTHER)
        p |= {"kode": code + f"{rng.randrange(1, 12):02d}2001", "kind": "other_province"}
    while p["nik"] in taken or p["kk"] in taken:
        day = born.day + (40 if sex == "2" else 0)
        p["nik"] = f"{p['kode'][:6]}{day:02d}{born:%m%y}{rng.randrange(1, 30):04d}"
        issued = dt.date(2005, 1, 1) + dt.timedelta(days=rng.randrange(7300))
        p["kk"] = f"{p['kode'][:6]}{issued:%d%m%y}{rng.randrange(1, 60):04d}"
    taken.update((p["nik"], p["kk"]))
    return p


def _prepare(ind: pl.DataFrame) -> tuple[pl.DataFrame, dict[str, Row], list[Row], set[str]]:
    """Usable people (a 16-digit NIK that no one else holds, so the truth is unambiguous) in
    short column names, heads by KK, address donors, and every NIK and KK already taken."""
    nik = pl.col("nomor_induk_kependudukan")
    ok = ind.filter(nik.str.contains(r"^\d{16}$") & ~nik.is_duplicated()).select(list(COLS))
    ok = ok.rename(COLS).with_columns(
        child=pl.col("tgl") > ADULT, in_reg=pl.lit(True), kind=pl.lit(None), dup=pl.lit(False)
    )
    heads = ok.filter(pl.col("shk") == "1").unique("kk", keep="first", maintain_order=True)
    by_kk = {r["kk"]: r for r in heads.select("kk", "nik", "nama").iter_rows(named=True)}
    placed = ok.filter(pl.col("kode").str.contains(r"^\d{10}$"))
    donors = placed.gather_every(max(1, placed.height // 2000)).to_dicts()
    taken = set(ind["nomor_induk_kependudukan"].drop_nulls())
    return ok, by_kk, donors, taken | set(ind["nomor_kartu_keluarga"].drop_nulls())


def _sources(rng: random.Random, picked: pl.DataFrame, new: list[Row], size: int) -> list[Row]:
    """Register and invented people, a few listed twice, grouped by kecamatan as offices do."""
    rows = picked.to_dicts() + new
    rows += [dict(rng.choice(rows), dup=True) for _ in range(size - len(rows))]
    rng.shuffle(rows)
    rows.sort(key=lambda p: p.get("group") or (p["kab"] or "", p["kec"] or ""))
    return rows


def _finish(rng: random.Random, h: Row, cells: Row, kinds: list[str], p: Row) -> Row:
    """Case habits, the keterangan column, and the row keyed by the list's headers."""
    caps = h["caps"] or rng.random() < 0.1
    if rng.random() < 0.2:
        cells["ket"] = rng.choice(["BARU", "LAMA", "LANSIA", "DISABILITAS", "-"])
    kinds += ["duplicate"] * bool(p["dup"]) + [p["kind"]] * bool(p["kind"])
    row = {hd: cells.get(key) for key, hd in h["cols"]}
    row = {k: v.upper() if caps and isinstance(v, str) else v for k, v in row.items()}
    return row | {"_kecamatan": (p.get("group") or ("", p["kec"] or ""))[1]}


def _truth(i: int, p: Row, kinds: list[str], family: bool) -> Row:
    """Who data row i is: the register person (or, in a family list, only the family)."""
    nik, kk = (None if family else p["nik"], p["kk"]) if p["in_reg"] else (None, None)
    return {"row": i, "nik": nik, "kk": kk, "noise": kinds}


def make_person_list(ind: pl.DataFrame, size: int, seed: int) -> Listing:
    """A BNBA person list as an agency keeps it: data rows keyed by header (plus a private
    "_kecamatan" used for section rows), the headers, and the truth for every data row."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    ok, heads, donors, taken = _prepare(ind)
    h = _habits(rng, family=False)
    n_new, n_dup = round(size * 0.1), round(size * 0.015)
    adults, kids = ok.filter(pl.col("tgl") <= ADULT), ok.filter(pl.col("child"))
    n_kid = min(round((size - n_new - n_dup) * 0.15), kids.height)
    n_adult = size - n_new - n_dup - n_kid
    if n_adult > adults.height:
        raise ValueError(f"register has {adults.height} usable adults; size {size} is too large")
    picked = adults[rng.sample(range(adults.height), n_adult)]
    picked = pl.concat([picked, kids[rng.sample(range(kids.height), n_kid)]])
    new = [_invent(rng, donors, taken, rng.random() < 0.5) for _ in range(n_new)]
    rows, truth = [], []
    for i, p in enumerate(_sources(rng, picked, new, size), 1):
        head = heads.get(p["kk"]) if p["in_reg"] else None
        head = head if head and head["nik"] != p["nik"] else None
        nik, kinds = _id_noise(rng, p["nik"], p["kk"], "nik", h["excel"])
        if p["child"] and head and rng.random() < 0.01:
            nik, kinds = head["nik"], ["nik_of_relative"]
        tgl = _date_noise(rng, p["tgl"], kinds)
        others = TEXT_STYLES if h["ttl"] == "one" else ["cell", "serial", *TEXT_STYLES]
        style = h["date"] if rng.random() > 0.08 else rng.choice(others)
        if style != h["date"] and tgl:
            kinds.append("date_other_format")
        town = TOWN.get((p["kode"] or "")[:4]) or (p["kab"] or "-").split(" ")[-1]
        place = rng.choice(ORIGIN) if rng.random() < (0.1 if p["child"] else 0.35) else town
        father = (head["nama"] or "").split(" ")[0] if head and p["child"] else None
        name = _name_noise(rng, p, kinds, father)
        cells = {"no": i, "nik": nik, "kk": p["kk"], "nama": name, "tempat": place}
        cells["tgl"] = _date_text(tgl, style) if tgl else None
        if h["ttl"] == "one":
            text = _date_text(tgl, style) if tgl else ""
            cells["ttl"] = (place + rng.choice([", ", " / ", " ", ","]) + text).strip(" ,/")
            kinds.append("ttl_one_cell")
        if h["sex"] and rng.random() < 0.02:
            kinds.append("sex_blank")
        elif h["sex"]:
            cells["jk"] = h["sex"][int(p["sex"] == "2")]
        cells |= _place(rng, p, h, kinds, donors)
        rows.append(_finish(rng, h, cells, kinds, p))
        truth.append(_truth(i, p, kinds, family=False))
    return rows, [hd for _, hd in h["cols"]], truth


def make_family_list(ind: pl.DataFrame, size: int, seed: int) -> Listing:
    """A family-keyed list (RTLH house repair, clean water, toilets): KK and the head's name, no
    NIK and no birth date. Same return shape as make_person_list; truth nik is always null."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    ok, _, donors, taken = _prepare(ind)
    h = _habits(rng, family=True)
    fam = ok.filter(pl.col("shk") == "1").unique("kk", keep="first", maintain_order=True)
    wives = ok.filter(pl.col("shk") == "2").unique("kk", keep="first", maintain_order=True)
    wife_of = dict(wives.select("kk", "nama").iter_rows())
    jiwa = dict(ind.group_by("nomor_kartu_keluarga").len().iter_rows())
    n_new, n_dup = round(size * 0.1), round(size * 0.01)
    if size - n_new - n_dup > fam.height:
        raise ValueError(f"register has {fam.height} families with a head; {size} is too many")
    picked = fam[rng.sample(range(fam.height), size - n_new - n_dup)]
    new = [_invent(rng, donors, taken, rng.random() < 0.9) | {"child": False} for _ in range(n_new)]
    rows, truth = [], []
    for i, p in enumerate(_sources(rng, picked, new, size), 1):
        kk, kinds = _id_noise(rng, p["kk"], p["nik"], "kk", h["excel"])
        wife = wife_of.get(p["kk"]) if p["in_reg"] else None
        if wife and rng.random() < 0.06:
            p = p | {"nama": wife, "sex": "2"}
            kinds.append("wife_name")
        name = _name_noise(rng, p, kinds, None)
        cells = {"no": i, "kk": kk, "nama": name, "jiwa": jiwa.get(p["kk"], rng.randrange(1, 7))}
        cells |= _place(rng, p, h, kinds, donors)
        rows.append(_finish(rng, h, cells, kinds, p))
        truth.append(_truth(i, p, kinds, family=True))
    return rows, [hd for _, hd in h["cols"]], truth


def write_list(path: Path, listing: Listing, seed: int, family: bool = False) -> Row:
    """Lay the rows out as an office sheet (titles, repeated headers, totals, notes) and write
    NAME.xlsx and NAME.truth.json; returns the truth document."""
    rng = random.Random(seed * 7919 + 1)  # noqa: S311 - reproducible test data, not secrets
    rows, headers, truth = listing
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet(rng.choice(["Sheet1", "DATA", "REKAP", "Lampiran"]))
    datefmt = wb.add_format({"num_format": rng.choice(["dd/mm/yyyy", "d-mmm-yy", "dd-mm-yyyy"])})
    bold, width, r = wb.add_format({"bold": True}), len(headers), 0
    junk: list[int] = []  # every sheet row that is not a data row
    used: list[int] = []  # rows with something in them

    def line(values: list[Any], fmt: Any = None, data: bool = False) -> None:
        nonlocal r
        for c, v in enumerate(values):
            if isinstance(v, str):
                ws.write_string(r, c, v, fmt)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, dt.datetime(v.year, v.month, v.day), datefmt)
            elif isinstance(v, int | float):
                ws.write_number(r, c, v, fmt)
        junk.extend([] if data else [r + 1])
        if any(v is not None for v in values):
            used.append(r + 1)
        r += 1

    kab = rng.choice(["BULUNGAN", "MALINAU", "NUNUKAN", "TANA TIDUNG", "PROVINSI KALIMANTAN UTARA"])
    what = rng.choice(
        ["RUMAH TIDAK LAYAK HUNI", "SAMBUNGAN AIR BERSIH", "JAMBAN SEHAT"]
        if family
        else ["SOSIAL LANSIA", "MODAL USAHA", "PBI JK PEMDA", "SEMBAKO", "BEASISWA"]
    )
    where = kab if kab.startswith("PROVINSI") else f"KABUPATEN {kab}"
    titles = [f"DAFTAR PENERIMA BANTUAN {what} TAHUN 2026", where, "TAHAP I"]
    for title in titles[: rng.randint(1, 3)]:
        if rng.random() < 0.5 and width > 1:
            ws.merge_range(r, 0, r, width - 1, title, bold)
            junk.append(r + 1)
            used.append(r + 1)
            r += 1
        else:
            line([title], bold)
    if rng.random() < 0.6:
        line([])
    line(headers, bold)
    if rng.random() < 0.3:
        line(list(range(1, width + 1)))
    every = rng.randint(45, 55) if rng.random() < 0.4 else 0
    sections, last = rng.random() < 0.25, None
    name_col = next(i for i, hd in enumerate(headers) if hd.startswith("NAMA"))
    for i, (row, t) in enumerate(zip(rows, truth, strict=True)):
        if every and i and i % every == 0:
            line(headers, bold)
        if sections and row["_kecamatan"] != last:
            line([None, f"KECAMATAN {row['_kecamatan'].upper()}"], bold)
            last = row["_kecamatan"]
        if rng.random() < 0.002:
            line([])
        t["baris"] = r + 1
        line([row[hd] for hd in headers], data=True)
    label = rng.choice(["JUMLAH", "TOTAL", "Jumlah Penerima"])
    line(
        [label, len(rows)]
        if rng.random() < 0.5
        else [None] * name_col + [label, f"{len(rows)} orang"],
        bold,
    )
    sig = [None] * max(1, width - 3)
    signer = f"{rng.choice(MALE)} {rng.choice(SECOND)}, S.Sos., M.Si".upper()
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(9000))  # an 18-digit NIP
    hired = f"{rng.randint(2000, 2010)}{rng.randint(1, 12):02d}"
    nip = f"NIP. {born:%Y%m%d} {hired} 1 00{rng.randint(1, 9)}"
    office = "Perumahan dan Permukiman" if family else "Sosial"
    note = "- Data dapat berubah sesuai hasil verifikasi lapangan"
    notes: list[list[Any]] = [[], ["Keterangan:"], [note], [],
             [*sig, f"Tanjung Selor, {rng.randint(2, 28)} Januari 2026"], [*sig, "Mengetahui,"],
             [*sig, f"Kepala Dinas {office}"], [], [], [*sig, signer], [*sig, nip]]  # fmt: skip
    for n in notes[: rng.choice([0, 4, len(notes)])]:
        line(n)
    ws.set_column(0, width - 1, 18)
    wb.close()
    doc = {
        "rows": [{k: t.get(k) for k in ("row", "baris", "nik", "kk", "noise")} for t in truth],
        "junk_rows": [b for b in junk if b <= used[-1]],  # blank rows after the last are no rows
        "habits": {"headers": headers, "every": every, "sections": sections},
    }
    path.with_name(path.stem + ".truth.json").write_text(json.dumps(doc, default=str))
    return doc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--size", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--families", action="store_true")
    args = ap.parse_args()
    start = time.perf_counter()
    ind = load_register(args.home)
    make = make_family_list if args.families else make_person_list
    rows, headers, truth = listing = make(ind, args.size, args.seed)
    doc = write_list(args.out, listing, args.seed, args.families)
    counts = Counter(k for t in truth for k in set(t["noise"]))
    print(
        f"{args.out}: {len(rows)} data rows, {len(doc['junk_rows'])} other rows, "
        f"{time.perf_counter() - start:.1f} s\ncolumns: {', '.join(headers)}"
    )
    in_reg = sum(1 for t in truth if t["nik"] or t["kk"])
    print(f"{'in register':28} {in_reg:7d} {100 * in_reg / len(truth):6.1f} %")
    for kind, n in sorted(counts.items()):
        print(f"{kind:28} {n:7d} {100 * n / len(truth):6.1f} %")
    ids = sum(1 for t in truth if any(k.startswith(("nik_", "kk_")) for k in t["noise"]))
    print(f"{'any ID problem':28} {ids:7d} {100 * ids / len(truth):6.1f} %")


if __name__ == "__main__":
    main()
