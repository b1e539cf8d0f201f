"""The rule language: a small, safe expression language over register fields.

Parsed to an AST with positions (:mod:`padu.rules.parser`), checked against the register
schema and an allow-list of functions, and compiled to Ibis (:mod:`padu.rules.compiler`).
Never eval'd and never concatenated into SQL.
"""

from padu.rules.ast import Node
from padu.rules.compiler import (
    CompiledRule,
    compile_member_rule,
    compile_rule,
    fields_used,
    member_condition,
)
from padu.rules.parser import parse

__all__ = [
    "CompiledRule",
    "Node",
    "compile_member_rule",
    "compile_rule",
    "fields_used",
    "member_condition",
    "parse",
]
