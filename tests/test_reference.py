"""The agreed reference: one snapshot per fiscal year as the common data basis (issue 11, 0).

Who set it, when and why is kept; a newer snapshot never takes its place by itself; other
commands reach it as ``acuan:YEAR``. On DuckDB and PostgreSQL.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from padu.audit import REGISTER_REFERENCE
from padu.cli import main
from padu.errors import NotFound
from tests.conftest import Stores, import_args, import_files


def test_a_year_keeps_its_reference_when_a_newer_snapshot_arrives(
    stores: Stores, snapshot: int, small_files: Path
) -> None:
    cat = stores.catalog
    cat.set_reference(2026, snapshot, "Berita acara rapat Bappeda 12 Jan 2026", "bappeda")
    newer = import_files(stores, small_files / "keluarga.csv", small_files / "individu.csv")
    assert cat.snapshot("latest").id == newer.snapshot != snapshot
    assert cat.snapshot("acuan:2026").id == snapshot  # latest did not replace it
    cat.set_reference(2026, newer.snapshot, "Pemutakhiran DTSEN triwulan 1", "bappeda")
    assert cat.snapshot("acuan:2026").id == newer.snapshot
    history = cat.references(2026)
    assert [(r.snapshot_id, r.pelaku) for r in history] == [
        (snapshot, "bappeda"), (newer.snapshot, "bappeda"),
    ]  # fmt: skip
    assert history[0].alasan.startswith("Berita acara")
    events = cat.events(REGISTER_REFERENCE)
    assert [json.loads(e.rincian)["snapshot"] for e in events] == [snapshot, newer.snapshot]
    assert cat.reference(2027) is None


def test_an_unknown_snapshot_or_year_is_refused_and_nothing_is_written(
    stores: Stores, snapshot: int
) -> None:
    cat = stores.catalog
    with pytest.raises(NotFound):
        cat.set_reference(2026, snapshot + 99, "salah", "bappeda")
    assert cat.references() == [] and cat.events(REGISTER_REFERENCE) == []
    with pytest.raises(NotFound, match="belum ada snapshot acuan untuk tahun 2026"):
        cat.snapshot("acuan:2026")


def test_reference_command_and_register_list(
    small_files: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    assert main(["--json", *import_args(home, small_files)]) == 0
    capsys.readouterr()
    base = ["--home", str(home), "--json", "register"]
    assert main([*base, "reference", "latest", "--year", "2026", "--why", "BA 01/2026"]) == 0
    done = json.loads(capsys.readouterr().out)
    assert (done["year"], done["previous"], done["why"]) == (2026, None, "BA 01/2026")
    assert main([*base, "list"]) == 0
    listed = json.loads(capsys.readouterr().out)["snapshots"]
    assert [s["reference_for"] for s in listed] == [[2026]]
    # a reason is required, and a fiscal year must be one
    assert main([*base, "reference", "latest", "--year", "2026", "--why", "  "]) == 2
    assert main([*base, "reference", "latest", "--year", "26", "--why", "x"]) == 2
    assert main([*base, "reference", "99", "--year", "2026", "--why", "x"]) != 0
