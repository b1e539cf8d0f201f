"""The Snapshot & kualitas pages through TestClient: who may see them, the figures they
show, and an import by upload run as a job (accepted, refused, too large, wrong type)."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import threading
import time
import types
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from padu.fmt import angka
from padu.register import quality_report
from padu.services import register as svc
from padu.web import create_app
from padu.web.routes import snapshot as routes
from tests.conftest import HAND_DESA, Stores, write_csv_register
from tests.test_services_register import second_snapshot
from tests.web_support import csrf_of, log_in, web_settings_for

duckdb_only = pytest.mark.parametrize("stores", ["duckdb"], indirect=True)


def upload(
    c: TestClient, files: dict[str, tuple[str, bytes]], tanggal: str = "01-04-2026", label: str = ""
) -> Any:
    token = csrf_of(c.get("/snapshot/impor").text)
    data = {"csrf_token": token, "tanggal": tanggal, "label": label}
    parts = {k: (name, body, "text/csv") for k, (name, body) in files.items()}
    return c.post("/snapshot/impor", data=data, files=parts)


def wait_job(c: TestClient, job_id: int) -> None:
    c.app.state.padu.jobs.wait(job_id, timeout=60)


def job_of(r: Any) -> int:
    location = r.headers["location"]
    found = re.fullmatch(r"/snapshot/impor/(\d+)", location)
    assert found, location
    return int(found.group(1))


@pytest.mark.parametrize("user", ["pembaca", "opd_dinsos"])
@duckdb_only
def test_viewer_and_opd_are_refused(web: TestClient, snapshot: int, user: str) -> None:
    log_in(web, user)
    home = web.get("/")
    assert 'href="/snapshot"' not in home.text
    for path in ("/snapshot", f"/snapshot/{snapshot}", "/snapshot/impor", "/snapshot/beda",
                 "/snapshot/impor/1/status"):  # fmt: skip
        r = web.get(path)
        assert r.status_code == 403, path
        assert "hanya untuk admin dan operator" in r.text
    token = csrf_of(home.text)
    r = web.post("/snapshot/impor", data={"csrf_token": token, "tanggal": "2026-04-01"})
    assert r.status_code == 403
    assert not web.app.state.padu.catalog.jobs(kind=svc.IMPORT_JOB)


@pytest.mark.parametrize("user", ["operator1", "admin1"])
@duckdb_only
def test_list_shows_every_snapshot(
    web: TestClient, stores: Stores, snapshot: int, user: str
) -> None:
    stores.catalog.set_reference(2026, snapshot, "BA 1/2026", "admin1")
    log_in(web, user)
    assert 'href="/snapshot"' in web.get("/").text
    page = web.get("/snapshot")
    assert page.status_code == 200
    snap = stores.catalog.snapshot(snapshot)
    row = re.search(rf'<tr data-snapshot="{snapshot}">(.*?)</tr>', page.text, re.S)
    assert row is not None
    text = row.group(1)
    for shown in (snap.label, "23 Januari 2026", angka(snap.keluarga), angka(snap.individu),
                  "penguji", "WITA", "acuan tahun 2026", "terbaru"):  # fmt: skip
        assert shown in text, shown
    as_json = web.get("/snapshot", headers={"accept": "application/json"}).json()
    assert as_json[0]["id"] == snapshot and as_json[0]["reference_for"] == [2026]


def test_quality_page_shows_the_core_figures(
    web: TestClient, stores: Stores, snapshot: int
) -> None:
    log_in(web, "operator1")
    core = quality_report(stores.warehouse, stores.catalog, snapshot, "kabupaten")
    page = web.get(f"/snapshot/{snapshot}")
    assert page.status_code == 200, page.text[:300]
    for group, n in core["summary"].items():
        cell = re.search(rf'data-testid="q-group-{group}">([^<]*)<', page.text)
        assert cell is not None and cell.group(1) == angka(n)
    assert "NIK yang sama dipakai lebih dari satu anggota" in page.text  # findings in words
    kab = next(k for k in core["findings_by_region"] if k != svc.NO_REGION)
    assert f'href="/snapshot/{snapshot}?wilayah={kab}"' in page.text
    drill = web.get(f"/snapshot/{snapshot}?wilayah={kab}")
    assert drill.status_code == 200 and "Temuan per kecamatan" in drill.text
    kec = quality_report(stores.warehouse, stores.catalog, snapshot, "kecamatan")
    for code, found in kec["findings_by_region"].items():
        if code.startswith(kab + "."):
            row = re.search(rf'<tr data-kode="{re.escape(code)}">(.*?)</tr>', drill.text, re.S)
            assert (
                row is not None and f"<strong>{angka(sum(found.values()))}</strong>" in row.group(1)
            )
    data = web.get(f"/snapshot/{snapshot}", headers={"accept": "application/json"}).json()
    assert data["findings"] == core["findings"]
    assert web.get("/snapshot/999").status_code == 404
    assert web.get(f"/snapshot/{snapshot}?wilayah=99.99").status_code == 404


def test_diff_page(web: TestClient, stores: Stores, snapshot: int, small_files: Path) -> None:
    second = second_snapshot(stores, small_files)
    log_in(web, "admin1")
    page = web.get(f"/snapshot/beda?dari={snapshot}&ke={second}")
    assert page.status_code == 200
    d = svc.snapshot_diff(stores.warehouse, stores.catalog, snapshot, second)
    for kind, n in d.counts.items():
        assert re.search(rf'data-testid="d-{kind}">{re.escape(angka(n))}<', page.text), kind
    assert "Perpindahan desil" in page.text and 'data-testid="desil-matrix"' in page.text
    assert not re.search(r"\d{16}", page.text), "an unmasked NIK or KK on the page"
    pick = web.get("/snapshot/beda")
    assert pick.status_code == 200 and "Pilih dua snapshot" in pick.text
    assert web.get(f"/snapshot/beda?dari={snapshot}&ke=77").status_code == 404


@duckdb_only
def test_upload_imports_as_a_job(web: TestClient, stores: Stores, small_files: Path) -> None:
    log_in(web, "operator1")
    kel = (small_files / "keluarga.csv").read_bytes()
    ind = (small_files / "individu.csv").read_bytes()
    before = len(stores.catalog.snapshots())
    r = upload(web, {"keluarga": ("keluarga.csv", kel), "individu": ("individu.csv", ind)},
               label="DTSEN April 2026")  # fmt: skip
    assert r.status_code == 303, r.text[:500]
    job = job_of(r)
    running = web.get(f"/snapshot/impor/{job}")
    assert running.status_code == 200 and 'data-testid="job-bar"' in running.text
    wait_job(web, job)
    status = web.get(f"/snapshot/impor/{job}/status")
    assert 'data-state="selesai"' in status.text
    assert "hx-trigger" not in status.text  # polling stops once done
    snaps = stores.catalog.snapshots()
    assert len(snaps) == before + 1
    new = snaps[-1]
    assert new.label == "DTSEN April 2026" and new.tanggal.isoformat() == "2026-04-01"
    assert f'href="/snapshot/{new.id}"' in status.text
    events = [e for e in stores.catalog.events(svc.REGISTER_UPLOAD) if e.pelaku == "operator1"]
    detail = json.loads(events[-1].rincian)
    assert detail["job"] == job
    assert [(f["nama"], f["ukuran"]) for f in detail["files"]] == [
        ("keluarga.csv", len(kel)), ("individu.csv", len(ind))
    ]  # fmt: skip
    listing = web.get("/snapshot").text
    assert detail["content_hash"][:12] in listing
    uploads = Path(web.app.state.padu.settings.home) / svc.UPLOADS_DIR
    assert not any(uploads.rglob("*.csv")), "uploaded personal data left on the server"
    assert (
        web.get(f"/snapshot/impor/{job}", headers={"accept": "application/json"}).json()["snapshot"]
        == new.id
    )


@duckdb_only
def test_refused_upload_lists_row_errors(web: TestClient, stores: Stores, tmp_path: Path) -> None:
    family = {
        **HAND_DESA, "nomor_kartu_keluarga": "6501010101200001", "jumlah_anggota_keluarga": "1",
    }  # fmt: skip
    members = [
        {"nomor_kartu_keluarga": "6501010101200001", "nomor_induk_kependudukan": "6501014107900001",
         "nama": "Siti", "status_hubungan_keluarga": "1", "tanggal_lahir": "bukan tanggal"},
    ]  # fmt: skip
    kel, ind = write_csv_register(tmp_path / "salah", [family], members)
    before = len(stores.catalog.snapshots())
    log_in(web, "operator1")
    r = upload(web, {"keluarga": ("keluarga.csv", kel.read_bytes()),
                     "individu": ("individu.csv", ind.read_bytes())})  # fmt: skip
    job = job_of(r)
    wait_job(web, job)
    page = web.get(f"/snapshot/impor/{job}")
    assert 'data-state="gagal"' in page.text and "tidak ada yang tersimpan" in page.text
    table = re.search(r'data-testid="problem-table">(.*?)</table>', page.text, re.S)
    assert table is not None
    assert re.search(
        r"<td>individu.csv</td><td class=\"num\">2</td><td>tanggal_lahir</td>"
        r"<td><code>bukan tanggal</code></td><td>bukan tanggal",
        table.group(1),
    )
    assert len(stores.catalog.snapshots()) == before


@duckdb_only
def test_upload_refusals(web: TestClient, stores: Stores, monkeypatch: pytest.MonkeyPatch) -> None:
    log_in(web, "operator1")
    monkeypatch.setattr(routes, "upload_limit_bytes", lambda request: 1 << 20)
    big = b"nomor_kartu_keluarga\n" + b"6501010101200001\n" * 70_000
    r = upload(web, {"keluarga": ("keluarga.csv", big), "individu": ("individu.csv", b"a\n1\n")})
    assert r.status_code == 400
    assert "keluarga.csv: file terlalu besar; batas unggahan 1 MB" in r.text
    r = upload(web, {"keluarga": ("keluarga.csv", b""), "individu": ("foto.png", b"\x89PNG")})
    text = r.text
    assert r.status_code == 400
    assert (
        "keluarga.csv: file kosong" in text and "foto.png: jenis file .png tidak diterima" in text
    )
    r = upload(web, {"keluarga": ("k.csv", b"a\n1\n"), "individu": ("i.csv", b"a\n1\n")}, "besok")
    assert r.status_code == 400 and "Tanggal data: bukan tanggal" in r.text
    r = upload(web, {"keluarga": ("k.csv", b"a\n1\n")})
    assert r.status_code == 400 and "Berkas individu: belum dipilih" in r.text
    assert not stores.catalog.jobs(kind=svc.IMPORT_JOB)
    uploads = Path(web.app.state.padu.settings.home) / svc.UPLOADS_DIR
    assert not any(uploads.iterdir())
    no_token = web.post("/snapshot/impor", data={"tanggal": "2026-04-01"},
                        files={"keluarga": ("k.csv", b"a\n1\n", "text/csv")})  # fmt: skip
    assert no_token.status_code == 403


# -- no register file left on the server -----------------------------------------------------
def _leftovers(c: TestClient) -> list[Path]:
    uploads = Path(c.app.state.padu.settings.home) / svc.UPLOADS_DIR  # type: ignore[attr-defined]
    return sorted(uploads.iterdir()) if uploads.exists() else []


def _two_files() -> dict[str, tuple[str, bytes]]:
    return {"keluarga": ("k.csv", b"a\n1\n"), "individu": ("i.csv", b"a\n1\n")}


@duckdb_only
def test_a_failed_save_or_submit_leaves_no_upload(
    web: TestClient, stores: Stores, monkeypatch: pytest.MonkeyPatch
) -> None:
    log_in(web, "operator1")
    saved = svc.save_upload

    def disk_full(stream: Any, name: str, folder: Path, limit: int) -> svc.UploadedFile:
        if name == "i.csv":  # the first file is on disk by now
            raise OSError(28, "No space left on device")
        return saved(stream, name, folder, limit)

    monkeypatch.setattr(svc, "save_upload", disk_full)
    with pytest.raises(OSError, match="No space left"):
        upload(web, _two_files())
    assert _leftovers(web) == []
    monkeypatch.setattr(svc, "save_upload", saved)

    def catalog_gone(*args: object, **kwargs: object) -> int:
        raise RuntimeError("katalog tidak terjangkau")

    monkeypatch.setattr(web.app.state.padu.jobs, "submit", catalog_gone)  # type: ignore[attr-defined]
    with pytest.raises(RuntimeError, match="katalog"):
        upload(web, _two_files())
    assert _leftovers(web) == []
    assert not stores.catalog.jobs(kind=svc.IMPORT_JOB)


@duckdb_only
def test_a_job_cleans_up_whatever_becomes_of_it(stores: Stores) -> None:
    """The cleanup of a job (an upload's files) runs once: after it succeeded or failed,
    when its start is refused, and when it is cancelled at shutdown before it started."""
    from padu.jobs import INTERRUPTED, JOB_FAILED, JobRunner, shared_stores

    cleaned: list[str] = []
    runner = JobRunner(stores.catalog_url, stores.warehouse_url, workers=1,
                       stores=shared_stores(stores.warehouse, stores.catalog))  # fmt: skip
    release, running = threading.Event(), threading.Event()

    def blocker(ctx: object) -> None:
        running.set()
        assert release.wait(30)

    def broken(ctx: object) -> None:
        raise RuntimeError("rusak")

    def job(name: str, fn: Any) -> int:
        return runner.submit(
            "uji", "penguji", {"n": name}, fn, cleanup=lambda: cleaned.append(name)
        )

    try:
        runner.wait(job("selesai", lambda ctx: {"ok": 1}), 30)
        runner.wait(job("gagal", broken), 30)
        assert cleaned == ["selesai", "gagal"]
        job("menahan", blocker)
        assert running.wait(30)
        refused = job("ditolak", lambda ctx: None)
        stores.catalog.finish_job(refused, JOB_FAILED, message=INTERRUPTED, error=INTERRUPTED)
        release.set()
        runner.wait(refused, 30)
        assert cleaned == ["selesai", "gagal", "menahan", "ditolak"]
        release.clear()
        running.clear()
        job("menahan-2", blocker)
        assert running.wait(30)
        queued = job("antri", lambda ctx: None)
        runner.close(wait=False)  # shutdown: the queued job is cancelled
        assert "antri" in cleaned
        assert stores.catalog.job(queued).error == INTERRUPTED
    finally:
        release.set()
        runner.close()
    assert sorted(cleaned) == sorted(["selesai", "gagal", "menahan", "ditolak", "antri",
                                      "menahan-2"])  # each once  # fmt: skip


@duckdb_only
def test_server_start_sweeps_leftovers_and_expired_rejects(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    """A server killed mid-job (or between saving and queueing) leaves register files; the
    next start removes them, and refused rows older than the expiry, and keeps what a live
    process still uses."""
    from padu.jobs import JOB_QUEUED, JOB_RUNNING, JobRow
    from padu.stores.batches import this_host

    settings = web_settings_for(stores, tmp_path, rejects_keep_days=7)
    home = Path(settings.home)
    dead_pid = 4_194_999  # above Linux's pid_max: no such process
    names = {
        "killed": f"20260101-080000-{dead_pid}-aaaa0001",  # its job was running: killed
        "unsaved": f"20260101-080000-{dead_pid}-aaaa0002",  # no job: killed before submit
        "old_style": "20260101-080000-aaaa0003",
        "uploading": f"20260101-080000-{os.getpid()}-aaaa0004",  # this live process, no job yet
        "queued": f"20260101-080000-{dead_pid}-aaaa0005",  # a live server's queued job
    }
    for name in names.values():
        folder = home / svc.UPLOADS_DIR / name
        folder.mkdir(parents=True)
        (folder / "individu.csv").write_text("nomor_induk_kependudukan\n6501014107900001\n")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    for key, state, pid in (("killed", JOB_RUNNING, dead_pid), ("queued", JOB_QUEUED, os.getpid())):
        stores.catalog.add_job(JobRow(
            kind=svc.IMPORT_JOB, actor="operator1", params={"unggahan": names[key]}, state=state,
            progress=0.3, message="memeriksa isi", result=None, error=None,
            created=now - dt.timedelta(seconds=5), started=None, finished=None, pid=pid,
            host=this_host(),
        ))  # fmt: skip
    for name, days in (("old", 8), ("recent", 2)):
        folder = home / "ditolak" / name
        folder.mkdir(parents=True)
        (folder / "individu.ditolak.csv").write_text("6501014107900001\n")
        stamp = time.time() - days * 86400
        os.utime(folder, (stamp, stamp))
    with TestClient(create_app(settings)):
        pass
    left = sorted(p.name for p in (home / svc.UPLOADS_DIR).iterdir())
    assert left == sorted([names["uploading"], names["queued"]])
    assert sorted(p.name for p in (home / "ditolak").iterdir()) == ["recent"]
    events = stores.catalog.events("register.upload_sweep")
    assert [json.loads(e.rincian) for e in events] == [{"uploads": 3, "rejects": 1, "days": 7}]
    assert events[0].pelaku == "sistem"


@duckdb_only
def test_refused_upload_keeps_no_server_path_and_its_rows_private(
    web: TestClient, stores: Stores, tmp_path: Path
) -> None:
    members = [{"nomor_kartu_keluarga": "6501010101200001", "nama": "Siti",
                "nomor_induk_kependudukan": "6501014107900001", "status_hubungan_keluarga": "1",
                "tanggal_lahir": "bukan tanggal"}]  # fmt: skip
    family = {**HAND_DESA, "nomor_kartu_keluarga": "6501010101200001",
              "jumlah_anggota_keluarga": "1"}  # fmt: skip
    kel, ind = write_csv_register(tmp_path / "salah", [family], members)
    log_in(web, "operator1")
    r = upload(web, {"keluarga": ("keluarga.csv", kel.read_bytes()),
                     "individu": ("individu.csv", ind.read_bytes())})  # fmt: skip
    job = job_of(r)
    wait_job(web, job)
    home = Path(web.app.state.padu.settings.home)  # type: ignore[attr-defined]
    row = stores.catalog.job(job)
    assert row.state == "gagal" and row.result is not None
    assert str(home) not in json.dumps(row.result) and str(home) not in (row.error or "")
    assert row.result["report"] == "laporan.csv"
    assert all("/" not in str(p) for p in row.result["rejects"])  # type: ignore[union-attr]
    shown = web.get(f"/snapshot/impor/{job}", headers={"accept": "application/json"}).json()
    assert str(home) not in json.dumps(shown) and shown["report"] == "laporan.csv"
    assert (home / "ditolak").stat().st_mode & 0o777 == 0o700
    assert (home / "ditolak" / row.params["unggahan"] / "laporan.csv").exists()
    assert _leftovers(web) == []


@duckdb_only
def test_the_upload_form_offers_todays_date_in_wita(
    web: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 01:30 WITA the server's clock (UTC) still says yesterday: the form's latest date
    is Kaltara's today."""
    moment = dt.datetime(2026, 3, 1, 17, 30, tzinfo=dt.UTC)

    class Clock(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> Clock:  # type: ignore[override]
            shown = moment.astimezone(tz) if tz else moment.replace(tzinfo=None)
            return cls.fromtimestamp(shown.timestamp(), shown.tzinfo)

    class Day(dt.date):
        @classmethod
        def today(cls) -> Day:
            return cls(2026, 3, 1)

    monkeypatch.setattr(routes, "dt", types.SimpleNamespace(datetime=Clock, date=Day))
    log_in(web, "operator1")
    page = web.get("/snapshot/impor")
    assert 'max="2026-03-02"' in page.text
