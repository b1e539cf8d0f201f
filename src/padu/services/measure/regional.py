"""Multidimensional poverty by region: the drill-down of the Kemiskinan page and the API.

One engine query per (snapshot, measure) builds a *cube*: for every desa and every exact
deprivation score, the families, the units counted, the units with missing data and the
units deprived in each indicator. Alkire-Foster sums are additive and a unit is poor iff
its score reaches k, so every region's H, A, M0, headcounts and contributions, at any
cut-off k, and its k-sensitivity table follow from the cube by exact integer arithmetic:
opening a desa after the province costs no query. The arithmetic is the engine's own
(:mod:`padu.measure.af`): the same unit table, the same ratios.

Figures a viewer sees are suppressed as :mod:`padu.access` says: a count of 1 to 4 families
is hidden, and among siblings whose parent's total is shown, so is what subtraction would
give back (complementary suppression). A region's own figures are protected among its
siblings, so its page and its parent's table hide the same cells.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from pydantic import BaseModel

from padu.measure.af import Dimension, GroupResult, MissingPolicy, _ratios, _scores, unit_table
from padu.measure.measures import Measure, get_measure, preset_ids
from padu.measure.snapshot import MEMBERS, deprivations, possible_scores
from padu.regions import Region, Regions, kaltara
from padu.services.suppression import SHOWN, AreaCounts, Hidden, hide_children, hide_root
from padu.stores import Catalog, Warehouse

PROVINCE = "65"
BLANK = "(kosong)"
SEP = "|"
COLUMNS = ("kode_kabupaten_kota", "kode_kecamatan", "kode_kelurahan_desa")
#: region level -> the cube column that holds its code, and the level of its children
_COLUMN = {"kabupaten_kota": 0, "kecamatan": 1, "desa_kelurahan": 2}
_CHILD_LEVEL = {"provinsi": "kabupaten_kota", "kabupaten_kota": "kecamatan",
                "kecamatan": "desa_kelurahan"}  # fmt: skip


# -- typed results ---------------------------------------------------------------------------
class SnapshotRef(BaseModel):
    id: int
    label: str
    tanggal: dt.date


class MeasureRef(BaseModel):
    id: str
    version: int  # 0 for a preset
    label_id: str
    label_en: str
    k: str  # the cut-off used, as an exact fraction
    k_value: float


class MeasureChoice(BaseModel):
    """A measure a user may pick: a preset, or the latest version of a saved one."""

    id: str
    label_id: str
    label_en: str
    saved: bool


class RegionRef(BaseModel):
    kode: str
    nama: str
    level: str  # provinsi | kabupaten_kota | kecamatan | desa_kelurahan | tidak_dikenal
    known: bool = True


class Figures(BaseModel):
    """A region's headline; ``None`` is a figure suppressed (or undefined: H of no family)."""

    families: int | None  # every family in the region, counted or not
    counted: int | None  # units in H and M0 (families with every indicator known)
    poor: int | None
    missing: int | None  # units with incomplete data (not counted under "exclude")
    H: float | None
    A: float | None
    M0: float | None
    suppressed: bool = False


class MpiSummary(BaseModel):
    snapshot: SnapshotRef
    measure: MeasureRef
    region: RegionRef
    person: bool
    missing_policy: str
    figures: Figures


class RegionRow(BaseModel):
    """One child region in the drill-down table."""

    region: RegionRef
    figures: Figures


class IndicatorRow(BaseModel):
    id: str
    label_id: str
    label_en: str
    dimension: str
    dimension_label_id: str
    dimension_label_en: str
    weight: float
    deprived: int | None  # units deprived (poor or not)
    uncensored: float | None  # their share of the counted units
    censored_count: int | None  # units poor and deprived
    censored: float | None  # censored headcount ratio
    contribution: float | None  # share of M0
    contribution_absolute: float | None  # part of M0 (w_j x CH_j)


class SensitivityRow(BaseModel):
    k: str
    k_value: float
    poor: int | None
    H: float | None
    A: float | None
    M0: float | None
    current: bool  # the cut-off the page's other figures use


class ChangeRow(BaseModel):
    region: RegionRef
    H_old: float | None
    H_new: float | None
    H_change: float | None
    A_old: float | None
    A_new: float | None
    A_change: float | None
    M0_old: float | None
    M0_new: float | None
    M0_change: float | None


class IndicatorChange(BaseModel):
    id: str
    label_id: str
    label_en: str
    censored_old: float | None
    censored_new: float | None
    change: float | None


class Change(BaseModel):
    """A region and its children in two snapshots (the first row is the region itself)."""

    base: SnapshotRef
    snapshot: SnapshotRef
    measure: MeasureRef
    rows: list[ChangeRow]
    indicators: list[IndicatorChange]


class Drilldown(BaseModel):
    """Everything about one region under one measure in one snapshot."""

    summary: MpiSummary
    breadcrumb: list[RegionRef]  # province first, the region itself last
    child_level: str | None
    children: list[RegionRow]
    indicators: list[IndicatorRow]
    sensitivity: list[SensitivityRow]
    suppressed: bool  # whether small cells were hidden (a viewer's figures)


# -- the cube --------------------------------------------------------------------------------
@dataclass(frozen=True)
class CubeRow:
    """Units of one desa (with its kabupaten and kecamatan codes) with one exact score."""

    codes: tuple[str, str, str]
    score: int
    families: int
    n: int
    missing: int
    deprived: tuple[int, ...]


@dataclass(frozen=True)
class MeasureCube:
    """The one engine result a region's figures are computed from (see the module doc)."""

    snapshot: SnapshotRef
    measure: Measure
    version: int
    person: bool
    missing_policy: MissingPolicy
    scale: int
    w_int: tuple[int, ...]
    rows: tuple[CubeRow, ...]

    def cut(self, k: Fraction) -> int:
        """The smallest integer score that is poor at ``k``."""
        return math.ceil(k * self.scale)


def measure_version(catalog: Catalog, measure_id: str) -> int:
    """The saved version a measure id names now (0 for a preset never saved)."""
    saved = catalog.measure_versions(measure_id)
    return saved[-1].version if saved else 0


def measure_choices(catalog: Catalog) -> list[MeasureChoice]:
    """The presets, then every saved measure (its latest version), for a picker."""
    out: dict[str, MeasureChoice] = {}
    for pid in preset_ids():
        m = get_measure(pid)
        out[pid] = MeasureChoice(id=pid, label_id=m.label_id, label_en=m.label_en, saved=False)
    for row in catalog.measure_versions():
        if row.measure_id not in out or out[row.measure_id].saved:
            m = get_measure(row.measure_id, catalog)
            out[row.measure_id] = MeasureChoice(
                id=row.measure_id, label_id=m.label_id, label_en=m.label_en, saved=True
            )
    return list(out.values())


def _codes(key: str) -> tuple[str, str, str]:
    kab, kec, desa = key.split(SEP)
    return kab, kec, desa


def measure_cube(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measure: Measure,
    *,
    person: bool = False,
    missing: MissingPolicy = "exclude",
) -> MeasureCube:
    """One grouped query over the snapshot's deprivation table: units per desa and score."""
    snap = catalog.snapshot(snapshot)
    dims = [Dimension(i.id, i.weight) for i in measure.indicators]
    with wh.scratch():
        table = deprivations(wh, catalog, snap.id, measure, COLUMNS)
        sc = _scores(table, dims, unit_weight=MEMBERS if person else None, missing=missing)
        # one group key "kab|kec|desa" (unit_table takes one group expression)
        key = table[COLUMNS[0]].cast("string").fill_null(BLANK)
        for c in COLUMNS[1:]:
            key = key.concat(SEP, table[c].cast("string").fill_null(BLANK))
        units = unit_table(table, sc, group=key)
        metrics = {
            "_f": units.count(),
            "_n": units._w.sum(),
            "_m": units._m.sum(),
            **{f"_u{i}": (units._w * units[f"_d{i}"]).sum() for i in range(len(dims))},
        }
        result = units.group_by(["_group", "_score"]).aggregate(**metrics).to_pyarrow()
    rows = tuple(
        CubeRow(
            codes=_codes(r["_group"]),
            score=int(r["_score"]),
            families=int(r["_f"] or 0),
            n=int(r["_n"] or 0),
            missing=int(r["_m"] or 0),
            deprived=tuple(int(r[f"_u{i}"] or 0) for i in range(len(dims))),
        )
        for r in result.to_pylist()
    )
    return MeasureCube(
        snapshot=SnapshotRef(id=snap.id, label=snap.label, tanggal=snap.tanggal),
        measure=measure,
        version=measure_version(catalog, measure.id),
        person=person,
        missing_policy=missing,
        scale=sc.scale,
        w_int=tuple(int(sc.weights[d.column] * sc.scale) for d in dims),
        rows=rows,
    )


# -- sums of a region -------------------------------------------------------------------------
@dataclass(frozen=True)
class _Sums:
    """The additive Alkire-Foster sums of one region at one cut-off."""

    families: int
    n: int
    q: int
    s: int
    missing: int
    uncensored: tuple[int, ...]
    censored: tuple[int, ...]


def _sums(rows: Iterable[CubeRow], cut: int, width: int) -> _Sums:
    families = n = q = s = missing = 0
    unc, cen = [0] * width, [0] * width
    for r in rows:
        families += r.families
        n += r.n
        missing += r.missing
        poor = r.score >= cut
        if poor:
            q += r.n
            s += r.n * r.score
        for i, d in enumerate(r.deprived):
            unc[i] += d
            if poor:
                cen[i] += d
    return _Sums(families, n, q, s, missing, tuple(unc), tuple(cen))


def _group(cube: MeasureCube, sums: _Sums) -> GroupResult:
    """The engine's own ratios (H, A, M0, headcounts, contributions) from the sums."""
    cols = [i.id for i in cube.measure.indicators]
    row: dict[str, int] = {"_n": sums.n, "_q": sums.q, "_s": sums.s, "_missing": sums.missing}
    for i in range(len(cols)):
        row[f"_u{i}"], row[f"_c{i}"] = sums.uncensored[i], sums.censored[i]
    return _ratios(row, cols, dict(zip(cols, cube.w_int, strict=True)), cube.scale)


def _in_region(cube: MeasureCube, region: Region | None, code: str) -> list[CubeRow]:
    if region is not None and region.level == "provinsi":
        return list(cube.rows)
    column = _COLUMN[region.level] if region is not None else 2
    return [r for r in cube.rows if r.codes[column] == code]


def _children(
    cube: MeasureCube, regions: Regions, region: Region, rows: Sequence[CubeRow]
) -> dict[str, list[CubeRow]]:
    """The region's rows by child code: every child in the region tree (even without data),
    then the codes in the data the tree does not know."""
    level = _CHILD_LEVEL.get(region.level)
    if level is None:
        return {}
    out: dict[str, list[CubeRow]] = {c.kode: [] for c in regions.children(region.kode)}
    column = _COLUMN[level]
    for r in rows:
        out.setdefault(r.codes[column], []).append(r)
    return out


def _ref(regions: Regions, code: str) -> RegionRef:
    found = regions.find(code) if code != BLANK else None
    if found is None:
        return RegionRef(kode=code, nama=code, level="tidak_dikenal", known=False)
    return RegionRef(kode=found.kode, nama=found.nama, level=found.level)


# -- suppression (the rule itself is padu.services.suppression's) ---------------------------
def _counts(s: _Sums) -> AreaCounts:
    return AreaCounts(families=s.families, n=s.n, q=s.q, missing=s.missing,
                      deprived=s.uncensored, censored=s.censored)  # fmt: skip


def _figures(sums: _Sums, g: GroupResult, hidden: Hidden | None) -> Figures:
    h = hidden or SHOWN
    if h.whole:
        return Figures(families=None if sums.families else 0, counted=None, poor=None,
                       missing=None, H=None, A=None, M0=None, suppressed=True)  # fmt: skip
    return Figures(
        families=sums.families,
        counted=None if h.counted else sums.n,
        poor=None if h.poor else sums.q,
        missing=None if h.counted else sums.missing,
        H=None if h.poor or h.shares or not sums.n else float(g.H),
        A=None if h.ratio or not sums.q else float(g.A),
        M0=None if h.ratio or h.shares or not sums.n else float(g.M0),
        suppressed=h != SHOWN,
    )


# -- the drill-down ---------------------------------------------------------------------------
def _measure_ref(cube: MeasureCube, k: Fraction) -> MeasureRef:
    m = cube.measure
    return MeasureRef(id=m.id, version=cube.version, label_id=m.label_id, label_en=m.label_en,
                      k=str(k), k_value=float(k))  # fmt: skip


@dataclass(frozen=True)
class _Region:
    """A region resolved in a cube: its own sums and hidden cells, and its children's."""

    region: Region
    sums: _Sums
    hidden: Hidden | None
    children: dict[str, _Sums]
    child_hidden: dict[str, Hidden] | None


def _resolve(
    cube: MeasureCube, regions: Regions, code: str, k: Fraction, suppress: bool
) -> _Region:
    """The region's sums and its children's; for a viewer, what each hides, decided
    top-down from the province along the region's ancestors (so a region's page, its
    parent's table, Beranda and the API hide the same cells)."""
    region = regions.get(code)
    cut, width = cube.cut(k), len(cube.w_int)
    rows = _in_region(cube, region, region.kode)
    sums = _sums(rows, cut, width)
    children = {c: _sums(rs, cut, width) for c, rs in
                _children(cube, regions, region, rows).items()}  # fmt: skip
    if not suppress:
        return _Region(region, sums, None, children, None)
    chain: list[Region] = [region]
    while (up := regions.parent(chain[0].kode)) is not None:
        chain.insert(0, up)
    top = chain[0]
    hidden = hide_root(_counts(_sums(_in_region(cube, top, top.kode), cut, width)))
    for parent, child in itertools.pairwise(chain):
        prows = _in_region(cube, parent, parent.kode)
        siblings = {c: _counts(_sums(rs, cut, width)) for c, rs in
                    _children(cube, regions, parent, prows).items()}  # fmt: skip
        hidden = hide_children(siblings, hidden)[child.kode]
    child_hidden = hide_children({c: _counts(s) for c, s in children.items()}, hidden)
    return _Region(region, sums, hidden, children, child_hidden)


def _indicators(cube: MeasureCube, r: _Region, g: GroupResult) -> list[IndicatorRow]:
    dims = {d.id: d for d in cube.measure.dimensions}
    h = r.hidden or SHOWN
    out = []
    for i, ind in enumerate(cube.measure.indicators):
        dep_hidden = h.deprived_hidden(i)
        cen_hidden = h.censored_hidden(i)
        dim = dims.get(ind.dimension)
        has = r.sums.n > 0 and not h.shares
        out.append(
            IndicatorRow(
                id=ind.id, label_id=ind.label_id, label_en=ind.label_en,
                dimension=ind.dimension,
                dimension_label_id=dim.label_id if dim else ind.dimension,
                dimension_label_en=dim.label_en if dim else ind.dimension,
                weight=float(ind.weight),
                deprived=None if dep_hidden else r.sums.uncensored[i],
                uncensored=None if dep_hidden or not has else float(g.uncensored[ind.id]),
                censored_count=None if cen_hidden else r.sums.censored[i],
                censored=None if cen_hidden or not has else float(g.censored[ind.id]),
                contribution=None if h.ratio or not r.sums.s
                else float(g.contribution[ind.id]),
                contribution_absolute=None if cen_hidden or not has
                else float(g.contribution_absolute[ind.id]),
            )
        )  # fmt: skip
    return out


def _sensitivity(cube: MeasureCube, r: _Region, k: Fraction) -> list[SensitivityRow]:
    """H, A, M0 at every possible k; a viewer gets the measure's own k only, hidden as the
    region's headline is.

    Why not every k, suppressed per k: the poor counts at two cut-offs give the families
    between them, per region and per child, a second table (regions x score bands) whose
    cells sum along both ways; protecting it needs the regions' and the bands' totals
    protected together on every page. The one row at k is what the drill-down, Beranda and
    the API already protect, so nothing new can be subtracted."""
    by_score: dict[int, int] = {}
    for row in _in_region(cube, r.region, r.region.kode):
        by_score[row.score] = by_score.get(row.score, 0) + row.n
    n, out = r.sums.n, []
    for kk in possible_scores(cube.measure):
        if r.hidden is not None and kk != k:
            continue
        h = r.hidden or SHOWN
        cut = cube.cut(kk)
        q = sum(c for score, c in by_score.items() if score >= cut)
        s = sum(score * c for score, c in by_score.items() if score >= cut)
        no_q, no_h, no_a = h.whole or h.poor, h.whole or h.poor or h.shares, h.ratio
        out.append(
            SensitivityRow(
                k=str(kk), k_value=float(kk), poor=None if no_q else q,
                H=None if no_h or not n else q / n,
                A=None if no_a or not q else float(Fraction(s, q * cube.scale)),
                M0=None if no_a or h.shares or not n else float(Fraction(s, n * cube.scale)),
                current=kk == k,
            )
        )  # fmt: skip
    return out


def drilldown(
    cube: MeasureCube,
    code: str,
    *,
    k: Fraction | None = None,
    suppress: bool = False,
    regions: Regions | None = None,
) -> Drilldown:
    """A region's figures, its children's, its indicators and its k-sensitivity (no query).

    ``suppress`` hides what a viewer may not see (see the module doc). ``code`` is a
    Kemendagri code, dotted or not; an unknown one is :class:`padu.errors.NotFound`.
    """
    regions = regions or kaltara()
    k = k or cube.measure.k
    r = _resolve(cube, regions, code, k, suppress)
    g = _group(cube, r.sums)
    chain: list[RegionRef] = []
    at: Region | None = r.region
    while at is not None:
        chain.insert(0, RegionRef(kode=at.kode, nama=at.nama, level=at.level))
        at = regions.parent(at.kode)
    children = [
        RegionRow(
            region=_ref(regions, c),
            figures=_figures(s, _group(cube, s), r.child_hidden[c] if r.child_hidden else None),
        )
        for c, s in r.children.items()
    ]
    return Drilldown(
        summary=MpiSummary(
            snapshot=cube.snapshot,
            measure=_measure_ref(cube, k),
            region=chain[-1],
            person=cube.person,
            missing_policy=cube.missing_policy,
            figures=_figures(r.sums, g, r.hidden),
        ),
        breadcrumb=chain,
        child_level=_CHILD_LEVEL.get(r.region.level),
        children=children,
        indicators=_indicators(cube, r, g),
        sensitivity=_sensitivity(cube, r, k),
        suppressed=suppress,
    )


def region_drilldown(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    measure: Measure,
    code: str,
    *,
    k: Fraction | None = None,
    suppress: bool = False,
    person: bool = False,
    missing: MissingPolicy = "exclude",
) -> Drilldown:
    """:func:`drilldown` straight from the stores (one query; callers that serve many
    regions keep the :func:`measure_cube` and call :func:`drilldown`)."""
    kaltara().get(code)  # an unknown region fails before the query
    cube = measure_cube(wh, catalog, snapshot, measure, person=person, missing=missing)
    return drilldown(cube, code, k=k, suppress=suppress)


# -- change between snapshots -----------------------------------------------------------------
def _diff(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else b - a


def compare(
    old: MeasureCube,
    new: MeasureCube,
    code: str,
    *,
    k: Fraction | None = None,
    suppress: bool = False,
    regions: Regions | None = None,
) -> Change:
    """H, A, M0 of a region and its children in two snapshots and the change, and the
    change of every indicator's censored headcount in the region (``padu mpi change``'s
    figures, for any region). A figure hidden in either snapshot hides the change."""
    regions = regions or kaltara()
    k = k or new.measure.k
    a = drilldown(old, code, k=k, suppress=suppress, regions=regions)
    b = drilldown(new, code, k=k, suppress=suppress, regions=regions)
    before = {a.summary.region.kode: a.summary.figures}
    before.update({c.region.kode: c.figures for c in a.children})
    rows = []
    for ref, fig in [(b.summary.region, b.summary.figures),
                     *[(c.region, c.figures) for c in b.children]]:  # fmt: skip
        was = before.get(ref.kode)
        values: dict[str, float | None] = {}
        for key in ("H", "A", "M0"):
            x = getattr(was, key) if was is not None else None
            y = getattr(fig, key)
            values |= {f"{key}_old": x, f"{key}_new": y, f"{key}_change": _diff(x, y)}
        rows.append(ChangeRow(region=ref, **values))
    old_ind = {i.id: i for i in a.indicators}
    indicators = [
        IndicatorChange(
            id=i.id, label_id=i.label_id, label_en=i.label_en,
            censored_old=old_ind[i.id].censored if i.id in old_ind else None,
            censored_new=i.censored,
            change=_diff(old_ind[i.id].censored if i.id in old_ind else None, i.censored),
        )
        for i in b.indicators
    ]  # fmt: skip
    return Change(base=old.snapshot, snapshot=new.snapshot, measure=b.summary.measure,
                  rows=rows, indicators=indicators)  # fmt: skip
