"""``padu register``: import a DTSEN extract, list snapshots, quality, diff, desil, duplicates.

Each command parses its options, calls one function of :mod:`padu.services.register` (the
same the web app calls) and prints its model: JSON with ``--json``, else a Rich table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.table import Table

from padu.cli._common import (
    BY,
    agree_words,
    app,
    command_group,
    emit,
    existing_file,
    field_words,
    progress,
    right_align,
    state_of,
)
from padu.errors import UsageError
from padu.files import check_output_file
from padu.fmt import angka, baca_tanggal, desimal, persen, tanggal, tanggal_teks, waktu_wita
from padu.services import register as svc

register_app = command_group("Register DTSEN: impor, daftar snapshot, kualitas, perbandingan.")
app.add_typer(register_app, name="register")

#: Register identifiers as column headers an officer knows.
_COLUMN_WORDS = {"nomor_kartu_keluarga": "No. KK", "nomor_induk_kependudukan": "NIK"}


def _finding_words(code: str) -> str:
    """A quality finding code in words: ``nik_tidak_valid`` -> ``NIK tidak valid``."""
    return code.replace("_", " ").replace("nik", "NIK")


@register_app.command("import")
def register_import(
    ctx: typer.Context,
    files: Annotated[
        list[Path],
        typer.Argument(metavar="FILE...", help="File keluarga dan individu (CSV, XLSX, Parquet)."),
    ],
    snapshot_date: Annotated[
        str,
        typer.Option(
            "--snapshot-date", help="Tanggal data: 23-01-2026, 23/01/2026 atau 2026-01-23."
        ),
    ],
    label: Annotated[str | None, typer.Option(help="Label snapshot.")] = None,
    rejects_dir: Annotated[
        Path | None, typer.Option("--rejects-dir", help="Folder laporan dan baris ditolak.")
    ] = None,
    by: BY = None,
) -> None:
    """Impor ekstrak DTSEN sebagai snapshot baru (diterima utuh atau ditolak utuh)."""
    state = state_of(ctx)
    try:
        date = baca_tanggal(snapshot_date)
    except ValueError as exc:
        raise UsageError(f"--snapshot-date: {exc}") from None
    for path in files:
        existing_file(path, "file register")
    if rejects_dir is not None and rejects_dir.exists() and not rejects_dir.is_dir():
        raise UsageError(f"--rejects-dir: {rejects_dir} adalah berkas, bukan folder")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    rejects = rejects_dir or state.settings.home / "ditolak" / stamp
    with state.stores() as (wh, cat), progress(state, total=5) as step:
        result = svc.import_register_files(
            files, wh, cat, snapshot_date=date, label=label, rejects_dir=rejects,
            actor=state.actor(by), progress=lambda _done, words: step(words),
        )  # fmt: skip
    table = Table(title=f"Snapshot {result.snapshot}: {result.label}")
    table.add_column("hal")
    table.add_column("jumlah", justify="right")
    table.add_row("tanggal data", tanggal(result.snapshot_date))
    table.add_row("keluarga", angka(result.families))
    table.add_row("individu", angka(result.individuals))
    for code, n in sorted(result.quality_findings.items()):
        table.add_row(f"temuan kualitas: {_finding_words(code)}", angka(n))
    emit(state, result.model_dump(mode="json"), table)


@register_app.command("list")
def register_list(ctx: typer.Context) -> None:
    """Daftar snapshot register."""
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        result = svc.snapshot_list(cat)
    table = Table("id", "label", "tanggal data", "keluarga", "individu", "temuan", "diimpor",
                  "acuan tahun")  # fmt: skip
    right_align(table, "keluarga", "individu", "temuan")
    for s in result.snapshots:
        table.add_row(
            str(s.snapshot),
            s.label,
            tanggal(s.snapshot_date),
            angka(s.families),
            angka(s.individuals),
            angka(s.findings),
            waktu_wita(s.imported_at),
            ", ".join(str(y) for y in s.reference_for) or "-",
        )
    emit(state, result.model_dump(mode="json"), table)


@register_app.command("reference")
def register_reference(
    ctx: typer.Context,
    snapshot: Annotated[
        str, typer.Argument(metavar="SNAPSHOT", help="Id atau label snapshot, atau 'latest'.")
    ],
    year: Annotated[int, typer.Option("--year", help="Tahun anggaran yang memakai acuan ini.")],
    why: Annotated[
        str, typer.Option("--why", help="Alasan (mis. nomor berita acara kesepakatan).")
    ],
    by: BY = None,
) -> None:
    """Tetapkan snapshot sebagai acuan bersama satu tahun anggaran (siapa, kapan, mengapa).

    Snapshot yang lebih baru tidak menggantikan acuan dengan sendirinya; acuan sebelumnya
    tetap tercatat dalam riwayat. Perintah lain memakainya dengan --snapshot acuan:TAHUN.
    """
    state = state_of(ctx)
    if not why.strip():
        raise UsageError("--why: tuliskan alasan penetapan acuan")
    if not 2000 <= year <= 2100:
        raise UsageError(f"--year: tahun anggaran {year} tidak masuk akal")
    with state.stores() as (_, cat):
        ref = svc.set_reference(cat, snapshot, year=year, why=why, actor=state.actor(by))
    table = Table("tahun", "snapshot acuan", "sebelumnya", "oleh", "alasan")
    previous = "-" if ref.previous is None else str(ref.previous)
    table.add_row(str(ref.year), f"{ref.snapshot} ({ref.label})", previous, ref.by, ref.why)
    emit(state, ref.model_dump(mode="json"), table)


@register_app.command("quality")
def register_quality(
    ctx: typer.Context,
    snapshot: Annotated[
        str, typer.Argument(metavar="SNAPSHOT", help="Id atau label snapshot, atau 'latest'.")
    ],
    by: Annotated[
        str, typer.Option(help="Rincian wilayah: kabupaten, kecamatan, desa.")
    ] = "kabupaten",
) -> None:
    """Laporan kualitas: kelengkapan, identitas tidak valid, duplikat, inkonsistensi."""
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        rep = svc.quality_summary(wh, cat, snapshot, by)
    emit(state, rep.model_dump(mode="json"), _quality_tables(rep))


def _quality_tables(rep: svc.QualitySummary) -> Table:
    from padu.regions import kaltara
    from padu.schema import EXPECTED_FIELDS

    t = Table(
        title=(
            f"Kualitas snapshot {rep.snapshot} ({rep.label}): "
            f"{angka(rep.families)} keluarga, {angka(rep.individuals)} individu"
        )
    )
    t.add_column("temuan")
    t.add_column("jumlah", justify="right")
    for k, v in rep.summary.items():
        t.add_row(k.replace("_", " "), angka(v))
    t.add_row("NIK yang dipakai ganda (nilai berbeda)", angka(rep.duplicate_nik_values))
    for code, n in sorted(rep.findings.items()):
        t.add_row(f"  {_finding_words(code)}", angka(n))
    for level, names in EXPECTED_FIELDS.items():
        for name in names:
            c = rep.completeness[f"{level}.{name}"]
            t.add_row(f"kelengkapan: {field_words(f'{level}.{name}')}", persen(c.persen, 1))
    regions = kaltara()
    for code, counts in sorted(rep.findings_by_region.items()):
        region = regions.find(code)
        t.add_row(f"temuan di {region.nama if region else code}", angka(sum(counts.values())))
    return t


@register_app.command("diff")
def register_diff(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(metavar="SNAPSHOT_LAMA", help="Snapshot lama.")],
    b: Annotated[str, typer.Argument(metavar="SNAPSHOT_BARU", help="Snapshot baru.")],
    limit: Annotated[
        int, typer.Option(help="Jumlah baris daftar yang ditampilkan per jenis.")
    ] = 20,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Tulis daftar lengkap ke CSV (data pribadi).")
    ] = None,
    by: BY = None,
) -> None:
    """Perubahan antara dua snapshot: keluarga/anggota masuk-keluar, pindah desa, desil."""
    from padu.register.diff import LIST_HEADER, diff_rows

    if limit < 0:
        raise UsageError("--limit: tidak boleh negatif")
    if out_file is not None:
        check_output_file(out_file, (".csv",))
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        d = svc.register_diff(wh, cat, a, b, limit=limit, out=out_file, actor=state.actor(by))
    data = d.model_dump(mode="json")
    t = Table(title=f"Perubahan snapshot {d.from_} -> {d.to}")
    t.add_column("perubahan")
    t.add_column("jumlah", justify="right")
    for k, v in d.counts.items():
        t.add_row(k.replace("_", " "), angka(v))
    for m in d.desil_matrix[:30]:
        t.add_row(f"  desil {m.desil_lama} -> {m.desil_baru}", angka(m.n))
    listing = Table(
        *(_COLUMN_WORDS.get(h, h.replace("_", " ")) for h in LIST_HEADER),
        title=f"Daftar (paling banyak {limit} baris per jenis)",
    )
    for row in diff_rows(data):
        listing.add_row(*row)
    emit(state, data, Group(t, listing))


@register_app.command("desil")
def register_desil(
    ctx: typer.Context,
    snapshot: Annotated[
        str, typer.Argument(metavar="SNAPSHOT", help="Id atau label snapshot, atau 'latest'.")
    ],
    by: Annotated[str, typer.Option(help="kabupaten, kecamatan atau desa.")] = "kabupaten",
) -> None:
    """Jumlah keluarga per desil x wilayah."""
    from padu.regions import kaltara

    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        result = svc.desil_counts(wh, cat, snapshot, by)
    regions = kaltara()
    pivot: dict[str, dict[str, int]] = {}
    for r in result.rows:
        pivot.setdefault(str(r.wilayah), {})[str(r.desil)] = r.keluarga
    t = Table(
        "wilayah", *[f"D{i}" for i in range(1, 11)], "kosong", title="Keluarga per desil nasional"
    )
    right_align(t, *[f"D{i}" for i in range(1, 11)], "kosong")
    for code, cells in sorted(pivot.items()):
        region = regions.find(code)
        name = region.nama.removeprefix("Kabupaten ") if region else code
        t.add_row(
            name, *[angka(cells.get(str(i), 0)) for i in range(1, 11)], angka(cells.get("None", 0))
        )
    emit(state, result.model_dump(mode="json"), t)


@register_app.command("duplicates")
def register_duplicates_cmd(
    ctx: typer.Context,
    snapshot: Annotated[
        str, typer.Argument(metavar="SNAPSHOT", help="Id atau label snapshot, atau 'latest'.")
    ],
    min_score: Annotated[
        float, typer.Option("--min", help="Peluang minimum sebuah pasangan orang yang sama.")
    ] = 0.9,
    out_file: Annotated[Path | None, typer.Option("--out", help="File .csv atau .xlsx.")] = None,
    by: BY = None,
) -> None:
    """Dugaan orang yang tercatat lebih dari sekali di register."""
    from padu.linkage.duplicates import SUFFIXES

    if not 0 < min_score <= 1:
        raise UsageError("--min: harus di antara 0 dan 1")
    if out_file is not None:
        check_output_file(out_file, SUFFIXES)
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        rep = svc.register_duplicates(
            wh, cat, snapshot, min_score=min_score, out=out_file, actor=state.actor(by)
        )
    t = Table("skor", "NIK A", "nama A", "lahir A", "NIK B", "nama B", "lahir B", "yang sama")
    for r in rep.top:
        t.add_row(
            desimal(r.score, 3),
            r.nik_a or "",
            r.nama_a or "",
            tanggal_teks(r.tanggal_lahir_a),
            r.nik_b or "",
            r.nama_b or "",
            tanggal_teks(r.tanggal_lahir_b),
            agree_words(r.agree),
        )
    t.title = f"{angka(rep.pairs)} dugaan pasangan ganda di antara {angka(rep.persons)} orang"
    emit(state, rep.model_dump(mode="json"), t)
