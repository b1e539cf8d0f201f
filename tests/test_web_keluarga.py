"""Cari keluarga (issue 14): search by NIK/KK or desa within scope, the card, reveal.

Two target lists are adopted: PKH (re-assigned here to DINSOS, so the opd_dinsos account
has a programme) and RTLH of PERKIM. A DINSOS-only family is on PKH's list and not on
RTLH's: opd_dinsos sees it, opd_perkim gets exactly the "not found" of a family that does
not exist. A viewer is refused on every path. No page carries a NIK or KK in clear except
a revealed card; every search, card and reveal is an audit event.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from padu.services.family import FamilyRefs, check_key, check_reason
from tests.conftest import Stores
from tests.web_support import AgencyLists, adopt_agency_lists, csrf_of, lists_fields, log_in

SIXTEEN = re.compile(r"(?<![\d.])\d{16}(?!\d)")
REF = re.compile(r'/keluarga/([A-Za-z0-9_-]{30,})(?:/tampilkan)?"')
XSS = "<script>alert(1)</script>"
SQL = "' OR 1=1 --"
SECRET = "k" * 40  # tests.web_support's secret key: references are sealed with it


@dataclass
class World(AgencyLists):
    c: TestClient = dataclasses.field(kw_only=True)


@pytest.fixture
def world(web: TestClient, stores: Stores, snapshot: int) -> Iterator[World]:
    lists = adopt_agency_lists(stores, snapshot)
    yield World(**lists_fields(lists), c=web)


def _search(c: TestClient, key: str, by: str = "kk") -> tuple[int, str]:
    token = csrf_of(c.get("/keluarga").text)
    r = c.post("/keluarga", data={"key": key, "by": by, "csrf_token": token})
    return r.status_code, r.text


def _no_identifier(html: str) -> None:
    assert not SIXTEEN.search(html), SIXTEEN.search(html)


def _events(stores: Stores, kind: str) -> list[dict[str, object]]:
    import json

    return [json.loads(e.rincian) | {"_by": e.pelaku} for e in stores.catalog.events(kind)]


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_role_matrix(web: TestClient) -> None:
    assert web.get("/keluarga").status_code == 303  # anonymous: to the login
    for user, status in [("admin1", 200), ("operator1", 200), ("opd_dinsos", 200),
                         ("opd_perkim", 200), ("pembaca", 403)]:  # fmt: skip
        log_in(web, user)
        page = web.get("/keluarga")
        assert page.status_code == status, user
        assert ('href="/keluarga"' in web.get("/").text) == (status == 200), user


def test_search_card_and_reveal_are_masked_and_audited(world: World) -> None:
    c, kk = world.c, world.dinsos_only
    log_in(c, "admin1")
    status, html = _search(c, kk)
    assert status == 200, html[:2000]
    _no_identifier(html)
    assert kk[:4] + "\u2022" * 8 + kk[-4:] in html
    assert "Anggota keluarga" in html and "Deprivasi" in html and "PKH" in html
    assert "Direncanakan" in html  # the adopted list is a plan
    ref = REF.search(html)
    assert ref is not None
    # by a member's NIK: the same family
    status, by_nik = _search(c, world.head_nik(kk), "nik")
    assert status == 200 and kk[-4:] in by_nik
    _no_identifier(by_nik)
    # the card by its reference, then a reveal with too short a reason
    card = c.get(f"/keluarga/{ref.group(1)}")
    assert card.status_code == 200
    _no_identifier(card.text)
    token = csrf_of(card.text)
    short = c.post(
        f"/keluarga/{ref.group(1)}/tampilkan", data={"alasan": "cek", "csrf_token": token}
    )
    assert short.status_code == 400 and "paling sedikit 10 karakter" in short.text
    _no_identifier(short.text)
    assert not _events(world.stores, "family.reveal")
    reason = "verifikasi lapangan PKH Desa uji"
    shown = c.post(
        f"/keluarga/{ref.group(1)}/tampilkan", data={"alasan": reason, "csrf_token": token}
    )
    assert shown.status_code == 200
    assert kk in shown.text and world.head_nik(kk) in shown.text and reason in shown.text
    # htmx asks for the card alone
    part = c.post(f"/keluarga/{ref.group(1)}/tampilkan", data={"alasan": reason},
                  headers={"HX-Request": "true", "X-CSRF-Token": token})  # fmt: skip
    assert part.status_code == 200 and "<html" not in part.text and kk in part.text
    reveals = _events(world.stores, "family.reveal")
    assert len(reveals) == 2 and reveals[0]["kk"] == kk and reveals[0]["reason"] == reason
    assert reveals[0]["_by"] == "admin1"
    searches = _events(world.stores, "family.search")
    assert [s["found"] for s in searches] == [True, True] and searches[1]["by"] == "nik"
    assert _events(world.stores, "family.card")
    # the next plain view is masked again
    again = c.get(f"/keluarga/{ref.group(1)}")
    _no_identifier(again.text)


def test_opd_sees_only_its_programmes_families(world: World) -> None:
    c = world.c
    log_in(c, "opd_dinsos")
    status, html = _search(c, world.dinsos_only)
    assert status == 200 and world.dinsos_only[-4:] in html
    admin_ref = REF.search(html)
    assert admin_ref is not None
    log_in(c, "opd_perkim")
    status, hidden = _search(c, world.dinsos_only)
    fake = "6501" + "0" * 7 + "99999"
    status2, missing = _search(c, fake)
    assert status == status2 == 404
    # the same answer as a family that does not exist (the masked numbers aside)
    mask = re.compile(r"\d{4}\u2022{8}\d{4}")
    assert mask.sub("#", hidden).replace(csrf_of(hidden), "") == mask.sub("#", missing).replace(
        csrf_of(missing), ""
    )
    assert _search(c, world.head_nik(world.dinsos_only), "nik")[0] == 404  # by a member's NIK too
    # a reference made for another user is not found either
    assert c.get(f"/keluarga/{admin_ref.group(1)}").status_code == 404
    # its own family is there; the desa list holds only its own families
    assert _search(c, world.perkim)[0] == 200
    for kk in (world.dinsos_only, world.perkim):
        listing = c.get("/keluarga", params={"desa": world.desa_of(kk)})
        assert listing.status_code == 200
        _no_identifier(listing.text)
        refs = FamilyRefs(SECRET)
        shown = {refs.open(r, "opd_perkim") for r in REF.findall(listing.text)}
        assert shown <= set(world.rtlh) and world.dinsos_only not in shown
        assert (world.perkim in shown) == (kk == world.perkim)
    searches = _events(world.stores, "family.search")
    assert searches[-4]["found"] is False and searches[-4]["scope"] == "instansi:PERKIM"


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_viewer_cannot_reach_a_person_by_url(world: World) -> None:
    c, kk = world.c, world.dinsos_only
    log_in(c, "admin1")
    ref = REF.search(_search(c, kk)[1])
    assert ref is not None
    viewer_ref = FamilyRefs(SECRET).seal(kk, "pembaca")
    log_in(c, "pembaca")
    nik = world.head_nik(kk)
    for path in (f"/keluarga?kk={kk}", f"/keluarga?nik={nik}", f"/keluarga/{ref.group(1)}",
                 f"/keluarga/{viewer_ref}", f"/keluarga?desa={world.desa_of(kk)}"):  # fmt: skip
        r = c.get(path)
        assert r.status_code == 403, path
        _no_identifier(r.text)
        assert "Anggota keluarga" not in r.text
    token = csrf_of(c.get("/").text)
    r = c.post(f"/keluarga/{viewer_ref}/tampilkan",
               data={"alasan": "alasan yang cukup panjang", "csrf_token": token})  # fmt: skip
    assert r.status_code == 403
    r = c.post("/keluarga", data={"key": kk, "by": "kk", "csrf_token": token})
    assert r.status_code == 403
    assert not _events(world.stores, "family.reveal")


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_desa_list_pages_and_links(world: World) -> None:
    c = world.c
    log_in(c, "admin1")
    desa = world.desa_of(world.dinsos_only)
    r = c.get("/keluarga", params={"desa": desa})
    assert r.status_code == 200 and "Keluarga di" in r.text
    _no_identifier(r.text)
    refs = REF.findall(r.text)
    assert refs
    assert c.get(f"/keluarga/{refs[0]}").status_code == 200
    assert _events(world.stores, "family.list")[0]["desa"] == desa
    bad = c.get("/keluarga", params={"desa": "99.99"})
    assert bad.status_code == 400 and "kode desa tidak valid" in bad.text


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_csrf_and_payloads_are_inert(world: World) -> None:
    c = world.c
    log_in(c, "admin1")
    html = _search(c, world.dinsos_only)[1]
    ref = REF.search(html)
    assert ref is not None
    assert c.post("/keluarga", data={"key": world.dinsos_only, "by": "kk"}).status_code == 403
    r = c.post(f"/keluarga/{ref.group(1)}/tampilkan", data={"alasan": "alasan yang cukup panjang"})
    assert r.status_code == 403
    for payload in (XSS, SQL):
        for by in ("kk", "nik"):
            status, page = _search(c, payload, by)
            assert status == 400 and "<script>alert" not in page
        r = c.get("/keluarga", params={"desa": payload})
        assert r.status_code == 400 and "<script>alert" not in r.text
        assert c.get(f"/keluarga/{payload}").status_code in (404, 400)
    token = csrf_of(html)
    reason = f"{XSS} {SQL} verifikasi"
    shown = c.post(
        f"/keluarga/{ref.group(1)}/tampilkan", data={"alasan": reason, "csrf_token": token}
    )
    assert shown.status_code == 200
    assert "<script>alert(1)</script>" not in shown.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text


def test_inputs_checked_with_identifier_rules() -> None:
    assert check_key("6501 0112 3456 0001", "kk") == "6501011234560001"
    for bad, why in [("123", "16 angka"), ("abcd", "angka"), ("", "kosong"),
                     ("6501011234560000", "0000"), ("9901011234560001", "provinsi")]:  # fmt: skip
        with pytest.raises(Exception, match=why):
            check_key(bad, "kk")
    with pytest.raises(Exception, match="tanggal lahir"):
        check_key("6501019913900001", "nik")
    with pytest.raises(Exception, match="paling sedikit 10"):
        check_reason("  pendek  ")
    refs = FamilyRefs("rahasia" * 6)
    sealed = refs.seal("6501011234560001", "admin1")
    assert "6501011234560001" not in sealed
    assert refs.open(sealed, "admin1") == "6501011234560001"
    assert refs.open(sealed, "opd_perkim") is None
    assert (
        refs.open(sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1], "admin1") is None
    )
    assert refs.open(sealed, "admin1", now=10**12) is None
    assert FamilyRefs("lain" * 10).open(sealed, "admin1") is None


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_a_number_in_the_query_string_is_not_searched(world: World) -> None:
    """The search is a POST form: a GET with ``?kk=`` or ``?nik=`` (which the access log
    would keep as typed) shows the empty form and looks nothing up."""
    c, kk = world.c, world.dinsos_only
    log_in(c, "admin1")
    before = len(_events(world.stores, "family.search"))
    grouped = "-".join(kk[i : i + 4] for i in range(0, 16, 4))
    for query in ({"kk": kk}, {"nik": world.head_nik(kk)}, {"kk": grouped}):
        r = c.get("/keluarga", params=query)
        assert r.status_code == 200, query
        assert "Anggota keluarga" not in r.text and not REF.search(r.text)
        _no_identifier(r.text)
    assert len(_events(world.stores, "family.search")) == before
    status, html = _search(c, kk)  # the form still finds it
    assert status == 200 and "Anggota keluarga" in html
