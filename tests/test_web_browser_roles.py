"""Role rules in real headless Chromium, tried the way a curious or hostile user would.

Issue 14 must show that "a viewer sees no personal data anywhere and cannot reach it by URL
or API; an opd user cannot see another agency's lists". So:

- the viewer ``pembaca`` crawls every same-origin link reachable from Beranda (breadth
  first, a few regions per level so the crawl reaches a desa) and no page, no embedded
  JSON and no request the page makes holds a NIK/KK (clear or masked), a person's name, an
  address, or a count of 1 to 4 families;
- the same viewer then types the personal-data addresses by hand and calls the API from the
  page's own JavaScript, with its session cookie and with its own API token;
- ``opd_perkim`` (RTLH) cannot find a family that is only on a DINSOS programme's list, by
  KK, by NIK, in its desa's list or through the API, while it finds its own families.

Two target lists are adopted as in tests/test_web_keluarga.py: PKH (re-assigned here to
DINSOS) and RTLH (PERKIM). Screenshots: ``tests/artifacts/peran-*.png``.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from padu.accounts import issue_token
from padu.regions import kaltara
from padu.services.family import FamilyRefs
from padu.synth.generator import SyntheticRegister
from padu.web.words import audit as audit_words
from padu.web.words import keluarga as keluarga_words
from padu.web.words import pengguna as pengguna_words
from padu.web.words import snapshot as snapshot_words
from tests.conftest import Stores
from tests.web_support import (
    AgencyLists,
    Live,
    adopt_agency_lists,
    browser_log_in,
    lists_fields,
    needs_chromium,
    screenshot,
)

pytestmark = [needs_chromium, pytest.mark.parametrize("stores", ["duckdb"], indirect=True)]

SECRET = "k" * 40  # tests.web_support's secret key: family references are sealed with it
SIXTEEN = re.compile(r"(?<![\d.])\d{16}(?!\d)")
MASKED = re.compile(r"\d{2,6}[\u2022*]{4,}\d{0,6}")
ADDRESS = re.compile(r"\bRT \d{2,3}\b|\bRW \d{2,3}\b|\bDUSUN \d{1,2}\b")
COUNT = re.compile(r"^\d{1,3}(?:\.\d{3})*$")  # a count as padu.fmt.angka writes it
FEW = re.compile(r"(?<![\d.,])[1-4]\s+keluarga\b", re.IGNORECASE)
REF = re.compile(r"/keluarga/([A-Za-z0-9_-]{30,})")
#: keys whose value is a number of families (or persons) in the pages' JSON and the API
COUNT_KEYS = frozenset({"n", "q", "families", "poor", "missing", "counted", "deprived",
                        "censored_count", "keluarga", "total", "jumlah"})  # fmt: skip
#: what the crawl never follows: leaving, switching language, files
SKIP = re.compile(r"^/(logout|bahasa/|static/)|/unduh\.|\.(csv|xlsx|json)(\?|$)")
CRAWL_CAP = 60
REGIONS_PER_PAGE = 3  # of a page's /kemiskinan/<kode> links, so the crawl reaches desa level
COUNT_CELLS = "td.num, th.num, .card-value, [data-testid=missing]"


@dataclass
class World(AgencyLists):
    live: Live = dataclasses.field(kw_only=True)


@pytest.fixture
def world(live: Live, stores: Stores, snapshot: int) -> Iterator[World]:
    lists = adopt_agency_lists(stores, snapshot)
    yield World(**lists_fields(lists), live=live)


# -- what a viewer may never see ------------------------------------------------------------
def _names(register: SyntheticRegister) -> re.Pattern[str]:
    """Every person's name of two words or more in the register (one-word names such as
    "Bulan" or "Intan" are ordinary words too), less any that is also a region's name."""
    people = set(register.individu["nama"].drop_nulls().to_list())
    people |= set(register.keluarga["nama_anggota_keluarga"].drop_nulls().to_list())
    regions = " ".join(r.nama for r in kaltara())
    names = sorted((n.strip() for n in people if " " in n.strip() and n not in regions),
                   key=len, reverse=True)  # fmt: skip
    assert len(names) > 1000
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b")


def _small_counts(value: Any, path: str = "") -> list[str]:
    """Where ``value`` (parsed JSON) holds a count of 1 to 4 under a count key."""
    found: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k in COUNT_KEYS and isinstance(v, int) and not isinstance(v, bool) and 0 < v < 5:
                found.append(f"{path}.{k}={v}")
            found += _small_counts(v, f"{path}.{k}")
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _small_counts(v, f"{path}[{i}]")
    return found


def _no_persons(where: str, text: str, names: re.Pattern[str]) -> None:
    """No NIK/KK (clear or masked), person's name or address in ``text``."""
    for what, pattern in (("NIK/KK", SIXTEEN), ("NIK/KK tersamar", MASKED),
                          ("nama orang", names), ("alamat", ADDRESS)):  # fmt: skip
        hit = pattern.search(text)
        assert hit is None, f"{where}: {what} {hit.group(0)!r} tampil untuk viewer"


def _check_page(page: Any, where: str, names: re.Pattern[str]) -> int:
    """Everything a viewer's page shows: markup, visible text, embedded JSON, count cells;
    the number of count cells checked."""
    html, text = page.content(), page.inner_text("body")
    _no_persons(where, html, names)
    _no_persons(where, text, names)
    few = FEW.search(text)
    assert few is None, f"{where}: {few.group(0)!r}"
    checked = 0
    for cell in page.eval_on_selector_all(COUNT_CELLS, "els => els.map(e => e.innerText.trim())"):
        if COUNT.match(cell):
            n = int(cell.replace(".", ""))
            assert n == 0 or n >= 5, f"{where}: sel berisi {n} keluarga (harus '< 5')"
            checked += 1
    for blob in page.eval_on_selector_all(
        'script[type="application/json"]', "els => els.map(e => e.textContent)"
    ):
        small = _small_counts(json.loads(blob))
        assert not small, f"{where}: JSON halaman memuat angka kecil {small[:5]}"
    return checked


def _links(page: Any, origin: str) -> list[str]:
    out = []
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        u = urlsplit(href)
        if f"{u.scheme}://{u.netloc}" != origin:
            continue
        path = u.path + (f"?{u.query}" if u.query else "")
        if not SKIP.search(path):
            out.append(path)
    return out


def _fetch(page: Any, path: str, method: str = "GET", body: str | None = None,
           headers: dict[str, str] | None = None) -> tuple[int, str, str]:  # fmt: skip
    """``fetch`` from the page's own JavaScript (the session cookie goes with it)."""
    status, ctype, text = page.evaluate(
        """async ([path, method, body, headers]) => {
            const r = await fetch(path, {method, body, headers, credentials: "same-origin",
                                         redirect: "manual"});
            return [r.status, r.headers.get("content-type") || "", await r.text()];
        }""",
        [path, method, body, headers or {}],
    )
    return int(status), str(ctype), str(text)


# -- 1. the viewer's crawl ----------------------------------------------------------------------
def test_viewer_crawl_finds_no_personal_data(
    chromium_page: Any, world: World, small_register: SyntheticRegister
) -> None:
    page, live, names = chromium_page, world.live, _names(small_register)
    origin = live.url
    requests: list[Any] = []
    page.on("requestfinished", lambda r: requests.append(r))
    browser_log_in(page, live, "pembaca")
    seen, queue, cells = {"/"}, deque(["/"]), 0
    visited: list[str] = []
    while queue and len(visited) < CRAWL_CAP:
        path = queue.popleft()
        requests.clear()
        response = page.goto(origin + path)
        page.wait_for_load_state("load")
        assert response is not None and response.status == 200, (path, response)
        visited.append(path)
        cells += _check_page(page, path, names)
        for r in list(requests):  # what the page itself fetched (htmx, JSON)
            u = urlsplit(r.url)
            if f"{u.scheme}://{u.netloc}" == origin and not u.path.startswith("/static/"):
                resp = r.response()
                if resp is not None and r.resource_type in ("xhr", "fetch"):
                    try:
                        text = resp.text()
                    except PlaywrightError:  # body gone (cached, or the page moved on)
                        text = _fetch(page, u.path + (f"?{u.query}" if u.query else ""))[2]
                    _no_persons(f"{path} → {u.path}", text, names)
        regions = 0
        for link in _links(page, origin):
            if link in seen:
                continue
            if link.startswith("/kemiskinan/"):
                regions += 1
                if regions > REGIONS_PER_PAGE:
                    continue
            seen.add(link)
            queue.append(link)
    # the crawl covered what a viewer's navigation offers, down to a desa
    assert "/" in visited and "/kemiskinan" in visited and len(visited) >= 20, visited
    # the checks saw the tables' counts (a viewer's k-sensitivity is one row, so fewer)
    assert cells > 300, cells
    depths = {len(p.split("?")[0].removeprefix("/kemiskinan/")) for p in visited
              if p.startswith("/kemiskinan/")}  # fmt: skip
    assert depths >= {5, 8, 13}, visited  # kabupaten, kecamatan and desa (65.01.01.2001)
    # the viewer's navigation offers no personal-data page
    assert not any(p.startswith(("/keluarga", "/snapshot", "/pengguna", "/audit"))
                   for p in seen), sorted(seen)  # fmt: skip


# -- 1b. the viewer types addresses and calls the API ------------------------------------------
def test_viewer_cannot_reach_persons_by_url_or_api(
    chromium_page: Any, world: World, small_register: SyntheticRegister
) -> None:
    page, live, names = chromium_page, world.live, _names(small_register)
    kk, desa = world.dinsos_only, world.desa_of(world.dinsos_only)
    nik = world.head_nik(kk)
    ref = FamilyRefs(SECRET).seal(kk, "pembaca")  # even a reference sealed for this viewer
    browser_log_in(page, live, "pembaca")
    forbidden = {
        "/keluarga": keluarga_words.ID["keluarga.forbidden"],
        "/snapshot": snapshot_words.ID["snapshot.forbidden"],
        "/pengguna": pengguna_words.ID["pengguna.forbidden"],
        "/audit": audit_words.ID["audit.forbidden"],
    }
    typed = [
        "/keluarga", f"/keluarga?kk={kk}", f"/keluarga?nik={nik}", f"/keluarga?desa={desa}",
        f"/keluarga/{ref}", "/snapshot", f"/snapshot/{world.snapshot}", "/snapshot/impor",
        "/snapshot/impor/1", "/snapshot/beda", "/pengguna", "/pengguna/admin1", "/audit",
        "/audit?pelaku=admin1",
    ]  # fmt: skip
    for path in typed:
        response = page.goto(live.url + path)
        assert response is not None and response.status == 403, (path, response)
        message = next(m for p, m in forbidden.items() if path.startswith(p))
        text = page.inner_text("body")
        assert message.split(" (")[0] in text, (path, text[:300])
        assert "Anggota keluarga" not in text, path
        _no_persons(path, page.content(), names)
        assert kk[-4:] + "<" not in page.content()
        if path == f"/keluarga?kk={kk}":
            screenshot(page, "peran-pembaca-ditolak")
    # the same through fetch: JSON clients, the audit CSV, forms posted with the CSRF token
    page.goto(live.url + "/")
    token = json.loads(page.get_attribute("body", "hx-headers") or "{}")["X-CSRF-Token"]
    for path in ("/audit.csv", f"/keluarga?kk={kk}", "/snapshot"):
        status, _, body = _fetch(page, path, headers={"Accept": "application/json"})
        assert status == 403, (path, status)
        _no_persons(path, body, names)
    form = {"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token}
    for path, body in (("/keluarga", f"key={kk}&by=kk&csrf_token={token}"),
                       (f"/keluarga/{ref}/tampilkan",
                        f"alasan=verifikasi+lapangan+desa&csrf_token={token}")):  # fmt: skip
        status, _, text = _fetch(page, path, "POST", body, form)
        assert status == 403, (path, status)
        _no_persons(path, text, names)
    assert not list(world.stores.catalog.events("family.reveal"))
    # the API with the session cookie only: a POST needs a token (401), reads are aggregates
    lookup = json.dumps({"kk": [kk]})
    cookie_only = {"Content-Type": "application/json", "X-CSRF-Token": token}
    status, ctype, body = _fetch(page, "/api/v1/ibr/enrolled", "POST", lookup, cookie_only)
    assert status == 401 and "json" in ctype, (status, body)
    _no_persons("ibr (cookie)", body, names)
    # ... and with the viewer's own API token: 403, never a family
    bearer = issue_token(world.stores.catalog, "pembaca", actor="penguji")
    status, _, body = _fetch(page, "/api/v1/ibr/enrolled", "POST", lookup,
                             {"Content-Type": "application/json",
                              "Authorization": f"Bearer {bearer}"})  # fmt: skip
    assert status == 403, (status, body)
    assert "viewer" in body and kk[-4:] not in body
    status, _, body = _fetch(page, "/api/v1/jobs/1")
    assert status == 404
    for by in ("desa", "kecamatan", "kabupaten"):
        status, _, body = _fetch(page, f"/api/v1/mpi?by={by}")
        assert status == 200, body[:300]
        mpi = json.loads(body)
        _no_persons(f"mpi {by}", body, names)
        assert not _small_counts(mpi), _small_counts(mpi)[:5]
        for g in [mpi["overall"], *mpi["groups"]]:
            if g["suppressed"]:  # some figure of it hidden (a 0 may show: it is no small cell)
                assert None in (g["n"], g["q"], g["H"], g["A"], g["M0"]), g
        assert any(g["suppressed"] for g in mpi["groups"]) or by == "kabupaten"
    # the page figures as JSON, at desa level
    status, _, body = _fetch(page, f"/kemiskinan/{desa}", headers={"Accept": "application/json"})
    assert status == 200
    _no_persons("kemiskinan desa JSON", body, names)
    assert not _small_counts(json.loads(body)), _small_counts(json.loads(body))[:5]
    # the downloads are aggregates: allowed, but hidden cells stay "< 5" and no person
    for path in (f"/kemiskinan/{desa[:8]}/unduh.csv?tabel=wilayah",
                 f"/kemiskinan/{desa}/unduh.csv?tabel=indikator"):  # fmt: skip
        got = page.request.get(live.url + path)
        assert got.status == 200, path
        text = got.text()
        _no_persons(path, text, names)
        rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
        assert rows, path
        for row in rows:
            for col in ("Keluarga", "Keluarga miskin", "Keluarga tanpa data lengkap",
                        "Terdeprivasi", "Miskin dan terdeprivasi"):  # fmt: skip
                cell = row.get(col)
                if cell is not None and cell.isdigit():
                    assert cell == "0" or int(cell) >= 5, (path, col, row)
    got = page.request.get(f"{live.url}/kemiskinan/{desa[:8]}/unduh.xlsx")
    assert got.status == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(got.body()), read_only=True)
    for sheet in book.worksheets:
        rows_x = list(sheet.iter_rows(values_only=True))
        head = [str(h) for h in rows_x[0]]
        for row in rows_x[1:]:
            _no_persons(f"xlsx {sheet.title}", " ".join(str(c) for c in row), names)
            for col, cell in zip(head, row, strict=False):
                if col.startswith(("Keluarga", "Terdeprivasi", "Miskin dan")) and isinstance(
                    cell, int
                ):
                    assert cell == 0 or cell >= 5, (sheet.title, col, row)


# -- 2. an opd officer and another agency's families -----------------------------------------
def _search(page: Any, live: Live, key: str, by: str) -> int:
    page.goto(f"{live.url}/keluarga")
    page.check(f"input[name=by][value={by}]")
    page.fill("input[name=key]", key)
    with page.expect_navigation() as nav:
        page.click("form[action='/keluarga'][method=post] button[type=submit]")
    return int(nav.value.status)


def test_opd_cannot_see_another_agencys_family(
    chromium_page: Any, world: World, small_register: SyntheticRegister
) -> None:
    page, live = chromium_page, world.live
    hidden, own = world.dinsos_only, world.perkim
    browser_log_in(page, live, "opd_perkim")
    not_found = keluarga_words.ID["keluarga.not_found"]
    # by KK and by a member's NIK: exactly the answer for a number that does not exist
    for key, by in ((hidden, "kk"), (world.head_nik(hidden), "nik")):
        assert _search(page, live, key, by) == 404, by
        assert not_found.split()[0] in page.locator("#not-found").inner_text()
        assert "tidak ditemukan" in page.locator("#not-found").inner_text()
        assert "Anggota keluarga" not in page.inner_text("body")
        assert hidden not in page.content()
    screenshot(page, "peran-opd-perkim-tidak-ditemukan")
    # the desa list of that family's desa does not show it
    refs = FamilyRefs(SECRET)
    for kk in (hidden, own):
        response = page.goto(f"{live.url}/keluarga?desa={world.desa_of(kk)}")
        assert response is not None and response.status == 200
        shown = {refs.open(r, "opd_perkim") for r in REF.findall(page.content())}
        assert hidden not in shown and shown <= set(world.rtlh), kk
        assert (own in shown) == (kk == own)
        assert not SIXTEEN.search(page.content())
    screenshot(page, "peran-opd-perkim-daftar-desa")
    # a reference made for another user (opd_dinsos) opens nothing
    foreign = refs.seal(hidden, "opd_dinsos")
    response = page.goto(f"{live.url}/keluarga/{foreign}")
    assert response is not None and response.status == 404
    # its own family is found, masked, with its programme
    assert _search(page, live, own, "kk") == 200
    text = page.inner_text("body")
    assert own[:4] + "\u2022" * 8 + own[-4:] in text and "RTLH" in text
    assert "Anggota keluarga" in text and not SIXTEEN.search(page.content())
    # the viewer checks are not blind: the same detectors fire on a card an opd may see
    assert _names(small_register).search(text) and MASKED.search(text)
    screenshot(page, "peran-opd-perkim-kartu")
    # the API with the agency's own token: the DINSOS family reads as unknown
    bearer = issue_token(world.stores.catalog, "opd_perkim", actor="penguji")
    status, _, body = _fetch(page, "/api/v1/ibr/enrolled", "POST",
                             json.dumps({"kk": [hidden, own]}),
                             {"Content-Type": "application/json",
                              "Authorization": f"Bearer {bearer}"})  # fmt: skip
    assert status == 200, body[:500]
    answers = json.loads(body)["results"]
    assert answers[0]["found"] is False and answers[0]["programmes"] == []
    assert answers[1]["found"] is True
    assert "RTLH" in {p["programme"] for p in answers[1]["programmes"]}
    assert not SIXTEEN.search(body)
    # and opd_dinsos, the other way round, does see it (the DINSOS list is real)
    page.context.clear_cookies()
    browser_log_in(page, live, "opd_dinsos")
    assert _search(page, live, hidden, "kk") == 200
    assert "PKH" in page.inner_text("body")


def test_opd_sees_no_other_agencys_list_entries(chromium_page: Any, world: World) -> None:
    """A PERKIM family that is also on DINSOS's PKH list: opd_perkim's card says the
    family is in PKH (coordination needs that: overlaps and complements), but not how
    DINSOS chose it (its list, the family's rank, the officer who adopted it)."""
    page, live = chromium_page, world.live
    both = sorted(set(world.rtlh) & set(world.pkh))
    assert both
    browser_log_in(page, live, "opd_perkim")
    assert _search(page, live, both[0], "kk") == 200
    rows = page.locator("table:has(th:text('Instansi')) tbody tr td:nth-child(2)")
    agencies = {a.strip() for a in rows.all_inner_texts()}
    bearer = issue_token(world.stores.catalog, "opd_perkim", actor="penguji")
    _, _, body = _fetch(page, "/api/v1/ibr/enrolled", "POST", json.dumps({"kk": [both[0]]}),
                        {"Content-Type": "application/json",
                         "Authorization": f"Bearer {bearer}"})  # fmt: skip
    api_agencies = {p["agency"] for p in json.loads(body)["results"][0]["programmes"]}
    # that the family is in PKH is shared, on the card and in the IBR answer ...
    assert agencies == api_agencies == {"DINSOS", "PERKIM"}, (agencies, api_agencies)
    card = page.inner_text("main")
    # ... how DINSOS chose it is not; PERKIM's own entry keeps its source
    assert "daftar instansi lain" in card
    dinsos_row = page.locator("tbody tr:has(td:text-is('DINSOS'))").inner_text()
    assert "peringkat" not in dinsos_row and "adopsi" not in dinsos_row, dinsos_row
    perkim_row = page.locator("tbody tr:has(td:text-is('PERKIM'))").first.inner_text()
    assert "adopsi" in perkim_row, perkim_row
    screenshot(page, "peran-opd-perkim-kartu-program-lain")
