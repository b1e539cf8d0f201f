"""Shared fixtures for the web tests (a pytest plugin, loaded by tests/conftest.py).

Every page's tests use the same accounts, one per role, the same settings and the same
ways in: a FastAPI ``TestClient`` (``web``), a uvicorn server on 127.0.0.1 (``live``) and a
real headless Chromium page (``chromium_page``). Screenshots go to ``tests/artifacts/``.
"""

from __future__ import annotations

import dataclasses
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from padu.accounts import add_user
from padu.programmes import preset_workshop
from padu.programmes.adopt import adopt_target_list
from padu.programmes.store import save_workshop
from padu.programmes.targeting import KK, NIK, draw_target_list
from padu.register.snapshots import snapshot_table
from padu.web import create_app
from padu.web.config import WebSettings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = Path(__file__).parent / "artifacts"
PASSWORD = "sandi-uji-yang-panjang"  # noqa: S105 - the test accounts' password

#: one account per role: username -> (role, agency)
ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "admin1": ("admin", None),
    "operator1": ("operator", None),
    "opd_dinsos": ("opd", "DINSOS"),
    "opd_perkim": ("opd", "PERKIM"),
    "pembaca": ("viewer", None),
}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed (/usr/bin/chromium); "
    "scripts/system-deps.sh installs it for `make test`",
)


def web_settings_for(stores: object, tmp_path: Path, **extra: object) -> WebSettings:
    return WebSettings(
        home=tmp_path / "web-home",
        warehouse_url=stores.warehouse_url,  # type: ignore[attr-defined]
        catalog_url=stores.catalog_url,  # type: ignore[attr-defined]
        secret_key="k" * 40,
        **extra,  # type: ignore[arg-type]
    )


def add_accounts(stores: object) -> None:
    """The preset programmes and agencies (an opd account needs its agency), then one
    account per role (:data:`ACCOUNTS`)."""
    catalog = stores.catalog  # type: ignore[attr-defined]
    if not catalog.agencies():
        save_workshop(preset_workshop("kaltara-2026"), catalog, actor="penguji")
    for name, (role, agency) in ACCOUNTS.items():
        add_user(catalog, name, PASSWORD, role, agency, actor="penguji")


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF field on the page"
    return found.group(1)


def log_in(c: TestClient, user: str, password: str = PASSWORD) -> None:
    """Log ``user`` in on ``c`` (any earlier session on it is dropped first)."""
    c.cookies.clear()
    token = csrf_of(c.get("/login").text)
    r = c.post("/login", data={"username": user, "password": password, "csrf_token": token})
    assert r.status_code == 303, r.text[:500]


@pytest.fixture
def web(stores: object, snapshot: int, tmp_path: Path) -> Iterator[TestClient]:
    """A TestClient over the small register with every account of :data:`ACCOUNTS`
    (not logged in; use :func:`log_in`)."""
    add_accounts(stores)
    app = create_app(web_settings_for(stores, tmp_path))
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    url: str
    settings: WebSettings


@pytest.fixture
def live(stores: object, snapshot: int, tmp_path: Path) -> Iterator[Live]:
    """The app served by uvicorn in a thread on 127.0.0.1, with every account."""
    import uvicorn

    add_accounts(stores)
    settings = web_settings_for(stores, tmp_path)
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning",
        proxy_headers=False,
    )  # fmt: skip
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield Live(f"http://127.0.0.1:{port}", settings)
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def chromium_page(live: Live) -> Iterator[object]:
    """A Playwright page in Debian's headless Chromium (1366x900, id-ID)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="id-ID")
        yield context.new_page()
        context.close()
        browser.close()


def browser_log_in(page: object, live: Live, user: str) -> None:
    """Log in through the form and wait for Beranda."""
    page.goto(f"{live.url}/login")  # type: ignore[attr-defined]
    page.fill("input[name=username]", user)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live.url}/")  # type: ignore[attr-defined]


def screenshot(page: object, name: str) -> Path:
    """A full-page screenshot ``tests/artifacts/<name>.png`` (look at it)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


@dataclass
class AgencyLists:
    """Two agencies' adopted lists on the small register: PKH moved to DINSOS (the preset
    gives DINSOS none) and PERKIM's RTLH, for the opd scope tests."""

    stores: Any
    snapshot: int
    dinsos_only: str  # a KK on PKH's (DINSOS) list, not on RTLH's (PERKIM)
    perkim: str  # a KK on RTLH's list
    rtlh: list[str]  # every KK on RTLH's list
    pkh: list[str]  # every KK on PKH's list

    def head_nik(self, kk: str) -> str:
        ind = snapshot_table(self.stores.warehouse, self.stores.catalog, self.snapshot, "individu")
        rows = ind.filter(ind[KK] == kk).select(NIK).to_pyarrow().column(NIK).to_pylist()
        return str(next(n for n in rows if n))

    def desa_of(self, kk: str) -> str:
        kel = snapshot_table(self.stores.warehouse, self.stores.catalog, self.snapshot)
        rows = kel.filter(kel[KK] == kk).select("kode_kelurahan_desa").to_pyarrow()
        return str(rows.column(0)[0].as_py())


def _adopt(stores: Any, snapshot: int, programme: object, version: int) -> list[str]:
    target = draw_target_list(stores.warehouse, stores.catalog, programme, version, snapshot)  # type: ignore[arg-type]
    adopt_target_list(stores.warehouse, stores.catalog, target, actor="perencana")
    return sorted({str(r[KK]) for r in target.rows.to_pylist()})


def adopt_agency_lists(stores: Any, snapshot: int) -> AgencyLists:
    """Adopt PKH (as DINSOS's) and RTLH (PERKIM's) on ``snapshot``; their families."""
    shop = preset_workshop("kaltara-2026")
    shop.programmes = [
        dataclasses.replace(p, agency="DINSOS") if p.code == "PKH" else p for p in shop.programmes
    ]
    versions = save_workshop(shop, stores.catalog, actor="penguji")
    progs = {p.code: p for p in shop.programmes}
    pkh = _adopt(stores, snapshot, progs["PKH"], versions["PKH"])
    rtlh = _adopt(stores, snapshot, progs["RTLH"], versions["RTLH"])
    only = sorted(set(pkh) - set(rtlh))
    assert only and rtlh
    return AgencyLists(stores, snapshot, only[0], rtlh[0], rtlh, pkh)


def lists_fields(lists: AgencyLists) -> dict[str, Any]:
    """The fields of ``lists``, to build a subclass from it."""
    return {f.name: getattr(lists, f.name) for f in dataclasses.fields(lists)}
