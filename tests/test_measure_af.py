"""Alkire-Foster: the published worked example, exact ties, and a plain-Python reference."""

from __future__ import annotations

import json
import uuid
from fractions import Fraction as F
from pathlib import Path

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from padu.cli import main
from padu.measure import Dimension, alkire_foster
from tests.conftest import Stores

# Alkire & Foster (2011), J. Public Economics 95:476-487: achievements and cut-offs
Y = [[13.1, 14, 4, 1], [15.2, 7, 5, 0], [12.5, 10, 1, 0], [20, 11, 3, 1]]
Z = (13, 12, 3, 1)


def _table(columns: dict[str, list[int | None]], con: object | None = None) -> object:
    con = con or ibis.duckdb.connect()
    name = f"t_{uuid.uuid4().hex[:8]}"
    schema = pa.schema(
        [(c, pa.int64()) for c in columns if c != "g"]
        + ([("g", pa.string())] if "g" in columns else [])
    )
    return con.create_table(name, pa.table(columns, schema=schema))  # type: ignore[attr-defined]


@pytest.fixture
def af_example() -> object:
    return _table({f"d{j}": [int(row[j] < Z[j]) for row in Y] for j in range(4)})


def test_worked_example_k2(af_example: object) -> None:
    dims = [Dimension(f"d{j}", F(1)) for j in range(4)]
    r = alkire_foster(af_example, dims, F(2, 4)).overall
    assert (r.H, r.A, r.M0) == (F(1, 2), F(3, 4), F(3, 8))
    assert [r.censored[f"d{j}"] for j in range(4)] == [F(1, 4), F(1, 2), F(1, 4), F(1, 2)]
    assert sum(r.contribution.values()) == 1


def test_worked_example_union_and_intersection(af_example: object) -> None:
    dims = [Dimension(f"d{j}", F(1)) for j in range(4)]
    assert alkire_foster(af_example, dims, F(1, 4)).overall.M0 == F(7, 16)
    assert alkire_foster(af_example, dims, F(1)).overall.M0 == F(1, 4)


def test_ties_at_the_cutoff_are_exact() -> None:
    # three sixths make exactly one half; one third makes exactly k = 1/3
    t = _table({"a": [1, 1, 0], "b": [1, 0, 0], "c": [1, 0, 0], "d": [0, 0, 1], "e": [0, 0, 0]})
    dims = [
        Dimension("a", F(1, 6)),
        Dimension("b", F(1, 6)),
        Dimension("c", F(1, 6)),
        Dimension("d", F(1, 3)),
        Dimension("e", F(1, 6)),
    ]
    r = alkire_foster(t, dims, F(1, 2)).overall
    assert r.q == 1 and r.H == F(1, 3)
    r = alkire_foster(t, dims, F(1, 3)).overall
    assert r.q == 2  # the unit deprived only in d (weight 1/3) is poor at k = 1/3
    assert alkire_foster(t, dims, F(1, 3) + F(1, 10**9)).overall.q == 1


def test_person_based_figures_weight_each_family_by_its_members() -> None:
    t = _table({"x": [1, 0], "size": [5, 1]})
    r = alkire_foster(t, [Dimension("x", F(1))], F(1), unit_weight="size").overall
    assert (r.n, r.q, r.H) == (6, 5, F(5, 6))


def test_missing_data_policies() -> None:
    t = _table({"x": [1, None, 0], "y": [1, 1, 0]})
    dims = [Dimension("x", F(1)), Dimension("y", F(1))]
    ex = alkire_foster(t, dims, F(1), missing="exclude").overall
    assert (ex.n, ex.missing, ex.q) == (2, 1, 1)
    assert alkire_foster(t, dims, F(1), missing="deprived").overall.n == 3
    assert alkire_foster(t, dims, F(1), missing="deprived").overall.q == 2
    assert alkire_foster(t, dims, F(1), missing="not_deprived").overall.q == 1


def _reference(
    rows: list[list[int | None]], groups: list[str], weights: list[F], k: F
) -> dict[str, tuple[F, F, F]]:
    """Plain Python: H, A, M0 per group and overall (missing -> excluded)."""
    total = sum(weights)
    w = [x / total for x in weights]
    out: dict[str, tuple[F, F, F]] = {}
    for g in [None, *sorted(set(groups))]:
        sel = [
            r
            for r, gg in zip(rows, groups, strict=True)
            if (g is None or gg == g) and None not in r
        ]
        scores = [sum((wi for wi, d in zip(w, r, strict=True) if d), F(0)) for r in sel]
        poor = [s for s in scores if s >= k]
        n = len(sel)
        h = F(len(poor), n) if n else F(0)
        a = sum(poor, F(0)) / len(poor) if poor else F(0)
        out["*" if g is None else g] = (h, a, h * a)
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_engine_equals_plain_python_reference(stores: Stores, data: st.DataObject) -> None:
    m = data.draw(st.integers(1, 5), label="indicators")
    n = data.draw(st.integers(1, 25), label="units")
    cell = (
        st.one_of(st.just(None), st.integers(0, 1))
        if data.draw(st.booleans(), label="nulls")
        else st.integers(0, 1)
    )
    rows = [[data.draw(cell) for _ in range(m)] for _ in range(n)]
    groups = [data.draw(st.sampled_from(["a", "b", "c"])) for _ in range(n)]
    weights = [F(data.draw(st.integers(1, 6)), data.draw(st.integers(1, 6))) for _ in range(m)]
    total = sum(weights)
    # k at a possible score (a tie), or just beside one
    subset = data.draw(st.lists(st.integers(0, m - 1), min_size=1, max_size=m, unique=True))
    tie = sum((weights[i] for i in subset), F(0)) / total
    k = data.draw(
        st.sampled_from([tie, tie - F(1, 997), tie + F(1, 997)]).filter(lambda x: 0 < x <= 1)
    )
    cols = {f"d{i}": [r[i] for r in rows] for i in range(m)}
    cols["g"] = groups  # type: ignore[assignment]
    table = _table(cols, stores.warehouse.con)
    got = alkire_foster(table, [Dimension(f"d{i}", weights[i]) for i in range(m)], k, by="g")
    want = _reference(rows, groups, weights, k)
    assert (got.overall.H, got.overall.A, got.overall.M0) == want["*"]
    for g, res in got.groups.items():
        assert (res.H, res.A, res.M0) == want[g]


def test_mpi_file_command_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "af.csv"
    lines = ["orang,kel,d0,d1,d2,d3"] + [
        f"{i},{'x' if i < 2 else 'y'}," + ",".join(str(int(row[j] < Z[j])) for j in range(4))
        for i, row in enumerate(Y)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(
        [
            "--json",
            "mpi",
            "file",
            str(path),
            *[a for j in range(4) for a in ("--indicator", f"d{j}=1/4")],
            "--k",
            "1/2",
            "--by",
            "kel",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (
        out["overall"]["M0"] == 0.375 and out["overall"]["H"] == 0.5 and out["overall"]["A"] == 0.75
    )
    assert out["overall"]["censored"] == {"d0": 0.25, "d1": 0.5, "d2": 0.25, "d3": 0.5}
    assert set(out["overall"]["contribution"]) == {"d0", "d1", "d2", "d3"}
    assert out["groups"]["x"]["H"] == 0.5 and out["groups"]["y"]["H"] == 0.5


def test_mpi_file_rejects_values_that_are_not_0_or_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("a,b\n1,0\n2,1\n", encoding="utf-8")
    code = main(
        [
            "--json",
            "mpi",
            "file",
            str(path),
            "--indicator",
            "a=1",
            "--indicator",
            "b=1",
            "--k",
            "0.5",
        ]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 1 and "a" in out["first_problems"][0] and "baris 3" in out["first_problems"][0]
