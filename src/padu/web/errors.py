"""Errors mapped once: a Padu error (or an HTTP one) becomes an Indonesian HTML page, or
under ``/api`` the one JSON shape ``{"error": KIND, "message": ...}``.

The status comes from the error class (:attr:`padu.errors.PaduError.http_status`). An
unexpected exception is logged with its traceback and shown only as "server error": its
text could hold a path, a query or a NIK. Every message shown is passed through
:func:`padu.identifiers.mask_identifiers`, so a NIK or KK in a message leaves masked.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from padu.errors import PaduError
from padu.identifiers import mask_identifiers

log = logging.getLogger("padu.web")


class LoginRequired(PaduError):
    """The request needs a logged-in user (pages redirect to /login; the API answers 401)."""

    http_status = 401


class Forbidden(PaduError):
    """Refused: the CSRF token is missing or wrong, or the role may not do this."""

    http_status = 403


class TooManyAttempts(PaduError):
    """Login refused for a while after repeated wrong passwords."""

    http_status = 429

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def wants_json(request: Request) -> bool:
    """JSON for the API and for clients that ask only for JSON; HTML otherwise."""
    if request.url.path.startswith("/api"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(
    request: Request, status: int, kind: str, message: str, headers: dict[str, str] | None = None
) -> Response:
    """One error, as JSON or as the error page (in the visitor's language)."""
    message = mask_identifiers(message)
    if wants_json(request):
        return JSONResponse({"error": kind, "message": message}, status, headers=headers)
    from padu.web.pages import render

    context: dict[str, Any] = {"status": status, "kind": kind, "message": message}
    return render(request, "error.html", context, status=status, headers=headers)


def install(app: FastAPI) -> None:
    """Register the handlers on ``app`` (called once by :func:`padu.web.create_app`)."""

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return error_response(request, 401, "LoginRequired", exc.message)
        target = request.url.path if request.method == "GET" else "/"
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(TooManyAttempts)
    async def _throttled(request: Request, exc: TooManyAttempts) -> Response:
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))}
        return error_response(request, 429, "TooManyAttempts", exc.message, headers)

    @app.exception_handler(PaduError)
    async def _padu(request: Request, exc: PaduError) -> Response:
        if exc.http_status >= 500:
            log.error("kesalahan internal pada %s", request.url.path, exc_info=exc)
        return error_response(request, exc.http_status, type(exc).__name__, exc.message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        from padu.web.pages import translator_for

        t = translator_for(request)
        words = {404: t("error.not_found"), 405: t("error.bad_request")}
        message = words.get(exc.status_code, t("error.title"))
        return error_response(request, exc.status_code, "HTTPError", message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        from padu.web.pages import translator_for

        fields = sorted({str(e.get("loc", ["?"])[-1]) for e in exc.errors()})
        message = f"{translator_for(request)('error.bad_request')} ({', '.join(fields)})"
        return error_response(request, 422, "UsageError", message)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        from padu.web.pages import translator_for

        log.error("kesalahan tak terduga pada %s", request.url.path, exc_info=exc)
        return error_response(
            request, 500, "InternalError", translator_for(request)("error.internal")
        )
