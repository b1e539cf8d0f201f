"""Beranda's map: the boundaries served once (simplified, valid, small, with an ETag), the
desa figures per role (suppressed for a viewer among the desa of one kecamatan), and every
desa of the register present on the map."""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from padu.access import MIN_CELL, _needs_more
from padu.measure.measures import get_measure
from padu.regions import boundaries_path
from padu.services.measure import mpi_table
from padu.web.geometry import _polygons, map_file, simplified, valid_polygon
from tests.conftest import Stores
from tests.web_support import log_in

SOURCE = {"kecamatan": "kecamatan", "desa": "desa_kelurahan"}


def _source(level: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        Path(boundaries_path(SOURCE[level])).read_text(encoding="utf-8")  # type: ignore[arg-type]
    )
    return data


def _rings(geometry: dict[str, Any]) -> list[list[list[tuple[float, float]]]]:
    parts = geometry["coordinates"]
    parts = parts if geometry["type"] == "MultiPolygon" else [parts]
    return [[[(p[0], p[1]) for p in ring] for ring in poly] for poly in parts]


@pytest.mark.parametrize("level", ["kecamatan", "desa"])
def test_every_area_is_served_valid_and_smaller(level: str) -> None:
    source = _source(level)
    data = json.loads(map_file(level).stored.body)
    assert [f["properties"]["kode"] for f in data["features"]] == [
        f["properties"]["kode"] for f in source["features"]
    ]
    for served, original in zip(data["features"], source["features"], strict=True):
        polys = _rings(served["geometry"])
        # every part of every area is still there, as a valid polygon
        assert len(polys) == len(_polygons(original["geometry"]))
        for poly in polys:
            assert valid_polygon(poly), served["properties"]["kode"]
        for poly in polys:
            for ring in poly:
                assert all(len(str(c).split(".")[-1]) <= 5 for p in ring for c in p)
    if level == "desa":
        served_points = sum(len(r) for f in data["features"] for p in _rings(f["geometry"])
                            for r in p)  # fmt: skip
        assert served_points < 0.5 * sum(
            len(r) for f in source["features"] for p in _polygons(f["geometry"]) for r in p
        )
        assert all(f["properties"]["induk"] for f in data["features"])


def test_the_desa_file_is_small_on_the_wire() -> None:
    stored = map_file("desa").stored
    assert len(stored.body) < 1_200_000  # from 4 MB
    assert len(stored.gzipped) < 400_000  # well under 1 MB on a slow office link
    assert gzip.decompress(stored.gzipped) == stored.body
    assert map_file("desa") is map_file("desa")  # built once per process


def _neighbours(features: list[dict[str, Any]], rings: Any) -> set[tuple[str, str]]:
    """Pairs of areas sharing at least one boundary edge."""
    by_edge: dict[frozenset[tuple[float, float]], set[str]] = defaultdict(set)
    for f in features:
        for poly in rings(f["geometry"]):
            for ring in poly:
                for a, b in pairwise(ring):
                    by_edge[frozenset((tuple(a), tuple(b)))].add(f["properties"]["kode"])
    return {(a, b) for codes in by_edge.values() for a in codes for b in codes if a < b}


def test_neighbours_still_meet_after_simplifying() -> None:
    # a border shared by two desa is simplified once, so they meet without gaps: every
    # pair of neighbours in the shipped file still shares an edge
    source = _source("desa")["features"]
    served = simplified("desa")["features"]
    before = _neighbours(source, _polygons)
    after = _neighbours(served, _rings)
    assert len(before) > 1000
    assert before <= after


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_boundaries_are_fetched_once_per_browser(web: TestClient) -> None:
    log_in(web, "pembaca")
    stored = map_file("desa").stored
    r = web.get("/peta/desa.json", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200
    assert r.headers["content-encoding"] == "gzip"
    assert r.headers["etag"] == stored.etag
    assert "max-age=3600" in r.headers["cache-control"]
    assert len(r.json()["features"]) == len(_source("desa")["features"])
    again = web.get("/peta/desa.json", headers={"If-None-Match": stored.etag})
    assert again.status_code == 304 and again.content == b""
    # Beranda names the version in the URL, which is then cached for good
    page = web.get("/").text
    assert f"/peta/desa.json?v={stored.version}" in page
    forever = web.get(f"/peta/desa.json?v={stored.version}")
    assert "immutable" in forever.headers["cache-control"]
    plain = web.get("/peta/kecamatan.json", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.content == map_file("kecamatan").stored.body
    assert web.get("/peta/provinsi.json").status_code == 404
    state = web.app.state.padu  # type: ignore[attr-defined]
    data = state.beranda.get(state.reader(), state.catalog)
    features = data.map_geojson()["features"]  # boundaries joined with the figures
    assert len(features) == len(_source("kecamatan")["features"])
    assert any(f["properties"]["v"]["H"] is not None for f in features)
    # the page no longer carries the boundaries: only the kecamatan figures
    assert '"coordinates"' not in page
    assert len(page.encode()) < 60_000


def _values(web: TestClient, user: str) -> dict[str, Any]:
    log_in(web, user)
    r = web.get("/peta/nilai/desa.json")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "private, no-cache"
    again = web.get("/peta/nilai/desa.json", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    data: dict[str, Any] = r.json()
    return data


@pytest.mark.parametrize("stores", ["duckdb", "postgres"], indirect=True)
def test_desa_figures_per_role(web: TestClient, stores: Stores, snapshot: int) -> None:
    table = mpi_table(
        stores.warehouse, stores.catalog, snapshot, get_measure("padu-7", stores.catalog),
        by="desa", actor="penguji",
    )  # fmt: skip
    codes = {f["properties"]["kode"] for f in _source("desa")["features"]}
    assert set(table.groups) <= codes  # every desa of the register is on the map

    full = _values(web, "admin1")["wilayah"]
    assert set(full) == set(table.groups)
    for code, group in table.groups.items():
        assert full[code]["keluarga"] == group.n + group.missing_data_units
        if group.n:  # undefined where no family has every indicator known
            assert full[code]["v"]["H"] == pytest.approx(float(group.value("H")), abs=1e-5)
        else:
            assert full[code]["v"]["H"] is None

    viewer = _values(web, "pembaca")["wilayah"]
    assert set(viewer) == set(full)
    assert any(v["keluarga"] is None for v in viewer.values())  # the small register has some
    for code, v in viewer.items():
        families = v["keluarga"]
        assert families is None or families == 0 or families >= MIN_CELL
        if families is None:
            assert all(x is None for x in v["v"].values())
        elif families < MIN_CELL:
            assert v["v"]["H"] is None
        if v["v"]["H"] is not None:
            assert table.groups[code].q == 0 or table.groups[code].q >= MIN_CELL
    # among the desa of one kecamatan, the hidden ones cannot be worked out from the
    # kecamatan's total: none hidden, all hidden, or at least two adding up to 5 or more
    siblings: dict[str, list[str]] = defaultdict(list)
    for code in viewer:
        siblings[code.rsplit(".", 1)[0]].append(code)
    # the same cells hidden as the API's table by desa (one decision for every page)
    api = web.get("/api/v1/mpi", params={"by": "desa"})
    assert api.status_code == 200, api.text
    for g in api.json()["groups"]:
        assert (viewer[g["kode"]]["v"]["H"] is None) == (g["H"] is None), g
    for kids in siblings.values():
        hidden = [full[c]["keluarga"] for c in kids if viewer[c]["keluarga"] is None]
        assert len(hidden) == len(kids) or not _needs_more(hidden), [
            (c, full[c], viewer[c]) for c in kids
        ]


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_map_figures_need_an_account(web: TestClient) -> None:
    r = web.get("/peta/nilai/desa.json")
    assert r.status_code in (303, 401)
    log_in(web, "pembaca")
    assert web.get("/peta/nilai/kabupaten.json").status_code == 404
