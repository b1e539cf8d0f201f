"""Measures as data: indicators (rules with weights) grouped in dimensions, and a cut-off.

Presets ship as YAML in ``padu/data/measures`` (Padu-7 and the global MPI structure).
A measure file is checked whole: every problem (a rule error with its line and column, an
unknown dimension, weights that do not sum to 1) is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

from padu.errors import ImportRejected, NotFound, Problem, read_yaml
from padu.measure.af import parse_fraction
from padu.rules import CompiledRule, compile_rule
from padu.rules.parser import RuleError
from padu.sheets import read_text
from padu.stores.catalog import Catalog


@dataclass(frozen=True)
class DimensionDef:
    id: str
    label_id: str
    label_en: str


@dataclass(frozen=True)
class Indicator:
    id: str
    dimension: str
    weight: Fraction
    label_id: str
    label_en: str
    rule: CompiledRule
    note: str = ""


@dataclass
class Measure:
    id: str
    label_id: str
    label_en: str
    k: Fraction
    dimensions: list[DimensionDef]
    indicators: list[Indicator]
    not_expressible: list[str] = field(default_factory=list)
    source: str = ""

    def dimension_weights(self) -> dict[str, Fraction]:
        out: dict[str, Fraction] = {d.id: Fraction(0) for d in self.dimensions}
        for ind in self.indicators:
            out[ind.dimension] += ind.weight
        return out


def _text(entry: dict[str, Any], key: str, where: str, problems: list[Problem], source: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        problems.append(
            Problem(
                source,
                None,
                f"{where}.{key}",
                None if value is None else str(value),
                "wajib diisi (teks)",
            )
        )
        return ""
    return value.strip()


def load_measure(text: str, source: str = "measure.yaml") -> Measure:
    """A measure from YAML text; :class:`ImportRejected` listing every problem otherwise."""
    doc = read_yaml(text, source)
    if not isinstance(doc, dict):
        raise ImportRejected(
            summary=f"{source}: isi harus berupa pemetaan YAML",
            problems=[Problem(source, 1, None, None, "bukan pemetaan")],
        )
    problems: list[Problem] = []
    mid = _text(doc, "id", "measure", problems, source)
    label_id, label_en = (
        _text(doc, "label_id", "measure", problems, source),
        _text(doc, "label_en", "measure", problems, source),
    )
    try:
        k = parse_fraction(doc.get("k", "1/3"), "k")
    except Exception as exc:  # InputError
        problems.append(Problem(source, None, "k", str(doc.get("k")), str(exc)))
        k = Fraction(1, 3)
    dims = []
    for i, d in enumerate(doc.get("dimensions") or []):
        where = f"dimensions[{i}]"
        dims.append(
            DimensionDef(
                _text(d, "id", where, problems, source),
                _text(d, "label_id", where, problems, source),
                _text(d, "label_en", where, problems, source),
            )
        )
    dim_ids = {d.id for d in dims}
    indicators = []
    seen: set[str] = set()
    for i, entry in enumerate(doc.get("indicators") or []):
        where = f"indicators[{i}]"
        iid = _text(entry, "id", where, problems, source)
        if iid in seen:
            problems.append(Problem(source, None, f"{where}.id", iid, "id indikator ganda"))
        seen.add(iid)
        dim = _text(entry, "dimension", where, problems, source)
        if dim and dim not in dim_ids:
            problems.append(
                Problem(
                    source,
                    None,
                    f"{where}.dimension",
                    dim,
                    f"dimensi tidak ada; yang ada: {', '.join(sorted(dim_ids))}",
                )
            )
        try:
            weight = parse_fraction(entry.get("weight", ""), f"bobot {iid}")
            if weight <= 0:
                raise ValueError
        except Exception:
            problems.append(
                Problem(
                    source,
                    None,
                    f"{where}.weight",
                    str(entry.get("weight")),
                    "bobot harus pecahan/desimal lebih dari 0",
                )
            )
            weight = Fraction(0)
        text = _text(entry, "rule", where, problems, source)
        try:
            rule = compile_rule(text)
        except RuleError as exc:
            problems.append(Problem(source, None, f"{where}.rule ({iid})", text, exc.message))
            continue
        indicators.append(
            Indicator(
                iid,
                dim,
                weight,
                _text(entry, "label_id", where, problems, source),
                _text(entry, "label_en", where, problems, source),
                rule,
                str(entry.get("note") or ""),
            )
        )
    if not indicators and not problems:
        problems.append(
            Problem(source, None, "indicators", None, "ukuran membutuhkan minimal satu indikator")
        )
    total = sum((i.weight for i in indicators), Fraction(0))
    if indicators and not problems and total != 1:
        problems.append(
            Problem(
                source,
                None,
                "indicators.weight",
                str(total),
                "jumlah bobot semua indikator harus tepat 1",
            )
        )
    if problems:
        raise ImportRejected(
            summary=f"{source}: ukuran tidak valid, {len(problems)} masalah", problems=problems
        )
    return Measure(
        mid,
        label_id,
        label_en,
        k,
        dims,
        indicators,
        [str(x) for x in doc.get("not_expressible") or []],
        source,
    )


def _presets_dir() -> Any:
    return resources.files("padu").joinpath("data", "measures")


def preset_ids() -> list[str]:
    return sorted(
        p.name.removesuffix(".yaml") for p in _presets_dir().iterdir() if p.name.endswith(".yaml")
    )


def get_measure(ref: str, catalog: Catalog | None = None) -> Measure:
    """A preset by id, a saved measure (``id`` = latest, ``id@N`` = version N), or a file."""
    if catalog is not None:
        name, _, version = ref.partition("@")
        saved = catalog.measure_versions(name)
        if saved:
            if version and not version.isdigit():
                raise NotFound(f"versi ukuran harus angka: {ref!r}")
            chosen = (
                next((v for v in saved if v.version == int(version)), None)
                if version
                else saved[-1]
            )
            if chosen is None:
                raise NotFound(
                    f"ukuran {name!r} tidak punya versi {version}; ada 1-{saved[-1].version}"
                )
            return load_measure(chosen.definition, f"{name}@{chosen.version}")
    presets = preset_ids()
    if ref in presets:  # a preset is found by its name only, never as a path
        entry = _presets_dir().joinpath(f"{ref}.yaml")
        return load_measure(entry.read_text(encoding="utf-8"), f"{ref}.yaml")
    path = Path(ref)
    if path.exists():  # a file the user names is theirs to name; it is read as YAML text
        return load_measure(read_text(path), path.name)
    raise NotFound(
        f"ukuran {ref!r} tidak ada: bukan preset ({', '.join(presets)}), bukan ukuran "
        "tersimpan, dan bukan file"
    )


def save_measure(path: Path, catalog: Catalog, *, actor: str) -> tuple[Measure, int]:
    """Check a measure file whole and store it as the next version of its id (audited)."""
    text = read_text(path)
    measure = load_measure(text, path.name)
    if measure.id in preset_ids():
        raise ImportRejected(
            summary=f"{path.name}: id {measure.id!r} dipakai preset; beri ukuran Anda id lain",
            problems=[Problem(path.name, None, "id", measure.id, "id sama dengan preset")],
        )
    return measure, catalog.save_measure(measure.id, text, actor)
