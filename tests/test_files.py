"""Output files appear whole or not at all (padu.files)."""

from __future__ import annotations

from pathlib import Path

import pytest

from padu.errors import InputError
from padu.files import atomic_folder, atomic_output, check_output_file


def test_atomic_output_renames_on_success(tmp_path: Path) -> None:
    target = tmp_path / "daftar.csv"
    with atomic_output(target) as temp:
        assert temp.parent == tmp_path and temp.suffix == ".csv" and temp != target
        temp.write_text("a\n")
        assert not target.exists()
    assert target.read_text() == "a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["daftar.csv"]


def test_atomic_output_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "daftar.csv"
    target.write_text("lama\n")
    with pytest.raises(KeyboardInterrupt), atomic_output(target) as temp:
        temp.write_text("setengah")
        raise KeyboardInterrupt
    assert target.read_text() == "lama\n"
    assert [p.name for p in tmp_path.iterdir()] == ["daftar.csv"]


def test_missing_folder_and_bad_suffix_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="tidak ada"), atomic_output(tmp_path / "x" / "a.csv"):
        pass
    with pytest.raises(InputError, match="akhiran"):
        check_output_file(tmp_path / "a.txt", (".csv", ".xlsx"))
    with pytest.raises(InputError, match="folder"):
        check_output_file(tmp_path, (".csv",))


def test_atomic_folder_appears_whole_or_not_at_all(tmp_path: Path) -> None:
    out = tmp_path / "sintetis"
    with pytest.raises(RuntimeError), atomic_folder(out) as temp:
        (temp / "a.csv").write_text("1")
        raise RuntimeError("putus")
    assert list(tmp_path.iterdir()) == []
    with atomic_folder(out) as temp:
        (temp / "a.csv").write_text("1")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv"]
    with pytest.raises(KeyboardInterrupt), atomic_folder(out) as temp:
        (temp / "a.csv").write_text("setengah")
        raise KeyboardInterrupt
    assert (out / "a.csv").read_text() == "1"
    (out / "catatan.txt").write_text("milik pengguna")
    with atomic_folder(out) as temp:
        (temp / "a.csv").write_text("2")
        (temp / "b.csv").write_text("3")
    assert sorted(p.name for p in out.iterdir()) == ["a.csv", "b.csv", "catatan.txt"]
    assert (out / "a.csv").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sintetis"]


def test_a_killed_writers_temporary_file_is_swept_and_a_live_ones_kept(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    left = tmp_path / f".bnba.xlsx.tmp-{int(dead.stdout)}-0123abcd.xlsx"
    left.write_text("data pribadi dari proses yang dibunuh")
    live = tmp_path / f".bnba.xlsx.tmp-{os.getppid()}-89abcdef.xlsx"
    live.write_text("penulis lain yang masih berjalan")
    with atomic_output(tmp_path / "bnba.xlsx") as temp:
        temp.write_text("baru")
    assert not left.exists()
    assert live.exists()
    assert (tmp_path / "bnba.xlsx").read_text() == "baru"
