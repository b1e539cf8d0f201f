"""Scenarios as data: what a joint plan is asked to do, in a YAML file the workshop can edit.

A scenario names the programmes that share one plan, the Padu-7 indicators each closes for a
family it reaches (with a note saying why: the source or the assumption), budget and quota
overrides, extra complement pairs, floors and caps per kabupaten, the objective, and whether
recipients already committed keep their programme. The file is checked whole (every problem
at once, like the workshop file) without a catalog; :func:`check_against` checks its codes
against the catalog's programmes, the measure and the Kaltara regions when a plan is made.
Stored versions are the text :func:`dump_scenario` writes, so one change is one version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

from padu.errors import ImportRejected, NotFound, Problem, read_yaml
from padu.measure.measures import Measure
from padu.programmes.model import Programme
from padu.regions import kaltara
from padu.sheets import read_text
from padu.stores.catalog import Catalog, ScenarioVersionRow

Objective = Literal["lifted", "weighted"]
Members = Literal["all", "one"]
OBJECTIVES: tuple[str, ...] = get_args(Objective)
MEMBERS: tuple[str, ...] = get_args(Members)
ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
KABUPATEN = re.compile(r"^\d{4}$")
AMOUNT = re.compile(r"^\d{1,3}(?:[._]\d{3})+$|^\d+$")  # 30000000000, 30.000.000.000
TOP_KEYS = (
    "id", "name", "year", "measure", "objective", "keep_committed", "complements",
    "programmes", "limits", "note",
)  # fmt: skip
PROGRAMME_KEYS = ("code", "closes", "budget", "quota", "members", "note")
BOUNDS = ("min_units", "max_units", "min_budget", "max_budget")
LIMIT_KEYS = ("programme", "kabupaten", *BOUNDS)


@dataclass(frozen=True)
class ScenarioProgramme:
    """One programme in the plan: what it closes, and the budget or quota the plan gives it.

    ``budget_given``/``quota_given`` tell "the programme's own" (absent) from "no limit"
    (``null``); a budget or quota set in code counts as given.
    """

    code: str
    closes: tuple[str, ...] = ()  # () = not optimised: keeps its own ranking
    budget: int | None = None
    quota: int | None = None
    budget_given: bool = False
    quota_given: bool = False
    members: Members = "all"
    note: str = ""

    def __post_init__(self) -> None:
        if self.budget is not None:
            object.__setattr__(self, "budget_given", True)
        if self.quota is not None:
            object.__setattr__(self, "quota_given", True)


@dataclass(frozen=True)
class Limit:
    """A floor and/or cap on one programme's units or spending in one kabupaten."""

    programme: str
    kabupaten: str  # 4-digit kode_kabupaten_kota, e.g. "6501"
    min_units: int | None = None
    max_units: int | None = None
    min_budget: int | None = None
    max_budget: int | None = None


@dataclass(frozen=True)
class Scenario:
    id: str
    name: str
    year: int
    measure: str = "padu-7"
    objective: Objective = "lifted"
    programmes: tuple[ScenarioProgramme, ...] = ()
    complements: tuple[tuple[str, str], ...] = ()  # besides the programmes' own complements
    limits: tuple[Limit, ...] = ()
    keep_committed: bool = False
    note: str = ""


Bad = Callable[[str, object, str], None]  # bad(column, value, reason)


def load_scenario(text: str, source: str = "skenario.yaml") -> Scenario:
    """A scenario from YAML; :class:`ImportRejected` listing every problem otherwise."""
    doc = read_yaml(text, source)
    if not isinstance(doc, dict) or not doc:
        reason = "skenario harus berupa pemetaan YAML dengan id, name, year dan programmes"
        raise ImportRejected(
            summary=f"{source}: {reason}", problems=[Problem(source, 1, None, None, reason)]
        )
    problems: list[Problem] = []

    def bad(column: str, value: object, reason: str) -> None:
        shown = None if value is None else str(value)
        problems.append(Problem(source, None, column, shown, reason))

    _unknown(doc, TOP_KEYS, "", bad)
    sid = _text(doc.get("id"))
    if not sid:
        bad("id", doc.get("id"), "wajib diisi")
    elif not ID.match(sid):
        bad("id", sid, "id skenario: huruf kecil, angka dan tanda hubung (mis. kaltara-2026)")
    name = _text(doc.get("name"))
    if not name:
        bad("name", doc.get("name"), "wajib diisi")
    year = doc.get("year")
    if year is None:
        bad("year", None, "tahun anggaran wajib diisi")
    elif isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        bad("year", year, "tahun anggaran empat digit (mis. 2026)")
        year = None
    objective = doc.get("objective", "lifted")
    if objective not in OBJECTIVES:
        bad("objective", objective, "harus lifted (keluarga keluar dari miskin) atau weighted")
    keep = doc.get("keep_committed", False)
    if not isinstance(keep, bool):
        bad("keep_committed", keep, "harus true atau false")
    programmes = _programmes(doc.get("programmes"), bad)
    codes = {p.code for p in programmes}
    pairs = _pairs(doc.get("complements"), bad)
    limits = _limits(doc.get("limits"), codes, bad)
    if problems:
        raise ImportRejected(
            summary=f"{source}: {len(problems)} masalah; skenario tidak dipakai",
            problems=problems,
        )
    return Scenario(
        id=sid,
        name=name,
        year=year if isinstance(year, int) else 0,
        measure=_text(doc.get("measure")) or "padu-7",
        objective=objective,
        programmes=programmes,
        complements=pairs,
        limits=limits,
        keep_committed=keep,
        note=_text(doc.get("note")),
    )


def _programmes(raw: object, bad: Bad) -> tuple[ScenarioProgramme, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(p, dict) for p in raw):
        bad(
            "programmes", raw, "harus berupa daftar program (satu pemetaan dengan code per program)"
        )
        return ()
    out, seen = [], set()
    for i, p in enumerate(raw):
        where = f"programmes[{i}]"
        _unknown(p, PROGRAMME_KEYS, where, bad)
        code = _text(p.get("code"))
        if not code:
            bad(f"{where}.code", p.get("code"), "wajib diisi")
        elif code in seen:
            bad(f"{where}.code", code, "kode program ganda")
        seen.add(code)
        closes = p.get("closes") or []
        if not isinstance(closes, list) or not all(isinstance(c, str) and c for c in closes):
            bad(f"{where}.closes", closes, "harus berupa daftar id indikator (teks), boleh []")
            closes = []
        elif len(set(closes)) < len(closes):
            bad(f"{where}.closes", ", ".join(closes), "indikator disebut dua kali")
        members = p.get("members", "all")
        if members not in MEMBERS:
            bad(f"{where}.members", members, "harus all (semua anggota) atau one (satu anggota)")
            members = "all"
        budget, quota = _amount(p, "budget", where, bad), _amount(p, "quota", where, bad)
        out.append(
            ScenarioProgramme(
                code=code, closes=tuple(closes), budget=budget, quota=quota,
                budget_given="budget" in p, quota_given="quota" in p, members=members,
                note=_text(p.get("note")),
            )
        )  # fmt: skip
    return tuple(out)


def _pairs(raw: object, bad: Bad) -> tuple[tuple[str, str], ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        bad("complements", raw, "harus berupa daftar pasangan [KODE-A, KODE-B]")
        return ()
    out = []
    for i, pair in enumerate(raw):
        codes = [_text(c) for c in pair] if isinstance(pair, list) else []
        if len(codes) != 2 or not all(codes) or codes[0] == codes[1]:
            bad(f"complements[{i}]", pair, "pasangan harus dua kode program yang berbeda")
            continue
        out.append((codes[0], codes[1]))
    return tuple(out)


def _limits(raw: object, codes: set[str], bad: Bad) -> tuple[Limit, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, dict) for x in raw):
        bad("limits", raw, "harus berupa daftar {programme, kabupaten, min_units, ...}")
        return ()
    out = []
    for i, x in enumerate(raw):
        where = f"limits[{i}]"
        _unknown(x, LIMIT_KEYS, where, bad)
        code = _text(x.get("programme"))
        if code not in codes:
            bad(f"{where}.programme", code or None, "bukan program di skenario ini")
        kab = _text(x.get("kabupaten"))
        if not KABUPATEN.match(kab):
            bad(f"{where}.kabupaten", kab or None, "kode kabupaten/kota 4 angka (mis. 6501)")
        bounds = {b: _amount(x, b, where, bad) for b in BOUNDS}
        if all(x.get(b) is None for b in BOUNDS):
            bad(where, None, f"batas butuh paling sedikit satu dari {', '.join(BOUNDS)}")
        for kind in ("units", "budget"):
            low, high = bounds[f"min_{kind}"], bounds[f"max_{kind}"]
            if low is not None and high is not None and low > high:
                bad(f"{where}.min_{kind}", low, f"lebih besar dari max_{kind} ({high})")
        out.append(Limit(code, kab, **bounds))
    return tuple(out)


def _text(value: object) -> str:
    """A scalar as text ("" for nothing, a list or a mapping); YAML reads 6501 as a number."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return str(value).strip()


def _amount(entry: Mapping[str, Any], key: str, where: str, bad: Bad) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, str) and AMOUNT.match(value.strip()):
        return int(value.strip().replace(".", "").replace("_", ""))
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    bad(f"{where}.{key}" if where else key, value, "harus bilangan bulat tidak negatif")
    return None


def _unknown(entry: Mapping[str, Any], keys: tuple[str, ...], where: str, bad: Bad) -> None:
    """A key the scenario does not know (a typo would otherwise be ignored silently)."""
    for key in entry:
        if key not in keys:
            column = f"{where}.{key}" if where else str(key)
            bad(column, key, f"kunci tidak dikenal; yang dikenal: {', '.join(keys)}")


def dump_scenario(s: Scenario) -> str:
    """The scenario as YAML that :func:`load_scenario` reads back equal (the stored text)."""
    doc: dict[str, Any] = {
        "id": s.id, "name": s.name, "year": s.year, "measure": s.measure,
        "objective": s.objective, "keep_committed": s.keep_committed,
        "complements": [list(pair) for pair in s.complements], "programmes": [],
    }  # fmt: skip
    for p in s.programmes:
        entry: dict[str, Any] = {"code": p.code, "closes": list(p.closes)}
        if p.budget_given:
            entry["budget"] = p.budget
        if p.quota_given:
            entry["quota"] = p.quota
        if p.members != "all":
            entry["members"] = p.members
        if p.note:
            entry["note"] = p.note
        doc["programmes"].append(entry)
    if s.limits:
        doc["limits"] = [{k: v for k, v in vars(x).items() if v is not None} for x in s.limits]
    if s.note:
        doc["note"] = s.note
    return yaml.safe_dump(
        doc, allow_unicode=True, sort_keys=False, width=100, default_flow_style=None
    )


def check_against(
    s: Scenario,
    programmes: Mapping[str, Programme],
    measure: Measure,
    source: str | None = None,
) -> None:
    """Check the scenario's codes against the catalog's programmes, the measure and the
    Kaltara kabupaten; :class:`ImportRejected` naming every unknown code at once (``source``:
    the file it came from, named in every problem)."""
    source = source or f"skenario {s.id}"
    problems: list[Problem] = []

    def bad(column: str, value: object, reason: str) -> None:
        problems.append(
            Problem(source, None, column, None if value is None else str(value), reason)
        )

    known = ", ".join(sorted(programmes)) or "(belum ada; impor program dulu)"
    if s.measure != measure.id:
        bad("measure", s.measure, f"skenario dicek dengan ukuran lain ({measure.id})")
    indicators = {i.id: i for i in measure.indicators}
    for n, p in enumerate(s.programmes):
        where = f"programmes[{n}]"
        prog = programmes.get(p.code)
        if prog is None:
            bad(f"{where}.code", p.code, f"program tidak ada di katalog; yang ada: {known}")
        for iid in p.closes:
            ind = indicators.get(iid)
            if ind is None:
                bad(
                    f"{where}.closes", iid,
                    f"indikator tidak ada di {measure.id}: {', '.join(indicators)}",
                )  # fmt: skip
            elif prog is not None and ind.dimension not in prog.dimensions:
                bad(
                    f"{where}.closes", iid,
                    f"dimensi {ind.dimension} bukan dimensi program {p.code} "
                    f"({', '.join(prog.dimensions)})",
                )  # fmt: skip
        if prog is not None and p.members == "one" and prog.unit != "individu":
            bad(f"{where}.members", p.members, "members hanya untuk program per orang")
        if prog is not None and p.budget is not None and not _costed(prog):
            bad(f"{where}.budget", p.budget, "program ini tidak punya biaya per unit")
    for n, pair in enumerate(s.complements):
        for code in pair:
            if code not in programmes:
                bad(f"complements[{n}]", code, f"program tidak ada di katalog; yang ada: {known}")
    kabupaten = {r.digits for r in kaltara().at_level("kabupaten_kota")}
    for n, x in enumerate(s.limits):
        if x.kabupaten not in kabupaten:
            bad(
                f"limits[{n}].kabupaten", x.kabupaten,
                f"bukan kabupaten/kota Kaltara ({', '.join(sorted(kabupaten))})",
            )  # fmt: skip
        prog = programmes.get(x.programme)
        budgeted = x.min_budget is not None or x.max_budget is not None
        if prog is not None and budgeted and not _costed(prog):
            bad(f"limits[{n}].programme", x.programme, "program ini tidak punya biaya per unit")
    if problems:
        raise ImportRejected(
            summary=f"{source}: {len(problems)} masalah terhadap katalog dan ukuran",
            problems=problems,
        )


def _costed(p: Programme) -> bool:
    return bool(p.unit_cost or p.cost_components)


def _presets() -> Any:
    return resources.files("padu").joinpath("data", "scenarios")


def preset_scenario_names() -> list[str]:
    """The names of the shipped scenario presets."""
    return sorted(
        p.name.removesuffix(".yaml") for p in _presets().iterdir() if p.name.endswith(".yaml")
    )


def preset_scenario(name: str = "kaltara-2026") -> Scenario:
    """A shipped preset, looked up by name only (never used as a path)."""
    known = preset_scenario_names()
    if name not in known:
        raise NotFound(f"skenario preset {name!r} tidak ada; yang tersedia: {', '.join(known)}")
    entry = _presets().joinpath(f"{name}.yaml")
    return load_scenario(entry.read_text(encoding="utf-8"), f"{name}.yaml")


def read_scenario(ref: str, catalog: Catalog | None = None) -> tuple[Scenario, int | None]:
    """A scenario and its stored version: ``ref`` is a YAML file, a preset name, or the id of
    a stored scenario (its newest version; ``id@N`` for version N, which also reaches a stored
    scenario that shares a preset's id). Files and presets have no version (None)."""
    path = Path(ref)
    if path.is_file():
        return load_scenario(read_text(path), path.name), None
    if ref in preset_scenario_names():
        return preset_scenario(ref), None
    name, at, wanted = ref.partition("@")
    rows = catalog.scenario_versions(name) if catalog is not None and ID.match(name) else []
    if rows:
        row = rows[-1] if not at else next((r for r in rows if str(r.version) == wanted), None)
        if row is None:
            raise NotFound(
                f"skenario {name!r} tidak punya versi {wanted}; ada 1-{rows[-1].version}"
            )
        return load_scenario(row.definition, f"{name}@{row.version}"), row.version
    stored = sorted({r.scenario_id for r in catalog.scenario_versions()}) if catalog else []
    raise NotFound(
        f"skenario {ref!r} tidak ada: bukan file, bukan preset "
        f"({', '.join(preset_scenario_names())}), bukan skenario tersimpan "
        f"({', '.join(stored) or 'belum ada'})"
    )


def save_scenario(s: Scenario, catalog: Catalog, *, actor: str) -> int:
    """Store the scenario; a new version only when its text changed (audited
    ``scenario.save`` by ``actor``). The version now current."""
    return catalog.save_scenario(s.id, dump_scenario(s), actor)


def scenario_versions(catalog: Catalog, scenario_id: str | None = None) -> list[ScenarioVersionRow]:
    """Every stored version (of one scenario, or of all), oldest first."""
    return catalog.scenario_versions(scenario_id)
