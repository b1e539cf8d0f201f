"""Tokeniser and recursive-descent parser of the rule language.

Indonesian keywords with English synonyms::

    desil_nasional <= 4 dan ada anggota(umur(tanggal_lahir) between ...)

Precedence, lowest first: ``atau/or``; ``dan/and``; ``tidak/bukan/not``; comparisons
(``= != < <= > >=``, ``dalam/in [..]``, ``kosong``/``is null``); ``+ -``; ``* /``; unary
minus. Member aggregation: ``ada anggota(...)``/``any member(...)``,
``semua anggota(...)``/``all members(...)``, ``jumlah anggota(...)``/``count members(...)``.

A rule may nest at most :data:`MAX_DEPTH` levels (brackets, ``tidak``, unary minus, member
aggregates, function calls, operators), so a rule can never exhaust Python's stack in the
parser or in the compilers that walk its tree. Chains of ``dan`` or ``atau`` do not count
one level per operand: they are built as balanced trees, so a rule of thousands of
conditions joined by ``atau`` is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from padu.errors import InputError
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

#: The deepest a rule may nest: far beyond any rule a person writes, far below Python's stack.
MAX_DEPTH = 50


class RuleError(InputError):
    """A rule that cannot be used, with the line and column where the problem is."""

    def __init__(self, message: str, line: int, col: int) -> None:
        super().__init__(f"baris {line}, kolom {col}: {message}")
        self.reason = message
        self.line = line
        self.col = col

    def to_dict(self) -> dict[str, object]:
        return {**super().to_dict(), "line": self.line, "column": self.col}


KEYWORDS = {
    "dan": "and", "and": "and",
    "atau": "or", "or": "or",
    "tidak": "not", "bukan": "not", "not": "not",
    "dalam": "in", "in": "in",
    "kosong": "null", "null": "null",
    "adalah": "is", "is": "is",
    "benar": "true", "true": "true",
    "salah": "false", "false": "false",
    "ada": "any", "any": "any",
    "semua": "all", "all": "all",
    "jumlah": "count", "count": "count",
    "anggota": "member", "member": "member", "members": "member",
}  # fmt: skip
FUNCTIONS = {
    "umur": "umur", "age": "umur",
    "tahun": "tahun", "year": "tahun",
    "jumlah_ya": "jumlah_ya", "count_true": "jumlah_ya",
}  # fmt: skip

_TOKEN = re.compile(
    r"""(?P<ws>[ \t\r]+)|(?P<nl>\n)|(?P<number>\d+(?:\.\d+)?)|(?P<string>"[^"\n]*"|'[^'\n]*')
    |(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><=|>=|!=|<>|==|[=<>+\-*/(),\[\]])""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, name, keyword, op, end
    text: str
    line: int
    col: int
    value: str = ""  # canonical keyword or operator


def tokenize(text: str) -> list[Token]:
    """Tokens with 1-based line and column."""
    tokens: list[Token] = []
    pos, line, line_start = 0, 1, 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        col = pos - line_start + 1
        if m is None:
            raise RuleError(f"karakter tidak dikenal {text[pos]!r}", line, col)
        kind = m.lastgroup or ""
        tok = m.group()
        if kind == "nl":
            line, line_start = line + 1, m.end()
        elif kind == "name" and tok.lower() in KEYWORDS:
            tokens.append(Token("keyword", tok, line, col, KEYWORDS[tok.lower()]))
        elif kind == "op":
            tokens.append(Token("op", tok, line, col, {"==": "=", "<>": "!="}.get(tok, tok)))
        elif kind != "ws":
            tokens.append(Token(kind, tok, line, col))
        pos = m.end()
    tokens.append(Token("end", "", line, pos - line_start + 1))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0
        self.nesting = 0  # brackets, not, unary minus, aggregates and calls now open
        self.depths: dict[int, int] = {}  # id(node) -> height of its tree (nodes kept alive)

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.i + offset, len(self.tokens) - 1)]

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def at(self, *values: str) -> bool:
        return self.tok.kind in ("keyword", "op") and self.tok.value in values

    def expect(self, value: str, what: str) -> Token:
        if not self.at(value):
            self.fail(f"diharapkan {what}")
        return self.take()

    def fail(self, message: str, tok: Token | None = None) -> RuleError:
        tok = tok or self.tok
        shown = "akhir aturan" if tok.kind == "end" else repr(tok.text)
        raise RuleError(f"{message}, ditemukan {shown}", tok.line, tok.col)

    def enter(self, tok: Token) -> None:
        """Open one nesting level at ``tok``; refuse a rule nested deeper than MAX_DEPTH."""
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise RuleError(
                f"aturan terlalu dalam bersarang (lebih dari {MAX_DEPTH} tingkat); "
                "sederhanakan atau pecah aturannya",
                tok.line,
                tok.col,
            )

    def leave(self) -> None:
        self.nesting -= 1

    def made(self, node: Node, *children: Node) -> Node:
        """Record the height of ``node``'s tree; refuse a tree taller than MAX_DEPTH."""
        height = 1 + max((self.depths.get(id(c), 1) for c in children), default=0)
        if height > MAX_DEPTH:
            raise RuleError(
                f"aturan terlalu panjang atau bersarang (lebih dari {MAX_DEPTH} tingkat "
                "operator); sederhanakan atau pecah aturannya",
                node.line,
                node.col,
            )
        self.depths[id(node)] = height
        return node

    def chain(self, op: str, operands: list[Node], ops: list[Token]) -> Node:
        """``a op b op c ...`` as a balanced tree (``dan``/``atau`` are associative)."""
        if len(operands) == 1:
            return operands[0]
        if len(operands) == 2:
            return self.made(Binary(ops[0].line, ops[0].col, op, *operands), *operands)
        mid = (len(operands) + 1) // 2  # left half the larger: a and b and c = (a and b) and c
        left = self.chain(op, operands[:mid], ops[: mid - 1])
        right = self.chain(op, operands[mid:], ops[mid:])
        tok = ops[mid - 1]
        return self.made(Binary(tok.line, tok.col, op, left, right), left, right)

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise RuleError("aturan kosong", 1, 1)
        node = self.expr()
        if self.tok.kind != "end":
            self.fail("diharapkan akhir aturan atau operator")
        return node

    def expr(self) -> Node:
        operands, ops = [self.conj()], []
        while self.at("or"):
            ops.append(self.take())
            operands.append(self.conj())
        return self.chain("or", operands, ops)

    def conj(self) -> Node:
        operands, ops = [self.neg()], []
        while self.at("and"):
            ops.append(self.take())
            operands.append(self.neg())
        return self.chain("and", operands, ops)

    def neg(self) -> Node:
        if self.at("not"):
            op = self.take()
            self.enter(op)
            operand = self.neg()
            self.leave()
            return self.made(Unary(op.line, op.col, "not", operand), operand)
        return self.comparison()

    def comparison(self) -> Node:
        left = self.additive()
        tok = self.tok
        if self.at("=", "!=", "<", "<=", ">", ">="):
            op = self.take()
            right = self.additive()
            return self.made(Binary(op.line, op.col, op.value, left, right), left, right)
        if self.at("in") or (self.at("not") and self.peek().value == "in"):
            negated = self.at("not")
            if negated:
                self.take()
            self.take()
            node = InList(tok.line, tok.col, left, self.list_literal(), negated)
            return self.made(node, left)
        if self.at("null") or (self.at("not") and self.peek().value == "null"):
            negated = self.at("not")
            if negated:
                self.take()
            self.take()
            return self.made(IsNull(tok.line, tok.col, left, negated), left)
        if self.at("is"):
            self.take()
            negated = self.at("not")
            if negated:
                self.take()
            self.expect("null", "'kosong' atau 'null' sesudah 'adalah/is'")
            return self.made(IsNull(tok.line, tok.col, left, negated), left)
        return left

    def additive(self) -> Node:
        node = self.term()
        while self.at("+", "-"):
            op = self.take()
            right = self.term()
            node = self.made(Binary(op.line, op.col, op.value, node, right), node, right)
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.at("*", "/"):
            op = self.take()
            right = self.unary()
            node = self.made(Binary(op.line, op.col, op.value, node, right), node, right)
        return node

    def unary(self) -> Node:
        if self.at("-"):
            op = self.take()
            self.enter(op)
            operand = self.unary()
            self.leave()
            return self.made(Unary(op.line, op.col, "-", operand), operand)
        return self.primary()

    def primary(self) -> Node:
        tok = self.tok
        if tok.kind == "number" or tok.kind == "string" or self.at("true", "false"):
            return self.literal()
        if self.at("("):
            self.enter(self.take())
            node = self.expr()
            self.expect(")", "')'")
            self.leave()
            return node
        if self.at("["):
            self.fail("daftar [..] hanya boleh sesudah 'dalam/in'")
        if self.at("any", "all", "count"):
            return self.member_agg()
        if tok.kind == "name":
            self.take()
            if self.at("("):
                func = FUNCTIONS.get(tok.text.lower())
                if func is None:
                    raise RuleError(
                        f"fungsi tidak dikenal {tok.text!r}; "
                        f"yang tersedia: {', '.join(sorted(FUNCTIONS))}",
                        tok.line,
                        tok.col,
                    )
                self.enter(self.take())
                args = [self.expr()]
                while self.at(","):
                    self.take()
                    args.append(self.expr())
                self.expect(")", "')'")
                self.leave()
                return self.made(Call(tok.line, tok.col, func, tuple(args)), *args)
            return Name(tok.line, tok.col, tok.text)
        self.fail("diharapkan nilai, nama kolom atau '('")
        raise AssertionError  # pragma: no cover - fail always raises

    def literal(self) -> Literal:
        tok = self.take()
        if tok.kind == "number":
            return Literal(tok.line, tok.col, float(tok.text) if "." in tok.text else int(tok.text))
        if tok.kind == "string":
            return Literal(tok.line, tok.col, tok.text[1:-1])
        if tok.kind == "keyword" and tok.value in ("true", "false"):
            return Literal(tok.line, tok.col, tok.value == "true")
        raise RuleError(f"diharapkan nilai, ditemukan {tok.text!r}", tok.line, tok.col)

    def list_literal(self) -> ListLit:
        start = self.expect("[", "'[' sesudah 'dalam/in'")
        items = []
        negative = False
        while True:
            if self.at("-"):
                self.take()
                negative = True
            if not (self.tok.kind in ("number", "string") or self.at("true", "false")):
                self.fail("diharapkan nilai di dalam daftar")
            item = self.literal()
            if negative and isinstance(item.value, int | float):
                item = Literal(item.line, item.col, -item.value)
            negative = False
            items.append(item)
            if self.at("]"):
                self.take()
                return ListLit(start.line, start.col, tuple(items))
            self.expect(",", "',' atau ']'")

    def member_agg(self) -> Node:
        tok = self.take()
        kind = tok.value
        self.expect("member", "'anggota' sesudah '" + tok.text + "'")
        self.enter(self.expect("(", "'('"))
        if kind == "count" and self.at(")"):
            self.take()
            self.leave()
            return MemberAgg(tok.line, tok.col, "count", None)
        cond = self.expr()
        self.expect(")", "')'")
        self.leave()
        return self.made(MemberAgg(tok.line, tok.col, kind, cond), cond)


def parse(text: str) -> Node:
    """The AST of a rule; :class:`RuleError` with line and column if it is not valid."""
    return _Parser(text).parse()
