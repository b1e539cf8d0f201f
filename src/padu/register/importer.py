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
from padu.regions import kaltara
from padu.register.reader import FILE, ROW, RawFile, read_file
from padu.register.snapshots import write_snapshot
from padu.register.validate import RID, Validated, validate
from padu.schema import LEVELS, Level, register_schema
from padu.stores import Catalog, Warehouse

Progress = Callable[[str], None]
#: The one file-level note that does not refuse an import (the column is ignored).
UNKNOWN_COLUMN = "kolom_tidak_dikenal"
#: A row the parser could not split into the header's columns: refused with the other rows.
BROKEN_ROW = "baris_rusak"


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
    frames = {lv: _level_frame(by_level[lv]) for lv in LEVELS}
    for f in files:
        f.frame = None  # ``frames`` holds the only copy, which validation frees level by level
    checked = validate(frames, kaltara(), catalog.crosswalk(), today)
    if checked.structural.height or any(p.code == BROKEN_ROW for p in problems):
        raise _reject([read_file(Path(p)) for p in paths], checked, problems, rejects_dir)

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
        else f"{_number(len(structural))} masalah pada file"
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


def _number(n: int) -> str:
    """A count in Indonesian form (38.533)."""
    return f"{n:,}".replace(",", ".")


def _reject(
    files: list[RawFile], checked: Validated, problems: list[Problem], rejects_dir: Path
) -> ImportRejected:
    """Write the full report and the rejects files; return the error that refuses the import."""
    structural = checked.structural
    all_problems = [
        *problems,
        *(
            Problem(r[FILE], r[ROW], r["kolom"], r["nilai"], r["keterangan"], r["kode"])
            for r in structural.iter_rows(named=True)
        ),
    ]
    quality = checked.quality.select(
        pl.col(FILE).alias("file"),
        pl.col(ROW).alias("baris"),
        "kolom",
        "nilai",
        pl.col("keterangan").alias("alasan"),
        "kode",
        pl.lit("kualitas").alias("jenis"),
    )
    report = _write_report(all_problems, quality, rejects_dir)
    outputs: list[Path] = []
    reasons = structural.group_by("tingkat", RID).agg(
        pl.col("keterangan").str.join("; ").alias("alasan_penolakan")
    )
    for f in files:
        if f.level is None or f.frame is None:
            continue
        lv_rows = (
            _level_frame([g for g in files if g.level == f.level])
            .with_row_index(RID)
            .with_columns(pl.col(RID).cast(pl.Int64))
            .filter(pl.col(FILE) == f.name)
        )
        marked = lv_rows.join(
            reasons.filter(pl.col("tingkat") == f.level).drop("tingkat"), on=RID, how="left"
        )
        back = {fld: h for h, fld in (f.match.mapping.items() if f.match else [])}
        cols = [c for c in marked.columns if c in back]
        rename = {c: back[c] for c in cols}
        bad = (
            marked.filter(pl.col("alasan_penolakan").is_not_null())
            .select(*cols, pl.col(ROW).alias("baris_asal"), "alasan_penolakan")
            .rename(rename)
        )
        good = marked.filter(pl.col("alasan_penolakan").is_null()).select(cols).rename(rename)
        if bad.height:
            for frame, kind in ((bad, "ditolak"), (good, "diterima")):
                out = rejects_dir / f"{f.path.stem}.{kind}.csv"
                with atomic_output(out) as tmp:
                    frame.write_csv(tmp)
                outputs.append(out)
    n_rows = structural.select("tingkat", RID).unique().height
    n_rows += sum(p.code == BROKEN_ROW for p in problems)
    n_problems = len([p for p in all_problems if p.code != UNKNOWN_COLUMN])
    summary = (
        f"impor ditolak: {_number(n_problems)} masalah struktural pada {_number(n_rows)} baris; "
        f"tidak ada yang ditulis. Laporan: {report}"
    )
    return ImportRejected(
        summary=summary,
        problems=[p for p in all_problems if p.code != UNKNOWN_COLUMN],
        report_path=report,
        rejects_paths=outputs,
        rejected_rows=n_rows,
    )
