"""``padu mpi`` subcommands beyond the main table (registered by :mod:`padu.cli` at its end)."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.table import Table

from padu.cli import State, _emit, _state, check_mpi_options, mpi_app, out
from padu.files import atomic_output
from padu.fmt import angka, persen

_STATUS_WORDS = {
    "miskin": "miskin",
    "tidak_miskin": "tidak miskin",
    "tidak_terklasifikasi": "tak terklasifikasi",
}


def _headers(measures: list[str]) -> dict[str, str]:
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
    state = _state(ctx)
    with state.stores(read_only=True) as (wh, cat):
        measures = [get_measure(m, cat) for m in (measure or ["padu-7", "padu-6"])]
        result = desil_crosstab(wh, cat, snapshot, measures, missing=policy)
    data = result.to_dict()
    if state.json or fmt == "json":
        _emit(State(state.settings, True), data)
        return
    if fmt in ("csv", "xlsx"):
        _write(data, fmt, out_file)
        return
    out.print(_table(data))


def _table(data: dict[str, Any]) -> Table:
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


def _write(data: dict[str, Any], fmt: str, path: Path | None) -> None:
    """CSV (to ``path`` or stdout) or XLSX with readable headers; whole or not at all.

    The cells are aggregates (no person or family in them), so no audit event."""
    headers = _headers(data["measures"])
    if path is None:
        _csv(data, headers, sys.stdout)
        return
    with atomic_output(path) as temp:
        if fmt == "csv":
            with temp.open("w", newline="", encoding="utf-8") as fh:
                _csv(data, headers, fh)
        else:
            _xlsx(data, headers, temp)


def _csv(data: dict[str, Any], headers: dict[str, str], fh: TextIO) -> None:
    w = csv.writer(fh)
    w.writerow(headers.values())
    for row in data["rows"]:
        w.writerow([_desil_words(row["desil"]), *[row[k] for k in list(headers)[1:]]])


def _xlsx(data: dict[str, Any], headers: dict[str, str], path: Path) -> None:
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
