"""Login, logout and the language switch.

Messages never say whether a username exists: a wrong password, an unknown name and a
disabled account all read "wrong username or password", and the rate limit (5 failures
in 15 minutes per username and per address -> 15 minutes' wait) answers the same for
every name.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from padu.accounts import authenticate
from padu.web.deps import app_state, client_address, is_https, set_session
from padu.web.i18n import COOKIE, LANGS
from padu.web.pages import render, translator_for
from padu.web.sessions import new_session

router = APIRouter()

#: a year: the language is a preference, not a secret
LANG_MAX_AGE = 365 * 24 * 3600


def safe_next(target: str | None) -> str:
    """A local path to go to after login or a switch; never another site."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    return target


@router.get("/login", response_model=None)
def login_page(request: Request, next: str = "/", keluar: int = 0) -> Response:
    if request.state.session.user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    t = translator_for(request)
    notice = t("login.logged_out") if keluar else None
    return render(request, "login.html", {"next": safe_next(next), "notice": notice})


@router.post("/login", response_model=None)
def login(
    request: Request,
    username: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=2048)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    state, t = app_state(request), translator_for(request)
    address = client_address(request)
    context = {"next": safe_next(next), "username": username[:60]}
    wait = state.throttle.retry_after(username, address)
    if wait > 0:
        headers = {"Retry-After": str(max(1, round(wait)))}
        context["error"] = t("login.throttled").format(menit=max(1, math.ceil(wait / 60)))
        return render(request, "login.html", context, status=429, headers=headers)
    user = authenticate(state.catalog, username, password)
    if user is None:
        state.throttle.failure(username, address)
        return render(request, "login.html", {**context, "error": t("login.failed")}, status=401)
    state.throttle.success(username, address)
    set_session(request, new_session(user.username, user.password_changed.isoformat()))
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """End the session: its id is revoked, and the browser gets a fresh anonymous one."""
    app_state(request).sessions.revoke(request.state.session.sid)
    set_session(request, new_session())
    return RedirectResponse("/login?keluar=1", status_code=303)


@router.get("/bahasa/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> RedirectResponse:
    """Remember the page language in the ``lang`` cookie and go back where the user was."""
    response = RedirectResponse(safe_next(next), status_code=303)
    if code in LANGS:
        response.set_cookie(
            COOKIE, code, max_age=LANG_MAX_AGE, path="/", httponly=True, samesite="lax",
            secure=is_https(request),
        )  # fmt: skip
    return response
