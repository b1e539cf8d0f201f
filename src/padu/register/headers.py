"""Matching the headers an extract actually has to DTSEN field names.

Matching ignores case, spacing and punctuation and knows the common Indonesian aliases
(``No KK``, ``NIK``, ``Nama Lengkap``, ``Tgl Lahir``, ``Desa/Kel``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from padu.schema import Level, register_schema

#: Normalised alias -> DTSEN field, per level. Normalised = lower case, letters and digits.
_ALIASES: dict[str, str] = {
    "nokk": "nomor_kartu_keluarga",
    "nomorkk": "nomor_kartu_keluarga",
    "kk": "nomor_kartu_keluarga",
    "nkk": "nomor_kartu_keluarga",
    "nokartukeluarga": "nomor_kartu_keluarga",
    "nik": "nomor_induk_kependudukan",
    "noktp": "nomor_induk_kependudukan",
    "nomorktp": "nomor_induk_kependudukan",
    "nonik": "nomor_induk_kependudukan",
    "namalengkap": "nama",
    "namaanggota": "nama",
    "tgllahir": "tanggal_lahir",
    "tanggallhr": "tanggal_lahir",
    "tgllhr": "tanggal_lahir",
    "jk": "jenis_kelamin",
    "lp": "jenis_kelamin",
    "sex": "jenis_kelamin",
    "shdk": "status_hubungan_keluarga",
    "hubungankeluarga": "status_hubungan_keluarga",
    "hubungandengankk": "status_hubungan_keluarga",
    "statusperkawinan": "status_kawin",
    "desakel": "kelurahan_desa",
    "desakelurahan": "kelurahan_desa",
    "desa": "kelurahan_desa",
    "kelurahan": "kelurahan_desa",
    "kabkota": "kabupaten_kota",
    "kabupaten": "kabupaten_kota",
    "kodedesa": "kode_kelurahan_desa",
    "kodedesakel": "kode_kelurahan_desa",
    "kodedesakelurahan": "kode_kelurahan_desa",
    "kodekel": "kode_kelurahan_desa",
    "kodekec": "kode_kecamatan",
    "kodekab": "kode_kabupaten_kota",
    "kodekabkota": "kode_kabupaten_kota",
    "kodeprov": "kode_provinsi",
    "namakepalakeluarga": "nama_anggota_keluarga",
    "namakk": "nama_anggota_keluarga",
    "jumlahart": "jumlah_anggota_keluarga",
    "jmlart": "jumlah_anggota_keluarga",
    "desil": "desil_nasional",
}

#: Columns Padu itself adds to rejects files; they are ignored when the file comes back.
IGNORED = frozenset({"alasanpenolakan", "barisasal"})


def normalize_header(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.strip().lower())


@dataclass(frozen=True)
class HeaderMatch:
    """How one file's headers map to DTSEN fields."""

    mapping: dict[str, str]  # original header -> field
    unknown: list[str]
    duplicates: dict[str, list[str]]  # field -> the headers that all map to it


def match_headers(headers: Sequence[str], level: Level) -> HeaderMatch:
    """Map ``headers`` to fields of ``level``; unknown and doubly mapped headers reported."""
    fields = register_schema().names(level)
    exact = {normalize_header(f): f for f in fields}
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for h in headers:
        key = normalize_header(h)
        target = exact.get(key) or _ALIASES.get(key)
        if target in fields:
            mapping[h] = target
        elif key not in IGNORED and key:
            unknown.append(h)
    seen: dict[str, list[str]] = {}
    for h, f in mapping.items():
        seen.setdefault(f, []).append(h)
    dups = {f: hs for f, hs in seen.items() if len(hs) > 1}
    return HeaderMatch(mapping=mapping, unknown=unknown, duplicates=dups)


def guess_level(headers: Sequence[str]) -> Level | None:
    """Which DTSEN set a file holds: members carry a NIK, families carry region codes."""
    ind = match_headers(headers, "individu").mapping.values()
    if "nomor_induk_kependudukan" in ind:
        return "individu"
    kel = set(match_headers(headers, "keluarga").mapping.values())
    if "nomor_kartu_keluarga" in kel and len(kel) > 1:
        return "keluarga"
    return None


def score_header_row(cells: Sequence[object]) -> int:
    """How many cells of a row look like known field names (to skip a title row)."""
    texts = [str(c) for c in cells if c not in (None, "")]
    known = {normalize_header(f.name) for f in register_schema().fields} | set(_ALIASES)
    return sum(normalize_header(t) in known for t in texts)
