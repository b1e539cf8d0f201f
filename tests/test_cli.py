"""The command-line contract: global options, JSON shapes, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from padu.cli import main
from tests.conftest import import_args


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, object]]:
    code = main(list(args))
    out = capsys.readouterr().out.strip()
    return code, json.loads(out.splitlines()[-1]) if out else {}


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_synth_import_list_quality_diff(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "synth"
    code, data = _run(
        capsys,
        "--home",
        str(home),
        "--json",
        "synth",
        "--seed",
        "3",
        "--scale",
        "0.002",
        "--out",
        str(out),
    )
    assert code == 0
    for name in (
        "keluarga.csv",
        "keluarga.parquet",
        "individu.csv",
        "individu.parquet",
        "ground_truth.json",
    ):
        assert (out / name).exists()
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    assert data["individuals"] == truth["individuals"]

    code, data = _run(capsys, "--json", *import_args(home, out))
    assert code == 0
    assert {"snapshot", "families", "individuals", "rejected_rows"} <= set(data)
    assert data["families"] == truth["families"] and data["rejected_rows"] == 0
    # --json after the command works too
    code, again = _run(
        capsys,
        "--home",
        str(home),
        "register",
        "import",
        str(out / "keluarga.parquet"),
        str(out / "individu.parquet"),
        "--snapshot-date",
        "2026-02-01",
        "--label",
        "Feb",
        "--json",
    )
    assert code == 0 and again["snapshot"] == data["snapshot"] + 1  # type: ignore[operator]

    code, listing = _run(capsys, "--home", str(home), "--json", "register", "list")
    assert [s["label"] for s in listing["snapshots"]] == ["DTSEN per 2026-01-23", "Feb"]  # type: ignore[index]
    code, quality = _run(
        capsys, "--home", str(home), "--json", "register", "quality", "latest", "--by", "kecamatan"
    )
    assert code == 0 and quality["findings"]
    code, diff = _run(capsys, "--home", str(home), "--json", "register", "diff", "1", "2")
    assert code == 0 and all(v == 0 for v in diff["counts"].values())  # type: ignore[union-attr]
    code, desil = _run(capsys, "--home", str(home), "--json", "register", "desil", "1")
    assert code == 0 and sum(r["keluarga"] for r in desil["rows"]) == truth["families"]  # type: ignore[union-attr]


def test_rejected_import_exits_1_and_names_report_and_rejects(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "synth"
    main(["--home", str(home), "synth", "--scale", "0.001", "--out", str(out), "--no-xlsx"])
    kel = pl.read_csv(out / "keluarga.csv", infer_schema=False).with_columns(
        kode_kecamatan=pl.lit("659999")
    )
    kel.write_csv(out / "keluarga.csv")
    capsys.readouterr()
    code, data = _run(capsys, "--json", *import_args(home, out))
    assert code == 1
    assert data["rejected_rows"] == kel.height
    assert Path(str(data["report"])).exists()
    assert any(Path(p).name == "keluarga.ditolak.csv" for p in data["rejects"])  # type: ignore[union-attr]
    code, listing = _run(capsys, "--home", str(home), "--json", "register", "list")
    assert listing["snapshots"] == []


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    assert (
        main(["--home", str(home), "register", "import", "x.csv", "--snapshot-date", "23-01-2026"])
        == 2
    )
    assert main(["--home", str(home), "register", "nonsense"]) == 2
    capsys.readouterr()


def test_not_found_is_bad_input(capsys: pytest.CaptureFixture[str], home: Path) -> None:
    code, data = _run(capsys, "--home", str(home), "--json", "register", "quality", "7")
    assert code == 1 and data["error"] == "NotFound"


def test_entry_point_runs_as_a_program(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "padu.cli", "--json", "regions", "show", "65.04"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["nama"] == "Kabupaten Tana Tidung" and len(data["children"]) == 5


def test_diff_lists_changes_on_screen_and_in_csv(
    capsys: pytest.CaptureFixture[str], home: Path, tmp_path: Path
) -> None:
    out = tmp_path / "synth"
    main(["--home", str(home), "synth", "--scale", "0.001", "--out", str(out), "--no-xlsx"])
    args = ["--snapshot-date", "2026-01-23"]
    main(import_args(home, out))
    kel = pl.read_csv(out / "keluarga.csv", infer_schema=False)
    gone = kel["nomor_kartu_keluarga"][0]
    kel.filter(pl.col("nomor_kartu_keluarga") != gone).write_csv(out / "k2.csv")
    ind = pl.read_csv(out / "individu.csv", infer_schema=False)
    ind.filter(pl.col("nomor_kartu_keluarga") != gone).write_csv(out / "i2.csv")
    main(
        ["--home", str(home), "register", "import", str(out / "k2.csv"), str(out / "i2.csv"), *args]
    )
    capsys.readouterr()
    assert (
        main(
            ["--home", str(home), "register", "diff", "1", "2", "--out", str(tmp_path / "diff.csv")]
        )
        == 0
    )
    screen = capsys.readouterr().out
    assert gone in screen and "keluarga_keluar" in screen
    listed = pl.read_csv(tmp_path / "diff.csv", infer_schema=False)
    assert listed.filter(pl.col("perubahan") == "keluarga_keluar")[
        "nomor_kartu_keluarga"
    ].to_list() == [gone]
