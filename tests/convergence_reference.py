"""A plain-Python recomputation of the convergence views: the independent reference for tests.

It follows the definitions of the convergence contract (which source counts, which ledger
row is a recipient, what a unit and a family are, and every overlap, gap, error and
coverage figure) with Python sets and dicts over raw tables fetched whole. It shares with
Padu only what is not convergence: the register tables of a snapshot, the measure's
per-indicator deprivations (``padu.measure.snapshot.deprivation_table``) and a programme's
eligible units in rank order (``draw_target_list`` without quota or budget).

Choices where the contract leaves room (kept in one place, each named):

- a ledger is replaced by any newer ledger of the same programme and year with the same
  file name or the same content (pairwise, not through chains);
- a person recipient whose NIK the snapshot gives to several families rolls up to the
  recipient's own KK when that is one of them, else to the smallest of them;
- a unit's family is the one its first row gives (planned rows first, then by source id
  and row);
- ``pending_review`` counts the pending rows of the realised ledgers in the basis (0 under
  ``planned``) and belongs to the province (0 in a region, like other rows outside S);
- ``deprived_reached`` counts deprived families inside the programme's scope only, so it
  never exceeds ``deprived``; ``outside_scope`` and the scope are the union of the
  programme's region codes;
- a family is poor when the (normalised) weights of the indicators it is deprived in sum
  to at least k and none of its indicators is unknown (the measure's default missing-data
  policy, ``exclude``, as ``padu mpi`` counts the poor); a family is deprived in a dimension
  when one of its indicators is known to be deprived;
- ``overlap.by_dimension`` has every dimension of the measure (zeros included), like
  ``gaps``; ``concentration.distribution`` has every key ``"1"`` .. ``"N+"``;
- ``regions`` lists the regions with at least one family of the snapshot, by code, each
  with every programme of the province's ``programmes``.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from itertools import combinations
from typing import Any

from padu.measure.measures import get_measure
from padu.measure.snapshot import deprivation_table
from padu.programmes.model import Programme
from padu.programmes.store import current_workshop
from padu.programmes.targeting import draw_target_list
from padu.regions import REGION_COLUMNS, kaltara
from padu.register.snapshots import snapshot_table
from padu.stores import Catalog, Warehouse

KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"
PARTS = {"planned": ("planned",), "realised": ("realised",), "both": ("planned", "realised")}
INCLUSION = ("not_found", "left_register", "desil_6_10", "outside_scope")


@dataclass(frozen=True)
class Row:
    """One row of a source: a recipient (``found``), ``not_found`` or ``pending``."""

    part: str  # planned | realised
    source: int  # adoption or ledger id
    row: int
    status: str  # found | not_found | pending
    nik: str | None
    kk: str | None


@dataclass
class Unit:
    """A recipient unit of one programme: its key, whether found, and its family in S."""

    key: tuple[Any, ...]
    found: bool
    family: str | None  # None: not found, or left the register


@dataclass
class Eligible:
    rank: int
    key: str  # the person as padu target counts one, or the KK
    kk: str


@dataclass
class World:
    """Everything the views need, fetched once per (snapshot, year, measure)."""

    year: int
    snapshot: Any
    reference: Any
    programmes: dict[str, Programme]
    versions: dict[str, int]
    families: dict[str, dict[str, Any]]  # KK -> region codes and desil
    person_families: dict[str, list[str]]  # valid NIK -> the KKs S gives it
    persons: dict[tuple[str, str], str]  # (NIK, KK) of S -> the person as padu target counts one
    dimensions: list[str]
    deprived: dict[str, set[str]]  # KK -> dimensions it is deprived in
    poor: set[str]
    adoptions: list[Any]  # the adoption that counts, per programme
    ledgers: list[Any]  # the ledgers that count
    all_ledgers: list[Any]  # every ledger of the year
    rows: dict[tuple[str, str], list[Row]]  # (part, programme) -> rows
    source_rows: dict[tuple[str, int], int]  # (kind, id) -> rows stored
    eligible: dict[str, list[Eligible]] = field(default_factory=dict)


def _fetch(wh: Warehouse, name: str, columns: list[str]) -> list[dict[str, Any]]:
    if not wh.has(name):
        return []
    return wh.table(name).select(*columns).to_pyarrow().to_pylist()


def counted_ledgers(ledgers: list[Any]) -> list[Any]:
    """The ledgers that count: none that a newer ledger of its programme replaces (same file
    name or same content)."""
    out = []
    for ledger in ledgers:
        newer = [
            o
            for o in ledgers
            if o.programme == ledger.programme
            and o.id > ledger.id
            and (o.source_file == ledger.source_file or o.file_sha256 == ledger.file_sha256)
        ]
        if not newer:
            out.append(ledger)
    return out


def load(
    wh: Warehouse, catalog: Catalog, snapshot: str | int, year: int, measure: str = "padu-7"
) -> World:
    """Fetch the raw tables and catalog rows of one snapshot and fiscal year."""
    snap = catalog.snapshot(snapshot)
    workshop, versions = current_workshop(catalog)
    programmes = {p.code: p for p in workshop.programmes}
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    fam_cols = [KK, "desil_nasional", *sorted(set(REGION_COLUMNS.values()))]
    families = {r[KK]: r for r in kel.select(*fam_cols).to_pyarrow().to_pylist()}
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    person_families: dict[str, list[str]] = defaultdict(list)
    persons: dict[tuple[str, str], str] = {}
    cols = [NIK, KK, "nama", "tanggal_lahir", "kualitas"]
    for r in ind.select(*cols).to_pyarrow().to_pylist():
        if r[NIK] is not None:
            key = person_of(r)
            persons[r[NIK], r[KK]] = min(key, persons.get((r[NIK], r[KK]), key))
            if key == r[NIK]:  # a valid NIK
                person_families[r[NIK]].append(r[KK])

    m = get_measure(measure, catalog)
    total = sum((i.weight for i in m.indicators), Fraction(0))
    dep_rows = deprivation_table(wh, catalog, snap.id, m).to_pyarrow().to_pylist()
    deprived: dict[str, set[str]] = {}
    poor: set[str] = set()
    for r in dep_rows:
        hit = [i for i in m.indicators if r[i.id] == 1]
        deprived[r[KK]] = {i.dimension for i in hit}
        known = all(r[i.id] is not None for i in m.indicators)
        if known and sum((i.weight for i in hit), Fraction(0)) / total >= m.k:
            poor.add(r[KK])

    latest: dict[str, Any] = {}
    for a in catalog.adoptions(year=year):  # newest last
        latest[a.programme] = a
    adoptions = sorted(latest.values(), key=lambda a: a.id)
    ledgers = counted_ledgers(catalog.ledgers(year=year))
    known = set(programmes)
    assert {a.programme for a in adoptions} <= known
    assert {x.programme for x in ledgers} <= known

    rows: dict[tuple[str, str], list[Row]] = defaultdict(list)
    source_rows: Counter[tuple[str, int]] = Counter()
    planned = _fetch(wh, "rencana", ["adopsi_batch", "programme", "peringkat", "kk", "nik"])
    by_batch: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in planned:
        by_batch[r["adopsi_batch"]].append(r)
    for a in adoptions:
        source_rows["adoption", a.id] += 0
        for r in sorted(by_batch.get(a.batch, []), key=lambda r: r["peringkat"]):
            source_rows["adoption", a.id] += 1
            rows["planned", a.programme].append(
                Row("planned", a.id, r["peringkat"], "found", r["nik"], r["kk"])
            )

    ledger_rows = _fetch(wh, "penerima", ["ledger_batch", "row", "row_key", "status", "nik", "kk"])
    cands = _fetch(wh, "penerima_kandidat", ["ledger_batch", "row", "rank", "nik", "kk"])
    batches = {x.batch: x for x in ledgers}
    by_ledger: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in ledger_rows:
        if r["ledger_batch"] in batches:
            by_ledger[r["ledger_batch"]].append(r)
    cand_of: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for c in cands:
        if c["ledger_batch"] in batches:
            cand_of[c["ledger_batch"], c["row"]].append(c)
    review_keys = [r["row_key"] for rs in by_ledger.values() for r in rs if r["status"] == "review"]
    said = {(d.row_key, d.person_key): d.decision for d in catalog.decisions(review_keys)}
    for x in ledgers:
        source_rows["ledger", x.id] += 0
        for r in sorted(by_ledger.get(x.batch, []), key=lambda r: r["row"]):
            source_rows["ledger", x.id] += 1
            if r["status"] == "matched":
                row = Row("realised", x.id, r["row"], "found", r["nik"], r["kk"])
            elif r["status"] == "unmatched":
                row = Row("realised", x.id, r["row"], "not_found", None, None)
            else:
                mine = sorted(cand_of[x.batch, r["row"]], key=lambda c: c["rank"])
                told = [said.get((r["row_key"], f"{c['nik'] or ''}|{c['kk'] or ''}")) for c in mine]
                chosen = [c for c, d in zip(mine, told, strict=True) if d == "same"]
                if chosen:
                    c = chosen[0]
                    row = Row("realised", x.id, r["row"], "found", c["nik"], c["kk"])
                elif mine and all(d == "different" for d in told):
                    row = Row("realised", x.id, r["row"], "not_found", None, None)
                else:
                    row = Row("realised", x.id, r["row"], "pending", None, None)
            rows["realised", x.programme].append(row)

    return World(
        year=year,
        snapshot=snap,
        reference=catalog.reference(year),
        programmes=programmes,
        versions=versions,
        families=families,
        person_families=dict(person_families),
        persons=persons,
        dimensions=[d.id for d in m.dimensions],
        deprived=deprived,
        poor=poor,
        adoptions=adoptions,
        ledgers=ledgers,
        all_ledgers=list(catalog.ledgers(year=year)),
        rows=dict(rows),
        source_rows=dict(source_rows),
    )


def load_eligible(wh: Warehouse, catalog: Catalog, world: World) -> None:
    """Every eligible unit of every programme with a source, in rank order."""
    codes = {a.programme for a in world.adoptions} | {x.programme for x in world.ledgers}
    ind = snapshot_table(wh, catalog, world.snapshot.id, "individu")
    cols = [NIK, KK, "nama", "tanggal_lahir", "kualitas"]
    members = {(r[NIK], r[KK]): r for r in ind.select(*cols).to_pyarrow().to_pylist()}
    for code in sorted(codes):
        p = world.programmes[code]
        free = dataclasses.replace(p, quota=None, budget=None)
        drawn = draw_target_list(wh, catalog, free, world.versions[code], world.snapshot.id)
        assert drawn.selected == drawn.eligible
        listed = drawn.rows.to_pylist()
        if p.unit == "individu":
            world.eligible[code] = [
                Eligible(r["peringkat"], person_of(members[r[NIK], r[KK]]) if r[NIK] else
                         person_of({**r, "kualitas": "nik_tidak_valid"}), r[KK])
                for r in listed
            ]  # fmt: skip
        else:
            world.eligible[code] = [Eligible(r["peringkat"], r[KK], r[KK]) for r in listed]


# -- units and families -------------------------------------------------------------------


def person_of(r: dict[str, Any]) -> str:
    """How padu target counts a member: a valid NIK, else the record (KK, NIK as written,
    name, birth date)."""
    if r[NIK] is not None and "nik_tidak_valid" not in (r.get("kualitas") or ""):
        return str(r[NIK])
    born = r["tanggal_lahir"].isoformat() if r["tanggal_lahir"] else ""
    return f"{r[KK]}|{r[NIK] or ''}|{r['nama'] or ''}|{born}"


def _person(world: World, row: Row) -> tuple[str | None, str | None]:
    """The person of S a row names (key, KK): by NIK and KK, else by a valid NIK alone."""
    if row.nik is None:
        return None, None
    if (row.nik, row.kk) in world.persons:
        return world.persons[row.nik, row.kk], row.kk
    held = world.person_families.get(row.nik, [])
    if held:
        kk = min(held)
        return world.persons[row.nik, kk], kk
    return None, None


def family_of(world: World, p: Programme, row: Row) -> str | None:
    """The family of S a found row rolls up to, or None when it is not in S: the family of
    the person it names, else (no NIK, or a family programme) its KK if S has it."""
    _, kk = _person(world, row)
    if kk is not None:
        return kk
    if row.nik is not None and p.unit == "individu":
        return None
    return row.kk if row.kk in world.families else None


def unit_key(world: World, p: Programme, row: Row) -> tuple[Any, ...]:
    if row.status == "found":
        if p.unit == "keluarga":
            fam = family_of(world, p, row) or row.kk
            if fam:
                return ("kk", fam)
        else:
            key, _ = _person(world, row)
            if key is not None:
                return ("orang", key)
            if row.nik:
                return ("orang", row.nik)
    return ("row", row.part, row.source, row.row)


def units(world: World, p: Programme, parts: tuple[str, ...]) -> dict[tuple[Any, ...], Unit]:
    """The recipient units of ``p`` in the basis (pending rows are none)."""
    out: dict[tuple[Any, ...], Unit] = {}
    for part in parts:
        for row in world.rows.get((part, p.code), []):
            if row.status == "pending":
                continue
            key = unit_key(world, p, row)
            if key not in out:
                found = row.status == "found"
                out[key] = Unit(key, found, family_of(world, p, row) if found else None)
    return out


def duplicated_families(world: World, p: Programme, parts: tuple[str, ...]) -> set[str]:
    """Families with a unit that one source of ``p`` (one adoption, one ledger) lists twice
    or more: every family of S the unit's rows roll up to."""
    out: set[str] = set()
    for part in parts:
        rows: dict[tuple[int, tuple[Any, ...]], list[str]] = defaultdict(list)
        for row in world.rows.get((part, p.code), []):
            if row.status != "found":
                continue
            f = family_of(world, p, row)
            if f is None:
                continue
            rows[row.source, unit_key(world, p, row)].append(f)
        out |= {f for fams in rows.values() if len(fams) >= 2 for f in fams}
    return out


def in_scope(p: Programme, desa: str | None) -> bool:
    return not p.regions or any((desa or "").startswith(r) for r in p.regions)


def _desil_6_10(value: Any) -> bool:
    text = str(value or "").strip()
    return text.isdigit() and 6 <= int(text) <= 10


def _rate(a: int, b: int) -> float | None:
    return None if b == 0 else round(a / b, 6)


# -- the views ----------------------------------------------------------------------------


def views(
    world: World, *, basis: str = "both", by: str | None = None, concentration: int = 4
) -> dict[str, Any]:
    """The convergence JSON of the contract (``warnings`` left empty: they are sentences)."""
    parts = PARTS[basis]
    sources: list[dict[str, Any]] = []
    ref = world.reference
    if "planned" in parts:
        for a in world.adoptions:
            sources.append(
                {
                    "basis": "planned", "kind": "adoption", "id": a.id, "programme": a.programme,
                    "snapshot": a.snapshot_id, "rows": world.source_rows["adoption", a.id],
                    "off_reference": ref is None or ref.snapshot_id != a.snapshot_id,
                    "counted": True, "dibuat": a.dibuat, "pelaku": a.pelaku,
                }
            )  # fmt: skip
    if "realised" in parts:
        counted = {x.id for x in world.ledgers}
        for x in world.all_ledgers:
            entry = {
                "basis": "realised", "kind": "ledger", "id": x.id, "programme": x.programme,
                "snapshot": x.snapshot_id, "rows": json.loads(x.counts)["rows"],
                "file": x.source_file,
                "off_reference": ref is None or ref.snapshot_id != x.snapshot_id,
                "counted": x.id in counted, "dibuat": x.dibuat, "pelaku": x.pelaku,
            }  # fmt: skip
            if x.id not in counted:  # the nearest newer ledger of the same file
                entry["replaced_by"] = min(
                    o.id for o in world.all_ledgers
                    if o.programme == x.programme and o.id > x.id
                    and (o.source_file == x.source_file or o.file_sha256 == x.file_sha256)
                )  # fmt: skip
            sources.append(entry)
    with_source = sorted({s["programme"] for s in sources if s["counted"]})
    progs = [world.programmes[c] for c in with_source]
    unit_sets = {p.code: units(world, p, parts) for p in progs}
    dup = {p.code: duplicated_families(world, p, parts) for p in progs}
    pending = {
        p.code: sum(1 for r in world.rows.get(("realised", p.code), []) if r.status == "pending")
        if "realised" in parts
        else 0
        for p in progs
    }
    snap = world.snapshot
    out: dict[str, Any] = {
        "year": world.year,
        "basis": basis,
        "measure": None,  # filled in by recompute
        "by": by,
        "snapshot": {
            "id": snap.id,
            "label": snap.label,
            "tanggal": snap.tanggal.isoformat(),
            "reference": ref is not None and ref.snapshot_id == snap.id,
        },
        "sources": sources,
        "warnings": [],
    }
    out.update(_area(world, progs, unit_sets, dup, pending, None, None, concentration))
    out["programmes_without_list"] = sorted(
        p.code
        for p in world.programmes.values()
        if p.fiscal_year == world.year and p.code not in with_source
    )
    if by is not None:
        column = REGION_COLUMNS[by]
        codes = sorted({f[column] for f in world.families.values() if f[column]})
        regions = kaltara()
        out["regions"] = [
            {
                "level": by,
                "kode": code,
                "nama": regions.get(code).nama,
                **_area(world, progs, unit_sets, dup, pending, column, code, concentration),
            }
            for code in codes
        ]
    return out


def _area(
    world: World,
    progs: list[Programme],
    unit_sets: dict[str, dict[tuple[Any, ...], Unit]],
    dup: dict[str, set[str]],
    pending: dict[str, int],
    column: str | None,
    code: str | None,
    threshold: int,
) -> dict[str, Any]:
    """Every figure of the province (``column`` None) or of one region."""

    def here(kk: str | None) -> bool:
        if kk is None or kk not in world.families:
            return False
        return column is None or world.families[kk][column] == code

    families = {kk for kk in world.families if here(kk)}
    reached: dict[str, set[str]] = defaultdict(set)  # family -> programmes reaching it
    fams_of: dict[str, set[str]] = {}
    for p in progs:
        fams_of[p.code] = {u.family for u in unit_sets[p.code].values() if here(u.family)}
        for f in fams_of[p.code]:
            reached[f].add(p.code)
    by_code = {p.code: p for p in progs}

    def complementary(a: str, b: str) -> bool:
        return b in by_code[a].complements or a in by_code[b].complements

    same_dim: set[str] = set()
    by_dim: dict[str, set[str]] = {d: set() for d in world.dimensions}
    compl: set[str] = set()
    for f, codes in reached.items():
        for a, b in combinations(sorted(codes), 2):
            if complementary(a, b):
                compl.add(f)
                continue
            shared = set(by_code[a].dimensions) & set(by_code[b].dimensions)
            if shared:
                same_dim.add(f)
            for d in shared:
                if d in by_dim:
                    by_dim[d].add(f)
    same_prog = {f for p in progs for f in dup[p.code] if f in families}
    distribution = {str(n): 0 for n in range(1, threshold)} | {f"{threshold}+": 0}
    for codes in reached.values():
        n = len(codes)
        distribution[str(n) if n < threshold else f"{threshold}+"] += 1
    agencies: dict[str, set[str]] = defaultdict(set)  # agency -> families reached
    for p in progs:
        agencies[p.agency] |= fams_of[p.code]
    pairs = []
    for a, b in combinations(sorted(agencies), 2):
        n = len(agencies[a] & agencies[b])
        if n:
            pairs.append({"agencies": [a, b], "families": n})
    pairs.sort(key=lambda x: (-x["families"], x["agencies"]))
    overlap = {
        "same_dimension_families": len(same_dim),
        "same_programme_families": len(same_prog),
        "complementary_families": len(compl),
        "by_dimension": {d: len(s) for d, s in by_dim.items()},
        "concentration": {
            "threshold": threshold,
            "families": sum(1 for c in reached.values() if len(c) >= threshold),
            "distribution": distribution,
        },
        "by_agency_pair": pairs,
    }

    gaps = {}
    for d in world.dimensions:
        deprived = {f for f in families if d in world.deprived.get(f, set())}
        hit = {f for f in deprived if any(d in by_code[c].dimensions for c in reached.get(f, ()))}
        gaps[d] = {"deprived": len(deprived), "reached": len(hit), "unreached": len(deprived - hit)}
    poor = families & world.poor
    poor_hit = {f for f in poor if reached.get(f)}
    dimension_agency = []
    for d in world.dimensions:
        for agency in sorted({p.agency for p in progs}):
            n = sum(
                1
                for f in families
                if d in world.deprived.get(f, set())
                and any(
                    by_code[c].agency == agency and d in by_code[c].dimensions
                    for c in reached.get(f, ())
                )
            )
            if n:
                dimension_agency.append({"dimension": d, "agency": agency, "families": n})

    programmes = {}
    for p in progs:
        all_units = unit_sets[p.code]
        mine = [u for u in all_units.values() if column is None or here(u.family)]
        inclusion = dict.fromkeys(INCLUSION, 0)
        for u in mine:
            if not u.found:
                inclusion["not_found"] += 1
            elif u.family is None:
                inclusion["left_register"] += 1
            elif _desil_6_10(world.families[u.family]["desil_nasional"]):
                inclusion["desil_6_10"] += 1
            elif not in_scope(p, world.families[u.family]["kode_kelurahan_desa"]):
                inclusion["outside_scope"] += 1
        keys = set(all_units)
        eligible = [e for e in world.eligible[p.code] if column is None or here(e.kk)]

        def got(e: Eligible, p: Programme = p, keys: set[tuple[Any, ...]] = keys) -> bool:
            key = ("kk", e.kk) if p.unit == "keluarga" else ("orang", e.key)
            return key in keys

        hits = [e.rank for e in eligible if got(e)]
        top = max(hits, default=0)
        skipped = sum(1 for e in eligible if e.rank < top and not got(e))
        n_hit = len(hits)
        dims = set(p.dimensions)
        deprived = {
            f
            for f in families
            if world.deprived.get(f, set()) & dims
            and in_scope(p, world.families[f]["kode_kelurahan_desa"])
        }
        deprived_hit = deprived & fams_of[p.code]
        programmes[p.code] = {
            "agency": p.agency,
            "unit": p.unit,
            "dimensions": list(p.dimensions),
            "recipients": len(mine),
            "inclusion": inclusion,
            "inclusion_error": _rate(sum(inclusion.values()), len(mine)),
            "eligible": len(eligible),
            "eligible_reached": n_hit,
            "exclusion_error": _rate(len(eligible) - n_hit, len(eligible)),
            "priority_skipped": skipped,
            "coverage": _rate(n_hit, len(eligible)),
            "deprived": len(deprived),
            "deprived_reached": len(deprived_hit),
            "deprived_coverage": _rate(len(deprived_hit), len(deprived)),
            "pending_review": pending[p.code] if column is None else 0,
        }
    return {
        "families": len(families),
        "overlap": overlap,
        "gaps": gaps,
        "poor": {"poor": len(poor), "reached": len(poor_hit), "unreached": len(poor - poor_hit)},
        "dimension_agency": dimension_agency,
        "programmes": programmes,
    }


def recompute(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str | int,
    year: int,
    *,
    basis: str = "both",
    by: str | None = None,
    measure: str = "padu-7",
    concentration: int = 4,
    world: World | None = None,
) -> dict[str, Any]:
    """The whole convergence JSON recomputed (``world`` reuses what was fetched before)."""
    if world is None:
        world = load(wh, catalog, snapshot, year, measure)
        load_eligible(wh, catalog, world)
    out = views(world, basis=basis, by=by, concentration=concentration)
    out["measure"] = measure
    return out
