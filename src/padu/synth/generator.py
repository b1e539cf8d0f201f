"""``padu synth``: a seeded, deterministic synthetic Kaltara register in DTSEN field names.

At ``scale=1`` the register holds exactly the Dukcapil population of every kabupaten
(Dec 2024) in realistic families spread over all 482 desa/kelurahan. About 1-2 % of the
records carry deliberate data problems, each listed in ``ground_truth.json`` so that tests
and users can check that the importer finds them.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from padu.regions import kaltara
from padu.schema import register_schema
from padu.synth.draw import only_where
from padu.synth.families import generate_families
from padu.synth.members import generate_members

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
#: Persons in the register at or below which XLSX copies are also written.
XLSX_MAX_PERSONS = 60_000


@dataclass
class SyntheticRegister:
    """The two DTSEN sets and the list of deliberate problems in them."""

    keluarga: pl.DataFrame
    individu: pl.DataFrame
    ground_truth: dict[str, Any] = field(default_factory=dict)


def generate_register(
    scale: float = 1.0, seed: int = 1, as_of: dt.date = dt.date(2025, 12, 31)
) -> SyntheticRegister:
    """Generate the register; the same ``scale`` and ``seed`` always give the same rows."""
    rng = np.random.default_rng(seed)
    regions = kaltara()
    fam, _ = generate_families(regions, scale, rng)
    mem = generate_members(fam, rng, as_of)
    kel, ind = _assemble(fam, mem, rng)
    kel, ind, problems = _inject_problems(kel, ind, rng)
    truth = {
        "seed": seed,
        "scale": scale,
        "as_of": as_of.isoformat(),
        "families": kel.height,
        "individuals": ind.height,
        "population_by_kabupaten": dict(
            ind.group_by(pl.col("kode_kabupaten_kota_ktp"))
            .len()
            .sort("kode_kabupaten_kota_ktp")
            .iter_rows()
        ),
        "problem_counts": dict(
            pl.DataFrame(problems).group_by("jenis").len().sort("jenis").iter_rows()
        )
        if problems
        else {},
        "problems": problems,
    }
    return SyntheticRegister(kel, ind, truth)


def _assemble(
    fam: pl.DataFrame, mem: pl.DataFrame, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame]:
    regions = kaltara()
    nf = fam.height
    names = {r.kode: r.nama for r in regions}
    kec = fam.get_column("_kec").to_numpy()
    issued = np.datetime64("2008-01-01") + rng.integers(0, 18 * 365, nf).astype("timedelta64[D]")
    iss = issued.astype("datetime64[D]")
    dd = (iss - iss.astype("datetime64[M]")).astype(int) + 1
    mm = iss.astype("datetime64[M]").astype(int) % 12 + 1
    yy = (iss.astype("datetime64[Y]").astype(int) + 1970) % 100
    kk_head = np.char.add(
        np.array([k.replace(".", "") for k in kec]),
        np.char.add(
            np.char.add(np.char.zfill(dd.astype(str), 2), np.char.zfill(mm.astype(str), 2)),
            np.char.zfill(yy.astype(str), 2),
        ),
    )
    serial = (
        pl.DataFrame({"h": kk_head, "r": rng.random(nf)})
        .select(pl.col("r").rank("ordinal").over("h"))
        .to_series()
        .to_numpy()
    )
    kk = np.char.add(kk_head, np.char.zfill(serial.astype(str), 4))
    rt = rng.integers(1, 25, nf)
    kel_flag = (
        fam.get_column("_desa")
        .map_elements(lambda d: d.split(".")[3].startswith("1"), return_dtype=pl.Boolean)
        .to_numpy()
    )
    street = np.asarray(STREETS, dtype=object)[rng.integers(0, len(STREETS), nf)]
    alamat = np.where(
        kel_flag,
        np.char.add(
            np.char.add(
                np.char.add("JL. ", street.astype(str)),
                np.char.add(" NO. ", rng.integers(1, 200, nf).astype(str)),
            ),
            np.char.add(" RT ", np.char.zfill(rt.astype(str), 3)),
        ),
        np.char.add(
            "RT ",
            np.char.add(
                np.char.zfill(rt.astype(str), 3),
                np.char.add(" DUSUN ", np.char.zfill(rng.integers(1, 6, nf).astype(str), 2)),
            ),
        ),
    )
    heads = mem.filter(pl.col("_pos") == 0).sort("_f")
    pln = only_where(
        fam.get_column("sumber_penerangan_utama").to_numpy() == "1",
        np.char.add("52", np.char.zfill(rng.integers(0, 10**10, nf).astype(str), 10)),
    )
    desa = fam.get_column("_desa")
    base = fam.with_columns(
        nomor_kartu_keluarga=pl.Series(kk),
        nama_anggota_keluarga=heads.get_column("nama"),
        jumlah_anggota_keluarga=pl.col("_size").cast(pl.Int64),
        alamat=pl.Series(alamat.astype(str)),
        kelurahan_desa=desa.replace_strict(names),
        kecamatan=pl.col("_kec").replace_strict(names),
        kabupaten_kota=pl.col("_kab").replace_strict(names),
        provinsi=pl.lit(names["65"]),
        kode_kelurahan_desa=desa.str.replace_all(".", "", literal=True),
        kode_kecamatan=pl.col("_kec").str.replace_all(".", "", literal=True),
        kode_kabupaten_kota=pl.col("_kab").str.replace_all(".", "", literal=True),
        kode_provinsi=pl.lit("65"),
        id_pelanggan_pln=pl.Series(pln.tolist(), dtype=pl.String),
    )
    schema = register_schema()
    kel = base.select(schema.names("keluarga"))
    fam_cols = base.select(
        pl.int_range(pl.len()).alias("_f"),
        "nomor_kartu_keluarga",
        "alamat",
        "kelurahan_desa",
        "kecamatan",
        "kabupaten_kota",
        "provinsi",
        "kode_kelurahan_desa",
        "kode_kecamatan",
        "kode_kabupaten_kota",
        "kode_provinsi",
        "pbi_nas",
        "pbi_pemda",
        "id_pelanggan_pln",
    )
    rt_s = pl.Series(np.char.zfill(rt.astype(str), 3))
    fam_cols = fam_cols.with_columns(
        rt_ktp=rt_s, rw_ktp=pl.lit(None, pl.String), dusun_ktp=pl.lit(None, pl.String)
    )
    ind = (
        mem.with_columns(pl.col("_f").cast(pl.Int64))
        .join(fam_cols.with_columns(pl.col("_f").cast(pl.Int64)), on="_f", how="left")
        .sort("_f", "_pos")
    )
    ind = ind.with_columns(
        alamat_ktp=pl.col("alamat"),
        kelurahan_desa_ktp=pl.col("kelurahan_desa"),
        kecamatan_ktp=pl.col("kecamatan"),
        kabupaten_kota_ktp=pl.col("kabupaten_kota"),
        provinsi_ktp=pl.col("provinsi"),
        kode_kelurahan_desa_ktp=pl.col("kode_kelurahan_desa"),
        kode_kecamatan_ktp=pl.col("kode_kecamatan"),
        kode_kabupaten_kota_ktp=pl.col("kode_kabupaten_kota"),
        kode_provinsi_ktp=pl.col("kode_provinsi"),
        id_pelanggan_pln=pl.when(pl.col("_pos") == 0).then(pl.col("id_pelanggan_pln")),
        tanggal_lahir=pl.col("tanggal_lahir").cast(pl.Date),
    )
    cols = schema.names("individu")
    ind = ind.with_columns([pl.col(c).cast(pl.String) for c in cols if ind.schema[c] == pl.Object])
    return kel, ind.select(cols)


def _inject_problems(
    kel: pl.DataFrame, ind: pl.DataFrame, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame, list[dict[str, Any]]]:
    """Plant 1-2 % deliberate problems; return the frames and the list of what was planted."""
    m, nf = ind.height, kel.height
    order = rng.permutation(m)
    rates = {
        "nik_tidak_valid": 0.0035,
        "nik_ganda": 0.0025,
        "jenis_kelamin_tidak_sesuai_nik": 0.002,
        "tanggal_lahir_tidak_sesuai_nik": 0.0015,
        "kolom_kosong": 0.003,
    }
    picks: dict[str, np.ndarray] = {}
    start = 0
    for kind, rate in rates.items():
        k = max(1, round(m * rate))
        picks[kind] = np.sort(order[start : start + k])
        start += k
    nik = ind.get_column("nomor_induk_kependudukan").to_numpy().astype(object)
    kk = ind.get_column("nomor_kartu_keluarga").to_numpy()
    sex = ind.get_column("jenis_kelamin").to_numpy().astype(object)
    born = ind.get_column("tanggal_lahir").to_numpy().astype("datetime64[D]").astype(object)
    name = ind.get_column("nama").to_numpy().astype(object)
    problems: list[dict[str, Any]] = []

    def note(kind: str, i: int, column: str, original: object, level: str = "individu") -> None:
        problems.append(
            {
                "jenis": kind,
                "tingkat": level,
                "nomor_kartu_keluarga": str(kk[i]),
                "nomor_induk_kependudukan": str(nik[i]),
                "kolom": column,
                "asli": None if original is None else str(original),
            }
        )

    for j, i in enumerate(picks["nik_tidak_valid"]):
        orig = nik[i]
        nik[i] = (
            orig[:15],
            orig[:12] + "0000",
            orig[:8] + "13" + orig[10:],
            orig[:5] + "O" + orig[6:],
        )[j % 4]
        note("nik_tidak_valid", int(i), "nomor_induk_kependudukan", orig)
    donors = rng.integers(0, m, len(picks["nik_ganda"]))
    for i, d in zip(picks["nik_ganda"], donors, strict=True):
        if kk[d] == kk[i]:
            d = (d + 50) % m
        orig = nik[i]
        nik[i] = nik[d]
        note("nik_ganda", int(i), "nomor_induk_kependudukan", orig)
    for i in picks["jenis_kelamin_tidak_sesuai_nik"]:
        orig = sex[i]
        sex[i] = "2" if orig == "1" else "1"
        note("jenis_kelamin_tidak_sesuai_nik", int(i), "jenis_kelamin", orig)
    for i in picks["tanggal_lahir_tidak_sesuai_nik"]:
        orig = born[i]
        born[i] = orig - dt.timedelta(days=int(rng.integers(40, 400)))
        note("tanggal_lahir_tidak_sesuai_nik", int(i), "tanggal_lahir", orig)
    for j, i in enumerate(picks["kolom_kosong"]):
        col = ("nama", "jenis_kelamin", "tanggal_lahir")[j % 3]
        arr = {"nama": name, "jenis_kelamin": sex, "tanggal_lahir": born}[col]
        note("kolom_kosong", int(i), col, arr[i])
        arr[i] = None
    ind = ind.with_columns(
        nomor_induk_kependudukan=pl.Series(nik.tolist(), dtype=pl.String),
        jenis_kelamin=pl.Series(sex.tolist(), dtype=pl.String),
        tanggal_lahir=pl.Series(born.tolist(), dtype=pl.Date),
        nama=pl.Series(name.tolist(), dtype=pl.String),
    )
    # families: no head, and a blank expected field
    fam_order = rng.permutation(nf)
    k = max(1, round(nf * 0.003))
    headless = set(kel.get_column("nomor_kartu_keluarga").gather(fam_order[:k]).to_list())
    ind = ind.with_columns(
        status_hubungan_keluarga=pl.when(
            pl.col("nomor_kartu_keluarga").is_in(list(headless))
            & (pl.col("status_hubungan_keluarga") == "1")
        )
        .then(pl.lit("8"))
        .otherwise(pl.col("status_hubungan_keluarga"))
    )
    problems += [
        {
            "jenis": "tanpa_kepala_keluarga",
            "tingkat": "keluarga",
            "nomor_kartu_keluarga": kk_,
            "nomor_induk_kependudukan": None,
            "kolom": "status_hubungan_keluarga",
            "asli": "1",
        }
        for kk_ in sorted(headless)
    ]
    blank_idx = fam_order[k : 2 * k]
    blank_kk = kel.get_column("nomor_kartu_keluarga").gather(blank_idx).to_list()
    for j, kk_ in enumerate(blank_kk):
        col = ("desil_nasional", "jenis_atap_terluas")[j % 2]
        problems.append(
            {
                "jenis": "kolom_kosong",
                "tingkat": "keluarga",
                "nomor_kartu_keluarga": kk_,
                "nomor_induk_kependudukan": None,
                "kolom": col,
                "asli": None,
            }
        )
    for col in ("desil_nasional", "jenis_atap_terluas"):
        targets = [
            kk_
            for j, kk_ in enumerate(blank_kk)
            if ("desil_nasional", "jenis_atap_terluas")[j % 2] == col
        ]
        kel = kel.with_columns(
            pl.when(pl.col("nomor_kartu_keluarga").is_in(targets))
            .then(None)
            .otherwise(pl.col(col))
            .alias(col)
        )
    return kel, ind, problems


def _for_files(frame: pl.DataFrame) -> pl.DataFrame:
    """Flags as Regsosek codes (1 Ya, 2 Tidak), as extracts carry them."""
    return frame.with_columns(
        [
            pl.when(pl.col(c)).then(pl.lit("1")).when(pl.col(c).not_()).then(pl.lit("2")).alias(c)
            for c, t in frame.schema.items()
            if t == pl.Boolean
        ]
    )


def write_register(reg: SyntheticRegister, out: Path, xlsx: bool | None = None) -> list[Path]:
    """Write both sets as CSV and Parquet (XLSX too when small), plus ``ground_truth.json``."""
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    small = reg.individu.height <= XLSX_MAX_PERSONS if xlsx is None else xlsx
    for name, frame in (("keluarga", reg.keluarga), ("individu", reg.individu)):
        data = _for_files(frame)
        data.write_csv(out / f"{name}.csv")
        data.write_parquet(out / f"{name}.parquet")
        written += [out / f"{name}.csv", out / f"{name}.parquet"]
        if small:
            _write_xlsx(data, out / f"{name}.xlsx", name)
            written.append(out / f"{name}.xlsx")
    (out / "ground_truth.json").write_text(
        json.dumps(reg.ground_truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    written.append(out / "ground_truth.json")
    return written


def _write_xlsx(frame: pl.DataFrame, path: Path, sheet: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    ws = book.add_worksheet(sheet)
    bold = book.add_format({"bold": True})
    ws.write_row(0, 0, frame.columns, bold)
    text_cols = {i for i, (_, t) in enumerate(frame.schema.items()) if t == pl.String}
    for r, row in enumerate(frame.iter_rows(), start=1):
        for c, v in enumerate(row):
            if v is None:
                continue
            if c in text_cols:
                ws.write_string(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_string(r, c, v.isoformat())
            else:
                ws.write(r, c, v)
    ws.freeze_panes(1, 0)
    book.close()
