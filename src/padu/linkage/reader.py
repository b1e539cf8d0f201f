"""Reading an agency's own beneficiary list (XLSX or CSV) into linkage records.

Agencies use whatever headers they like ("No. KTP", "Nama Penerima", "Tempat/Tgl Lahir",
"Desa/Kel"...). :func:`suggest_mapping` proposes which column holds which field, with a
confidence; the user confirms or overrides it with a mapping file, and may save it for the
agency. :func:`read_agency_list` applies a mapping: dates are read in every common form,
NIKs that Excel stored as numbers are flagged (never matched as they are), desa and
kecamatan names are resolved to Kemendagri codes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from rapidfuzz import fuzz, process

from padu.errors import ImportRejected, Problem
from padu.identifiers import nik_problem
from padu.linkage.persons import comparable, with_name_columns
from padu.linkage.values import nik_excel_problem, parse_agency_date
from padu.regions import kaltara
from padu.sheets import ROW, Sheet, cell_text, read_sheet

#: Canonical list fields and the headers agencies use for them (compared without case,
#: spaces or punctuation).
FIELDS: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "noktp", "nomorktp", "nonik", "nomornik", "nikpenerima", "nikkpm",
            "niknasabah", "nomorindukkependudukan", "ktp", "nikanggota"),
    "kk": ("nokk", "nomorkk", "kk", "nokartukeluarga", "nomorkartukeluarga", "nkk"),
    "nama": ("nama", "namalengkap", "namapenerima", "namakpm", "namapenerimamanfaat",
             "namanasabah", "namaanggota", "namapeserta", "namasesuaiktp"),
    "nama_kepala_keluarga": ("namakepalakeluarga", "kepalakeluarga", "namakk", "namakrt"),
    "tanggal_lahir": ("tgllahir", "tanggallahir", "tgllhr", "tanggallhr", "dob"),
    "tempat_tgl_lahir": ("tempattgllahir", "ttl", "tempattanggallahir", "tmptgllahir",
                         "tempatdantanggallahir", "tempattgllhr"),
    "jenis_kelamin": ("jeniskelamin", "jk", "lp", "kelamin", "sex", "gender"),
    "alamat": ("alamat", "alamatlengkap", "alamatrumah", "alamatktp", "dusun"),
    "rt_rw": ("rtrw",),
    "rt": ("rt",),
    "rw": ("rw",),
    "desa": ("desakel", "desa", "kelurahan", "kelurahandesa", "desakelurahan", "kel",
             "namadesa", "kelurahandesaktp"),
    "kecamatan": ("kecamatan", "kec", "namakecamatan"),
    "kabupaten": ("kabupaten", "kabupatenkota", "kabkota", "kota"),
}  # fmt: skip
_ALIASES = frozenset(a for names in FIELDS.values() for a in names)
NEEDED_ONE_OF = ("nama", "nik")
_UNREADABLE = "daftar penerima tidak dapat dibaca"
SEX = {"L": "1", "LK": "1", "LAKILAKI": "1", "1": "1", "P": "2", "PR": "2", "PEREMPUAN": "2",
       "WANITA": "2", "2": "2"}  # fmt: skip


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.strip().lower())


@dataclass
class Suggestion:
    """A proposed column mapping: field -> header, with a confidence per field (0..1)."""

    mapping: dict[str, str]
    confidence: dict[str, float]
    unused: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"mapping": self.mapping, "confidence": self.confidence, "unused": self.unused}


def suggest_mapping(headers: list[str]) -> Suggestion:
    """Which header holds which field: exact aliases first, then close spellings."""
    mapping: dict[str, str] = {}
    confidence: dict[str, float] = {}
    taken: set[str] = set()
    aliases = {alias: name for name, names in FIELDS.items() for alias in names}
    for h in headers:
        name = aliases.get(_key(h))
        if name and name not in mapping:
            mapping[name], confidence[name] = h, 1.0
            taken.add(h)
    for h in headers:
        if h in taken or not _key(h) or h.startswith("kolom_"):
            continue
        best = process.extractOne(_key(h), list(aliases), scorer=fuzz.ratio)
        if best and best[1] >= 80 and aliases[best[0]] not in mapping:
            name = aliases[best[0]]
            mapping[name], confidence[name] = h, round(best[1] / 100, 2)
            taken.add(h)
    return Suggestion(mapping, confidence, [h for h in headers if h not in taken])


@dataclass
class AgencyRows:
    """An agency list as linkage records, one per data row."""

    path: Path
    frame: pl.DataFrame
    mapping: dict[str, str]
    headers: list[str]


def read_headers(path: Path) -> tuple[list[str], pl.DataFrame]:
    """The headers and the text cells of an agency list (XLSX, XLS or CSV).

    Title rows above the header are skipped; an unreadable file, a duplicated header or a
    list with no data rows is refused (:class:`ImportRejected` naming the file).
    """
    _, frame = _read(path)
    return [c for c in frame.columns if c != ROW], frame


def _read(path: Path) -> tuple[Sheet, pl.DataFrame]:
    """The agency list as a sheet and its cells; every reader problem refuses it."""
    sheet = read_sheet(path, score=_header_score, cell=_cell)
    if sheet.frame is None or sheet.problems:
        raise refused(path, sheet.problems)
    return sheet, sheet.frame


def refused(path: Path, problems: Sequence[Problem]) -> ImportRejected:
    """The error refusing an agency list: the file and its first problem in the message."""
    first = problems[0].describe() if problems else path.name
    more = f" (dan {len(problems) - 1} masalah lain)" if len(problems) > 1 else ""
    return ImportRejected(f"{_UNREADABLE}: {first}{more}", problems)


def _header_score(cells: Sequence[str]) -> int:
    """How many cells of a row are headers agencies use (to skip title rows)."""
    return sum(_key(c) in _ALIASES for c in cells if c)


def read_agency_list(path: Path, mapping: dict[str, str] | None = None) -> AgencyRows:
    """Read ``path`` with ``mapping`` (field -> header; suggested when not given)."""
    sheet, raw = _read(path)
    headers, head = sheet.headers, sheet.header_row
    mapping = dict(mapping) if mapping else suggest_mapping(headers).mapping
    problems = [
        Problem(
            path.name,
            head,
            h,
            h,
            f"kolom '{h}' untuk '{name}' tidak ada di file",
            "kolom_tidak_ada",
        )
        for name, h in mapping.items()
        if h not in headers
    ]
    problems += [
        Problem(
            path.name,
            head,
            name,
            None,
            f"'{name}' bukan kolom daftar yang dikenal",
            "kolom_tidak_dikenal",
        )
        for name in mapping
        if name not in FIELDS
    ]
    if not any(f in mapping for f in NEEDED_ONE_OF):
        problems.append(
            Problem(
                path.name, head, None, ", ".join(headers[:8]),
                "tidak ada kolom nama maupun NIK; beri pemetaan kolom dengan --mapping",
                "kolom_wajib_tidak_ada",
            )
        )  # fmt: skip
    if problems:
        raise refused(path, problems)
    cols = {name: pl.col(h).cast(pl.String).str.strip_chars() for name, h in mapping.items()}
    blank = pl.lit(None, dtype=pl.String)
    frame = raw.select(
        pl.col("_baris").alias("baris"),
        *(cols.get(name, blank).alias(name) for name in FIELDS),
    ).with_row_index("row", offset=1)
    return AgencyRows(path, _records(frame), mapping, headers)


def _records(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells -> comparison records (original cells kept with an ``_asli`` suffix)."""
    ttl = pl.col("tempat_tgl_lahir")
    rt_rw = pl.col("rt_rw").str.split("/")
    frame = frame.with_columns(
        nik_asli=pl.col("nik"),
        nik_digits=pl.col("nik").str.replace_all(r"[\s\.\-']", ""),
        tanggal_lahir_asli=pl.coalesce("tanggal_lahir", "tempat_tgl_lahir"),
        tanggal_lahir=pl.coalesce(
            parse_agency_date(pl.col("tanggal_lahir")), parse_agency_date(ttl)
        ),
        rt=pl.coalesce("rt", rt_rw.list.get(0, null_on_oob=True)),
        rw=pl.coalesce("rw", rt_rw.list.get(1, null_on_oob=True)),
        jenis_kelamin=pl.col("jenis_kelamin")
        .str.to_uppercase()
        .str.replace_all(r"[^A-Z0-9]", "")
        .replace_strict(SEX, default=None),
        kk=pl.col("kk").str.replace_all(r"[\s\.\-']", ""),
        desa_asli=pl.col("desa"),
        kecamatan_asli=pl.col("kecamatan"),
    )
    damaged = nik_excel_problem(pl.col("nik_asli"))
    invalid = nik_problem(pl.col("nik_digits"))
    frame = frame.with_columns(
        nik_masalah=pl.when(pl.col("nik_asli").is_null())
        .then(pl.lit("NIK kosong"))
        .otherwise(pl.coalesce(damaged, invalid)),
    ).with_columns(
        # a 16-digit NIK is compared even when its structure is invalid (the register may
        # hold the same invalid NIK, and a repair starts from it); an Excel-damaged one never
        nik=pl.when(damaged.is_null() & pl.col("nik_digits").str.contains(r"^\d{16}$"))
        .then(pl.col("nik_digits"))
        .otherwise(None),
        kk=pl.when(pl.col("kk").str.contains(r"^\d{16}$")).then("kk").otherwise(None),
    )
    frame = _with_region_codes(frame)
    return with_name_columns(comparable(frame.drop("nik_digits")))


def _with_region_codes(frame: pl.DataFrame) -> pl.DataFrame:
    """Resolve desa and kecamatan names (or codes) to Kemendagri codes; unknown -> null."""
    regions = kaltara()
    kec_by_name: dict[str, str] = {}
    desa_by_name: dict[tuple[str, str], str] = {}
    desa_any: dict[str, set[str]] = {}
    for r in regions:
        if r.level == "kecamatan":
            kec_by_name.setdefault(_place(r.nama), r.digits)
        elif r.level == "desa_kelurahan":
            desa_by_name[(r.digits[:6], _place(r.nama))] = r.digits
            desa_any.setdefault(_place(r.nama), set()).add(r.digits)
    pairs = frame.select("kecamatan", "desa").unique().to_dicts()
    rows = []
    for p in pairs:
        kec_text, desa_text = p["kecamatan"] or "", p["desa"] or ""
        kec = _code(kec_text, 6) or kec_by_name.get(_place(kec_text))
        desa = _code(desa_text, 10)
        if desa is None and desa_text:
            found = desa_by_name.get((kec, _place(desa_text))) if kec else None
            options = desa_any.get(_place(desa_text), set())
            desa = found or (next(iter(options)) if len(options) == 1 else None)
        rows.append({**p, "kode_kec": kec or (desa[:6] if desa else None), "kode_desa": desa})
    lookup = pl.DataFrame(
        rows,
        schema={
            "kecamatan": pl.String,
            "desa": pl.String,
            "kode_kec": pl.String,
            "kode_desa": pl.String,
        },
    )
    return (
        frame.join(lookup, on=["kecamatan", "desa"], how="left", nulls_equal=True)
        .drop("kecamatan", "desa")
        .rename({"kode_kec": "kecamatan", "kode_desa": "desa"})
    )


def _place(name: str) -> str:
    text = re.sub(r"[^A-Z0-9 ]", " ", name.upper())
    text = re.sub(r"^\s*(DESA|KELURAHAN|KEL|DS|KEC|KECAMATAN)\s+", "", text)
    return re.sub(r"\s+", "", text)


def _code(text: str, digits: int) -> str | None:
    code = re.sub(r"[^0-9]", "", text)
    if len(code) == digits and kaltara().find(code) is not None:
        return code
    return None


def _cell(value: object) -> str | None:
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e12:
        return f"{int(value)}.0"  # a long number keeps the mark that Excel stored it as a number
    return cell_text(value)
