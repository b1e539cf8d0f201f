"""Rendering pages: the Jinja2 environment, its filters, and what every template gets.

Numbers and dates go through :mod:`padu.fmt` (``1.234.567``, ``12,5 %``, ``23 Januari
2026``) whatever the page language, because the officers' reports use Indonesian
formats. A suppressed figure (``None``) is written ``< 5``. Templates autoescape, and
data for scripts is embedded with ``tojson`` (which escapes ``<``, ``>`` and ``&``).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from padu import fmt
from padu.web.i18n import COOKIE, Lang, pick_lang, translator
from padu.web.sessions import CSRF_FIELD

HIDDEN = "< 5"


def _dir(name: str) -> Path:
    return Path(str(resources.files("padu.web").joinpath(name)))


TEMPLATES_DIR = _dir("templates")
STATIC_DIR = _dir("static")


def jumlah(n: int | None) -> str:
    """A family count, or ``< 5`` when suppressed."""
    return HIDDEN if n is None else fmt.angka(n)


def pct(x: float | None, digits: int = 1) -> str:
    """A share (0-1) as a percentage, or ``< 5`` when suppressed."""
    return HIDDEN if x is None else fmt.persen(100 * x, digits)


def dec(x: float | None, digits: int = 3) -> str:
    """A decimal (M0), or ``< 5`` when suppressed."""
    return HIDDEN if x is None else fmt.desimal(x, digits)


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters.update(
        jumlah=jumlah, pct=pct, dec=dec, angka=fmt.angka, tanggal=fmt.tanggal_teks,
        wita=fmt.waktu_wita,
    )  # fmt: skip
    env.globals["csrf_field"] = CSRF_FIELD
    return templates


TEMPLATES = _templates()


def lang_of(request: Request) -> Lang:
    default = getattr(getattr(request.app.state, "padu", None), "settings", None)
    return pick_lang(request.cookies.get(COOKIE), getattr(default, "language", "id"))


def translator_for(request: Request) -> Callable[[str], str]:
    return translator(lang_of(request))


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A template with the common context: language, ``t``, the user, the CSRF token."""
    lang = lang_of(request)
    session = getattr(request.state, "session", None)
    base: dict[str, Any] = {
        "lang": lang,
        "t": translator(lang),
        "user": getattr(request.state, "user", None),
        "csrf_token": session.csrf if session is not None else "",
        "path": request.url.path,
    }
    response = TEMPLATES.TemplateResponse(
        request, name, {**base, **(context or {})}, status_code=status, headers=headers
    )
    response.headers.setdefault("Cache-Control", "no-store")
    return response
