"""Every command, driven with wrong ids, broken files and random rule text (issue 9, item 5).

Each case runs ``padu --json ...`` in process against one home that holds a snapshot,
programmes and a linked list, and asserts the contract that the CLI promises whatever the
input: no traceback, exit 1 (bad input) or 2 (usage), exactly one JSON object
``{"error": ..., "message": ...}`` on stdout, and both stores unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from padu.cli import main
from padu.stores import open_stores
from tests.conftest import import_args

pytestmark = pytest.mark.slow


def _bad_files(folder: Path) -> dict[str, Path]:
    """One file of every broken kind (and a path that does not exist)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "missing.csv": None,
        "empty.csv": b"",
        "empty.xlsx": b"",
        "empty.yaml": b"",
        "garbage.xlsx": bytes(range(256)) * 8,
        "garbage.csv": b"\x00\xff\xfe" * 300,
        "garbage.yaml": b"{{{: [\n\t- ::",
        "list.yaml": b"- a\n- b\n",
        "header_only.csv": b"nomor_kartu_keluarga,nama,NIK\n",
        "dup_header.csv": b"NIK,NIK,Nama\n6501010101800001,6501010101800001,Ani\n",
        "title_only.csv": b"DATA DTSEN - DINAS SOSIAL;;;\n",
    }
    out: dict[str, Path] = {}
    for name, content in files.items():
        path = folder / name
        if content is not None:
            path.write_bytes(content)
        out[name] = path
    out["dup_header.xlsx"] = _dup_header_xlsx(folder / "dup_header.xlsx")
    out["missing_dir/out.xlsx"] = folder / "tidak-ada" / "out.xlsx"
    return out


def _dup_header_xlsx(path: Path) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for c, v in enumerate(["NIK", "Nama", "NIK"]):
        ws.write_string(0, c, v)
    for c, v in enumerate(["6501010101800001", "Ani", "6501010101800001"]):
        ws.write_string(1, c, v)
    wb.close()
    return path


@pytest.fixture(scope="module")
def fuzz_home(
    tmp_path_factory: pytest.TempPathFactory, small_files: Path
) -> tuple[Path, dict[str, Path]]:
    """A home with one snapshot, the preset programmes and one linked agency list."""
    root = tmp_path_factory.mktemp("fuzz")
    home = root / "home"
    assert main(import_args(home, small_files)) == 0
    assert main(["--home", str(home), "programme", "import", "preset:kaltara-2026"]) == 0
    lst = root / "daftar.csv"
    args = ["--home", str(home), "synth", "list", "--from", "latest", "--size", "40"]
    assert main([*args, "--out", str(lst)]) == 0
    link = ["--home", str(home), "link", str(lst), "--programme", "PKH", "--year", "2026"]
    assert main(link) == 0
    return home, _bad_files(root / "bad")


def _fingerprint(home: Path) -> str:
    """Everything a command could change: catalog rows and warehouse row counts and ids."""
    wh, cat = open_stores(
        f"duckdb://{home / 'warehouse.duckdb'}", f"sqlite:///{home / 'catalog.sqlite'}"
    )
    try:
        state: dict[str, object] = {}
        from sqlalchemy import inspect, text

        with cat.engine.connect() as conn:
            for name in sorted(inspect(conn).get_table_names()):
                rows = conn.execute(text(f'SELECT * FROM "{name}"')).fetchall()  # noqa: S608
                state[f"catalog.{name}"] = sorted(map(repr, rows))
        for name in sorted(wh.con.list_tables()):
            if name.startswith("_padu_"):
                continue
            state[f"warehouse.{name}"] = int(wh.table(name).count().to_pyarrow().as_py())
    finally:
        wh.close()
        cat.close()
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


WRONG_IDS = ["999", "0", "-1", "tidak-ada", "", "latest; DROP TABLE snapshot", "../../etc"]
FILE_KINDS = [
    "missing.csv",
    "empty.csv",
    "empty.xlsx",
    "empty.yaml",
    "garbage.xlsx",
    "garbage.csv",
    "garbage.yaml",
    "list.yaml",
    "header_only.csv",
    "dup_header.csv",
    "dup_header.xlsx",
    "title_only.csv",
]


def _commands(bad: dict[str, Path]) -> dict[str, Callable[[str, str], list[str]]]:
    """Each command with a wrong id (``w``) and a broken file (``f``) in its slots."""
    out = str(bad["missing_dir/out.xlsx"])
    yaml_out = str(Path(out).with_suffix(".yaml"))
    date = "2026-01-01"
    return {
        "register import": lambda w, f: ["register", "import", f, f, "--snapshot-date", w],
        "register import one": lambda w, f: ["register", "import", f, "--snapshot-date", date],
        "register quality": lambda w, f: ["register", "quality", w],
        "register diff": lambda w, f: ["register", "diff", w, "1", "--out", out],
        "register desil": lambda w, f: ["register", "desil", w],
        "register duplicates": lambda w, f: ["register", "duplicates", w, "--out", out],
        "regions show": lambda w, f: ["regions", "show", w or "x"],
        "regions crosswalk": lambda w, f: ["regions", "crosswalk", f],
        "programme show": lambda w, f: ["programme", "show", w or "x"],
        "programme import": lambda w, f: ["programme", "import", f],
        "programme import preset": lambda w, f: ["programme", "import", f"preset:{w}"],
        "programme export": lambda w, f: ["programme", "export", yaml_out],
        "needs": lambda w, f: ["needs", "--snapshot", w],
        "target": lambda w, f: ["target", "PKH", "--snapshot", w],
        "target code": lambda w, f: ["target", w or "x", "--snapshot", "latest"],
        "target out": lambda w, f: ["target", "PKH", "--snapshot", "latest", "--out", out],
        "target semua out": lambda w, f: ["target", "semua", "--snapshot", "latest", "--out", out],
        "mpi": lambda w, f: ["mpi", "--snapshot", w],
        "mpi measure": lambda w, f: ["mpi", "--snapshot", "latest", "--measure", f],
        "mpi families": lambda w, f: ["mpi", "--snapshot", "latest", "--families-out", out],
        "mpi sensitivity": lambda w, f: ["mpi", "sensitivity", "--snapshot", w],
        "mpi change": lambda w, f: ["mpi", "change", "1", w],
        "mpi file": lambda w, f: ["mpi", "file", f, "--indicator", "a=1/2", "--k", "1/3"],
        "measure show": lambda w, f: ["measure", "show", w or "x"],
        "measure check": lambda w, f: ["measure", "check", f],
        "measure save": lambda w, f: ["measure", "save", f],
        "synth list": lambda w, f: ["synth", "list", "--from", w, "--out", out],
        "link": lambda w, f: ["link", f, "--programme", "PKH", "--year", "2026"],
        "link programme": lambda w, f: ["link", f, "--programme", w or "x", "--year", "2026"],
        "link mapping": lambda w, f: [
            "link", f, "--programme", "PKH", "--year", "2026", "--mapping", f,
        ],
        "review list": lambda w, f: ["review", "list", "--programme", w or "x", "--year", "2026"],
        "review decide": lambda w, f: [
            "review", "decide", "--programme", "PKH", "--year", "2026", "--row", "99999", w or "x",
        ],
        "review load": lambda w, f: ["review", "load", "--programme", "PKH", "--year", "2026", f],
        "unknown command": lambda w, f: ["tidak-ada-perintah", w],
        "missing option": lambda w, f: ["target", "PKH"],
        "bad option value": lambda w, f: ["link", f, "--programme", "PKH", "--year", w or "x"],
    }  # fmt: skip


def _check_failure(code: int, out: str, err: str, what: str) -> None:
    assert "Traceback" not in err and "Traceback" not in out, what
    assert code in (1, 2), f"{what}: exit {code}, stdout {out!r}"
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1, f"{what}: stdout {out!r}"
    data = json.loads(lines[0])
    assert set(data) >= {"error", "message"}, what
    assert isinstance(data["error"], str) and data["error"], what
    assert isinstance(data["message"], str) and data["message"].strip(), what


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_command_refuses_bad_input_cleanly(
    data: st.DataObject,
    fuzz_home: tuple[Path, dict[str, Path]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    home, bad = fuzz_home
    commands = _commands(bad)
    name = data.draw(st.sampled_from(sorted(commands)), label="command")
    wrong = data.draw(st.sampled_from(WRONG_IDS), label="id")
    file = str(bad[data.draw(st.sampled_from(FILE_KINDS), label="file")])
    args = commands[name](wrong, file)
    json_first = data.draw(st.booleans(), label="--json first")
    argv = ["--home", str(home), *(["--json"] if json_first else []), *args]
    if not json_first:
        argv.append("--json")
    before = _fingerprint(home)
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    _check_failure(code, captured.out, captured.err, f"padu {' '.join(argv)}")
    assert _fingerprint(home) == before, f"stores changed by: padu {' '.join(argv)}"
    assert not bad["missing_dir/out.xlsx"].parent.exists()


RULE_TOKENS = [
    "desil_nasional", "luas_lantai", "nama", "ada", "semua", "jumlah", "anggota", "(", ")",
    "dan", "atau", "tidak", "<=", ">=", "=", "!=", "<", ">", "+", "-", "*", "/", "1", "0",
    "4.5", "'a'", '"', "dalam", "[", "]", ",", "kosong", "umur", "tahun", "jumlah_ya",
    "tanggal_lahir", "nomor_kartu_keluarga", "pbi_nas", "benar", "salah", "#", "@", "\n",
]  # fmt: skip


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    tokens=st.lists(st.sampled_from(RULE_TOKENS), max_size=14),
    noise=st.text(max_size=6),
    depth=st.sampled_from([0, 0, 0, 400]),
)
def test_random_rule_text_never_crashes(
    tokens: list[str],
    noise: str,
    depth: int,
    fuzz_home: tuple[Path, dict[str, Path]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    home, _ = fuzz_home
    rule = "(" * depth + " ".join(tokens) + noise + ")" * depth
    argv = ["--home", str(home), "--json", "rule", "explain", rule, "--snapshot", "latest"]
    before = _fingerprint(home)
    capsys.readouterr()
    code = main(argv)
    captured = capsys.readouterr()
    if code == 0:  # random text that happens to be a valid rule: a normal answer
        assert "error" not in json.loads(captured.out.strip().splitlines()[-1])
    else:
        _check_failure(code, captured.out, captured.err, f"rule {rule!r}")
    assert _fingerprint(home) == before
