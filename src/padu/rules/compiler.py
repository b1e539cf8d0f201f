"""Checking a parsed rule against the register schema and compiling it to Ibis.

A rule is evaluated per family (``keluarga``). Family fields are used directly; member
fields only inside ``ada/semua/jumlah anggota(...)``, which aggregate the family's members.
Every name is checked against the schema (an unknown one gets the nearest valid names) and
every operation against the types of its operands (a date compared with a number names
both sides). Code fields (``desil_nasional``, ``jenis_lantai_terluas``) compare with numbers
by their numeric value and with text as text.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field
from typing import Any
from typing import Literal as Lit

import ibis

from padu.rules.ast import (
    Binary,
    Call,
    InList,
    IsNull,
    Literal,
    MemberAgg,
    Name,
    Node,
    Unary,
)
from padu.rules.parser import RuleError, parse
from padu.schema import Level, register_schema

Type = Lit["num", "str", "code", "date", "bool"]
KK = "nomor_kartu_keluarga"
TYPE_WORDS = {
    "num": "angka",
    "str": "teks",
    "code": "kode",
    "date": "tanggal",
    "bool": "benar/salah",
}
_FIELD_TYPES: dict[str, Type] = {
    "string": "str", "code": "code", "integer": "num",
    "decimal": "num", "date": "date", "boolean": "bool",
}  # fmt: skip


def _field_type(level: Level, name: str) -> Type | None:
    for f in register_schema().level(level):
        if f.name == name:
            return _FIELD_TYPES[f.type]
    return None


def _what(kind: Type, node: Node) -> str:
    """``angka (5)``, ``tanggal (tanggal_lahir)``: a side of an operation, for messages."""
    return f"{TYPE_WORDS[kind]} ({_describe(node)})"


def _describe(node: Node) -> str:
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Literal):
        return repr(node.value)
    if isinstance(node, Call):
        return f"{node.func}(...)"
    if isinstance(node, MemberAgg):
        return {
            "any": "ada anggota(...)",
            "all": "semua anggota(...)",
            "count": "jumlah anggota(...)",
        }[node.kind]
    return "ungkapan"


@dataclass
class CompiledRule:
    """A checked rule: its text, AST and the register fields it reads."""

    text: str
    ast: Node
    fields: set[tuple[Level, str]] = field(default_factory=set)

    def to_ibis(self, keluarga: Any, individu: Any, as_of: dt.date) -> tuple[Any, Any]:
        """(table, boolean column): family rows with member aggregates joined, and the rule."""
        table, exprs = evaluate({"_rule": self}, keluarga, individu, as_of)
        return table, exprs["_rule"]


def compile_rule(text: str) -> CompiledRule:
    """Parse and check ``text``; :class:`RuleError` with line, column and a hint otherwise."""
    return _compile(text, "keluarga", "aturan")


def compile_member_rule(text: str) -> CompiledRule:
    """A condition on one member (member fields only), for programmes whose unit is a person."""
    return _compile(text, "individu", "aturan anggota")


def _compile(text: str, level: Level, what: str) -> CompiledRule:
    tree = parse(text)
    checker = _Checker()
    kind = checker.type_of(tree, level)
    if kind != "bool":
        raise RuleError(
            f"{what} harus bernilai benar/salah, bukan {TYPE_WORDS[kind]}", tree.line, tree.col
        )
    return CompiledRule(text, tree, checker.fields)


def member_condition(rule: CompiledRule, individu: Any, as_of: dt.date) -> Any:
    """The boolean column of a member rule on the member table."""
    return _Emitter(as_of).expr(rule.ast, individu, "individu")


def fields_used(rule: CompiledRule | str) -> set[tuple[Level, str]]:
    """The (level, field) pairs a rule reads: the data it needs."""
    return (compile_rule(rule) if isinstance(rule, str) else rule).fields


class _Checker:
    """Static types, with the fields each rule reads."""

    def __init__(self) -> None:
        self.fields: set[tuple[Level, str]] = set()

    def type_of(self, node: Node, level: Level) -> Type:
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return "bool"
            return "num" if isinstance(node.value, int | float) else "str"
        if isinstance(node, Name):
            return self._name(node, level)
        if isinstance(node, Unary):
            inner = self.type_of(node.operand, level)
            want: Type = "bool" if node.op == "not" else "num"
            if inner != want and not (want == "num" and inner == "code"):
                raise RuleError(
                    f"'{node.op}' membutuhkan {TYPE_WORDS[want]}, "
                    f"bukan {_what(inner, node.operand)}",
                    node.line,
                    node.col,
                )
            return want
        if isinstance(node, Binary):
            return self._binary(node, level)
        if isinstance(node, InList):
            kind = self.type_of(node.operand, level)
            for item in node.items.items:
                item_kind = self.type_of(item, level)
                if not _comparable(kind, item_kind, item):
                    raise RuleError(
                        f"{_what(kind, node.operand)} tidak bisa dibandingkan "
                        f"dengan {_what(item_kind, item)}",
                        item.line,
                        item.col,
                    )
            return "bool"
        if isinstance(node, IsNull):
            self.type_of(node.operand, level)
            return "bool"
        if isinstance(node, Call) and node.func == "jumlah_ya":
            for arg_node in node.args:
                arg_kind = self.type_of(arg_node, level)
                if arg_kind != "bool":
                    raise RuleError(
                        "jumlah_ya(...) menghitung nilai benar/salah, "
                        f"bukan {_what(arg_kind, arg_node)}",
                        arg_node.line,
                        arg_node.col,
                    )
            return "num"
        if isinstance(node, Call):
            if len(node.args) != 1:
                raise RuleError(
                    f"{node.func}(...) membutuhkan tepat satu argumen", node.line, node.col
                )
            arg = self.type_of(node.args[0], level)
            if arg != "date":
                raise RuleError(
                    f"{node.func}(...) membutuhkan tanggal, bukan {_what(arg, node.args[0])}",
                    node.line,
                    node.col,
                )
            return "num"
        if isinstance(node, MemberAgg):
            if level == "individu":
                raise RuleError("agregasi anggota tidak boleh bersarang", node.line, node.col)
            if node.condition is not None:
                cond = self.type_of(node.condition, "individu")
                if cond != "bool":
                    raise RuleError(
                        f"syarat anggota harus benar/salah, bukan {TYPE_WORDS[cond]}",
                        node.condition.line,
                        node.condition.col,
                    )
            return "num" if node.kind == "count" else "bool"
        raise RuleError("ungkapan tidak dikenal", node.line, node.col)  # pragma: no cover

    def _name(self, node: Name, level: Level) -> Type:
        kind = _field_type(level, node.name)
        if kind is None:
            if level == "individu" and _field_type("keluarga", node.name):
                raise RuleError(
                    f"{node.name!r} adalah kolom keluarga; gunakan di luar agregasi anggota",
                    node.line,
                    node.col,
                )
            if level == "keluarga" and _field_type("individu", node.name):
                raise RuleError(
                    f"{node.name!r} adalah kolom anggota; gunakan di dalam ada anggota(...), "
                    "semua anggota(...) atau jumlah anggota(...)",
                    node.line,
                    node.col,
                )
            names = list(register_schema().names(level))
            near = difflib.get_close_matches(node.name, names, n=3, cutoff=0.6)
            hint = f"; maksud Anda: {', '.join(near)}?" if near else ""
            raise RuleError(f"kolom tidak dikenal {node.name!r}{hint}", node.line, node.col)
        self.fields.add((level, node.name))
        return kind

    def _binary(self, node: Binary, level: Level) -> Type:
        left, right = self.type_of(node.left, level), self.type_of(node.right, level)
        if node.op in ("and", "or"):
            for side, kind in ((node.left, left), (node.right, right)):
                if kind != "bool":
                    raise RuleError(
                        f"'{'dan' if node.op == 'and' else 'atau'}' membutuhkan "
                        "benar/salah di kedua sisi, "
                        f"bukan {_what(kind, side)}",
                        side.line,
                        side.col,
                    )
            return "bool"
        if node.op in ("+", "-", "*", "/"):
            for side, kind in ((node.left, left), (node.right, right)):
                if kind not in ("num", "code"):
                    raise RuleError(
                        f"'{node.op}' membutuhkan angka, bukan {_what(kind, side)}",
                        side.line,
                        side.col,
                    )
            return "num"
        if not _comparable(left, right, node.right):
            raise RuleError(
                f"tidak bisa membandingkan {_what(left, node.left)} "
                f"dengan {_what(right, node.right)}",
                node.left.line,
                node.left.col,
            )
        if node.op not in ("=", "!=") and "bool" in (left, right):
            raise RuleError(
                "benar/salah hanya bisa dibandingkan dengan = atau !=", node.line, node.col
            )
        return "bool"


def _comparable(a: Type, b: Type, right: Node) -> bool:
    if a == b:
        return True
    pair = {a, b}
    if pair in ({"code", "num"}, {"code", "str"}):
        return True
    # a date field compared with a 'YYYY-MM-DD' text literal
    return (
        pair == {"date", "str"} and isinstance(right, Literal) and _as_date(right.value) is not None
    )


def _as_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# -- compilation ------------------------------------------------------------------------


def evaluate(
    rules: dict[str, CompiledRule], keluarga: Any, individu: Any, as_of: dt.date
) -> tuple[Any, dict[str, Any]]:
    """One family table with every member aggregate of ``rules`` joined, and each rule on it."""
    emitter = _Emitter(as_of)
    aggs: dict[str, Any] = {}
    fills: dict[str, Any] = {}
    for rule in rules.values():
        for node in _member_aggs(rule.ast):
            name = emitter.agg_name(node)
            if name in aggs:
                continue
            cond = (
                emitter.expr(node.condition, individu, "individu")
                if node.condition is not None
                else None
            )
            if node.kind == "count":
                aggs[name] = (
                    individu.count()
                    if cond is None
                    else ibis.ifelse(cond.fill_null(False), 1, 0).sum()
                )
                fills[name] = 0
            elif cond is not None:
                value = cond.fill_null(node.kind == "all")
                aggs[name] = value.any() if node.kind == "any" else value.all()
                fills[name] = node.kind == "all"
    table = keluarga
    if aggs:
        agg = individu.group_by(_kk=individu[KK]).aggregate(**aggs)
        joined = keluarga.left_join(agg, keluarga[KK] == agg["_kk"])
        table = joined.select(
            *[keluarga[c] for c in keluarga.columns],
            *[agg[n].fill_null(fills[n]).name(n) for n in aggs],
        )
    return table, {name: emitter.expr(rule.ast, table, "keluarga") for name, rule in rules.items()}


def _member_aggs(node: Node) -> list[MemberAgg]:
    found: list[MemberAgg] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, MemberAgg):
            found.append(n)
            continue
        for child in vars(n).values():
            if isinstance(child, Node):
                stack.append(child)
            elif isinstance(child, tuple):
                stack.extend(c for c in child if isinstance(c, Node))
    return found


class _Emitter:
    def __init__(self, as_of: dt.date) -> None:
        self.as_of = as_of
        self.names: dict[MemberAgg, str] = {}

    def agg_name(self, node: MemberAgg) -> str:
        return self.names.setdefault(node, f"_anggota_{len(self.names)}")

    def expr(self, node: Node, t: Any, level: Level) -> Any:
        if isinstance(node, Literal):
            return ibis.literal(node.value)
        if isinstance(node, Name):
            return t[node.name]
        if isinstance(node, MemberAgg):
            return t[self.agg_name(node)]
        if isinstance(node, Unary):
            inner = (
                self.numeric(node.operand, t, level)
                if node.op == "-"
                else self.expr(node.operand, t, level)
            )
            return -inner if node.op == "-" else ~inner
        if isinstance(node, Call) and node.func == "jumlah_ya":
            total = ibis.literal(0)
            for arg in node.args:
                total = total + ibis.ifelse(self.expr(arg, t, level).fill_null(False), 1, 0)
            return total
        if isinstance(node, Call):
            born = self.expr(node.args[0], t, level)
            if node.func == "tahun":
                return born.year()
            before = (born.month() > self.as_of.month) | (
                (born.month() == self.as_of.month) & (born.day() > self.as_of.day)
            )
            return self.as_of.year - born.year() - ibis.ifelse(before, 1, 0)
        if isinstance(node, IsNull):
            inner = self.expr(node.operand, t, level)
            return inner.notnull() if node.negated else inner.isnull()
        if isinstance(node, InList):
            return self.in_list(node, t, level)
        if isinstance(node, Binary):
            return self.binary(node, t, level)
        raise RuleError("ungkapan tidak dikenal", node.line, node.col)  # pragma: no cover

    def kind(self, node: Node, level: Level) -> Type:
        return _Checker().type_of(node, level)

    def numeric(self, node: Node, t: Any, level: Level) -> Any:
        value = self.expr(node, t, level)
        if self.kind(node, level) == "code":  # a code's numeric value; non-numeric codes are NULL
            return ibis.ifelse(
                value.re_search(r"^[0-9]+$"), value.cast("int64"), ibis.null().cast("int64")
            )
        return value

    def in_list(self, node: InList, t: Any, level: Level) -> Any:
        kind = self.kind(node.operand, level)
        values = [i.value for i in node.items.items]
        if kind == "code":
            operand = self.expr(node.operand, t, level)
            values = [
                str(int(v)) if isinstance(v, int | float) and float(v).is_integer() else str(v)
                for v in values
            ]
        elif kind == "date":
            operand = self.expr(node.operand, t, level)
            values = [_as_date(v) for v in values]  # type: ignore[misc]
        else:
            operand = self.expr(node.operand, t, level)
        result = operand.isin(list(values))
        return ~result if node.negated else result

    def binary(self, node: Binary, t: Any, level: Level) -> Any:
        if node.op in ("and", "or"):
            left, right = self.expr(node.left, t, level), self.expr(node.right, t, level)
            return (left & right) if node.op == "and" else (left | right)
        lk, rk = self.kind(node.left, level), self.kind(node.right, level)
        if node.op in ("+", "-", "*", "/") or "num" in (lk, rk):
            left, right = self.numeric(node.left, t, level), self.numeric(node.right, t, level)
        elif "date" in (lk, rk):
            left = self._date_side(node.left, t, level)
            right = self._date_side(node.right, t, level)
        else:
            left, right = self.expr(node.left, t, level), self.expr(node.right, t, level)
        ops = {
            "+": lambda a, b: a + b, "-": lambda a, b: a - b,
            "*": lambda a, b: a * b, "/": lambda a, b: a / b,
            "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
        }  # fmt: skip
        return ops[node.op](left, right)

    def _date_side(self, node: Node, t: Any, level: Level) -> Any:
        if isinstance(node, Literal) and isinstance(node.value, str):
            return ibis.literal(_as_date(node.value))
        return self.expr(node, t, level)
