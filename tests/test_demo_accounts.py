"""Demo accounts (issue 14 item 8): ``make demo`` prints their passwords, so they are
refused unless the server runs in demo mode, with a message that says why."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect

from padu.accounts import (
    DemoAccountRefused,
    add_user,
    authenticate,
    check_demo,
    get_user,
    issue_token,
    token_user,
)
from padu.programmes import preset_workshop
from padu.programmes.store import save_workshop
from padu.stores import Catalog
from tests.conftest import Stores
from tests.web_support import csrf_of

PADU = Path(sys.executable).with_name("padu")
SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "demo-accounts.sh"
DEMO_PASSWORD = "kaltara-admin-2026"  # noqa: S105 - the published demo password


def test_migration_adds_demo_false_for_every_existing_account(stores: Stores) -> None:
    columns = {c["name"]: c for c in inspect(stores.catalog.engine).get_columns("pengguna")}
    assert "demo" in columns and not columns["demo"]["nullable"]
    real = add_user(stores.catalog, "budi", "kata-sandi-panjang", "admin", actor="penguji")
    assert real.demo is False
    assert get_user(stores.catalog, "budi").demo is False


def test_demo_account_is_refused_outside_demo_mode(stores: Stores) -> None:
    made = add_user(
        stores.catalog, "demo-admin", DEMO_PASSWORD, "admin", actor="make-demo", demo=True
    )
    assert made.demo is True
    with pytest.raises(DemoAccountRefused) as refused:
        authenticate(stores.catalog, "demo-admin", DEMO_PASSWORD)
    assert "akun demo-admin adalah akun demo" in refused.value.message
    assert "padu serve --demo" in refused.value.message
    assert refused.value.http_status == 403
    # a wrong password says nothing about the account being a demo one
    assert authenticate(stores.catalog, "demo-admin", "salah-sama-sekali") is None
    user = authenticate(stores.catalog, "demo-admin", DEMO_PASSWORD, demo_mode=True)
    assert user is not None and user.demo and user.role == "admin"


def test_demo_token_is_refused_outside_demo_mode(stores: Stores) -> None:
    add_user(stores.catalog, "demo-viewer", "kaltara-viewer-2026", "viewer", actor="x", demo=True)
    token = issue_token(stores.catalog, "demo-viewer", "x")
    with pytest.raises(DemoAccountRefused, match="mode demo"):
        token_user(stores.catalog, token)
    found = token_user(stores.catalog, token, demo_mode=True)
    assert found is not None and found.username == "demo-viewer"
    # a session opened in demo mode is ended by a server restarted without it
    with pytest.raises(DemoAccountRefused):
        check_demo(found.username, found.demo, demo_mode=False)
    check_demo("budi", False, demo_mode=False)


def test_demo_account_flag_is_in_the_audit_event(stores: Stores) -> None:
    add_user(stores.catalog, "demo-opd", "kaltara-viewer-2026", "viewer", actor="x", demo=True)
    events = stores.catalog.events("user.add")
    assert events and json.loads(events[-1].rincian).get("demo") is True


def test_web_login_and_api_refuse_a_demo_account(stores: Stores, web: TestClient) -> None:
    add_user(stores.catalog, "demo-admin", DEMO_PASSWORD, "admin", actor="make-demo", demo=True)
    token = csrf_of(web.get("/login").text)
    r = web.post(
        "/login", data={"username": "demo-admin", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 403
    assert "akun demo" in r.text and "padu serve --demo" in r.text
    api_token = issue_token(stores.catalog, "demo-admin", "make-demo")
    r = web.get("/api/v1/snapshots", headers={"Authorization": f"Bearer {api_token}"})
    assert r.status_code in (401, 403)
    assert "akun demo" in r.json()["message"]


def test_demo_accounts_script_is_idempotent(tmp_path: Path) -> None:
    home = tmp_path / "home"
    catalog = Catalog.connect(f"sqlite:///{home / 'catalog.sqlite'}")
    try:
        save_workshop(preset_workshop("kaltara-2026"), catalog, actor="penguji")
    finally:
        catalog.close()
    env = {**os.environ, "PADU": f"{PADU} --home {home}"}
    for _ in range(2):  # a second `make demo` finds the accounts there
        done = subprocess.run(
            ["sh", str(SCRIPT), "http://127.0.0.1:8000/"],
            capture_output=True, text=True, env=env, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        assert "http://127.0.0.1:8000/" in done.stdout
        for name in ("demo-admin", "demo-operator", "demo-opd", "demo-viewer"):
            assert name in done.stdout
    catalog = Catalog.connect(f"sqlite:///{home / 'catalog.sqlite'}")
    try:
        opd = get_user(catalog, "demo-opd")
        assert opd.demo and opd.agency == "PERKIM"
        assert authenticate(catalog, "demo-viewer", "kaltara-viewer-2026", demo_mode=True)
    finally:
        catalog.close()


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["serve", "--demo", "--host", "0.0.0.0"], {}),  # noqa: S104 - the refused address
        (["serve", "--host", "192.168.1.10"], {"PADU_DEMO": "1"}),
        (["serve", "--demo", "--host", "padu.kaltara.go.id"], {}),
    ],
)
def test_demo_server_refuses_a_network_address(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], env: dict[str, str]
) -> None:
    import uvicorn

    from padu.cli import main

    def never(*_a: object, **_k: object) -> None:
        raise AssertionError("uvicorn must not start")

    monkeypatch.setattr(uvicorn, "run", never)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    err = io.StringIO()
    with redirect_stderr(err), redirect_stdout(io.StringIO()):
        code = main(["--home", str(tmp_path / "home"), *args])
    assert code == 2
    assert "mode demo hanya boleh mendengar di komputer ini" in err.getvalue()
    assert "kata sandi akun demo bersifat publik" in err.getvalue()


def test_loopback_hosts() -> None:
    from padu.cli.serve import is_loopback

    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        assert is_loopback(host), host
    for host in ("0.0.0.0", "::", "10.0.0.5", "padu.local", ""):  # noqa: S104
        assert not is_loopback(host), host
