"""Pengguna (admin only): the account list, adding, disabling, passwords and API tokens
through the forms; field errors in Indonesian; CSRF on every form; payloads inert."""

# ruff: noqa: S106 - the passwords typed into the forms are test values
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from padu.accounts import find_user, list_tokens, token_user
from tests.conftest import Stores
from tests.web_support import PASSWORD, csrf_of, log_in

XSS = "<script>alert(1)</script>"
SQL = "' OR 1=1 --"
pytestmark = pytest.mark.parametrize("stores", ["duckdb"], indirect=True)


def _form(c: TestClient, path: str = "/pengguna") -> str:
    return csrf_of(c.get(path).text)


def _add(c: TestClient, **fields: str) -> object:
    data = {"username": "", "role": "viewer", "agency": "", "password": "", "password_again": ""}
    return c.post("/pengguna", data={**data, **fields, "csrf_token": _form(c)})


def test_role_matrix(web: TestClient) -> None:
    for path in ("/pengguna", "/pengguna/admin1", "/audit"):
        assert web.get(path).status_code == 303
    for user in ("operator1", "opd_dinsos", "pembaca"):
        log_in(web, user)
        for path in ("/pengguna", "/pengguna/admin1", "/audit", "/audit.csv"):
            r = web.get(path)
            assert r.status_code == 403, (user, path)
        assert 'href="/pengguna"' not in web.get("/").text
        token = csrf_of(web.get("/").text)
        r = web.post("/pengguna/pembaca/aktif", data={"aktif": "0", "csrf_token": token})
        assert r.status_code == 403
    log_in(web, "admin1")
    for path in ("/pengguna", "/pengguna/opd_dinsos", "/audit", "/audit.csv"):
        assert web.get(path).status_code == 200, path
    assert 'href="/pengguna"' in web.get("/").text


def test_list_shows_accounts_in_words(web: TestClient) -> None:
    log_in(web, "admin1")
    html = web.get("/pengguna").text
    for name in ("admin1", "operator1", "opd_dinsos", "opd_perkim", "pembaca"):
        assert f"<strong>{name}</strong>" in html
    assert "WITA" in html and "Pembaca" in html and "PERKIM" in html and "Aktif" in html


def test_add_disable_enable_password_through_forms(web: TestClient, stores: Stores) -> None:
    log_in(web, "admin1")
    r = _add(web, username="petugas.baru", role="opd", agency="PERKIM",
             password="sandi-baru-panjang", password_again="sandi-baru-panjang")  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].startswith("/pengguna?pesan=added")
    user = find_user(stores.catalog, "petugas.baru")
    assert user is not None and user.role == "opd" and user.agency == "PERKIM"
    assert "Pengguna ditambahkan" in web.get(r.headers["location"]).text
    # disable it
    token = _form(web, "/pengguna/petugas.baru")
    r = web.post("/pengguna/petugas.baru/aktif", data={"aktif": "0", "csrf_token": token})
    assert r.status_code == 303
    assert not find_user(stores.catalog, "petugas.baru").active  # type: ignore[union-attr]
    page = web.get(r.headers["location"]).text
    assert "Akun dinonaktifkan" in page and "Aktifkan akun" in page
    r = web.post("/pengguna/petugas.baru/aktif", data={"aktif": "1", "csrf_token": token})
    assert find_user(stores.catalog, "petugas.baru").active  # type: ignore[union-attr]
    # a new password, typed twice
    r = web.post("/pengguna/petugas.baru/sandi", data={"password": "sandi-lain-panjang",
                 "password_again": "sandi-lain-berbeda", "csrf_token": token})  # fmt: skip
    assert r.status_code == 400 and "kedua kata sandi tidak sama" in r.text
    r = web.post("/pengguna/petugas.baru/sandi", data={"password": "sandi-lain-panjang",
                 "password_again": "sandi-lain-panjang", "csrf_token": token})  # fmt: skip
    assert r.status_code == 303
    kinds = [e.jenis for e in stores.catalog.events() if e.pelaku == "admin1"]
    assert kinds == ["user.login", "user.add", "user.disable", "user.enable", "user.password"]
    log_in(web, "petugas.baru", "sandi-lain-panjang")


def test_field_errors_next_to_the_field(web: TestClient, stores: Stores) -> None:
    log_in(web, "admin1")
    r = _add(web, username="X", role="opd", agency="", password="pendek", password_again="lain")
    assert r.status_code == 400
    html = r.text
    for field in ("username", "agency", "password", "password_again"):
        assert f'id="err-{field}"' in html, field
    assert "nama pengguna tidak valid" in html and "kata sandi terlalu pendek" in html
    assert "peran opd membutuhkan instansi" in html
    r = _add(web, username="pembaca", role="viewer", password="sandi-cukup-panjang",
             password_again="sandi-cukup-panjang")  # fmt: skip
    assert r.status_code == 400 and "pengguna pembaca sudah ada" in r.text
    assert find_user(stores.catalog, "x") is None


def test_admin_cannot_disable_themself(web: TestClient, stores: Stores) -> None:
    log_in(web, "admin1")
    page = web.get("/pengguna/admin1").text
    assert "Anda tidak dapat menonaktifkan akun Anda sendiri" in page
    assert "/pengguna/admin1/aktif" not in page
    r = web.post("/pengguna/admin1/aktif", data={"aktif": "0", "csrf_token": csrf_of(page)})
    assert r.status_code == 400 and "sendiri" in r.text
    assert find_user(stores.catalog, "admin1").active  # type: ignore[union-attr]


def test_tokens_created_once_listed_and_revoked(web: TestClient, stores: Stores) -> None:
    log_in(web, "admin1")
    token = _form(web, "/pengguna/operator1")
    r = web.post("/pengguna/operator1/token", data={"label": "skrip impor", "csrf_token": token})
    assert r.status_code == 200
    shown = re.search(r'<code class="token" id="new-token">([^<]+)</code>', r.text)
    assert shown is not None
    assert token_user(stores.catalog, shown.group(1)) is not None
    again = web.get("/pengguna/operator1").text
    assert shown.group(1) not in again and "skrip impor" in again
    (info,) = list_tokens(stores.catalog, "operator1")
    r = web.post(f"/pengguna/operator1/token/{info.id}/cabut", data={"csrf_token": token})
    assert r.status_code == 303
    assert token_user(stores.catalog, shown.group(1)) is None
    # a token id of another account is not found
    web.post("/pengguna/pembaca/token", data={"label": "x", "csrf_token": token})
    (other,) = list_tokens(stores.catalog, "pembaca")
    r = web.post(f"/pengguna/operator1/token/{other.id}/cabut", data={"csrf_token": token})
    assert r.status_code == 404
    assert list_tokens(stores.catalog, "pembaca")[0].active


def test_csrf_required_on_every_form(web: TestClient, stores: Stores) -> None:
    log_in(web, "admin1")
    web.post("/pengguna/pembaca/token", data={"label": "x", "csrf_token": _form(web)})
    (info,) = list_tokens(stores.catalog, "pembaca")
    posts = {
        "/pengguna": {"username": "tanpa.token", "role": "viewer", "password": PASSWORD,
                      "password_again": PASSWORD},
        "/pengguna/pembaca/aktif": {"aktif": "0"},
        "/pengguna/pembaca/sandi": {"password": PASSWORD + "x", "password_again": PASSWORD + "x"},
        "/pengguna/pembaca/token": {"label": "tanpa"},
        f"/pengguna/pembaca/token/{info.id}/cabut": {},
    }  # fmt: skip
    for path, data in posts.items():
        for token in (None, "salah"):
            body = data | ({"csrf_token": token} if token else {})
            assert web.post(path, data=body).status_code == 403, (path, token)
    assert find_user(stores.catalog, "tanpa.token") is None
    assert find_user(stores.catalog, "pembaca").active  # type: ignore[union-attr]
    assert len(list_tokens(stores.catalog, "pembaca")) == 1


def test_payloads_rendered_inert(web: TestClient) -> None:
    log_in(web, "admin1")
    for payload in (XSS, SQL):
        r = _add(web, username=payload, role="opd", agency=payload, password=payload,
                 password_again=payload)  # fmt: skip
        assert r.status_code == 400
        assert XSS not in r.text
        token = _form(web, "/pengguna/operator1")
        r = web.post("/pengguna/operator1/token", data={"label": payload, "csrf_token": token})
        assert r.status_code == 200 and XSS not in r.text
        assert web.get(f"/pengguna/{payload}").status_code == 404
    page = web.get("/pengguna/operator1").text
    assert XSS not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&#39; OR 1=1 --" in page
