"""The Alkire-Foster (2011) adjusted headcount ratio, exact at the poverty cut-off.

Weights and the cut-off *k* are fractions. They are scaled to integers by their least
common denominator, so every unit's deprivation score is an integer computed by the engine
and "poor iff score >= k" involves no floating point: weights like 1/3 and 1/6 never push a
unit across the line. The engine returns integer sums per group (a handful of rows); the
ratios H, A, M0, headcounts and contributions are then exact fractions.

Units are families or persons; with ``unit_weight`` (for example the number of members of
a family) every sum is weighted, which gives person-based figures from family rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import ibis

from padu.errors import InputError

MissingPolicy = Literal["exclude", "not_deprived", "deprived"]
MISSING_POLICIES: tuple[MissingPolicy, ...] = ("exclude", "not_deprived", "deprived")


def parse_fraction(text: str | float | Fraction, what: str = "nilai") -> Fraction:
    """``"1/6"``, ``"0.25"`` or ``0.25`` as an exact fraction (decimals read as written)."""
    try:
        value = Fraction(str(text).strip())
    except (ValueError, ZeroDivisionError):
        raise InputError(f"{what} harus angka desimal atau pecahan seperti 1/6: {text!r}") from None
    return value


@dataclass(frozen=True)
class Dimension:
    """One deprivation indicator: a 0/1 column (NULL = missing) and its weight."""

    column: str
    weight: Fraction


@dataclass
class GroupResult:
    """Alkire-Foster figures for one group (or the whole population)."""

    n: int  # units (or weighted units) counted
    q: int  # of which poor
    missing: int  # units with a missing indicator (left out under the policy "exclude")
    H: Fraction
    A: Fraction
    M0: Fraction
    uncensored: dict[str, Fraction] = field(default_factory=dict)
    censored: dict[str, Fraction] = field(default_factory=dict)
    contribution: dict[str, Fraction] = field(default_factory=dict)  # share of M0
    contribution_absolute: dict[str, Fraction] = field(default_factory=dict)  # w_j x CH_j

    def to_dict(self, exact: bool = False) -> dict[str, Any]:
        def num(x: Fraction) -> float | str:
            return str(x) if exact else float(x)

        return {
            "n": self.n,
            "q": self.q,
            "missing_data_units": self.missing,
            "H": num(self.H),
            "A": num(self.A),
            "M0": num(self.M0),
            "uncensored": {k: num(v) for k, v in self.uncensored.items()},
            "censored": {k: num(v) for k, v in self.censored.items()},
            "contribution": {k: num(v) for k, v in self.contribution.items()},
            "contribution_absolute": {k: num(v) for k, v in self.contribution_absolute.items()},
        }


@dataclass
class AFResult:
    """The overall figures and, with ``by``, the figures of every group."""

    k: Fraction
    weights: dict[str, Fraction]
    overall: GroupResult
    groups: dict[str, GroupResult] = field(default_factory=dict)

    def to_dict(self, exact: bool = False) -> dict[str, Any]:
        return {
            "k": str(self.k),
            "weights": {c: str(w) for c, w in self.weights.items()},
            "overall": self.overall.to_dict(exact),
            "groups": {g: r.to_dict(exact) for g, r in self.groups.items()},
        }


def _normalised(dims: Sequence[Dimension]) -> dict[str, Fraction]:
    if not dims:
        raise InputError("ukuran membutuhkan minimal satu indikator")
    seen = [d.column for d in dims]
    if len(set(seen)) != len(seen):
        raise InputError(
            f"indikator ganda: {', '.join(sorted({c for c in seen if seen.count(c) > 1}))}"
        )
    if any(d.weight <= 0 for d in dims):
        raise InputError("bobot indikator harus lebih dari 0")
    total = sum((d.weight for d in dims), Fraction(0))
    return {d.column: d.weight / total for d in dims}


@dataclass(frozen=True)
class _Scores:
    """Engine expressions shared by every computation: integer scores on a common scale."""

    scale: int
    weights: dict[str, Fraction]
    any_missing: Any  # boolean: a unit with a NULL indicator
    dep: dict[str, Any]  # 0/1 per indicator after the missing-data policy
    score: Any  # integer numerator of the score over ``scale``
    counted: Any  # the unit's weight, 0 when the policy excludes it
    unit: Any  # the unit's weight (1, or the ``unit_weight`` column)


def _scores(
    t: Any,
    dims: Sequence[Dimension],
    *,
    k: Fraction | None = None,
    unit_weight: str | None = None,
    missing: MissingPolicy = "exclude",
) -> _Scores:
    if missing not in MISSING_POLICIES:
        raise InputError(
            f"kebijakan data hilang harus salah satu dari {', '.join(MISSING_POLICIES)}"
        )
    weights = _normalised(dims)
    absent = [c for c in [*weights, *([unit_weight] if unit_weight else [])] if c not in t.columns]
    if absent:
        raise InputError(f"kolom tidak ada: {', '.join(absent)}")
    scale = math.lcm(*([k.denominator] if k else []), *(w.denominator for w in weights.values()))
    cols = list(weights)
    any_missing = t[cols[0]].isnull()
    for c in cols[1:]:
        any_missing = any_missing | t[c].isnull()
    fill = 1 if missing == "deprived" else 0
    # ifelse, not a cast: PostgreSQL cannot cast boolean to bigint
    dep = {c: ibis.ifelse(t[c].fill_null(fill) != 0, 1, 0).cast("int64") for c in cols}
    score = ibis.literal(0).cast("int64")
    for c in cols:
        score = score + dep[c] * int(weights[c] * scale)
    u = t[unit_weight].cast("int64") if unit_weight else ibis.literal(1).cast("int64")
    counted = ibis.ifelse(any_missing, 0 if missing == "exclude" else u, u).cast("int64")
    return _Scores(scale, weights, any_missing, dep, score, counted, u)


def unit_table(table: Any, sc: _Scores, *, group: Any = None, cut: int | None = None) -> Any:
    """One row per unit with plain columns: ``_group`` (with ``group``), ``_w`` (the weight
    counted), ``_m`` (the weight of a unit with a missing indicator), ``_d0``.. (0/1 after
    the missing-data policy), ``_score`` and, with ``cut`` (k on the common scale), ``_p``.

    Each column is defined once, in nested projections, and the aggregations sum products
    of these columns: the SQL names every indicator once instead of once per output column.
    (PostgreSQL may still substitute the projections into the sums, so the indicators
    should be cheap columns, not rule expressions: see padu.measure.snapshot.deprivations.)
    """
    cols = list(sc.weights)
    first: dict[str, Any] = {} if group is None else {"_group": group}
    first["_w"] = sc.counted
    first["_m"] = ibis.ifelse(sc.any_missing, sc.unit, 0).cast("int64")
    first.update({f"_d{i}": sc.dep[c] for i, c in enumerate(cols)})
    units = table.select(**first)
    score = ibis.literal(0).cast("int64")
    for i, c in enumerate(cols):
        score = score + units[f"_d{i}"] * int(sc.weights[c] * sc.scale)
    units = units.mutate(_score=score)
    if cut is not None:
        units = units.mutate(_p=ibis.ifelse(units._score >= cut, 1, 0).cast("int64"))
    return units


def af_sums(
    table: Any,
    dims: Sequence[Dimension],
    k: Fraction,
    *,
    by: str | None = None,
    unit_weight: str | None = None,
    missing: MissingPolicy = "exclude",
) -> Any:
    """The one engine query of :func:`alkire_foster`: integer sums per group (``_group``
    with ``by``), or one row without it. Public so the SQL it compiles to can be checked."""
    if not 0 < k <= 1:
        raise InputError(f"k harus di antara 0 (tidak termasuk) dan 1: {k}")
    if by and by not in table.columns:
        raise InputError(f"kolom tidak ada: {by}")
    sc = _scores(table, dims, k=k, unit_weight=unit_weight, missing=missing)
    t = unit_table(table, sc, group=table[by].cast("string") if by else None, cut=int(k * sc.scale))
    metrics: dict[str, Any] = {
        "_n": t._w.sum(),
        "_missing": t._m.sum(),
        "_q": (t._w * t._p).sum(),
        "_s": (t._w * t._p * t._score).sum(),
    }
    for i in range(len(sc.weights)):
        metrics[f"_u{i}"] = (t._w * t[f"_d{i}"]).sum()
        metrics[f"_c{i}"] = (t._w * t._p * t[f"_d{i}"]).sum()
    return t.group_by("_group").aggregate(**metrics) if by else t.aggregate(**metrics)


def alkire_foster(
    table: Any,
    dims: Sequence[Dimension],
    k: Fraction,
    *,
    by: str | None = None,
    unit_weight: str | None = None,
    missing: MissingPolicy = "exclude",
) -> AFResult:
    """H, A, M0, headcounts and contributions of ``table`` (an Ibis table of 0/1 columns).

    Weights are normalised to sum to 1; ``k`` is a share of that total (0 < k <= 1).
    """
    query = af_sums(table, dims, k, by=by, unit_weight=unit_weight, missing=missing)
    weights = _normalised(dims)
    scale = math.lcm(k.denominator, *(w.denominator for w in weights.values()))
    cols = list(weights)
    w_int = {c: int(w * scale) for c, w in weights.items()}
    rows = query.to_pyarrow().to_pylist()
    if not by:
        return AFResult(k=k, weights=weights, overall=_ratios(rows[0], cols, w_int, scale))
    # one query: the sums are additive, so the overall row is the sum of the group rows
    sums = [m for m in query.columns if m != "_group"]
    overall = {m: sum(int(r[m] or 0) for r in rows) for m in sums}
    result = AFResult(k=k, weights=weights, overall=_ratios(overall, cols, w_int, scale))
    for row in sorted(rows, key=lambda r: (r["_group"] is None, r["_group"] or "")):
        name = row["_group"] if row["_group"] is not None else "(kosong)"
        result.groups[name] = _ratios(row, cols, w_int, scale)
    return result


def _ratios(row: dict[str, Any], cols: list[str], w_int: dict[str, int], scale: int) -> GroupResult:
    n, q, s = int(row["_n"] or 0), int(row["_q"] or 0), int(row["_s"] or 0)

    def share(x: int, of: int) -> Fraction:
        return Fraction(x, of) if of else Fraction(0)

    out = GroupResult(
        n=n,
        q=q,
        missing=int(row["_missing"] or 0),
        H=share(q, n),
        A=share(s, q * scale),
        M0=share(s, n * scale),
    )
    for i, c in enumerate(cols):
        unc, cen = int(row[f"_u{i}"] or 0), int(row[f"_c{i}"] or 0)
        out.uncensored[c] = share(unc, n)
        out.censored[c] = share(cen, n)
        out.contribution[c] = share(w_int[c] * cen, s)
        out.contribution_absolute[c] = share(w_int[c] * cen, n * scale)
    return out


@dataclass
class ScoreDistribution:
    """Units by exact score (missing units left out as the policy says); ``total`` = n."""

    counts: dict[Fraction, int]
    total: int


def score_distribution(
    table: Any,
    dims: Sequence[Dimension],
    *,
    unit_weight: str | None = None,
    missing: MissingPolicy = "exclude",
) -> ScoreDistribution:
    """How many (weighted) units have each score: one grouped query, exact scores."""
    sc = _scores(table, dims, unit_weight=unit_weight, missing=missing)
    t = unit_table(table, sc)
    rows = t.group_by("_score").aggregate(_n=t._w.sum()).to_pyarrow().to_pylist()
    counts = {Fraction(int(r["_score"]), sc.scale): int(r["_n"] or 0) for r in rows}
    return ScoreDistribution(counts, sum(counts.values()))


def scored(
    table: Any, dims: Sequence[Dimension], k: Fraction, *, missing: MissingPolicy = "exclude"
) -> Any:
    """``table`` with each unit's exact score (``skor_numerator`` over the common scale, and
    ``skor`` as a decimal for reading) and its poverty status ``miskin`` (NULL if excluded)."""
    sc = _scores(table, dims, k=k, missing=missing)
    score, scale, any_missing = sc.score, sc.scale, sc.any_missing
    t = table
    poor = score >= int(k * scale)
    excluded = any_missing if missing == "exclude" else ibis.literal(False)
    return t.mutate(
        skor_numerator=score,
        skor=score.cast("float64") / scale,
        miskin=ibis.ifelse(excluded, ibis.null().cast("boolean"), poor),
    )
