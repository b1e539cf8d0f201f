"""The application factory: ``create_app(settings)`` builds the FastAPI app of ``padu serve``.

The stores are opened when the app starts (the lifespan) and closed when it stops, one
pair per process (see :mod:`padu.web.state`). Every front-end file is served from the
package (``padu/web/static``), so no request leaves the machine; responses are gzipped
for slow office links (the Beranda map carries its boundaries inline).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from padu.settings import Settings
from padu.web import api, errors
from padu.web.config import web_settings
from padu.web.deps import check_csrf, session_middleware
from padu.web.pages import STATIC_DIR
from padu.web.routes import audit, auth, beranda, keluarga, kemiskinan, pengguna, snapshot
from padu.web.state import AppState

#: what the browser may load: only this server (no CDN, no inline event handlers)
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def create_app(settings: Settings) -> FastAPI:
    """The web app over the stores ``settings`` names (opened at start-up)."""
    config = web_settings(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = AppState.open(config)
        app.state.padu = state
        try:
            yield
        finally:
            state.close()

    app = FastAPI(
        title="Padu",
        description="Data terpadu penanggulangan kemiskinan Kalimantan Utara",
        lifespan=lifespan,
        dependencies=[Depends(check_csrf)],
        docs_url=None,
        redoc_url=None,
    )
    errors.install(app)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(auth.router)
    for module in (beranda, kemiskinan, snapshot, keluarga, pengguna, audit):
        app.include_router(module.router)
    app.include_router(api.router)

    @app.middleware("http")
    async def security_headers(request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        return response

    app.middleware("http")(session_middleware)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    return app
