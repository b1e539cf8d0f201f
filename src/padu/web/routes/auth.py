"""Login, logout and the language switch.

Messages never say whether a username exists: a wrong password, an unknown name and a
disabled account all read "wrong username or password", and the rate limit
(:mod:`padu.accounts.throttle`: 5 failures in 15 minutes for one name from one address,
10 for one name from anywhere, 50 from one address -> 15 minutes' wait, the minutes left
said in the message) answers the same for every name.
"""

from __future__ import annotations

import math
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from padu.accounts import DemoAccountRefused, authenticate
from padu.services.accounts import USER_LOGIN, USER_LOGIN_FAILED
from padu.web.deps import app_state, client_address, is_https, set_session
from padu.web.i18n import COOKIE, LANGS
from padu.web.pages import render, translator_for
from padu.web.sessions import new_session

router = APIRouter()

#: a year: the language is a preference, not a secret
LANG_MAX_AGE = 365 * 24 * 3600
#: seconds a login refused for a busy server is told to wait
BUSY_WAIT_S = 5


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
    """Check the password (throttled, and at most a few argon2 checks at once); on
    success a new session (new id, new token) for the user."""
    state, t = app_state(request), translator_for(request)
    context = {"next": safe_next(next), "username": username[:60]}
    address = client_address(request)
    with state.throttle.attempt(username, address) as attempt:
        if attempt.refused:
            menit = max(1, math.ceil(attempt.wait / 60))
            return _refused(request, context, t("login.throttled").format(menit=menit),
                            429, attempt.wait)  # fmt: skip
        with state.hashing.slot() as checking:
            if not checking:
                return _refused(request, context, t("keamanan.busy"), 503, BUSY_WAIT_S)
            try:
                user = authenticate(
                    state.catalog, username, password, demo_mode=state.settings.demo
                )
            except DemoAccountRefused as exc:  # the right password of a demo account
                attempt.succeeded()
                return render(request, "login.html", {**context, "error": exc.message},
                              status=403)  # fmt: skip
        if user is None:
            attempt.failed()
            # a failed try is evidence for an admin (guessing, a forgotten password)
            state.catalog.record(USER_LOGIN_FAILED, {"alamat": address}, username[:60])
            return render(request, "login.html", {**context, "error": t("login.failed")},
                          status=401)  # fmt: skip
        attempt.succeeded()
    state.catalog.record(USER_LOGIN, {"alamat": address}, user.username)
    set_session(request, new_session(user.username, user.password_changed.isoformat()))
    return RedirectResponse(safe_next(next), status_code=303)


def _refused(
    request: Request, context: dict[str, str], error: str, status: int, wait: float
) -> Response:
    headers = {"Retry-After": str(max(1, math.ceil(wait)))}
    return render(request, "login.html", {**context, "error": error}, status=status,
                  headers=headers)  # fmt: skip


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """End the session: a logged-in one is revoked on the server (a copy of the cookie is
    refused from now on), and the browser gets a fresh anonymous one."""
    session = request.state.session
    if session.user is not None:
        app_state(request).sessions.revoke(session)
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
