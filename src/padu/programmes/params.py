"""Programme parameters: named values a workshop can change without rewriting a rule.

A preset's rule may hold ``{name}`` placeholders (``desil_nasional <= {desil_maks}``); the
programme's ``params`` give each a value, a label and the source of the default. The
workshop file keeps the template; every caller compiles the substituted text. A value is
written into the rule as a rule literal (a number, ``benar``/``salah``, a quoted text, or a
list ``[5, 7, 8]``), never as rule text, so a parameter cannot change a rule's shape.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from padu.errors import ImportRejected, Problem
from padu.rules import compile_member_rule, compile_rule
from padu.rules.parser import RuleError

if TYPE_CHECKING:
    from padu.programmes.model import Programme, Workshop

Scalar = int | float | bool | str
Value = Scalar | tuple[int | float | str, ...]

NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TRUE = ("benar", "true", "ya", "1")
_FALSE = ("salah", "false", "tidak", "0")


@dataclass(frozen=True)
class Param:
    """A named value of a programme's rule, with what it means and where it comes from."""

    name: str
    value: Value
    label: str = ""
    source: str = ""

    def definition(self) -> dict[str, Any]:
        """The parameter as stored: ``value`` (a list for a list), ``label``, ``source``."""
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        out: dict[str, Any] = {"value": value}
        if self.label:
            out["label"] = self.label
        if self.source:
            out["source"] = self.source
        return out


def placeholders(template: str) -> list[str]:
    """The ``{name}`` placeholders of a rule text, in order of appearance."""
    return PLACEHOLDER.findall(template)


def literal(value: Value) -> str:
    """A parameter value as a rule literal."""
    if isinstance(value, bool):
        return "benar" if value else "salah"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.10f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        return f'"{value}"'
    return "[" + ", ".join(literal(v) for v in value) + "]"


def substitute(template: str, params: tuple[Param, ...]) -> str:
    """``template`` with every known placeholder replaced by its value's literal (unknown
    placeholders are left as written: the rule compiler then points at them)."""
    values = {p.name: p.value for p in params}

    def one(m: re.Match[str]) -> str:
        name = m.group(1)
        return literal(values[name]) if name in values else m.group(0)

    return PLACEHOLDER.sub(one, template)


def value_problem(value: object) -> str | None:
    """Why ``value`` (as read from YAML) cannot be a parameter value, or None."""
    if isinstance(value, list | tuple):
        if not value:
            return "daftar nilai parameter tidak boleh kosong"
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int | float | str):
                return "isi daftar harus angka atau teks"
            if problem := value_problem(v):
                return problem
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "angka harus berhingga"
    if isinstance(value, str) and ('"' in value or "\n" in value):
        return "teks parameter tidak boleh berisi tanda kutip ganda atau baris baru"
    if isinstance(value, bool | int | float | str):
        return None
    return "nilai parameter harus angka, benar/salah, teks, atau daftar"


def as_value(value: object) -> Value:
    """A checked YAML value as a parameter value (a list becomes a tuple)."""
    if isinstance(value, list | tuple):
        return tuple(value)
    assert isinstance(value, bool | int | float | str)  # noqa: S101 (checked by value_problem)
    return value


def parse_override(text: str, default: Value) -> Value:
    """``text`` (as typed on the command line) read as the type of ``default``;
    ValueError with an Indonesian reason when it is not one."""
    text = text.strip()
    if isinstance(default, bool):
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError("harus benar atau salah")
    if isinstance(default, int):
        if not re.fullmatch(r"-?(?:[0-9]+|[0-9]{1,3}(?:\.[0-9]{3})+)", text.replace("_", "")):
            raise ValueError("harus bilangan bulat (mis. 5 atau 20.000.000)")
        return int(text.replace(".", "").replace("_", ""))
    if isinstance(default, float):
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            raise ValueError("harus angka (mis. 0,5)") from None
        if not math.isfinite(number):
            raise ValueError("angka harus berhingga")
        return number
    if isinstance(default, str):
        problem = value_problem(text)
        if problem:
            raise ValueError(problem)
        return text
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if not parts:
        raise ValueError("daftar tidak boleh kosong (pisahkan dengan koma: 1,2,3)")
    if all(isinstance(v, int) and not isinstance(v, bool) for v in default):
        if not all(re.fullmatch(r"-?[0-9]+", p) for p in parts):
            raise ValueError("harus daftar bilangan bulat dipisah koma (mis. 5,7,8)")
        return tuple(int(p) for p in parts)
    for p in parts:
        problem = value_problem(p)
        if problem:
            raise ValueError(problem)
    return tuple(parts)


def apply(programme: Programme, params: tuple[Param, ...]) -> Programme:
    """``programme`` with ``params`` and its rules substituted again from the templates."""
    rule = substitute(programme.rule_template, params) if programme.rule_template else None
    member = (
        substitute(programme.member_rule_template, params)
        if programme.member_rule_template
        else None
    )
    return dataclasses.replace(
        programme,
        params=params,
        rule=rule if rule is not None else programme.rule,
        member_rule=member if member is not None else programme.member_rule,
    )


def with_params(
    workshop: Workshop, overrides: Mapping[str, str], source: str = "--param"
) -> Workshop:
    """``workshop`` with parameter values overridden (``{"SEMBAKO.desil_maks": "5"}``).

    Every problem (an unknown programme or parameter, a value of the wrong type, a rule
    the new value breaks) is reported at once as :class:`ImportRejected`.
    """
    from padu.programmes.model import Workshop

    problems: list[Problem] = []
    changed: dict[str, dict[str, Value]] = {}
    by_code = {p.code: p for p in workshop.programmes}
    for key, text in overrides.items():
        code, dot, name = key.rpartition(".")
        programme = by_code.get(code)
        if not dot or not code:
            problems.append(Problem(source, None, key, text, "tulis sebagai KODE.nama=nilai"))
            continue
        if programme is None:
            known = ", ".join(sorted(c for c, p in by_code.items() if p.params)) or "(tidak ada)"
            reason = f"program {code!r} tidak ada; program berparameter: {known}"
            problems.append(Problem(source, None, key, text, reason))
            continue
        param = next((p for p in programme.params if p.name == name), None)
        if param is None:
            known = ", ".join(p.name for p in programme.params) or "(tidak ada)"
            reason = f"{code} tidak punya parameter {name!r}; parameternya: {known}"
            problems.append(Problem(source, None, key, text, reason))
            continue
        try:
            changed.setdefault(code, {})[name] = parse_override(text, param.value)
        except ValueError as exc:
            problems.append(Problem(source, None, key, text, str(exc)))
    programmes = []
    for p in workshop.programmes:
        if p.code not in changed:
            programmes.append(p)
            continue
        values = changed[p.code]
        params = tuple(
            dataclasses.replace(q, value=values[q.name]) if q.name in values else q
            for q in p.params
        )
        new = apply(p, params)
        checks: list[tuple[str, str | None, Callable[[str], object]]] = [
            ("rule", new.rule, compile_rule),
            ("member_rule", new.member_rule, compile_member_rule),
        ]
        for col, rule_text, compiler in checks:
            if rule_text is None:
                continue
            try:
                compiler(rule_text)
            except RuleError as exc:
                keys = ", ".join(f"{p.code}.{n}" for n in values)
                problems.append(Problem(source, None, keys, rule_text, f"{col}: {exc.message}"))
        programmes.append(new)
    if problems:
        raise ImportRejected(
            summary=f"{source}: {len(problems)} masalah pada parameter program", problems=problems
        )
    return Workshop(list(workshop.agencies), programmes)
