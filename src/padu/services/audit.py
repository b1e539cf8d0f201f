"""The audit log as an admin reads it: filtered, newest first, a page at a time, or as CSV.

Filters are the actor, the event kind, a date range in Kaltara's time (WITA) and free text
in the event's detail. Each event comes back with its kind in words and a readable summary
of its detail; NIK and KK numbers inside are masked (the log keeps them in full, so an
admin can still find "who looked at this family" by typing the number). The CSV download
is itself an event (``audit.export``), with the filters used and the number of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Select, func, select

from padu.fmt import WITA, waktu_wita
from padu.identifiers import mask_identifiers
from padu.stores import Catalog
from padu.stores.catalog import AuditRow

AUDIT_EXPORT = "audit.export"
PER_PAGE = 50
MAX_TEXT = 200

#: every kind in words (Indonesian; the page translates through its word file)
KIND_WORDS: dict[str, str] = {
    "register.import": "Impor register",
    "register.reference": "Penetapan snapshot acuan",
    "target.draw": "Penarikan daftar sasaran",
    "target.adopt": "Penetapan daftar sasaran",
    "plan.run": "Perhitungan rencana",
    "job.submit": "Pekerjaan diajukan",
    "job.finish": "Pekerjaan selesai",
    "api.ibr": "Pencarian kepesertaan lewat API",
    "family.card": "Kartu keluarga dibuka",
    "family.search": "Pencarian keluarga",
    "family.list": "Daftar keluarga desa dibuka",
    "family.reveal": "NIK/KK ditampilkan",
    "link.ledger": "Pencocokan daftar penerima",
    "link.review": "Tinjauan pencocokan",
    "link.mapping": "Pemetaan kolom daftar",
    "programme.import": "Impor program",
    "measure.save": "Penyimpanan ukuran kemiskinan",
    "scenario.save": "Penyimpanan skenario",
    "regions.crosswalk": "Tabel padanan kode wilayah",
    "personal_data.export": "Ekspor data pribadi",
    "user.add": "Akun ditambahkan",
    "user.disable": "Akun dinonaktifkan",
    "user.enable": "Akun diaktifkan",
    "user.password": "Kata sandi diganti",
    "user.token": "Token API",
    "user.login": "Masuk",
    "user.login_failed": "Gagal masuk",
    "register.upload": "Unggahan register",
    "register.upload_sweep": "Pembersihan file unggahan lama",
    AUDIT_EXPORT: "Unduhan log audit",
}

#: detail keys in words, for the summary
KEY_WORDS: dict[str, str] = {
    "username": "akun", "role": "peran", "agency": "instansi", "kk": "No. KK", "nik": "NIK",
    "year": "tahun", "snapshot": "snapshot", "reason": "alasan", "kind": "jenis",
    "path": "berkas", "programme": "program", "rows": "baris", "found": "ditemukan",
    "scope": "cakupan", "desa": "desa", "action": "tindakan", "label": "label",
    "token": "token", "tokens_revoked": "token dicabut", "state": "status", "id": "nomor",
    "by": "menurut", "ids": "nomor", "n_ids": "jumlah nomor", "key": "dicari dengan",
    "filters": "saringan", "page": "halaman", "families": "keluarga",
    "uploads": "folder unggahan dihapus", "rejects": "folder baris ditolak dihapus",
    "days": "masa simpan (hari)",
}  # fmt: skip


class AuditFilter(BaseModel):
    """What the admin asked for; empty fields do not filter."""

    actor: str = ""
    kind: str = ""
    since: dt.date | None = None  # WITA date, inclusive
    until: dt.date | None = None  # WITA date, inclusive
    text: str = ""

    def active(self) -> dict[str, str]:
        """The filters in use, as text (for the export's event and the page's links)."""
        out = {k: str(v) for k, v in self.model_dump().items() if v not in (None, "")}
        return {k: v[:MAX_TEXT] for k, v in out.items()}


class AuditEvent(BaseModel):
    """One event as shown: masked, with words."""

    id: int
    when: dt.datetime  # aware, UTC
    when_wita: str
    actor: str
    kind: str
    kind_words: str
    summary: str
    detail_json: str  # pretty JSON, identifiers masked


class AuditPage(BaseModel):
    events: list[AuditEvent]
    total: int
    page: int
    pages: int
    per_page: int


def _start_utc(day: dt.date) -> dt.datetime:
    """The UTC moment (naive, as stored) at which ``day`` begins in WITA."""
    return dt.datetime.combine(day, dt.time(), WITA).astimezone(dt.UTC).replace(tzinfo=None)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filtered(f: AuditFilter, q: Select[Any]) -> Select[Any]:
    if f.actor.strip():
        q = q.where(AuditRow.pelaku == f.actor.strip())
    if f.kind.strip():
        q = q.where(AuditRow.jenis == f.kind.strip())
    if f.since is not None:
        q = q.where(AuditRow.waktu >= _start_utc(f.since))
    if f.until is not None:
        q = q.where(AuditRow.waktu < _start_utc(f.until + dt.timedelta(days=1)))
    if f.text.strip():
        q = q.where(AuditRow.rincian.ilike(_like(f.text.strip()[:MAX_TEXT]), escape="\\"))
    return q


def _value(key: str, value: object) -> str:
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value[:10]) + (" …" if len(value) > 10 else "")
    text = str(value)
    if key == "path":
        text = text.replace("\\", "/").rsplit("/", 1)[-1]
    return text if len(text) <= 120 else text[:117] + "…"


def summarise(detail: dict[str, Any]) -> str:
    """The detail as one readable line: known keys in words, identifiers masked."""
    parts = []
    for key in sorted(detail, key=lambda k: (k not in ("username", "kk", "nik", "reason"), k)):
        value = detail[key]
        if value is None or value == "":
            continue
        parts.append(f"{KEY_WORDS.get(key, key)}: {_value(key, value)}")
    return mask_identifiers("; ".join(parts))


def _event(row: AuditRow) -> AuditEvent:
    try:
        detail = json.loads(row.rincian)
    except ValueError:
        detail = {"teks": row.rincian}
    if not isinstance(detail, dict):
        detail = {"nilai": detail}
    when = row.waktu.replace(tzinfo=dt.UTC) if row.waktu.tzinfo is None else row.waktu
    return AuditEvent(
        id=row.id, when=when, when_wita=waktu_wita(when), actor=row.pelaku, kind=row.jenis,
        kind_words=KIND_WORDS.get(row.jenis, row.jenis), summary=summarise(detail),
        detail_json=mask_identifiers(json.dumps(detail, indent=2, ensure_ascii=False,
                                                sort_keys=True, default=str)),
    )  # fmt: skip


def query_audit(catalog: Catalog, f: AuditFilter, page: int = 1) -> AuditPage:
    """One page (:data:`PER_PAGE` events) of the filtered log, newest first.

    Reading the log is not itself logged (it holds no personal data in clear once masked);
    downloading it is (:func:`export_audit_csv`)."""
    with catalog.session() as s:
        total = int(s.scalar(_filtered(f, select(func.count(AuditRow.id)))) or 0)
        pages = max(1, -(-total // PER_PAGE))
        page = min(max(1, page), pages)
        q = _filtered(f, select(AuditRow)).order_by(AuditRow.id.desc())
        rows = list(s.scalars(q.offset((page - 1) * PER_PAGE).limit(PER_PAGE)))
    return AuditPage(events=[_event(r) for r in rows], total=total, page=page, pages=pages,
                     per_page=PER_PAGE)  # fmt: skip


def audit_choices(catalog: Catalog) -> tuple[list[str], list[str]]:
    """The actors and the kinds present in the log (for the filter's lists), sorted."""
    with catalog.session() as s:
        actors = [str(a) for a in s.scalars(select(AuditRow.pelaku).distinct())]
        kinds = [str(k) for k in s.scalars(select(AuditRow.jenis).distinct())]
    return sorted(actors), sorted(set(kinds) | set(KIND_WORDS))


def _inert(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (``=``, ``+``, ``-``, ``@`` first)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _rows(catalog: Catalog, f: AuditFilter) -> Iterator[AuditEvent]:
    with catalog.session() as s:
        q = _filtered(f, select(AuditRow)).order_by(AuditRow.id.desc())
        rows = list(s.scalars(q))
    for r in rows:
        yield _event(r)


def export_audit_csv(catalog: Catalog, f: AuditFilter, *, actor: str) -> tuple[str, int]:
    """The filtered log as CSV text (newest first, identifiers masked) and its row count;
    the download is recorded as ``audit.export`` with the filters used."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "waktu_wita", "pelaku", "jenis", "jenis_kata", "ringkasan", "rincian"])
    n = 0
    for e in _rows(catalog, f):
        local = e.when.astimezone(WITA).strftime("%Y-%m-%d %H:%M:%S")
        cells = [e.actor, e.kind, e.kind_words, e.summary, e.detail_json.replace("\n", " ")]
        writer.writerow([e.id, local, *(_inert(c) for c in cells)])
        n += 1
    catalog.record(AUDIT_EXPORT, {"filters": f.active(), "rows": n}, actor)
    return out.getvalue(), n
