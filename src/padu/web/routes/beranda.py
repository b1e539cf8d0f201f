"""Beranda: the province at a glance (aggregates only, so every role may see it)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from padu.web.deps import CurrentUser, app_state
from padu.web.pages import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def beranda(request: Request, user: CurrentUser) -> HTMLResponse:
    state = app_state(request)
    data = state.beranda.get(state.reader(), state.catalog)
    context = {"data": data, "geojson": data.map_json if data else None}
    return render(request, "beranda.html", context)
