"""``padu mpi`` and ``padu measure``: Alkire-Foster figures and the measures behind them."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

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
from padu.files import atomic_output, check_output_file
from padu.fmt import angka, desimal, persen

if TYPE_CHECKING:
    from padu.measure.af import MissingPolicy
    from padu.measure.report import MpiReport

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
    from padu.measure.report import mpi_report
    from padu.measure.snapshot import mpi_snapshot

    policy = check_mpi_options(missing, fmt, out_file)
    if families_out is not None:
        check_output_file(families_out, (".csv",))
    fraction = parse_fraction(k, "k") if k else None
    state = state_of(ctx)
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
    emit(state if fmt != "json" else State(state.settings, True), report.data, mpi_table(report))


def mpi_table(report: MpiReport) -> Table:
    """The MPI figures per group as a terminal table, the missing-data note as its caption."""
    unit = report.unit.capitalize()
    t = Table(
        "kelompok", "nama", report.unit, "miskin", "data hilang", "H", "A", "M0",
        title=report.title, caption=report.missing_note,
    )  # fmt: skip
    for column in t.columns[2:]:
        column.justify = "right"
    for r in report.rows:
        t.add_row(
            r["Kelompok"],
            r["Nama"],
            angka(r[unit]),
            angka(r["Miskin multidimensi"]),
            angka(r["Data hilang"]),
            persen(r["H (%)"], 1),
            persen(r["A (%)"], 1),
            desimal(r["M0"], 4),
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
    from padu.measure.snapshot import sensitivity

    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        m = get_measure(measure, cat)
        rows = sensitivity(wh, cat, snapshot, m, person=person)
    t = Table("k", "H", "A", "M0", "miskin", title=f"Sensitivitas {m.id} terhadap k")
    right_align(t, "H", "A", "M0", "miskin")
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
    emit(state, data, t)


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

    state = state_of(ctx)
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
    right_align(t, "M0 lama", "M0 baru", "perubahan M0", "H lama", "H baru")

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
    emit(state, data, t)


@measure_app.command("list")
def measure_list(ctx: typer.Context) -> None:
    """Ukuran yang tersedia: preset dan ukuran tersimpan (dengan versinya)."""
    from padu.measure.measures import get_measure, preset_ids

    state = state_of(ctx)
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
    emit(state, {"measures": rows}, t)


@measure_app.command("save")
def measure_save(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="File YAML ukuran.")],
    by: BY = None,
) -> None:
    """Simpan ukuran buatan sendiri ke katalog sebagai versi baru (diperiksa utuh dahulu)."""
    from padu.measure.measures import save_measure

    existing_file(file, "file ukuran")
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        m, version = save_measure(file, cat, actor=state.actor(by))
    emit(state, {"id": m.id, "version": version}, f"ukuran {m.id} disimpan sebagai versi {version}")


@measure_app.command("show")
def measure_show(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(metavar="UKURAN", help="Id preset atau file YAML.")],
) -> None:
    """Dimensi, indikator, bobot dan aturan sebuah ukuran."""
    from padu.measure.measures import get_measure

    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        m = get_measure(ref, cat)
    emit(state, _measure_dict(m), _measure_table(m))


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

    existing_file(file, "file ukuran")
    state = state_of(ctx)
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
    emit(state, data, t)


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

    existing_file(input_file, "berkas deprivasi")
    result = mpi_from_file(input_file, indicator, k, by=by, missing=missing)
    data = result.to_dict(exact)
    t = Table("kelompok", "n", "H", "A", "M0", title=f"Alkire-Foster, k = {result.k}")
    rows = [("keseluruhan", result.overall), *result.groups.items()]
    for name, g in rows:
        figures = (desimal(float(x), 4) for x in (g.H, g.A, g.M0))
        t.add_row(name, angka(g.n), *figures)
    emit(state_of(ctx), data, t)


_STATUS_WORDS = {
    "miskin": "miskin",
    "tidak_miskin": "tidak miskin",
    "tidak_terklasifikasi": "tak terklasifikasi",
}


def _desil_headers(measures: list[str]) -> dict[str, str]:
    """Column key -> the header an officer reads (``padu-7_miskin`` -> ``padu-7: miskin``)."""
    words = {"desil": "Desil nasional", "keluarga": "Jumlah keluarga"}
    for m in measures:
        for key, word in _STATUS_WORDS.items():
            words[f"{m}_{key}"] = f"{m}: {word}"
    return words


def _desil_words(desil: str) -> str:
    return {"kosong": "belum ditentukan/kosong", "jumlah": "Jumlah"}.get(desil, desil)


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
    from padu.measure.desil import desil_crosstab
    from padu.measure.measures import get_measure

    policy = check_mpi_options(missing, fmt, out_file)
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        measures = [get_measure(m, cat) for m in (measure or ["padu-7", "padu-6"])]
        result = desil_crosstab(wh, cat, snapshot, measures, missing=policy)
    data = result.to_dict()
    if state.json or fmt == "json":
        emit(State(state.settings, True), data)
        return
    if fmt in ("csv", "xlsx"):
        _write_desil(data, fmt, out_file)
        return
    out.print(_desil_table(data))


def _desil_table(data: dict[str, Any]) -> Table:
    measures: list[str] = data["measures"]
    t = Table(
        "desil",
        "keluarga",
        *[f"{m}: {w}" for m in measures for w in (*_STATUS_WORDS.values(), "% miskin")],
        title=f"Status miskin multidimensi x desil nasional (snapshot {data['snapshot']})",
    )
    for row in data["rows"]:
        cells = []
        for m in measures:
            cells += [angka(row[f"{m}_{s}"]) for s in _STATUS_WORDS]
            classified = row[f"{m}_miskin"] + row[f"{m}_tidak_miskin"]
            cells.append(persen(100 * row[f"{m}_miskin"] / classified, 1) if classified else "-")
        t.add_row(_desil_words(row["desil"]), angka(row["keluarga"]), *cells)
    for column in t.columns[1:]:
        column.justify = "right"
    return t


def _write_desil(data: dict[str, Any], fmt: str, path: Path | None) -> None:
    """CSV (to ``path`` or stdout) or XLSX with readable headers; whole or not at all.

    The cells are aggregates (no person or family in them), so no audit event."""
    headers = _desil_headers(data["measures"])
    if path is None:
        _desil_csv(data, headers, sys.stdout)
        return
    with atomic_output(path) as temp:
        if fmt == "csv":
            with temp.open("w", newline="", encoding="utf-8") as fh:
                _desil_csv(data, headers, fh)
        else:
            _desil_xlsx(data, headers, temp)


def _desil_csv(data: dict[str, Any], headers: dict[str, str], fh: TextIO) -> None:
    w = csv.writer(fh)
    w.writerow(headers.values())
    for row in data["rows"]:
        w.writerow([_desil_words(row["desil"]), *[row[k] for k in list(headers)[1:]]])


def _desil_xlsx(data: dict[str, Any], headers: dict[str, str], path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet("MPI x desil")
    bold = book.add_format({"bold": True})
    number = book.add_format({"num_format": "#,##0"})
    ws.write(
        0, 0, f"Status miskin multidimensi x desil nasional, snapshot {data['snapshot']}", bold
    )
    ws.write(1, 0, f"Data hilang: {data['missing']}; k: " + ", ".join(
        f"{m} {k}" for m, k in data["k"].items()
    ))  # fmt: skip
    ws.write_row(3, 0, list(headers.values()), bold)
    for r, row in enumerate(data["rows"], start=4):
        ws.write(r, 0, _desil_words(row["desil"]))
        for c, key in enumerate(list(headers)[1:], start=1):
            ws.write_number(r, c, row[key], number)
    ws.set_column(0, 0, 24)
    ws.set_column(1, len(headers), 18)
    ws.freeze_panes(4, 1)
    book.close()
