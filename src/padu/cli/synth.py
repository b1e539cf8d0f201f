"""``padu synth``: a synthetic DTSEN register, and agency lists drawn from a snapshot.

Each command calls one function of :mod:`padu.services.synth` and prints its model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Group
from rich.table import Table

from padu.cli._common import (
    BY,
    app,
    command_group,
    emit,
    progress,
    right_align,
    state_of,
)
from padu.errors import UsageError
from padu.files import check_output_file, check_output_folder
from padu.fmt import angka
from padu.services import synth as svc

synth_app = command_group(
    "Data sintetis: register DTSEN dan daftar instansi.", invoke_without_command=True
)
app.add_typer(synth_app, name="synth")


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
    if ctx.invoked_subcommand is not None:
        return
    if out_dir is None:
        raise UsageError("--out: folder keluaran wajib diisi")
    if scale <= 0:
        raise UsageError("--scale: harus lebih dari 0")
    check_output_folder(out_dir)
    state = state_of(ctx)
    with progress(state) as step:
        done = svc.synthesize_register(out_dir, scale=scale, seed=seed, xlsx=xlsx, progress=step)
    line = f"{angka(done.families)} keluarga, {angka(done.individuals)} individu -> {out_dir}"
    emit(state, done.model_dump(mode="json"), line)


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
    by: BY = None,
) -> None:
    """Buat daftar penerima instansi yang berderau dari register, dengan kunci jawabannya."""
    from padu.synth.agency_list import DRAW_LABELS, FILE_SUFFIXES

    if size < 1:
        raise UsageError("--size: harus paling sedikit 1")
    check_output_file(out_file, FILE_SUFFIXES)
    state = state_of(ctx)
    with state.stores(read_only=True) as (wh, cat):
        lst = svc.draw_agency_list(
            wh, cat, snapshot, out_file, size=size, seed=seed, programme=programme,
            actor=state.actor(by),
        )  # fmt: skip
    data = lst.model_dump(mode="json")
    line = f"{angka(lst.rows)} baris -> {out_file} (kunci jawaban: {lst.truth})"
    if lst.programme is None:
        emit(state, data, line)
        return
    draws, wanted, pools = lst.draws or {}, lst.wanted or {}, lst.pools or {}
    table = Table(
        "jenis baris", "baris", "diminta", "tersedia", title=f"Daftar realisasi {lst.programme}"
    )
    right_align(table, "baris", "diminta", "tersedia")
    for kind, label in DRAW_LABELS.items():
        pool = pools.get(kind)
        table.add_row(label, angka(draws.get(kind, 0)), angka(wanted.get(kind, 0)),
                      "-" if pool is None else angka(pool))  # fmt: skip
    warnings = (f"peringatan: {w}" for w in lst.warnings or [])
    emit(state, data, Group(line, table, *warnings))
