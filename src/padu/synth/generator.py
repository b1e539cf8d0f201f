"""``padu synth``: a seeded, deterministic synthetic Kaltara register in DTSEN field names.

At ``scale=1`` the register holds exactly the Dukcapil population of every kabupaten
(Dec 2024) in realistic families spread over all 482 desa/kelurahan. About 1-2 % of the
records carry deliberate data problems, each listed in ``ground_truth.json`` so that tests
and users can check that the importer finds them.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from padu.files import atomic_folder
from padu.regions import kaltara
from padu.schema import LEVELS, Level, register_schema
from padu.stores.pause import pause_point
from padu.synth.addresses import is_kelurahan, street_addresses, with_ktp_addresses
from padu.synth.draw import only_where
from padu.synth.families import generate_families
from padu.synth.members import generate_members
from padu.synth.welfare import (
    as_codes,
    calibrate,
    desil_within,
    national_desil,
    person_pbi,
    pmt_score,
)

#: Persons in the register at or below which XLSX copies are also written.
XLSX_MAX_PERSONS = 60_000


@dataclass
class SyntheticRegister:
    """The two DTSEN sets and the list of deliberate problems in them.

    ``welfare`` (not written to files) has, per family (KK), the latent welfare ``laten``
    the attributes were drawn from and the calibrated PMT ``skor`` its desil was cut from
    (NaN when the family has no desil yet): for checks of the desil's realism.
    """

    keluarga: pl.DataFrame
    individu: pl.DataFrame
    ground_truth: dict[str, Any] = field(default_factory=dict)
    welfare: pl.DataFrame = field(default_factory=pl.DataFrame)


#: NIK serials of each kabupaten's members start at ``index * SERIAL_BLOCK`` so that people
#: generated in different chunks with the same prefix and birth date never share a NIK.
SERIAL_BLOCK = 1800


def generate_register(
    scale: float = 1.0, seed: int = 1, as_of: dt.date = dt.date(2025, 12, 31)
) -> SyntheticRegister:
    """Generate the register; the same ``scale`` and ``seed`` always give the same rows."""
    parts = list(iter_register(scale, seed, as_of))
    kel = pl.concat([p.keluarga for p in parts])
    ind = pl.concat([p.individu for p in parts])
    welfare = pl.concat([p.welfare for p in parts])
    truth = _truth([_summary(p) for p in parts], scale, seed, as_of)
    return SyntheticRegister(kel, ind, truth, welfare)


def iter_register(
    scale: float = 1.0, seed: int = 1, as_of: dt.date = dt.date(2025, 12, 31)
) -> Iterator[SyntheticRegister]:
    """The register one kabupaten at a time (members are the memory-heavy part).

    Families, their latent welfare and housing are drawn for the whole province first;
    members, the PMT score, desil, PBI and addresses per kabupaten. The provincial desil
    ranks every family's score, so each finished part waits in a temporary Arrow file until
    all scores are known; then the parts get their provincial desil and planted problems.
    """
    rng = np.random.default_rng(seed)
    fam, _ = generate_families(kaltara(), scale, rng)
    kabs = sorted(fam.get_column("_kab").unique().to_list())
    with tempfile.TemporaryDirectory(prefix="padu-synth-") as tmp:
        folder = Path(tmp)
        scores = []
        for index, kab in enumerate(kabs):
            part = fam.filter(pl.col("_kab") == kab)
            mem = generate_members(part, rng, as_of, serial_offset=index * SERIAL_BLOCK)
            part, mem = _rank(part, mem, rng)
            kel, ind = _assemble(part, mem, rng)
            del mem
            kel.write_ipc(folder / f"{index}.keluarga.arrow", compression="lz4")
            ind.write_ipc(folder / f"{index}.individu.arrow", compression="lz4")
            del kel, ind
            scores.append(
                part.select(nomor_kartu_keluarga=pl.lit(None, pl.String), laten="_w", skor="_z")
            )
            del part
        del fam  # the province's families are in the files now
        z = np.concatenate([s.get_column("skor").to_numpy() for s in scores])
        provinsi = desil_within(z, np.zeros(len(z), dtype=np.int64))
        start = 0
        for index, welfare in enumerate(scores):
            kel = pl.read_ipc(folder / f"{index}.keluarga.arrow")
            ind = pl.read_ipc(folder / f"{index}.individu.arrow")
            kel = kel.with_columns(desil_provinsi=as_codes(provinsi[start : start + kel.height]))
            start += kel.height
            welfare = welfare.with_columns(
                nomor_kartu_keluarga=kel.get_column("nomor_kartu_keluarga")
            )
            kel, ind, problems = _inject_problems(kel, ind, rng)
            yield SyntheticRegister(kel, ind, {"problems": problems}, welfare)


def _rank(
    part: pl.DataFrame, mem: pl.DataFrame, rng: np.random.Generator
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The PMT score, desil (national and kabupaten) and person-level PBI of one kabupaten."""
    score = pmt_score(part, mem, rng)
    ranked = ~part.get_column("_tanpa_desil").to_numpy()
    z = calibrate(score, part.get_column("_kab").to_numpy(), ranked)
    z[~ranked] = np.nan
    nasional = national_desil(z)
    f = mem.get_column("_f").to_numpy()
    nas, pemda = person_pbi(nasional, f, rng)
    mem = mem.with_columns(pbi_nas=pl.Series(nas), pbi_pemda=pl.Series(pemda))
    part = part.with_columns(
        _z=pl.Series(z),
        desil_nasional=as_codes(nasional),
        desil_provinsi=pl.lit(None, pl.String),
        desil_kabupaten_kota=as_codes(desil_within(z, np.zeros(len(z), dtype=np.int64))),
        pbi_nas=pl.Series(np.bincount(f, weights=nas, minlength=part.height) > 0),
        pbi_pemda=pl.Series(np.bincount(f, weights=pemda, minlength=part.height) > 0),
    )
    return part, mem


def _summary(part: SyntheticRegister) -> tuple[str, int, int, list[dict[str, Any]]]:
    """What the ground truth needs from one kabupaten part."""
    kab = part.keluarga.get_column("kode_kabupaten_kota")[0] if part.keluarga.height else ""
    return kab, part.keluarga.height, part.individu.height, part.ground_truth["problems"]


def _truth(
    summaries: list[tuple[str, int, int, list[dict[str, Any]]]],
    scale: float,
    seed: int,
    as_of: dt.date,
) -> dict[str, Any]:
    problems = [p for *_, probs in summaries for p in probs]
    counts: dict[str, int] = {}
    for p in problems:
        counts[p["jenis"]] = counts.get(p["jenis"], 0) + 1
    return {
        "seed": seed,
        "scale": scale,
        "as_of": as_of.isoformat(),
        "families": sum(s[1] for s in summaries),
        "individuals": sum(s[2] for s in summaries),
        "population_by_kabupaten": {s[0]: s[2] for s in summaries},
        "problem_counts": dict(sorted(counts.items())),
        "problems": problems,
    }


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
    kel_flag = is_kelurahan(fam.get_column("_desa").to_numpy())
    alamat, rt_txt, rw_txt, dusun = street_addresses(rng, kel_flag)
    # a family in another family's dwelling has the host's address and PLN meter
    host = np.searchsorted(fam.get_column("_gi").to_numpy(), fam.get_column("_host").to_numpy())
    alamat, rt_txt, rw_txt, dusun = alamat[host], rt_txt[host], rw_txt[host], dusun[host]
    heads = mem.filter(pl.col("_pos") == 0).sort("_f")
    pln = only_where(
        fam.get_column("sumber_penerangan_utama").to_numpy() == "1",
        np.char.add("52", np.char.zfill(rng.integers(0, 10**10, nf).astype(str), 10)),
    )[host]
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
        "id_pelanggan_pln",
    )
    fam_cols = fam_cols.with_columns(
        rt_ktp=pl.Series(rt_txt.astype(str)),
        rw_ktp=pl.Series(rw_txt.tolist(), dtype=pl.String),
        dusun_ktp=pl.Series(dusun.tolist(), dtype=pl.String),
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
    ind = with_ktp_addresses(ind, rng)
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
    # planted blanks only where a desil was set, so ground truth lists real changes (a
    # family without a desil yet, "belum ditentukan", is blank in all three desil columns)
    has_desil = kel.get_column("desil_nasional").is_not_null().to_numpy()
    rest = fam_order[k:]
    blank_idx = rest[has_desil[rest]][:k]
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
    written = _write_parts([reg], out)
    small = reg.individu.height <= XLSX_MAX_PERSONS if xlsx is None else xlsx
    if small:
        for name, frame in (("keluarga", reg.keluarga), ("individu", reg.individu)):
            _write_xlsx(_for_files(frame), out / f"{name}.xlsx", name)
            written.append(out / f"{name}.xlsx")
    truth = reg.ground_truth
    (out / "ground_truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return [*written, out / "ground_truth.json"]


def synthesize_to(
    out: Path, scale: float = 1.0, seed: int = 1, xlsx: bool | None = None
) -> dict[str, Any]:
    """Generate and write the register kabupaten by kabupaten (any scale); the ground truth.

    The files are written in a hidden temporary folder next to ``out`` and moved in only
    when all are complete, so an interrupted run (Ctrl-C) leaves no half-written register.
    """
    with atomic_folder(out) as temp:
        truth = _synthesize_into(temp, scale, seed, xlsx)
        pause_point("synth.write")  # every file written, none moved in yet
        return truth


def _synthesize_into(out: Path, scale: float, seed: int, xlsx: bool | None) -> dict[str, Any]:
    if xlsx or (xlsx is None and scale * 770_627 <= XLSX_MAX_PERSONS):
        reg = generate_register(scale, seed)
        write_register(reg, out, xlsx=True)
        return reg.ground_truth
    summaries = []
    writers: dict[str, tuple[Any, Any]] = {}
    try:
        for part in iter_register(scale, seed):
            _write_parts([part], out, writers)
            summaries.append(_summary(part))
            del part
    finally:
        for fh, pq_writer in writers.values():
            fh.close()
            pq_writer.close()
    truth = _truth(summaries, scale, seed, dt.date(2025, 12, 31))
    (out / "ground_truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return truth


def _write_parts(
    parts: list[SyntheticRegister], out: Path, writers: dict[str, tuple[Any, Any]] | None = None
) -> list[Path]:
    """Append parts to ``keluarga``/``individu`` CSV and Parquet files with a fixed schema."""
    import pyarrow.parquet as pq

    out.mkdir(parents=True, exist_ok=True)
    own = writers is None
    writers = {} if writers is None else writers
    try:
        for part in parts:
            for name in LEVELS:
                frame = part.keluarga if name == "keluarga" else part.individu
                data = _for_files(frame).cast(_file_schema(name))
                if name not in writers:
                    fh = (out / f"{name}.csv").open("wb")
                    data.head(0).write_csv(fh)
                    writers[name] = (
                        fh,
                        pq.ParquetWriter(out / f"{name}.parquet", data.to_arrow().schema),
                    )
                fh, pq_writer = writers[name]
                data.write_csv(fh, include_header=False)
                pq_writer.write_table(data.to_arrow())
    finally:
        if own:
            for fh, pq_writer in writers.values():
                fh.close()
                pq_writer.close()
    return [out / f"{n}.{ext}" for n in ("keluarga", "individu") for ext in ("csv", "parquet")]


def _file_schema(level: Level) -> pl.Schema:
    """Column types of the written files: flags as Regsosek 1/2 text, codes as text."""
    types: dict[str, pl.DataType] = {
        "string": pl.String(), "code": pl.String(), "boolean": pl.String(),
        "integer": pl.Int64(), "decimal": pl.Float64(), "date": pl.Date(),
    }  # fmt: skip
    return pl.Schema({f.name: types[f.type] for f in register_schema().level(level)})


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
