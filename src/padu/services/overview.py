"""The aggregate figures every role may open: Beranda's overview of a snapshot and the
regional MPI table of the API (``GET /api/v1/mpi``).

Both rest on the measure services' :func:`padu.services.measure.mpi_table` (the figures
``padu --json mpi --by kabupaten|kecamatan|desa`` prints) and, for Beranda, on
:func:`padu.services.register.desil_counts` (``padu register desil``), so a page, the API
and the command line show the same numbers. The engine work (:func:`overview_source`) is
separate from the shaping for a caller (:func:`overview`, :func:`regional_mpi`): a server
computes a snapshot's source once and shapes it per role.

Suppression follows :mod:`padu.access` and depends on the caller's :class:`Scope`: a viewer
never sees a count of 1 to 4 families, nor a share whose denominator is under 5 families
or whose numerator is 1 to 4, nor what subtraction from a shown total would give back
(complementary suppression among siblings, and in the desil table along rows and
columns). Hidden values are ``None``, so nothing built from these models can show them.
Other roles see every figure. Aggregates only, so nothing here is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from pydantic import BaseModel, Field

from padu.access import MIN_CELL, Scope, protect_table
from padu.measure.measures import Measure, get_measure
from padu.regions import Regions, kaltara
from padu.services.measure import GroupFigures, MpiTable, SnapshotRef, measure_version, mpi_table
from padu.services.register import DesilCounts, desil_counts
from padu.services.suppression import (
    SHOWN,
    AreaCounts,
    Hidden,
    add,
    hide_children,
    hide_levels,
)
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow

#: the measure Beranda and the API show
MEASURE = "padu-7"
PROVINCE = "65"
DESIL_KEYS: tuple[str, ...] = (*(str(d) for d in range(1, 11)), "kosong")
Level = Literal["kabupaten", "kecamatan", "desa"]
#: a level's figures: ``mpi_table`` of the snapshot by that level (a server passes a cache)
Tables = Callable[[str], MpiTable]


# -- Beranda ----------------------------------------------------------------------------------
class Indicator(BaseModel):
    id: str
    label_id: str
    label_en: str
    dimension: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


class Area(BaseModel):
    """One area's figures; ``None`` is a suppressed (or undefined) figure."""

    kode: str
    nama: str
    families: int | None
    counted: int | None  # families with every indicator known (the n of H and M0)
    poor: int | None
    missing: int | None
    H: float | None
    A: float | None
    M0: float | None
    rates: dict[str, float | None] = Field(default_factory=dict)  # uncensored, per indicator
    top: list[tuple[str, float]] = Field(default_factory=list)  # censored, largest first, >0
    desil: dict[str, int | None] = Field(default_factory=dict)


class Overview(BaseModel):
    """Everything Beranda shows for one snapshot (no personal data), as one role sees it."""

    snapshot_id: int
    snapshot_label: str
    snapshot_date: dt.date
    measure_id: str
    measure_label_id: str
    measure_label_en: str
    measure_version: int  # 0: the shipped definition
    k: Fraction
    suppressed: bool  # whether small cells are hidden (a viewer's figures)
    indicators: list[Indicator]
    province: Area
    kabupaten: list[Area]
    kecamatan: list[Area]

    def labels(self, lang: str) -> dict[str, str]:
        """Indicator id -> its label in ``lang``."""
        return {i.id: i.label(lang) for i in self.indicators}

    def map_layers(self) -> list[dict[str, str]]:
        """The map's switchable layers: H, M0, then each indicator's deprivation rate."""
        base = [{"id": "H", "id_label": "H", "en_label": "H"}]
        base.append({"id": "M0", "id_label": "M0", "en_label": "M0"})
        return base + [
            {"id": i.id, "id_label": i.label_id, "en_label": i.label_en} for i in self.indicators
        ]


@dataclass(frozen=True)
class OverviewSource:
    """The engine's results an overview is shaped from (every figure, nothing hidden)."""

    snapshot: SnapshotRow
    measure: Measure
    version: int
    by_kabupaten: MpiTable
    by_kecamatan: MpiTable
    desil: DesilCounts


def overview_source(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    *,
    actor: str,
    tables: Tables | None = None,
) -> OverviewSource:
    """Padu-7 by kabupaten and by kecamatan and families per desil x kecamatan of
    ``snapshot`` (three engine queries); ``tables(level)`` gives a level's figures when a
    caller keeps them (a server's cache), else they are computed here."""
    snap = catalog.snapshot(snapshot)
    measure = get_measure(MEASURE, catalog)

    def computed(level: str) -> MpiTable:
        return mpi_table(wh, catalog, snap.id, measure, by=level, actor=actor)

    figures = tables or computed
    return OverviewSource(
        snapshot=snap,
        measure=measure,
        version=measure_version(catalog, MEASURE),
        by_kabupaten=figures("kabupaten"),
        by_kecamatan=figures("kecamatan"),
        desil=desil_counts(wh, catalog, snap.id, "kecamatan"),
    )


def snapshot_overview(
    wh: Warehouse, catalog: Catalog, snapshot: str | int, scope: Scope, *, actor: str
) -> Overview:
    """Beranda's figures of ``snapshot`` as ``scope`` may see them (one call, no cache)."""
    return overview(overview_source(wh, catalog, snapshot, actor=actor), scope)


@dataclass(frozen=True)
class _Shown:
    """How counts and shares are shown: as they are, or suppressed for a viewer."""

    suppress: bool

    def count(self, n: int) -> int | None:
        """A family count as it may be shown: for a viewer, None for 1 to 4."""
        return None if self.suppress and 0 < n < MIN_CELL else n

    def share(self, part: int, whole: int) -> float | None:
        """``part / whole``; None when undefined, or (viewer) resting on under 5 families."""
        if whole == 0 or (self.suppress and (whole < MIN_CELL or 0 < part < MIN_CELL)):
            return None
        return float(Fraction(part, whole))


def _deprived(g: GroupFigures, indicator: str, *, censored: bool) -> int:
    """A group's families deprived in ``indicator`` (among the poor when ``censored``)."""
    return round(float((g.censored if censored else g.uncensored)[indicator]) * g.n)


def _area(
    kode: str,
    nama: str,
    desil: dict[str, int],
    g: GroupFigures | None,
    indicators: list[Indicator],
    shown: _Shown,
) -> Area:
    families = sum(desil.values())
    cells = {d: shown.count(desil.get(d, 0)) for d in DESIL_KEYS}
    if g is None:
        return Area(kode=kode, nama=nama, families=shown.count(families), counted=None,
                    poor=None, missing=None, H=None, A=None, M0=None, desil=cells)  # fmt: skip
    n, q = g.n, g.q
    rates = {i.id: shown.share(_deprived(g, i.id, censored=False), n) for i in indicators}
    censored = {i.id: shown.share(_deprived(g, i.id, censored=True), n) for i in indicators}
    top = sorted(((k, v) for k, v in censored.items() if v is not None and v > 0),
                 key=lambda kv: -kv[1])  # fmt: skip
    h = shown.share(q, n)
    a = g.value("A") if (q >= MIN_CELL if shown.suppress else n > 0) else None
    return Area(
        kode=kode,
        nama=nama,
        families=shown.count(families),
        counted=shown.count(n),
        poor=shown.count(q),
        missing=shown.count(g.missing_data_units),
        H=h,
        A=a,
        M0=g.value("M0") if h is not None and (q == 0 or a is not None) else None,
        rates=rates,
        top=top,
        desil=cells,
    )


def _desil_key(value: object) -> str:
    text = str(value).strip() if value is not None else ""
    return str(int(text)) if text.isdigit() and 1 <= int(text) <= 10 else "kosong"


def _name(regions: Regions, code: str) -> str:
    found = regions.find(code)
    return found.nama if found else code


def _kabupaten_of(regions: Regions, code: str) -> str | None:
    found = regions.find(code)
    return regions.ancestor(found.kode, "kabupaten_kota").kode if found else None


def overview(source: OverviewSource, scope: Scope) -> Overview:
    """The overview of ``source`` as ``scope`` may see it (no query)."""
    regions = kaltara()
    shown = _Shown(scope.suppress_small)
    measure = source.measure
    indicators = [
        Indicator(id=i.id, label_id=i.label_id, label_en=i.label_en, dimension=i.dimension)
        for i in measure.indicators
    ]
    desil: dict[str, dict[str, int]] = {}  # region code -> desil -> families
    province: dict[str, int] = {}
    for row in source.desil.rows:
        kec = str(row.wilayah) if row.wilayah is not None else "(kosong)"
        key, n = _desil_key(row.desil), row.keluarga
        kab = _kabupaten_of(regions, kec) or "(kosong)"
        for code in dict.fromkeys((kec, kab)):  # a family without a region counts once
            cells = desil.setdefault(code, {})
            cells[key] = cells.get(key, 0) + n
        province[key] = province.get(key, 0) + n
    by_kab, by_kec = source.by_kabupaten.groups, source.by_kecamatan.groups

    def area(code: str, group: GroupFigures | None) -> Area:
        return _area(code, _name(regions, code), desil.get(code, {}), group, indicators, shown)

    kabupaten = [area(c, by_kab.get(c)) for c in
                 sorted(set(by_kab) | {c for c in desil if len(c) == 5})]  # fmt: skip
    kecamatan = [area(c, by_kec.get(c)) for c in
                 sorted(set(by_kec) | {c for c in desil if len(c) == 8})]  # fmt: skip
    ids = [i.id for i in indicators]
    province_area = _area(
        PROVINCE, "Kalimantan Utara", province, source.by_kabupaten.overall, indicators, shown
    )
    if shown.suppress:
        kab_of = {c: _kabupaten_of(regions, c) or "?" for c in by_kec}
        hidden = hide_levels(
            _counts(source.by_kabupaten.overall, ids),
            [
                {"": {c: _counts(g, ids) for c, g in by_kab.items()}},
                _by_parent(by_kec, kab_of, ids),
            ],
        )
        hide_area(province_area, hidden[""], ids)
        for a in (*kabupaten, *kecamatan):
            hide_area(a, hidden.get(a.kode, SHOWN), ids)
        _protect_desil([kabupaten], desil)
        by_parent: dict[str, list[Area]] = {}
        for a in kecamatan:
            by_parent.setdefault(_kabupaten_of(regions, a.kode) or "", []).append(a)
        _protect_desil(list(by_parent.values()), desil)
    snap = source.snapshot
    return Overview(
        snapshot_id=snap.id,
        snapshot_label=snap.label,
        snapshot_date=snap.tanggal,
        measure_id=measure.id,
        measure_label_id=measure.label_id,
        measure_label_en=measure.label_en,
        measure_version=source.version,
        k=measure.k,
        suppressed=shown.suppress,
        indicators=indicators,
        province=province_area,
        kabupaten=kabupaten,
        kecamatan=kecamatan,
    )


def _counts(g: GroupFigures, ids: list[str]) -> AreaCounts:
    """A group's counts as :mod:`padu.services.suppression` weighs them (the same as the
    Kemiskinan cube's: families are the units counted or with missing data)."""
    return AreaCounts(
        families=g.n + g.missing_data_units,
        n=g.n,
        q=g.q,
        missing=g.missing_data_units,
        deprived=tuple(_deprived(g, i, censored=False) for i in ids),
        censored=tuple(_deprived(g, i, censored=True) for i in ids),
    )


def _by_parent(
    groups: dict[str, GroupFigures], parent: dict[str, str], ids: list[str]
) -> dict[str, dict[str, AreaCounts]]:
    out: dict[str, dict[str, AreaCounts]] = {}
    for code, g in groups.items():
        out.setdefault(parent[code], {})[code] = _counts(g, ids)
    return out


def hide_area(a: Area, h: Hidden, ids: list[str]) -> None:
    """Blank what ``h`` hides in an area's figures."""
    if h.whole:
        a.families = 0 if a.families == 0 else None
        a.counted = a.poor = a.missing = a.H = a.A = a.M0 = None
        a.rates = dict.fromkeys(a.rates)
        a.top = []
        a.desil = {d: None if v else v for d, v in a.desil.items()}
        return
    if h.counted:
        a.counted = a.missing = a.H = a.M0 = None
        a.rates = dict.fromkeys(a.rates)
        a.top = []
    if h.poor:
        a.poor = a.H = a.A = a.M0 = None
        a.top = []
    if h.ratio:
        a.A = a.M0 = None
    for i, ind in enumerate(ids):
        if i in h.deprived:
            a.rates[ind] = None
    a.top = [(k, v) for k, v in a.top if ids.index(k) not in h.censored]


def _protect_siblings(
    sets: list[list[Area]],
    families: dict[str, int],
    groups: dict[str, GroupFigures],
    indicators: list[Indicator],
) -> None:
    """Deprecated (kept while Beranda's desa map moves to :func:`level_hidden` and
    :func:`hide_area`): each set of siblings protected as if its parent showed every
    figure."""
    del families
    ids = [i.id for i in indicators]
    for siblings in sets:
        counts = {a.kode: _counts(groups[a.kode], ids) for a in siblings if a.kode in groups}
        hidden = hide_children(counts, SHOWN)
        for a in siblings:
            hide_area(a, hidden.get(a.kode, SHOWN), ids)


def _protect_desil(sets: list[list[Area]], desil: dict[str, dict[str, int]]) -> None:
    """Hide desil cells a reader could work out from the row totals (an area's families)
    and the column totals (the parent's desil row), within each set of sibling areas."""
    for areas in sets:
        cells = {(a.kode, d): desil.get(a.kode, {}).get(d, 0) for a in areas for d in DESIL_KEYS}
        by_code = {a.kode: a for a in areas}
        seed = {(a.kode, d) for a in areas for d in DESIL_KEYS if a.desil.get(d, 0) is None}
        for kode, d in protect_table(cells, seed):
            by_code[kode].desil[d] = None


# -- the API's regional table -----------------------------------------------------------------
class MpiCell(BaseModel):
    """Alkire-Foster figures of one group; None where suppressed for the caller's role."""

    n: int | None
    q: int | None
    H: float | None
    A: float | None
    M0: float | None
    suppressed: bool


class MpiGroup(MpiCell):
    kode: str
    nama: str | None


class RegionalMpi(BaseModel):
    """Padu-7 of a snapshot overall and per region of one level, as a role may see it."""

    snapshot: SnapshotRef
    measure: str
    k: float
    by: Level
    overall: MpiCell
    groups: list[MpiGroup]


def _cell(g: GroupFigures, h: Hidden) -> MpiCell:
    if h.whole:
        return MpiCell(n=None, q=None, H=None, A=None, M0=None, suppressed=True)
    return MpiCell(
        n=None if h.counted else g.n,
        q=None if h.poor else g.q,
        H=None if h.poor or h.shares else g.value("H"),
        A=None if h.ratio else g.value("A"),
        M0=None if h.ratio or h.shares else g.value("M0"),
        # whether a figure of this cell is hidden (indicator counts hidden elsewhere are not
        # in the cell and do not mark it)
        suppressed=h.counted or h.poor or h.shares or h.ratio,
    )


def level_hidden(table: MpiTable, by: Level) -> dict[str, Hidden]:
    """What a viewer may not see of ``table``: the tree from the province down to ``by``
    (parents' counts summed from the groups), protected as Beranda and Kemiskinan are."""
    regions = kaltara()
    ids = list(table.weights)
    width = len(ids)
    counts = {c: _counts(g, ids) for c, g in table.groups.items()}
    levels: list[dict[str, dict[str, AreaCounts]]] = []
    if by == "kabupaten":
        levels.append({"": counts})
    else:
        kec: dict[str, str] = {}
        for code in counts:
            found = regions.find(code)
            kec[code] = (
                regions.ancestor(found.kode, "kecamatan").kode
                if found is not None and by == "desa"
                else code
            )
        kab = {c: _kabupaten_of(regions, c) or "?" for c in kec.values()}
        if by == "desa":
            lower: dict[str, dict[str, AreaCounts]] = {}
            for code, a in counts.items():
                lower.setdefault(kec[code], {})[code] = a
            mid = {c: add(list(ch.values()), width) for c, ch in lower.items()}
        else:
            lower, mid = {}, counts
        upper: dict[str, dict[str, AreaCounts]] = {}
        for code, a in mid.items():
            upper.setdefault(kab[code], {})[code] = a
        tops = {c: add(list(ch.values()), width) for c, ch in upper.items()}
        levels += [{"": tops}, upper] + ([lower] if lower else [])
    return hide_levels(_counts(table.overall, ids), levels)


def regional_mpi(table: MpiTable, snapshot: SnapshotRow, by: Level, scope: Scope) -> RegionalMpi:
    """``table`` (:func:`padu.services.measure.mpi_table` of ``snapshot`` by ``by``) as
    ``scope`` may see it: for a viewer, hidden as :mod:`padu.services.suppression` decides
    for the whole tree (the same cells Beranda and Kemiskinan hide)."""
    regions = kaltara()
    hidden = level_hidden(table, by) if scope.suppress_small else {}
    groups = []
    for code, group in table.groups.items():
        region = regions.find(code)
        cell = _cell(group, hidden.get(code, SHOWN))
        groups.append(
            MpiGroup(kode=code, nama=region.nama if region else None, **cell.model_dump())
        )
    return RegionalMpi(
        snapshot=SnapshotRef(id=snapshot.id, label=snapshot.label, tanggal=snapshot.tanggal),
        measure=table.measure,
        k=float(Fraction(table.k)),
        by=by,
        overall=_cell(table.overall, hidden.get("", SHOWN)),
        groups=groups,
    )


def mpi_by_region(
    wh: Warehouse, catalog: Catalog, snapshot: str | int, by: Level, scope: Scope, *, actor: str
) -> RegionalMpi:
    """Padu-7 of ``snapshot`` by ``by`` as ``scope`` may see it (one call, no cache)."""
    snap = catalog.snapshot(snapshot)
    table = mpi_table(wh, catalog, snap.id, get_measure(MEASURE, catalog), by=by, actor=actor)
    return regional_mpi(table, snap, by, scope)
