"""A plain-Python evaluator of rule ASTs over row dicts: the independent reference for tests.

It shares only the parser with Padu; evaluation follows SQL three-valued logic (None is
unknown), codes compare numerically with numbers, and member aggregates see the family's
member rows: ``ada`` is true if a member's condition is true, unknown if none is true and
some is unknown; ``semua`` is the dual; ``jumlah`` counts true conditions and is unknown
when any is unknown; a family without members has none, all of none, and zero. Arithmetic
is float64 with faults (x / 0, magnitudes of 1e120 or more) unknown, as docs/measures.md
"Data hilang: satu arti" says.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from padu.rules.ast import Binary, Call, InList, IsNull, Literal, MemberAgg, Name, Node, Unary

BIG, TINY = 1e120, 1e-120


def _num(v: Any) -> Any:
    if isinstance(v, str):  # a code: 1-18 ASCII digits have a numeric value
        return int(v) if re.fullmatch(r"[0-9]{1,18}", v) else None
    return v


def _finite(v: Any) -> float | None:
    """The engine's ``finite``: unknown for NaN and |v| >= BIG, tiny values flushed to 0."""
    if v is None:
        return None
    x = float(v)
    if math.isnan(x) or not -BIG < x < BIG:
        return None
    return (x + TINY) - TINY


def _arith(op: str, a: Any, b: Any) -> float | None:
    x, y = _finite(_num(a)), _finite(_num(b))
    if x is None or y is None:
        return None
    if op == "/":
        return None if y == 0 else _finite(x / y)
    return _finite({"+": x + y, "-": x - y, "*": x * y}[op])


def _aggregate(kind: str, hits: list[Any]) -> Any:
    if kind == "any":
        return True if True in hits else (None if None in hits else False)
    if kind == "all":
        return False if False in hits else (None if None in hits else True)
    return None if None in hits else hits.count(True)


def _cmp(op: str, a: Any, b: Any) -> Any:
    if a is None or b is None:
        return None
    if isinstance(a, dt.date) and isinstance(b, str):
        b = dt.date.fromisoformat(b)
    if isinstance(a, str) and isinstance(b, int | float) and not isinstance(b, bool):
        a = _num(a)
        if a is None:
            return None
    if isinstance(b, str) and isinstance(a, int | float) and not isinstance(a, bool):
        b = _num(b)
        if b is None:
            return None
    return {"=": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def evaluate(node: Node, row: dict[str, Any], members: list[dict[str, Any]], as_of: dt.date) -> Any:
    if isinstance(node, Literal):
        value = node.value
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
            return float(value)  # as the engines hold it: a float64, not an exact integer
        return value
    if isinstance(node, Name):
        return row.get(node.name)
    if isinstance(node, Unary):
        v = evaluate(node.operand, row, members, as_of)
        if v is None:
            return None
        if node.op == "not":
            return not v
        n = _num(v)
        return None if n is None else -float(n)
    if isinstance(node, IsNull):
        v = evaluate(node.operand, row, members, as_of)
        return (v is not None) if node.negated else (v is None)
    if isinstance(node, InList):
        v = evaluate(node.operand, row, members, as_of)
        if v is None:
            return None
        hit = any(_cmp("=", v, item.value) for item in node.items.items)
        return (not hit) if node.negated else hit
    if isinstance(node, Call):
        if node.func == "jumlah_ya":
            flags = [evaluate(a, row, members, as_of) for a in node.args]
            return None if None in flags else flags.count(True)
        born = evaluate(node.args[0], row, members, as_of)
        if born is None:
            return None
        if node.func == "tahun":
            return born.year
        return as_of.year - born.year - ((born.month, born.day) > (as_of.month, as_of.day))
    if isinstance(node, MemberAgg):
        hits = [
            evaluate(node.condition, m, [], as_of) if node.condition is not None else True
            for m in members
        ]
        return _aggregate(node.kind, hits)
    if isinstance(node, Binary):
        if node.op in ("and", "or"):
            a = evaluate(node.left, row, members, as_of)
            b = evaluate(node.right, row, members, as_of)
            if node.op == "and":
                return (
                    False
                    if (a is False or b is False)
                    else (None if (a is None or b is None) else True)
                )
            return (
                True if (a is True or b is True) else (None if (a is None or b is None) else False)
            )
        a, b = evaluate(node.left, row, members, as_of), evaluate(node.right, row, members, as_of)
        if node.op in ("+", "-", "*", "/"):
            return _arith(node.op, a, b)
        return _cmp(node.op, a, b)
    raise TypeError(node)


def with_derived(
    families: list[dict[str, Any]], members: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Family rows by KK with the derived fields added, computed here in plain Python:
    ``perkotaan`` from the shipped region list (None for a blank or unknown desa) and
    ``jumlah_penghuni_rumah``, the member rows of every KK with the same (non-blank) PLN
    customer ID and metered PLN lighting (code 1), or of the family alone otherwise."""
    from padu.regions import kaltara

    status = {r.digits: r.perkotaan for r in kaltara().at_level("desa_kelurahan")}
    size: dict[str, int] = {}
    for m in members:
        size[m["nomor_kartu_keluarga"]] = size.get(m["nomor_kartu_keluarga"], 0) + 1

    def home(f: dict[str, Any]) -> str:
        pln = (f.get("id_pelanggan_pln") or "").strip()
        metered = str(f.get("sumber_penerangan_utama") or "").strip() == "1"
        return f"pln:{pln}" if pln and metered else f"kk:{f['nomor_kartu_keluarga']}"

    per_home: dict[str, int] = {}
    for f in families:
        per_home[home(f)] = per_home.get(home(f), 0) + size.get(f["nomor_kartu_keluarga"], 0)
    out = {}
    for f in families:
        code = str(f.get("kode_kelurahan_desa") or "").strip().replace(".", "")
        out[f["nomor_kartu_keluarga"]] = f | {
            "perkotaan": status.get(code),
            "jumlah_penghuni_rumah": per_home[home(f)],
        }
    return out
