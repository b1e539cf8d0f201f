"""A realistic noisy agency beneficiary list drawn from a register snapshot, with ground truth.

The list looks like what an agency keeps in Excel: its own headers, a Tempat/Tgl Lahir
column, dates in mixed forms, names with typos, old spellings, honorifics and titles, NIKs
that are missing, mistyped or damaged by Excel, people who are not in the register at all,
and people listed twice. The ground truth names, for every data row, the register person
(NIK and KK) it was drawn from, or none, and the noise applied, so that a linkage run can be
scored row by row.

Two kinds of list. The *random* list (:func:`make_agency_list`) draws its register rows
from every person at random (adults first). A *programme's* list (``--programme``,
:func:`make_programme_list`) looks like what an agency reports as delivered: one row per
unit of the programme (a family programme lists the family's head, a person programme the
person), most of them from the programme's drawn target list, some not. Of ``size`` rows:

- ``DUPLICATES`` x size (rounded) rows are copies of other rows of the list, of any kind;
- ``NOT_IN_REGISTER`` x size are people not in the register (``luar_register``);
- ``BELOW_CUT`` x size are eligible units ranked below the list's cut
  (``layak_di_luar_daftar``: the agency skipped the ranking);
- ``NOT_ELIGIBLE`` x size are units that are not eligible, drawn at random from the rest
  of the register (``tidak_layak``: leakage; the rules select the low desil, so these are
  mostly desil 6-10);
- the rest come from the drawn target list (``rencana``, what ``padu target`` gives): at
  the default shares 70 % of ``size`` less the duplicates, 67 %. Duplicates copy rows of
  every kind, so about 69 % of the list's rows are of the plan.

A programme without a cut (no quota and no budget) lists every eligible unit, so it has
none below the cut: that share comes from the plan. Each share is rounded on its own
(Python's ``round``). When a pool holds fewer units than
its share asks for, all of it is taken, the list is that much shorter, and the result says
so; nothing is borrowed from another kind. The units are drawn in the engine, on keys only:
each pool ordered by an MD5 of the seed and the unit's key (the same order on DuckDB and
PostgreSQL), the first ones taken. The noise is the random list's, row by row.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import ibis
import numpy as np
import polars as pl
import xlsxwriter

from padu.audit import record_export
from padu.files import atomic_output, check_output_file
from padu.fmt import angka
from padu.programmes.model import Programme
from padu.regions import kaltara
from padu.register.snapshots import snapshot_table
from padu.schema import register_schema
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow

#: Shares of list rows (the issue's evaluation kit).
NOT_IN_REGISTER = 0.10
BAD_NIK = 0.20  # missing or wrong
DUPLICATES = 0.03
MONTHS_ID = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
    "Oktober", "November", "Desember",
)  # fmt: skip
OLD_SPELLING = (("U", "OE"), ("J", "DJ"), ("C", "TJ"), ("SY", "SJ"), ("KH", "CH"), ("Y", "J"))
MUHAMMAD_FORMS = ("Muh.", "Moh.", "Moch.", "Mochammad", "Mohamad", "M.", "Muhamad")
PREFIXES = ("H.", "Hj.", "Bpk.", "Ibu", "Drs.", "Ir.", "Sdr.")
SUFFIXES = (", S.Pd.", ", S.E.", ", A.Md.", ", S.Sos", ", S.Pd.I")
HEADERS = {
    "no": ("No", "No.", "NO"),
    "nik": ("NIK", "No. KTP", "NIK Penerima"),
    "kk": ("No KK", "No. KK", "Nomor KK"),
    "nama": ("Nama Penerima", "Nama Lengkap", "NAMA"),
    "ttl": ("Tempat/Tgl Lahir", "Tempat, Tgl Lahir", "TTL"),
    "jenis_kelamin": ("L/P", "Jenis Kelamin", "JK"),
    "alamat": ("Alamat", "ALAMAT"),
    "rt_rw": ("RT/RW", "Rt/Rw"),
    "desa": ("Desa/Kel", "Kelurahan/Desa", "Desa"),
    "kecamatan": ("Kecamatan", "KEC"),
}


#: Shares of a programme's list (``--programme``), with the two above: see the docstring.
BELOW_CUT = 0.10  # eligible, ranked below the target list's cut
NOT_ELIGIBLE = 0.10  # not eligible: leakage
#: The kinds of draw a programme's list records per row, in the order they are drawn.
PLAN, SKIPPED, LEAKED, OUTSIDE = "rencana", "layak_di_luar_daftar", "tidak_layak", "luar_register"
DRAWS = (PLAN, SKIPPED, LEAKED, OUTSIDE)
DRAW_LABELS = {
    PLAN: "daftar sasaran (rencana)",
    SKIPPED: "layak, di luar daftar",
    LEAKED: "tidak layak",
    OUTSIDE: "tidak ada di register",
}

# a register row with where it came from: (source or None, record written, kind of draw)
_Source = tuple[dict[str, Any] | None, dict[str, Any], str | None]


@dataclass
class AgencyList:
    rows: list[dict[str, Any]]  # the sheet's cells, keyed by canonical field
    headers: dict[str, str]  # canonical field -> header written
    truth: list[dict[str, Any]]  # per data row: row, nik, kk (or null), noise (, draw)
    programme: str | None = None  # the programme whose recipients the list stands for
    wanted: dict[str, int] = field(default_factory=dict)  # distinct rows asked, per draw
    pools: dict[str, int] = field(default_factory=dict)  # register units there were to draw
    warnings: list[str] = field(default_factory=list)

    def draws(self) -> dict[str, int]:
        """Rows per kind of draw (duplicates counted with the row they copy)."""
        counts = dict.fromkeys(DRAWS, 0)
        for t in self.truth:
            counts[t["draw"]] += 1
        return counts if self.programme else {}

    def summary(self) -> dict[str, Any]:
        """The list in a few fields (for the command's output): rows, people not in the
        register, rows per kind of noise, and for a programme's list the rows per kind of
        draw, the rows asked and the units available per kind, and the warnings."""
        noise: dict[str, int] = {}
        for t in self.truth:
            for n in t["noise"]:
                noise[n] = noise.get(n, 0) + 1
        data: dict[str, Any] = {
            "rows": len(self.rows),
            "not_in_register": sum(t["nik"] is None for t in self.truth),
            "noise": dict(sorted(noise.items())),
        }
        if self.programme is not None:
            data.update(programme=self.programme, draws=self.draws(), wanted=self.wanted)
            data.update(pools=self.pools, warnings=self.warnings)
        return data


def make_agency_list(persons: pl.DataFrame, size: int, seed: int) -> AgencyList:
    """A noisy list of ``size`` rows drawn from ``persons`` (see :func:`register_persons`)."""
    rng = np.random.default_rng(seed)
    people = _listable(persons)
    n_dup = round(size * DUPLICATES)
    n_out = round(size * NOT_IN_REGISTER)
    n_in = size - n_dup - n_out
    adults = people.filter(pl.col("tanggal_lahir") <= dt.date(2008, 1, 1))
    pool = adults if adults.height >= n_in else people
    picked = pool.sample(n=min(n_in, pool.height), seed=int(rng.integers(2**31)))
    records = picked.to_dicts()
    outsiders = _outsiders(people, n_out, rng)
    base: list[_Source] = [(r, r, None) for r in records]
    base += [(None, o, None) for o in outsiders]
    return _assemble(base, n_dup, rng)


def wanted_rows(size: int, *, cut: bool = True) -> tuple[dict[str, int], int]:
    """Distinct rows a programme's list of ``size`` rows asks for per kind of draw, and
    the duplicates added to them (see the module docstring). A programme without a cut
    (no quota, no budget: every eligible unit is on its list) has no unit below the cut,
    so that share comes from the plan."""
    n_dup = round(size * DUPLICATES)
    wanted = {
        OUTSIDE: round(size * NOT_IN_REGISTER),
        SKIPPED: round(size * BELOW_CUT) if cut else 0,
        LEAKED: round(size * NOT_ELIGIBLE),
    }
    wanted[PLAN] = max(size - n_dup - sum(wanted.values()), 0)
    return {k: wanted[k] for k in DRAWS}, n_dup


def make_programme_list(
    persons: pl.DataFrame,
    drawn: pl.DataFrame,
    size: int,
    seed: int,
    *,
    programme: str,
    pools: dict[str, int],
    cut: bool = True,
) -> AgencyList:
    """A noisy list standing for ``programme``'s realised recipients.

    ``drawn``: the register units drawn for it (:func:`draw_programme_units`: ``draw``,
    ``nik``, ``kk`` in draw order); ``pools``: how many units each kind had to offer.
    """
    rng = np.random.default_rng(seed)
    people = _listable(persons)
    wanted, n_dup = wanted_rows(size, cut=cut)
    first = people.unique(["nik", "kk"], keep="first", maintain_order=True)
    order = drawn.with_row_index("_at")
    picked = order.join(first, on=["nik", "kk"], how="inner").sort("_at").drop("_at")
    base: list[_Source] = [(r, r, r["draw"]) for r in picked.to_dicts()]
    base += [(None, o, OUTSIDE) for o in _outsiders(people, wanted[OUTSIDE], rng)]
    got = {k: sum(1 for s in base if s[2] == k) for k in DRAWS}  # distinct, before copies
    lst = _assemble(base, n_dup, rng, programme)
    lst.wanted = wanted
    lst.pools = dict(pools)
    short = [k for k in DRAWS if got[k] < wanted[k]]
    lst.warnings = [
        f"{DRAW_LABELS[k]}: hanya {angka(got[k])} unit tersedia, diminta {angka(wanted[k])}"
        for k in short
    ]
    if short:
        lst.warnings.append(
            f"daftar berisi {angka(len(lst.rows))} baris, bukan {angka(size)}: "
            "kekurangan tidak diganti dengan jenis lain"
        )
    return lst


def _listable(persons: pl.DataFrame) -> pl.DataFrame:
    """The persons a list can name: a name, a birth date and a well-formed NIK."""
    return persons.filter(
        pl.col("nama").is_not_null()
        & pl.col("tanggal_lahir").is_not_null()
        & pl.col("nik").str.contains(r"^\d{16}$")
    ).sort("pid")


def _assemble(
    base: list[_Source], n_dup: int, rng: np.random.Generator, programme: str | None = None
) -> AgencyList:
    """Duplicates added, rows shuffled, noise applied: the sheet and its ground truth."""
    base = list(base)  # the copies go to this list, not the caller's
    for i in rng.choice(len(base), size=min(n_dup, len(base)), replace=False):
        base.append(base[int(i)])
    order = rng.permutation(len(base))
    headers = {k: str(rng.choice(v)) for k, v in HEADERS.items()}
    place_names = {r.digits: r.nama for r in kaltara()}
    rows, truth = [], []
    for n, i in enumerate(order, start=1):
        source, rec, draw = base[int(i)]
        noise: list[str] = []
        cells = _row(rec, place_names, rng, noise)
        cells["no"] = n
        rows.append(cells)
        one: dict[str, Any] = {
            "row": n,
            "nik": source["nik"] if source else None,
            "kk": source["kk"] if source else None,
            "noise": noise,
        }
        if programme is not None:
            one["draw"] = draw
        truth.append(one)
    return AgencyList(rows=rows, headers=headers, truth=truth, programme=programme)


def draw_programme_units(
    wh: Warehouse,
    catalog: Catalog,
    programme: Programme,
    version: int,
    snapshot: str | int,
    wanted: dict[str, int],
    seed: int,
) -> tuple[pl.DataFrame, dict[str, int]]:
    """The register units of ``programme``'s list, drawn in the engine on their keys.

    Returns ``draw``, ``nik`` and ``kk`` of each unit drawn (a family's head for a family
    programme), by kind in :data:`DRAWS` order and by draw order within a kind, and the
    number of units each kind had to offer. The plan is the target list ``padu target``
    draws for the programme's ``version`` on ``snapshot``; a unit whose person the list
    cannot name (no head, no name, birth date or well-formed NIK) is in no pool.
    """
    from padu.programmes.targeting import draw_target_list, eligible_units, tie_digest

    snap = catalog.snapshot(snapshot)
    with wh.scratch():
        cut = draw_target_list(wh, catalog, programme, version, snap.id).selected
        units, _ = eligible_units(wh, catalog, programme, snap.id)
        candidates = _pools(snapshot_table(wh, catalog, snap.id, "individu"), programme, units, cut)
        salt = f"daftar|{seed}|{programme.code}"
        keyed = candidates.mutate(_tie=tie_digest(candidates.nik + "|" + candidates.kk, salt))
        pools = wh.temp(f"daftar_{uuid.uuid4().hex[:12]}", keyed, reuse=False)
        sizes = pools.group_by("draw").aggregate(n=pools.count()).to_pyarrow().to_pylist()
        chosen = _first(pools, wanted).to_pyarrow()
    offered = {r["draw"]: int(r["n"]) for r in sizes}
    drawn = (
        pl.DataFrame(chosen)
        .cast({"_rank": pl.Int64})
        .with_columns(_kind=pl.col("draw").replace_strict(DRAWS, range(len(DRAWS))))
        .sort("_kind", "_rank")
        .select("draw", "nik", "kk")
    )
    return drawn, {k: offered.get(k, 0) for k in (PLAN, SKIPPED, LEAKED)}


def _pools(ind: Any, programme: Programme, units: Any, cut: int) -> Any:
    """Every unit the list could name, with its kind of draw: ranked within the cut
    (``rencana``), eligible below it (``layak_di_luar_daftar``), or not eligible."""
    from padu.programmes.targeting import KK, NIK, ranked

    named = ind.filter(
        ind[NIK].re_search(r"^[0-9]{16}$").fill_null(False)
        & ind.nama.notnull()
        & ind.tanggal_lahir.notnull()
    )
    r = ranked(units)
    kind = ibis.ifelse(r.peringkat <= cut, PLAN, SKIPPED)
    if programme.unit == "individu":
        persons = named.select(nik=named[NIK], kk=named[KK]).distinct()
        listed = r.select(draw=kind, nik=r[NIK], kk=r[KK])
        known = units.filter(units[NIK].notnull()).select(_nik=units[NIK]).distinct()
        rest = persons.anti_join(known, persons.nik == known._nik)
    else:
        heads = named.filter(named.status_hubungan_keluarga == _head_code())
        persons = heads.group_by(kk=heads[KK]).aggregate(nik=heads[NIK].min())
        listed = r.select(draw=kind, kk=r[KK])
        known = units.select(_kk=units[KK]).distinct()
        rest = persons.anti_join(known, persons.kk == known._kk)
    eligible = listed.join(persons, ["nik", "kk"] if programme.unit == "individu" else ["kk"])
    leaked = rest.select(draw=ibis.literal(LEAKED), nik="nik", kk="kk")
    return eligible.select("draw", "nik", "kk").union(leaked)


def _first(pools: Any, wanted: dict[str, int]) -> Any:
    """The first ``wanted[kind]`` units of each kind in the seeded order (MD5 of the seed and
    the unit's key, as an integer: every engine orders it alike)."""
    from padu.programmes.targeting import tie_value

    order = [tie_value(pools._tie), pools.nik, pools.kk]
    ranked = pools.mutate(_rank=ibis.row_number().over(group_by=pools.draw, order_by=order))
    limit = ibis.cases(*((ranked.draw == k, wanted.get(k, 0)) for k in DRAWS), else_=0)
    return ranked.filter(ranked._rank < limit).select("draw", "nik", "kk", "_rank")


@cache
def _head_code() -> str:
    """The ``status_hubungan_keluarga`` code of the family's head (Kepala keluarga)."""
    codes = register_schema().code_lists["status_hubungan_keluarga"].codes
    return next(c.code for c in codes if c.label_id.lower() == "kepala keluarga")


def _outsiders(people: pl.DataFrame, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
    """People who are not in the register: names, dates and places recombined, new NIKs."""
    if n == 0:
        return []
    idx = rng.integers(0, people.height, size=(n, 3))
    names = people.get_column("nama").to_list()
    births = people.get_column("tanggal_lahir").to_list()
    places = people.select("desa", "kecamatan", "rt", "rw", "alamat").to_dicts()
    known = set(people.get_column("nik").to_list())
    out = []
    for a, b, c in idx.tolist():
        first = names[a].split(" ")[0]
        last = names[b].split(" ")[-1]
        born: dt.date = births[c] + dt.timedelta(days=int(rng.integers(-900, 900)))
        born = min(born, dt.date(2008, 1, 1))
        place = places[c]
        sex = str(rng.choice(["1", "2"]))
        while True:
            day = born.day + (40 if sex == "2" else 0)
            nik = f"{place['kecamatan']}{day:02d}{born:%m%y}{int(rng.integers(1, 9999)):04d}"
            if nik not in known:
                break
        kk = f"{place['kecamatan']}{int(rng.integers(0, 10**10)):010d}"
        out.append(
            {
                "nik": nik,
                "kk": kk,
                "nama": first if first == last else f"{first} {last}",
                "tanggal_lahir": born,
                "jenis_kelamin": sex,
                **place,
            }
        )
    return out


def _row(
    rec: dict[str, Any], places: dict[str, str], rng: np.random.Generator, noise: list[str]
) -> dict[str, Any]:
    u = rng.random(12)
    name = _noisy_name(rec["nama"], u, rng, noise)
    born: dt.date = rec["tanggal_lahir"]
    date_text = _noisy_date(born, u, rng, noise)
    desa = places.get(rec["desa"] or "", "")
    kec = places.get(rec["kecamatan"] or "", "")
    if u[8] < 0.08:
        desa, kec = "", kec if u[9] < 0.5 else ""
        noise.append("alamat_kosong")
    ttl = f"{kec.title() or 'Tarakan'}, {date_text}" if date_text and u[10] < 0.5 else date_text
    rt, rw = rec.get("rt") or "", rec.get("rw") or ""
    return {
        "nik": _noisy_nik(rec, rng, noise),
        "kk": rec["kk"] if u[11] < 0.6 else "",
        "nama": name,
        "ttl": ttl,
        "jenis_kelamin": {"1": "L", "2": "P"}.get(rec.get("jenis_kelamin") or "", ""),
        "alamat": rec.get("alamat") or "",
        "rt_rw": f"{int(rt or 0):03d}/{int(rw or 0):03d}" if rt or rw else "",
        "desa": desa.upper() if u[9] < 0.3 else desa,
        "kecamatan": kec,
    }


def _noisy_name(name: str, u: np.ndarray, rng: np.random.Generator, noise: list[str]) -> str:
    tokens = name.split()
    if u[0] < 0.06 and any(len(t) >= 5 for t in tokens):
        j = int(rng.choice([k for k, t in enumerate(tokens) if len(t) >= 5]))
        tokens[j] = _typo(tokens[j], rng)
        noise.append("salah_ketik_nama")
    if u[1] < 0.08:
        upper = [t.upper() for t in tokens]
        for old, new in OLD_SPELLING:
            if any(old in t for t in upper):
                tokens = [t.upper().replace(old, new, 1).title() for t in tokens]
                noise.append("ejaan_lama")
                break
    if tokens and tokens[0].upper() in {"MUHAMMAD", "MUHAMAD", "MOHAMMAD"} and u[2] < 0.5:
        tokens[0] = str(rng.choice(MUHAMMAD_FORMS))
        noise.append("varian_muhammad")
    if u[3] < 0.04 and len(tokens) >= 2:
        tokens = tokens[1:] + tokens[:1]
        noise.append("urutan_tertukar")
    out = " ".join(tokens)
    if u[4] < 0.08:
        out = f"{rng.choice(PREFIXES)} {out}"
        noise.append("gelar_depan")
    elif u[4] < 0.11:
        out = f"{out}{rng.choice(SUFFIXES)}"
        noise.append("gelar_belakang")
    if u[5] < 0.3:
        out = out.upper()
    return out


def _typo(token: str, rng: np.random.Generator) -> str:
    k = int(rng.integers(1, len(token) - 1))
    kind = int(rng.integers(0, 3))
    if kind == 0:  # neighbouring letters swapped
        return token[:k] + token[k + 1] + token[k] + token[k + 2 :]
    if kind == 1:  # a letter dropped
        return token[:k] + token[k + 1 :]
    letter = str(rng.choice(list("aeiounrst")))
    return token[:k] + letter + token[k + 1 :]  # a letter replaced


def _noisy_date(born: dt.date, u: np.ndarray, rng: np.random.Generator, noise: list[str]) -> str:
    if u[6] < 0.02:
        noise.append("tanggal_lahir_kosong")
        return ""
    if u[6] < 0.06 and born.day <= 12 and born.day != born.month:
        born = dt.date(born.year, born.day, born.month)
        noise.append("hari_bulan_tertukar")
    form = int(rng.integers(0, 5))
    if form == 0:
        return f"{born:%d-%m-%Y}"
    if form == 1:
        return f"{born:%d/%m/%Y}"
    if form == 2:
        return f"{born:%Y-%m-%d}"
    if form == 3:
        return f"{born.day} {MONTHS_ID[born.month - 1]} {born.year}"
    return f"{born:%d/%m/%y}"


def _noisy_nik(rec: dict[str, Any], rng: np.random.Generator, noise: list[str]) -> str:
    nik: str = rec["nik"]
    if rng.random() >= BAD_NIK:
        return nik
    kind = str(
        rng.choice(
            ["kosong", "tertukar", "plus40", "satu_digit", "excel", "nik_anggota_lain"],
            p=[0.35, 0.15, 0.1, 0.15, 0.15, 0.1],
        )
    )
    noise.append(f"nik_{kind}")
    if kind == "kosong":
        return ""
    if kind == "tertukar":
        k = int(rng.integers(6, 15))
        return nik[:k] + nik[k + 1] + nik[k] + nik[k + 2 :]
    if kind == "plus40":
        day = int(nik[6:8])
        return nik[:6] + f"{(day + 40) % 80 if day != 40 else 0:02d}" + nik[8:]
    if kind == "satu_digit":
        k = int(rng.integers(6, 16))
        return nik[:k] + str((int(nik[k]) + int(rng.integers(1, 10))) % 10) + nik[k + 1 :]
    if kind == "excel":
        return f"{int(nik):.5E}" if rng.random() < 0.5 else nik[:15] + "0.0"
    # another person's NIK (a neighbour's or a relative's): a valid NIK, but not this person's
    return nik[:12] + f"{(int(nik[12:]) % 9999) + 1:04d}"


FILE_SUFFIXES = (".xlsx", ".csv")


def truth_path(out: Path) -> Path:
    """Where the ground truth of the list at ``out`` goes: ``NAME.truth.json`` beside it."""
    return out.with_name(out.stem + ".truth.json")


def write_agency_list(lst: AgencyList, out: Path) -> Path:
    """Write the list as XLSX (or CSV by suffix) and its ``*.truth.json`` beside it.

    Both appear whole or not at all; returns the truth file's path.
    """
    out = check_output_file(out, FILE_SUFFIXES)
    with _written(lst, out) as truth:
        return truth


@contextmanager
def _written(lst: AgencyList, out: Path) -> Iterator[Path]:
    """Write list and truth under temporary names; both are renamed in when the block ends."""
    truth = truth_path(out)
    with atomic_output(out) as temp, atomic_output(truth) as temp_truth:
        _write_list(lst, temp, csv=out.suffix.lower() == ".csv")
        temp_truth.write_text(
            json.dumps(_truth_document(lst), ensure_ascii=False, indent=0), encoding="utf-8"
        )
        yield truth


def _truth_document(lst: AgencyList) -> dict[str, Any]:
    """The truth file: the rows, and for a programme's list the programme and the counts."""
    if lst.programme is None:
        return {"rows": lst.truth}
    return {
        "programme": lst.programme,
        "draws": lst.draws(),
        "wanted": lst.wanted,
        "pools": lst.pools,
        "warnings": lst.warnings,
        "rows": lst.truth,
    }


def agency_list_from_snapshot(
    wh: Warehouse,
    catalog: Catalog,
    snapshot: str,
    out: Path,
    *,
    size: int,
    seed: int,
    actor: str,
    programme: str | None = None,
) -> tuple[SnapshotRow, AgencyList, Path]:
    """A noisy list drawn from a (real) snapshot, written to ``out``: personal data, audited.

    ``programme``: the code of the programme whose realised recipients the list stands for
    (its current version; see the module docstring), else a random list. The output path
    and the programme are checked before the register is read. Returns the snapshot, the
    list and the truth file's path.
    """
    from padu.linkage.persons import register_persons
    from padu.programmes.store import programme as stored_programme

    out = check_output_file(out, FILE_SUFFIXES)
    found = stored_programme(catalog, programme) if programme is not None else None
    snap, persons = register_persons(wh, catalog, snapshot)
    if found is None:
        lst = make_agency_list(persons, size, seed)
    else:
        prog, version = found
        cut = prog.quota is not None or prog.budget is not None
        wanted, _ = wanted_rows(size, cut=cut)
        drawn, pools = draw_programme_units(wh, catalog, prog, version, snap.id, wanted, seed)
        lst = make_programme_list(
            persons, drawn, size, seed, programme=prog.code, pools=pools, cut=cut
        )
    detail = {"programme": lst.programme} if lst.programme else {}
    with _written(lst, out) as truth:
        record_export(
            catalog, "agency_list", out, actor=actor, snapshot=snap.id, rows=len(lst.rows),
            truth=str(truth), **detail,
        )  # fmt: skip
    return snap, lst, truth


def _write_list(lst: AgencyList, out: Path, *, csv: bool) -> None:
    order = list(HEADERS)
    if csv:
        pl.DataFrame(
            [{lst.headers[k]: str(r[k]) for k in order} for r in lst.rows],
            schema=dict.fromkeys((lst.headers[k] for k in order), pl.String),
        ).write_csv(out)
        return
    book = xlsxwriter.Workbook(str(out))
    sheet = book.add_worksheet("Daftar Penerima")
    sheet.write_row(0, 0, ["DAFTAR PENERIMA BANTUAN"])  # a title row, as agencies do
    sheet.write_row(2, 0, [lst.headers[k] for k in order])
    for i, r in enumerate(lst.rows, start=3):
        for j, k in enumerate(order):
            value = r[k]
            if k == "nik" and isinstance(value, str) and ("E+" in value or value.endswith(".0")):
                sheet.write_number(i, j, float(value))  # what Excel did to the cell
            elif k == "no":
                sheet.write_number(i, j, value)
            else:
                sheet.write_string(i, j, str(value))
    book.close()
