"""The aggregate services behind Beranda and the API (:mod:`padu.services.overview`) and the
IBR lookup service (:mod:`padu.services.enrolment`).

The API's ``/api/v1/mpi`` answers the numbers ``padu --json mpi --by kabupaten`` prints;
Beranda and the API suppress a viewer's small cells and nobody else's; the IBR service
refuses a viewer and too many ids, records ``api.ibr`` and returns ids masked.
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from padu.access import MIN_CELL, Scope
from padu.accounts import add_user, issue_token
from padu.audit import API_IBR
from padu.cli import main
from padu.errors import InputError
from padu.measure.measures import get_measure
from padu.services.enrolment import MAX_IDS, lookup_enrolled
from padu.services.measure import mpi_table
from padu.services.overview import (
    MEASURE,
    overview,
    overview_source,
    regional_mpi,
    snapshot_overview,
)
from padu.web import create_app
from padu.web.config import WebSettings
from tests.conftest import Stores

YEAR = 2026
ADMIN = Scope(role="admin", agency=None, year=YEAR)
VIEWER = Scope(role="viewer", agency=None, year=YEAR)
PASSWORD = "sandi-uji-yang-panjang"  # noqa: S105 - a test account's password


def test_api_mpi_is_what_padu_mpi_prints(
    stores: Stores,
    snapshot: int,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``GET /api/v1/mpi?by=kabupaten`` (admin) and ``padu --json mpi --by kabupaten`` give
    the same n, q, H, A, M0 for the province and every kabupaten, on both backends."""
    add_user(stores.catalog, "admin1", PASSWORD, "admin", actor="penguji")
    token = issue_token(stores.catalog, "admin1", "penguji")
    stores.warehouse.close()
    stores.catalog.close()  # the command and the app open their own
    monkeypatch.setenv("PADU_HOME", str(stores.home))
    monkeypatch.setenv("PADU_WAREHOUSE_URL", stores.warehouse_url)
    monkeypatch.setenv("PADU_CATALOG_URL", stores.catalog_url)
    monkeypatch.setenv("PADU_USER", "penguji")
    args = ["--json", "mpi", "--snapshot", str(snapshot), "--by", "kabupaten"]
    assert main(args) == 0
    cli = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    settings = WebSettings(home=tmp_path / "web", warehouse_url=stores.warehouse_url,
                           catalog_url=stores.catalog_url, secret_key="k" * 40)  # fmt: skip
    with TestClient(create_app(settings)) as c:
        r = c.get(f"/api/v1/mpi?snapshot={snapshot}&by=kabupaten",
                  headers={"Authorization": f"Bearer {token}"})  # fmt: skip
    assert r.status_code == 200, r.text
    api = r.json()
    assert api["measure"] == cli["measure"] == MEASURE
    assert api["snapshot"]["id"] == cli["snapshot"] == snapshot
    assert api["k"] == float(Fraction(cli["k"]))

    def figures(g: dict[str, object]) -> tuple[object, ...]:
        return (g["n"], g["q"], g["H"], g["A"], g["M0"])

    assert figures(api["overall"]) == figures(cli["overall"])
    assert api["overall"]["suppressed"] is False
    assert [g["kode"] for g in api["groups"]] == list(cli["groups"])
    for g in api["groups"]:
        assert figures(g) == figures(cli["groups"][g["kode"]]), g["kode"]
        assert g["suppressed"] is False


def test_regional_mpi_hides_only_a_viewers_small_cells(stores: Stores, snapshot: int) -> None:
    snap = stores.catalog.snapshot(snapshot)
    measure = get_measure(MEASURE, stores.catalog)
    table = mpi_table(stores.warehouse, stores.catalog, snapshot, measure, by="desa",
                      actor="penguji")  # fmt: skip
    full = regional_mpi(table, snap, "desa", ADMIN)
    shown = regional_mpi(table, snap, "desa", VIEWER)
    assert not full.overall.suppressed and not any(g.suppressed for g in full.groups)
    assert [(g.kode, g.n, g.q) for g in full.groups] == [
        (code, g.n, g.q) for code, g in table.groups.items()
    ]
    assert any(g.suppressed for g in shown.groups)
    for a, v in zip(full.groups, shown.groups, strict=True):
        assert v.n is None or v.n == a.n
        assert v.q is None or (v.q == a.q and (v.q == 0 or v.q >= MIN_CELL))
        assert v.n is None or v.n >= MIN_CELL


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_overview_full_for_admin_suppressed_for_viewer(stores: Stores, snapshot: int) -> None:
    source = overview_source(stores.warehouse, stores.catalog, snapshot, actor="penguji")
    full, shown = overview(source, ADMIN), overview(source, VIEWER)
    assert not full.suppressed and shown.suppressed
    by_kab = source.by_kabupaten
    assert full.province.counted == by_kab.overall.n and full.province.poor == by_kab.overall.q
    assert full.province.H == by_kab.overall.value("H")
    assert full.province.families == stores.catalog.snapshot(snapshot).keluarga
    for area in full.kabupaten:
        if area.kode in by_kab.groups:
            g = by_kab.groups[area.kode]
            assert (area.counted, area.poor, area.H, area.M0) == (
                g.n, g.q, g.value("H"), g.value("M0"))  # fmt: skip
    full_cells = [d for a in [full.province, *full.kabupaten, *full.kecamatan]
                  for d in a.desil.values()]  # fmt: skip
    assert None not in full_cells and any(0 < d < MIN_CELL for d in full_cells if d)
    areas = [shown.province, *shown.kabupaten, *shown.kecamatan]
    for a in areas:
        for n in [a.families, a.poor, a.counted, a.missing, *a.desil.values()]:
            assert n is None or n == 0 or n >= MIN_CELL
    assert None in [d for a in areas for d in a.desil.values()]
    # what the viewer sees is the admin's figure, or nothing
    for a, v in zip(full.kecamatan, shown.kecamatan, strict=True):
        assert a.kode == v.kode
        for key in ("families", "poor", "H", "A", "M0"):
            assert getattr(v, key) is None or getattr(v, key) == getattr(a, key)
    again = snapshot_overview(stores.warehouse, stores.catalog, snapshot, VIEWER, actor="x")
    assert again == shown


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_beranda_page_per_role(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    """Beranda shows an admin every figure and a viewer the suppressed ones (as the API)."""
    add_user(stores.catalog, "admin1", PASSWORD, "admin", actor="penguji")
    add_user(stores.catalog, "pembaca", PASSWORD, "viewer", actor="penguji")
    settings = WebSettings(home=tmp_path / "web", warehouse_url=stores.warehouse_url,
                           catalog_url=stores.catalog_url, secret_key="k" * 40)  # fmt: skip
    pages = {}
    with TestClient(create_app(settings), follow_redirects=False) as c:
        for user in ("admin1", "pembaca"):
            found = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text)
            assert found is not None
            form = {"username": user, "password": PASSWORD, "csrf_token": found.group(1)}
            assert c.post("/login", data=form).status_code == 303
            pages[user] = c.get("/").text
            c.cookies.clear()
    hidden = '<td class="num">&lt; 5</td>'  # a suppressed cell of the tables
    assert hidden in pages["pembaca"]
    assert hidden not in pages["admin1"]


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_ibr_service_refuses_records_and_masks(stores: Stores, snapshot: int) -> None:
    wh, cat = stores.warehouse, stores.catalog
    kk = "6501999999999999"
    with pytest.raises(InputError, match="data pribadi"):
        lookup_enrolled(wh, cat, [kk], "kk", VIEWER, actor="pembaca")
    with pytest.raises(InputError, match="paling banyak"):
        lookup_enrolled(wh, cat, [kk] * (MAX_IDS + 1), "kk", ADMIN, actor="admin1")
    assert cat.events(API_IBR) == []
    found = lookup_enrolled(wh, cat, [kk], "kk", ADMIN, actor="admin1")
    assert found.by == "kk" and found.scope == "semua" and found.snapshot_id == snapshot
    assert [(a.index, a.id, a.found, a.programmes) for a in found.answers] == [
        (0, "6501" + "\u2022" * 8 + "9999", False, [])
    ]
    events = cat.events(API_IBR)
    assert [e.pelaku for e in events] == ["admin1"]
    # the event names the number asked (who looked up this KK?); the audit page masks it
    assert json.loads(events[0].rincian)["ids"] == [kk]
