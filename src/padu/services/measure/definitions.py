"""Measures themselves: which exist, what one says, saving a new version, checking a file.

``padu measure list|show|save|check`` and any page that shows a measure call these, so a
measure reads the same everywhere. Saving is recorded by the catalog (``measure.save``).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from padu.measure.measures import Measure, get_measure, preset_ids, save_measure
from padu.stores import Catalog, Warehouse


class MeasureEntry(BaseModel):
    """A measure in the list: a preset, or a saved measure at its latest version."""

    id: str
    label_id: str
    label_en: str
    source: str  # "preset" or "tersimpan"
    version: int | None  # None for a preset
    dimensions: int
    indicators: int
    k: str


class MeasureList(BaseModel):
    measures: list[MeasureEntry]


class SavedMeasure(BaseModel):
    id: str
    version: int


class DimensionInfo(BaseModel):
    id: str
    label_id: str
    label_en: str
    weight: str  # the dimension's share of the total weight, as an exact fraction


class IndicatorInfo(BaseModel):
    id: str
    dimension: str
    weight: str
    label_id: str
    label_en: str
    rule: str  # the rule as written
    fields: list[str]  # the register fields it reads, ``level.field``
    note: str


class MeasureDefinition(BaseModel):
    """A measure as data: its dimensions, indicators (weights and rules) and cut-off."""

    id: str
    label_id: str
    label_en: str
    k: str
    dimensions: list[DimensionInfo]
    indicators: list[IndicatorInfo]
    not_expressible: list[str]  # parts of the published measure the register cannot express


class MeasureCheck(MeasureDefinition):
    """A measure file checked on a snapshot: each indicator's deprivation rate too."""

    deprivation_rate: dict[str, float]  # units deprived / units counted, per indicator
    missing_data_units: int


def _entry(m: Measure, source: str, version: int | None) -> MeasureEntry:
    return MeasureEntry(
        id=m.id, label_id=m.label_id, label_en=m.label_en, source=source, version=version,
        dimensions=len(m.dimensions), indicators=len(m.indicators), k=str(m.k),
    )  # fmt: skip


def list_measures(catalog: Catalog) -> MeasureList:
    """The presets, then every saved measure at its latest version."""
    saved: dict[str, int] = {v.measure_id: v.version for v in catalog.measure_versions()}
    found = [_entry(get_measure(pid), "preset", None) for pid in preset_ids()]
    found += [_entry(get_measure(mid, catalog), "tersimpan", ver) for mid, ver in saved.items()]
    return MeasureList(measures=found)


def save_measure_file(path: Path, catalog: Catalog, *, actor: str) -> SavedMeasure:
    """Check a measure file whole and store it as the next version of its id (recorded as
    ``measure.save``); a file that reuses a preset's id is refused."""
    m, version = save_measure(path, catalog, actor=actor)
    return SavedMeasure(id=m.id, version=version)


def describe_measure(m: Measure) -> MeasureDefinition:
    """Dimensions, indicators, weights and rules of a measure."""
    return MeasureDefinition(
        id=m.id,
        label_id=m.label_id,
        label_en=m.label_en,
        k=str(m.k),
        dimensions=[
            DimensionInfo(id=d.id, label_id=d.label_id, label_en=d.label_en, weight=str(w))
            for d, w in zip(m.dimensions, m.dimension_weights().values(), strict=True)
        ],
        indicators=[
            IndicatorInfo(
                id=i.id,
                dimension=i.dimension,
                weight=str(i.weight),
                label_id=i.label_id,
                label_en=i.label_en,
                rule=i.rule.text,
                fields=sorted(f"{lv}.{n}" for lv, n in i.rule.fields),
                note=i.note,
            )
            for i in m.indicators
        ],
        not_expressible=list(m.not_expressible),
    )


def check_measure(wh: Warehouse, catalog: Catalog, snapshot: str | int, m: Measure) -> MeasureCheck:
    """A measure (checked whole when it was loaded) with each indicator's deprivation rate
    on a snapshot: an indicator no family, or every family, is deprived in is worth a look."""
    from padu.measure.snapshot import mpi_snapshot

    result = mpi_snapshot(wh, catalog, snapshot, m, by=None)
    return MeasureCheck(
        **describe_measure(m).model_dump(),
        deprivation_rate={i: float(v) for i, v in result.overall.uncensored.items()},
        missing_data_units=result.overall.missing,
    )
