"""Importing an extract as a new snapshot: accepted whole or not at all.

Order of writes (DESIGN.md §3): validate everything in memory; on any structural error
write only the report and the rejects files and stop. Otherwise
:func:`padu.register.snapshots.write_snapshot` records a pending batch, writes the warehouse
rows under it, then commits the catalog row that makes the batch visible.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from padu.errors import ImportRejected, InputError, Problem
from padu.files import atomic_output
from padu.fmt import angka
from padu.regions import kaltara
from padu.register.reader import FILE, ROW, RawFile, read_file
from padu.register.snapshots import write_snapshot
from padu.register.validate import RID, validate
from padu.schema import LEVELS, Level, register_schema
from padu.stores import Catalog, Warehouse

Progress = Callable[[str], None]
#: The one file-level note that does not refuse an import (the column is ignored).
UNKNOWN_COLUMN = "kolom_tidak_dikenal"
#: A row the parser could not split into the header's columns: refused with the other rows.
BROKEN_ROW = "baris_rusak"
#: The column of a rejects file that says why its row was refused.
REASON = "alasan_penolakan"
#: Rows written at a time to a rejects file (a copy of a whole file would double the peak).
CHUNK_ROWS = 100_000


@dataclass
class ImportResult:
    """What an accepted import created."""

    snapshot: int
    label: str
    tanggal: dt.date
    families: int
    individuals: int
    findings: dict[str, int] = field(default_factory=dict)
    scheme: str = "kemendagri"
    rejected_rows: int = 0

    def to_dict(self) -> dict[str, object]:
        return {
            "snapshot": self.snapshot,
            "label": self.label,
            "snapshot_date": self.tanggal.isoformat(),
            "families": self.families,
            "individuals": self.individuals,
            "rejected_rows": self.rejected_rows,
            "region_scheme": self.scheme,
            "quality_findings": self.findings,
        }


def _noop(_: str) -> None:
    return None


def import_register(
    paths: Sequence[Path],
    warehouse: Warehouse,
    catalog: Catalog,
    *,
    snapshot_date: dt.date,
    label: str | None = None,
    rejects_dir: Path,
    actor: str,
    progress: Progress = _noop,
    today: dt.date | None = None,
) -> ImportResult:
    """Validate ``paths`` (family and member files) and store them as one new snapshot."""
    if not paths:
        raise InputError("tidak ada file untuk diimpor")
    progress("membaca file")
    files = [read_file(Path(p)) for p in paths]
    problems = _file_problems(files)
    if any(p.code not in (UNKNOWN_COLUMN, BROKEN_ROW) for p in problems):
        # a file problem alone: checking rows would repeat it once per row (every member
        # "without a family" when the family file is empty, every NIK blank when two
        # columns mean NIK)
        raise _refuse_files(problems, rejects_dir)
    by_level: dict[Level, list[RawFile]] = {
        lv: [f for f in files if f.level == lv and f.frame is not None] for lv in LEVELS
    }

    progress("memeriksa isi")
    placed = _placement(files)
    frames = {lv: _level_frame(by_level[lv]) for lv in LEVELS}
    for f in files:
        f.frame = None  # ``frames`` holds the only copy, which validation frees level by level
    checked = validate(frames, kaltara(), catalog.crosswalk(), today)
    if checked.structural.height or any(p.code == BROKEN_ROW for p in problems):
        structural, quality = checked.structural, checked.quality
        del checked  # the typed rows: a refusal needs only the findings (and the files again)
        raise _reject(placed, structural, quality, problems, rejects_dir)

    progress("menulis ke warehouse")
    row = write_snapshot(
        warehouse, catalog, checked, problems,
        snapshot_date=snapshot_date, label=label, paths=paths, actor=actor, progress=progress,
    )  # fmt: skip
    counts = dict(Counter(checked.quality.get_column("kode").to_list()))
    return ImportResult(
        row.id, row.label, row.tanggal, row.keluarga, row.individu, counts, checked.scheme
    )


def _file_problems(files: list[RawFile]) -> list[Problem]:
    """Problems of whole files: unreadable, missing sets or required columns, unknown columns."""
    problems = [p for f in files for p in f.problems]
    names = ", ".join(f.name for f in files)
    if not any(f.level is None for f in files):
        for lv in LEVELS:
            if not any(f.level == lv and f.frame is not None for f in files):
                problems.append(
                    Problem(
                        names,
                        None,
                        None,
                        None,
                        f"tidak ada file set {lv} di antara file yang diberikan",
                        "set_hilang",
                    )
                )
    for f in files:
        if f.level is None or f.match is None:
            continue
        present = set(f.match.mapping.values())
        problems.extend(
            Problem(
                f.name,
                f.header_row,
                m,
                None,
                "kolom wajib tidak ada di header",
                "kolom_wajib_hilang",
            )
            for m in register_schema().required(f.level)
            if m not in present
        )
        problems.extend(
            Problem(f.name, f.header_row, u, None, "kolom tidak dikenal; diabaikan", UNKNOWN_COLUMN)
            for u in f.match.unknown
        )
    return problems


@dataclass(frozen=True)
class _Placed:
    """Where one file's rows sit among its level's rows, for writing its rejects files."""

    path: Path
    level: Level
    offset: int  # the row id of its first row (row ids number a level's files in order)
    rows: int
    columns: list[str]  # its columns in the order of the level's columns, first file first


def _placement(files: list[RawFile]) -> list[_Placed]:
    """The place of every read file among its level's rows (see :func:`_level_frame`)."""
    offsets = dict.fromkeys(LEVELS, 0)
    order: dict[Level, dict[str, None]] = {lv: {} for lv in LEVELS}
    placed = []
    for f in files:
        if f.level is None or f.frame is None:
            continue
        order[f.level].update(dict.fromkeys(f.frame.columns))
        own = set(f.frame.columns)
        columns = [c for c in order[f.level] if c in own]
        placed.append(_Placed(f.path, f.level, offsets[f.level], f.frame.height, columns))
        offsets[f.level] += f.frame.height
    return placed


def _level_frame(files: list[RawFile]) -> pl.DataFrame:
    """All rows of one level, in file order (the order that defines row ids)."""
    parts = [f.frame for f in files if f.frame is not None]
    if not parts:
        return pl.DataFrame(schema={FILE: pl.String, ROW: pl.Int64})
    return pl.concat(parts, how="diagonal_relaxed")


def _refuse_files(problems: list[Problem], rejects_dir: Path) -> ImportRejected:
    """Write the report of file problems; return the error that refuses the import."""
    report = _write_report(problems, None, rejects_dir)
    structural = [p for p in problems if p.code != UNKNOWN_COLUMN]
    what = (
        structural[0].describe()
        if len(structural) == 1
        else f"{angka(len(structural))} masalah pada file"
    )
    return ImportRejected(
        summary=(
            f"impor ditolak: {what}; baris belum diperiksa dan tidak ada yang ditulis. "
            f"Laporan: {report}"
        ),
        problems=structural,
        report_path=report,
    )


def _write_report(
    problems: Sequence[Problem], quality: pl.DataFrame | None, rejects_dir: Path
) -> Path:
    """``laporan.csv``: every problem with its file, row, column, value and reason.

    The values stay as they are in the file: the operator needs them to find and fix the
    row (messages and JSON show them masked, docs/import-validation.md).
    """
    rejects_dir.mkdir(parents=True, exist_ok=True)
    schema = {
        "file": pl.String,
        "baris": pl.Int64,
        "kolom": pl.String,
        "nilai": pl.String,
        "alasan": pl.String,
        "kode": pl.String,
        "jenis": pl.String,
    }
    rows = pl.DataFrame(
        [
            {
                "file": p.file,
                "baris": p.row,
                "kolom": p.column,
                "nilai": p.value,
                "alasan": p.reason,
                "kode": p.code,
                "jenis": "struktural" if p.code != UNKNOWN_COLUMN else "info",
            }
            for p in problems
        ],
        schema=schema,
    )
    if quality is not None:
        rows = pl.concat([rows, quality.cast(schema)])  # type: ignore[arg-type]
    report = rejects_dir / "laporan.csv"
    with atomic_output(report) as tmp:
        rows.write_csv(tmp)
    return report


def _reject(
    placed: list[_Placed],
    structural: pl.DataFrame,
    quality_findings: pl.DataFrame,
    problems: list[Problem],
    rejects_dir: Path,
) -> ImportRejected:
    """Write the full report and the rejects files; return the error that refuses the import."""
    all_problems = [
        *problems,
        *(
            Problem(r[FILE], r[ROW], r["kolom"], r["nilai"], r["keterangan"], r["kode"])
            for r in structural.iter_rows(named=True)
        ),
    ]
    quality = quality_findings.select(
        pl.col(FILE).alias("file"),
        pl.col(ROW).alias("baris"),
        "kolom",
        "nilai",
        pl.col("keterangan").alias("alasan"),
        "kode",
        pl.lit("kualitas").alias("jenis"),
    )
    report = _write_report(all_problems, quality, rejects_dir)
    del quality, quality_findings
    reasons = structural.group_by("tingkat", RID).agg(
        pl.col("keterangan").str.join("; ").alias(REASON)
    )
    outputs = [out for p in placed for out in _write_rejects(p, reasons, rejects_dir)]
    n_rows = reasons.height + sum(p.code == BROKEN_ROW for p in problems)
    n_problems = len([p for p in all_problems if p.code != UNKNOWN_COLUMN])
    summary = (
        f"impor ditolak: {angka(n_problems)} masalah struktural pada {angka(n_rows)} baris; "
        f"tidak ada yang ditulis. Laporan: {report}"
    )
    return ImportRejected(
        summary=summary,
        problems=[p for p in all_problems if p.code != UNKNOWN_COLUMN],
        report_path=report,
        rejects_paths=outputs,
        rejected_rows=n_rows,
    )


def _write_rejects(placed: _Placed, reasons: pl.DataFrame, rejects_dir: Path) -> list[Path]:
    """``NAME.ditolak.csv`` (refused rows, their line and reasons) and ``NAME.diterima.csv``
    (the other rows) under the file's own headers, written only if a row of it is refused.

    The file is read again (validation consumed the text); one file at a time, so the peak
    is one file's text, not both files' with the typed rows.
    """
    rid = pl.col(RID) - placed.offset
    mine = reasons.filter(
        (pl.col("tingkat") == placed.level) & rid.is_between(0, placed.rows, closed="left")
    ).select(rid, REASON)
    if mine.is_empty():
        return []
    raw = read_file(placed.path)
    frame = raw.frame
    if frame is None or raw.match is None or frame.height != placed.rows:  # pragma: no cover
        raise InputError(f"{placed.path.name} berubah selama impor; ulangi impor")
    why = pl.Series(REASON, [None] * frame.height, dtype=pl.String)
    why = why.scatter(mine.get_column(RID), mine.get_column(REASON))
    back = {fld: h for h, fld in raw.match.mapping.items()}
    headers = [pl.col(c).alias(back[c]) for c in placed.columns if c in back]
    refused = pl.col(REASON).is_not_null()
    outputs = []
    for kind, keep, columns in (
        ("ditolak", refused, [*headers, pl.col(ROW).alias("baris_asal"), pl.col(REASON)]),
        ("diterima", ~refused, headers),
    ):
        out = rejects_dir / f"{placed.path.stem}.{kind}.csv"
        with atomic_output(out) as tmp, tmp.open("wb") as fh:
            # slice by slice: a select over the whole frame would rechunk (copy) every
            # column, its filtered copy another; a slice's copies are small
            for start in range(0, max(frame.height, 1), CHUNK_ROWS):
                part = frame.slice(start, CHUNK_ROWS).with_columns(why.slice(start, CHUNK_ROWS))
                part.filter(keep).select(columns).write_csv(fh, include_header=start == 0)
        outputs.append(out)
    return outputs
