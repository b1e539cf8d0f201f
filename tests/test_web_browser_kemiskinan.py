"""Kemiskinan in real headless Chromium: drill down by clicking, the chart draws."""

from __future__ import annotations

import pytest

from tests.web_support import browser_log_in, needs_chromium, screenshot

pytestmark = [needs_chromium]


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_drill_down_from_province_to_a_desa(chromium_page, live) -> None:  # type: ignore[no-untyped-def]
    page = chromium_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser_log_in(page, live, "operator1")
    page.click("nav.mainnav >> text=Kemiskinan multidimensi")
    page.wait_for_url(f"{live.url}/kemiskinan")
    page.wait_for_selector("#grafik-kontribusi svg")
    screenshot(page, "kemiskinan_1_provinsi")
    for _number, level in enumerate(("kabupaten", "kecamatan", "desa"), start=2):
        links = page.locator('table[data-testid="children"] tbody a')
        assert links.count() > 0, level
        # the row with the most families, so every level has figures to show
        link = page.locator('table[data-testid="children"] tbody tr:not(.empty) a').first
        link.click()
        page.wait_for_load_state("load")
        assert page.locator('[data-testid="breadcrumb"] [aria-current="page"]').count() == 1
        if page.locator("#grafik-kontribusi").count():
            page.wait_for_selector("#grafik-kontribusi svg")
        screenshot(
            page, f"kemiskinan_{ {'kabupaten': 2, 'kecamatan': 3, 'desa': 4}[level] }_{level}"
        )
    assert page.locator('[data-testid="families-link"]').count() == 1
    page.click('[data-testid="breadcrumb"] a >> nth=1')
    page.wait_for_load_state("load")
    assert page.locator('table[data-testid="children"]').count() == 1
    assert not errors, errors
