"""The family card: what an officer checks before approving aid for one family.

:func:`family_card` finds a family by its KK, or by a member's NIK, in a snapshot (the
year's agreed reference unless another is named), and gives its members, desil and
deprivations, every programme planned for it or received by it in the fiscal year (with
the agency and the source: which adoption, which linked list and row), and the programmes
it is eligible for but does not receive. It is personal data: every card shown is
recorded in the audit log (``family.card``), with who asked.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from padu.audit import FAMILY_CARD
from padu.convergence.assess import assess, with_dwelling
from padu.convergence.prepared import placeholder, run_prepared
from padu.convergence.sources import (
    NOT_FOUND,
    PENDING,
    RECIPIENT,
    Source,
    recipient_rows,
    year_sources,
)
from padu.errors import InputError, NotFound
from padu.fmt import waktu_wita
from padu.identifiers import mask_identifiers, mask_nik
from padu.measure.measures import get_measure
from padu.programmes.store import current_workshop
from padu.programmes.targeting import valid_nik
from padu.register.snapshots import snapshot_table
from padu.schema import register_schema
from padu.stores import Catalog, Warehouse

KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"
MEMBER = ("nama", "jenis_kelamin", "tanggal_lahir", "status_hubungan_keluarga")
STATUS_WORDS = {RECIPIENT: "penerima", NOT_FOUND: "tidak ditemukan", PENDING: "menunggu tinjauan"}


def _snapshot(catalog: Catalog, snapshot: str | int | None, year: int) -> Any:
    if snapshot is not None:
        return catalog.snapshot(snapshot)
    ref = catalog.reference(year)
    return catalog.snapshot(ref.snapshot_id if ref is not None else "latest")


def _label(field: str, code: object) -> str | None:
    if code is None:
        return None
    schema = register_schema()
    codes = schema.codes_for(schema.field("individu", field))
    return (codes.label(str(code)) if codes else None) or str(code)


def family_card(
    wh: Warehouse,
    catalog: Catalog,
    key: str,
    year: int,
    *,
    snapshot: str | int | None = None,
    measure: str = "padu-7",
    actor: str,
) -> dict[str, Any]:
    """The card of the family whose KK, or a member's NIK, is ``key`` (audited)."""
    digits = re.sub(r"[\s.\-]", "", key)
    if not re.fullmatch(r"\d{16}", digits):
        # a message carries no NIK or KK in clear, even a mistyped one
        if digits.isdigit():
            shown = mask_nik(digits) if len(digits) > 10 else digits
            raise InputError(f"{shown}: No. KK atau NIK harus 16 angka, bukan {len(digits)}")
        raise InputError(f"{mask_identifiers(key.strip()[:40])!r}: No. KK atau NIK harus 16 angka")
    snap = _snapshot(catalog, snapshot, year)
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    found = _family_row(wh, snap, kel, digits)
    via = "kk"
    if not found:
        kks = _holders(wh, snap, ind, digits)
        if not kks:
            raise NotFound(
                f"{mask_nik(digits)} bukan No. KK maupun NIK di snapshot {snap.id} ({snap.label})"
            )
        if len(kks) > 1:  # a broken NIK two families share: the officer must say which
            raise InputError(
                f"NIK {mask_nik(digits)} dipakai {len(kks)} keluarga di snapshot {snap.id} "
                f"(No. KK {', '.join(mask_nik(k) for k in kks)}); sebutkan No. KK-nya"
            )
        found = _family_row(wh, snap, kel, kks[0])
        via = "nik"
    fam = found[0]
    kk = str(fam[KK])
    members = _members(wh, snap, ind, kk)
    chosen = get_measure(measure, catalog)
    workshop, _ = current_workshop(catalog)
    progs = {p.code: p for p in workshop.programmes}
    # a valid NIK is one person wherever a row puts them; a broken one only with this KK
    niks = [str(m[NIK]) for m in members if m[NIK] and m["_valid"]]
    receipts = _receipts(wh, catalog, year, kk, niks, progs, members)
    asked = {c for c, p in progs.items() if p.fiscal_year == year}
    asked |= {r["programme"] for r in receipts if r["programme"] in progs}
    # every rule on this family's rows only, never the whole snapshot (see assess.py)
    found_out = assess(wh, snap, kel, ind, fam, chosen, [progs[c] for c in sorted(asked)])
    eligible, flags = found_out.eligible, found_out.flags
    listed = {r["programme"] for r in receipts}
    received = {r["programme"] for r in receipts if r["basis"] == "realised"}
    ref = catalog.reference(year)
    card: dict[str, Any] = {
        "year": year,
        "found_by": via,
        "snapshot": {
            "id": snap.id,
            "label": snap.label,
            "tanggal": snap.tanggal.isoformat(),
            "reference": ref is not None and ref.snapshot_id == snap.id,
        },
        "family": {
            "kk": kk,
            "kepala": fam.get("nama_anggota_keluarga"),
            "alamat": fam.get("alamat"),
            "desa": fam.get("kelurahan_desa"),
            "kecamatan": fam.get("kecamatan"),
            "kabupaten": fam.get("kabupaten_kota"),
            "kode_desa": fam.get("kode_kelurahan_desa"),
            "desil": fam.get("desil_nasional"),
            "poor": found_out.poor,
        },
        "members": [
            {
                "nik": m[NIK],
                "nama": m["nama"],
                "jenis_kelamin": _label("jenis_kelamin", m["jenis_kelamin"]),
                "tanggal_lahir": m["tanggal_lahir"].isoformat() if m["tanggal_lahir"] else None,
                "hubungan": _label("status_hubungan_keluarga", m["status_hubungan_keluarga"]),
            }
            for m in members
        ],
        "measure": chosen.id,
        "deprivations": [
            {
                "indicator": i.id,
                "dimension": i.dimension,
                "label": i.label_id,
                "deprived": None if flags[i.id] is None else bool(flags[i.id]),
            }
            for i in chosen.indicators
        ],
        "programmes": receipts,
        # eligible, yet neither planned nor received this year
        "eligible_not_received": sorted(
            c for c in eligible if c not in listed and progs[c].fiscal_year == year
        ),
        # received (realised) without meeting the programme's rule on this snapshot
        "received_not_eligible": sorted(c for c in received if c in progs and c not in eligible),
    }
    detail = {"kk": kk, "year": year, "snapshot": snap.id, "key": via}
    if via == "nik":
        detail["nik"] = digits  # which member's NIK was typed
    catalog.record(FAMILY_CARD, detail, actor)
    return card


def _receipts(
    wh: Warehouse,
    catalog: Catalog,
    year: int,
    kk: str,
    niks: list[str],
    progs: dict[str, Any],
    members: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Every source row of the year tied to this family or one of its members."""
    sources = [s for s in year_sources(catalog, year, "both") if s.counted]
    if not sources:
        return []
    by_key = {s.key: s for s in sources}
    rows = recipient_rows(wh, catalog, sources)
    mine = rows.filter((rows.kk == kk) | rows.nik.isin(niks or ["-"]))
    names = {str(m[NIK]): m["nama"] for m in members}
    out = []
    for r in mine.order_by(["programme", "basis", "src", "row"]).to_pyarrow().to_pylist():
        s: Source = by_key[r["src"]]
        p = progs.get(r["programme"])
        out.append(
            {
                "programme": r["programme"],
                "name": p.name if p else None,
                "agency": p.agency if p else None,
                "dimensions": list(p.dimensions) if p else [],
                "basis": r["basis"],
                "status": STATUS_WORDS.get(r["status"], r["status"]),
                "member": names.get(str(r["nik"])) if r["nik"] else None,
                "nik": r["nik"],
                "source": _source_words(s, int(r["row"])),
                "source_id": s.id,
                "source_kind": s.kind,
                "off_reference": s.off_reference,
            }
        )
    return out


def _source_words(s: Source, row: int) -> str:
    when = s.dibuat if s.dibuat.tzinfo else s.dibuat.replace(tzinfo=dt.UTC)
    if s.kind == "adoption":
        return f"adopsi #{s.id} (peringkat {row}) oleh {s.pelaku}, {waktu_wita(when)}"
    return f"daftar {s.file} (ledger #{s.id}, baris data {row}) oleh {s.pelaku}, {waktu_wita(when)}"


# The card's lookups are compiled once per snapshot and run for each family asked about
# (padu.convergence.prepared): compiling them took longer than running them.
def _family_row(wh: Warehouse, snap: Any, kel: Any, kk: str) -> list[dict[str, Any]]:
    """The family row(s) of ``kk`` with its dwelling key."""

    def build() -> Any:
        return with_dwelling(kel.filter(kel[KK] == placeholder("kk")))

    return run_prepared(wh, ("kartu.keluarga", snap.batch), build, {"kk": kk})


def _holders(wh: Warehouse, snap: Any, ind: Any, nik: str) -> list[str]:
    """The KKs of the families with a member whose NIK is ``nik``, sorted."""

    def build() -> Any:
        return ind.filter(ind[NIK] == placeholder("nik")).select(KK).distinct()

    rows = run_prepared(wh, ("kartu.nik", snap.batch), build, {"nik": nik})
    return sorted(str(r[KK]) for r in rows)


def _members(wh: Warehouse, snap: Any, ind: Any, kk: str) -> list[dict[str, Any]]:
    """The members of family ``kk``: NIK, :data:`MEMBER` and ``_valid`` (a valid NIK)."""

    def build() -> Any:
        mine = ind.filter(ind[KK] == placeholder("kk"))
        chosen = mine.select(NIK, *MEMBER, _valid=valid_nik(mine))
        return chosen.order_by(["status_hubungan_keluarga", "tanggal_lahir"])

    return run_prepared(wh, ("kartu.daftar_anggota", snap.batch), build, {"kk": kk})
