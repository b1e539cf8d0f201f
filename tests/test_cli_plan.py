"""``padu plan`` and ``padu scenario`` on a DuckDB home (issue 13): the JSON contract, the
scenario versions a plan stores, export round-trip, the workbooks and their audit events,
``--adopt`` feeding ``padu convergence``, the table's Indonesian, and usage errors.

One home (the small synthetic register and the programme preset) is built once and copied
for every test.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from python_calamine import CalamineWorkbook

from padu.audit import PERSONAL_DATA_EXPORT
from padu.cli import main
from padu.planning.scenario import load_scenario, preset_scenario
from padu.planning.workbook import AGENCY_SHEETS, PLAN_SHEETS
from padu.settings import Settings
from padu.stores import Catalog
from tests.conftest import import_args, table_rows

ACTOR = "perencana-bappeda"
YEAR = 2026
SCENARIO = """\
id: uji-rencana
name: Uji rencana terpadu
year: 2026
complements: [[PBI-PEMDA, PMT]]
programmes:
  - {code: JAMBAN, closes: [sanitasi_tidak_layak], budget: 27500000}
  - {code: RTLH, closes: [rumah_tidak_layak], budget: 43600000}
  - {code: SR-AIR, closes: [air_tidak_layak], budget: 10500000}
  - {code: BANTU-SEKOLAH, closes: [anak_tidak_sekolah], budget: 6000000}
  - {code: PELATIHAN-KERJA, closes: [tanpa_pekerja], members: one, budget: 15000000}
  - {code: PMT, closes: [gizi_balita], budget: 924000}
  - {code: PBI-PEMDA, budget: 5040000}
"""
AGENCIES = ["DINKES", "DISDIKBUD", "DISNAKERTRANS", "PERKIM", "PUPR"]
METRIC_KEYS = {
    "families_reached", "deprivations_closed", "poor_lifted", "M0_after", "budget_used",
    "same_dimension_overlap",
}  # fmt: skip


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads([line for line in self.out.splitlines() if line.strip()][-1])


def padu(home: Path, *args: str) -> Ran:
    """``padu --home HOME --by ACTOR ARGS`` in this process."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["--home", str(home), *args])
    return Ran(code, out.getvalue(), err.getvalue())


@pytest.fixture(scope="module")
def seeded(small_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the small register and the kaltara-2026 programmes."""
    home = tmp_path_factory.mktemp("plan") / "home"
    ran = padu(home, *import_args(home, small_files, "parquet")[2:])
    assert ran.code == 0, ran.err
    ran = padu(home, "programme", "import", "preset:kaltara-2026", "--by", ACTOR)
    assert ran.code == 0, ran.err
    return home


@pytest.fixture
def home(seeded: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(seeded, copy)
    return copy


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "skenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _events(home: Path, kind: str) -> list[dict[str, Any]]:
    cat = Catalog.connect(Settings(home=home).resolved_catalog_url())
    try:
        return [json.loads(e.rincian) for e in cat.events(kind)]
    finally:
        cat.close()


def _stored(home: Path) -> list[tuple[str, int]]:
    ran = padu(home, "--json", "scenario", "list")
    assert ran.code == 0, ran.err
    return [(s["id"], s["version"]) for s in ran.json()["stored"]]


def test_plan_json_and_the_stored_scenario(home: Path, scenario_file: Path) -> None:
    ran = padu(home, "--json", "plan", str(scenario_file), "--snapshot", "latest", "--by", ACTOR)
    assert ran.code == 0, ran.err
    data = ran.json()
    assert data["objective"] == "lifted" and data["scenario_version"] == 1
    assert data["gap"] is not None and 0 <= data["gap"] <= 0.005
    assert data["types"] > 0
    for name in ("integrated", "siloed"):
        assert METRIC_KEYS <= set(data[name]), name
    integ, silo = data["integrated"], data["siloed"]
    assert data["integrated_objective"] >= data["siloed_objective"]
    assert integ["poor_lifted"] > silo["poor_lifted"]
    assert integ["same_dimension_overlap"] == 0
    assert integ["poor_before"] == silo["poor_before"] and integ["M0_after"] < integ["M0_before"]
    budgets = {p["code"]: p["budget"] for p in data["programmes"]}
    assert integ["budget_used"] <= sum(budgets.values())
    assert {p["code"]: p["integrated"]["cost"] for p in data["programmes"]} == integ[
        "budget_by_programme"
    ]
    assert _stored(home) == [("uji-rencana", 1)]
    # the same file again stores nothing new; the table speaks Indonesian
    ran = padu(home, "plan", str(scenario_file), "--snapshot", "latest", "--compare", "siloed")
    assert ran.code == 0, ran.err
    assert _stored(home) == [("uji-rencana", 1)]
    assert "Terpadu" in ran.out and "Sendiri-sendiri" in ran.out
    rows = table_rows(ran.out)
    lifted = rows["Keluarga miskin yang terangkat"]
    assert lifted[1:3] == [str(integ["poor_lifted"]), str(silo["poor_lifted"])]
    used = rows["Anggaran terpakai"][1]
    assert used.startswith("Rp") and re.fullmatch(r"Rp\s?\d{1,3}(\.\d{3})+", used), used
    assert re.fullmatch(r"\d+,\d{2} %", rows["H sebelum"][1]), rows["H sebelum"]
    assert re.fullmatch(r"0,\d{4}", rows["M0 sebelum"][1]), rows["M0 sebelum"]
    # a changed budget is version 2
    scenario_file.write_text(SCENARIO.replace("budget: 924000", "budget: 1848000"), "utf-8")
    ran = padu(home, "--json", "scenario", "import", str(scenario_file), "--by", ACTOR)
    assert ran.code == 0, ran.err
    assert ran.json() == {"scenario": "uji-rencana", "version": 2}
    assert _stored(home) == [("uji-rencana", 1), ("uji-rencana", 2)]


def test_scenario_export_round_trips(home: Path, scenario_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.yaml"
    ran = padu(home, "--json", "scenario", "export", "kaltara-2026", "--out", str(out))
    assert ran.code == 0, ran.err
    assert ran.json()["version"] is None
    assert load_scenario(out.read_text(encoding="utf-8")) == preset_scenario("kaltara-2026")
    # a stored scenario exports its newest version, and reads back equal
    assert padu(home, "scenario", "import", str(scenario_file)).code == 0
    again = tmp_path / "lagi.yaml"
    ran = padu(home, "--json", "scenario", "export", "uji-rencana", "--out", str(again))
    assert ran.code == 0 and ran.json()["version"] == 1
    assert load_scenario(again.read_text(encoding="utf-8")) == load_scenario(SCENARIO)


def test_workbooks_audit_and_adopt(home: Path, scenario_file: Path, tmp_path: Path) -> None:
    book, folder = tmp_path / "rencana.xlsx", tmp_path / "instansi"
    ran = padu(
        home, "--json", "plan", str(scenario_file), "--snapshot", "latest", "--adopt",
        "--format", "xlsx", "--out", str(book), "--workbooks", str(folder), "--by", ACTOR,
    )  # fmt: skip
    assert ran.code == 0, ran.err
    data = ran.json()
    assert CalamineWorkbook.from_path(str(book)).sheet_names == list(PLAN_SHEETS)
    files = sorted(p.name for p in folder.iterdir())
    assert files == [f"{a}.xlsx" for a in AGENCIES]
    assert sorted(Path(p).name for p in data["workbooks"]) == files
    for name in files:
        sheets = CalamineWorkbook.from_path(str(folder / name)).sheet_names
        assert set(AGENCY_SHEETS) <= set(sheets), (name, sheets)
    exports = [e for e in _events(home, PERSONAL_DATA_EXPORT) if e["kind"] == "plan_handover"]
    assert sorted(Path(e["path"]).name for e in exports) == files
    units = {p["code"]: p["integrated"]["units"] for p in data["programmes"]}
    for e in exports:
        assert e["scenario"] == "uji-rencana" and e["rows"] == sum(
            units[c] for c in e["programmes"]
        )
    assert {a["programme"]: a["selected"] for a in data["adopted"]} == units
    ran = padu(
        home, "--json", "convergence", "--snapshot", "latest", "--year", str(YEAR),
        "--basis", "planned",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    view = ran.json()
    assert {c: p["recipients"] for c, p in view["programmes"].items()} == units


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--gap", "1.5"], "--gap: harus di antara 0 dan 0,05"),
        (["--gap", "-0.1"], "--gap: harus di antara 0 dan 0,05"),
        (["--compare", "semua"], "--compare: harus siloed atau none"),
    ],
)
def test_bad_options_exit_2(
    home: Path, scenario_file: Path, option: list[str], message: str
) -> None:
    ran = padu(home, "plan", str(scenario_file), "--snapshot", "latest", *option)
    assert ran.code == 2
    assert message in ran.err
    assert _stored(home) == []  # refused before anything is stored


def test_a_refused_workbooks_path_adopts_nothing(
    home: Path, scenario_file: Path, tmp_path: Path
) -> None:
    # --workbooks naming a file is refused before any work: no plan run, no adoption
    afile = tmp_path / "bukan-folder.xlsx"
    afile.write_text("x", encoding="utf-8")
    ran = padu(
        home, "plan", str(scenario_file), "--snapshot", "latest", "--adopt",
        "--workbooks", str(afile),
    )  # fmt: skip
    assert ran.code == 2 and "adalah berkas, bukan folder" in ran.err
    assert _events(home, "target.adopt") == [] and _events(home, "plan.run") == []


def test_a_preset_run_is_stored_so_an_adopted_plan_traces_to_its_text(home: Path) -> None:
    ran = padu(home, "--json", "plan", "kaltara-2026", "--snapshot", "latest", "--compare", "none")
    assert ran.code == 0, ran.err
    assert ran.json()["scenario_version"] == 1
    assert ("kaltara-2026", 1) in _stored(home)
    run = _events(home, "plan.run")[-1]
    assert run["scenario"] == "kaltara-2026" and run["version"] == 1


def test_python_m_padu_cli_knows_every_command() -> None:
    # run as a module, cli.py is __main__; the commands registered on padu.cli.app by the
    # command modules (plan, convergence, user, serve) must still be there
    import subprocess
    import sys

    ran = subprocess.run(
        [sys.executable, "-m", "padu.cli", "--help"], capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, ran.stderr
    for command in ("plan", "scenario", "convergence", "family", "user", "serve"):
        assert f" {command} " in ran.stdout, command
