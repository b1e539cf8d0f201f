"""The Alkire-Foster tables: ``padu mpi``, its sensitivity, change, desil and flat-file forms.

Each function runs the engine's computation (:mod:`padu.measure`) and returns it as a typed
model whose ``model_dump(mode="json")`` is the object ``padu --json`` prints, so the command
line and the web read the same figures from the same function. The terminal tables and the
files an officer opens (CSV, XLSX) are drawn from these models.

The figures are aggregates, so computing or writing them records nothing; the one exception
is the per-family scores file (``--families-out``), which is personal data and is recorded
as an export (``mpi_families``) by :func:`padu.measure.snapshot.write_family_scores`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from padu.files import atomic_output
from padu.measure.af import AFResult, GroupResult, MissingPolicy
from padu.measure.measures import Measure
from padu.measure.report import MpiReport
from padu.stores import Catalog, Warehouse

#: A figure: a float, or with ``exact`` (``padu mpi file --exact``) a fraction as text.
Number = float | str
Cell = str | int | float
TableFormat = Literal["csv", "xlsx"]


# -- padu mpi ---------------------------------------------------------------------------------
class GroupFigures(BaseModel):
    """H, A, M0, headcounts and contributions of one group (or the whole population)."""

    n: int  # units (or persons) counted
    q: int  # of which poor
    missing_data_units: int
    H: Number
    A: Number
    M0: Number
    uncensored: dict[str, Number]
    censored: dict[str, Number]
    contribution: dict[str, Number]  # share of M0
    contribution_absolute: dict[str, Number]  # part of M0 (w_j x CH_j)

    @classmethod
    def of(cls, g: GroupResult, exact: bool = False) -> GroupFigures:
        return cls.model_validate(g.to_dict(exact))

    def value(self, name: Literal["H", "A", "M0"]) -> float:
        """A headline figure as a float, exact or not."""
        return float(Fraction(getattr(self, name)))


class AFFigures(BaseModel):
    """An Alkire-Foster result: the cut-off, the normalised weights, overall and per group."""

    k: str
    weights: dict[str, str]
    overall: GroupFigures
    groups: dict[str, GroupFigures]

    @classmethod
    def of(cls, result: AFResult, exact: bool = False) -> AFFigures:
        return cls(
            k=str(result.k),
            weights={c: str(w) for c, w in result.weights.items()},
            overall=GroupFigures.of(result.overall, exact),
            groups={g: GroupFigures.of(r, exact) for g, r in result.groups.items()},
        )


class MpiTable(BaseModel):
    """``padu mpi``: a measure on a snapshot, overall and per group.

    The JSON fields are the engine's figures; ``rows`` (headers in words, for the terminal
    table and the CSV/XLSX), ``title`` and ``missing_note`` are for people and are left
    out of the JSON. ``families_written`` counts the rows of ``--families-out``, if any.
    """

    snapshot: int
    measure: str
    unit: str  # "keluarga" or "orang"
    by: str | None
    missing_policy: str
    k: str
    weights: dict[str, str]
    overall: GroupFigures
    groups: dict[str, GroupFigures]
    dimension_contribution: dict[str, dict[str, float]]
    dimension_contribution_absolute: dict[str, dict[str, float]]
    rows: list[dict[str, Cell]] = Field(exclude=True)
    title: str = Field(exclude=True)
    missing_note: str = Field(exclude=True)
    families_written: int | None = Field(default=None, exclude=True)

    def report(self) -> MpiReport:
        """The report that writes this table as CSV or XLSX (headers in words)."""
        data = self.model_dump(mode="json")
        return MpiReport(data, [dict(r) for r in self.rows], self.title, self.unit,
                         self.missing_note)  # fmt: skip


def mpi_table(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measure: Measure,
    *,
    k: Fraction | None = None,
    by: str | None = "kabupaten",
    person: bool = False,
    missing: MissingPolicy = "exclude",
    families_out: Path | None = None,
    actor: str,
) -> MpiTable:
    """Alkire-Foster of ``measure`` on a snapshot, overall and per ``by`` (a region level or
    a family field), per family or (``person``) per person; with ``families_out``, every
    family's deprivations, score and status are written there too (audited)."""
    from padu.measure.report import mpi_report
    from padu.measure.snapshot import mpi_snapshot, write_family_scores

    snap = catalog.snapshot(snapshot)
    result = mpi_snapshot(wh, catalog, snap.id, measure, k=k, by=by, person=person,
                          missing=missing)  # fmt: skip
    written = None
    if families_out is not None:
        written = write_family_scores(wh, catalog, snap.id, measure, result.k, families_out,
                                      missing=missing, actor=actor)  # fmt: skip
    report = mpi_report(result, measure, snap.id, by, person, missing)
    return MpiTable.model_validate(
        {
            **report.data,
            "rows": report.rows,
            "title": report.title,
            "missing_note": report.missing_note,
            "families_written": written,
        }
    )


def write_mpi_table(table: MpiTable, fmt: TableFormat, path: Path | None) -> None:
    """The table as CSV (to ``path``, or standard output without one) or XLSX; a file
    appears whole or not at all. Aggregates only, so nothing is recorded."""
    table.report().write(fmt, path)


# -- sensitivity to k -------------------------------------------------------------------------
class CutoffRow(BaseModel):
    """The figures at one possible cut-off k."""

    k: str
    H: float
    A: float
    M0: float
    q: int  # units poor
    n: int  # units counted


class Sensitivity(BaseModel):
    """``padu mpi sensitivity``: H, A and M0 at every possible k."""

    measure: str
    rows: list[CutoffRow]


def mpi_sensitivity(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measure: Measure,
    *,
    person: bool = False,
    missing: MissingPolicy = "exclude",
) -> Sensitivity:
    """H, A and M0 for every cut-off a unit's score can reach (one engine query)."""
    from padu.measure.snapshot import sensitivity

    rows = sensitivity(wh, catalog, snapshot, measure, person=person, missing=missing)
    return Sensitivity(
        measure=measure.id,
        rows=[
            CutoffRow(
                k=str(r["k"]),
                H=float(r["H"]),
                A=float(r["A"]),
                M0=float(r["M0"]),
                q=r["q"],
                n=r["n"],
            )
            for r in rows
        ],
    )


# -- change between snapshots -----------------------------------------------------------------
class GroupChange(BaseModel):
    """One group's H, A and M0 in both snapshots and the change (``None``: a group absent
    from one of them). The extra fields ``ch_<indicator>_perubahan`` are the change of
    each indicator's censored headcount."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, float | None] = Field(init=False)

    group: str
    H_lama: float | None
    H_baru: float | None
    H_perubahan: float | None
    A_lama: float | None
    A_baru: float | None
    A_perubahan: float | None
    M0_lama: float | None
    M0_baru: float | None
    M0_perubahan: float | None

    def censored_change(self, indicator: str) -> float | None:
        return self.__pydantic_extra__.get(f"ch_{indicator}_perubahan")


class SnapshotChange(BaseModel):
    """``padu mpi change``: overall (``keseluruhan``) and per group."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    from_: int = Field(alias="from")
    to: int
    k: str
    rows: list[GroupChange]


def mpi_change(
    wh: Warehouse,
    catalog: Catalog,
    old: str | int,
    new: str | int,
    measure: Measure,
    *,
    by: str | None = "kabupaten",
    k: Fraction | None = None,
    person: bool = False,
) -> SnapshotChange:
    """H, A, M0 and every indicator's censored headcount in two snapshots, and the change."""
    from padu.measure.snapshot import change

    d = change(wh, catalog, old, new, measure, by=by, k=k, person=person)
    rows = [
        GroupChange.model_validate(
            {key: (float(v) if v is not None and key != "group" else v) for key, v in r.items()}
        )
        for r in d["rows"]
    ]
    return SnapshotChange.model_validate(
        {"from": d["from"], "to": d["to"], "k": d["k"], "rows": rows}
    )


# -- a flat file of deprivations --------------------------------------------------------------
def mpi_flat_file(
    path: Path,
    indicators: Sequence[str],
    k: str,
    *,
    by: str | None = None,
    missing: str = "exclude",
    exact: bool = False,
) -> AFFigures:
    """Alkire-Foster on any CSV/XLSX/Parquet of 0/1 columns (``COLUMN=WEIGHT`` each), to
    compare with other tools; ``exact`` gives every figure as a fraction."""
    from padu.measure.flatfile import mpi_from_file

    return AFFigures.of(mpi_from_file(path, indicators, k, by=by, missing=missing), exact)


# -- status x desil ---------------------------------------------------------------------------
#: The statuses of a family under a measure, in words.
STATUS_WORDS = {
    "miskin": "miskin",
    "tidak_miskin": "tidak miskin",
    "tidak_terklasifikasi": "tak terklasifikasi",
}


class DesilRow(BaseModel):
    """Families in one national desil (``kosong``: none or invalid; ``jumlah``: all); the
    extra fields ``<measure>_<status>`` count them by status under each measure."""

    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, int] = Field(init=False)

    desil: str
    keluarga: int

    def count(self, measure: str, status: str) -> int:
        return self.__pydantic_extra__[f"{measure}_{status}"]


class DesilTable(BaseModel):
    """``padu mpi desil``: poverty status under each measure x national desil."""

    snapshot: int
    measures: list[str]
    k: dict[str, str]
    missing: str
    families: int
    rows: list[DesilRow]

    def headers(self) -> dict[str, str]:
        """Column key -> the header an officer reads (``padu-7_miskin`` -> ``padu-7: miskin``)."""
        words = {"desil": "Desil nasional", "keluarga": "Jumlah keluarga"}
        for m in self.measures:
            for key, word in STATUS_WORDS.items():
                words[f"{m}_{key}"] = f"{m}: {word}"
        return words

    def cells(self) -> list[list[Cell]]:
        """The rows under :meth:`headers`, the desil in words."""
        keys = list(self.headers())[1:]
        out: list[list[Cell]] = []
        for row in self.rows:
            values = row.model_dump()
            out.append([desil_words(row.desil), *[values[k] for k in keys]])
        return out


def desil_words(desil: str) -> str:
    return {"kosong": "belum ditentukan/kosong", "jumlah": "Jumlah"}.get(desil, desil)


def mpi_desil(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measures: Sequence[Measure],
    *,
    missing: MissingPolicy = "exclude",
) -> DesilTable:
    """Families by national desil and poverty status under each measure (at its own k)."""
    from padu.measure.desil import desil_crosstab

    return DesilTable.model_validate(
        desil_crosstab(wh, catalog, snapshot, list(measures), missing=missing).to_dict()
    )


def desil_csv(table: DesilTable) -> str:
    """The table as CSV text with readable headers."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(table.headers().values())
    w.writerows(table.cells())
    return buf.getvalue()


def write_desil_table(table: DesilTable, fmt: TableFormat, path: Path) -> None:
    """The table as a CSV or XLSX file, whole or not at all. The cells are aggregates (no
    person or family in them), so nothing is recorded."""
    with atomic_output(path) as temp:
        if fmt == "csv":
            with temp.open("w", newline="", encoding="utf-8") as fh:
                fh.write(desil_csv(table))
        else:
            _desil_xlsx(table, temp)


def _desil_xlsx(table: DesilTable, path: Path) -> None:
    import xlsxwriter

    headers = table.headers()
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("MPI x desil")
    bold = book.add_format({"bold": True})
    number = book.add_format({"num_format": "#,##0"})
    ws.write(0, 0, f"Status miskin multidimensi x desil nasional, snapshot {table.snapshot}", bold)
    ws.write(1, 0, f"Data hilang: {table.missing}; k: " + ", ".join(
        f"{m} {k}" for m, k in table.k.items()
    ))  # fmt: skip
    ws.write_row(3, 0, list(headers.values()), bold)
    for r, row in enumerate(table.cells(), start=4):
        ws.write(r, 0, row[0])
        for c, value in enumerate(row[1:], start=1):
            ws.write_number(r, c, value, number)
    ws.set_column(0, 0, 24)
    ws.set_column(1, len(headers), 18)
    ws.freeze_panes(4, 1)
    book.close()
