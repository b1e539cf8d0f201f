"""The REST API v1 (issue 14, item 6) through FastAPI's TestClient.

Bearer tokens and sessions, 401/403 per role, one JSON error shape on every error path,
an opd's scope (its own programmes' families only: others read as not found), a viewer's
suppression, NIK/KK masked in every response body, and the ``api.ibr`` audit event.
Two target lists are adopted (PKH of KEMENSOS, RTLH of PERKIM) so enrolment exists.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient

from padu.accounts import add_user, issue_token
from padu.audit import API_IBR
from padu.jobs import JOB_DONE
from padu.programmes import preset_workshop
from padu.programmes.adopt import adopt_target_list
from padu.programmes.store import save_workshop
from padu.programmes.targeting import KK, NIK, draw_target_list
from padu.register.snapshots import snapshot_table
from padu.services.audit import AuditFilter, query_audit
from padu.web import create_app
from padu.web.config import WebSettings
from tests.conftest import Stores

if TYPE_CHECKING:
    import httpx  # annotations only: the test client is httpx2's

PASSWORD = "sandi-uji-yang-panjang"  # noqa: S105 - a test account's password
YEAR = 2026
SIXTEEN_DIGITS = re.compile(r"(?<![\d.])\d{16}(?!\d)")  # not a float's decimals
ROLES = {
    "admin1": ("admin", None),
    "operator1": ("operator", None),
    "opd-sosial": ("opd", "KEMENSOS"),
    "opd-perkim": ("opd", "PERKIM"),
    "pembaca": ("viewer", None),
}


@dataclass
class Api:
    client: TestClient
    tokens: dict[str, str]
    pkh: list[str]  # KKs of PKH's adopted list
    rtlh_only: list[str]  # KKs on RTLH's list and not on PKH's
    stores: Stores
    snapshot: int

    def auth(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def get(self, path: str, user: str | None = None, **kw: Any) -> httpx.Response:
        r = self.client.get(path, headers=self.auth(user) if user else {}, **kw)
        _no_identifier(r)
        return r

    def post(self, path: str, body: object, user: str | None = None) -> httpx.Response:
        r = self.client.post(path, json=body, headers=self.auth(user) if user else {})
        _no_identifier(r)
        return r


def _no_identifier(r: httpx.Response) -> None:
    """No NIK or KK leaves unmasked, in any response."""
    assert not SIXTEEN_DIGITS.search(r.text), r.text[:500]


def _adopt(stores: Stores, snapshot: int, code: str, version: int) -> list[str]:
    p = next(p for p in preset_workshop().programmes if p.code == code)
    target = draw_target_list(stores.warehouse, stores.catalog, p, version, snapshot)
    adopt_target_list(stores.warehouse, stores.catalog, target, actor="perencana")
    return sorted({str(r[KK]) for r in target.rows.to_pylist()})


@pytest.fixture
def api(stores: Stores, snapshot: int, tmp_path: Path) -> Iterator[Api]:
    versions = save_workshop(preset_workshop(), stores.catalog, actor="penguji")
    pkh = _adopt(stores, snapshot, "PKH", versions["PKH"])
    rtlh = _adopt(stores, snapshot, "RTLH", versions["RTLH"])
    tokens = {}
    for name, (role, agency) in ROLES.items():
        add_user(stores.catalog, name, PASSWORD, role, agency, actor="penguji")
        tokens[name] = issue_token(stores.catalog, name, "penguji")
    settings = WebSettings(
        home=tmp_path / "web-home",
        warehouse_url=stores.warehouse_url,
        catalog_url=stores.catalog_url,
        secret_key="k" * 40,
    )
    with TestClient(create_app(settings), follow_redirects=False) as c:
        yield Api(c, tokens, pkh, sorted(set(rtlh) - set(pkh)), stores, snapshot)


def _error(r: httpx.Response, status: int, kind: str | None = None) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "message"}
    if kind is not None:
        assert body["error"] == kind
    assert body["message"]
    return str(body["message"])


def _head_nik(api: Api, kk: str) -> str:
    ind = snapshot_table(api.stores.warehouse, api.stores.catalog, api.snapshot, "individu")
    rows = ind.filter(ind[KK] == kk).select(NIK).to_pyarrow().column(NIK).to_pylist()
    return str(next(n for n in rows if n))


def test_ibr_scope_per_role_on_both_backends(api: Api) -> None:
    """admin sees every family; an opd only its own programmes' families (with every
    programme they are in); another agency's family reads as not found."""
    assert api.pkh and api.rtlh_only
    ours, theirs = api.pkh[0], api.rtlh_only[0]
    body = {"kk": [ours, theirs, "6501999999999999"], "year": YEAR}
    admin = api.post("/api/v1/ibr/enrolled", body, "admin1").json()
    assert admin["scope"] == "semua" and admin["by"] == "kk" and admin["year"] == YEAR
    found = [(a["index"], a["found"]) for a in admin["results"]]
    assert found == [(0, True), (1, True), (2, False)]
    assert admin["results"][0]["id"] == ours[:4] + "\u2022" * 8 + ours[-4:]
    assert {("PKH", "planned")} <= {
        (p["programme"], p["basis"]) for p in admin["results"][0]["programmes"]
    }
    assert {(p["programme"], p["agency"]) for p in admin["results"][1]["programmes"]} == {
        ("RTLH", "PERKIM")
    }
    assert admin["results"][2]["programmes"] == []

    sosial = api.post("/api/v1/ibr/enrolled", body, "opd-sosial").json()
    assert sosial["scope"] == "instansi:KEMENSOS"
    assert [a["found"] for a in sosial["results"]] == [True, False, False]
    assert sosial["results"][1]["programmes"] == []  # invisible, not masked
    assert sosial["results"][0]["programmes"] == admin["results"][0]["programmes"]

    perkim = api.post("/api/v1/ibr/enrolled", body, "opd-perkim").json()
    assert [a["found"] for a in perkim["results"]] == [ours in _rtlh(admin), True, False]

    operator = api.post("/api/v1/ibr/enrolled", body, "operator1").json()
    assert operator["results"] == admin["results"]


def _rtlh(answer: dict[str, Any]) -> set[str]:
    return {
        api_id
        for a in answer["results"]
        for api_id in [a["id"]]
        if any(p["programme"] == "RTLH" for p in a["programmes"])
    }


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_ibr_by_nik_enrols_a_member_through_the_family(api: Api) -> None:
    nik = _head_nik(api, api.pkh[0])
    r = api.post("/api/v1/ibr/enrolled", {"nik": [nik], "year": YEAR}, "opd-sosial").json()
    assert r["by"] == "nik" and r["results"][0]["found"] is True
    assert ("PKH", "planned", YEAR) in {
        (p["programme"], p["basis"], p["year"]) for p in r["results"][0]["programmes"]
    }
    other = _head_nik(api, api.rtlh_only[0])
    r = api.post("/api/v1/ibr/enrolled", {"nik": [other], "year": YEAR}, "opd-sosial").json()
    assert r["results"][0] == {"index": 0, "id": r["results"][0]["id"], "found": False,
                               "programmes": []}  # fmt: skip


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_ibr_is_audited_with_the_ids_masked_on_display(api: Api) -> None:
    ids = api.pkh[:3]
    api.post("/api/v1/ibr/enrolled", {"kk": ids, "year": YEAR}, "opd-sosial")
    events = api.stores.catalog.events(API_IBR)
    assert [e.pelaku for e in events] == ["opd-sosial"]
    detail = json.loads(events[0].rincian)
    assert detail == {
        "by": "kk", "ids": ids, "n_ids": 3, "found": 3, "scope": "instansi:KEMENSOS",
        "year": YEAR, "snapshot": api.snapshot,
    }  # fmt: skip
    # "who looked up this KK": the admin finds the lookup by typing the number ...
    found = query_audit(api.stores.catalog, AuditFilter(kind=API_IBR, text=ids[1]))
    assert [e.actor for e in found.events] == ["opd-sosial"]
    # ... and reads it masked, the count in words
    shown = found.events[0]
    for text in (shown.summary, shown.detail_json):
        assert not SIXTEEN_DIGITS.search(text), text
        assert ids[1][:4] + "\u2022" * 8 + ids[1][-4:] in text
    assert "jumlah nomor: 3" in shown.summary and "nomor: " in shown.summary


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_who_may_call_what(api: Api) -> None:
    body = {"kk": api.pkh[:1], "year": YEAR}
    _error(api.post("/api/v1/ibr/enrolled", body), 401, "LoginRequired")
    _error(api.get("/api/v1/snapshots"), 401, "LoginRequired")
    bad = {"Authorization": "Bearer bukan-token"}
    _error(api.client.get("/api/v1/snapshots", headers=bad), 401, "LoginRequired")
    basic = {"Authorization": "Basic YWRtaW4xOnNhbmRp"}
    _error(api.client.get("/api/v1/snapshots", headers=basic), 401, "LoginRequired")
    message = _error(api.post("/api/v1/ibr/enrolled", body, "pembaca"), 403, "Forbidden")
    assert "agregat" in message
    for user in ROLES:
        assert api.get("/api/v1/snapshots", user).status_code == 200
        assert api.get("/api/v1/mpi", user).status_code == 200


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_browser_session_reads_but_does_not_write(api: Api) -> None:
    c = api.client
    page = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    form = {"username": "opd-sosial", "password": PASSWORD, "csrf_token": token.group(1)}
    assert c.post("/login", data=form).status_code == 303
    assert c.get("/api/v1/snapshots").status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/").text)
    assert found is not None  # the logged-in session's form token: CSRF passes, auth not
    headers = {"X-CSRF-Token": found.group(1)}
    r = c.post("/api/v1/ibr/enrolled", json={"kk": api.pkh[:1]}, headers=headers)
    _error(r, 401, "LoginRequired")


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_error_shape_404_and_422(api: Api) -> None:
    _error(api.get("/api/v1/mpi?snapshot=999", "admin1"), 404, "NotFound")
    _error(api.get("/api/v1/mpi?snapshot=12345678901234567890", "admin1"), 404, "NotFound")
    _error(api.get("/api/v1/mpi?snapshot=acuan:99999999999", "admin1"), 404, "NotFound")
    _error(api.get("/api/v1/mpi?snapshot=%C2%B2", "admin1"), 404, "NotFound")
    _error(api.get("/api/v1/mpi?by=provinsi", "admin1"), 422, "UsageError")
    _error(api.get("/api/v1/jobs/0", "admin1"), 422, "UsageError")
    _error(api.get("/api/v1/jobs/77", "admin1"), 404, "NotFound")
    for body in (
        {"nik": api.pkh[:1], "kk": api.pkh[:1]},  # both
        {},  # neither
        {"kk": []},
        {"kk": ["123"]},
        {"kk": ["6501999999999999"] * 1001},
        {"kk": api.pkh[:1], "lain": 1},
    ):
        _error(api.post("/api/v1/ibr/enrolled", body, "admin1"), 422, "UsageError")
    r = api.client.post("/api/v1/ibr/enrolled", content=b"{bukan json", headers=api.auth("admin1"))
    _error(r, 422, "UsageError")


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_mpi_full_for_admin_suppressed_for_viewer(api: Api) -> None:
    admin = api.get("/api/v1/mpi?by=desa", "admin1").json()
    viewer = api.get("/api/v1/mpi?by=desa", "pembaca").json()
    assert admin["measure"] == "padu-7" and admin["snapshot"]["id"] == api.snapshot
    assert [g["kode"] for g in admin["groups"]] == [g["kode"] for g in viewer["groups"]]
    small = [g for g in admin["groups"] if g["n"] < 5]
    assert small, "the small register has desa with under 5 families"
    assert not any(g["suppressed"] for g in admin["groups"])
    shown = {g["kode"]: g for g in viewer["groups"]}
    for g in small:
        v = shown[g["kode"]]
        assert v["suppressed"] is True
        assert [v[k] for k in ("n", "q", "H", "A", "M0")] == [None] * 5
    for g in admin["groups"]:
        v = shown[g["kode"]]
        if g["n"] >= 5 and 0 < g["q"] < 5:
            assert v["q"] is None and v["H"] is None
        if v["n"] is not None:
            assert v["n"] == g["n"]
        if v["q"] is not None:
            assert all(v[k] is None or v[k] == g[k] for k in ("n", "q", "H", "A", "M0"))
    # nothing hidden comes back as the overall figure minus the shown groups: the hidden
    # counts are none, or at least two adding up to 5 or more (complementary suppression)
    for key in ("n", "q"):
        hidden = [g[key] for g in admin["groups"] if shown[g["kode"]][key] is None and g[key]]
        assert not hidden or (len(hidden) > 1 and sum(hidden) >= 5), (key, hidden)
    kab = api.get("/api/v1/mpi?snapshot=latest&by=kabupaten", "admin1").json()
    assert {g["kode"] for g in kab["groups"]} <= {"65.01", "65.02", "65.03", "65.04", "65.71"}
    assert kab["overall"] == admin["overall"]


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_snapshots(api: Api) -> None:
    snaps = api.get("/api/v1/snapshots", "pembaca").json()
    snap = api.stores.catalog.snapshot(api.snapshot)
    assert snaps == [
        {"id": snap.id, "label": snap.label, "tanggal": snap.tanggal.isoformat(),
         "families": snap.keluarga, "persons": snap.individu}
    ]  # fmt: skip


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_jobs_own_or_admin_and_masked(api: Api) -> None:
    runner = api.client.app.state.padu.jobs  # type: ignore[attr-defined]
    kk = api.pkh[0]
    job_id = runner.submit("uji", "opd-sosial", {"n": 1}, lambda ctx: {"kk": kk, "n": 2})
    runner.wait(job_id, 10)
    mine = api.get(f"/api/v1/jobs/{job_id}", "opd-sosial").json()
    assert mine["state"] == JOB_DONE and mine["progress"] == 1.0
    assert mine["result"]["n"] == 2 and mine["result"]["kk"] != kk
    assert api.get(f"/api/v1/jobs/{job_id}", "admin1").json() == mine
    _error(api.get(f"/api/v1/jobs/{job_id}", "opd-perkim"), 404, "NotFound")


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_openapi_documents_every_error_in_one_shape(api: Api) -> None:
    doc = api.client.get("/openapi.json").json()
    assert "token" in doc["components"]["securitySchemes"]
    paths = {p: v for p, v in doc["paths"].items() if p.startswith("/api/v1")}
    assert set(paths) == {
        "/api/v1/snapshots", "/api/v1/mpi", "/api/v1/ibr/enrolled", "/api/v1/jobs/{job_id}",
    }  # fmt: skip
    for ops in paths.values():
        for op in ops.values():
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ApiError"}
            assert "401" in op["responses"]
