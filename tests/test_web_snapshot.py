"""The Snapshot & kualitas pages through TestClient: who may see them, the figures they
show, and an import by upload run as a job (accepted, refused, too large, wrong type)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from padu.fmt import angka
from padu.register import quality_report
from padu.services import register as svc
from padu.web.routes import snapshot as routes
from tests.conftest import HAND_DESA, Stores, write_csv_register
from tests.test_services_register import second_snapshot
from tests.web_support import csrf_of, log_in

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
