"""The DTSEN register schema and its code lists, shipped as data in ``padu/data/dtsen``.

Field names are DTSEN's own, so a real extract loads without mapping. Code lists are data,
never enums in code: each code keeps its Indonesian and English label and a ``provisional``
flag, and an unknown code in an extract is reported, never crashed on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

Level = Literal["keluarga", "individu"]
FieldType = Literal["string", "integer", "decimal", "date", "boolean", "code"]

LEVELS: tuple[Level, ...] = ("keluarga", "individu")

#: Fields every record should carry whatever the skip rules say: a blank one is a quality
#: finding (``kolom_kosong``). Other blanks are only counted in the completeness table.
EXPECTED_FIELDS: dict[Level, tuple[str, ...]] = {
    "keluarga": (
        "jenis_lantai_terluas",
        "jenis_dinding_terluas",
        "jenis_atap_terluas",
        "fasilitas_bab",
        "sumber_air_minum_utama",
        "sumber_penerangan_utama",
        "bahan_bakar_utama_memasak",
        "status_kepemilikan_rumah",
        "desil_nasional",
    ),
    "individu": (
        "nama",
        "jenis_kelamin",
        "tanggal_lahir",
        "status_hubungan_keluarga",
        "status_kawin",
    ),
}

TRUE_WORDS = frozenset({"1", "ya", "y", "true", "t", "yes"})
FALSE_WORDS = frozenset({"2", "tidak", "false", "f", "no", "0", "n"})


@dataclass(frozen=True)
class Code:
    """One entry of a code list."""

    code: str
    label_id: str
    label_en: str
    provisional: bool


@dataclass(frozen=True)
class CodeList:
    """A named list of codes, such as ``sumber_air_minum_utama``."""

    name: str
    codes: tuple[Code, ...]

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and normalize_code(code) in self.by_code()

    def by_code(self) -> dict[str, Code]:
        return {c.code: c for c in self.codes}

    def label(self, code: str, lang: Literal["id", "en"] = "id") -> str | None:
        found = self.by_code().get(normalize_code(code))
        if found is None:
            return None
        return found.label_id if lang == "id" else found.label_en


@dataclass(frozen=True)
class Field:
    """One DTSEN field at family or member level."""

    level: Level
    name: str
    type: FieldType
    code_list: str | None
    required: bool
    label_id: str
    label_en: str

    @property
    def ibis_type(self) -> str:
        """The type the warehouse stores this field as (codes stay strings)."""
        return {
            "string": "string",
            "code": "string",
            "integer": "int64",
            "decimal": "float64",
            "date": "date",
            "boolean": "boolean",
        }[self.type]


def normalize_code(value: str) -> str:
    """Compare numeric codes without zero padding: ``"01"`` and ``"1"`` are one code."""
    text = value.strip()
    if text.isdigit():
        return str(int(text))
    if text.endswith(".0") and text[:-2].isdigit():
        return str(int(text[:-2]))
    return text


def _data_file(*parts: str) -> resources.abc.Traversable:
    return resources.files("padu").joinpath("data", *parts)


@dataclass(frozen=True)
class RegisterSchema:
    """All 101 DTSEN fields and the 28 code lists they use."""

    fields: tuple[Field, ...]
    code_lists: dict[str, CodeList]

    def level(self, level: Level) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.level == level)

    def field(self, level: Level, name: str) -> Field:
        for f in self.fields:
            if f.level == level and f.name == name:
                return f
        raise KeyError(f"{level}.{name}")

    def names(self, level: Level) -> tuple[str, ...]:
        return tuple(f.name for f in self.level(level))

    def required(self, level: Level) -> tuple[str, ...]:
        return tuple(f.name for f in self.level(level) if f.required)

    def using_list(self, level: Level, code_list: str) -> tuple[str, ...]:
        """Names of the fields of ``level`` coded with ``code_list`` (e.g. the difficulty items)."""
        return tuple(f.name for f in self.level(level) if f.code_list == f"{code_list}.csv")

    def codes_for(self, f: Field) -> CodeList | None:
        return self.code_lists.get(f.code_list.removesuffix(".csv")) if f.code_list else None

    def code_rows(self) -> Iterator[dict[str, object]]:
        """Every code of every list, flat, for the warehouse ``kode`` table."""
        for name, cl in sorted(self.code_lists.items()):
            for c in cl.codes:
                yield {
                    "daftar": name,
                    "kode": c.code,
                    "label_id": c.label_id,
                    "label_en": c.label_en,
                    "provisional": c.provisional,
                }


@cache
def register_schema() -> RegisterSchema:
    """Load the shipped schema and code lists (cached: they never change at run time)."""
    with _data_file("dtsen", "schema.csv").open(encoding="utf-8") as fh:
        fields = tuple(
            Field(
                level=row["level"],  # type: ignore[arg-type]
                name=row["field"],
                type=row["type"],  # type: ignore[arg-type]
                code_list=row["code_list"] or None,
                required=row["required"] == "yes",
                label_id=row["label_id"],
                label_en=row["label_en"],
            )
            for row in csv.DictReader(fh)
        )
    lists: dict[str, CodeList] = {}
    for entry in _data_file("dtsen", "codes").iterdir():
        if not entry.name.endswith(".csv"):
            continue
        with entry.open(encoding="utf-8") as fh:
            codes = tuple(
                Code(
                    code=normalize_code(r["code"]),
                    label_id=r["label_id"],
                    label_en=r["label_en"],
                    provisional=r["provisional"].strip().lower() == "yes",
                )
                for r in csv.DictReader(fh)
            )
        name = entry.name.removesuffix(".csv")
        lists[name] = CodeList(name=name, codes=codes)
    return RegisterSchema(fields=fields, code_lists=lists)
