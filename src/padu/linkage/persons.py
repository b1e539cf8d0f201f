"""The register's persons as linkage records, and the comparison columns of names.

Both sides of a link (the register and an agency list) carry the same comparison columns:
the normalised name, its phonetic key, the key of its first token, its tokens' keys sorted
(so that an order swap still agrees), birth date, sex, desa, RT and RW. Names are
normalised once per distinct spelling, which keeps a 7.7-million-person register cheap
(names repeat a great deal).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import polars as pl

from padu.files import atomic_output
from padu.linkage.names import normalise_name
from padu.register.reader import to_polars
from padu.register.snapshots import snapshot_table
from padu.stores import Catalog, Warehouse
from padu.stores.catalog import SnapshotRow

#: Register columns read for linkage, and their short names in linkage records.
PERSON_COLUMNS = {
    "nomor_induk_kependudukan": "nik",
    "nomor_kartu_keluarga": "kk",
    "nama": "nama",
    "jenis_kelamin": "jenis_kelamin",
    "tanggal_lahir": "tanggal_lahir",
    "kode_kelurahan_desa_ktp": "desa",
    "kode_kecamatan_ktp": "kecamatan",
    "rt_ktp": "rt",
    "rw_ktp": "rw",
    "alamat_ktp": "alamat",
    "status_hubungan_keluarga": "hubungan",
}
NAME_COLUMNS = ("nama_normal", "nama_kunci", "kunci_depan", "kunci_urut", "nama_penuh")


def register_persons(
    wh: Warehouse, catalog: Catalog, ref: str | int, *, cache: Path | None = None
) -> tuple[SnapshotRow, pl.DataFrame]:
    """The persons of a snapshot with comparison columns and a content-ordered id ``pid``.

    ``pid`` follows the order of (NIK, KK, name, birth date), never the order of the file
    the snapshot was imported from, so that a shuffled register gives the same ids.

    ``cache``: a folder where the result is kept per store, snapshot and version of the
    code that derives it (a snapshot never changes once imported), so that only the first
    link against a snapshot normalises its names. The file holds personal data, like the
    warehouse beside it in the Padu home: it is readable by its owner only, and a copy made
    by older code is removed when a new one is written.
    """
    snap = catalog.snapshot(ref)
    store = catalog.identity()
    if cache is None or store is None:  # a store without an identity is never cached
        return snap, _persons(wh, catalog, snap)
    stem = f"orang-{store}-{snap.id}-"
    path = cache / f"{stem}{_version()}.parquet"
    if path.exists():
        try:
            return snap, pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError):  # a damaged copy is made again
            pass
    frame = _persons(wh, catalog, snap)
    cache.mkdir(parents=True, exist_ok=True, mode=0o700)
    with atomic_output(path) as temp:
        frame.write_parquet(temp)
        temp.chmod(0o600)  # personal data: readable by the Padu user only
    for old in cache.glob(f"{stem}*.parquet"):  # copies made by older code
        if old != path:
            old.unlink(missing_ok=True)
    return snap, frame


@cache
def _version() -> str:
    """The version of the derived columns: a hash of the code that computes them."""
    from padu.linkage import names

    h = hashlib.sha256()
    for module in (names.__file__, __file__):
        h.update(Path(module).read_bytes())
    return h.hexdigest()[:12]


def _persons(wh: Warehouse, catalog: Catalog, snap: SnapshotRow) -> pl.DataFrame:
    t = snapshot_table(wh, catalog, snap.id, "individu")
    t = t.select(**{short: t[col] for col, short in PERSON_COLUMNS.items()})
    frame = (
        to_polars(t.to_pyarrow())
        .sort(["nik", "kk", "nama", "tanggal_lahir", "desa"], nulls_last=True, maintain_order=False)
        .with_row_index("pid", offset=1)
    )
    return with_name_columns(comparable(frame))


def comparable(frame: pl.DataFrame) -> pl.DataFrame:
    """Derived comparison columns shared by both sides: RT/RW as numbers, birth parts."""
    return frame.with_columns(
        rt=pl.col("rt").cast(pl.String).str.strip_chars().str.strip_chars_start("0"),
        rw=pl.col("rw").cast(pl.String).str.strip_chars().str.strip_chars_start("0"),
        tahun_lahir=pl.col("tanggal_lahir").dt.year(),
    )


def with_name_columns(frame: pl.DataFrame, column: str = "nama") -> pl.DataFrame:
    """``frame`` with :data:`NAME_COLUMNS` computed from ``column`` (blank names -> null)."""
    distinct = frame.get_column(column).drop_nulls().unique()
    forms = [normalise_name(n) for n in distinct.to_list()]
    lookup = pl.DataFrame(
        {
            column: distinct,
            "nama_normal": [f.normalised or None for f in forms],
            "nama_kunci": [f.key or None for f in forms],
            "kunci_depan": [(f.key.split(" ")[0] if f.key else None) for f in forms],
            "kunci_urut": [(" ".join(sorted(f.key.split(" "))) if f.key else None) for f in forms],
            "nama_penuh": [
                (f"{f.normalised} {f.patronymic}" if f.patronymic else f.normalised) or None
                for f in forms
            ],
        },
        schema={column: pl.String, **dict.fromkeys(NAME_COLUMNS, pl.String)},
    )
    return frame.join(lookup, on=column, how="left", nulls_equal=False)
