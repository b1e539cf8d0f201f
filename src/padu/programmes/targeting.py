"""Targeting runs: eligibility -> priority -> cut at quota and/or budget -> a ranked list.

Priority: national desil ascending, then the Padu-7 deprivation score descending, then a
stable pseudo-random tie-break derived from the KK/NIK and the programme code (never the
row order). Every listed unit carries its reasons (the rule's conditions it met), its desil
and its deprivations. The same snapshot, rule version and settings give the same list and
the same content hash.
"""

from __future__ import annotations

import hashlib
import json
import math
import uuid
import zlib
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa

from padu.measure.measures import get_measure
from padu.programmes.model import Programme
from padu.register.snapshots import snapshot_table
from padu.rules import compile_member_rule, compile_rule, member_condition
from padu.rules.ast import Binary, Node
from padu.rules.compiler import CompiledRule, evaluate
from padu.rules.explain import render
from padu.stores import Catalog, Warehouse

KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"


@dataclass
class TargetList:
    programme: Programme
    version: int
    snapshot: int
    region: str | None
    eligible: int
    selected: int
    cost: int
    hash: str
    chosen: Any  # the ranked, cut list as an engine table (fetched only when needed)
    _rows: pa.Table | None = None

    @property
    def rows(self) -> pa.Table:
        """The listed units with every column, in rank order (fetched on first use)."""
        if self._rows is None:
            keep = [c for c in self.chosen.columns if not c.startswith("_")]
            self._rows = self.chosen.select(*keep).order_by("peringkat").to_pyarrow()
        return self._rows

    def summary(self) -> dict[str, Any]:
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
        }


def _reason_nodes(node: Node) -> list[Node]:
    """The conditions worth naming: the AND clauses, and the branches of an OR clause."""
    if isinstance(node, Binary) and node.op == "and":
        return _reason_nodes(node.left) + _reason_nodes(node.right)
    if isinstance(node, Binary) and node.op == "or":
        return _reason_nodes(node.left) + _reason_nodes(node.right)
    return [node]


def _joined_text(t: Any, flags: dict[str, Any]) -> Any:
    """``a; b`` from boolean columns named by their label (NULL counts as false)."""
    text = ibis.literal("")
    for label, flag in flags.items():
        text = text + ibis.ifelse(flag.fill_null(False), label + "; ", "")
    return text


def _tiebreak(ids: Any, code: str) -> Any:
    salt = zlib.crc32(code.encode()) % 1_000_003
    digits = ids.re_search(r"^[0-9]{9,}$")
    tail = ibis.ifelse(digits, ids.right(9).cast("int64"), 0)
    return (tail * 2654435761 + salt) % 4294967291


def family_features(wh: Warehouse, catalog: Catalog, snapshot: str | int) -> Any:
    """Per family: place, names, numeric desil and the Padu-7 score and deprivations.

    It depends only on the (immutable) snapshot, so it is computed once per connection and
    kept as a temporary table that every programme's run joins to.
    """
    snap = catalog.snapshot(snapshot)
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    measure = get_measure("padu-7")
    table, exprs = evaluate(
        {f"_d_{i.id}": i.rule for i in measure.indicators}, kel, ind, snap.tanggal
    )
    scale = math.lcm(*(i.weight.denominator for i in measure.indicators))
    score = ibis.literal(0).cast("int64")
    for i in measure.indicators:
        score = score + ibis.ifelse(exprs[f"_d_{i.id}"].fill_null(False), int(i.weight * scale), 0)
    desil = table.desil_nasional
    expr = table.select(
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
        _desil=ibis.ifelse(desil.re_search(r"^[0-9]+$"), desil.cast("int64"), 99),
        skor_deprivasi=score.cast("float64") / scale,
        _score=score,
        deprivasi=_joined_text(table, {i.id: exprs[f"_d_{i.id}"] for i in measure.indicators}),
    )
    return wh.temp(f"fitur_{snap.batch}", expr)


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
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    rule = compile_rule(programme.rule)
    reasons = {render(n): CompiledRule(render(n), n, set()) for n in _reason_nodes(rule.ast)}
    rules: dict[str, CompiledRule] = {"_eligible": rule}
    rules.update({f"_r{i}": r for i, r in enumerate(reasons.values())})
    table, exprs = evaluate(rules, kel, ind, snap.tanggal)
    flags = table.select(
        _kk=table[KK],
        _eligible=exprs["_eligible"].fill_null(False),
        alasan=_joined_text(table, {label: exprs[f"_r{i}"] for i, label in enumerate(reasons)}),
    )
    flags = flags.filter(flags._eligible)
    features = family_features(wh, catalog, snap.id)
    fam = features.join(flags, features[KK] == flags["_kk"]).drop("_kk")
    fam = fam.filter(fam._eligible)
    for scope in ([region] if region else []) + list(programme.regions):
        fam = fam.filter(fam.kode_kelurahan_desa.startswith(scope))
    # rank on the keys only; names and addresses are joined when the rows are fetched
    keys = fam.select(KK, "_desil", "_score", "alasan")
    if programme.unit == "individu":
        cond = member_condition(
            compile_member_rule(programme.member_rule or "benar"), ind, snap.tanggal
        )
        members = ind.filter(cond.fill_null(False)).select(NIK, _kk2=ind[KK])
        units = members.join(keys, members["_kk2"] == keys[KK]).drop("_kk2")
        ident = units[NIK]
    else:
        units = keys
        ident = units[KK]
    order = [
        units._desil.asc(),
        units._score.desc(),
        _tiebreak(ident, programme.code).asc(),
        ident.asc(),
    ]
    ranked = wh.temp(
        f"peringkat_{programme.code}_{uuid.uuid4().hex[:8]}",
        units.mutate(peringkat=ibis.row_number().over(order_by=order) + 1),
        reuse=False,
    )
    eligible = int(ranked.count().to_pyarrow().as_py())
    limit = eligible
    if programme.quota is not None:
        limit = min(limit, programme.quota)
    if programme.budget is not None and programme.unit_cost:
        limit = min(limit, programme.budget // programme.unit_cost)
    chosen = ranked.filter(ranked.peringkat <= limit)
    key = NIK if programme.unit == "individu" else KK
    ids = chosen.order_by("peringkat").select(key).to_pyarrow().column(0).to_pylist()
    digest = hashlib.sha256(
        json.dumps(
            {
                "programme": programme.code,
                "version": version,
                "snapshot": snap.batch,
                "region": region,
                "units": ids,
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()
    cost = len(ids) * (programme.unit_cost or 0)
    detail = fam.drop("alasan", "_eligible", "_desil", "_score")
    if programme.unit == "individu":
        people = ind.select(
            NIK, "nama", "jenis_kelamin", "tanggal_lahir", "status_hubungan_keluarga", _pk=ind[KK]
        )
        listed = chosen.join(people, (chosen[NIK] == people[NIK]) & (chosen[KK] == people["_pk"]))
        listed = listed.select(
            *[listed[c] for c in listed.columns if c not in ("_pk",) and not c.endswith("_right")]
        )
    else:
        listed = chosen
    listed = listed.join(detail, listed[KK] == detail[KK])
    listed = listed.select(*[listed[c] for c in listed.columns if not c.endswith("_right")])
    return TargetList(programme, version, snap.id, region, eligible, len(ids), cost, digest, listed)
