"""The endpoints of ``/api/v1``: each one checks the caller, calls one service, shapes it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from padu.access import scope_for
from padu.errors import NotFound
from padu.identifiers import mask_identifiers
from padu.services.enrolment import IdKind, lookup_enrolled
from padu.web.api.auth import ApiUser, PersonReader, errors
from padu.web.api.figures import FigureCache, Level, mpi_json, snapshots
from padu.web.api.models import (
    IbrAnswer,
    IbrOut,
    IbrRequest,
    JobOut,
    MpiOut,
    SnapshotOut,
    SnapshotRef,
)
from padu.web.deps import app_state

router = APIRouter(prefix="/api/v1", tags=["api"])
#: the largest id the catalog's integer columns hold on every backend
MAX_ID = 2_147_483_647


def figure_cache(request: Request) -> FigureCache:
    """This app's figure cache, the one Beranda fills too (a level computed for either
    is computed once)."""
    return app_state(request).beranda.figures


@router.get("/snapshots", response_model=list[SnapshotOut], responses=errors(401))
def list_snapshots(request: Request, user: ApiUser) -> list[SnapshotOut]:
    """Snapshot register: id, label, tanggal, jumlah keluarga dan individu."""
    return snapshots(app_state(request).catalog)


@router.get("/mpi", response_model=MpiOut, responses=errors(401, 404, 422))
def mpi(
    request: Request,
    user: ApiUser,
    snapshot: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            pattern=r"^[^\x00-\x1f\x7f]+$",
            description="latest, id, acuan:TAHUN atau label snapshot",
        ),
    ] = "latest",
    by: Level = "kabupaten",
) -> Response:
    """Indeks kemiskinan multidimensi Padu-7 (H, A, M0, n, q) per wilayah.

    Untuk peran viewer, wilayah dengan kurang dari 5 keluarga (atau 1-4 keluarga miskin)
    disembunyikan: angkanya null dan ``suppressed`` true.
    """  # fmt: skip
    state = app_state(request)
    scope, cache = scope_for(user), figure_cache(request)
    body = mpi_json(state.reader(), state.catalog, snapshot, by, scope, cache,
                    actor=user.username)  # fmt: skip
    return Response(body, media_type="application/json")  # MpiOut, serialised once


@router.post("/ibr/enrolled", response_model=IbrOut, responses=errors(400, 401, 403, 404, 422))
def ibr_enrolled(request: Request, user: PersonReader, body: IbrRequest) -> IbrOut:
    """Pencarian registri penerima manfaat terpadu (gaya DCI).

    Kirim ``{"nik": [...]}`` atau ``{"kk": [...]}`` (paling banyak 1.000 nomor). Untuk tiap
    nomor: dikenal atau tidak, dan program yang diikutinya (rencana/realisasi) pada tahun
    itu, dalam cakupan pemanggil. Peran opd hanya melihat keluarga dalam daftar program
    instansinya; nomor di luar cakupan terbaca tidak ditemukan. Hanya dengan token API.
    """
    state = app_state(request)
    by: IdKind = "nik" if body.nik is not None else "kk"
    ids = body.nik if body.nik is not None else (body.kk or [])
    scope = scope_for(user, body.year)
    found = lookup_enrolled(state.reader(), state.catalog, ids, by, scope, actor=user.username)
    snap = SnapshotRef(
        id=found.snapshot_id, label=found.snapshot_label, tanggal=found.snapshot_date
    )
    results = [IbrAnswer.model_validate(a.model_dump()) for a in found.answers]  # ids masked
    return IbrOut(year=found.year, snapshot=snap, by=found.by, scope=found.scope,
                  results=results)  # fmt: skip


def _masked(value: Any) -> Any:
    """A job's result with every long digit run (a NIK or KK) masked, at any depth."""
    if isinstance(value, str):
        return mask_identifiers(value)
    if isinstance(value, dict):
        return {mask_identifiers(str(k)): _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


@router.get("/jobs/{job_id}", response_model=JobOut, responses=errors(401, 404, 422))
def job(request: Request, user: ApiUser, job_id: Annotated[int, Path(ge=1, le=MAX_ID)]) -> JobOut:
    """Keadaan pekerjaan latar: milik sendiri (admin: semua)."""
    try:
        row = app_state(request).jobs.get(job_id)
    except NotFound:
        row = None
    if row is None or (row.actor != user.username and user.role != "admin"):
        raise NotFound(f"pekerjaan {job_id} tidak ada")  # another's job reads as absent
    return JobOut(
        id=row.id, kind=row.kind, actor=row.actor, state=row.state, progress=row.progress,
        message=mask_identifiers(row.message), result=_masked(row.result),
        error=mask_identifiers(row.error) if row.error else None, created=row.created,
        started=row.started, finished=row.finished,
    )  # fmt: skip
