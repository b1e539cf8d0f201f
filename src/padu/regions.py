"""Kaltara's regions: Kemendagri codes, names, levels and the parent/child tree.

The 543 codes of province 65 (Kepmendagri 300.2.2-2138/2025) ship in
``padu/data/wilayah`` with their boundaries and MIT licence files. BPS codes differ from
Kemendagri codes and are never inferred from them: a user loads a crosswalk (see
:mod:`padu.stores.catalog`), and :func:`detect_scheme` tells which scheme an extract uses.

Each desa/kelurahan carries an urban/rural status (``perkotaan``, the column of the same
name in the CSV). BPS classifies villages (Perka BPS 37/2010, updated by Perka BPS
120/2020), but its per-village list for Kaltara is not shipped: the status is derived
(every kelurahan and every village of Kota Tarakan urban, every other desa rural), an
approximation a real BPS list can replace in the CSV (docs/measures.md).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from padu.errors import InputError, NotFound

RegionLevel = Literal["provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan"]
LEVELS: tuple[RegionLevel, ...] = ("provinsi", "kabupaten_kota", "kecamatan", "desa_kelurahan")

#: Kemendagri code digits per level, without dots: 65 / 6501 / 650101 / 6501012005.
KEMENDAGRI_DIGITS: dict[RegionLevel, int] = {
    "provinsi": 2,
    "kabupaten_kota": 4,
    "kecamatan": 6,
    "desa_kelurahan": 10,
}
#: BPS code digits per level: the district part has three digits (6501010), the village three.
BPS_DIGITS: dict[RegionLevel, int] = {
    "provinsi": 2,
    "kabupaten_kota": 4,
    "kecamatan": 7,
    "desa_kelurahan": 10,
}

#: Kaltim regency prefixes that older NIKs of Kaltara residents still carry (pre-2013).
RETIRED_KALTIM_PREFIXES: dict[str, str] = {
    "6404": "65.01",  # Bulungan
    "6405": "65.02",  # Malinau
    "6406": "65.03",  # Nunukan
    "6410": "65.04",  # Tana Tidung
    "6473": "65.71",  # Tarakan
}

Scheme = Literal["kemendagri", "bps"]

#: ``--by`` words for a region level -> the family (keluarga) column holding that code.
REGION_COLUMNS: dict[str, str] = {
    "provinsi": "kode_provinsi",
    "kabupaten": "kode_kabupaten_kota",
    "kabupaten_kota": "kode_kabupaten_kota",
    "kecamatan": "kode_kecamatan",
    "desa": "kode_kelurahan_desa",
    "desa_kelurahan": "kode_kelurahan_desa",
}


@dataclass(frozen=True)
class Region:
    """One province, kabupaten/kota, kecamatan or desa/kelurahan."""

    kode: str
    nama: str
    level: RegionLevel
    jenis: str
    induk: str | None
    #: desa/kelurahan only: urban (BPS perkotaan) or rural; None for the other levels
    perkotaan: bool | None = None

    @property
    def digits(self) -> str:
        return self.kode.replace(".", "")


def to_dotted(code: str) -> str | None:
    """Dotted form of a Kemendagri code (``6501012005`` -> ``65.01.01.2005``); None if not one."""
    text = code.strip()
    if re.fullmatch(r"\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?", text):
        return text
    if not text.isdigit():
        return None
    cuts = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}.get(len(text))
    if cuts is None:
        return None
    parts, i = [], 0
    for n in cuts:
        parts.append(text[i : i + n])
        i += n
    return ".".join(parts)


def detect_scheme(kecamatan_codes: Iterable[str]) -> Scheme:
    """Tell whether district codes follow BPS (7 digits) or Kemendagri (6 digits or dotted).

    An extract mixing both is refused by the importer: the answer here is the majority.
    """
    bps = kem = 0
    for code in kecamatan_codes:
        text = code.strip()
        if text.isdigit() and len(text) == BPS_DIGITS["kecamatan"]:
            bps += 1
        else:
            kem += 1
    return "bps" if bps > kem else "kemendagri"


class Regions:
    """Lookup and navigation over the shipped Kemendagri region tree."""

    def __init__(self, regions: Iterable[Region]) -> None:
        self._by_code = {r.kode: r for r in regions}
        self._children: dict[str, list[Region]] = {}
        for r in self._by_code.values():
            if r.induk:
                self._children.setdefault(r.induk, []).append(r)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._by_code.values())

    def get(self, code: str) -> Region:
        """The region with this Kemendagri code, dotted or not."""
        dotted = to_dotted(code)
        region = self._by_code.get(dotted or "")
        if region is None:
            raise NotFound(f"kode wilayah tidak dikenal: {code!r}")
        return region

    def find(self, code: str) -> Region | None:
        dotted = to_dotted(code)
        return self._by_code.get(dotted) if dotted else None

    def validate(self, code: str, level: RegionLevel) -> Region:
        """The region, checked to exist at ``level``; a clear error otherwise."""
        region = self.get(code)
        if region.level != level:
            raise InputError(f"kode {code!r} adalah {region.level}, bukan {level}")
        return region

    def search(self, name: str, level: RegionLevel | None = None) -> list[Region]:
        """Regions whose name contains ``name`` (case-insensitive); exact matches first."""
        needle = " ".join(name.lower().split())
        hits = [
            r
            for r in self._by_code.values()
            if needle in r.nama.lower() and (level is None or r.level == level)
        ]
        return sorted(hits, key=lambda r: (r.nama.lower() != needle, r.kode))

    def children(self, code: str) -> list[Region]:
        return sorted(self._children.get(self.get(code).kode, []), key=lambda r: r.kode)

    def parent(self, code: str) -> Region | None:
        region = self.get(code)
        return self._by_code.get(region.induk) if region.induk else None

    def ancestor(self, code: str, level: RegionLevel) -> Region:
        """The region at ``level`` above (or equal to) ``code``."""
        region: Region | None = self.get(code)
        while region is not None and region.level != level:
            region = self._by_code.get(region.induk) if region.induk else None
        if region is None:
            raise NotFound(f"{code!r} tidak berada di bawah tingkat {level}")
        return region

    def at_level(self, level: RegionLevel) -> list[Region]:
        return sorted((r for r in self._by_code.values() if r.level == level), key=lambda r: r.kode)

    def codes(self, level: RegionLevel) -> dict[str, Region]:
        """Every code at ``level`` in both forms (dotted and undotted) -> region."""
        out: dict[str, Region] = {}
        for r in self.at_level(level):
            out[r.kode] = r
            out[r.digits] = r
        return out

    def rows(self) -> list[dict[str, object]]:
        """The tree as flat rows, for the warehouse ``wilayah`` table."""
        rows: list[dict[str, object]] = []
        for r in sorted(self._by_code.values(), key=lambda r: r.kode):
            kab = self.ancestor(r.kode, "kabupaten_kota").kode if r.level != "provinsi" else None
            kec = (
                self.ancestor(r.kode, "kecamatan").kode
                if r.level in ("kecamatan", "desa_kelurahan")
                else None
            )
            rows.append(
                {
                    "kode": r.kode,
                    "nama": r.nama,
                    "tingkat": r.level,
                    "jenis": r.jenis,
                    "kode_induk": r.induk,
                    "kode_kabupaten_kota": kab,
                    "kode_kecamatan": kec,
                    "perkotaan": r.perkotaan,
                }
            )
        return rows


@cache
def kaltara() -> Regions:
    """The shipped Kaltara region tree (543 codes)."""
    path = resources.files("padu").joinpath(
        "data", "wilayah", "kaltara_wilayah_kepmendagri_2025.csv"
    )
    with path.open(encoding="utf-8") as fh:
        return Regions(
            Region(
                kode=row["kode"],
                nama=row["nama"],
                level=row["level"],  # type: ignore[arg-type]
                jenis=row["jenis"],
                induk=row["kode_induk"] or None,
                perkotaan={"1": True, "0": False}.get(row.get("perkotaan") or ""),
            )
            for row in csv.DictReader(fh)
        )


def boundaries_path(level: Literal["kabkota", "kecamatan", "desa_kelurahan"]) -> str:
    """Path of the shipped GeoJSON boundaries for a level (for maps in later issues)."""
    name = f"kaltara_{level}_boundaries.geojson"
    return str(resources.files("padu").joinpath("data", "wilayah", name))
