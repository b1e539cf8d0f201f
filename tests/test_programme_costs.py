"""Per-unit costs and budget cuts on a hand-built register (issue 12).

Five families in one desa of Bulungan, written by hand so that each family's components
are plain: a family of five children at every school level (five components, of which
PKH pays at most four: the four largest), a grandmother of 75 with a severe disability
(the first component she meets counts, once), a family with one toddler, a family with
no component and a family above the programme's desil. The amounts are the test's own,
chosen so that every sum is distinct; the presets carry the real ones with their sources.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from padu.programmes.model import CostComponent, Programme
from padu.programmes.targeting import KK, NIK, draw_target_list, unit_costs
from tests.conftest import HAND_DESA, SNAPSHOT_DATE, Stores, import_files, write_csv_register

DESA = HAND_DESA
AUD, SD, SMP, SMA, DIS, LANSIA = 3_000_000, 900_000, 1_500_000, 2_000_000, 2_400_000, 2_100_000


def _age(years: int) -> str:
    """A birth date that makes a member ``years`` old on the snapshot date."""
    return dt.date(SNAPSHOT_DATE.year - years, 1, 2).isoformat()


def _kk(i: int) -> str:
    return f"650101020326{i:04d}"


def _nik(i: int, j: int, years: int) -> str:
    """A well-formed NIK: kecamatan, birth date (2 January), family and member number."""
    return f"6501010201{(SNAPSHOT_DATE.year - years) % 100:02d}{i:02d}{j:02d}"


# (desil, [(age, severe disability)]): the head first
FAMILIES = {
    1: (1, [(40, False), (3, False), (8, False), (10, False), (14, False), (17, False)]),
    2: (2, [(45, False), (75, True)]),
    3: (3, [(30, False), (5, False)]),
    4: (4, [(50, False)]),
    5: (6, [(35, False), (2, False)]),
}


def _write(folder: Path) -> list[Path]:
    folder.mkdir()
    kel, ind = [], []
    for i, (desil, members) in FAMILIES.items():
        kel.append(
            {
                KK: _kk(i),
                "nama_anggota_keluarga": f"Kepala {i}",
                "jumlah_anggota_keluarga": str(len(members)),
                "alamat": f"RT 00{i}",
                "desil_nasional": str(desil),
                **DESA,
            }
        )
        for j, (age, disabled) in enumerate(members):
            ind.append(
                {
                    NIK: _nik(i, j, age),
                    KK: _kk(i),
                    "nama": f"Anggota {i}-{j}",
                    "jenis_kelamin": "1",
                    "tanggal_lahir": _age(age),
                    "status_hubungan_keluarga": "1" if j == 0 else "3",
                    "penglihatan": "1" if disabled else "4",
                }
            )
    return write_csv_register(folder, kel, ind)


@pytest.fixture
def hand_snapshot(stores: Stores, tmp_path: Path) -> int:
    return int(import_files(stores, *_write(tmp_path / "register")).snapshot)


def _ages(low: int, high: int) -> str:
    return f"umur(tanggal_lahir) >= {low} dan umur(tanggal_lahir) <= {high}"


COMPONENTS = (
    CostComponent("AUD", "Anak usia dini", AUD, "umur(tanggal_lahir) <= 6"),
    CostComponent("SD", "SD", SD, _ages(7, 12)),
    CostComponent("SMP", "SMP", SMP, _ages(13, 15)),
    CostComponent("SMA", "SMA", SMA, _ages(16, 18)),
    CostComponent("DIS", "Disabilitas berat", DIS, "penglihatan = 1"),
    CostComponent("LANSIA", "Lanjut usia", LANSIA, "umur(tanggal_lahir) >= 70"),
)
PKH = Programme(
    code="PKH-UJI",
    name="PKH uji",
    agency="KEMENSOS",
    dimensions=("pendapatan",),
    unit="keluarga",
    rule="desil_nasional <= 4",
    fiscal_year=2026,
    funding="APBN",
    cost_components=COMPONENTS,
    max_components=4,
)


def _listed(drawn: object) -> list[dict[str, object]]:
    return drawn.rows.to_pylist()  # type: ignore[attr-defined, no-any-return]


def test_a_family_pays_its_largest_components_and_a_member_counts_once(
    stores: Stores, hand_snapshot: int
) -> None:
    drawn = draw_target_list(stores.warehouse, stores.catalog, PKH, 1, hand_snapshot)
    rows = {r[KK]: r for r in _listed(drawn)}
    assert list(rows) == [_kk(1), _kk(2), _kk(3), _kk(4)]  # rank order, desil 6 not eligible
    # five children, at most four components: the smaller SD child is the one left out
    assert rows[_kk(1)]["biaya"] == AUD + SMA + SMP + SD
    assert rows[_kk(1)]["komponen"] == "Anak usia dini 1; SD 1; SMP 1; SMA 1"
    # aged 75 and severely disabled: the first component listed (disability), not both
    assert rows[_kk(2)]["biaya"] == DIS and rows[_kk(2)]["komponen"] == "Disabilitas berat 1"
    assert rows[_kk(3)]["biaya"] == AUD and rows[_kk(3)]["komponen"] == "Anak usia dini 1"
    assert rows[_kk(4)]["biaya"] == 0 and rows[_kk(4)]["komponen"] == ""
    assert drawn.cost == sum(r["biaya"] for r in rows.values())  # type: ignore[misc]
    assert drawn.summary()["cost"] == drawn.cost and drawn.selected == drawn.eligible == 4
    # without a cap all five count; with the elder listed first she counts as an elder
    uncapped = dataclasses.replace(PKH, max_components=None)
    rows = {
        r[KK]: r
        for r in _listed(
            draw_target_list(stores.warehouse, stores.catalog, uncapped, 1, hand_snapshot)
        )
    }
    assert rows[_kk(1)]["biaya"] == AUD + SMA + SMP + 2 * SD
    assert rows[_kk(1)]["komponen"] == "Anak usia dini 1; SD 2; SMP 1; SMA 1"
    elder_first = dataclasses.replace(PKH, cost_components=(COMPONENTS[5], *COMPONENTS[:5]))
    drawn = draw_target_list(stores.warehouse, stores.catalog, elder_first, 1, hand_snapshot)
    rows = {r[KK]: r for r in _listed(drawn)}
    assert rows[_kk(2)]["biaya"] == LANSIA and rows[_kk(2)]["komponen"] == "Lanjut usia 1"


def test_a_budget_buys_families_in_rank_order(stores: Stores, hand_snapshot: int) -> None:
    costs = [AUD + SMA + SMP + SD, DIS, AUD, 0]  # families 1-4 in rank order
    running = [sum(costs[: n + 1]) for n in range(len(costs))]
    for budget, bought in (
        (running[1], 2),  # exactly two families
        (running[1] - 1, 1),
        (running[2] - 1, 2),  # the third does not fit, and the free fourth is not skipped to
        (running[3], 4),
        (costs[0] - 1, 0),
    ):
        cut = dataclasses.replace(PKH, budget=budget)
        drawn = draw_target_list(stores.warehouse, stores.catalog, cut, 1, hand_snapshot)
        assert drawn.selected == bought, budget
        assert [r[KK] for r in _listed(drawn)] == [_kk(i) for i in range(1, bought + 1)]
        assert drawn.cost == sum(costs[:bought]) <= budget
        assert drawn.eligible == 4
    both = dataclasses.replace(PKH, budget=running[3], quota=3)
    assert draw_target_list(stores.warehouse, stores.catalog, both, 1, hand_snapshot).selected == 3


def test_a_flat_cost_is_the_budget_divided_by_the_unit_cost(
    stores: Stores, hand_snapshot: int
) -> None:
    flat = dataclasses.replace(PKH, cost_components=(), max_components=None, unit_cost=1_000_000)
    for budget in (0, 999_999, 1_000_000, 2_500_000, 4_000_000, 9_000_000):
        drawn = draw_target_list(
            stores.warehouse,
            stores.catalog,
            dataclasses.replace(flat, budget=budget),
            1,
            hand_snapshot,
        )
        assert drawn.selected == min(4, budget // 1_000_000), budget
        assert drawn.cost == drawn.selected * 1_000_000
        assert [r["biaya"] for r in _listed(drawn)] == [1_000_000] * drawn.selected
        assert "komponen" not in drawn.rows.column_names


def test_a_person_programme_costs_each_person_by_the_first_component(
    stores: Stores, hand_snapshot: int
) -> None:
    pip = Programme(
        code="PIP-UJI",
        name="PIP uji",
        agency="KEMENDIKDASMEN",
        dimensions=("pendidikan",),
        unit="individu",
        rule="desil_nasional <= 4",
        member_rule=_ages(6, 18),
        fiscal_year=2026,
        funding="APBN",
        cost_components=COMPONENTS[1:4],
    )
    drawn = draw_target_list(stores.warehouse, stores.catalog, pip, 1, hand_snapshot)
    got = [(r[NIK], r["biaya"], r["komponen"]) for r in _listed(drawn)]
    want = [
        (_nik(1, j, age), amount, label)
        for j, age, amount, label in (
            (2, 8, SD, "SD"),
            (3, 10, SD, "SD"),
            (4, 14, SMP, "SMP"),
            (5, 17, SMA, "SMA"),
        )
    ]
    assert sorted(got) == sorted(want)
    assert drawn.cost == SD + SD + SMP + SMA
    first = [r["biaya"] for r in _listed(drawn)]
    budget = first[0] + first[1]
    cut = draw_target_list(
        stores.warehouse, stores.catalog, dataclasses.replace(pip, budget=budget), 1, hand_snapshot
    )
    assert [r[NIK] for r in _listed(cut)] == [r[NIK] for r in _listed(drawn)][:2]
    assert cut.cost == budget


AGES = {"AUD": (0, 6), "SD": (7, 12), "SMP": (13, 15), "SMA": (16, 18), "LANSIA": (70, 120)}
Member = tuple[str, int, bool]  # KK, age, severe disability


@st.composite
def _cases(draw: st.DrawFn) -> tuple[list[Member], tuple[CostComponent, ...], int | None]:
    """Members (KK, age, severe disability; some repeated), components in a random order
    with amounts that tie, and a cap."""
    members = []
    for i in range(draw(st.integers(1, 6))):
        for _ in range(draw(st.integers(1, 7))):
            member = (_kk(i), draw(st.integers(0, 90)), draw(st.booleans()))
            members += [member] * draw(st.sampled_from([1, 1, 1, 2]))
    codes = draw(st.permutations([*AGES, "DIS"]))
    components = tuple(
        CostComponent(
            code,
            code,
            draw(st.sampled_from([100_000, 200_000, 300_000])),
            "penglihatan = 1" if code == "DIS" else _ages(*AGES[code]),
        )
        for code in codes
    )
    return members, components, draw(st.sampled_from([None, 1, 2, 4]))


def _reference(
    members: list[Member], components: tuple[CostComponent, ...], cap: int | None
) -> dict[str, tuple[int, str]]:
    """Per family with a component: its cost and component text, computed in Python."""

    def first(age: int, disabled: bool) -> int | None:
        for i, c in enumerate(components):
            low, high = AGES.get(c.code, (0, -1))
            if (c.code == "DIS" and disabled) or low <= age <= high:
                return i
        return None

    per: dict[str, list[tuple[int, int]]] = {}
    for kk, age, disabled in dict.fromkeys(members):  # a repeated member counts once
        i = first(age, disabled)
        if i is not None:
            per.setdefault(kk, []).append((-components[i].amount, i))
    out = {}
    for kk, found in per.items():
        counted = sorted(found)[:cap] if cap else found
        counts = {i: sum(1 for _, j in counted if j == i) for i in range(len(components))}
        text = "; ".join(f"{components[i].label} {n}" for i, n in counts.items() if n)
        out[kk] = (-sum(a for a, _ in counted), text)
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(case=_cases())
def test_engine_costs_equal_a_python_reference(stores: Stores, case) -> None:  # type: ignore[no-untyped-def]
    members, components, cap = case
    nik = {m: f"650101{j:010d}" for j, m in enumerate(dict.fromkeys(members))}  # a copy: same NIK
    table = pa.table(
        {
            KK: [m[0] for m in members],
            NIK: [nik[m] for m in members],
            "nama": [f"Anggota {nik[m]}" for m in members],
            "tanggal_lahir": [dt.date.fromisoformat(_age(m[1])) for m in members],
            "penglihatan": ["1" if m[2] else "4" for m in members],
            "kualitas": [""] * len(members),
        }
    )
    pkh = dataclasses.replace(PKH, cost_components=components, max_components=cap)
    expr = unit_costs(pkh, ibis.memtable(table), SNAPSHOT_DATE)
    got = stores.warehouse.con.to_pyarrow(expr).to_pylist()
    assert {r["_ckk"]: (r["biaya"], r["komponen"]) for r in got} == _reference(
        members, components, cap
    )
