"""Derived family fields: usable in any rule like a register field, computed by the engine.

They are never stored in the register files. Each reads register fields (reported by
:func:`padu.rules.fields_used` as those fields) and is added as a column of the family
table when a rule names it:

- ``perkotaan`` (benar/salah): the family's desa/kelurahan is urban, from the shipped
  region data (:func:`padu.regions.kaltara`, column ``perkotaan``). Unknown (NULL) for a
  blank or unknown desa code.
- ``jumlah_penghuni_rumah`` (angka): the members of every KK sharing the family's
  dwelling. A dwelling is identified by ``id_pelanggan_pln`` when it is filled and the
  family's own lighting is metered PLN electricity (``sumber_penerangan_utama`` 1: a
  family lit from a neighbour's line may carry the neighbour's ID); otherwise the family is
  a dwelling of its own, so KKs sharing an unmetered house are not seen together. Members
  are the member rows of each KK.

The dwelling count needs every family of the snapshot, also when a caller evaluates one
family only: such a caller passes the unfiltered tables as ``population`` to
:func:`padu.rules.compiler.evaluate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ibis

from padu.rules.ast import Name, Node

KK = "nomor_kartu_keluarga"
DESA = "kode_kelurahan_desa"
PLN = "id_pelanggan_pln"
LIGHT = "sumber_penerangan_utama"
METERED_PLN = "1"


@dataclass(frozen=True)
class DerivedField:
    """A family field computed by the engine: its rule type, labels and what it reads."""

    name: str
    type: str  # the checker's type word: "bool" or "num"
    label_id: str
    label_en: str
    reads: tuple[str, ...]  # family fields of the register it is computed from


DERIVED: dict[str, DerivedField] = {
    "perkotaan": DerivedField(
        "perkotaan",
        "bool",
        "Desa/kelurahan tempat tinggal berstatus perkotaan (data wilayah Padu)",
        "The family's desa/kelurahan is urban (Padu region data)",
        (DESA,),
    ),
    "jumlah_penghuni_rumah": DerivedField(
        "jumlah_penghuni_rumah",
        "num",
        "Jumlah penghuni rumah: anggota semua KK yang tinggal di rumah yang sama "
        "(ID pelanggan PLN yang sama)",
        "Members of every KK sharing the family's dwelling (same PLN customer ID)",
        (PLN, LIGHT),
    ),
}


def derived_names(node: Node) -> set[str]:
    """The derived fields a rule names (anywhere in its tree)."""
    found: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Name) and n.name in DERIVED:
            found.add(n.name)
        for child in vars(n).values():
            if isinstance(child, Node):
                stack.append(child)
            elif isinstance(child, tuple):
                stack.extend(c for c in child if isinstance(c, Node))
    return found


def _urban_codes() -> tuple[list[str], list[str]]:
    """Undotted codes of the urban desa/kelurahan and of every known desa/kelurahan."""
    from padu.regions import kaltara

    desa = kaltara().at_level("desa_kelurahan")
    return [r.digits for r in desa if r.perkotaan], [r.digits for r in desa]


def perkotaan(keluarga: Any) -> Any:
    """Whether each family's desa/kelurahan is urban; NULL for a blank or unknown code."""
    urban, known = _urban_codes()
    code = keluarga[DESA].cast("string").strip().replace(".", "")
    return ibis.cases(
        (code.isin(urban), True),
        (code.isin(known), False),
        else_=ibis.null().cast("boolean"),
    )


def dwelling_key(keluarga: Any) -> Any:
    """The dwelling a family lives in: its PLN customer ID when its lighting is metered PLN
    electricity, otherwise its own KK."""
    pln = keluarga[PLN].cast("string").strip()
    light = keluarga[LIGHT].cast("string").strip()
    metered = pln.notnull() & (pln != "") & light.notnull() & (light == METERED_PLN)
    return ibis.ifelse(metered, "pln:" + pln, "kk:" + keluarga[KK])


def with_derived(keluarga: Any, names: set[str], population: tuple[Any, Any]) -> Any:
    """``keluarga`` with a column for each derived field in ``names``.

    ``population``: the (family, member) tables dwellings are counted in, every family of
    the snapshot even when ``keluarga`` is one family. A field ``keluarga`` already has as
    a column (computed once per snapshot and joined, as the targeting runs do) is kept.
    """
    names = names - set(keluarga.columns)
    table = keluarga
    if "perkotaan" in names:
        table = table.mutate(perkotaan=perkotaan(table))
    if "jumlah_penghuni_rumah" in names:
        kel, ind = population
        members = ind.group_by(_kk_m=ind[KK]).aggregate(_m=ind.count())
        fams = kel.select(_kk_f=kel[KK], _rumah=dwelling_key(kel))
        fams = fams.left_join(members, fams._kk_f == members._kk_m)
        per_home = fams.group_by("_rumah").aggregate(
            _penghuni=fams._m.fill_null(0).cast("int64").sum()
        )
        keyed = table.mutate(_rumah_kk=dwelling_key(table))
        joined = keyed.left_join(per_home, keyed._rumah_kk == per_home._rumah)
        table = joined.select(
            *[joined[c] for c in table.columns],
            jumlah_penghuni_rumah=joined._penghuni.fill_null(0).cast("int64"),
        )
    return table
