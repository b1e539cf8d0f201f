"""Snapshot & kualitas (admin and operator): the snapshots, their quality by region, the
difference between two, and importing a register by upload as a background job.

Each route calls one function of :mod:`padu.services.register`; a page asked for JSON
(``Accept: application/json``) gets the service's model instead of HTML.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from padu import fmt
from padu.accounts import User
from padu.errors import ImportRejected, InputError
from padu.services import register as svc
from padu.services.register.upload import rejects_dir
from padu.web.deps import CurrentUser, app_state
from padu.web.errors import Forbidden, wants_json
from padu.web.pages import render, translator_for

router = APIRouter(prefix="/snapshot")

#: Upload limit per file when the settings name none (``max_upload_mb``).
MAX_UPLOAD_MB = 200


def operator(request: Request, user: CurrentUser) -> User:
    """The current user, who must be an admin or an operator (403 page otherwise)."""
    if user.role not in ("admin", "operator"):
        raise Forbidden(translator_for(request)("snapshot.forbidden"))
    return user


Operator = Annotated[User, Depends(operator)]


def upload_limit_bytes(request: Request) -> int:
    """The largest file an upload may carry, from the settings (in MB)."""
    mb = getattr(app_state(request).settings, "max_upload_mb", None) or MAX_UPLOAD_MB
    return int(float(mb) * (1 << 20))


def _page(
    request: Request, name: str, model: BaseModel | list[Any], context: dict[str, Any]
) -> Response:
    if wants_json(request):
        if isinstance(model, list):
            return JSONResponse([m.model_dump(mode="json") for m in model])
        return JSONResponse(model.model_dump(mode="json"))
    helpers = {"waktu": fmt.waktu_wita, "persen": fmt.persen, "angka": fmt.angka}
    return render(request, name, {**helpers, **context})


@router.get("", response_class=HTMLResponse, response_model=None)
def snapshots(request: Request, user: Operator) -> Response:
    catalog = app_state(request).catalog
    rows = svc.list_snapshots(catalog)
    jobs = svc.recent_imports(catalog, 5)
    return _page(request, "snapshot.html", rows, {"snapshots": rows, "jobs": jobs})


@router.get("/impor", response_class=HTMLResponse, response_model=None)
def upload_form(request: Request, user: Operator) -> Response:
    return _form(request)


def _form(request: Request, error: ImportRejected | InputError | None = None) -> Response:
    context = {
        "jobs": svc.recent_imports(app_state(request).catalog, 10),
        "limit": svc.megabytes(upload_limit_bytes(request)),
        "error": error,
        "problems": getattr(error, "problems", []),
        "today": dt.datetime.now(fmt.WITA).date().isoformat(),
    }
    return render(request, "snapshot_impor.html", context, status=400 if error else 200)


@router.post("/impor", response_model=None)
def upload(
    request: Request,
    user: Operator,
    keluarga: Annotated[UploadFile | None, File()] = None,
    individu: Annotated[UploadFile | None, File()] = None,
    tanggal: Annotated[str, Form()] = "",
    label: Annotated[str, Form()] = "",
) -> Response:
    state, t = app_state(request), translator_for(request)
    folder = svc.upload_folder(state.settings.home)
    saved: list[svc.UploadedFile] = []
    try:  # once queued, the job removes the folder; until then, any failure does
        date = _date(tanggal, t("snapshot.i.bad_date"))
        for what, given in (("keluarga", keluarga), ("individu", individu)):
            if given is None or not given.filename:
                label_text = t(f"snapshot.i.{what}")
                raise InputError(t("snapshot.i.missing_file").format(what=label_text))
            limit = upload_limit_bytes(request)
            saved.append(svc.save_upload(given.file, given.filename, folder, limit))
        job = svc.submit_import(
            state.jobs, saved, snapshot_date=date, label=label.strip() or None,
            rejects_dir=rejects_dir(state.settings.home, folder), actor=user.username,
        )  # fmt: skip
    except (ImportRejected, InputError) as exc:
        svc.discard_folder(folder)
        return _form(request, exc)
    except BaseException:  # a full disk, the catalog gone: no personal data left behind
        svc.discard_folder(folder)
        raise
    return RedirectResponse(f"/snapshot/impor/{job}", status_code=303)


def _date(text: str, what: str) -> dt.date:
    try:
        return fmt.baca_tanggal(text)
    except ValueError as exc:
        raise InputError(f"{what}: {exc}") from None


@router.get("/impor/{job_id}", response_class=HTMLResponse, response_model=None)
def job_page(request: Request, user: Operator, job_id: int) -> Response:
    job = svc.import_job(app_state(request).catalog, job_id)
    return _page(request, "snapshot_job.html", job, {"job": job})


@router.get("/impor/{job_id}/status", response_class=HTMLResponse, response_model=None)
def job_status(request: Request, user: Operator, job_id: int) -> Response:
    job = svc.import_job(app_state(request).catalog, job_id)
    return _page(request, "snapshot_job_status.html", job, {"job": job})


@router.get("/beda", response_class=HTMLResponse, response_model=None)
def diff(request: Request, user: Operator, dari: str = "", ke: str = "") -> Response:
    state = app_state(request)
    snaps = svc.list_snapshots(state.catalog)
    context: dict[str, Any] = {"diff": None, "snapshots": snaps, "dari": dari, "ke": ke}
    if not dari or not ke or dari == ke:
        return _page(request, "snapshot_beda.html", snaps, context)
    result = svc.snapshot_diff(state.reader(), state.catalog, _ref(dari), _ref(ke))
    return _page(request, "snapshot_beda.html", result, {**context, "diff": result})


@router.get("/{snapshot_id}", response_class=HTMLResponse, response_model=None)
def quality(request: Request, user: Operator, snapshot_id: int, wilayah: str = "") -> Response:
    state = app_state(request)
    report = svc.snapshot_quality(state.reader(), state.catalog, snapshot_id, wilayah or None)
    return _page(request, "snapshot_kualitas.html", report, {"q": report})


def _ref(text: str) -> str | int:
    return int(text) if text.isdigit() else text
