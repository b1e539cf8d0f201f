"""Targeting runs: eligibility -> priority -> cut at quota and/or budget -> a ranked list.

Priority: national desil ascending, then the Padu-7 deprivation score descending, then a
keyed pseudo-random tie-break: the MD5 of ``programme|unit key``, so two programmes break
ties independently of each other, and DuckDB and PostgreSQL give the same order (never the
row order). Every listed unit carries its reasons (the rule's conditions it met), its desil
and its deprivations. The same snapshot, rule version and settings give the same list and
the same content hash.

A person list counts each person once: by NIK where the import found the NIK valid, else
by the record (KK, NIK as written, name, birth date). Of several copies the best-ranked is
kept; the others are reported as dropped duplicates. A run keeps no temporary table: the
chosen rows are fetched and the run's table is dropped before it returns.

Every listed unit carries its cost, ``biaya``: the programme's ``unit_cost``, or for a
programme paid per component (PKH) the sum of its members' components, each member
counted once for the first component it meets and at most ``max_components`` of them (the
largest). A budget takes units in rank order while the running total stays within it.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from padu.measure.measures import get_measure
from padu.programmes.model import Programme
from padu.register.snapshots import snapshot_table
from padu.rules import compile_member_rule, compile_rule, member_condition
from padu.rules.ast import Binary, MemberAgg, Node
from padu.rules.compiler import CompiledRule, evaluate
from padu.rules.derived import DERIVED, derived_names, with_derived
from padu.rules.explain import render, sentence
from padu.stores import Catalog, Warehouse

KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"
PERSON = ("nama", "jenis_kelamin", "tanggal_lahir", "status_hubungan_keluarga")
#: How many dropped duplicates a summary names (all of them are on ``TargetList.duplicates``).
SUMMARY_DUPLICATES = 5
_HEX = "0123456789abcdef"
_TIE_DIGITS = 15  # 60 bits of the MD5: fits int64 with room, collisions fall to the key


@ibis.udf.scalar.builtin(name="md5")  # type: ignore[untyped-decorator]
def _md5(value: str) -> str:  # type: ignore[empty-body]
    """MD5 as 32 lowercase hex digits: a builtin of DuckDB and PostgreSQL alike."""


@dataclass
class TargetList:
    """A drawn list: its counts, content hash, rows in rank order and dropped duplicates."""

    programme: Programme
    version: int
    snapshot: int
    region: str | None
    eligible: int
    selected: int
    cost: int
    hash: str
    rows: pa.Table  # the listed units with every column, in rank order
    duplicates: pa.Table = field(  # NIK, KK and KK of the copy kept, per dropped copy
        default_factory=lambda: pa.table({NIK: [], KK: [], "kk_dipakai": []})
    )

    def summary(self) -> dict[str, Any]:
        """The run in a few fields (for JSON output and the audit log): NIK and KK masked."""
        from padu.identifiers import mask_nik

        shown = self.duplicates.slice(0, SUMMARY_DUPLICATES).to_pylist()
        return {
            "programme": self.programme.code,
            "rule_version": self.version,
            "snapshot": self.snapshot,
            "region": self.region,
            "unit": self.programme.unit,
            "eligible": self.eligible,
            "selected": self.selected,
            "cost": self.cost,
            "hash": self.hash,
            "duplicates_dropped": self.duplicates.num_rows,
            "duplicates": [
                {
                    "nik": mask_nik(d[NIK] or ""),
                    "kk": mask_nik(d[KK] or ""),
                    "kk_dipakai": mask_nik(d["kk_dipakai"] or ""),
                }
                for d in shown
            ],
        }


def _reason_nodes(node: Node) -> list[Node]:
    """The conditions worth naming: the AND clauses, the branches of an OR clause, and
    those of an OR inside ``ada anggota(...)`` (any member with a or b = any with a, or any
    with b), so a family's reasons say which one it met."""
    if isinstance(node, Binary) and node.op in ("and", "or"):
        return _reason_nodes(node.left) + _reason_nodes(node.right)
    if (
        isinstance(node, MemberAgg)
        and node.kind == "any"
        and isinstance(node.condition, Binary)
        and node.condition.op == "or"
    ):
        cond = node.condition
        return _reason_nodes(MemberAgg(node.line, node.col, "any", cond.left)) + _reason_nodes(
            MemberAgg(node.line, node.col, "any", cond.right)
        )
    return [node]


def _reasons(rule: Node) -> dict[str, CompiledRule]:
    """The rule's reasons by their sentence ("Desil nasional 1-4", "Atap: bambu"); two
    conditions that read the same are one reason (met when either is)."""
    nodes: dict[str, Node] = {}
    for n in _reason_nodes(rule):
        text = sentence(n)
        seen = nodes.get(text)
        nodes[text] = n if seen is None else Binary(n.line, n.col, "or", seen, n)
    return {text: CompiledRule(render(n), n, set()) for text, n in nodes.items()}


def _joined_text(t: Any, flags: dict[str, Any]) -> Any:
    """``a; b`` from boolean columns named by their label (NULL counts as false)."""
    text = ibis.literal("")
    for label, flag in flags.items():
        text = text + ibis.ifelse(flag.fill_null(False), "; " + label, "")
    return text.substr(2)  # without the first "; "


def tie_digest(key: Any, programme: str) -> Any:
    """The tie-break digest of a unit: MD5 of ``programme|key`` in hex (kept in the run's
    table so the hash is computed once per unit)."""
    return _md5(ibis.literal(programme + "|") + key)


def tie_value(digest: Any) -> Any:
    """The first 15 hex digits of a :func:`tie_digest` as an int64: the same number on
    every engine (a string order would depend on the database's collation)."""
    value = ibis.literal(0, "int64")
    for i in range(_TIE_DIGITS):
        # ibis types the position as int64 but PostgreSQL computes it as int4, so the
        # products would overflow: the cast through int32 makes ibis write the BIGINT cast
        digit = ibis.literal(_HEX).find(digest.substr(i, 1)).cast("int32").cast("int64")
        value = value + digit * 16 ** (_TIE_DIGITS - 1 - i)
    return value


def tie_reference(key: str, programme: str) -> int:
    """:func:`tie_value` of :func:`tie_digest` computed in Python (tests, audits)."""
    return int(hashlib.md5(f"{programme}|{key}".encode()).hexdigest()[:_TIE_DIGITS], 16)  # noqa: S324


#: The derived fields (:mod:`padu.rules.derived`) as the family features keep them (hidden
#: columns: a list's rows show no column whose name starts with ``_``).
_DERIVED_KEPT = {name: f"_{name}" for name in DERIVED}


def _family_table(
    wh: Warehouse, catalog: Catalog, snapshot: str | int, rules: Iterable[CompiledRule]
) -> Any:
    """The family table to evaluate ``rules`` on: the snapshot's rows, with the derived
    fields the rules name read from the family features (computed there once per snapshot:
    the dwelling count is two more passes over the member table, and PostgreSQL evaluates
    the urban-desa lookup again wherever a rule names it)."""
    kel = snapshot_table(wh, catalog, snapshot, "keluarga")
    names = set().union(*(derived_names(r.ast) for r in rules))
    if not names:
        return kel
    feats = family_features(wh, catalog, snapshot)
    kept = feats.select(_kk_turunan=feats[KK], **{n: feats[_DERIVED_KEPT[n]] for n in names})
    joined = kel.left_join(kept, kel[KK] == kept._kk_turunan)
    return joined.drop("_kk_turunan")


def family_features(wh: Warehouse, catalog: Catalog, snapshot: str | int) -> Any:
    """Per family: place, names, numeric desil and the Padu-7 score and deprivations.

    It depends only on the (immutable) snapshot, so it is computed once per connection and
    kept as a temporary table that every programme's run joins to (dropped with the
    connection, or when an enclosing ``Warehouse.scratch()`` ends). The indicators are
    written first as 0/1/NULL columns, and the score and the deprivation text are summed
    from those: PostgreSQL would otherwise evaluate every rule once for each.
    """
    snap = catalog.snapshot(snapshot)
    kept = wh.kept_temp(f"fitur_{snap.batch}")
    if kept is not None:
        return kept  # building the expression alone takes a second
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    measure = get_measure("padu-7")
    rules = {f"_d_{i.id}": i.rule for i in measure.indicators}
    # every derived field, kept for the programmes' rules (see _family_table)
    kel = with_derived(kel, set(DERIVED), (kel, ind))
    table, exprs = evaluate(rules, kel, ind, snap.tanggal)
    place = (
        KK,
        "nama_anggota_keluarga",
        "alamat",
        "kode_kabupaten_kota",
        "kode_kecamatan",
        "kode_kelurahan_desa",
        "kelurahan_desa",
        "kecamatan",
        "kabupaten_kota",
        "desil_nasional",
    )
    # 1, 0 or NULL; a cast names the rule once (a CASE of e and NOT e would name it twice)
    flags_table = wh.temp(
        f"indikator_{snap.batch}",
        table.select(
            *place,
            *(table[n].name(k) for n, k in _DERIVED_KEPT.items()),
            **{n: e.cast("int32") for n, e in exprs.items()},
        ),
    )
    try:
        flags = {i.id: flags_table[f"_d_{i.id}"] == 1 for i in measure.indicators}
        scale = math.lcm(*(i.weight.denominator for i in measure.indicators))
        score = ibis.literal(0).cast("int64")
        for i in measure.indicators:
            score = score + ibis.ifelse(flags[i.id].fill_null(False), int(i.weight * scale), 0)
        desil = flags_table.desil_nasional
        expr = flags_table.select(
            *place,
            *_DERIVED_KEPT.values(),
            _desil=ibis.ifelse(desil.re_search(r"^[0-9]+$"), desil.cast("int64"), 99),
            skor_deprivasi=score.cast("float64") / scale,
            _score=score,
            deprivasi=_joined_text(flags_table, flags),
        )
        return wh.temp(f"fitur_{snap.batch}", expr)
    finally:
        wh.drop_temp(f"indikator_{snap.batch}")


def _record_text(units: Any) -> Any:
    """A member row's visible fields as one text (to choose among copies of one person)."""
    text = units[NIK].fill_null("")
    for col in PERSON:
        value = units[col]
        shown = value.strftime("%Y-%m-%d") if col == "tanggal_lahir" else value
        text = text + "|" + shown.fill_null("")
    return text


def valid_nik(members: Any) -> Any:
    """Whether a member's NIK identifies one person (the import found it valid)."""
    nik = members[NIK]
    return nik.notnull() & ~members.kualitas.fill_null("").contains("nik_tidak_valid")


def person_key(members: Any) -> Any:
    """How a person list counts a member: the NIK where it is valid, else the record (KK,
    NIK as written, name, birth date), so two people sharing a broken NIK stay two."""
    nik = members[NIK]
    born = members.tanggal_lahir.strftime("%Y-%m-%d").fill_null("")
    record = members[KK] + "|" + nik.fill_null("") + "|" + members.nama.fill_null("") + "|" + born
    return ibis.ifelse(valid_nik(members), nik, record)


def _persons(members: Any, keys: Any, programme: str) -> Any:
    """One row per eligible member, each with its person key ``_unit`` and ``_copy``: 0 for
    the best-ranked copy of a person, 1, 2, ... for the duplicates dropped."""
    people = members.select(NIK, *PERSON, _kk2=members[KK], _unit=person_key(members))
    units = people.join(keys, people["_kk2"] == keys[KK]).drop("_kk2")
    # the copy kept: best desil and score, then a fixed (engine-independent) choice
    best = [
        units._desil.asc(),
        units._score.desc(),
        units[KK].asc(),
        _md5(_record_text(units)).asc(),
    ]
    copy = ibis.row_number().over(group_by=units._unit, order_by=best)
    return units.mutate(_copy=copy, _tie=tie_digest(units._unit, programme))


def _first_component(programme: Programme, members: Any, as_of: Any) -> Any:
    """Per member, the index of the first cost component whose member rule it meets
    (NULL when none; an unknown condition does not match)."""
    cases = [
        (member_condition(compile_member_rule(c.member_rule), members, as_of).fill_null(False), i)
        for i, c in enumerate(programme.cost_components)
    ]
    return ibis.cases(*cases, else_=ibis.null("int64"))


def _amount(programme: Programme, index: Any) -> Any:
    """The amount of the component at ``index`` (0 for none)."""
    cases = [(index == i, c.amount) for i, c in enumerate(programme.cost_components)]
    return ibis.cases(*cases, else_=0).cast("int64")


def unit_costs(programme: Programme, members: Any, as_of: Any) -> Any:
    """The cost of every unit with a component, from its members: a table of ``_ckk``
    (the KK), ``_cunit`` (the person key, for a person programme), ``biaya`` and
    ``komponen`` ("Anak usia dini 1; SD 2"). None for a flat ``unit_cost``.

    A member counts once (copies of one person in a family count as one), for the first
    component it meets; a family counts its ``max_components`` largest amounts.
    """
    if not programme.cost_components:
        return None
    matched = members.mutate(_c=_first_component(programme, members, as_of))
    per = (
        matched.filter(matched._c.notnull())
        .group_by(_ckk=matched[KK], _cunit=person_key(matched))
        .aggregate(_c=matched._c.min())
    )
    per = per.mutate(_amount=_amount(programme, per._c))
    labels = [c.label for c in programme.cost_components]
    if programme.unit == "individu":
        label = ibis.cases(*((per._c == i, text) for i, text in enumerate(labels)), else_="")
        return per.select("_ckk", "_cunit", biaya=per._amount, komponen=label)
    if programme.max_components is not None:
        order = ibis.row_number().over(
            group_by=per._ckk, order_by=[per._amount.desc(), per._c.asc()]
        )
        per = per.mutate(_n=order).filter(lambda t: t._n < programme.max_components)
    counts = {f"_n{i}": ibis.ifelse(per._c == i, 1, 0).sum() for i in range(len(labels))}
    fam = per.group_by("_ckk").aggregate(biaya=per._amount.sum().cast("int64"), **counts)
    text = ibis.literal("")
    for i, name in enumerate(labels):
        n = fam[f"_n{i}"]
        text = text + ibis.ifelse(n > 0, name + " " + n.cast("string") + "; ", "")
    return fam.select("_ckk", "biaya", komponen=text.re_replace(r"; $", ""))


def with_costs(programme: Programme, units: Any, members: Any, as_of: Any) -> Any:
    """``units`` with ``biaya`` (every unit) and ``komponen`` (component programmes)."""
    costs = unit_costs(programme, members, as_of)
    if costs is None:
        return units.mutate(biaya=ibis.literal(programme.unit_cost or 0, "int64"))
    if programme.unit == "individu":
        on = [units[KK] == costs._ckk, units._unit == costs._cunit]
    else:
        on = [units[KK] == costs._ckk]
    joined = units.left_join(costs, on).drop(*(c for c in ("_ckk", "_cunit") if c in costs.columns))
    return joined.mutate(biaya=joined.biaya.fill_null(0), komponen=joined.komponen.fill_null(""))


def _chosen(programme: Programme, order: Any) -> Any:
    """The ranked units within the quota and, in rank order, within the budget."""
    if programme.quota is not None:
        order = order.filter(order.peringkat <= programme.quota)
    if programme.budget is not None:
        running = ibis.window(order_by=order.peringkat, preceding=None, following=0)
        order = order.mutate(_kumulatif=order.biaya.sum().over(running).cast("int64"))
        order = order.filter(order._kumulatif <= programme.budget)
    return order


def eligible_units(
    wh: Warehouse,
    catalog: Catalog,
    programme: Programme,
    snapshot: str | int,
    *,
    region: str | None = None,
    family: str | None = None,
    eligible: Any = None,
) -> tuple[Any, Any]:
    """The units eligible for ``programme`` on ``snapshot`` (optionally one region), not yet
    ranked, and the snapshot's family features.

    One row per unit copy: the family key, ``_unit`` (KK, or the person key), ``_copy`` (0
    for the copy a person keeps), ``_desil``, ``_score``, ``_tie`` and the reasons.
    ``family``: only that KK is evaluated (the family card asks about one family).
    ``eligible``: the eligible families already known (a table with ``_kk``; the reasons
    are then left empty), for callers that evaluate many programmes' rules in one pass.
    """
    snap = catalog.snapshot(snapshot)
    ind = ind_all = snapshot_table(wh, catalog, snap.id, "individu")
    if family is not None:
        ind = ind.filter(ind[KK] == family)
    if eligible is not None:
        flags = eligible.select("_kk", alasan=ibis.literal(""))
    else:
        rule = compile_rule(programme.rule)
        reasons = _reasons(rule.ast)
        rules: dict[str, CompiledRule] = {"_eligible": rule}
        rules.update({f"_r{i}": r for i, r in enumerate(reasons.values())})
        if family is None:
            kel = _family_table(wh, catalog, snap.id, rules.values())
            table, exprs = evaluate(rules, kel, ind, snap.tanggal)
        else:  # one family: derived fields (a shared dwelling) look at the whole snapshot
            kel_all = snapshot_table(wh, catalog, snap.id, "keluarga")
            kel = kel_all.filter(kel_all[KK] == family)
            table, exprs = evaluate(rules, kel, ind, snap.tanggal, population=(kel_all, ind_all))
        flags = table.select(
            _kk=table[KK],
            _eligible=exprs["_eligible"].fill_null(False),
            alasan=_joined_text(table, {label: exprs[f"_r{i}"] for i, label in enumerate(reasons)}),
        )
        flags = flags.filter(flags._eligible).drop("_eligible")
    features = family_features(wh, catalog, snap.id)
    fam = features.join(flags, features[KK] == flags["_kk"]).drop("_kk")
    # the programme's scope is the union of its regions; --region narrows it further
    if programme.regions:
        desa = fam.kode_kelurahan_desa
        fam = fam.filter(ibis.or_(*(desa.startswith(r) for r in programme.regions)))
    if region:
        fam = fam.filter(fam.kode_kelurahan_desa.startswith(region))
    # rank on the keys only; names and addresses are joined when the rows are fetched
    keys = fam.select(KK, "_desil", "_score", "alasan")
    if programme.unit == "individu":
        cond = member_condition(
            compile_member_rule(programme.member_rule or "benar"), ind, snap.tanggal
        )
        units = _persons(ind.filter(cond.fill_null(False)), keys, programme.code)
    else:
        units = keys.mutate(_unit=keys[KK], _copy=0, _tie=tie_digest(keys[KK], programme.code))
    return units, features


def ranked(units: Any) -> Any:
    """The kept copy of every unit with its ``peringkat`` (1 = first) in the programme's
    priority order: desil ascending, deprivation score descending, the keyed tie-break."""
    kept = units.filter(units._copy == 0)
    order = [kept._desil.asc(), kept._score.desc(), tie_value(kept._tie).asc(), kept._unit.asc()]
    return kept.mutate(peringkat=ibis.row_number().over(order_by=order) + 1)


def draw_target_list(
    wh: Warehouse,
    catalog: Catalog,
    programme: Programme,
    version: int,
    snapshot: str | int,
    *,
    region: str | None = None,
) -> TargetList:
    """The ranked, cut target list of ``programme`` on ``snapshot`` (optionally one region)."""
    snap = catalog.snapshot(snapshot)
    units, features = eligible_units(wh, catalog, programme, snap.id, region=region)
    members = snapshot_table(wh, catalog, snap.id, "individu")
    units = with_costs(programme, units, members, snap.tanggal)
    name = f"calon_{programme.code}_{uuid.uuid4().hex[:12]}"
    candidates = wh.temp(name, units, reuse=False)
    try:
        return _cut(wh, programme, version, snap.id, snap.batch, region, candidates, features)
    finally:
        wh.drop_temp(name)


def _cut(
    wh: Warehouse,
    programme: Programme,
    version: int,
    snapshot: int,
    batch: str,
    region: str | None,
    candidates: Any,
    features: Any,
) -> TargetList:
    """Rank the run's candidates, cut at quota/budget and fetch the list and duplicates."""
    eligible = int(candidates.filter(candidates._copy == 0).count().to_pyarrow().as_py())
    chosen = _chosen(programme, ranked(candidates))
    detail = features.drop("_desil", "_score").rename(_kk3=KK)
    listed = chosen.join(detail, chosen[KK] == detail["_kk3"]).drop("_kk3")
    fetched = wh.fetch(listed.order_by("peringkat"))
    units = fetched.column("_unit").to_pylist()
    digest = hashlib.sha256(
        json.dumps(
            {
                "programme": programme.code,
                "version": version,
                "snapshot": batch,
                "region": region,
                "units": units,
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    rows = fetched.select([c for c in fetched.column_names if not c.startswith("_")])
    result = TargetList(
        programme,
        version,
        snapshot,
        region,
        eligible,
        len(units),
        int(pc.sum(fetched.column("biaya")).as_py() or 0),
        digest,
        rows,
    )
    if programme.unit == "individu":
        result.duplicates = _dropped(wh, candidates)
    return result


def _dropped(wh: Warehouse, candidates: Any) -> pa.Table:
    """The copies of a person left out of the list, with the KK of the copy kept."""
    extra = candidates.filter(candidates._copy > 0)
    kept = candidates.filter(candidates._copy == 0).select(_unit2="_unit", kk_dipakai=KK)
    pairs = extra.join(kept, extra._unit == kept._unit2)
    return wh.fetch(pairs.order_by([KK, "_unit", "_copy"]).select(NIK, KK, "kk_dipakai"))
