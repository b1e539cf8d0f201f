"""No hidden small cell can be worked out from everything a viewer may read.

Over the small register (both stores) this collects what a viewer reads: ``/api/v1/mpi``
by kabupaten, kecamatan and desa (:func:`regional_mpi`), Beranda (:func:`overview`: the
tables, shares and map rates), and the Kemiskinan drill-down of every region (children,
indicator table, k-sensitivity; the downloads are built from the same
:class:`Drilldown`). Then it reasons linearly, as a patient reader would: a parent's total
is the sum of its children's, ``families = counted + missing``, ``q = H x n``,
``s = A x q x scale = M0 x n x scale = sum of weight x censored count``; whatever has one
unknown left is solved, until nothing more follows. No hidden count of 1 to 4 may be
solved, and under a known parent the hidden children are none, or at least two adding up
to 5 or more.
"""

from __future__ import annotations

from fractions import Fraction

from padu.access import MIN_CELL, Scope
from padu.measure.measures import get_measure
from padu.services.measure import mpi_table
from padu.services.measure.regional import Drilldown, MeasureCube, drilldown, measure_cube
from padu.services.overview import Area, overview, overview_source, regional_mpi
from tests.conftest import Stores

VIEWER = Scope(role="viewer", agency=None, year=2026)
Key = tuple[str, ...]


def _tree(cube: MeasureCube) -> tuple[dict[str, Drilldown], dict[str, list[str]]]:
    """Every region's unsuppressed figures (the truth) and children, from the province."""
    truth: dict[str, Drilldown] = {}
    kids: dict[str, list[str]] = {}
    todo = ["65"]
    while todo:
        code = todo.pop()
        d = drilldown(cube, code)
        truth[code] = d
        kids[code] = [c.region.kode for c in d.children]
        todo += [c.region.kode for c in d.children if c.region.known and c.figures.families]
    return truth, kids


def _true_values(cube: MeasureCube, truth: dict[str, Drilldown]) -> dict[Key, int]:
    out: dict[Key, int] = {}

    def put(code: str, f: object) -> None:
        for name, attr in (("f", "families"), ("n", "counted"), ("q", "poor"), ("m", "missing")):
            out[(name, code)] = getattr(f, attr)

    for code, d in truth.items():
        put(code, d.summary.figures)
        for c in d.children:
            put(c.region.kode, c.figures)
        for i, ind in enumerate(d.indicators):
            out[("u", str(i), code)] = ind.deprived or 0
            out[("c", str(i), code)] = ind.censored_count or 0
        f = d.summary.figures
        out[("s", code)] = round((f.A or 0) * (f.poor or 0) * cube.scale)
    return out


class Reader:
    """What a viewer knows: values read, then values solved."""

    def __init__(self, truth: dict[Key, int]) -> None:
        self.truth = truth
        self.known: dict[Key, int] = {}
        self.floats: dict[tuple[str, str], float] = {}  # (H|A|M0, code) -> value

    def see(self, key: Key, value: int | None) -> None:
        if value is None or (key not in self.truth and key[0] not in "uc"):
            return
        assert value == self.truth.get(key, value), (key, value)
        self.known[key] = value

    def see_float(self, name: str, code: str, value: float | None) -> None:
        if value is not None:
            self.floats[(name, code)] = value

    def see_share(self, key: Key, share: float | None, code: str) -> None:
        n = self.known.get(("n", code))
        if share is not None and n is not None:
            self.see(key, round(share * n))


def _read_area(r: Reader, a: Area, ids: list[str]) -> None:
    r.see(("f", a.kode), a.families)
    r.see(("n", a.kode), a.counted)
    r.see(("q", a.kode), a.poor)
    r.see(("m", a.kode), a.missing)
    for name in ("H", "A", "M0"):
        r.see_float(name, a.kode, getattr(a, name))
    for ind, rate in a.rates.items():
        r.see_share(("u", str(ids.index(ind)), a.kode), rate, a.kode)
    for ind, share in a.top:
        r.see_share(("c", str(ids.index(ind)), a.kode), share, a.kode)


def _read(r: Reader, d: Drilldown) -> None:
    code = d.summary.region.kode
    for kode, f in [(code, d.summary.figures), *((c.region.kode, c.figures) for c in d.children)]:
        r.see(("f", kode), f.families)
        r.see(("n", kode), f.counted)
        r.see(("q", kode), f.poor)
        r.see(("m", kode), f.missing)
        for name in ("H", "A", "M0"):
            r.see_float(name, kode, getattr(f, name))
    for i, ind in enumerate(d.indicators):
        r.see(("u", str(i), code), ind.deprived)
        r.see(("c", str(i), code), ind.censored_count)
        r.see_share(("u", str(i), code), ind.uncensored, code)
        r.see_share(("c", str(i), code), ind.censored, code)
        r.see_float(f"contribution{i}", code, ind.contribution)
    for row in d.sensitivity:
        if row.current:
            r.see(("q", code), row.poor)
            r.see_float("H", code, row.H)
            r.see_float("A", code, row.A)


def _solve(r: Reader, kids: dict[str, list[str]], width: int, cube: MeasureCube) -> None:
    """Linear reasoning until nothing more follows (the known dict grows in place)."""
    names = ["f", "n", "q", "m"] + [f"{x}{i}" for x in "uc" for i in range(width)]

    def key(name: str, code: str) -> Key:
        return (name, code) if len(name) == 1 else (name[0], name[1:], code)

    regions = set(kids) | {c for cs in kids.values() for c in cs}
    while True:
        before = len(r.known)
        for parent, children in kids.items():
            for name in names if children else []:
                cells = [key(name, parent), *(key(name, c) for c in children)]
                unknown = [c for c in cells if c not in r.known]
                if len(unknown) == 1:
                    total = r.known.get(cells[0])
                    shown = sum(r.known.get(c, 0) for c in cells[1:])
                    r.known[unknown[0]] = shown if total is None else total - shown
        for code in regions:
            f, n, m = (("f", code), ("n", code), ("m", code))
            trio = [x for x in (f, n, m) if x not in r.known]
            if len(trio) == 1:
                r.known[trio[0]] = (
                    r.known[n] + r.known[m] if trio[0] == f else r.known[f] - sum(
                        r.known[x] for x in (n, m) if x in r.known)
                )  # fmt: skip
            h, q = r.floats.get(("H", code)), ("q", code)
            if h is not None and n in r.known and q not in r.known:
                r.known[q] = round(h * r.known[n])
            if h and q in r.known and n not in r.known:
                r.known[n] = round(r.known[q] / h)
            a, m0 = r.floats.get(("A", code)), r.floats.get(("M0", code))
            s = None
            if a is not None and q in r.known:
                s = round(a * r.known[q] * cube.scale)
            elif m0 is not None and n in r.known:
                s = round(m0 * r.known[n] * cube.scale)
            if s is None:
                continue
            cens = [("c", str(i), code) for i in range(width)]
            missing = [c for c in cens if c not in r.known]
            if len(missing) == 1:
                i = int(missing[0][1])
                rest = sum(cube.w_int[int(c[1])] * r.known[c] for c in cens if c in r.known)
                r.known[missing[0]] = int(Fraction(s - rest, cube.w_int[i]))
        if len(r.known) == before:
            return


def test_no_hidden_small_cell_can_be_worked_out(stores: Stores, snapshot: int) -> None:
    wh, cat = stores.warehouse, stores.catalog
    m = get_measure("padu-7")
    cube = measure_cube(wh, cat, snapshot, m)
    width = len(m.indicators)
    ids = [i.id for i in m.indicators]
    truth, kids = _tree(cube)
    values = _true_values(cube, truth)
    r = Reader(values)
    # Kemiskinan: every region's page
    for code in truth:
        _read(r, drilldown(cube, code, suppress=True))
    # Beranda
    shown = overview(overview_source(wh, cat, snapshot, actor="penguji"), VIEWER)
    for a in (*shown.kabupaten, *shown.kecamatan):
        _read_area(r, a, ids)
    # the API
    snap = cat.snapshot(snapshot)
    for by in ("kabupaten", "kecamatan", "desa"):
        table = mpi_table(wh, cat, snapshot, m, by=by, actor="penguji")
        api = regional_mpi(table, snap, by, VIEWER)  # type: ignore[arg-type]
        for g in api.groups:
            r.see(("n", g.kode), g.n)
            r.see(("q", g.kode), g.q)
            for name in ("H", "A", "M0"):
                r.see_float(name, g.kode, getattr(g, name))
    read = dict(r.known)
    assert any(v is not None for v in read.values())
    _solve(r, kids, width, cube)
    leaks = {k: v for k, v in r.known.items() if k not in read and 0 < values.get(k, 0) < MIN_CELL}
    assert not leaks, f"hidden small cells a viewer can work out: {sorted(leaks)[:10]}"
    # and the brief's rule: under a known parent, hidden children are none or >= 2 and >= 5
    for parent, children in kids.items():
        for key in {k[:-1] for k in values if k[-1] == parent}:
            if (*key, parent) not in r.known:
                continue
            hidden = [values.get((*key, c), 0) for c in children if (*key, c) not in r.known]
            hidden = [v for v in hidden if v]
            assert not hidden or (len(hidden) >= 2 and sum(hidden) >= MIN_CELL), (
                key, parent, hidden,
            )  # fmt: skip
