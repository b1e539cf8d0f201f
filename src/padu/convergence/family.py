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
from padu.convergence.base import family_table
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
from padu.measure.snapshot import deprivation_table
from padu.programmes.store import current_workshop
from padu.programmes.targeting import eligible_units, valid_nik
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
    found = kel.filter(kel[KK] == digits).to_pyarrow().to_pylist()
    via = "kk"
    if not found:
        holders = ind.filter(ind[NIK] == digits).select(KK).distinct().to_pyarrow()
        kks = sorted(str(k) for k in holders.column(KK).to_pylist())
        if not kks:
            raise NotFound(
                f"{mask_nik(digits)} bukan No. KK maupun NIK di snapshot {snap.id} ({snap.label})"
            )
        if len(kks) > 1:  # a broken NIK two families share: the officer must say which
            raise InputError(
                f"NIK {mask_nik(digits)} dipakai {len(kks)} keluarga di snapshot {snap.id} "
                f"(No. KK {', '.join(mask_nik(k) for k in kks)}); sebutkan No. KK-nya"
            )
        found = kel.filter(kel[KK] == kks[0]).to_pyarrow().to_pylist()
        via = "nik"
    fam = found[0]
    kk = str(fam[KK])
    members = (
        ind.filter(ind[KK] == kk)
        .select(NIK, *MEMBER, _valid=valid_nik(ind))
        .order_by(["status_hubungan_keluarga", "tanggal_lahir"])
        .to_pyarrow()
        .to_pylist()
    )
    chosen = get_measure(measure, catalog)
    dep = deprivation_table(wh, catalog, snap.id, chosen)
    mine = dep.filter(dep[KK] == kk).select(*(i.id for i in chosen.indicators))
    flags = mine.to_pyarrow().to_pylist()
    table, _ = family_table(wh, catalog, snap.id, chosen)
    summary = table.filter(table.kk == kk).select("desil", "poor").to_pyarrow().to_pylist()
    workshop, _ = current_workshop(catalog)
    progs = {p.code: p for p in workshop.programmes}
    # a valid NIK is one person wherever a row puts them; a broken one only with this KK
    niks = [str(m[NIK]) for m in members if m[NIK] and m["_valid"]]
    receipts = _receipts(wh, catalog, year, kk, niks, progs, members)
    asked = {c for c, p in progs.items() if p.fiscal_year == year}
    asked |= {r["programme"] for r in receipts if r["programme"] in progs}
    eligible = _eligible(wh, catalog, snap.id, kk, {c: progs[c] for c in sorted(asked)})
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
            "poor": bool(summary and summary[0]["poor"]),
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
                "deprived": None if not flags or flags[0][i.id] is None else bool(flags[0][i.id]),
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


def _eligible(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: int,
    kk: str,
    progs: dict[str, Any],
) -> set[str]:
    """The programmes of ``progs`` this family (or one of its members) is eligible for."""
    out: set[str] = set()
    for code, p in progs.items():
        units, _ = eligible_units(wh, catalog, p, snapshot, family=kk)
        hit = units.filter(units[KK] == kk).count().to_pyarrow().as_py()
        if hit:
            out.add(code)
    return out
