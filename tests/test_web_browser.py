"""The web app in real headless Chromium (Debian's, driven by Playwright) against a uvicorn
server on 127.0.0.1: log in and out, and Beranda's map. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from padu.accounts import add_user
from padu.regions import boundaries_path
from tests.conftest import Stores
from tests.web_support import ARTIFACTS, PASSWORD, Live, needs_chromium

pytestmark = [needs_chromium, pytest.mark.parametrize("stores", ["duckdb"], indirect=True)]


@pytest.fixture
def server(live: Live, stores: Stores) -> str:
    """The app served by uvicorn on 127.0.0.1 (tests.web_support), with a viewer
    ``petugas``; its base URL."""
    add_user(stores.catalog, "petugas", PASSWORD, "viewer", actor="penguji")
    return live.url


@pytest.fixture
def page(chromium_page: object) -> Iterator[object]:
    yield chromium_page


def _fills(page: object) -> list[str]:
    return page.eval_on_selector_all(  # type: ignore[attr-defined, no-any-return]
        "#peta path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))"
    )


def test_login_beranda_map_and_logout(server: str, page: object) -> None:
    from playwright.sync_api import Page, expect

    assert isinstance(page, Page)
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/login")
            else None
        ),
    )
    page.on(
        "console",
        lambda m: (
            problems.append(m.text) if m.type == "error" and "status of 401" not in m.text else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(server + "/")
    expect(page).to_have_url(server + "/login?next=/")
    page.screenshot(path=str(ARTIFACTS / "login.png"), full_page=True)
    page.fill("input[name=username]", "petugas")
    page.fill("input[name=password]", "salah-sandinya-123")
    page.click("button[type=submit]")
    expect(page.locator(".alert")).to_have_text("Nama pengguna atau kata sandi salah.")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page).to_have_url(server + "/")

    shapes = json.loads(Path(boundaries_path("kecamatan")).read_text(encoding="utf-8"))
    polygons = page.locator("#peta path.leaflet-interactive")
    expect(polygons).to_have_count(len(shapes["features"]))
    expect(page.get_by_test_id("snapshot-date")).to_have_text("23 Januari 2026")
    page.screenshot(path=str(ARTIFACTS / "beranda.png"), full_page=True)
    before = _fills(page)
    # a viewer's kecamatan on the small register: most hidden (grey), the rest coloured
    assert len(set(before)) >= 2, before

    page.select_option("#peta-indikator", "M0")
    expect(page.locator(".legend strong")).to_contain_text("M0")
    page.select_option("#peta-indikator", "desil_1_4")
    after = _fills(page)
    assert after != before
    assert len(after) == len(before)
    page.locator("#peta").screenshot(path=str(ARTIFACTS / "beranda-peta-desil.png"))

    page.click("a.lang")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.screenshot(path=str(ARTIFACTS / "beranda-en.png"), full_page=True)
    page.click("a.lang")

    page.click("button.link-button")
    expect(page).to_have_url(server + "/login?keluar=1")
    expect(page.locator(".notice")).to_have_text("Anda sudah keluar.")
    page.goto(server + "/")
    expect(page).to_have_url(server + "/login?next=/")

    assert all(u.startswith(server) for u in requests), "a request left the machine"
    assert not problems, problems


def _log_in(page: object, server: str, user: str) -> None:
    page.goto(server + "/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", user)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(server + "/")  # type: ignore[attr-defined]


def test_map_switches_between_kecamatan_and_desa(stores: Stores, server: str, page: object) -> None:
    from playwright.sync_api import Page, expect

    # an admin sees every figure (a viewer's small register is mostly grey: see test_web_map)
    add_user(stores.catalog, "kepala", PASSWORD, "admin", actor="penguji")
    assert isinstance(page, Page)
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    fetched: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response", lambda r: fetched.append(f"{r.status} {r.url}") if "/peta/" in r.url else None
    )
    _log_in(page, server, "kepala")
    box = page.locator("#peta")
    polygons = page.locator("#peta path.leaflet-interactive")
    kecamatan = json.loads(Path(boundaries_path("kecamatan")).read_text(encoding="utf-8"))
    desa = json.loads(Path(boundaries_path("desa_kelurahan")).read_text(encoding="utf-8"))

    expect(box).to_have_attribute("data-state", "siap")
    expect(polygons).to_have_count(len(kecamatan["features"]))
    expect(page.locator(".legend")).to_contain_text("< 5 keluarga atau tanpa data")
    box.screenshot(path=str(ARTIFACTS / "beranda-peta-kecamatan.png"))

    page.get_by_test_id("map-level-desa").click()
    expect(box).to_have_attribute("data-level", "desa")
    expect(box).to_have_attribute("data-state", "siap")
    expect(polygons).to_have_count(len(desa["features"]))
    expect(page.get_by_test_id("map-level-desa")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".legend .legend-level")).to_have_text("Desa/kelurahan")
    before = _fills(page)
    assert len(set(before)) >= 3, before  # a choropleth, not one colour
    assert "#d9d9d9" in before  # desa without families in the register shaded grey
    box.screenshot(path=str(ARTIFACTS / "beranda-peta-desa.png"))

    page.select_option("#peta-indikator", "M0")
    expect(page.locator(".legend strong")).to_contain_text("M0")
    after = _fills(page)
    assert after != before and len(after) == len(before)

    # a tooltip in Indonesian: the desa, its kecamatan, the value and the families
    page.mouse.move(0, 0)
    centre = box.bounding_box()
    assert centre is not None
    shown = polygons.nth(len(desa["features"]) // 2)
    shown.hover(force=True)
    tip = page.locator(".leaflet-tooltip")
    expect(tip).to_contain_text("Kec.")
    expect(tip).to_contain_text("Keluarga")
    box.screenshot(path=str(ARTIFACTS / "beranda-peta-desa-tooltip.png"))

    page.get_by_test_id("map-level-kecamatan").click()
    expect(box).to_have_attribute("data-level", "kecamatan")
    expect(polygons).to_have_count(len(kecamatan["features"]))
    expect(page.locator(".legend strong")).to_contain_text("M0")

    # each file was fetched once: switching back uses what the page already has
    shapes = [u for u in fetched if "/peta/kecamatan.json" in u or "/peta/desa.json" in u]
    assert len(shapes) == 2, fetched
    assert all(u.startswith("200 ") for u in fetched), fetched
    assert not problems, problems
