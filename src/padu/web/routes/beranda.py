"""Beranda: the province at a glance (aggregates only, so every role may see it; a viewer's
small cells suppressed, as the API's)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from padu.access import scope_for
from padu.web.deps import CurrentUser, app_state
from padu.web.pages import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def beranda(request: Request, user: CurrentUser) -> HTMLResponse:
    state = app_state(request)
    data = state.beranda.get(state.reader(), state.catalog, scope_for(user))
    context = {"data": data, "geojson": data.map_json if data else None}
    return render(request, "beranda.html", context)
