"""Static checking of a parsed rule against the register schema.

Every name is checked against the schema (an unknown one gets the nearest valid names) and
every operation against the types of its operands (a date compared with a number names
both sides). Code fields (``desil_nasional``, ``jenis_lantai_terluas``) compare with numbers
by their numeric value and with text as text. A number literal must lie below 10^120 in
magnitude, the range rule arithmetic keeps (:data:`BIG`). Derived family fields
(:mod:`padu.rules.derived`: ``perkotaan``, ``jumlah_penghuni_rumah``) are names like any
family field; the fields a rule reads list the register fields they are computed from.
"""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Literal as Lit

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
from padu.rules.derived import DERIVED
from padu.rules.parser import RuleError
from padu.schema import Level, register_schema

Type = Lit["num", "str", "code", "date", "bool"]
#: Rule arithmetic keeps magnitudes below BIG: a larger result is an overflow (unknown),
#: and a larger literal is refused.
BIG = 1e120
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
    if level == "keluarga" and name in DERIVED:
        derived: Type = "bool" if DERIVED[name].type == "bool" else "num"
        return derived
    return None


def field_names(level: Level) -> list[str]:
    """Every name a rule may use at ``level``: register fields, then derived family fields."""
    names = list(register_schema().names(level))
    return names + list(DERIVED) if level == "keluarga" else names


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


class Checker:
    """Static types, with the fields each rule reads."""

    def __init__(self) -> None:
        self.fields: set[tuple[Level, str]] = set()

    def type_of(self, node: Node, level: Level) -> Type:
        if isinstance(node, Literal):
            if isinstance(node.value, bool):
                return "bool"
            if isinstance(node.value, int | float):
                if not abs(node.value) < BIG:
                    raise RuleError(
                        f"angka terlalu besar: {_describe(node)} (batas Padu di bawah 10^120)",
                        node.line,
                        node.col,
                    )
                return "num"
            return "str"
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
            names = field_names(level)
            near = difflib.get_close_matches(node.name, names, n=3, cutoff=0.6)
            hint = f"; maksud Anda: {', '.join(near)}?" if near else ""
            raise RuleError(f"kolom tidak dikenal {node.name!r}{hint}", node.line, node.col)
        if level == "keluarga" and node.name in DERIVED:  # the register fields it reads
            self.fields.update((level, f) for f in DERIVED[node.name].reads)
        else:
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
        pair == {"date", "str"} and isinstance(right, Literal) and as_date(right.value) is not None
    )


def as_date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None
