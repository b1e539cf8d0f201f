"""In headless Chromium: an admin manages users, searches a family, reveals its numbers
with a reason, and finds the reveal in the audit log. Screenshots in tests/artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from padu.programmes.targeting import KK
from padu.register.snapshots import snapshot_table
from tests.conftest import Stores
from tests.web_support import Live, browser_log_in, needs_chromium, screenshot

pytestmark = [needs_chromium, pytest.mark.parametrize("stores", ["duckdb"], indirect=True)]
SIXTEEN = re.compile(r"(?<![\d.])\d{16}(?!\d)")


def _a_family(stores: Stores, snapshot: int) -> tuple[str, str]:
    kel = snapshot_table(stores.warehouse, stores.catalog, snapshot)
    row = kel.order_by(KK).select(KK, "kode_kelurahan_desa").limit(1).to_pyarrow().to_pylist()[0]
    return str(row[KK]), str(row["kode_kelurahan_desa"])


def test_admin_reveals_a_family_and_finds_it_in_the_audit(
    chromium_page: Any, live: Live, stores: Stores, snapshot: int
) -> None:
    page = chromium_page
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    kk, desa = _a_family(stores, snapshot)
    browser_log_in(page, live, "admin1")

    page.goto(f"{live.url}/pengguna")
    assert page.locator("#accounts tbody tr").count() == 5
    screenshot(page, "admin-pengguna")
    page.click("#add button[type=submit]")  # every field empty
    page.wait_for_selector(".field-error")
    screenshot(page, "admin-pengguna-errors")
    page.goto(f"{live.url}/pengguna/opd_perkim")
    screenshot(page, "admin-pengguna-akun")

    page.goto(f"{live.url}/keluarga?desa={desa}")
    page.wait_for_selector("#desa-list")
    assert not SIXTEEN.search(page.content())
    screenshot(page, "admin-keluarga-desa")

    page.goto(f"{live.url}/keluarga")
    page.fill("input[name=key]", kk)
    page.click("form[action='/keluarga'] button[type=submit]")
    page.wait_for_selector("#kartu")
    assert kk not in page.content()
    assert page.inner_text("#kk-shown") == kk[:4] + "\u2022" * 8 + kk[-4:]
    screenshot(page, "admin-keluarga-kartu")

    page.click("details.reveal summary")
    page.fill("input[name=alasan]", "pendek")
    page.click("details.reveal button[type=submit]")
    page.wait_for_selector("#err-alasan")
    assert kk not in page.content()
    screenshot(page, "admin-keluarga-alasan-kurang")
    reason = "Verifikasi lapangan calon penerima RTLH"
    page.fill("input[name=alasan]", reason)
    page.click("details.reveal button[type=submit]")
    page.wait_for_selector("#kartu.revealed")
    assert page.inner_text("#kk-shown") == kk
    assert page.url.endswith("/keluarga")  # htmx swapped the card in place
    screenshot(page, "admin-keluarga-terbuka")

    page.goto(f"{live.url}/audit")
    page.select_option("select[name=jenis]", "family.reveal")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#audit-log")
    rows = page.locator("#audit-log tbody tr")
    assert rows.count() == 1
    text = rows.first.inner_text()
    assert "admin1" in text and reason in text and "NIK/KK ditampilkan" in text
    assert kk not in page.content()
    rows.first.locator("details summary").click()
    screenshot(page, "admin-audit")
    # the empty add-user form answers 400 by design; anything else (CSP, scripts) is a fault
    assert not [p for p in problems if "status of 400" not in p], problems
