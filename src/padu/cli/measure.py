"""``padu mpi`` and ``padu measure``: Alkire-Foster figures and the measures behind them.

Each command parses its options, resolves the snapshot and measure, calls one function of
:mod:`padu.services.measure` and draws its result: the JSON is the result's
``model_dump(mode="json")``, the table is drawn from the same model.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from padu.cli._common import (
    BY,
    State,
    app,
    command_group,
    emit,
    existing_file,
    out,
    right_align,
    state_of,
)
from padu.errors import UsageError
from padu.files import check_output_file
from padu.fmt import angka, desimal, persen

if TYPE_CHECKING:
    from padu.measure.af import MissingPolicy
    from padu.services.measure import DesilTable, MeasureDefinition, MpiTable

mpi_app = command_group("Kemiskinan multidimensi (Alkire-Foster).", invoke_without_command=True)
measure_app = command_group("Ukuran kemiskinan multidimensi: indikator dan bobot.")
app.add_typer(mpi_app, name="mpi")
app.add_typer(measure_app, name="measure")


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
    from padu.services.measure import mpi_table, write_mpi_table

    policy = check_mpi_options(missing, fmt, out_file)
    if families_out is not None:
        check_output_file(families_out, (".csv",))
    fraction = parse_fraction(k, "k") if k else None
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        result = mpi_table(
            wh, cat, snapshot, get_measure(measure, cat), k=fraction, by=by, person=person,
            missing=policy, families_out=families_out, actor=state.actor(),
        )  # fmt: skip
    if fmt in ("csv", "xlsx"):
        write_mpi_table(result, "csv" if fmt == "csv" else "xlsx", out_file)
        if out_file is None:
            return
    data = result.model_dump(mode="json")
    emit(state if fmt != "json" else State(state.settings, True), data, _mpi_table(result))


def _mpi_table(result: MpiTable) -> Table:
    """The MPI figures per group as a terminal table, the missing-data note as its caption."""
    unit = result.unit.capitalize()
    t = Table(
        "kelompok", "nama", result.unit, "miskin", "data hilang", "H", "A", "M0",
        title=result.title, caption=result.missing_note,
    )  # fmt: skip
    for column in t.columns[2:]:
        column.justify = "right"
    for r in result.rows:
        t.add_row(
            str(r["Kelompok"]),
            str(r["Nama"]),
            angka(int(r[unit])),
            angka(int(r["Miskin multidimensi"])),
            angka(int(r["Data hilang"])),
            persen(float(r["H (%)"]), 1),
            persen(float(r["A (%)"]), 1),
            desimal(float(r["M0"]), 4),
        )
    return t


@mpi_app.command("sensitivity")
def mpi_sensitivity(
    ctx: typer.Context,
    snapshot: Annotated[str, typer.Option("--snapshot", help="Id/label snapshot atau 'latest'.")],
    measure: Annotated[str, typer.Option(help="Preset atau file YAML.")] = "padu-7",
    person: Annotated[bool, typer.Option("--person/--family")] = False,
) -> None:
    """H, A dan M0 untuk setiap kemungkinan batas k."""
    from padu.measure.measures import get_measure
    from padu.services.measure import mpi_sensitivity as sensitivity

    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        result = sensitivity(wh, cat, snapshot, get_measure(measure, cat), person=person)
    t = Table("k", "H", "A", "M0", "miskin", title=f"Sensitivitas {result.measure} terhadap k")
    right_align(t, "H", "A", "M0", "miskin")
    for r in result.rows:
        t.add_row(
            f"{r.k} ({desimal(float(Fraction(r.k)), 3)})",
            persen(r.H * 100, 1),
            persen(r.A * 100, 1),
            desimal(r.M0, 4),
            angka(r.q),
        )
    emit(state, result.model_dump(mode="json"), t)


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
    from padu.services.measure import mpi_change as change

    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        m = get_measure(measure, cat)
        d = change(wh, cat, a, b, m, by=by, person=person)
    t = Table(
        "kelompok", "M0 lama", "M0 baru", "perubahan M0", "H lama", "H baru",
        title=f"Perubahan {m.id}: snapshot {d.from_} -> {d.to}",
    )  # fmt: skip
    right_align(t, "M0 lama", "M0 baru", "perubahan M0", "H lama", "H baru")

    def f(x: float | None) -> str:
        return "-" if x is None else desimal(x, 4)

    def pct(x: float | None) -> str:
        return "-" if x is None else persen(x * 100, 1)

    for r in d.rows:
        t.add_row(r.group, f(r.M0_lama), f(r.M0_baru), f(r.M0_perubahan), pct(r.H_lama),
                  pct(r.H_baru))  # fmt: skip
    emit(state, d.model_dump(mode="json"), t)


@measure_app.command("list")
def measure_list(ctx: typer.Context) -> None:
    """Ukuran yang tersedia: preset dan ukuran tersimpan (dengan versinya)."""
    from padu.services.measure import list_measures

    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        found = list_measures(cat)
    t = Table("id", "nama", "sumber", "versi", "dimensi", "indikator", "k")
    for m in found.measures:
        t.add_row(m.id, m.label_id, m.source, str(m.version or "-"), str(m.dimensions),
                  str(m.indicators), m.k)  # fmt: skip
    emit(state, found.model_dump(mode="json"), t)


@measure_app.command("save")
def measure_save(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="File YAML ukuran.")],
    by: BY = None,
) -> None:
    """Simpan ukuran buatan sendiri ke katalog sebagai versi baru (diperiksa utuh dahulu)."""
    from padu.services.measure import save_measure_file

    existing_file(file, "file ukuran")
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        saved = save_measure_file(file, cat, actor=state.actor(by))
    emit(state, saved.model_dump(mode="json"),
         f"ukuran {saved.id} disimpan sebagai versi {saved.version}")  # fmt: skip


@measure_app.command("show")
def measure_show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="UKURAN", help="Id preset atau file YAML.")],
) -> None:
    """Dimensi, indikator, bobot dan aturan sebuah ukuran."""
    from padu.measure.measures import get_measure
    from padu.services.measure import describe_measure

    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        m = describe_measure(get_measure(ref, cat))
    emit(state, m.model_dump(mode="json"), _measure_table(m))


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
    from padu.services.measure import check_measure, describe_measure

    existing_file(file, "file ukuran")
    state = state_of(ctx)
    m = get_measure(str(file))
    if snapshot is None:
        plain = describe_measure(m)
        emit(state, plain.model_dump(mode="json"), _measure_table(plain))
        return
    with state.stores(read_only=True) as (wh, cat):
        checked = check_measure(wh, cat, snapshot, m)
    emit(state, checked.model_dump(mode="json"), _measure_table(checked, checked.deprivation_rate))


def _measure_table(m: MeasureDefinition, rates: dict[str, float] | None = None) -> Table:
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
            i.weight,
            " ".join(i.rule.split()),
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
    from padu.services.measure import mpi_flat_file

    existing_file(input_file, "berkas deprivasi")
    result = mpi_flat_file(input_file, indicator, k, by=by, missing=missing, exact=exact)
    t = Table("kelompok", "n", "H", "A", "M0", title=f"Alkire-Foster, k = {result.k}")
    for name, g in [("keseluruhan", result.overall), *result.groups.items()]:
        t.add_row(name, angka(g.n), *(desimal(g.value(x), 4) for x in ("H", "A", "M0")))
    emit(state_of(ctx), result.model_dump(mode="json"), t)


@mpi_app.command("desil")
def mpi_desil(
    ctx: typer.Context,
    snapshot: Annotated[str, typer.Option("--snapshot", help="Id/label snapshot atau 'latest'.")],
    measure: Annotated[
        list[str] | None,
        typer.Option("--measure", help="Ukuran (ulangi; bawaan: padu-7 dan padu-6)."),
    ] = None,
    missing: Annotated[
        str, typer.Option(help="Data hilang: exclude, not_deprived, deprived.")
    ] = "exclude",
    fmt: Annotated[str, typer.Option("--format", help="table, json, csv atau xlsx.")] = "table",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="File keluaran (csv/xlsx).")
    ] = None,
) -> None:
    """Status miskin multidimensi x desil nasional: jumlah keluarga per sel, per ukuran."""
    from padu.measure.measures import get_measure
    from padu.services.measure import desil_csv, write_desil_table
    from padu.services.measure import mpi_desil as desil_table

    policy = check_mpi_options(missing, fmt, out_file)
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        measures = [get_measure(m, cat) for m in (measure or ["padu-7", "padu-6"])]
        result = desil_table(wh, cat, snapshot, measures, missing=policy)
    if state.json or fmt == "json":
        emit(State(state.settings, True), result.model_dump(mode="json"))
    elif fmt in ("csv", "xlsx") and out_file is not None:
        write_desil_table(result, "csv" if fmt == "csv" else "xlsx", out_file)
    elif fmt == "csv":
        sys.stdout.write(desil_csv(result))
    else:
        out.print(_desil_table(result))


def _desil_table(result: DesilTable) -> Table:
    from padu.services.measure import STATUS_WORDS, desil_words

    measures = result.measures
    t = Table(
        "desil",
        "keluarga",
        *[f"{m}: {w}" for m in measures for w in (*STATUS_WORDS.values(), "% miskin")],
        title=f"Status miskin multidimensi x desil nasional (snapshot {result.snapshot})",
    )
    for row in result.rows:
        cells = []
        for m in measures:
            cells += [angka(row.count(m, s)) for s in STATUS_WORDS]
            poor = row.count(m, "miskin")
            classified = poor + row.count(m, "tidak_miskin")
            cells.append(persen(100 * poor / classified, 1) if classified else "-")
        t.add_row(desil_words(row.desil), angka(row.keluarga), *cells)
    for column in t.columns[1:]:
        column.justify = "right"
    return t
