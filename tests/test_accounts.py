"""Accounts, passwords and API tokens (issue 14 item 3) on both catalogs, and the login
throttle with a fake clock.

Most tests hash with cheap argon2 parameters (the ``quick_hasher`` fixture): the real ones
cost about half a second per hash on this machine. The tests that are about the real
parameters (the hash format, the rehash) say so.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from padu.accounts import (
    User,
    add_user,
    authenticate,
    disable_user,
    enable_user,
    find_user,
    get_user,
    issue_token,
    list_tokens,
    list_users,
    passwords,
    revoke_token,
    set_password,
    token_user,
)
from padu.audit import USER_ADD, USER_DISABLE, USER_ENABLE, USER_PASSWORD, USER_TOKEN
from padu.errors import InputError, NotFound
from padu.stores.catalog import ApiTokenRow, UserRow
from tests.conftest import Stores

ADMIN = "admin-bappeda"
PASSWORD = "Kaltara-Bersatu-2026"  # noqa: S105 - a test account


def quick() -> PasswordHash:
    return PasswordHash((Argon2Hasher(time_cost=1, memory_cost=1024, parallelism=1),))


@pytest.fixture(autouse=True)
def quick_hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(passwords, "HASHER", quick())
    passwords.dummy_hash.cache_clear()
    yield
    passwords.dummy_hash.cache_clear()


def _row(stores: Stores, username: str) -> UserRow:
    row = stores.catalog.user(username)
    assert row is not None
    return row


def _agency(stores: Stores, code: str = "DINSOS") -> None:
    stores.catalog.save_programmes([(code, "Dinas Sosial", "opd")], [], actor=ADMIN)


# -- passwords ---------------------------------------------------------------------------
def test_real_hash_is_argon2id_and_not_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "HASHER", PasswordHash((Argon2Hasher(),)))
    hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD not in hashed
    assert passwords.hash_password(PASSWORD) != hashed  # salted
    assert passwords.verify(PASSWORD, hashed) == (True, None)
    assert passwords.verify(PASSWORD + "x", hashed)[0] is False


@pytest.mark.parametrize(
    ("password", "words"),
    [
        ("pendek123", "paling sedikit 10"),
        ("x" * 1025, "paling banyak 1024"),
        ("sandiku-Siti.Aminah-99", "memuat nama pengguna"),
    ],
)
def test_password_rules(password: str, words: str) -> None:
    with pytest.raises(InputError, match=words):
        passwords.check_password(password, "siti.aminah")
    passwords.check_password("sepuluh-ch", "siti.aminah")  # exactly 10: accepted


# -- accounts ----------------------------------------------------------------------------
def test_add_and_authenticate(stores: Stores) -> None:
    cat = stores.catalog
    user = add_user(cat, "budi", PASSWORD, "admin", actor=ADMIN)
    assert user == User("budi", "admin", None, True, user.created, user.created)
    row = _row(stores, "budi")
    assert row.password_hash.startswith("$argon2id$") and PASSWORD not in row.password_hash
    assert authenticate(cat, "budi", PASSWORD) == user
    assert authenticate(cat, " Budi ", PASSWORD) == user  # as typed in a login form
    assert authenticate(cat, "budi", PASSWORD.lower()) is None
    assert authenticate(cat, "budi", "") is None
    assert authenticate(cat, "tidak-ada", PASSWORD) is None
    assert authenticate(cat, "", PASSWORD) is None
    assert [u.username for u in list_users(cat)] == ["budi"]
    assert find_user(cat, "BUDI") == user and find_user(cat, "siapa") is None
    with pytest.raises(NotFound, match="tidak ada"):
        get_user(cat, "siapa")


def test_opd_belongs_to_a_known_agency(stores: Stores) -> None:
    cat = stores.catalog
    with pytest.raises(NotFound, match="instansi 'DINSOS' tidak ada di katalog"):
        add_user(cat, "petugas", PASSWORD, "opd", "DINSOS", actor=ADMIN)
    _agency(stores)
    user = add_user(cat, "petugas", PASSWORD, "opd", "DINSOS", actor=ADMIN)
    assert (user.role, user.agency) == ("opd", "DINSOS")
    assert authenticate(cat, "petugas", PASSWORD) == user


@pytest.mark.parametrize(
    ("username", "role", "agency", "password", "error", "words"),
    [
        ("Budi", "admin", None, PASSWORD, InputError, "nama pengguna tidak valid"),
        ("bu", "admin", None, PASSWORD, InputError, "nama pengguna tidak valid"),
        ("1budi", "admin", None, PASSWORD, InputError, "nama pengguna tidak valid"),
        ("budi", "root", None, PASSWORD, InputError, "peran tidak dikenal"),
        ("budi", "opd", None, PASSWORD, InputError, "membutuhkan instansi"),
        ("budi", "viewer", "DINSOS", PASSWORD, InputError, "hanya untuk peran opd"),
        ("budi", "admin", None, "pendek", InputError, "terlalu pendek"),
        ("budi", "admin", None, "budi-budi-budi", InputError, "nama pengguna"),
        ("ani", "admin", None, PASSWORD, InputError, "sudah ada"),
    ],
)
def test_add_user_refusals(
    stores: Stores,
    username: str,
    role: str,
    agency: str | None,
    password: str,
    error: type[Exception],
    words: str,
) -> None:
    add_user(stores.catalog, "ani", PASSWORD, "viewer", actor=ADMIN)
    before = len(stores.catalog.events())
    with pytest.raises(error, match=words):
        add_user(stores.catalog, username, password, role, agency, actor=ADMIN)
    assert [u.username for u in list_users(stores.catalog)] == ["ani"]
    assert len(stores.catalog.events()) == before  # nothing recorded for a refusal


def test_disabled_user_cannot_sign_in(stores: Stores) -> None:
    cat = stores.catalog
    add_user(cat, "budi", PASSWORD, "operator", actor=ADMIN)
    assert disable_user(cat, "budi", actor=ADMIN).active is False
    assert authenticate(cat, "budi", PASSWORD) is None
    assert enable_user(cat, "budi", actor=ADMIN).active is True
    assert authenticate(cat, "budi", PASSWORD) is not None
    with pytest.raises(NotFound):
        disable_user(cat, "siapa", actor=ADMIN)


class SpyHasher:
    """The hasher, recording which hashes every verification was against."""

    def __init__(self, inner: PasswordHash) -> None:
        self.inner, self.verified = inner, []  # type: ignore[var-annotated]

    def hash(self, password: str) -> str:
        return self.inner.hash(password)

    def verify_and_update(self, password: str, hashed: str) -> tuple[bool, str | None]:
        self.verified.append(hashed)
        return self.inner.verify_and_update(password, hashed)


def test_every_sign_in_path_verifies_one_hash(
    stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unknown name costs one argon2 verification like a known one (against the dummy
    hash): the response time does not tell which accounts exist."""
    cat = stores.catalog
    add_user(cat, "budi", PASSWORD, "viewer", actor=ADMIN)
    add_user(cat, "siti", PASSWORD, "viewer", actor=ADMIN)
    disable_user(cat, "siti", actor=ADMIN)
    spy = SpyHasher(passwords.HASHER)
    monkeypatch.setattr(passwords, "HASHER", spy)
    cases = [("tidak-ada", PASSWORD), ("", ""), ("budi", "salah-sandi-123"), ("siti", PASSWORD),
             ("budi", PASSWORD), ("tidak-ada", "x" * 5000)]  # fmt: skip
    for username, password in cases:
        before = len(spy.verified)
        authenticate(cat, username, password)
        assert len(spy.verified) == before + 1, username
    dummy = passwords.dummy_hash()
    assert spy.verified[0] == spy.verified[1] == spy.verified[5] == dummy
    assert spy.verified[2] == _row(stores, "budi").password_hash != dummy
    assert spy.verified[3] == _row(stores, "siti").password_hash


def test_outdated_hash_is_replaced_at_sign_in(stores: Stores) -> None:
    cat = stores.catalog
    user = add_user(cat, "budi", PASSWORD, "admin", actor=ADMIN)
    old = PasswordHash((Argon2Hasher(time_cost=2, memory_cost=1024, parallelism=1),))
    cat.set_password_hash("budi", old.hash(PASSWORD), None)  # as made by an older Padu
    assert authenticate(cat, "budi", "salah-sandi-123") is None
    assert _row(stores, "budi").password_hash.startswith("$argon2id$v=19$m=1024,t=2,p=1$")
    assert authenticate(cat, "budi", PASSWORD) == user  # password_changed kept
    assert _row(stores, "budi").password_hash.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert authenticate(cat, "budi", PASSWORD) == user
    assert not cat.events(USER_PASSWORD)  # a rehash is not a password change


def test_set_password(stores: Stores) -> None:
    cat = stores.catalog
    user = add_user(cat, "budi", PASSWORD, "admin", actor=ADMIN)
    with pytest.raises(InputError, match="terlalu pendek"):
        set_password(cat, "budi", "pendek", actor=ADMIN)
    with pytest.raises(NotFound):
        set_password(cat, "siapa", "sandi-baru-yang-panjang", actor=ADMIN)
    changed = set_password(cat, "budi", "sandi-baru-yang-panjang", actor="budi")
    assert changed.password_changed > user.password_changed
    assert authenticate(cat, "budi", PASSWORD) is None
    assert authenticate(cat, "budi", "sandi-baru-yang-panjang") == changed
    [event] = cat.events(USER_PASSWORD)
    assert (event.pelaku, json.loads(event.rincian)) == ("budi", {"username": "budi"})


# -- tokens ------------------------------------------------------------------------------
def _token_rows(stores: Stores) -> list[ApiTokenRow]:
    return stores.catalog.tokens()


def test_tokens_store_only_their_hash(stores: Stores) -> None:
    cat = stores.catalog
    user = add_user(cat, "klien-api", PASSWORD, "operator", actor=ADMIN)
    token = issue_token(cat, "klien-api", ADMIN, label="SIKS-NG")
    assert len(token) >= 43 and token != issue_token(cat, "klien-api", ADMIN)
    row = _token_rows(stores)[0]
    assert row.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(v) for v in vars(row).values())
    assert token not in stored
    assert row.terakhir_dipakai is None
    assert token_user(cat, token) == user
    assert _token_rows(stores)[0].terakhir_dipakai is not None  # last use recorded
    assert token_user(cat, token + "x") is None
    assert token_user(cat, "") is None
    assert token_user(cat, "a" * 10_000) is None
    [first, second] = list_tokens(cat, "klien-api")
    assert (first.label, second.label, first.active) == ("SIKS-NG", "", True)


def test_revoked_and_disabled_tokens_stop_working(stores: Stores) -> None:
    cat = stores.catalog
    add_user(cat, "klien-api", PASSWORD, "operator", actor=ADMIN)
    one = issue_token(cat, "klien-api", ADMIN, label="satu")
    two = issue_token(cat, "klien-api", ADMIN, label="dua")
    first = list_tokens(cat)[0]
    assert revoke_token(cat, first.id, actor=ADMIN).active is False
    revoke_token(cat, first.id, actor=ADMIN)  # again: no change, no second event
    assert token_user(cat, one) is None
    assert token_user(cat, two) is not None
    disable_user(cat, "klien-api", actor=ADMIN)
    assert token_user(cat, two) is None
    enable_user(cat, "klien-api", actor=ADMIN)
    assert token_user(cat, two) is None  # disabling revoked it for good
    assert all(not t.active for t in list_tokens(cat, "klien-api"))
    disable_user(cat, "klien-api", actor=ADMIN)
    with pytest.raises(InputError, match="nonaktif"):
        issue_token(cat, "klien-api", ADMIN)
    with pytest.raises(NotFound):
        issue_token(cat, "siapa", ADMIN)
    with pytest.raises(NotFound):
        revoke_token(cat, 999, actor=ADMIN)
    revokes = [json.loads(e.rincian) for e in cat.events(USER_TOKEN)]
    assert [r["action"] for r in revokes] == ["issue", "issue", "revoke"]


def test_audit_events_name_the_account_and_hold_no_secret(stores: Stores) -> None:
    cat = stores.catalog
    _agency(stores)
    add_user(cat, "petugas", PASSWORD, "opd", "DINSOS", actor=ADMIN)
    token = issue_token(cat, "petugas", ADMIN, label="aplikasi")
    set_password(cat, "petugas", "sandi-baru-yang-panjang", actor=ADMIN)
    revoke_token(cat, list_tokens(cat)[0].id, actor=ADMIN)
    issue_token(cat, "petugas", ADMIN)
    disable_user(cat, "petugas", actor=ADMIN)
    enable_user(cat, "petugas", actor=ADMIN)
    events = [e for e in cat.events() if e.jenis.startswith("user.")]
    got = [(e.jenis, e.pelaku, json.loads(e.rincian)) for e in events]
    assert got == [
        (USER_ADD, ADMIN, {"username": "petugas", "role": "opd", "agency": "DINSOS"}),
        (USER_TOKEN, ADMIN, {"username": "petugas", "token": 1, "label": "aplikasi",
                             "action": "issue"}),
        (USER_PASSWORD, ADMIN, {"username": "petugas"}),
        (USER_TOKEN, ADMIN, {"username": "petugas", "token": 1, "label": "aplikasi",
                             "action": "revoke"}),
        (USER_TOKEN, ADMIN, {"username": "petugas", "token": 2, "label": "", "action": "issue"}),
        (USER_DISABLE, ADMIN, {"username": "petugas", "tokens_revoked": 1}),
        (USER_ENABLE, ADMIN, {"username": "petugas"}),
    ]  # fmt: skip
    hashes = [_row(stores, "petugas").password_hash, *(t.token_sha256 for t in cat.tokens())]
    for e in events:
        for secret in (PASSWORD, "sandi-baru-yang-panjang", token, "$argon2", *hashes):
            assert secret not in e.rincian
