"""The planning and convergence services called directly, on DuckDB and PostgreSQL: a plan's
report is the core's JSON with the adoptions and workbooks added, each step records its own
audit event (scenario.save, plan.run, personal_data.export, target.adopt), files appear whole
with their events, scenarios import, list and export, and the convergence report is the
views' own dictionary, typed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from padu.audit import PERSONAL_DATA_EXPORT
from padu.convergence import convergence
from padu.errors import ImportRejected, InputError, UsageError
from padu.planning.run import plan_scenario
from padu.planning.scenario import load_scenario
from padu.programmes.model import preset_workshop
from padu.programmes.store import save_workshop
from padu.services.convergence import (
    CONVERGENCE_EXPORT,
    convergence_report,
    write_convergence_file,
)
from padu.services.planning import export_scenario, import_scenario, list_scenarios, plan
from tests.conftest import Stores

ACTOR = "perencana-bappeda"
YEAR = 2026
SCENARIO = """\
id: uji-layanan
name: Uji layanan perencanaan
year: 2026
complements: [[PBI-PEMDA, PMT]]
programmes:
  - {code: JAMBAN, closes: [sanitasi_tidak_layak], budget: 27500000}
  - {code: RTLH, closes: [rumah_tidak_layak], budget: 43600000}
  - {code: PMT, closes: [gizi_balita], budget: 924000}
  - {code: PBI-PEMDA, budget: 5040000}
"""
SECONDS = ("solve_seconds", "model_seconds", "data_seconds")


def _events(stores: Stores, kind: str) -> list[dict[str, Any]]:
    return [json.loads(e.rincian) for e in stores.catalog.events(kind)]


def _scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "skenario.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


def _timeless(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in SECONDS}


def test_plan_adopt_and_files(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    save_workshop(preset_workshop(), stores.catalog, actor=ACTOR)
    wh, cat = stores.warehouse, stores.catalog
    source = _scenario_file(tmp_path)
    folder, xlsx, out = tmp_path / "instansi", tmp_path / "banding.xlsx", tmp_path / "r.json"
    report = plan(
        wh, cat, str(source), snapshot, actor=ACTOR, workbooks=folder, comparison=xlsx,
        json_out=out, adopt=True,
    )  # fmt: skip
    data = report.model_dump(mode="json")
    # the report is the core's JSON, plus what was adopted and written
    again = plan_scenario(wh, cat, load_scenario(SCENARIO), snapshot, actor=ACTOR, version=1)
    core = again.to_json()
    assert _timeless({k: v for k, v in data.items() if k not in ("adopted", "workbooks")}) == (
        _timeless(json.loads(json.dumps(core)))
    )
    assert list(data)[: len(core)] == list(core)  # the keys in the order printed before
    assert json.loads(out.read_text(encoding="utf-8")) == data
    assert xlsx.is_file()
    # scenario.save once (the second run above stored nothing new), then plan.run
    assert [(e["scenario"], e["version"]) for e in _events(stores, "scenario.save")] == [
        ("uji-layanan", 1)
    ]
    run = _events(stores, "plan.run")[0]
    assert run["scenario"] == "uji-layanan" and run["snapshot"] == snapshot
    assert run["lists"] == {p["code"]: p["list_hash"] for p in data["programmes"]}
    # one audited personal-data export per agency workbook, with its absolute path
    exports = [e for e in _events(stores, PERSONAL_DATA_EXPORT) if e["kind"] == "plan_handover"]
    assert sorted(e["path"] for e in exports) == sorted(data["workbooks"])
    assert all(Path(p).is_file() and Path(p).parent == folder.resolve() for p in data["workbooks"])
    assert {e["agency"] for e in exports} == {p["agency"] for p in data["programmes"]}
    # every list adopted for the scenario's year, each a target.adopt event
    adopted = {a["programme"]: a for a in data["adopted"]}
    assert set(adopted) == {p["code"] for p in data["programmes"]}
    assert all(a["year"] == YEAR for a in adopted.values())
    assert len(_events(stores, "target.adopt")) == len(adopted)
    # convergence now counts the plan: its report is the views' dictionary, typed
    conv = convergence_report(wh, cat, snapshot, YEAR, basis="planned", by="kabupaten")
    raw = convergence(wh, cat, snapshot, YEAR, basis="planned", by="kabupaten")
    assert conv.model_dump(mode="json") == json.loads(json.dumps(raw))
    assert list(conv.model_dump(mode="json")) == list(raw)
    assert conv.regions and all(r.level == "kabupaten" for r in conv.regions)
    units = data["integrated"]["units_by_programme"]
    assert {c: p.recipients for c, p in conv.programmes.items()} == units


def test_plan_alone_writes_and_adopts_nothing(stores: Stores, snapshot: int) -> None:
    save_workshop(preset_workshop(), stores.catalog, actor=ACTOR)
    wh, cat = stores.warehouse, stores.catalog
    with pytest.raises(UsageError, match="--gap"):
        plan(wh, cat, "kaltara-2026", snapshot, actor=ACTOR, gap=0.5)
    assert _events(stores, "scenario.save") == [] and _events(stores, "plan.run") == []
    stored = import_scenario(cat, SCENARIO, "skenario.yaml", actor=ACTOR)
    report = plan(wh, cat, "uji-layanan", snapshot, actor=ACTOR, compare=False)
    data = report.model_dump(mode="json")
    assert data["scenario_version"] == stored.version == 1
    assert data["siloed"] is None and data["siloed_objective"] is None
    assert all("siloed" not in p for p in data["programmes"])
    assert "adopted" not in data and "workbooks" not in data
    assert _events(stores, "target.adopt") == []
    assert _events(stores, PERSONAL_DATA_EXPORT) == []
    assert len(_events(stores, "plan.run")) == 1


def test_scenarios_import_list_export(stores: Stores, tmp_path: Path) -> None:
    save_workshop(preset_workshop(), stores.catalog, actor=ACTOR)
    cat = stores.catalog
    first = import_scenario(cat, SCENARIO, "a.yaml", actor=ACTOR)
    same = import_scenario(cat, SCENARIO, "b.yaml", actor="orang-lain")
    changed = import_scenario(
        cat, SCENARIO.replace("budget: 924000", "budget: 1848000"), "c.yaml", actor=ACTOR
    )
    assert (first.version, same.version, changed.version) == (1, 1, 2)
    assert len(_events(stores, "scenario.save")) == 2  # an unchanged text is no new version
    listed = list_scenarios(cat).model_dump(mode="json")
    assert "kaltara-2026" in listed["presets"]
    assert [(s["id"], s["version"], s["oleh"]) for s in listed["stored"]] == [
        ("uji-layanan", 1, ACTOR),
        ("uji-layanan", 2, ACTOR),
    ]
    assert all(s["dibuat_wita"].endswith("WITA") for s in listed["stored"])
    out = tmp_path / "keluar.yaml"
    exported = export_scenario(cat, "uji-layanan@1", out)
    assert exported.model_dump(mode="json") == {
        "scenario": "uji-layanan",
        "version": 1,
        "out": str(out),
    }
    assert load_scenario(out.read_text(encoding="utf-8")) == load_scenario(SCENARIO)
    assert export_scenario(cat, "kaltara-2026", tmp_path / "p.yml").version is None
    with pytest.raises(InputError):
        export_scenario(cat, "uji-layanan", tmp_path / "salah.txt")
    # a scenario naming a programme the catalog lacks is refused and stores nothing
    with pytest.raises(ImportRejected):
        import_scenario(
            cat, SCENARIO.replace("code: PMT,", "code: TIDAK-ADA,"), "d.yaml", actor=ACTOR
        )
    assert len(_events(stores, "scenario.save")) == 2


def test_convergence_files_are_audited(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    save_workshop(preset_workshop(), stores.catalog, actor=ACTOR)
    wh, cat = stores.warehouse, stores.catalog
    report = convergence_report(wh, cat, snapshot, YEAR)
    data = report.model_dump(mode="json")
    assert "regions" not in data and data["by"] is None
    assert data == json.loads(json.dumps(convergence(wh, cat, snapshot, YEAR)))
    assert data["warnings"]  # no reference snapshot for the year yet: said so
    with pytest.raises(InputError):
        write_convergence_file(cat, report, tmp_path / "k.csv", "json", actor=ACTOR)
    assert _events(stores, CONVERGENCE_EXPORT) == []
    out = write_convergence_file(cat, report, tmp_path / "k.json", "json", actor=ACTOR)
    assert json.loads(out.read_text(encoding="utf-8")) == data
    book = write_convergence_file(
        cat, report, tmp_path / "k.xlsx", "xlsx", actor=ACTOR, suppress_below=0
    )
    assert book.is_file() and not list(tmp_path.glob(".*tmp*"))
    events = _events(stores, CONVERGENCE_EXPORT)
    assert [(e["format"], e["path"]) for e in events] == [("json", str(out)), ("xlsx", str(book))]
    assert events[1]["suppress_below"] == 0 and "suppress_below" not in events[0]
    assert all(e["year"] == YEAR and e["snapshot"] == snapshot for e in events)
    assert [e.pelaku for e in cat.events(CONVERGENCE_EXPORT)] == [ACTOR, ACTOR]
