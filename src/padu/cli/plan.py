"""``padu plan`` and ``padu scenario``: joint planning of every agency's budget.

Registered on the main app by importing :mod:`padu.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.table import Table

from padu.cli._common import (
    State,
    app,
    check_format,
    command_group,
    emit,
    existing_file,
    out,
    state_of,
)
from padu.fmt import angka, desimal, persen, rupiah

scenario_app = command_group("Skenario perencanaan terpadu: daftar, impor, ekspor.")
app.add_typer(scenario_app, name="scenario")

OBJECTIVE_WORDS = {
    "lifted": "keluarga miskin multidimensi yang terangkat (skor turun di bawah k)",
    "weighted": "deprivasi tertutup, berbobot ke desil terbawah dan skor tertinggi",
}


@app.command("plan")
def plan_command(
    ctx: typer.Context,
    scenario: Annotated[
        str, typer.Argument(help="Berkas YAML skenario, nama preset, atau id skenario tersimpan.")
    ],
    snapshot: Annotated[
        str, typer.Option("--snapshot", help="Id/label snapshot, 'latest' atau 'acuan:TAHUN'.")
    ],
    compare: Annotated[
        str, typer.Option("--compare", help="siloed (bandingkan dengan sendiri-sendiri) atau none.")
    ] = "siloed",
    adopt: Annotated[
        bool, typer.Option("--adopt", help="Catat daftar rencana sebagai rencana tiap program.")
    ] = False,
    fmt: Annotated[str, typer.Option("--format", help="table, json atau xlsx.")] = "table",
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Berkas keluaran (.json atau .xlsx).")
    ] = None,
    workbooks: Annotated[
        Path | None,
        typer.Option("--workbooks", help="Folder: satu buku kerja siklus anggaran per instansi."),
    ] = None,
    gap: Annotated[
        float, typer.Option("--gap", help="Celah optimalitas yang diterima (0,001 = 0,1 %).")
    ] = 0.001,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Batas waktu pemecah, detik.")
    ] = 300.0,
    by: Annotated[str | None, typer.Option("--by", help="Pelaku (untuk log audit).")] = None,
) -> None:
    """Rencana terpadu semua anggaran program, dibandingkan dengan tiap instansi sendiri."""
    from padu.services.planning import check_plan_options, plan

    state = state_of(ctx)
    check_format(fmt, out_file, json_file=True)
    check_plan_options(compare=compare, gap=gap, time_limit=time_limit)
    # only --adopt writes the warehouse: without it other readers may run alongside
    with state.stores(read_only=not adopt) as (wh, cat):
        report = plan(
            wh, cat, scenario, snapshot, actor=state.actor(by), compare=compare == "siloed",
            gap=gap, time_limit=time_limit, adopt=adopt, workbooks=workbooks,
            comparison=out_file if fmt == "xlsx" else None,
            json_out=out_file if fmt == "json" else None,
        )  # fmt: skip
    data = report.model_dump(mode="json")
    if state.json or (fmt == "json" and out_file is None):
        emit(State(state.settings, True), data)
        return
    out.print(plan_tables(data))
    for a in report.adopted or []:
        out.print(
            f"Diadopsi: {a.programme} tahun {a.year}, {angka(a.selected)} unit "
            f"(adopsi {a.adoption})"
        )
        for w in a.warnings:
            out.print(f"  Peringatan: {w}")
    for path in [*(report.workbooks or []), *([out_file] if out_file else [])]:
        out.print(f"-> {path}")


def _delta(a: float | None, b: float | None, kind: str) -> str:
    if a is None or b is None:
        return "-"
    d = a - b
    sign = "+" if d > 0 else ("−" if d < 0 else "±")
    if kind == "pct":  # a difference of two shares is in percentage points
        return sign + desimal(100 * abs(d), 2) + " poin"
    return sign + _cell(abs(d), kind)


def _cell(x: float | None, kind: str) -> str:
    if x is None:
        return "-"
    if kind == "rp":
        return rupiah(round(x))
    if kind == "pct":
        return persen(100 * x, 2)
    if kind == "dec":
        return desimal(x, 4)
    return angka(round(x))


ROWS = [
    ("families_reached", "Keluarga terjangkau", "n"),
    ("deprivations_closed", "Deprivasi tertutup", "n"),
    ("poor_before", "Keluarga miskin multidimensi (sebelum)", "n"),
    ("poor_lifted", "Keluarga miskin yang terangkat", "n"),
    ("H_before", "H sebelum", "pct"),
    ("H_after", "H sesudah", "pct"),
    ("A_before", "A sebelum", "pct"),
    ("A_after", "A sesudah", "pct"),
    ("M0_before", "M0 sebelum", "dec"),
    ("M0_after", "M0 sesudah", "dec"),
    ("same_dimension_overlap", "Keluarga dengan tumpang tindih satu dimensi", "n"),
    ("budget_used", "Anggaran terpakai", "rp"),
    ("cost_per_deprivation_closed", "Biaya per deprivasi tertutup", "rp"),
]


def _limit(budget: int | None, quota: int | None) -> str:
    """A programme's pagu, or its quota where it has no budget."""
    if budget is not None:
        return rupiah(budget) + (f" (kuota {angka(quota)})" if quota is not None else "")
    return f"kuota {angka(quota)}" if quota is not None else "tanpa batas"


def plan_tables(data: dict[str, Any]) -> Group:
    """The comparison an analyst reads: province, kabupaten, programmes, the solver."""
    integ, silo = data["integrated"], data["siloed"]
    title = (
        f"{data['scenario_name']} (skenario {data['scenario']}"
        + (f" versi {data['scenario_version']}" if data["scenario_version"] else "")
        + f"), snapshot {data['snapshot']} ({data['snapshot_label']})"
    )
    head = Table(title=title, title_justify="left")
    head.add_column("Ukuran")
    head.add_column("Terpadu", justify="right")
    if silo:
        head.add_column("Sendiri-sendiri", justify="right")
        head.add_column("Selisih", justify="right")
    for key, label, kind in ROWS:
        cells = [_cell(integ[key], kind)]
        if silo:
            cells += [_cell(silo[key], kind), _delta(integ[key], silo[key], kind)]
        head.add_row(label, *cells)
    for dim, n in integ["deprivations_closed_by_dimension"].items():
        cells = [angka(n)]
        if silo:
            s = silo["deprivations_closed_by_dimension"][dim]
            cells += [angka(s), _delta(n, s, "n")]
        head.add_row(f"  deprivasi tertutup: {dim}", *cells)
    kab = Table(title="Per kabupaten/kota (terpadu / sendiri-sendiri)", title_justify="left")
    for col in ("Kabupaten/kota", "Miskin", "Terangkat", "Deprivasi tertutup", "Terjangkau",
                "Tumpang tindih", "M0 sesudah"):  # fmt: skip
        kab.add_column(col, justify="left" if col == "Kabupaten/kota" else "right")
    for entry in data["kabupaten"].values():
        i, s = entry["integrated"], entry["siloed"]

        def pair(key: str, kind: str = "n", i: Any = i, s: Any = s) -> str:
            return _cell(i[key], kind) + (f" / {_cell(s[key], kind)}" if s else "")

        kab.add_row(
            entry["name"], angka(i["poor_before"]), pair("poor_lifted"),
            pair("deprivations_closed"), pair("families_reached"),
            pair("same_dimension_overlap"), pair("M0_after", "dec"),
        )  # fmt: skip
    progs = Table(title="Per program (terpadu / sendiri-sendiri)", title_justify="left")
    for col in ("Program", "Instansi", "Menutup", "Pagu/kuota", "Unit", "Biaya"):
        progs.add_column(
            col, justify="left" if col in ("Program", "Instansi", "Menutup") else "right"
        )
    for p in data["programmes"]:
        i, s = p["integrated"], p.get("siloed")
        progs.add_row(
            p["code"], p["agency"], ", ".join(p["closes"]) or "- (urutan sendiri)",
            _limit(p["budget"], p["quota"]),
            angka(i["units"]) + (f" / {angka(s['units'])}" if s else ""),
            rupiah(i["cost"]) + (f" / {rupiah(s['cost'])}" if s else ""),
        )  # fmt: skip
    gap = data["gap"]
    lines = [
        f"Tujuan: {OBJECTIVE_WORDS.get(data['objective'], data['objective'])}.",
        f"Pemecah HiGHS: {data['solver_status']}, celah optimalitas "
        f"{'-' if gap is None else persen(100 * gap, 3)}, {angka(data['types'] or 0)} tipe "
        f"keluarga, {angka(data['variables'] or 0)} variabel; waktu: data "
        f"{desimal(data['data_seconds'] or 0, 1)} dtk, model "
        f"{desimal(data['model_seconds'] or 0, 1)} dtk, pemecah "
        f"{desimal(data['solve_seconds'] or 0, 1)} dtk.",
        *(f"Peringatan: {w}" for w in data["warnings"]),
    ]
    return Group(head, kab, progs, *lines)


@scenario_app.command("list")
def scenario_list(ctx: typer.Context) -> None:
    """Skenario preset dan tersimpan (dengan versinya)."""
    from padu.services.planning import list_scenarios

    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        listed = list_scenarios(cat)
    table = Table(title="Skenario", title_justify="left")
    for col in ("Skenario", "Versi", "Disimpan", "Oleh"):
        table.add_column(col)
    for name in listed.presets:
        table.add_row(name, "preset", "-", "-")
    for r in listed.stored:
        table.add_row(r.id, str(r.version), r.dibuat_wita, r.oleh)
    emit(state, listed.model_dump(mode="json"), table)


@scenario_app.command("import")
def scenario_import(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="Berkas YAML skenario.")],
    by: Annotated[str | None, typer.Option("--by", help="Pelaku (untuk log audit).")] = None,
) -> None:
    """Simpan skenario dari YAML sebagai versi baru (bila isinya berubah)."""
    from padu.services.planning import import_scenario

    state = state_of(ctx)
    existing_file(path, "berkas skenario")
    text = path.read_text(encoding="utf-8")
    with state.stores() as (_, cat):
        saved = import_scenario(cat, text, str(path), actor=state.actor(by))
    emit(
        state,
        saved.model_dump(mode="json"),
        f"Skenario {saved.scenario} tersimpan: versi {saved.version}",
    )


@scenario_app.command("export")
def scenario_export(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help="Nama preset atau id skenario tersimpan.")],
    out_file: Annotated[Path, typer.Option("--out", help="Berkas YAML keluaran.")],
) -> None:
    """Tulis skenario (preset atau versi tersimpan terbaru) sebagai YAML yang dapat disunting."""
    from padu.files import check_output_file
    from padu.services.planning import export_scenario

    state = state_of(ctx)
    check_output_file(out_file, (".yaml", ".yml"))
    with state.stores(read_only=True) as (_, cat):
        exported = export_scenario(cat, scenario, out_file)
    emit(state, exported.model_dump(mode="json"), f"-> {out_file}")
