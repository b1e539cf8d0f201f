"""Multidimensional poverty status x DTSEN desil: where the measures and the desil disagree.

The desil is a proxy-means score built from many of the housing and asset items the
measures read, so the two agree often but not always: a poor family in desil 7, a family
in desil 1 that is not poor. One row per national desil (1-10, and ``kosong`` for a blank
or invalid desil), one column group per measure: families poor, not poor, and not
classified (an indicator the engine cannot decide, under the missing-data policy). Every
family of the snapshot is in exactly one cell of each measure, so every measure's cells
add up to the family count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import ibis

from padu.measure.af import Dimension, MissingPolicy, scored
from padu.measure.measures import Measure
from padu.measure.snapshot import deprivations
from padu.stores import Catalog, Warehouse

#: The row of families without a valid desil.
BLANK = "kosong"
DESILS: tuple[str, ...] = (*(str(d) for d in range(1, 11)), BLANK)
STATUSES: tuple[str, ...] = ("miskin", "tidak_miskin", "tidak_terklasifikasi")


@dataclass
class DesilTable:
    """Families by desil (rows) and poverty status under each measure (columns)."""

    snapshot: int
    measures: list[str]
    k: dict[str, Fraction]
    missing: MissingPolicy
    #: desil -> measure -> status -> families
    cells: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)

    def families(self, desil: str) -> int:
        """Families in a desil row (the same under every measure)."""
        first = self.cells[desil][self.measures[0]]
        return sum(first.values())

    def total(self) -> int:
        return sum(self.families(d) for d in DESILS)

    def rows(self) -> list[dict[str, Any]]:
        """Flat rows for CSV and workbooks: desil, families, then measure_status columns."""
        out = []
        for d in (*DESILS, "jumlah"):
            row: dict[str, Any] = {"desil": d}
            row["keluarga"] = self.total() if d == "jumlah" else self.families(d)
            for m in self.measures:
                for s in STATUSES:
                    row[f"{m}_{s}"] = (
                        sum(self.cells[x][m][s] for x in DESILS)
                        if d == "jumlah"
                        else self.cells[d][m][s]
                    )
            out.append(row)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "snapshot": self.snapshot,
            "measures": self.measures,
            "k": {m: str(v) for m, v in self.k.items()},
            "missing": self.missing,
            "families": self.total(),
            "rows": self.rows(),
        }


def _desil_row(desil: Any) -> Any:
    """``1``..``10`` for a valid desil (``01`` too), ``kosong`` for anything else."""
    text = desil.cast("string").strip()
    value = ibis.ifelse(text.re_search(r"^[0-9]{1,2}$"), text.cast("int64"), ibis.null("int64"))
    valid = value.notnull() & (value >= 1) & (value <= 10)
    return ibis.ifelse(valid, value.cast("string"), ibis.literal(BLANK))


def desil_crosstab(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measures: list[Measure],
    *,
    missing: MissingPolicy = "exclude",
) -> DesilTable:
    """Families by desil and poverty status under each of ``measures`` (at its own k)."""
    snap = catalog.snapshot(snapshot)
    out = DesilTable(snap.id, [m.id for m in measures], {m.id: m.k for m in measures}, missing)
    for d in DESILS:
        out.cells[d] = {m.id: dict.fromkeys(STATUSES, 0) for m in measures}
    for m in measures:
        dims = [Dimension(i.id, i.weight) for i in m.indicators]
        with wh.scratch():  # the rules once per family (three sums read the status)
            table = scored(
                deprivations(wh, catalog, snap.id, m, ["desil_nasional"]), dims, m.k,
                missing=missing,
            )  # fmt: skip
            poor = table.miskin
            counts = (
                table.group_by(_desil=_desil_row(table.desil_nasional))
                .aggregate(
                    miskin=ibis.ifelse(poor.fill_null(False), 1, 0).sum(),
                    tidak_miskin=ibis.ifelse(poor.notnull() & ~poor.fill_null(True), 1, 0).sum(),
                    tidak_terklasifikasi=ibis.ifelse(poor.isnull(), 1, 0).sum(),
                )
                .to_pyarrow()
                .to_pylist()
            )
        for row in counts:
            for s in STATUSES:
                out.cells[row["_desil"]][m.id][s] = int(row[s] or 0)
    return out
