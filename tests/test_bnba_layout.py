"""The files an officer opens (issue 12, "Outputs an officer reads"): the BNBA workbook and
CSV, the register duplicates file and the convergence workbook's agency names.

The BNBA workbook is read back cell by cell (python-calamine) and its print setup from the
sheets' XML: sheet order and names, words instead of codes, NIK/KK as text, the head's NIK
in family lists, reasons as sentences, A4 landscape with the header row repeated, page
numbers, and the musyawarah desa signature block under the rows of every sheet.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import polars as pl
import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook

from padu.fmt import BULAN, rupiah
from padu.linkage.duplicates import _write as write_duplicate_pairs
from padu.programmes.bnba import publish_target_list, write_workbook, write_xlsx
from padu.programmes.model import preset_workshop
from padu.programmes.store import programme, save_workshop
from padu.programmes.targeting import TargetList
from padu.schema import register_schema
from padu.sheets import read_sheet
from padu.synth import SyntheticRegister
from tests.conftest import Stores
from tests.test_convergence_workbook import Sheet, hand_result, written

ACTOR = "petugas-bnba"
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
RULE_SYNTAX = re.compile(r"<=|>=|!=|\bdalam\b|\[|_")
DATE_WORDS = re.compile(rf"\d{{1,2}} ({'|'.join(BULAN)}) \d{{4}}")


def _labels(code_list: str) -> set[str]:
    return {c.label_id for c in register_schema().code_lists[code_list].codes}


def _data(rows: list[list[Any]]) -> list[list[Any]]:
    """The list's rows of a sheet: below the header, down to the first blank row."""
    out = []
    for row in rows[1:]:
        if row[0] in ("", None):
            break
        out.append(row)
    return out


def _after_rows(rows: list[list[Any]]) -> list[str]:
    """Every text written below a sheet's list (the signature block)."""
    n = 1 + len(_data(rows))
    return [str(c) for row in rows[n:] for c in row if c not in ("", None)]


def _print_setup(path: Path) -> dict[str, dict[str, Any]]:
    """Per sheet name: its pageSetup attributes, fit-to-page flag, footer and print titles."""
    with zipfile.ZipFile(path) as z:
        book = ElementTree.fromstring(z.read("xl/workbook.xml"))  # noqa: S314 (our own file)
        sheets = [s.get("name") for s in book.iterfind("m:sheets/m:sheet", NS)]
        titles = {
            int(d.get("localSheetId", -1)): d.text
            for d in book.iterfind("m:definedNames/m:definedName", NS)
            if d.get("name") == "_xlnm.Print_Titles"
        }
        out: dict[str, dict[str, Any]] = {}
        for i, name in enumerate(sheets):
            part = z.read(f"xl/worksheets/sheet{i + 1}.xml")
            xml = ElementTree.fromstring(part)  # noqa: S314 (the test's own file)
            setup = xml.find("m:pageSetup", NS)
            fit = xml.find("m:sheetPr/m:pageSetUpPr", NS)
            footer = xml.find("m:headerFooter/m:oddFooter", NS)
            header = xml.find("m:headerFooter/m:oddHeader", NS)
            out[str(name)] = {
                "setup": dict(setup.attrib) if setup is not None else {},
                "fit": fit is not None and fit.get("fitToPage") == "1",
                "footer": footer.text if footer is not None else "",
                "header": header.text if header is not None else "",
                "titles": titles.get(i),
            }
    return out


def _assert_printable(path: Path, sheet: str) -> None:
    setup = _print_setup(path)[sheet]
    assert setup["setup"].get("paperSize") == "9", sheet  # A4
    assert setup["setup"].get("orientation") == "landscape", sheet
    assert setup["fit"] and setup["setup"].get("fitToHeight") == "0", sheet  # page width
    assert "&P" in setup["footer"] and "&N" in setup["footer"], sheet
    assert setup["titles"] is not None and setup["titles"].endswith("$1:$1"), sheet


def _heads(reg: SyntheticRegister) -> dict[str, str]:
    heads = (
        reg.individu.filter(pl.col("status_hubungan_keluarga").cast(pl.String) == "1")
        .group_by("nomor_kartu_keluarga")
        .agg(pl.col("nomor_induk_kependudukan").min())
    )
    return {str(k): str(n) for k, n in heads.iter_rows()}


def _short(kabupaten: str) -> str:
    return kabupaten.removeprefix("Kabupaten ").removeprefix("Kota ")


def test_family_list_workbook(
    stores: Stores, snapshot: int, small_register: SyntheticRegister, tmp_path: Path
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    save_workshop(preset_workshop(), cat, actor=ACTOR)
    pkh, version = programme(cat, "PKH")
    out = tmp_path / "pkh.xlsx"
    target = publish_target_list(wh, cat, pkh, version, snapshot, actor=ACTOR, out=out)
    rows = target.rows.to_pylist()
    assert len(rows) > 20
    book = CalamineWorkbook.from_path(str(out))

    # sheets: cover, all rows, then one per kecamatan, by kabupaten then kecamatan
    groups = sorted({(_short(r["kabupaten_kota"]), r["kecamatan"]) for r in rows})
    assert len(groups) > 1
    assert book.sheet_names == ["Sampul", "Semua", *(f"{k} - {c}"[:31] for k, c in groups)]
    assert all(len(name) <= 31 for name in book.sheet_names)
    everything = book.get_sheet_by_name("Semua").to_python()
    header = everything[0]
    assert header[:4] == ["Peringkat", "No. KK", "Nama Kepala Keluarga", "NIK Kepala Keluarga"]
    listed = _data(everything)
    assert [r[0] for r in listed] == list(range(1, len(rows) + 1))
    per_sheet = 0
    for kab, kec in groups:
        name = f"{kab} - {kec}"[:31]
        sheet = book.get_sheet_by_name(name).to_python()
        got = _data(sheet)
        assert "Kecamatan" not in sheet[0]  # the sheet's name and page header say it
        want = [r for r in rows if r["kecamatan"] == kec]
        assert sorted(r[1] for r in got) == sorted(r["nomor_kartu_keluarga"] for r in want)
        desa = [r[sheet[0].index("Desa/Kelurahan")] for r in got]
        assert desa == sorted(desa)  # by desa (then rank) for the village meetings
        per_sheet += len(got)
        _assert_printable(out, name)
        assert f"Kecamatan {kec}" in str(_print_setup(out)[name]["header"])
        after = _after_rows(sheet)
        assert "Mengetahui," in after and any(t.startswith("Kepala Desa/Lurah") for t in after)
        assert any(t.startswith("Pendamping") for t in after)
        assert any("musyawarah desa" in t for t in after)
    assert per_sheet == len(rows)
    _assert_printable(out, "Semua")
    assert "Mengetahui," in _after_rows(everything)

    # the head's name and NIK, as text; KK as text; words, not codes
    heads = _heads(small_register)
    col = header.index
    for r in listed:
        kk = r[col("No. KK")]
        assert isinstance(kk, str) and len(kk) == 16
        assert r[col("NIK Kepala Keluarga")] == heads.get(kk, "")  # blank without a head
        assert re.fullmatch(r"Desil \d+|Belum ditentukan", r[col("Desil Nasional")])
        assert re.fullmatch(r"\d+,\d\d", r[col("Skor Deprivasi (Padu-7)")])
        assert r[col("Alasan Memenuhi Syarat")] and not RULE_SYNTAX.search(
            r[col("Alasan Memenuhi Syarat")]
        )
        assert "_" not in r[col("Deprivasi (Padu-7)")]
    assert any("Ada anggota berumur" in r[col("Alasan Memenuhi Syarat")] for r in listed)
    assert sum(1 for r in listed if r[col("NIK Kepala Keluarga")]) > len(listed) / 2

    # sent back by an agency, the workbook reads as its list: the all-rows sheet, without
    # the cover or the signature block
    back = read_sheet(out)
    assert not back.problems and back.frame is not None
    assert back.headers == header and back.frame.height == len(rows)
    assert back.frame.get_column("No. KK").to_list() == [r[1] for r in listed]

    # the cover: the agency's name, the rule in words, the total cost
    cover = {r[0]: r[1] for r in book.get_sheet_by_name("Sampul").to_python() if r and r[0]}
    kemensos = next(a for a in cat.agencies() if a.code == pkh.agency)
    assert cover["Instansi"] == f"{kemensos.code} - {kemensos.name}"
    assert cover["Syarat"].splitlines()[0].startswith("Desil nasional 1-")
    assert cover["Syarat"].splitlines()[1].startswith("Ada anggota")
    costs = target.rows.column("biaya").to_pylist() if "biaya" in header else None
    assert cover["Total biaya"] == rupiah(sum(costs) if costs else target.cost)
    assert cover["Hash isi (SHA-256)"] == target.hash

    # budget-cycle fields, the long-list mark and per-unit costs when a programme has them
    planned = dataclasses.replace(
        pkh,
        sub_activity_code="1.06.06.2.01",
        sub_activity_name="Penyaluran bantuan sosial",
        output_indicator="Jumlah keluarga penerima",
        output_unit="keluarga",
        output_volume=1200,
        tags=("kemiskinan_ekstrem", "stunting"),
        long_list=True,
        long_list_note="Diverifikasi di lapangan sebelum ditetapkan",
    )
    biaya = [1_000_000 * (1 + i % 3) for i in range(target.selected)]
    costed = target.rows
    for name, values, kind in (
        ("biaya", biaya, pa.int64()),
        ("komponen", ["SD 1" if i % 2 else "Anak usia dini 1" for i in range(target.selected)],
         pa.string()),
    ):  # fmt: skip
        if name in costed.column_names:
            costed = costed.drop_columns([name])
        costed = costed.append_column(name, pa.array(values, kind))
    other = tmp_path / "pkh-rencana.xlsx"
    write_xlsx(
        dataclasses.replace(target, programme=planned, rows=costed),
        other,
        agencies={pkh.agency: "Kementerian Sosial"},
    )
    book = CalamineWorkbook.from_path(str(other))
    cover = {r[0]: r[1] for r in book.get_sheet_by_name("Sampul").to_python() if r and r[0]}
    assert cover["Instansi"] == f"{pkh.agency} - Kementerian Sosial"
    assert cover["Kode sub kegiatan"] == "1.06.06.2.01"
    assert cover["Volume keluaran"] == "1.200"
    assert cover["Tag"] == "kemiskinan_ekstrem, stunting"
    assert (
        cover["Daftar panjang"].startswith("Ya") and "lapangan sebelum" in cover["Daftar panjang"]
    )
    assert cover["Total biaya"] == rupiah(sum(biaya))
    sheet = book.get_sheet_by_name("Semua").to_python()
    got = _data(sheet)
    assert [r[sheet[0].index("Biaya")] for r in got] == biaya
    assert {r[sheet[0].index("Komponen")] for r in got} == {"SD 1", "Anak usia dini 1"}


def test_person_list_workbook_and_csv(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    wh, cat = stores.warehouse, stores.catalog
    save_workshop(preset_workshop(), cat, actor=ACTOR)
    pbi, version = programme(cat, "PBI-JK")
    out = tmp_path / "pbi.xlsx"
    target = publish_target_list(wh, cat, pbi, version, snapshot, actor=ACTOR, out=out)
    book = CalamineWorkbook.from_path(str(out))
    sheet = book.get_sheet_by_name("Semua").to_python()
    header, listed = sheet[0], _data(sheet)
    assert len(listed) == target.selected > 20
    col = header.index
    sexes = {r[col("Jenis Kelamin")] for r in listed} - {""}  # a blank stays blank
    assert sexes == _labels("jenis_kelamin")
    relations = {r[col("Hubungan dengan KK")] for r in listed} - {""}
    assert relations <= _labels("status_hubungan_keluarga") and "Kepala keluarga" in relations
    niks = target.rows.column("nomor_induk_kependudukan").to_pylist()
    assert [r[col("NIK")] for r in listed] == [n or "" for n in niks]  # as text, every digit
    for r in listed:
        born = r[col("Tanggal Lahir")]
        assert born == "" or DATE_WORDS.fullmatch(born), born
        assert re.fullmatch(r"\d+,\d\d", r[col("Skor Deprivasi (Padu-7)")])
        assert re.fullmatch(r"Desil \d+|Belum ditentukan", r[col("Desil Nasional")])
        assert not RULE_SYNTAX.search(r[col("Alasan Memenuhi Syarat")])
    # no column of the sheet holds an unrounded float or a bare code
    for j, name in enumerate(header):
        values = [r[j] for r in listed if r[j] not in ("", None)]
        assert not any(isinstance(v, float) and v != int(v) for v in values), name
    _assert_printable(out, "Semua")

    # the CSV keeps machine-friendly values, with sex and relationship in words
    path = tmp_path / "pbi.csv"
    publish_target_list(wh, cat, pbi, version, snapshot, actor=ACTOR, out=path)
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == target.selected
    assert {r["Jenis Kelamin"] for r in rows} - {""} == _labels("jenis_kelamin")
    assert {r["Hubungan dengan KK"] for r in rows} - {""} <= _labels("status_hubungan_keluarga")
    assert all(re.fullmatch(r"\d+", r["Desil Nasional"]) for r in rows)
    assert all(dt.date.fromisoformat(r["Tanggal Lahir"]) for r in rows if r["Tanggal Lahir"])

    # every list in one workbook: a cover and a printable, signed rows sheet per programme
    both = tmp_path / "semua.xlsx"
    write_workbook([target, _renamed(target, "PBI-2")], both)
    book = CalamineWorkbook.from_path(str(both))
    assert book.sheet_names == ["Sampul PBI-JK", "PBI-JK", "Sampul PBI-2", "PBI-2"]
    for name in ("PBI-JK", "PBI-2"):
        _assert_printable(both, name)
        assert "Mengetahui," in _after_rows(book.get_sheet_by_name(name).to_python())


def test_a_list_longer_than_a_sheet(
    stores: Stores, snapshot: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel holds 1,048,576 rows a sheet: a longer list has no "Semua" sheet (the cover
    says so) and continues on a second sheet in the all-programmes workbook."""
    import padu.programmes.bnba as bnba

    wh, cat = stores.warehouse, stores.catalog
    save_workshop(preset_workshop(), cat, actor=ACTOR)
    rtlh, version = programme(cat, "RTLH")
    target = publish_target_list(wh, cat, rtlh, version, snapshot, actor=ACTOR)
    limit = target.selected - 3
    assert limit > 0
    monkeypatch.setattr(bnba, "MAX_SHEET_ROWS", limit)
    one = tmp_path / "rtlh.xlsx"
    write_xlsx(target, one)
    book = CalamineWorkbook.from_path(str(one))
    assert "Semua" not in book.sheet_names and len(book.sheet_names) > 1
    kecamatan = sum(len(_data(book.get_sheet_by_name(n).to_python())) for n in book.sheet_names[1:])
    assert kecamatan == target.selected
    cover = {r[0]: r[1] for r in book.get_sheet_by_name("Sampul").to_python() if r and r[0]}
    assert "tanpa lembar Semua" in cover["Catatan"]
    both = tmp_path / "semua.xlsx"
    write_workbook([target], both)
    book = CalamineWorkbook.from_path(str(both))
    assert book.sheet_names == ["Sampul RTLH", "RTLH", "RTLH (2)"]
    parts = [_data(book.get_sheet_by_name(n).to_python()) for n in ("RTLH", "RTLH (2)")]
    assert [len(p) for p in parts] == [limit, 3]
    assert [r[0] for p in parts for r in p] == list(range(1, target.selected + 1))


def _renamed(target: TargetList, code: str) -> TargetList:
    return dataclasses.replace(target, programme=dataclasses.replace(target.programme, code=code))


def test_duplicates_file_speaks_indonesian(tmp_path: Path) -> None:
    side = {
        "nik": ["6501011201900001", "6501015507850002"],
        "kk": ["6501010101100001", "6501010101100002"],
        "nama": ["ANI", "SITI"],
        "tanggal_lahir": [dt.date(1990, 1, 12), None],
        "jenis_kelamin": ["2", "2"],
        "desa": ["6501011001", "6501011002"],
        "rt": ["001", None],
    }
    frame = pl.DataFrame(
        {
            "score": [0.98766, 0.91],
            "agree": ["nama,tanggal_lahir,rt", "kk"],
            **{f"{c}_{s}": v for s in ("a", "b") for c, v in side.items()},
            "same_kk": [False, True],
        }
    )
    book_path = tmp_path / "ganda.xlsx"
    write_duplicate_pairs(frame, book_path, xlsx=True)
    rows = CalamineWorkbook.from_path(str(book_path)).get_sheet_by_name("Dugaan Ganda").to_python()
    head = rows[0]
    assert head[:3] == ["Peluang orang yang sama", "Kolom yang cocok", "KK sama"]
    assert "NIK A" in head and "No. KK B" in head and not any("_" in h for h in head)
    first = dict(zip(head, rows[1], strict=True))
    assert first["Peluang orang yang sama"] == "98,8 %"
    assert first["Kolom yang cocok"] == "nama, tanggal lahir, RT"
    assert first["KK sama"] == "Tidak" and dict(zip(head, rows[2], strict=True))["KK sama"] == "Ya"
    assert first["Jenis kelamin A"] == "Perempuan"
    assert first["Tanggal lahir A"] == "12 Januari 1990"
    assert first["NIK A"] == "6501011201900001" and first["RT (KTP) A"] == "001"
    text = tmp_path / "ganda.csv"
    write_duplicate_pairs(frame, text, xlsx=False)
    with text.open(encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert got[0]["Peluang orang yang sama"] == "0.9877"
    assert got[0]["Kolom yang cocok"] == "nama, tanggal lahir, RT"
    assert got[1]["KK sama"] == "Ya" and got[0]["Tanggal lahir A"] == "1990-01-12"


@pytest.mark.parametrize("given", [True, False])
def test_convergence_workbook_names_agencies_next_to_codes(tmp_path: Path, given: bool) -> None:
    names = {"PERKIM": "Dinas Perumahan dan Kawasan Permukiman", "PUPR": "Dinas PUPR"}
    _, book = written(tmp_path, hand_result(), agencies=names if given else None)
    errors = Sheet(book, "Kesalahan Sasaran")
    pairs = Sheet(book, "Antar Instansi")
    if not given:
        assert "Nama Instansi" not in errors.rows[1] and "Nama instansi 1" not in pairs.rows[1]
        return
    at = errors.rows[1].index("Instansi")
    assert errors.rows[1][at + 1] == "Nama Instansi"
    shown = {(r[at], r[at + 1]) for r in errors.rows[2:] if r[at]}
    assert shown == {("PERKIM", names["PERKIM"]), ("PUPR", names["PUPR"])}
    first, second = pairs.rows[1].index("Nama instansi 1"), pairs.rows[1].index("Nama instansi 2")
    named = [r for r in pairs.rows[2:] if r[first]]
    assert named and all((r[first], r[second]) == tuple(names.values()) for r in named)
    cover = [str(c) for r in book.get_sheet_by_name("Sampul").to_python() for c in r]
    assert f"PUPR: {names['PUPR']}" in cover
    coverage = Sheet(book, "Cakupan").rows[0]
    assert any(f"PERKIM: {names['PERKIM']}" in str(c) for c in coverage)
