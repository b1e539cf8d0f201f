"""The convergence service: one set-up in the engine, then every view from it.

:func:`convergence` is the service behind ``padu convergence``. :func:`prepare` picks the
year's sources (:mod:`padu.convergence.sources`) and builds the engine tables once
(:mod:`padu.convergence.base`, and the per-unit, eligible-hit and family-pair tables);
:func:`all_views` answers every view (:mod:`padu.convergence.counts`) for the province and,
with ``by``, for each kabupaten, kecamatan or desa. The definitions are in
``docs/convergence.md``; a plain-Python recomputation in the tests must agree with them
exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from padu.convergence.base import GROUPS, build_base, small_table, temp_key
from padu.convergence.counts import (
    Ctx,
    Key,
    Slots,
    gap_view,
    hit_table,
    overlap_view,
    pair_table,
    pending_rows,
    priority_skipped,
    programme_view,
    rates,
    unit_table,
)
from padu.convergence.sources import (
    BASES,
    RECIPIENT,
    Basis,
    Source,
    recipient_rows,
    year_sources,
)
from padu.errors import UsageError
from padu.measure.measures import get_measure
from padu.programmes.model import Programme
from padu.programmes.store import current_workshop
from padu.regions import Region, kaltara
from padu.stores import Catalog, Warehouse


# -- the service ---------------------------------------------------------------------------
def convergence(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    year: int,
    *,
    basis: Basis = "both",
    by: str | None = None,
    measure: str = "padu-7",
    concentration: int = 4,
) -> dict[str, Any]:
    """Every convergence view of ``year`` on ``snapshot`` (the JSON of ``padu
    convergence``; its shape and every definition are in ``docs/convergence.md``)."""
    if by is not None and by not in GROUPS:
        raise UsageError(f"--by harus salah satu dari {', '.join(GROUPS)}, bukan {by!r}")
    with wh.scratch():
        prepared = prepare(
            wh, catalog, snapshot, year, basis=basis, measure=measure, concentration=concentration
        )
        return all_views(prepared, by)


@dataclass(frozen=True)
class Prepared:
    """The engine set-up of one year on one snapshot: what every view reads."""

    ctx: Ctx
    year: int
    basis: str
    snapshot: Any  # SnapshotRow
    measure: Any  # Measure
    sources: list[Source]
    warnings: list[str]
    without: list[str]
    reference: bool


def prepare(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    year: int,
    *,
    basis: Basis = "both",
    measure: str = "padu-7",
    concentration: int = 4,
) -> Prepared:
    """Choose the sources and build the engine tables (temporary: call inside
    ``wh.scratch()``, and ask :func:`all_views` before it ends)."""
    if basis not in BASES:
        raise UsageError(f"--basis harus salah satu dari {', '.join(BASES)}, bukan {basis!r}")
    if concentration < 2:
        raise UsageError("--concentration: paling sedikit 2 program")
    snap = catalog.snapshot(snapshot)
    chosen = get_measure(measure, catalog)
    workshop, _ = current_workshop(catalog)
    known = {p.code: p for p in workshop.programmes}
    sources = year_sources(catalog, year, basis)
    warnings = _warnings(catalog, year, snap.id, sources, known)
    listed = {s.programme for s in sources if s.programme in known and s.counted}
    progs = {c: known[c] for c in sorted(listed)}
    without = sorted(c for c, p in known.items() if p.fiscal_year == year and c not in listed)
    counted = [s for s in sources if s.programme in known and s.counted]
    rows = recipient_rows(wh, catalog, counted)
    base = build_base(wh, catalog, snap.id, chosen, rows, progs)
    agencies = small_table(
        {"_ap": ("string", list(progs)), "agency": ("string", [p.agency for p in progs.values()])}
    )
    u = base.units
    rec = u.filter((u.status == RECIPIENT) & u.in_s)
    fp = rec.select(kk=rec.kk_s, programme=rec.programme, **{c: rec[c] for c in GROUPS.values()})
    fp = fp.distinct()
    fp = fp.join(agencies, fp.programme == agencies["_ap"]).drop("_ap")
    reached = wh.temp(temp_key("terjangkau"), fp, reuse=False)
    units = wh.temp(temp_key("unit_program"), unit_table(base, progs), reuse=False)
    hits = wh.temp(temp_key("layak_terjangkau"), hit_table(base, units), reuse=False)
    pairs = wh.temp(temp_key("pasangan"), pair_table(reached), reuse=False)
    ref = catalog.reference(year)
    return Prepared(
        Ctx(base, progs, reached, concentration, units, hits, pairs),
        year,
        basis,
        snap,
        chosen,
        sources,
        warnings,
        without,
        ref is not None and ref.snapshot_id == snap.id,
    )


def all_views(prepared: Prepared, by: str | None = None) -> dict[str, Any]:
    """Every view of a prepared year, for the province and, with ``by``, per region."""
    if by is not None and by not in GROUPS:
        raise UsageError(f"--by harus salah satu dari {', '.join(GROUPS)}, bukan {by!r}")
    ctx, snap, chosen = prepared.ctx, prepared.snapshot, prepared.measure
    views: dict[str | None, dict[Key, dict[str, Any]]]
    if by is None:
        views = {None: _views(ctx, None)}
    else:
        views = {by: _views(ctx, GROUPS[by])}
        views[None] = {None: _province(ctx, views[by])}
    result: dict[str, Any] = {
        "year": prepared.year,
        "basis": prepared.basis,
        "measure": chosen.id,
        "dimension_labels": {d.id: d.label_id for d in chosen.dimensions},
        "by": by,
        "snapshot": {
            "id": snap.id,
            "label": snap.label,
            "tanggal": snap.tanggal.isoformat(),
            "reference": prepared.reference,
        },
        **views[None][None],
        "sources": [s.describe() for s in prepared.sources],
        "warnings": prepared.warnings,
        "programmes_without_list": prepared.without,
    }
    if by:
        regions = kaltara()
        result["regions"] = [
            {
                "level": by,
                "kode": code,
                "nama": _region_name(regions.find(code), code),
                **view,
            }
            for code, view in sorted(views[by].items(), key=lambda kv: str(kv[0]))
            if code is not None
        ]
    return result


def _region_name(region: Region | None, code: str) -> str:
    return region.nama if region is not None else code


def _views(ctx: Ctx, group: str | None) -> dict[Key, dict[str, Any]]:
    """Every view for the province (``group`` None) or per region of ``group``; with a
    group, the key None holds the programme figures of units in no region (not in S)."""
    overlap = overlap_view(ctx, group)
    gaps, poor, families, cells = gap_view(ctx, group)
    programmes = programme_view(ctx, group)
    out: dict[Key, dict[str, Any]] = {}
    if group is not None and None in programmes:
        out[None] = {"programmes": programmes[None]}
    for g in families:
        out[g] = {
            "families": families[g]["families"],
            "overlap": overlap.at(g),
            "gaps": gaps.at(g),
            "poor": poor.at(g),
            "dimension_agency": cells.get(g, []),
            "programmes": programmes.at(g),
        }
    return out


def _province(ctx: Ctx, regions: dict[Key, dict[str, Any]]) -> dict[str, Any]:
    """The province figures from the regions': every family lives in exactly one region,
    so family counts add up; only the priority skipped (its cut-off rank is the province's
    own) and the rows waiting for review are asked of the engine again."""
    # the regions first (the units in none only add programme figures, keys stay in order)
    parts = [regions[g] for g in sorted(regions, key=lambda k: (k is None, str(k)))]
    total: dict[str, Any] = _sum(parts)
    total["overlap"]["concentration"]["threshold"] = ctx.concentration
    total["overlap"]["by_agency_pair"].sort(key=lambda p: (-p["families"], p["agencies"]))
    order = {d: i for i, d in enumerate(ctx.base.dims)}
    total["dimension_agency"].sort(key=lambda x: (order[x["dimension"]], x["agency"]))
    out = Slots(lambda: total["programmes"])
    for s in total["programmes"].values():
        s["priority_skipped"] = 0
        s["pending_review"] = 0
    priority_skipped(ctx, ctx.hits, None, out)
    pending_rows(ctx, out)
    rates(total["programmes"])
    return total


def _sum(values: list[Any]) -> Any:
    """Same-shaped views added up: numbers summed, mappings key by key, lists of cells
    (``families`` beside the cell's names) cell by cell; text and rates kept."""
    first = values[0]
    if isinstance(first, bool) or not isinstance(first, int | dict | list):
        return first
    if isinstance(first, int):
        return sum(values)
    if isinstance(first, dict):
        keys = list(dict.fromkeys(k for v in values for k in v))
        return {k: _sum([v[k] for v in values if k in v]) for k in keys}
    if not any(isinstance(item, dict) for v in values for item in v):
        return first
    cells: dict[str, dict[str, Any]] = {}
    for v in values:
        for item in v:
            name = repr(sorted((k, str(x)) for k, x in item.items() if k != "families"))
            if name in cells:
                cells[name]["families"] += item["families"]
            else:
                cells[name] = dict(item)
    return list(cells.values())


def _warnings(
    catalog: Catalog, year: int, snapshot: int, sources: list[Source], known: dict[str, Programme]
) -> list[str]:
    """Sentences about what the reader must know: the reference, unknown programmes."""
    out: list[str] = []
    ref = catalog.reference(year)
    if ref is None:
        out.append(
            f"Tahun {year} belum punya snapshot acuan (padu register reference); "
            "semua sumber ditandai bukan acuan."
        )
    elif ref.snapshot_id != snapshot:
        out.append(
            f"Snapshot {snapshot} bukan acuan tahun {year} (acuan: snapshot {ref.snapshot_id})."
        )
    for s in sources:
        if s.programme not in known:
            out.append(
                f"{_name(s)} untuk program {s.programme} yang tidak ada di daftar program; "
                "tidak dihitung."
            )
        elif not s.counted:
            out.append(
                f"{_name(s)} program {s.programme} digantikan daftar tertaut #{s.replaced_by} "
                "(berkas yang sama, nama atau isinya); tidak dihitung."
            )
        elif ref is not None and s.off_reference:
            out.append(
                f"{_name(s)} program {s.programme} ditarik dari snapshot {s.snapshot}, "
                f"bukan acuan tahun {year} (snapshot {ref.snapshot_id})."
            )
    return out


def _name(s: Source) -> str:
    if s.kind == "adoption":
        return f"Adopsi #{s.id}"
    return f"Daftar tertaut #{s.id} ({s.file})"
