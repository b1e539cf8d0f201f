"""``padu regions``: the Kemendagri regions of Kaltara and the BPS crosswalk.

Each command calls one function of :mod:`padu.services.regions` and prints its model.
"""

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
from padu.services import regions as svc

regions_app = command_group("Wilayah Kemendagri Kaltara dan crosswalk BPS.")
app.add_typer(regions_app, name="regions")


@regions_app.command("show")
def regions_show(ctx: typer.Context, code: Annotated[str, typer.Argument(metavar="KODE")]) -> None:
    """Satu wilayah dan anak-anaknya."""
    r = svc.region_detail(code)
    t = Table(title=f"{r.kode} {r.nama} ({r.level})")
    t.add_column("kode")
    t.add_column("nama")
    for c in r.children:
        t.add_row(c.kode, c.nama)
    emit(state_of(ctx), r.model_dump(mode="json"), t)


@regions_app.command("search")
def regions_search(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAMA")],
    level: Annotated[
        str | None,
        typer.Option(help="Batasi ke tingkat ini: provinsi, kabupaten, kecamatan, desa."),
    ] = None,
) -> None:
    """Cari wilayah menurut nama."""
    found = svc.search_regions(name, level)
    t = Table("kode", "nama", "tingkat")
    for r in found.results:
        t.add_row(r.kode, r.nama, r.level)
    emit(state_of(ctx), found.model_dump(mode="json"), t)


@regions_app.command("crosswalk")
def regions_crosswalk(
    ctx: typer.Context, file: Annotated[Path, typer.Argument(metavar="FILE")], by: BY = None
) -> None:
    """Muat tabel crosswalk BPS<->Kemendagri (CSV: kode_bps, kode_kemendagri[, sumber])."""
    existing_file(file, "berkas crosswalk")
    state = state_of(ctx)
    with state.stores(read_only=True) as (_, cat):
        done = svc.load_crosswalk(file, cat, actor=state.actor(by))
    line = f"{angka(done.rows)} baris crosswalk dimuat dari {done.file}"
    emit(state, done.model_dump(mode="json"), line)
