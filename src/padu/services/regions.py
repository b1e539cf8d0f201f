"""The regions service: the Kemendagri regions of Kaltara, and the BPS crosswalk.

``padu regions show|search|crosswalk`` and the web call these functions. Looking a region
up changes nothing and records nothing; loading a crosswalk replaces the catalog's table and
records ``regions.crosswalk`` in the same transaction.
"""

from __future__ import annotations

from pathlib import Path
from typing import get_args

from pydantic import BaseModel

from padu import regions as tree
from padu.crosswalk import load_crosswalk as _load_crosswalk
from padu.errors import InputError
from padu.regions import RegionLevel
from padu.stores import Catalog

#: Short names an officer types for a level, beside the levels' own names.
LEVEL_WORDS: dict[str, RegionLevel] = {
    **{level: level for level in get_args(RegionLevel)},
    "kabupaten": "kabupaten_kota",
    "kota": "kabupaten_kota",
    "desa": "desa_kelurahan",
    "kelurahan": "desa_kelurahan",
}


class RegionName(BaseModel):
    kode: str
    nama: str


class RegionDetail(BaseModel):
    """``padu regions show``: one region, its parent's code and its children."""

    kode: str
    nama: str
    level: RegionLevel
    jenis: str
    induk: str | None
    children: list[RegionName]


class RegionHit(BaseModel):
    kode: str
    nama: str
    level: RegionLevel


class RegionSearch(BaseModel):
    """``padu regions search``: regions whose name contains the words, exact matches first."""

    results: list[RegionHit]


class CrosswalkLoad(BaseModel):
    """``padu regions crosswalk``: how many rows replaced the crosswalk, from which file."""

    rows: int
    file: str


def region_detail(code: str) -> RegionDetail:
    """The region with Kemendagri code ``code`` (dotted or not; NotFound otherwise)."""
    regions = tree.kaltara()
    r = regions.get(code)
    parent = regions.parent(r.kode)
    return RegionDetail(
        kode=r.kode, nama=r.nama, level=r.level, jenis=r.jenis,
        induk=parent.kode if parent else None,
        children=[RegionName(kode=c.kode, nama=c.nama) for c in regions.children(r.kode)],
    )  # fmt: skip


def search_regions(name: str, level: str | None = None) -> RegionSearch:
    """Regions whose name contains ``name`` (any case), of one level if given (``desa`` and
    ``kabupaten`` are understood); InputError for an unknown level."""
    wanted = None
    if level is not None:
        wanted = LEVEL_WORDS.get(level.strip().lower())
        if wanted is None:
            known = ", ".join(get_args(RegionLevel))
            raise InputError(f"tingkat wilayah tidak dikenal: {level!r}; pilih salah satu: {known}")
    hits = tree.kaltara().search(name, wanted)
    return RegionSearch(results=[RegionHit(kode=r.kode, nama=r.nama, level=r.level) for r in hits])


def load_crosswalk(path: Path, catalog: Catalog, *, actor: str) -> CrosswalkLoad:
    """Replace the BPS<->Kemendagri crosswalk with a CSV's rows (``kode_bps``,
    ``kode_kemendagri``, optionally ``sumber``), the whole file checked first (every bad row
    named); recorded as ``regions.crosswalk`` by ``actor``."""
    return CrosswalkLoad(rows=_load_crosswalk(path, catalog, actor=actor), file=str(path))
