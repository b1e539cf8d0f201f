"""Reading agency lists as agencies really print them: totals, repeated headers, column
numbers, notes and signatures set aside; places written by hand resolved to codes; lists
per family; NIKs that Excel stored as numbers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from padu.errors import ImportRejected
from padu.linkage import reader
from padu.linkage.reader import AgencyRows, SkippedRow, read_agency_list
from padu.linkage.values import Place, nik_excel_prefix, place_key, resolve_place
from padu.regions import kaltara

NIK = "6501070101800001"
HEADER = ["No", "NIK", "Nama Penerima", "Tgl Lahir", "Desa/Kel", "Kecamatan"]


def _xlsx(path: Path, rows: list[list[Any]]) -> Path:
    """A workbook with ``rows`` from A1: numbers as number cells, text as text cells."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if isinstance(value, int | float):
                sheet.write_number(i, j, value)
            elif value is not None:
                sheet.write_string(i, j, value)
    book.close()
    return path


def _csv(path: Path, rows: list[list[Any]], sep: str = ";") -> Path:
    """A CSV as Excel saves one: every line as wide as the widest row."""
    width = max(len(row) for row in rows)
    lines = [sep.join("" if v is None else str(v) for v in row + [None] * (width - len(row)))
             for row in rows]  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _person(n: int, name: str, nik: str = "") -> list[Any]:
    return [n, nik, name, "12-01-1980", "Long Bawan", "Krayan"]


def _kinds(rows: AgencyRows) -> dict[int, str]:
    return {s.baris: s.kind for s in rows.skipped}


def _names(rows: AgencyRows) -> list[str]:
    return rows.frame.sort("row").get_column("nama").to_list()


# -- rows that are not beneficiaries --------------------------------------------------------


def _printed_list() -> list[list[Any]]:
    """A two-page list as a Dinas prints it: titles, column numbers, a page break with the
    header again, a total, notes and a signature block."""
    return [
        ["PEMERINTAH PROVINSI KALIMANTAN UTARA"],  # 1
        ["DAFTAR PENERIMA BANTUAN RTLH TAHUN 2026"],  # 2
        HEADER,  # 3
        ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],  # 4
        _person(1, "Ahmad", NIK),  # 5
        _person(2, "Siti"),  # 6
        [],  # 7
        _person(3, "Budi"),  # 8
        ["Halaman 1 dari 2"],  # 9
        ["NO", "N I K", "NAMA PENERIMA", "TGL. LAHIR", "DESA / KEL", "Kecamatan"],  # 10
        [1, 2, 3, 4, 5, 6],  # 11
        _person(4, "Rina"),  # 12
        ["JUMLAH", None, None, None, None, 500],  # 13
        [],  # 14
        ["Keterangan: data per 31 Desember 2025"],  # 15
        [None, "Mengetahui,", None, None, "Tanjung Selor, 12 Januari 2026"],  # 16
        [None, "Kepala Dinas Sosial"],  # 17
        [],  # 18
        [None, None, "Drs. AHMAD YANI, M.Si"],  # 19
        [None, None, "NIP. 19700101 199003 1 001"],  # 20
        [],  # 21
    ]


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
def test_a_printed_list_keeps_only_its_beneficiaries(tmp_path: Path, kind: str) -> None:
    rows = _printed_list()
    path = _xlsx(tmp_path / "d.xlsx", rows) if kind == "xlsx" else _csv(tmp_path / "d.csv", rows)
    listed = read_agency_list(path)
    assert _names(listed) == ["Ahmad", "Siti", "Budi", "Rina"]
    frame = listed.frame.sort("row")
    assert frame.get_column("row").to_list() == [1, 2, 3, 4]
    assert frame.get_column("baris").to_list() == [5, 6, 8, 12]
    assert _kinds(listed) == {
        4: "nomor_kolom",
        7: "kosong",
        9: "catatan",
        10: "judul_berulang",
        11: "nomor_kolom",
        13: "jumlah",
        15: "catatan",
        16: "catatan",
        17: "catatan",
        19: "catatan",
        20: "catatan",
    }  # blank rows below the table (14, 18, 21) are formatting, not reported
    lines = listed.skipped_lines()
    assert "baris 13: baris jumlah ('JUMLAH', 500) tidak ditautkan" in lines
    assert "baris 7: baris kosong tidak ditautkan" in lines
    assert lines[-1].startswith("baris 15–20: 5 baris catatan/tanda tangan ('Keterangan:")
    assert all(line.endswith("tidak ditautkan") for line in lines)


@pytest.mark.parametrize(
    "label",
    ["JUMLAH", "TOTAL", "Jumlah Penerima", "SUB TOTAL", "Jumlah KK", "Total Keseluruhan",
     "Sub-total", "JUMLAH :"],
)  # fmt: skip
@pytest.mark.parametrize("count", [None, 120, "Rp 1.250.000.000", "120 KK"])
def test_totals_rows_are_set_aside(tmp_path: Path, label: str, count: object) -> None:
    rows = [HEADER, _person(1, "Ahmad", NIK), _person(2, "Siti"), [label, None, None, count]]
    rows.append(_person(3, "Budi"))  # a subtotal between two parts of the table
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    assert _names(listed) == ["Ahmad", "Siti", "Budi"]
    assert [(s.baris, s.kind) for s in listed.skipped] == [(4, "jumlah")]
    assert listed.skipped[0].text.startswith(f"'{label}'")


def test_a_row_with_a_nik_is_never_set_aside(tmp_path: Path) -> None:
    other = "6501075708900002"
    rows = [
        HEADER,
        _person(1, "Ahmad", NIK),
        ["JUMLAH", other, "JUMLAH", None, None, None],  # implausible, but it holds a NIK
        [None, "6.50107E+15", "TOTAL"],  # a NIK Excel damaged
        [None, None, "Mengetahui,", float(other)],  # a NIK as an Excel number, any column
        [],
        ["Keterangan:", None, None, None, "6501075708900003"],  # 16 digits in any column
    ]
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    assert listed.frame.get_column("baris").to_list() == [2, 3, 4, 5, 7]
    assert listed.frame.get_column("nik").to_list()[:2] == [NIK, other]
    assert _kinds(listed) == {6: "kosong"}


_JUNK: list[list[Any]] = [
    [],
    ["JUMLAH", None, None, None, None, 12],
    ["Sub Total"],
    HEADER,
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
    ["Keterangan: sementara"],
    [None, "Mengetahui,", None, None, "Tanjung Selor, 12 Januari 2026"],
    [None, None, "Drs. AHMAD YANI, M.Si"],
    [None, None, "NIP. 19700101 199003 1 001"],
    ["Halaman 2 dari 9"],
]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(st.integers(0, len(_JUNK) - 1), st.sampled_from(["TOTAL", "Ahmad", "Catatan"])),
        min_size=1,
        max_size=25,
    )
)
def test_a_row_with_a_nik_is_kept_wherever_it_stands(tmp_path: Path, plan: list[Any]) -> None:
    """Whatever junk surrounds them, the rows holding a NIK all stay, in order, numbered 1..n."""
    rows: list[list[Any]] = [HEADER]
    niks = []
    for i, step in enumerate(plan):
        if isinstance(step, int):
            rows.append(_JUNK[step])
        else:
            niks.append(f"65010701018{i:05d}")
            rows.append(_person(i, step, niks[-1]))
    if not niks:
        return
    frame = read_agency_list(_csv(tmp_path / "d.csv", rows)).frame.sort("row")
    kept = frame.filter(pl.col("nik_asli").is_not_null())
    assert kept.get_column("nik").to_list() == niks
    assert frame.get_column("row").to_list() == list(range(1, frame.height + 1))
    assert frame.get_column("baris").is_sorted()


def test_sparse_rows_inside_the_table_are_kept(tmp_path: Path) -> None:
    """A sparse data row (a name and a row number, or a name alone) inside the table stays."""
    rows = [
        HEADER,
        _person(1, "Ahmad", NIK),
        [2, None, "Siti"],
        [None, None, "Budi", "12-01-1980"],
        [None, None, "Rina"],
        _person(5, "Dewi", "6501075708900002"),
    ]
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    assert _names(listed) == ["Ahmad", "Siti", "Budi", "Rina", "Dewi"]
    assert listed.skipped == []


def test_short_rows_that_continue_the_table_are_kept(tmp_path: Path) -> None:
    """Rows below the last full row stay until the table breaks off (blank row, total, note);
    then a name alone is an official's, not a beneficiary's."""
    rows: list[list[Any]] = [["Nama", "Desa", "Keterangan"], ["Ahmad", "Long Bawan", "lansia"]]
    rows += [["Siti", "Long Bawan"], ["Budi", "Long Bawan"], [], ["Drs. AHMAD YANI, M.Si"]]
    rows += [[None, "BUDI SANTOSO, S.E"]]
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    assert _names(listed) == ["Ahmad", "Siti", "Budi"]
    assert _kinds(listed) == {6: "catatan", 7: "catatan"}


@pytest.mark.parametrize(
    "note",
    ["Keterangan: data sementara", "Catatan", "Mengetahui,", "Kepala Dinas Sosial",
     "NIP. 19700101 199003 1 001", "Tanjung Selor, 12 Januari 2026", "Halaman 2 dari 9",
     "KECAMATAN KRAYAN", "A. DESA LONG BAWAN"],
)  # fmt: skip
@pytest.mark.parametrize("column", [0, 2], ids=["in the No column", "in the name column"])
def test_notes_inside_the_table_are_set_aside(tmp_path: Path, note: str, column: int) -> None:
    line: list[Any] = [None] * len(HEADER)
    line[column] = note
    rows = [HEADER, _person(1, "Ahmad", NIK), line, _person(2, "Siti"), _person(3, "Budi")]
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    assert _names(listed) == ["Ahmad", "Siti", "Budi"]
    assert listed.skipped == [SkippedRow(3, "catatan", f"'{note}'")]


def test_a_header_repeated_nearly_the_same_is_set_aside(tmp_path: Path) -> None:
    again = ["No.", "NIK", "Nama Penerima Manfaat", "Tgl Lahir", "Desa/Kel", "Kecamatan"]
    rows = [HEADER, _person(1, "Ahmad", NIK), again, _person(2, "Siti")]
    rows.append(["No", "Nama"])  # two cells, both header words: a cut-off header
    rows.append(_person(3, "Budi"))
    listed = read_agency_list(_csv(tmp_path / "d.csv", rows, sep=","))
    assert _names(listed) == ["Ahmad", "Siti", "Budi"]
    assert _kinds(listed) == {3: "judul_berulang", 5: "judul_berulang"}


@pytest.mark.parametrize(
    "numbers",
    [[1, 2, 3, 4, 5, 6], ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"], ["1.", "2.", "3.", "4."],
     [1, 2, 3]],
)  # fmt: skip
def test_the_column_numbering_row_is_set_aside(tmp_path: Path, numbers: list[Any]) -> None:
    rows = [HEADER, numbers, _person(1, "Ahmad", NIK), _person(2, "Siti")]
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    assert _names(listed) == ["Ahmad", "Siti"]
    assert _kinds(listed) == {2: "nomor_kolom"}


def test_numbers_that_do_not_count_the_columns_are_not_a_numbering_row(tmp_path: Path) -> None:
    rows = [HEADER, [2, 3, 4, 5], [1, 3, 2, 4], _person(1, "Ahmad", NIK)]
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    assert "nomor_kolom" not in _kinds(listed).values()
    assert listed.frame.get_column("baris").to_list() == [2, 3, 4]


def test_csv_blank_lines_and_empty_records(tmp_path: Path) -> None:
    lines = ["NIK,Nama,Desa", f"{NIK},Ahmad,Long Bawan", ",,", "", "6501075708900002,Siti,X"]
    path = tmp_path / "d.csv"
    path.write_text("\n".join([*lines, ",,", ",,", ""]), encoding="utf-8")
    listed = read_agency_list(path)
    assert listed.frame.get_column("baris").to_list() == [2, 5]
    assert _kinds(listed) == {3: "kosong", 4: "kosong"}
    assert listed.skipped_lines() == ["baris 3–4: 2 baris kosong tidak ditautkan"]


def test_a_list_of_only_totals_and_notes_is_refused(tmp_path: Path) -> None:
    rows = [HEADER, [1, 2, 3, 4, 5, 6], ["JUMLAH", None, None, None, None, 0], ["Catatan: nihil"]]
    with pytest.raises(ImportRejected) as info:
        read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    (problem,) = info.value.problems
    assert problem.code == "tanpa_baris_data" and problem.row == 1


def test_skipped_text_masks_identifiers(tmp_path: Path) -> None:
    rows = [HEADER, _person(1, "Ahmad", NIK), [], ["Catatan: KK 6501070101800009 ganda"]]
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    (note,) = listed.skipped
    assert "6501070101800009" not in note.text and note.text.startswith("'Catatan: KK")


# -- places written by hand -----------------------------------------------------------------


def _desa(name: str) -> str:
    (found,) = [r.digits for r in kaltara().at_level("desa_kelurahan") if r.nama == name]
    return found


@pytest.mark.parametrize(
    ("kab", "kec", "desa", "want"),
    [
        (None, None, "Ds. Long Bawan", "Long Bawan"),
        (None, "Krayan", "DESA LONG BAWAN", "Long Bawan"),
        (None, None, "Longbawan", "Long Bawan"),
        (None, None, "Kelurahan Tanjung Selor Hilir", "Tanjung Selor Hilir"),
        (None, "Tg. Selor", "Tg. Selor Hulu", "Tanjung Selor Hulu"),
        (None, None, "Sei Manurung", "Sungai Manurung"),
        (None, None, "Kp. Baru", "Kampung Baru"),
        (None, None, "Kampung 1 Skip", "Kampung I Skip"),
        (None, None, "Pa Padi", "Pa' Padi"),
        (None, None, "Long Bawan, Kec. Krayan", "Long Bawan"),
        ("Kota Tarakan", None, "Kel. Karang Anyar", "Karang Anyar@6571"),
        ("Kab. Bulungan", None, "Kel. Karang Anyar", "Karang Anyar@6501"),
        ("6571", None, "Karang Anyar", "Karang Anyar@6571"),
        (None, "Tanjung Palas", "Karang Anyar", "Karang Anyar@6501"),
        (None, None, "65.03.05.2041", "Long Bawan"),
    ],
)
def test_place_names_as_agencies_write_them(
    kab: str | None, kec: str | None, desa: str, want: str
) -> None:
    name, _, prefix = want.partition("@")
    codes = [r.digits for r in kaltara().at_level("desa_kelurahan") if r.nama == name]
    (code,) = [c for c in codes if c.startswith(prefix)]
    place = resolve_place(kab, kec, desa)
    assert place == Place(code[:4], code[:6], code, 1.0)


def test_a_close_spelling_is_taken_with_its_similarity() -> None:
    place = resolve_place(None, "Tanjung Selr", "Tanjung Selor Hilr")
    assert place.desa == _desa("Tanjung Selor Hilir") and place.kecamatan == "650105"
    assert place.desa_score is not None and 0.9 < place.desa_score < 1.0


@pytest.mark.parametrize(
    ("kab", "kec", "desa"),
    [
        (None, None, "Kel. Karang Anyar"),  # two desa of that name in the province
        (None, None, "Tanjung Selor"),  # a kecamatan: three desa start with it, none is it
        (None, None, "Tanjung Selor Hxxxx"),  # Hulu or Hilir: no clear winner
        (None, "Krayan", "Tinampak III"),  # a number is never corrected
        (None, None, "Kampung Tujuh"),
        (None, None, "Jakarta Selatan"),
        (None, "Krayan", "Long Bawn Baru"),
        ("Bulungan", None, "Tarakan"),
    ],
)
def test_an_unsure_place_stays_null(kab: str | None, kec: str | None, desa: str) -> None:
    place = resolve_place(kab, kec, desa)
    assert place.desa is None and place.desa_score is None


def test_every_desa_is_found_under_its_kecamatan_and_a_typo_never_finds_another() -> None:
    regions = kaltara()
    wrong, found = [], 0
    for r in regions.at_level("desa_kelurahan"):
        kec = regions.get(r.induk or "").nama
        assert resolve_place(None, kec, r.nama.upper()) == Place(
            r.digits[:4], r.digits[:6], r.digits, 1.0
        )
        middle = len(r.nama) // 2
        typo = r.nama[:middle] + r.nama[middle + 1 :]
        got = resolve_place(None, kec, typo).desa
        found += got == r.digits
        if got not in (None, r.digits):
            wrong.append((typo, got))
    assert wrong == []
    assert found > 400  # most one-letter slips are still found (482 desa)


def test_place_keys_agree_across_spellings() -> None:
    assert place_key("Ds. Long Bawan") == place_key("DESA LONGBAWAN") == "LONGBAWAN"
    assert place_key("Sei Menggaris") == place_key("Sungai Menggaris")
    assert place_key("Tg. Selor") == place_key("Tanjung Selor") == place_key("TJ SELOR")
    assert place_key("Kampung Empat") == place_key("Kp. IV") == place_key("Kampung 4")
    assert place_key("Kecamatan Malinau Kota") == "MALINAUKOTA"


def test_the_reader_resolves_each_distinct_place_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str | None, ...]] = []

    def counted(kab: str | None, kec: str | None, desa: str | None) -> Place:
        calls.append((kab, kec, desa))
        return resolve_place(kab, kec, desa)

    monkeypatch.setattr(reader, "resolve_place", counted)
    header = ["NIK", "Nama", "Desa/Kelurahan", "Kecamatan", "Kab/Kota"]
    rows = [header]
    for i in range(30):
        desa = ("Ds. Long Bawan", "Tg. Selor Hilr", "Karang Anyar")[i % 3]
        rows.append([f"65010701018{i:05d}", f"Orang {i}", desa, None, "Bulungan"])
    rows.append(["6501070101899999", "Tanpa Desa"])
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows))
    assert len(calls) == len(set(calls)) == 4
    frame = listed.frame.sort("row")
    assert frame.get_column("desa").to_list()[:3] == [
        _desa("Long Bawan"),  # in Nunukan, not Bulungan, but its exact name is unique
        _desa("Tanjung Selor Hilir"),
        "6501011004",  # the Karang Anyar of Bulungan, not of Tarakan
    ]
    assert frame.get_column("desa").to_list()[-1] is None
    scores = frame.get_column("desa_kecocokan").to_list()
    assert scores[0] == 1.0 and 0.9 < scores[1] < 1.0 and scores[2] == 1.0
    assert scores[-1] is None
    assert frame.schema["desa_kecocokan"] == pl.Float64
    assert frame.get_column("kabupaten").to_list()[:2] == ["6501", "6501"]
    assert frame.get_column("kabupaten_asli").to_list()[0] == "Bulungan"
    assert frame.get_column("desa_asli").to_list()[:2] == ["Ds. Long Bawan", "Tg. Selor Hilr"]


# -- lists per family -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Nama KK", "nama_kepala_keluarga"), ("Nama Kepala Rumah Tangga", "nama_kepala_keluarga"),
        ("NIK Kepala Keluarga", "nik"), ("No. Kartu Keluarga", "kk"),
        ("Nomor Kartu Keluarga (KK)", "kk"), ("Desa/Kelurahan", "desa"),
        ("Kab/Kota", "kabupaten"), ("Kabupaten/Kota", "kabupaten"), ("Kab.", "kabupaten"),
    ],
)  # fmt: skip
def test_family_headers_are_suggested(header: str, field: str) -> None:
    assert reader.suggest_mapping(["No", header, "Keterangan"]).mapping.get(field) == header


def _family_rows() -> list[list[Any]]:
    return [
        ["DAFTAR PENERIMA BANTUAN JAMBAN SEHAT 2026"],
        ["No", "No. KK", "Nama Kepala Keluarga", "Alamat", "Desa/Kelurahan", "Kecamatan"],
        [1, "6501070101800009", "H. Ahmad", "RT 02", "Long Bawan", "Krayan"],
        [2, "6501070101800010", "Siti Aminah", "RT 03", "Tg. Selor Hilir", "Tanjung Selor"],
        ["JUMLAH", None, None, None, None, "2 KK"],
    ]


def test_a_family_list_is_read_with_its_head_as_the_name(tmp_path: Path) -> None:
    listed = read_agency_list(_xlsx(tmp_path / "d.xlsx", _family_rows()))
    assert listed.unit == "keluarga"
    frame = listed.frame.sort("row")
    assert frame.get_column("kk").to_list() == ["6501070101800009", "6501070101800010"]
    assert frame.get_column("nama").to_list() == ["H. Ahmad", "Siti Aminah"]
    assert frame.get_column("nama_kepala_keluarga").to_list() == ["H. Ahmad", "Siti Aminah"]
    assert frame.get_column("nama_normal").to_list()[0] == "AHMAD"
    assert frame.get_column("nik").null_count() == 2
    assert _kinds(listed) == {5: "jumlah"}


def test_a_family_list_with_only_the_heads_name(tmp_path: Path) -> None:
    rows = [["Nama KK", "Desa"], ["Ahmad", "Long Bawan"], ["Siti", "Long Bawan"]]
    listed = read_agency_list(_csv(tmp_path / "d.csv", rows))
    assert listed.unit == "keluarga" and _names(listed) == ["Ahmad", "Siti"]


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        (["No. KK", "Nama Kepala Keluarga", "Tgl Lahir"], "individu"),  # a birth date: persons
        (["NIK Kepala Keluarga", "No. KK", "Nama KK"], "individu"),  # a NIK column
        (["No. KK", "Nama"], "keluarga"),
        (["NIK", "Nama"], "individu"),
        (["Nama", "Tempat/Tgl Lahir"], "individu"),
    ],
)
def test_the_unit_follows_the_columns(tmp_path: Path, header: list[str], unit: str) -> None:
    rows = [header, ["6501070101800009", "Ahmad", "12-01-1980"][: len(header)]]
    assert read_agency_list(_csv(tmp_path / "d.csv", rows)).unit == unit


def test_the_unit_can_be_told(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "d.xlsx", _family_rows())
    assert read_agency_list(path, unit="individu").unit == "individu"  # the heads as persons
    only_kk = _csv(tmp_path / "kk.csv", [["No. KK", "Alamat"], ["6501070101800009", "RT 2"]])
    assert read_agency_list(only_kk).unit == "keluarga"
    with pytest.raises(ImportRejected) as info:
        read_agency_list(only_kk, unit="individu")  # a list of persons needs a name or a NIK
    (problem,) = info.value.problems
    assert problem.code == "kolom_wajib_tidak_ada" and "maupun NIK" in problem.reason
    persons = _csv(tmp_path / "p.csv", [["NIK", "Nama"], [NIK, "Ahmad"]])
    assert read_agency_list(persons, unit="keluarga").unit == "keluarga"
    with pytest.raises(ImportRejected) as info:
        read_agency_list(persons, unit="rumah")
    assert [p.code for p in info.value.problems] == ["satuan_tidak_dikenal"]


def test_a_list_without_any_identifying_column_is_refused(tmp_path: Path) -> None:
    path = _csv(tmp_path / "d.csv", [["Alamat", "Desa"], ["RT 02", "Long Bawan"]])
    with pytest.raises(ImportRejected) as info:
        read_agency_list(path)
    (problem,) = info.value.problems
    assert problem.code == "kolom_wajib_tidak_ada" and "nomor KK" in problem.reason


# -- NIKs Excel stored as numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "prefix"),
    [
        ("6501070101800001.0", "650107010180000"),  # a number cell: 15 digits kept
        # scientific notation rounds the last digit it shows: the ones before it are kept
        ("6.50102123456789E+15", "65010212345678"),
        ("6.501021234567e+15", "650102123456"),
        ("6.501021234567E+15", "650102123456"),  # 13 digits shown: 12 sound, enough
        ("6.50102123456E+15", None),  # 12 shown, 11 sound: not enough
        ("6.50107E+15", None),
        ("6.50102123456789E+14", None),  # 15 digits long: not a NIK
        ("6501070101800001", None),  # intact: no prefix needed
        ("650107010180001", None),  # short: no sure place for the missing digit
        ("", None),
    ],
)
def test_the_sound_prefix_of_a_damaged_nik(cell: str, prefix: str | None) -> None:
    got = pl.DataFrame({"v": [cell]}).select(nik_excel_prefix(pl.col("v"))).item()
    assert got == prefix


def test_reader_keeps_the_sound_prefix_and_flags_a_nik_equal_to_the_kk(tmp_path: Path) -> None:
    kk = "6501070101800009"
    rows = [
        ["No", "NIK", "No. KK", "Nama"],
        [1, 6501070101800001.0, kk, "Ahmad"],
        [2, "6.50102123456789E+15", kk, "Siti"],
        [3, kk, kk, "Budi"],
        [4, "6501075708900002", kk, "Rina"],
    ]
    frame = read_agency_list(_xlsx(tmp_path / "d.xlsx", rows)).frame.sort("row")
    assert frame.schema["nik_awalan"] == pl.String
    assert frame.get_column("nik_awalan").to_list() == [
        "650107010180000",
        "65010212345678",
        None,
        None,
    ]  # fmt: skip  (the last digit scientific notation shows is rounded)
    # a NIK equal to the KK is kept: the matcher decides against the register which is wrong
    assert frame.get_column("nik").to_list() == [None, None, kk, "6501075708900002"]
    problems = frame.get_column("nik_masalah").to_list()
    assert "Excel" in problems[0] and "Excel" in problems[1]
    assert problems[2].startswith("NIK sama dengan No. KK")
    assert problems[3] is None
    assert frame.get_column("kk").to_list() == [kk] * 4
