"""What an officer reads on screen: Indonesian numbers, dates, words and help (issue 12).

One home is built once with ``padu`` commands (import, programmes, a linked PKH list); each
test reads one command's screen output and checks it against the same command's JSON.
"""

from __future__ import annotations

import csv
import io
import json
import re
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from padu.cli import main
from padu.fmt import angka, persen, rupiah
from padu.measure.measures import get_measure
from padu.programmes import preset_workshop
from padu.regions import kaltara
from tests.conftest import table_rows

YEAR = "2026"
# an English key or a Python value leaking into a screen meant for an officer
ENGLISH = re.compile(
    r"\b(eligible|selected|region|cost|unit_cost|fiscal_year|funding|complements|None|True|"
    r"False|UTC)\b"
)


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out.strip().splitlines()[-1])


def padu(home: Path, *args: str) -> Ran:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--home", str(home), *args])
    return Ran(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def home(small_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the small register (dated 23-01-2026, typed as an officer does), the
    preset programmes and a PKH list linked with a wide review band."""
    root = tmp_path_factory.mktemp("petugas")
    home = root / "home"
    files = [str(small_files / "keluarga.parquet"), str(small_files / "individu.parquet")]
    ran = padu(home, "register", "import", *files, "--snapshot-date", "23-01-2026")
    assert ran.code == 0, ran.err
    assert padu(home, "programme", "import", "preset:kaltara-2026").code == 0
    agency_list = root / "daftar-pkh.xlsx"
    ran = padu(home, "synth", "list", "--from", "latest", "--size", "150", "--seed", "11",
               "--programme", "PKH", "--out", str(agency_list))  # fmt: skip
    assert ran.code == 0, ran.err
    ran = padu(home, "link", str(agency_list), "--programme", "PKH", "--year", YEAR,
               "--auto", "0.999999999", "--review", "0.05")  # fmt: skip
    assert ran.code == 0, ran.err
    return home


# -- help and usage ------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["--help"], ["target", "--help"], ["register", "--help"]])
def test_help_speaks_bahasa(args: list[str]) -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(args) == 0
    text = out.getvalue()
    assert "Penggunaan: padu" in text and "[OPSI]" in text
    assert "Opsi" in text and "Tampilkan bantuan ini lalu keluar." in text
    for english in ("Usage:", "Options", "Commands", "Arguments", "Show this message",
                    "[required]", "[OPTIONS]"):  # fmt: skip
        assert english not in text, english
    if args == ["--help"] or args == ["register", "--help"]:
        assert "Perintah" in text and "PERINTAH [ARGUMEN]..." in text
    if args == ["target", "--help"]:
        assert "Argumen" in text and "[wajib]" in text
        assert "padu target [OPSI] {KODE}" in text  # the argument named in Indonesian


def test_usage_errors_name_the_option_in_bahasa(tmp_path: Path) -> None:
    missing = padu(tmp_path / "h", "target", "PKH")
    assert missing.code == 2
    assert missing.err == "galat: '--snapshot' wajib diisi (lihat: padu target --help)\n"
    no_code = padu(tmp_path / "h", "programme", "show")
    assert no_code.err == "galat: 'KODE' wajib diisi (lihat: padu programme show --help)\n"
    unknown = padu(tmp_path / "h", "target", "PKH", "--snapshot", "latest", "--tidak-ada")
    assert unknown.code == 2 and unknown.err.startswith("galat: opsi tidak dikenal: --tidak-ada")


# -- dates -----------------------------------------------------------------------------------
def test_a_snapshot_dated_as_an_officer_writes_it(home: Path) -> None:
    listing = padu(home, "--json", "register", "list").json()["snapshots"]
    assert listing[0]["snapshot_date"] == "2026-01-23"  # JSON stays ISO
    text = padu(home, "register", "list").out
    row = table_rows(text)["1"]
    assert row[2] == "23 Januari 2026"
    assert row[3] == angka(listing[0]["families"]) and row[4] == angka(listing[0]["individuals"])
    assert "." in row[4], "the small register has thousands of people"
    assert row[6].endswith(" WITA") and not ENGLISH.search(text)


@pytest.mark.parametrize(
    ("typed", "iso"), [("23/01/2026", "2026-01-23"), ("2026-02-01", "2026-02-01"),
                       ("01-02-2026", "2026-02-01")],
)  # fmt: skip
def test_each_date_form_imports_with_its_date(
    typed: str, iso: str, small_files: Path, tmp_path: Path
) -> None:
    files = [str(small_files / "keluarga.csv"), str(small_files / "individu.csv")]
    ran = padu(tmp_path / "h", "--json", "register", "import", *files, "--snapshot-date", typed)
    assert ran.code == 0, ran.out
    assert ran.json()["snapshot_date"] == iso


@pytest.mark.parametrize("typed", ["2026-13-45", "23.01.2026", "kemarin", "31-02-2026"])
def test_a_date_that_is_none_of_the_forms_is_named(typed: str, small_files: Path,
                                                   tmp_path: Path) -> None:  # fmt: skip
    files = [str(small_files / "keluarga.csv"), str(small_files / "individu.csv")]
    ran = padu(tmp_path / "h", "register", "import", *files, "--snapshot-date", typed)
    assert ran.code == 2
    assert ran.err.startswith(f"galat: --snapshot-date: bukan tanggal: {typed!r}")
    assert "23-01-2026" in ran.err  # the form to use
    assert not (tmp_path / "h").exists() or not list((tmp_path / "h").rglob("*.parquet"))


# -- programmes and target lists ---------------------------------------------------------------
def test_programme_show_in_words(home: Path) -> None:
    data = padu(home, "--json", "programme", "show", "RTLH").json()
    text = padu(home, "programme", "show", "RTLH").out
    rows = table_rows(text)
    assert rows["instansi"][1] == data["agency"]
    assert rows["biaya per unit"][1] == rupiah(data["unit_cost"])
    assert rows["pagu anggaran"][1] == rupiah(data["budget"]) and "Rp" in rows["pagu anggaran"][1]
    assert rows["tahun anggaran"][1] == str(data["fiscal_year"])
    assert rows["dimensi"][1] == ", ".join(data["dimensions"])
    if "regions" not in data:
        assert rows["wilayah"][1] == "seluruh provinsi"
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert "[" not in rows["dimensi"][1]  # a list in words, not Python's repr


def test_target_summary_in_words_with_dots(home: Path) -> None:
    data = padu(home, "--json", "target", "PBI-JK", "--snapshot", "latest").json()
    assert data["selected"] >= 1000, "the check below needs a number with thousands"
    text = padu(home, "target", "PBI-JK", "--snapshot", "latest").out
    rows = table_rows(text)
    assert rows["memenuhi syarat"][1] == angka(data["eligible"])
    assert rows["terpilih"][1] == angka(data["selected"]) and "." in rows["terpilih"][1]
    assert rows["biaya"][1] == rupiah(data["cost"])
    assert rows["wilayah"][1] == "seluruh cakupan program"
    assert str(data["selected"]) not in text
    assert not ENGLISH.search(text), ENGLISH.search(text)
    # one kabupaten: its code and its name
    kab = padu(home, "target", "PBI-JK", "--snapshot", "latest", "--region", "65.04").out
    assert table_rows(kab)["wilayah"][1] == f"65.04 {kaltara().get('65.04').nama}"


def test_target_all_in_words(home: Path) -> None:
    data = padu(home, "--json", "target", "semua", "--snapshot", "latest").json()
    rows = table_rows(padu(home, "target", "semua", "--snapshot", "latest").out)
    for sm in data["lists"]:
        cells = rows[sm["programme"]]
        assert cells[2:5] == [angka(sm["eligible"]), angka(sm["selected"]), rupiah(sm["cost"])]


# -- review --------------------------------------------------------------------------------
def test_review_words_of_the_report(home: Path) -> None:
    queue = padu(home, "--json", "review", "list", "--programme", "PKH", "--year", YEAR).json()
    rows = sorted({p["row"] for p in queue["pairs"]})
    assert len(rows) >= 2, "the wide review band leaves several rows to review"
    base = ["review", "decide", "--programme", "PKH", "--year", YEAR, "--by", "petugas"]
    said = padu(home, *base, "--row", str(rows[0]), "--candidate", "1", "sama")
    assert said.code == 0, said.err
    assert said.out.startswith(f"1 keputusan SAMA untuk baris {rows[0]}, calon 1 dicatat pada")
    assert said.out.rstrip().endswith("WITA)")
    said = padu(home, *base, "--row", str(rows[1]), "berbeda")
    assert said.code == 0 and said.out.startswith(f"1 keputusan BEDA untuk baris {rows[1]} ")
    again = padu(home, *base, "--row", str(rows[1]), "different")  # the old word still works
    assert again.code == 0 and again.out.startswith(f"1 keputusan BEDA untuk baris {rows[1]} ")
    wrong = padu(home, *base, "--row", str(rows[1]), "mungkin")
    assert wrong.code == 2
    assert wrong.err == "galat: keputusan harus 'sama' atau 'beda', bukan 'mungkin'\n"


def test_review_list_shows_dates_and_fields_in_words(home: Path) -> None:
    args = ["review", "list", "--programme", "PKH", "--year", YEAR]
    pairs = padu(home, "--json", *args).json()["pairs"]
    text = padu(home, *args).out
    assert "_" not in "".join(line for line in text.splitlines() if line.startswith("│"))
    born = [p["tanggal_lahir"] for p in pairs if p["tanggal_lahir"]]
    assert born
    months = "|".join(["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli",
                       "Agustus", "September", "Oktober", "November", "Desember"])  # fmt: skip
    assert re.search(rf"\b\d{{1,2}} ({months}) \d{{4}}\b", text)
    assert "WITA" in text and "UTC" not in text


# -- MPI -----------------------------------------------------------------------------------
def test_mpi_table_shows_the_families_left_out(home: Path) -> None:
    data = padu(home, "--json", "mpi", "--snapshot", "latest").json()
    text = padu(home, "mpi", "--snapshot", "latest").out
    rows = table_rows(text)
    overall = data["overall"]
    assert overall["missing_data_units"] > 0, "the small register has missing data"
    cells = rows["keseluruhan"]
    assert cells[2:5] == [angka(overall["n"]), angka(overall["q"]),
                          angka(overall["missing_data_units"])]  # fmt: skip
    assert cells[5] == persen(overall["H"] * 100, 1)
    for code, g in data["groups"].items():
        assert rows[code][4] == angka(g["missing_data_units"])
    note = " ".join(text.split())
    assert (
        f"Data hilang: {angka(overall['missing_data_units'])} keluarga dengan indikator kosong "
        "tidak dihitung dalam n" in note
    )
    kept = " ".join(padu(home, "mpi", "--snapshot", "latest", "--missing", "deprived").out.split())
    assert "tetap dihitung; indikator yang kosong dianggap terdeprivasi" in kept


def test_mpi_files_have_headers_in_words(home: Path, tmp_path: Path) -> None:
    data = padu(home, "--json", "mpi", "--snapshot", "latest").json()
    measure = get_measure("padu-7")
    ran = padu(home, "mpi", "--snapshot", "latest", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(ran.out)))
    header = list(rows[0])
    assert header[:8] == ["Kelompok", "Nama", "Keluarga", "Miskin multidimensi", "Data hilang",
                          "H (%)", "A (%)", "M0"]  # fmt: skip
    assert not any(h == "q" or h.startswith("ch_") for h in header)
    for ind in measure.indicators:
        column = f"Miskin dan terdeprivasi (%): {ind.label_id}"
        assert float(rows[0][column]) == pytest.approx(
            data["overall"]["censored"][ind.id] * 100,
            abs=5e-5,  # four decimals in the file
        )
    for dim in measure.dimensions:
        share = float(rows[0][f"Kontribusi (%): {dim.label_id}"])
        assert share == pytest.approx(
            data["dimension_contribution"]["overall"][dim.id] * 100, abs=5e-5
        )
    assert int(rows[0]["Data hilang"]) == data["overall"]["missing_data_units"]
    assert rows[0]["Nama"] == "Seluruh provinsi"
    out = tmp_path / "mpi.xlsx"
    assert (
        padu(home, "mpi", "--snapshot", "latest", "--format", "xlsx", "--out", str(out)).code == 0
    )
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert sheet[2] == header
    assert sheet[1][0].startswith("Data hilang: ")
    assert sheet[3][2] == data["overall"]["n"]


def test_mpi_by_desil_names_and_orders_the_deciles(home: Path) -> None:
    text = padu(home, "mpi", "--snapshot", "latest", "--by", "desil_nasional").out
    rows = table_rows(text)
    named = [k for k in rows if k.isdigit()]
    assert named == sorted(named, key=int)
    assert all(rows[k][1] == f"Desil {k}" for k in named)


# -- convergence ---------------------------------------------------------------------------
def test_convergence_names_the_agencies(home: Path) -> None:
    names = {a.code: a.name for a in preset_workshop("kaltara-2026").agencies}
    padu(home, "target", "semua", "--snapshot", "latest", "--adopt", "--by", "petugas")
    text = padu(home, "convergence", "--snapshot", "latest", "--year", YEAR).out
    legend = next(line for line in text.splitlines() if line.startswith("Instansi: "))
    assert f"KEMENSOS = {names['KEMENSOS']}" in legend
    data = padu(home, "--json", "convergence", "--snapshot", "latest", "--year", YEAR).json()
    for pair in data["overlap"]["by_agency_pair"][:15]:
        first = pair["agencies"][0]
        assert f"{first}: {names[first]}" in text


# -- rules in words --------------------------------------------------------------------------
def test_rule_explain_lists_each_condition_as_a_sentence(home: Path) -> None:
    rule = "desil_nasional <= 4 dan jenis_atap_terluas dalam [5, 7, 8]"
    data = padu(home, "--json", "rule", "explain", rule, "--snapshot", "latest").json()
    text = padu(home, "rule", "explain", rule, "--snapshot", "latest").out
    rows = table_rows(text)
    assert len(data["clauses"]) == 2
    for c in data["clauses"]:
        assert c["sentence"] and rows[c["sentence"]][1] == angka(c["families"])
    assert f"Aturan: {rule}" in text
    assert " and " not in text and " in [" not in text  # the parser's English form is not shown
    assert "Dalam kata: " in " ".join(text.split())


def test_programme_show_says_the_rule_in_words(home: Path) -> None:
    rule = padu(home, "--json", "programme", "show", "RTLH").json()["rule"]
    sentence = padu(home, "--json", "rule", "explain", rule).json()["sentence"]
    text = padu(home, "programme", "show", "RTLH").out
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("│ aturan "))
    said = next(line for line in lines[at:] if line.startswith("│   dalam kata"))
    words = said.split("│")[2].strip()  # the sentence's first line in the cell
    assert len(words) > 20 and sentence.startswith(words)
    assert "desil_nasional" not in words and "_" not in words
