"""Beranda's figures for the page: the overview service's (:mod:`padu.services.overview`),
cached per snapshot, with the map drawn from them.

A snapshot never changes once imported, so its figures are computed once per process and
kept: every later Beranda is a dictionary lookup. The key also holds the measure's saved
version, so a new version of Padu-7 is picked up at once, and whether small cells are
suppressed (a viewer's figures; :class:`padu.access.Scope`), so each role sees what the
API shows it. The engine results underneath are computed once for both.
"""

from __future__ import annotations

import json
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from padu.access import Scope, current_year
from padu.regions import boundaries_path
from padu.services.measure import MpiTable, measure_version
from padu.services.overview import (
    MEASURE,
    Area,
    Indicator,
    Overview,
    OverviewSource,
    overview,
    overview_source,
)
from padu.stores import Catalog, Warehouse
from padu.web.once import ComputedOnce, FigureCache

__all__ = ["Area", "Beranda", "BerandaCache", "Indicator", "kecamatan_shapes"]

#: who warms the caches at start-up (aggregates only: nothing is recorded under it)
SERVER = "padu-server"


def aggregates_only() -> Scope:
    """The scope of a caller who may see aggregates only: small cells suppressed."""
    return Scope(role="viewer", agency=None, year=current_year())


class Beranda(Overview):
    """The overview as the page shows it, with the kecamatan map."""

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


class BerandaCache:
    """Beranda per (snapshot, measure version, suppression), computed once even when many
    officers open Beranda at the same moment (the others wait for the first, then share).

    ``figures`` holds the ``padu mpi`` tables it rests on; the API reads the same cache,
    so a level computed for one is not computed again for the other."""

    def __init__(self) -> None:
        self._sources: ComputedOnce[OverviewSource] = ComputedOnce()
        self._shown: ComputedOnce[Beranda] = ComputedOnce()
        self.figures = FigureCache()

    def get(self, wh: Warehouse, catalog: Catalog, scope: Scope | None = None) -> Beranda | None:
        """Beranda of the latest snapshot as ``scope`` may see it (without one: aggregates
        only, small cells suppressed); None when there is no snapshot yet."""
        snaps = catalog.snapshots()
        if not snaps:
            return None
        scope = scope or aggregates_only()
        snap, version = snaps[-1].id, measure_version(catalog, MEASURE)

        def tables(level: str) -> MpiTable:
            return self.figures.table(wh, catalog, snap, version, level, actor=SERVER)

        def source() -> OverviewSource:
            return overview_source(wh, catalog, snap, actor=SERVER, tables=tables)

        def shaped() -> Beranda:
            found = self._sources.get((snap, version), source)
            return Beranda.model_validate(dict(overview(found, scope)))

        return self._shown.get((snap, version, scope.suppress_small), shaped)

    def warm(self, wh: Warehouse, catalog: Catalog, levels: tuple[str, ...] = ("desa",)) -> None:
        """Compute the latest snapshot's Beranda now (as every role sees it, with its map),
        and its figures by each of ``levels`` (the API's finest level; Beranda itself
        fills kabupaten and kecamatan).

        A server calls this once at start-up, in a background thread: a full register
        takes seconds per level, which the first officers would otherwise wait for."""
        viewer = aggregates_only()
        data = self.get(wh, catalog, viewer)
        if data is None:
            return
        full = self.get(wh, catalog, Scope(role="admin", agency=None, year=viewer.year))
        for page in (data, full):
            _ = page.map_json if page is not None else None
        version = measure_version(catalog, MEASURE)
        for level in levels:
            self.figures.table(wh, catalog, data.snapshot_id, version, level, actor=SERVER)
