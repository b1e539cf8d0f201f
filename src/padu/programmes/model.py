"""Programmes as data, and the workshop file that holds all agencies and programmes.

A programme states who owns it, the Padu-7 dimensions it addresses, its unit (family or
person), its eligibility rule (and, for persons, a member rule), budget and/or quota, fiscal
year, region scope and funding source, and the programmes it is meant to go with
(``complements``: PKH families are meant to hold PBI-JK, so convergence views report such a
pair as complementarity, not as overlap). The workshop file is YAML that can be exported,
edited and re-imported; every problem in it is reported at once.

Optional, for presets that model real programmes more closely: ``params`` (named values
the rules refer to as ``{name}``, see :mod:`padu.programmes.params`), ``cost_components``
(a per-member benefit such as PKH's, summed over a family's members up to
``max_components``), the budget-cycle fields of a sub-kegiatan (Permendagri 90/2019) and
``long_list`` (the drawn list is a long list to verify in the field). A programme without
them keeps the definition, and so the rule version, it always had.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from padu.errors import ImportRejected, NotFound, Problem, read_yaml
from padu.programmes.params import (
    NAME,
    Param,
    as_value,
    placeholders,
    substitute,
    value_problem,
)
from padu.regions import kaltara
from padu.rules import compile_member_rule, compile_rule
from padu.rules.parser import RuleError
from padu.schema import register_schema
from padu.sheets import read_text

Unit = Literal["keluarga", "individu"]
AGENCY_KINDS = ("OPD", "vertikal", "BAZNAS", "CSR")
FUNDING = ("APBN", "APBD provinsi", "APBD kabupaten", "DAK", "Dana Desa", "CSR", "zakat")
DIMENSIONS = ("pendapatan", "pendidikan", "kesehatan", "perumahan", "air", "sanitasi", "pekerjaan")
SUB_ACTIVITY_CODE = re.compile(r"^[0-9X]+(?:\.[0-9X]+)+$")
TAG = re.compile(r"^[a-z0-9_]+$")


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: str


@dataclass(frozen=True)
class CostComponent:
    """One benefit component: what a member who meets ``member_rule`` brings to the unit's
    cost (PKH: a child at SD brings the SD amount)."""

    code: str
    label: str
    amount: int
    member_rule: str


@dataclass(frozen=True)
class Programme:
    code: str
    name: str
    agency: str
    dimensions: tuple[str, ...]
    unit: Unit
    rule: str
    fiscal_year: int
    funding: str
    member_rule: str | None = None
    unit_cost: int | None = None
    budget: int | None = None
    quota: int | None = None
    regions: tuple[str, ...] = ()
    data_needs: tuple[str, ...] = ()
    complements: tuple[str, ...] = ()
    note: str = ""
    # rule parameters; the templates are the rule texts with {name}, kept for export
    params: tuple[Param, ...] = ()
    rule_template: str = ""
    member_rule_template: str = ""
    # the cost of a unit from its members (sum of the largest max_components amounts)
    cost_components: tuple[CostComponent, ...] = ()
    max_components: int | None = None
    # the budget cycle (Permendagri 90/2019 sub-kegiatan), shown in exports
    sub_activity_code: str = ""
    sub_activity_name: str = ""
    output_indicator: str = ""
    output_unit: str = ""
    output_volume: int | None = None
    tags: tuple[str, ...] = ()
    long_list: bool = False
    long_list_note: str = ""

    def definition(self) -> dict[str, Any]:
        """The programme as a plain mapping (what a rule version stores).

        Optional fields left at their defaults are omitted, so a programme that does not
        use them keeps the definition (and rule version) it had before they existed.
        """
        out = asdict(self)
        out["dimensions"] = list(self.dimensions)
        out["regions"] = list(self.regions)
        out["data_needs"] = list(self.data_needs)
        out["complements"] = list(self.complements)  # omitted when empty: old versions stay
        out["params"] = {p.name: p.definition() for p in self.params}
        out["cost_components"] = [asdict(c) for c in self.cost_components]
        out["tags"] = list(self.tags)
        if not self.long_list:
            del out["long_list"]
        return {k: v for k, v in out.items() if v not in (None, "", [], {})}

    def exported(self) -> dict[str, Any]:
        """The programme as the workshop file writes it: rules as templates (with their
        ``{name}`` placeholders), so a re-import keeps the parameters."""
        out = self.definition()
        if "rule_template" in out:
            out["rule"] = out.pop("rule_template")
        if "member_rule_template" in out:
            out["member_rule"] = out.pop("member_rule_template")
        return out


@dataclass
class Workshop:
    agencies: list[Agency] = field(default_factory=list)
    programmes: list[Programme] = field(default_factory=list)


def _int(value: object) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):  # "20.000.000" or "20_000_000"
        number = int(value.replace("_", "").replace(".", ""))
    else:
        raise ValueError(value)
    if number < 0:
        raise ValueError(value)
    return number


def load_workshop(text: str, source: str = "workshop.yaml") -> Workshop:
    """Agencies and programmes from YAML; :class:`ImportRejected` listing every problem."""
    doc: Any = read_yaml(text, source)
    shape = _shape_problem(doc)
    if shape:
        raise ImportRejected(
            summary=f"{source}: {shape}", problems=[Problem(source, 1, None, None, shape)]
        )
    problems: list[Problem] = []
    out = Workshop()
    for i, a in enumerate(doc.get("agencies") or []):
        where = f"agencies[{i}]"
        code, name, kind = (
            str(a.get("code") or ""),
            str(a.get("name") or ""),
            str(a.get("kind") or ""),
        )
        if not code or not name:
            problems.append(Problem(source, None, where, str(a), "agency butuh code dan name"))
        if kind not in AGENCY_KINDS:
            problems.append(
                Problem(
                    source,
                    None,
                    f"{where}.kind",
                    kind,
                    f"harus salah satu dari {', '.join(AGENCY_KINDS)}",
                )
            )
        out.agencies.append(Agency(code, name, kind))
    agencies = {a.code for a in out.agencies}
    codes: set[str] = set()
    regions = kaltara()
    fields = set(register_schema().names("keluarga")) | set(register_schema().names("individu"))
    # complements name programmes of the whole file: checked once every code is known
    paired: list[tuple[str, str, tuple[str, ...]]] = []
    for i, p in enumerate(doc.get("programmes") or []):
        where = f"programmes[{i}]"
        code = str(p.get("code") or "")
        label = f"{where} ({code})" if code else where

        def bad(col: str, value: object, reason: str, label: str = label) -> None:
            problems.append(
                Problem(
                    source, None, f"{label}.{col}", None if value is None else str(value), reason
                )
            )

        if not code:
            bad("code", None, "wajib diisi")
        elif code in codes:
            bad("code", code, "kode program ganda")
        codes.add(code)
        if not p.get("name"):
            bad("name", None, "wajib diisi")
        if str(p.get("agency") or "") not in agencies:
            bad(
                "agency",
                p.get("agency"),
                f"instansi tidak ada di daftar agencies ({', '.join(sorted(agencies))})",
            )
        listed = p.get("dimensions") or ()
        if not isinstance(listed, list | tuple):
            bad("dimensions", listed, "harus berupa daftar dimensi")
            listed = ()
        dims = tuple(str(d) for d in listed)
        for d in dims:
            if d not in DIMENSIONS:
                bad("dimensions", d, f"dimensi Padu-7: {', '.join(DIMENSIONS)}")
        unit = p.get("unit", "keluarga")
        if unit not in ("keluarga", "individu"):
            bad("unit", unit, "harus keluarga atau individu")
        params = _params(p.get("params"), bad)
        rule_template = str(p.get("rule") or "")
        rule = _substituted("rule", rule_template, params, compile_rule, bad)
        member_template = p.get("member_rule")
        member_rule = None
        if member_template is not None:
            member_template = (
                str(member_template).strip().lower()
                if str(member_template).strip().lower() in ("true", "benar")
                else str(member_template)
            )
            member_rule = _substituted(
                "member_rule", member_template, params, compile_member_rule, bad
            )
        used = set(placeholders(rule_template)) | set(placeholders(member_template or ""))
        for unused in (q.name for q in params if q.name not in used):
            bad("params", unused, "parameter tidak dipakai di rule maupun member_rule")
        if unit == "individu" and member_rule is None:
            bad(
                "member_rule",
                None,
                "program per orang membutuhkan member_rule (misalnya 'benar' untuk semua anggota)",
            )
        if p.get("funding") not in FUNDING:
            bad("funding", p.get("funding"), f"harus salah satu dari {', '.join(FUNDING)}")
        components = _components(p.get("cost_components"), bad)
        numbers: dict[str, int | None] = {}
        for key in ("unit_cost", "budget", "quota", "fiscal_year", "max_components"):
            try:
                numbers[key] = _int(p.get(key))
            except (TypeError, ValueError):
                bad(key, p.get(key), "harus bilangan bulat tidak negatif")
                numbers[key] = None
        if numbers.get("fiscal_year") is None:
            bad("fiscal_year", p.get("fiscal_year"), "tahun anggaran wajib diisi")
        if numbers.get("budget") is not None and not numbers.get("unit_cost") and not components:
            bad(
                "unit_cost",
                p.get("unit_cost"),
                "anggaran membutuhkan biaya per unit (unit_cost atau cost_components)",
            )
        _cost_problems(p, unit, components, numbers, bad)
        cycle = _budget_cycle(p, bad)
        scope = tuple(str(r) for r in p.get("regions") or ())
        for r in scope:
            if regions.find(r) is None:
                bad("regions", r, "kode wilayah Kemendagri Kaltara tidak dikenal")
        needs = tuple(str(f) for f in p.get("data_needs") or ())
        for f in needs:
            if f not in fields:
                bad("data_needs", f, "bukan kolom register DTSEN")
        goes_with = p.get("complements") or ()
        if not isinstance(goes_with, list | tuple):
            bad("complements", goes_with, "harus berupa daftar kode program")
            goes_with = ()
        complements = tuple(str(c) for c in goes_with)
        paired.append((label, code, complements))
        out.programmes.append(
            Programme(
                code=code,
                name=str(p.get("name") or ""),
                agency=str(p.get("agency") or ""),
                dimensions=dims,
                unit=unit,
                rule=rule,
                fiscal_year=numbers.get("fiscal_year") or 0,
                funding=str(p.get("funding") or ""),
                member_rule=member_rule,
                unit_cost=numbers.get("unit_cost"),
                budget=numbers.get("budget"),
                quota=numbers.get("quota"),
                regions=tuple(regions.get(r).kode for r in scope if regions.find(r)),
                data_needs=needs,
                complements=complements,
                note=str(p.get("note") or ""),
                params=params,
                rule_template=rule_template if placeholders(rule_template) else "",
                member_rule_template=(
                    member_template if placeholders(member_template or "") else ""
                ),
                cost_components=components,
                max_components=numbers.get("max_components"),
                **cycle,
            )
        )
    problems += _complement_problems(source, paired, codes - {""})
    if problems:
        raise ImportRejected(
            summary=f"{source}: {len(problems)} masalah; tidak ada yang disimpan", problems=problems
        )
    return out


Bad = Callable[..., None]  # bad(column, value, reason): records one problem of a programme


def _params(raw: object, bad: Bad) -> tuple[Param, ...]:
    """The ``params`` mapping (name -> value, label, source), sorted by name."""
    if raw is None:
        return ()
    if not isinstance(raw, dict):
        bad("params", raw, "harus berupa pemetaan nama -> {value, label, source}")
        return ()
    out = []
    for name, spec in raw.items():
        where = f"params.{name}"
        if not isinstance(name, str) or not NAME.match(name):
            bad("params", name, "nama parameter: huruf kecil, angka dan _ (mis. desil_maks)")
            continue
        if not isinstance(spec, dict) or "value" not in spec:
            bad(where, spec, "harus berupa pemetaan dengan value (dan label, source)")
            continue
        extra = set(spec) - {"value", "label", "source"}
        if extra:
            bad(where, ", ".join(sorted(map(str, extra))), "kunci dikenal: value, label, source")
        problem = value_problem(spec["value"])
        if problem:
            bad(f"{where}.value", spec["value"], problem)
            continue
        label, source = str(spec.get("label") or ""), str(spec.get("source") or "")
        out.append(Param(name, as_value(spec["value"]), label, source))
    return tuple(sorted(out, key=lambda q: q.name))


def _substituted(
    col: str, template: str, params: tuple[Param, ...], compiler: Callable[[str], Any], bad: Bad
) -> str:
    """A rule text with its parameters substituted, compiled to report its problems."""
    known = {q.name for q in params}
    missing = [n for n in placeholders(template) if n not in known]
    for name in missing:
        bad(col, f"{{{name}}}", f"parameter {name!r} tidak ada di params")
    text = substitute(template, params)
    if not missing:
        try:
            compiler(text)
        except RuleError as exc:
            bad(col, text, exc.message)
    return text


def _components(raw: object, bad: Bad) -> tuple[CostComponent, ...]:
    """The ``cost_components`` list: code, label, amount and member rule of each."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(c, dict) for c in raw):
        bad("cost_components", raw, "harus berupa daftar {code, label, amount, member_rule}")
        return ()
    out = []
    seen: set[str] = set()
    for i, c in enumerate(raw):
        where = f"cost_components[{i}]"
        code = str(c.get("code") or "")
        if not code:
            bad(f"{where}.code", None, "wajib diisi")
        elif code in seen:
            bad(f"{where}.code", code, "kode komponen ganda")
        seen.add(code)
        if not c.get("label"):
            bad(f"{where}.label", None, "wajib diisi")
        try:
            amount = _int(c.get("amount"))
        except (TypeError, ValueError):
            amount = None
        if amount is None:
            bad(f"{where}.amount", c.get("amount"), "harus bilangan bulat tidak negatif (Rupiah)")
        rule = c.get("member_rule")
        if rule is None or str(rule).strip() == "":
            bad(f"{where}.member_rule", None, "wajib diisi (aturan anggota, mis. umur(...) <= 6)")
        else:
            try:
                compile_member_rule(str(rule))
            except RuleError as exc:
                bad(f"{where}.member_rule", rule, exc.message)
        out.append(CostComponent(code, str(c.get("label") or ""), amount or 0, str(rule or "")))
    return tuple(out)


def _cost_problems(
    p: dict[str, Any],
    unit: object,
    components: tuple[CostComponent, ...],
    numbers: dict[str, int | None],
    bad: Bad,
) -> None:
    """How unit_cost, cost_components and max_components contradict each other."""
    if components and numbers.get("unit_cost") is not None:
        bad(
            "unit_cost",
            p.get("unit_cost"),
            "pakai unit_cost atau cost_components, tidak keduanya",
        )
    if "cost_components" in p and p["cost_components"] in ([], {}):
        bad("cost_components", "[]", "daftar komponen kosong; hapus kuncinya atau isi komponen")
    most = numbers.get("max_components")
    if most is None:
        return
    if not components:
        bad("max_components", most, "hanya berlaku dengan cost_components")
    elif unit == "individu":
        bad("max_components", most, "hanya untuk program per keluarga")
    elif most < 1:
        bad("max_components", most, "paling sedikit 1")


def _budget_cycle(p: dict[str, Any], bad: Bad) -> dict[str, Any]:
    """The budget-cycle fields (sub-kegiatan code and name, output, tags, long list)."""
    texts = {
        key: str(p.get(key) or "")
        for key in (
            "sub_activity_code",
            "sub_activity_name",
            "output_indicator",
            "output_unit",
            "long_list_note",
        )
    }
    code = texts["sub_activity_code"]
    if code and not SUB_ACTIVITY_CODE.match(code):
        bad(
            "sub_activity_code",
            code,
            "kode sub-kegiatan berupa angka bertitik (Permendagri 90/2019), mis. 1.06.04.2.01.0001",
        )
    try:
        volume = _int(p.get("output_volume"))
    except (TypeError, ValueError):
        bad("output_volume", p.get("output_volume"), "harus bilangan bulat tidak negatif")
        volume = None
    raw_tags = p.get("tags") or ()
    if not isinstance(raw_tags, list | tuple):
        bad("tags", raw_tags, "harus berupa daftar label (mis. [kemiskinan_ekstrem, stunting])")
        raw_tags = ()
    tags = tuple(str(t) for t in raw_tags)
    for t in tags:
        if not TAG.match(t):
            bad("tags", t, "label: huruf kecil, angka dan _ (mis. kemiskinan_ekstrem)")
    if len(set(tags)) < len(tags):
        bad("tags", ", ".join(tags), "label disebut dua kali")
    long_list = p.get("long_list", False)
    if not isinstance(long_list, bool):
        bad("long_list", long_list, "harus true atau false")
        long_list = False
    if long_list and not texts["long_list_note"]:
        bad("long_list_note", None, "daftar panjang butuh alasannya (long_list_note)")
    if texts["long_list_note"] and not long_list:
        bad("long_list_note", texts["long_list_note"], "hanya berlaku dengan long_list: true")
    return {**texts, "output_volume": volume, "tags": tags, "long_list": long_list}


def _complement_problems(
    source: str, paired: list[tuple[str, str, tuple[str, ...]]], codes: set[str]
) -> list[Problem]:
    """What is wrong with each programme's ``complements``: a code that is no programme of
    the file, the programme itself, or a code named twice."""
    problems = []
    for label, code, complements in paired:
        seen: set[str] = set()
        for other in complements:
            where = f"{label}.complements"
            if other == code:
                reason = "program tidak dapat melengkapi dirinya sendiri"
            elif other in seen:
                reason = "kode program disebut dua kali"
            elif other not in codes:
                reason = f"bukan program di file ini ({', '.join(sorted(codes))})"
            else:
                reason = ""
            seen.add(other)
            if reason:
                problems.append(Problem(source, None, where, other, reason))
    return problems


def _shape_problem(doc: object) -> str | None:
    """Why a parsed workshop file is not the shape of one (an empty file included), or None."""
    if not isinstance(doc, dict) or not doc:
        return "file lokakarya harus berupa pemetaan YAML dengan 'agencies' dan 'programmes'"
    for key, one in (("agencies", "agency"), ("programmes", "program")):
        entries = doc.get(key) or []
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            return f"'{key}' harus berupa daftar pemetaan (satu per {one})"
    if not doc.get("agencies") and not doc.get("programmes"):
        return "file lokakarya tidak berisi agency maupun program"
    return None


def dump_workshop(workshop: Workshop) -> str:
    """The workshop as YAML that :func:`load_workshop` reads back unchanged."""
    doc = {
        "agencies": [asdict(a) for a in workshop.agencies],
        "programmes": [p.exported() for p in workshop.programmes],
    }
    return yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=100)


def preset_names() -> list[str]:
    """The names of the shipped workshop presets (``preset:NAME``)."""
    folder = resources.files("padu").joinpath("data", "programmes")
    return sorted(
        p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml")
    )


def preset_workshop(name: str = "kaltara-2026") -> Workshop:
    """A shipped preset (national programmes and the Kaltara 2026 set), by name only.

    A name is looked up among the shipped presets, never used as a path, so
    ``preset:../../x`` is refused (NotFound listing the presets) instead of read.
    """
    known = preset_names()
    if name not in known:
        raise NotFound(f"preset {name!r} tidak ada; preset yang tersedia: {', '.join(known)}")
    entry = resources.files("padu").joinpath("data", "programmes", f"{name}.yaml")
    return load_workshop(entry.read_text(encoding="utf-8"), f"{name}.yaml")


def read_workshop(path: Path) -> Workshop:
    """A workshop YAML file; a missing, unreadable or non-UTF-8 file is an ImportRejected."""
    return load_workshop(read_text(path), path.name)
