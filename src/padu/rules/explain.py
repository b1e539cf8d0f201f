"""``padu rule explain``: a rule's parsed form, the fields it reads, and a count preview;
and every rule in words (:func:`sentence`), as BNBA lists give their reasons.

Before anyone draws a list, a programme officer sees how many families (and members) each
top-level clause of the rule matches on a snapshot, and how many match the whole rule; and
how many each leaves undecided because a value it needs is missing (never selected).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from padu.fmt import angka, desimal
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
from padu.schema import Field, Level, normalize_code, register_schema

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
    sentence: str = ""  # the rule in words (:func:`sentence`)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.text,
            "parsed": self.parsed,
            "sentence": self.sentence,
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
    out.sentence = sentence(rule.ast)
    if keluarga is None or individu is None or as_of is None:
        out.clauses = [{"clause": render(p), "sentence": sentence(p)} for p in parts]
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
            "sentence": sentence(p),
            "families": int(counts[f"_c{i}"] or 0),
            "undecidable": int(counts[f"_c{i}_u"] or 0),
        }
        for i, p in enumerate(parts)
    ]
    return out


# -- rules as sentences ---------------------------------------------------------------------
#
# What an officer reads in a BNBA list's "Alasan" column and in ``padu rule explain``: each
# condition in words, with the field's short Indonesian name and the code list's labels
# ("Atap: bambu, jerami/ijuk/daun-daunan/rumbia atau lainnya"), numbers written the
# Indonesian way. A part the words below do not cover is shown as rule text, never dropped.

#: How a field reads in a sentence. ``{v}`` is the value (code labels joined with "atau").
#: A template starting with a capital is a label ("Atap: ..."): inside ``ada anggota(...)``
#: it is preceded by "dengan". A lowercase template reads as a verb ("berijazah SMA").
FIELD_WORDS: dict[str, str] = {
    "jenis_atap_terluas": "Atap: {v}",
    "jenis_dinding_terluas": "Dinding: {v}",
    "jenis_lantai_terluas": "Lantai: {v}",
    "status_kepemilikan_rumah": "Rumah: {v}",
    "fasilitas_bab": "Fasilitas BAB: {v}",
    "jenis_kloset": "Kloset: {v}",
    "pembuangan_akhir_tinja": "Pembuangan akhir tinja: {v}",
    "sumber_air_minum_utama": "Sumber air minum: {v}",
    "sumber_penerangan_utama": "Penerangan: {v}",
    "bahan_bakar_utama_memasak": "Bahan bakar memasak: {v}",
    "daya_terpasang": "Daya listrik: {v}",
    "status_hubungan_keluarga": "berstatus {v}",
    "jenis_kelamin": "{v}",
    "status_kawin": "berstatus kawin {v}",
    "partisipasi_sekolah": "{v}",
    "ijazah_tertinggi_yang_dimiliki": "berijazah {v}",
    "jenjang_tertinggi_yang_diduduki": "bersekolah paling tinggi di jenjang {v}",
    "status_bekerja": "{v}",
    "status_dalam_pekerjaan_utama": "bekerja sebagai {v}",
    "penyakit_kronis": "Penyakit kronis: {v}",
    "kondisi_gizi": "Kondisi gizi: {v}",
    "penglihatan": "Kesulitan melihat: {v}",
    "pendengaran": "Kesulitan mendengar: {v}",
    "berjalan_atau_naik_tangga": "Kesulitan berjalan/naik tangga: {v}",
    "menggunakan_tangan_jari": "Kesulitan menggunakan tangan/jari: {v}",
    "mengingat_berkonsentrasi": "Kesulitan mengingat/berkonsentrasi: {v}",
    "mengurus_diri": "Kesulitan mengurus diri: {v}",
    "berbicara_komunikasi": "Kesulitan berbicara/berkomunikasi: {v}",
    "belajar_kemampuan_intelektual": "Kesulitan belajar: {v}",
    "pengendalian_perilaku": "Kesulitan mengendalikan perilaku: {v}",
}
#: Short names of numeric fields and deciles (the schema's labels are long).
NAME_WORDS: dict[str, str] = {
    "desil_nasional": "Desil nasional",
    "desil_provinsi": "Desil provinsi",
    "desil_kabupaten_kota": "Desil kabupaten/kota",
    "luas_lantai": "Luas lantai (m²)",
    "jumlah_anggota_keluarga": "Jumlah anggota keluarga",
    "jumlah_penghuni_rumah": "Jumlah penghuni rumah",
    "tanggal_lahir": "Tanggal lahir",
}
#: Yes/no fields: how "yes" and "no" read.
FLAG_WORDS: dict[str, tuple[str, str]] = {
    "pbi_nas": ("Penerima PBI JKN nasional (APBN)", "Bukan penerima PBI JKN nasional (APBN)"),
    "pbi_pemda": ("Penerima PBI JKN daerah (APBD)", "Bukan penerima PBI JKN daerah (APBD)"),
    "kepemilikan_usaha": ("memiliki usaha", "tidak memiliki usaha"),
    "kepemilikan_aset": ("Memiliki aset", "Tidak memiliki aset"),
    "perkotaan": ("Tinggal di perkotaan", "Tinggal di perdesaan"),
}
#: Code labels that do not read well on their own.
VALUE_WORDS: dict[tuple[str, str], str] = {
    ("status_bekerja", "2"): "tidak bekerja selama seminggu yang lalu",
}
DECILES = frozenset({"desil_nasional", "desil_provinsi", "desil_kabupaten_kota"})
#: Derived family fields (computed by the engine, not in the DTSEN schema).
DERIVED: dict[str, tuple[str, str]] = {
    "perkotaan": ("boolean", "Desa/kelurahan perkotaan"),
    "jumlah_penghuni_rumah": ("integer", "Jumlah penghuni rumah"),
}
OP_WORDS = {
    "<": "kurang dari", "<=": "paling banyak", ">": "lebih dari", ">=": "paling sedikit",
    "=": "sama dengan", "!=": "bukan",
}  # fmt: skip
COUNT_WORDS = {
    ">=": "paling sedikit", ">": "lebih dari", "<=": "paling banyak", "<": "kurang dari",
    "=": "tepat",
}  # fmt: skip
FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "!=": "!="}
NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "=": "!=", "!=": "="}
ARITHMETIC = {"+": "ditambah", "-": "dikurangi", "*": "dikali", "/": "dibagi"}


def sentence(node: Node, *, member: bool = False) -> str:
    """A rule (or one of its conditions) as an Indonesian sentence an officer reads.

    ``desil_nasional <= 4`` -> "Desil nasional 1-4"; ``ada anggota(umur(tanggal_lahir) >=
    70)`` -> "Ada anggota berumur 70 tahun ke atas". Unknown parts stay as rule text.
    ``member``: the node is a programme's member rule (it describes one person).
    """
    return _capital(_Words(member=member).say(node))


def rule_text(node: Node) -> str:
    """A rule in its written form with Indonesian keywords (the sentences' fallback)."""
    if isinstance(node, Literal):
        if isinstance(node.value, bool):
            return "benar" if node.value else "salah"
        return repr(node.value) if isinstance(node.value, str) else _number(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, ListLit):
        return "[" + ", ".join(rule_text(i) for i in node.items) + "]"
    if isinstance(node, Unary):
        return (
            f"tidak {rule_text(node.operand)}"
            if node.op == "not"
            else f"-{rule_text(node.operand)}"
        )
    if isinstance(node, Binary):
        op = {"and": "dan", "or": "atau"}.get(node.op, node.op)
        return f"({rule_text(node.left)} {op} {rule_text(node.right)})"
    if isinstance(node, InList):
        word = "tidak dalam" if node.negated else "dalam"
        return f"{rule_text(node.operand)} {word} {rule_text(node.items)}"
    if isinstance(node, IsNull):
        return f"{rule_text(node.operand)} {'tidak ' if node.negated else ''}kosong"
    if isinstance(node, Call):
        return f"{node.func}({', '.join(rule_text(a) for a in node.args)})"
    if isinstance(node, MemberAgg):
        word = {"any": "ada anggota", "all": "semua anggota", "count": "jumlah anggota"}[node.kind]
        return f"{word}({rule_text(node.condition) if node.condition is not None else ''})"
    return "?"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower(text: str) -> str:
    """The first letter in lower case, unless the word is an acronym (SD, PBI, IPAL)."""
    if len(text) > 1 and not text[1].islower():  # SD, PBI, D1/D2/D3, S2
        return text
    return text[:1].lower() + text[1:]


def _number(value: object) -> str:
    """A number the Indonesian way: 10.000; 7,2."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or float(value).is_integer():
        return angka(int(value))
    return desimal(float(value), 6).rstrip("0").rstrip(",")


def _or_words(items: list[str]) -> str:
    """``a, b atau c`` (``a; b atau c`` when a label has a comma of its own)."""
    if len(items) <= 1:
        return "".join(items)
    comma = "; " if any("," in i for i in items) else ", "
    return comma.join(items[:-1]) + " atau " + items[-1]


def _is_age(node: Node) -> bool:
    return isinstance(node, Call) and node.func == "umur"


class _Words:
    """Sentences for one context: a family's fields, or a member's (inside an aggregate)."""

    def __init__(self, member: bool) -> None:
        self.member = member
        self.level: Level = "individu" if member else "keluarga"

    # -- fields --------------------------------------------------------------------------
    def field(self, name: str) -> Field | None:
        schema = register_schema()
        other: Level = "individu" if self.level == "keluarga" else "keluarga"
        for level in (self.level, other):
            try:
                return schema.field(level, name)
            except KeyError:
                continue
        return None

    def kind(self, name: str) -> str:
        if name in DERIVED:
            return DERIVED[name][0]
        f = self.field(name)
        return f.type if f is not None else "unknown"

    def name(self, name: str) -> str:
        """A field's short name: "Atap", "Desil nasional", "Luas lantai (m²)"."""
        if name in NAME_WORDS:
            return NAME_WORDS[name]
        if name in FIELD_WORDS and FIELD_WORDS[name][:1].isupper():
            return FIELD_WORDS[name].split(":")[0]
        if name in DERIVED:
            return DERIVED[name][1]
        f = self.field(name)
        return f.label_id if f is not None else name

    def value(self, name: str, value: object) -> str:
        """A code's label ("bambu"), or the value itself when the list does not have it."""
        code = normalize_code(str(value))
        if (name, code) in VALUE_WORDS:
            return VALUE_WORDS[name, code]
        f = self.field(name)
        codes = register_schema().codes_for(f) if f is not None else None
        label = codes.label(code) if codes is not None else None
        if label is None:
            return _number(value) if isinstance(value, int | float) else str(value)
        return _lower(label.removeprefix("Ya, "))

    def template(self, name: str, values: str) -> str:
        """``Atap: bambu`` (``dengan atap: bambu`` for a member), or a verb phrase."""
        form = FIELD_WORDS.get(name) or f"{self.name(name)}: {{v}}"
        text = form.format(v=values)
        if self.member and text[:1].isupper():
            return "dengan " + _lower(text)
        return text

    # -- nodes ---------------------------------------------------------------------------
    def say(self, node: Node) -> str:
        if isinstance(node, Binary) and node.op in ("and", "or"):
            return self.chain(node)
        if isinstance(node, Unary) and node.op == "not":
            return self.negation(node.operand)
        if isinstance(node, Binary) and node.op in OP_WORDS:
            return self.comparison(node.left, node.op, node.right)
        if isinstance(node, InList):
            return self.in_list(node)
        if isinstance(node, IsNull):
            return f"{self.term(node.operand)} {'terisi' if node.negated else 'kosong'}"
        if isinstance(node, Name) and self.kind(node.name) == "boolean":
            return self.flag(node.name, True)
        if isinstance(node, MemberAgg) and node.kind in ("any", "all"):
            word = "ada anggota" if node.kind == "any" else "semua anggota"
            if node.condition is None:
                return word
            return f"{word} {_lower(_Words(member=True).say(node.condition))}"
        if isinstance(node, Literal) and isinstance(node.value, bool):
            who = "anggota keluarga" if self.member else "keluarga"
            return f"semua {who}" if node.value else f"tidak satu pun {who}"
        return rule_text(node)

    def flag(self, name: str, yes: bool) -> str:
        if name in FLAG_WORDS:
            text = FLAG_WORDS[name][0 if yes else 1]
        else:
            text = f"{self.name(name)}: {'ya' if yes else 'tidak'}"
        return _lower(text) if self.member else text

    def chain(self, node: Binary) -> str:
        """``a dan b dan c`` (ranges merged: "berumur 7-18 tahun"); a nested mix in brackets."""
        parts = _flatten(node, node.op)
        texts: list[str] = []
        used: set[int] = set()
        for i, part in enumerate(parts):
            if i in used:
                continue
            j = _range_partner(parts, i, used) if node.op == "and" else None
            low, high = part, parts[j] if j is not None else None
            if j is not None and isinstance(low, Binary) and isinstance(high, Binary):
                used.add(j)
                texts.append(self.range(low, high))
                continue
            text = self.say(part) if not texts else _lower(self.say(part))
            nested = isinstance(part, Binary) and part.op in ("and", "or") and part.op != node.op
            texts.append(f"({text})" if nested else text)
        return f" {'dan' if node.op == 'and' else 'atau'} ".join(texts)

    def range(self, low: Binary, high: Binary) -> str:
        """Two bounds of one quantity: "berumur 7-18 tahun", "Desil nasional 1-4"."""
        lo, hi = _bound(low), _bound(high)
        if lo is None or hi is None:
            return f"{self.say(low)} dan {self.say(high)}"
        if _is_age(low.left):
            return f"berumur {_number(lo)}-{_number(hi)} tahun"
        return f"{self.term(low.left)} {_number(lo)}-{_number(hi)}"

    def negation(self, node: Node) -> str:
        """``tidak x``, pushed down to the conditions (three-valued logic keeps it exact)."""
        if isinstance(node, Name) and self.kind(node.name) == "boolean":
            return self.flag(node.name, False)
        if isinstance(node, Binary) and node.op in NEGATED:
            return self.comparison(node.left, NEGATED[node.op], node.right)
        if isinstance(node, Binary) and node.op in ("and", "or"):
            swapped = "or" if node.op == "and" else "and"
            return self.say(
                Binary(
                    node.line, node.col, swapped,
                    Unary(node.line, node.col, "not", node.left),
                    Unary(node.line, node.col, "not", node.right),
                )
            )  # fmt: skip
        if isinstance(node, InList):
            return self.in_list(
                InList(node.line, node.col, node.operand, node.items, not node.negated)
            )
        if isinstance(node, IsNull):
            return self.say(IsNull(node.line, node.col, node.operand, not node.negated))
        if isinstance(node, Unary) and node.op == "not":
            return self.say(node.operand)
        if isinstance(node, MemberAgg) and node.kind == "any" and node.condition is not None:
            return f"tidak ada anggota {_lower(_Words(member=True).say(node.condition))}"
        return f"tidak {rule_text(node)}"

    def comparison(self, left: Node, op: str, right: Node) -> str:
        if isinstance(left, Literal) and not isinstance(right, Literal):
            left, op, right = right, FLIPPED[op], left
        value = right.value if isinstance(right, Literal) else None
        if (
            isinstance(right, Literal)
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            if _is_age(left):
                return _age(op, value)
            if isinstance(left, Name) and left.name in DECILES:
                return f"{self.name(left.name)} {_deciles(op, value)}"
            if isinstance(left, MemberAgg) and left.kind == "count":
                return self.count(left, op, value)
            if isinstance(left, Call) and left.func == "jumlah_ya" and op in COUNT_WORDS:
                items = "; ".join(_lower(self.say(a)) for a in left.args)
                return f"{COUNT_WORDS[op]} {_number(value)} dari: {items}"
            if isinstance(left, Name) and self.kind(left.name) == "code" and op in ("=", "!="):
                return self.codes(left.name, [value], negated=op == "!=")
        if isinstance(left, Name) and self.kind(left.name) == "boolean" and isinstance(value, bool):
            return self.flag(left.name, value == (op == "="))
        if isinstance(left, Name) and self.kind(left.name) == "code" and isinstance(right, Literal):
            if op in ("=", "!="):
                return self.codes(left.name, [value], negated=op == "!=")
            return f"{self.name(left.name)} {OP_WORDS[op]} {self.value(left.name, value)}"
        return f"{self.term(left)} {OP_WORDS[op]} {self.term(right)}"

    def in_list(self, node: InList) -> str:
        values = [i.value for i in node.items.items]
        operand = node.operand
        if _is_age(operand):
            shown = _or_words([_number(v) for v in values])
            return f"{'tidak ' if node.negated else ''}berumur {shown} tahun"
        if isinstance(operand, Name) and operand.name in DECILES:
            shown = _or_words([_number(v) for v in values])
            return f"{self.name(operand.name)} {'selain ' if node.negated else ''}{shown}"
        if isinstance(operand, Name) and self.kind(operand.name) == "code":
            return self.codes(operand.name, values, negated=node.negated)
        shown = _or_words([_number(v) if not isinstance(v, str) else v for v in values])
        return f"{self.term(operand)} {'bukan ' if node.negated else ''}{shown}"

    def codes(self, name: str, values: Sequence[object], *, negated: bool) -> str:
        """``Atap: bambu atau lainnya``. Whichever of the list and its complement is shorter
        is named: "not these" as the few codes left, a long list as "selain" the few left
        out ("bersekolah paling tinggi di jenjang selain D1/D2/D3, ...")."""
        f = self.field(name)
        codes = register_schema().codes_for(f) if f is not None else None
        chosen = {normalize_code(str(v)) for v in values}
        known = codes is not None and chosen <= set(codes.by_code())
        rest = [c.code for c in codes.codes if c.code not in chosen] if codes else []
        plain = all((name, c) not in VALUE_WORDS for c in chosen)
        words = _or_words([self.value(name, v) for v in values])
        if negated:
            if known and plain and 0 < len(rest) <= 3:
                return self.template(name, _or_words([self.value(name, c) for c in rest]))
            return self.template(name, "selain " + words)
        if known and 0 < len(rest) <= 5 and len(values) >= 2 * len(rest):
            return self.template(name, "selain " + _or_words([self.value(name, c) for c in rest]))
        return self.template(name, words)

    def count(self, node: MemberAgg, op: str, value: float) -> str:
        """``jumlah anggota(...) >= 2``: "paling sedikit 2 anggota berumur ..."."""
        who = _lower(_Words(member=True).say(node.condition)) if node.condition else ""
        n = _number(value)
        if op in COUNT_WORDS:
            return f"{COUNT_WORDS[op]} {n} anggota {who}".rstrip()
        return f"jumlah anggota {who} bukan {n}".replace("  ", " ")

    def term(self, node: Node) -> str:
        """A value in a comparison: a field's name, a number, some arithmetic."""
        if isinstance(node, Name):
            return self.name(node.name) if not self.member else _lower(self.name(node.name))
        if isinstance(node, Literal):
            return rule_text(node)
        if _is_age(node):
            return "umur"
        if isinstance(node, Binary) and node.op in ARITHMETIC:
            return f"{self.term(node.left)} {ARITHMETIC[node.op]} {_lower(self.term(node.right))}"
        if isinstance(node, MemberAgg) and node.kind == "count":
            if node.condition is None:
                return "jumlah anggota"
            return f"jumlah anggota {_lower(_Words(member=True).say(node.condition))}"
        return rule_text(node)


def _flatten(node: Node, op: str) -> list[Node]:
    if isinstance(node, Binary) and node.op == op:
        return _flatten(node.left, op) + _flatten(node.right, op)
    return [node]


def _bound(node: Binary) -> float | None:
    """The number a comparison bounds its left side by (inclusive), else None."""
    if not isinstance(node.right, Literal) or isinstance(node.right.value, bool | str):
        return None
    value = node.right.value
    if not isinstance(value, int | float):
        return None
    shift = {">": 1, "<": -1}.get(node.op, 0)
    if shift and not float(value).is_integer():
        return None
    return value + shift


def _range_partner(parts: list[Node], i: int, used: set[int]) -> int | None:
    """The index of an upper bound for the lower bound ``parts[i]`` on the same quantity."""
    low = parts[i]
    if not (isinstance(low, Binary) and low.op in (">=", ">")):
        return None
    if not (_is_age(low.left) or (isinstance(low.left, Name) and low.left.name in DECILES)):
        return None
    for j in range(i + 1, len(parts)):
        high = parts[j]
        if (
            j not in used
            and isinstance(high, Binary)
            and high.op in ("<=", "<")
            and render(high.left) == render(low.left)
            and _bound(low) is not None
            and _bound(high) is not None
        ):
            return j
    return None


def _age(op: str, years: float) -> str:
    n = _number(years)
    return {
        ">=": f"berumur {n} tahun ke atas",
        ">": f"berumur lebih dari {n} tahun",
        "<=": f"berumur {n} tahun ke bawah",
        "<": f"berumur kurang dari {n} tahun",
        "=": f"berumur {n} tahun",
        "!=": f"tidak berumur {n} tahun",
    }[op]


def _deciles(op: str, value: float) -> str:
    """``<= 4`` -> "1-4"; ``> 5`` -> "6-10"; ``= 3`` -> "3"."""
    if not float(value).is_integer():
        return f"{OP_WORDS[op]} {_number(value)}"
    n = int(value)
    low, high = {
        "<=": (1, n), "<": (1, n - 1), ">=": (n, 10), ">": (n + 1, 10), "=": (n, n),
    }.get(op, (0, -1))  # fmt: skip
    if op == "!=":
        return f"selain {n}"
    if low > high:
        return f"{OP_WORDS[op]} {n}"
    return str(low) if low == high else f"{low}-{high}"
