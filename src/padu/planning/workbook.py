"""The plan's workbooks: the comparison for the Bappeda workshop and each agency's hand-over.

:func:`write_plan_xlsx` is ``padu plan --format xlsx``: the integrated plan beside the siloed
baseline (every agency ranking its own units and spending alone, exactly ``padu target``),
for the province ("Ringkasan"), by kabupaten ("Per kabupaten") and by programme ("Per
program"), with a sheet on how to read it ("Catatan"). It holds counts and amounts only,
never a NIK, KK or name.

:func:`write_agency_workbook` is what one agency takes into the regional budget cycle
(Renja perangkat daerah, RKPD): "Usulan Renja" with each of its programmes as a
sub-kegiatan of Permendagri 90/2019 (code and name, output indicator, volume, pagu, funding
source, to sign), "Lokasi (desa)" with the plan's units and cost per desa (the location
sheet of the proposal), then each programme's named list (BNBA) as ``padu target`` writes
it, with why the plan chose each unit. It is a personal-data export.

Numbers stay numbers (Excel shows the thousands separator of the reader's locale), with
rupiah, percentage and decimal formats; the text around them goes through :mod:`padu.fmt`.
Neither function audits or renames into place: the caller wraps them in ``atomic_output``
and ``record_export``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from padu.errors import InputError
from padu.fmt import angka, desimal, persen, tanggal_teks, waktu_wita
from padu.planning.result import PlanResult
from padu.programmes.bnba import add_list_sheets
from padu.programmes.model import Programme
from padu.programmes.targeting import TargetList

__all__ = [
    "AGENCY_SHEETS",
    "METRICS",
    "OBJECTIVE_WORDS",
    "PLAN_SHEETS",
    "write_agency_workbook",
    "write_plan_xlsx",
]

PLAN_SHEETS = ("Ringkasan", "Per kabupaten", "Per program", "Catatan")
AGENCY_SHEETS = ("Usulan Renja", "Lokasi (desa)")
OBJECTIVE_WORDS = {
    "lifted": "keluarga miskin yang keluar dari kemiskinan multidimensi",
    "weighted": "deprivasi tertutup berbobot",
}
INTEGRATED, SILOED, DIFFERENCE = "Terpadu", "Sendiri-sendiri", "Selisih"
PROVINCE = "Provinsi (total)"
NOT_GIVEN = "-"


@dataclass(frozen=True)
class Metric:
    """One figure of a plan as the workbooks show it: its METRICS key, label and format."""

    key: str
    label: str
    kind: str  # "count", "rupiah", "rate" (a share shown as %), "decimal"


METRICS = (
    Metric("families_reached", "Keluarga terjangkau", "count"),
    Metric("deprivations_closed", "Deprivasi tertutup", "count"),
    Metric("weighted_deprivations_closed", "Deprivasi tertutup berbobot (dimensi)", "decimal"),
    Metric("poor_before", "Keluarga miskin sebelum", "count"),
    Metric("poor_lifted", "Keluarga miskin terangkat", "count"),
    Metric("H_before", "H (rasio keluarga miskin) sebelum", "rate"),
    Metric("H_after", "H (rasio keluarga miskin) sesudah", "rate"),
    Metric("A_before", "A (intensitas kemiskinan) sebelum", "rate"),
    Metric("A_after", "A (intensitas kemiskinan) sesudah", "rate"),
    Metric("M0_before", "M0 (indeks kemiskinan multidimensi) sebelum", "decimal"),
    Metric("M0_after", "M0 (indeks kemiskinan multidimensi) sesudah", "decimal"),
    Metric("budget_used", "Anggaran terpakai (Rp)", "rupiah"),
    Metric("same_dimension_overlap", "Keluarga dengan tumpang tindih satu dimensi", "count"),
    Metric("cost_per_deprivation_closed", "Biaya per deprivasi tertutup (Rp)", "rupiah"),
)
#: The figures of the by-kabupaten sheet (the main ones, each plan and the difference).
KABUPATEN_METRICS = ("families_reached", "deprivations_closed", "poor_lifted", "M0_after",
                     "budget_used", "same_dimension_overlap")  # fmt: skip
NUMBER_FORMATS = {"count": "#,##0", "rupiah": '"Rp"#,##0', "rate": "0.00%", "decimal": "0.0000"}


class _Formats:
    """The workbook's cell formats: headers, titles, and each kind of number (bold for
    totals)."""

    def __init__(self, book: Any) -> None:
        head = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        self.head = book.add_format({**head, "valign": "top"})
        self.group = book.add_format({**head, "align": "center"})
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self.numbers: dict[tuple[str, bool], Any] = {}
        for bold in (False, True):
            extra = {"bold": True, "top": 1} if bold else {}
            self.numbers["text", bold] = book.add_format({**extra, "num_format": "@"})
            for kind, form in NUMBER_FORMATS.items():
                self.numbers[kind, bold] = book.add_format({**extra, "num_format": form})

    def cell(self, ws: Any, r: int, c: int, value: object, kind: str, bold: bool = False) -> None:
        """A number in its format, text as text, nothing for None."""
        if value is None:
            return
        if isinstance(value, int | float) and not isinstance(value, bool):
            ws.write_number(r, c, value, self.numbers[kind, bold])
        else:
            ws.write_string(r, c, str(value), self.numbers["text", bold])


def _info(ws: Any, f: _Formats, title: str, info: Sequence[tuple[str, str]]) -> int:
    """A title and label/value lines from the top of a sheet; the next free row."""
    ws.write_string(0, 0, title, f.title)
    for r, (label, value) in enumerate(info, start=2):
        ws.write_string(r, 0, label, f.bold)
        ws.write_string(r, 1, value, f.wrap)
    return len(info) + 3


def _print_setup(ws: Any, title: str, *, header_rows: int = 0) -> None:
    """A4 landscape, fitted to the page width, page numbers below (as the BNBA sheets)."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)
    ws.set_header(f"&L&8{title.replace('&', '&&')}&R&8&A")
    ws.set_footer("&L&8Padu, dibuat " + waktu_wita() + "&R&8Halaman &P dari &N")


def _difference(a: object, b: object) -> float | int | None:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a - b
    return None


def _scenario_lines(result: PlanResult) -> list[tuple[str, str]]:
    s = result.scenario
    stored = (
        f"versi {result.version}" if result.version is not None else "preset Padu, tidak diubah"
    )
    return [
        ("Skenario", f"{s.name} ({s.id}), {stored}"),
        ("Tahun anggaran", str(s.year)),
        ("Snapshot register", f"{result.snapshot_label} (nomor {result.snapshot})"),
        ("Tanggal snapshot", tanggal_teks(result.snapshot_date)),
    ]


# -- the comparison workbook ------------------------------------------------------------------


def write_plan_xlsx(path: Path, result: PlanResult) -> None:
    """The integrated plan beside the siloed baseline (only the integrated column when the
    run did not compare), by province, kabupaten and programme."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    f = _Formats(book)
    plans = _plans(result)
    _summary(book, f, result, plans)
    _by_kabupaten(book, f, result, plans)
    _by_programme(book, f, result, plans)
    _notes(book, f, result)
    book.close()


def _plans(result: PlanResult) -> list[tuple[str, dict[str, Any]]]:
    """(column heading, {"province", "kabupaten"}) of each plan shown."""
    plans = [(INTEGRATED, result.metrics.get("integrated") or {})]
    if result.siloed is not None:
        plans.append((SILOED, result.metrics.get("siloed") or {}))
    return plans


def _columns(plans: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [name for name, _ in plans] + ([DIFFERENCE] if len(plans) == 2 else [])


def _values(figures: Sequence[dict[str, Any]], key: str) -> list[Any]:
    """A metric in each plan, then the difference (integrated less siloed) when both."""
    got = [m.get(key) for m in figures]
    return got + ([_difference(got[0], got[1])] if len(got) == 2 else [])


def _summary(
    book: Any, f: _Formats, result: PlanResult, plans: list[tuple[str, dict[str, Any]]]
) -> None:
    from padu.measure.measures import get_measure

    alloc = result.integrated
    seconds = alloc.solve_seconds
    info = [
        *_scenario_lines(result),
        ("Ukuran kemiskinan", result.scenario.measure),
        (
            "Tujuan optimasi",
            OBJECTIVE_WORDS.get(result.scenario.objective, result.scenario.objective),
        ),
        ("Status solver", alloc.status or NOT_GIVEN),
        ("Celah optimalitas", NOT_GIVEN if alloc.gap is None else persen(alloc.gap * 100, 3)),
        ("Jumlah tipe keluarga", NOT_GIVEN if alloc.types is None else angka(alloc.types)),
        ("Waktu solver (detik)", NOT_GIVEN if seconds is None else desimal(seconds, 1)),
        ("Dibuat", waktu_wita()),
    ]
    ws = book.add_worksheet("Ringkasan")
    r = _info(ws, f, f"RENCANA TERPADU: {result.scenario.name}", info)
    columns = _columns(plans)
    province = [m.get("province") or {} for _, m in plans]
    ws.write_string(r, 0, "Ukuran (provinsi)", f.head)
    for c, name in enumerate(columns, start=1):
        ws.write_string(r, c, name, f.head)
    for metric in METRICS:
        r += 1
        ws.write_string(r, 0, metric.label)
        for c, value in enumerate(_values(province, metric.key), start=1):
            f.cell(ws, r, c, value, metric.kind)
    r += 2
    ws.write_string(r, 0, "Deprivasi tertutup menurut dimensi", f.head)
    for c, name in enumerate(columns, start=1):
        ws.write_string(r, c, name, f.head)
    by_dim = [p.get("deprivations_closed_by_dimension") or {} for p in province]
    for d in get_measure(result.scenario.measure).dimensions:
        r += 1
        ws.write_string(r, 0, d.label_id)
        for c, value in enumerate(_values(by_dim, d.id), start=1):
            f.cell(ws, r, c, value, "count")
    ws.set_column(0, 0, 46)
    ws.set_column(1, len(columns), 20)
    _print_setup(ws, f"Rencana terpadu {result.scenario.id}")


def _group_header(
    ws: Any, f: _Formats, at: int, groups: Sequence[tuple[str, Sequence[str]]]
) -> int:
    """Group labels (merged) above their column headers, from column ``at``; the next column."""
    c = at
    for group, heads in groups:
        if len(heads) > 1:
            ws.merge_range(0, c, 0, c + len(heads) - 1, group, f.group)
        else:
            ws.write_string(0, c, group, f.group)
        for h in heads:
            ws.write_string(1, c, h, f.head)
            c += 1
    return c


def _by_kabupaten(
    book: Any, f: _Formats, result: PlanResult, plans: list[tuple[str, dict[str, Any]]]
) -> None:
    ws = book.add_worksheet("Per kabupaten")
    labels = {m.key: m for m in METRICS}
    columns = _columns(plans)
    for c, head in enumerate(("Kode Kabupaten/Kota", "Kabupaten/Kota")):
        ws.write_string(0, c, "", f.group)
        ws.write_string(1, c, head, f.head)
    end = _group_header(ws, f, 2, [(labels[k].label, columns) for k in KABUPATEN_METRICS])
    codes = sorted({k for _, m in plans for k in m.get("kabupaten") or {}})
    rows: list[tuple[str, str, list[dict[str, Any]], bool]] = [
        (
            code,
            result.kabupaten_names.get(code, code),
            [(m.get("kabupaten") or {}).get(code) or {} for _, m in plans],
            False,
        )
        for code in codes
    ]
    rows.append(("", PROVINCE, [m.get("province") or {} for _, m in plans], True))
    for r, (code, name, figures, bold) in enumerate(rows, start=2):
        r += 1 if bold else 0  # a blank row above the province
        f.cell(ws, r, 0, code or None, "text", bold)
        f.cell(ws, r, 1, name, "text", bold)
        c = 2
        for key in KABUPATEN_METRICS:
            for value in _values(figures, key):
                f.cell(ws, r, c, value, labels[key].kind, bold)
                c += 1
    ws.set_row(1, 30)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 26)
    ws.set_column(2, end - 1, 14)
    ws.freeze_panes(2, 2)
    _print_setup(ws, f"Rencana terpadu {result.scenario.id}: per kabupaten", header_rows=2)


def _closes_words(result: PlanResult) -> dict[str, str]:
    """Programme -> the indicators it closes in words, or why it is not optimised."""
    from padu.measure.measures import get_measure

    labels = {i.id: i.label_id for i in get_measure(result.scenario.measure).indicators}
    out = {}
    for sp in result.scenario.programmes:
        if sp.closes:
            out[sp.code] = "Ya: menutup " + "; ".join(labels.get(i, i) for i in sp.closes)
        else:
            out[sp.code] = "Tidak: peringkat program sendiri"
    return out


def _by_programme(
    book: Any, f: _Formats, result: PlanResult, plans: list[tuple[str, dict[str, Any]]]
) -> None:
    ws = book.add_worksheet("Per program")
    closes = _closes_words(result)
    fixed = ("Kode Program", "Nama Program", "Instansi", "Nama Instansi", "Satuan",
             "Dioptimalkan", "Pagu (Rp)", "Kuota")  # fmt: skip
    for c, head in enumerate(fixed):
        ws.write_string(0, c, "", f.group)
        ws.write_string(1, c, head, f.head)
    figures = [
        ("Unit", "units_by_programme", "count"),
        ("Keluarga", "families_by_programme", "count"),
        ("Biaya (Rp)", "budget_by_programme", "rupiah"),
    ]
    end = _group_header(
        ws, f, len(fixed), [(name, [h for h, _, _ in figures]) for name in _columns(plans)]
    )
    province = [m.get("province") or {} for _, m in plans]
    r = 1
    for code, p in result.programmes.items():
        r += 1
        cells: list[tuple[object, str]] = [
            (code, "text"), (p.name, "text"), (p.agency, "text"),
            (result.agencies.get(p.agency, ""), "text"),
            ("keluarga" if p.unit == "keluarga" else "orang", "text"),
            (closes.get(code, "Tidak: peringkat program sendiri"), "text"),
            (p.budget if p.budget is not None else "tanpa batas", "rupiah"),
            (p.quota if p.quota is not None else "tanpa batas", "count"),
        ]  # fmt: skip
        for c, (value, kind) in enumerate(cells):
            f.cell(ws, r, c, value, kind)
        c = len(fixed)
        for _, key, kind in figures:
            per = [(m.get(key) or {}) for m in province]
            for i, value in enumerate(_values(per, code)):
                f.cell(ws, r, c + i * len(figures), value, kind)
            c += 1
    ws.set_row(1, 30)
    for c, width in enumerate((12, 30, 12, 30, 10, 36, 18, 10)):
        ws.set_column(c, c, width, f.wrap if width >= 30 else None)
    ws.set_column(len(fixed), end - 1, 14)
    ws.freeze_panes(2, 1)
    _print_setup(ws, f"Rencana terpadu {result.scenario.id}: per program", header_rows=2)


NOTES = (
    "Cara membaca",
    "Sendiri-sendiri: setiap instansi memeringkat unit yang memenuhi syarat programnya "
    "menurut prioritasnya sendiri dan membelanjakan anggarannya sendiri, tanpa melihat "
    "program lain; persis daftar `padu target` per program.",
    "Terpadu: satu optimasi atas semua anggaran sekaligus (HiGHS), dengan pagu dan kuota "
    "tiap program, syarat kelayakan tiap program, paling banyak satu program per dimensi "
    "per keluarga kecuali pasangan pelengkap, dan batas per kabupaten bila ada.",
    "Program yang tidak menutup indikator apa pun (kolom Dioptimalkan: Tidak) tetap "
    "memakai peringkatnya sendiri, tetapi melewati keluarga yang sudah dilayani program "
    "lain pada dimensinya.",
    "Keluarga miskin terangkat: keluarga miskin multidimensi (data lengkap, skor >= k) "
    "yang skornya di bawah k setelah deprivasi yang ditutup rencana dihapus. H, A dan M0 "
    "dihitung atas keluarga berdata lengkap, seperti `padu mpi`.",
    "Selisih: Terpadu dikurangi Sendiri-sendiri. Celah optimalitas: batas atas jarak "
    "rencana terpadu dari rencana terbaik yang mungkin.",
)


def _notes(book: Any, f: _Formats, result: PlanResult) -> None:
    ws = book.add_worksheet("Catatan")
    ws.write_string(0, 0, NOTES[0], f.title)
    r = 2
    for line in NOTES[1:]:
        ws.write_string(r, 0, line, f.wrap)
        r += 1
    notes = [(sp.code, sp.note) for sp in result.scenario.programmes if sp.note]
    if result.scenario.note or notes:
        r += 1
        ws.write_string(r, 0, "Catatan skenario", f.bold)
        for line in ([result.scenario.note] if result.scenario.note else []) + [
            f"{c}: {n}" for c, n in notes
        ]:
            r += 1
            ws.write_string(r, 0, line, f.wrap)
    r += 2
    ws.write_string(r, 0, "Peringatan", f.bold)
    for line in result.warnings or ["Tidak ada."]:
        r += 1
        ws.write_string(r, 0, line, f.wrap)
    ws.set_column(0, 0, 110)
    _print_setup(ws, f"Rencana terpadu {result.scenario.id}: catatan")


# -- the agency's hand-over ---------------------------------------------------------------------


def write_agency_workbook(path: Path, agency: str, result: PlanResult) -> None:
    """One agency's share of the plan for the budget cycle: the Renja proposal, its desa
    list, and the named list (BNBA) of each of its programmes.

    Raises :class:`InputError` naming the plan's agencies when ``agency`` has no programme
    in it."""
    import xlsxwriter

    mine = [p for p in result.programmes.values() if p.agency == agency]
    if not mine:
        present = sorted({p.agency for p in result.programmes.values()})
        raise InputError(
            f"instansi {agency!r} tidak punya program dalam skenario "
            f"{result.scenario.id}; instansi dalam rencana: {', '.join(present) or '-'}"
        )
    book = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    f = _Formats(book)
    _renja(book, f, agency, mine, result)
    _locations(book, f, agency, mine, result)
    used = set(AGENCY_SHEETS)
    for p in mine:
        target = result.lists.get(p.code)
        if target is not None:
            add_list_sheets(book, target, used, agencies=result.agencies)
    book.close()


def _agency_name(agency: str, result: PlanResult) -> str:
    name = result.agencies.get(agency)
    return f"{agency} - {name}" if name else agency


def _units(target: TargetList | None) -> int:
    return 0 if target is None else target.rows.num_rows


def _costs(target: TargetList | None) -> list[int]:
    """Each listed unit's cost (a list without ``biaya`` spreads its total evenly)."""
    if target is None or target.rows.num_rows == 0:
        return []
    if "biaya" in target.rows.column_names:
        return [int(v or 0) for v in target.rows.column("biaya").to_pylist()]
    n = target.rows.num_rows
    return [target.cost // n + (1 if i < target.cost % n else 0) for i in range(n)]


def _output_unit(p: Programme) -> str:
    return p.output_unit or ("keluarga" if p.unit == "keluarga" else "orang")


RENJA_COLUMNS = (
    ("No", 5), ("Kode Program", 12), ("Nama Program", 28), ("Kode Sub Kegiatan", 16),
    ("Nama Sub Kegiatan", 30), ("Indikator Keluaran", 30), ("Satuan", 12),
    ("Volume (rencana)", 12), ("Pagu (Rp)", 18), ("Biaya Rencana (Rp)", 18),
    ("Sisa Pagu (Rp)", 18), ("Sumber Dana", 14), ("Tahun Anggaran", 10), ("Jumlah Desa", 10),
)  # fmt: skip


def _renja(
    book: Any, f: _Formats, agency: str, programmes: list[Programme], result: PlanResult
) -> None:
    """The Renja/RKPD proposal: a row per programme (sub-kegiatan), totals, notes, signatures."""
    ws = book.add_worksheet("Usulan Renja")
    year = result.scenario.year
    info = [("Instansi", _agency_name(agency, result)), *_scenario_lines(result),
            ("Dibuat", waktu_wita())]  # fmt: skip
    top = _info(ws, f, f"USULAN RENJA/RKPD TAHUN {year}: HASIL RENCANA TERPADU", info)
    for c, (head, width) in enumerate(RENJA_COLUMNS):
        ws.write_string(top, c, head, f.head)
        ws.set_column(c, c, width, f.wrap if width >= 28 else None)
    r = top
    missing: list[str] = []
    budgets = costs = 0
    for n, p in enumerate(programmes, start=1):
        r += 1
        target = result.lists.get(p.code)
        cost = sum(_costs(target))
        costs += cost
        budgets += p.budget or 0
        if not (p.sub_activity_code and p.sub_activity_name):
            missing.append(p.code)
        desa = {row.get("kode_kelurahan_desa") for row in _places(target)}
        cells: list[tuple[object, str]] = [
            (n, "count"), (p.code, "text"), (p.name, "text"),
            (p.sub_activity_code or NOT_GIVEN, "text"), (p.sub_activity_name or NOT_GIVEN, "text"),
            (p.output_indicator or NOT_GIVEN, "text"), (_output_unit(p), "text"),
            (_units(target), "count"),
            (p.budget if p.budget is not None else "tanpa batas", "rupiah"),
            (cost, "rupiah"),
            (p.budget - cost if p.budget is not None else None, "rupiah"),
            (p.funding or NOT_GIVEN, "text"), (str(year), "text"),
            (len(desa), "count"),
        ]  # fmt: skip
        for c, (value, kind) in enumerate(cells):
            f.cell(ws, r, c, value, kind)
    r += 1
    f.cell(ws, r, 2, "Jumlah", "text", bold=True)
    f.cell(ws, r, 8, budgets, "rupiah", bold=True)
    f.cell(ws, r, 9, costs, "rupiah", bold=True)
    notes = [
        "Volume: unit dalam daftar nama (BNBA) rencana terpadu; Biaya rencana: jumlah biaya "
        "unit-unit itu; Pagu: anggaran program dalam skenario.",
        "Lokasi per desa: lembar Lokasi (desa); daftar nama: lembar per program.",
    ]
    if missing:
        notes.append(
            "Kode/nama sub kegiatan (Permendagri 90/2019) belum diisi untuk "
            f"{', '.join(missing)} ('-'): lengkapi sub_activity_code dan sub_activity_name "
            "pada definisi program sebelum diinput ke SIPD."
        )
    r += 2
    ws.write_string(r, 1, "Catatan", f.bold)
    for line in notes:
        r += 1
        ws.write_string(r, 1, line)
    _signatures(ws, r + 2, len(RENJA_COLUMNS), f)
    ws.freeze_panes(top + 1, 0)
    _print_setup(ws, f"Usulan Renja {agency}")


def _signatures(ws: Any, row: int, ncols: int, f: _Formats) -> None:
    """The agency's block: head of the agency on the left, the planner on the right."""
    right = max(ncols - 4, 3)
    ws.write_string(row, 1, "Mengetahui,")
    ws.write_string(row, right, "................................, tanggal ....................")
    ws.write_string(row + 1, 1, "Kepala Perangkat Daerah/Instansi", f.bold)
    ws.write_string(row + 1, right, "Penyusun/Perencana", f.bold)
    for c in (1, right):
        ws.write_string(row + 5, c, "(.........................................................)")
        ws.write_string(row + 6, c, "Nama jelas, NIP dan tanda tangan")


def _places(target: TargetList | None) -> list[dict[str, Any]]:
    """Each listed unit's desa fields."""
    if target is None:
        return []
    cols = ("kode_kelurahan_desa", "kelurahan_desa", "kecamatan", "kabupaten_kota")
    n = target.rows.num_rows
    values = {
        c: target.rows.column(c).to_pylist() if c in target.rows.column_names else [None] * n
        for c in cols
    }
    return [{c: values[c][i] for c in cols} for i in range(n)]


def _locations(
    book: Any, f: _Formats, agency: str, programmes: list[Programme], result: PlanResult
) -> None:
    """Units and cost of each programme per desa, by kabupaten, kecamatan and desa, with
    the totals below."""
    ws = book.add_worksheet("Lokasi (desa)")
    where = ("Kode Desa", "Desa/Kelurahan", "Kecamatan", "Kabupaten/Kota")
    for c, head in enumerate(where):
        ws.write_string(0, c, "", f.group)
        ws.write_string(1, c, head, f.head)
    groups = [(f"{p.code} ({_output_unit(p)})", ["Unit", "Biaya (Rp)"]) for p in programmes]
    end = _group_header(ws, f, len(where), [*groups, ("Semua program", ["Biaya (Rp)"])])
    desa: dict[str, tuple[str, str, str]] = {}
    tally: dict[tuple[str, str], list[int]] = {}  # (desa, programme) -> [units, cost]
    for p in programmes:
        target = result.lists.get(p.code)
        for place, cost in zip(_places(target), _costs(target), strict=True):
            kode = str(place["kode_kelurahan_desa"] or "")
            names = (place["kabupaten_kota"], place["kecamatan"], place["kelurahan_desa"])
            desa.setdefault(kode, tuple(str(v or "") for v in names))  # type: ignore[arg-type]
            got = tally.setdefault((kode, p.code), [0, 0])
            got[0] += 1
            got[1] += cost
    order = sorted(desa, key=lambda k: (*desa[k], k))
    kinds = ["count", "rupiah"] * len(programmes) + ["rupiah"]
    totals = [0] * len(kinds)
    r = 1
    for kode in order:
        r += 1
        kab, kec, name = desa[kode]
        for c, text in enumerate((kode or None, name, kec, kab)):
            f.cell(ws, r, c, text, "text")
        row: list[int] = []
        for p in programmes:
            row += tally.get((kode, p.code), [0, 0])
        row.append(sum(row[1::2]))
        for i, value in enumerate(row):
            f.cell(ws, r, len(where) + i, value or None, kinds[i])
            totals[i] += value
    r += 2
    f.cell(ws, r, 1, "Jumlah", "text", bold=True)
    for i, value in enumerate(totals):
        f.cell(ws, r, len(where) + i, value, kinds[i], bold=True)
    for c, width in enumerate((14, 24, 20, 22)):
        ws.set_column(c, c, width)
    ws.set_column(len(where), end - 1, 14)
    ws.set_row(1, 30)
    ws.freeze_panes(2, 2)
    ws.autofilter(1, 0, max(r - 2, 2), end - 1)
    _print_setup(ws, f"Lokasi usulan {agency}", header_rows=2)
