"""A programme's realised list (``padu synth list --programme``): its composition, the kind
of draw the truth gives each row checked against the register, determinism on both
backends, linkage back to the persons the truth names, and the command."""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from padu.cli import main
from padu.errors import NotFound
from padu.fmt import angka
from padu.linkage.ledger import link_list
from padu.programmes.model import Programme, Workshop, dump_workshop, preset_workshop
from padu.programmes.store import save_workshop
from padu.programmes.targeting import KK, NIK, draw_target_list
from padu.register import import_register
from padu.register.reader import to_polars
from padu.register.snapshots import snapshot_table
from padu.stores import open_stores
from padu.synth.agency_list import (
    DRAW_LABELS,
    LEAKED,
    OUTSIDE,
    PLAN,
    SKIPPED,
    agency_list_from_snapshot,
)
from tests.conftest import SNAPSHOT_DATE, Stores, _fresh_pg_database, import_args

#: Quotas that cut the preset lists on the small register (about 660 families, 2,300
#: people): PKH has 128 eligible families, PBI-PEMDA 240 eligible persons.
QUOTAS = {"PKH": 60, "PBI-PEMDA": 150}
SIZE = 80
# The documented shares of 80 rows: 3 % duplicates (round(2.4) = 2 rows), 10 % each not
# in the register, eligible below the cut, and not eligible (8 rows each); the plan the
# rest (80 - 2 - 3 x 8 = 54 distinct rows).
DISTINCT_80 = {PLAN: 54, SKIPPED: 8, LEAKED: 8}
OUTSIDE_80, DUPLICATES_80 = 8, 2


def _workshop() -> Workshop:
    presets = preset_workshop()
    programmes = [
        dataclasses.replace(p, quota=QUOTAS[p.code]) if p.code in QUOTAS else p
        for p in presets.programmes
    ]
    return Workshop(presets.agencies, programmes)


@pytest.fixture
def programmes(stores: Stores, snapshot: int) -> dict[str, Programme]:
    """The small register with the Kaltara presets, PKH and PBI-PEMDA cut by a quota."""
    save_workshop(_workshop(), stores.catalog, actor="penguji")
    return {p.code: p for p in _workshop().programmes}


def _list(
    stores: Stores, out: Path, code: str, *, size: int = SIZE, seed: int = 3
) -> tuple[Any, dict[str, Any]]:
    _, lst, truth = agency_list_from_snapshot(
        stores.warehouse, stores.catalog, "latest", out, size=size, seed=seed,
        actor="penguji", programme=code,
    )  # fmt: skip
    return lst, json.loads(truth.read_text(encoding="utf-8"))


def _register(stores: Stores, snapshot: int, programme: Programme) -> dict[str, Any]:
    """What the register says about ``programme``, worked out without the list's code: the
    units on the drawn list, every eligible unit (the quota lifted), and the units a list
    can name (a family by its head: status 1), keyed by KK or by (NIK, KK)."""
    wh, cat = stores.warehouse, stores.catalog
    plan = draw_target_list(wh, cat, programme, 1, snapshot)
    every = draw_target_list(wh, cat, dataclasses.replace(programme, quota=None), 1, snapshot)
    ind = to_polars(snapshot_table(wh, cat, snapshot, "individu").to_pyarrow())
    named = ind.filter(
        pl.col("nama").is_not_null()
        & pl.col("tanggal_lahir").is_not_null()
        & pl.col(NIK).str.contains(r"^[0-9]{16}$")
    )
    if programme.unit == "keluarga":
        heads = named.filter(pl.col("status_hubungan_keluarga") == "1")
        head = dict(heads.group_by(KK).agg(pl.col(NIK).min()).iter_rows())
        listed = set(plan.rows.column(KK).to_pylist())
        eligible = set(every.rows.column(KK).to_pylist())
        return {
            "plan": listed,
            "eligible": eligible,
            "head": head,
            "pools": {
                PLAN: len(listed & head.keys()),
                SKIPPED: len((eligible - listed) & head.keys()),
                LEAKED: len(head.keys() - eligible),
            },
        }
    pairs = set(named.select(NIK, KK).iter_rows())
    listed_pairs = set(zip(*(plan.rows.column(c).to_pylist() for c in (NIK, KK)), strict=True))
    every_pairs = set(zip(*(every.rows.column(c).to_pylist() for c in (NIK, KK)), strict=True))
    eligible_nik = {n for n, _ in every_pairs} | set(every.duplicates.column(NIK).to_pylist())
    return {
        "plan": {n for n, _ in listed_pairs},
        "eligible": eligible_nik,
        "pools": {
            PLAN: len(listed_pairs & pairs),
            SKIPPED: len((every_pairs - listed_pairs) & pairs),
            LEAKED: sum(n not in eligible_nik for n, _ in pairs),
        },
    }


def _key(programme: Programme, row: dict[str, Any]) -> str:
    return str(row["kk"] if programme.unit == "keluarga" else row["nik"])


# -- composition and truth ---------------------------------------------------------------


@pytest.mark.parametrize("code", ["PKH", "PBI-PEMDA"])
def test_a_programme_list_is_mostly_its_plan_and_the_truth_says_which_rows_are_not(
    stores: Stores, snapshot: int, programmes: dict[str, Programme], tmp_path: Path, code: str
) -> None:
    programme = programmes[code]
    lst, truth = _list(stores, tmp_path / "daftar.csv", code)
    rows = truth["rows"]
    assert len(rows) == len(lst.rows) == SIZE
    assert truth["programme"] == code and lst.warnings == truth["warnings"] == []
    distinct = {
        kind: {(r["nik"], r["kk"]) for r in rows if r["draw"] == kind} for kind in DISTINCT_80
    }
    assert {k: len(v) for k, v in distinct.items()} == DISTINCT_80
    outside = [r for r in rows if r["draw"] == OUTSIDE]
    assert all(r["nik"] is None and r["kk"] is None for r in outside)
    copies = SIZE - len(outside) - sum(DISTINCT_80.values())  # register rows listed twice
    assert len(outside) >= OUTSIDE_80 and copies + len(outside) - OUTSIDE_80 == DUPLICATES_80
    counts = Counter(r["draw"] for r in rows)
    assert truth["draws"] == lst.draws() == {k: counts[k] for k in DRAW_LABELS}
    # the kind of every row is what the register says about its unit
    register = _register(stores, snapshot, programme)
    assert lst.pools == register["pools"]
    for r in rows:
        if r["draw"] == OUTSIDE:
            continue
        key = _key(programme, r)
        assert (key in register["plan"]) == (r["draw"] == PLAN), r
        assert (key in register["eligible"]) == (r["draw"] != LEAKED), r
        if programme.unit == "keluarga":
            assert register["head"][r["kk"]] == r["nik"]  # a family is listed by its head


def test_a_pool_too_small_is_taken_whole_and_said(
    stores: Stores, snapshot: int, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    # SEMBAKO has no quota: every eligible family is on its list, none below the cut, so
    # that share comes from the plan and nothing is missing
    lst, truth = _list(stores, tmp_path / "sembako.csv", "SEMBAKO")
    assert lst.pools[SKIPPED] == lst.draws()[SKIPPED] == lst.wanted[SKIPPED] == 0
    assert lst.wanted[PLAN] == DISTINCT_80[PLAN] + DISTINCT_80[SKIPPED]
    assert len(truth["rows"]) == SIZE
    assert lst.warnings == []
    # 400 rows ask PKH for 400 - 12 - 3 x 40 = 268 units of a plan of 60 families
    lst, truth = _list(stores, tmp_path / "pkh.csv", "PKH", size=400)
    register = _register(stores, snapshot, programmes["PKH"])
    plan_rows = {r["kk"] for r in truth["rows"] if r["draw"] == PLAN}
    assert len(plan_rows) == register["pools"][PLAN] <= QUOTAS["PKH"]
    assert plan_rows <= register["plan"]
    assert len(truth["rows"]) == 400 - (268 - len(plan_rows))
    said = f"{DRAW_LABELS[PLAN]}: hanya {angka(len(plan_rows))} unit tersedia, diminta 268"
    assert said in lst.warnings
    assert not any(DRAW_LABELS[SKIPPED] in w or DRAW_LABELS[LEAKED] in w for w in lst.warnings)


def test_same_seed_same_list_other_seed_other_list(
    stores: Stores, programmes: dict[str, Programme], tmp_path: Path
) -> None:
    _, first = _list(stores, tmp_path / "a.csv", "PBI-PEMDA")
    _, again = _list(stores, tmp_path / "b.csv", "PBI-PEMDA")
    _, other = _list(stores, tmp_path / "c.csv", "PBI-PEMDA", seed=4)
    assert first == again
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert {(r["nik"], r["kk"]) for r in first["rows"]} != {
        (r["nik"], r["kk"]) for r in other["rows"]
    }


@pytest.mark.postgres
def test_the_same_list_on_duckdb_and_postgres(
    pg_url: str, small_files: Path, tmp_path: Path
) -> None:
    urls = [
        (f"duckdb://{tmp_path / 'w.duckdb'}", f"sqlite:///{tmp_path / 'c.sqlite'}"),
        (_fresh_pg_database(pg_url),) * 2,
    ]
    truths = []
    for i, (wurl, curl) in enumerate(urls):
        wh, cat = open_stores(wurl, curl)
        try:
            import_register(
                [small_files / "keluarga.parquet", small_files / "individu.parquet"],
                wh, cat, snapshot_date=SNAPSHOT_DATE, rejects_dir=tmp_path / "rejects",
                actor="penguji",
            )  # fmt: skip
            save_workshop(_workshop(), cat, actor="penguji")
            out = tmp_path / f"daftar-{i}.csv"
            for code in QUOTAS:
                _, lst, truth = agency_list_from_snapshot(
                    wh, cat, "latest", out, size=SIZE, seed=5, actor="penguji", programme=code
                )
                truths.append((code, lst.pools, truth.read_text(encoding="utf-8")))
        finally:
            wh.close()
            cat.close()
    assert truths[:2] == truths[2:]


# -- linkage -----------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "agency"), [("PKH", "KEMENSOS"), ("PBI-PEMDA", "DINKES")])
def test_the_list_links_back_to_the_persons_the_truth_names(
    stores: Stores,
    snapshot: int,
    programmes: dict[str, Programme],
    tmp_path: Path,
    code: str,
    agency: str,
) -> None:
    path = tmp_path / "daftar.xlsx"
    _, truth = _list(stores, path, code)
    run = link_list(
        stores.warehouse, stores.catalog, path, programme=code, agency=agency, year=2026,
        snapshot=str(snapshot), actor="penguji",
    )  # fmt: skip
    expected = pl.DataFrame(truth["rows"]).select(
        "row", "draw", pl.col("nik").alias("t_nik"), pl.col("kk").alias("t_kk")
    )
    rows = run.rows.join(expected, on="row")
    assert rows.height == SIZE
    right = (pl.col("nik") == pl.col("t_nik")) & (pl.col("kk") == pl.col("t_kk"))
    in_register = rows.filter(pl.col("t_nik").is_not_null())
    linked = in_register.filter((pl.col("status") == "matched") & right)
    assert linked.height / in_register.height >= 0.9  # the great majority
    auto = rows.filter(pl.col("status") == "matched")
    assert auto.filter(~right.fill_null(False)).height <= 1  # wrong links are rare
    # every kind of register row is linked, not just the plan's
    assert set(linked.get_column("draw")) == {PLAN, SKIPPED, LEAKED}


# -- the command -------------------------------------------------------------------------


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    capsys.readouterr()
    code = main(["--json", *args])
    out = capsys.readouterr().out.strip()
    return code, json.loads(out.splitlines()[-1])


def test_the_command_round_trip(
    capsys: pytest.CaptureFixture[str], small_files: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    assert main(["--json", *import_args(home, small_files)]) == 0
    workshop = tmp_path / "lokakarya.yaml"
    workshop.write_text(dump_workshop(_workshop()), encoding="utf-8")
    base = ["--home", str(home)]
    assert main(["--json", *base, "programme", "import", str(workshop)]) == 0
    out = tmp_path / "daftar-pkh.xlsx"
    listing = [*base, "synth", "list", "--from", "latest", "--programme", "PKH", "--out", str(out)]
    code, data = _json(capsys, *listing, "--size", str(SIZE), "--seed", "3", "--by", "budi")
    assert code == 0
    truth = json.loads(Path(data["truth"]).read_text(encoding="utf-8"))
    assert data["programme"] == "PKH" and data["rows"] == SIZE
    counts = Counter(r["draw"] for r in truth["rows"])
    assert data["draws"] == {k: counts[k] for k in DRAW_LABELS}
    assert {k: data["wanted"][k] for k in DISTINCT_80} == DISTINCT_80
    assert data["wanted"][OUTSIDE] == OUTSIDE_80
    assert set(data["pools"]) == {PLAN, SKIPPED, LEAKED} and data["warnings"] == []
    assert data["not_in_register"] == data["draws"][OUTSIDE]
    # the export is audited with the programme
    from padu.settings import Settings
    from padu.stores import Catalog

    cat = Catalog.connect(Settings(home=home).resolved_catalog_url())
    try:
        exports = [json.loads(e.rincian) for e in cat.events() if e.jenis.endswith(".export")]
    finally:
        cat.close()
    assert [(e["path"], e["programme"]) for e in exports] == [(str(out.resolve()), "PKH")]
    # the list goes back in through padu link
    code, linked = _json(
        capsys, *base, "link", str(out), "--programme", "PKH", "--year", "2026",
        "--snapshot", "latest",
    )  # fmt: skip
    assert code == 0 and linked["rows"] == SIZE
    assert sum(linked["matched"].values()) >= 0.8 * SIZE
    # the table names every kind with its rows; a programme that does not exist is refused
    capsys.readouterr()
    again = tmp_path / "lagi.xlsx"
    assert main([*listing[:-1], str(again), "--size", str(SIZE), "--seed", "3"]) == 0
    shown = capsys.readouterr().out
    assert all(label in shown for label in DRAW_LABELS.values())
    assert "Daftar realisasi PKH" in shown
    missing = tmp_path / "tidak.xlsx"
    code, error = _json(capsys, *listing[:-3], "NOPE", "--out", str(missing))
    assert code == 1 and error["error"] == NotFound.__name__ and "NOPE" in error["message"]
    assert not missing.exists()
