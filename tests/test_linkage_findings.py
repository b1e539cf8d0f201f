"""Linkage on small hand-made workbooks: each finding of the independent-list review (issue 10).

1. A NIK Excel stored as a number, or no NIK at all, still links when the rest agrees.
2. A correct NIK that is in the register is never unmatched: with a name typo and a swapped
   or empty birth date it links; with a name that does not fit it goes to review.
3. Totals, repeated headers, column numbers and notes are reported, not linked.
4. A mistyped NIK landing on a neighbour born the same day, whose one-word name is part of
   the listed name, is not linked to that neighbour.
5. A dropped middle name is found.
Plus a family-keyed list (KK, head's name, desa written as text) linked to its families.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from python_calamine import CalamineWorkbook

from padu.cli import main
from padu.linkage.matcher import Linkage, link
from padu.linkage.model import train_register_u
from padu.linkage.persons import comparable, register_persons, with_name_columns
from padu.linkage.reader import read_agency_list
from padu.regions import kaltara
from padu.settings import Settings
from padu.stores import open_stores
from tests.conftest import import_args

HEADER = ["NO", "NIK", "NAMA LENGKAP", "TGL LAHIR", "JENIS KELAMIN", "DESA/KEL", "KECAMATAN"]


@pytest.fixture(scope="module")
def home(small_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("temuan") / "home"
    assert main(["--json", *import_args(home, small_files)]) == 0
    assert main(["--json", "--home", str(home), "programme", "import", "preset:kaltara-2026"]) == 0
    return home


@pytest.fixture(scope="module")
def persons(home: Path) -> pl.DataFrame:
    s = Settings(home=home)
    wh, cat = open_stores(s.resolved_warehouse_url(), s.resolved_catalog_url(), read_only=True)
    try:
        return register_persons(wh, cat, "latest")[1]
    finally:
        wh.close()
        cat.close()


@pytest.fixture(scope="module")
def u(persons: pl.DataFrame) -> list[dict[str, Any]]:
    return train_register_u(persons)


def _adults(persons: pl.DataFrame) -> Iterator[dict[str, Any]]:
    """Register adults with a two-word name, a Kaltara desa (the KTP's: some people keep an
    origin-province KTP) and a NIK that carries their birth date."""
    ok = persons.filter(
        (pl.col("tanggal_lahir") < dt.date(2000, 1, 1))
        & (pl.col("nama_normal").str.count_matches(" ") == 1)
        & pl.col("desa").str.starts_with("65")
        & pl.col("nik").str.contains(r"^\d{16}$")
        & (pl.col("nik").str.slice(10, 2) == pl.col("tanggal_lahir").dt.strftime("%y"))
    ).sort("pid")
    yield from ok.iter_rows(named=True)


def _place(code: str) -> tuple[str, str]:
    """The desa and kecamatan names of a desa code, as an officer writes them."""
    regions = kaltara()
    return regions.get(code).nama, regions.get(code[:6]).nama


def _cells(p: dict[str, Any], **change: Any) -> list[Any]:
    desa, kec = _place(p["desa"])
    row = {
        "nik": p["nik"],
        "nama": p["nama"],
        "tgl": p["tanggal_lahir"].strftime("%d-%m-%Y"),
        "jk": "L" if p["jenis_kelamin"] == "1" else "P",
        "desa": desa,
        "kec": kec,
    } | change
    return [row["nik"], row["nama"], row["tgl"], row["jk"], row["desa"], row["kec"]]


def _workbook(path: Path, rows: list[list[Any]], *, header: list[str] = HEADER) -> Path:
    """A list as agencies keep it: a title, the header, then numbered rows."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["DAFTAR PENERIMA BANTUAN TAHUN 2026"])
    sheet.write_row(2, 0, header)
    for i, cells in enumerate(rows, start=1):
        sheet.write(2 + i, 0, i)
        for j, value in enumerate(cells, start=1):
            if isinstance(value, float):
                sheet.write_number(2 + i, j, value)
            else:
                sheet.write_string(2 + i, j, "" if value is None else str(value))
    book.close()
    return path


def _link(path: Path, persons: pl.DataFrame, u: list[dict[str, Any]]) -> Linkage:
    return link(read_agency_list(path).frame, persons, register_u=u)


def _outcome(result: Linkage, persons: pl.DataFrame, row: int) -> dict[str, Any]:
    got = result.links.filter(pl.col("row") == row).join(
        persons.select("pid", "nik"), on="pid", how="left"
    )
    out = got.row(0, named=True)
    cands = result.candidates.filter(pl.col("row") == row).join(persons, on="pid")
    out["candidates"] = cands.sort("rank").get_column("nik").to_list()
    return out


# -- 1. NIKs that Excel stored as numbers, and no NIK ----------------------------------


def test_excel_number_nik_links_on_its_kept_digits(
    persons: pl.DataFrame, u: list[dict[str, Any]], tmp_path: Path
) -> None:
    people = _adults(persons)
    a, b = next(people), next(people)
    # Excel keeps 15 significant digits: the last becomes 0; a cell may be a number or text
    number = float(a["nik"][:15] + "0")
    text = f"{b['nik'][:15]}0.0"
    result = _link(_workbook(tmp_path / "x.xlsx", [_cells(a, nik=number), _cells(b, nik=text)]),
                   persons, u)  # fmt: skip
    for row, p in ((1, a), (2, b)):
        got = _outcome(result, persons, row)
        assert (got["status"], got["method"], got["nik"]) == ("matched", "nik_awalan", p["nik"])


def test_blank_nik_with_one_strong_candidate_links(
    persons: pl.DataFrame, u: list[dict[str, Any]], tmp_path: Path
) -> None:
    p = next(_adults(persons))
    result = _link(_workbook(tmp_path / "k.xlsx", [_cells(p, nik="")]), persons, u)
    got = _outcome(result, persons, 1)
    assert got["status"] == "matched" and got["nik"] == p["nik"]
    assert got["method"] in {"probabilistic", "single_candidate"}


# -- 2. a correct NIK is never unmatched -----------------------------------------------


def _typo(name: str) -> str:
    """One letter changed in the longest word."""
    words = name.split()
    i = max(range(len(words)), key=lambda k: len(words[k]))
    w = words[i]
    words[i] = w[:-2] + ("A" if w[-2].upper() != "A" else "E") + w[-1]
    return " ".join(words)


def test_exact_nik_with_name_typo_and_swapped_or_empty_date_links(
    persons: pl.DataFrame, u: list[dict[str, Any]], tmp_path: Path
) -> None:
    people = [p for p in _adults(persons) if p["tanggal_lahir"].day <= 12][:2]
    swapped = people[0]["tanggal_lahir"].strftime("%m-%d-%Y")
    rows = [
        _cells(people[0], nama=_typo(people[0]["nama"]), tgl=swapped),
        _cells(people[1], nama=_typo(people[1]["nama"]), tgl=""),
    ]
    result = _link(_workbook(tmp_path / "t.xlsx", rows), persons, u)
    for row, p in zip((1, 2), people, strict=True):
        got = _outcome(result, persons, row)
        assert (got["status"], got["method"], got["nik"]) == ("matched", "nik", p["nik"])


def test_exact_nik_with_another_name_goes_to_review_not_unmatched(
    persons: pl.DataFrame, u: list[dict[str, Any]], tmp_path: Path
) -> None:
    p = next(_adults(persons))
    row = _cells(p, nama="BAMBANG SUTRISNO", tgl="", desa="", kec="")
    result = _link(_workbook(tmp_path / "l.xlsx", [row]), persons, u)
    got = _outcome(result, persons, 1)
    assert got["status"] == "review"
    assert p["nik"] in got["candidates"]
    assert "NIK ada di register" in got["reason"]


# -- 4. a neighbour born the same day --------------------------------------------------


def _with_people(
    persons: pl.DataFrame, like: dict[str, Any], people: list[tuple[str, str, str]]
) -> pl.DataFrame:
    """The register with ``people`` (NIK serial, name, sex) added: born the day ``like`` was,
    in ``like``'s desa, each the head of a family of their own."""
    base, top = like["nik"][:12], int(persons.get_column("pid").max())  # type: ignore[arg-type]
    extra = pl.DataFrame(
        {
            "pid": [top + 1 + i for i in range(len(people))],
            "nik": [f"{base}{serial}" for serial, _, _ in people],
            "kk": [f"650101010120{i:04d}" for i in range(len(people))],
            "nama": [name for _, name, _ in people],
            "jenis_kelamin": [sex for _, _, sex in people],
            "tanggal_lahir": [like["tanggal_lahir"]] * len(people),
            "desa": [like["desa"]] * len(people),
            "kecamatan": [like["kecamatan"]] * len(people),
            "rt": ["1"] * len(people),
            "rw": ["1"] * len(people),
            "alamat": [""] * len(people),
            "hubungan": ["1"] * len(people),
        },
        schema_overrides={"pid": pl.UInt32},
    )
    extra = with_name_columns(comparable(extra)).select(persons.columns)
    return pl.concat([persons, extra.cast(dict(persons.schema))])


def test_mistyped_nik_on_a_one_word_neighbour_is_not_linked_to_them(
    persons: pl.DataFrame, tmp_path: Path
) -> None:
    p = next(_adults(persons))
    base = p["nik"][:12]
    register = _with_people(
        persons, p, [("7001", "Siti Nurhaliza", "2"), ("7002", "Nurhaliza", "2")]
    )
    # Siti Nurhaliza's NIK with the serial's last digit mistyped: Nurhaliza's NIK
    row = _cells(p, nik=f"{base}7002", nama="SITI NURHALIZA", jk="P")
    result = link(read_agency_list(_workbook(tmp_path / "n.xlsx", [row])).frame, register)
    got = _outcome(result, register, 1)
    assert not (got["status"] == "matched" and got["nik"] == f"{base}7002")
    assert got["status"] == "matched" and got["nik"] == f"{base}7001"  # the repaired NIK


# -- 5. a dropped middle name ----------------------------------------------------------


def test_dropped_middle_name_is_found(persons: pl.DataFrame, tmp_path: Path) -> None:
    p = next(_adults(persons))
    register = _with_people(persons, p, [("7101", "Yohana Marlina Tadem", "2")])
    row = _cells(p, nik="", nama="YOHANA TADEM", jk="P")
    result = link(read_agency_list(_workbook(tmp_path / "m.xlsx", [row])).frame, register)
    got = _outcome(result, register, 1)
    nik = f"{p['nik'][:12]}7101"
    assert (got["status"] == "matched" and got["nik"] == nik) or (
        got["status"] == "review" and got["candidates"][:1] == [nik]
    )


# -- 3. rows that are not beneficiaries, through the command ---------------------------


def _run(*args: str) -> tuple[int, dict[str, Any]]:
    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["--json", *args])
    lines = buf.getvalue().strip().splitlines()
    return code, json.loads(lines[-1]) if lines else {}


def test_totals_repeated_headers_and_notes_are_reported_not_linked(
    home: Path, persons: pl.DataFrame, tmp_path: Path
) -> None:
    people = list(_adults(persons))[:4]
    book = xlsxwriter.Workbook(str(tmp_path / "jumlah.xlsx"))
    sheet = book.add_worksheet()
    lines: list[list[Any]] = [
        ["DAFTAR PENERIMA BANTUAN SOSIAL TAHUN 2026"],
        HEADER,
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
        [1, *_cells(people[0])],
        [2, *_cells(people[1])],
        [],
        HEADER,  # the header printed again on the next page
        [3, *_cells(people[2])],
        [4, *_cells(people[3])],
        ["JUMLAH", "", "", "", "", "", 4],
        [],
        ["Keterangan: data per 31 Januari 2026"],
        ["", "", "", "", "Tanjung Selor, 2 Februari 2026"],
        ["", "", "", "", "Kepala Dinas Sosial"],
    ]
    for i, cells in enumerate(lines):
        sheet.write_row(i, 0, [str(c) if isinstance(c, str) else c for c in cells])
    book.close()
    links, report = tmp_path / "links.csv", tmp_path / "laporan.xlsx"
    code, data = _run("--home", str(home), "link", str(tmp_path / "jumlah.xlsx"), "--programme",
                      "PKH", "--year", "2026", "--export-links", str(links),
                      "--out", str(report))  # fmt: skip
    assert code == 0
    assert data["rows"] == 4 and data["rows_set_aside"] >= 4
    got = pl.read_csv(links, schema_overrides={"nik": pl.String, "kk": pl.String})
    assert sorted(got.get_column("row").unique().to_list()) == [1, 2, 3, 4]
    assert got.filter(pl.col("status") == "matched").get_column("nik").sort().to_list() == sorted(
        p["nik"] for p in people
    )
    # sheet rows (1-based): 3 numbering, 6 blank, 7 header again, 10 totals, 12-14 notes
    notes = data["notes"][1:]
    assert any(n.startswith("baris 3: baris nomor kolom") for n in notes), notes
    assert any(n.startswith("baris 7: baris header yang berulang") for n in notes), notes
    assert any(n.startswith("baris 10: baris jumlah ('JUMLAH', 4)") for n in notes), notes
    assert any(n.startswith("baris 12–14: 3 baris catatan") for n in notes), notes
    # the report says it too, and shows each linked row's sheet row
    book = CalamineWorkbook.from_path(str(report))
    summary = [str(c) for r in book.get_sheet_by_name("Ringkasan").to_python() for c in r]
    assert all(n in summary for n in notes)
    cocok = book.get_sheet_by_name("Cocok").to_python()
    assert "Baris Excel" in cocok[0] and "Catatan (perbaiki di daftar)" in cocok[0]
    sheet_rows = sorted(int(r[cocok[0].index("Baris Excel")]) for r in cocok[1:])
    assert sheet_rows == [4, 5, 8, 9]


def test_a_bad_unit_is_a_usage_error(home: Path, persons: pl.DataFrame, tmp_path: Path) -> None:
    path = _workbook(tmp_path / "u.xlsx", [_cells(next(_adults(persons)))])
    code, data = _run("--home", str(home), "link", str(path), "--programme", "PKH", "--year",
                      "2026", "--unit", "rumah")  # fmt: skip
    assert code == 2 and "--unit" in data["message"]


def test_the_report_tells_the_officer_what_the_list_got_wrong(
    home: Path, persons: pl.DataFrame, tmp_path: Path
) -> None:
    people = _adults(persons)
    a, b = next(people), next(people)
    wrong_day = (a["tanggal_lahir"] + dt.timedelta(days=3)).strftime("%d-%m-%Y")
    rows = [_cells(a, tgl=wrong_day), _cells(b, nik=float(b["nik"][:15] + "0"))]
    report = tmp_path / "r.xlsx"
    code, _ = _run("--home", str(home), "link", str(_workbook(tmp_path / "w.xlsx", rows)),
                   "--programme", "PKH", "--year", "2026", "--out", str(report))  # fmt: skip
    assert code == 0
    cocok = CalamineWorkbook.from_path(str(report)).get_sheet_by_name("Cocok").to_python()
    head = cocok[0]
    by_row = {int(r[head.index("Baris Data")]): r for r in cocok[1:]}
    assert by_row[1][head.index("Catatan (perbaiki di daftar)")] == (
        "tanggal lahir di daftar berbeda dengan register"
    )
    assert "Excel" in by_row[2][head.index("Catatan (perbaiki di daftar)")]
    assert by_row[2][head.index("NIK (daftar)")] == b["nik"][:15] + "0"  # no ".0"


# -- family-keyed lists ----------------------------------------------------------------


def test_family_keyed_list_with_desa_names_links_to_families(
    home: Path, persons: pl.DataFrame, tmp_path: Path
) -> None:
    heads = persons.filter(
        (pl.col("hubungan") == "1")
        & pl.col("desa").str.starts_with("65")  # a Kaltara KTP (not an origin-province one)
        & (pl.col("nama_normal").str.count_matches(" ") >= 1)
    ).sort("pid")
    picked = heads.head(6).to_dicts()
    header = ["NO", "NO. KK", "NAMA KEPALA KELUARGA", "ALAMAT", "DESA/KEL", "KECAMATAN"]
    rows = []
    for i, h in enumerate(picked):
        desa, kec = _place(h["desa"])
        kk = h["kk"] if i % 2 == 0 else ""  # half without a KK: name and desa must do
        written = ("Ds. " if i % 3 == 0 else "DESA ") + desa.upper()
        rows.append([kk, h["nama"].upper(), h["alamat"] or "", written, kec])
    path = _workbook(tmp_path / "rtlh.xlsx", rows, header=header)
    links = tmp_path / "rtlh.csv"
    code, data = _run("--home", str(home), "link", str(path), "--programme", "PKH", "--year",
                      "2026", "--export-links", str(links))  # fmt: skip
    assert code == 0 and data["unit"] == "keluarga"
    got = pl.read_csv(links, schema_overrides={"nik": pl.String, "kk": pl.String})
    matched = got.filter(pl.col("status") == "matched").sort("row")
    assert matched.height >= 5  # every family with a KK, and most without
    expected = {i + 1: h["kk"] for i, h in enumerate(picked)}
    assert all(kk == expected[r] for r, kk in matched.select("row", "kk").iter_rows())


# -- review decisions outrank automatic links ------------------------------------------


def test_a_person_a_reviewer_rejected_is_not_auto_linked_again(
    home: Path, persons: pl.DataFrame, tmp_path: Path
) -> None:
    from padu.linkage.ledger import link_list
    from padu.stores.catalog import LinkDecisionRow

    p = next(_adults(persons))
    path = _workbook(tmp_path / "tolak.xlsx", [_cells(p)])
    s = Settings(home=home)
    wh, cat = open_stores(s.resolved_warehouse_url(), s.resolved_catalog_url())
    try:
        args = {"programme": "PKH", "agency": "KEMENSOS", "year": 2026, "snapshot": "latest",
                "actor": "penguji"}  # fmt: skip
        first = link_list(wh, cat, path, **args)  # type: ignore[arg-type]
        row = first.rows.row(0, named=True)
        assert (row["status"], row["nik"]) == ("matched", p["nik"])
        with cat.session() as session:
            session.merge(
                LinkDecisionRow(
                    row_key=row["row_key"], person_key=f"{p['nik']}|{p['kk']}",
                    decision="different", programme="PKH", source_file=path.name,
                    diputuskan=dt.datetime(2026, 3, 1), pelaku="peninjau",
                )
            )  # fmt: skip
        again = link_list(wh, cat, path, **args)  # type: ignore[arg-type]
    finally:
        wh.close()
        cat.close()
    row = again.rows.row(0, named=True)
    assert row["status"] == "unmatched" and row["nik"] is None
    assert "peninjau" in row["reason"]
    assert again.counts["decisions_reused"] == 1
    # the same file linked again for the same programme and year is said so
    assert first.counts["same_file_ledgers"] == []
    assert again.counts["same_file_ledgers"] == [first.ledger.id]


# -- the register's linkage records, kept per snapshot ---------------------------------


def test_persons_are_cached_per_snapshot_privately_and_old_copies_go(
    home: Path, tmp_path: Path
) -> None:
    s = Settings(home=home)
    wh, cat = open_stores(s.resolved_warehouse_url(), s.resolved_catalog_url(), read_only=True)
    try:
        snap = cat.snapshot("latest")
        stale = tmp_path / f"orang-{cat.identity()}-{snap.id}-0ld0ld0ld0ld.parquet"
        stale.write_bytes(b"old")
        _, first = register_persons(wh, cat, "latest", cache=tmp_path)
        _, again = register_persons(wh, cat, "latest", cache=tmp_path)
    finally:
        wh.close()
        cat.close()
    kept = list(tmp_path.glob("orang-*.parquet"))
    assert len(kept) == 1 and not stale.exists()
    assert kept[0].stat().st_mode & 0o777 == 0o600
    assert again.equals(first)
