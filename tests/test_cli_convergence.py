"""``padu convergence`` and ``padu family`` as an analyst and an officer use them (issue 11).

One home is built the way a workshop builds it, through the command line: the small
synthetic register imported, preset:kaltara-2026, every list adopted (``padu target semua
--adopt``), and one noisy PKH list from ``padu synth list`` linked for 2026. The commands
are then run on it as a person would: the summary in Bahasa with Indonesian numbers, the
bases and breakdowns, the JSON and its files, the workbook, the refusals, two readers on
one DuckDB home, and the family card with its audit trail; on PostgreSQL too.

The figures themselves are checked against a plain-Python recomputation in
tests/test_convergence*.py. Here the anchors are what the officer knows without Padu's
convergence code: the register files, what ``padu target --adopt`` and ``padu link`` said
they did, and the rows those commands stored.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from padu.cli import main
from padu.fmt import angka, persen
from padu.programmes import preset_workshop
from padu.regions import kaltara
from padu.settings import Settings
from padu.stores import Catalog, open_stores
from tests.conftest import Stores, table_rows

ACTOR = "analis-bappeda"
YEAR = 2026
PADU = Path(sys.executable).with_name("padu")  # the installed entry point
KK, NIK = "nomor_kartu_keluarga", "nomor_induk_kependudukan"

# the contract's JSON (SPEC of issue 11): every key, at every level
TOP_KEYS = {
    "year", "basis", "measure", "dimension_labels", "by", "snapshot", "families", "sources",
    "warnings", "overlap", "gaps", "poor", "dimension_agency", "programmes",
    "programmes_without_list",
}  # fmt: skip
SNAPSHOT_KEYS = {"id", "label", "tanggal", "reference"}
SOURCE_KEYS = {"basis", "kind", "id", "programme", "snapshot", "rows", "off_reference", "dibuat",
               "pelaku", "counted"}  # fmt: skip
OVERLAP_KEYS = {"same_dimension_families", "same_programme_families", "complementary_families",
                "by_dimension", "concentration", "by_agency_pair"}  # fmt: skip
PROGRAMME_KEYS = {
    "agency", "unit", "dimensions", "recipients", "inclusion", "inclusion_error", "eligible",
    "eligible_reached", "exclusion_error", "priority_skipped", "coverage", "deprived",
    "deprived_reached", "deprived_coverage", "pending_review",
}  # fmt: skip
INCLUSION_KEYS = {"not_found", "left_register", "desil_6_10", "outside_scope"}
RATES = ("inclusion_error", "exclusion_error", "coverage", "deprived_coverage")
REGION_KEYS = {"level", "kode", "nama", "families", "overlap", "gaps", "poor", "dimension_agency",
               "programmes"}  # fmt: skip
PADU7_DIMENSIONS = {"pendapatan", "pendidikan", "kesehatan", "perumahan", "air", "sanitasi",
                    "pekerjaan"}  # fmt: skip
CARD_KEYS = {"year", "found_by", "snapshot", "family", "members", "measure", "deprivations",
             "programmes", "eligible_not_received", "received_not_eligible"}  # fmt: skip
ENGLISH = re.compile(r"\b(overlap|families|recipients|coverage|None|null|True|False|nan)\b")


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        lines = [line for line in self.out.splitlines() if line.strip()]
        assert len(lines) == 1, self.out[-2000:]
        return json.loads(lines[0])


def padu(home: Path | None, *args: str) -> Ran:
    """``padu [--home HOME] ARGS`` in this process, its exit code and what it printed."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([*(["--home", str(home)] if home else []), *args])
    return Ran(code, out.getvalue(), err.getvalue())


@dataclass(frozen=True)
class Workshop:
    """A home as the workshop leaves it, and what the commands said while building it."""

    home: Path
    files: Path  # the register files imported
    agency_list: Path  # the PKH list linked
    truth: list[dict[str, Any]]  # synth list's answer key: row -> register person
    adopted: dict[str, dict[str, Any]]  # programme -> `target semua --adopt` summary
    link: dict[str, Any]  # `padu link --json`


def _build(home: Path | None, files: Path, agency_list: Path, *, write_list: bool) -> Workshop:
    """Import, adopt every list and link the PKH list with ``padu`` commands."""
    ran = padu(home, "--json", "register", "import", str(files / "keluarga.parquet"),
               str(files / "individu.parquet"), "--snapshot-date", "2026-01-23")  # fmt: skip
    assert ran.code == 0, ran.out
    assert padu(home, "--json", "programme", "import", "preset:kaltara-2026").code == 0
    ran = padu(home, "--json", "--by", ACTOR, "target", "semua", "--snapshot", "latest", "--adopt")
    assert ran.code == 0, ran.out
    adopted = {sm["programme"]: sm for sm in ran.json()["lists"]}
    if write_list:
        ran = padu(home, "--json", "synth", "list", "--from", "latest", "--size", "150",
                   "--seed", "11", "--out", str(agency_list))  # fmt: skip
        assert ran.code == 0, ran.out
    link = padu(home, "--json", "--by", ACTOR, "link", str(agency_list), "--programme", "PKH",
                "--year", str(YEAR))  # fmt: skip
    assert link.code == 0, link.out
    truth = json.loads(agency_list.with_suffix(".truth.json").read_text(encoding="utf-8"))["rows"]
    return Workshop(home or Path(), files, agency_list, truth, adopted, link.json())


@pytest.fixture(scope="module")
def workshop(small_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Workshop:
    root = tmp_path_factory.mktemp("konvergensi")
    return _build(root / "home", small_files, root / "daftar-pkh.xlsx", write_list=True)


@pytest.fixture(scope="module")
def ask(workshop: Workshop) -> Callable[..., dict[str, Any]]:
    """``padu --json convergence --snapshot latest --year 2026 ARGS`` (each asked once)."""
    seen: dict[tuple[str, ...], dict[str, Any]] = {}

    def run(*args: str) -> dict[str, Any]:
        if args not in seen:
            ran = padu(workshop.home, "--json", "convergence", "--snapshot", "latest",
                       "--year", str(YEAR), *args)  # fmt: skip
            assert ran.code == 0, ran.out + ran.err
            seen[args] = ran.json()
        return json.loads(json.dumps(seen[args]))  # a copy the caller may change

    return run


@pytest.fixture
def copy_home(workshop: Workshop, tmp_path: Path) -> Path:
    """A copy of the workshop home, for a test that changes it."""
    home = tmp_path / "home"
    shutil.copytree(workshop.home, home)
    return home


def _register(files: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    return (
        pl.read_parquet(files / "keluarga.parquet"),
        pl.read_parquet(files / "individu.parquet"),
    )


def _a_family(workshop: Workshop) -> str:
    """The KK of the register's first family."""
    kel, _ = _register(workshop.files)
    return str(kel[KK][0])


def _events(home: Path, kind: str) -> list[Any]:
    cat = Catalog.connect(Settings(home=home).resolved_catalog_url())
    try:
        return cat.events(kind)
    finally:
        cat.close()


def _one_error(home: Path, *args: str) -> tuple[int, dict[str, Any], str]:
    """Run a failing command with and without --json: one JSON object, one ``galat:`` line,
    no traceback; the exit code, the JSON error and the line."""
    plain = padu(home, *args)
    assert plain.out == "" and "Traceback" not in plain.err
    assert plain.err.count("\n") == 1 and plain.err.startswith("galat: "), plain.err
    as_json = padu(home, "--json", *args)
    assert "Traceback" not in as_json.err + as_json.out
    data = as_json.json()
    assert set(data) == {"error", "message"} and as_json.code == plain.code
    assert plain.err.strip() == f"galat: {data['message']}"
    return plain.code, data, plain.err


# -- the summary on screen -----------------------------------------------------------------
def test_summary_speaks_bahasa_with_indonesian_numbers(
    workshop: Workshop, ask: Callable[..., dict[str, Any]]
) -> None:
    kel, _ = _register(workshop.files)
    ran = padu(workshop.home, "convergence", "--snapshot", "latest", "--year", str(YEAR))
    assert ran.code == 0 and ran.err == ""
    text = ran.out
    assert text.startswith(
        f"Konvergensi tahun {YEAR}: snapshot 1 (DTSEN per 2026-01-23, bukan acuan), dasar "
        f"rencana dan realisasi, ukuran padu-7, {angka(kel.height)} keluarga"
    )
    for title in ("Tumpang tindih", "Keluarga yang dijangkau dua instansi", "Kesenjangan:",
                  "Kesalahan sasaran dan cakupan per program"):  # fmt: skip
        assert title in text
    assert "Perhatian: Tahun 2026 belum punya snapshot acuan" in text
    assert not ENGLISH.search(text), ENGLISH.search(text)
    assert "Per " not in text  # no breakdown asked
    rows, data = table_rows(text), ask()
    # every programme adopted is a row; PBI-JK's thousand-odd people carry a dot
    pbi = workshop.adopted["PBI-JK"]["selected"]
    assert pbi >= 1000, "the check below needs a number with thousands"
    assert rows["PBI-JK"][1] == "KEMENSOS"
    names = {a.code: a.name for a in preset_workshop("kaltara-2026").agencies}
    legend = next(line for line in text.splitlines() if line.startswith("Instansi: "))
    assert f"KEMENSOS = {names['KEMENSOS']}" in legend  # the codes of the table, named
    assert rows["PBI-JK"][2] == angka(pbi) and "." in rows["PBI-JK"][2]
    assert str(pbi) not in text
    for code, p in data["programmes"].items():
        cells = rows[code]
        assert cells[1] == p["agency"] and cells[2] == angka(p["recipients"])
        wrong = sum(p["inclusion"].values())
        assert cells[3] == persen(100 * wrong / p["recipients"], 1)
        for cell in (cells[3], cells[5], cells[6], cells[8]):
            assert re.fullmatch(r"\d{1,3},\d %|-", cell), cell
    # the linked list's rows not found in the register make PKH's inclusion error
    assert rows["PKH"][3] != "0,0 %" and rows["PKH"][9] == angka(workshop.link["matched"]["review"])
    # the gap rows: one per dimension of the measure, in its words, percentages with a comma
    for dim, label in data["dimension_labels"].items():
        g = data["gaps"][dim]
        cells = rows[label]
        assert cells[1:4] == [angka(g["deprived"]), angka(g["reached"]), angka(g["unreached"])]
        share = persen(100 * g["unreached"] / g["deprived"], 1) if g["deprived"] else "-"
        assert cells[4] == share


def test_the_reference_warning_goes_once_the_year_has_its_reference(
    copy_home: Path, workshop: Workshop, ask: Callable[..., dict[str, Any]]
) -> None:
    # the linked list alone keeps this quick: the reference concerns every source alike
    args = ("convergence", "--year", str(YEAR), "--basis", "realised")
    before = ask("--basis", "realised")  # the copy is the workshop home as it was
    assert len(before["warnings"]) == 1 and "belum punya snapshot acuan" in before["warnings"][0]
    assert before["snapshot"]["reference"] is False
    assert before["sources"] and all(s["off_reference"] for s in before["sources"])
    ran = padu(copy_home, "--by", ACTOR, "register", "reference", "1", "--year", str(YEAR),
               "--why", "Berita acara 1/2026")  # fmt: skip
    assert ran.code == 0, ran.err
    after = padu(copy_home, "--json", *args, "--snapshot", "acuan:2026").json()
    assert after["snapshot"]["id"] == 1 and after["snapshot"]["reference"] is True
    assert after["warnings"] == [] and not any(s["off_reference"] for s in after["sources"])
    table = padu(copy_home, *args, "--snapshot", "latest").out
    assert table.startswith("Konvergensi tahun 2026: snapshot 1 (DTSEN per 2026-01-23, acuan), "
                            "dasar realisasi, ")  # fmt: skip
    assert "Perhatian" not in table
    # a newer snapshot is not the reference, and the views say so
    files = [str(workshop.files / f"{t}.parquet") for t in ("keluarga", "individu")]
    ran = padu(copy_home, "register", "import", *files, "--snapshot-date", "2026-03-01")
    assert ran.code == 0, ran.err
    table = padu(copy_home, *args, "--snapshot", "latest").out
    assert "snapshot 2 (DTSEN per 2026-03-01, bukan acuan)" in table
    assert "Perhatian: Snapshot 2 bukan acuan tahun 2026 (acuan: snapshot 1)." in table
    # the family card takes the year's reference unless told otherwise
    kk = _a_family(workshop)
    card = padu(copy_home, "--json", "family", kk, "--year", str(YEAR)).json()
    assert card["snapshot"] == {**card["snapshot"], "id": 1, "reference": True}
    shown = padu(copy_home, "family", kk, "--year", str(YEAR), "--snapshot", "latest").out
    assert "(DTSEN per 2026-03-01, bukan acuan)." in " ".join(shown.split())


# -- bases and breakdowns -------------------------------------------------------------------
def test_each_basis_counts_its_own_sources(
    workshop: Workshop, ask: Callable[..., dict[str, Any]]
) -> None:
    planned, realised, both = ask("--basis", "planned"), ask("--basis", "realised"), ask()
    adopted = workshop.adopted
    assert both["basis"] == "both" and planned["basis"] == "planned"
    assert {(s["kind"], s["programme"]) for s in planned["sources"]} == {
        ("adoption", c) for c in adopted
    }
    ledgers = realised["sources"]
    assert [(s["kind"], s["id"], s["programme"], s["file"], s["rows"]) for s in ledgers] == [
        ("ledger", workshop.link["ledger"], "PKH", workshop.agency_list.name, len(workshop.truth))
    ]
    assert sorted(both["sources"], key=lambda s: (s["kind"], s["id"])) == sorted(
        planned["sources"] + realised["sources"], key=lambda s: (s["kind"], s["id"])
    )
    # planned: every adopted list, its selected units are its recipients, all in the register
    assert set(planned["programmes"]) == set(adopted)
    for code, p in planned["programmes"].items():
        assert p["recipients"] == adopted[code]["selected"], code
        assert p["inclusion"]["not_found"] == 0 and p["pending_review"] == 0
    # realised: only PKH, with the link's rows not found and rows waiting for a reviewer
    assert set(realised["programmes"]) == {"PKH"}
    pkh = realised["programmes"]["PKH"]
    assert pkh["inclusion"]["not_found"] == workshop.link["unmatched"] > 0
    assert pkh["pending_review"] == workshop.link["matched"]["review"]
    year_codes = {p.code for p in preset_workshop().programmes if p.fiscal_year == YEAR}
    assert realised["programmes_without_list"] == sorted(year_codes - {"PKH"})
    assert (
        planned["programmes_without_list"]
        == both["programmes_without_list"]
        == sorted(year_codes - set(adopted))
    )
    # both: PKH's units are the union of the two lists' units
    units = [b["programmes"]["PKH"]["recipients"] for b in (planned, realised, both)]
    assert max(units[:2]) <= units[2] <= units[0] + units[1]
    assert both["programmes"]["PKH"]["pending_review"] == pkh["pending_review"]


def _dotted(code: str) -> str:
    """A Kemendagri code as the register files hold it (6501092017) in dotted form."""
    parts = [code[:2], code[2:4], code[4:6], code[6:]]
    return ".".join(p for p in parts if p)


@pytest.mark.parametrize(
    ("by", "column"),
    [("kabupaten", "kode_kabupaten_kota"), ("kecamatan", "kode_kecamatan"),
     ("desa", "kode_kelurahan_desa")],
)  # fmt: skip
def test_by_region_every_family_in_its_region(
    workshop: Workshop, ask: Callable[..., dict[str, Any]], by: str, column: str
) -> None:
    kel, _ = _register(workshop.files)
    expected = Counter(_dotted(str(c)) for c in kel[column].to_list())
    data, province = ask("--by", by), ask()
    assert data["by"] == by
    assert {r["kode"]: r["families"] for r in data["regions"]} == dict(expected)
    assert [r["kode"] for r in data["regions"]] == sorted(expected)
    regions = kaltara()
    for r in data["regions"]:
        assert set(r) == REGION_KEYS and r["level"] == by
        found = regions.find(r["kode"])
        assert found is not None and r["nama"] == found.nama
        assert set(r["programmes"]) <= set(province["programmes"])
    # family counts are attributed to each family's region: they add up to the province's
    assert data["families"] == province["families"] == kel.height
    for dim in PADU7_DIMENSIONS:
        for k in ("deprived", "reached", "unreached"):
            assert sum(r["gaps"][dim][k] for r in data["regions"]) == province["gaps"][dim][k]
    for k in ("poor", "reached", "unreached"):
        assert sum(r["poor"][k] for r in data["regions"]) == province["poor"][k]
    for k in ("same_dimension_families", "same_programme_families", "complementary_families"):
        assert sum(r["overlap"][k] for r in data["regions"]) == province["overlap"][k]
    # the province figures with --by are those without it
    assert {k: v for k, v in data.items() if k not in ("by", "regions")} == {
        k: v for k, v in province.items() if k != "by"
    }
    if by == "kabupaten":
        ran = padu(workshop.home, "convergence", "--snapshot", "latest", "--year", str(YEAR),
                   "--by", by)  # fmt: skip
        assert ran.code == 0 and "Per kabupaten" in ran.out
        rows = table_rows(ran.out)
        for r in data["regions"]:
            assert rows[f"{r['kode']} {r['nama']}"][1] == angka(r["families"])


# -- the JSON and its file ------------------------------------------------------------------
def _check_programme(p: dict[str, Any]) -> None:
    assert set(p) == PROGRAMME_KEYS and set(p["inclusion"]) == INCLUSION_KEYS
    assert p["unit"] in ("keluarga", "individu")
    for k in RATES:
        rate = p[k]
        assert rate is None or (
            isinstance(rate, float) and 0 <= rate <= 1 and round(rate, 6) == rate
        )
    assert p["inclusion_error"] == (
        round(sum(p["inclusion"].values()) / p["recipients"], 6) if p["recipients"] else None
    )


def test_json_has_every_key_of_the_contract(ask: Callable[..., dict[str, Any]]) -> None:
    plain, data = ask(), ask("--by", "kabupaten")
    assert set(plain) == TOP_KEYS and plain["by"] is None
    assert set(data) == TOP_KEYS | {"regions"}
    assert data["year"] == YEAR and data["measure"] == "padu-7"
    assert set(data["dimension_labels"]) == PADU7_DIMENSIONS
    assert list(data["gaps"]) == list(data["dimension_labels"])  # the measure's order
    assert set(data["snapshot"]) == SNAPSHOT_KEYS
    for s in data["sources"]:
        optional = {"file"} if s["kind"] == "ledger" else set()
        assert set(s) - {"replaced_by"} == SOURCE_KEYS | optional
        assert s["counted"] == ("replaced_by" not in s)
        assert s["pelaku"] == ACTOR
        assert s["basis"] == ("planned" if s["kind"] == "adoption" else "realised")
    assert all(isinstance(w, str) and w for w in data["warnings"])
    for view in (data, *data["regions"]):
        ov = view["overlap"]
        assert set(ov) == OVERLAP_KEYS
        assert set(ov["by_dimension"]) <= PADU7_DIMENSIONS
        conc = ov["concentration"]
        assert set(conc) == {"threshold", "families", "distribution"} and conc["threshold"] == 4
        assert list(conc["distribution"]) == ["1", "2", "3", "4+"]
        assert conc["families"] == conc["distribution"]["4+"]
        for pair in ov["by_agency_pair"]:
            assert set(pair) == {"agencies", "families"} and pair["families"] > 0
            assert pair["agencies"][0] < pair["agencies"][1]
        order = [(-p["families"], p["agencies"]) for p in ov["by_agency_pair"]]
        assert order == sorted(order)
        assert set(view["gaps"]) == PADU7_DIMENSIONS
        for g in view["gaps"].values():
            assert set(g) == {"deprived", "reached", "unreached"}
            assert g["reached"] + g["unreached"] == g["deprived"]
        assert set(view["poor"]) == {"poor", "reached", "unreached"}
        for cell in view["dimension_agency"]:
            assert set(cell) == {"dimension", "agency", "families"} and cell["families"] > 0
        for p in view["programmes"].values():
            _check_programme(p)
    three = ask("--basis", "realised", "--concentration", "3")["overlap"]["concentration"]
    assert three["threshold"] == 3 and three["distribution"].keys() == {
        "1", "2", "3+"
    }  # fmt: skip


def test_format_json_out_writes_the_same_json_whole(
    workshop: Workshop, ask: Callable[..., dict[str, Any]], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from padu.services import convergence as cli_convergence

    target = tmp_path / "konvergensi.json"
    args = ("convergence", "--snapshot", "latest", "--year", str(YEAR), "--format", "json")
    ran = padu(workshop.home, *args, "--by", "kabupaten", "--out", str(target))
    assert ran.code == 0 and ran.out.strip() == f"-> {target}"
    assert json.loads(target.read_text(encoding="utf-8")) == ask("--by", "kabupaten")
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    # --format json without --out is the JSON on stdout
    assert padu(workshop.home, *args, "--basis", "realised").json() == ask("--basis", "realised")
    # a failure while writing leaves the earlier file as it was, and no temporary file

    class Broken:
        @staticmethod
        def dumps(*_: object, **__: object) -> str:
            raise OSError("disk penuh")

    before = target.read_bytes()
    monkeypatch.setattr(cli_convergence, "json", Broken)
    ran = padu(workshop.home, *args, "--basis", "realised", "--out", str(target))
    monkeypatch.undo()
    assert ran.code == 1 and "disk penuh" in ran.err and "Traceback" not in ran.err
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    # overwriting it is allowed, and gives the new result
    ran = padu(workshop.home, *args, "--basis", "realised", "--out", str(target))
    assert ran.code == 0
    assert json.loads(target.read_text(encoding="utf-8")) == ask("--basis", "realised")


@pytest.mark.parametrize(
    ("fmt", "name", "word"),
    [
        ("json", "hasil.xlsx", ".json"),  # wrong suffix
        ("xlsx", "hasil.json", ".xlsx"),
        ("json", "hasil", ".json"),
        ("json", "folder.json/", "folder"),  # an existing folder
        ("xlsx", "tidak-ada/hasil.xlsx", "tidak ada"),  # a missing folder
    ],
)
def test_a_bad_out_path_is_refused_before_any_work(
    workshop: Workshop, tmp_path: Path, fmt: str, name: str, word: str
) -> None:
    (tmp_path / "folder.json").mkdir()
    before = sorted(p.name for p in tmp_path.rglob("*"))
    args = ["--year", str(YEAR), "--format", fmt, "--out", str(tmp_path / name)]
    code, data, _ = _one_error(workshop.home, "convergence", "--snapshot", "latest", *args)
    # output paths are bad input, as for every other command (docs/reliability.md)
    assert (code, data["error"]) == (1, "InputError") and word in data["message"]
    assert sorted(p.name for p in tmp_path.rglob("*")) == before


def test_format_xlsx_writes_a_sheet_per_view(workshop: Workshop, tmp_path: Path) -> None:
    book = tmp_path / "konvergensi.xlsx"
    args = ("convergence", "--snapshot", "latest", "--year", str(YEAR), "--format", "xlsx")
    ran = padu(workshop.home, *args, "--out", str(book))
    assert ran.code == 0 and ran.out.rstrip().endswith(f"-> {book}")
    assert "Kesalahan sasaran dan cakupan per program" in ran.out
    assert "Per desa" not in ran.out  # the desa rows are in the workbook, not on screen
    assert [p.name for p in tmp_path.iterdir()] == [book.name]
    wb = CalamineWorkbook.from_path(str(book))
    assert wb.sheet_names == ["Sampul", "Tumpang Tindih", "Antar Instansi", "Kesenjangan",
                              "Dimensi x Instansi", "Kesalahan Sasaran", "Cakupan"]  # fmt: skip
    cover = " ".join(str(c) for row in wb.get_sheet_by_name("Sampul").to_python() for c in row)
    assert "2026" in cover and "acuan" in cover
    kel, _ = _register(workshop.files)
    desa = {str(c) for c in kel["kode_kelurahan_desa"].to_list()}
    for name in wb.sheet_names[1:]:
        cells = [str(c) for row in wb.get_sheet_by_name(name).to_python() for c in row]
        assert any(c.startswith("Provinsi") for c in cells), name
    gaps = " ".join(str(c) for r in wb.get_sheet_by_name("Kesenjangan").to_python() for c in r)
    assert all(_dotted(d) in gaps or d in gaps for d in desa)  # one row per desa with families

    def small_cells(path: Path) -> int:
        sheets = CalamineWorkbook.from_path(str(path))
        return sum(
            c == "<5" for n in sheets.sheet_names for r in sheets.get_sheet_by_name(n).to_python()
            for c in r
        )  # fmt: skip

    everything = tmp_path / "semua-sel.xlsx"
    ran = padu(workshop.home, *args, "--basis", "realised", "--all-cells", "--out", str(everything))
    assert ran.code == 0
    assert small_cells(book) > 0 and small_cells(everything) == 0


# -- refusals -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "code", "kind", "word"),
    [
        (["--basis", "x"], 2, "UsageError", "--basis"),
        (["--by", "provinsi"], 2, "UsageError", "--by"),
        (["--concentration", "1"], 2, "UsageError", "--concentration"),
        (["--concentration", "dua"], 2, "UsageError", "bilangan bulat"),
        (["--format", "pdf"], 2, "UsageError", "--format"),
        (["--format", "xlsx"], 2, "UsageError", "--out"),
        (["--out", "hasil.json"], 2, "UsageError", "--out"),
        (["--measure", "tidak-ada"], 1, "NotFound", "ukuran"),
    ],
)
def test_bad_values_are_refused_in_bahasa(
    workshop: Workshop, args: list[str], code: int, kind: str, word: str
) -> None:
    got, data, _ = _one_error(workshop.home, "convergence", "--snapshot", "latest", "--year",
                              str(YEAR), *args)  # fmt: skip
    assert (got, data["error"]) == (code, kind) and word in data["message"], data


@pytest.mark.parametrize(
    ("args", "code", "word"),
    [
        (["--snapshot", "99", "--year", "2026"], 1, "snapshot"),
        (["--snapshot", "acuan:2026", "--year", "2026"], 1, "acuan"),
        (["--snapshot", "latest", "--year", "dua"], 2, "bilangan bulat"),
        (["--snapshot", "latest"], 2, "--year"),
        (["--year", "2026"], 2, "--snapshot"),
    ],
)
def test_unknown_snapshots_and_missing_options(
    workshop: Workshop, args: list[str], code: int, word: str
) -> None:
    got, data, _ = _one_error(workshop.home, "convergence", *args)
    assert got == code and word in data["message"], data


def test_a_year_without_lists_shows_the_register_and_no_programme(workshop: Workshop) -> None:
    kel, _ = _register(workshop.files)
    ran = padu(workshop.home, "--json", "convergence", "--snapshot", "latest", "--year", "2030")
    assert ran.code == 0, ran.out
    data = ran.json()
    assert data["sources"] == [] and data["programmes"] == {}
    assert data["programmes_without_list"] == []  # no programme of the preset is for 2030
    assert data["families"] == kel.height
    assert all(g["reached"] == 0 for g in data["gaps"].values())


# -- two readers on one DuckDB home ---------------------------------------------------------
def test_readers_share_the_home_while_another_process_holds_it(
    workshop: Workshop, ask: Callable[..., dict[str, Any]]
) -> None:
    home = workshop.home
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import time
            from padu.stores import open_stores
            wh, cat = open_stores({f"duckdb://{home / 'warehouse.duckdb'}"!r},
                                  {f"sqlite:///{home / 'catalog.sqlite'}"!r}, read_only=True)
            print("held", flush=True)
            time.sleep(120)
        """)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("PADU_")}
    kk = _a_family(workshop)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        readers = [
            subprocess.Popen(
                [str(PADU), "--home", str(home), "--json", "--by", ACTOR, *argv],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=env,
            )
            for argv in (
                ["convergence", "--snapshot", "latest", "--year", str(YEAR), "--by", "kabupaten",
                 "--basis", "realised"],
                ["family", kk, "--year", str(YEAR)],
            )
        ]  # fmt: skip
        results = [r.communicate(timeout=300) for r in readers]
        assert [r.returncode for r in readers] == [0, 0], results
        conv, card = (json.loads(out) for out, _ in results)
        assert conv == ask("--by", "kabupaten", "--basis", "realised")
        assert card["family"]["kk"] == kk
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()


# -- the family card ------------------------------------------------------------------------
@contextmanager
def _stores(home: Path) -> Iterator[tuple[Any, Catalog]]:
    settings = Settings(home=home)
    wh, cat = open_stores(
        settings.resolved_warehouse_url(), settings.resolved_catalog_url(), read_only=True
    )
    try:
        yield wh, cat
    finally:
        wh.close()
        cat.close()


def _stored_rows(wh: Any, cat: Catalog, kk: str, niks: list[str]) -> list[tuple[Any, ...]]:
    """What ``target --adopt`` and ``link`` stored for this family: (programme, basis, source
    id, nik) of each row of the newest adoptions and of the PKH ledger, read raw."""
    newest = {a.programme: a for a in cat.adoptions(year=YEAR)}
    plan = wh.table("rencana").to_pyarrow().to_pylist()
    out = [
        (r["programme"], "planned", newest[r["programme"]].id, r["nik"])
        for r in plan
        if newest.get(r["programme"]) and r["adopsi_batch"] == newest[r["programme"]].batch
        and (r["kk"] == kk or r["nik"] in niks)
    ]  # fmt: skip
    for led in cat.ledgers(year=YEAR):
        rows = wh.table("penerima").to_pyarrow().to_pylist()
        out += [
            (led.programme, "realised", led.id, r["nik"])
            for r in rows
            if r["ledger_batch"] == led.batch and r["status"] == "matched"
            and (r["kk"] == kk or r["nik"] in niks)
        ]  # fmt: skip
    return sorted(out, key=repr)


def _card_family(workshop: Workshop) -> tuple[str, str]:
    """A family of several members, on PKH's linked list and planned by another programme:
    its KK and the NIK of a member who is not its head."""
    _, ind = _register(workshop.files)
    sizes = Counter(ind[KK].to_list())
    nik_count = Counter(ind[NIK].to_list())
    with _stores(workshop.home) as (wh, cat):
        for t in workshop.truth:
            kk = t["kk"]
            if not kk or sizes[kk] < 3:
                continue
            niks = ind.filter(pl.col(KK) == kk)[NIK].to_list()
            kinds = {(p, b) for p, b, _, _ in _stored_rows(wh, cat, kk, niks)}
            if ("PKH", "realised") in kinds and any(b == "planned" for _, b in kinds):
                others = ind.filter(
                    (pl.col(KK) == kk) & (pl.col("status_hubungan_keluarga") != "1")
                )[NIK].to_list()
                once = [n for n in others if n and nik_count[n] == 1]  # the NIK finds this KK
                if once:
                    return kk, str(once[0])
    raise AssertionError("no family on both lists in the small register")


def test_family_card_by_kk_and_by_nik(workshop: Workshop) -> None:
    kk, nik = _card_family(workshop)
    kel, ind = _register(workshop.files)
    fam = kel.filter(pl.col(KK) == kk).row(0, named=True)
    members = ind.filter(pl.col(KK) == kk)
    before = len(_events(workshop.home, "family.card"))

    ran = padu(workshop.home, "--json", "--by", "petugas-dinsos", "family", kk, "--year", "2026")
    assert ran.code == 0, ran.out
    card = ran.json()
    assert set(card) == CARD_KEYS and card["found_by"] == "kk" and card["year"] == YEAR
    assert card["family"]["kk"] == kk and card["family"]["desil"] == fam["desil_nasional"]
    assert card["family"]["kode_desa"] == _dotted(fam["kode_kelurahan_desa"])
    assert {(m["nik"], m["nama"]) for m in card["members"]} == set(
        zip(members[NIK].to_list(), members["nama"].to_list(), strict=True)
    )
    deprived = {d["indicator"]: d["deprived"] for d in card["deprivations"]}
    assert deprived["desil_1_4"] == (int(fam["desil_nasional"]) <= 4)
    assert {d["dimension"] for d in card["deprivations"]} == PADU7_DIMENSIONS
    with _stores(workshop.home) as (wh, cat):
        stored = _stored_rows(wh, cat, kk, members[NIK].to_list())
    shown = sorted(
        ((r["programme"], r["basis"], r["source_id"], r["nik"]) for r in card["programmes"]),
        key=repr,
    )
    assert shown == stored  # every planned and received row, and nothing else
    agencies = {p.code: p.agency for p in preset_workshop().programmes}
    for r in card["programmes"]:
        assert r["agency"] == agencies[r["programme"]] and r["status"] == "penerima"
        assert r["off_reference"] is True  # no reference agreed in this home
        if r["basis"] == "realised":
            assert r["source"].startswith(
                f"daftar {workshop.agency_list.name} (ledger #{r['source_id']}, baris data "
            )
        else:
            assert r["source"].startswith(f"adopsi #{r['source_id']} (peringkat ")
        assert "oleh " + ACTOR in r["source"] and r["source"].endswith("WITA")
    received = {r["programme"] for r in card["programmes"]}
    assert not set(card["eligible_not_received"]) & received
    assert set(card["received_not_eligible"]) <= received

    # by a member's NIK: the same card
    by_nik = padu(workshop.home, "--json", "--by", "petugas-dinsos", "family", nik, "--year",
                  "2026").json()  # fmt: skip
    assert by_nik["found_by"] == "nik"
    assert {**by_nik, "found_by": "kk"} == card

    # on screen: the family, its members by name, its deprivations and programmes in words
    text = padu(workshop.home, "--by", "petugas-dinsos", "family", kk, "--year", "2026").out
    assert text.startswith(f"Keluarga {kk} (")
    assert f"desil nasional {fam['desil_nasional']}" in text
    for name in members["nama"].to_list():
        assert name in text
    assert "Deprivasi (padu-7): " in text and "Program tahun 2026" in text
    rows = table_rows(text)
    for r in card["programmes"]:
        assert rows[r["programme"]][1] == r["agency"]
    # every row (a programme planned and received has two rows under one code)
    cells = [[c.strip() for c in line.strip("│").split("│")] for line in text.splitlines()
             if line.startswith("│")]  # fmt: skip
    assert {"rencana", "realisasi"} <= {c[2] for c in cells if len(c) > 2}
    assert not ENGLISH.search(text), ENGLISH.search(text)

    # one audit event per card shown, with the officer's name
    events = _events(workshop.home, "family.card")[before:]
    assert [e.pelaku for e in events] == ["petugas-dinsos"] * 3
    details = [json.loads(e.rincian) for e in events]
    assert [(d["kk"], d["key"], d["year"]) for d in details] == [
        (kk, "kk", YEAR), (kk, "nik", YEAR), (kk, "kk", YEAR)
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("key", "kind", "word"),
    [
        ("123", "InputError", "16 angka"),
        ("bukan-nomor", "InputError", "16 angka"),
        ("65710314032200019", "InputError", "bukan 17"),
        ("6599999999999999", "NotFound", "bukan No. KK maupun NIK"),
    ],
)
def test_family_card_refuses_a_bad_or_unknown_key_without_showing_it(
    workshop: Workshop, key: str, kind: str, word: str
) -> None:
    before = len(_events(workshop.home, "family.card"))
    code, data, line = _one_error(workshop.home, "family", key, "--year", "2026")
    assert (code, data["error"]) == (1, kind) and word in data["message"], data
    if len(key) > 10 and key.isdigit():
        assert key not in line and key[:4] in line  # masked, as every message with a NIK
    assert len(_events(workshop.home, "family.card")) == before  # nothing shown, nothing logged


def test_family_card_of_a_year_without_programmes(workshop: Workshop) -> None:
    kk = _a_family(workshop)
    card = padu(workshop.home, "--json", "family", kk, "--year", "2030").json()
    assert card["programmes"] == [] and card["eligible_not_received"] == []
    text = padu(workshop.home, "family", kk, "--year", "2030").out
    assert "Belum ada program yang direncanakan atau diterima tahun 2030." in text
    assert "Program tahun 2030" not in text  # no empty table


# -- PostgreSQL ----------------------------------------------------------------------------
def _same_except_times(a: Any, b: Any) -> None:
    """``a`` equals ``b`` once the moments sources were made are left out."""

    def strip(x: Any) -> Any:
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k != "dibuat"}
        if isinstance(x, list):
            return [strip(v) for v in x]
        if isinstance(x, str) and " oleh " in x:
            return x.split(" oleh ")[0]  # "adopsi #3 (peringkat 5) oleh NAMA, <waktu> WITA"
        return x

    assert strip(a) == strip(b)


@pytest.mark.slow
@pytest.mark.parametrize(
    "stores", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
def test_the_same_views_and_card_on_postgres(
    stores: Stores,
    workshop: Workshop,
    ask: Callable[..., dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The workshop built again on PostgreSQL, from the same files, gives the same JSON."""
    # on DuckDB first: the settings below point every later command at PostgreSQL
    on_duckdb = ask("--by", "kabupaten")
    kk, nik = _card_family(workshop)
    card = padu(workshop.home, "--json", "--by", "petugas-dinsos", "family", nik, "--year", "2026")
    assert card.code == 0, card.out
    stores.warehouse.close()
    stores.catalog.close()
    monkeypatch.setenv("PADU_HOME", str(stores.home))
    monkeypatch.setenv("PADU_WAREHOUSE_URL", stores.warehouse_url)
    monkeypatch.setenv("PADU_CATALOG_URL", stores.catalog_url)
    built = _build(None, workshop.files, workshop.agency_list, write_list=False)
    # the same lists drawn (the hash names the import batch, so it differs by design)
    drawn = ("eligible", "selected", "cost", "duplicates_dropped")
    assert {c: [a[k] for k in drawn] for c, a in built.adopted.items()} == {
        c: [a[k] for k in drawn] for c, a in workshop.adopted.items()
    }
    assert built.link["matched"] == workshop.link["matched"]
    ran = padu(None, "--json", "convergence", "--snapshot", "latest", "--year", str(YEAR),
               "--by", "kabupaten")  # fmt: skip
    assert ran.code == 0, ran.out
    assert ran.json()["sources"][0]["dibuat"] != on_duckdb["sources"][0]["dibuat"]  # two stores
    _same_except_times(ran.json(), on_duckdb)
    on_pg = padu(None, "--json", "--by", "petugas-dinsos", "family", nik, "--year", "2026")
    assert on_pg.code == 0, on_pg.out
    _same_except_times(on_pg.json(), card.json())
    wh, cat = open_stores(stores.warehouse_url, stores.catalog_url)
    try:
        events = cat.events("family.card")
        assert [(e.pelaku, json.loads(e.rincian)["kk"]) for e in events] == [("petugas-dinsos", kk)]
    finally:
        wh.close()
        cat.close()
