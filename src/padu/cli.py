"""The ``padu`` command line: thin commands, each calling one service function.

Global options come before the command (``padu [--home DIR] [--json] [--by NAME] COMMAND``);
``--json`` is also accepted after it. Exit codes: 0 success, 1 bad input (with the report),
2 usage (a wrong option, a missing argument, an unknown command, an input file that does
not exist), 130 interrupted (Ctrl-C). Every failure prints one line ``galat: ...`` on
stderr, or with ``--json`` exactly one object ``{"error": KIND, "message": ...}`` on stdout.
Each command checks its arguments and output paths before it opens the stores.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, Group, RenderableType
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from padu.audit import resolve_actor
from padu.errors import ImportRejected, InputError, InternalError, PaduError, UsageError
from padu.files import atomic_output, check_output_file, check_output_folder
from padu.fmt import angka, baca_tanggal, desimal, persen, rupiah, tanggal, tanggal_teks, waktu_wita
from padu.settings import Settings
from padu.stores import Catalog, Warehouse, open_stores

if TYPE_CHECKING:
    from padu.measure.af import MissingPolicy


def _group(help: str, *, invoke_without_command: bool = False) -> typer.Typer:
    """A command group whose usage line reads in Indonesian (``[OPSI] PERINTAH``)."""
    return typer.Typer(
        help=help,
        add_completion=False,
        invoke_without_command=invoke_without_command,
        options_metavar="[OPSI]",
        subcommand_metavar="PERINTAH [ARGUMEN]...",
    )


app = _group("Padu: satu data, semua program pengentasan kemiskinan.")
register_app = _group("Register DTSEN: impor, daftar snapshot, kualitas, perbandingan.")
regions_app = _group("Wilayah Kemendagri Kaltara dan crosswalk BPS.")
app.add_typer(register_app, name="register")
app.add_typer(regions_app, name="regions")
synth_app = _group(
    "Data sintetis: register DTSEN dan daftar instansi.", invoke_without_command=True
)
app.add_typer(synth_app, name="synth")
mpi_app = _group("Kemiskinan multidimensi (Alkire-Foster).", invoke_without_command=True)
measure_app = _group("Ukuran kemiskinan multidimensi: indikator dan bobot.")
rule_app = _group("Bahasa aturan: periksa dan pratinjau jumlah.")
app.add_typer(rule_app, name="rule")
programme_app = _group("Program instansi: daftar, impor, ekspor.")
app.add_typer(programme_app, name="programme")
app.add_typer(mpi_app, name="mpi")
app.add_typer(measure_app, name="measure")


def _indonesian_help() -> None:
    """Typer's help screens in Bahasa Indonesia.

    Typer reads its panel titles and markers from ``typer.rich_utils`` constants when it
    draws a help screen, takes the usage prefix from the context's help formatter, and
    gives ``--help`` an English help text; these are the hooks it offers. A test asserts
    the result (``padu --help`` shows "Opsi"), so an upgrade that moves a hook fails there.
    """
    from typer import _click, rich_utils

    rich_utils.OPTIONS_PANEL_TITLE = "Opsi"
    rich_utils.ARGUMENTS_PANEL_TITLE = "Argumen"
    rich_utils.COMMANDS_PANEL_TITLE = "Perintah"
    rich_utils.ERRORS_PANEL_TITLE = "Galat"
    rich_utils.REQUIRED_LONG_STRING = "[wajib]"
    rich_utils.DEFAULT_STRING = "[bawaan: {}]"
    rich_utils.ENVVAR_STRING = "[variabel lingkungan: {}]"
    rich_utils.DEPRECATED_STRING = "(usang) "
    rich_utils.ABORTED_TEXT = "Dibatalkan."
    rich_utils.RICH_HELP = "Lihat [blue]'{command_path} {help_option}'[/] untuk bantuan."

    class Formatter(_click.formatting.HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, "Penggunaan: " if prefix is None else prefix)

    _click.core.Context.formatter_class = Formatter
    plain_help_option = _click.core.Command.get_help_option

    def help_option(self: Any, ctx: Any) -> Any:
        option = plain_help_option(self, ctx)
        if option is not None:
            option.help = "Tampilkan bantuan ini lalu keluar."
        return option

    _click.core.Command.get_help_option = help_option  # type: ignore[method-assign]


_indonesian_help()
out = Console(width=None if sys.stdout.isatty() else 160)  # no truncated tables in logs
err = Console(stderr=True)


@dataclass
class State:
    settings: Settings
    json: bool
    by: str | None = None

    def actor(self, by: str | None = None) -> str:
        """Who acts: the command's ``--by``, the global ``--by``, PADU_USER, the OS user."""
        return resolve_actor(by or self.by)

    @contextmanager
    def stores(self, *, read_only: bool = False) -> Iterator[tuple[Warehouse, Catalog]]:
        """Both stores, checked to belong together; a DuckDB warehouse read-only if asked."""
        warehouse, catalog = open_stores(
            self.settings.resolved_warehouse_url(),
            self.settings.resolved_catalog_url(),
            read_only=read_only,
        )
        try:
            yield warehouse, catalog
        finally:
            warehouse.close()
            catalog.close()


def _state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):  # pragma: no cover - the root callback always sets it
        raise TypeError("padu CLI state missing")
    return obj


def _emit(state: State, data: dict[str, Any], table: RenderableType | None = None) -> None:
    if state.json:
        sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
    elif table is not None:
        out.print(table)


def _input_file(path: Path, what: str = "berkas") -> Path:
    """An input file that must exist: a usage error (exit 2) before any work, like click's."""
    if not path.exists():
        raise UsageError(f"{what} tidak ada: {path}")
    if path.is_dir():
        raise UsageError(f"{what} {path} adalah folder, bukan berkas")
    return path


def _right(table: Table, *headers: str) -> None:
    """Right-align the named columns (counts and amounts line up on their last digit)."""
    for column in table.columns:
        if column.header in headers:
            column.justify = "right"


def field_words(name: str) -> str:
    """A register field as an officer reads it: ``individu.partisipasi_sekolah`` ->
    ``Partisipasi sekolah (individu)``; a name the schema does not know, spaced out."""
    from padu.schema import register_schema

    level, _, field = name.rpartition(".")
    schema = register_schema()
    for lv in (level,) if level in ("keluarga", "individu") else ("keluarga", "individu"):
        try:
            label = schema.field(lv, field).label_id  # type: ignore[arg-type]
        except KeyError:
            continue
        return f"{label} ({lv})" if level else label
    return name.replace("_", " ")


#: The linkage comparison names, as the agreeing fields of a pair are listed.
_AGREE_WORDS = {
    "nik": "NIK",
    "nama": "nama",
    "tanggal_lahir": "tanggal lahir",
    "jenis_kelamin": "jenis kelamin",
    "wilayah": "wilayah",
    "desa": "desa",
    "kk": "No. KK",
    "rt": "RT",
    "alamat": "alamat",
}


def agree_words(agree: str | None) -> str:
    """The fields a pair agrees on, in words: ``nama,tanggal_lahir`` -> ``nama, tanggal lahir``."""
    if not agree:
        return "-"
    parts = [p.strip() for p in agree.split(",") if p.strip()]
    return ", ".join(_AGREE_WORDS.get(p, p.replace("_", " ")) for p in parts)


#: Register identifiers as column headers an officer knows.
_COLUMN_WORDS = {"nomor_kartu_keluarga": "No. KK", "nomor_induk_kependudukan": "NIK"}


def _finding_words(code: str) -> str:
    """A quality finding code in words: ``nik_tidak_valid`` -> ``NIK tidak valid``."""
    return code.replace("_", " ").replace("nik", "NIK")


def check_format(fmt: str, out_file: Path | None, *, json_file: bool = False) -> None:
    """``--format table|json|xlsx`` with its ``--out``: xlsx needs a file, a table has none,
    and JSON goes to a file only where the command writes one (``json_file``)."""
    if fmt not in ("table", "json", "xlsx"):
        raise UsageError("--format: harus table, json atau xlsx")
    if fmt == "xlsx" and out_file is None:
        raise UsageError("--out: format xlsx membutuhkan --out FILE.xlsx")
    if out_file is None:
        return
    if fmt == "table" or (fmt == "json" and not json_file):
        raise UsageError(
            "--out: hanya untuk --format json atau xlsx" if json_file
            else "--out: hanya untuk --format xlsx"
        )  # fmt: skip
    check_output_file(out_file, (".xlsx",) if fmt == "xlsx" else (".json",))


def check_mpi_options(missing: str, fmt: str, out_file: Path | None) -> MissingPolicy:
    """The options every MPI table shares: the missing-data policy (returned), format and
    output file."""
    from padu.measure.af import MISSING_POLICIES

    policy = next((m for m in MISSING_POLICIES if m == missing), None)
    if policy is None:
        raise UsageError(f"--missing: harus salah satu dari {', '.join(MISSING_POLICIES)}")
    if fmt not in ("table", "json", "csv", "xlsx"):
        raise UsageError("--format: harus table, json, csv atau xlsx")
    if fmt == "xlsx" and out_file is None:
        raise UsageError("--out: format xlsx membutuhkan --out FILE.xlsx")
    if out_file is not None:
        if fmt not in ("csv", "xlsx"):
            raise UsageError("--out: hanya untuk --format csv atau xlsx")
        check_output_file(out_file, (f".{fmt}",))
    return policy


_BY = Annotated[
    str | None, typer.Option("--by", help="Nama petugas (bawaan: PADU_USER atau pengguna OS).")
]


@app.callback()
def root(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option("--home", help="Folder data Padu (PADU_HOME).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Keluaran satu objek JSON di stdout.")
    ] = False,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Nama petugas untuk log audit (bawaan: PADU_USER, pengguna OS)."),
    ] = None,
) -> None:
    settings = Settings() if home is None else Settings(home=home)
    ctx.obj = State(settings=settings, json=as_json, by=by)


@synth_app.callback()
def synth(
    ctx: typer.Context,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder keluaran.")] = None,
    seed: Annotated[
        int, typer.Option(help="Benih acak (hasil selalu sama untuk benih yang sama).")
    ] = 1,
    scale: Annotated[
        float, typer.Option(help="Skala penduduk: 1 = penduduk Dukcapil Des 2024.")
    ] = 1.0,
    xlsx: Annotated[
        bool | None,
        typer.Option("--xlsx/--no-xlsx", help="Tulis juga XLSX (bawaan: hanya skala kecil)."),
    ] = None,
) -> None:
    """Buat register DTSEN sintetis Kaltara (CSV, Parquet, ground_truth.json)."""
    from padu.synth.generator import synthesize_to

    if ctx.invoked_subcommand is not None:
        return
    if out_dir is None:
        raise UsageError("--out: folder keluaran wajib diisi")
    if scale <= 0:
        raise UsageError("--scale: harus lebih dari 0")
    check_output_folder(out_dir)
    state = _state(ctx)
    with _progress(state) as step:
        step("membangkitkan dan menulis register sintetis")
        truth = synthesize_to(out_dir, scale=scale, seed=seed, xlsx=xlsx)
    data = {
        "out": str(out_dir),
        "families": truth["families"],
        "individuals": truth["individuals"],
        "problems": truth["problem_counts"],
        "files": sorted(str(p) for p in out_dir.iterdir()),
    }
    _emit(
        state,
        data,
        f"{angka(truth['families'])} keluarga, {angka(truth['individuals'])} individu -> {out_dir}",
    )


@synth_app.command("list")
def synth_list(
    ctx: typer.Context,
    snapshot: Annotated[str, typer.Option("--from", help="Snapshot sumber (id/label/latest).")],
    out_file: Annotated[Path, typer.Option("--out", help="File keluaran (.xlsx atau .csv).")],
    size: Annotated[int, typer.Option(help="Jumlah baris daftar.")] = 1000,
    seed: Annotated[int, typer.Option(help="Benih acak.")] = 1,
    programme: Annotated[
        str | None,
        typer.Option(
            "--programme",
            help="Kode program: daftar realisasi program itu (sebagian besar dari daftar "
            "sasarannya, sebagian layak di luar daftar, tidak layak, atau di luar register).",
        ),
    ] = None,
    by: _BY = None,
) -> None:
    """Buat daftar penerima instansi yang berderau dari register, dengan kunci jawabannya."""
    from padu.synth.agency_list import DRAW_LABELS, FILE_SUFFIXES, agency_list_from_snapshot

    if size < 1:
        raise UsageError("--size: harus paling sedikit 1")
    check_output_file(out_file, FILE_SUFFIXES)
    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        snap, lst, truth = agency_list_from_snapshot(
            wh, cat, snapshot, out_file, size=size, seed=seed, actor=state.actor(by),
            programme=programme,
        )  # fmt: skip
    data = {"out": str(out_file), "truth": str(truth), "snapshot": snap.id, **lst.summary()}
    line = f"{angka(len(lst.rows))} baris -> {out_file} (kunci jawaban: {truth})"
    if lst.programme is None:
        _emit(state, data, line)
        return
    table = Table(
        "jenis baris", "baris", "diminta", "tersedia", title=f"Daftar realisasi {lst.programme}"
    )
    _right(table, "baris", "diminta", "tersedia")
    for kind, label in DRAW_LABELS.items():
        pool = lst.pools.get(kind)
        table.add_row(label, angka(data["draws"][kind]), angka(lst.wanted[kind]),
                      "-" if pool is None else angka(pool))  # fmt: skip
    _emit(state, data, Group(line, table, *(f"peringatan: {w}" for w in lst.warnings)))


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
    by: _BY = None,
) -> None:
    """Impor ekstrak DTSEN sebagai snapshot baru (diterima utuh atau ditolak utuh)."""
    from padu.register import import_register

    state = _state(ctx)
    try:
        date = baca_tanggal(snapshot_date)
    except ValueError as exc:
        raise UsageError(f"--snapshot-date: {exc}") from None
    for path in files:
        _input_file(path, "file register")
    if rejects_dir is not None and rejects_dir.exists() and not rejects_dir.is_dir():
        raise UsageError(f"--rejects-dir: {rejects_dir} adalah berkas, bukan folder")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    rejects = rejects_dir or state.settings.home / "ditolak" / stamp
    with state.stores() as (wh, cat), _progress(state, total=4) as step:
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
    _emit(state, result.to_dict(), table)


@register_app.command("list")
def register_list(ctx: typer.Context) -> None:
    """Daftar snapshot register."""
    state = _state(ctx)
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
    _right(table, "keluarga", "individu", "temuan")
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
    _emit(state, {"snapshots": rows}, table)


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
    by: _BY = None,
) -> None:
    """Tetapkan snapshot sebagai acuan bersama satu tahun anggaran (siapa, kapan, mengapa).

    Snapshot yang lebih baru tidak menggantikan acuan dengan sendirinya; acuan sebelumnya
    tetap tercatat dalam riwayat. Perintah lain memakainya dengan --snapshot acuan:TAHUN.
    """
    state = _state(ctx)
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
    _emit(state, data, table)


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

    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        rep = quality_report(wh, cat, snapshot, by)
    _emit(state, rep, _quality_tables(rep))


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
    by: _BY = None,
) -> None:
    """Perubahan antara dua snapshot: keluarga/anggota masuk-keluar, pindah desa, desil."""
    from padu.register.diff import LIST_HEADER, diff_rows, diff_snapshots, write_diff

    if limit < 0:
        raise UsageError("--limit: tidak boleh negatif")
    if out_file is not None:
        check_output_file(out_file, (".csv",))
    state = _state(ctx)
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
    _emit(state, d, Group(t, listing))


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

    state = _state(ctx)
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
    _right(t, *[f"D{i}" for i in range(1, 11)], "kosong")
    for code, cells in sorted(pivot.items()):
        region = regions.find(code)
        name = region.nama.removeprefix("Kabupaten ") if region else code
        t.add_row(
            name, *[angka(cells.get(str(i), 0)) for i in range(1, 11)], angka(cells.get("None", 0))
        )
    _emit(state, {"snapshot": snapshot, "by": by, "rows": rows}, t)


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
    by: _BY = None,
) -> None:
    """Dugaan orang yang tercatat lebih dari sekali di register."""
    from padu.linkage.duplicates import SUFFIXES, find_duplicates, write_duplicates

    if not 0 < min_score <= 1:
        raise UsageError("--min: harus di antara 0 dan 1")
    if out_file is not None:
        check_output_file(out_file, SUFFIXES)
    state = _state(ctx)
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
    _emit(state, data, t)


@regions_app.command("show")
def regions_show(ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="KODE")]) -> None:
    """Satu wilayah dan anak-anaknya."""
    from padu.regions import kaltara

    r = kaltara().get(code)
    kids = kaltara().children(r.kode)
    parent = kaltara().parent(r.kode)
    t = Table(title=f"{r.kode} {r.nama} ({r.level})")
    t.add_column("kode")
    t.add_column("nama")
    for c in kids:
        t.add_row(c.kode, c.nama)
    data = {
        "kode": r.kode,
        "nama": r.nama,
        "level": r.level,
        "jenis": r.jenis,
        "induk": parent.kode if parent else None,
        "children": [{"kode": c.kode, "nama": c.nama} for c in kids],
    }
    _emit(_state(ctx), data, t)


@regions_app.command("search")
def regions_search(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAMA")],
    level: Annotated[str | None, typer.Option(help="Batasi ke tingkat ini.")] = None,
) -> None:
    """Cari wilayah menurut nama."""
    from padu.regions import kaltara

    hits = kaltara().search(name, level)  # type: ignore[arg-type]
    t = Table("kode", "nama", "tingkat")
    for r in hits:
        t.add_row(r.kode, r.nama, r.level)
    _emit(
        _state(ctx),
        {"results": [{"kode": r.kode, "nama": r.nama, "level": r.level} for r in hits]},
        t,
    )


@regions_app.command("crosswalk")
def regions_crosswalk(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(metavar="FILE")], by: _BY = None
) -> None:
    """Muat tabel crosswalk BPS<->Kemendagri (CSV: kode_bps, kode_kemendagri[, sumber])."""
    from padu.crosswalk import load_crosswalk

    _input_file(file, "berkas crosswalk")
    state = _state(ctx)
    with state.stores(read_only=True) as (_, cat):
        n = load_crosswalk(file, cat, actor=state.actor(by))
    _emit(state, {"rows": n, "file": str(file)}, f"{angka(n)} baris crosswalk dimuat dari {file}")


@programme_app.command("list")
def programme_list(ctx: typer.Context) -> None:
    """Program yang tersimpan (versi terkini)."""
    from padu.programmes.store import current_workshop

    state = _state(ctx)
    with state.stores(read_only=True) as (_, cat):
        workshop, versions = current_workshop(cat)
    rows: list[dict[str, Any]] = [
        {
            "code": p.code,
            "name": p.name,
            "agency": p.agency,
            "dimensions": list(p.dimensions),
            "unit": p.unit,
            "complements": list(p.complements),
            "version": versions[p.code],
        }
        for p in sorted(workshop.programmes, key=lambda p: p.code)
    ]
    t = Table("kode", "nama", "instansi", "dimensi", "unit", "pelengkap", "versi")
    for p in sorted(workshop.programmes, key=lambda p: p.code):
        t.add_row(
            p.code,
            p.name,
            p.agency,
            ", ".join(p.dimensions),
            p.unit,
            ", ".join(p.complements) or "-",
            str(versions[p.code]),
        )
    _emit(state, {"programmes": rows}, t)


@programme_app.command("show")
def programme_show(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="KODE")],
    version: Annotated[int | None, typer.Option(help="Versi tertentu.")] = None,
) -> None:
    """Satu program: aturan, anggaran, cakupan."""
    from padu.programmes.store import programme

    state = _state(ctx)
    with state.stores(read_only=True) as (_, cat):
        p, v = programme(cat, code, version)
    data = {**p.definition(), "complements": list(p.complements), "version": v}
    _emit(state, data, programme_table(data, f"{p.code} versi {v}"))


#: ``programme show`` rows: the definition's keys (JSON, unchanged) in the officer's words.
_PROGRAMME_LABELS = {
    "code": "kode",
    "name": "nama",
    "agency": "instansi",
    "dimensions": "dimensi",
    "unit": "unit sasaran",
    "rule": "aturan",
    "member_rule": "aturan anggota",
    "fiscal_year": "tahun anggaran",
    "funding": "sumber dana",
    "unit_cost": "biaya per unit",
    "budget": "pagu anggaran",
    "quota": "kuota",
    "regions": "wilayah",
    "data_needs": "kebutuhan data",
    "complements": "program pelengkap",
    "note": "catatan",
    "version": "versi aturan",
    "params": "parameter",
    "rule_template": "aturan (templat)",
    "member_rule_template": "aturan anggota (templat)",
    "cost_components": "komponen biaya",
    "max_components": "komponen terbanyak per unit",
    "sub_activity_code": "kode sub kegiatan",
    "sub_activity_name": "nama sub kegiatan",
    "output_indicator": "indikator keluaran",
    "output_unit": "satuan keluaran",
    "output_volume": "volume keluaran",
    "tags": "tanda",
    "long_list": "daftar panjang (verifikasi lapangan)",
    "long_list_note": "catatan daftar panjang",
}
_RUPIAH_KEYS = frozenset({"unit_cost", "budget"})


def _structured(key: str, val: Any) -> str | None:
    """Parameters and cost components in words; None for any other key."""
    if key == "params" and isinstance(val, dict):
        lines = []
        for name, spec in val.items():
            value = spec.get("value") if isinstance(spec, dict) else spec
            label = spec.get("label") if isinstance(spec, dict) else None
            lines.append(f"{name} = {value}" + (f" ({label})" if label else ""))
        return "\n".join(lines) or "-"
    if key == "cost_components" and isinstance(val, list):
        return "\n".join(
            f"{c.get('label') or c.get('code')}: {rupiah(int(c.get('amount') or 0))}"
            f" — {_rule_words(str(c.get('member_rule')), member=True)}"
            for c in val
            if isinstance(c, dict)
        )
    return None


def _rule_words(text: str, *, member: bool) -> str:
    """A stored rule as the sentence an officer reads (the rule text itself stays above)."""
    from padu.rules import compile_member_rule, compile_rule
    from padu.rules.explain import sentence

    compiled = compile_member_rule(text) if member else compile_rule(text)
    return sentence(compiled.ast, member=member)


def programme_table(data: dict[str, Any], title: str) -> Table:
    """One programme definition in words: labels, amounts in rupiah, region names."""
    from padu.regions import kaltara

    t = Table("hal", "isi", title=title)
    for key, val in data.items():
        if (words := _structured(key, val)) is not None:
            shown = words
        elif key in _RUPIAH_KEYS and isinstance(val, int):
            shown = rupiah(val)
        elif key == "regions":
            found = [(c, kaltara().find(str(c))) for c in val]
            shown = ", ".join(f"{c} {r.nama}" if r else str(c) for c, r in found)
        elif key in ("fiscal_year", "version"):
            shown = str(val)
        elif key == "data_needs":
            shown = ", ".join(field_words(str(f)) for f in val)
        elif isinstance(val, list | tuple):
            shown = ", ".join(str(v) for v in val) or "-"
        elif isinstance(val, int) and not isinstance(val, bool):
            shown = angka(val)
        elif isinstance(val, bool):
            shown = "ya" if val else "tidak"
        else:
            shown = str(val)
        t.add_row(_PROGRAMME_LABELS.get(key, key.replace("_", " ")), shown)
        if key in ("rule", "member_rule"):
            t.add_row("  dalam kata", _rule_words(str(val), member=key == "member_rule"))
    if "regions" not in data:
        t.add_row("wilayah", "seluruh provinsi")
    return t


@programme_app.command("import")
def programme_import(
    ctx: typer.Context,
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="File YAML lokakarya, atau preset:kaltara-2026.")
    ],
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            metavar="KODE.NAMA=NILAI",
            help="Ubah parameter program, mis. SEMBAKO.desil_maks=4 (boleh diulang).",
        ),
    ] = None,
    by: _BY = None,
) -> None:
    """Impor file lokakarya (semua masalah dilaporkan sekaligus); perubahan = versi baru."""
    from padu.programmes.model import preset_workshop, read_workshop
    from padu.programmes.params import with_params
    from padu.programmes.store import save_workshop

    overrides: dict[str, str] = {}
    for item in param or []:
        name, sep, value = item.partition("=")
        if not sep or "." not in name or not value.strip():
            raise UsageError(f"--param: tulis KODE.NAMA=NILAI, mis. SEMBAKO.desil_maks=4: {item!r}")
        overrides[name.strip()] = value.strip()
    state = _state(ctx)
    if file.startswith("preset:"):
        workshop = preset_workshop(file.removeprefix("preset:"))
    else:
        workshop = read_workshop(_input_file(Path(file), "file lokakarya"))
    if overrides:
        workshop = with_params(workshop, overrides)
    with state.stores(read_only=True) as (_, cat):
        versions = save_workshop(workshop, cat, actor=state.actor(by))
    shown = ", ".join(f"{code} (versi {v})" for code, v in versions.items())
    _emit(
        state,
        {"agencies": len(workshop.agencies), "programmes": versions},
        f"{angka(len(workshop.agencies))} instansi, {angka(len(versions))} program diimpor: "
        + (shown or "-"),
    )


@programme_app.command("export")
def programme_export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="File YAML tujuan.")],
) -> None:
    """Ekspor semua instansi dan program (versi terkini) sebagai file lokakarya."""
    from padu.programmes.model import dump_workshop
    from padu.programmes.store import current_workshop

    check_output_file(file, (".yaml", ".yml"))
    state = _state(ctx)
    with state.stores(read_only=True) as (_, cat):
        workshop, _ = current_workshop(cat)
    with atomic_output(file) as temp:
        temp.write_text(dump_workshop(workshop), encoding="utf-8")
    _emit(
        state,
        {"file": str(file), "programmes": len(workshop.programmes)},
        f"{angka(len(workshop.programmes))} program -> {file}",
    )


@app.command("needs")
def needs(
    ctx: typer.Context,
    snapshot: Annotated[str, typer.Option("--snapshot", help="Id/label snapshot atau 'latest'.")],
    programme_code: Annotated[
        str | None, typer.Option("--programme", help="Satu program saja.")
    ] = None,
    by: Annotated[str, typer.Option(help="kabupaten atau kecamatan.")] = "kabupaten",
    fmt: Annotated[str, typer.Option("--format", help="table, json atau xlsx.")] = "table",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Buku kerja XLSX (satu lembar per instansi).")
    ] = None,
) -> None:
    """Kebutuhan data sasaran: kolom per program, kelengkapan, validitas, yang tak terputuskan."""
    from padu.programmes.needs import data_needs, write_workbook
    from padu.programmes.store import current_workshop, programme

    state = _state(ctx)
    check_format(fmt, out_file)
    with state.stores(read_only=True) as (wh, cat):
        if programme_code:
            progs = [programme(cat, programme_code)[0]]
        else:
            progs = current_workshop(cat)[0].programmes
        if not progs:
            raise InputError(
                "belum ada program; impor dulu (padu programme import preset:kaltara-2026)"
            )
        result = data_needs(wh, cat, snapshot, progs, by=by)
    if out_file is not None:
        with atomic_output(out_file) as temp:
            write_workbook(result, temp)
    t = Table(
        "program",
        "instansi",
        "kolom",
        "kelengkapan terendah",
        "tak terputuskan",
        "kurang andal di",
        title="Kebutuhan data sasaran",
    )
    for p in result["programmes"]:
        lowest = min(p["fields"], key=lambda f: result["fields"][f]["completeness"])
        t.add_row(
            p["code"],
            p["agency"],
            str(len(p["fields"])),
            f"{field_words(lowest)}: {persen(result['fields'][lowest]['completeness'], 1)}",
            f"{angka(p['undecidable'])} keluarga"
            + (f", {angka(n)} anggota" if (n := p["undecidable_members"]) else ""),
            ", ".join(r["nama"] for r in p["unreliable_regions"]) or "-",
        )
    _emit(state if fmt != "json" else State(state.settings, True), result, t)


@app.command("target")
def target(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(metavar="KODE", help="Kode program, atau 'semua'.")],
    snapshot: Annotated[str, typer.Option("--snapshot", help="Id/label snapshot atau 'latest'.")],
    region: Annotated[
        str | None, typer.Option("--region", help="Batasi ke kode wilayah ini.")
    ] = None,
    version: Annotated[int | None, typer.Option(help="Versi aturan (bawaan: terkini).")] = None,
    out_file: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="BNBA: FILE.xlsx atau FILE.csv; untuk 'semua': FILE.xlsx (satu lembar per "
            "program) atau FOLDER (satu berkas per program).",
        ),
    ] = None,
    by: _BY = None,
    adopt: Annotated[
        bool,
        typer.Option(
            "--adopt",
            help="Catat daftar sebagai rencana penerima tahun anggaran program (menggantikan "
            "adopsi sebelumnya; riwayat tetap tersimpan).",
        ),
    ] = False,
) -> None:
    """Tarik daftar sasaran (BNBA) sebuah program, atau semua program, dari register bersama."""
    from padu.programmes.adopt import adopt_target_list, adopt_target_lists
    from padu.programmes.bnba import SUFFIXES, publish_all, publish_target_list
    from padu.programmes.store import current_workshop, programme
    from padu.regions import kaltara

    state = _state(ctx)
    if adopt and region is not None:
        raise UsageError(
            "--adopt: hanya daftar seluruh cakupan program yang dapat diadopsi; hapus --region"
        )
    if region is not None:
        region = kaltara().get(region).kode
    if code.lower() in ("semua", "all"):
        if version is not None:
            raise UsageError("--version: hanya untuk satu program, bukan 'semua'")
        with state.stores(read_only=not adopt) as (wh, cat):
            workshop, versions = current_workshop(cat)
            progs = [
                (p, versions[p.code]) for p in sorted(workshop.programmes, key=lambda p: p.code)
            ]
            lists = publish_all(
                wh, cat, progs, snapshot, actor=state.actor(by), region=region, out=out_file
            )
            adopted = adopt_target_lists(wh, cat, lists, actor=state.actor(by)) if adopt else []
        summaries = [t.summary() for t in lists]
        if adopt:
            for sm, one in zip(summaries, adopted, strict=True):
                sm.update(_adoption_data(one))
        t = Table(
            "program",
            "unit",
            "memenuhi syarat",
            "terpilih",
            "biaya",
            "hash",
            title="Semua daftar sasaran" + (f" -> {out_file}" if out_file else ""),
        )
        _right(t, "memenuhi syarat", "terpilih", "biaya")
        for sm in summaries:
            t.add_row(
                sm["programme"],
                sm["unit"],
                angka(sm["eligible"]),
                angka(sm["selected"]),
                rupiah(sm["cost"]),
                sm["hash"][:12],
            )
        data: dict[str, Any] = {"lists": summaries, "out": str(out_file) if out_file else None}
        if adopt:
            data["warnings"] = [w for one in adopted for w in one.warnings]
        _emit(state, data, Group(t, *(_adoption_lines(one) for one in adopted)))
        return
    if out_file is not None:
        check_output_file(out_file, SUFFIXES)
    with state.stores(read_only=not adopt) as (wh, cat):
        p, v = programme(cat, code, version)
        result = publish_target_list(
            wh, cat, p, v, snapshot, actor=state.actor(by), region=region, out=out_file
        )
        adoption = adopt_target_list(wh, cat, result, actor=state.actor(by)) if adopt else None
        data = result.summary()
    if out_file is not None:
        data["out"] = str(out_file)
    shown: RenderableType = _target_table(data, f"Daftar sasaran {p.code} (versi aturan {v})")
    if adoption is not None:
        data.update(_adoption_data(adoption))
        shown = Group(shown, _adoption_lines(adoption))
    _emit(state, data, shown)


def _adoption_data(row: Any) -> dict[str, Any]:
    """An adopted list in the JSON of ``padu target``."""
    return {
        "adoption": {"id": row.id, "year": row.year, "replaces": row.replaces},
        "warnings": list(row.warnings),
    }


def _adoption_lines(row: Any) -> str:
    """An adopted list in words: which adoption it is, whom it replaces, and its warnings."""
    replaces = f", menggantikan #{row.replaces}" if row.replaces is not None else ""
    lines = [
        f"{row.programme}: diadopsi sebagai rencana tahun {row.year} (adopsi #{row.id}{replaces})",
        *(f"  peringatan: {w}" for w in row.warnings),
    ]
    return "\n".join(lines)


_TARGET_LABELS = {
    "programme": "program",
    "rule_version": "versi aturan",
    "snapshot": "snapshot",
    "region": "wilayah",
    "unit": "unit sasaran",
    "eligible": "memenuhi syarat",
    "selected": "terpilih",
    "cost": "biaya",
    "duplicates_dropped": "orang ganda yang dihapus",
    "hash": "hash isi (SHA-256)",
    "out": "file",
}


def _target_table(data: dict[str, Any], title: str) -> Table:
    """One drawn list in words: counts with dots, the cost in rupiah, duplicates by name."""
    from padu.regions import kaltara

    t = Table("hal", "isi", title=title)
    for key, label in _TARGET_LABELS.items():
        val = data.get(key)
        if key == "region":
            region = kaltara().find(val) if val else None
            val = f"{val} {region.nama}" if region else (val or "seluruh cakupan program")
        if val is None:
            continue
        if key == "cost":
            shown = rupiah(val)
        elif isinstance(val, int) and key not in ("rule_version", "snapshot"):
            shown = angka(val)
        else:
            shown = str(val)
        t.add_row(label, shown)
    for d in data.get("duplicates") or []:
        words = {"nik": "NIK", "kk": "No. KK", "kk_dipakai": "No. KK yang dipakai"}
        t.add_row(
            "  ganda", ", ".join(f"{words.get(k, k)} {v}" for k, v in d.items() if v is not None)
        )
    return t


@rule_app.command("explain")
def rule_explain(
    ctx: typer.Context,
    rule: Annotated[
        str,
        typer.Argument(
            metavar="ATURAN", help='Aturan, misalnya "desil_nasional <= 4 dan pbi_nas".'
        ),
    ],
    snapshot: Annotated[
        str | None, typer.Option("--snapshot", help="Hitung pada snapshot ini (id, label, latest).")
    ] = None,
) -> None:
    """Bentuk terurai, kolom yang dibaca, dan jumlah keluarga per klausa dan seluruh aturan."""
    from padu.register.snapshots import snapshot_table
    from padu.rules.explain import explain

    state = _state(ctx)
    if snapshot is None:
        result = explain(rule)
    else:
        with state.stores(read_only=True) as (wh, cat):
            snap = cat.snapshot(snapshot)
            kel = snapshot_table(wh, cat, snap.id, "keluarga")
            ind = snapshot_table(wh, cat, snap.id, "individu")
            result = explain(rule, kel, ind, snap.tanggal)
    t = Table("syarat", "keluarga", title=f"Aturan: {' '.join(rule.split())}")
    for c in result.clauses:
        t.add_row(
            c.get("sentence") or c["clause"], angka(c["families"]) if "families" in c else "-"
        )
    if snapshot is not None:
        t.add_row(
            "SELURUH ATURAN", f"{angka(result.families)} keluarga, {angka(result.persons)} orang"
        )
        if result.undecidable:
            t.add_row("tak terputuskan (data kosong)", f"{angka(result.undecidable)} keluarga")
        if result.families == 0:
            t.add_row("perhatian", "aturan ini tidak cocok dengan satu keluarga pun")
    t.add_row("kolom yang dibaca", ", ".join(result.fields))
    if result.sentence:
        t.caption = f"Dalam kata: {result.sentence}"
    _emit(state, result.to_dict(), t)


@mpi_app.callback()
def mpi(
    ctx: typer.Context,
    snapshot: Annotated[
        str | None, typer.Option("--snapshot", help="Id/label snapshot atau 'latest'.")
    ] = None,
    measure: Annotated[
        str, typer.Option(help="Preset (padu-7, global-mpi) atau file YAML.")
    ] = "padu-7",
    k: Annotated[
        str | None, typer.Option("--k", help="Batas miskin k (bawaan: dari ukuran).")
    ] = None,
    by: Annotated[
        str | None, typer.Option(help="Tingkat wilayah atau kolom keluarga.")
    ] = "kabupaten",
    person: Annotated[
        bool, typer.Option("--person/--family", help="Angka berbasis orang atau keluarga.")
    ] = False,
    missing: Annotated[
        str, typer.Option(help="Data hilang: exclude, not_deprived, deprived.")
    ] = "exclude",
    fmt: Annotated[str, typer.Option("--format", help="table, json, csv atau xlsx.")] = "table",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="File keluaran (csv/xlsx).")
    ] = None,
    families_out: Annotated[
        Path | None,
        typer.Option("--families-out", help="CSV per keluarga: deprivasi, skor, status miskin."),
    ] = None,
) -> None:
    """Alkire-Foster pada snapshot: H, A, M0, headcount, kontribusi, per wilayah."""
    if ctx.invoked_subcommand is not None:
        return
    if snapshot is None:
        raise UsageError("--snapshot: sebutkan snapshot (atau gunakan `padu mpi file`)")
    from padu.measure import parse_fraction
    from padu.measure.measures import get_measure
    from padu.measure.report import mpi_report
    from padu.measure.snapshot import mpi_snapshot

    policy = check_mpi_options(missing, fmt, out_file)
    if families_out is not None:
        check_output_file(families_out, (".csv",))
    fraction = parse_fraction(k, "k") if k else None
    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        m = get_measure(measure, cat)
        snap = cat.snapshot(snapshot)
        result = mpi_snapshot(wh, cat, snap.id, m, k=fraction, by=by, person=person, missing=policy)
        if families_out is not None:
            from padu.measure.snapshot import write_family_scores

            write_family_scores(
                wh, cat, snap.id, m, result.k, families_out, missing=policy,
                actor=state.actor(),
            )  # fmt: skip
    report = mpi_report(result, m, snap.id, by, person, missing)
    if fmt in ("csv", "xlsx"):
        report.write(fmt, out_file)
        if out_file is None:
            return
    _emit(state if fmt != "json" else State(state.settings, True), report.data, report.table())


@mpi_app.command("sensitivity")
def mpi_sensitivity(
    ctx: typer.Context,
    snapshot: Annotated[str, typer.Option("--snapshot", help="Id/label snapshot atau 'latest'.")],
    measure: Annotated[str, typer.Option(help="Preset atau file YAML.")] = "padu-7",
    person: Annotated[bool, typer.Option("--person/--family")] = False,
) -> None:
    """H, A dan M0 untuk setiap kemungkinan batas k."""
    from padu.measure.measures import get_measure
    from padu.measure.snapshot import sensitivity

    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        m = get_measure(measure, cat)
        rows = sensitivity(wh, cat, snapshot, m, person=person)
    t = Table("k", "H", "A", "M0", "miskin", title=f"Sensitivitas {m.id} terhadap k")
    _right(t, "H", "A", "M0", "miskin")
    for r in rows:
        t.add_row(
            f"{r['k']} ({desimal(float(r['k']), 3)})",
            persen(float(r["H"]) * 100, 1),
            persen(float(r["A"]) * 100, 1),
            desimal(float(r["M0"]), 4),
            angka(r["q"]),
        )
    data = {
        "measure": m.id,
        "rows": [
            {**r, "k": str(r["k"]), "H": float(r["H"]), "A": float(r["A"]), "M0": float(r["M0"])}
            for r in rows
        ],
    }
    _emit(state, data, t)


@mpi_app.command("change")
def mpi_change(
    ctx: typer.Context,
    a: Annotated[str, typer.Argument(metavar="SNAPSHOT_LAMA", help="Snapshot lama.")],
    b: Annotated[str, typer.Argument(metavar="SNAPSHOT_BARU", help="Snapshot baru.")],
    measure: Annotated[str, typer.Option(help="Preset atau file YAML.")] = "padu-7",
    by: Annotated[
        str | None, typer.Option(help="Tingkat wilayah atau kolom keluarga.")
    ] = "kabupaten",
    person: Annotated[bool, typer.Option("--person/--family")] = False,
) -> None:
    """Perubahan H, A dan M0 antara dua snapshot, per wilayah."""
    from padu.measure.measures import get_measure
    from padu.measure.snapshot import change

    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        m = get_measure(measure, cat)
        d = change(wh, cat, a, b, m, by=by, person=person)
    t = Table(
        "kelompok",
        "M0 lama",
        "M0 baru",
        "perubahan M0",
        "H lama",
        "H baru",
        title=f"Perubahan {m.id}: snapshot {d['from']} -> {d['to']}",
    )
    _right(t, "M0 lama", "M0 baru", "perubahan M0", "H lama", "H baru")

    def f(x: Any) -> str:
        return "-" if x is None else desimal(float(x), 4)

    for r in d["rows"]:
        t.add_row(
            r["group"],
            f(r["M0_lama"]),
            f(r["M0_baru"]),
            f(r["M0_perubahan"]),
            "-" if r["H_lama"] is None else persen(float(r["H_lama"]) * 100, 1),
            "-" if r["H_baru"] is None else persen(float(r["H_baru"]) * 100, 1),
        )
    data = {
        **d,
        "rows": [
            {k2: (float(v) if v is not None and k2 != "group" else v) for k2, v in r.items()}
            for r in d["rows"]
        ],
    }
    _emit(state, data, t)


@measure_app.command("list")
def measure_list(ctx: typer.Context) -> None:
    """Ukuran yang tersedia: preset dan ukuran tersimpan (dengan versinya)."""
    from padu.measure.measures import get_measure, preset_ids

    state = _state(ctx)
    with state.stores(read_only=True) as (_, cat):
        saved: dict[str, int] = {v.measure_id: v.version for v in cat.measure_versions()}
        found: list[tuple[Any, str, int | None]] = [
            (get_measure(pid), "preset", None) for pid in preset_ids()
        ]
        found += [(get_measure(mid, cat), "tersimpan", ver) for mid, ver in saved.items()]
    rows = []
    t = Table("id", "nama", "sumber", "versi", "dimensi", "indikator", "k")
    for m, source, version in found:
        rows.append(
            {
                "id": m.id,
                "label_id": m.label_id,
                "label_en": m.label_en,
                "source": source,
                "version": version,
                "dimensions": len(m.dimensions),
                "indicators": len(m.indicators),
                "k": str(m.k),
            }
        )
        t.add_row(
            m.id,
            m.label_id,
            source,
            str(version or "-"),
            str(len(m.dimensions)),
            str(len(m.indicators)),
            str(m.k),
        )
    _emit(state, {"measures": rows}, t)


@measure_app.command("save")
def measure_save(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="File YAML ukuran.")],
    by: _BY = None,
) -> None:
    """Simpan ukuran buatan sendiri ke katalog sebagai versi baru (diperiksa utuh dahulu)."""
    from padu.measure.measures import save_measure

    _input_file(file, "file ukuran")
    state = _state(ctx)
    with state.stores(read_only=True) as (_, cat):
        m, version = save_measure(file, cat, actor=state.actor(by))
    _emit(
        state, {"id": m.id, "version": version}, f"ukuran {m.id} disimpan sebagai versi {version}"
    )


@measure_app.command("show")
def measure_show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="UKURAN", help="Id preset atau file YAML.")],
) -> None:
    """Dimensi, indikator, bobot dan aturan sebuah ukuran."""
    from padu.measure.measures import get_measure

    state = _state(ctx)
    with state.stores(read_only=True) as (_, cat):
        m = get_measure(ref, cat)
    _emit(state, _measure_dict(m), _measure_table(m))


@measure_app.command("check")
def measure_check(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="File YAML ukuran.")],
    snapshot: Annotated[
        str | None, typer.Option("--snapshot", help="Hitung tingkat deprivasi pada snapshot ini.")
    ] = None,
) -> None:
    """Periksa file ukuran (semua masalah sekaligus) dan tingkat deprivasi tiap indikator."""
    from padu.measure.measures import get_measure
    from padu.measure.snapshot import mpi_snapshot

    _input_file(file, "file ukuran")
    state = _state(ctx)
    m = get_measure(str(file))
    data = _measure_dict(m)
    t = _measure_table(m)
    if snapshot is not None:
        with state.stores(read_only=True) as (wh, cat):
            result = mpi_snapshot(wh, cat, snapshot, m, by=None)
        rates = {i: float(v) for i, v in result.overall.uncensored.items()}
        data["deprivation_rate"] = rates
        data["missing_data_units"] = result.overall.missing
        t = _measure_table(m, rates)
    _emit(state, data, t)


def _measure_dict(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "label_id": m.label_id,
        "label_en": m.label_en,
        "k": str(m.k),
        "dimensions": [
            {"id": d.id, "label_id": d.label_id, "label_en": d.label_en, "weight": str(w)}
            for d, w in zip(m.dimensions, m.dimension_weights().values(), strict=True)
        ],
        "indicators": [
            {
                "id": i.id,
                "dimension": i.dimension,
                "weight": str(i.weight),
                "label_id": i.label_id,
                "label_en": i.label_en,
                "rule": i.rule.text,
                "fields": sorted(f"{lv}.{n}" for lv, n in i.rule.fields),
                "note": i.note,
            }
            for i in m.indicators
        ],
        "not_expressible": m.not_expressible,
    }


def _measure_table(m: Any, rates: dict[str, float] | None = None) -> Table:
    t = Table(
        "indikator",
        "dimensi",
        "bobot",
        "aturan",
        *(["deprivasi"] if rates else []),
        title=f"{m.id}: {m.label_id} (k = {m.k})",
    )
    for i in m.indicators:
        t.add_row(
            i.id,
            i.dimension,
            str(i.weight),
            " ".join(i.rule.text.split()),
            *([persen(rates[i.id] * 100)] if rates else []),
        )
    return t


@mpi_app.command("file")
def mpi_file(
    ctx: typer.Context,
    input_file: Annotated[
        Path, typer.Argument(metavar="FILE", help="CSV/XLSX/Parquet berisi kolom deprivasi 0/1.")
    ],
    indicator: Annotated[
        list[str], typer.Option("--indicator", help="KOLOM=BOBOT, misalnya sanitasi=1/6 (ulangi).")
    ],
    k: Annotated[str, typer.Option("--k", help="Batas miskin k, desimal atau pecahan (1/3).")],
    by: Annotated[str | None, typer.Option("--by", help="Kolom pengelompokan.")] = None,
    missing: Annotated[
        str, typer.Option(help="Data hilang: exclude, not_deprived, deprived.")
    ] = "exclude",
    exact: Annotated[bool, typer.Option(help="Tulis angka sebagai pecahan eksak.")] = False,
) -> None:
    """Alkire-Foster pada berkas datar kolom deprivasi 0/1 (untuk dibandingkan dengan alat lain)."""
    from padu.measure.flatfile import mpi_from_file

    _input_file(input_file, "berkas deprivasi")
    result = mpi_from_file(input_file, indicator, k, by=by, missing=missing)
    data = result.to_dict(exact)
    t = Table("kelompok", "n", "H", "A", "M0", title=f"Alkire-Foster, k = {result.k}")
    rows = [("keseluruhan", result.overall), *result.groups.items()]
    for name, g in rows:
        figures = (desimal(float(x), 4) for x in (g.H, g.A, g.M0))
        t.add_row(name, angka(g.n), *figures)
    _emit(_state(ctx), data, t)


@contextmanager
def _progress(state: State, total: int = 2) -> Iterator[Any]:
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as prog:
        task = prog.add_task("mulai", total=total)
        first = True

        def step(label: str) -> None:
            nonlocal first
            if not first:
                prog.advance(task)
            first = False
            prog.update(task, description=label)

        yield step
        prog.update(task, completed=total)


def _read_mapping(path: Path) -> dict[str, str]:
    import yaml

    from padu.errors import ImportRejected, Problem
    from padu.sheets import read_text

    text = read_text(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ImportRejected(
            "file pemetaan tidak dapat dibaca",
            [Problem(path.name, None, None, None, str(exc), "file_tidak_terbaca")],
        ) from exc
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ImportRejected(
            "file pemetaan tidak valid",
            [
                Problem(
                    path.name,
                    None,
                    None,
                    None,
                    "isi harus 'kolom_padu: Judul Kolom' per baris",
                    "format_salah",
                )
            ],
        )
    return dict(data)


@app.command("link")
def link_cmd(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="Daftar penerima instansi (.xlsx atau .csv).")
    ],
    programme: Annotated[str, typer.Option("--programme", help="Kode program.")],
    year: Annotated[int, typer.Option("--year", help="Tahun anggaran daftar ini.")],
    snapshot: Annotated[
        str, typer.Option("--snapshot", help="Snapshot register (id/label/latest).")
    ] = "latest",
    mapping: Annotated[
        Path | None, typer.Option("--mapping", help="File YAML pemetaan: kolom_padu: Judul Kolom.")
    ] = None,
    save_mapping: Annotated[
        bool, typer.Option("--save-mapping", help="Simpan pemetaan ini untuk instansi program.")
    ] = False,
    show_mapping: Annotated[
        bool, typer.Option("--show-mapping", help="Hanya tampilkan usulan pemetaan kolom.")
    ] = False,
    report: Annotated[Path | None, typer.Option("--out", help="Laporan Excel (.xlsx).")] = None,
    export_links: Annotated[
        Path | None,
        typer.Option(
            "--export-links",
            help="CSV: satu baris per baris daftar; satu per calon bila perlu ditinjau.",
        ),
    ] = None,
    auto: Annotated[float, typer.Option("--auto", help="Ambang terima otomatis (peluang).")] = 0.99,
    review: Annotated[
        float, typer.Option("--review", help="Ambang antrian tinjauan (peluang).")
    ] = 0.30,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit",
            help="individu atau keluarga (bawaan: dari kolomnya; tanpa NIK dan tanggal lahir "
            "tetapi dengan No. KK atau nama kepala keluarga = keluarga).",
        ),
    ] = None,
    by: _BY = None,
) -> None:
    """Tautkan daftar penerima instansi ke register: NIK, NIK diperbaiki, lalu probabilistik.

    Daftar per keluarga (No. KK, nama kepala keluarga, desa) ditautkan ke keluarga register.
    Baris jumlah, judul berulang, nomor kolom, baris kosong dan catatan di bawah tabel
    dilaporkan dan tidak ditautkan.
    """
    from padu.linkage.ledger import link_list, resolve_mapping
    from padu.linkage.matcher import Bands
    from padu.linkage.reader import read_headers, suggest_mapping
    from padu.linkage.report import METHOD_LABEL, write_links_csv, write_report
    from padu.programmes.store import programme as get_programme

    state = _state(ctx)
    _input_file(file, "daftar penerima")
    if mapping is not None:
        _input_file(mapping, "file pemetaan")
    try:
        bands = Bands(auto=auto, review=review)
    except ValueError as exc:
        raise UsageError(f"--auto/--review: {exc}") from None
    if unit is not None and unit not in ("individu", "keluarga"):
        raise UsageError(f"--unit: pilih 'individu' atau 'keluarga', bukan {unit!r}")
    if report is not None:
        check_output_file(report, (".xlsx",))
    if export_links is not None:
        check_output_file(export_links, (".csv",))
    given = _read_mapping(mapping) if mapping else None
    actor = state.actor(by)
    with state.stores(read_only=show_mapping) as (wh, cat):
        prog, _ = get_programme(cat, programme)
        if show_mapping:
            headers, _ = read_headers(file)
            use, source = resolve_mapping(cat, prog.agency, file, given)
            sug = suggest_mapping(headers)
            data = {**sug.to_dict(), "source": source, "mapping": use or sug.mapping}
            t = Table(
                "kolom Padu", "judul kolom di file", "keyakinan", title=f"pemetaan ({source})"
            )
            for f, h in data["mapping"].items():
                t.add_row(f, h, desimal(sug.confidence.get(f, 1.0)))
            _emit(state, data, t)
            return
        with _progress(state, 1) as step:
            step("menautkan daftar ke register")
            run = link_list(
                wh, cat, file, programme=prog.code, agency=prog.agency, year=year,
                snapshot=snapshot, mapping=given, bands=bands, actor=actor,
                cache=state.settings.home / "cache", unit=unit,
            )  # fmt: skip
        if save_mapping:
            cat.save_mapping(prog.agency, run.mapping, actor)
        if report:
            write_report(run, report, cat, actor=actor)
        if export_links:
            write_links_csv(run, export_links, cat, actor=actor)
    c = run.counts
    data = {
        **c,
        "notes": run.notes,
        "ledger": run.ledger.id,
        "snapshot": run.ledger.snapshot_id,
        "mapping": run.mapping,
        "report": str(report) if report else None,
        "links": str(export_links) if export_links else None,
    }
    unit_label = "daftar keluarga" if c.get("unit") == "keluarga" else "daftar orang"
    t = Table(
        "hasil",
        "baris",
        title=f"{file.name} ({unit_label}): {prog.code} {year} (ledger {run.ledger.id})",
    )
    _right(t, "baris")
    shown = [(label, c["matched"].get(m, 0)) for m, label in METHOD_LABEL.items()]
    always = ("No. KK sama" if c.get("unit") == "keluarga" else "NIK sama", "keputusan peninjau")
    for label, n in (
        *((label, n) for label, n in shown if n or label in always),
        ("perlu ditinjau", c["matched"]["review"]),
        ("tidak cocok", c["unmatched"]),
        ("JUMLAH", c["rows"]),
    ):
        t.add_row(label, angka(n))
    _emit(state, data, t)
    if not state.json:
        for note in run.notes:  # the mapping used, and the rows set aside, in sentences
            out.print(note)
        if c.get("same_file_ledgers"):
            earlier = ", ".join(str(i) for i in c["same_file_ledgers"])
            out.print(
                f"file yang sama sudah pernah ditautkan untuk {prog.code} {year} "
                f"(ledger {earlier}); hasil ini disimpan sebagai ledger baru {run.ledger.id}"
            )


review_app = _group("Antrian tinjauan hasil penautan.")
app.add_typer(review_app, name="review")
_PROG = Annotated[
    str | None, typer.Option("--programme", help="Kode program (dengan --year: ledger terbaru).")
]
_YEAR = Annotated[int | None, typer.Option("--year", help="Tahun anggaran.")]
_LEDGER = Annotated[
    int | None,
    typer.Option("--ledger", help="Id ledger (bawaan: ledger terbaru program dan tahun itu)."),
]


def _ledger_title(ledger: Any) -> str:
    return (
        f"ledger {ledger.id}: {ledger.programme} {ledger.year}, {ledger.source_file} "
        f"({waktu_wita(ledger.dibuat)})"
    )


def _ledger_data(ledger: Any) -> dict[str, Any]:
    return {
        "ledger": ledger.id,
        "programme": ledger.programme,
        "year": ledger.year,
        "source_file": ledger.source_file,
        "snapshot": ledger.snapshot_id,
    }


@review_app.command("list")
def review_list(
    ctx: typer.Context, programme: _PROG = None, year: _YEAR = None, ledger_id: _LEDGER = None
) -> None:
    """Pasangan yang perlu ditinjau: baris daftar dan calon dari register berdampingan."""
    from padu.linkage.review import review_pairs, select_ledger

    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        ledger = select_ledger(cat, programme=programme, year=year, ledger_id=ledger_id)
        pairs = review_pairs(wh, ledger)
    t = Table(
        "baris",
        "calon",
        "nama (daftar)",
        "tgl lahir (daftar)",
        "NIK (register)",
        "nama (register)",
        "tgl lahir (register)",
        "skor",
        "yang sama",
        title=f"Antrian tinjauan {_ledger_title(ledger)}",
    )
    for r in pairs.head(200).iter_rows(named=True):
        t.add_row(
            str(r["row"]),
            str(r["rank"]),
            r["nama_daftar"] or "",
            r["tanggal_lahir_daftar"] or "",
            r["nik"] or "",
            r["nama"] or "",
            tanggal_teks(r["tanggal_lahir"]),
            desimal(r["score"], 3),
            agree_words(r["agree"]),
        )
    _emit(state, {**_ledger_data(ledger), "pairs": pairs.to_dicts()}, t)


#: The words a reviewer may type, as the report's Keputusan column (SAMA/BEDA) and in full.
_DECISION_WORDS = {
    "sama": "same",
    "orang yang sama": "same",
    "beda": "different",
    "berbeda": "different",
    "orang yang berbeda": "different",
}


@review_app.command("decide")
def review_decide(
    ctx: typer.Context,
    row: Annotated[int, typer.Option("--row", help="Baris data daftar.")],
    decision: Annotated[
        str,
        typer.Argument(
            metavar="KEPUTUSAN",
            help="SAMA (orang yang sama) atau BEDA, seperti kolom Keputusan laporan; "
            "juga same atau different.",
        ),
    ],
    programme: _PROG = None,
    year: _YEAR = None,
    ledger_id: _LEDGER = None,
    candidate: Annotated[
        int | None,
        typer.Option(
            "--candidate",
            help="Calon ke- (wajib untuk 'sama' bila calon lebih dari satu; "
            "'beda' tanpa ini menolak semua calon baris itu).",
        ),
    ] = None,
    by: _BY = None,
) -> None:
    """Catat keputusan tinjauan; dipakai lagi saat daftar yang sama ditautkan ulang."""
    from padu.linkage.review import DECISIONS, decide, select_ledger

    given = decision
    decision = _DECISION_WORDS.get(decision.strip().lower(), decision.strip().lower())
    if decision not in DECISIONS:
        raise UsageError(f"keputusan harus 'sama' atau 'beda', bukan {given!r}")
    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        ledger = select_ledger(cat, programme=programme, year=year, ledger_id=ledger_id)
        n = decide(wh, cat, ledger, [(row, candidate, decision)], actor=state.actor(by))
    _emit(
        state,
        {**_ledger_data(ledger), "decisions": n},
        f"{angka(n)} keputusan {'SAMA' if decision == 'same' else 'BEDA'} untuk baris {row}"
        f"{f', calon {candidate}' if candidate is not None else ''} dicatat pada "
        f"{_ledger_title(ledger)}",
    )


@review_app.command("load")
def review_load(
    ctx: typer.Context,
    report: Annotated[
        Path, typer.Argument(metavar="LAPORAN", help="Laporan Excel yang kolom keputusannya diisi.")
    ],
    programme: _PROG = None,
    year: _YEAR = None,
    ledger_id: _LEDGER = None,
    by: _BY = None,
) -> None:
    """Muat keputusan (SAMA/BEDA) dari lembar Antrian Tinjauan ke ledger yang disebut laporan."""
    from padu.linkage.review import load_review

    _input_file(report, "laporan")
    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        ledger, n = load_review(
            wh, cat, report, actor=state.actor(by), programme=programme, year=year,
            ledger_id=ledger_id,
        )  # fmt: skip
    _emit(
        state,
        {**_ledger_data(ledger), "decisions": n},
        f"{angka(n)} keputusan dari {report.name} dicatat pada {_ledger_title(ledger)}",
    )


# -- errors ---------------------------------------------------------------------------------

INTERRUPTED = 130


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _usage_message(exc: Exception) -> str:
    """A click/typer usage error as one Indonesian line naming the option and the help."""
    kind = type(exc).__name__
    ctx = getattr(exc, "ctx", None)
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        try:
            hint = param.get_error_hint()
        except Exception:  # another click version: the parameter's name will do
            hint = getattr(param, "name", None)
    if hint is not None and not isinstance(hint, str):
        hint = " / ".join(str(h) for h in hint)
    raw = str(getattr(exc, "message", "") or exc)
    if kind == "MissingParameter":
        text = f"{hint or 'argumen'} wajib diisi"
    elif kind == "NoSuchOption":
        text = f"opsi tidak dikenal: {getattr(exc, 'option_name', raw)}"
        maybe = getattr(exc, "possibilities", None)
        if maybe:
            text += f" (maksud Anda: {', '.join(sorted(maybe))}?)"
    elif kind == "BadOptionUsage" and "requires an argument" in raw:
        text = f"opsi {getattr(exc, 'option_name', '')} membutuhkan nilai"
    elif kind == "NoArgsIsHelpError" or raw.startswith("Missing command"):
        text = "perintah belum lengkap"
    elif raw.startswith("No such command"):
        text = "perintah tidak dikenal: " + raw.removeprefix("No such command").strip(" .")
    elif hint:
        text = f"nilai {hint} tidak valid: {_translated(raw)}"
    else:
        text = raw
    if ctx is not None:
        text += f" (lihat: {ctx.command_path} --help)"
    return _one_line(text)


_TYPE_WORDS = (
    ("valid integer", "harus bilangan bulat"),
    ("valid number", "harus angka"),
    ("valid boolean", "harus true atau false"),
    ("valid date", "harus tanggal YYYY-MM-DD"),
)


def _translated(raw: str) -> str:
    """Typer's type messages (English, from pydantic) in the officer's words."""
    return next((word for key, word in _TYPE_WORDS if key in raw), raw)


def _fail(error: PaduError, as_json: bool) -> int:
    """Print one error (one JSON object on stdout, or ``galat:`` lines on stderr); its code."""
    if as_json:
        sys.stdout.write(json.dumps(error.to_dict(), ensure_ascii=False, default=str) + "\n")
        return error.exit_code
    sys.stderr.write(f"galat: {_one_line(error.message)}\n")
    if isinstance(error, ImportRejected):
        for p in error.problems[:20]:
            sys.stderr.write(f"  - {_one_line(p.describe())}\n")
        if len(error.problems) > 20:
            more = f"  ... dan {angka(len(error.problems) - 20)} masalah lain"
            sys.stderr.write(more + (" (lihat file di bawah)\n" if error.rejects_paths else "\n"))
        for path in error.rejects_paths:
            sys.stderr.write(f"  file: {path}\n")
    return error.exit_code


class Interrupted(PaduError):
    """The user pressed Ctrl-C: nothing half-done is visible, and the exit code is 130."""

    exit_code = INTERRUPTED


def _internal(exc: BaseException) -> InternalError:
    from padu.identifiers import mask_identifiers

    first = _one_line(str(exc))[:300]
    return InternalError(
        f"kesalahan internal ({type(exc).__name__}: {mask_identifiers(first)}); "
        "laporkan ke pengelola Padu, jalankan lagi dengan PADU_DEBUG=1 untuk jejak lengkap"
    )


def _interrupted(exc: BaseException) -> bool:
    """Whether Ctrl-C caused ``exc``: DuckDB, for one, turns it into "Query interrupted"."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _json_requested(args: list[str]) -> bool:
    """Whether ``--json`` was given anywhere; it is moved before the command."""
    if "--json" not in args:
        return False
    args.remove("--json")
    args.insert(0, "--json")
    return True


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: runs a command and maps every failure to one message and an exit code.

    0 success, 1 bad input, 2 usage, 130 interrupted. No failure prints a traceback
    (unless ``PADU_DEBUG=1``); with ``--json`` every failure is one JSON object on stdout.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    as_json = _json_requested(args)
    if not args:  # plain `padu`: the list of commands
        args = ["--help"]
    try:
        code = app(args=args, prog_name="padu", standalone_mode=False)
    except KeyboardInterrupt:
        code = INTERRUPTED
    except PaduError as exc:
        if _interrupted(exc):
            return _fail(Interrupted("dibatalkan"), as_json)
        return _fail(exc, as_json)
    except typer.TyperException as exc:  # click's usage errors (missing option, bad value)
        usage = int(getattr(exc, "exit_code", 2)) == 2
        return _fail((UsageError if usage else InternalError)(_usage_message(exc)), as_json)
    except (typer.Abort, EOFError):
        code = INTERRUPTED
    except Exception as exc:
        if _interrupted(exc):
            return _fail(Interrupted("dibatalkan"), as_json)
        if os.environ.get("PADU_DEBUG"):
            import traceback

            traceback.print_exc()
        return _fail(_internal(exc), as_json)
    if code == INTERRUPTED:
        return _fail(Interrupted("dibatalkan"), as_json)
    return int(code or 0)


# the convergence commands live in their own module and register themselves on ``app``
import padu.cli_convergence  # noqa: E402
import padu.cli_measure  # noqa: E402
import padu.cli_plan  # noqa: E402
import padu.cli_serve  # noqa: E402
import padu.cli_user  # noqa: E402, F401

if __name__ == "__main__":
    # run as ``python -m padu.cli`` this file is ``__main__``, a second copy of the module:
    # the command modules above registered themselves on ``padu.cli.app``, so run that one
    from padu.cli import main as _main

    raise SystemExit(_main())
