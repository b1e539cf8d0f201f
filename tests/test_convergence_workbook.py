"""The convergence workbook: sheets, Indonesian headers, suppression of small cells, cover.

Most tests write a result built by hand to the JSON shape of ``padu --json convergence``
(three desa in two kabupaten, two house-repair programmes) and read the workbook back with
calamine, the reader the project already uses for Excel files.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from python_calamine import CalamineWorkbook

from padu.convergence.workbook import write_convergence_xlsx
from padu.errors import InputError
from padu.programmes import preset_workshop
from padu.programmes.adopt import adopt_target_list
from padu.programmes.store import save_workshop
from padu.programmes.targeting import draw_target_list
from padu.regions import kaltara
from padu.register.snapshots import snapshot_table
from tests.conftest import Stores

DIMENSIONS = ("pendapatan", "pendidikan", "kesehatan", "perumahan", "air", "sanitasi", "pekerjaan")
LABELS = ("Pendapatan", "Pendidikan", "Kesehatan", "Rumah layak huni", "Air minum layak",
          "Sanitasi layak", "Pekerjaan")  # fmt: skip
WARNINGS = [
    "Snapshot 2 bukan acuan tahun 2026 (acuan: snapshot 1).",
    "Daftar BSPS dari berkas bsps-tahap1.xlsx ditautkan pada snapshot 2, bukan acuan.",
]


def _programme(
    agency: str,
    dimensions: list[str],
    *,
    recipients: int,
    inclusion: tuple[int, int, int, int],
    eligible: int,
    reached: int,
    skipped: int,
    deprived: int,
    deprived_reached: int,
    pending: int = 0,
) -> dict[str, Any]:
    """A programme's figures, its rates worked out from its counts as SPEC.md defines them."""

    def rate(num: int, den: int) -> float | None:
        return round(num / den, 6) if den else None

    reasons = dict(
        zip(("not_found", "left_register", "desil_6_10", "outside_scope"), inclusion, strict=True)
    )
    return {
        "agency": agency, "unit": "keluarga", "dimensions": dimensions,
        "recipients": recipients, "inclusion": reasons,
        "inclusion_error": rate(sum(inclusion), recipients),
        "eligible": eligible, "eligible_reached": reached,
        "exclusion_error": rate(eligible - reached, eligible), "priority_skipped": skipped,
        "coverage": rate(reached, eligible), "deprived": deprived,
        "deprived_reached": deprived_reached, "deprived_coverage": rate(deprived_reached, deprived),
        "pending_review": pending,
    }  # fmt: skip


def _figures(
    families: int,
    same_dim: int,
    same_prog: int,
    complementary: int,
    distribution: tuple[int, int, int, int],
    pairs: int,
    housing: tuple[int, int],
    sanitation: tuple[int, int],
    poor: tuple[int, int],
    by_agency: tuple[int, int, int],
    rtlh: dict[str, Any],
    bsps: dict[str, Any],
) -> dict[str, Any]:
    """One place's views (province or desa): ``housing`` etc. are (deprived, reached)."""
    gaps = {d: {"deprived": 10, "reached": 0, "unreached": 10} for d in DIMENSIONS}
    for d, (deprived, reached) in (("perumahan", housing), ("sanitasi", sanitation)):
        gaps[d] = {"deprived": deprived, "reached": reached, "unreached": deprived - reached}
    return {
        "families": families,
        "overlap": {
            "same_dimension_families": same_dim,
            "same_programme_families": same_prog,
            "complementary_families": complementary,
            "by_dimension": {"perumahan": same_dim, "sanitasi": 0},
            "concentration": {
                "threshold": 4,
                "families": distribution[3],
                "distribution": dict(zip(("1", "2", "3", "4+"), distribution, strict=True)),
            },
            "by_agency_pair": (
                [{"agencies": ["PERKIM", "PUPR"], "families": pairs}] if pairs else []
            ),
        },
        "gaps": gaps,
        "poor": {"poor": poor[0], "reached": poor[1], "unreached": poor[0] - poor[1]},
        "dimension_agency": [
            {"dimension": d, "agency": a, "families": n}
            for (d, a), n in zip(
                (("perumahan", "PERKIM"), ("perumahan", "PUPR"), ("sanitasi", "PUPR")),
                by_agency,
                strict=True,
            )
            if n
        ],
        "programmes": {"RTLH": rtlh, "BSPS": bsps},
    }


def _desa(kode: str, nama: str, figures: dict[str, Any]) -> dict[str, Any]:
    return {"level": "desa", "kode": kode, "nama": nama, **figures}


def hand_result() -> dict[str, Any]:
    """A convergence result for three desa; the province is their sum."""
    gunung_putih = _figures(
        120, 3, 0, 0, (40, 3, 0, 0), 3, (50, 43), (30, 2), (45, 20), (40, 6, 2),
        _programme("PERKIM", ["perumahan"], recipients=41, inclusion=(0, 2, 6, 0),
                   eligible=48, reached=33, skipped=7, deprived=50, deprived_reached=40),
        _programme("PUPR", ["perumahan", "sanitasi"], recipients=9, inclusion=(0, 0, 0, 0),
                   eligible=30, reached=3, skipped=0, deprived=55, deprived_reached=8),
    )  # fmt: skip
    long_beluah = _figures(
        60, 0, 0, 2, (12, 0, 0, 0), 0, (20, 5), (8, 0), (15, 5), (5, 0, 0),
        _programme("PERKIM", ["perumahan"], recipients=5, inclusion=(0, 0, 0, 0),
                   eligible=12, reached=5, skipped=0, deprived=20, deprived_reached=5),
        _programme("PUPR", ["perumahan", "sanitasi"], recipients=0, inclusion=(0, 0, 0, 0),
                   eligible=0, reached=0, skipped=0, deprived=0, deprived_reached=0),
    )  # fmt: skip
    karang_rejo = _figures(
        300, 12, 6, 0, (90, 12, 5, 1), 12, (80, 70), (40, 25), (60, 44), (64, 18, 25),
        _programme("PERKIM", ["perumahan"], recipients=70, inclusion=(7, 0, 11, 0),
                   eligible=60, reached=52, skipped=3, deprived=80, deprived_reached=64),
        _programme("PUPR", ["perumahan", "sanitasi"], recipients=32, inclusion=(6, 0, 0, 0),
                   eligible=40, reached=26, skipped=2, deprived=90, deprived_reached=30,
                   pending=4),
    )  # fmt: skip
    province = _figures(
        480, 15, 6, 2, (142, 15, 5, 1), 15, (150, 118), (78, 27), (120, 69), (109, 24, 27),
        _programme("PERKIM", ["perumahan"], recipients=116, inclusion=(7, 2, 17, 0),
                   eligible=120, reached=90, skipped=10, deprived=150, deprived_reached=109),
        _programme("PUPR", ["perumahan", "sanitasi"], recipients=41, inclusion=(6, 0, 0, 0),
                   eligible=70, reached=29, skipped=2, deprived=145, deprived_reached=38,
                   pending=4),
    )  # fmt: skip
    return {
        "year": 2026, "basis": "both", "measure": "padu-7", "by": "desa",
        "dimension_labels": dict(zip(DIMENSIONS, LABELS, strict=True)),
        "snapshot": {"id": 2, "label": "DTSEN Februari 2026", "tanggal": "2026-02-20",
                     "reference": False},
        **province,
        "sources": [
            {"basis": "planned", "kind": "adoption", "id": 3, "programme": "RTLH",
             "snapshot": 1, "rows": 180, "off_reference": False,
             "dibuat": "2026-03-02T01:30:00", "pelaku": "bappeda"},
            {"basis": "realised", "kind": "ledger", "id": 7, "programme": "BSPS",
             "snapshot": 2, "rows": 45, "file": "bsps-tahap1.xlsx", "off_reference": True,
             "dibuat": "2026-04-10T06:00:00", "pelaku": "pupr"},
        ],
        "warnings": WARNINGS,
        "programmes_without_list": ["JAMBAN", "SAMBUNG-AIR"],
        "regions": [
            _desa("65.71.01.1002", "Karang Rejo", karang_rejo),
            _desa("65.01.01.2005", "Gunung Putih", gunung_putih),
            _desa("65.01.02.2001", "Long Beluah", long_beluah),
        ],
    }  # fmt: skip


class Sheet:
    """A sheet read back: its cells, and columns named by (group header, header)."""

    def __init__(self, book: CalamineWorkbook, name: str) -> None:
        sheet = book.get_sheet_by_name(name)
        self.rows: list[list[Any]] = sheet.to_python()
        merged = sheet.merged_cell_ranges or []
        self.columns: list[tuple[str, str]] = []
        for j, label in enumerate(self.rows[1]):
            start = next((s for s, e in merged if s[0] == 0 and s[1] <= j <= e[1]), (0, j))
            self.columns.append((str(self.rows[0][start[1]]), str(label)))

    def col(self, label: str, group: str | None = None) -> int:
        found = [j for j, (g, h) in enumerate(self.columns) if h == label and group in (None, g)]
        assert len(found) == 1, (label, group, self.columns)
        return found[0]

    def row(self, *first: str) -> list[Any]:
        """The one row whose first cells are ``first``."""
        found = [r for r in self.rows[2:] if tuple(r[: len(first)]) == first]
        assert len(found) == 1, (first, found)
        return found[0]

    def cell(self, first: tuple[str, ...], label: str, group: str | None = None) -> Any:
        return self.row(*first)[self.col(label, group)]


def written(tmp_path: Path, result: dict[str, Any], **kw: Any) -> tuple[Path, CalamineWorkbook]:
    path = tmp_path / "konvergensi.xlsx"
    write_convergence_xlsx(result, path, **kw)
    return path, CalamineWorkbook.from_path(str(path))


SAME = "Dua program berdimensi sama (bukan pasangan pelengkap)"
GUNUNG_PUTIH = ("65.01.01.2005", "Gunung Putih", "Tanjung Palas", "Kabupaten Bulungan")
LONG_BELUAH = ("65.01.02.2001", "Long Beluah", "Tanjung Palas Barat", "Kabupaten Bulungan")
KARANG_REJO = ("65.71.01.1002", "Karang Rejo", "Tarakan Barat", "Kota Tarakan")
PROVINCE = ("Provinsi (total)",)


def test_sheets_headers_and_one_row_per_desa(tmp_path: Path) -> None:
    _, book = written(tmp_path, hand_result())
    assert book.sheet_names == [
        "Sampul", "Tumpang Tindih", "Antar Instansi", "Kesenjangan", "Dimensi x Instansi",
        "Kesalahan Sasaran", "Cakupan",
    ]  # fmt: skip
    overlap = Sheet(book, "Tumpang Tindih")
    assert overlap.rows[1][:5] == ["Kode Desa", "Desa/Kelurahan", "Kecamatan", "Kabupaten/Kota",
                                   "Keluarga"]  # fmt: skip
    # dimensions by their labels, in the measure's order, never by their ids
    assert [h for g, h in overlap.columns if g == SAME] == ["Semua dimensi", *LABELS]
    every_header = {h for _, h in overlap.columns} | {g for g, _ in overlap.columns}
    assert not every_header & set(DIMENSIONS)
    assert [r[:4] for r in overlap.rows[2:5]] == [list(GUNUNG_PUTIH), list(LONG_BELUAH),
                                                   list(KARANG_REJO)]  # fmt: skip
    assert overlap.rows[5] == [""] * len(overlap.rows[5])  # a blank row before the total
    assert overlap.rows[6][0] == "Provinsi (total)"
    assert overlap.cell(KARANG_REJO, "Keluarga") == 300
    assert overlap.cell(KARANG_REJO, "4 program atau lebih", "Konsentrasi: keluarga menurut "
                        "jumlah program yang menjangkau") == "<5"  # fmt: skip
    gaps = Sheet(book, "Kesenjangan")
    assert {g for g, _ in gaps.columns} >= {f"Terdeprivasi dalam {label}" for label in LABELS}
    assert gaps.cell(KARANG_REJO, "Tidak terjangkau", "Terdeprivasi dalam Sanitasi layak") == 15
    assert gaps.cell(PROVINCE, "Tidak terjangkau", "Miskin multidimensi") == 51
    assert gaps.cell(PROVINCE, "Tidak terjangkau (%)", "Miskin multidimensi") == pytest.approx(
        51 / 120
    )
    by_agency = Sheet(book, "Dimensi x Instansi")
    housing = [h for g, h in by_agency.columns if g == "Rumah layak huni"]
    assert housing == ["Keluarga terdeprivasi", "Dijangkau PERKIM", "Dijangkau PUPR",
                       "Tidak dijangkau siapa pun"]  # fmt: skip
    # an agency whose programme aims at a dimension but reaches no one there shows 0
    assert by_agency.cell(LONG_BELUAH, "Dijangkau PUPR", "Sanitasi layak") == 0
    assert by_agency.cell(KARANG_REJO, "Dijangkau PUPR", "Sanitasi layak") == 25
    errors = Sheet(book, "Kesalahan Sasaran")
    assert errors.rows[1][:7] == ["Program", "Instansi", "Satuan", *overlap.rows[1][:4]]
    # 2 programmes x 3 desa less BSPS in Long Beluah (nothing to show), blank, 2 province rows
    assert len(errors.rows) == 2 + 5 + 1 + 2
    assert not [r for r in errors.rows if r[0] == "BSPS" and tuple(r[3:7]) == LONG_BELUAH]
    assert errors.cell(("RTLH", "PERKIM", "keluarga", *LONG_BELUAH), "Penerima") == 5
    assert errors.cell(("RTLH", "PERKIM", "keluarga", *KARANG_REJO), "Desil 6-10") == 11
    coverage = Sheet(book, "Cakupan")
    assert coverage.cell(GUNUNG_PUTIH, "Cakupan (%)", "RTLH (PERKIM, per keluarga)") == (
        pytest.approx(33 / 48, abs=1e-6)
    )


def test_small_counts_are_suppressed_and_their_rates_left_blank(tmp_path: Path) -> None:
    _, book = written(tmp_path, hand_result())
    overlap = Sheet(book, "Tumpang Tindih")
    assert overlap.cell(GUNUNG_PUTIH, "Semua dimensi", SAME) == "<5"
    assert overlap.cell(GUNUNG_PUTIH, "Rumah layak huni", SAME) == "<5"
    # 0 is not suppressed: it is written as the number 0
    zero = overlap.cell(GUNUNG_PUTIH, "Keluarga penerima pasangan program pelengkap")
    assert zero == 0 and not isinstance(zero, str)
    assert overlap.cell(GUNUNG_PUTIH, "Keluarga") == 120
    # the province row follows the same rule
    assert overlap.cell(PROVINCE, "Keluarga") == 480
    assert overlap.cell(PROVINCE, "Keluarga penerima pasangan program pelengkap") == "<5"

    errors = Sheet(book, "Kesalahan Sasaran")
    bsps = ("BSPS", "PUPR", "keluarga", *GUNUNG_PUTIH)
    assert errors.cell(bsps, "Memenuhi syarat") == 30
    reached = errors.col("Memenuhi syarat dan menerima")
    assert errors.row(*bsps)[reached] == "<5"
    assert errors.columns[reached + 1][1] == "Kesalahan eksklusi (%)"
    assert errors.row(*bsps)[reached + 1] == ""  # 27/30 would give the hidden 3 back
    assert errors.cell(bsps, "Cakupan (%)") == ""
    # a rate with every count shown is written, as the share the result holds
    rtlh = ("RTLH", "PERKIM", "keluarga", *KARANG_REJO)
    assert errors.cell(rtlh, "Kesalahan inklusi (%)") == pytest.approx(round(18 / 70, 6))
    assert errors.cell(rtlh, "Kesalahan eksklusi (%)") == pytest.approx(round(8 / 60, 6))
    # one suppressed inclusion reason blanks the inclusion error
    rtlh = ("RTLH", "PERKIM", "keluarga", *GUNUNG_PUTIH)
    assert errors.cell(rtlh, "Sudah keluar dari register (meninggal/pindah)") == "<5"
    assert errors.cell(rtlh, "Desil 6-10") == 6
    assert errors.cell(rtlh, "Kesalahan inklusi (%)") == ""  # 8/41 would give the hidden 2 back
    assert errors.cell(("RTLH", "PERKIM", "keluarga", *PROVINCE), "Penerima") == 116
    assert errors.cell(("BSPS", "PUPR", "keluarga", *PROVINCE), "Baris menunggu tinjauan") == "<5"

    pairs = Sheet(book, "Antar Instansi")
    shared = pairs.col("Keluarga yang dijangkau keduanya")
    assert pairs.row(*GUNUNG_PUTIH, "PERKIM", "PUPR")[shared] == "<5"
    assert pairs.row(*KARANG_REJO, "PERKIM", "PUPR")[shared] == 12
    assert pairs.row(*PROVINCE, "", "", "", "PERKIM", "PUPR")[shared] == 15
    assert not [r for r in pairs.rows if tuple(r[:4]) == LONG_BELUAH]  # no shared family there


def test_agency_matrix_is_symmetric_at_province_level(tmp_path: Path) -> None:
    _, book = written(tmp_path, hand_result())
    rows = Sheet(book, "Antar Instansi").rows
    at = rows[1].index("Instansi")
    assert rows[1][at + 1 : at + 3] == ["PERKIM", "PUPR"]
    assert rows[2][at : at + 3] == ["PERKIM", "", 15]
    assert rows[3][at : at + 3] == ["PUPR", 15, ""]


def test_suppress_below_zero_writes_every_number(tmp_path: Path) -> None:
    _, book = written(tmp_path, hand_result(), suppress_below=0)
    overlap = Sheet(book, "Tumpang Tindih")
    assert overlap.cell(GUNUNG_PUTIH, "Semua dimensi", SAME) == 3
    assert overlap.cell(PROVINCE, "Keluarga penerima pasangan program pelengkap") == 2
    errors = Sheet(book, "Kesalahan Sasaran")
    bsps = ("BSPS", "PUPR", "keluarga", *GUNUNG_PUTIH)
    assert errors.cell(bsps, "Memenuhi syarat dan menerima") == 3
    assert errors.cell(bsps, "Kesalahan eksklusi (%)") == pytest.approx(0.9)
    assert not [v for r in overlap.rows for v in r if isinstance(v, str) and v.startswith("<")]
    cover = [str(v) for r in Sheet(book, "Sampul").rows for v in r]
    assert any("tanpa penyembunyian" in v for v in cover)
    # another threshold is named as it is
    _, book = written(tmp_path, hand_result(), suppress_below=10)
    overlap = Sheet(book, "Tumpang Tindih")
    assert overlap.cell(LONG_BELUAH, "Keluarga penerima pasangan program pelengkap") == "<10"
    assert overlap.cell(LONG_BELUAH, "Keluarga") == 60


def test_cover_names_year_snapshot_basis_warnings_and_sources(tmp_path: Path) -> None:
    _, book = written(tmp_path, hand_result(), agencies={"PERKIM": "Dinas Perkim"})
    rows = book.get_sheet_by_name("Sampul").to_python()
    assert rows[0][0] == "Konvergensi program penanggulangan kemiskinan Tahun 2026"
    info = {r[0]: r[1] for r in rows if r[0]}
    assert info["Tanggal snapshot"] == "20-02-2026"
    assert info["Snapshot register"].startswith("DTSEN Februari 2026")
    assert info["Acuan bersama tahun ini"].startswith("tidak")
    assert info["Dasar penerima"] == "rencana dan realisasi"
    assert info["Ukuran kemiskinan"] == "padu-7"
    assert re.fullmatch(r"\d{1,2} \w+ \d{4}, \d{2}\.\d{2} WITA", info["Dibuat"])
    first = [str(r[0]) for r in rows]
    for warning in WARNINGS:
        assert warning in first
    assert "JAMBAN, SAMBUNG-AIR" in first
    assert any("tidak ada NIK, No. KK" in line for line in first)
    assert any("sel dengan kurang dari 5 keluarga ditampilkan sebagai <5" in line.lower()
               for line in first)  # fmt: skip
    assert "PERKIM: Dinas Perkim" in first and "PUPR: PUPR" in first
    head = first.index("Program")
    assert rows[head][:7] == ["Program", "Jenis", "Dasar", "Berkas", "Snapshot", "Baris", "Acuan"]
    assert rows[head + 1][:7] == ["RTLH", "adopsi", "rencana", "-", 1, 180, "acuan"]
    assert rows[head + 2][:7] == ["BSPS", "daftar", "realisasi", "bsps-tahap1.xlsx", 2, 45,
                                  "bukan acuan"]  # fmt: skip
    assert rows[head + 1][7] == "2 Maret 2026, 09.30 WITA"  # stored in UTC


def _number_format(path: Path, sheet: str, row: int, col: int) -> str:
    """The Excel number format of a cell (0-based), read from the file's XML."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:

        def part(name: str) -> ElementTree.Element:
            return ElementTree.fromstring(z.read(name))  # noqa: S314 (the test's own file)

        book = part("xl/workbook.xml")
        rid = next(s.get(rel) for s in book.iterfind(".//m:sheet", ns) if s.get("name") == sheet)
        target = next(
            r.get("Target") for r in part("xl/_rels/workbook.xml.rels") if r.get("Id") == rid
        )
        cells = part(f"xl/{target}")
        styles = part("xl/styles.xml")
    letters = ""
    n = col + 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    ref = f"{letters}{row + 1}"
    style = int(next(c for c in cells.iterfind(".//m:c", ns) if c.get("r") == ref).get("s", 0))
    fmt_id = styles.find("m:cellXfs", ns)[style].get("numFmtId")  # type: ignore[index]
    custom = {"3": "#,##0", "9": "0%", "10": "0.00%"}  # Excel's built-in formats used here
    custom |= {f.get("numFmtId"): f.get("formatCode") for f in styles.iterfind(".//m:numFmt", ns)}
    return str(custom.get(fmt_id, fmt_id))


def test_numbers_are_numbers_and_rates_percentages(tmp_path: Path) -> None:
    path, book = written(tmp_path, hand_result())
    errors = Sheet(book, "Kesalahan Sasaran")
    r = errors.rows.index(errors.row("RTLH", "PERKIM", "keluarga", *KARANG_REJO))
    assert _number_format(path, "Kesalahan Sasaran", r, errors.col("Kesalahan inklusi (%)")) == (
        "0.0%"
    )
    assert _number_format(path, "Kesalahan Sasaran", r, errors.col("Penerima")) == "#,##0"


def test_refusals_leave_no_file(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        write_convergence_xlsx(hand_result(), tmp_path / "konvergensi.csv")
    with pytest.raises(InputError):
        write_convergence_xlsx(hand_result(), tmp_path / "k.xlsx", suppress_below=-1)
    assert list(tmp_path.iterdir()) == []
    broken = hand_result()
    broken["regions"][0]["overlap"]["by_agency_pair"] = [{"agencies": ["PERKIM"]}]
    with pytest.raises((KeyError, IndexError)):
        write_convergence_xlsx(broken, tmp_path / "k.xlsx")
    assert list(tmp_path.iterdir()) == []  # a failure while writing leaves nothing behind
    write_convergence_xlsx(hand_result(), tmp_path / "k.xlsx")
    assert [p.name for p in tmp_path.iterdir()] == ["k.xlsx"]


def test_dimension_labels_come_from_the_result_or_its_preset_measure(tmp_path: Path) -> None:
    result = hand_result()
    result["measure"] = "ukuran-bulungan@2"  # a saved measure: only the result knows its labels
    result["dimension_labels"] = {d: f"Dimensi {d.upper()}" for d in DIMENSIONS}
    _, book = written(tmp_path, result)
    groups = [g for g, _ in Sheet(book, "Kesenjangan").columns]
    assert "Terdeprivasi dalam Dimensi SANITASI" in groups
    del result["dimension_labels"]  # an older result: the labels of its measure, if a preset
    _, book = written(tmp_path, result)
    assert "Terdeprivasi dalam Sanitasi" in [g for g, _ in Sheet(book, "Kesenjangan").columns]
    result["measure"] = "padu-7"
    _, book = written(tmp_path, result)
    assert [h for g, h in Sheet(book, "Tumpang Tindih").columns if g == SAME][1:] == list(LABELS)


def test_the_real_result_of_the_small_register(
    stores: Stores, snapshot: int, tmp_path: Path
) -> None:
    """Every desa of the register's families has its row, with its families counted."""
    from padu.convergence import convergence

    wh, cat = stores.warehouse, stores.catalog
    workshop = preset_workshop()
    versions = save_workshop(workshop, cat, actor="bappeda")
    drawn = {}
    for p in workshop.programmes:
        if p.code in ("PKH", "RTLH", "PBI-JK"):
            drawn[p.code] = draw_target_list(wh, cat, p, versions[p.code], snapshot)
            adopt_target_list(wh, cat, drawn[p.code], actor="bappeda")
    result = convergence(wh, cat, snapshot, 2026, by="desa")
    raw_path = tmp_path / "semua.xlsx"
    write_convergence_xlsx(result, raw_path, suppress_below=0)
    _, book = written(tmp_path, result)
    raw = CalamineWorkbook.from_path(str(raw_path))

    desa = snapshot_table(wh, cat, snapshot, "keluarga").select("kode_kelurahan_desa")
    families = Counter(desa.to_pyarrow().column(0).to_pylist())
    overlap = Sheet(raw, "Tumpang Tindih")
    shown = {r[0]: r for r in overlap.rows[2:] if r[0] and r[0] != "Provinsi (total)"}
    assert set(shown) == set(families)
    tree = kaltara()
    for code, n in families.items():
        region = tree.get(code)
        kecamatan = tree.ancestor(code, "kecamatan").nama
        kabupaten = tree.ancestor(code, "kabupaten_kota").nama
        assert shown[code][1:5] == [region.nama, kecamatan, kabupaten, n]
    assert overlap.cell(PROVINCE, "Keluarga") == sum(families.values())
    errors = Sheet(raw, "Kesalahan Sasaran")
    for code, target in drawn.items():
        listed = {r["nomor_kartu_keluarga"] for r in target.rows.to_pylist()}
        if target.programme.unit == "individu":
            listed = {r["nomor_induk_kependudukan"] for r in target.rows.to_pylist()}
        agency, unit = (
            target.programme.agency,
            {"keluarga": "keluarga"}.get(target.programme.unit, "orang"),
        )
        assert errors.cell((code, agency, unit, *PROVINCE), "Penerima") == len(listed)

    # suppression: each <5 hides a count from 1 to 4, each blank a rate; the rest is as it is
    hidden = 0
    for name in book.sheet_names[1:]:
        small, whole = Sheet(book, name), Sheet(raw, name)
        assert len(small.rows) == len(whole.rows)
        for a, b in zip(small.rows[2:], whole.rows[2:], strict=True):
            for j, (s, r) in enumerate(zip(a, b, strict=True)):
                if s == "<5":
                    assert isinstance(r, float) and 1 <= r < 5, (name, j, r)
                    hidden += 1
                elif s != r:
                    assert s == "" and small.columns[j][1].endswith("(%)"), (name, j, s, r)
    assert hidden > 0
    counts = [v for r in Sheet(book, "Tumpang Tindih").rows[2:] for v in r[4:]]
    assert not [v for v in counts if isinstance(v, float) and 0 < v < 5]
