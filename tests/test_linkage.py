"""Linking agency beneficiary lists to the register: reading, matching, review, ledger, CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from padu.cli import main
from padu.errors import ImportRejected
from padu.linkage.ledger import link_list
from padu.linkage.matcher import nik_repairs
from padu.linkage.persons import register_persons
from padu.linkage.reader import read_agency_list, suggest_mapping
from padu.linkage.review import ledger_frames
from padu.programmes.model import preset_workshop
from padu.programmes.store import save_workshop
from padu.synth.agency_list import make_agency_list, write_agency_list
from tests.conftest import Stores, import_args

LIST_SIZE = 400


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(list(args))
    out = capsys.readouterr().out.strip()
    return code, json.loads(out.splitlines()[-1]) if out else {}


def _quiet(*args: str) -> int:
    return main(["--json", *args])


@pytest.fixture(scope="module")
def home(small_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small register imported through the CLI, with the kaltara-2026 programmes."""
    home = tmp_path_factory.mktemp("link") / "home"
    assert _quiet(*import_args(home, small_files)) == 0
    assert _quiet("--home", str(home), "programme", "import", "preset:kaltara-2026") == 0
    return home


@pytest.fixture(scope="module")
def agency_list(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("list") / "daftar.xlsx"
    args = ["--home", str(home), "synth", "list", "--from", "latest", "--out", str(out)]
    assert _quiet(*args, "--size", str(LIST_SIZE), "--seed", "5") == 0
    return out


def _truth(path: Path) -> pl.DataFrame:
    rows = json.loads(path.with_name(path.stem + ".truth.json").read_text(encoding="utf-8"))
    return pl.DataFrame(rows["rows"]).select(
        "row", pl.col("nik").alias("t_nik"), pl.col("kk").alias("t_kk"), "noise"
    )


def _header_row(sheet: list[list[Any]]) -> int:
    return next(i for i, r in enumerate(sheet) if r and str(r[0]).upper().rstrip(".") == "NO")


def _link(home: Path, path: Path, out: Path, *extra: str) -> tuple[int, pl.DataFrame]:
    code = _quiet(
        "--home", str(home), "link", str(path), "--programme", "PKH", "--year", "2026",
        "--snapshot", "latest", "--export-links", str(out), *extra,
    )  # fmt: skip
    return code, pl.read_csv(out, schema_overrides={"nik": pl.String, "kk": pl.String})


# -- the evaluation kit ----------------------------------------------------------------


def test_synth_list_is_noisy_with_ground_truth(agency_list: Path, home: Path) -> None:
    truth = _truth(agency_list)
    assert truth.height == LIST_SIZE
    assert truth.get_column("row").to_list() == list(range(1, LIST_SIZE + 1))
    outsiders = truth.filter(pl.col("t_nik").is_null()).height / LIST_SIZE
    assert 0.07 <= outsiders <= 0.13
    listed = truth.filter(pl.col("t_nik").is_not_null())
    assert listed.height > listed.select("t_nik", "t_kk").n_unique()  # duplicates in the list
    noise = {n for ns in truth.get_column("noise").to_list() for n in ns}
    assert {"nik_kosong", "gelar_depan", "salah_ketik_nama", "nik_excel"} <= noise
    bad_nik = truth.filter(
        pl.col("noise").list.eval(pl.element().str.starts_with("nik_")).list.any()
    ).height
    assert 0.12 <= bad_nik / LIST_SIZE <= 0.28
    sheet = CalamineWorkbook.from_path(str(agency_list)).get_sheet_by_index(0).to_python()
    head = _header_row(sheet)
    nik_col = [str(c) for c in sheet[head]].index(
        next(h for h in map(str, sheet[head]) if "NIK" in h or "KTP" in h)
    )
    assert any(isinstance(r[nik_col], float) for r in sheet[head + 1 :])  # Excel-damaged NIKs
    again = agency_list.with_name("lagi.xlsx")
    args = ["--home", str(home), "synth", "list", "--from", "latest", "--out", str(again)]
    assert _quiet(*args, "--size", str(LIST_SIZE), "--seed", "5") == 0
    assert _truth(again).equals(truth)


# -- reading agency lists --------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("No. KTP", "nik"), ("NIK", "nik"), ("No KK", "kk"), ("Nama Lengkap", "nama"),
        ("Nama Penerima", "nama"), ("Nama Kepala Keluarga", "nama_kepala_keluarga"),
        ("Tgl Lahir", "tanggal_lahir"), ("Tempat/Tgl Lahir", "tempat_tgl_lahir"),
        ("Alamat", "alamat"), ("RT/RW", "rt_rw"), ("Desa/Kel", "desa"), ("Kecamatan", "kecamatan"),
        ("Nama Penerma", "nama"),  # a typo in the header is still suggested
    ],
)  # fmt: skip
def test_suggested_mapping(header: str, field: str) -> None:
    sug = suggest_mapping(["No", header, "Keterangan"])
    assert sug.mapping.get(field) == header
    assert "Keterangan" in sug.unused


def _write_xlsx(path: Path, rows: list[list[Any]]) -> None:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if isinstance(v, float | int):
                sheet.write_number(i, j, v)
            elif v is not None:
                sheet.write_string(i, j, v)
    book.close()


def test_reader_values_dates_niks_and_places(tmp_path: Path) -> None:
    path = tmp_path / "daftar.xlsx"
    _write_xlsx(
        path,
        [
            ["DAFTAR PENERIMA BANTUAN RTLH 2026"],
            [],
            ["No", "No. KTP", "Nama Penerima", "Tempat/Tgl Lahir", "RT/RW", "Desa/Kel",
             "Kecamatan"],
            [1, "6501070101800001", "H. Ahmad", "Nunukan, 12-01-1980", "005/002", "Long Lejuh",
             "Pujungan"],
            [2, 6501070101800001.0, "Siti", "12 Januari 1980", "", "desa long lejuh", ""],
            [3, "6.50107E+15", "Budi", "29220", "", "", ""],
            [4, "", "Rina", "1980-01-12", "", "6501072008", ""],
        ],
    )  # fmt: skip
    frame = read_agency_list(path).frame.sort("row")
    assert frame.get_column("row").to_list() == [1, 2, 3, 4]
    assert frame.get_column("baris").to_list() == [4, 5, 6, 7]
    assert frame.get_column("tanggal_lahir").to_list() == [
        dt.date(1980, 1, 12), dt.date(1980, 1, 12), dt.date(1979, 12, 31), dt.date(1980, 1, 12),
    ]  # fmt: skip
    assert frame.get_column("nik").to_list() == ["6501070101800001", None, None, None]
    problems = frame.get_column("nik_masalah").to_list()
    assert problems[0] is None and "Excel" in problems[1] and "Excel" in problems[2]
    assert problems[3] == "NIK kosong"
    assert frame.get_column("desa").to_list() == ["6501072008", "6501072008", None, "6501072008"]
    assert frame.get_column("rt").to_list()[0] == "5" and frame.get_column("rw").to_list()[0] == "2"
    assert frame.get_column("nama_normal").to_list()[0] == "AHMAD"


def test_reader_refuses_a_mapping_to_a_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "daftar.csv"
    path.write_text("NIK,Nama\n6501070101800001,Ahmad\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as err:
        read_agency_list(path, {"nik": "NIK", "nama": "Nama Lengkap"})
    problem = err.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("daftar.csv", 1, "Nama Lengkap")
    with pytest.raises(ImportRejected):
        read_agency_list(tmp_path / "tidak-ada.csv")


def test_nik_repairs_are_one_slip_away() -> None:
    nik = "6501071201800003"
    repairs = nik_repairs(nik)
    assert "6501071201800030" in repairs  # last two digits transposed
    assert "6501075201800003" in repairs  # +40: the same date for a woman
    assert "6501071201800004" in repairs  # one wrong digit
    assert nik not in repairs
    assert all(sum(a != b for a, b in zip(nik, r, strict=True)) <= 2 for r in repairs)


# -- linking ---------------------------------------------------------------------------


def test_link_command_reaches_the_targets_on_a_noisy_list(
    capsys: pytest.CaptureFixture[str], home: Path, agency_list: Path, tmp_path: Path
) -> None:
    links, report = tmp_path / "links.csv", tmp_path / "laporan.xlsx"
    code, data = _run(
        capsys, "--home", str(home), "--json", "link", str(agency_list), "--programme", "PKH",
        "--year", "2026", "--snapshot", "latest", "--out", str(report),
        "--export-links", str(links),
    )  # fmt: skip
    assert code == 0
    m = data["matched"]
    assert data["rows"] == LIST_SIZE
    assert {"nik", "nik_repaired", "probabilistic", "review"} <= set(m)
    assert sum(m.values()) + data["unmatched"] == LIST_SIZE
    assert m["nik"] > 0 and m["nik_repaired"] > 0 and m["probabilistic"] > 0
    got = pl.read_csv(links, schema_overrides={"nik": pl.String, "kk": pl.String})
    assert got.columns == ["row", "nik", "kk", "status", "score", "rank"]
    assert got.get_column("row").unique().sort().to_list() == list(range(1, LIST_SIZE + 1))
    assert set(got.get_column("status")) <= {"matched", "review", "unmatched"}
    # one line per matched and unmatched row, one per candidate of a review row
    decided = got.filter(pl.col("status") != "review")
    assert decided.get_column("row").is_unique().all()
    assert decided.filter(pl.col("status") == "matched").get_column("rank").eq(1).all()
    assert decided.filter(pl.col("status") == "unmatched").get_column("rank").is_null().all()
    queued = got.filter(pl.col("status") == "review")
    assert m["review"] == queued.get_column("row").n_unique()
    ranks = queued.group_by("row").agg(pl.col("rank").sort())
    assert all(r == list(range(1, len(r) + 1)) for r in ranks.get_column("rank").to_list())
    scored = decided.join(_truth(agency_list), on="row")
    right = (pl.col("nik") == pl.col("t_nik")) & (pl.col("kk") == pl.col("t_kk"))
    auto = scored.filter(pl.col("status") == "matched")
    assert auto.filter(right).height / auto.height >= 0.99
    assert scored.filter(pl.col("status") == "matched", pl.col("t_nik").is_null()).is_empty()
    sheets = CalamineWorkbook.from_path(str(report)).sheet_names
    assert sheets == ["Ringkasan", "Cocok", "Antrian Tinjauan", "Tidak Cocok", "Ganda"]
    cocok = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("Cocok").to_python()
    nik_col = [str(h) for h in cocok[0]].index("NIK (register)")
    assert all(isinstance(r[nik_col], str) and len(r[nik_col]) == 16 for r in cocok[1:])


def test_right_person_is_auto_linked_or_a_review_candidate(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    """Library run on each backend: accuracy per band against the ground truth."""
    save_workshop(preset_workshop("kaltara-2026"), stores.catalog, actor="penguji")
    _, persons = register_persons(stores.warehouse, stores.catalog, snapshot)
    path = tmp_path / "daftar.xlsx"
    write_agency_list(make_agency_list(persons, LIST_SIZE, seed=11), path)
    run = link_list(
        stores.warehouse, stores.catalog, path, programme="PKH", agency="KEMENSOS",
        year=2026, snapshot=str(snapshot), actor="penguji",
    )  # fmt: skip
    truth = _truth(path)
    rows, cands = ledger_frames(stores.warehouse, run.ledger)
    assert rows.height == LIST_SIZE and rows.equals(run.rows)
    right = (pl.col("nik") == pl.col("t_nik")) & (pl.col("kk") == pl.col("t_kk"))
    rows = rows.join(truth, on="row")
    auto = rows.filter(pl.col("status") == "matched")
    assert auto.filter(right).height / auto.height >= 0.99
    in_register = rows.filter(pl.col("t_nik").is_not_null())
    found = set(in_register.filter((pl.col("status") == "matched") & right).get_column("row"))
    found |= set(cands.join(truth, on="row").filter(right).get_column("row"))
    assert len(found) / in_register.height >= 0.97
    assert rows.filter(pl.col("status") == "review").height / LIST_SIZE < 0.05
    # every link says how it was made and on what
    assert auto.filter(pl.col("method").is_null() | pl.col("agree").is_null()).is_empty()
    assert auto.filter(pl.col("reason").is_not_null()).is_empty()  # no "not found" on a link
    unmatched = rows.filter(pl.col("status") == "unmatched")
    assert unmatched.filter(pl.col("reason").is_null()).is_empty()


def _shuffle_xlsx(src: Path, dst: Path, seed: int) -> list[int]:
    """Write ``src`` with its data rows in a random order; return old row of each new row."""
    sheet = CalamineWorkbook.from_path(str(src)).get_sheet_by_index(0).to_python()
    head = _header_row(sheet)
    body = sheet[head + 1 :]
    order = pl.Series(range(len(body))).shuffle(seed=seed).to_list()
    _write_xlsx(dst, [*sheet[: head + 1], *[body[i] for i in order]])
    return [i + 1 for i in order]


def test_result_does_not_depend_on_row_order(
    home: Path, agency_list: Path, small_files: Path, tmp_path: Path
) -> None:
    # the register imported from files whose rows are shuffled
    shuffled = tmp_path / "acak"
    shuffled.mkdir()
    for name in ("keluarga", "individu"):
        frame = pl.read_csv(small_files / f"{name}.csv", infer_schema=False)
        frame.sample(fraction=1.0, shuffle=True, seed=3).write_csv(shuffled / f"{name}.csv")
    other = tmp_path / "home"
    assert _quiet(*import_args(other, shuffled)) == 0
    assert _quiet("--home", str(other), "programme", "import", "preset:kaltara-2026") == 0
    # and the list with its rows shuffled
    listed = tmp_path / "daftar-acak.xlsx"
    old_row = _shuffle_xlsx(agency_list, listed, seed=9)
    code, first = _link(home, agency_list, tmp_path / "a.csv")
    assert code == 0
    code, second = _link(other, listed, tmp_path / "b.csv")
    assert code == 0
    to_old = dict(enumerate(old_row, start=1))  # the links file may hold several lines a row
    second = second.with_columns(
        row=pl.col("row").replace_strict(to_old, return_dtype=pl.Int64)
    ).sort("row", "rank", nulls_last=True)
    first = first.sort("row", "rank", nulls_last=True)
    assert second.select("row", "nik", "kk", "status", "rank").equals(
        first.select("row", "nik", "kk", "status", "rank")
    )
    assert second.get_column("score").to_list() == pytest.approx(
        first.get_column("score").to_list(), abs=1e-9
    )


# -- review ----------------------------------------------------------------------------


def test_review_decisions_are_stored_and_reused(
    capsys: pytest.CaptureFixture[str], home: Path, agency_list: Path, tmp_path: Path
) -> None:
    strict = ("--auto", "0.999999999", "--review", "0.05")  # many rows into review
    code, before = _link(home, agency_list, tmp_path / "a.csv", *strict)
    assert code == 0
    code, queue = _run(
        capsys, "--home", str(home), "--json", "review", "list", "--programme", "PKH",
        "--year", "2026",
    )  # fmt: skip
    pairs = pl.DataFrame(queue["pairs"])
    rows = pairs.get_column("row").unique().sort().to_list()
    assert len(rows) >= 2
    same_row, other_row = rows[0], rows[1]
    chosen = pairs.filter(pl.col("row") == same_row, pl.col("rank") == 1).row(0, named=True)
    base = ["--home", str(home), "--json", "review", "decide", "--programme", "PKH"]
    # the words of the report's SAMA/BEDA column work here too
    assert main([*base, "--year", "2026", "--row", str(same_row), "--candidate", "1",
                 "SAMA", "--by", "tester"]) == 0  # fmt: skip
    assert main([*base, "--year", "2026", "--row", str(other_row), "beda",
                 "--by", "tester"]) == 0  # fmt: skip
    capsys.readouterr()
    code, data = _run(
        capsys, "--home", str(home), "--json", "link", str(agency_list), "--programme", "PKH",
        "--year", "2026", "--export-links", str(tmp_path / "b.csv"), *strict,
    )  # fmt: skip
    assert code == 0 and data["decisions_reused"] == 2
    assert data["matched"]["review_decision"] == 1
    after = pl.read_csv(tmp_path / "b.csv", schema_overrides={"nik": pl.String, "kk": pl.String})
    decided = after.filter(pl.col("row") == same_row).row(0, named=True)
    assert decided["status"] == "matched" and decided["nik"] == chosen["nik"]
    assert after.filter(pl.col("row") == other_row).get_column("status").item() == "unmatched"
    untouched = ~pl.col("row").is_in([same_row, other_row])
    assert after.filter(untouched).equals(before.filter(untouched))

    from padu.settings import Settings
    from padu.stores import Catalog

    cat = Catalog.connect(Settings(home=home).resolved_catalog_url())
    try:
        events = [e for e in cat.events("link.review") if e.pelaku == "tester"]
        assert len(events) == 2 and all(e.waktu for e in events)
    finally:
        cat.close()


def _review_sheet(path: Path, rows: list[list[Any]]) -> Path:
    """A review sheet as an officer saves it after filling in the decisions."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("Antrian Tinjauan")
    for i, r in enumerate(rows):
        ws.write_row(i, 0, r)
    book.close()
    return path


def test_review_decisions_load_from_the_report_sheet(
    capsys: pytest.CaptureFixture[str], home: Path, agency_list: Path, tmp_path: Path
) -> None:
    report = tmp_path / "laporan.xlsx"
    strict = ("--auto", "0.999999999", "--review", "0.05", "--out", str(report))
    assert _link(home, agency_list, tmp_path / "a.csv", *strict)[0] == 0
    sheet = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("Antrian Tinjauan")
    rows = sheet.to_python()
    header = [str(h) for h in rows[0]]
    decision = header.index("Keputusan (SAMA/BEDA)")
    filled = [header] + [
        [*r[:decision], "SAMA" if i == 0 else ("BEDA" if i == 1 else "")]
        for i, r in enumerate(rows[1:])
    ]
    done = _review_sheet(tmp_path / "diisi.xlsx", filled)
    args = ["--home", str(home), "--json", "review", "load", "--programme", "PKH", "--year", "2026"]
    code, data = _run(capsys, *args, str(done), "--by", "tester")
    assert code == 0 and data["decisions"] == 2
    filled[2][decision] = "MUNGKIN"
    bad = _review_sheet(tmp_path / "salah.xlsx", filled)
    code, data = _run(capsys, *args, str(bad))
    assert code == 1
    assert "MUNGKIN" in json.dumps(data) and "baris 3" in json.dumps(data).lower()


# -- mapping ---------------------------------------------------------------------------


def test_mapping_is_suggested_overridden_and_saved_per_agency(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    path = tmp_path / "dinsos.csv"
    path.write_text(
        "No.,No. KTP,Nama Penerima,Nama Kepala Keluarga,Tgl Lahir,Desa/Kel\n"
        "1,6501070101800001,Ahmad,Budi,12-01-1980,Long Lejuh\n",
        encoding="utf-8",
    )
    base = ["--home", str(home), "--json", "link", str(path), "--programme", "SEMBAKO",
            "--year", "2026"]  # fmt: skip
    code, shown = _run(capsys, *base, "--show-mapping")
    assert code == 0 and shown["source"] == "usulan"
    assert shown["mapping"]["nik"] == "No. KTP" and shown["mapping"]["nama"] == "Nama Penerima"
    own = tmp_path / "pemetaan.yaml"
    own.write_text("nik: No. KTP\nnama: Nama Kepala Keluarga\ntanggal_lahir: Tgl Lahir\n")
    code, data = _run(capsys, *base, "--mapping", str(own), "--save-mapping")
    assert code == 0 and data["mapping"]["nama"] == "Nama Kepala Keluarga"
    # another programme of the same agency (KEMENSOS) now uses the saved mapping
    other = [*base[:6], "PKH", "--year", "2026"]
    code, shown = _run(capsys, *other, "--show-mapping")
    assert shown["source"] == "tersimpan" and shown["mapping"]["nama"] == "Nama Kepala Keluarga"
    own.write_text("nik: No. KTP\nnama: Nama Lengkap\n")
    code, data = _run(capsys, *base, "--mapping", str(own))
    assert code == 1 and "Nama Lengkap" in json.dumps(data)


def test_link_refuses_unknown_programme_and_missing_file(
    capsys: pytest.CaptureFixture[str], home: Path, agency_list: Path, tmp_path: Path
) -> None:
    code, data = _run(
        capsys, "--home", str(home), "--json", "link", str(agency_list), "--programme", "XYZ",
        "--year", "2026",
    )  # fmt: skip
    assert code == 1 and "PKH" in data["message"]
    code = main(["--home", str(home), "link", str(tmp_path / "x.xlsx"), "--programme", "PKH",
                 "--year", "2026"])  # fmt: skip
    assert code == 2
    code = main(["--home", str(home), "link", str(agency_list), "--programme", "PKH",
                 "--year", "2026", "--auto", "0.2", "--review", "0.5"])  # fmt: skip
    assert code == 2


# -- duplicates in the register ---------------------------------------------------------


def test_register_duplicates_finds_planted_duplicates(
    capsys: pytest.CaptureFixture[str], small_files: Path, tmp_path: Path
) -> None:
    ind = pl.read_csv(small_files / "individu.csv", infer_schema=False)
    adults = ind.filter(pl.col("nama").is_not_null() & pl.col("nama").str.contains(" ")).sort(
        "nomor_induk_kependudukan"
    )
    planted = []
    for i in range(3):  # the same person entered again in another family of the register
        person = adults.row(i * 40, named=True)
        host = ind.filter(pl.col("nomor_kartu_keluarga") != person["nomor_kartu_keluarga"]).row(
            i * 97, named=True
        )
        nik = person["nomor_induk_kependudukan"]
        copy = {**person, "nomor_kartu_keluarga": host["nomor_kartu_keluarga"],
                "nomor_induk_kependudukan": nik[:12] + f"{(int(nik[12:]) + 5000) % 10000:04d}",
                "nama": person["nama"].upper(), "status_hubungan_keluarga": "8"}  # fmt: skip
        planted.append((nik, copy["nomor_induk_kependudukan"]))
        ind = pl.concat([ind, pl.DataFrame([copy], schema=ind.schema)])
    folder = tmp_path / "reg"
    folder.mkdir()
    ind.write_csv(folder / "individu.csv")
    (folder / "keluarga.csv").write_bytes((small_files / "keluarga.csv").read_bytes())
    home = tmp_path / "home"
    assert _quiet(*import_args(home, folder)) == 0
    out = tmp_path / "ganda.xlsx"
    code, data = _run(
        capsys, "--home", str(home), "--json", "register", "duplicates", "latest", "--out", str(out)
    )
    assert code == 0 and out.exists()
    pairs = {(p["nik_a"], p["nik_b"]) for p in data["top"]} | {
        (p["nik_b"], p["nik_a"]) for p in data["top"]
    }
    assert all(p in pairs for p in planted)
    assert data["pairs"] < data["persons"] / 50
