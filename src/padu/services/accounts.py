"""Accounts as the Pengguna page manages them: a form's problems by field, the user table.

:mod:`padu.accounts` keeps the rules (names, roles, passwords, tokens) and records every
change; this module adds what a form needs on top: every problem of a new account at once,
each tied to the field it belongs to (so the page shows it next to that field), the
"type the password twice" check, the rule that an admin cannot lock themself out, and the
user table with each account's tokens and last sign-in.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel
from sqlalchemy import func, select

from padu.accounts import (
    ROLES,
    TokenInfo,
    User,
    add_user,
    disable_user,
    enable_user,
    get_user,
    issue_token,
    list_tokens,
    list_users,
    revoke_token,
    set_password,
)
from padu.accounts.model import check_role, check_username
from padu.accounts.passwords import check_password
from padu.errors import InputError, NotFound
from padu.stores import Catalog
from padu.stores.catalog import AuditRow

#: the event a successful sign-in would record (the login route does not yet; see the report)
USER_LOGIN = "user.login"
USER_LOGIN_FAILED = "user.login_failed"
SAME = "kedua kata sandi tidak sama"


class FormProblems(InputError):
    """A form's problems, each under the field it belongs to (``""``: the form as a whole)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k or 'formulir'}: {v}" for k, v in fields.items()))
        self.fields = fields


class Token(BaseModel):
    """An API token as listed: never the token itself."""

    id: int
    label: str
    created: dt.datetime
    last_used: dt.datetime | None
    revoked: dt.datetime | None


class Account(BaseModel):
    """One row of the user table."""

    username: str
    role: str
    agency: str | None
    active: bool
    created: dt.datetime
    password_changed: dt.datetime
    last_login: dt.datetime | None
    tokens: list[Token]
    demo: bool = False  # made by `make demo`: refused outside demo mode

    @property
    def active_tokens(self) -> int:
        return sum(1 for t in self.tokens if t.revoked is None)


def _token(t: TokenInfo) -> Token:
    return Token(id=t.id, label=t.label, created=t.created, last_used=t.last_used,
                 revoked=t.revoked)  # fmt: skip


def _last_logins(catalog: Catalog) -> dict[str, dt.datetime]:
    with catalog.session() as s:
        q = (
            select(AuditRow.pelaku, func.max(AuditRow.waktu))
            .where(AuditRow.jenis == USER_LOGIN)
            .group_by(AuditRow.pelaku)
        )
        return {str(who): when for who, when in s.execute(q)}


def accounts(catalog: Catalog) -> list[Account]:
    """Every account (disabled ones too) with its tokens and last sign-in when recorded."""
    logins = _last_logins(catalog)
    tokens: dict[str, list[Token]] = {}
    for t in list_tokens(catalog):
        tokens.setdefault(t.username, []).append(_token(t))
    return [
        Account(
            username=u.username,
            role=u.role,
            agency=u.agency,
            active=u.active,
            created=u.created,
            password_changed=u.password_changed,
            last_login=logins.get(u.username),
            tokens=tokens.get(u.username, []),
            demo=bool(getattr(u, "demo", False)),
        )
        for u in list_users(catalog)
    ]


def _problem(exc: InputError) -> str:
    return exc.message


def new_account(
    catalog: Catalog,
    username: str,
    role: str,
    agency: str | None,
    password: str,
    password_again: str,
    *,
    actor: str,
) -> User:
    """Create an account from the form; :class:`FormProblems` with every problem by field.

    ``agency`` is ignored for the roles that have none (a form may send the select's value
    whatever the role)."""
    username = username.strip().lower()
    agency = (agency or "").strip() or None
    if role != "opd":
        agency = None
    problems: dict[str, str] = {}
    try:
        if not username:
            raise InputError("nama pengguna wajib diisi")
        check_username(username)
    except InputError as exc:
        problems["username"] = _problem(exc)
    else:
        if catalog.user(username) is not None:
            problems["username"] = f"pengguna {username} sudah ada"
    if role not in ROLES:
        problems["role"] = f"pilih salah satu peran: {', '.join(ROLES)}"
    else:
        try:
            check_role(role, agency)
        except InputError as exc:
            problems["agency"] = _problem(exc).replace(" (--agency KODE)", "")
    if agency is not None and agency not in {a.code for a in catalog.agencies()}:
        problems["agency"] = "instansi tidak ada di katalog"
    try:
        check_password(password, username)
    except InputError as exc:
        problems["password"] = _problem(exc)
    if password != password_again:
        problems["password_again"] = SAME
    if problems:
        raise FormProblems(problems)
    return add_user(catalog, username, password, role, agency, actor=actor)


def change_password(
    catalog: Catalog, username: str, password: str, password_again: str, *, actor: str
) -> User:
    """Set a new password from the form (typed twice); FormProblems by field."""
    user = get_user(catalog, username)
    problems: dict[str, str] = {}
    try:
        check_password(password, user.username)
    except InputError as exc:
        problems["password"] = _problem(exc)
    if password != password_again:
        problems["password_again"] = SAME
    if problems:
        raise FormProblems(problems)
    return set_password(catalog, user.username, password, actor=actor)


def set_active(catalog: Catalog, username: str, active: bool, *, actor: str) -> User:
    """Enable or disable an account; an admin cannot disable their own (they would lock
    themself out, and perhaps the last admin with them)."""
    user = get_user(catalog, username)
    if not active and user.username == actor:
        raise FormProblems({"": "Anda tidak dapat menonaktifkan akun Anda sendiri"})
    if active:
        return enable_user(catalog, user.username, actor=actor)
    return disable_user(catalog, user.username, actor=actor)


def new_token(catalog: Catalog, username: str, label: str, *, actor: str) -> str:
    """A new API token for ``username`` (returned once; the catalog keeps only its hash)."""
    user = get_user(catalog, username)
    try:
        return issue_token(catalog, user.username, actor, label=label)
    except InputError as exc:
        raise FormProblems({"label": _problem(exc)}) from exc


def revoke(catalog: Catalog, username: str, token_id: int, *, actor: str) -> Token:
    """Revoke token ``token_id`` of ``username`` (a token of another account: NotFound)."""
    user = get_user(catalog, username)
    if token_id not in {t.id for t in list_tokens(catalog, user.username)}:
        raise NotFound(f"token {token_id} bukan milik {user.username}")
    return _token(revoke_token(catalog, token_id, actor=actor))
