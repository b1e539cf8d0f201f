"""Finding a family, within the officer's scope: by NIK or KK, or a desa's list, and the card.

Every function takes the user's :class:`padu.access.Scope` and the ``actor``, and records
its own audit event: a search (``family.search``, found or not), a desa list
(``family.list``), a card (``family.card``, by :func:`padu.convergence.family.family_card`)
and a reveal of the full numbers (``family.reveal``, with the officer's reason).

Scope: admin and operator see every family; an opd only families in its own agency's
programmes' lists of the year; a family outside the scope is answered exactly as one that
does not exist (same error, same message), so an officer cannot learn that it exists.
A viewer sees no person at all.

NIK and KK are masked on every card (``6501••••••••0123``) unless the officer reveals that
one card with a reason. A card carries the full KK only so the web layer can seal it into
an opaque reference (:class:`FamilyRefs`): a URL or a page never holds a KK in clear.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
import time
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel

from padu.access import KK, NIK, Scope, basis_snapshot, visible_families
from padu.convergence.base import family_table
from padu.convergence.family import family_card
from padu.errors import InputError, NotFound
from padu.fmt import WITA
from padu.identifiers import kk_problem_of, mask_nik, nik_problem_of
from padu.measure.measures import get_measure
from padu.regions import kaltara
from padu.register.snapshots import snapshot_table
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow
from padu.stores.warehouse import python_scans

FAMILY_SEARCH = "family.search"
FAMILY_LIST = "family.list"
FAMILY_REVEAL = "family.reveal"
MIN_REASON = 10
MAX_REASON = 500
PER_PAGE = 50
MEASURE = "padu-7"
By = Literal["kk", "nik"]
BASIS_WORDS = {"planned": "direncanakan", "realised": "direalisasikan"}


# -- results ---------------------------------------------------------------------------------
class Member(BaseModel):
    nik_shown: str  # masked unless revealed
    nama: str | None
    hubungan: str | None
    jenis_kelamin: str | None
    umur: int | None
    tanggal_lahir: dt.date | None


class Deprivation(BaseModel):
    indicator: str
    dimension: str
    label: str
    weight: float
    deprived: bool | None  # None: not assessable (data missing)


class Enrolment(BaseModel):
    programme: str
    name: str | None
    agency: str | None
    basis: str  # planned | realised
    basis_words: str
    status: str
    member: str | None  # a member's name, or None for the whole family
    source: str


class FamilyCard(BaseModel):
    """One family as an officer sees it (identifiers masked unless ``revealed``)."""

    kk: str  # in full: for sealing a reference only, never shown
    kk_shown: str
    revealed: bool
    reason: str | None
    kepala: str | None
    alamat: str | None
    desa: str | None
    kecamatan: str | None
    kabupaten: str | None
    kode_desa: str | None
    desil: str | None
    poor: bool
    score: float
    cutoff: float
    measure: str
    year: int
    snapshot_id: int
    snapshot_label: str
    snapshot_date: dt.date
    reference: bool
    members: list[Member]
    deprivations: list[Deprivation]
    programmes: list[Enrolment]
    eligible_not_received: list[str]
    received_not_eligible: list[str]


class FamilyRow(BaseModel):
    kk: str  # in full: for sealing a reference only, never shown
    kk_shown: str
    kepala: str | None
    desil: str | None
    members: int
    poor: bool


class DesaPage(BaseModel):
    kode: str
    nama: str
    kecamatan: str | None
    kabupaten: str | None
    rows: list[FamilyRow]
    total: int
    page: int
    pages: int
    per_page: int
    year: int
    snapshot_id: int


# -- inputs ----------------------------------------------------------------------------------
def check_key(text: str, by: str) -> str:
    """The 16 digits of a NIK or KK as typed (spaces, dots, dashes ignored), checked with
    :mod:`padu.identifiers`; InputError with the reason (the value masked) otherwise."""
    if by not in ("kk", "nik"):
        raise InputError(f"cari menurut 'kk' atau 'nik', bukan {by[:20]!r}")
    digits = re.sub(r"[\s.\-]", "", text or "")
    name = "No. KK" if by == "kk" else "NIK"
    if not digits:
        raise InputError(f"{name} kosong: ketik 16 angka")
    if not digits.isdigit():
        raise InputError(f"{name} hanya boleh berisi angka (16 angka)")
    if len(digits) != 16:
        raise InputError(f"{name} harus 16 angka, bukan {len(digits)}")
    problem = kk_problem_of(digits) if by == "kk" else nik_problem_of(digits)
    if problem:
        raise InputError(f"{name} {mask_nik(digits)} tidak valid: {problem}")
    return digits


def check_reason(reason: str) -> str:
    """The reason for a reveal, trimmed: required, :data:`MIN_REASON` to :data:`MAX_REASON`
    characters."""
    text = " ".join((reason or "").split())
    if len(text) < MIN_REASON:
        raise InputError(
            f"alasan wajib diisi, paling sedikit {MIN_REASON} karakter (sekarang {len(text)})"
        )
    if len(text) > MAX_REASON:
        raise InputError(f"alasan terlalu panjang: paling banyak {MAX_REASON} karakter")
    return text


def _not_found(by: str, digits: str) -> NotFound:
    """The one answer for a family that does not exist or is outside the scope."""
    name = "No. KK" if by == "kk" else "NIK"
    return NotFound(f"Keluarga dengan {name} {mask_nik(digits)} tidak ditemukan")


def _refuse_viewer(scope: Scope) -> None:
    if not scope.persons:
        raise NotFound("Keluarga tidak ditemukan")  # routes refuse a viewer (403) before


def _in_scope(
    wh: Warehouse, catalog: Catalog, scope: Scope, snap: SnapshotRow, kks: list[str]
) -> list[str]:
    visible = visible_families(wh, catalog, scope, snap.id)
    if visible is None or not kks:
        return kks
    hits = visible.filter(visible.kk.isin(kks)).to_pyarrow().column("kk").to_pylist()
    return sorted(str(k) for k in hits)


# -- search, card, reveal --------------------------------------------------------------------
@python_scans
def search_family(
    wh: Warehouse, catalog: Catalog, key: str, by: str, scope: Scope, *, actor: str
) -> FamilyCard:
    """The card of the family whose KK (or a member's NIK) is ``key``, within ``scope``;
    every search is recorded (``family.search``, found or not; the card as ``family.card``)."""
    _refuse_viewer(scope)
    digits = check_key(key, by)
    snap = basis_snapshot(catalog, scope.year)
    if by == "kk":
        kel = snapshot_table(wh, catalog, snap.id, "keluarga")
        found = kel.filter(kel[KK] == digits).select(KK).distinct()
    else:
        ind = snapshot_table(wh, catalog, snap.id, "individu")
        found = ind.filter(ind[NIK] == digits).select(KK).distinct()
    kks = sorted(str(k) for k in found.to_pyarrow().column(KK).to_pylist())
    mine = _in_scope(wh, catalog, scope, snap, kks)
    detail: dict[str, object] = {
        "by": by, by: digits, "found": bool(mine), "scope": scope.describe(),
        "year": scope.year, "snapshot": snap.id,
    }  # fmt: skip
    catalog.record(FAMILY_SEARCH, detail, actor)
    if not mine:
        raise _not_found(by, digits)
    if len(mine) > 1:  # a broken NIK two families share: the officer must say which
        raise InputError(
            f"NIK {mask_nik(digits)} dipakai {len(mine)} keluarga "
            f"(No. KK {', '.join(mask_nik(k) for k in mine)}); cari dengan No. KK-nya"
        )
    return _card(wh, catalog, mine[0], scope, snap, actor=actor)


@python_scans
def family_by_kk(
    wh: Warehouse, catalog: Catalog, kk: str, scope: Scope, *, actor: str
) -> FamilyCard:
    """The (masked) card of the family ``kk`` (from a sealed reference), within ``scope``."""
    _refuse_viewer(scope)
    snap = basis_snapshot(catalog, scope.year)
    if not _in_scope(wh, catalog, scope, snap, [kk]) or not _exists(wh, catalog, snap, kk):
        raise _not_found("kk", kk)
    return _card(wh, catalog, kk, scope, snap, actor=actor)


@python_scans
def reveal_family(
    wh: Warehouse, catalog: Catalog, kk: str, reason: str, scope: Scope, *, actor: str
) -> FamilyCard:
    """The card of ``kk`` with its NIK and KK in full, for this one request; recorded as
    ``family.reveal`` (who, which family, when, why) before anything is shown."""
    _refuse_viewer(scope)
    why = check_reason(reason)
    snap = basis_snapshot(catalog, scope.year)
    if not _in_scope(wh, catalog, scope, snap, [kk]) or not _exists(wh, catalog, snap, kk):
        raise _not_found("kk", kk)
    detail = {"kk": kk, "reason": why, "scope": scope.describe(), "year": scope.year,
              "snapshot": snap.id}  # fmt: skip
    catalog.record(FAMILY_REVEAL, detail, actor)
    return _card(wh, catalog, kk, scope, snap, actor=actor, reason=why)


def _exists(wh: Warehouse, catalog: Catalog, snap: SnapshotRow, kk: str) -> bool:
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    return bool(kel.filter(kel[KK] == kk).count().to_pyarrow().as_py())


def _age(born: dt.date | None, today: dt.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


#: what an opd officer reads as the source of another agency's entry: that the family is
#: in that programme is shared (coordination is the point: overlaps, complements), how
#: the other agency chose it (its list, the rank, who adopted it) is not
OTHER_AGENCY_SOURCE = "daftar instansi lain (rinciannya hanya untuk instansi itu)"


def _own(scope: Scope, agency: str | None) -> bool:
    """Whether an entry of ``agency`` is this scope's own (every entry for admin/operator)."""
    return scope.all_families or (agency is not None and agency == scope.agency)


def _card(
    wh: Warehouse,
    catalog: Catalog,
    kk: str,
    scope: Scope,
    snap: SnapshotRow,
    *,
    actor: str,
    reason: str | None = None,
) -> FamilyCard:
    raw = family_card(wh, catalog, kk, scope.year, snapshot=snap.id, measure=MEASURE,
                      actor=actor)  # fmt: skip
    measure = get_measure(raw["measure"], catalog)
    weights = {i.id: i.weight for i in measure.indicators}
    score = sum((weights[d["indicator"]] for d in raw["deprivations"] if d["deprived"]),
                Fraction(0))  # fmt: skip
    shown = (lambda v: str(v)) if reason else mask_nik
    today = dt.datetime.now(WITA).date()
    members = []
    for m in raw["members"]:
        born = dt.date.fromisoformat(m["tanggal_lahir"]) if m["tanggal_lahir"] else None
        members.append(
            Member(
                nik_shown=shown(m["nik"]) if m["nik"] else "-", nama=m["nama"],
                hubungan=m["hubungan"], jenis_kelamin=m["jenis_kelamin"],
                umur=_age(born, today), tanggal_lahir=born,
            )
        )  # fmt: skip
    f = raw["family"]
    s = raw["snapshot"]
    return FamilyCard(
        kk=kk, kk_shown=shown(kk), revealed=reason is not None, reason=reason,
        kepala=f["kepala"], alamat=f["alamat"], desa=f["desa"], kecamatan=f["kecamatan"],
        kabupaten=f["kabupaten"], kode_desa=f["kode_desa"],
        desil=None if f["desil"] in (None, "") else str(f["desil"]), poor=f["poor"],
        score=float(score), cutoff=float(measure.k), measure=measure.label_id,
        year=raw["year"], snapshot_id=s["id"], snapshot_label=s["label"],
        snapshot_date=dt.date.fromisoformat(s["tanggal"]), reference=s["reference"],
        members=members,
        deprivations=[
            Deprivation(indicator=d["indicator"], dimension=d["dimension"], label=d["label"],
                        weight=float(weights[d["indicator"]]), deprived=d["deprived"])
            for d in raw["deprivations"]
        ],
        programmes=[
            Enrolment(
                programme=r["programme"], name=r["name"], agency=r["agency"], basis=r["basis"],
                basis_words=BASIS_WORDS.get(r["basis"], r["basis"]), status=r["status"],
                member=r["member"] or (None if r["nik"] is None else mask_nik(r["nik"])),
                source=r["source"] if _own(scope, r["agency"]) else OTHER_AGENCY_SOURCE,
            )
            for r in raw["programmes"]
        ],
        eligible_not_received=raw["eligible_not_received"],
        received_not_eligible=raw["received_not_eligible"],
    )  # fmt: skip


# -- a desa's families -----------------------------------------------------------------------
@python_scans
def desa_families(
    wh: Warehouse, catalog: Catalog, code: str, scope: Scope, page: int = 1, *, actor: str
) -> DesaPage:
    """The families of desa ``code`` within ``scope``, by KK, a page of :data:`PER_PAGE`
    (recorded as ``family.list``: which desa, which page, how many shown)."""
    _refuse_viewer(scope)
    regions = kaltara()
    try:
        region = regions.validate(code.strip(), "desa_kelurahan")
    except (NotFound, InputError) as exc:
        raise InputError(f"kode desa tidak valid: {code.strip()[:20]!r} ({exc.message})") from exc
    snap = basis_snapshot(catalog, scope.year)
    kel = snapshot_table(wh, catalog, snap.id, "keluarga")
    fams = kel.filter(kel.kode_kelurahan_desa.isin([region.kode, region.digits]))
    visible = visible_families(wh, catalog, scope, snap.id)
    if visible is not None:
        fams = fams.semi_join(visible, fams[KK] == visible.kk)
    total = int(fams.count().to_pyarrow().as_py())
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    chosen = fams.order_by(KK).limit(PER_PAGE, offset=(page - 1) * PER_PAGE)
    chosen = chosen.select(kk=chosen[KK], kepala=chosen.nama_anggota_keluarga,
                           desil=chosen.desil_nasional)  # fmt: skip
    rows = chosen.to_pyarrow().to_pylist()
    kks = [str(r["kk"]) for r in rows]
    ind = snapshot_table(wh, catalog, snap.id, "individu")
    mine = ind.filter(ind[KK].isin(kks or ["-"]))
    sizes = mine.group_by(kk=mine[KK]).aggregate(n=mine.count())
    size = {str(r["kk"]): int(r["n"]) for r in sizes.to_pyarrow().to_pylist()}
    table, _ = family_table(wh, catalog, snap.id, get_measure(MEASURE, catalog))
    poor_rows = table.filter(table.kk.isin(kks or ["-"]) & table.poor).select("kk")
    poor = {str(k) for k in poor_rows.to_pyarrow().column("kk").to_pylist()}
    out = [
        FamilyRow(
            kk=str(r["kk"]),
            kk_shown=mask_nik(r["kk"]),
            kepala=r["kepala"],
            desil=None if r["desil"] in (None, "") else str(r["desil"]),
            members=size.get(str(r["kk"]), 0),
            poor=str(r["kk"]) in poor,
        )
        for r in rows
    ]
    detail = {"desa": region.kode, "page": page, "families": len(out), "scope": scope.describe(),
              "year": scope.year, "snapshot": snap.id}  # fmt: skip
    catalog.record(FAMILY_LIST, detail, actor)
    kec = regions.find(region.induk) if region.induk else None
    kab = regions.find(kec.induk) if kec is not None and kec.induk else None
    return DesaPage(
        kode=region.kode, nama=region.nama, kecamatan=kec.nama if kec else None,
        kabupaten=kab.nama if kab else None, rows=out, total=total, page=page, pages=pages,
        per_page=PER_PAGE, year=scope.year, snapshot_id=snap.id,
    )  # fmt: skip


def desa_choices() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Every desa of Kaltara for a select: (kecamatan code, "Kecamatan, Kabupaten",
    [(desa code, desa name)]), by code."""
    regions = kaltara()
    out = []
    for kec in regions.at_level("kecamatan"):
        kab = regions.parent(kec.kode)
        desa = [(d.kode, d.nama) for d in regions.children(kec.kode)]
        out.append((kec.kode, f"{kec.nama}, {kab.nama if kab else ''}".strip(", "), desa))
    return out


# -- opaque references -----------------------------------------------------------------------
def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class FamilyRefs:
    """Opaque, tamper-proof references to a family for URLs and forms.

    A reference seals ``kk|username|time`` with a key (encrypt-then-MAC: an HMAC-SHA256
    keystream and an HMAC-SHA256 tag), so a link holds no KK in clear, cannot be forged or
    altered, works only for the user it was made for, and expires after ``max_age``
    seconds. Anything wrong reads as None (the caller answers "not found").
    """

    NONCE = 12
    TAG = 16

    def __init__(self, secret: str, max_age: int = 12 * 3600) -> None:
        root = hashlib.sha256(("padu.keluarga:" + secret).encode("utf-8")).digest()
        self._enc = hmac.new(root, b"enc", hashlib.sha256).digest()
        self._mac = hmac.new(root, b"mac", hashlib.sha256).digest()
        self.max_age = max_age

    def _stream(self, nonce: bytes, n: int) -> bytes:
        out = b""
        block = 0
        while len(out) < n:
            out += hmac.new(self._enc, nonce + block.to_bytes(4, "big"), hashlib.sha256).digest()
            block += 1
        return out[:n]

    def seal(self, kk: str, username: str, now: float | None = None) -> str:
        payload = f"{kk}|{username}|{int(now if now is not None else time.time())}".encode()
        nonce = secrets.token_bytes(self.NONCE)
        body = bytes(a ^ b for a, b in zip(payload, self._stream(nonce, len(payload)), strict=True))
        tag = hmac.new(self._mac, nonce + body, hashlib.sha256).digest()[: self.TAG]
        return _b64(nonce + body + tag)

    def open(self, ref: str, username: str, now: float | None = None) -> str | None:
        """The KK sealed in ``ref`` for ``username``, or None (forged, another user's, old)."""
        try:
            raw = _unb64(ref[:200])
        except (ValueError, TypeError):
            return None
        if len(raw) <= self.NONCE + self.TAG:
            return None
        nonce, body, tag = raw[: self.NONCE], raw[self.NONCE : -self.TAG], raw[-self.TAG :]
        want = hmac.new(self._mac, nonce + body, hashlib.sha256).digest()[: self.TAG]
        if not hmac.compare_digest(tag, want):
            return None
        plain = bytes(a ^ b for a, b in zip(body, self._stream(nonce, len(body)), strict=True))
        try:
            kk, who, stamp = plain.decode("utf-8").split("|")
            made = int(stamp)
        except ValueError:
            return None
        moment = now if now is not None else time.time()
        if who != username or not (made - 60 <= moment <= made + self.max_age):
            return None
        return kk


def card_context(card: FamilyCard) -> dict[str, Any]:
    """Small derived figures for a renderer: deprived labels and the unknown ones."""
    return {
        "deprived": [d for d in card.deprivations if d.deprived],
        "unknown": [d for d in card.deprivations if d.deprived is None],
    }
