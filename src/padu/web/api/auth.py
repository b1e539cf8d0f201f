"""Who is calling the API, and what the API documents about refusals.

Machine clients send ``Authorization: Bearer TOKEN`` (a token from ``padu --json user
token NAME``, checked by :func:`padu.accounts.token_user`). A logged-in browser's session
cookie also works, but only for reading (GET): a cookie is sent by the browser on its own,
so a state-changing API call must carry a token a page cannot be tricked into sending.
A bearer header that is present but wrong is refused, never "fallen back" to the cookie.

Every route documents its errors with :func:`errors`: the same ``ApiError`` model for every
status, so the OpenAPI document says exactly what the one error handler answers.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from padu.accounts import DemoAccountRefused, User, token_user
from padu.web.api.models import ApiError
from padu.web.deps import SAFE_METHODS, app_state, current_user
from padu.web.errors import Forbidden, LoginRequired

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="token",
    description="Token API: `padu --json user token NAMA` (atau sesi peramban untuk GET)",
)

ERROR_WORDS = {
    400: "Masukan tidak valid.",
    401: "Belum masuk: token API tidak ada, salah, dicabut, atau akunnya nonaktif.",
    403: "Peran ini tidak boleh melakukannya.",
    404: "Tidak ditemukan.",
    422: "Parameter atau isi permintaan tidak valid.",
}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that may answer ``codes`` (each in the one shape)."""
    return {code: {"model": ApiError, "description": ERROR_WORDS[code]} for code in codes}


def api_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
) -> User:
    """The caller: the bearer token's account, or (GET only) the session's user."""
    given = request.headers.get("authorization")
    if given is not None:
        token = credentials.credentials if credentials else ""
        state = app_state(request)
        try:
            user = token_user(state.catalog, token, demo_mode=state.settings.demo)
        except DemoAccountRefused as exc:
            raise LoginRequired(exc.message) from None
        if user is None:
            raise LoginRequired(
                "token API tidak dikenal, sudah dicabut, atau akunnya nonaktif "
                "(format: Authorization: Bearer TOKEN)"
            )
        request.state.user = user
        return user
    if request.method not in SAFE_METHODS:
        raise LoginRequired("permintaan ini membutuhkan token API (Authorization: Bearer TOKEN)")
    return current_user(request)


ApiUser = Annotated[User, Depends(api_user)]


def person_reader(user: ApiUser) -> User:
    """The caller, when its role may read personal data (a viewer may not: 403)."""
    if user.role == "viewer":
        raise Forbidden("peran viewer hanya boleh melihat angka agregat, bukan data pribadi")
    return user


PersonReader = Annotated[User, Depends(person_reader)]
