"""Errors mapped once: a Padu error (or an HTTP one) becomes an Indonesian HTML page, or
under ``/api`` the one JSON shape ``{"error": KIND, "message": ...}``.

The status comes from the error class (:attr:`padu.errors.PaduError.http_status`). An
unexpected exception is logged with its traceback and shown only as "server error": its
text could hold a path, a query or a NIK. Every message shown is passed through
:func:`padu.identifiers.mask_identifiers`, so a NIK or KK in a message leaves masked.

The logs get the same care: :class:`MaskIdentifiers` is a logging filter that masks every
NIK- or KK-like number (:func:`mask_log_text`: 11 or more digits in a run, or in groups
joined by a space, dot, plus, hyphen or ``%20``, as ``6501-0123-4567-8901``) in an error
message, a traceback, or a URL of the access log, whose query string and path are masked
as the server reads them (percent-decoded: ``%2D`` is a hyphen there). :func:`mask_logs`
puts it on the server's loggers and handlers, and :func:`log_config` is uvicorn's logging
configuration with the filter on every handler.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import re
from typing import Any
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from padu.errors import PaduError
from padu.identifiers import MASK, mask_identifiers, mask_nik

log = logging.getLogger("padu.web")


class LoginRequired(PaduError):
    """The request needs a logged-in user (pages redirect to /login; the API answers 401)."""

    http_status = 401


class Forbidden(PaduError):
    """Refused: the CSRF token is missing or wrong, or the role may not do this."""

    http_status = 403


class BodyTooLarge(StarletteHTTPException):
    """A request body over the size limit (413); ``detail`` names the limit."""

    def __init__(self, message: str) -> None:
        super().__init__(413, message)


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
        if isinstance(exc, BodyTooLarge):
            return error_response(request, 413, "PayloadTooLarge", str(exc.detail))
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


#: Digits in groups joined by one separator (whitespace, ``.``, ``+``, ``-`` or ``%20``):
#: a NIK or KK written ``6501 0123 4567 8901``, ``6501.0123...`` or in a URL as typed.
_DIGIT_GROUPS = re.compile(r"\d+(?:(?:[\s.+\-]|%20)\d+)*")
#: The shortest digit count masked (as :func:`padu.identifiers.mask_identifiers`).
MIN_MASKED_DIGITS = 11
#: An IPv4 address (at most 12 digits): a client address the access log must keep.
_IPV4 = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")


def _mask_group(found: re.Match[str]) -> str:
    text = found.group()
    digits = re.sub(r"\D", "", text.replace("%20", " "))
    if len(digits) < MIN_MASKED_DIGITS or _IPV4.fullmatch(text):
        return text
    return mask_nik(digits)


def mask_log_text(text: str) -> str:
    """``text`` with every NIK/KK-like number masked, also one written in digit groups
    (``6501-0123-4567-8901`` becomes ``6501••••••••8901``); dates, times, region codes
    and client addresses (IPv4) stay readable."""
    return _DIGIT_GROUPS.sub(_mask_group, text)


def mask_target(target: str) -> str:
    """A request target (path and query string, as uvicorn's access log shows it) with
    identifiers masked as the app reads them: each query field and the path are decoded
    first, so an encoded separator (``%2D``, ``%2E``) hides nothing."""
    path, sep, query = target.partition("?")
    plain = unquote(path)
    masked = mask_log_text(plain)
    out = path if masked == plain else _requoted(quote(masked, safe="/"))
    if not sep:
        return out
    fields = []
    for field in query.split("&"):
        plain = unquote_plus(field)
        masked = mask_log_text(plain)
        fields.append(field if masked == plain else _requoted(quote_plus(masked, safe="=")))
    return f"{out}?{'&'.join(fields)}"


def _requoted(text: str) -> str:
    return text.replace(quote(MASK), MASK)  # the mask is read in the log, not percent-coded


def _masked(value: object) -> object:
    if isinstance(value, str):
        return mask_target(value) if value.startswith("/") else mask_log_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**10:
        return mask_identifiers(str(value))  # a NIK kept as a number
    return value


class MaskIdentifiers(logging.Filter):
    """Masks NIK/KK-like numbers (:func:`mask_log_text`) in a log record: its message, each
    argument (kept in place, for formatters such as uvicorn's access log that read the
    arguments; a request target has its path and query string masked as decoded), and the
    traceback text. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = mask_log_text(record.msg)
        given = record.args
        if isinstance(given, dict):
            record.args = {k: _masked(v) for k, v in given.items()}
        elif given:
            record.args = tuple(_masked(a) for a in given)
        if given:
            try:
                record.getMessage()
            except (TypeError, ValueError):  # a masked number where %d wanted a number
                with contextlib.suppress(TypeError, ValueError):
                    record.msg = mask_log_text(str(record.msg) % given)
                    record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_log_text(record.stack_info)
        return True


#: the one filter instance (so installing it twice is a no-op)
MASKING = MaskIdentifiers()
#: loggers whose own records are masked (a logger's filter sees only records made on it)
MASKED_LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "padu.web", "padu.jobs")


def mask_logs(*, handlers: bool = False) -> list[logging.Handler]:
    """Put :data:`MASKING` on the server's loggers, and with ``handlers`` on every handler
    now attached to them and to the root logger (uvicorn configures its handlers when it
    starts, so the app does this again at start-up). The handlers that gained it are
    returned, so that they can be given back (:func:`unmask_handlers`)."""
    names = ("", *MASKED_LOGGERS)
    added: list[logging.Handler] = []
    for name in names:
        logger = logging.getLogger(name or None)
        if name and MASKING not in logger.filters:
            logger.addFilter(MASKING)
        if handlers:
            for handler in logger.handlers:
                if MASKING not in handler.filters:
                    handler.addFilter(MASKING)
                    added.append(handler)
    return added


def unmask_handlers(handlers: list[logging.Handler]) -> None:
    for handler in handlers:
        handler.removeFilter(MASKING)


def log_config() -> dict[str, Any]:
    """uvicorn's logging configuration with :class:`MaskIdentifiers` on every handler, and
    the root logger (``padu.*`` warnings and errors) written through the same handler:
    pass it as ``uvicorn.run(..., log_config=log_config())``."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"padu_mask": {"()": "padu.web.errors.MaskIdentifiers"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["padu_mask"]
    config.setdefault("root", {"handlers": ["default"], "level": "WARNING"})
    return config
