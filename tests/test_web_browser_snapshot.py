"""Snapshot & kualitas in real headless Chromium: an operator uploads a small register and
watches the job's progress bar move to done without reloading the page; screenshots of the
list, the quality report, the diff, the upload in progress and done (tests/artifacts/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Stores
from tests.test_services_register import changed_register
from tests.web_support import Live, browser_log_in, needs_chromium, screenshot

pytestmark = [needs_chromium, pytest.mark.parametrize("stores", ["duckdb"], indirect=True)]


def test_operator_uploads_and_watches_the_job(
    chromium_page: Any,
    live: Live,
    stores: Stores,
    snapshot: int,
    small_files: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = chromium_page
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    release = tmp_path / "lanjut"
    # hold the import where its rows are being written, so the bar is seen mid-way
    monkeypatch.setenv("PADU_TEST_PAUSE_AT", "import.write")
    monkeypatch.setenv("PADU_TEST_RELEASE", str(release))
    kel, ind = changed_register(small_files, tmp_path / "unggah")

    browser_log_in(page, live, "operator1")
    page.click("nav >> text=Snapshot & kualitas")
    page.wait_for_url(f"{live.url}/snapshot")
    assert page.locator(f'tr[data-snapshot="{snapshot}"]').is_visible()
    screenshot(page, "snapshot-list")

    page.click("[data-testid=import-link]")
    page.set_input_files("input[name=keluarga]", str(kel))
    page.set_input_files("input[name=individu]", str(ind))
    page.fill("input[name=tanggal]", "2026-04-01")
    page.fill("input[name=label]", "DTSEN April 2026")
    page.click("form[data-testid=upload-form] button[type=submit]")
    page.wait_for_url(f"{live.url}/snapshot/impor/*")
    page.evaluate("window.__samePage = true")  # gone if the page reloads

    bar = page.locator("[data-testid=job-bar]")
    page.wait_for_function(
        "() => Number(document.querySelector('[data-testid=job-bar]').value) >= 60", timeout=30_000
    )
    assert page.locator("[data-testid=job-state]").inner_text() == "Sedang berjalan"
    assert "menulis ke warehouse" in page.locator("[data-testid=job-status]").inner_text()
    screenshot(page, "snapshot-upload-progress")

    release.touch()
    page.wait_for_selector("[data-testid=job-status][data-state=selesai]", timeout=60_000)
    assert page.evaluate("window.__samePage") is True
    assert bar.get_attribute("value") == "100"
    assert page.locator("[data-testid=job-pct]").inner_text() == "100 %"
    screenshot(page, "snapshot-upload-done")

    page.click("[data-testid=job-snapshot-link]")
    page.wait_for_selector("[data-testid=region-table]")
    new = stores.catalog.snapshot("latest")
    assert page.url == f"{live.url}/snapshot/{new.id}"
    assert new.label == "DTSEN April 2026"
    screenshot(page, "snapshot-quality")
    page.locator("[data-testid=region-table] tbody a").first.click()
    page.wait_for_selector("text=Temuan per kecamatan")
    screenshot(page, "snapshot-quality-kecamatan")

    page.goto(f"{live.url}/snapshot")
    page.click("form.snap-compare button[type=submit]")
    page.wait_for_selector("[data-testid=desil-matrix]")
    assert page.locator("[data-testid=d-keluarga_keluar]").inner_text() == "3"
    screenshot(page, "snapshot-diff")
    assert not errors, errors
