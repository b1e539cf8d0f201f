"""Beranda's figures: headline Padu-7 figures for the province, each kabupaten/kota and each
kecamatan of the latest snapshot, with small cells suppressed, cached per snapshot.

A snapshot never changes once imported, so its figures are computed once per process
(three engine queries) and kept: every later Beranda is a dictionary lookup. The key also
holds the measure's saved version, so a new version of Padu-7 is picked up at once.

Suppression (viewers see aggregates only, and no family may be recognisable): a count of
1 to 4 families is hidden, and so is any share whose denominator is under 5 families or
whose numerator is 1 to 4 families. Hidden values are ``None`` here, so no page or JSON
built from these objects can show them; the templates write "< 5".
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache, cached_property, partial
from pathlib import Path
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from padu.access import protect, protect_table
from padu.measure.af import AFResult, GroupResult
from padu.measure.measures import Measure, get_measure
from padu.measure.snapshot import mpi_snapshot
from padu.regions import Regions, boundaries_path, kaltara
from padu.register.quality import families_by_desil
from padu.stores import Catalog, Warehouse
from padu.web.once import ComputedOnce, FigureCache

MEASURE = "padu-7"
#: the smallest number of families a shown figure may rest on
MIN_CELL = 5
DESIL_KEYS: tuple[str, ...] = (*(str(d) for d in range(1, 11)), "kosong")


def count(n: int) -> int | None:
    """A family count as it may be shown: None for 1 to 4."""
    return None if 0 < n < MIN_CELL else n


def share(part: Fraction | int, whole: int) -> float | None:
    """``part / whole`` as it may be shown: None when either rests on under 5 families."""
    if whole < MIN_CELL or 0 < part < MIN_CELL:
        return None
    return float(Fraction(part) / whole)


@dataclass(frozen=True)
class Indicator:
    id: str
    label_id: str
    label_en: str
    dimension: str

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_id


@dataclass
class Area:
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
    rates: dict[str, float | None] = field(default_factory=dict)  # uncensored, per indicator
    top: list[tuple[str, float]] = field(default_factory=list)  # censored, largest first, >0
    desil: dict[str, int | None] = field(default_factory=dict)


@dataclass
class Beranda:
    """Everything the Beranda page shows for one snapshot (no personal data)."""

    snapshot_id: int
    snapshot_label: str
    snapshot_date: Any
    measure_id: str
    measure_label_id: str
    measure_label_en: str
    k: Fraction
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

    @cached_property
    def map_json(self) -> Markup:
        """:meth:`map_geojson` as JSON safe inside a ``<script>`` element (as Jinja's
        ``tojson`` writes it), made once: the same for every request on this snapshot."""
        return htmlsafe_json_dumps(self.map_geojson())

    def map_geojson(self) -> dict[str, Any]:
        """Kecamatan boundaries with each one's values (``v``) for every layer."""
        by_code = {a.kode: a for a in self.kecamatan}
        features = []
        for feature in kecamatan_shapes()["features"]:
            props = feature["properties"]
            area = by_code.get(props["kode"])
            values: dict[str, float | None] = {"H": None, "M0": None}
            if area is not None:
                values = {"H": area.H, "M0": area.M0, **area.rates}
            features.append(
                {
                    "type": "Feature",
                    "geometry": feature["geometry"],
                    "properties": {
                        "kode": props["kode"],
                        "nama": props["nama"],
                        "keluarga": None if area is None else area.families,
                        "ada": area is not None,
                        "v": values,
                    },
                }
            )
        return {"type": "FeatureCollection", "features": features}


def _rounded(coords: Any) -> Any:
    if isinstance(coords, list):
        if coords and isinstance(coords[0], int | float):
            return [round(c, 5) for c in coords]
        return [_rounded(c) for c in coords]
    return coords


@cache
def kecamatan_shapes() -> dict[str, Any]:
    """The shipped kecamatan boundaries, coordinates rounded to 5 decimals (about 1 m):
    the page carries them inline, and a slow office link thanks us for every kilobyte."""
    data = json.loads(Path(boundaries_path("kecamatan")).read_text(encoding="utf-8"))
    for feature in data["features"]:
        geometry = feature["geometry"]
        geometry["coordinates"] = _rounded(geometry["coordinates"])
    return dict(data)


def _area(
    kode: str,
    nama: str,
    families: int,
    desil: dict[str, int],
    group: GroupResult | None,
    indicators: list[Indicator],
) -> Area:
    if group is None:
        return Area(kode, nama, count(families), None, None, None, None, None, None,
                    desil={d: count(desil.get(d, 0)) for d in DESIL_KEYS})  # fmt: skip
    n, q = group.n, group.q
    rates = {i.id: share(group.uncensored[i.id] * n, n) for i in indicators}
    censored = {i.id: share(group.censored[i.id] * n, n) for i in indicators}
    top = sorted(
        ((k, v) for k, v in censored.items() if v is not None and v > 0), key=lambda kv: -kv[1]
    )
    a = float(group.A) if q >= MIN_CELL else None
    h = share(q, n)
    return Area(
        kode=kode,
        nama=nama,
        families=count(families),
        counted=count(n),
        poor=count(q),
        missing=count(group.missing),
        H=h,
        A=a,
        M0=float(group.M0) if h is not None and (q == 0 or a is not None) else None,
        rates=rates,
        top=top,
        desil={d: count(desil.get(d, 0)) for d in DESIL_KEYS},
    )


def _desil_key(value: object) -> str:
    text = str(value).strip() if value is not None else ""
    return str(int(text)) if text.isdigit() and 1 <= int(text) <= 10 else "kosong"


def _name(regions: Regions, code: str) -> str:
    found = regions.find(code)
    return found.nama if found else code


def compute(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: int,
    measure: Measure,
    figures: FigureCache | None = None,
    version: int = 0,
) -> Beranda:
    """The figures of ``snapshot`` under ``measure`` (three queries in the engine); the
    Alkire-Foster results come from ``figures`` when given (keyed by the measure's saved
    ``version``), and are left there for the API."""
    regions = kaltara()
    snap = catalog.snapshot(snapshot)
    indicators = [Indicator(i.id, i.label_id, i.label_en, i.dimension) for i in measure.indicators]
    cache = figures or FigureCache()

    def af(level: str) -> AFResult:
        return cache.get(
            (snap.id, version, level), lambda: mpi_snapshot(wh, catalog, snap.id, measure, by=level)
        )

    by_kab, by_kec = af("kabupaten"), af("kecamatan")
    rows = families_by_desil(wh, catalog, snap.id, "kecamatan").to_pyarrow().to_pylist()
    desil: dict[str, dict[str, int]] = {}  # region code -> desil -> families
    province: dict[str, int] = {}
    for row in rows:
        kec = str(row["wilayah"]) if row["wilayah"] is not None else "(kosong)"
        key, n = _desil_key(row["desil"]), int(row["keluarga"])
        found = regions.find(kec)
        kab = regions.ancestor(found.kode, "kabupaten_kota").kode if found else "(kosong)"
        for code in dict.fromkeys((kec, kab)):  # a family without a region counts once
            cells = desil.setdefault(code, {})
            cells[key] = cells.get(key, 0) + n
        province[key] = province.get(key, 0) + n

    def area(code: str, group: GroupResult | None) -> Area:
        cells = desil.get(code, {})
        return _area(code, _name(regions, code), sum(cells.values()), cells, group, indicators)

    kab_codes = sorted(set(by_kab.groups) | {c for c in desil if len(c) == 5})
    kec_codes = sorted(set(by_kec.groups) | {c for c in desil if len(c) == 8})
    kabupaten = [area(c, by_kab.groups.get(c)) for c in kab_codes]
    kecamatan = [area(c, by_kec.groups.get(c)) for c in kec_codes]
    raw = {c: sum(cells.values()) for c, cells in desil.items()}
    groups = {**by_kab.groups, **by_kec.groups}
    _protect_desil(kabupaten, desil)
    _protect_siblings([kabupaten], raw, groups, indicators)
    by_parent: dict[str, list[Area]] = {}
    for a in kecamatan:
        found = regions.find(a.kode)
        parent = regions.ancestor(found.kode, "kabupaten_kota").kode if found else ""
        by_parent.setdefault(parent, []).append(a)
    _protect_siblings(list(by_parent.values()), raw, groups, indicators)
    return Beranda(
        snapshot_id=snap.id,
        snapshot_label=snap.label,
        snapshot_date=snap.tanggal,
        measure_id=measure.id,
        measure_label_id=measure.label_id,
        measure_label_en=measure.label_en,
        k=measure.k,
        indicators=indicators,
        province=_area(
            "65", "Kalimantan Utara", sum(province.values()), province, by_kab.overall, indicators
        ),
        kabupaten=kabupaten,
        kecamatan=kecamatan,
    )


def _protect_desil(kabupaten: list[Area], desil: dict[str, dict[str, int]]) -> None:
    """Hide desil cells a reader could work out from the row totals (families per
    kabupaten) and the column totals (the province row)."""
    cells = {(a.kode, d): desil.get(a.kode, {}).get(d, 0) for a in kabupaten for d in DESIL_KEYS}
    by_code = {a.kode: a for a in kabupaten}
    for kode, d in protect_table(cells):
        by_code[kode].desil[d] = None


def _protect_siblings(
    sets: list[list[Area]],
    families: dict[str, int],
    groups: dict[str, GroupResult],
    indicators: list[Indicator],
) -> None:
    """Within each set of sibling areas (whose parent's figures are shown), hide what
    subtraction from the parent would give back: families, poor families (with H, A and
    M0) and each indicator's deprived families (its rate, and its place in the top list)."""

    def counts(siblings: list[Area], of: Callable[[GroupResult], int]) -> dict[str, int]:
        return {a.kode: of(groups[a.kode]) for a in siblings if a.kode in groups}

    for siblings in sets:
        by_code = {a.kode: a for a in siblings}
        for kode in protect({a.kode: families.get(a.kode, 0) for a in siblings}):
            a = by_code[kode]
            a.families = a.counted = a.poor = a.missing = None
            a.H = a.A = a.M0 = None
            a.rates = dict.fromkeys(a.rates)
            a.top = []
        for kode in protect(counts(siblings, lambda g: g.q)):
            a = by_code[kode]
            a.poor = a.H = a.A = a.M0 = None
        for ind in indicators:
            for kode in protect(counts(siblings, _deprived(ind.id, censored=False))):
                by_code[kode].rates[ind.id] = None
            for kode in protect(counts(siblings, _deprived(ind.id, censored=True))):
                a = by_code[kode]
                a.top = [(k, v) for k, v in a.top if k != ind.id]


def _deprived(indicator: str, *, censored: bool) -> Callable[[GroupResult], int]:
    """A group's families deprived in ``indicator`` (among the poor when ``censored``)."""

    def of(g: GroupResult) -> int:
        rate = (g.censored if censored else g.uncensored)[indicator]
        return round(rate * g.n)

    return of


def measure_version(catalog: Catalog) -> int:
    """The saved version of Padu-7 figures are keyed by (0: the shipped definition)."""
    saved = catalog.measure_versions(MEASURE)
    return saved[-1].version if saved else 0


class BerandaCache:
    """Beranda per (snapshot, measure version), computed once even when many officers
    open Beranda at the same moment (the others wait for the first, then share it).

    ``figures`` holds the Alkire-Foster results it rests on; the API reads the same
    cache, so a level computed for one is not computed again for the other."""

    def __init__(self) -> None:
        self._once: ComputedOnce[Beranda] = ComputedOnce()
        self.figures = FigureCache()

    def get(self, wh: Warehouse, catalog: Catalog) -> Beranda | None:
        """Beranda of the latest snapshot (None when there is none yet)."""
        snaps = catalog.snapshots()
        if not snaps:
            return None
        key = (snaps[-1].id, measure_version(catalog))
        return self._once.get(
            key,
            lambda: compute(wh, catalog, key[0], get_measure(MEASURE, catalog), self.figures,
                            key[1]),
        )  # fmt: skip

    def warm(self, wh: Warehouse, catalog: Catalog, levels: tuple[str, ...] = ("desa",)) -> None:
        """Compute the latest snapshot's Beranda now, and its figures by each of ``levels``
        (the API's finest level; Beranda itself fills kabupaten and kecamatan).

        A server calls this once at start-up, in a background thread: a full register
        takes seconds per level, which the first officers would otherwise wait for."""
        data = self.get(wh, catalog)
        if data is None:
            return
        version, measure = measure_version(catalog), get_measure(MEASURE, catalog)
        for level in levels:
            make = partial(mpi_snapshot, wh, catalog, data.snapshot_id, measure, by=level)
            self.figures.get((data.snapshot_id, version, level), make)
