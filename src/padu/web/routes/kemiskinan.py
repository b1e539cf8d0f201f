"""Kemiskinan multidimensi: drill-down province → kabupaten → kecamatan → desa.

Every role may open it (aggregates only); a viewer's figures are suppressed by the service
(:mod:`padu.services.measure`). A snapshot never changes once imported, so each
(snapshot, measure version) cube is computed once per process, and each region's page
figures once per (cube, region, suppression): fifty officers opening the same page share
one computation. ``?snapshot=ID&ukuran=ID&banding=ID`` pick the snapshot, the measure and
the snapshot to compare with; a client asking for JSON gets the same figures as JSON.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from padu.access import scope_for
from padu.accounts import User
from padu.errors import NotFound
from padu.measure.measures import get_measure
from padu.regions import kaltara
from padu.services import measure as svc
from padu.stores import Catalog
from padu.stores.catalog import SnapshotRow
from padu.web.api.figures import find_snapshot
from padu.web.deps import CurrentUser, app_state
from padu.web.errors import wants_json
from padu.web.once import ComputedOnce
from padu.web.pages import lang_of, render

router = APIRouter()
DEFAULT_MEASURE = "padu-7"
PERSON_ROLES = ("admin", "operator", "opd")


@dataclass
class KemiskinanCache:
    """Cubes per (snapshot, measure, version); page figures per (cube, region, suppress)."""

    cubes: ComputedOnce[svc.MeasureCube] = field(default_factory=ComputedOnce)
    pages: ComputedOnce[svc.Drilldown] = field(default_factory=ComputedOnce)
    changes: ComputedOnce[svc.Change] = field(default_factory=ComputedOnce)


_LOCK = threading.Lock()


def _cache(request: Request) -> KemiskinanCache:
    """This app's cache (kept on the app, so two apps over different stores never share)."""
    with _LOCK:
        found: KemiskinanCache | None = getattr(request.app.state, "kemiskinan", None)
        if found is None:
            found = request.app.state.kemiskinan = KemiskinanCache()
        return found


@dataclass(frozen=True)
class _Choice:
    snapshots: list[SnapshotRow]
    snapshot: SnapshotRow
    measure: str
    base: SnapshotRow | None


#: the measure picker's choices by the catalog's saved measure versions: parsing the
#: preset files costs ~40 ms, too much to repeat on every page view under load
_CHOICES: dict[tuple[tuple[str, int], ...], list[svc.MeasureChoice]] = {}


def _measure_choices(catalog: Catalog) -> list[svc.MeasureChoice]:
    key = tuple((r.measure_id, r.version) for r in catalog.measure_versions())
    found = _CHOICES.get(key)
    if found is None:
        found = svc.measure_choices(catalog)
        _CHOICES.clear()
        _CHOICES[key] = found
    return found


def _choose(request: Request) -> _Choice | None:
    """The snapshot, measure and comparison snapshot the query asks for (None: no snapshot)."""
    catalog = app_state(request).catalog
    snaps = catalog.snapshots()
    if not snaps:
        return None
    q = request.query_params
    snap = find_snapshot(catalog, q.get("snapshot") or "latest")
    measure = q.get("ukuran") or DEFAULT_MEASURE
    if measure not in {c.id for c in _measure_choices(catalog)}:  # never a file path
        raise NotFound(f"ukuran {measure!r} tidak ada")
    earlier = [s for s in snaps if s.id < snap.id]
    given = q.get("banding")
    if given is None:
        base = earlier[-1] if earlier else None
    else:
        base = find_snapshot(catalog, given) if given and given != str(snap.id) else None
    return _Choice(snaps, snap, measure, base)


def _cube(request: Request, snapshot: int, measure: str) -> tuple[Hashable, svc.MeasureCube]:
    state = app_state(request)
    version = svc.measure_version(state.catalog, measure)
    key = (snapshot, measure, version)

    def make() -> svc.MeasureCube:
        m = get_measure(f"{measure}@{version}" if version else measure, state.catalog)
        return svc.measure_cube(state.reader(), state.catalog, snapshot, m)

    return key, _cache(request).cubes.get(key, make)


def _figures(
    request: Request, user: User, kode: str, choice: _Choice
) -> tuple[svc.Drilldown, svc.Change | None]:
    region = kaltara().get(kode)  # NotFound (404) for an unknown code
    suppress = scope_for(user).suppress_small
    cache = _cache(request)
    key, cube = _cube(request, choice.snapshot.id, choice.measure)
    drill = cache.pages.get(
        (key, region.kode, suppress), lambda: svc.drilldown(cube, region.kode, suppress=suppress)
    )
    if choice.base is None:
        return drill, None
    base_key, base = _cube(request, choice.base.id, choice.measure)
    change = cache.changes.get(
        (base_key, key, region.kode, suppress),
        lambda: svc.compare(base, cube, region.kode, suppress=suppress),
    )
    return drill, change


def _chart(drill: svc.Drilldown, lang: str) -> list[dict[str, Any]]:
    """The contributions chart's data (indicators with a shown, non-zero contribution)."""
    return [
        {
            "indikator": i.label_en if lang == "en" else i.label_id,
            "dimensi": i.dimension_label_en if lang == "en" else i.dimension_label_id,
            "kontribusi": round(100 * i.contribution, 2),
        }
        for i in drill.indicators
        if i.contribution
    ]


def _page(request: Request, user: User, kode: str) -> Response:
    choice = _choose(request)
    if choice is None:
        kaltara().get(kode)
        return render(request, "kemiskinan.html", {"drill": None})
    drill, change = _figures(request, user, kode, choice)
    if wants_json(request):
        body = {"drilldown": drill.model_dump(mode="json"),
                "change": change.model_dump(mode="json") if change else None}  # fmt: skip
        return JSONResponse(body)
    context = {
        "drill": drill, "change": change, "choice": choice,
        "measures": _measure_choices(app_state(request).catalog),
        "query": request.url.query, "persons": user.role in PERSON_ROLES,
        "chart": _chart(drill, lang_of(request)),
    }  # fmt: skip
    return render(request, "kemiskinan.html", context)


@router.get("/kemiskinan", response_class=HTMLResponse)
def kemiskinan(request: Request, user: CurrentUser) -> Response:
    return _page(request, user, svc.PROVINCE)


@router.get("/kemiskinan/{kode}", response_class=HTMLResponse)
def kemiskinan_wilayah(request: Request, user: CurrentUser, kode: str) -> Response:
    return _page(request, user, kode)


def _download(
    request: Request, user: User, kode: str, fmt: Literal["xlsx", "csv"], table: str
) -> Response:
    choice = _choose(request)
    if choice is None:
        raise NotFound("belum ada snapshot register")
    drill, _ = _figures(request, user, kode, choice)
    which: svc.ExportTable = "indikator" if table == "indikator" else "wilayah"
    out = svc.export_drilldown(app_state(request).catalog, drill, fmt, table=which,
                               scope=scope_for(user).describe(), actor=user.username)  # fmt: skip
    disposition = f'attachment; filename="{out.filename}"'
    return Response(out.content, media_type=out.media_type,
                    headers={"Content-Disposition": disposition})  # fmt: skip


@router.get("/kemiskinan/{kode}/unduh.xlsx")
def unduh_xlsx(request: Request, user: CurrentUser, kode: str) -> Response:
    return _download(request, user, kode, "xlsx", "wilayah")


@router.get("/kemiskinan/{kode}/unduh.csv")
def unduh_csv(request: Request, user: CurrentUser, kode: str, tabel: str = "wilayah") -> Response:
    return _download(request, user, kode, "csv", tabel)
