"""One family's deprivations, poverty status and programme eligibility, on its own rows.

The family card asks about one KK. Evaluating the measure's indicators and every
programme's rule over the whole snapshot and then picking that KK out costs seconds on a
provincial register (and PostgreSQL does not push a filter through the member aggregates).
Here the family's row and its members' rows are selected first, and every rule is
evaluated on them alone, in one query; the members' conditions of person programmes in a
second. The answer is the one the whole-snapshot tables give for that family
(``padu.measure.snapshot.deprivation_table``, ``padu.convergence.base.family_table``,
``padu.programmes.targeting.eligible_units``): ``tests/test_family_card_speed.py`` checks it
family by family on both engines.

The one field that looks beyond the family, ``jumlah_penghuni_rumah``, counts the members of
every KK sharing its dwelling: the rows of those KKs are given to the rules as the
population (:func:`padu.rules.compiler.evaluate`), never the whole snapshot.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from padu.convergence.prepared import placeholder, run_prepared
from padu.measure.af import Dimension, scored
from padu.measure.measures import Measure
from padu.programmes.model import Programme
from padu.rules import compile_member_rule, compile_rule
from padu.rules.compiler import CompiledRule, evaluate, member_condition
from padu.rules.derived import PLN, dwelling_key
from padu.stores import Warehouse
from padu.stores.catalog import SnapshotRow

KK = "nomor_kartu_keluarga"
DESA = "kode_kelurahan_desa"
DWELLING = "_rumah"


@dataclass(frozen=True)
class Assessment:
    """What the rules say about one family."""

    flags: dict[str, int | None]  # indicator id -> 1 deprived, 0 not, None not assessable
    poor: bool  # score >= k with every indicator known (as ``family_table``'s ``poor``)
    eligible: set[str]  # programme codes the family (or one of its members) is eligible for


def with_dwelling(keluarga: Any) -> Any:
    """``keluarga`` with its dwelling key (:func:`padu.rules.derived.dwelling_key`) as
    ``_rumah``, fetched with the family's row so its housemates can be found."""
    return keluarga.mutate(**{DWELLING: dwelling_key(keluarga)})


def assess(
    wh: Warehouse,
    snap: SnapshotRow,
    kel: Any,
    ind: Any,
    family: dict[str, Any],
    measure: Measure,
    programmes: list[Programme],
) -> Assessment:
    """The deprivations, poverty status and eligibility of one family of ``snap``.

    ``kel`` and ``ind`` are the snapshot's tables, unfiltered (the family is picked out
    here); ``family`` is its row as fetched with :func:`with_dwelling`. The queries are
    compiled once per snapshot and set of rules (:mod:`padu.convergence.prepared`).
    """
    as_of, snapshot = snap.tanggal, snap.batch
    kk, dwelling = str(family[KK]), str(family[DWELLING])
    own = dwelling == "kk:" + kk
    rules: dict[str, CompiledRule] = {f"_i{n}": i.rule for n, i in enumerate(measure.indicators)}
    rules.update({f"_p{n}": compile_rule(p.rule) for n, p in enumerate(programmes)})

    def build() -> Any:
        return _rules_table(kel, ind, own, as_of, measure, rules, len(programmes))

    key = ("kartu.aturan", snapshot, as_of, own, _fingerprint(measure),
           tuple(r.text for r in rules.values()))  # fmt: skip
    values = {"kk": kk, "rumah": dwelling} | ({} if own else {"pln": dwelling.removeprefix("pln:")})
    rows = run_prepared(wh, key, build, values)
    row = rows[0] if rows else {}
    flags = {i.id: row.get(i.id) for i in measure.indicators}
    meets = {p.code for n, p in enumerate(programmes) if row.get(f"_p{n}")}
    desa = family.get(DESA)
    meets = {p.code for p in programmes if p.code in meets and _in_regions(p, desa)}
    # every person programme's member rule, met or not: one compiled query per rule set
    person = [p for p in programmes if p.unit == "individu"]
    lacking = _no_member_qualifies(wh, ind, kk, snapshot, as_of, person)
    return Assessment(flags, bool(row.get("_poor")), meets - lacking)


def _fingerprint(measure: Measure) -> tuple[Hashable, ...]:
    return (measure.id, measure.k, tuple((i.id, i.weight, i.rule.text) for i in measure.indicators))


def _rules_table(
    kel: Any,
    ind: Any,
    own: bool,
    as_of: dt.date,
    measure: Measure,
    rules: dict[str, CompiledRule],
    programmes: int,
) -> Any:
    """One row: the family's indicators (1/0/NULL), ``_poor`` and ``_p{n}`` per programme
    rule, for the family and dwelling of the placeholders ``kk`` and ``rumah``."""
    kk, dwelling = placeholder("kk"), placeholder("rumah")
    one_kel, one_ind = kel.filter(kel[KK] == kk), ind.filter(ind[KK] == kk)
    home = dwelling_key(kel) == dwelling
    # a cheap test first (computing every family's dwelling key took 0.3 s at scale 1):
    # its own KK, or a PLN ID containing the family's (the key strips the ID)
    near = kel[KK] == kk if own else kel[PLN].cast("string").contains(placeholder("pln"))
    housemates = kel.filter(near & home)
    population = (housemates, ind.semi_join(housemates, ind[KK] == housemates[KK]))
    joined, exprs = evaluate(rules, one_kel, one_ind, as_of, population=population)
    # the cast names each indicator rule once, as padu.measure.snapshot.deprivation_table does
    table = joined.select(
        joined[KK],
        *[exprs[f"_i{n}"].cast("int32").cast("int64").name(i.id)
          for n, i in enumerate(measure.indicators)],
        *[exprs[f"_p{n}"].fill_null(False).name(f"_p{n}") for n in range(programmes)],
    )  # fmt: skip
    weights = [Dimension(i.id, i.weight) for i in measure.indicators]
    out = scored(table, weights, measure.k)
    return out.select(*table.columns, _poor=out.miskin.fill_null(False))


def _in_regions(programme: Programme, desa: str | None) -> bool:
    """Whether the family's desa is in the programme's regions (every desa when none)."""
    if not programme.regions:
        return True
    return desa is not None and any(desa.startswith(r) for r in programme.regions)


def _no_member_qualifies(
    wh: Warehouse,
    ind: Any,
    kk: str,
    snapshot: Hashable,
    as_of: dt.date,
    person: list[Programme],
) -> set[str]:
    """The person programmes of ``person`` none of the family's members qualifies for (a
    person programme's unit is a member meeting its member rule)."""
    if not person:
        return set()
    member_rules = tuple(p.member_rule or "benar" for p in person)

    def build() -> Any:
        members = ind.filter(ind[KK] == placeholder("kk"))
        conds = {
            f"_m{n}": member_condition(compile_member_rule(rule), members, as_of).fill_null(False)
            for n, rule in enumerate(member_rules)
        }
        return members.select(members[KK], **conds)

    key = ("kartu.anggota", snapshot, as_of, member_rules)
    rows = run_prepared(wh, key, build, {"kk": kk})
    return {p.code for n, p in enumerate(person) if not any(r[f"_m{n}"] for r in rows)}
