"""Audit (admin only): the log filtered by actor, kind, WITA dates and text; newest first,
50 a page; kinds and details in words, identifiers masked; the CSV download audited."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

import pytest
from fastapi.testclient import TestClient

from padu.services.audit import AuditFilter, query_audit, summarise
from padu.stores.catalog import AuditRow
from tests.conftest import Stores
from tests.web_support import log_in

SIXTEEN = re.compile(r"(?<![\d.])\d{16}(?!\d)")
XSS = "<script>alert(1)</script>"
SQL = "' OR 1=1 --"
KK = "6501011311120001"


def _seed(stores: Stores) -> None:
    """120 events by two actors, and two at chosen moments around a WITA midnight."""
    for i in range(120):
        stores.catalog.record("family.reveal" if i % 2 else "family.search",
                              {"kk": KK, "reason": f"alasan nomor {i}", "found": True},
                              "budi" if i % 3 else "sari")  # fmt: skip
    with stores.catalog.session() as s:
        # 2026-03-01 23:30 WITA is 15:30 UTC; 2026-03-02 00:30 WITA is 16:30 UTC
        for hour, who in ((15, "malam"), (16, "pagi")):
            s.add(AuditRow(waktu=dt.datetime(2026, 3, 1, hour, 30), pelaku=who,
                           jenis="user.add", rincian=json.dumps({"username": who})))  # fmt: skip


pytestmark = pytest.mark.parametrize("stores", ["duckdb"], indirect=True)


def test_filters_pages_and_words(web: TestClient, stores: Stores) -> None:
    _seed(stores)
    log_in(web, "admin1")
    page = web.get("/audit")
    assert page.status_code == 200
    assert not SIXTEEN.search(page.text)
    assert "NIK/KK ditampilkan" in page.text and "WITA" in page.text and "rincian" in page.text
    assert "6501\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220001" in page.text
    assert page.text.count("<tr>") == 51  # header + 50
    assert "Halaman 1 dari" in page.text and 'rel="next"' in page.text
    two = web.get("/audit", params={"halaman": 2})
    assert 'rel="prev"' in two.text
    # newest first: the latest family event on page 1
    assert page.text.index("alasan nomor 119") < page.text.index("alasan nomor 118")
    by_actor = web.get("/audit", params={"pelaku": "sari", "jenis": "family.search"})
    n = sum(1 for i in range(120) if i % 3 == 0 and i % 2 == 0)
    assert f"<h2>{n} kejadian</h2>" in by_actor.text
    text = web.get("/audit", params={"teks": "alasan nomor 7"})
    assert "<h2>11 kejadian</h2>" in text.text  # 7, 70-79
    # full KK typed: found although shown masked
    assert "<h2>120 kejadian</h2>" in web.get("/audit", params={"teks": KK}).text
    # WITA days: 23:30 WITA belongs to 1 March, 00:30 WITA to 2 March
    day = web.get("/audit", params={"dari": "2026-03-02", "sampai": "2026-03-02"})
    assert "<h2>1 kejadian</h2>" in day.text and "pagi" in day.text
    day = web.get("/audit", params={"dari": "2026-03-01", "sampai": "2026-03-01"})
    assert "<h2>1 kejadian</h2>" in day.text and "malam" in day.text
    bad = web.get("/audit", params={"dari": "kemarin"})
    assert bad.status_code == 400 and "tanggal tidak valid" in bad.text
    wrong = web.get("/audit", params={"dari": "2026-03-05", "sampai": "2026-03-01"})
    assert wrong.status_code == 400 and "sebelum tanggal awal" in wrong.text


def test_csv_is_filtered_masked_and_audited(web: TestClient, stores: Stores) -> None:
    _seed(stores)
    stores.catalog.record("user.add", {"username": "=HYPERLINK(1)"}, "=cmd|calc")
    log_in(web, "admin1")
    r = web.get("/audit.csv", params={"pelaku": "budi"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    assert not SIXTEEN.search(r.text)
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert len(rows) == 80 and {row["pelaku"] for row in rows} == {"budi"}
    assert rows[0]["jenis_kata"] in ("NIK/KK ditampilkan", "Pencarian keluarga")
    (export,) = stores.catalog.events("audit.export")
    assert json.loads(export.rincian) == {"filters": {"actor": "budi"}, "rows": 80}
    assert export.pelaku == "admin1"
    evil = web.get("/audit.csv", params={"pelaku": "=cmd|calc"}).text
    assert "'=cmd|calc" in evil and ",=cmd" not in evil
    # the download shows in the log itself
    assert "Unduhan log audit" in web.get("/audit", params={"jenis": "audit.export"}).text


def test_payloads_inert_in_every_filter(web: TestClient, stores: Stores) -> None:
    stores.catalog.record("user.add", {"username": XSS, "note": SQL}, XSS)
    log_in(web, "admin1")
    for payload in (XSS, SQL):
        for field in ("pelaku", "jenis", "teks", "dari", "sampai"):
            r = web.get("/audit", params={field: payload})
            assert r.status_code in (200, 400), field
            assert XSS not in r.text, field
    page = web.get("/audit").text
    assert XSS not in page and "&lt;script&gt;" in page
    # SQL-like text is a literal to look for, not a condition
    assert "<h2>1 kejadian</h2>" in web.get("/audit", params={"teks": SQL}).text
    assert "<h2>0 kejadian</h2>" in web.get("/audit", params={"teks": "' OR '1'='1"}).text
    assert "<h2>0 kejadian</h2>" in web.get("/audit", params={"teks": "%"}).text


def test_service_summary_and_paging(stores: Stores) -> None:
    assert summarise({"kk": KK, "reason": "cek lapangan", "found": False}) == (
        "No. KK: 6501\u2022\u2022\u2022\u2022\u2022\u2022\u2022\u20220001; alasan: cek lapangan; "
        "ditemukan: tidak"
    )
    assert "berkas: daftar.xlsx" in summarise({"path": "/tmp/x/daftar.xlsx"})
    page = query_audit(stores.catalog, AuditFilter(), page=99)
    assert page.page == page.pages == 1 and page.total == 0
