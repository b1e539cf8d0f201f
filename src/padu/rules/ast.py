"""AST nodes of the rule language. Every node keeps the line and column it starts at."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Node:
    line: int
    col: int


@dataclass(frozen=True)
class Literal(Node):
    value: int | float | str | bool | None


@dataclass(frozen=True)
class ListLit(Node):
    items: tuple[Literal, ...]


@dataclass(frozen=True)
class Name(Node):
    name: str


@dataclass(frozen=True)
class Unary(Node):
    op: str  # "not" | "-"
    operand: Node


@dataclass(frozen=True)
class Binary(Node):
    op: str  # and or + - * / = != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True)
class InList(Node):
    operand: Node
    items: ListLit
    negated: bool = False


@dataclass(frozen=True)
class IsNull(Node):
    operand: Node
    negated: bool = False


@dataclass(frozen=True)
class Call(Node):
    func: str  # canonical name: umur, tahun, ...
    args: tuple[Node, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class MemberAgg(Node):
    kind: str  # "any" | "all" | "count"
    condition: Node | None
