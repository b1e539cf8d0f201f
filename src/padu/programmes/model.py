"""Programmes as data, and the workshop file that holds all agencies and programmes.

A programme states who owns it, the Padu-7 dimensions it addresses, its unit (family or
person), its eligibility rule (and, for persons, a member rule), budget and/or quota, fiscal
year, region scope and funding source, and the programmes it is meant to go with
(``complements``: PKH families are meant to hold PBI-JK, so convergence views report such a
pair as complementarity, not as overlap). The workshop file is YAML that can be exported,
edited and re-imported; every problem in it is reported at once.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from padu.errors import ImportRejected, NotFound, Problem
from padu.regions import kaltara
from padu.rules import compile_member_rule, compile_rule
from padu.rules.parser import RuleError
from padu.schema import register_schema
from padu.sheets import read_text

Unit = Literal["keluarga", "individu"]
AGENCY_KINDS = ("OPD", "vertikal", "BAZNAS", "CSR")
FUNDING = ("APBN", "APBD provinsi", "APBD kabupaten", "DAK", "Dana Desa", "CSR", "zakat")
DIMENSIONS = ("pendapatan", "pendidikan", "kesehatan", "perumahan", "air", "sanitasi", "pekerjaan")


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: str


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

    def definition(self) -> dict[str, Any]:
        """The programme as a plain mapping (what a rule version stores)."""
        out = asdict(self)
        out["dimensions"] = list(self.dimensions)
        out["regions"] = list(self.regions)
        out["data_needs"] = list(self.data_needs)
        out["complements"] = list(self.complements)  # omitted when empty: old versions stay
        return {k: v for k, v in out.items() if v not in (None, "", [])}


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
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ImportRejected(
            summary=f"{source}: YAML tidak valid",
            problems=[
                Problem(
                    source, mark.line + 1 if mark else None, None, None, str(exc).splitlines()[0]
                )
            ],
        ) from None
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
        rule = str(p.get("rule") or "")
        try:
            compile_rule(rule)
        except RuleError as exc:
            bad("rule", rule, exc.message)
        member_rule = p.get("member_rule")
        if member_rule is not None:
            member_rule = (
                str(member_rule).strip().lower()
                if str(member_rule).strip().lower() in ("true", "benar")
                else str(member_rule)
            )
            try:
                compile_member_rule(member_rule)
            except RuleError as exc:
                bad("member_rule", member_rule, exc.message)
        if unit == "individu" and member_rule is None:
            bad(
                "member_rule",
                None,
                "program per orang membutuhkan member_rule (misalnya 'benar' untuk semua anggota)",
            )
        if p.get("funding") not in FUNDING:
            bad("funding", p.get("funding"), f"harus salah satu dari {', '.join(FUNDING)}")
        numbers: dict[str, int | None] = {}
        for key in ("unit_cost", "budget", "quota", "fiscal_year"):
            try:
                numbers[key] = _int(p.get(key))
            except (TypeError, ValueError):
                bad(key, p.get(key), "harus bilangan bulat tidak negatif")
                numbers[key] = None
        if numbers.get("fiscal_year") is None:
            bad("fiscal_year", p.get("fiscal_year"), "tahun anggaran wajib diisi")
        if numbers.get("budget") is not None and not numbers.get("unit_cost"):
            bad("unit_cost", p.get("unit_cost"), "anggaran membutuhkan biaya per unit")
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
            )
        )
    problems += _complement_problems(source, paired, codes - {""})
    if problems:
        raise ImportRejected(
            summary=f"{source}: {len(problems)} masalah; tidak ada yang disimpan", problems=problems
        )
    return out


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
        "programmes": [p.definition() for p in workshop.programmes],
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
