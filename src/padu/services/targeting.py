"""The targeting service: draw a programme's target list (BNBA), or every programme's,
adopt it as the programme's plan, and explain a rule with counts.

``padu target`` and ``padu rule explain`` render these results, and the web pages call the
same functions. The events are recorded by the work itself, each in the transaction that
does it: every drawn list is one ``target.draw`` event (its summary, NIK and KK masked);
a BNBA file is one ``personal_data.export`` event of kind ``bnba`` per list, recorded before
the file is renamed into place (padu.files.atomic_output); an adoption is one
``target.adopt`` event, committed with the adoption row. Explaining a rule records nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel

from padu.errors import UsageError
from padu.programmes.targeting import TargetList
from padu.services.programmes import SparseModel
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import AdoptionRow

__all__ = [
    "Adoption",
    "DroppedDuplicate",
    "RuleExplanation",
    "TargetLists",
    "TargetResult",
    "draw_all_targets",
    "draw_target",
    "explain_rule",
    "resolve_region",
]


class DroppedDuplicate(BaseModel):
    """A copy of a person left out of a list (masked): its NIK, KK, and the KK kept."""

    nik: str
    kk: str
    kk_dipakai: str


class Adoption(BaseModel):
    """A list adopted as its programme's plan for ``year``; ``replaces``: the adoption it
    took over from (None for the first)."""

    id: int
    year: int
    replaces: int | None


class TargetResult(SparseModel):
    """One drawn list: its counts, cost and content hash (the rows stay in the warehouse
    and the BNBA file); ``out`` when a file was written, ``adoption`` and ``warnings``
    when it was adopted."""

    programme: str
    rule_version: int
    snapshot: int
    region: str | None
    unit: str
    eligible: int
    selected: int
    cost: int
    hash: str
    duplicates_dropped: int
    duplicates: list[DroppedDuplicate]
    out: str | None = None
    adoption: Adoption | None = None
    warnings: list[str] | None = None


class TargetLists(SparseModel):
    """Every programme's list (by code), where they were written, and, when adopted, every
    adoption's warnings together."""

    lists: list[TargetResult]
    out: str | None
    warnings: list[str] | None = None


def resolve_region(region: str | None) -> str | None:
    """A region code or name as its Kemendagri code (NotFound for an unknown one)."""
    from padu.regions import kaltara

    return None if region is None else kaltara().get(region).kode


def _result(target: TargetList, adoption: AdoptionRow | None, out: Path | None) -> TargetResult:
    result = TargetResult.model_validate(target.summary())
    if out is not None:
        result.out = str(out)
    if adoption is not None:
        result.adoption = Adoption(id=adoption.id, year=adoption.year, replaces=adoption.replaces)
        result.warnings = list(adoption.warnings)
    return result


def draw_target(
    wh: Warehouse,
    catalog: Catalog,
    code: str,
    snapshot: str | int,
    *,
    actor: str,
    version: int | None = None,
    region: str | None = None,
    out: Path | None = None,
    adopt: bool = False,
) -> TargetResult:
    """Draw ``code``'s list (rule ``version``, the current one when None) on ``snapshot``,
    for one region (a code) or the programme's whole coverage; write the BNBA file to
    ``out`` (.xlsx or .csv, checked before any work) and adopt the list as the programme's
    plan when asked. A list of one region cannot be adopted (UsageError, nothing written).
    """
    from padu.programmes.adopt import adopt_target_list
    from padu.programmes.bnba import publish_target_list
    from padu.programmes.store import programme

    if adopt and region is not None:
        raise UsageError(
            "hanya daftar seluruh cakupan program yang dapat diadopsi; tarik tanpa wilayah"
        )
    p, v = programme(catalog, code, version)
    target = publish_target_list(wh, catalog, p, v, snapshot, actor=actor, region=region, out=out)
    adoption = adopt_target_list(wh, catalog, target, actor=actor) if adopt else None
    return _result(target, adoption, out)


def draw_all_targets(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    *,
    actor: str,
    region: str | None = None,
    out: Path | None = None,
    adopt: bool = False,
) -> TargetLists:
    """Every current programme's list, by code; ``out`` is one workbook (.xlsx, a sheet per
    programme) or a folder (a file per programme), written whole or not at all. With
    ``adopt``, each list becomes its programme's plan (each its own adoption)."""
    from padu.programmes.adopt import adopt_target_lists
    from padu.programmes.bnba import publish_all
    from padu.programmes.store import current_workshop

    if adopt and region is not None:
        raise UsageError(
            "hanya daftar seluruh cakupan program yang dapat diadopsi; tarik tanpa wilayah"
        )
    workshop, versions = current_workshop(catalog)
    progs = [(p, versions[p.code]) for p in sorted(workshop.programmes, key=lambda p: p.code)]
    lists = publish_all(wh, catalog, progs, snapshot, actor=actor, region=region, out=out)
    if not adopt:
        return TargetLists(lists=[_result(t, None, None) for t in lists], out=_text(out))
    adopted = adopt_target_lists(wh, catalog, lists, actor=actor)
    return TargetLists(
        lists=[_result(t, a, None) for t, a in zip(lists, adopted, strict=True)],
        out=_text(out),
        warnings=[w for a in adopted for w in a.warnings],
    )


def _text(path: Path | None) -> str | None:
    return str(path) if path is not None else None


# -- rule explain ----------------------------------------------------------------------------
class RuleExplanation(BaseModel):
    """A rule taken apart: its parsed form, its sentence, the fields it reads, and each
    clause; with a snapshot, the families (and persons) each clause and the whole rule
    select, and the families it cannot decide for missing data."""

    rule: str
    parsed: str
    sentence: str
    fields: list[str]
    clauses: list[dict[str, Any]]
    families: int
    persons: int
    total_families: int
    undecidable: int
    matches_nobody: bool


def explain_rule(
    rule: str,
    wh: Warehouse | None = None,
    catalog: Catalog | None = None,
    snapshot: str | int | None = None,
) -> RuleExplanation:
    """Explain ``rule`` (RuleError with line and column when it does not parse); counted on
    ``snapshot`` when the stores and a snapshot are given."""
    from padu.register.snapshots import snapshot_table
    from padu.rules.explain import explain

    if snapshot is None or wh is None or catalog is None:
        return RuleExplanation.model_validate(explain(rule).to_dict())
    snap = catalog.snapshot(snapshot)
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    return RuleExplanation.model_validate(explain(rule, kel, ind, snap.tanggal).to_dict())
