"""``padu user`` (issue 14 item 3): every command, its Indonesian messages and exit codes,
where the password comes from, the token shown once, and the audit trail it leaves.

The commands open only the catalog of a fresh home. Hashing uses cheap argon2 parameters
(see tests/test_accounts.py); the format of a real hash is tested there.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

import padu.cli.user
from padu.accounts import authenticate, passwords, token_user
from padu.cli import main
from padu.settings import Settings
from padu.stores import Catalog

ADMIN = "admin-bappeda"
PASSWORD = "Kaltara-Bersatu-2026"  # noqa: S105 - a test account


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out.strip().splitlines()[-1])


class NoTerminal(io.StringIO):
    def isatty(self) -> bool:
        return False


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def quick_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    hasher = PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))
    monkeypatch.setattr(passwords, "HASHER", hasher)
    passwords.dummy_hash.cache_clear()
    monkeypatch.setenv("PADU_PASSWORD", PASSWORD)
    monkeypatch.setattr(sys, "stdin", NoTerminal())
    yield
    passwords.dummy_hash.cache_clear()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def padu(home: Path, *args: str) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--home", str(home), "--by", ADMIN, *args])
    return Ran(code, out.getvalue(), err.getvalue())


@pytest.fixture
def catalog(home: Path) -> Iterator[Catalog]:
    cat = Catalog.connect(Settings(home=home).resolved_catalog_url())
    try:
        yield cat
    finally:
        cat.close()


def test_add_list_and_sign_in(home: Path, catalog: Catalog) -> None:
    ran = padu(home, "user", "add", "budi", "--role", "admin")
    assert (ran.code, ran.out.strip()) == (0, "Pengguna budi ditambahkan: admin"), ran.err
    catalog.save_programmes([("DINSOS", "Dinas Sosial", "opd")], [], actor=ADMIN)
    ran = padu(home, "--json", "user", "add", "petugas", "--role", "opd", "--agency", "DINSOS")
    assert ran.code == 0, ran.out
    assert ran.json()["agency"] == "DINSOS" and PASSWORD not in ran.out and "argon2" not in ran.out
    ran = padu(home, "user", "list")
    assert ran.code == 0
    assert "budi" in ran.out and "petugas" in ran.out and "DINSOS" in ran.out
    assert "WITA" in ran.out and "aktif" in ran.out and "argon2" not in ran.out
    listed = padu(home, "user", "list", "--json").json()["users"]
    assert [(u["username"], u["role"], u["agency"], u["active"]) for u in listed] == [
        ("budi", "admin", None, True),
        ("petugas", "opd", "DINSOS", True),
    ]
    assert listed[0]["created_wita"].endswith("WITA")
    assert not {"password", "password_hash", "hash"} & set(listed[0])
    assert authenticate(catalog, "petugas", PASSWORD) is not None
    [event] = catalog.events("user.add")[1:]
    assert event.pelaku == ADMIN and PASSWORD not in event.rincian


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--role", "root"], 2, "peran tidak dikenal: 'root'"),
        (["--role", "opd"], 2, "peran opd membutuhkan instansi"),
        (["--role", "viewer", "--agency", "DINSOS"], 2, "instansi hanya untuk peran opd"),
        (["--role", "opd", "--agency", "TIDAKADA"], 1, "instansi 'TIDAKADA' tidak ada di katalog"),
        ([], 2, "--role"),
    ],
)
def test_add_refusals(home: Path, args: list[str], code: int, words: str) -> None:
    ran = padu(home, "user", "add", "budi", *args)
    assert ran.code == code, ran.err
    assert ran.err.startswith("galat: ") and words in ran.err
    assert padu(home, "user", "list", "--json").json() == {"users": []}


def test_add_bad_username_and_duplicate(home: Path) -> None:
    ran = padu(home, "user", "add", "Budi Santoso", "--role", "admin")
    assert ran.code == 2 and "nama pengguna tidak valid" in ran.err
    assert padu(home, "user", "add", "budi", "--role", "admin").code == 0
    ran = padu(home, "--json", "user", "add", "budi", "--role", "viewer")
    assert ran.code == 1
    assert ran.json() == {"error": "InputError", "message": "pengguna budi sudah ada"}


def test_password_rules(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PADU_PASSWORD", "pendek")
    ran = padu(home, "user", "add", "budi", "--role", "admin")
    assert ran.code == 1 and "kata sandi terlalu pendek: paling sedikit 10 karakter" in ran.err
    monkeypatch.setenv("PADU_PASSWORD", "punya-budi-ini")
    ran = padu(home, "user", "add", "budi", "--role", "admin")
    assert ran.code == 1 and "tidak boleh memuat nama pengguna" in ran.err
    assert "pendek" not in ran.err and "punya-budi-ini" not in ran.err


def test_no_password_source_is_a_usage_error(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PADU_PASSWORD")
    ran = padu(home, "user", "add", "budi", "--role", "admin")
    assert ran.code == 2
    assert ran.err == (
        "galat: kata sandi tidak diberikan: setel variabel lingkungan PADU_PASSWORD "
        "(atau jalankan perintah ini di terminal agar kata sandi ditanyakan)\n"
    )
    ran = padu(home, "--json", "user", "add", "budi", "--role", "admin")
    assert ran.code == 2 and ran.json()["error"] == "UsageError"
    assert padu(home, "user", "list", "--json").json() == {"users": []}


def test_password_asked_twice_on_a_terminal(
    home: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PADU_PASSWORD")
    monkeypatch.setattr(sys, "stdin", Terminal())
    typed = iter(["sandi-dari-terminal", "sandi-dari-terminal", "sandi-baru-satu", "lain"])
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(typed)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    assert padu(home, "user", "add", "budi", "--role", "admin").code == 0
    assert prompts == ["Kata sandi baru: ", "Ulangi kata sandi: "]
    assert authenticate(catalog, "budi", "sandi-dari-terminal") is not None
    ran = padu(home, "user", "password", "budi")
    assert ran.code == 1 and "kedua kata sandi tidak sama" in ran.err
    assert authenticate(catalog, "budi", "sandi-dari-terminal") is not None


def test_disable_enable_and_password(
    home: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert padu(home, "user", "add", "budi", "--role", "operator").code == 0
    ran = padu(home, "user", "disable", "budi")
    assert (ran.code, ran.out.strip()) == (0, "Pengguna budi dinonaktifkan; token API-nya dicabut")
    assert authenticate(catalog, "budi", PASSWORD) is None
    assert padu(home, "user", "list", "--json").json()["users"][0]["active"] is False
    assert "nonaktif" in padu(home, "user", "list").out
    ran = padu(home, "user", "enable", "budi")
    assert (ran.code, ran.out.strip()) == (0, "Pengguna budi aktif kembali")
    monkeypatch.setenv("PADU_PASSWORD", "sandi-baru-yang-panjang")
    ran = padu(home, "user", "password", "budi")
    assert (ran.code, ran.out.strip()) == (0, "Kata sandi budi diganti")
    assert authenticate(catalog, "budi", "sandi-baru-yang-panjang") is not None
    assert authenticate(catalog, "budi", PASSWORD) is None
    for command in ("disable", "enable", "password"):
        ran = padu(home, "user", command, "siapa")
        assert ran.code == 1 and "pengguna 'siapa' tidak ada" in ran.err, command


def test_unknown_user_is_named_before_a_password_is_asked(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PADU_PASSWORD")
    ran = padu(home, "user", "password", "siapa")
    assert ran.code == 1 and "pengguna 'siapa' tidak ada" in ran.err


def test_token_shown_once_then_only_listed(home: Path, catalog: Catalog) -> None:
    assert padu(home, "user", "add", "klien-api", "--role", "operator").code == 0
    ran = padu(home, "--json", "user", "token", "klien-api", "--label", "SIKS-NG")
    assert ran.code == 0
    token = ran.json()["token"]
    assert ran.json() == {"token": token} and len(token) >= 43
    user = token_user(catalog, token)
    assert user is not None and user.username == "klien-api"
    ran = padu(home, "user", "token", "klien-api")
    assert ran.code == 0
    lines = ran.out.strip().splitlines()
    assert lines[0] == "Token API untuk klien-api:"
    assert token_user(catalog, lines[1]) is not None
    assert "hanya ditampilkan sekali" in lines[2]
    listed = padu(home, "user", "tokens", "klien-api", "--json").json()["tokens"]
    assert [(t["id"], t["label"], t["active"]) for t in listed] == [
        (1, "SIKS-NG", True),
        (2, "", True),
    ]
    assert all(t["last_used_wita"].endswith("WITA") for t in listed)  # both were used
    shown = padu(home, "user", "tokens").out
    assert "SIKS-NG" in shown and token not in shown and lines[1] not in shown
    ran = padu(home, "user", "revoke-token", "1")
    assert (ran.code, ran.out.strip()) == (0, "Token 1 milik klien-api dicabut")
    assert token_user(catalog, token) is None
    assert token_user(catalog, lines[1]) is not None
    assert padu(home, "user", "disable", "klien-api").code == 0
    assert token_user(catalog, lines[1]) is None
    ran = padu(home, "user", "token", "klien-api")
    assert ran.code == 1 and "nonaktif" in ran.err
    assert padu(home, "user", "token", "siapa").code == 1
    assert padu(home, "user", "revoke-token", "99").code == 1
    assert padu(home, "user", "revoke-token", "satu").code == 2
    for event in catalog.events():
        assert token not in event.rincian and lines[1] not in event.rincian


def test_audit_trail(home: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    padu(home, "user", "add", "budi", "--role", "viewer")
    padu(home, "user", "token", "budi", "--label", "dasbor")
    monkeypatch.setenv("PADU_PASSWORD", "sandi-baru-yang-panjang")
    padu(home, "user", "password", "budi")
    padu(home, "user", "disable", "budi")
    padu(home, "user", "enable", "budi")
    events = [(e.jenis, e.pelaku) for e in catalog.events() if e.jenis.startswith("user.")]
    assert events == [
        ("user.add", ADMIN), ("user.token", ADMIN), ("user.password", ADMIN),
        ("user.disable", ADMIN), ("user.enable", ADMIN),
    ]  # fmt: skip
    for e in catalog.events():
        for secret in (PASSWORD, "sandi-baru-yang-panjang", "argon2"):
            assert secret not in e.rincian


def test_help_is_indonesian(home: Path) -> None:
    ran = padu(home, "user", "--help")
    assert ran.code == 0
    for words in ("Penggunaan: padu user", "Perintah", "Tambah pengguna", "token API"):
        assert words in ran.out
    ran = padu(home, "user", "add", "--help")
    assert "--agency" in ran.out and "wajib untuk peran opd" in ran.out
