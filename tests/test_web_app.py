"""The web app's foundation through FastAPI's TestClient: login, sessions, CSRF, Beranda."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from padu.accounts import add_user
from padu.measure.measures import get_measure
from padu.measure.snapshot import mpi_snapshot
from padu.web import create_app
from padu.web.config import WebSettings
from padu.web.pages import dec, jumlah, pct
from padu.web.sessions import COOKIE
from tests.conftest import Stores

PASSWORD = "sandi-uji-yang-panjang"  # noqa: S105 - a test account's password
WRONG = "bukan-sandinya-123"


def settings_for(stores: Stores, tmp_path: Path) -> WebSettings:
    return WebSettings(
        home=tmp_path / "web-home",
        warehouse_url=stores.warehouse_url,
        catalog_url=stores.catalog_url,
        secret_key="k" * 40,
    )


@pytest.fixture
def client(stores: Stores, snapshot: int, tmp_path: Path) -> Iterator[TestClient]:
    add_user(stores.catalog, "pembaca", PASSWORD, "viewer", actor="penguji")
    with TestClient(create_app(settings_for(stores, tmp_path)), follow_redirects=False) as c:
        yield c


def csrf(c: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', c.get(path).text)
    assert found is not None
    return found.group(1)


def login(c: TestClient, password: str = PASSWORD, user: str = "pembaca") -> object:
    token = csrf(c)
    return c.post("/login", data={"username": user, "password": password, "csrf_token": token})


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_unauthenticated_page_redirects_to_login(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=/"
    page = client.get("/login")
    assert page.status_code == 200
    assert "Nama pengguna" in page.text and 'lang="id"' in page.text


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_login_logout_and_cookie_flags(client: TestClient) -> None:
    r = login(client)
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=")
    flags = cookie.lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http here; https adds it (next test)
    assert client.get("/").status_code == 200
    stolen = client.cookies.get(COOKIE)
    out = client.post("/logout", data={"csrf_token": csrf(client, "/")})
    assert out.status_code == 303 and out.headers["location"] == "/login?keluar=1"
    assert "Anda sudah keluar" in client.get("/login?keluar=1").text
    assert client.get("/").status_code == 303
    client.cookies.set(COOKIE, stolen or "")  # the old cookie is revoked, not just forgotten
    assert client.get("/").status_code == 303


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_secure_cookie_over_https_and_trusted_proxy(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    settings = settings_for(stores, tmp_path)
    with TestClient(create_app(settings), base_url="https://padu.test") as c:
        assert "secure" in c.get("/login").headers["set-cookie"].lower()
    with TestClient(create_app(settings)) as c:  # header ignored unless the proxy is trusted
        r = c.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "secure" not in r.headers["set-cookie"].lower()
    trusted = settings.model_copy(update={"trust_proxy": True})
    with TestClient(create_app(trusted)) as c:
        r = c.get("/login", headers={"X-Forwarded-Proto": "https"})
        assert "secure" in r.headers["set-cookie"].lower()


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_wrong_password_and_unknown_user_read_alike(client: TestClient) -> None:
    wrong = login(client, password=WRONG)
    unknown = login(client, user="tidak-ada", password=WRONG)
    assert wrong.status_code == unknown.status_code == 401
    for r in (wrong, unknown):
        assert "Nama pengguna atau kata sandi salah." in r.text
    assert client.get("/").status_code == 303


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_login_throttled_after_five_failures(client: TestClient) -> None:
    for _ in range(5):
        assert login(client, password=WRONG).status_code == 401
    r = login(client)  # even the right password waits now
    assert r.status_code == 429
    assert "Terlalu banyak percobaan masuk" in r.text
    assert int(r.headers["retry-after"]) > 0
    assert "15 menit" in r.text  # the minutes left are said
    other = login(client, user="tidak-ada", password="x" * 12)  # another name, same office
    assert other.status_code == 401  # one officer's lockout does not lock the address


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_post_without_csrf_token_is_refused(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "pembaca", "password": PASSWORD})
    assert r.status_code == 403
    assert "token keamanan tidak cocok" in r.text
    r = client.post(
        "/login", data={"username": "pembaca", "password": PASSWORD, "csrf_token": "palsu"}
    )
    assert r.status_code == 403
    login(client)
    assert client.post("/logout").status_code == 403  # logged in, still no token: refused
    assert client.get("/").status_code == 200
    api = client.post("/logout", headers={"accept": "application/json"})
    assert api.status_code == 403
    assert api.json()["error"] == "Forbidden"
    assert "token keamanan" in api.json()["message"]


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_errors_are_indonesian_html_or_api_json(client: TestClient) -> None:
    login(client)
    page = client.get("/tidak-ada")
    assert page.status_code == 404 and "Halaman tidak ditemukan." in page.text
    api = client.get("/api/v1/tidak-ada")
    assert api.status_code == 404
    assert api.json() == {"error": "HTTPError", "message": "Halaman tidak ditemukan."}


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_english_switch(client: TestClient) -> None:
    login(client)
    r = client.get("/bahasa/en?next=/")
    assert r.status_code == 303 and r.headers["location"] == "/"
    page = client.get("/")
    assert 'lang="en"' in page.text and "Map by district" in page.text
    assert client.get("/bahasa/en?next=//jahat.example").headers["location"] == "/"
    client.get("/bahasa/id")
    assert "Peta per kecamatan" in client.get("/").text


def _cells(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert found is not None
    return found.group(1)


def test_beranda_figures_equal_mpi_snapshot(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    """The headline figures are mpi_snapshot's, in Indonesian formats, on both backends."""
    add_user(stores.catalog, "pembaca", PASSWORD, "viewer", actor="penguji")
    measure = get_measure("padu-7", stores.catalog)
    expected = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, measure, by="kabupaten")
    with TestClient(create_app(settings_for(stores, tmp_path)), follow_redirects=False) as c:
        login(c)
        page = c.get("/")
        state = c.app.state.padu  # type: ignore[attr-defined]
        data = state.beranda.get(state.reader(), state.catalog)
    assert page.status_code == 200
    html = page.text
    overall = expected.overall
    assert _cells(html, "prov-H") == pct(float(overall.H))
    assert _cells(html, "prov-A") == pct(float(overall.A))
    assert _cells(html, "prov-M0") == dec(float(overall.M0))
    assert _cells(html, "prov-poor") == jumlah(overall.q)
    assert _cells(html, "snapshot-date") == "23 Januari 2026"
    families = stores.catalog.snapshot(snapshot).keluarga
    assert data.province.families == families
    assert _cells(html, "prov-families") == jumlah(families)
    # a small cell: few poor families, or few with incomplete data (counted and missing
    # hide together, else families - counted gives the missing count away)
    small = {
        a.kode for a in data.kabupaten
        if 0 < expected.groups[a.kode].q < 5
        or 0 < (a.families or 0) - expected.groups[a.kode].n < 5
    }  # fmt: skip
    hidden = set()
    for area in data.kabupaten:
        group = expected.groups[area.kode]
        if area.H is not None:  # what is shown is mpi_snapshot's
            assert area.H == pytest.approx(float(group.H))
            if area.M0 is not None:  # M0 and A hide with a hidden censored count
                assert area.M0 == pytest.approx(float(group.M0))
        else:
            hidden.add(area.kode)
    # every small cell hides; complements (one per kind of figure: poor, counted/missing,
    # censored counts) keep it from subtraction (tests/test_suppression_property.py), and
    # hiding never swallows the whole table
    assert small <= hidden
    assert len(hidden) < len(data.kabupaten)
    assert sum(a.families or 0 for a in data.kabupaten) <= families
    features = data.map_geojson()["features"]
    assert len(features) == 55
    assert any(f["properties"]["v"]["H"] is not None for f in features)


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_small_cells_are_suppressed(client: TestClient) -> None:
    login(client)
    state = client.app.state.padu  # type: ignore[attr-defined]
    data = state.beranda.get(state.reader(), state.catalog)
    areas = [data.province, *data.kabupaten, *data.kecamatan]
    for a in areas:
        for n in [a.families, a.poor, a.counted, *a.desil.values()]:
            assert n is None or n == 0 or n >= 5
        if a.counted is None:
            assert a.H is None and a.M0 is None
            assert all(v is None for v in a.rates.values())
    shown = [d for a in areas for d in a.desil.values()]
    assert None in shown  # the small register has tiny cells, and they are hidden
    assert "&lt; 5" in client.get("/").text


def test_an_empty_or_short_secret_file_is_refused(tmp_path: Path) -> None:
    # an empty key would let anyone sign a session cookie: the server must not start on one
    from padu.errors import UsageError
    from padu.web.config import SECRET_FILE, WebSettings

    settings = WebSettings(home=tmp_path)
    key = settings.session_secret()
    assert len(key) >= 32 and (tmp_path / SECRET_FILE).stat().st_mode & 0o777 == 0o600
    assert settings.session_secret() == key  # made once, then read
    assert not list(tmp_path.glob(".*.tmp"))
    for bad in ("", "pendek\n"):
        (tmp_path / SECRET_FILE).write_text(bad, encoding="utf-8")
        with pytest.raises(UsageError, match="rusak atau terlalu pendek"):
            settings.session_secret()


def test_small_cells_cannot_be_worked_out_by_subtraction() -> None:
    # primary suppression hides 1-4; with the total shown, one hidden cell (or hidden cells
    # adding up to under 5) would come back as total minus the rest: a sibling is hidden too
    from padu.access import protect, protect_table

    assert protect({"a": 3, "b": 40, "c": 12}) == {"a", "c"}
    assert protect({"a": 2, "b": 2, "c": 30, "d": 9}) == {"a", "b", "d"}
    assert protect({"a": 3, "b": 4, "c": 30}) == {"a", "b"}  # 7 hidden: no exact recovery
    assert protect({"a": 0, "b": 40, "c": 12}) == set()  # a true zero gives nothing away
    cells = {("x", 1): 3, ("x", 2): 20, ("x", 3): 30, ("y", 1): 25, ("y", 2): 22, ("y", 3): 8}
    hidden = protect_table(cells)
    for line in [[k for k in cells if k[0] == r] for r in "xy"] + [
        [k for k in cells if k[1] == c] for c in (1, 2, 3)
    ]:
        values = [cells[k] for k in line if k in hidden and cells[k] > 0]
        assert not values or (len(values) > 1 and sum(values) >= 5), (line, hidden)


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_static_files_carry_a_cache_lifetime(client: TestClient) -> None:
    # a slow office link should not ask again for Leaflet on every page
    vendored = client.get("/static/vendor/htmx/htmx.min.js")
    own = client.get("/static/padu.css")
    assert vendored.status_code == own.status_code == 200
    assert vendored.headers["cache-control"] == "public, max-age=86400"
    assert own.headers["cache-control"] == "public, max-age=3600"
