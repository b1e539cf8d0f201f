"""Pengguna (admin only): the accounts, adding one, enabling/disabling, passwords, tokens.

Every change goes through :mod:`padu.services.accounts` (over :mod:`padu.accounts`), which
records the audit events. A form's problems come back by field and are shown next to it.
A new API token is shown once, in the response to the form that made it (never in a URL).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from padu.accounts import ROLES, User, get_user
from padu.fmt import waktu_wita
from padu.services import accounts as svc
from padu.web.deps import CurrentUser, app_state
from padu.web.errors import Forbidden
from padu.web.pages import render, translator_for

router = APIRouter()
Text = Annotated[str, Form(max_length=2048)]
NOTICES = ("added", "enabled", "disabled", "password", "revoked")


def require_admin(request: Request, user: User) -> None:
    if user.role != "admin":
        raise Forbidden(translator_for(request)("pengguna.forbidden"))


def _list(request: Request, status: int = 200, **extra: Any) -> HTMLResponse:
    state = app_state(request)
    context = {
        "accounts": svc.accounts(state.catalog),
        "roles": ROLES,
        "agencies": state.catalog.agencies(),
        "form": {},
        "errors": {},
        "wita": waktu_wita,
        **extra,
    }
    return render(request, "pengguna.html", context, status=status)


def _account(request: Request, username: str, status: int = 200, **extra: Any) -> HTMLResponse:
    state = app_state(request)
    found = get_user(state.catalog, username)
    account = next(a for a in svc.accounts(state.catalog) if a.username == found.username)
    context = {"account": account, "errors": {}, "wita": waktu_wita, **extra}
    return render(request, "pengguna_akun.html", context, status=status)


def _notice(request: Request) -> str | None:
    said = request.query_params.get("pesan", "")
    return translator_for(request)(f"pengguna.notice.{said}") if said in NOTICES else None


@router.get("/pengguna", response_class=HTMLResponse)
def pengguna(request: Request, user: CurrentUser) -> HTMLResponse:
    require_admin(request, user)
    return _list(request, notice=_notice(request))


@router.post("/pengguna", response_model=None)
def add_account(
    request: Request,
    user: CurrentUser,
    username: Text = "",
    role: Text = "",
    agency: Text = "",
    password: Text = "",
    password_again: Text = "",
) -> Response:
    require_admin(request, user)
    try:
        svc.new_account(app_state(request).catalog, username, role, agency, password,
                        password_again, actor=user.username)  # fmt: skip
    except svc.FormProblems as exc:
        form = {"username": username[:60], "role": role, "agency": agency}
        return _list(request, 400, form=form, errors=exc.fields)
    return RedirectResponse(f"/pengguna?pesan=added&akun={username.strip().lower()}", 303)


@router.get("/pengguna/{username}", response_class=HTMLResponse)
def account_page(request: Request, user: CurrentUser, username: str) -> HTMLResponse:
    require_admin(request, user)
    return _account(request, username, notice=_notice(request))


@router.post("/pengguna/{username}/aktif", response_model=None)
def set_active(
    request: Request, user: CurrentUser, username: str, aktif: Annotated[int, Form()]
) -> Response:
    require_admin(request, user)
    try:
        done = svc.set_active(app_state(request).catalog, username, bool(aktif),
                              actor=user.username)  # fmt: skip
    except svc.FormProblems as exc:
        return _account(request, username, 400, errors=exc.fields)
    said = "enabled" if done.active else "disabled"
    return RedirectResponse(f"/pengguna/{done.username}?pesan={said}", 303)


@router.post("/pengguna/{username}/sandi", response_model=None)
def new_password(
    request: Request, user: CurrentUser, username: str, password: Text = "",
    password_again: Text = "",
) -> Response:  # fmt: skip
    require_admin(request, user)
    try:
        done = svc.change_password(app_state(request).catalog, username, password,
                                   password_again, actor=user.username)  # fmt: skip
    except svc.FormProblems as exc:
        return _account(request, username, 400, errors=exc.fields)
    return RedirectResponse(f"/pengguna/{done.username}?pesan=password", 303)


@router.post("/pengguna/{username}/token", response_class=HTMLResponse)
def new_token(request: Request, user: CurrentUser, username: str, label: Text = "") -> Response:
    require_admin(request, user)
    try:
        token = svc.new_token(app_state(request).catalog, username, label, actor=user.username)
    except svc.FormProblems as exc:
        return _account(request, username, 400, errors=exc.fields, label=label[:100])
    return _account(request, username, new_token=token)


@router.post("/pengguna/{username}/token/{token_id}/cabut", response_model=None)
def revoke_token(request: Request, user: CurrentUser, username: str, token_id: int) -> Response:
    require_admin(request, user)
    svc.revoke(app_state(request).catalog, username, token_id, actor=user.username)
    return RedirectResponse(f"/pengguna/{username}?pesan=revoked", 303)
