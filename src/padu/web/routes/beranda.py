"""Beranda: the province at a glance (aggregates only, so every role may see it; a viewer's
small cells suppressed, as the API's), and its map's boundaries and figures as JSON."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from padu.access import scope_for
from padu.errors import NotFound
from padu.web.deps import CurrentUser, app_state
from padu.web.geometry import LEVELS, map_file
from padu.web.pages import render

router = APIRouter()

#: a boundaries URL that names its version (``?v=``) never changes: cached for a year
FOREVER = "public, max-age=31536000, immutable"


@router.get("/", response_class=HTMLResponse)
def beranda(request: Request, user: CurrentUser) -> HTMLResponse:
    state = app_state(request)
    data = state.beranda.get(state.reader(), state.catalog, scope_for(user))
    shapes = {level: map_file(level).stored.version for level in LEVELS}
    context = {"data": data, "values": data.map_values_json if data else None, "shapes": shapes}
    return render(request, "beranda.html", context)


@router.get("/peta/{level}.json", include_in_schema=False)
def peta(request: Request, level: str, v: str = "") -> Response:
    """The boundaries of ``level`` (public geography, no figures): fetched once per browser."""
    stored = map_file(level).stored
    fresh = v == stored.version
    return stored.response(request.headers, FOREVER if fresh else "public, max-age=3600")


@router.get("/peta/nilai/{level}.json", include_in_schema=False)
def peta_nilai(request: Request, level: str, user: CurrentUser) -> Response:
    """The map's figures by ``level`` as the user may see them (revalidated every time:
    another account on the same browser may see other figures)."""
    state = app_state(request)
    stored = state.beranda.map_values(state.reader(), state.catalog, scope_for(user), level)
    if stored is None:
        raise NotFound("Belum ada snapshot: impor register dulu.")
    return stored.response(request.headers, "private, no-cache")
