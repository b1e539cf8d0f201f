"""The family card evaluates its rules on one family's rows: the same answer as the whole
snapshot gives, on both engines.

``padu family`` and the web's Cari keluarga page evaluate the measure's indicators and
every programme's rule on the family's own rows (and its dwelling's, for
``jumlah_penghuni_rumah``), through queries compiled once (padu.convergence.assess and
prepared). These tests compare the cards of many families, chosen to cover the hard cases
(a dwelling shared by several KKs, an indicator that cannot be assessed, poor families,
person programmes, programmes limited to some regions), with the whole-snapshot tables the
convergence views and ``padu target`` use.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from padu.convergence.assess import DWELLING, with_dwelling
from padu.convergence.base import family_table
from padu.convergence.family import family_card
from padu.convergence.prepared import placeholder, run_prepared
from padu.measure.measures import get_measure
from padu.measure.snapshot import deprivation_table
from padu.programmes import preset_workshop
from padu.programmes.model import Workshop
from padu.programmes.store import save_workshop
from padu.programmes.targeting import eligible_units
from padu.register.snapshots import snapshot_table
from tests.conftest import Stores

KK = "nomor_kartu_keluarga"
YEAR = 2026
ACTOR = "penguji"
SAMPLE = 45  # families carded per engine, on top of the hard cases


def _workshop(stores: Stores, snapshot: int) -> Workshop:
    """The preset workshop and PKH-UTARA, PKH in the first family's kabupaten only,
    saved as the catalog's current workshop."""
    kel = snapshot_table(stores.warehouse, stores.catalog, snapshot, "keluarga")
    desa = kel.select("kode_kelurahan_desa").limit(1).to_pyarrow().column(0).to_pylist()[0]
    preset = preset_workshop()
    pkh = next(p for p in preset.programmes if p.code == "PKH")
    north = dataclasses.replace(pkh, code="PKH-UTARA", regions=(str(desa)[:5],))
    workshop = Workshop(preset.agencies, [*preset.programmes, north])
    save_workshop(workshop, stores.catalog, actor=ACTOR)
    return workshop


def _whole_snapshot(stores: Stores, snapshot: int, workshop: Workshop) -> dict[str, Any]:
    """Per family, what the whole-snapshot tables say: indicators, poor, eligibility."""
    wh, cat = stores.warehouse, stores.catalog
    measure = get_measure("padu-7", cat)
    ids = [i.id for i in measure.indicators]
    dep = deprivation_table(wh, cat, snapshot, measure).select(KK, *ids)
    flags = {str(r[KK]): {i: r[i] for i in ids} for r in dep.to_pyarrow().to_pylist()}
    with wh.scratch():
        table, _ = family_table(wh, cat, snapshot, measure, whole=True)
        poor = {str(r["kk"]): bool(r["poor"]) for r in table.to_pyarrow().to_pylist()}
    eligible: dict[str, set[str]] = {}
    for p in workshop.programmes:
        if p.fiscal_year != YEAR:
            continue
        units, _ = eligible_units(wh, cat, p, snapshot)
        for kk in units.select(KK).distinct().to_pyarrow().column(KK).to_pylist():
            eligible.setdefault(str(kk), set()).add(p.code)
    kel = snapshot_table(wh, cat, snapshot, "keluarga")
    homes = with_dwelling(kel).select(KK, DWELLING, "kode_kelurahan_desa").to_pyarrow()
    return {"flags": flags, "poor": poor, "eligible": eligible, "homes": homes.to_pylist()}


def _chosen(whole: dict[str, Any]) -> list[str]:
    """The hard cases, then families spread over the register, up to SAMPLE more."""
    homes = whole["homes"]
    by_home: dict[str, list[str]] = {}
    for h in homes:
        by_home.setdefault(h[DWELLING], []).append(str(h[KK]))
    shared = [kk for kks in by_home.values() if len(kks) > 1 for kk in kks]
    unknown = [kk for kk, f in whole["flags"].items() if None in f.values()]
    poor = [kk for kk, p in whole["poor"].items() if p]
    person = [kk for kk, e in whole["eligible"].items() if e & {"PBI-JK", "PIP", "PMT"}]
    pkh = [kk for kk, e in whole["eligible"].items() if "PKH" in e]
    north = [kk for kk in pkh if "PKH-UTARA" in whole["eligible"][kk]]
    south = [kk for kk in pkh if "PKH-UTARA" not in whole["eligible"][kk]]
    hard = {
        "shared": shared[:6], "unknown": unknown[:4], "poor": poor[:4], "person": person[:4],
        "in the region": north[:3], "outside the region": south[:3],
    }  # fmt: skip
    for case, kks in hard.items():
        assert kks, f"the small register has no family for the case {case!r}"
    kks = sorted(str(h[KK]) for h in homes)
    spread = kks[:: max(1, len(kks) // SAMPLE)][:SAMPLE]
    return list(dict.fromkeys([k for ks in hard.values() for k in ks] + spread))


def test_cards_equal_the_whole_snapshot(stores: Stores, snapshot: int) -> None:
    wh, cat = stores.warehouse, stores.catalog
    workshop = _workshop(stores, snapshot)
    whole = _whole_snapshot(stores, snapshot, workshop)
    chosen = _chosen(whole)
    assert len(chosen) >= 40
    year_codes = {p.code for p in workshop.programmes if p.fiscal_year == YEAR}
    for kk in chosen:
        card = family_card(wh, cat, kk, YEAR, snapshot=snapshot, actor=ACTOR)
        assert card["family"]["kk"] == kk
        deprived = {d["indicator"]: d["deprived"] for d in card["deprivations"]}
        expected = {i: None if v is None else bool(v) for i, v in whole["flags"][kk].items()}
        assert deprived == expected, kk
        assert card["family"]["poor"] is whole["poor"][kk], kk
        # no list adopted or linked: every programme it is eligible for is "not received"
        assert card["programmes"] == []
        eligible = whole["eligible"].get(kk, set()) & year_codes
        assert set(card["eligible_not_received"]) == eligible, kk
        assert card["received_not_eligible"] == []


def test_a_card_found_by_a_members_nik_is_the_same_card(stores: Stores, snapshot: int) -> None:
    wh, cat = stores.warehouse, stores.catalog
    save_workshop(preset_workshop(), cat, actor=ACTOR)
    ind = snapshot_table(wh, cat, snapshot, "individu")
    row = ind.filter(ind.kualitas.isnull()).select(KK, "nomor_induk_kependudukan").limit(1)
    member = row.to_pyarrow().to_pylist()[0]
    by_kk = family_card(wh, cat, member[KK], YEAR, snapshot=snapshot, actor=ACTOR)
    by_nik = family_card(
        wh, cat, member["nomor_induk_kependudukan"], YEAR, snapshot=snapshot, actor=ACTOR
    )
    assert by_nik["found_by"] == "nik" and by_kk["found_by"] == "kk"
    assert {k: v for k, v in by_nik.items() if k != "found_by"} == {
        k: v for k, v in by_kk.items() if k != "found_by"
    }


@pytest.mark.parametrize("value", ["x' OR '1'='1", "a\\'b", "padu-parameter-kk-c0e5a1"])
def test_a_prepared_query_takes_any_value_as_a_value(
    stores: Stores, snapshot: int, value: str
) -> None:
    wh, cat = stores.warehouse, stores.catalog
    kel = snapshot_table(wh, cat, snapshot, "keluarga")

    def build() -> Any:
        return kel.filter(kel.alamat == placeholder("alamat")).select(KK)

    assert run_prepared(wh, ("uji.alamat", snapshot), build, {"alamat": value}) == []
    some = kel.select("alamat").limit(1).to_pyarrow().column(0).to_pylist()[0]
    found = run_prepared(wh, ("uji.alamat", snapshot), build, {"alamat": some})
    assert found and all(isinstance(r[KK], str) for r in found)


def test_a_prepared_query_without_its_parameter_is_refused(stores: Stores, snapshot: int) -> None:
    kel = snapshot_table(stores.warehouse, stores.catalog, snapshot, "keluarga")
    with pytest.raises(RuntimeError, match="kk"):
        run_prepared(stores.warehouse, ("uji.tanpa", snapshot), lambda: kel.select(KK),
                     {"kk": "1"})  # fmt: skip
