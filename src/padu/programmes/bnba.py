"""BNBA (by name by address) lists: drawn for release, audited, written as files.

:func:`publish_target_list` and :func:`publish_all` are the services behind ``padu target``:
they check the output path first, draw the list, record the draw (``target.draw``) and
write the file, whose personal-data export is recorded before the file is renamed into
place. Files: Excel with a cover sheet, an all-rows sheet ("Semua") and one sheet per
kecamatan ("Bulungan - Tanjung Palas", ordered by kabupaten then kecamatan), or CSV; every
list of ``target semua`` in one workbook (a sheet per programme) or in a folder (a file each).
:func:`add_list_sheets` puts one list's cover and rows sheet into another workbook (a joint
plan's hand-over to an agency, :mod:`padu.planning.workbook`).

The workbook is what a village meeting (musyawarah desa) reads and signs: Indonesian
headers; sex, relationship, desil and deprivations in words; scores with two decimals and a
comma; dates as "23 Januari 2026"; NIK and KK written as text, never as numbers (Excel
would show them in scientific notation and drop the last digits); a family list shows the
head's name and NIK. Each rows sheet prints on A4 landscape, fitted to the page width, with
the header row repeated on every page, page numbers in the footer, and a signature block
(Mengetahui, Kepala Desa/Lurah; Pendamping; tanggal) after its rows. The CSV keeps
machine-friendly values (codes, ISO dates, unrounded scores) but gives sex and relationship
in words too.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.csv as pacsv

from padu.audit import TARGET_DRAW, record_export, record_exports
from padu.errors import InputError
from padu.files import atomic_folder, atomic_output, check_output_file, check_output_folder
from padu.fmt import angka, desimal, rupiah, tanggal, waktu_wita
from padu.programmes.model import Programme
from padu.programmes.targeting import TargetList, draw_target_list
from padu.register.snapshots import snapshot_table
from padu.schema import normalize_code, register_schema
from padu.sheets.workbook import SIGNATURE_START
from padu.stores import Catalog, Warehouse

SUFFIXES = (".xlsx", ".csv")
KK = "nomor_kartu_keluarga"
NIK = "nomor_induk_kependudukan"
HEAD_NIK = "nik_kepala_keluarga"

HEADERS = {
    "peringkat": "Peringkat",
    "nomor_induk_kependudukan": "NIK",
    "nomor_kartu_keluarga": "No. KK",
    "nama": "Nama",
    "jenis_kelamin": "Jenis Kelamin",
    "tanggal_lahir": "Tanggal Lahir",
    "status_hubungan_keluarga": "Hubungan dengan KK",
    "nama_anggota_keluarga": "Nama Kepala Keluarga",
    HEAD_NIK: "NIK Kepala Keluarga",
    "alamat": "Alamat",
    "kelurahan_desa": "Desa/Kelurahan",
    "kecamatan": "Kecamatan",
    "kabupaten_kota": "Kabupaten/Kota",
    "kode_kelurahan_desa": "Kode Desa",
    "desil_nasional": "Desil Nasional",
    "skor_deprivasi": "Skor Deprivasi (Padu-7)",
    "alasan": "Alasan Memenuhi Syarat",
    "alasan_rencana": "Alasan dipilih rencana",
    "deprivasi": "Deprivasi (Padu-7)",
    "komponen": "Komponen",
    "biaya": "Biaya",
}
TEXT = {NIK, KK, HEAD_NIK, "kode_kelurahan_desa"}
#: Coded columns written with their code list's words (the CSV keeps desil as a number).
WORDS = {"jenis_kelamin": "jenis_kelamin", "status_hubungan_keluarga": "status_hubungan_keluarga"}
WIDTHS = {"alasan": 48, "alasan_rencana": 48, "deprivasi": 40, "alamat": 30, "nama": 24,
          "nama_anggota_keluarga": 24, "komponen": 28, "kelurahan_desa": 18, "kecamatan": 16,
          "kabupaten_kota": 18}  # fmt: skip
ALL_ROWS = "Semua"
#: The most list rows one sheet holds: Excel's 1,048,576 rows less the header and the
#: signature block.
MAX_SHEET_ROWS = 1_048_576 - 1 - 16
NO_KECAMATAN = "Tanpa kecamatan"
#: Characters Excel refuses in a sheet name.
_BAD_SHEET = str.maketrans(dict.fromkeys("[]:*?/\\", "-"))


def _columns(rows: pa.Table) -> list[str]:
    return [c for c in HEADERS if c in rows.column_names]


@cache
def _labels(code_list: str) -> dict[str, str]:
    return {c.code: c.label_id for c in register_schema().code_lists[code_list].codes}


def _word(code_list: str, value: object) -> str | None:
    """A code in words ("Perempuan"); a code the list lacks stays as it is."""
    if value is None or value == "":
        return None
    return _labels(code_list).get(normalize_code(str(value)), str(value))


@cache
def _indicator_labels() -> dict[str, str]:
    from padu.measure.measures import get_measure

    return {i.id: i.label_id for i in get_measure("padu-7").indicators}


def _deprivations(text: object) -> str:
    """``rumah_tidak_layak; tanpa_listrik`` as the indicators' labels."""
    ids = [t.strip() for t in str(text or "").split(";") if t.strip()]
    return "; ".join(_indicator_labels().get(i, i) for i in ids)


def _desil(value: object) -> str:
    if value is None or str(value).strip() == "":
        return "Belum ditentukan"
    return _word("desil", value) or str(value)


def write_csv(target: TargetList, path: Path) -> None:
    """The list as CSV (no audit: call :func:`write_bnba` for a user's file).

    Machine-friendly values (codes, ISO dates, unrounded scores), with sex and relationship
    in words as in the workbook."""
    cols = _columns(target.rows)
    table = target.rows.select(cols)
    for col, code_list in WORDS.items():
        if col in cols:
            words = [_word(code_list, v) for v in table.column(col).to_pylist()]
            table = table.set_column(cols.index(col), col, pa.array(words, pa.string()))
    pacsv.write_csv(table.rename_columns([HEADERS[c] for c in cols]), path)


def write_xlsx(
    target: TargetList, path: Path, *, agencies: Mapping[str, str] | None = None
) -> None:
    """The list as a workbook: cover, all rows, one sheet per kecamatan (no audit).

    ``agencies`` (code -> name) names the programme's agency on the cover."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    formats = _formats(book)
    fits = target.rows.num_rows <= MAX_SHEET_ROWS
    _cover(book, "Sampul", target, formats, agencies or {}, whole=fits)
    columns = _prepared(target.rows, formats)
    used: set[str] = {"Sampul"}
    if fits:
        everything = range(target.rows.num_rows)
        _rows_sheet(book, _sheet_name(ALL_ROWS, used), target, columns, everything, formats)
    # a kecamatan's sheet leaves out the kecamatan and kabupaten columns (its name and
    # page header say them): narrower when printed
    local = [c for c in columns if c.header not in ("kecamatan", "kabupaten_kota")]
    for (kab, kec), part in _by_kecamatan(target.rows):
        name = _sheet_name(_kecamatan_sheet(kab, kec), used)
        place = f"Kecamatan {kec}, {kab}" if kab else f"Kecamatan {kec}"
        _rows_sheet(book, name, target, local, part, formats, place=place)
    book.close()


def write_workbook(
    targets: Sequence[TargetList], path: Path, *, agencies: Mapping[str, str] | None = None
) -> None:
    """Several lists in one workbook: a cover sheet and a rows sheet per programme."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": False})
    used: set[str] = set()
    for target in targets:
        add_list_sheets(book, target, used, agencies=agencies)
    book.close()


def add_list_sheets(
    book: Any,
    target: TargetList,
    used: set[str],
    *,
    agencies: Mapping[str, str] | None = None,
) -> list[str]:
    """One list's cover ("Sampul KODE") and rows sheet ("KODE") added to an open
    xlsxwriter workbook, so another workbook (a plan's hand-over to an agency) carries the
    same BNBA as ``padu target`` writes; the sheet names used.

    ``used`` holds the workbook's sheet names so far (the new ones are added to it). A list
    longer than a sheet continues on "KODE (2)", "KODE (3)", ...
    """
    formats = _formats(book)
    code = target.programme.code
    names = [_sheet_name(f"Sampul {code}", used)]
    _cover(book, names[0], target, formats, agencies or {})
    columns = _prepared(target.rows, formats)
    n = target.rows.num_rows
    for part, start in enumerate(range(0, max(n, 1), MAX_SHEET_ROWS), start=1):
        names.append(_sheet_name(code if part == 1 else f"{code} ({part})", used))
        rows = range(start, min(start + MAX_SHEET_ROWS, n))
        _rows_sheet(book, names[-1], target, columns, rows, formats)
    return names


def _by_kecamatan(rows: pa.Table) -> list[tuple[tuple[str, str], list[int]]]:
    """Row numbers per (kabupaten, kecamatan), ordered by kabupaten then kecamatan name;
    in a sheet by desa, then rank (the rows are in rank order)."""
    n = rows.num_rows

    def column(name: str) -> list[Any]:
        return rows.column(name).to_pylist() if name in rows.column_names else [None] * n

    kabs, kecs, desas = column("kabupaten_kota"), column("kecamatan"), column("kelurahan_desa")
    groups: dict[tuple[str, str], list[int]] = {}
    for i in range(n):
        key = (str(kabs[i] or ""), str(kecs[i] or "") or NO_KECAMATAN)
        groups.setdefault(key, []).append(i)
    for part in groups.values():
        part.sort(key=lambda i: str(desas[i] or ""))  # stable: rank order within a desa
    return sorted(groups.items(), key=lambda kv: (_short_kabupaten(kv[0][0]), kv[0][1]))


def _short_kabupaten(name: str) -> str:
    """ "Kabupaten Bulungan" -> "Bulungan"; "Kota Tarakan" -> "Tarakan"."""
    for prefix in ("Kabupaten ", "Kab. ", "Kota "):
        if name.lower().startswith(prefix.lower()):
            return name[len(prefix) :]
    return name


def _kecamatan_sheet(kab: str, kec: str) -> str:
    """ "Bulungan - Tanjung Palas", shortened to Excel's 31 characters (the kecamatan kept
    whole where it fits)."""
    kab, kec = _short_kabupaten(kab).translate(_BAD_SHEET), kec.translate(_BAD_SHEET)
    if not kab:
        return kec[:31]
    room = 31 - len(" - ") - len(kec)
    if room >= 3:
        return f"{kab[:room]} - {kec}"
    return f"{kab[:8]} - {kec}"[:31]


def _formats(book: Any) -> dict[str, Any]:
    return {
        "bold": book.add_format({"bold": True}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "head": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "text": book.add_format({"num_format": "@", "valign": "top"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "cell": book.add_format({"valign": "top"}),
        "rupiah": book.add_format({"num_format": '"Rp"#,##0', "valign": "top"}),
        "center": book.add_format({"align": "center"}),
    }


def _sheet_name(wanted: str, used: set[str]) -> str:
    """A unique sheet name of at most 31 characters (Excel's limits)."""
    name = wanted[:31]
    n = 1
    while name in used:
        n += 1
        name = wanted[: 31 - len(f" ~{n}")] + f" ~{n}"
    used.add(name)
    return name


def _agency(p: Programme, agencies: Mapping[str, str]) -> str:
    name = agencies.get(p.agency)
    return f"{p.agency} - {name}" if name else p.agency


def _total_cost(target: TargetList) -> int:
    if "biaya" in target.rows.column_names:
        return int(sum(v or 0 for v in target.rows.column("biaya").to_pylist()))
    return target.cost


def _cover(
    book: Any,
    name: str,
    target: TargetList,
    formats: dict[str, Any],
    agencies: Mapping[str, str],
    *,
    whole: bool = True,
) -> None:
    from padu.rules import parse
    from padu.rules.explain import clauses, sentence

    p = target.programme
    cover = book.add_worksheet(name)
    info: list[tuple[str, str]] = [
        ("Program", f"{p.code} - {p.name}"),
        ("Instansi", _agency(p, agencies)),
        ("Sumber dana", p.funding or "-"),
        ("Tahun anggaran", str(p.fiscal_year)),
        ("Unit sasaran", "keluarga" if p.unit == "keluarga" else "orang"),
        # one condition a line: every line must hold
        ("Syarat", "\n".join(sentence(c) for c in clauses(parse(p.rule)))),
        ("Syarat anggota", sentence(parse(p.member_rule), member=True) if p.member_rule else "-"),
        ("Aturan kelayakan (teks aturan)", p.rule),
        ("Aturan anggota (teks aturan)", p.member_rule or "-"),
    ]
    budget_cycle = [
        ("Kode sub kegiatan", getattr(p, "sub_activity_code", "")),
        ("Nama sub kegiatan", getattr(p, "sub_activity_name", "")),
        ("Indikator keluaran", getattr(p, "output_indicator", "")),
        ("Satuan keluaran", getattr(p, "output_unit", "")),
        ("Volume keluaran", angka(v) if (v := getattr(p, "output_volume", None)) else ""),
        ("Tag", ", ".join(getattr(p, "tags", ()) or ())),
    ]
    info += [(k, v) for k, v in budget_cycle if v]
    if getattr(p, "long_list", False):
        note = getattr(p, "long_list_note", "") or ""
        mark = "Ya: daftar panjang untuk verifikasi lapangan/penyaringan oleh instansi"
        info.append(("Daftar panjang", f"{mark}. {note}".strip() if note else mark))
    info += [
        ("Versi aturan", str(target.version)),
        ("Snapshot register", str(target.snapshot)),
        ("Wilayah", target.region or "seluruh cakupan program"),
        ("Memenuhi syarat", angka(target.eligible)),
        ("Terpilih", angka(target.selected)),
    ]
    if p.unit_cost and "biaya" not in target.rows.column_names:
        info.append(("Biaya per unit", rupiah(p.unit_cost)))
    if p.quota is not None:
        info.append(("Kuota", angka(p.quota)))
    if p.budget is not None:
        info.append(("Anggaran", rupiah(p.budget)))
    info += [
        ("Total biaya", rupiah(_total_cost(target))),
        ("Dibuat", waktu_wita()),
        ("Hash isi (SHA-256)", target.hash),
    ]
    if not whole:
        info.append((
            "Catatan",
            f"Daftar melebihi {angka(MAX_SHEET_ROWS)} baris (batas satu lembar Excel): tanpa "
            "lembar Semua; lihat lembar per kecamatan atau ekspor CSV.",
        ))  # fmt: skip
    cover.write(0, 0, "DAFTAR SASARAN BY NAME BY ADDRESS (BNBA)", formats["title"])
    for r, (k, v) in enumerate(info, start=2):
        cover.write_string(r, 0, k, formats["bold"])
        cover.write_string(r, 1, v, formats["wrap"])
    cover.set_column(0, 0, 30)
    cover.set_column(1, 1, 100)
    _print_setup(cover, target, landscape=False)


@dataclass(frozen=True)
class _Column:
    """A column as written: its header, each row's value (None: blank), and how."""

    header: str
    values: list[Any]
    text: bool
    format: Any


def _converter(col: str, kind: pa.DataType) -> tuple[Callable[[Any], Any], bool]:
    """How a column's values are written: (value -> cell value, as text?)."""
    if col == "desil_nasional":
        return _desil, True
    if col in WORDS:
        return lambda v, cl=WORDS[col]: _word(cl, v), True
    if col == "skor_deprivasi":
        return lambda v: None if v is None else desimal(float(v), 2), True
    if col == "deprivasi":
        return lambda v: _deprivations(v) or None, True
    if col in TEXT or pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return lambda v: None if v is None or v == "" else str(v), True
    if pa.types.is_date(kind):
        return lambda v: None if v is None else tanggal(v), True
    if pa.types.is_floating(kind) and col != "biaya":
        return lambda v: None if v is None else desimal(float(v), 2), True
    return lambda v: v, False


def _prepared(rows: pa.Table, formats: dict[str, Any]) -> list[_Column]:
    """Every listed column converted once (codes to words, dates and scores to text), so a
    row written to two sheets is converted once; repeated values are converted once."""
    out = []
    for col in _columns(rows):
        convert, text = _converter(col, rows.schema.field(col).type)
        memo: dict[Any, Any] = {}
        values = []
        for v in rows.column(col).to_pylist():
            if v not in memo:
                memo[v] = convert(v)
            values.append(memo[v])
        if col == "biaya":
            fmt = formats["rupiah"]
        elif text:
            fmt = formats["wrap"] if col in WIDTHS else formats["text"]
        else:
            fmt = formats["cell"]
        out.append(_Column(col, values, text, fmt))
    return out


def _rows_sheet(
    book: Any,
    name: str,
    target: TargetList,
    columns: list[_Column],
    rows: Sequence[int],
    formats: dict[str, Any],
    *,
    place: str = "",
) -> None:
    """A rows sheet: header, the given rows, print setup (``place`` in the page header),
    the signature block."""
    ws = book.add_worksheet(name)
    for c, col in enumerate(columns):
        width = WIDTHS.get(col.header, 20 if col.header in TEXT else 13)
        ws.set_column(c, c, width, formats["wrap"] if col.header in WIDTHS else None)
        ws.write_string(0, c, HEADERS[col.header], formats["head"])
    plan = [
        (c, col.values, ws.write_string if col.text else ws.write_number, col.format)
        for c, col in enumerate(columns)
    ]
    for r, i in enumerate(rows, start=1):
        for c, values, write, fmt in plan:
            value = values[i]
            if value is not None:
                write(r, c, value, fmt)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), max(len(columns) - 1, 0))
    _print_setup(ws, target, landscape=True, place=place)
    _signatures(ws, len(rows) + 2, len(columns), formats)


def _print_setup(ws: Any, target: TargetList, *, landscape: bool, place: str = "") -> None:
    """A4, fitted to the page width, header row on every page, page numbers below."""
    p = target.programme
    ws.set_paper(9)  # A4
    if landscape:
        ws.set_landscape()
        ws.repeat_rows(0)
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    title = f"{p.code} - {p.name}".replace("&", "&&")
    where = place.replace("&", "&&")
    ws.set_header(f"&L&8BNBA {title}&C&8{where}&R&8&A")
    ws.set_footer("&L&8Padu, dibuat " + waktu_wita() + "&R&8Halaman &P dari &N")


#: The block the village meeting signs under each sheet's rows.
SIGNATURE_LINES = (
    SIGNATURE_START,  # where a reader of the sheet stops (padu.sheets)
    "Tanggal musyawarah: ..............................................",
)


def _signatures(ws: Any, row: int, ncols: int, formats: dict[str, Any]) -> None:
    """The musyawarah desa block: date line, then "Mengetahui, Kepala Desa/Lurah" on the
    left and the pendamping on the right, with room to sign and the names below."""
    right = max(ncols - 3, 3)
    r = row
    for line in SIGNATURE_LINES:
        ws.write_string(r, 1, line)
        r += 1
    r += 1
    ws.write_string(r, 1, "Mengetahui,")
    ws.write_string(r, right, "................................, tanggal ....................")
    ws.write_string(r + 1, 1, "Kepala Desa/Lurah ................................", formats["bold"])
    ws.write_string(r + 1, right, "Pendamping ................................", formats["bold"])
    ws.write_string(r + 5, 1, "(.........................................................)")
    ws.write_string(r + 5, right, "(.........................................................)")
    ws.write_string(r + 6, 1, "Nama jelas dan tanda tangan")
    ws.write_string(r + 6, right, "Nama jelas dan tanda tangan")


def with_heads(wh: Warehouse, catalog: Catalog, target: TargetList) -> TargetList:
    """A family list with each family's head NIK (``nik_kepala_keluarga``) next to the
    head's name; a person list as it is. A family without a member marked as head (or
    with only a blank NIK) gets a blank."""
    if target.programme.unit != "keluarga" or KK not in target.rows.column_names:
        return target
    ind = snapshot_table(wh, catalog, target.snapshot, "individu")
    heads = ind.filter((ind.status_hubungan_keluarga == "1") & ind[NIK].notnull())
    heads = heads.group_by(_kk=heads[KK]).aggregate(_nik=heads[NIK].min())
    kks = ibis.memtable(
        pa.table({"_want": pa.array(target.rows.column(KK).to_pylist(), pa.string())})
    )
    found = kks.join(heads, kks["_want"] == heads["_kk"]).select("_want", "_nik").to_pyarrow()
    niks = dict(
        zip(found.column("_want").to_pylist(), found.column("_nik").to_pylist(), strict=True)
    )
    column = pa.array([niks.get(k) for k in target.rows.column(KK).to_pylist()], pa.string())
    return dataclasses.replace(target, rows=target.rows.append_column(HEAD_NIK, column))


def _agency_names(catalog: Catalog) -> dict[str, str]:
    return {a.code: a.name for a in catalog.agencies()}


def write_bnba(target: TargetList, path: Path, catalog: Catalog, *, actor: str) -> Path:
    """Write one list as a BNBA file (.xlsx or .csv); audited, renamed into place whole."""
    path = check_output_file(path, SUFFIXES)
    with atomic_output(path) as temp:
        if path.suffix.lower() == ".xlsx":
            write_xlsx(target, temp, agencies=_agency_names(catalog))
        else:
            write_csv(target, temp)
        record_export(catalog, "bnba", path, actor=actor, **target.summary())
    return path


def publish_target_list(
    wh: Warehouse,
    catalog: Catalog,
    programme: Programme,
    version: int,
    snapshot: str | int,
    *,
    actor: str,
    region: str | None = None,
    out: Path | None = None,
) -> TargetList:
    """Draw a programme's list, record the draw, and write its BNBA file when ``out`` is given.

    The output path is checked before anything is drawn or recorded.
    """
    if out is not None:
        check_output_file(out, SUFFIXES)
    with wh.scratch():  # no temporary table outlives the call (a server makes thousands)
        target = draw_target_list(wh, catalog, programme, version, snapshot, region=region)
        if out is not None:
            target = with_heads(wh, catalog, target)
    catalog.record(TARGET_DRAW, target.summary(), actor)
    if out is not None:
        write_bnba(target, out, catalog, actor=actor)
    return target


def publish_all(
    wh: Warehouse,
    catalog: Catalog,
    programmes: Sequence[tuple[Programme, int]],
    snapshot: str | int,
    *,
    actor: str,
    region: str | None = None,
    out: Path | None = None,
) -> list[TargetList]:
    """Every programme's list; ``out`` is one workbook (.xlsx) or a folder of BNBA files.

    A workbook holds a cover and a rows sheet per programme; a folder gets ``KODE.xlsx``
    per programme (existing other files are kept). Either appears whole or not at all,
    with one personal-data export recorded per list. A .csv cannot hold several lists and
    is refused before any work, as is a missing parent folder.
    """
    as_book = out is not None and out.suffix.lower() == ".xlsx"
    if out is not None:
        if out.suffix.lower() == ".csv":
            raise InputError(
                f"{out}: satu CSV hanya memuat satu daftar; untuk semua program beri berkas "
                ".xlsx (satu lembar per program) atau folder (satu berkas per program)"
            )
        if as_book:
            check_output_file(out, (".xlsx",))
        elif out.suffix and not out.is_dir():
            raise InputError(
                f"{out}: beri berkas .xlsx atau nama folder untuk daftar semua program"
            )
        else:
            check_output_folder(out)
    if not programmes:
        raise InputError(
            "belum ada program; impor dulu (padu programme import preset:kaltara-2026)"
        )
    targets = []
    with wh.scratch():  # the snapshot's features are shared by every draw, then dropped
        for programme, version in programmes:
            target = draw_target_list(wh, catalog, programme, version, snapshot, region=region)
            catalog.record(TARGET_DRAW, target.summary(), actor)
            targets.append(target if out is None else with_heads(wh, catalog, target))
    if out is None:
        return targets
    agencies = _agency_names(catalog)
    if as_book:
        with atomic_output(out) as temp:
            write_workbook(targets, temp, agencies=agencies)
            record_exports(catalog, "bnba", [(out, t.summary()) for t in targets], actor=actor)
        return targets
    with atomic_folder(out) as folder:
        written = []
        for t in targets:
            name = f"{_file_stem(t.programme.code)}.xlsx"
            write_xlsx(t, folder / name, agencies=agencies)
            written.append((out.resolve() / name, t.summary()))
        record_exports(catalog, "bnba", written, actor=actor)
    return targets


def _file_stem(code: str) -> str:
    """A programme code as a file name: letters, digits, dash and underscore only."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in code) or "program"
