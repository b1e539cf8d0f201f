"""Who may see what: the role rules of issue 14 as one small piece every interface uses.

- *admin* and *operator* see every family;
- *opd* sees only families in its own agency's programmes' lists of the year (adopted,
  i.e. planned, or linked, i.e. realised): a family outside is not shown masked, it is not
  there at all, so an officer cannot learn that it exists;
- *viewer* never sees a person, and every aggregate it sees rests on at least
  :data:`MIN_CELL` families (a smaller cell is suppressed, not rounded).

NIK and KK are masked wherever they are shown (``padu.identifiers.mask_nik``); scope
decides *which* persons are shown, masking *how*. The family scope of an opd is an engine
expression (families of the recipient rows of its programmes), never a list of KKs loaded
into Python, so a province-wide programme costs one join, not a round trip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import ibis

from padu.accounts import Role, User
from padu.convergence.sources import RECIPIENT, recipient_rows, year_sources
from padu.fmt import WITA
from padu.register.snapshots import snapshot_table
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow

KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"
#: the smallest number of families an aggregate shown to a viewer may rest on
MIN_CELL = 5
#: roles that see every family
ALL_FAMILIES: frozenset[Role] = frozenset({"admin", "operator"})


def current_year() -> int:
    """The fiscal year now, in Kaltara's time (a lookup on 1 January at 07.00 WITA is
    already the new year, though UTC still says the old one)."""
    return dt.datetime.now(WITA).year


@dataclass(frozen=True)
class Scope:
    """What one user may see in one fiscal year."""

    role: Role
    agency: str | None
    year: int

    @property
    def persons(self) -> bool:
        """Whether any personal data may be shown (every role but viewer)."""
        return self.role != "viewer"

    @property
    def all_families(self) -> bool:
        """Whether every family is visible (no agency filter)."""
        return self.role in ALL_FAMILIES

    @property
    def suppress_small(self) -> bool:
        """Whether aggregates under :data:`MIN_CELL` families are hidden."""
        return self.role == "viewer"

    def describe(self) -> str:
        """The scope in an audit line: ``semua``, ``instansi:DINSOS`` or ``agregat``."""
        if self.all_families:
            return "semua"
        if self.persons:
            return f"instansi:{self.agency}"
        return "agregat"


def scope_for(user: User, year: int | None = None) -> Scope:
    """The scope of ``user`` in ``year`` (default: the current fiscal year)."""
    return Scope(user.role, user.agency if user.role == "opd" else None, year or current_year())


def agency_programmes(catalog: Catalog, agency: str) -> set[str]:
    """The codes of the programmes whose current version belongs to ``agency``."""
    latest: dict[str, str] = {}
    for row in catalog.programme_versions():  # oldest first: the last one wins
        latest[row.code] = row.agency
    return {code for code, owner in latest.items() if owner == agency}


def basis_snapshot(catalog: Catalog, year: int) -> SnapshotRow:
    """The register snapshot persons are looked up in: the year's agreed reference, else
    the latest (as the family card does)."""
    ref = catalog.reference(year)
    return catalog.snapshot(ref.snapshot_id if ref is not None else "latest")


def enrolled_rows(wh: Warehouse, catalog: Catalog, year: int, snapshot: int) -> Any:
    """Every recipient of ``year`` (planned and realised, counted sources only) as
    ``programme, basis, nik, family``: ``family`` is the KK the snapshot gives the row's
    person (a person who moved counts in their new family), else the KK on the row.

    Rows not tied to the register (not found, awaiting review) are left out: they name no
    register family, so they enrol nobody the register knows.
    """
    sources = [s for s in year_sources(catalog, year, "both") if s.counted]
    rows = recipient_rows(wh, catalog, sources)
    rows = rows.filter(rows.status == RECIPIENT)
    ind = snapshot_table(wh, catalog, snapshot, "individu")
    homes = ind.filter(ind[NIK].notnull()).group_by(_n=ind[NIK]).aggregate(_k=ind[KK].min())
    joined = rows.left_join(homes, rows.nik == homes["_n"])
    return joined.select(
        programme=joined.programme,
        basis=joined.basis,
        nik=joined.nik,
        family=joined["_k"].fill_null(joined.kk),
    )


def visible_families(
    wh: Warehouse, catalog: Catalog, scope: Scope, snapshot: int, rows: Any | None = None
) -> Any | None:
    """The families ``scope`` may see, as a one-column table ``kk``; None when it may see
    every family. A viewer sees none (an empty table): person endpoints refuse it before,
    this is the safe answer should one forget to."""
    if scope.all_families:
        return None
    codes = sorted(agency_programmes(catalog, scope.agency)) if scope.agency else []
    if rows is None:
        rows = enrolled_rows(wh, catalog, scope.year, snapshot)
    if not scope.persons or not codes:
        rows = rows.filter(ibis.literal(False))
    else:
        rows = rows.filter(rows.programme.isin(codes) & rows.family.notnull())
    return rows.select(kk=rows.family).distinct()


@dataclass(frozen=True)
class Cell:
    """An Alkire-Foster group as it may be shown: None where suppressed."""

    n: int | None
    q: int | None
    H: float | None
    A: float | None
    M0: float | None
    suppressed: bool


def shown_cell(n: int, q: int, H: float, A: float, M0: float, scope: Scope) -> Cell:
    """A group's figures under ``scope``: for a viewer, a group of under 5 families is
    hidden whole, and one with 1 to 4 poor families keeps only ``n`` (its H, A and M0
    would give the poor count away)."""
    if not scope.suppress_small:
        return Cell(n, q, H, A, M0, False)
    if n < MIN_CELL:
        return Cell(None, None, None, None, None, True)
    if 0 < q < MIN_CELL:
        return Cell(n, None, None, None, None, True)
    return Cell(n, q, H, A, M0, False)


# -- small-cell protection against subtraction ---------------------------------------------
def _needs_more(values: list[int]) -> bool:
    """Whether hidden cells of these raw values can still be worked out from a shown total:
    one hidden non-zero cell alone, or hidden cells that add up to 1 to 4 families."""
    hidden = [v for v in values if v > 0]
    return bool(hidden) and (len(hidden) == 1 or sum(hidden) < MIN_CELL)


def protect(counts: dict[Any, int], hidden: set[Any] | None = None) -> set[Any]:
    """The keys to hide among sibling counts whose total is shown: every count of 1 to 4
    (primary), then, while the hidden ones could be recovered as total minus the shown ones,
    the smallest shown non-zero sibling as well (complementary suppression)."""
    out = set(hidden or ()) | {k for k, v in counts.items() if 0 < v < MIN_CELL}
    while out and _needs_more([counts[k] for k in out if k in counts]):
        shown = [k for k, v in counts.items() if k not in out and v > 0]
        if not shown:
            break
        out.add(min(shown, key=lambda k: (counts[k], str(k))))
    return out


def protect_table(
    cells: dict[tuple[Any, Any], int], hidden: set[tuple[Any, Any]] | None = None
) -> set[tuple[Any, Any]]:
    """:func:`protect` for a table whose row and column totals are both shown (``hidden``:
    cells already hidden for another reason): rows and columns are protected in turn until
    neither hides anything more."""
    hidden = set(hidden or ()) | {k for k, v in cells.items() if 0 < v < MIN_CELL}
    rows = sorted({r for r, _ in cells}, key=str)
    cols = sorted({c for _, c in cells}, key=str)
    while True:
        before = len(hidden)
        for r in rows:
            line = {c: cells[(r, c)] for c in cols if (r, c) in cells}
            hidden |= {(r, c) for c in protect(line, {c for rr, c in hidden if rr == r})}
        for c in cols:
            line = {r: cells[(r, c)] for r in rows if (r, c) in cells}
            hidden |= {(r, c) for r in protect(line, {r for r, cc in hidden if cc == c})}
        if len(hidden) == before:
            return hidden
