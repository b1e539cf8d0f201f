"""The convergence workbook for the Bappeda workshop: every view by desa, in Bahasa.

:func:`write_convergence_xlsx` turns the result of :func:`padu.convergence.convergence`
(``by="desa"``; a kecamatan or kabupaten breakdown works the same way) into the workbook
the workshop reads: a cover sheet (year, snapshot, basis, measure, warnings, sources), then
one sheet per view with one row per region and the province total below: Tumpang Tindih,
Antar Instansi (with the province's agency x agency matrix), Kesenjangan, Dimensi x
Instansi, Kesalahan Sasaran (one row per programme and region) and Cakupan.

The workbook holds counts only, never a NIK, KK or name, so it is not a personal-data
export. Small counts are still suppressed (``suppress_below``, 5 by default): a count from 1
to ``suppress_below - 1`` is written as the text ``<5``, and a percentage computed from such
a count (its numerator, its denominator or a term of either) is left blank. This is primary
suppression only: a hidden cell can still be worked out from its neighbours (deprived minus
unreached) or from the province total, so the workbook is for the workshop, not for
publication as it is. Numbers stay numbers (Excel shows the
thousands separator of the reader's locale) and rates are percentages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from padu.errors import InputError, PaduError
from padu.files import atomic_output, check_output_file
from padu.fmt import angka, waktu_wita
from padu.measure.measures import get_measure
from padu.regions import RegionLevel, kaltara

__all__ = ["SHEETS", "write_convergence_xlsx"]

SHEETS = ("Sampul", "Tumpang Tindih", "Antar Instansi", "Kesenjangan", "Dimensi x Instansi",
          "Kesalahan Sasaran", "Cakupan")  # fmt: skip
BASIS_WORDS = {"planned": "rencana", "realised": "realisasi", "both": "rencana dan realisasi"}
KIND_WORDS = {"adoption": "adopsi", "ledger": "daftar"}
UNIT_WORDS = {"keluarga": "keluarga", "individu": "orang"}
PROVINCE = "Provinsi (total)"
#: The region columns of each breakdown: (header, what the cell holds).
REGION_COLUMNS: dict[str | None, list[tuple[str, str]]] = {
    "desa": [("Kode Desa", "kode"), ("Desa/Kelurahan", "nama"), ("Kecamatan", "kecamatan"),
             ("Kabupaten/Kota", "kabupaten_kota")],
    "kecamatan": [("Kode Kecamatan", "kode"), ("Kecamatan", "nama"),
                  ("Kabupaten/Kota", "kabupaten_kota")],
    "kabupaten": [("Kode Kabupaten/Kota", "kode"), ("Kabupaten/Kota", "nama")],
    None: [("Wilayah", "nama")],
}  # fmt: skip


@dataclass(frozen=True)
class Rate:
    """A share to write as a percentage, with every count it is computed from.

    It is left blank when any of those counts is suppressed: its numerator, its denominator,
    or a term of either (the rate and the shown counts would give the hidden one back).
    """

    value: float | None
    counts: tuple[int | None, ...]


@dataclass(frozen=True)
class Count:
    """A count of families or units: suppressed when small."""

    value: int | None


Cell = str | Count | Rate | None


@dataclass(frozen=True)
class Column:
    label: str
    group: str = ""
    width: float = 13


@dataclass
class Table:
    """A view as rows: the region rows, then (below a blank row) the province rows."""

    columns: list[Column]
    rows: list[list[Cell]]
    totals: list[list[Cell]]
    frozen_columns: int


def write_convergence_xlsx(
    result: dict[str, Any],
    path: Path,
    *,
    suppress_below: int = 5,
    agencies: Mapping[str, str] | None = None,
) -> None:
    """Write a convergence result as the workshop's workbook; whole or not at all.

    ``agencies`` (code -> name, e.g. ``{a.code: a.name for a in catalog.agencies()}``)
    puts each agency's name next to its code: a "Nama Instansi" column in Kesalahan
    Sasaran and Antar Instansi, in the Cakupan headers and on the cover. Without it the
    result's own ``agency_names`` are used when it carries them.
    ``suppress_below=0`` writes every number as it is.
    """
    if suppress_below < 0:
        raise InputError("batas penyembunyian sel tidak boleh negatif")
    path = check_output_file(path, (".xlsx",))
    labels = _dimension_labels(result)
    with atomic_output(path) as temp:
        names = dict(agencies or result.get("agency_names") or {})
        _write(result, temp, suppress_below, labels, names)


def _write(
    result: dict[str, Any],
    path: Path,
    suppress_below: int,
    labels: dict[str, str],
    agencies: Mapping[str, str],
) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    out = _Sheets(book, suppress_below)
    _cover(out, result, suppress_below, agencies)
    view = _View(result, labels, agencies)
    out.table("Tumpang Tindih", view.overlap())
    pairs = view.agency_pairs()
    out.matrix(out.table("Antar Instansi", pairs), len(pairs.columns) + 1, *view.agency_matrix())
    out.table("Kesenjangan", view.gaps())
    out.table("Dimensi x Instansi", view.dimension_agency())
    out.table("Kesalahan Sasaran", view.errors())
    out.table("Cakupan", view.coverage())
    book.close()


def _dimension_labels(result: dict[str, Any]) -> dict[str, str]:
    """Dimension id -> its Indonesian label, in the measure's order.

    The result names them (``dimension_labels``); a result without them takes the labels
    of its measure when that is a preset, else the ids in words.
    """
    labels = dict(result.get("dimension_labels") or {})
    if not labels:
        try:
            labels = {d.id: d.label_id for d in get_measure(str(result.get("measure"))).dimensions}
        except PaduError:
            labels = {}
    for d in result.get("gaps") or {}:
        labels.setdefault(d, d.replace("_", " ").capitalize())
    for d in (result.get("overlap") or {}).get("by_dimension") or {}:
        labels.setdefault(d, d.replace("_", " ").capitalize())
    return labels


def _present(p: dict[str, Any] | None) -> bool:
    """Whether a programme has anything to show in a region (a row of Kesalahan Sasaran)."""
    keys = ("recipients", "eligible", "deprived", "pending_review")
    return p is not None and any(p.get(k) for k in keys)


def _parents(kode: str) -> dict[str, str]:
    """The kecamatan and kabupaten/kota names above a region code (blank when unknown)."""
    tree = kaltara()
    found = tree.find(kode)
    names: dict[str, str] = {}
    levels: tuple[RegionLevel, ...] = ("kecamatan", "kabupaten_kota")
    for level in levels:
        try:
            names[level] = tree.ancestor(found.kode, level).nama if found else ""
        except PaduError:  # a code above that level
            names[level] = ""
    return names


def _day(text: object) -> str:
    """An ISO date as dd-mm-yyyy (text that is not one is shown as it is)."""
    try:
        return dt.date.fromisoformat(str(text)[:10]).strftime("%d-%m-%Y")
    except ValueError:
        return str(text or "-")


def _moment(text: object) -> str:
    try:
        return waktu_wita(dt.datetime.fromisoformat(str(text)))
    except ValueError:
        return str(text or "-")


class _Sheets:
    """The workbook's formats and the writing of one table, suppression included."""

    def __init__(self, book: Any, suppress_below: int) -> None:
        self.book = book
        self.below = suppress_below
        head = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        self.head = book.add_format({**head, "valign": "top"})
        self.group = book.add_format({**head, "align": "center"})
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.grey = book.add_format({"bg_color": "#EEEEEE", "border": 1})
        self.formats: dict[tuple[str, bool], Any] = {}
        for bold in (False, True):
            extra = {"bold": True, "top": 1} if bold else {}
            self.formats["text", bold] = book.add_format({**extra, "num_format": "@"})
            self.formats["count", bold] = book.add_format({**extra, "num_format": "#,##0"})
            self.formats["rate", bold] = book.add_format({**extra, "num_format": "0.0%"})
            self.formats["small", bold] = book.add_format({**extra, "align": "right"})

    def hidden(self, n: int | None) -> bool:
        return n is not None and 1 <= n < self.below

    def cell(self, ws: Any, r: int, c: int, value: Cell, bold: bool = False) -> None:
        if isinstance(value, Count):
            if value.value is None:
                return
            if self.hidden(value.value):
                ws.write_string(r, c, f"<{self.below}", self.formats["small", bold])
            else:
                ws.write_number(r, c, value.value, self.formats["count", bold])
        elif isinstance(value, Rate):
            if value.value is None or any(self.hidden(n) for n in value.counts):
                return
            ws.write_number(r, c, value.value, self.formats["rate", bold])
        elif value is not None:
            ws.write_string(r, c, value, self.formats["text", bold])

    def table(self, name: str, table: Table) -> Any:
        """A sheet: group row, header row (frozen, filtered), region rows, province rows."""
        ws = self.book.add_worksheet(name)
        cols = table.columns
        for c, col in enumerate(cols):
            ws.set_column(c, c, col.width)
            ws.write_string(1, c, col.label, self.head)
        c = 0
        while c < len(cols):
            end = c
            while end + 1 < len(cols) and cols[end + 1].group == cols[c].group:
                end += 1
            if cols[c].group and end > c:
                ws.merge_range(0, c, 0, end, cols[c].group, self.group)
            else:
                ws.write_string(0, c, cols[c].group, self.group)
            c = end + 1
        ws.set_row(1, 45)
        for r, row in enumerate(table.rows, start=2):
            for c, value in enumerate(row):
                self.cell(ws, r, c, value)
        last = 1 + len(table.rows)
        for r, row in enumerate(table.totals, start=last + 2):
            for c, value in enumerate(row):
                self.cell(ws, r, c, value, bold=True)
        ws.freeze_panes(2, table.frozen_columns)
        ws.autofilter(1, 0, max(last, 2), len(cols) - 1)
        ws.repeat_rows(0, 1)
        ws.set_landscape()
        return ws

    def matrix(
        self, ws: Any, at: int, agencies: list[str], shared: dict[tuple[str, str], int]
    ) -> None:
        """The province's agency x agency matrix of shared families, from column ``at``."""
        ws.write_string(0, at, "Keluarga yang dijangkau kedua instansi (provinsi)", self.bold)
        ws.write_string(1, at, "Instansi", self.head)
        ws.set_column(at, at + len(agencies), 11)
        for j, b in enumerate(agencies, start=at + 1):
            ws.write_string(1, j, b, self.head)
        for i, a in enumerate(agencies, start=2):
            ws.write_string(i, at, a, self.head)
            for j, b in enumerate(agencies, start=at + 1):
                if a == b:
                    ws.write_blank(i, j, None, self.grey)
                else:
                    self.cell(ws, i, j, Count(shared.get((min(a, b), max(a, b)), 0)))


class _View:
    """The result's views as tables (pure: no workbook in here)."""

    def __init__(
        self, result: dict[str, Any], labels: dict[str, str], agencies: Mapping[str, str]
    ) -> None:
        self.result = result
        self.agencies = agencies
        self.labels = labels
        self.level: str | None = result.get("by")
        self.regions = sorted(result.get("regions") or [], key=lambda r: str(r.get("kode")))
        self.programmes: dict[str, dict[str, Any]] = dict(
            sorted((result.get("programmes") or {}).items())
        )
        overlap = result.get("overlap") or {}
        self.threshold = int((overlap.get("concentration") or {}).get("threshold") or 4)
        distribution = (overlap.get("concentration") or {}).get("distribution") or {}
        self.bins = sorted(distribution, key=lambda k: int(str(k).rstrip("+")))
        self.dimensions = list(labels)
        self.names = {str(r.get("kode")): _parents(str(r.get("kode"))) for r in self.regions}

    # -- region columns ------------------------------------------------------------------
    def region_columns(self) -> list[Column]:
        return [
            Column(h, width=16 if key == "kode" else 24)
            for h, key in REGION_COLUMNS.get(self.level, REGION_COLUMNS[None])
        ]

    def region_cells(self, region: dict[str, Any] | None) -> list[Cell]:
        spec = REGION_COLUMNS.get(self.level, REGION_COLUMNS[None])
        if region is None:
            return [PROVINCE, *([""] * (len(spec) - 1))]
        kode = str(region.get("kode"))
        names = {"kode": kode, "nama": str(region.get("nama") or ""), **self.names[kode]}
        return [names[key] for _, key in spec]

    def table(self, columns: list[Column], rows: Any) -> Table:
        """Regions, then the province; ``rows(figures)`` gives the cells after the region's."""
        return Table(
            self.region_columns() + columns,
            [self.region_cells(r) + cells for r in self.regions for cells in rows(r)],
            [self.region_cells(None) + cells for cells in rows(self.result)],
            len(self.region_columns()),
        )

    # -- views ---------------------------------------------------------------------------
    def overlap(self) -> Table:
        dims = self.dimensions
        same = "Dua program berdimensi sama (bukan pasangan pelengkap)"
        concentration = "Konsentrasi: keluarga menurut jumlah program yang menjangkau"
        columns = [
            Column("Keluarga", width=12),
            Column("Semua dimensi", same),
            *(Column(self.labels[d], same) for d in dims),
            Column("Keluarga yang menerima program yang sama dua kali", width=16),
            Column("Keluarga penerima pasangan program pelengkap", width=16),
            *(Column(self.bin_label(b), concentration) for b in self.bins),
        ]

        def row(place: dict[str, Any]) -> list[Cell]:
            o = place.get("overlap") or {}
            by_dim = o.get("by_dimension") or {}
            conc = o.get("concentration") or {}
            dist = conc.get("distribution") or {}
            return [
                Count(place.get("families")),
                Count(o.get("same_dimension_families")),
                *(Count(by_dim.get(d, 0)) for d in dims),
                Count(o.get("same_programme_families")),
                Count(o.get("complementary_families")),
                *(Count(dist.get(b, 0)) for b in self.bins),
            ]

        return self.table(columns, lambda place: [row(place)])

    def bin_label(self, key: str) -> str:
        n = str(key).rstrip("+")
        return f"{n} program atau lebih" if str(key).endswith("+") else f"{n} program"

    def agency_pairs(self) -> Table:
        columns = [
            Column("Instansi 1", width=12),
            Column("Instansi 2", width=12),
            Column("Keluarga yang dijangkau keduanya", width=16),
        ]
        if self.agencies:
            columns += [Column("Nama instansi 1", width=28), Column("Nama instansi 2", width=28)]

        def rows(place: dict[str, Any]) -> list[list[Cell]]:
            pairs = (place.get("overlap") or {}).get("by_agency_pair") or []
            out: list[list[Cell]] = []
            for p in pairs:
                a, b = str(p["agencies"][0]), str(p["agencies"][1])
                names: list[Cell] = [self.agency_name(a), self.agency_name(b)]
                out.append([a, b, Count(p["families"]), *(names if self.agencies else [])])
            return out

        return self.table(columns, rows)

    def agency_matrix(self) -> tuple[list[str], dict[tuple[str, str], int]]:
        pairs = (self.result.get("overlap") or {}).get("by_agency_pair") or []
        shared = {(min(p["agencies"]), max(p["agencies"])): int(p["families"]) for p in pairs}
        agencies = {a for p in pairs for a in p["agencies"]}
        agencies |= {str(p["agency"]) for p in self.programmes.values() if p.get("agency")}
        return sorted(agencies), shared

    def gaps(self) -> Table:
        columns = [Column("Keluarga", width=12)]
        for d in self.dimensions:
            group = f"Terdeprivasi dalam {self.labels[d]}"
            columns += [
                Column("Terdeprivasi", group),
                Column("Dijangkau program berdimensi ini", group),
                Column("Tidak terjangkau", group),
                Column("Tidak terjangkau (%)", group),
            ]
        group = "Miskin multidimensi"
        columns += [
            Column("Miskin", group),
            Column("Dijangkau program apa pun", group),
            Column("Tidak terjangkau", group),
            Column("Tidak terjangkau (%)", group),
        ]

        def triple(g: dict[str, Any], total: str) -> list[Cell]:
            n, unreached = g.get(total), g.get("unreached")
            share = unreached / n if n and unreached is not None else None
            return [
                Count(n),
                Count(g.get("reached")),
                Count(unreached),
                Rate(share, (unreached, n)),
            ]

        def row(place: dict[str, Any]) -> list[Cell]:
            gaps = place.get("gaps") or {}
            cells: list[Cell] = [Count(place.get("families"))]
            for d in self.dimensions:
                cells += triple(gaps.get(d) or {}, "deprived")
            return cells + triple(place.get("poor") or {}, "poor")

        return self.table(columns, lambda place: [row(place)])

    def dimension_agency(self) -> Table:
        seen: dict[str, set[str]] = {d: set() for d in self.dimensions}
        for place in [self.result, *self.regions]:
            for cell in place.get("dimension_agency") or []:
                seen.setdefault(str(cell["dimension"]), set()).add(str(cell["agency"]))
        for p in self.programmes.values():
            for d in p.get("dimensions") or []:
                if d in seen and p.get("agency"):
                    seen[d].add(str(p["agency"]))
        columns: list[Column] = []
        for d in self.dimensions:
            group = self.labels[d]
            columns.append(Column("Keluarga terdeprivasi", group))
            columns += [Column(f"Dijangkau {a}", group, width=11) for a in sorted(seen[d])]
            columns.append(Column("Tidak dijangkau siapa pun", group))

        def row(place: dict[str, Any]) -> list[Cell]:
            cells = {
                (str(c["dimension"]), str(c["agency"])): int(c["families"])
                for c in place.get("dimension_agency") or []
            }
            gaps = place.get("gaps") or {}
            out: list[Cell] = []
            for d in self.dimensions:
                g = gaps.get(d) or {}
                out.append(Count(g.get("deprived")))
                out += [Count(cells.get((d, a), 0)) for a in sorted(seen[d])]
                out.append(Count(g.get("unreached")))
            return out

        return self.table(columns, lambda place: [row(place)])

    def agency_name(self, code: str) -> str:
        return self.agencies.get(code, "")

    def programme_cells(self, code: str, p: dict[str, Any]) -> list[Cell]:
        unit = UNIT_WORDS.get(str(p.get("unit")), str(p.get("unit") or ""))
        agency = str(p.get("agency") or "")
        if self.agencies:
            return [code, agency, self.agency_name(agency), unit]
        return [code, agency, unit]

    def errors(self) -> Table:
        inclusion, exclusion = (
            "Kesalahan inklusi (penerima yang tidak semestinya)",
            "Kesalahan eksklusi",
        )
        columns = [
            Column("Program", width=12),
            Column("Instansi", width=12),
            *([Column("Nama Instansi", width=28)] if self.agencies else []),
            Column("Satuan", width=10),
            *self.region_columns(),
            Column("Penerima"),
            Column("Tidak ditemukan di register", inclusion),
            Column("Sudah keluar dari register (meninggal/pindah)", inclusion),
            Column("Desil 6-10", inclusion),
            Column("Di luar wilayah program", inclusion),
            Column("Kesalahan inklusi (%)", inclusion),
            Column("Memenuhi syarat", exclusion),
            Column("Memenuhi syarat dan menerima", exclusion),
            Column("Kesalahan eksklusi (%)", exclusion),
            Column("Prioritas terlewati"),
            Column("Cakupan (%)", "Cakupan"),
            Column("Cakupan keluarga terdeprivasi (%)", "Cakupan"),
            Column("Baris menunggu tinjauan"),
        ]

        def row(code: str, place: dict[str, Any] | None, p: dict[str, Any]) -> list[Cell]:
            inc = p.get("inclusion") or {}
            reasons = [
                inc.get(k) for k in ("not_found", "left_register", "desil_6_10", "outside_scope")
            ]
            wrong = sum(n or 0 for n in reasons)
            eligible, reached = p.get("eligible"), p.get("eligible_reached")
            missed = eligible - reached if eligible is not None and reached is not None else None
            return [
                *self.programme_cells(code, p),
                *self.region_cells(place),
                Count(p.get("recipients")),
                *(Count(n) for n in reasons),
                Rate(p.get("inclusion_error"), (wrong, p.get("recipients"), *reasons)),
                Count(eligible),
                Count(reached),
                Rate(p.get("exclusion_error"), (missed, eligible, reached)),
                Count(p.get("priority_skipped")),
                Rate(p.get("coverage"), (reached, eligible)),
                Rate(p.get("deprived_coverage"), (p.get("deprived_reached"), p.get("deprived"))),
                Count(p.get("pending_review")),
            ]

        rows = [
            row(code, r, r["programmes"][code])
            for code in self.programmes
            for r in self.regions
            if _present((r.get("programmes") or {}).get(code))
        ]
        totals = [row(code, None, p) for code, p in self.programmes.items()]
        fixed = 4 if self.agencies else 3
        return Table(columns, rows, totals, fixed + len(self.region_columns()))

    def coverage(self) -> Table:
        columns: list[Column] = [Column("Keluarga", width=12)]
        for code, p in self.programmes.items():
            unit = UNIT_WORDS.get(str(p.get("unit")), "unit")
            agency = str(p.get("agency") or "-")
            if self.agency_name(agency):
                agency = f"{agency}: {self.agency_name(agency)}"
            group = f"{code} ({agency}, per {unit})"
            columns += [
                Column("Memenuhi syarat", group),
                Column("Memenuhi syarat dan menerima", group),
                Column("Cakupan (%)", group),
                Column("Keluarga terdeprivasi dalam dimensi program", group),
                Column("Dijangkau", group),
                Column("Cakupan terdeprivasi (%)", group),
            ]

        def row(place: dict[str, Any]) -> list[Cell]:
            cells: list[Cell] = [Count(place.get("families"))]
            for code in self.programmes:
                p = (place.get("programmes") or {}).get(code)
                if p is None:
                    cells += [None] * 6
                    continue
                eligible, reached = p.get("eligible"), p.get("eligible_reached")
                deprived, hit = p.get("deprived"), p.get("deprived_reached")
                cells += [
                    Count(eligible),
                    Count(reached),
                    Rate(p.get("coverage"), (reached, eligible)),
                    Count(deprived),
                    Count(hit),
                    Rate(p.get("deprived_coverage"), (hit, deprived)),
                ]
            return cells

        return self.table(columns, lambda place: [row(place)])


def _cover(out: _Sheets, result: dict[str, Any], below: int, agencies: Mapping[str, str]) -> None:
    ws = out.book.add_worksheet("Sampul")
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 8, 16)
    year = result.get("year")
    snap = result.get("snapshot") or {}
    acuan = "ya" if snap.get("reference") else f"tidak (bukan acuan tahun {year})"
    level = result.get("by")
    info: list[tuple[str, str]] = [
        ("Tahun anggaran", str(year)),
        ("Snapshot register", f"{snap.get('label') or snap.get('id')} (snapshot {snap.get('id')})"),
        ("Tanggal snapshot", _day(snap.get("tanggal"))),
        ("Acuan bersama tahun ini", acuan),
        ("Dasar penerima", BASIS_WORDS.get(str(result.get("basis")), str(result.get("basis")))),
        ("Ukuran kemiskinan", str(result.get("measure"))),
        ("Rincian wilayah", {"desa": "per desa/kelurahan", "kecamatan": "per kecamatan",
                             "kabupaten": "per kabupaten/kota"}.get(str(level), "provinsi saja")),
        ("Keluarga dalam snapshot", angka(result.get("families"))),
        ("Dibuat", waktu_wita()),
    ]  # fmt: skip
    ws.write_string(0, 0, f"Konvergensi program penanggulangan kemiskinan Tahun {year}", out.title)
    r = 2
    for key, value in info:
        ws.write_string(r, 0, key, out.bold)
        ws.write_string(r, 1, value)
        r += 1
    notes = [
        "Buku kerja ini hanya memuat angka agregat: tidak ada NIK, No. KK, nama atau alamat.",
        (
            f"Sel dengan kurang dari {below} keluarga ditampilkan sebagai <{below} (begitu pula "
            "orang, untuk program per orang); persentase yang dihitung dari angka yang "
            "disembunyikan dibiarkan kosong. Baris total provinsi mengikuti aturan yang sama. "
            "Ini penyembunyian primer saja: sel tersembunyi masih dapat dihitung dari sel "
            "di sebelahnya atau dari total, jadi buku kerja ini untuk lokakarya, bukan untuk "
            "diterbitkan apa adanya."
            if below > 1
            else "Semua angka ditampilkan apa adanya (tanpa penyembunyian sel kecil)."
        ),
        (
            "Program ditulis dengan kodenya, instansi dengan kode dan namanya (lihat juga "
            "daftar Instansi di bawah); dimensi dengan namanya."
            if agencies
            else "Program dan instansi ditulis dengan kodenya; dimensi dengan namanya."
        ),
        "Kesalahan Sasaran: program di desa tanpa penerima, tanpa sasaran yang memenuhi "
        "syarat dan tanpa keluarga terdeprivasi tidak diberi baris.",
    ]
    r = _block(out, ws, r + 1, "Catatan", notes)
    r = _block(out, ws, r + 1, "Peringatan", list(result.get("warnings") or []) or ["tidak ada"])
    without = list(result.get("programmes_without_list") or [])
    r = _block(
        out, ws, r + 1, "Program tahun ini tanpa daftar penerima",
        [", ".join(without)] if without else ["tidak ada"],
    )  # fmt: skip
    r = _sources(out, ws, r + 1, result.get("sources") or [])
    if agencies:
        used = sorted({str(p.get("agency")) for p in (result.get("programmes") or {}).values()})
        _block(out, ws, r + 1, "Instansi", [f"{a}: {agencies.get(a, a)}" for a in used])


def _block(out: _Sheets, ws: Any, r: int, title: str, lines: Sequence[str]) -> int:
    ws.write_string(r, 0, title, out.bold)
    for i, line in enumerate(lines, start=r + 1):
        ws.write_string(i, 0, str(line))
    return r + len(lines) + 1


def _sources(out: _Sheets, ws: Any, r: int, sources: Sequence[dict[str, Any]]) -> int:
    ws.write_string(r, 0, "Sumber penerima", out.bold)
    heads = [
        "Program", "Jenis", "Dasar", "Berkas", "Snapshot", "Baris", "Acuan", "Dibuat", "Oleh",
        "Dihitung",
    ]  # fmt: skip
    ws.write_row(r + 1, 0, heads, out.head)
    for i, s in enumerate(sources, start=r + 2):
        ws.write_string(i, 0, str(s.get("programme") or ""))
        ws.write_string(i, 1, KIND_WORDS.get(str(s.get("kind")), str(s.get("kind"))))
        ws.write_string(i, 2, BASIS_WORDS.get(str(s.get("basis")), str(s.get("basis"))))
        ws.write_string(i, 3, str(s.get("file") or "-"))
        ws.write_number(i, 4, int(s.get("snapshot") or 0))
        ws.write_number(i, 5, int(s.get("rows") or 0), out.formats["count", False])
        ws.write_string(i, 6, "bukan acuan" if s.get("off_reference") else "acuan")
        ws.write_string(i, 7, _moment(s.get("dibuat")))
        ws.write_string(i, 8, str(s.get("pelaku") or ""))
        replaced = s.get("replaced_by")
        ws.write_string(i, 9, f"tidak: digantikan #{replaced}" if replaced else "ya")
    if not sources:
        ws.write_string(r + 2, 0, "tidak ada")
        return r + 3
    return r + 2 + len(sources)
