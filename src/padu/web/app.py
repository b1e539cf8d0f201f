"""The application factory: ``create_app(settings)`` builds the FastAPI app of ``padu serve``.

The stores are opened when the app starts (the lifespan) and closed when it stops, one
pair per process (see :mod:`padu.web.state`). Every front-end file is served from the
package (``padu/web/static``), so no request leaves the machine; responses are gzipped
for slow office links (the Beranda map carries its boundaries inline).

Two guards wrap every request. :class:`SecurityHeaders` sits outside everything, error
handlers included, so a 500 page carries the same CSP and frame rules as any page.
:class:`BodyLimit` refuses a body over the limit (413, an Indonesian message naming it):
by ``Content-Length`` before anything is read, and by counting a body that arrives
without one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from padu.settings import Settings
from padu.web import api, errors
from padu.web.config import WebSettings, web_settings
from padu.web.deps import check_csrf, over_https, session_middleware
from padu.web.pages import STATIC_DIR, translator_for
from padu.web.routes import audit, auth, beranda, keluarga, kemiskinan, pengguna, snapshot
from padu.web.state import AppState

#: what the browser may load: only this server (no CDN, no inline event handlers)
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
HSTS = "max-age=31536000"


class SecurityHeaders:
    """Adds :data:`HEADERS` (and HSTS over https) to every HTTP response that lacks them."""

    def __init__(self, app: ASGIApp, trust_proxy: bool = False) -> None:
        self.app, self.trust_proxy = app, trust_proxy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = over_https(scope, self.trust_proxy)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CachedStatic(StaticFiles):
    """The package's front-end files with a cache lifetime, so a browser on a slow office
    link does not ask again for Leaflet on every page: a day for the vendored libraries
    (their versions are pinned in the path's README), an hour for Padu's own CSS and JS."""

    def file_response(self, full_path, stat_result, scope, status_code=200):  # type: ignore[no-untyped-def]
        response = super().file_response(full_path, stat_result, scope, status_code)
        vendored = str(scope.get("path", "")).startswith("/static/vendor/")
        response.headers["Cache-Control"] = f"public, max-age={86400 if vendored else 3600}"
        return response


class BodyLimit:
    """Refuses a request body over ``upload_bytes`` (multipart forms: file uploads) or
    ``body_bytes`` (everything else) with 413 and a message naming the limit."""

    def __init__(self, app: ASGIApp, upload_bytes: int, body_bytes: int, file_mb: int) -> None:
        self.app, self.upload_bytes, self.body_bytes = app, upload_bytes, body_bytes
        self.file_mb = file_mb

    def _message(self, scope: Scope, upload: bool) -> str:
        t = translator_for(Request(scope))
        mb, kb = self.file_mb, self.body_bytes // 2**10
        if upload:
            return t("keamanan.too_large_upload").format(batas=mb)
        return t("keamanan.too_large_body").format(batas=kb, batas_unggah=mb)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        upload = headers.get("content-type", "").lower().startswith("multipart/form-data")
        limit = self.upload_bytes if upload else self.body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(scope, receive, send, upload)
            return
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise errors.BodyTooLarge(self._message(scope, upload))
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except errors.BodyTooLarge:  # read outside the routes' error handling
            if started:
                raise
            await self._refuse(scope, receive, send, upload)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, upload: bool) -> None:
        request = Request(scope, receive)
        message = self._message(scope, upload)
        response = errors.error_response(request, 413, "PayloadTooLarge", message)
        response.headers["Connection"] = "close"  # the rest of the body is not read
        await response(scope, receive, send)


class PaduApp(FastAPI):
    """FastAPI with :class:`SecurityHeaders` around the whole stack, the server-error
    handler included (Starlette puts that handler outside every added middleware)."""

    trust_proxy: bool = False

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), self.trust_proxy)


def create_app(settings: Settings) -> FastAPI:
    """The web app over the stores ``settings`` names (opened at start-up)."""
    config = web_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        masked = errors.mask_logs(handlers=True)  # uvicorn's handlers exist by now
        state = AppState.open(config)
        app.state.padu = state
        if config.warm_up:
            state.start_warming()
        try:
            yield
        finally:
            state.close()
            errors.unmask_handlers(masked)

    app = PaduApp(
        title="Padu",
        description="Data terpadu penanggulangan kemiskinan Kalimantan Utara",
        lifespan=lifespan,
        dependencies=[Depends(check_csrf)],
        docs_url=None,
        redoc_url=None,
    )
    app.trust_proxy = config.trust_proxy
    errors.mask_logs()
    errors.install(app)
    app.mount("/static", CachedStatic(directory=str(STATIC_DIR)), name="static")
    app.include_router(auth.router)
    for module in (beranda, kemiskinan, snapshot, keluarga, pengguna, audit):
        app.include_router(module.router)
    app.include_router(api.router)
    add_guards(app, config)
    return app


def add_guards(app: FastAPI, config: WebSettings) -> None:
    """The middleware, innermost first: the body limit (inside the session, so its 413
    page knows the visitor), the session cookie, then gzip."""
    app.add_middleware(
        BodyLimit,
        # a register upload carries two files (keluarga, individu), each up to the limit
        upload_bytes=(2 * config.max_upload_mb + 1) * 2**20,
        body_bytes=config.max_body_kb * 2**10,
        file_mb=config.max_upload_mb,
    )
    app.middleware("http")(session_middleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
