"""The account service: add, list, disable, re-password, sign in, and API tokens.

The CLI (``padu user``), the web app's login and the API's bearer check all call these, so
the rules (names, roles, password rules, argon2, tokens stored only as SHA-256) and the
audit events live in one place. Events never hold a password, a hash or a token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from padu.accounts.model import (
    DemoAccountRefused,
    TokenInfo,
    User,
    check_role,
    check_username,
)
from padu.accounts.passwords import check_password, dummy_hash, hash_password, verify
from padu.errors import InputError, NotFound
from padu.stores import Catalog
from padu.stores.catalog import ApiTokenRow, UserRow

#: A token's last use is written at most this often (not one catalog write per request).
TOKEN_TOUCH = dt.timedelta(minutes=1)
MAX_LABEL = 100


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _user(row: UserRow) -> User:
    role = check_role(row.role, row.agency)
    return User(
        row.username, role, row.agency, row.active, row.dibuat, row.sandi_diubah, bool(row.demo)
    )


def _token(row: ApiTokenRow) -> TokenInfo:
    return TokenInfo(row.id, row.username, row.label, row.dibuat, row.terakhir_dipakai, row.dicabut)


def _existing(catalog: Catalog, username: str) -> UserRow:
    row = catalog.user(username)
    if row is None:
        raise NotFound(f"pengguna {username[:60]!r} tidak ada; lihat `padu user list`")
    return row


def add_user(
    catalog: Catalog,
    username: str,
    password: str,
    role: str,
    agency: str | None = None,
    *,
    actor: str,
    demo: bool = False,
) -> User:
    """Create an active account; InputError naming the rule it breaks (name, role, agency,
    password, a name already taken), NotFound for an agency the catalog does not know.

    ``demo`` marks an account of ``make demo``, whose password is printed for anyone: the
    web app and the API refuse it unless the server runs in demo mode.
    """
    check_username(username)
    checked = check_role(role, agency)
    if agency is not None and agency not in {a.code for a in catalog.agencies()}:
        raise NotFound(
            f"instansi {agency[:60]!r} tidak ada di katalog; lihat `padu programme list` "
            "(instansi dimuat bersama program)"
        )
    check_password(password, username)
    now = _now()
    row = UserRow(
        username=username, role=checked, agency=agency, password_hash=hash_password(password),
        active=True, dibuat=now, sandi_diubah=now, pelaku=actor, demo=demo,
    )  # fmt: skip
    return _user(catalog.add_user(row))


def list_users(catalog: Catalog) -> list[User]:
    """Every account, by username (disabled ones too)."""
    return [_user(r) for r in catalog.users()]


def find_user(catalog: Catalog, username: str) -> User | None:
    """The account named ``username`` (as typed: case and spaces ignored), or None.

    For a session cookie that names its user: check ``active`` and ``password_changed``.
    """
    row = catalog.user(username.strip().lower())
    return None if row is None else _user(row)


def get_user(catalog: Catalog, username: str) -> User:
    """The account named ``username``; NotFound when there is none."""
    return _user(_existing(catalog, username))


def disable_user(catalog: Catalog, username: str, *, actor: str) -> User:
    """Stop an account signing in; its API tokens are revoked with it."""
    row, _revoked = catalog.set_user_active(_existing(catalog, username).username, False, actor)
    return _user(row)


def enable_user(catalog: Catalog, username: str, *, actor: str) -> User:
    """Let a disabled account sign in again (with its password; tokens must be reissued)."""
    row, _ = catalog.set_user_active(_existing(catalog, username).username, True, actor)
    return _user(row)


def set_password(catalog: Catalog, username: str, password: str, *, actor: str) -> User:
    """Give an account a new password (same rules as :func:`add_user`)."""
    row = _existing(catalog, username)
    check_password(password, row.username)
    return _user(catalog.set_password_hash(row.username, hash_password(password), actor))


def authenticate(
    catalog: Catalog, username: str, password: str, *, demo_mode: bool = False
) -> User | None:
    """The account when ``password`` is its password and it is active; None otherwise.

    A demo account with the right password raises :class:`DemoAccountRefused` unless
    ``demo_mode`` (the server's ``--demo``): its password is public.

    Every path verifies one argon2 hash (an unknown name against a dummy), so the answer
    takes as long whether the account exists, is disabled or the password is wrong: the
    time does not tell an attacker which names exist. A hash made with outdated parameters
    is replaced on a successful sign-in. Rate limiting is the caller's (LoginThrottle).
    """
    row = catalog.user(username.strip().lower()) if username else None
    if row is None or len(password) > 1024:
        verify(password[:1024], dummy_hash())
        return None
    ok, new_hash = verify(password, row.password_hash)
    if not ok or not row.active:
        return None
    check_demo(row.username, bool(row.demo), demo_mode=demo_mode)
    if new_hash is not None:
        row = catalog.set_password_hash(row.username, new_hash, None)
    return _user(row)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(catalog: Catalog, username: str, actor: str, *, label: str = "") -> str:
    """A new API token for an active account. The token is returned once and never stored:
    the catalog keeps its SHA-256 (a random 32-byte token needs no slow hash)."""
    row = _existing(catalog, username)
    if not row.active:
        raise InputError(f"pengguna {row.username} nonaktif; aktifkan dulu sebelum membuat token")
    label = label.strip()
    if len(label) > MAX_LABEL:
        raise InputError(f"label token terlalu panjang: paling banyak {MAX_LABEL} karakter")
    token = secrets.token_urlsafe(32)
    stored = ApiTokenRow(
        username=row.username, token_sha256=_digest(token), label=label, dibuat=_now(),
        terakhir_dipakai=None, dicabut=None, pelaku=actor,
    )  # fmt: skip
    catalog.add_token(stored)
    return token


def token_user(catalog: Catalog, token: str, *, demo_mode: bool = False) -> User | None:
    """The active account a bearer token belongs to (None: unknown, revoked, or its account
    disabled); records the token's last use. A demo account's token raises
    :class:`DemoAccountRefused` unless ``demo_mode``."""
    if not token or len(token) > 200:
        return None
    row = catalog.use_token(_digest(token), TOKEN_TOUCH)
    if row is None:
        return None
    check_demo(row.username, bool(row.demo), demo_mode=demo_mode)
    return _user(row)


def check_demo(username: str, demo: bool, *, demo_mode: bool) -> None:
    """Refuse a demo account on a server not in demo mode (:class:`DemoAccountRefused`).

    For a session already signed in: a server restarted without ``--demo`` must end the
    sessions its demo accounts opened before (pass ``user.demo``).
    """
    if demo and not demo_mode:
        raise DemoAccountRefused(username)


def list_tokens(catalog: Catalog, username: str | None = None) -> list[TokenInfo]:
    """The tokens (of one account, or of all), oldest first; never the tokens themselves."""
    if username is not None:
        username = _existing(catalog, username).username
    return [_token(r) for r in catalog.tokens(username)]


def revoke_token(catalog: Catalog, token_id: int, *, actor: str) -> TokenInfo:
    """Revoke one token by its id (as :func:`list_tokens` shows it)."""
    return _token(catalog.revoke_token(token_id, actor))
