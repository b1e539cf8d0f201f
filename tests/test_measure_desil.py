"""MPI status x desil: every family in one cell per measure, agreeing with ``padu mpi``."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from python_calamine import CalamineWorkbook

from padu.cli import main
from padu.measure.desil import BLANK, DESILS, STATUSES, desil_crosstab
from padu.measure.measures import get_measure
from padu.measure.snapshot import mpi_snapshot
from padu.synth import SyntheticRegister
from tests.conftest import Stores, import_args

KK = "nomor_kartu_keluarga"


def _desil_row(value: str | None) -> str:
    text = (value or "").strip()
    if text.isdigit() and len(text) <= 2 and 1 <= int(text) <= 10:
        return str(int(text))
    return BLANK


def test_cross_table_totals_and_agreement_with_mpi(
    stores: Stores, snapshot: int, small_register: SyntheticRegister
) -> None:
    measures = [get_measure("padu-7"), get_measure("padu-6")]
    table = desil_crosstab(stores.warehouse, stores.catalog, snapshot, measures)
    kel = small_register.keluarga
    # each row holds the families of its desil, counted here from the register itself
    expected = (
        kel.select(
            pl.col("desil_nasional").fill_null("").map_elements(_desil_row, return_dtype=pl.String)
        )
        .to_series()
        .value_counts()
    )
    per_desil = dict(zip(expected["desil_nasional"], expected["count"], strict=True))
    for d in DESILS:
        for m in table.measures:
            assert sum(table.cells[d][m].values()) == per_desil.get(d, 0), (d, m)
    assert table.total() == kel.height
    # the poor and the unclassified are those padu mpi counts
    for m in measures:
        overall = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, by=None).overall
        poor = sum(table.cells[d][m.id]["miskin"] for d in DESILS)
        unclassified = sum(table.cells[d][m.id]["tidak_terklasifikasi"] for d in DESILS)
        assert (poor, unclassified) == (overall.q, overall.missing)
    # Padu-7 counts desil 1-4 as a deprivation, so it finds at least as many poor there
    low = [str(d) for d in range(1, 5)]
    assert sum(table.cells[d]["padu-7"]["miskin"] for d in low) >= sum(
        table.cells[d]["padu-6"]["miskin"] for d in low
    )
    total_row = table.rows()[-1]
    assert total_row["desil"] == "jumlah" and total_row["keluarga"] == kel.height
    for m in table.measures:
        assert sum(total_row[f"{m}_{s}"] for s in STATUSES) == kel.height


def test_padu_mpi_desil_cli(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, small_files: Path
) -> None:
    home = tmp_path / "home"
    assert main(import_args(home, small_files, "csv")) == 0
    capsys.readouterr()
    assert main(["--home", str(home), "--json", "mpi", "desil", "--snapshot", "latest"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["measures"] == ["padu-7", "padu-6"]
    assert [r["desil"] for r in data["rows"]] == [*DESILS, "jumlah"]
    assert data["rows"][-1]["keluarga"] == data["families"]
    assert (
        main(["--home", str(home), "mpi", "desil", "--snapshot", "1", "--measure", "padu-6"]) == 0
    )
    text = capsys.readouterr().out
    assert "padu-6: miskin" in text and "belum ditentukan" in text
    out = tmp_path / "desil.xlsx"
    args = ["--home", str(home), "mpi", "desil", "--snapshot", "1", "--format", "xlsx"]
    assert main([*args, "--out", str(out)]) == 0
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert rows[3][:3] == ["Desil nasional", "Jumlah keluarga", "padu-7: miskin"]
    assert rows[-1][0] == "Jumlah" and rows[-1][1] == data["families"]
    capsys.readouterr()
    assert main(["--home", str(home), "mpi", "desil", "--snapshot", "1", "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("Desil nasional,Jumlah keluarga,padu-7: miskin")
    # refused before any work: xlsx without a file
    assert main(args) == 2
