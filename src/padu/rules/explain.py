"""``padu rule explain``: a rule's parsed form, the fields it reads, and a count preview.

Before anyone draws a list, a programme officer sees how many families (and members) each
top-level clause of the rule matches on a snapshot, and how many match the whole rule; and
how many each leaves undecided because a value it needs is missing (never selected).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from padu.rules.ast import (
    Binary,
    Call,
    InList,
    IsNull,
    ListLit,
    Literal,
    MemberAgg,
    Name,
    Node,
    Unary,
)
from padu.rules.compiler import CompiledRule, compile_rule, evaluate, unknown

KK = "nomor_kartu_keluarga"
AGG_WORDS = {"any": "any member", "all": "all members", "count": "count members"}


@dataclass
class Explanation:
    text: str
    parsed: str
    fields: list[str]
    clauses: list[dict[str, Any]] = field(default_factory=list)
    families: int = 0
    persons: int = 0
    total_families: int = 0
    undecidable: int = 0  # families the rule cannot decide: a needed value is missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.text,
            "parsed": self.parsed,
            "fields": self.fields,
            "clauses": self.clauses,
            "families": self.families,
            "persons": self.persons,
            "total_families": self.total_families,
            "undecidable": self.undecidable,
            "matches_nobody": self.families == 0,
        }


def render(node: Node) -> str:
    """The canonical (fully parenthesised, English keyword) form of a rule."""
    if isinstance(node, Literal):
        return repr(node.value) if isinstance(node.value, str) else str(node.value).lower()
    if isinstance(node, Name):
        return node.name
    if isinstance(node, ListLit):
        return "[" + ", ".join(render(i) for i in node.items) + "]"
    if isinstance(node, Unary):
        return f"(not {render(node.operand)})" if node.op == "not" else f"(-{render(node.operand)})"
    if isinstance(node, Binary):
        return f"({render(node.left)} {node.op} {render(node.right)})"
    if isinstance(node, InList):
        return f"({render(node.operand)} {'not in' if node.negated else 'in'} {render(node.items)})"
    if isinstance(node, IsNull):
        return f"({render(node.operand)} is {'not ' if node.negated else ''}null)"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(render(a) for a in node.args)})"
    if isinstance(node, MemberAgg):
        inner = render(node.condition) if node.condition is not None else ""
        return f"{AGG_WORDS[node.kind]}({inner})"
    return "?"


def clauses(node: Node) -> list[Node]:
    """The top-level AND clauses of a rule (a rule without AND is one clause)."""
    if isinstance(node, Binary) and node.op == "and":
        return clauses(node.left) + clauses(node.right)
    return [node]


def explain(
    text: str,
    keluarga: Any | None = None,
    individu: Any | None = None,
    as_of: dt.date | None = None,
) -> Explanation:
    """Parse, check and (with tables) count the rule and each of its top-level clauses."""
    rule = compile_rule(text)
    parts = clauses(rule.ast)
    out = Explanation(text, render(rule.ast), sorted(f"{lv}.{n}" for lv, n in rule.fields))
    if keluarga is None or individu is None or as_of is None:
        out.clauses = [{"clause": render(p)} for p in parts]
        return out
    rules = {
        "_whole": rule,
        **{f"_c{i}": CompiledRule(render(p), p, set()) for i, p in enumerate(parts)},
    }
    table, exprs = evaluate(rules, keluarga, individu, as_of)
    metrics = {name: e.fill_null(False).cast("int32").sum() for name, e in exprs.items()}
    metrics |= {f"{name}_u": unknown(e).cast("int32").sum() for name, e in exprs.items()}
    counts = table.aggregate(_total=table.count(), **metrics).to_pyarrow().to_pylist()[0]
    members = individu.group_by(_kk=individu[KK]).aggregate(_n=individu.count())
    matched = table.filter(exprs["_whole"]).select(KK)
    persons = matched.join(members, matched[KK] == members["_kk"]).aggregate(_p=members["_n"].sum())
    out.total_families = int(counts["_total"] or 0)
    out.families = int(counts["_whole"] or 0)
    out.undecidable = int(counts["_whole_u"] or 0)
    out.persons = int(persons.to_pyarrow().to_pylist()[0]["_p"] or 0)
    out.clauses = [
        {
            "clause": render(p),
            "families": int(counts[f"_c{i}"] or 0),
            "undecidable": int(counts[f"_c{i}_u"] or 0),
        }
        for i, p in enumerate(parts)
    ]
    return out
