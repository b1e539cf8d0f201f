"""Probable duplicate persons inside one register snapshot (``padu register duplicates``).

The same comparisons as list linkage, within the register: pairs blocked on birth date +
first-name key, on name key + desa, and on NIK; u learnt from random register pairs (kept
per snapshot), m from the documented priors. A pair sharing a NIK with different names and
birth dates scores low: that is a NIK given to two people, not one person twice.

The file an officer opens speaks Indonesian: "Peluang orang yang sama", "Kolom yang cocok"
(the agreeing fields in words), "KK sama" (Ya/Tidak), sex in words; a workbook shows the
chance as a percentage and dates in words, a CSV keeps the number and ISO dates.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from padu.audit import record_export
from padu.files import atomic_output, check_output_file
from padu.fmt import persen, tanggal
from padu.linkage.ledger import cached_register_u
from padu.linkage.model import register_duplicates
from padu.linkage.persons import register_persons
from padu.schema import register_schema
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow

SIDE = ("nik", "kk", "nama", "tanggal_lahir", "jenis_kelamin", "desa", "rt")


def find_duplicates(
    wh: Warehouse, catalog: Catalog, snapshot: str, min_score: float = 0.9
) -> tuple[SnapshotRow, int, pl.DataFrame]:
    """The snapshot, its number of persons, and its probable duplicate pairs, best first."""
    snap, persons = register_persons(wh, catalog, snapshot)
    u = cached_register_u(catalog, snap.id, persons)
    pairs = register_duplicates(persons, min_score, register_u=u)
    side = persons.select("pid", *SIDE)
    out = (
        pairs.join(side.rename({c: f"{c}_a" for c in SIDE}), left_on="pid_a", right_on="pid")
        .join(side.rename({c: f"{c}_b" for c in SIDE}), left_on="pid_b", right_on="pid")
        .with_columns(same_kk=pl.col("kk_a") == pl.col("kk_b"))
        .sort(["score", "nik_a", "nik_b"], descending=[True, False, False])
        .drop("pid_a", "pid_b")
    )
    return snap, persons.height, out


SUFFIXES = (".csv", ".xlsx")


def write_duplicates(
    frame: pl.DataFrame, path: Path, catalog: Catalog, *, snapshot: int, actor: str
) -> Path:
    """The pairs as CSV or XLSX at ``path``: audited, renamed into place whole."""
    path = check_output_file(path, SUFFIXES)
    with atomic_output(path) as temp:
        _write(frame, temp, xlsx=path.suffix.lower() == ".xlsx")
        record_export(
            catalog, "register_duplicates", path, actor=actor, snapshot=snapshot,
            pairs=frame.height,
        )  # fmt: skip
    return path


#: The columns of the file, in order: (column of the pairs, Indonesian header).
SIDE_HEADERS = {
    "nik": "NIK", "kk": "No. KK", "nama": "Nama", "tanggal_lahir": "Tanggal lahir",
    "jenis_kelamin": "Jenis kelamin", "desa": "Kode desa (KTP)", "rt": "RT (KTP)",
}  # fmt: skip
HEADERS = {
    "score": "Peluang orang yang sama",
    "agree": "Kolom yang cocok",
    "same_kk": "KK sama",
    **{f"{c}_{s}": f"{h} {s.upper()}" for s in ("a", "b") for c, h in SIDE_HEADERS.items()},
}
#: The compared fields in words (the ``agree`` list of a pair).
AGREE_WORDS = {
    "nik": "NIK", "kk": "No. KK", "nama": "nama", "tanggal_lahir": "tanggal lahir",
    "jenis_kelamin": "jenis kelamin", "wilayah": "wilayah", "desa": "desa", "rt": "RT",
    "alamat": "alamat",
}  # fmt: skip
TEXT = {f"{c}_{s}" for s in ("a", "b") for c in ("nik", "kk", "desa", "rt")}


def agree_words(agree: str | None) -> str:
    """``nama,tanggal_lahir`` -> ``nama, tanggal lahir`` ("-" when none)."""
    parts = [p.strip() for p in (agree or "").split(",") if p.strip()]
    return ", ".join(AGREE_WORDS.get(p, p.replace("_", " ")) for p in parts) or "-"


def _sex(code: object) -> str | None:
    if code is None:
        return None
    label = register_schema().code_lists["jenis_kelamin"].label(str(code))
    return label or str(code)


def _indonesian(frame: pl.DataFrame, *, xlsx: bool) -> pl.DataFrame:
    """The pairs with Indonesian headers and words: KK sama Ya/Tidak, the agreeing fields
    and sex in words; in a workbook the chance as a percentage and dates as words."""
    cols = [c for c in HEADERS if c in frame.columns]
    data = frame.select(cols).with_columns(
        pl.col("agree").map_elements(agree_words, return_dtype=pl.String),
        pl.when(pl.col("same_kk")).then(pl.lit("Ya")).otherwise(pl.lit("Tidak")).alias("same_kk"),
        *(
            pl.col(f"jenis_kelamin_{s}").map_elements(_sex, return_dtype=pl.String)
            for s in ("a", "b")
            if f"jenis_kelamin_{s}" in cols
        ),
    )
    if xlsx:
        data = data.with_columns(
            pl.col("score").map_elements(lambda x: persen(100 * x, 1), return_dtype=pl.String),
            pl.col(pl.Date).map_elements(tanggal, return_dtype=pl.String),
        )
    else:
        data = data.with_columns(pl.col("score").round(4), pl.col(pl.Date).dt.to_string("%Y-%m-%d"))
    return data.rename({c: HEADERS[c] for c in cols})


def _write(frame: pl.DataFrame, path: Path, *, xlsx: bool) -> None:
    """CSV, or XLSX with NIK/KK as text; Indonesian headers and words in both."""
    data = _indonesian(frame, xlsx=xlsx)
    if not xlsx:
        data.write_csv(path)
        return
    import xlsxwriter

    text_cols = {HEADERS[c] for c in TEXT}
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Dugaan Ganda")
    sheet.freeze_panes(1, 0)
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    sheet.write_row(0, 0, data.columns, head)
    for j, name in enumerate(data.columns):
        sheet.set_column(j, j, 24 if name == HEADERS["agree"] else 18 if name in text_cols else 14)
    text = book.add_format({"num_format": "@"})
    for i, rec in enumerate(data.iter_rows(), start=1):
        for j, v in enumerate(rec):
            if isinstance(v, float):
                sheet.write_number(i, j, v)
            elif v is not None:
                sheet.write_string(i, j, str(v), text)
    sheet.autofilter(0, 0, max(data.height, 1), max(len(data.columns) - 1, 0))
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(0)
    sheet.set_footer("&RHalaman &P dari &N")
    book.close()
