"""Who may use Padu: the four roles, an account as the web app and the API see it, a token.

The types here carry no password material: a :class:`User` is what a request handler,
a template or an audit line may hold. The password hash stays in the catalog row.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal, get_args

from padu.errors import InputError, PaduError

Role = Literal["admin", "operator", "opd", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)

#: What each role is for, as the user list and the help text say it.
ROLE_WORDS: dict[Role, str] = {
    "admin": "Bappeda: semua fitur, pengguna dan log audit",
    "operator": "Dinas Sosial / pengelola data: impor, kualitas data, snapshot",
    "opd": "petugas satu instansi: program, daftar dan unggahan instansinya",
    "viewer": "hanya angka agregat, tanpa data pribadi",
}

#: Lowercase, starting with a letter, 3 to 40 characters: safe in a URL, a log and a file
#: name, and never confused with a NIK (which is all digits).
USERNAME = re.compile(r"[a-z][a-z0-9._-]{2,39}")


@dataclass(frozen=True)
class User:
    """An account: who, in which role, for which agency (``opd`` only), and whether it may
    still sign in. ``password_changed`` lets a session started before a password change be
    refused."""

    username: str
    role: Role
    agency: str | None
    active: bool
    created: dt.datetime
    password_changed: dt.datetime
    #: made for ``make demo``, its password printed for all to read: refused outside demo mode
    demo: bool = False


class DemoAccountRefused(PaduError):
    """A demo account tried to sign in (or use a token) on a server not in demo mode.

    Raised only after its password or token was found right, so it tells nothing to
    someone guessing names; the message says why and what to do instead.
    """

    http_status = 403

    def __init__(self, username: str) -> None:
        super().__init__(
            f"akun {username} adalah akun demo (kata sandinya dicetak oleh `make demo`), "
            "jadi hanya diterima bila server berjalan dalam mode demo (`padu serve --demo`). "
            "Minta admin membuat akun sungguhan dengan `padu user add`."
        )


@dataclass(frozen=True)
class TokenInfo:
    """An API token as it may be listed: never the token itself, which is shown only once."""

    id: int
    username: str
    label: str
    created: dt.datetime
    last_used: dt.datetime | None
    revoked: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked is None


def check_username(username: str) -> str:
    """``username`` when it is a valid account name; InputError saying the rule otherwise."""
    if not USERNAME.fullmatch(username):
        raise InputError(
            f"nama pengguna tidak valid: {username[:60]!r} (3-40 karakter: huruf kecil, angka, "
            "titik, garis bawah atau tanda hubung, diawali huruf kecil)"
        )
    return username


def check_role(role: str, agency: str | None) -> Role:
    """``role`` as a :data:`Role`, checked against ``agency``: an ``opd`` account belongs to
    one agency, the other roles to none (they see across agencies by design)."""
    found = next((r for r in ROLES if r == role), None)
    if found is None:
        raise InputError(f"peran tidak dikenal: {role!r} (pilih {', '.join(ROLES)})")
    if found == "opd" and not agency:
        raise InputError("peran opd membutuhkan instansi (--agency KODE)")
    if found != "opd" and agency:
        raise InputError(f"instansi hanya untuk peran opd, bukan {found}")
    return found
