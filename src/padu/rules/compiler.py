"""Compiling a checked rule to Ibis, with one meaning for missing data on every engine.

A rule is evaluated per family (``keluarga``). Family fields are used directly; member
fields only inside ``ada/semua/jumlah anggota(...)``, which aggregate the family's members.
Checking (names, types) is :mod:`padu.rules.checker`.

Missing data has one meaning (docs/measures.md, "Data hilang: satu arti"): a blank value
makes a comparison unknown (SQL NULL) and ``dan``/``atau``/``tidak`` follow three-valued
logic. Member aggregates are unknown when the members' known values cannot decide them; a
family without member rows is decided (none has it, all of none have it, zero of them).
Arithmetic runs in float64 and a fault (division by zero, a magnitude of 10^120 or more)
gives unknown, identically on every engine, never an error and never infinity.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.operations as iops
import ibis.expr.types as ir

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
from padu.rules.checker import BIG, TYPE_WORDS, Checker, Type, as_date
from padu.rules.derived import derived_names, with_derived
from padu.rules.parser import RuleError, parse
from padu.schema import Level

KK = "nomor_kartu_keluarga"
#: Magnitudes far below TINY are flushed to zero, so that no product or quotient of rule
#: arithmetic underflows (PostgreSQL raises on underflow as on overflow). See :func:`finite`.
TINY = 1e-120
#: A code has a numeric value when it is 1-18 digits (so it always fits int64).
CODE_DIGITS = r"^[0-9]{1,18}$"
#: The per-family sum of a member condition packs two counts: known members times PACK
#: plus true ones (a family has far fewer than PACK members; the sum stays below 2^53).
PACK = 2**32
#: The comparison ``a OP b`` written as ``b FLIPPED[OP] a``.
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}


@dataclass
class CompiledRule:
    """A checked rule: its text, AST and the register fields it reads."""

    text: str
    ast: Node
    fields: set[tuple[Level, str]] = field(default_factory=set)

    def to_ibis(
        self,
        keluarga: Any,
        individu: Any,
        as_of: dt.date,
        *,
        population: tuple[Any, Any] | None = None,
    ) -> tuple[Any, Any]:
        """(table, boolean column): family rows with member aggregates joined, and the rule."""
        table, exprs = evaluate({"_rule": self}, keluarga, individu, as_of, population=population)
        return table, exprs["_rule"]


def compile_rule(text: str) -> CompiledRule:
    """Parse and check ``text``; :class:`RuleError` with line, column and a hint otherwise."""
    return _compile(text, "keluarga", "aturan")


def compile_member_rule(text: str) -> CompiledRule:
    """A condition on one member (member fields only), for programmes whose unit is a person."""
    return _compile(text, "individu", "aturan anggota")


def _compile(text: str, level: Level, what: str) -> CompiledRule:
    tree = parse(text)
    checker = Checker()
    kind = checker.type_of(tree, level)
    if kind != "bool":
        raise RuleError(
            f"{what} harus bernilai benar/salah, bukan {TYPE_WORDS[kind]}", tree.line, tree.col
        )
    return CompiledRule(text, tree, checker.fields)


def member_condition(rule: CompiledRule, individu: Any, as_of: dt.date) -> Any:
    """The boolean column of a member rule on the member table."""
    return _Emitter(as_of, _dialect(individu)).expr(rule.ast, individu, "individu")


def fields_used(rule: CompiledRule | str) -> set[tuple[Level, str]]:
    """The (level, field) pairs a rule reads: the data it needs."""
    return (compile_rule(rule) if isinstance(rule, str) else rule).fields


# -- compilation ------------------------------------------------------------------------


def evaluate(
    rules: dict[str, CompiledRule],
    keluarga: Any,
    individu: Any,
    as_of: dt.date,
    *,
    population: tuple[Any, Any] | None = None,
) -> tuple[Any, dict[str, Any]]:
    """One family table with every member aggregate of ``rules`` joined, and each rule on it.

    Per aggregate a family's members are counted: all of them, those whose condition is
    true, and those whose condition is known. Families without member rows get zero
    counts, so their aggregates are decided. Derived fields the rules name
    (:mod:`padu.rules.derived`) are added as columns of the family table first.

    ``population``: the unfiltered (family, member) tables of the snapshot, for a caller
    that passes only some families (one KK): ``jumlah_penghuni_rumah`` counts the other
    KKs of the dwelling in it. Default: ``keluarga`` and ``individu`` themselves.
    """
    emitter = _Emitter(as_of, _dialect(keluarga))
    derived: set[str] = set()
    for rule in rules.values():
        derived |= derived_names(rule.ast)
    if derived:
        keluarga = with_derived(keluarga, derived, population or (keluarga, individu))
    counts: dict[str, Any] = {}
    finals: dict[str, MemberAgg] = {}
    for rule in rules.values():
        for node in _member_aggs(rule.ast):
            name = emitter.agg_name(node)
            if name in finals:
                continue
            finals[name] = node
            counts[f"{name}_n"] = individu.count()
            if node.condition is not None:
                cond = _per_row(individu, emitter.expr(node.condition, individu, "individu"))
                # one sum carries both counts, so the condition is evaluated once per member
                # (PostgreSQL would evaluate it again for a second aggregate): a known member
                # adds PACK plus 1 or 0, an unknown one nothing (SUM skips NULL)
                counts[f"{name}_ya_tahu"] = (cond.cast("int32") + PACK).sum()
    table = keluarga
    if counts:
        agg = individu.group_by(_kk=individu[KK]).aggregate(**counts)
        joined = keluarga.left_join(agg, keluarga[KK] == agg["_kk"])

        def n(col: str) -> Any:
            return joined[col].fill_null(0).cast("int64")

        table = joined.select(
            *[keluarga[c] for c in keluarga.columns],
            *[_aggregate(node, name, n).name(name) for name, node in finals.items()],
        )
    exprs = {name: emitter.expr(rule.ast, table, "keluarga") for name, rule in rules.items()}
    return table, {name: _per_row(table, e) for name, e in exprs.items()}


def _per_row(table: Any, value: Any) -> Any:
    """``value`` as a column of ``table``, also when it reads no field (``benar``)."""
    if isinstance(value, ir.Column):
        return value
    return ibis.cases((table[KK].isnull(), value), else_=value)


def _aggregate(node: MemberAgg, name: str, n: Any) -> Any:
    """A member aggregate from the counts of members, true conditions and known ones."""
    members = n(f"{name}_n")
    if node.condition is None:
        return members
    packed = n(f"{name}_ya_tahu")
    yes, known = packed % PACK, packed // PACK
    no, blank = known - yes, members - known
    if node.kind == "any":
        return ibis.cases((yes > 0, True), (blank > 0, ibis.null().cast("boolean")), else_=False)
    if node.kind == "all":
        return ibis.cases((no > 0, False), (blank > 0, ibis.null().cast("boolean")), else_=True)
    return ibis.cases((blank > 0, ibis.null().cast("int64")), else_=yes)


def unknown(condition: Any) -> Any:
    """True where a boolean expression is NULL (unknown).

    Ibis 12 renders ``(NOT x) IS NULL`` as ``NOT (x) IS NULL``, which SQL reads as
    ``NOT (x IS NULL)``; a negation never changes whether a value is known, so it is
    stripped first. ``x IS NULL`` itself is never unknown.
    """
    op = condition.op()
    while isinstance(op, iops.Not):
        op = op.arg
    if isinstance(op, iops.IsNull | iops.NotNull):
        return ibis.cases((op.to_expr(), False), else_=False)
    return op.to_expr().isnull()


def _dialect(table: Any) -> str:
    try:
        return str(ibis.get_backend(table).name)
    except Exception:  # an unbound table: compiled for DuckDB, the default engine
        return "duckdb"


def finite(value: Any, dialect: str) -> Any:
    """A float64 expression with arithmetic faults made unknown, the same on every engine.

    NULL, NaN, +-inf and magnitudes of BIG or more become NULL, and magnitudes far below
    TINY become 0 (``(x + TINY) - TINY``). Every arithmetic operand and result passes
    through here, so no product or quotient can overflow or underflow (PostgreSQL raises
    on both, DuckDB gives inf). ``value`` appears once in the SQL, so nested arithmetic
    stays linear in size: on PostgreSQL through a clamp and NULLIF; on DuckDB, whose NULLIF
    is a macro that copies its argument, through a lambda. ``tests/rule_reference.py``
    repeats this in Python.
    """
    x = value.cast("float64")
    if dialect == "duckdb":
        kept = ibis.array([x]).map(lambda v: ibis.cases((v.abs() < BIG, (v + TINY) - TINY)))
        return kept[0]
    clamped = ibis.least(ibis.greatest(x, -BIG), BIG)  # NaN is the largest value: BIG
    return (clamped.nullif(BIG).nullif(-BIG) + TINY) - TINY


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
    def __init__(self, as_of: dt.date, dialect: str) -> None:
        self.as_of = as_of
        self.dialect = dialect
        self.names: dict[MemberAgg, str] = {}

    def agg_name(self, node: MemberAgg) -> str:
        return self.names.setdefault(node, f"_anggota_{len(self.names)}")

    def expr(self, node: Node, t: Any, level: Level) -> Any:
        if isinstance(node, Literal):
            value = node.value
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 2**63:
                value = float(value)  # beyond int64; the checker bounds it below BIG
            return ibis.literal(value)
        if isinstance(node, Name):
            return t[node.name]
        if isinstance(node, MemberAgg):
            return t[self.agg_name(node)]
        if isinstance(node, Unary):
            if node.op == "-":  # in float64: negating int64's minimum would overflow
                return -self.numeric(node.operand, t, level).cast("float64")
            return ~self.expr(node.operand, t, level)
        if isinstance(node, Call) and node.func == "jumlah_ya":
            # the count of true flags; unknown when any flag is unknown, as jumlah anggota(...)
            total = ibis.literal(0).cast("int64")
            for arg in node.args:  # a NULL flag casts to NULL, which makes the sum NULL
                total = total + self.expr(arg, t, level).cast("int32")
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
            blank = unknown(inner) if inner.type().is_boolean() else inner.isnull()
            return ~blank if node.negated else blank
        if isinstance(node, InList):
            return self.in_list(node, t, level)
        if isinstance(node, Binary):
            return self.binary(node, t, level)
        raise RuleError("ungkapan tidak dikenal", node.line, node.col)  # pragma: no cover

    def kind(self, node: Node, level: Level) -> Type:
        return Checker().type_of(node, level)

    def numeric(self, node: Node, t: Any, level: Level) -> Any:
        value = self.expr(node, t, level)
        if self.kind(node, level) == "code":  # a code's numeric value; non-numeric codes are NULL
            return ibis.ifelse(self.digits(value), value.cast("int64"), ibis.null().cast("int64"))
        return value

    def digits(self, code: Any) -> Any:
        """True where a code is 1-18 ASCII digits (:data:`CODE_DIGITS`), NULL where blank.

        PostgreSQL's regular expressions cost about 3 microseconds a row, and a register's
        member rules test hundreds of thousands of codes many times over; stripping the
        digits out and checking that nothing is left is the same test at half the cost.
        """
        if self.dialect == "duckdb":
            return code.re_search(CODE_DIGITS)
        length = code.length()
        return (code.translate("0123456789", "") == "") & (length >= 1) & (length <= 18)

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
            values = [as_date(v) for v in values]  # type: ignore[misc]
        else:
            operand = self.expr(node.operand, t, level)
        result = operand.isin(list(values))
        return ~result if node.negated else result

    def binary(self, node: Binary, t: Any, level: Level) -> Any:
        if node.op in ("and", "or"):
            left, right = self.expr(node.left, t, level), self.expr(node.right, t, level)
            return (left & right) if node.op == "and" else (left | right)
        if node.op in ("+", "-", "*", "/"):
            return self.arithmetic(node, t, level)
        by_date = self.age_compared(node, t, level)
        if by_date is not None:
            return by_date
        lk, rk = self.kind(node.left, level), self.kind(node.right, level)
        if "num" in (lk, rk):
            left, right = self.numeric(node.left, t, level), self.numeric(node.right, t, level)
        elif "date" in (lk, rk):
            left = self._date_side(node.left, t, level)
            right = self._date_side(node.right, t, level)
        else:
            left, right = self.expr(node.left, t, level), self.expr(node.right, t, level)
        ops = {
            "=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
        }  # fmt: skip
        return ops[node.op](left, right)

    def age_compared(self, node: Binary, t: Any, level: Level) -> Any | None:
        """``umur(field) OP number`` as a comparison of the birth date with a fixed date.

        The same truth (and the same unknown for a blank date) as comparing the computed
        age, without extracting year, month and day of every row: PostgreSQL's EXTRACT
        returns numeric, and the member rules of a measure compare ages dozens of times
        per member. ``umur(b) >= n`` holds exactly when ``b`` is on or before the n-th
        birthday's latest date, :meth:`born_by`. None when the rule has another shape or a
        date falls outside years 1-9999 (the general translation then applies).
        """
        if node.op not in FLIPPED:
            return None
        call, number, op = node.left, node.right, node.op
        if isinstance(call, Literal):
            call, number, op = number, call, FLIPPED[op]
        if not (
            isinstance(call, Call)
            and call.func == "umur"
            and isinstance(call.args[0], Name)
            and isinstance(number, Literal)
            and isinstance(number.value, int | float)
            and not isinstance(number.value, bool)
            and math.isfinite(number.value)
        ):
            return None
        c = number.value
        up, above = math.ceil(c), math.floor(c) + 1  # age >= c: age >= up; age > c: >= above
        if op in ("=", "!=") and up != c:
            return None  # an age is whole: never equal to a fraction (left to the general path)
        by_up, by_above = self.born_by(up), self.born_by(above)
        if by_up is None or by_above is None:
            return None
        born = self.expr(call.args[0], t, level)
        if op == ">=":
            return born <= by_up
        if op == ">":
            return born <= by_above
        if op == "<":
            return born > by_up
        if op == "<=":
            return born > by_above
        if op == "=":
            return (born <= by_up) & (born > by_above)
        return (born > by_up) | (born <= by_above)

    def born_by(self, years: int) -> Any | None:
        """The latest birth date of someone aged ``years`` or more on the rule's date."""
        year = self.as_of.year - years
        if not 1 <= year <= 9999:
            return None
        day = min(self.as_of.day, calendar.monthrange(year, self.as_of.month)[1])
        return ibis.literal(dt.date(year, self.as_of.month, day))

    def arithmetic(self, node: Binary, t: Any, level: Level) -> Any:
        """``+ - * /`` in float64 on finite operands; a fault (x / 0, overflow) is NULL."""
        left, right = (self.operand(side, t, level) for side in (node.left, node.right))
        if node.op == "/":
            # x / 0 is NULL: by NULLIF on PostgreSQL (which raises), by finite on DuckDB (inf)
            divisor = right.nullif(0) if self.dialect != "duckdb" else right
            return finite(left / divisor, self.dialect)
        ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
        return finite(ops[node.op](left, right), self.dialect)

    def operand(self, node: Node, t: Any, level: Level) -> Any:
        if isinstance(node, Binary):  # arithmetic: already finite
            return self.expr(node, t, level)
        return finite(self.numeric(node, t, level), self.dialect)

    def _date_side(self, node: Node, t: Any, level: Level) -> Any:
        if isinstance(node, Literal) and isinstance(node.value, str):
            return ibis.literal(as_date(node.value))
        return self.expr(node, t, level)
