"""BNBA (by name by address) lists: drawn for release, audited, written as files.

:func:`publish_target_list` and :func:`publish_all` are the services behind ``padu target``:
they check the output path first, draw the list, record the draw (``target.draw``) and
write the file, whose personal-data export is recorded before the file is renamed into
place. Files: Excel with a cover sheet and one sheet per kecamatan, or CSV; every list of
``target semua`` in one workbook (a sheet per programme) or in a folder (a file each).

Indonesian headers, a frozen header row and an autofilter on every sheet; NIK and KK are
written as text, never as numbers (Excel would show them in scientific notation and drop
the last digits).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv

from padu.audit import TARGET_DRAW, record_export, record_exports
from padu.errors import InputError
from padu.files import atomic_folder, atomic_output, check_output_file, check_output_folder
from padu.fmt import angka, rupiah, waktu_wita
from padu.programmes.model import Programme
from padu.programmes.targeting import TargetList, draw_target_list
from padu.stores import Catalog, Warehouse

SUFFIXES = (".xlsx", ".csv")

HEADERS = {
    "peringkat": "Peringkat",
    "nomor_induk_kependudukan": "NIK",
    "nomor_kartu_keluarga": "No. KK",
    "nama": "Nama",
    "jenis_kelamin": "Jenis Kelamin",
    "tanggal_lahir": "Tanggal Lahir",
    "status_hubungan_keluarga": "Hubungan dengan KK",
    "nama_anggota_keluarga": "Nama Kepala Keluarga",
    "alamat": "Alamat",
    "kelurahan_desa": "Desa/Kelurahan",
    "kecamatan": "Kecamatan",
    "kabupaten_kota": "Kabupaten/Kota",
    "kode_kelurahan_desa": "Kode Desa",
    "desil_nasional": "Desil Nasional",
    "skor_deprivasi": "Skor Deprivasi (Padu-7)",
    "alasan": "Alasan Memenuhi Syarat",
    "deprivasi": "Deprivasi (Padu-7)",
}
TEXT = {"nomor_induk_kependudukan", "nomor_kartu_keluarga", "kode_kelurahan_desa", "desil_nasional"}


def _columns(rows: pa.Table) -> list[str]:
    return [c for c in HEADERS if c in rows.column_names]


def write_csv(target: TargetList, path: Path) -> None:
    """The list as CSV (no audit: call :func:`write_bnba` for a user's file)."""
    cols = _columns(target.rows)
    table = target.rows.select(cols).rename_columns([HEADERS[c] for c in cols])
    pacsv.write_csv(table, path)


def write_xlsx(target: TargetList, path: Path) -> None:
    """The list as a workbook: cover sheet, one sheet per kecamatan (no audit)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    formats = _formats(book)
    _cover(book, "Sampul", target, formats)
    data = target.rows.select(_columns(target.rows)).to_pylist()
    by_kec: dict[str, list[dict[str, Any]]] = {}
    for row in data:
        by_kec.setdefault(str(row.get("kecamatan") or "Tanpa kecamatan"), []).append(row)
    used: set[str] = {"Sampul"}
    for kec, rows in sorted(by_kec.items()):
        _rows_sheet(book, _sheet_name(kec, used), _columns(target.rows), rows, formats)
    book.close()


def write_workbook(targets: Sequence[TargetList], path: Path) -> None:
    """Several lists in one workbook: a cover sheet and a rows sheet per programme."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    formats = _formats(book)
    used: set[str] = set()
    for target in targets:
        code = target.programme.code
        _cover(book, _sheet_name(f"Sampul {code}", used), target, formats)
        cols = _columns(target.rows)
        _rows_sheet(
            book, _sheet_name(code, used), cols, target.rows.select(cols).to_pylist(), formats
        )
    book.close()


def _formats(book: Any) -> dict[str, Any]:
    return {
        "bold": book.add_format({"bold": True}),
        "head": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1}),
    }


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A unique sheet name of at most 31 characters (Excel's limits)."""
    name = wanted[:31]
    while name in used:
        name = name[:28] + f"~{len(used)}"
    used.add(name)
    return name


def _cover(book: Any, name: str, target: TargetList, formats: dict[str, Any]) -> None:
    p = target.programme
    cover = book.add_worksheet(name)
    info = [
        ("Program", f"{p.code} - {p.name}"),
        ("Instansi", p.agency),
        ("Unit sasaran", "keluarga" if p.unit == "keluarga" else "orang"),
        ("Aturan kelayakan", p.rule),
        ("Aturan anggota", p.member_rule or "-"),
        ("Versi aturan", str(target.version)),
        ("Snapshot register", str(target.snapshot)),
        ("Wilayah", target.region or "seluruh cakupan program"),
        ("Memenuhi syarat", angka(target.eligible)),
        ("Terpilih", angka(target.selected)),
        ("Biaya", rupiah(target.cost)),
        ("Dibuat", waktu_wita()),
        ("Hash isi (SHA-256)", target.hash),
    ]
    cover.write(0, 0, "DAFTAR SASARAN BY NAME BY ADDRESS (BNBA)", formats["bold"])
    for r, (k, v) in enumerate(info, start=2):
        cover.write_string(r, 0, k, formats["bold"])
        cover.write_string(r, 1, v)
    cover.set_column(0, 0, 24)
    cover.set_column(1, 1, 100)


def _rows_sheet(
    book: Any, name: str, cols: list[str], rows: list[dict[str, Any]], formats: dict[str, Any]
) -> None:
    ws = book.add_worksheet(name)
    for c, col in enumerate(cols):
        ws.write_string(0, c, HEADERS[col], formats["head"])
    for r, row in enumerate(rows, start=1):
        for c, col in enumerate(cols):
            value = row[col]
            if value is None:
                continue
            if col in TEXT or isinstance(value, str):
                ws.write_string(r, c, str(value))
            elif isinstance(value, dt.date):
                ws.write_string(r, c, value.isoformat())
            else:
                ws.write(r, c, value)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), max(len(cols) - 1, 0))


def write_bnba(target: TargetList, path: Path, catalog: Catalog, *, actor: str) -> Path:
    """Write one list as a BNBA file (.xlsx or .csv); audited, renamed into place whole."""
    path = check_output_file(path, SUFFIXES)
    with atomic_output(path) as temp:
        (write_xlsx if path.suffix.lower() == ".xlsx" else write_csv)(target, temp)
        record_export(catalog, "bnba", path, actor=actor, **target.summary())
    return path


def publish_target_list(
    wh: Warehouse,
    catalog: Catalog,
    programme: Programme,
    version: int,
    snapshot: str | int,
    *,
    actor: str,
    region: str | None = None,
    out: Path | None = None,
) -> TargetList:
    """Draw a programme's list, record the draw, and write its BNBA file when ``out`` is given.

    The output path is checked before anything is drawn or recorded.
    """
    if out is not None:
        check_output_file(out, SUFFIXES)
    with wh.scratch():  # no temporary table outlives the call (a server makes thousands)
        target = draw_target_list(wh, catalog, programme, version, snapshot, region=region)
    catalog.record(TARGET_DRAW, target.summary(), actor)
    if out is not None:
        write_bnba(target, out, catalog, actor=actor)
    return target


def publish_all(
    wh: Warehouse,
    catalog: Catalog,
    programmes: Sequence[tuple[Programme, int]],
    snapshot: str | int,
    *,
    actor: str,
    region: str | None = None,
    out: Path | None = None,
) -> list[TargetList]:
    """Every programme's list; ``out`` is one workbook (.xlsx) or a folder of BNBA files.

    A workbook holds a cover and a rows sheet per programme; a folder gets ``KODE.xlsx``
    per programme (existing other files are kept). Either appears whole or not at all,
    with one personal-data export recorded per list. A .csv cannot hold several lists and
    is refused before any work, as is a missing parent folder.
    """
    as_book = out is not None and out.suffix.lower() == ".xlsx"
    if out is not None:
        if out.suffix.lower() == ".csv":
            raise InputError(
                f"{out}: satu CSV hanya memuat satu daftar; untuk semua program beri berkas "
                ".xlsx (satu lembar per program) atau folder (satu berkas per program)"
            )
        if as_book:
            check_output_file(out, (".xlsx",))
        elif out.suffix and not out.is_dir():
            raise InputError(
                f"{out}: beri berkas .xlsx atau nama folder untuk daftar semua program"
            )
        else:
            check_output_folder(out)
    if not programmes:
        raise InputError(
            "belum ada program; impor dulu (padu programme import preset:kaltara-2026)"
        )
    targets = []
    with wh.scratch():  # the snapshot's features are shared by every draw, then dropped
        for programme, version in programmes:
            target = draw_target_list(wh, catalog, programme, version, snapshot, region=region)
            catalog.record(TARGET_DRAW, target.summary(), actor)
            targets.append(target)
    if out is None:
        return targets
    if as_book:
        with atomic_output(out) as temp:
            write_workbook(targets, temp)
            record_exports(catalog, "bnba", [(out, t.summary()) for t in targets], actor=actor)
        return targets
    with atomic_folder(out) as folder:
        written = []
        for t in targets:
            name = f"{_file_stem(t.programme.code)}.xlsx"
            write_xlsx(t, folder / name)
            written.append((out.resolve() / name, t.summary()))
        record_exports(catalog, "bnba", written, actor=actor)
    return targets


def _file_stem(code: str) -> str:
    """A programme code as a file name: letters, digits, dash and underscore only."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in code) or "program"
