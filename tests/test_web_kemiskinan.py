"""The Kemiskinan page: drill-down figures, roles, suppression, downloads, unknown codes."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from padu.fmt import angka
from padu.measure.measures import get_measure
from padu.measure.snapshot import mpi_snapshot
from padu.services.measure import MPI_EXPORT
from tests.conftest import Stores
from tests.web_support import log_in


def _cell(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert found is not None, testid
    return found.group(1)


def test_province_and_a_kabupaten_match_the_engine(
    web: TestClient, stores: Stores, snapshot: int
) -> None:
    log_in(web, "admin1")
    m = get_measure("padu-7")
    ref = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by="kabupaten")
    r = web.get("/kemiskinan")
    assert r.status_code == 200
    assert _cell(r.text, "poor") == angka(ref.overall.q)
    assert 'href="/kemiskinan/65.01"' in r.text and "Per kabupaten/kota" in r.text
    assert 'id="kontribusi-data"' in r.text and "/static/kemiskinan.js" in r.text
    r = web.get("/kemiskinan/65.01", headers={"accept": "application/json"})
    data = r.json()["drilldown"]
    assert data["summary"]["figures"]["poor"] == ref.groups["65.01"].q
    assert data["summary"]["figures"]["H"] == pytest.approx(float(ref.groups["65.01"].H))
    assert [c["region"]["kode"][:5] for c in data["children"]] == ["65.01"] * len(data["children"])


def test_breadcrumb_and_desa_link_by_role(web: TestClient, snapshot: int) -> None:
    log_in(web, "operator1")
    page = web.get("/kemiskinan/65.01.01").text
    desa = re.findall(r'href="/kemiskinan/(65\.01\.01\.\d{4})"', page)
    assert desa
    r = web.get(f"/kemiskinan/{desa[0]}")
    assert 'href="/kemiskinan/65.01.01"' in r.text and 'href="/kemiskinan/65.01"' in r.text
    assert f'href="/keluarga?desa={desa[0]}"' in r.text
    log_in(web, "pembaca")
    r = web.get(f"/kemiskinan/{desa[0]}")
    assert r.status_code == 200 and "/keluarga?desa=" not in r.text


def test_a_viewer_sees_small_cells_as_under_five(web: TestClient, snapshot: int) -> None:
    log_in(web, "admin1")
    full = web.get("/kemiskinan/65.01.01").text
    log_in(web, "pembaca")
    hidden = web.get("/kemiskinan/65.01.01").text
    assert "&lt; 5" in hidden and "&lt; 5" not in full.split('data-testid="children"')[1][:20000]
    assert "disembunyikan" in hidden
    data = web.get("/kemiskinan/65.01.01", headers={"accept": "application/json"}).json()
    for child in data["drilldown"]["children"]:
        n = child["figures"]["families"]
        assert n is None or n == 0 or n >= 5


def test_unknown_code_is_a_404_page_in_indonesian(web: TestClient, snapshot: int) -> None:
    log_in(web, "pembaca")
    r = web.get("/kemiskinan/65.99")
    assert r.status_code == 404 and "kode wilayah tidak dikenal" in r.text
    assert web.get("/kemiskinan/bukan-kode/unduh.xlsx").status_code == 404
    assert web.get("/kemiskinan?ukuran=/etc/passwd").status_code == 404


def test_pages_need_a_login(web: TestClient, snapshot: int) -> None:
    r = web.get("/kemiskinan/65.01")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_downloads_hold_the_same_numbers_and_are_audited(
    web: TestClient, stores: Stores, snapshot: int
) -> None:
    m = get_measure("padu-7")
    ref = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by="kecamatan")
    log_in(web, "admin1")
    r = web.get("/kemiskinan/65.01/unduh.xlsx")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    book = load_workbook(io.BytesIO(r.content))
    assert book.sheetnames == ["Wilayah", "Indikator", "Keterangan"]
    rows = list(book["Wilayah"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Kode wilayah", "Nama wilayah", "Keluarga", "Keluarga miskin")
    checked = 0
    for row in rows[1:-1]:
        if row[0] in ref.groups:
            assert row[3] == ref.groups[row[0]].q
            assert row[5] == pytest.approx(round(100 * float(ref.groups[row[0]].H), 2))
            checked += 1
    assert checked > 0 and rows[-1][0] == "65.01"
    assert len(list(book["Indikator"].iter_rows())) == len(m.indicators) + 1

    r = web.get("/kemiskinan/65.01/unduh.csv?tabel=wilayah")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][0] == "Kode wilayah" and len(table) == len(rows)
    events = stores.catalog.events(MPI_EXPORT)
    assert [e.pelaku for e in events] == ["admin1", "admin1"]

    log_in(web, "pembaca")
    r = web.get("/kemiskinan/65.01.01/unduh.xlsx")
    values = [c for row in load_workbook(io.BytesIO(r.content))["Wilayah"].iter_rows(
        min_row=2, values_only=True) for c in row[2:5]]  # fmt: skip
    assert "< 5" in values
    assert all(not isinstance(v, int) or v == 0 or v >= 5 for v in values)
