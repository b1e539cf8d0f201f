"""Programmes in the catalog: import a workshop (new versions where a programme changed),
read current or past versions back, export the current workshop."""

from __future__ import annotations

import json

from padu.errors import NotFound
from padu.programmes.model import Agency, CostComponent, Programme, Workshop
from padu.programmes.params import Param, as_value
from padu.stores import Catalog


def save_workshop(workshop: Workshop, catalog: Catalog, *, actor: str) -> dict[str, int]:
    """Store a checked workshop (audited as ``programme.import`` by ``actor``).

    Returns the current version of every programme in it.
    """
    return catalog.save_programmes(
        [(a.code, a.name, a.kind) for a in workshop.agencies],
        [(p.code, p.agency, p.definition()) for p in workshop.programmes],
        actor=actor,
    )


def _programme(definition: str) -> Programme:
    d = json.loads(definition)
    d["dimensions"] = tuple(d.get("dimensions", ()))
    d["regions"] = tuple(d.get("regions", ()))
    d["data_needs"] = tuple(d.get("data_needs", ()))
    d["complements"] = tuple(d.get("complements", ()))
    d["params"] = tuple(
        Param(name, as_value(spec["value"]), spec.get("label", ""), spec.get("source", ""))
        for name, spec in sorted(d.get("params", {}).items())
    )
    d["cost_components"] = tuple(CostComponent(**c) for c in d.get("cost_components", ()))
    d["tags"] = tuple(d.get("tags", ()))
    return Programme(**d)


def programme(catalog: Catalog, code: str, version: int | None = None) -> tuple[Programme, int]:
    """A programme and its version (the current one unless ``version`` is given)."""
    rows = catalog.programme_versions(code)
    if not rows:
        known = sorted({r.code for r in catalog.programme_versions()})
        raise NotFound(
            f"program {code!r} tidak ada; yang ada: {', '.join(known) or '(belum ada; impor dulu)'}"
        )
    row = rows[-1] if version is None else next((r for r in rows if r.version == version), None)
    if row is None:
        raise NotFound(f"program {code!r} tidak punya versi {version}; ada 1-{rows[-1].version}")
    return _programme(row.definition), row.version


def current_workshop(catalog: Catalog) -> tuple[Workshop, dict[str, int]]:
    """Every agency and the current version of every programme."""
    latest: dict[str, tuple[int, str]] = {}
    for r in catalog.programme_versions():
        latest[r.code] = (r.version, r.definition)
    agencies = [Agency(a.code, a.name, a.kind) for a in catalog.agencies()]
    programmes = [_programme(d) for _, d in latest.values()]
    return Workshop(agencies, programmes), {c: v for c, (v, _) in latest.items()}
