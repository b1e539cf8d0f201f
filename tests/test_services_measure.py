"""The measure services: a region's figures equal the engine's Alkire-Foster, and the CLI's
tables dump exactly what ``padu --json`` printed before the services (both stores)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from padu.errors import NotFound
from padu.measure.measures import get_measure
from padu.measure.snapshot import change, mpi_snapshot, sensitivity
from padu.services.measure import (
    MPI_EXPORT,
    check_measure,
    compare,
    describe_measure,
    desil_csv,
    drilldown,
    export_drilldown,
    list_measures,
    measure_cube,
    mpi_change,
    mpi_desil,
    mpi_flat_file,
    mpi_sensitivity,
    mpi_table,
    region_drilldown,
    save_measure_file,
    write_desil_table,
    write_mpi_table,
)
from tests.conftest import Stores


def _same(fig, g) -> None:  # type: ignore[no-untyped-def]
    assert fig.counted == g.n and fig.poor == g.q and fig.missing == g.missing
    assert fig.H == pytest.approx(float(g.H)) and fig.M0 == pytest.approx(float(g.M0))
    if g.q:
        assert fig.A == pytest.approx(float(g.A))


def test_figures_equal_mpi_snapshot_at_every_level(stores: Stores, snapshot: int) -> None:
    wh, cat = stores.warehouse, stores.catalog
    m = get_measure("padu-7")
    cube = measure_cube(wh, cat, snapshot, m)
    by_kab = mpi_snapshot(wh, cat, snapshot, m, by="kabupaten")
    by_kec = mpi_snapshot(wh, cat, snapshot, m, by="kecamatan")
    by_desa = mpi_snapshot(wh, cat, snapshot, m, by="desa")

    prov = drilldown(cube, "65")
    _same(prov.summary.figures, by_kab.overall)
    for row in prov.children:
        if row.region.kode in by_kab.groups:
            _same(row.figures, by_kab.groups[row.region.kode])
    for ind in prov.indicators:
        assert ind.censored == pytest.approx(float(by_kab.overall.censored[ind.id]))
        assert ind.contribution == pytest.approx(float(by_kab.overall.contribution[ind.id]))
    assert [r.k for r in prov.sensitivity] == [
        str(r["k"]) for r in sensitivity(wh, cat, snapshot, m)
    ]
    assert [r.poor for r in prov.sensitivity] == [r["q"] for r in sensitivity(wh, cat, snapshot, m)]

    kab = max(by_kab.groups, key=lambda c: by_kab.groups[c].n)
    d = drilldown(cube, kab.replace(".", ""))  # undotted codes work too
    assert d.summary.region.kode == kab and d.child_level == "kecamatan"
    _same(d.summary.figures, by_kab.groups[kab])
    for row in d.children:
        assert row.region.kode.startswith(kab)
        if row.region.kode in by_kec.groups:
            _same(row.figures, by_kec.groups[row.region.kode])
        else:
            assert row.figures.families == 0

    kec = max((c for c in by_kec.groups if c.startswith(kab)), key=lambda c: by_kec.groups[c].n)
    d = drilldown(cube, kec)
    _same(d.summary.figures, by_kec.groups[kec])
    assert d.breadcrumb[0].nama == "Kalimantan Utara" and len(d.breadcrumb) == 3
    shown = [row for row in d.children if row.region.kode in by_desa.groups]
    assert shown
    for row in shown:
        _same(row.figures, by_desa.groups[row.region.kode])
    desa = drilldown(cube, shown[0].region.kode)
    assert desa.child_level is None and desa.children == []


def test_a_cut_off_other_than_the_measures(stores: Stores, snapshot: int) -> None:
    m = get_measure("padu-7")
    cube = measure_cube(stores.warehouse, stores.catalog, snapshot, m)
    k = Fraction(1, 2)
    ref = mpi_snapshot(stores.warehouse, stores.catalog, snapshot, m, k=k, by="kabupaten")
    _same(drilldown(cube, "65", k=k).summary.figures, ref.overall)


def test_a_viewer_sees_no_cell_under_five(stores: Stores, snapshot: int) -> None:
    m = get_measure("padu-7")
    cube = measure_cube(stores.warehouse, stores.catalog, snapshot, m)
    for code in ("65", "65.01", "65.01.01", "65.04"):
        d = drilldown(cube, code, suppress=True)
        figures = [d.summary.figures, *(c.figures for c in d.children)]
        for f in figures:
            for value in (f.families, f.poor, f.missing):
                assert value is None or value == 0 or value >= 5
        for ind in d.indicators:
            for value in (ind.deprived, ind.censored_count):
                assert value is None or value == 0 or value >= 5
        for r in d.sensitivity:
            assert r.poor is None or r.poor == 0 or r.poor >= 5
    # some small cell exists in the small register, and it is hidden
    d = drilldown(cube, "65.01.01", suppress=True)
    assert any(c.figures.families is None for c in d.children)
    assert drilldown(cube, "65.01.01").children[1].figures.families is not None


def test_unknown_region_is_not_found(stores: Stores, snapshot: int) -> None:
    with pytest.raises(NotFound):
        region_drilldown(stores.warehouse, stores.catalog, snapshot, get_measure("padu-7"), "65.99")


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_change_equals_mpi_change(stores: Stores, snapshot: int, small_files) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import import_files

    later = import_files(stores, small_files / "keluarga.csv", small_files / "individu.csv")
    m = get_measure("padu-7")
    wh, cat = stores.warehouse, stores.catalog
    old, new = measure_cube(wh, cat, snapshot, m), measure_cube(wh, cat, later.snapshot, m)
    got = compare(old, new, "65")
    ref = change(wh, cat, snapshot, later.snapshot, m, by="kabupaten")
    assert got.base.id == snapshot and got.snapshot.id == later.snapshot
    by_group = {r["group"]: r for r in ref["rows"]}
    assert got.rows[0].M0_change == pytest.approx(float(by_group["keseluruhan"]["M0_perubahan"]))
    for row in got.rows[1:]:
        if row.region.kode in by_group:
            assert row.H_new == pytest.approx(float(by_group[row.region.kode]["H_baru"]))
            assert row.H_change == pytest.approx(float(by_group[row.region.kode]["H_perubahan"]))
    assert all(i.change == pytest.approx(0) for i in got.indicators)


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_export_is_audited(stores: Stores, snapshot: int) -> None:
    d = region_drilldown(stores.warehouse, stores.catalog, snapshot, get_measure("padu-7"), "65.01")
    out = export_drilldown(stores.catalog, d, "csv", table="indikator", actor="penguji")
    text = out.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Kode indikator,Indikator,Dimensi")
    events = stores.catalog.events(MPI_EXPORT)
    assert len(events) == 1 and events[0].pelaku == "penguji"
    assert '"wilayah": "65.01"' in events[0].rincian


# -- the CLI's tables (padu mpi, sensitivity, change, desil, file; padu measure) -------------
def _as_printed(data: object) -> object:
    """What ``padu --json`` printed for ``data`` before the services (json.dumps, default=str)."""
    import json

    return json.loads(json.dumps(data, ensure_ascii=False, default=str))


def test_mpi_table_dumps_what_padu_mpi_printed(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    from padu.measure.report import mpi_report

    wh, cat = stores.warehouse, stores.catalog
    m = get_measure("padu-7")
    out = tmp_path / "keluarga.csv"
    got = mpi_table(wh, cat, "latest", m, by="kecamatan", person=True, missing="deprived",
                    families_out=out, actor="penguji")  # fmt: skip
    ref = mpi_snapshot(wh, cat, snapshot, m, by="kecamatan", person=True, missing="deprived")
    report = mpi_report(ref, m, snapshot, "kecamatan", True, "deprived")
    assert got.model_dump(mode="json") == _as_printed(report.data)
    assert got.rows == report.rows and got.title == report.title and got.unit == "orang"
    assert "rows" not in got.model_dump() and got.overall.n == ref.overall.n
    # the per-family file is personal data: written whole and recorded as an export
    assert got.families_written == len(out.read_text(encoding="utf-8").splitlines()) - 1
    events = cat.events("personal_data.export")
    assert [e.pelaku for e in events] == ["penguji"]
    assert '"kind": "mpi_families"' in events[0].rincian
    assert '"missing": "deprived"' in events[0].rincian


def test_mpi_table_files_are_whole_and_in_words(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    from python_calamine import CalamineWorkbook

    got = mpi_table(stores.warehouse, stores.catalog, snapshot, get_measure("padu-7"),
                    actor="penguji")  # fmt: skip
    write_mpi_table(got, "csv", tmp_path / "mpi.csv")
    lines = (tmp_path / "mpi.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Kelompok,Nama,Keluarga,Miskin multidimensi")
    assert len(lines) == 1 + 1 + len(got.groups)
    write_mpi_table(got, "xlsx", tmp_path / "mpi.xlsx")
    sheet = CalamineWorkbook.from_path(str(tmp_path / "mpi.xlsx")).get_sheet_by_index(0)
    assert sheet.to_python()[3][:2] == ["keseluruhan", "Seluruh provinsi"]
    assert stores.catalog.events("personal_data.export") == []  # aggregates: nothing recorded


def test_sensitivity_and_change_dump_what_the_cli_printed(
    stores: Stores, snapshot: int, small_files: Path
) -> None:
    from tests.conftest import import_files

    later = import_files(stores, small_files / "keluarga.csv", small_files / "individu.csv")
    wh, cat = stores.warehouse, stores.catalog
    m = get_measure("padu-7")
    sens = mpi_sensitivity(wh, cat, snapshot, m, person=True)
    ref = sensitivity(wh, cat, snapshot, m, person=True)
    assert sens.model_dump(mode="json") == {
        "measure": "padu-7",
        "rows": [{**r, "k": str(r["k"]), "H": float(r["H"]), "A": float(r["A"]),
                  "M0": float(r["M0"])} for r in ref],
    }  # fmt: skip
    got = mpi_change(wh, cat, snapshot, later.snapshot, m, by="kecamatan")
    d = change(wh, cat, snapshot, later.snapshot, m, by="kecamatan")
    dumped = got.model_dump(mode="json")
    assert list(dumped) == ["from", "to", "k", "rows"] and got.from_ == snapshot
    assert dumped == _as_printed(
        {**d, "rows": [{k: float(v) if v is not None and k != "group" else v
                        for k, v in r.items()} for r in d["rows"]]}
    )  # fmt: skip
    first = m.indicators[0].id
    assert got.rows[0].censored_change(first) == 0.0
    assert list(dumped["rows"][0])[:2] == ["group", "H_lama"]


def test_desil_table_and_its_files(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    from padu.measure.desil import desil_crosstab

    wh, cat = stores.warehouse, stores.catalog
    measures = [get_measure("padu-7"), get_measure("padu-6")]
    got = mpi_desil(wh, cat, snapshot, measures)
    assert got.model_dump(mode="json") == desil_crosstab(wh, cat, snapshot, measures).to_dict()
    total = got.rows[-1]
    assert total.desil == "jumlah" and total.keluarga == got.families
    for m in ("padu-7", "padu-6"):
        statuses = ("miskin", "tidak_miskin", "tidak_terklasifikasi")
        assert sum(total.count(m, s) for s in statuses) == got.families
    text = desil_csv(got)
    assert text.splitlines()[0].startswith("Desil nasional,Jumlah keluarga,padu-7: miskin")
    assert text.splitlines()[-1].startswith(f"Jumlah,{got.families},")
    write_desil_table(got, "csv", tmp_path / "desil.csv")
    assert (tmp_path / "desil.csv").read_bytes().decode("utf-8") == text


@pytest.mark.parametrize("stores", ["duckdb"], indirect=True)
def test_flat_file_exact_and_not(stores: Stores, tmp_path: Path) -> None:
    path = tmp_path / "af.csv"
    path.write_text("g,a,b\nx,1,0\nx,1,1\ny,0,0\ny,,1\n", encoding="utf-8")
    got = mpi_flat_file(path, ["a=1", "b=2"], "1/2", by="g")
    assert got.k == "1/2" and got.overall.n == 3 and got.overall.H == pytest.approx(1 / 3)
    exact = mpi_flat_file(path, ["a=1", "b=2"], "1/2", by="g", missing="deprived", exact=True)
    assert exact.overall.H == "1/2" and exact.overall.value("H") == 0.5
    assert exact.weights == {"a": "1/3", "b": "2/3"} and set(exact.groups) == {"x", "y"}


def test_measure_definitions(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    from importlib import resources

    cat = stores.catalog
    listed = list_measures(cat)
    assert {"padu-7", "global-mpi"} <= {e.id for e in listed.measures}
    assert all(e.source == "preset" and e.version is None for e in listed.measures)
    text = resources.files("padu").joinpath("data", "measures", "padu-7.yaml").read_text("utf-8")
    mine = tmp_path / "saya.yaml"
    mine.write_text(text.replace("id: padu-7", "id: uji-saya"), encoding="utf-8")
    assert save_measure_file(mine, cat, actor="budi").model_dump() == {
        "id": "uji-saya", "version": 1}  # fmt: skip
    assert [(e.pelaku, e.rincian) for e in cat.events("measure.save")] == [
        ("budi", '{"measure": "uji-saya", "version": 1}')
    ]
    saved = next(e for e in list_measures(cat).measures if e.id == "uji-saya")
    assert (saved.source, saved.version) == ("tersimpan", 1)
    m = get_measure("uji-saya", cat)
    shown = describe_measure(m)
    assert shown.k == "1/3" and len(shown.indicators) == len(m.indicators)
    assert sum(Fraction(d.weight) for d in shown.dimensions) == 1
    assert "deprivation_rate" not in shown.model_dump()
    checked = check_measure(stores.warehouse, cat, snapshot, m)
    ref = mpi_snapshot(stores.warehouse, cat, snapshot, m, by=None)
    assert checked.deprivation_rate == {i: float(v) for i, v in ref.overall.uncensored.items()}
    assert checked.missing_data_units == ref.overall.missing
    assert checked.model_dump(exclude={"deprivation_rate", "missing_data_units"}) == (
        shown.model_dump()
    )
