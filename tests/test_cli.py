"""The command-line contract: global options, JSON shapes, exit codes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

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
        main(["--home", str(home), "register", "import", "x.csv", "--snapshot-date", "2026-13-45"])
        == 2
    )
    assert "--snapshot-date: bukan tanggal: '2026-13-45'" in capsys.readouterr().err
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


# -- issue 9: clean errors, Ctrl-C, outputs checked first, audit through the CLI -----------

PADU = Path(sys.executable).with_name("padu")  # the installed entry point


@pytest.fixture(scope="module")
def seeded(small_files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the small register imported and the kaltara-2026 programmes."""
    home = tmp_path_factory.mktemp("cli") / "home"
    assert main(["--json", *import_args(home, small_files)]) == 0
    assert main(["--json", "--home", str(home), "programme", "import", "preset:kaltara-2026"]) == 0
    return home


def _one_json_error(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> tuple[int, dict[str, Any]]:
    """Run ``argv``; assert exactly one JSON error object on stdout and no traceback."""
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = [line for line in captured.out.splitlines() if line.strip()]
    assert len(lines) == 1, captured.out
    data = json.loads(lines[0])
    assert {"error", "message"} <= set(data) and data["message"].strip()
    return code, data


@pytest.mark.parametrize("json_first", [True, False])
@pytest.mark.parametrize(
    ("args", "code", "kind"),
    [
        (["link", "tidak-ada.xlsx", "--programme", "PKH", "--year", "2026"], 2, "UsageError"),
        (["link", "tidak-ada.xlsx"], 2, "UsageError"),  # missing options
        (["target", "PKH"], 2, "UsageError"),  # missing --snapshot
        (["link", "x.xlsx", "--programme", "PKH", "--year", "dua"], 2, "UsageError"),
        (["tidak-ada-perintah"], 2, "UsageError"),
        (["regions", "show", "65.04", "--bogus"], 2, "UsageError"),
        (["register"], 2, "UsageError"),  # no subcommand
        (["register", "import"], 2, "UsageError"),  # missing file argument
        (["measure", "save", "tidak-ada.yaml"], 2, "UsageError"),
        (["register", "quality", "7"], 1, "NotFound"),
        (["regions", "show", "99.99"], 1, "NotFound"),
    ],
)
def test_every_failure_is_one_json_object(
    capsys: pytest.CaptureFixture[str],
    home: Path,
    args: list[str],
    code: int,
    kind: str,
    json_first: bool,
) -> None:
    argv = ["--home", str(home), *(["--json", *args] if json_first else [*args, "--json"])]
    got, data = _one_json_error(capsys, argv)
    assert (got, data["error"]) == (code, kind), data


def test_without_json_a_failure_is_one_line_on_stderr(
    capsys: pytest.CaptureFixture[str], home: Path
) -> None:
    for argv, code in (
        (["link", "tidak-ada.xlsx", "--programme", "PKH", "--year", "2026"], 2),
        (["target", "PKH"], 2),
        (["register", "quality", "7"], 1),
    ):
        capsys.readouterr()
        assert main(["--home", str(home), *argv]) == code
        captured = capsys.readouterr()
        assert captured.out == ""
        assert captured.err.count("\n") == 1 and captured.err.startswith("galat: "), captured.err


def test_an_unexpected_error_is_one_line_unless_debugging(
    capsys: pytest.CaptureFixture[str], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import padu.regions

    def broken() -> None:
        raise ZeroDivisionError("pembagian dengan nol 6501010101800001")

    monkeypatch.setattr(padu.regions, "kaltara", broken)
    code, data = _one_json_error(capsys, ["--home", str(home), "--json", "regions", "show", "65"])
    assert code == 1 and data["error"] == "InternalError"
    assert "ZeroDivisionError" in data["message"] and "6501010101800001" not in data["message"]
    monkeypatch.setenv("PADU_DEBUG", "1")
    assert main(["--home", str(home), "regions", "show", "65"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_ctrl_c_inside_the_engine_is_an_interruption(
    capsys: pytest.CaptureFixture[str], home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DuckDB turns Ctrl-C into RuntimeError("Query interrupted") caused by KeyboardInterrupt."""
    import padu.regions

    def interrupted() -> None:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Query interrupted") from exc

    monkeypatch.setattr(padu.regions, "kaltara", interrupted)
    code, data = _one_json_error(capsys, ["--home", str(home), "--json", "regions", "show", "65"])
    assert code == 130 and data == {"error": "Interrupted", "message": "dibatalkan"}
    assert main(["--home", str(home), "regions", "show", "65"]) == 130
    assert capsys.readouterr().err == "galat: dibatalkan\n"


def test_ctrl_c_during_synth_exits_130_and_leaves_no_half_folder(tmp_path: Path) -> None:
    # interrupted when every file is written but none moved in: the one moment a half
    # folder could appear (polling for the temporary folder raced with a fast run under load)
    target = tmp_path / "sintetis"
    code, out, err = _interrupt_when_paused(
        ["--home", str(tmp_path / "home"), "synth", "--scale", "0.05", "--out", str(target)],
        "synth.write",
    )
    assert code == 130 and out == ""
    assert err.splitlines() == ["PADU_PAUSED synth.write", "galat: dibatalkan"]
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no folder, no temporary folder


def test_ctrl_c_during_import_exits_130_and_a_rerun_succeeds(
    small_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    args = [*import_args(home, small_files), "--json"]
    code, out, err = _interrupt_when_paused(args, "import.write")
    assert code == 130 and err.splitlines()[-1:] == ["PADU_PAUSED import.write"]
    assert json.loads(out) == {"error": "Interrupted", "message": "dibatalkan"}
    assert main(["--home", str(home), "--json", "register", "list"]) == 0
    assert json.loads(capsys.readouterr().out)["snapshots"] == []
    assert main(args) == 0


def _interrupt_when_paused(argv: list[str], stage: str) -> tuple[int, str, str]:
    """Interrupt ``padu argv`` while it sleeps at the test pause point ``stage``."""
    proc = subprocess.Popen(
        [str(PADU), *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PADU_TEST_PAUSE_AT": stage},
    )  # fmt: skip
    assert proc.stderr is not None
    seen = ""
    while f"PADU_PAUSED {stage}" not in seen:
        line = proc.stderr.readline()
        assert line, f"never paused at {stage}: {seen}"
        seen += line
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert "Traceback" not in err
    return proc.returncode, out, seen + err


def test_target_out_into_a_missing_folder_is_refused_before_the_draw(
    capsys: pytest.CaptureFixture[str], seeded: Path, tmp_path: Path
) -> None:
    events_before = _events(seeded)
    for out in (tmp_path / "tidak-ada" / "pkh.xlsx", tmp_path / "pkh.pdf"):
        argv = ["--home", str(seeded), "--json", "target", "PKH", "--snapshot", "latest"]
        code, data = _one_json_error(capsys, [*argv, "--out", str(out)])
        assert code == 1 and data["error"] == "InputError" and str(out.name) in data["message"]
    assert _events(seeded) == events_before  # no target.draw, no export
    assert list(tmp_path.iterdir()) == []


def _events(home: Path) -> list[tuple[str, str]]:
    from padu.settings import Settings
    from padu.stores import Catalog

    cat = Catalog.connect(Settings(home=home).resolved_catalog_url())
    try:
        return [(e.jenis, e.rincian) for e in cat.events()]
    finally:
        cat.close()


def test_target_semua_out_writes_every_list_or_is_refused(
    capsys: pytest.CaptureFixture[str], seeded: Path, tmp_path: Path
) -> None:
    from python_calamine import CalamineWorkbook

    base = ["--home", str(seeded), "--json", "--by", "ani", "target", "semua", "--snapshot", "1"]
    book = tmp_path / "semua.xlsx"
    capsys.readouterr()
    assert main([*base, "--out", str(book)]) == 0
    lists = json.loads(capsys.readouterr().out)["lists"]
    codes = sorted(sm["programme"] for sm in lists)
    assert len(codes) > 1
    sheets = CalamineWorkbook.from_path(str(book)).sheet_names
    assert [s for s in sheets if not s.startswith("Sampul")] == codes
    folder = tmp_path / "bnba"
    assert main([*base, "--out", str(folder)]) == 0
    assert sorted(p.stem for p in folder.iterdir()) == codes
    exports = [json.loads(r) for k, r in _events(seeded) if k == "personal_data.export"]
    assert {str((folder / f"{c}.xlsx").resolve()) for c in codes} <= {e["path"] for e in exports}
    code, data = _one_json_error(capsys, [*base, "--out", str(tmp_path / "semua.csv")])
    assert code == 1 and ".xlsx" in data["message"]
    assert not (tmp_path / "semua.csv").exists()


def test_exports_through_the_cli_are_audited_with_the_officer(
    capsys: pytest.CaptureFixture[str], seeded: Path, tmp_path: Path
) -> None:
    diff, listed = tmp_path / "perubahan.csv", tmp_path / "daftar.csv"
    home = ["--home", str(seeded), "--json"]
    assert main([*home, "register", "diff", "1", "1", "--out", str(diff), "--by", "budi"]) == 0
    assert main([*home, "synth", "list", "--from", "1", "--size", "20", "--out", str(listed),
                 "--by", "budi"]) == 0  # fmt: skip
    capsys.readouterr()
    kinds = {
        json.loads(r)["kind"]: json.loads(r)["path"]
        for k, r in _events(seeded)
        if k == "personal_data.export"
    }
    assert kinds["register_diff"] == str(diff.resolve())
    assert kinds["agency_list"] == str(listed.resolve())


def test_review_load_refuses_a_corrupt_report(
    capsys: pytest.CaptureFixture[str], seeded: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "laporan.xlsx"
    bad.write_bytes(b"\x00\x01 bukan excel")
    code, data = _one_json_error(
        capsys, ["--home", str(seeded), "--json", "review", "load", str(bad), "--ledger", "1"]
    )
    assert code == 1 and data["error"] == "ImportRejected"


def test_programme_import_param_changes_the_rule_and_refuses_an_unknown_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--param SEMBAKO.desil_maks=4` stores Sembako's rule with 4; a typo names the cause."""
    home = tmp_path / "home"
    base = ["--json", "--home", str(home), "programme"]
    assert main([*base, "import", "preset:kaltara-2026", "--param", "SEMBAKO.desil_maks=4"]) == 0
    capsys.readouterr()
    assert main([*base, "show", "SEMBAKO"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["rule"] == "desil_nasional <= 4"
    assert shown["params"]["desil_maks"]["value"] == 4
    code, err = _one_json_error(
        capsys, [*base, "import", "preset:kaltara-2026", "--param", "SEMBAKO.desil_max=4"]
    )
    detail = json.dumps(err, ensure_ascii=False)
    assert code != 0 and "desil_maks" in detail and "tidak punya parameter 'desil_max'" in detail
    code, err = _one_json_error(capsys, [*base, "import", "preset:kaltara-2026", "--param", "4"])
    assert code == 2 and "KODE.NAMA=NILAI" in err["message"]
