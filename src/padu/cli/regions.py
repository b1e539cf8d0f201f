"""``padu regions``: the Kemendagri regions of Kaltara and the BPS crosswalk."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from padu.cli._common import (
    BY,
    app,
    command_group,
    emit,
    existing_file,
    state_of,
)
from padu.fmt import angka

regions_app = command_group("Wilayah Kemendagri Kaltara dan crosswalk BPS.")
app.add_typer(regions_app, name="regions")


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
    emit(state_of(ctx), data, t)


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
    emit(
        state_of(ctx),
        {"results": [{"kode": r.kode, "nama": r.nama, "level": r.level} for r in hits]},
        t,
    )


@regions_app.command("crosswalk")
def regions_crosswalk(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(metavar="FILE")], by: BY = None
) -> None:
    """Muat tabel crosswalk BPS<->Kemendagri (CSV: kode_bps, kode_kemendagri[, sumber])."""
    from padu.crosswalk import load_crosswalk

    existing_file(file, "berkas crosswalk")
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        n = load_crosswalk(file, cat, actor=state.actor(by))
    emit(state, {"rows": n, "file": str(file)}, f"{angka(n)} baris crosswalk dimuat dari {file}")
