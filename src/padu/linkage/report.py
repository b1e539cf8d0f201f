"""The linkage report (Excel) and the one-row-per-input links file (CSV).

Sheets: Ringkasan (counts by method and band, thresholds, source), Cocok (matched rows by
method, with the register person beside the list row), Antrian Tinjauan (each review
candidate beside its list row, with a Keputusan column a reviewer fills with SAMA or BEDA
and loads back with ``padu review load``), Tidak Cocok (with the reason) and Ganda
(register persons listed on more than one row). NIK and KK are always text.

The report names its ledger twice: on the Ringkasan sheet and in the first column of the
review sheet (which survives a reviewer copying that sheet into a new workbook), so that
``padu review load`` records the decisions against the list they were made on. Both files
are personal data: writing them is audited and they appear whole or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from padu.audit import record_export
from padu.errors import ImportRejected, Problem
from padu.files import atomic_output, check_output_file
from padu.fmt import waktu_wita
from padu.linkage.ledger import LinkRun
from padu.stores import Catalog

METHOD_LABEL = {
    "nik": "NIK sama",
    "nik_repaired": "NIK diperbaiki",
    "nik_awalan": "15 digit NIK (Excel)",
    "probabilistic": "probabilistik",
    "single_candidate": "calon tunggal (nama & tgl lahir)",
    "kk": "No. KK sama",
    "kk_repaired": "No. KK diperbaiki",
    "keluarga_nama": "nama & desa keluarga",
    "review_decision": "keputusan peninjau",
}
REVIEW_SHEET = "Antrian Tinjauan"
SUMMARY_SHEET = "Ringkasan"
DECISION_HEADER = "Keputusan (SAMA/BEDA)"
LEDGER_HEADER = "Ledger"
LIST_COLS = {
    "row": "Baris Data",
    "baris": "Baris Excel",
    "nik_daftar": "NIK (daftar)",
    "kk_daftar": "No. KK (daftar)",
    "nama_daftar": "Nama (daftar)",
    "tanggal_lahir_daftar": "Tgl Lahir (daftar)",
    "desa_daftar": "Desa (daftar)",
    "kecamatan_daftar": "Kecamatan (daftar)",
}
REGISTER_COLS = {
    "nik": "NIK (register)",
    "kk": "No. KK (register)",
    "nama": "Nama (register)",
    "tanggal_lahir": "Tgl Lahir (register)",
    "desa": "Kode Desa (register)",
}
TEXT_COLS = {
    "NIK (daftar)",
    "No. KK (daftar)",
    "NIK (register)",
    "No. KK (register)",
    "Kode Desa (register)",
}


def write_links_csv(run: LinkRun, path: Path, catalog: Catalog, *, actor: str) -> Path:
    """The whole outcome, as a reviewer will see it: ``row,nik,kk,status,score,rank``.

    A matched row is one line (rank 1: the person linked), an unmatched row one line with no
    person and no rank, and a review row one line per candidate (rank 1, 2, ... with that
    candidate's NIK, KK and score).
    """
    path = check_output_file(path, (".csv",))
    decided = run.rows.filter(pl.col("status") != "review").select(
        "row",
        "nik",
        "kk",
        "status",
        "score",
        rank=pl.when(pl.col("status") == "matched").then(pl.lit(1, pl.Int64)),
    )
    queued = run.candidates.select(
        "row", "nik", "kk", status=pl.lit("review"), score="score", rank="rank"
    )
    lines = pl.concat([decided, queued], how="vertical_relaxed").sort(
        "row", "rank", nulls_last=True
    )
    with atomic_output(path) as temp:
        lines.select(
            "row",
            pl.col("nik").fill_null(""),
            pl.col("kk").fill_null(""),
            "status",
            pl.col("score").round(6),
            "rank",
        ).write_csv(temp)
        record_export(catalog, "links_csv", path, actor=actor, ledger=run.ledger.id)
    return path


def write_report(run: LinkRun, path: Path, catalog: Catalog, *, actor: str) -> Path:
    """The Excel report of a linked list (see the module docstring): audited, whole or none."""
    path = check_output_file(path, (".xlsx",))
    with atomic_output(path) as temp:
        _write_report(run, temp)
        record_export(catalog, "link_report", path, actor=actor, ledger=run.ledger.id)
    return path


def _write_report(run: LinkRun, path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    bold = book.add_format({"bold": True})
    text = book.add_format({"num_format": "@"})
    ledger = run.ledger
    summary = book.add_worksheet(SUMMARY_SHEET)
    c = run.counts
    info: list[tuple[str, Any]] = [
        ("Program", ledger.programme),
        ("Tahun", ledger.year),
        ("File sumber", ledger.source_file),
        ("SHA-256 file", ledger.file_sha256),
        ("Snapshot register", ledger.snapshot_id),
        (LEDGER_HEADER, ledger.id),
        ("Dibuat", f"{waktu_wita(ledger.dibuat)} oleh {ledger.pelaku}"),
        ("Satuan daftar", "keluarga (No. KK)" if c.get("unit") == "keluarga" else "orang (NIK)"),
        ("Ambang otomatis", run.bands.auto),
        ("Ambang tinjauan", run.bands.review),
        ("", ""),
        ("Jumlah baris", c["rows"]),
        *((f"Cocok - {label}", c["matched"].get(m, 0)) for m, label in METHOD_LABEL.items()),
        ("Perlu ditinjau", c["matched"]["review"]),
        ("Tidak cocok", c["unmatched"]),
        ("Orang yang tercantum lebih dari sekali", c["duplicates_in_list"]),
        ("Keputusan tinjauan yang dipakai ulang", c["decisions_reused"]),
    ]
    summary.set_column(0, 0, 40)
    summary.set_column(1, 1, 70)
    for i, (k, v) in enumerate(info):
        summary.write(i, 0, k, bold)
        summary.write(i, 1, v)
    summary.write(len(info) + 1, 0, "Pemetaan kolom", bold)
    for i, (f, h) in enumerate(sorted(run.mapping.items()), start=len(info) + 2):
        summary.write(i, 0, f)
        summary.write(i, 1, h)
    aside = run.notes[1:]  # the rows set aside, in sentences
    at = len(info) + len(run.mapping) + 3
    summary.write(at, 0, f"Baris yang tidak ditautkan ({c.get('rows_set_aside', 0)})", bold)
    for i, note in enumerate(aside or ["tidak ada"], start=at + 1):
        summary.write(i, 0, note)

    rows = run.rows.with_columns(
        # a NIK cell typed as a number is shown as the digits the officer sees
        pl.col("nik_daftar").str.replace(r"\.0+$", ""),
        pl.col("score").round(4),
    )
    matched = rows.filter(pl.col("status") == "matched").with_columns(
        pl.col("method").replace_strict(METHOD_LABEL, default=pl.col("method")),
        catatan=_differences(),
    )
    _sheet(
        book, "Cocok", matched,
        {**LIST_COLS, "method": "Metode", "score": "Skor", "agree": "Kolom yang Sesuai",
         **REGISTER_COLS, "catatan": "Catatan (perbaiki di daftar)"},
        head, text,
    )  # fmt: skip
    review = (
        rows.filter(pl.col("status") == "review")
        .select(*LIST_COLS, "reason")
        .join(run.candidates.with_columns(pl.col("score").round(4)), on="row")
        .sort("row", "rank")
        .with_columns(ledger=pl.lit(ledger.id), keputusan=pl.lit(""))
    )
    _sheet(
        book, REVIEW_SHEET, review,
        {"ledger": LEDGER_HEADER, **LIST_COLS, "rank": "Calon ke", "score": "Skor",
         "agree": "Kolom yang Sesuai", **REGISTER_COLS, "reason": "Catatan",
         "keputusan": DECISION_HEADER},
        head, text,
    )  # fmt: skip
    unmatched = rows.filter(pl.col("status") == "unmatched")
    _sheet(
        book, "Tidak Cocok", unmatched,
        {**LIST_COLS, "nik_masalah": "Masalah NIK", "reason": "Alasan"}, head, text,
    )  # fmt: skip
    dup = (
        rows.filter(pl.col("nik").is_not_null())
        .filter(pl.len().over("nik", "kk") > 1)
        .sort("nik", "kk", "row")
    )
    _sheet(book, "Ganda", dup, {**REGISTER_COLS, **LIST_COLS, "status": "Status"}, head, text)
    book.close()


def _sheet(
    book: Any, name: str, frame: pl.DataFrame, cols: dict[str, str], head: Any, text: Any
) -> None:
    sheet = book.add_worksheet(name)
    keep = [c for c in cols if c in frame.columns]
    sheet.freeze_panes(1, 0)  # constant-memory mode: sheet settings before any cell
    for j, c in enumerate(keep):
        sheet.set_column(j, j, 22 if cols[c] in TEXT_COLS else 16)
    sheet.write_row(0, 0, [cols[c] for c in keep], head)
    data = frame.select(keep)
    numeric = [data.schema[c].is_numeric() and cols[c] not in TEXT_COLS for c in keep]
    data = data.with_columns(pl.col(pl.Date).dt.to_string("%d-%m-%Y"))
    for i, rec in enumerate(data.iter_rows(), start=1):
        for j, v in enumerate(rec):
            if v is None:
                continue
            if numeric[j]:
                sheet.write_number(i, j, v)
            else:
                sheet.write_string(i, j, str(v), text)
    sheet.autofilter(0, 0, max(frame.height, 1), max(len(keep) - 1, 0))
    if name == REVIEW_SHEET and keep and frame.height:
        col = keep.index("keputusan")
        sheet.data_validation(
            1, col, frame.height, col, {"validate": "list", "source": ["SAMA", "BEDA"]}
        )


def _differences() -> pl.Expr:
    """What the list got wrong about a person it was linked to, in words, for the officer."""
    listed = pl.col("nik_daftar").str.replace_all(r"[^0-9]", "")
    return pl.concat_str(
        [
            pl.when(pl.col("nik_masalah").is_not_null()).then(pl.col("nik_masalah")),
            pl.when(
                pl.col("nik_masalah").is_null()
                & (listed.str.len_chars() == 16)
                & (listed != pl.col("nik"))
            ).then(pl.lit("NIK di daftar berbeda dengan NIK register")),
            pl.when(
                pl.col("tanggal_lahir_daftar").is_not_null()
                & ~pl.col("agree").str.contains("tanggal_lahir").fill_null(False)
                & pl.col("nik").is_not_null()
            ).then(pl.lit("tanggal lahir di daftar berbeda dengan register")),
        ],
        separator="; ",
        ignore_nulls=True,
    )


@dataclass(frozen=True)
class ReviewSheet:
    """A filled-in review sheet: the ledger it names (if any) and its decisions."""

    ledger: int | None
    decisions: list[tuple[int, int, str]]  # (row, candidate rank, same|different)


def _refused(path: Path, summary: str, reason: str, code: str, row: int | None = None) -> Exception:
    return ImportRejected(summary, [Problem(path.name, row, None, None, reason, code)])


def read_review_sheet(path: Path) -> ReviewSheet:
    """The decisions (SAMA/BEDA) of a report's review sheet and the ledger the report names.

    A file that is not a readable workbook, has no review sheet, or has a cell that is not
    a decision or a row number is refused with every problem listed.
    """
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        rows = book.get_sheet_by_name(REVIEW_SHEET).to_python() if REVIEW_SHEET in names else None
        summary = (
            book.get_sheet_by_name(SUMMARY_SHEET).to_python() if SUMMARY_SHEET in names else []
        )
    except Exception as exc:  # calamine raises its own types for every unreadable file
        raise _refused(
            path, "laporan tidak dapat dibaca", f"bukan buku kerja Excel yang utuh ({exc})",
            "file_tidak_terbaca",
        ) from exc  # fmt: skip
    if rows is None:
        raise _refused(
            path, "laporan tidak berisi lembar tinjauan", f"lembar '{REVIEW_SHEET}' tidak ada",
            "lembar_tidak_ada",
        )  # fmt: skip
    header = [str(h) for h in rows[0]] if rows else []
    need = [LIST_COLS["row"], "Calon ke", DECISION_HEADER]
    missing = [h for h in need if h not in header]
    if missing:
        raise ImportRejected(
            "lembar tinjauan tidak lengkap",
            [Problem(path.name, 1, h, None, "kolom tidak ada", "kolom_tidak_ada") for h in missing],
        )
    i_row, i_rank, i_dec = (header.index(h) for h in need)
    i_ledger = header.index(LEDGER_HEADER) if LEDGER_HEADER in header else None
    ledgers: set[int] = set()
    for r in summary:
        named_here = _whole(r[1]) if len(r) > 1 and str(r[0]).strip() == LEDGER_HEADER else None
        if named_here is not None:
            ledgers.add(named_here)
    out: list[tuple[int, int, str]] = []
    problems: list[Problem] = []
    for n, r in enumerate(rows[1:], start=2):
        value = str(r[i_dec] or "").strip().upper()
        if not value:
            continue
        if value not in ("SAMA", "BEDA"):
            problems.append(
                Problem(path.name, n, DECISION_HEADER, value, "isi SAMA atau BEDA",
                        "keputusan_tidak_valid")
            )  # fmt: skip
            continue
        row, rank = _whole(r[i_row]), _whole(r[i_rank])
        if row is None or rank is None:
            problems.append(
                Problem(path.name, n, f"{LIST_COLS['row']}/Calon ke", None,
                        "nomor baris dan nomor calon harus bilangan bulat", "nomor_tidak_valid")
            )  # fmt: skip
            continue
        if i_ledger is not None and (found := _whole(r[i_ledger])) is not None:
            ledgers.add(found)
        out.append((row, rank, "same" if value == "SAMA" else "different"))
    if len(ledgers) > 1:
        named = ", ".join(map(str, sorted(ledgers)))
        problems.append(
            Problem(path.name, None, LEDGER_HEADER, None,
                    f"laporan menyebut lebih dari satu ledger ({named})", "ledger_ganda")
        )  # fmt: skip
    if problems:
        raise ImportRejected("keputusan tinjauan ditolak", problems)
    return ReviewSheet(next(iter(ledgers), None), out)


def _whole(cell: Any) -> int | None:
    """A spreadsheet cell as a whole number (Excel stores 12 as 12.0), else None."""
    try:
        number = float(str(cell).strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() else None
