"""The measures on a register snapshot: deprivation matrix, Alkire-Foster, sensitivity, change.

All of it runs in the warehouse engine: the indicator rules compile to one Ibis table with
a 0/1/NULL column per indicator (NULL when a field the rule needs is blank), which the
Alkire-Foster engine aggregates by region or by any family field.

The measures aggregate a *materialised* copy of that table (:func:`deprivations`): the rules
of Padu-7 compile to about 50 KB of CASE expressions, and the aggregation refers to every
indicator in a dozen output columns. DuckDB evaluates a repeated expression once; PostgreSQL
has no common-subexpression elimination and evaluated the rules once per output column
(``padu mpi`` took 40 times as long as on DuckDB). Written once to a temporary table, the
rules run once per family on either engine and the aggregation reads plain integer columns.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

from padu.errors import UsageError
from padu.measure.af import (
    AFResult,
    Dimension,
    MissingPolicy,
    alkire_foster,
    score_distribution,
    scored,
)
from padu.measure.measures import Measure
from padu.regions import REGION_COLUMNS
from padu.register.snapshots import snapshot_table
from padu.rules.compiler import evaluate
from padu.schema import register_schema
from padu.stores import Catalog, Warehouse

KK = "nomor_kartu_keluarga"
MEMBERS = "_anggota"


def group_column(by: str | None) -> str | None:
    """The family column a ``--by`` value names: a region level or any family field."""
    if by is None:
        return None
    if by in REGION_COLUMNS:
        return REGION_COLUMNS[by]
    if by in register_schema().names("keluarga"):
        return by
    raise UsageError(
        f"--by harus tingkat wilayah ({', '.join(sorted(REGION_COLUMNS))}) atau kolom keluarga; "
        f"{by!r} bukan keduanya"
    )


def deprivation_table(
    wh: Warehouse, catalog: Catalog, snapshot: str | int, measure: Measure
) -> Any:
    """One row per family: its fields, member count and a 0/1/NULL column per indicator."""
    snap = catalog.snapshot(snapshot)
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    joined, exprs = evaluate({i.id: i.rule for i in measure.indicators}, kel, ind, snap.tanggal)
    members = ind.group_by(_kk=ind[KK]).aggregate(**{MEMBERS: ind.count()})
    cols = [joined[c] for c in kel.columns if c != "snapshot_id"]
    # 1, 0 or NULL; a cast names the rule once (a CASE of e and NOT e would name it twice)
    deps = [e.cast("int32").cast("int64").name(i) for i, e in exprs.items()]
    table = joined.select(*cols, *deps)
    out = table.left_join(members, table[KK] == members["_kk"])
    return out.select(*[out[c] for c in table.columns], out[MEMBERS].fill_null(0).name(MEMBERS))


def deprivations(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measure: Measure,
    columns: Sequence[str] = (),
) -> Any:
    """The deprivation table narrowed to ``columns``, the member count and the indicators,
    written once to a temporary table (call inside ``wh.scratch()``, which drops it).

    Every indicator rule is evaluated once per family here, whatever the queries over the
    result refer to it how often (see the module's docstring for why that matters).
    """
    table = deprivation_table(wh, catalog, snapshot, measure)
    keep = list(dict.fromkeys([*columns, MEMBERS, *(i.id for i in measure.indicators)]))
    return wh.temp(f"deprivasi_{uuid.uuid4().hex[:12]}", table.select(*keep), reuse=False)


def _dims(measure: Measure) -> list[Dimension]:
    return [Dimension(i.id, i.weight) for i in measure.indicators]


def mpi_snapshot(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measure: Measure,
    *,
    k: Fraction | None = None,
    by: str | None = "kabupaten",
    person: bool = False,
    missing: MissingPolicy = "exclude",
) -> AFResult:
    """Alkire-Foster of ``measure`` on a snapshot, overall and by ``by``."""
    group = group_column(by)
    with wh.scratch():
        table = deprivations(wh, catalog, snapshot, measure, [group] if group else [])
        return alkire_foster(
            table,
            _dims(measure),
            k or measure.k,
            by=group,
            unit_weight=MEMBERS if person else None,
            missing=missing,
        )


def dimension_contributions(
    result: AFResult, measure: Measure, absolute: bool = False
) -> dict[str, dict[str, Fraction]]:
    """Contribution of every dimension (sum of its indicators'), overall and per group:
    the share of M0, or with ``absolute`` the part of M0 itself."""

    def per(contrib: dict[str, Fraction]) -> dict[str, Fraction]:
        out: dict[str, Fraction] = {d.id: Fraction(0) for d in measure.dimensions}
        for ind in measure.indicators:
            out[ind.dimension] += contrib.get(ind.id, Fraction(0))
        return out

    def pick(g: Any) -> dict[str, Fraction]:
        return per(g.contribution_absolute if absolute else g.contribution)

    return {"overall": pick(result.overall), **{g: pick(r) for g, r in result.groups.items()}}


def possible_scores(measure: Measure) -> list[Fraction]:
    """Every score a unit can have (subset sums of the weights), in (0, 1], ascending."""
    scale = math.lcm(*(i.weight.denominator for i in measure.indicators))
    reachable = {0}
    for ind in measure.indicators:
        w = int(ind.weight * scale)
        reachable |= {s + w for s in reachable}
    return [Fraction(s, scale) for s in sorted(reachable) if s > 0]


def sensitivity(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measure: Measure,
    *,
    person: bool = False,
    missing: MissingPolicy = "exclude",
) -> list[dict[str, Any]]:
    """H, A and M0 for every possible cut-off k (one engine query for the score distribution)."""
    with wh.scratch():
        table = deprivations(wh, catalog, snapshot, measure)
        dist = score_distribution(
            table, _dims(measure), unit_weight=MEMBERS if person else None, missing=missing
        )
    rows = []
    n = dist.total
    for k in possible_scores(measure):
        q = sum(c for s, c in dist.counts.items() if s >= k)
        s_sum = sum(s * c for s, c in dist.counts.items() if s >= k)
        h = Fraction(q, n) if n else Fraction(0)
        a = s_sum / q if q else Fraction(0)
        rows.append({"k": k, "H": h, "A": a, "M0": h * a, "q": q, "n": n})
    return rows


def change(
    wh: Warehouse,
    catalog: Catalog,
    a: str | int,
    b: str | int,
    measure: Measure,
    *,
    by: str | None = "kabupaten",
    k: Fraction | None = None,
    person: bool = False,
) -> dict[str, Any]:
    """H, A, M0 in two snapshots and the change, overall and by ``by``."""
    ra = mpi_snapshot(wh, catalog, a, measure, k=k, by=by, person=person)
    rb = mpi_snapshot(wh, catalog, b, measure, k=k, by=by, person=person)
    groups = sorted(set(ra.groups) | set(rb.groups))
    out: dict[str, Any] = {
        "from": catalog.snapshot(a).id,
        "to": catalog.snapshot(b).id,
        "k": str(k or measure.k),
        "rows": [],
    }
    for name, ga, gb in [
        ("keseluruhan", ra.overall, rb.overall),
        *[(g, ra.groups.get(g), rb.groups.get(g)) for g in groups],
    ]:
        row: dict[str, Any] = {"group": name}
        for key in ("H", "A", "M0"):
            va = getattr(ga, key) if ga else None
            vb = getattr(gb, key) if gb else None
            row[f"{key}_lama"], row[f"{key}_baru"] = va, vb
            row[f"{key}_perubahan"] = (vb - va) if va is not None and vb is not None else None
        for ind in measure.indicators:  # censored headcount of every indicator
            ca = ga.censored.get(ind.id) if ga else None
            cb = gb.censored.get(ind.id) if gb else None
            row[f"ch_{ind.id}_perubahan"] = (cb - ca) if ca is not None and cb is not None else None
        out["rows"].append(row)
    return out


def write_family_scores(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measure: Measure,
    k: Fraction,
    path: Path,
    *,
    missing: MissingPolicy = "exclude",
    actor: str,
) -> int:
    """Write one CSV row per family: KK, region, each indicator (0/1), score and status.

    Per-family scores are personal data: the file is audited (``mpi_families``) and renamed
    into place only when whole. The path is checked before anything is computed.
    """
    import pyarrow.csv as pacsv

    from padu.audit import record_export
    from padu.files import atomic_output, check_output_file

    path = check_output_file(path, (".csv",))
    cols = [KK, "kode_kabupaten_kota", "kode_kecamatan", "kode_kelurahan_desa", "desil_nasional"]
    with wh.scratch():
        table = scored(
            deprivations(wh, catalog, snapshot, measure, cols), _dims(measure), k, missing=missing
        )
        out = table.select(*cols, *[i.id for i in measure.indicators], "skor", "miskin")
        data = out.order_by(KK).to_pyarrow()
    with atomic_output(path) as temp:
        pacsv.write_csv(data, temp)
        record_export(
            catalog, "mpi_families", path, actor=actor, snapshot=catalog.snapshot(snapshot).id,
            measure=measure.id, k=str(k), missing=missing, rows=int(data.num_rows),
        )  # fmt: skip
    return int(data.num_rows)
