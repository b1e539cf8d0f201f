"""A plain-Python evaluator of rule ASTs over row dicts: the independent reference for tests.

It shares only the parser with Padu; evaluation follows SQL three-valued logic (None is
unknown), codes compare numerically with numbers, and member aggregates see the family's
member rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from padu.rules.ast import Binary, Call, InList, IsNull, Literal, MemberAgg, Name, Node, Unary


def _num(v: Any) -> Any:
    if isinstance(v, str):
        return int(v) if v.isdigit() else None
    return v


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
        return node.value
    if isinstance(node, Name):
        return row.get(node.name)
    if isinstance(node, Unary):
        v = evaluate(node.operand, row, members, as_of)
        if v is None:
            return None
        return (not v) if node.op == "not" else -_num(v)
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
            return sum(1 for a in node.args if evaluate(a, row, members, as_of) is True)
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
        if node.kind == "any":
            return any(h is True for h in hits)
        if node.kind == "all":
            return all(h is not False and h is not None for h in hits) if hits else True
        return sum(1 for h in hits if h is True)
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
            a, b = _num(a), _num(b)
            if a is None or b is None:
                return None
            return {"+": a + b, "-": a - b, "*": a * b, "/": a / b if b else None}[node.op]
        return _cmp(node.op, a, b)
    raise TypeError(node)
