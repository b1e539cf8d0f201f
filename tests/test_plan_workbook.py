"""The plan's workbooks (issue 13, "Comparison" and "Adopt and hand over"), read back cell by
cell with python-calamine.

The plan is built from real pieces without the solver: three programme lists drawn on the
small synthetic register (two family programmes of one agency, PUPR, and a person programme
of DINKES), each with a reason per unit, and metrics shaped as
:func:`padu.planning.metrics.plan_metrics` returns them, tallied here from the lists. The
siloed column is the first half of each list, so every difference is known.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from python_calamine import CalamineWorkbook

from padu.errors import InputError
from padu.fmt import persen, tanggal_teks
from padu.measure.measures import get_measure
from padu.planning.result import PlanResult
from padu.planning.scenario import Scenario, ScenarioProgramme
from padu.planning.solve import Allocation
from padu.planning.workbook import (
    AGENCY_SHEETS,
    OBJECTIVE_WORDS,
    PLAN_SHEETS,
    write_agency_workbook,
    write_plan_xlsx,
)
from padu.programmes.model import preset_workshop
from padu.programmes.store import programme, save_workshop
from padu.programmes.targeting import KK, NIK, TargetList, draw_target_list
from tests.conftest import Stores

ACTOR = "petugas-rencana"
CODES = ("JAMBAN", "SR-AIR", "PBI-PEMDA")
CLOSES = {"JAMBAN": ("sanitasi_tidak_layak",), "SR-AIR": ("air_tidak_layak",)}
DIMENSION = {"JAMBAN": "sanitasi", "SR-AIR": "air"}
SUB_ACTIVITY = ("1.03.03.2.01.0001", "Pembangunan Sistem Penyediaan Air Minum")


def _kabupaten(desa: str) -> str:
    """The 4-digit kabupaten code of a desa code ("65.01.02.2006" -> "6501")."""
    return "".join(ch for ch in desa if ch.isdigit())[:4]


def _metrics(lists: dict[str, TargetList]) -> dict[str, Any]:
    """The METRICS of a plan that is exactly ``lists``, for the province and by kabupaten
    (counted the plain way: a family is reached when any list holds it)."""

    def tally(keep: dict[str, list[int]]) -> dict[str, Any]:
        families: set[str] = set()
        by_dim = dict.fromkeys(d.id for d in get_measure("padu-7").dimensions)
        out: dict[str, Any] = {"units_by_programme": {}, "families_by_programme": {},
                               "budget_by_programme": {}}  # fmt: skip
        for code, rows in keep.items():
            t = lists[code].rows
            kks = [t.column(KK)[i].as_py() for i in rows]
            cost = sum(t.column("biaya")[i].as_py() for i in rows)
            families |= set(kks)
            out["units_by_programme"][code] = len(rows)
            out["families_by_programme"][code] = len(set(kks))
            out["budget_by_programme"][code] = cost
            if code in DIMENSION:
                by_dim[DIMENSION[code]] = (by_dim[DIMENSION[code]] or 0) + len(set(kks))
        closed = sum(v or 0 for v in by_dim.values())
        budget = sum(out["budget_by_programme"].values())
        lifted = len(families) // 3
        out.update({
            "families_reached": len(families), "deprivations_closed": closed,
            "deprivations_closed_by_dimension": {k: v or 0 for k, v in by_dim.items()},
            "weighted_deprivations_closed": closed / 7, "poor_before": 400,
            "poor_lifted": lifted, "families_counted": 1000, "H_before": 0.4,
            "H_after": (400 - lifted) / 1000, "A_before": 0.5, "A_after": 0.45,
            "M0_before": 0.2, "M0_after": 0.45 * (400 - lifted) / 1000, "budget_used": budget,
            "same_dimension_overlap": len(families) % 5,
            "cost_per_deprivation_closed": budget / closed if closed else None,
            "objective": float(lifted),
        })  # fmt: skip
        return out

    def by_kabupaten(keep: dict[str, list[int]]) -> dict[str, Any]:
        kabs: dict[str, dict[str, list[int]]] = {}
        for code, rows in keep.items():
            desa = lists[code].rows.column("kode_kelurahan_desa").to_pylist()
            for i in rows:
                kabs.setdefault(_kabupaten(desa[i]), {c: [] for c in keep})[code].append(i)
        return {
            "province": tally(keep),
            "kabupaten": {k: tally(v) for k, v in sorted(kabs.items())},
        }

    whole = {c: list(range(t.rows.num_rows)) for c, t in lists.items()}
    half = {c: list(range(t.rows.num_rows // 2)) for c, t in lists.items()}
    return {"integrated": by_kabupaten(whole), "siloed": by_kabupaten(half)}


def _plan(stores: Stores, snapshot: int) -> PlanResult:
    wh, cat = stores.warehouse, stores.catalog
    save_workshop(preset_workshop(), cat, actor=ACTOR)
    lists: dict[str, TargetList] = {}
    programmes = {}
    versions = {}
    for code in CODES:
        p, version = programme(cat, code)
        if code == "SR-AIR":  # one programme with its sub-kegiatan, one without
            p = dataclasses.replace(
                p, sub_activity_code=SUB_ACTIVITY[0], sub_activity_name=SUB_ACTIVITY[1]
            )
        with wh.scratch():
            target = draw_target_list(wh, cat, p, version, snapshot)
        rows = target.rows
        why = [f"Dipilih rencana: urutan {i + 1} di {code}" for i in range(rows.num_rows)]
        rows = rows.append_column("alasan_rencana", pa.array(why, pa.string()))
        if code == "JAMBAN":  # a KK with a leading zero must keep it
            kks = rows.column(KK).to_pylist()
            kks[0] = "0" + kks[0][1:]
            rows = rows.set_column(rows.column_names.index(KK), KK, pa.array(kks, pa.string()))
        lists[code] = dataclasses.replace(target, programme=p, rows=rows)
        programmes[code], versions[code] = p, version
        assert rows.num_rows > 5, code
    names = {}
    for t in lists.values():
        for kode, kab in zip(
            t.rows.column("kode_kelurahan_desa").to_pylist(),
            t.rows.column("kabupaten_kota").to_pylist(),
            strict=True,
        ):
            names[_kabupaten(kode)] = kab
    scenario = Scenario(
        id="uji-rencana",
        name="Uji Rencana Terpadu",
        year=2026,
        programmes=tuple(ScenarioProgramme(c, closes=CLOSES.get(c, ())) for c in CODES),
        note="Skenario uji",
    )
    return PlanResult(
        scenario=scenario,
        version=3,
        snapshot=snapshot,
        snapshot_label="uji",
        snapshot_date="2026-01-23",
        programmes=programmes,
        versions=versions,
        agencies={a.code: a.name for a in cat.agencies()},
        integrated=Allocation(gap=0.0012, types=321, solve_seconds=1.5, status="Optimal"),
        siloed=Allocation(status="siloed"),
        metrics=_metrics(lists),
        lists=lists,
        kabupaten_names=names,
        warnings=["Peringatan uji: satu program tanpa anggaran"],
    )


def _rows(book: CalamineWorkbook, sheet: str) -> list[list[Any]]:
    return book.get_sheet_by_name(sheet).to_python()


def _labelled(rows: list[list[Any]]) -> dict[str, list[Any]]:
    """Rows by their first cell (the first such row)."""
    out: dict[str, list[Any]] = {}
    for r in rows:
        if r and isinstance(r[0], str) and r[0]:
            out.setdefault(r[0], r)
    return out


def _costs(t: TargetList) -> int:
    return sum(t.rows.column("biaya").to_pylist())


def test_comparison_workbook(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    result = _plan(stores, snapshot)
    out = tmp_path / "rencana.xlsx"
    write_plan_xlsx(out, result)
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == list(PLAN_SHEETS)

    summary = _rows(book, "Ringkasan")
    info = _labelled(summary)
    assert info["Skenario"][1] == "Uji Rencana Terpadu (uji-rencana), versi 3"
    assert info["Tanggal snapshot"][1] == tanggal_teks("2026-01-23") == "23 Januari 2026"
    assert info["Tujuan optimasi"][1] == OBJECTIVE_WORDS["lifted"]
    assert info["Celah optimalitas"][1] == persen(0.12, 3) == "0,120 %"
    assert info["Jumlah tipe keluarga"][1] == "321"
    assert info["Ukuran (provinsi)"][1:4] == ["Terpadu", "Sendiri-sendiri", "Selisih"]
    integrated = result.metrics["integrated"]["province"]
    siloed = result.metrics["siloed"]["province"]
    labels = {
        "Keluarga terjangkau": "families_reached",
        "Deprivasi tertutup": "deprivations_closed",
        "Keluarga miskin terangkat": "poor_lifted",
        "Anggaran terpakai (Rp)": "budget_used",
        "Keluarga dengan tumpang tindih satu dimensi": "same_dimension_overlap",
        "M0 (indeks kemiskinan multidimensi) sesudah": "M0_after",
        "H (rasio keluarga miskin) sebelum": "H_before",
    }
    for label, key in labels.items():
        got = info[label][1:4]
        assert got[:2] == pytest.approx([integrated[key], siloed[key]]), label
        assert got[2] == pytest.approx(integrated[key] - siloed[key]), label
    lists_cost = sum(_costs(t) for t in result.lists.values())
    assert info["Anggaran terpakai (Rp)"][1] == lists_cost
    assert info["Anggaran terpakai (Rp)"][3] > 0  # integrated less siloed: the half spends less
    start = [r[0] for r in summary].index("Deprivasi tertutup menurut dimensi")
    by_dim = {r[0]: r[1:4] for r in summary[start + 1 :] if r[0]}
    assert list(by_dim) == [d.label_id for d in get_measure("padu-7").dimensions]
    assert by_dim["Sanitasi layak"][0] == integrated["deprivations_closed_by_dimension"]["sanitasi"]
    assert by_dim["Air minum layak"][0] > 0 and by_dim["Pendapatan"][0] == 0

    kab = _rows(book, "Per kabupaten")
    assert kab[1][:5] == ["Kode Kabupaten/Kota", "Kabupaten/Kota", "Terpadu", "Sendiri-sendiri",
                          "Selisih"]  # fmt: skip
    assert kab[0][2] == "Keluarga terjangkau"
    listed = {r[0]: r for r in kab[2:] if r[0]}
    assert set(listed) == set(result.metrics["integrated"]["kabupaten"]) and len(listed) > 1
    for code, row in listed.items():
        assert row[1] == result.kabupaten_names[code]
        m = result.metrics["integrated"]["kabupaten"][code]
        assert row[2] == m["families_reached"]
    total = next(r for r in kab if r[1] == "Provinsi (total)")
    assert total[2:5] == [integrated["families_reached"], siloed["families_reached"],
                          integrated["families_reached"] - siloed["families_reached"]]  # fmt: skip
    assert sum(r[2] for r in listed.values()) == total[2]  # a family lives in one kabupaten

    per = _rows(book, "Per program")
    head = per[1]
    assert head[:8] == ["Kode Program", "Nama Program", "Instansi", "Nama Instansi", "Satuan",
                        "Dioptimalkan", "Pagu (Rp)", "Kuota"]  # fmt: skip
    assert head[8:11] == ["Unit", "Keluarga", "Biaya (Rp)"] and per[0][8] == "Terpadu"
    assert per[0][11] == "Sendiri-sendiri" and per[0][14] == "Selisih"
    rows = {r[0]: r for r in per[2:] if r[0]}
    assert list(rows) == list(CODES)
    for code, t in result.lists.items():
        row = rows[code]
        assert row[8] == t.rows.num_rows and row[10] == _costs(t)
        assert row[11] == t.rows.num_rows // 2 and row[14] == row[8] - row[11]
        p = result.programmes[code]
        assert row[3] == result.agencies[p.agency]
        assert row[6] == (p.budget if p.budget is not None else "tanpa batas")
    assert rows["JAMBAN"][5] == "Ya: menutup Tidak punya sanitasi layak"
    assert rows["PBI-PEMDA"][5].startswith("Tidak") and rows["PBI-PEMDA"][4] == "orang"

    notes = " ".join(str(c) for r in _rows(book, "Catatan") for c in r)
    assert "padu target" in notes and "Peringatan uji" in notes and "Skenario uji" in notes
    assert "melewati keluarga yang sudah dilayani" in notes

    # without the siloed run, only the integrated column
    alone = dataclasses.replace(
        result, siloed=None, metrics={"integrated": result.metrics["integrated"]}
    )
    write_plan_xlsx(out, alone)
    book = CalamineWorkbook.from_path(str(out))
    info = _labelled(_rows(book, "Ringkasan"))
    assert [c for c in info["Ukuran (provinsi)"] if c] == ["Ukuran (provinsi)", "Terpadu"]
    assert info["Keluarga terjangkau"][1] == integrated["families_reached"]
    assert "Sendiri-sendiri" not in _rows(book, "Per kabupaten")[1]


def _bnba(book: CalamineWorkbook, sheet: str) -> tuple[list[Any], list[list[Any]]]:
    rows = _rows(book, sheet)
    data = []
    for r in rows[1:]:
        if r[0] in ("", None):
            break
        data.append(r)
    return rows[0], data


def test_agency_workbook(stores: Stores, snapshot: int, tmp_path: Path) -> None:
    result = _plan(stores, snapshot)
    out = tmp_path / "pupr.xlsx"
    write_agency_workbook(out, "PUPR", result)
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == [*AGENCY_SHEETS, "Sampul JAMBAN", "JAMBAN", "Sampul SR-AIR",
                                "SR-AIR"]  # fmt: skip
    mine = {c: result.lists[c] for c in ("JAMBAN", "SR-AIR")}

    renja = _rows(book, "Usulan Renja")
    info = _labelled(renja)
    assert info["Instansi"][1] == f"PUPR - {result.agencies['PUPR']}"
    assert info["Skenario"][1].startswith("Uji Rencana Terpadu (uji-rencana)")
    at = next(i for i, r in enumerate(renja) if r[0] == "No")
    head = renja[at]
    assert head[:8] == ["No", "Kode Program", "Nama Program", "Kode Sub Kegiatan",
                        "Nama Sub Kegiatan", "Indikator Keluaran", "Satuan",
                        "Volume (rencana)"]  # fmt: skip
    col = head.index
    body = {r[1]: r for r in renja[at + 1 : at + 3]}
    assert list(body) == list(mine)
    for code, t in mine.items():
        row, p = body[code], result.programmes[code]
        assert row[col("Volume (rencana)")] == t.rows.num_rows
        assert row[col("Biaya Rencana (Rp)")] == _costs(t)
        assert row[col("Pagu (Rp)")] == p.budget
        assert row[col("Sisa Pagu (Rp)")] == p.budget - _costs(t)
        assert row[col("Sumber Dana")] == p.funding and row[col("Tahun Anggaran")] == "2026"
        assert row[col("Indikator Keluaran")] == p.output_indicator
        assert row[col("Satuan")] == p.output_unit
        assert row[col("Jumlah Desa")] == len(set(t.rows.column("kode_kelurahan_desa").to_pylist()))
    assert body["SR-AIR"][3:5] == list(SUB_ACTIVITY)
    assert body["JAMBAN"][3:5] == ["-", "-"]
    total = renja[at + 3]
    assert total[2] == "Jumlah" and total[col("Biaya Rencana (Rp)")] == sum(
        map(_costs, mine.values())
    )
    text = [str(c) for r in renja for c in r if c not in ("", None)]
    assert any("belum diisi untuk JAMBAN" in t for t in text)
    assert "Mengetahui," in text and "Kepala Perangkat Daerah/Instansi" in text

    places = _rows(book, "Lokasi (desa)")
    assert places[1][:4] == ["Kode Desa", "Desa/Kelurahan", "Kecamatan", "Kabupaten/Kota"]
    assert places[0][4] == "JAMBAN (unit)" and places[0][6] == "SR-AIR (sambungan rumah)"
    assert places[1][4:9] == ["Unit", "Biaya (Rp)", "Unit", "Biaya (Rp)", "Biaya (Rp)"]
    desa = [r for r in places[2:] if r[0]]
    total = next(r for r in places if r[1] == "Jumlah")
    want_desa = {k for t in mine.values() for k in t.rows.column("kode_kelurahan_desa").to_pylist()}
    assert {r[0] for r in desa} == want_desa and all(isinstance(r[0], str) for r in desa)
    order = [(r[3], r[2], r[1], r[0]) for r in desa]
    assert order == sorted(order)
    for c, code in ((4, "JAMBAN"), (6, "SR-AIR")):
        t = mine[code]
        assert total[c] == t.rows.num_rows and total[c + 1] == _costs(t)
        assert sum(r[c] or 0 for r in desa) == total[c]
        per_desa = Counter(t.rows.column("kode_kelurahan_desa").to_pylist())
        assert {r[0]: r[c] for r in desa if r[c]} == dict(per_desa)
    assert total[8] == total[5] + total[7]

    # the named lists: as padu target writes them, with why the plan chose each unit
    cover = {r[0]: r[1] for r in _rows(book, "Sampul JAMBAN") if r and r[0]}
    assert cover["Instansi"] == f"PUPR - {result.agencies['PUPR']}"
    assert cover["Terpilih"] == str(mine["JAMBAN"].selected)
    header, listed = _bnba(book, "JAMBAN")
    assert "Alasan dipilih rencana" in header and "alasan_rencana" not in header
    t = mine["JAMBAN"]
    assert [r[header.index("Alasan dipilih rencana")] for r in listed] == t.rows.column(
        "alasan_rencana"
    ).to_pylist()
    kks = [r[header.index("No. KK")] for r in listed]
    assert kks == t.rows.column(KK).to_pylist() and kks[0].startswith("0") and len(kks[0]) == 16

    # a person programme's list keeps every NIK as text
    other = tmp_path / "dinkes.xlsx"
    write_agency_workbook(other, "DINKES", result)
    book = CalamineWorkbook.from_path(str(other))
    assert book.sheet_names == [*AGENCY_SHEETS, "Sampul PBI-PEMDA", "PBI-PEMDA"]
    header, listed = _bnba(book, "PBI-PEMDA")
    niks = result.lists["PBI-PEMDA"].rows.column(NIK).to_pylist()
    assert [r[header.index("NIK")] for r in listed] == [n or "" for n in niks]
    assert all(isinstance(n, str) for n in niks) and len(listed) == len(niks)
    renja = _labelled(_rows(book, "Usulan Renja"))
    assert renja["Instansi"][1].startswith("DINKES")

    with pytest.raises(InputError, match="PUPR"):
        write_agency_workbook(tmp_path / "x.xlsx", "BAZNAS", result)
