"""BNBA (by name by address) files: Excel with a cover sheet and one sheet per kecamatan, or CSV.

Indonesian headers, a frozen header row and an autofilter on every sheet; NIK and KK are
written as text, never as numbers (Excel would show them in scientific notation and drop
the last digits).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from padu.programmes.targeting import TargetList

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
    cols = _columns(target.rows)
    table = target.rows.select(cols).rename_columns([HEADERS[c] for c in cols])
    pacsv.write_csv(table, path)


def write_xlsx(target: TargetList, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    p = target.programme
    cover = book.add_worksheet("Sampul")
    info = [
        ("Program", f"{p.code} - {p.name}"),
        ("Instansi", p.agency),
        ("Unit sasaran", "keluarga" if p.unit == "keluarga" else "orang"),
        ("Aturan kelayakan", p.rule),
        ("Aturan anggota", p.member_rule or "-"),
        ("Versi aturan", str(target.version)),
        ("Snapshot register", str(target.snapshot)),
        ("Wilayah", target.region or "seluruh cakupan program"),
        ("Memenuhi syarat", f"{target.eligible:,}"),
        ("Terpilih", f"{target.selected:,}"),
        ("Biaya", f"Rp{target.cost:,}"),
        ("Tanggal dibuat", dt.date.today().isoformat()),
        ("Hash isi (SHA-256)", target.hash),
    ]
    cover.write(0, 0, "DAFTAR SASARAN BY NAME BY ADDRESS (BNBA)", bold)
    for r, (k, v) in enumerate(info, start=2):
        cover.write_string(r, 0, k, bold)
        cover.write_string(r, 1, v)
    cover.set_column(0, 0, 24)
    cover.set_column(1, 1, 100)
    cols = _columns(target.rows)
    data = target.rows.select(cols).to_pylist()
    by_kec: dict[str, list[dict[str, object]]] = {}
    for row in data:
        by_kec.setdefault(str(row.get("kecamatan") or "Tanpa kecamatan"), []).append(row)
    used: set[str] = {"Sampul"}
    for kec, rows in sorted(by_kec.items()):
        name = kec[:31]
        while name in used:  # sheet names must be unique and at most 31 characters
            name = name[:28] + f"~{len(used)}"
        used.add(name)
        ws = book.add_worksheet(name)
        for c, col in enumerate(cols):
            ws.write_string(0, c, HEADERS[col], head)
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
        ws.autofilter(0, 0, max(len(rows), 1), len(cols) - 1)
    book.close()
