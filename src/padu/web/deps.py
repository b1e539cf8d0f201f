"""Request plumbing shared by every route: the session, the CSRF check, the current user.

:func:`session_middleware` reads the signed cookie before a request and writes it after;
:func:`check_csrf` is a dependency of the whole app, so no form can forget it; routes that
need a user take ``user: CurrentUser``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Response
from starlette.datastructures import Headers
from starlette.types import Scope

from padu.accounts import User, find_user
from padu.web.errors import Forbidden, LoginRequired
from padu.web.pages import translator_for
from padu.web.sessions import (
    COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    REFRESH_AFTER,
    Session,
    new_session,
)
from padu.web.state import AppState

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.padu
    return state


def over_https(scope: Scope, trust_proxy: bool) -> bool:
    """Whether the browser reached us over TLS (a trusted proxy's header counts)."""
    if scope.get("scheme") == "https":
        return True
    if trust_proxy:
        forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
        return forwarded.split(",")[0].strip().lower() == "https"
    return False


def is_https(request: Request) -> bool:
    """Whether this request came over TLS (see :func:`over_https`)."""
    return over_https(request.scope, app_state(request).settings.trust_proxy)


def client_address(request: Request) -> str:
    """The client's address; behind a trusted proxy, the one the proxy saw (the last
    ``X-Forwarded-For`` entry: earlier ones are whatever the client wrote)."""
    if app_state(request).settings.trust_proxy:
        forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",")]
        if forwarded and forwarded[-1]:
            return forwarded[-1]
    return request.client.host if request.client else "?"


def set_session(request: Request, session: Session) -> None:
    """Make ``session`` the one the response carries (login and logout replace it)."""
    request.state.session = session


async def session_middleware(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Load the session (a new anonymous one when absent or invalid); write it back when
    new, replaced, or old enough to slide its idle expiry."""
    state = app_state(request)
    loaded = state.sessions.loads(request.cookies.get(COOKIE))
    request.state.session = loaded or new_session()
    request.state.user = None
    response = await call_next(request)
    session: Session = request.state.session
    if session is not loaded or session.new or session.age > REFRESH_AFTER:
        response.set_cookie(
            COOKIE,
            state.sessions.dumps(session),
            max_age=state.sessions.max_age(session),
            path="/",
            httponly=True,
            samesite="lax",
            secure=is_https(request),
        )
    return response


async def check_csrf(request: Request) -> None:
    """Refuse (403) any state-changing request whose CSRF token is not the session's.

    The token comes from the form field ``csrf_token`` or the ``X-CSRF-Token`` header
    (htmx sends it from ``hx-headers`` on ``<body>``). API requests with a bearer token
    carry no cookie authority and are checked by the API's own dependency.
    """
    if request.method in SAFE_METHODS:
        return
    if request.url.path.startswith("/api/"):
        # the API takes no cookie authority on unsafe methods: a bearer token, or nothing
        if not request.headers.get("authorization", "").lower().startswith("bearer "):
            raise LoginRequired(
                "permintaan ini membutuhkan token API (Authorization: Bearer TOKEN)"
            )
        return
    session: Session = request.state.session
    given = request.headers.get(CSRF_HEADER)
    if not given and "form" in request.headers.get("content-type", ""):
        form = await request.form()  # cached by Starlette: the route reads it again for free
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if session.new or not session.token_matches(given):
        raise Forbidden(translator_for(request)("error.csrf"))


def current_user(request: Request) -> User:
    """The logged-in, still active user; :class:`LoginRequired` otherwise.

    The account is read on every request, so disabling it or changing its password ends
    its sessions at once.
    """
    session: Session = request.state.session
    if session.user is None:
        raise LoginRequired(translator_for(request)("error.login_required"))
    user = find_user(app_state(request).catalog, session.user)
    if (
        user is None
        or not user.active
        or user.password_changed.isoformat() != session.stamp
        or (user.demo and not app_state(request).settings.demo)  # a restart left demo mode
    ):
        set_session(request, new_session())
        raise LoginRequired(translator_for(request)("login.expired"))
    request.state.user = user
    return user


CurrentUser = Annotated[User, Depends(current_user)]
