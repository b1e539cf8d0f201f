"""Cari keluarga (admin, operator, opd): find a family by NIK or KK, or list a desa's
families, within the user's scope; the family card; reveal its numbers with a reason.

A viewer is refused (403) on every path. A family is addressed by an opaque reference
(:class:`padu.services.family.FamilyRefs`, sealed for this user), so no URL holds a KK; the
search form posts the number, so it stays out of the address bar, the history and the
server's access log (there is no GET search: a number in a query string would be logged
as typed). Every search, list, card and reveal is recorded by :mod:`padu.services.family`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from padu.access import scope_for
from padu.accounts import User
from padu.errors import InputError, NotFound
from padu.services import family as svc
from padu.web.deps import CurrentUser, app_state
from padu.web.errors import Forbidden
from padu.web.pages import render, translator_for

router = APIRouter()


def require_persons(request: Request, user: User) -> None:
    if user.role not in ("admin", "operator", "opd"):
        raise Forbidden(translator_for(request)("keluarga.forbidden"))


def _refs(request: Request) -> svc.FamilyRefs:
    return svc.FamilyRefs(app_state(request).settings.session_secret())


def _page(request: Request, user: User, status: int = 200, **extra: Any) -> HTMLResponse:
    card: svc.FamilyCard | None = extra.get("card")
    context: dict[str, Any] = {
        "desa_choices": svc.desa_choices(), "form": {"by": "kk"}, "errors": {},
        "min_reason": svc.MIN_REASON, **extra,
    }  # fmt: skip
    if card is not None:
        context["ref"] = _refs(request).seal(card.kk, user.username)
        context.update(svc.card_context(card))
    listing: svc.DesaPage | None = extra.get("listing")
    if listing is not None:
        refs = _refs(request)
        context["row_refs"] = [refs.seal(r.kk, user.username) for r in listing.rows]
    if request.headers.get("hx-request") and card is not None:
        # htmx swaps only 2xx answers: the card with its field error is the answer
        return render(request, "keluarga_kartu.html", context)
    return render(request, "keluarga.html", context, status=status)


def _search(request: Request, user: User, key: str, by: str) -> HTMLResponse:
    state = app_state(request)
    form = {"by": by if by in ("kk", "nik") else "kk"}
    try:
        card = svc.search_family(state.reader(), state.catalog, key, by, scope_for(user),
                                 actor=user.username)  # fmt: skip
    except InputError as exc:
        return _page(request, user, 400, form=form, errors={"key": exc.message})
    except NotFound as exc:
        return _page(request, user, 404, form=form, not_found=exc.message)
    return _page(request, user, card=card, form=form)


@router.get("/keluarga", response_class=HTMLResponse)
def keluarga(request: Request, user: CurrentUser, desa: str = "", halaman: int = 1) -> HTMLResponse:
    require_persons(request, user)
    if desa:
        state = app_state(request)
        try:
            listing = svc.desa_families(state.reader(), state.catalog, desa, scope_for(user),
                                        halaman, actor=user.username)  # fmt: skip
        except InputError as exc:
            return _page(request, user, 400, errors={"desa": exc.message}, desa=desa[:20])
        return _page(request, user, listing=listing, desa=listing.kode)
    return _page(request, user)


@router.post("/keluarga", response_class=HTMLResponse)
def search(
    request: Request, user: CurrentUser, key: Annotated[str, Form(max_length=100)] = "",
    by: Annotated[str, Form(max_length=10)] = "kk",
) -> HTMLResponse:  # fmt: skip
    require_persons(request, user)
    return _search(request, user, key, by)


def _kk(request: Request, user: User, ref: str) -> str:
    kk = _refs(request).open(ref, user.username)
    if kk is None:
        raise NotFound(translator_for(request)("keluarga.not_found"))
    return kk


@router.get("/keluarga/{ref}", response_class=HTMLResponse)
def family(request: Request, user: CurrentUser, ref: str) -> HTMLResponse:
    require_persons(request, user)
    state = app_state(request)
    card = svc.family_by_kk(state.reader(), state.catalog, _kk(request, user, ref),
                            scope_for(user), actor=user.username)  # fmt: skip
    return _page(request, user, card=card)


@router.post("/keluarga/{ref}/tampilkan", response_class=HTMLResponse)
def reveal(
    request: Request, user: CurrentUser, ref: str,
    alasan: Annotated[str, Form(max_length=2000)] = "",
) -> HTMLResponse:  # fmt: skip
    require_persons(request, user)
    state, kk = app_state(request), _kk(request, user, ref)
    try:
        card = svc.reveal_family(state.reader(), state.catalog, kk, alasan, scope_for(user),
                                 actor=user.username)  # fmt: skip
    except InputError as exc:
        card = svc.family_by_kk(state.reader(), state.catalog, kk, scope_for(user),
                                actor=user.username)  # fmt: skip
        return _page(request, user, 400, card=card, errors={"alasan": exc.message},
                     alasan=alasan[:500], open_reveal=True)  # fmt: skip
    return _page(request, user, card=card)
