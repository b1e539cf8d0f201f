"""``padu user``: accounts, roles and API tokens of the web app and the API.

Registered on the main app by importing :mod:`padu.cli`. These commands open
only the catalog: an administrator can manage accounts while ``padu serve`` holds an
embedded warehouse. A password is never an option (it would stay in the shell history and
the process list): it comes from ``PADU_PASSWORD``, or is asked twice on a terminal.
"""

from __future__ import annotations

import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
from rich.table import Table

from padu.accounts import ROLES, TokenInfo, User
from padu.accounts.model import check_role, check_username
from padu.cli._common import BY, State, app, command_group, emit, out, state_of
from padu.errors import InputError, UsageError
from padu.fmt import angka, waktu_wita
from padu.stores import Catalog

user_app = command_group("Pengguna aplikasi web dan API: tambah, daftar, nonaktifkan, token.")
app.add_typer(user_app, name="user")

PASSWORD_ENV = "PADU_PASSWORD"  # noqa: S105 - the variable's name, not a password


@contextmanager
def _catalog(state: State) -> Iterator[Catalog]:
    catalog = Catalog.connect(state.settings.resolved_catalog_url())
    try:
        yield catalog
    finally:
        catalog.close()


def _password() -> str:
    """The new password: ``PADU_PASSWORD``, else typed twice on a terminal."""
    given = os.environ.get(PASSWORD_ENV)
    if given is not None:
        return given
    if not sys.stdin.isatty():
        raise UsageError(
            f"kata sandi tidak diberikan: setel variabel lingkungan {PASSWORD_ENV} "
            "(atau jalankan perintah ini di terminal agar kata sandi ditanyakan)"
        )
    first = getpass.getpass("Kata sandi baru: ")
    if getpass.getpass("Ulangi kata sandi: ") != first:
        raise InputError("kedua kata sandi tidak sama; tidak ada yang diubah")
    return first


def _user_json(u: User) -> dict[str, Any]:
    return {
        "username": u.username,
        "role": u.role,
        "agency": u.agency,
        "active": u.active,
        "demo": u.demo,
        "created": u.created.isoformat(timespec="seconds"),
        "created_wita": waktu_wita(u.created),
        "password_changed": u.password_changed.isoformat(timespec="seconds"),
        "password_changed_wita": waktu_wita(u.password_changed),
    }


def _token_json(t: TokenInfo) -> dict[str, Any]:
    return {
        "id": t.id,
        "username": t.username,
        "label": t.label,
        "active": t.active,
        "created": t.created.isoformat(timespec="seconds"),
        "created_wita": waktu_wita(t.created),
        "last_used_wita": waktu_wita(t.last_used) if t.last_used else None,
        "revoked_wita": waktu_wita(t.revoked) if t.revoked else None,
    }


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Nama pengguna (huruf kecil, 3-40 karakter).")],
    role: Annotated[str, typer.Option("--role", help=f"Peran: {', '.join(ROLES)}.")],
    agency: Annotated[
        str | None, typer.Option("--agency", help="Kode instansi (wajib untuk peran opd).")
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo", help="Akun demo (make demo): hanya diterima server `padu serve --demo`."
        ),
    ] = False,
    by: BY = None,
) -> None:
    """Tambah pengguna; kata sandi dari PADU_PASSWORD atau ditanyakan."""
    from padu.accounts import add_user

    state = state_of(ctx)
    try:  # the arguments are checked before a password is asked for
        check_username(username)
        check_role(role, agency)
    except InputError as exc:
        raise UsageError(exc.message) from None
    password = _password()
    with _catalog(state) as cat:
        user = add_user(cat, username, password, role, agency, actor=state.actor(by), demo=demo)
    where = f", instansi {user.agency}" if user.agency else ""
    where += " (akun demo)" if user.demo else ""
    emit(state, _user_json(user), f"Pengguna {user.username} ditambahkan: {user.role}{where}")


@user_app.command("list")
def user_list(ctx: typer.Context) -> None:
    """Daftar pengguna, peran dan statusnya (tanpa kata sandi)."""
    from padu.accounts import list_users

    state = state_of(ctx)
    with _catalog(state) as cat:
        users = list_users(cat)
    table = Table(title=f"Pengguna ({angka(len(users))})", title_justify="left")
    for col in ("Pengguna", "Peran", "Instansi", "Status", "Dibuat", "Kata sandi diubah"):
        table.add_column(col)
    for u in users:
        table.add_row(
            u.username, u.role, u.agency or "-", "aktif" if u.active else "nonaktif",
            waktu_wita(u.created), waktu_wita(u.password_changed),
        )  # fmt: skip
    emit(state, {"users": [_user_json(u) for u in users]}, table)


@user_app.command("disable")
def user_disable(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Nama pengguna.")],
    by: BY = None,
) -> None:
    """Nonaktifkan pengguna: tidak dapat masuk lagi, token API-nya dicabut."""
    from padu.accounts import disable_user

    state = state_of(ctx)
    with _catalog(state) as cat:
        user = disable_user(cat, username, actor=state.actor(by))
    line = f"Pengguna {user.username} dinonaktifkan; token API-nya dicabut"
    emit(state, _user_json(user), line)


@user_app.command("enable")
def user_enable(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Nama pengguna.")],
    by: BY = None,
) -> None:
    """Aktifkan kembali pengguna yang dinonaktifkan."""
    from padu.accounts import enable_user

    state = state_of(ctx)
    with _catalog(state) as cat:
        user = enable_user(cat, username, actor=state.actor(by))
    emit(state, _user_json(user), f"Pengguna {user.username} aktif kembali")


@user_app.command("password")
def user_password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Nama pengguna.")],
    by: BY = None,
) -> None:
    """Ganti kata sandi pengguna; dari PADU_PASSWORD atau ditanyakan."""
    from padu.accounts import get_user, set_password

    state = state_of(ctx)
    with _catalog(state) as cat:
        get_user(cat, username)  # an unknown name is said before a password is asked for
        user = set_password(cat, username, _password(), actor=state.actor(by))
    emit(state, _user_json(user), f"Kata sandi {user.username} diganti")


@user_app.command("token")
def user_token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="Nama pengguna pemilik token.")],
    label: Annotated[str, typer.Option("--label", help="Keterangan token (klien API).")] = "",
    by: BY = None,
) -> None:
    """Buat token API (Authorization: Bearer TOKEN); token hanya ditampilkan sekali ini."""
    from padu.accounts import issue_token

    state = state_of(ctx)
    with _catalog(state) as cat:
        token = issue_token(cat, username, state.actor(by), label=label)
    if state.json:
        emit(state, {"token": token})
        return
    out.print(f"Token API untuk {username}" + (f" ({label})" if label else "") + ":", markup=False)
    out.print(token, markup=False, highlight=False, soft_wrap=True)
    out.print(
        "Peringatan: token ini hanya ditampilkan sekali, sekarang. Simpan di tempat aman; "
        "Padu hanya menyimpan sidik SHA-256-nya dan tidak dapat menampilkannya lagi.",
        markup=False,
    )


@user_app.command("tokens")
def user_tokens(
    ctx: typer.Context,
    username: Annotated[
        str | None, typer.Argument(help="Nama pengguna (bawaan: semua pengguna).")
    ] = None,
) -> None:
    """Daftar token API (tanpa tokennya): pemilik, label, terakhir dipakai, dicabut."""
    from padu.accounts import list_tokens

    state = state_of(ctx)
    with _catalog(state) as cat:
        tokens = list_tokens(cat, username)
    table = Table(title=f"Token API ({angka(len(tokens))})", title_justify="left")
    for col in ("Id", "Pengguna", "Label", "Dibuat", "Terakhir dipakai", "Dicabut"):
        table.add_column(col)
    for t in tokens:
        j = _token_json(t)
        table.add_row(
            str(t.id), t.username, t.label or "-", j["created_wita"],
            j["last_used_wita"] or "-", j["revoked_wita"] or "-",
        )  # fmt: skip
    emit(state, {"tokens": [_token_json(t) for t in tokens]}, table)


@user_app.command("revoke-token")
def user_revoke_token(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(help="Id token (lihat `padu user tokens`).")],
    by: BY = None,
) -> None:
    """Cabut satu token API; klien yang memakainya ditolak sejak saat ini."""
    from padu.accounts import revoke_token

    state = state_of(ctx)
    with _catalog(state) as cat:
        info = revoke_token(cat, token_id, actor=state.actor(by))
    emit(state, _token_json(info), f"Token {info.id} milik {info.username} dicabut")
