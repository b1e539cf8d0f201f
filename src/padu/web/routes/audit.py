"""Audit (admin only): the audit log, filtered and paged, and its CSV download.

Filters travel in the query string (``pelaku``, ``jenis``, ``dari``, ``sampai`` as WITA
dates, ``teks``, ``halaman``), so a filtered view can be bookmarked and the pager is plain
links. The download is recorded by the service (``audit.export``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from padu.accounts import User
from padu.errors import InputError
from padu.fmt import WITA
from padu.services.audit import AuditFilter, audit_choices, export_audit_csv, query_audit
from padu.web.deps import CurrentUser, app_state
from padu.web.errors import Forbidden
from padu.web.pages import render, translator_for

router = APIRouter()


def require_admin(request: Request, user: User) -> None:
    if user.role != "admin":
        raise Forbidden(translator_for(request)("audit.forbidden"))


def _date(text: str, field: str, errors: dict[str, str]) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        errors[field] = f"tanggal tidak valid: {text.strip()[:20]!r} (tulis TTTT-BB-HH)"
        return None


def _filters(
    pelaku: str, jenis: str, dari: str, sampai: str, teks: str
) -> tuple[AuditFilter, dict[str, str], dict[str, str]]:
    """The filter, the problems by field, and the query as typed (for the form and links)."""
    errors: dict[str, str] = {}
    since, until = _date(dari, "dari", errors), _date(sampai, "sampai", errors)
    if since and until and since > until:
        errors["sampai"] = "tanggal akhir sebelum tanggal awal"
    typed = {"pelaku": pelaku[:100], "jenis": jenis[:60], "dari": dari[:20],
             "sampai": sampai[:20], "teks": teks[:200]}  # fmt: skip
    f = AuditFilter(actor=typed["pelaku"], kind=typed["jenis"], since=since, until=until,
                    text=typed["teks"])  # fmt: skip
    return f, errors, typed


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request, user: CurrentUser, pelaku: str = "", jenis: str = "", dari: str = "",
    sampai: str = "", teks: str = "", halaman: int = 1,
) -> HTMLResponse:  # fmt: skip
    require_admin(request, user)
    state = app_state(request)
    f, errors, typed = _filters(pelaku, jenis, dari, sampai, teks)
    result = query_audit(state.catalog, f, halaman) if not errors else None
    actors, kinds = audit_choices(state.catalog)
    query = urlencode({k: v for k, v in typed.items() if v})
    context: dict[str, Any] = {
        "result": result, "errors": errors, "form": typed, "actors": actors, "kinds": kinds,
        "query": query, "csv_url": "/audit.csv" + (f"?{query}" if query else ""),
    }  # fmt: skip
    return render(request, "audit.html", context, status=400 if errors else 200)


@router.get("/audit.csv", response_model=None)
def audit_csv(
    request: Request, user: CurrentUser, pelaku: str = "", jenis: str = "", dari: str = "",
    sampai: str = "", teks: str = "",
) -> Response:  # fmt: skip
    require_admin(request, user)
    f, errors, _ = _filters(pelaku, jenis, dari, sampai, teks)
    if errors:
        raise InputError("; ".join(errors.values()))
    text, _n = export_audit_csv(app_state(request).catalog, f, actor=user.username)
    name = f"audit-padu-{dt.datetime.now(WITA).date().isoformat()}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8", headers=headers)
