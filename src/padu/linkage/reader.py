"""Reading an agency's own beneficiary list (XLSX or CSV) into linkage records.

Agencies use whatever headers they like ("No. KTP", "Nama Penerima", "Tempat/Tgl Lahir",
"Desa/Kel"...). :func:`suggest_mapping` proposes which column holds which field, with a
confidence; the user confirms or overrides it with a mapping file, and may save it for the
agency. :func:`read_agency_list` applies a mapping: rows that are not beneficiaries (blank
rows, totals, a header repeated on every page, the column-numbering row, notes and the
signature block) are set aside and reported; dates are read in every common form; NIKs that
Excel stored as numbers are flagged (never matched as they are, their sound leading digits
kept); desa, kecamatan and kabupaten names as agencies write them are resolved to Kemendagri
codes. A list per family (KK and head's name, no NIK or birth date) is told apart from a
list of persons.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import polars as pl
from rapidfuzz import fuzz, process

from padu.errors import ImportRejected, Problem
from padu.identifiers import mask_identifiers, nik_problem
from padu.linkage.persons import comparable, with_name_columns
from padu.linkage.values import (
    MONTHS,
    nik_excel_prefix,
    nik_excel_problem,
    parse_agency_date,
    resolve_place,
)
from padu.sheets import NO_ROWS, ROW, Sheet, cell_text, read_sheet

#: Canonical list fields and the headers agencies use for them (compared without case,
#: spaces or punctuation).
FIELDS: dict[str, tuple[str, ...]] = {
    "nik": ("nik", "noktp", "nomorktp", "nonik", "nomornik", "nikpenerima", "nikkpm",
            "niknasabah", "nomorindukkependudukan", "ktp", "nikanggota", "nikkepalakeluarga",
            "nikkk", "nikkrt", "nikkepalarumahtangga", "niksesuaiktp"),
    "kk": ("nokk", "nomorkk", "kk", "nokartukeluarga", "nomorkartukeluarga", "nkk",
           "nokartukeluargakk", "nomorkartukeluargakk", "kartukeluarga"),
    "nama": ("nama", "namalengkap", "namapenerima", "namakpm", "namapenerimamanfaat",
             "namanasabah", "namaanggota", "namapeserta", "namasesuaiktp"),
    "nama_kepala_keluarga": ("namakepalakeluarga", "kepalakeluarga", "namakk", "namakrt",
                             "namakepalarumahtangga", "kepalarumahtangga",
                             "namakepalakeluargakk"),
    "tanggal_lahir": ("tgllahir", "tanggallahir", "tgllhr", "tanggallhr", "dob"),
    "tempat_tgl_lahir": ("tempattgllahir", "ttl", "tempattanggallahir", "tmptgllahir",
                         "tempatdantanggallahir", "tempattgllhr"),
    "jenis_kelamin": ("jeniskelamin", "jk", "lp", "kelamin", "sex", "gender"),
    "alamat": ("alamat", "alamatlengkap", "alamatrumah", "alamatktp", "dusun"),
    "rt_rw": ("rtrw",),
    "rt": ("rt",),
    "rw": ("rw",),
    "desa": ("desakel", "desa", "kelurahan", "kelurahandesa", "desakelurahan", "kel",
             "namadesa", "kelurahandesaktp", "namadesakelurahan", "namadesakel", "desakelktp"),
    "kecamatan": ("kecamatan", "kec", "namakecamatan"),
    "kabupaten": ("kabupaten", "kabupatenkota", "kabkota", "kota", "kab", "namakabupaten",
                  "namakabupatenkota", "kotakabupaten"),
}  # fmt: skip
_ALIASES = frozenset(a for names in FIELDS.values() for a in names)
#: A list of persons needs one of these columns (a head's name stands for the name); a
#: list of families also takes a KK column alone.
NEEDED_ONE_OF = ("nama", "nik", "nama_kepala_keluarga")
FAMILY_NEEDS = ("kk", "nama_kepala_keluarga")
#: What one row of a list stands for: a person, or a family (its KK and its head).
Unit = Literal["individu", "keluarga"]
UNITS: tuple[Unit, ...] = get_args(Unit)
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


SkipKind = Literal["kosong", "jumlah", "judul_berulang", "nomor_kolom", "catatan"]
_SKIP_KINDS: dict[str, SkipKind] = {k: k for k in get_args(SkipKind)}
#: How each kind of set-aside row is named in a summary sentence.
SKIP_LABELS: dict[SkipKind, str] = {
    "kosong": "baris kosong",
    "jumlah": "baris jumlah",
    "judul_berulang": "baris header yang berulang",
    "nomor_kolom": "baris nomor kolom",
    "catatan": "baris catatan/tanda tangan",
}


@dataclass(frozen=True)
class SkippedRow:
    """A sheet row that is not a beneficiary and is not linked.

    ``text`` shows its filled cells (``'JUMLAH', 500``), shortened, long numbers masked;
    empty for a blank row.
    """

    baris: int
    kind: SkipKind
    text: str = ""


@dataclass
class AgencyRows:
    """An agency list as linkage records, one per data row, and the rows set aside.

    ``unit`` says whether a row is a person (``individu``) or a family (``keluarga``: a
    KK and its head, no NIK or birth date). ``skipped`` lists the rows that are not
    beneficiaries (blank, totals, repeated headers, column numbers, notes), by sheet row.
    """

    path: Path
    frame: pl.DataFrame
    mapping: dict[str, str]
    headers: list[str]
    unit: Unit = "individu"
    skipped: list[SkippedRow] = field(default_factory=list)

    def skipped_lines(self) -> list[str]:
        """The set-aside rows in Indonesian sentences, a run of one kind in one sentence.

        ``baris 512: baris jumlah ('JUMLAH', 500) tidak ditautkan``; a run with no data row
        inside it: ``baris 515–521: 4 baris catatan/tanda tangan ('Mengetahui,' dst.) ...``.
        """
        kept = sorted(self.frame.get_column("baris").to_list()) if self.frame.height else []
        runs: list[list[SkippedRow]] = []
        for s in sorted(self.skipped, key=lambda s: s.baris):
            last = runs[-1][-1] if runs else None
            if (
                last is not None
                and last.kind == s.kind
                and bisect_right(kept, last.baris) == bisect_right(kept, s.baris)
            ):
                runs[-1].append(s)
            else:
                runs.append([s])
        return [_sentence(run) for run in runs]


def _sentence(run: list[SkippedRow]) -> str:
    first, label = run[0], SKIP_LABELS[run[0].kind]
    if len(run) == 1:
        shown = f" ({first.text})" if first.text else ""
        return f"baris {first.baris}: {label}{shown} tidak ditautkan"
    shown = f" ({first.text} dst.)" if first.text else ""
    return f"baris {first.baris}–{run[-1].baris}: {len(run)} {label}{shown} tidak ditautkan"


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


def read_agency_list(
    path: Path, mapping: dict[str, str] | None = None, unit: str | None = None
) -> AgencyRows:
    """Read ``path`` with ``mapping`` (field -> header; suggested when not given).

    ``unit`` (``individu`` or ``keluarga``) overrides what the columns suggest: a list with
    no NIK and no birth-date column but a KK or head's-name column is a list of families.
    """
    sheet, raw = _read(path)
    headers, head = sheet.headers, sheet.header_row
    mapping = dict(mapping) if mapping else suggest_mapping(headers).mapping
    kind = next((u for u in UNITS if u == unit), None) or _unit(mapping)
    problems = _mapping_problems(path, headers, head, mapping, kind)
    if unit is not None and unit not in UNITS:
        reason = f"satuan daftar '{unit}' tidak dikenal; pilih 'individu' atau 'keluarga'"
        problems.append(Problem(path.name, None, None, unit, reason, "satuan_tidak_dikenal"))
    if problems:
        raise refused(path, problems)
    data, skipped = _set_aside(raw, headers, mapping, head)
    if data.height == 0:
        reason = "tidak ada baris penerima: semua baris adalah jumlah, header, atau catatan"
        raise refused(path, [Problem(path.name, head, None, None, reason, NO_ROWS)])
    cols = {name: pl.col(h).cast(pl.String).str.strip_chars() for name, h in mapping.items()}
    if "nama" not in cols and "nama_kepala_keluarga" in cols:
        cols["nama"] = cols["nama_kepala_keluarga"]  # a family list: the head stands for it
    blank = pl.lit(None, dtype=pl.String)
    frame = data.select(
        pl.col(ROW).alias("baris"),
        *(cols.get(name, blank).alias(name) for name in FIELDS),
    ).with_row_index("row", offset=1)
    return AgencyRows(path, _records(frame), mapping, headers, kind, skipped)


def _unit(mapping: dict[str, str]) -> Unit:
    """``keluarga`` for a list with no NIK or birth date but a KK or head's name."""
    personal = {"nik", "tanggal_lahir", "tempat_tgl_lahir"} & mapping.keys()
    family = any(f in mapping for f in FAMILY_NEEDS)
    return "keluarga" if family and not personal else "individu"


def _mapping_problems(
    path: Path, headers: list[str], head: int, mapping: dict[str, str], unit: Unit
) -> list[Problem]:
    """Every reason ``mapping`` cannot be applied to this list."""
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
    needed = NEEDED_ONE_OF + (FAMILY_NEEDS if unit == "keluarga" else ())
    if not any(f in mapping for f in needed):
        reason = (
            "tidak ada kolom nama, nama kepala keluarga, maupun NIK (daftar per keluarga "
            "cukup dengan kolom nomor KK)"
            if unit == "individu"
            else "tidak ada kolom nomor KK, nama kepala keluarga, nama, maupun NIK"
        )
        problems.append(
            Problem(
                path.name, head, None, ", ".join(headers[:8]),
                f"{reason}; beri pemetaan kolom dengan --mapping",
                "kolom_wajib_tidak_ada",
            )
        )  # fmt: skip
    return problems


#: Cell patterns that tell a row that is not a beneficiary (compared after stripping).
_BLANKISH = r"^[\s\-–—.,'\"/_]*$"
_ROW_NUMBER = r"^\d{1,6}$"
_COLUMN_NUMBER = r"^\(?\s*(\d{1,2})\s*\)?\.?$"
_COUNT = (
    r"(?i)^(rp\.?\s*)?\d[\d.,]*\s*"
    r"(kk|orang|org|jiwa|unit|rumah|paket|keluarga|kpm|penerima|rt|rtm|rts|%)?$"
)
_TOTAL = r"(?i)^(sub\s*-?\s*total|grand\s+total|total|jumlah|jml)\b"
_MONTH_WORDS = "|".join(name for names in MONTHS.values() for name in names)
_NOTE = (
    r"(?i)^(keterangan|ket\s*[.:]|catatan|cat\s*[.:]|nb\s*[.:]|sumber\s*(data)?\s*:|"
    r"mengetahui|menyetujui|disetujui|diketahui|diverifikasi|diperiksa|dibuat|disusun|ttd|"
    r"tanda\s*tangan|a\.\s*n\.|an\.|pl[th]\.?\s|kepala\s|kabid|kasi\s|sekretaris|camat\s|"
    r"lurah\s|petugas|operator|nip\b|nrp\b|pangkat|pembina|penata|halaman|hal\.\s*\d|"
    r"page\s*\d|tembusan|[a-z .'-]+,\s*(\d{1,2}\s+)?(" + _MONTH_WORDS + r")\s+\d{4}$)"
)
_HEADING = r"(?i)^([a-z0-9]{1,4}[.)]\s*)?(desa|ds|kelurahan|kel|kecamatan|kec|kabupaten|kab|kota)\b"


def _set_aside(
    raw: pl.DataFrame, headers: list[str], mapping: dict[str, str], head: int
) -> tuple[pl.DataFrame, list[SkippedRow]]:
    """The rows that are beneficiaries, and the rows set aside (:class:`SkippedRow`).

    A row holding a NIK- or KK-like number is always a beneficiary row, whatever else it
    holds. Blank rows after the table are dropped without a word: they are the sheet's
    formatting, not its rows.
    """
    ident = _identifier_like(headers, mapping)
    protected = raw.filter(ident)
    rest = _row_kinds(raw.filter(~ident), headers, mapping)
    marked = rest.filter(pl.col("_kind").is_not_null()).select(ROW, "_kind").iter_rows()
    kinds: dict[int, SkipKind] = {b: _SKIP_KINDS[k] for b, k in marked}
    sure = [*protected.get_column(ROW).to_list(), *rest.filter("_sure").get_column(ROW).to_list()]
    if sure:
        below = rest.filter(pl.col(ROW) > max(sure)).select(ROW, "_kind").iter_rows()
        kinds.update(_below_table(max(sure), list(below)))
    data = raw.filter(~pl.col(ROW).is_in(list(kinds)))
    end = max(data.get_column(ROW).to_list(), default=head)
    present = set(raw.get_column(ROW).to_list())
    kinds.update({b: "kosong" for b in range(head + 1, end) if b not in present})
    texts = _row_texts(raw.filter(pl.col(ROW).is_in(list(kinds))), headers)
    skipped = [
        SkippedRow(b, k, texts.get(b, "") if k != "kosong" else "")
        for b, k in sorted(kinds.items())
        if k != "kosong" or b < end
    ]
    return data, skipped


def _below_table(last: int, rows: list[tuple[int, str | None]]) -> dict[int, SkipKind]:
    """Rows below ``last``, the last row that is surely a beneficiary (an identifier, or a
    name with a row number or two more cells): once the table is broken off there (a blank
    row, a total, a note), every row left is notes and signatures (the officials' names)."""
    out: dict[int, SkipKind] = {}
    previous, broken = last, False
    for baris, kind in sorted(rows):
        broken = broken or baris != previous + 1
        if kind is None and broken:
            out[baris] = "catatan"
        broken = broken or kind is not None
        previous = baris
    return out


def _identifier_like(headers: list[str], mapping: dict[str, str]) -> pl.Expr:
    """A NIK or KK (intact or damaged by Excel) in its column, or 16 digits in any cell."""
    ids = [mapping[f] for f in ("nik", "kk") if mapping.get(f) in headers]
    number = r"(?i)^(\d{12,17}(\.0+)?|\d\.\d+e\+?1[45])$"
    return pl.any_horizontal(
        *(pl.col(h).str.replace_all(r"[\s\-']", "").str.contains(number) for h in ids),
        *(pl.col(h).str.strip_chars().str.contains(r"^\d{16}(\.0+)?$") for h in headers),
    ).fill_null(False)


def _row_kinds(rows: pl.DataFrame, headers: list[str], mapping: dict[str, str]) -> pl.DataFrame:
    """For rows without identifiers: ``_kind``, why a row is set aside (null: kept), and
    ``_sure``, it is surely a beneficiary (a name, with a row number or two more cells, and
    no note). Each cell is cleaned once; only the few rows that start like a total, a
    numbering row or a header are then tested cell by cell."""
    at = {h: f"_c{i}" for i, h in enumerate(headers)}
    cells = rows.select(
        ROW,
        *(
            pl.when(pl.col(h).str.contains(_BLANKISH))
            .then(None)
            .otherwise(pl.col(h).str.strip_chars())
            .alias(c)
            for h, c in at.items()
        ),
    )
    column = [pl.col(c) for c in at.values()]
    names = [
        pl.col(at[mapping[f]]) for f in ("nama", "nama_kepala_keluarga") if mapping.get(f) in at
    ]
    f = cells.with_columns(
        filled=pl.sum_horizontal(c.is_not_null() for c in column),
        first=pl.coalesce(column),
        last=pl.coalesce(column[::-1]),
        named=pl.any_horizontal(*(c.is_not_null() for c in names)) if names else pl.lit(False),
        numbered=pl.any_horizontal(c.str.contains(_ROW_NUMBER) for c in column).fill_null(False),
    )
    header_words = [*_ALIASES, *(_key(h) for h in headers)]
    word = [
        e.str.to_lowercase().str.replace_all(r"[^a-z0-9]", "").is_in(header_words)
        for e in (
            pl.col("first"),
            pl.col("last"),
            pl.coalesce(names or [pl.lit(None, dtype=pl.String)]),
        )
    ]
    maybe = f.filter(
        pl.col("first").str.contains(_TOTAL)
        | pl.col("first").str.contains(r"^\(?\s*1\s*\)?\.?$")
        | pl.any_horizontal(word).fill_null(False)
    )
    key = [
        (pl.col(c).str.to_lowercase().str.replace_all(r"[^a-z0-9]", ""), _key(h))
        for h, c in at.items()
    ]
    numbers = pl.concat_list(c.str.extract(_COLUMN_NUMBER, 1).cast(pl.Int64) for c in column)
    tested = maybe.select(
        ROW,
        counts=pl.sum_horizontal(c.str.contains(_COUNT).fill_null(False) for c in column),
        as_header=pl.sum_horizontal(
            ((k == h) | k.is_in(list(_ALIASES))).fill_null(False) for k, h in key
        ),
        numbers=numbers.list.drop_nulls(),
    )
    f = f.select(ROW, "filled", "first", "last", "named", "numbered").join(
        tested, on=ROW, how="left"
    )
    filled, first, numbers = pl.col("filled"), pl.col("first"), pl.col("numbers")
    numbered, named, as_header = pl.col("numbered"), pl.col("named"), pl.col("as_header")
    column_numbers = (
        (filled >= 3)
        & (numbers.list.len() == filled)
        & (numbers.list.first() == 1)
        & (numbers.list.last() == filled)
        & (numbers.list.diff(null_behavior="drop").list.min() >= 1)
    ).fill_null(False)
    note = first.str.contains(_NOTE).fill_null(False)
    heading = first.str.contains(_HEADING) | pl.col("last").str.contains(_HEADING)
    total = first.str.contains(_TOTAL).fill_null(False) & (first.str.len_chars() <= 60)
    kind = (
        pl.when((filled == 0) | ((filled == 1) & numbered))
        .then(pl.lit("kosong"))
        .when(column_numbers)
        .then(pl.lit("nomor_kolom"))
        .when((as_header >= 2) & (as_header * 4 >= filled * 3))
        .then(pl.lit("judul_berulang"))
        .when(total & (pl.col("counts") == filled - 1))
        .then(pl.lit("jumlah"))
        .when((filled <= 2) & (heading.fill_null(False) | (~numbered & (~named | note))))
        .then(pl.lit("catatan"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )
    sure = pl.col("_kind").is_null() & named & ((filled >= 3) | numbered) & ~note
    return f.with_columns(_kind=kind).select(ROW, "_kind", _sure=sure)


def _row_texts(rows: pl.DataFrame, headers: list[str]) -> dict[int, str]:
    """Each row's filled cells as short text (numbers bare, text quoted), NIK/KK masked."""
    out: dict[int, str] = {}
    for row in rows.select(ROW, *headers).iter_rows():
        cells = [c.strip() for c in row[1:] if c is not None and c.strip()]
        shown = [c if re.fullmatch(r"-?[\d.,]+", c) else f"'{_cut(c)}'" for c in cells[:6]]
        out[row[0]] = mask_identifiers(", ".join(shown) + (", …" if len(cells) > 6 else ""))
    return out


def _cut(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


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
        kk_awalan=nik_excel_prefix(pl.col("kk")),  # a KK Excel stored as a number, likewise
        kk=pl.col("kk").str.replace_all(r"[\s\.\-']", ""),
        desa_asli=pl.col("desa"),
        kecamatan_asli=pl.col("kecamatan"),
        kabupaten_asli=pl.col("kabupaten"),
    )
    damaged = nik_excel_problem(pl.col("nik_asli"))
    invalid = nik_problem(pl.col("nik_digits"))
    is_kk = (pl.col("nik_digits") == pl.col("kk")) & pl.col("kk").str.contains(r"^\d{15,}$")
    frame = (
        frame.with_columns(is_kk=is_kk.fill_null(False))
        .with_columns(
            nik_masalah=pl.when(pl.col("nik_asli").is_null())
            .then(pl.lit("NIK kosong"))
            .when("is_kk")  # which column is wrong is decided against the register
            .then(pl.lit("NIK sama dengan No. KK (salah satu kolom keliru)"))
            .otherwise(pl.coalesce(damaged, invalid)),
            # the digits Excel left intact, for a repair by prefix (never a match as they are)
            nik_awalan=pl.when("is_kk").then(None).otherwise(nik_excel_prefix(pl.col("nik_asli"))),
        )
        .with_columns(
            # a 16-digit NIK is compared even when its structure is invalid (the register may
            # hold the same invalid NIK, and a repair starts from it); an Excel-damaged one never
            nik=pl.when(damaged.is_null() & pl.col("nik_digits").str.contains(r"^\d{16}$"))
            .then(pl.col("nik_digits"))
            .otherwise(None),
            kk=pl.when(pl.col("kk").str.contains(r"^\d{16}$")).then("kk").otherwise(None),
        )
    )
    frame = _with_region_codes(frame)
    return with_name_columns(comparable(frame.drop("nik_digits", "is_kk")))


def _with_region_codes(frame: pl.DataFrame) -> pl.DataFrame:
    """Kabupaten, kecamatan and desa (names or codes) -> Kemendagri codes, unsure -> null.

    ``desa_kecocokan`` says how the desa was found: 1.0 by code or exact name, below 1 by a
    close spelling, null when it was not. Each distinct place is resolved once.
    """
    places = ("kabupaten", "kecamatan", "desa")
    rows = []
    for kab, kec, desa in frame.select(places).unique().iter_rows():
        found = resolve_place(kab, kec, desa)
        rows.append(
            (kab, kec, desa, found.kabupaten, found.kecamatan, found.desa, found.desa_score)
        )
    schema = {
        **{f"_{p}": pl.String for p in places},
        **dict.fromkeys(places, pl.String),
        "desa_kecocokan": pl.Float64,
    }
    lookup = pl.DataFrame(rows, schema=schema, orient="row")
    return (
        frame.join(
            lookup,
            left_on=list(places),
            right_on=[f"_{p}" for p in places],
            how="left",
            nulls_equal=True,
            suffix="_kode",
        )
        .drop(places)
        .rename({f"{p}_kode": p for p in places})
    )


def _cell(value: object) -> str | None:
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e12:
        return f"{int(value)}.0"  # a long number keeps the mark that Excel stored it as a number
    return cell_text(value)
