"""Convergence views against an independent recomputation on the synthetic register.

The small synthetic register with the Kaltara 2026 presets: every programme's list drawn
and adopted, three noisy agency lists linked (one of them twice, which replaces the first
link), a few review rows decided after the link. ``padu.convergence.convergence`` must
agree with the plain-Python recomputation of tests/convergence_reference.py on every key,
for every basis, for the province and by kabupaten and desa, on DuckDB and PostgreSQL.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from padu.convergence import convergence
from padu.linkage.ledger import link_list
from padu.linkage.review import decide, review_pairs
from padu.programmes import preset_workshop
from padu.programmes.adopt import adopt_target_list
from padu.programmes.store import programme, save_workshop
from padu.programmes.targeting import draw_target_list
from padu.synth.agency_list import agency_list_from_snapshot
from tests import convergence_reference as reference
from tests.conftest import Stores

ACTOR = "penguji-konvergensi"
YEAR = 2026
LISTS = (  # programme, agency, seed, rows
    ("PKH", "KEMENSOS", 21, 120),
    ("PBI-JK", "KEMENSOS", 22, 150),
    ("RTLH", "PERKIM", 23, 60),
)


def _prepare(stores: Stores, snapshot: int, tmp: Path) -> None:
    """Adopt every preset list and link the agency lists; decide some reviews after."""
    wh, cat = stores.warehouse, stores.catalog
    save_workshop(preset_workshop("kaltara-2026"), cat, actor=ACTOR)
    cat.set_reference(YEAR, snapshot, "data acuan bersama", ACTOR)
    for p in preset_workshop("kaltara-2026").programmes:
        current, version = programme(cat, p.code)
        drawn = draw_target_list(wh, cat, current, version, snapshot)
        adopt_target_list(wh, cat, drawn, actor=ACTOR)
    for code, agency, seed, size in LISTS:
        path = tmp / f"daftar-{code.lower()}.xlsx"
        agency_list_from_snapshot(wh, cat, str(snapshot), path, size=size, seed=seed, actor=ACTOR)
        runs = 2 if code == "PKH" else 1  # PKH's list linked twice: the second replaces it
        for _ in range(runs):
            run = link_list(
                wh, cat, path, programme=code, agency=agency, year=YEAR,
                snapshot=str(snapshot), actor=ACTOR,
            )  # fmt: skip
        # every other review row is decided: the first candidate is the same person
        pairs = review_pairs(wh, run.ledger)
        rows = sorted(set(pairs.get_column("row").to_list()))[::2]
        if rows:
            decide(wh, cat, run.ledger, [(r, 1, "same") for r in rows], actor="peninjau")


def _same(got: Any, want: Any, where: str, out: list[str]) -> None:
    """Add to ``out`` where ``got`` differs from ``want``: floats (rates) to 1e-9, dict keys
    and list order included."""
    if isinstance(want, float) and isinstance(got, int | float) and not isinstance(got, bool):
        if not math.isclose(got, want, rel_tol=0, abs_tol=1e-9):
            out.append(f"{where}: {got} != {want}")
    elif isinstance(want, dict):
        if not isinstance(got, dict):
            out.append(f"{where}: {got!r} != {want!r}")
            return
        if set(got) != set(want):
            out.append(f"{where}: keys {sorted(got)} != {sorted(want)}")
        for key in set(got) & set(want):
            _same(got[key], want[key], f"{where}.{key}", out)
    elif isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            out.append(f"{where}: {got!r} != {want!r}")
            return
        for i, (g, w) in enumerate(zip(got, want, strict=True)):
            _same(g, w, f"{where}[{i}]", out)
    elif got != want or type(got) is not type(want):
        out.append(f"{where}: {got!r} != {want!r}")


def _comparable(view: dict[str, Any]) -> dict[str, Any]:
    """A region's or the province's figures with the dimension x agency cells sorted (the
    contract fixes no order)."""
    out = dict(view)
    out["dimension_agency"] = sorted(
        out["dimension_agency"], key=lambda c: (c["dimension"], c["agency"])
    )
    return out


def _sources(view: dict[str, Any]) -> list[tuple[Any, ...]]:
    return sorted(
        (s["basis"], s["kind"], s["id"], s["programme"], s["snapshot"], s["rows"],
         s.get("file"), s["off_reference"], s["pelaku"], s["counted"], s.get("replaced_by"))
        for s in view["sources"]
    )  # fmt: skip


def _compare(got: dict[str, Any], want: dict[str, Any], where: str) -> list[str]:
    """Every difference between the engine's view and the recomputed one."""
    out: list[str] = []
    keys = set(want) - {"regions"}
    if not keys <= set(got):
        out.append(f"{where}: missing {sorted(keys - set(got))}")
        return out
    for key in ("year", "basis", "measure", "by", "snapshot", "programmes_without_list"):
        _same(got[key], want[key], f"{where}.{key}", out)
    if _sources(got) != _sources(want):
        out.append(f"{where}.sources: {_sources(got)} != {_sources(want)}")
    if not all(isinstance(s["dibuat"], str) and s["dibuat"] for s in got["sources"]):
        out.append(f"{where}.sources: dibuat")
    if not isinstance(got["warnings"], list):
        out.append(f"{where}.warnings: {got['warnings']!r}")
    for key in ("families", "overlap", "gaps", "poor", "dimension_agency", "programmes"):
        _same(_comparable(got)[key], _comparable(want)[key], f"{where}.{key}", out)
    if want["by"] is None:
        if got.get("regions"):
            out.append(f"{where}: regions without --by")
        return out
    regions = {r["kode"]: r for r in got["regions"]}
    wanted = {r["kode"]: r for r in want["regions"]}
    if len(regions) != len(got["regions"]) or set(regions) != set(wanted):
        out.append(f"{where}: regions {sorted(set(regions) ^ set(wanted))}")
    for kode in sorted(set(regions) & set(wanted)):
        mine, region = regions[kode], wanted[kode]
        here = f"{where}.regions[{kode}]"
        for key in ("level", "kode", "nama"):
            _same(mine[key], region[key], f"{here}.{key}", out)
        for key in ("families", "overlap", "gaps", "poor", "dimension_agency", "programmes"):
            _same(_comparable(mine)[key], _comparable(region)[key], f"{here}.{key}", out)
    return out


@pytest.mark.slow
def test_the_engine_agrees_with_the_recomputation(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    _prepare(stores, snapshot, tmp_path)
    wh, cat = stores.warehouse, stores.catalog
    world = reference.load(wh, cat, snapshot, YEAR)
    reference.load_eligible(wh, cat, world)
    # the scenario has what the views are about: pending and decided reviews, recipients
    # not in the register, a replaced ledger, several programmes on one family
    assert len(cat.ledgers(year=YEAR)) == len(LISTS) + 1 == len(world.ledgers) + 1
    realised = [r for rows in (world.rows.get(("realised", c), []) for c, *_ in LISTS)
                for r in rows]  # fmt: skip
    assert {"found", "not_found", "pending"} <= {r.status for r in realised}
    differences: list[str] = []
    # every basis for the province and by desa; by kabupaten once (the same code on a
    # coarser column, and tests/test_convergence.py checks it for every basis): the engine's
    # set-up runs on every call, and the test should stay under a minute per backend
    cases = [(b, by) for b in ("planned", "realised", "both") for by in (None, "desa")]
    for basis, by in [*cases, ("both", "kabupaten")]:
        where = f"{stores.backend} basis={basis} by={by}"
        got = convergence(wh, cat, snapshot, YEAR, basis=basis, by=by)
        want = reference.recompute(wh, cat, snapshot, YEAR, basis=basis, by=by, world=world)
        differences += _compare(got, want, where)
        if by is None:  # the views have something to count
            overlap = want["overlap"]
            assert overlap["concentration"]["distribution"]["2"] > 0, where
            assert overlap["complementary_families"] > 0, where
            assert any(p["pending_review"] for p in want["programmes"].values()) == (
                basis != "planned"
            ), where
    assert not differences, f"{len(differences)} differences:\n" + "\n".join(differences[:40])
