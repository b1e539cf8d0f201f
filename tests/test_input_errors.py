"""Bad inputs are clean errors: one problem per root cause, no raw lines, stores untouched.

Covers the readers shared by the register import and the agency lists (title rows,
duplicated headers, header-only files, corrupt files), the rule parser's depth limit and
preset names. Every refusal that touches stores is checked to leave them exactly as they
were, on each backend.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
import xlsxwriter

from padu.errors import ImportRejected, NotFound
from padu.linkage.ledger import LEDGER, link_list
from padu.linkage.reader import read_agency_list
from padu.measure.measures import get_measure, save_measure
from padu.programmes import load_workshop, preset_workshop
from padu.programmes.store import save_workshop
from padu.rules import compile_rule
from padu.rules.parser import MAX_DEPTH, RuleError, parse
from padu.synth import SyntheticRegister
from tests.conftest import SNAPSHOT_DATE, Stores, import_files
from tests.test_bad_input import _set, _write, tiny_frames

Frames = tuple[pl.DataFrame, pl.DataFrame]
AGENCY = "NIK,Nama,Desa\n6501070101800001,Ahmad,Long Lejuh\n"


def _import(stores: Stores, *files: Path):  # type: ignore[no-untyped-def]
    return import_files(stores, *files)


def _state(stores: Stores) -> tuple[object, ...]:
    """Everything a refused input must leave as it was: catalog rows and warehouse counts."""
    wh, cat = stores.warehouse, stores.catalog
    counts = {
        t: wh.table(t).count().to_pyarrow().as_py()
        for t in ("keluarga", "individu", "temuan", LEDGER)
        if wh.has(t)
    }
    return (
        [s.id for s in cat.snapshots()],
        [(g.id, g.programme) for g in cat.ledgers()],
        len(cat.events()),
        counts,
    )


def _refused(stores: Stores, *files: Path) -> ImportRejected:
    before = _state(stores)
    with pytest.raises(ImportRejected) as info:
        _import(stores, *files)
    assert _state(stores) == before, "a refused import must leave both stores as they were"
    return info.value


@pytest.fixture
def tiny(small_register: SyntheticRegister) -> Frames:
    """30 clean families and their members, as the strings an extract file holds."""
    return tiny_frames(small_register)


@pytest.fixture
def seeded(stores: Stores, tiny: Frames, tmp_path: Path) -> Stores:
    """Stores holding one good snapshot, so 'unchanged' is checked on real data."""
    kel, ind = tiny
    _import(stores, _write(kel, tmp_path / "k0.csv"), _write(ind, tmp_path / "i0.csv"))
    return stores


# -- CSV title rows ------------------------------------------------------------------------

TITLES = {
    "plain": ("DATA DTSEN - DINAS SOSIAL PROVINSI KALIMANTAN UTARA\n", ","),
    "trailing delimiters": ("DATA DTSEN;;;;;;\n", ";"),
    "two titles and a blank line": ("DATA DTSEN\nKeadaan: Januari 2026\n\n", ","),
    "quoted title with a comma": ('"DATA DTSEN, DINAS SOSIAL"\n', ","),
}


@pytest.mark.parametrize("title", list(TITLES), ids=list(TITLES))
def test_csv_title_rows_above_the_header_are_skipped(
    stores: Stores,
    tiny: Frames,
    tmp_path: Path,
    title: str,
) -> None:
    text, sep = TITLES[title]
    kel, ind = tiny
    path = tmp_path / "k.csv"
    path.write_text(text + kel.write_csv(separator=sep), encoding="utf-8")
    result = _import(stores, path, _write(ind, tmp_path / "i.csv"))
    assert (result.families, result.individuals) == (kel.height, ind.height)


def test_rows_under_a_title_keep_the_line_number_seen_in_an_editor(
    seeded: Stores,
    tiny: Frames,
    tmp_path: Path,
) -> None:
    kel, ind = tiny
    bad = _set(kel, 4, "luas_lantai", "besar")  # the 5th record
    path = tmp_path / "k.csv"
    path.write_text("DATA DTSEN;;;\n\n" + bad.write_csv(separator=";"), encoding="utf-8")
    err = _refused(seeded, path, _write(ind, tmp_path / "i.csv"))
    wrong = [p for p in err.problems if p.code == "tipe_salah"]
    # title line 1, blank line 2, header line 3, records from line 4: the 5th is line 8
    assert [(p.file, p.row, p.column) for p in wrong] == [("k.csv", 8, "luas_lantai")]


# -- one problem per root cause ----------------------------------------------------------


def _header_only(frame: pl.DataFrame, path: Path) -> Path:
    frame.head(0).write_csv(path)
    return path


ROOT_CAUSES: dict[str, Callable[[Frames, Path], list[Path]]] = {
    "empty family file": lambda f, d: [_empty(d / "k.csv"), _write(f[1], d / "i.csv")],
    "no family file": lambda f, d: [_write(f[1], d / "i.csv")],
    "header-only family file": lambda f, d: [
        _header_only(f[0], d / "k.csv"),
        _write(f[1], d / "i.csv"),
    ],
    "header-only member file": lambda f, d: [
        _write(f[0], d / "k.csv"),
        _header_only(f[1], d / "i.csv"),
    ],
    "NIK and nomor_induk_kependudukan": lambda f, d: [
        _write(f[0], d / "k.csv"),
        _write(f[1].with_columns(NIK=pl.col("nomor_induk_kependudukan")), d / "i.csv"),
    ],
    "required column missing": lambda f, d: [
        _write(f[0].drop("kode_kecamatan"), d / "k.csv"),
        _write(f[1], d / "i.csv"),
    ],
}
EXPECTED_CODE = {
    "empty family file": "file_tidak_terbaca",
    "no family file": "set_hilang",
    "header-only family file": "tanpa_baris_data",
    "header-only member file": "tanpa_baris_data",
    "NIK and nomor_induk_kependudukan": "kolom_ganda",
    "required column missing": "kolom_wajib_hilang",
}


def _empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


@pytest.mark.parametrize("case", list(ROOT_CAUSES), ids=list(ROOT_CAUSES))
def test_a_file_problem_is_reported_once_not_once_per_row(
    seeded: Stores,
    tiny: Frames,
    tmp_path: Path,
    case: str,
) -> None:
    err = _refused(seeded, *ROOT_CAUSES[case](tiny, tmp_path))
    assert [p.code for p in err.problems] == [EXPECTED_CODE[case]], err.problems
    assert err.problems[0].reason in err.message  # the one cause is in the message itself
    assert err.rejected_rows == 0 and not err.rejects_paths
    report = pl.read_csv(err.report_path, infer_schema=False)  # type: ignore[arg-type]
    assert report.filter(pl.col("jenis") == "struktural").height == 1


def test_two_columns_for_one_field_name_both(
    seeded: Stores,
    tiny: Frames,
    tmp_path: Path,
) -> None:
    files = ROOT_CAUSES["NIK and nomor_induk_kependudukan"](tiny, tmp_path)
    (problem,) = _refused(seeded, *files).problems
    assert problem.file == "i.csv" and problem.row == 1
    assert problem.column == "nomor_induk_kependudukan, NIK"
    assert "NIK" in problem.reason and "nomor_induk_kependudukan" in problem.reason


# -- no personal data in messages ----------------------------------------------------------


def test_a_broken_row_is_named_by_line_never_by_its_text(
    seeded: Stores,
    tiny: Frames,
    tmp_path: Path,
) -> None:
    kel, ind = tiny
    lines = ind.write_csv().splitlines()
    nik, name = ind.row(2, named=True)["nomor_induk_kependudukan"], ind.row(2, named=True)["nama"]
    lines[3] = ",".join(lines[3].split(",")[:10])  # record 3 cut after ten fields
    path = tmp_path / "i.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    err = _refused(seeded, _write(kel, tmp_path / "k.csv"), path)
    (broken,) = [p for p in err.problems if p.code == "baris_rusak"]
    assert (broken.row, broken.value) == (4, None)
    # a broken row is a row problem: the other rows are still checked and sorted
    assert err.rejected_rows == 1 and len(err.rejects_paths) == 0
    shown = json.dumps(err.to_dict(), ensure_ascii=False) + err.message
    shown += "\n".join(p.describe() for p in err.problems)
    assert nik not in shown and name not in shown


def test_cli_shows_a_broken_row_without_its_text(
    tiny: Frames, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from padu.cli import main

    kel, ind = tiny
    row = ind.row(2, named=True)
    lines = ind.write_csv().splitlines()
    lines[3] = ",".join(lines[3].split(",")[:10])
    (tmp_path / "i.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    home, files = tmp_path / "home", [str(_write(kel, tmp_path / "k.csv")), str(tmp_path / "i.csv")]
    for extra in ([], ["--json"]):
        code = main(["--home", str(home), *extra, "register", "import", *files,
                     "--snapshot-date", "2026-01-23"])  # fmt: skip
        out, err = capsys.readouterr()
        assert code == 1 and "baris 4" in out + err
        for secret in (row["nomor_induk_kependudukan"], row["nama"]):
            assert secret not in out + err


def test_identifiers_in_messages_are_masked_and_kept_in_the_report(
    seeded: Stores,
    tiny: Frames,
    tmp_path: Path,
) -> None:
    kel, ind = tiny
    kk = kel.get_column("nomor_kartu_keluarga")[0]
    err = _refused(
        seeded,
        _write(kel.filter(pl.col("nomor_kartu_keluarga") != kk), tmp_path / "k.csv"),
        _write(ind, tmp_path / "i.csv"),
    )
    first = err.to_dict()["first_problems"]
    assert isinstance(first, list) and first
    assert all(kk not in line for line in first)
    assert any(f"{kk[:4]}••••••••{kk[-4:]}" in line for line in first)
    # the operator's report keeps the value: it is how the row is found and fixed
    report = pl.read_csv(err.report_path, infer_schema=False)  # type: ignore[arg-type]
    assert kk in report.filter(pl.col("kode") == "keluarga_tidak_ada").get_column("nilai")


# -- corrupt and wrong files -----------------------------------------------------------------


def _xlsx(path: Path, rows: list[list[str]]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    return path


def _truncated_xlsx(path: Path) -> Path:
    whole = _xlsx(path.with_suffix(".full.xlsx"), [["NIK", "Nama"], ["6501070101800001", "A"]])
    data = whole.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


CORRUPT: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "missing file": ("tidak_ada.csv", lambda p: p),
    "empty file": ("kosong.csv", _empty),
    "binary garbage .csv": ("acak.csv", lambda p: _bytes(p, bytes(range(256)) * 40)),
    "binary garbage .xlsx": ("acak.xlsx", lambda p: _bytes(p, b"\x13\x37" * 900)),
    "zip that is no workbook": ("zip.xlsx", lambda p: _bytes(p, b"PK\x03\x04" + b"\x00" * 200)),
    "truncated xlsx": ("terpotong.xlsx", _truncated_xlsx),
    "duplicated header csv": ("ganda.csv", lambda p: _text(p, "NIK,Nama,NIK\n1,a,1\n")),
    "duplicated header xlsx": (
        "ganda.xlsx",
        lambda p: _xlsx(p, [["NIK", "Nama", "Nama"], ["6501070101800001", "A", "B"]]),
    ),
    "unknown encoding": ("enc.csv", lambda p: _bytes(p, b"NIK;Nama\n1;\x81\x8d\x90\n")),
    "utf-16": ("u16.csv", lambda p: _bytes(p, "NIK,Nama\n1,a\n".encode("utf-16"))),
    "a folder": ("folder.csv", lambda p: _folder(p)),
}
CORRUPT_CODES = {"file_tidak_terbaca", "kolom_ganda"}


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


@pytest.mark.parametrize("case", list(CORRUPT), ids=list(CORRUPT))
def test_corrupt_member_file_is_refused_naming_the_file(
    seeded: Stores,
    tiny: Frames,
    tmp_path: Path,
    case: str,
) -> None:
    name, make = CORRUPT[case]
    bad = make(tmp_path / name)
    err = _refused(seeded, _write(tiny[0], tmp_path / "k.csv"), bad)
    (problem,) = err.problems
    assert problem.file == name and problem.code in CORRUPT_CODES, problem
    assert name in problem.describe()


@pytest.mark.parametrize("case", list(CORRUPT), ids=list(CORRUPT))
def test_corrupt_agency_list_is_refused_naming_the_file(tmp_path: Path, case: str) -> None:
    name, make = CORRUPT[case]
    with pytest.raises(ImportRejected) as info:
        read_agency_list(make(tmp_path / name))
    (problem,) = info.value.problems
    assert problem.file == name and problem.code in CORRUPT_CODES, problem


def test_duplicated_headers_are_named(tmp_path: Path) -> None:
    _, make = CORRUPT["duplicated header xlsx"]
    with pytest.raises(ImportRejected) as info:
        read_agency_list(make(tmp_path / "d.xlsx"))
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (1, "Nama") and "Nama" in problem.reason


# -- agency lists --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda d: _text(d / "kosong.csv", "NIK,Nama,Desa\n"),
        lambda d: _text(d / "kosong.csv", "DAFTAR PENERIMA RTLH 2026\n\nNIK;Nama;Desa\n\n"),
        lambda d: _xlsx(d / "kosong.xlsx", [["DAFTAR PENERIMA"], [], ["NIK", "Nama"], []]),
    ],
    ids=["csv", "csv with title", "xlsx with title"],
)
def test_agency_list_without_data_rows_is_refused(
    tmp_path: Path, make: Callable[[Path], Path]
) -> None:
    path = make(tmp_path)
    with pytest.raises(ImportRejected) as info:
        read_agency_list(path)
    (problem,) = info.value.problems
    assert problem.code == "tanpa_baris_data" and problem.file == path.name


def test_agency_csv_title_row_is_skipped(tmp_path: Path) -> None:
    path = _text(tmp_path / "d.csv", "DAFTAR PENERIMA RTLH 2026;;\n" + AGENCY.replace(",", ";"))
    rows = read_agency_list(path)
    assert rows.headers == ["NIK", "Nama", "Desa"]
    assert rows.frame.get_column("baris").to_list() == [3]
    assert rows.frame.get_column("nik").to_list() == ["6501070101800001"]
    with pytest.raises(ImportRejected) as info:
        read_agency_list(path, {"nik": "No KTP"})
    (problem,) = info.value.problems
    assert (problem.row, problem.column) == (2, "No KTP") and "d.csv" in info.value.message


def test_a_quoted_header_with_a_comma_is_one_column(tmp_path: Path) -> None:
    text = 'No,"Tempat, Tgl Lahir",NIK,Nama\n1,"Nunukan, 12-01-1980",6501070101800001,Ahmad\n'
    rows = read_agency_list(_text(tmp_path / "d.csv", text))
    assert rows.headers == ["No", "Tempat, Tgl Lahir", "NIK", "Nama"]
    assert rows.frame.get_column("tanggal_lahir").to_list() == [dt.date(1980, 1, 12)]


def test_linking_a_header_only_list_creates_no_ledger(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    save_workshop(preset_workshop("kaltara-2026"), stores.catalog, actor="penguji")
    path = _text(tmp_path / "kosong.csv", "NIK,Nama,Desa\n")
    before = _state(stores)
    with pytest.raises(ImportRejected) as info:
        link_list(
            stores.warehouse, stores.catalog, path, programme="PKH", agency="KEMENSOS",
            year=2026, snapshot=str(snapshot), actor="penguji",
        )  # fmt: skip
    assert info.value.problems[0].code == "tanpa_baris_data"
    assert _state(stores) == before


# -- rules ---------------------------------------------------------------------------------

DEEP = 300
DEEP_RULES = {
    "brackets": "(" * DEEP + "desil_nasional <= 4" + ")" * DEEP,
    "not": "tidak " * DEEP + "pbi_nas",
    "unary minus": "-" * DEEP + "1 < desil_nasional",
    "member aggregates": "ada anggota(" * DEEP + "umur(tanggal_lahir) > 60" + ")" * DEEP,
    "function calls": "umur(" * DEEP + "tanggal_lahir" + ")" * DEEP + " > 1",
    "a long sum": " + ".join(["desil_nasional"] * 5000) + " > 4",
    "newlines first": "\n" * 3 + "(" * DEEP + "pbi_nas" + ")" * DEEP,
}


@pytest.mark.parametrize("name", list(DEEP_RULES), ids=list(DEEP_RULES))
def test_a_deeply_nested_rule_is_a_positioned_error(name: str) -> None:
    with pytest.raises(RuleError) as info:
        parse(DEEP_RULES[name])
    err = info.value
    assert err.line >= 1 and err.col >= 1 and str(MAX_DEPTH) in err.message
    assert err.to_dict()["line"] == err.line
    if name == "newlines first":
        assert err.line == 4


def test_nesting_up_to_the_limit_is_accepted() -> None:
    depth = MAX_DEPTH - 3
    compile_rule("(" * depth + "desil_nasional <= 4" + ")" * depth)


def test_thousands_of_conditions_joined_by_or_are_fine(stores: Stores, snapshot: int) -> None:
    from padu.register.snapshots import snapshot_table

    kel = snapshot_table(stores.warehouse, stores.catalog, snapshot, "keluarga")
    ind = snapshot_table(stores.warehouse, stores.catalog, snapshot, "individu")
    many = " atau ".join(f"desil_nasional = {d % 10 + 1}" for d in range(5000))
    both = " dan ".join(["desil_nasional <= 4"] * 5000)
    counts = []
    for text in (many, "desil_nasional >= 1", both, "desil_nasional <= 4"):
        table, expr = compile_rule(text).to_ibis(kel, ind, SNAPSHOT_DATE)
        counts.append(table.filter(expr).count().to_pyarrow().as_py())
    assert counts[0] == counts[1] > 0 and counts[2] == counts[3] > 0


# -- presets are names -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["../../x", "../programmes/kaltara-2026", "/etc/passwd", ""])
def test_workshop_preset_is_a_name_not_a_path(name: str) -> None:
    with pytest.raises(NotFound) as info:
        preset_workshop(name)
    assert "kaltara-2026" in info.value.message


@pytest.mark.parametrize(
    "text",
    [
        "",
        "- a\n- b\n",
        "agencies: []\nprogrammes: []\n",
        "agencies: 3\n",
        "agencies: [1, 2]\n",
        "agencies: [{code: A, name: A, kind: OPD}]\nprogrammes: [{code: P, agency: [1]}]\n",
        "agencies: [{code: A, name: A, kind: OPD}]\nprogrammes: [{code: P, agency: A, "
        "dimensions: 3}]\n",
    ],
    ids=["empty", "a list", "nothing in it", "agencies a number", "agencies of numbers",
         "a list as agency", "dimensions a number"],
)  # fmt: skip
def test_a_workshop_file_of_the_wrong_shape_is_refused(text: str) -> None:
    with pytest.raises(ImportRejected) as info:
        load_workshop(text, "lokakarya.yaml")
    assert info.value.problems and info.value.problems[0].file == "lokakarya.yaml"


def test_measure_preset_and_files_are_clean_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFound) as info:
        get_measure("../../data/measures/padu-7")
    assert "padu-7" in info.value.message and "global-mpi" in info.value.message
    binary = _bytes(tmp_path / "ukuran.yaml", b"\xff\xfe\x00\x81" * 10)
    with pytest.raises(ImportRejected) as bad:
        get_measure(str(binary))
    assert bad.value.problems[0].file == "ukuran.yaml"


def test_saving_a_missing_measure_file_names_it(stores: Stores, tmp_path: Path) -> None:
    before = _state(stores)
    with pytest.raises(ImportRejected) as info:
        save_measure(tmp_path / "missing.yaml", stores.catalog, actor="penguji")
    assert "missing.yaml" in info.value.message
    assert _state(stores) == before
