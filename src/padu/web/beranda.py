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
from functools import cached_property
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from padu.access import Scope, current_year
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
from padu.services.overview_desa import desa_areas
from padu.stores import Catalog, Warehouse
from padu.web.geometry import LEVELS, Stored, map_file
from padu.web.once import ComputedOnce, FigureCache

__all__ = ["Area", "Beranda", "BerandaCache", "Indicator", "map_values"]

#: who warms the caches at start-up (aggregates only: nothing is recorded under it)
SERVER = "padu-server"


def aggregates_only() -> Scope:
    """The scope of a caller who may see aggregates only: small cells suppressed."""
    return Scope(role="viewer", agency=None, year=current_year())


class Beranda(Overview):
    """The overview as the page shows it, with the kecamatan map's figures."""

    @cached_property
    def map_values_json(self) -> Markup:
        """The kecamatan map's figures (:func:`map_values`) as JSON safe inside a
        ``<script>`` element, made once: the same for every request on this snapshot."""
        return htmlsafe_json_dumps(map_values(self.kecamatan, "kecamatan", self.snapshot_id))

    def map_geojson(self) -> dict[str, Any]:
        """Kecamatan boundaries (as served) with each one's figures: ``keluarga``, ``ada``
        (whether the register has families there) and ``v`` (a value per layer)."""
        shapes = json.loads(map_file("kecamatan").stored.body)
        values = map_values(self.kecamatan, "kecamatan", self.snapshot_id)["wilayah"]
        for feature in shapes["features"]:
            props = feature["properties"]
            found = values.get(props["kode"])
            props["ada"] = found is not None
            props["keluarga"] = found["keluarga"] if found else None
            props["v"] = found["v"] if found else {"H": None, "M0": None}
        return dict(shapes)


def map_values(areas: list[Area], level: str, snapshot_id: int) -> dict[str, Any]:
    """The map's figures of ``areas``: per region code its families (``keluarga``, None when
    hidden) and a value per layer (``v``: H, M0 and each indicator's deprivation rate, None
    when hidden or undefined). Rounded to 5 decimals: the map shows 1 or 3."""

    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 5)

    return {
        "tingkat": level,
        "snapshot": snapshot_id,
        "wilayah": {
            a.kode: {
                "keluarga": a.families,
                "v": {k: rounded(v) for k, v in {"H": a.H, "M0": a.M0, **a.rates}.items()},
            }
            for a in areas
        },
    }


class BerandaCache:
    """Beranda per (snapshot, measure version, suppression), computed once even when many
    officers open Beranda at the same moment (the others wait for the first, then share).

    ``figures`` holds the ``padu mpi`` tables it rests on; the API reads the same cache,
    so a level computed for one is not computed again for the other."""

    def __init__(self) -> None:
        self._sources: ComputedOnce[OverviewSource] = ComputedOnce()
        self._shown: ComputedOnce[Beranda] = ComputedOnce()
        self._values: ComputedOnce[Stored] = ComputedOnce()
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

    def map_values(
        self, wh: Warehouse, catalog: Catalog, scope: Scope, level: str
    ) -> Stored | None:
        """The map's figures by ``level`` (:func:`map_values`) of the latest snapshot as
        ``scope`` may see them, as stored JSON; None when there is no snapshot yet."""
        map_file(level)  # an unknown level is refused before any work
        page = self.get(wh, catalog, scope)
        if page is None:
            return None
        version = measure_version(catalog, MEASURE)

        def make() -> Stored:
            if level == "kecamatan":
                areas = page.kecamatan
            else:
                table = self.figures.table(wh, catalog, page.snapshot_id, version, level,
                                           actor=SERVER)  # fmt: skip
                areas = desa_areas(table, page.indicators, scope)
            data = map_values(areas, level, page.snapshot_id)
            body = json.dumps(data, separators=(",", ":")).encode("utf-8")
            return Stored.of(body, f"nilai-{level}")

        return self._values.get((page.snapshot_id, version, scope.suppress_small, level), make)

    def warm(self, wh: Warehouse, catalog: Catalog, levels: tuple[str, ...] = ("desa",)) -> None:
        """Compute the latest snapshot's Beranda now (as every role sees it, with its map:
        the boundaries of both levels and the figures by desa), and its figures by each of
        ``levels`` (the API's finest level; Beranda itself fills kabupaten and kecamatan).

        A server calls this once at start-up, in a background thread: a full register
        takes seconds per level, which the first officers would otherwise wait for."""
        for shapes in LEVELS:
            map_file(shapes)
        viewer = aggregates_only()
        data = self.get(wh, catalog, viewer)
        if data is None:
            return
        full = Scope(role="admin", agency=None, year=viewer.year)
        self.get(wh, catalog, full)
        for scope in (viewer, full):
            for shown in LEVELS:
                self.map_values(wh, catalog, scope, shown)
        version = measure_version(catalog, MEASURE)
        for level in levels:
            self.figures.table(wh, catalog, data.snapshot_id, version, level, actor=SERVER)
