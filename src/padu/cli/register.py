"""``padu register``: import a DTSEN extract, list snapshots, quality, diff, desil, duplicates."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

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
    from padu.register import import_register

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
    with state.stores() as (wh, cat), progress(state, total=4) as step:
        result = import_register(
            files, wh, cat, snapshot_date=date, label=label, rejects_dir=rejects,
            actor=state.actor(by), progress=step,
        )  # fmt: skip
    table = Table(title=f"Snapshot {result.snapshot}: {result.label}")
    table.add_column("hal")
    table.add_column("jumlah", justify="right")
    table.add_row("tanggal data", tanggal(result.tanggal))
    table.add_row("keluarga", angka(result.families))
    table.add_row("individu", angka(result.individuals))
    for code, n in sorted(result.findings.items()):
        table.add_row(f"temuan kualitas: {_finding_words(code)}", angka(n))
    emit(state, result.to_dict(), table)


@register_app.command("list")
def register_list(ctx: typer.Context) -> None:
    """Daftar snapshot register."""
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        snaps = cat.snapshots()
        history = cat.references()
    agreed: dict[int, list[int]] = {}  # snapshot -> the years it is the reference of now
    for year in sorted({r.tahun for r in history}):
        current = [r for r in history if r.tahun == year][-1]
        agreed.setdefault(current.snapshot_id, []).append(year)
    rows = [
        {
            "snapshot": s.id,
            "label": s.label,
            "snapshot_date": s.tanggal.isoformat(),
            "families": s.keluarga,
            "individuals": s.individu,
            "findings": s.temuan,
            "region_scheme": s.skema_wilayah,
            "imported_at": s.dibuat.isoformat(timespec="seconds"),
            "reference_for": agreed.get(s.id, []),
        }
        for s in snaps
    ]
    table = Table("id", "label", "tanggal data", "keluarga", "individu", "temuan", "diimpor",
                  "acuan tahun")  # fmt: skip
    right_align(table, "keluarga", "individu", "temuan")
    for snap, r in zip(snaps, rows, strict=True):
        table.add_row(
            str(r["snapshot"]),
            str(r["label"]),
            tanggal(snap.tanggal),
            angka(r["families"]),
            angka(r["individuals"]),
            angka(r["findings"]),
            waktu_wita(snap.dibuat),
            ", ".join(str(y) for y in agreed.get(snap.id, [])) or "-",
        )
    emit(state, {"snapshots": rows}, table)


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
        snap = cat.snapshot(snapshot)
        before = cat.reference(year)
        row = cat.set_reference(year, snap.id, why.strip(), state.actor(by))
    data = {
        "year": year,
        "snapshot": snap.id,
        "label": snap.label,
        "previous": before.snapshot_id if before else None,
        "by": row.pelaku,
        "why": row.alasan,
    }
    table = Table("tahun", "snapshot acuan", "sebelumnya", "oleh", "alasan")
    table.add_row(
        str(year),
        f"{snap.id} ({snap.label})",
        str(before.snapshot_id) if before else "-",
        row.pelaku,
        row.alasan,
    )
    emit(state, data, table)


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
    from padu.register import quality_report

    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        rep = quality_report(wh, cat, snapshot, by)
    emit(state, rep, _quality_tables(rep))


def _quality_tables(rep: dict[str, Any]) -> Table:
    from padu.regions import kaltara
    from padu.schema import EXPECTED_FIELDS

    t = Table(
        title=(
            f"Kualitas snapshot {rep['snapshot']} ({rep['label']}): "
            f"{angka(rep['families'])} keluarga, {angka(rep['individuals'])} individu"
        )
    )
    t.add_column("temuan")
    t.add_column("jumlah", justify="right")
    for k, v in rep["summary"].items():
        t.add_row(k.replace("_", " "), angka(v))
    t.add_row("NIK yang dipakai ganda (nilai berbeda)", angka(rep["duplicate_nik_values"]))
    for code, n in sorted(rep["findings"].items()):
        t.add_row(f"  {_finding_words(code)}", angka(n))
    for level, names in EXPECTED_FIELDS.items():
        for name in names:
            c = rep["completeness"][f"{level}.{name}"]
            t.add_row(f"kelengkapan: {field_words(f'{level}.{name}')}", persen(c["persen"], 1))
    regions = kaltara()
    for code, counts in sorted(rep["findings_by_region"].items()):
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
    from padu.register.diff import LIST_HEADER, diff_rows, diff_snapshots, write_diff

    if limit < 0:
        raise UsageError("--limit: tidak boleh negatif")
    if out_file is not None:
        check_output_file(out_file, (".csv",))
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        if out_file is None:
            d = diff_snapshots(wh, cat, a, b, limit=limit)
        else:
            d = write_diff(wh, cat, a, b, out_file, actor=state.actor(by))
            d["lists"] = {k: v[:limit] for k, v in d["lists"].items()}
            d["out"] = str(out_file)
    t = Table(title=f"Perubahan snapshot {d['from']} -> {d['to']}")
    t.add_column("perubahan")
    t.add_column("jumlah", justify="right")
    for k, v in d["counts"].items():
        t.add_row(k.replace("_", " "), angka(v))
    for r in d["desil_matrix"][:30]:
        t.add_row(f"  desil {r['desil_lama']} -> {r['desil_baru']}", angka(r["n"]))
    listing = Table(
        *(_COLUMN_WORDS.get(h, h.replace("_", " ")) for h in LIST_HEADER),
        title=f"Daftar (paling banyak {limit} baris per jenis)",
    )
    for row in diff_rows(d):
        listing.add_row(*row)
    emit(state, d, Group(t, listing))


@register_app.command("desil")
def register_desil(
    ctx: typer.Context,
    snapshot: Annotated[
        str, typer.Argument(metavar="SNAPSHOT", help="Id atau label snapshot, atau 'latest'.")
    ],
    by: Annotated[str, typer.Option(help="kabupaten, kecamatan atau desa.")] = "kabupaten",
) -> None:
    """Jumlah keluarga per desil x wilayah."""
    from padu.register.quality import families_by_desil

    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        rows = families_by_desil(wh, cat, snapshot, by).to_pyarrow().to_pylist()
    from padu.regions import kaltara

    regions = kaltara()
    pivot: dict[str, dict[str, int]] = {}
    for r in rows:
        pivot.setdefault(r["wilayah"], {})[str(r["desil"])] = r["keluarga"]
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
    emit(state, {"snapshot": snapshot, "by": by, "rows": rows}, t)


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
    from padu.linkage.duplicates import SUFFIXES, find_duplicates, write_duplicates

    if not 0 < min_score <= 1:
        raise UsageError("--min: harus di antara 0 dan 1")
    if out_file is not None:
        check_output_file(out_file, SUFFIXES)
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        snap, persons, pairs = find_duplicates(wh, cat, snapshot, min_score)
        if out_file is not None:
            write_duplicates(pairs, out_file, cat, snapshot=snap.id, actor=state.actor(by))
    data = {
        "snapshot": snap.id,
        "persons": persons,
        "pairs": pairs.height,
        "same_kk": int(pairs.get_column("same_kk").sum()),
        "out": str(out_file) if out_file else None,
        "top": pairs.head(20).to_dicts(),
    }
    t = Table("skor", "NIK A", "nama A", "lahir A", "NIK B", "nama B", "lahir B", "yang sama")
    for r in pairs.head(30).iter_rows(named=True):
        t.add_row(
            desimal(r["score"], 3),
            *(str(r[f"{c}_a"] or "") for c in ("nik", "nama")),
            tanggal_teks(r["tanggal_lahir_a"]),
            *(str(r[f"{c}_b"] or "") for c in ("nik", "nama")),
            tanggal_teks(r["tanggal_lahir_b"]),
            agree_words(r["agree"]),
        )
    t.title = f"{angka(pairs.height)} dugaan pasangan ganda di antara {angka(persons)} orang"
    emit(state, data, t)
