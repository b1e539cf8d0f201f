"""The register service (padu.services.register): its figures are the core functions' own
(list, quality, diff) on both stores, and an import of uploaded files is whole or nothing."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from pathlib import Path

import polars as pl
import pytest

from padu.audit import PERSONAL_DATA_EXPORT, REGISTER_IMPORT, REGISTER_REFERENCE
from padu.errors import ImportRejected, InputError
from padu.register import diff_snapshots, quality_report
from padu.services import register as svc
from tests.conftest import HAND_DESA, Stores, write_csv_register

LATER = dt.date(2026, 4, 1)


def changed_register(small_files: Path, out: Path) -> list[Path]:
    """The small register with 3 families gone, 4 with another desil, 2 in another desa."""
    kel = pl.read_csv(small_files / "keluarga.csv", infer_schema=False)
    ind = pl.read_csv(small_files / "individu.csv", infer_schema=False)
    kk = kel.get_column("nomor_kartu_keluarga").to_list()
    gone, desil, moved = kk[:3], kk[3:7], kk[7:9]
    kel = kel.filter(~pl.col("nomor_kartu_keluarga").is_in(gone))
    kel = kel.with_columns(
        desil_nasional=pl.when(pl.col("nomor_kartu_keluarga").is_in(desil))
        .then(pl.lit("10"))
        .otherwise(pl.col("desil_nasional")),
        **{
            c: pl.when(pl.col("nomor_kartu_keluarga").is_in(moved))
            .then(pl.lit(HAND_DESA[c]))
            .otherwise(pl.col(c))
            for c in (
                "kode_kelurahan_desa",
                "kelurahan_desa",
                "kode_kecamatan",
                "kecamatan",
                "kode_kabupaten_kota",
                "kabupaten_kota",
            )
        },
    )
    ind = ind.filter(~pl.col("nomor_kartu_keluarga").is_in(gone))
    out.mkdir(parents=True, exist_ok=True)
    kel.write_csv(out / "keluarga.csv")
    ind.write_csv(out / "individu.csv")
    return [out / "keluarga.csv", out / "individu.csv"]


def second_snapshot(stores: Stores, small_files: Path) -> int:
    paths = changed_register(small_files, stores.home / "berubah")
    out = svc.import_register_files(
        paths, stores.warehouse, stores.catalog, snapshot_date=LATER, label="DTSEN April",
        rejects_dir=stores.home / "ditolak2", actor="operator1",
    )  # fmt: skip
    return out.snapshot


def test_list_snapshots_is_the_catalog(stores: Stores, snapshot: int, small_files: Path) -> None:
    second = second_snapshot(stores, small_files)
    stores.catalog.set_reference(2026, snapshot, "BA kesepakatan 1/2026", "admin1")
    rows = svc.list_snapshots(stores.catalog)
    assert [r.id for r in rows] == [second, snapshot]  # newest first
    by_id = {r.id: r for r in rows}
    for snap in stores.catalog.snapshots():
        info = by_id[snap.id]
        assert (info.label, info.snapshot_date, info.families, info.individuals, info.findings) == (
            snap.label, snap.tanggal, snap.keluarga, snap.individu, snap.temuan,
        )  # fmt: skip
    assert by_id[snapshot].imported_by == "penguji"
    assert by_id[second].imported_by == "operator1"
    assert by_id[second].latest and not by_id[snapshot].latest
    assert by_id[snapshot].reference_for == [2026] and by_id[second].reference_for == []
    assert svc.snapshot_info(stores.catalog, "latest").id == second


def test_quality_equals_the_core_report(stores: Stores, snapshot: int) -> None:
    core = quality_report(stores.warehouse, stores.catalog, snapshot, "kabupaten")
    q = svc.snapshot_quality(stores.warehouse, stores.catalog, snapshot)
    assert q.level == "kabupaten" and q.within is None
    assert q.findings == core["findings"] and q.summary == core["summary"]
    assert q.duplicate_nik_values == core["duplicate_nik_values"]
    assert {f.field: f.percent for f in q.completeness} == {
        k: v["persen"] for k, v in core["completeness"].items()
    }
    for r in q.regions:
        assert r.findings == core["findings_by_region"].get(r.kode, {})
        assert r.total == sum(r.findings.values())
    # every finding of a family or member sits in exactly one kabupaten row
    per_code: dict[str, int] = {}
    for r in q.regions:
        for code, n in r.findings.items():
            per_code[code] = per_code.get(code, 0) + n
    assert per_code == core["findings"]
    assert sum(r.families for r in q.regions) == q.snapshot.families
    assert {f.field for f in q.expected} <= {f.field for f in q.completeness}
    lowest = [r for r in q.regions if r.lowest_percent is not None]
    assert lowest and all(r.lowest_percent == min(r.completeness.values()) for r in lowest)


def test_quality_drills_to_kecamatan(stores: Stores, snapshot: int) -> None:
    top = svc.snapshot_quality(stores.warehouse, stores.catalog, snapshot)
    kab = next(r for r in top.regions if r.drill and r.families)
    core = quality_report(stores.warehouse, stores.catalog, snapshot, "kecamatan")
    q = svc.snapshot_quality(stores.warehouse, stores.catalog, snapshot, kab.kode)
    assert q.level == "kecamatan" and q.within is not None and q.within.kode == kab.kode
    assert q.regions and all(r.kode.startswith(kab.kode + ".") for r in q.regions)
    for r in q.regions:
        assert r.findings == core["findings_by_region"].get(r.kode, {})
    assert sum(r.families for r in q.regions) == kab.families
    assert sum(r.total for r in q.regions) == kab.total
    kec = q.regions[0].kode
    desa = svc.snapshot_quality(stores.warehouse, stores.catalog, snapshot, kec)
    assert desa.level == "desa" and not any(r.drill for r in desa.regions)
    with pytest.raises(InputError, match="tidak ada wilayah di bawahnya"):
        svc.snapshot_quality(stores.warehouse, stores.catalog, snapshot, desa.regions[0].kode)


def test_diff_equals_the_core_diff(stores: Stores, snapshot: int, small_files: Path) -> None:
    second = second_snapshot(stores, small_files)
    core = diff_snapshots(stores.warehouse, stores.catalog, snapshot, second, limit=None)
    d = svc.snapshot_diff(stores.warehouse, stores.catalog, snapshot, second, limit=5)
    assert d.counts == core["counts"]
    assert d.counts["keluarga_keluar"] == 3 and d.counts["pindah_desa"] >= 1
    assert d.counts["perubahan_desil"] >= 1 and d.counts["anggota_keluar"] > 0
    assert sum(m.families for m in d.desil_matrix) == d.counts["perubahan_desil"]
    assert {(m.old, m.new, m.families) for m in d.desil_matrix} == {
        (None if m["desil_lama"] is None else str(m["desil_lama"]),
         None if m["desil_baru"] is None else str(m["desil_baru"]), m["n"])
        for m in core["desil_matrix"]
    }  # fmt: skip
    assert all(len(rows) <= 5 for rows in d.lists.values())
    text = d.model_dump_json()
    assert not re.search(r"\d{16}", text), "a NIK or KK left the service unmasked"
    moved = d.lists["pindah_desa"][0]
    assert moved.new == "Tanjung Palas Hulu"
    with pytest.raises(InputError):
        svc.snapshot_diff(stores.warehouse, stores.catalog, snapshot, second, limit=-1)


def test_rejected_import_names_rows_and_writes_nothing(stores: Stores, snapshot: int) -> None:
    family = {
        **HAND_DESA, "nomor_kartu_keluarga": "6501010101200001", "jumlah_anggota_keluarga": "1",
    }  # fmt: skip
    members = [
        {"nomor_kartu_keluarga": "6501010101200001", "nomor_induk_kependudukan": "6501014107900001",
         "nama": "Siti", "status_hubungan_keluarga": "1"},
        {"nomor_kartu_keluarga": "6501010101209999", "nomor_induk_kependudukan": "6501010505900002",
         "nama": "Budi", "status_hubungan_keluarga": "1"},
    ]  # fmt: skip
    paths = write_csv_register(stores.home / "salah", [family], members)
    before = len(stores.catalog.snapshots())
    with pytest.raises(ImportRejected) as caught:
        svc.import_register_files(
            paths, stores.warehouse, stores.catalog, snapshot_date=LATER, label=None,
            rejects_dir=stores.home / "ditolak", actor="operator1",
        )  # fmt: skip
    assert len(stores.catalog.snapshots()) == before
    assert "Laporan:" in caught.value.message  # the command names its report file
    page = svc.RegisterRejected.of(caught.value)
    assert svc.RegisterRejected.of(page) is page
    detail = page.to_dict()
    assert "Laporan:" not in page.message  # no server path on a page
    assert page.problems == caught.value.problems
    rows = detail["rows"]
    assert isinstance(rows, list) and rows
    orphan = next(r for r in rows if r["row"] == 3 and r["file"] == "individu.csv")
    assert orphan["column"] == "nomor_kartu_keluarga"
    assert orphan["value"] is not None and "9999" in orphan["value"] and "•" in orphan["value"]
    assert "tidak ada di set keluarga" in orphan["reason"]


def test_import_outcome_and_content_hash(stores: Stores, small_files: Path, tmp_path: Path) -> None:
    folder = svc.upload_folder(tmp_path / "home")
    files = [
        svc.save_upload(io.BytesIO((small_files / n).read_bytes()), n, folder, 50 << 20)
        for n in ("keluarga.csv", "individu.csv")
    ]
    out = svc.import_register_files(
        [f.path for f in files], stores.warehouse, stores.catalog, snapshot_date=LATER,
        label="uji", rejects_dir=tmp_path / "rej", actor="operator1",
    )  # fmt: skip
    assert svc.content_hash(files) == svc.content_hash(files[::-1])
    assert out.label == "uji" and out.families == stores.catalog.snapshot(out.snapshot).keluarga
    assert out.model_dump(mode="json").keys() == {
        "snapshot", "label", "snapshot_date", "families", "individuals", "rejected_rows",
        "region_scheme", "quality_findings",
    }  # fmt: skip
    event = stores.catalog.events(REGISTER_IMPORT)[-1]
    assert event.pelaku == "operator1" and json.loads(event.rincian)["snapshot"] == out.snapshot
    svc.discard_upload([f.path for f in files])
    assert not folder.exists()


def test_uploads_checked_before_any_work(tmp_path: Path) -> None:
    folder = svc.upload_folder(tmp_path)
    with pytest.raises(InputError, match=r"besar\.csv: file terlalu besar; batas unggahan 1 KB"):
        svc.save_upload(io.BytesIO(b"x" * 2048), "besar.csv", folder, 1024)
    assert not (folder / "besar.csv").exists()
    empty = svc.save_upload(io.BytesIO(b""), "kosong.csv", folder, 1024)
    image = svc.save_upload(io.BytesIO(b"\x89PNG\r\n\x00\x00"), "foto.csv", folder, 1024)
    word = svc.save_upload(io.BytesIO(b"abc"), "surat.docx", folder, 1024)
    fake = svc.save_upload(io.BytesIO(b"a,b\n1,2\n"), "data.xlsx", folder, 1024)
    with pytest.raises(svc.RegisterRejected) as caught:
        svc.check_uploads([empty, image, word, fake])
    reasons = {p.file: p.reason for p in caught.value.problems}
    assert "file kosong" in reasons["kosong.csv"]
    assert "bukan teks CSV" in reasons["foto.csv"]
    assert ".docx tidak diterima" in reasons["surat.docx"]
    assert "bukan spreadsheet Excel" in reasons["data.xlsx"]
    assert svc.safe_name("../../etc/passwd", set()) == "passwd"
    assert svc.safe_name("C:\\data\\keluarga jan.csv", {"keluarga_jan.csv"}) == "keluarga_jan-2.csv"


# -- the command line's services: the CLI prints their models -------------------------------
def test_snapshot_list_and_reference(stores: Stores, snapshot: int, small_files: Path) -> None:
    second = second_snapshot(stores, small_files)
    first = svc.set_reference(stores.catalog, "latest", year=2026, why=" BA 1 ", actor="bappeda")
    assert first.model_dump(mode="json") == {
        "year": 2026, "snapshot": second, "label": "DTSEN April", "previous": None,
        "by": "bappeda", "why": "BA 1",
    }  # fmt: skip
    again = svc.set_reference(stores.catalog, snapshot, year=2026, why="BA 2", actor="bappeda")
    assert again.previous == second
    details = [json.loads(e.rincian) for e in stores.catalog.events(REGISTER_REFERENCE)]
    assert details == [
        {"year": 2026, "snapshot": second, "why": "BA 1"},
        {"year": 2026, "snapshot": snapshot, "why": "BA 2"},
    ]
    for year, why in ((2026, "  "), (26, "x")):
        with pytest.raises(InputError):
            svc.set_reference(stores.catalog, snapshot, year=year, why=why, actor="bappeda")
    listed = svc.snapshot_list(stores.catalog).model_dump(mode="json")["snapshots"]
    assert [r["snapshot"] for r in listed] == [snapshot, second]  # oldest first
    assert listed[0]["reference_for"] == [2026] and listed[1]["reference_for"] == []
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", listed[0]["imported_at"])
    assert listed[1]["snapshot_date"] == LATER.isoformat()


def test_quality_summary_is_the_core_report(stores: Stores, snapshot: int) -> None:
    core = quality_report(stores.warehouse, stores.catalog, snapshot, "kecamatan")
    summary = svc.quality_summary(stores.warehouse, stores.catalog, snapshot, "kecamatan")
    assert summary.model_dump(mode="json") == json.loads(json.dumps(core, default=str))


def test_register_diff_lists_and_writes(
    stores: Stores, snapshot: int, small_files: Path, tmp_path: Path
) -> None:
    second = second_snapshot(stores, small_files)
    core = diff_snapshots(stores.warehouse, stores.catalog, snapshot, second, limit=2)
    d = svc.register_diff(stores.warehouse, stores.catalog, snapshot, second, limit=2, actor="x")
    assert d.model_dump(mode="json") == core  # no "out" key when no file was written
    assert not stores.catalog.events(PERSONAL_DATA_EXPORT)
    out = tmp_path / "beda.csv"
    w = svc.register_diff(
        stores.warehouse, stores.catalog, snapshot, second, limit=2, out=out, actor="operator1"
    )
    dumped = w.model_dump(mode="json")
    assert dumped["from"] == snapshot and dumped["out"] == str(out)
    assert dumped["lists"] == core["lists"] and dumped["counts"] == core["counts"]
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + sum(core["counts"].values())
    (event,) = stores.catalog.events(PERSONAL_DATA_EXPORT)
    detail = json.loads(event.rincian)
    assert (detail["kind"], detail["path"], event.pelaku) == (
        "register_diff", str(out.resolve()), "operator1",
    )  # fmt: skip
    with pytest.raises(InputError):
        svc.register_diff(stores.warehouse, stores.catalog, snapshot, second, limit=-1, actor="x")


def test_desil_and_duplicates(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    desil = svc.desil_counts(stores.warehouse, stores.catalog, "latest", "kabupaten")
    dumped = desil.model_dump(mode="json")
    assert (dumped["snapshot"], dumped["by"]) == ("latest", "kabupaten")
    assert sum(r["keluarga"] for r in dumped["rows"]) == stores.catalog.snapshot(snapshot).keluarga
    out = tmp_path / "ganda.csv"
    dup = svc.register_duplicates(
        stores.warehouse, stores.catalog, snapshot, min_score=0.5, out=out, actor="operator1"
    )
    assert dup.snapshot == snapshot and dup.out == str(out) and out.exists()
    assert dup.pairs >= len(dup.top) and len(dup.top) <= svc.TOP_PAIRS
    assert dup.persons == stores.catalog.snapshot(snapshot).individu
    (event,) = stores.catalog.events(PERSONAL_DATA_EXPORT)
    assert json.loads(event.rincian)["kind"] == "register_duplicates"
    with pytest.raises(InputError):
        svc.register_duplicates(stores.warehouse, stores.catalog, snapshot, min_score=0, actor="x")


def test_regions_service(stores: Stores, tmp_path: Path) -> None:
    from padu.audit import REGIONS_CROSSWALK
    from padu.services import regions

    shown = regions.region_detail("6501").model_dump(mode="json")
    assert (shown["kode"], shown["level"], shown["induk"]) == ("65.01", "kabupaten_kota", "65")
    assert shown["children"] and all(c["kode"].startswith("65.01.") for c in shown["children"])
    hits = regions.search_regions("krayan", "kecamatan").results
    assert hits[0].kode == "65.03.05" and all(h.level == "kecamatan" for h in hits)
    assert regions.search_regions("tanjung palas hulu", "desa").results[0].kode == "65.01.01.1001"
    with pytest.raises(InputError, match="tingkat wilayah tidak dikenal"):
        regions.search_regions("x", "dusun")
    csv = tmp_path / "cw.csv"
    csv.write_text("kode_bps,kode_kemendagri\n6501,65.01\n", encoding="utf-8")
    done = regions.load_crosswalk(csv, stores.catalog, actor="admin1")
    assert done.model_dump(mode="json") == {"rows": 1, "file": str(csv)}
    (event,) = stores.catalog.events(REGIONS_CROSSWALK)
    assert event.pelaku == "admin1" and json.loads(event.rincian)["rows"] == 1


def test_synth_services(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    from padu.services import synth

    made = synth.synthesize_register(tmp_path / "reg", scale=0.0005, seed=2)
    assert made.families > 0 and str(tmp_path / "reg" / "keluarga.csv") in made.files
    with pytest.raises(InputError):
        synth.synthesize_register(tmp_path / "nol", scale=0)
    out = tmp_path / "daftar.csv"
    lst = synth.draw_agency_list(
        stores.warehouse, stores.catalog, snapshot, out, size=20, seed=1, actor="operator1"
    )
    dumped = lst.model_dump(mode="json")
    assert dumped.keys() == {"out", "truth", "snapshot", "rows", "not_in_register", "noise"}
    assert dumped["rows"] == 20 and Path(dumped["truth"]).exists() and out.exists()
    (event,) = stores.catalog.events(PERSONAL_DATA_EXPORT)
    assert (json.loads(event.rincian)["kind"], event.pelaku) == ("agency_list", "operator1")
    with pytest.raises(InputError):
        synth.draw_agency_list(
            stores.warehouse, stores.catalog, snapshot, out, size=0, actor="operator1"
        )
