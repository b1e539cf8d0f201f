"""Every kind of bad input gets a clear report; structural errors leave the stores untouched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from padu.errors import ImportRejected, Problem
from padu.register import importer
from padu.register.snapshots import snapshot_table
from padu.synth import SyntheticRegister
from padu.synth.generator import _for_files
from tests.conftest import Stores, import_files


@pytest.fixture
def tiny(small_register: SyntheticRegister) -> tuple[pl.DataFrame, pl.DataFrame]:
    """30 clean families and their members, as the strings an extract file holds."""
    return tiny_frames(small_register)


def tiny_frames(small_register: SyntheticRegister) -> tuple[pl.DataFrame, pl.DataFrame]:
    """30 clean families and their members, as the strings an extract file holds."""
    ind = small_register.individu.filter(pl.col("status_hubungan_keluarga") != "8")
    heads = ind.filter(pl.col("status_hubungan_keluarga") == "1").get_column("nomor_kartu_keluarga")
    dup = ind.filter(pl.col("nomor_induk_kependudukan").is_duplicated()).get_column(
        "nomor_kartu_keluarga"
    )
    planted = {p["nomor_kartu_keluarga"] for p in small_register.ground_truth["problems"]}
    kel = small_register.keluarga.filter(
        pl.col("nomor_kartu_keluarga").is_in(heads.implode())
        & ~pl.col("nomor_kartu_keluarga").is_in(dup.implode())
        & ~pl.col("nomor_kartu_keluarga").is_in(sorted(planted))
    ).head(30)
    members = small_register.individu.filter(
        pl.col("nomor_kartu_keluarga").is_in(kel.get_column("nomor_kartu_keluarga").implode())
    )
    return _for_files(kel).with_columns(pl.all().cast(pl.String)), _for_files(members).with_columns(
        pl.all().cast(pl.String)
    )


def _set(frame: pl.DataFrame, row: int, column: str, value: str) -> pl.DataFrame:
    """``frame`` with one cell changed (row counted from 0)."""
    return frame.with_columns(
        pl.when(pl.int_range(pl.len()) == row)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )


def _write(frame: pl.DataFrame, path: Path, sep: str = ",") -> Path:
    frame.write_csv(path, separator=sep)
    return path


def _run(stores: Stores, *files: Path):  # type: ignore[no-untyped-def]
    return import_files(stores, *files)


def _state(stores: Stores) -> tuple[list[int], dict[str, int]]:
    counts = {
        t: stores.warehouse.table(t).count().to_pyarrow().as_py()
        for t in ("keluarga", "individu", "temuan")
        if stores.warehouse.has(t)
    }
    return [s.id for s in stores.catalog.snapshots()], counts


def _rejected(stores: Stores, *files: Path) -> ImportRejected:
    before = _state(stores)
    with pytest.raises(ImportRejected) as info:
        _run(stores, *files)
    assert _state(stores) == before, "a refused import must leave both stores exactly as they were"
    assert info.value.report_path is not None and info.value.report_path.exists()
    return info.value


def _one(err: ImportRejected, code: str) -> Problem:
    hits = [p for p in err.problems if p.code == code]
    assert hits, f"expected a {code!r} problem, got {[p.code for p in err.problems]}"
    return hits[0]


@pytest.fixture
def seeded(stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path) -> Stores:
    """Stores that already hold one good snapshot, so 'unchanged' is checked on real data."""
    kel, ind = tiny
    _run(stores, _write(kel, tmp_path / "k0.csv"), _write(ind, tmp_path / "i0.csv"))
    return stores


def test_semicolon_and_tab_delimiters_are_detected(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    result = _run(
        stores, _write(kel, tmp_path / "k.csv", ";"), _write(ind, tmp_path / "i.tsv", "\t")
    )
    assert (result.families, result.individuals) == (kel.height, ind.height)


def test_unknown_delimiter_is_refused(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    err = _rejected(seeded, _write(kel, tmp_path / "k.csv", ":"), _write(ind, tmp_path / "i.csv"))
    p = _one(err, "pemisah_salah")
    assert p.file == "k.csv" and "pemisah kolom" in p.reason


def test_windows_1252_and_bom_files_load_with_their_text_intact(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    ind = _set(ind, 0, "nama", "Désirée Ñoño")
    cp = tmp_path / "i.csv"
    cp.write_bytes(ind.write_csv().encode("cp1252"))
    bom = tmp_path / "k.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + kel.write_csv().encode("utf-8"))
    result = _run(stores, bom, cp)
    t = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "individu")
    assert t.filter(t.nama == "Désirée Ñoño").count().to_pyarrow().as_py() == 1


def test_utf16_file_is_refused_with_the_reason(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    path = tmp_path / "i.csv"
    path.write_bytes(ind.write_csv().encode("utf-16"))
    err = _rejected(seeded, _write(kel, tmp_path / "k.csv"), path)
    assert "UTF-16" in _one(err, "file_tidak_terbaca").reason


def test_missing_required_column_is_named(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    err = _rejected(
        seeded,
        _write(kel.drop("kode_kecamatan"), tmp_path / "k.csv"),
        _write(ind, tmp_path / "i.csv"),
    )
    p = _one(err, "kolom_wajib_hilang")
    assert (p.file, p.column) == ("k.csv", "kode_kecamatan")


def test_unknown_region_code_names_file_row_column_value(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    bad = _set(kel, 4, "kode_kelurahan_desa", "6501019999")
    err = _rejected(seeded, _write(bad, tmp_path / "k.csv"), _write(ind, tmp_path / "i.csv"))
    p = _one(err, "wilayah_tidak_dikenal")
    assert (p.file, p.row, p.column, p.value) == ("k.csv", 6, "kode_kelurahan_desa", "6501019999")
    # the rejects file holds exactly that row with its reason, the accepted file the rest
    rejects = pl.read_csv(seeded.home / "rejects" / "k.ditolak.csv", infer_schema=False)
    assert rejects.height == 1 and rejects["kode_kelurahan_desa"][0] == "6501019999"
    assert "tidak dikenal" in rejects["alasan_penolakan"][0]
    accepted = pl.read_csv(seeded.home / "rejects" / "k.diterima.csv", infer_schema=False)
    assert accepted.height == kel.height - 1


def test_rejects_files_of_a_level_split_over_files_hold_each_files_own_rows(
    seeded: Stores,
    tiny: tuple[pl.DataFrame, pl.DataFrame],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # families in two files (the second with its columns in another order), members between;
    # the files are written 7 rows at a time, so slices without a refused row are crossed
    monkeypatch.setattr(importer, "CHUNK_ROWS", 7)
    kel, ind = tiny
    first, second = kel.head(12), _set(kel.slice(12), 3, "kode_kelurahan_desa", "6501019999")
    second = second.select(reversed(second.columns))
    nik = "nomor_induk_kependudukan"
    err = _rejected(
        seeded,
        _write(first, tmp_path / "k1.csv"),
        _write(_set(ind, 1, nik, ""), tmp_path / "i.csv"),
        _write(second, tmp_path / "k2.csv"),
    )
    names = [p.name for p in err.rejects_paths]
    assert names == ["i.ditolak.csv", "i.diterima.csv", "k2.ditolak.csv", "k2.diterima.csv"]
    assert err.rejected_rows == 2
    rej = seeded.home / "rejects"
    rejects = pl.read_csv(rej / "k2.ditolak.csv", infer_schema=False)
    # the columns come in the order of the level's first file, as in the combined report
    assert rejects.columns == [*kel.columns, "baris_asal", "alasan_penolakan"]
    assert rejects.select(kel.columns).equals(second.slice(3, 1).select(kel.columns))
    assert rejects["baris_asal"].to_list() == ["5"]
    accepted = pl.read_csv(rej / "k2.diterima.csv", infer_schema=False)
    expected = pl.concat([second.head(3), second.slice(4)]).select(kel.columns)
    assert accepted.equals(expected)
    members = pl.read_csv(rej / "i.ditolak.csv", infer_schema=False)
    assert members["baris_asal"].to_list() == ["3"] and members[nik].to_list() == [None]
    kept = pl.read_csv(rej / "i.diterima.csv", infer_schema=False)
    assert kept.equals(pl.concat([ind.head(1), ind.slice(2)]))


def test_fixed_rejects_file_can_be_resubmitted(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    good = kel.get_column("kode_kelurahan_desa")[4]
    bad = _set(kel, 4, "kode_kelurahan_desa", "9999")
    with pytest.raises(ImportRejected):
        _run(stores, _write(bad, tmp_path / "k.csv"), _write(ind, tmp_path / "i.csv"))
    rej = stores.home / "rejects"
    fixed = pl.read_csv(rej / "k.ditolak.csv", infer_schema=False).with_columns(
        kode_kelurahan_desa=pl.lit(good)
    )
    fixed.write_csv(rej / "k.ditolak.csv")
    result = _run(stores, rej / "k.diterima.csv", rej / "k.ditolak.csv", tmp_path / "i.csv")
    assert result.families == kel.height


def test_bad_dates_are_structural(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    bad = _set(_set(ind, 0, "tanggal_lahir", "31-02-1980"), 2, "tanggal_lahir", "kemarin")
    err = _rejected(seeded, _write(kel, tmp_path / "k.csv"), _write(bad, tmp_path / "i.csv"))
    wrong = [p for p in err.problems if p.code == "tipe_salah"]
    assert {(p.row, p.column, p.value) for p in wrong} == {
        (2, "tanggal_lahir", "31-02-1980"),
        (4, "tanggal_lahir", "kemarin"),
    }
    assert err.rejected_rows == 2


def test_dates_in_common_forms_are_read(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    forms = ind.with_columns(
        tanggal_lahir=pl.when(pl.int_range(pl.len()) % 3 == 0)
        .then(pl.col("tanggal_lahir").str.to_date().dt.strftime("%d-%m-%Y"))
        .when(pl.int_range(pl.len()) % 3 == 1)
        .then(pl.col("tanggal_lahir").str.to_date().dt.strftime("%d/%m/%Y"))
        .otherwise(pl.col("tanggal_lahir"))
    )
    result = _run(stores, _write(kel, tmp_path / "k.csv"), _write(forms, tmp_path / "i.csv"))
    t = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "individu")
    stored = sorted(
        (r["nomor_induk_kependudukan"], r["tanggal_lahir"])
        for r in t.select("nomor_induk_kependudukan", "tanggal_lahir").to_pyarrow().to_pylist()
    )
    expected = sorted(
        (n, None if d is None else dt.date.fromisoformat(d))
        for n, d in ind.select("nomor_induk_kependudukan", "tanggal_lahir").iter_rows()
    )
    assert stored == expected


def test_invalid_and_duplicate_nik_are_flagged_not_refused(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    niks = ind.get_column("nomor_induk_kependudukan")
    bad = _set(
        _set(ind, 0, "nomor_induk_kependudukan", "12345"), 5, "nomor_induk_kependudukan", niks[9]
    )
    result = _run(stores, _write(kel, tmp_path / "k.csv"), _write(bad, tmp_path / "i.csv"))
    assert result.findings["nik_tidak_valid"] == 1
    assert result.findings["nik_ganda"] == 2
    t = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "individu")
    flagged = (
        t.filter(t.nomor_induk_kependudukan == "12345").select("kualitas").to_pyarrow().to_pylist()
    )
    assert flagged == [{"kualitas": "nik_tidak_valid"}]
    assert t.filter(t.nomor_induk_kependudukan == niks[9]).count().to_pyarrow().as_py() == 2


def test_family_without_head_is_flagged(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    kk = kel.get_column("nomor_kartu_keluarga")[3]
    bad = ind.with_columns(
        status_hubungan_keluarga=pl.when(
            (pl.col("nomor_kartu_keluarga") == kk) & (pl.col("status_hubungan_keluarga") == "1")
        )
        .then(pl.lit("3"))
        .otherwise(pl.col("status_hubungan_keluarga"))
    )
    result = _run(stores, _write(kel, tmp_path / "k.csv"), _write(bad, tmp_path / "i.csv"))
    assert result.findings["tanpa_kepala_keluarga"] == 1
    t = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "keluarga")
    assert t.filter(t.nomor_kartu_keluarga == kk).kualitas.to_pyarrow().to_pylist() == [
        "tanpa_kepala_keluarga"
    ]


def test_truncated_file_names_the_cut_row(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    lines = ind.write_csv().splitlines()
    # the file stops in the middle of its last record, a third of the way through its fields
    last = lines[-1]
    stop = [i for i, ch in enumerate(last) if ch == ","][len(ind.columns) // 3]
    cut = tmp_path / "i.csv"
    cut.write_text("\n".join([*lines[:-1], last[:stop]]), encoding="utf-8")
    last_row = len(lines)
    err = _rejected(seeded, _write(kel, tmp_path / "k.csv"), cut)
    p = _one(err, "baris_rusak")
    assert p.file == "i.csv" and p.row == last_row and "terpotong" in p.reason


def test_row_with_too_many_fields_is_structural(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    lines = kel.write_csv().splitlines()
    lines[3] = lines[3] + ",extra,fields"
    path = tmp_path / "k.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _rejected(seeded, path, _write(ind, tmp_path / "i.csv"))
    assert _one(err, "baris_rusak").row == 4


def test_empty_file_is_refused(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, _ = tiny
    empty = tmp_path / "individu.csv"
    empty.write_bytes(b"")
    err = _rejected(seeded, _write(kel, tmp_path / "k.csv"), empty)
    assert "kosong" in _one(err, "file_tidak_terbaca").reason


def test_non_spreadsheet_renamed_xlsx_is_refused(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, _ind = tiny
    fake = tmp_path / "individu.xlsx"
    fake.write_text("this is not a spreadsheet\n", encoding="utf-8")
    err = _rejected(seeded, _write(kel, tmp_path / "k.csv"), fake)
    p = _one(err, "file_tidak_terbaca")
    assert p.file == "individu.xlsx" and "Excel" in p.reason


def test_member_without_family_is_structural(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    kk = kel.get_column("nomor_kartu_keluarga")[0]
    err = _rejected(
        seeded,
        _write(kel.filter(pl.col("nomor_kartu_keluarga") != kk), tmp_path / "k.csv"),
        _write(ind, tmp_path / "i.csv"),
    )
    p = _one(err, "keluarga_tidak_ada")
    assert (p.column, p.value) == ("nomor_kartu_keluarga", kk)
    assert err.rejected_rows == ind.filter(pl.col("nomor_kartu_keluarga") == kk).height


def test_xlsx_with_title_row_and_indonesian_headers(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    aliases = {
        "nomor_kartu_keluarga": "No KK",
        "nomor_induk_kependudukan": "NIK",
        "nama": "Nama Lengkap",
        "tanggal_lahir": "Tgl Lahir",
        "kelurahan_desa_ktp": "Desa/Kel KTP",
    }
    path = tmp_path / "anggota.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet()
    ws.write(0, 0, "DATA ANGGOTA KELUARGA DTSEN - KALIMANTAN UTARA")
    headers = [aliases.get(c, c.upper().replace("_", " ")) for c in ind.columns]
    ws.write_row(2, 0, headers)
    for r, row in enumerate(ind.iter_rows(), start=3):
        for c, v in enumerate(row):
            if v is not None:
                ws.write_string(r, c, v)
    book.close()
    kel_x = _write(
        kel.rename({"nomor_kartu_keluarga": "No. KK", "kelurahan_desa": "Desa/Kel"}),
        tmp_path / "k.csv",
    )
    result = _run(stores, kel_x, path)
    assert result.individuals == ind.height
    assert "kolom_tidak_dikenal" not in result.findings


def test_bps_region_codes_need_a_crosswalk(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    from padu.crosswalk import load_crosswalk

    kel, ind = tiny
    # a made-up BPS coding for the test: kecamatan 7 digits, desa 10 digits, kab/prov unchanged
    bps = kel.with_columns(
        kode_kecamatan=pl.col("kode_kecamatan").str.slice(0, 4)
        + "0"
        + pl.col("kode_kecamatan").str.slice(4, 2),
        kode_kelurahan_desa=pl.col("kode_kecamatan").str.slice(0, 4)
        + "0"
        + pl.col("kode_kecamatan").str.slice(4, 2)
        + pl.col("kode_kelurahan_desa").str.slice(7, 3),
    )
    err = _rejected(seeded, _write(bps, tmp_path / "k.csv"), _write(ind, tmp_path / "i.csv"))
    assert _one(err, "crosswalk_kosong").column == "kode_kecamatan"
    pairs = pl.concat(
        [
            pl.DataFrame(
                {"kode_bps": bps["kode_kecamatan"], "kode_kemendagri": kel["kode_kecamatan"]}
            ),
            pl.DataFrame(
                {
                    "kode_bps": bps["kode_kelurahan_desa"],
                    "kode_kemendagri": kel["kode_kelurahan_desa"],
                }
            ),
            pl.DataFrame(
                {
                    "kode_bps": kel["kode_kabupaten_kota"],
                    "kode_kemendagri": kel["kode_kabupaten_kota"],
                }
            ),
        ]
    ).unique()
    pairs.write_csv(tmp_path / "crosswalk.csv")
    load_crosswalk(tmp_path / "crosswalk.csv", seeded.catalog, actor="penguji")
    result = _run(seeded, tmp_path / "k.csv", tmp_path / "i.csv")
    assert result.scheme == "bps"
    t = snapshot_table(seeded.warehouse, seeded.catalog, result.snapshot, "keluarga")
    stored = set(t.kode_kelurahan_desa.to_pyarrow().to_pylist())
    assert stored == {
        c[:2] + "." + c[2:4] + "." + c[4:6] + "." + c[6:]
        for c in kel["kode_kelurahan_desa"].to_list()
    }


def test_unknown_codes_are_reported_and_kept(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    odd = _set(kel, 1, "sumber_air_minum_utama", "99")
    result = _run(stores, _write(odd, tmp_path / "k.csv"), _write(ind, tmp_path / "i.csv"))
    assert result.findings["kode_tidak_dikenal"] == 1
    t = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "keluarga")
    assert t.filter(t.sumber_air_minum_utama == "99").count().to_pyarrow().as_py() == 1


def test_every_problem_is_collected_in_one_report(
    seeded: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    kel, ind = tiny
    bad_k = kel.with_columns(
        luas_lantai=pl.when(pl.int_range(pl.len()) < 3)
        .then(pl.lit("besar"))
        .otherwise(pl.col("luas_lantai"))
    )
    bad_i = ind.with_columns(
        tanggal_lahir=pl.when(pl.int_range(pl.len()) < 4)
        .then(pl.lit("??"))
        .otherwise(pl.col("tanggal_lahir"))
    )
    err = _rejected(seeded, _write(bad_k, tmp_path / "k.csv"), _write(bad_i, tmp_path / "i.csv"))
    assert len([p for p in err.problems if p.code == "tipe_salah"]) == 7
    report = pl.read_csv(err.report_path, infer_schema=False)  # type: ignore[arg-type]
    assert report.filter(pl.col("kode") == "tipe_salah").height == 7
    assert set(report.columns) >= {"file", "baris", "kolom", "nilai", "alasan"}


def test_windows_1252_byte_late_in_a_large_file_is_still_read(
    stores: Stores, small_register: SyntheticRegister, tmp_path: Path
) -> None:
    kel = _for_files(small_register.keluarga).with_columns(pl.all().cast(pl.String))
    ind = _for_files(small_register.individu).with_columns(pl.all().cast(pl.String))
    ind = ind.with_columns(
        nama=pl.when(pl.int_range(pl.len()) == pl.len() - 1)
        .then(pl.lit("Agnès"))
        .otherwise(pl.col("nama"))
    )
    path = tmp_path / "i.csv"
    path.write_bytes(ind.write_csv().encode("cp1252"))
    assert path.stat().st_size > 1 << 16  # the odd byte lies beyond the part sniffed for encoding
    result = _run(stores, _write(kel, tmp_path / "k.csv"), path)
    t = snapshot_table(stores.warehouse, stores.catalog, result.snapshot, "individu")
    assert t.filter(t.nama == "Agnès").count().to_pyarrow().as_py() == 1


DESILS = ("desil_nasional", "desil_provinsi", "desil_kabupaten_kota")


def _quality_of(stores: Stores, snapshot: int, kk: str) -> str | None:
    t = snapshot_table(stores.warehouse, stores.catalog, snapshot, "keluarga")
    found = t.filter(t.nomor_kartu_keluarga == kk).kualitas.to_pyarrow().to_pylist()
    assert len(found) == 1
    return str(found[0] or "")


def test_all_desil_blank_is_not_yet_ranked_but_a_lone_blank_is_missing(
    stores: Stores, tiny: tuple[pl.DataFrame, pl.DataFrame], tmp_path: Path
) -> None:
    """All three desil blank is DTSEN's "belum ditentukan" (no finding); a national desil
    blank beside a provincial one is a blank field; without the other desil columns in the
    file every blank national desil is a blank field."""
    kel, ind = tiny
    kks = kel.get_column("nomor_kartu_keluarga")
    unranked = kel
    for col in DESILS:
        unranked = _set(unranked, 0, col, "")
    both = _set(unranked, 1, "desil_nasional", "")
    assert both.row(1, named=True)["desil_provinsi"], "the fixture's family 1 has a desil"
    result = _run(stores, _write(both, tmp_path / "k.csv"), _write(ind, tmp_path / "i.csv"))
    assert "kolom_kosong" not in _quality_of(stores, result.snapshot, kks[0])
    assert "kolom_kosong" in _quality_of(stores, result.snapshot, kks[1])
    # a file that never carries the provincial and kabupaten desil: a blank is missing data
    national_only = both.drop("desil_provinsi", "desil_kabupaten_kota")
    again = _run(
        stores, _write(national_only, tmp_path / "k2.csv"), _write(ind, tmp_path / "i2.csv")
    )
    assert "kolom_kosong" in _quality_of(stores, again.snapshot, kks[0])
    assert "kolom_kosong" in _quality_of(stores, again.snapshot, kks[1])
