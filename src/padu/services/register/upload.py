"""Importing a register: :func:`import_register_files`, which ``padu register import`` runs
and so does the job of an upload, and the uploads the web app receives, saved, checked and
imported as background jobs. A refused import names every problem; a page gets them as
:class:`RegisterRejected` (no server path in its text or its job's result, NIK and KK
values masked).

Uploaded files hold the register's personal data, so none outlives its import: the job's
cleanup removes its folder whatever becomes of the job (done, failed, never started), the
route removes it when saving or queueing fails, and :func:`sweep_uploads` (at server start)
removes what a killed server left and the refused rows kept past their expiry."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel

from padu.audit import REGISTER_UPLOAD
from padu.errors import ImportRejected, InputError, NotFound, Problem
from padu.fmt import angka, desimal
from padu.jobs import JOB_QUEUED, JOB_RUNNING, JobContext, JobRunner
from padu.jobs.restart import process_start
from padu.register import import_register
from padu.stores import Catalog, Warehouse
from padu.stores.batches import process_alive
from padu.stores.catalog import JobRow

#: The job kind of an import by upload (its audit event is :data:`padu.audit.REGISTER_UPLOAD`).
IMPORT_JOB = "register.import"
#: File types ``padu register import`` reads (padu.sheets), by suffix.
ACCEPTED_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".xls", ".parquet")
UPLOADS_DIR = "unggahan"
#: Under the home: one folder per refused upload (its report and rejected rows).
REJECTS_DIR = "ditolak"
#: The job parameter naming the upload's folder (its name under :data:`UPLOADS_DIR`).
FOLDER_PARAM = "unggahan"
#: The audit event of a sweep that removed something (:func:`sweep_uploads`).
UPLOAD_SWEEP = "register.upload_sweep"
#: An upload folder no job names yet is another live server's upload in progress, unless
#: it is older than this (a received file is saved in minutes).
UPLOAD_GRACE = dt.timedelta(hours=6)
CHUNK = 1 << 20
#: Problems of a refused import kept for the page (the full list is in its report file).
SHOWN_PROBLEMS = 200
#: Import steps (padu.register.importer's progress words) -> how far the job is.
STEPS = {
    "membaca file": 0.1,
    "memeriksa isi": 0.3,
    "menulis ke warehouse": 0.6,
    "mencatat snapshot": 0.9,
}


class UploadedFile(BaseModel):
    """A received file, saved under the server's home."""

    name: str
    path: Path
    size: int
    sha256: str


class ImportOutcome(BaseModel):
    """What an accepted import created: ``padu register import``'s result, and an upload
    job's."""

    snapshot: int
    label: str
    snapshot_date: dt.date
    families: int
    individuals: int
    rejected_rows: int
    region_scheme: str
    quality_findings: dict[str, int]  # finding code -> rows


@dataclass
class RegisterRejected(ImportRejected):
    """An import refused as a whole, with its problems as rows a page can show (values of
    NIK and KK columns masked)."""

    def to_dict(self) -> dict[str, object]:
        rows = [
            {"file": p.file, "row": p.row, "column": p.column, "value": p.shown_value,
             "reason": p.reason, "code": p.code}
            for p in self.problems[:SHOWN_PROBLEMS]
        ]  # fmt: skip
        # file names only: where the server keeps them is none of a page's business
        report = self.report_path.name if self.report_path else None
        rejects = [Path(p).name for p in self.rejects_paths]
        return {**super().to_dict(), "rows": rows, "report": report, "rejects": rejects}

    @classmethod
    def of(cls, exc: ImportRejected) -> RegisterRejected:
        """The import's refusal for a page: the same problems, no server path in the text."""
        if isinstance(exc, RegisterRejected):
            return exc
        return cls(
            summary=exc.summary.split(" Laporan: ")[0],
            problems=exc.problems, report_path=exc.report_path,
            rejects_paths=exc.rejects_paths, rejected_rows=exc.rejected_rows,
        )  # fmt: skip


def upload_folder(home: Path) -> Path:
    """A new private folder for one upload under ``home``, named by when and by which
    process (so a sweep can tell an upload in progress from a leftover)."""
    parent = _private(Path(home) / UPLOADS_DIR)
    stamp = f"{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}-{secrets.token_hex(4)}"
    folder = parent / stamp
    folder.mkdir(mode=0o700)
    return folder


def rejects_dir(home: Path, upload: Path) -> Path:
    """Where a refused upload's report and rejected rows go (made by the import, in a
    private folder), removed by :func:`sweep_uploads` after their expiry."""
    return _private(Path(home) / REJECTS_DIR) / upload.name


def _private(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    return folder


def safe_name(name: str, taken: set[str]) -> str:
    """A file name safe in a folder (no path, no odd characters), unique among ``taken``."""
    base = Path(name.replace("\\", "/")).name
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "berkas"
    stem, suffix = Path(base).stem[:80], Path(base).suffix[:10]
    out, n = f"{stem}{suffix}", 1
    while out in taken:
        n += 1
        out = f"{stem}-{n}{suffix}"
    taken.add(out)
    return out


def save_upload(stream: IO[bytes], name: str, folder: Path, limit_bytes: int) -> UploadedFile:
    """Copy one received file into ``folder``; InputError naming the file and the limit when
    it is larger than ``limit_bytes`` (the copy stops there and is removed)."""
    taken = {p.name for p in folder.iterdir()}
    path = folder / safe_name(name, taken)
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            if size > limit_bytes:
                out.close()
                path.unlink(missing_ok=True)
                raise InputError(
                    f"{name}: file terlalu besar; batas unggahan {megabytes(limit_bytes)} per "
                    "file. Pecah file atau impor lewat perintah padu register import di server."
                )
            digest.update(chunk)
            out.write(chunk)
    return UploadedFile(name=path.name, path=path, size=size, sha256=digest.hexdigest())


def check_uploads(files: Sequence[UploadedFile]) -> None:
    """Refuse (all problems together) a missing, empty or wrong-type file."""
    problems = []
    if not files:
        problems.append(
            Problem("-", None, None, None, "tidak ada file yang diunggah", "file_kosong")
        )
    for f in files:
        reason = _type_problem(f)
        if reason:
            problems.append(Problem(f.name, None, None, None, reason, "file_tidak_sesuai"))
    if problems:
        what = problems[0].describe() if len(problems) == 1 else f"{len(problems)} masalah file"
        raise RegisterRejected(summary=f"unggahan ditolak: {what}", problems=problems)


def _type_problem(f: UploadedFile) -> str | None:
    if f.size == 0:
        return "file kosong (0 byte): tidak ada header maupun baris data"
    suffix = f.path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        return (
            f"jenis file {suffix or '(tanpa akhiran)'} tidak diterima; unggah CSV, XLSX atau "
            "Parquet"
        )
    with f.path.open("rb") as fh:
        head = fh.read(CHUNK)
    if suffix in (".xlsx", ".xlsm", ".xls") and not head.startswith((b"PK\x03\x04", b"\xd0\xcf")):
        return "isi file bukan spreadsheet Excel, walau namanya berakhiran " + suffix
    if suffix == ".parquet" and not head.startswith(b"PAR1"):
        return "isi file bukan Parquet, walau namanya berakhiran .parquet"
    if suffix in (".csv", ".txt", ".tsv") and (b"\x00" in head or head.startswith(b"PK\x03\x04")):
        return "isi file bukan teks CSV (file biner: spreadsheet, arsip atau gambar?)"
    return None


def content_hash(files: Sequence[UploadedFile]) -> str:
    """One SHA-256 for a set of files, whatever their order or names: of their sorted
    SHA-256s (the same extract uploaded twice has the same hash)."""
    return _joined(f.sha256 for f in files)


def submit_import(
    runner: JobRunner,
    files: Sequence[UploadedFile],
    *,
    snapshot_date: dt.date,
    label: str | None,
    rejects_dir: Path,
    actor: str,
) -> int:
    """Queue the import of saved uploads as a background job and record the upload's audit
    event (who, files, sizes, job id); the job's id."""
    check_uploads(files)
    digest = content_hash(files)
    listed = [{"nama": f.name, "ukuran": f.size, "sha256": f.sha256} for f in files]
    paths = [f.path for f in files]
    params = {
        "berkas": listed, "snapshot_date": snapshot_date.isoformat(), "label": label,
        "content_hash": digest, FOLDER_PARAM: paths[0].parent.name,
    }  # fmt: skip

    def work(ctx: JobContext) -> ImportOutcome:
        wh, cat = ctx.stores()
        try:
            return import_register_files(
                paths, wh, cat, snapshot_date=snapshot_date, label=label,
                rejects_dir=rejects_dir, actor=ctx.actor, progress=ctx.progress,
            )  # fmt: skip
        except ImportRejected as exc:
            raise RegisterRejected.of(exc) from None

    job_id = runner.submit(IMPORT_JOB, actor, params, work, cleanup=lambda: discard_upload(paths))
    runner.catalog.record(
        REGISTER_UPLOAD, {"job": job_id, "files": listed, "content_hash": digest}, actor
    )
    return job_id


def discard_upload(paths: Sequence[Path]) -> None:
    """Remove uploaded files and their folder (personal data is not kept once imported)."""
    for p in paths:
        Path(p).unlink(missing_ok=True)
    for folder in {Path(p).parent for p in paths}:
        discard_folder(folder)


def discard_folder(folder: Path) -> None:
    """Remove one upload folder made by :func:`upload_folder`, whatever it holds."""
    if folder.parent.name == UPLOADS_DIR:
        shutil.rmtree(folder, ignore_errors=True)


class Sweep(BaseModel):
    """What a start-up sweep removed: upload folders, and refused uploads' folders."""

    uploads: list[str]
    rejects: list[str]


def sweep_uploads(
    catalog: Catalog, home: Path, *, keep_rejects_days: int, actor: str,
    now: dt.datetime | None = None,
) -> Sweep:  # fmt: skip
    """Remove what no job will remove (run at server start, after
    :func:`padu.jobs.mark_interrupted`), recorded as ``register.upload_sweep`` when
    anything went:

    * every upload folder that no unfinished import names, unless it may be another live
      server's upload in progress (its process, named in the folder, runs on this host, had
      started before the folder was last written, and the folder is younger than
      :data:`UPLOAD_GRACE`): a server killed mid-job, or between saving and queueing,
      leaves such folders;
    * every refused upload's folder (report and rejected rows, with personal data) older
      than ``keep_rejects_days``.
    """
    now = now or dt.datetime.now(dt.UTC)
    home = Path(home)
    busy = {
        str(row.params.get(FOLDER_PARAM))
        for row in catalog.jobs(kind=IMPORT_JOB, states=(JOB_QUEUED, JOB_RUNNING), limit=None)
    }
    uploads = [
        f.name for f in _entries(home / UPLOADS_DIR)
        if f.name not in busy and not _in_progress(f, now) and _remove(f)
    ]  # fmt: skip
    cutoff = now - dt.timedelta(days=keep_rejects_days)
    rejects = [f.name for f in _entries(home / REJECTS_DIR) if _mtime(f) < cutoff and _remove(f)]
    if uploads or rejects:
        detail = {"uploads": len(uploads), "rejects": len(rejects), "days": keep_rejects_days}
        catalog.record(UPLOAD_SWEEP, detail, actor)
    return Sweep(uploads=sorted(uploads), rejects=sorted(rejects))


def _entries(folder: Path) -> list[Path]:
    try:
        return sorted(folder.iterdir())
    except FileNotFoundError:
        return []


def _mtime(path: Path) -> dt.datetime:
    return dt.datetime.fromtimestamp(path.lstat().st_mtime, dt.UTC)


def _in_progress(folder: Path, now: dt.datetime) -> bool:
    """Whether ``folder`` may be an upload another live process is still saving."""
    parts = folder.name.split("-")
    if len(parts) != 4 or not parts[2].isdigit():  # not named by upload_folder
        return False
    pid, written = int(parts[2]), _mtime(folder)
    if now - written > UPLOAD_GRACE or not process_alive(pid):
        return False
    started = process_start(pid)
    return started is None or started <= written.timestamp() + 2.0  # not a reused pid


def _remove(path: Path) -> bool:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    return not path.exists()


def import_register_files(
    paths: Sequence[Path],
    wh: Warehouse,
    catalog: Catalog,
    *,
    snapshot_date: dt.date,
    label: str | None,
    rejects_dir: Path,
    actor: str,
    progress: Callable[[float, str], None] | None = None,
) -> ImportOutcome:
    """Import family and member files as one new snapshot (``padu register import``),
    recorded as ``register.import`` by ``actor``: accepted whole, or refused whole with every
    problem (:class:`padu.errors.ImportRejected`, its report and rejected rows written under
    ``rejects_dir``)."""
    report = progress or (lambda _f, _m: None)

    def step(message: str) -> None:
        report(STEPS.get(message, 0.5), message)

    result = import_register(
        paths, wh, catalog, snapshot_date=snapshot_date, label=label or None,
        rejects_dir=rejects_dir, actor=actor, progress=step,
    )  # fmt: skip
    report(1.0, "selesai")
    return ImportOutcome(
        snapshot=result.snapshot, label=result.label, snapshot_date=result.tanggal,
        families=result.families, individuals=result.individuals,
        rejected_rows=result.rejected_rows, region_scheme=result.scheme,
        quality_findings=result.findings,
    )  # fmt: skip


def _joined(digests: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(digests)).encode()).hexdigest()


def megabytes(n: int) -> str:
    """A size limit as an officer reads it: ``200 MB``."""
    mb = n / (1 << 20)
    if mb < 1:
        return f"{angka(n / 1024)} KB"
    return f"{angka(mb) if mb == int(mb) else desimal(mb, 1)} MB"


# -- import jobs -----------------------------------------------------------------------------
class ProblemRow(BaseModel):
    """One problem of a refused import (value masked in NIK/KK columns)."""

    file: str | None
    row: int | None
    column: str | None
    value: str | None
    reason: str


class ImportJob(BaseModel):
    """An import by upload as its page shows it: state, progress, and how it ended."""

    id: int
    actor: str
    state: str
    progress: float
    message: str
    created: dt.datetime
    finished: dt.datetime | None
    files: list[dict[str, Any]]
    snapshot_date: str | None
    label: str | None
    snapshot: int | None
    error: str | None
    problems: list[ProblemRow]
    problem_count: int
    report: str | None

    @property
    def ended(self) -> bool:
        return self.state in ("selesai", "gagal")


def import_job(catalog: Catalog, job_id: int) -> ImportJob:
    """One import job (NotFound for an unknown id or a job of another kind)."""
    row = catalog.job(job_id)
    if row.kind != IMPORT_JOB:
        raise NotFound(f"tidak ada impor nomor {job_id}")
    return _import_job(row)


def recent_imports(catalog: Catalog, limit: int = 10) -> list[ImportJob]:
    """The latest imports by upload, newest first."""
    return [_import_job(r) for r in catalog.jobs(kind=IMPORT_JOB, limit=limit)]


def _import_job(row: JobRow) -> ImportJob:
    result = row.result or {}
    files = row.params.get("berkas")
    snap = result.get("snapshot") if row.state == "selesai" else None
    rows = result.get("rows") if row.state == "gagal" else None
    count = result.get("problems")
    return ImportJob(
        id=row.id, actor=row.actor, state=row.state, progress=row.progress,
        message=row.message, created=row.created, finished=row.finished,
        files=files if isinstance(files, list) else [],
        snapshot_date=_text(row.params.get("snapshot_date")),
        label=_text(row.params.get("label")),
        snapshot=snap if isinstance(snap, int) else None, error=row.error,
        problems=[ProblemRow(**r) for r in rows] if isinstance(rows, list) else [],
        problem_count=count if isinstance(count, int) else 0,
        report=_text(result.get("report")),
    )  # fmt: skip


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
