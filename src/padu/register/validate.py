"""Validation of an extract: typed columns, structural errors and quality findings.

Two kinds of problems (the full table is in ``docs/import-validation.md``):

- *structural errors* make a row unusable (no key, a value of the wrong type, an unknown
  region, a member whose family is not in the files). Any of them refuses the import.
- *quality findings* are what real registers contain (invalid or duplicate NIK, a blank
  field, a family without a head). They are accepted and flagged on the record.

Every check is a Polars expression over whole columns; a check emits its rows into one
findings frame, so one report lists every problem with file, row, column, value and reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from padu import identifiers as ids
from padu.regions import RegionLevel, Regions, detect_scheme
from padu.register.reader import FILE, ROW
from padu.schema import EXPECTED_FIELDS, FALSE_WORDS, TRUE_WORDS, Field, Level, register_schema

RID = "_rid"
STRUCTURAL = "struktural"
QUALITY = "kualitas"
REGION_FIELDS: dict[str, RegionLevel] = {
    "kode_provinsi": "provinsi",
    "kode_kabupaten_kota": "kabupaten_kota",
    "kode_kecamatan": "kecamatan",
    "kode_kelurahan_desa": "desa_kelurahan",
}
FINDING_COLUMNS = {
    "tingkat": pl.String,
    RID: pl.Int64,
    FILE: pl.String,
    ROW: pl.Int64,
    "kolom": pl.String,
    "nilai": pl.String,
    "kode": pl.String,
    "keterangan": pl.String,
    "jenis": pl.String,
    "nomor_kartu_keluarga": pl.String,
    "nomor_induk_kependudukan": pl.String,
}


@dataclass
class Validated:
    """The outcome of validating one import: typed rows and every finding."""

    keluarga: pl.DataFrame
    individu: pl.DataFrame
    findings: pl.DataFrame  # FINDING_COLUMNS
    scheme: str

    @property
    def structural(self) -> pl.DataFrame:
        return self.findings.filter(pl.col("jenis") == STRUCTURAL)

    @property
    def quality(self) -> pl.DataFrame:
        return self.findings.filter(pl.col("jenis") == QUALITY)


def _blank_to_null(col: str) -> pl.Expr:
    raw = pl.col(col).str.strip_chars()
    return pl.when(raw == "").then(None).otherwise(raw)


def parse_date(e: pl.Expr) -> pl.Expr:
    """Dates in the forms extracts use: ISO, dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy, Excel serial."""
    serial = e.cast(pl.Int64, strict=False)
    return pl.coalesce(
        e.str.to_date("%Y-%m-%d", strict=False),
        e.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False),
        e.str.to_date("%d-%m-%Y", strict=False),
        e.str.to_date("%d/%m/%Y", strict=False),
        e.str.to_date("%Y/%m/%d", strict=False),
        e.str.to_date("%d.%m.%Y", strict=False),
        pl.when(serial.is_between(1, 60000)).then(
            pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=serial)
        ),
    )


def _normalize_code(e: pl.Expr) -> pl.Expr:
    numeric = e.str.contains(r"^\d+(\.0+)?$")
    as_int = e.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False).cast(pl.String)
    return pl.when(numeric).then(as_int).otherwise(e)


def _typed_expr(f: Field) -> pl.Expr:
    raw = _blank_to_null(f.name)
    match f.type:
        case "string":
            return raw
        case "code":  # categorical: a 4-byte id per row instead of a 16-byte string view
            return _normalize_code(raw).cast(pl.Categorical)
        case "integer":
            num = raw.str.replace(r"\.0+$", "").cast(pl.Int64, strict=False)
            return num
        case "decimal":
            return raw.str.replace(",", ".", literal=True).cast(pl.Float64, strict=False)
        case "date":
            return parse_date(raw)
        case "boolean":
            low = raw.str.to_lowercase()
            return (
                pl.when(low.is_in(list(TRUE_WORDS)))
                .then(True)
                .when(low.is_in(list(FALSE_WORDS)))
                .then(False)
                .otherwise(None)
            )
    raise AssertionError(f.type)


class _Findings:
    """Collects findings frames from checks."""

    def __init__(self, level: Level) -> None:
        self.level = level
        self.parts: list[pl.DataFrame] = []

    def emit(
        self,
        rows: pl.DataFrame,
        *,
        kind: str,
        code: str,
        reason: str | pl.Expr,
        column: str | None = None,
        value: pl.Expr | None = None,
    ) -> None:
        if rows.is_empty():
            return
        if value is None:
            value = (
                pl.col(column).cast(pl.String)
                if column and column in rows.columns
                else pl.lit(None)
            )
        nik = "nomor_induk_kependudukan"
        part = rows.select(
            pl.lit(self.level).alias("tingkat"),
            pl.col(RID),
            pl.col(FILE),
            pl.col(ROW),
            pl.lit(column, dtype=pl.String).alias("kolom"),
            value.cast(pl.String).alias("nilai"),
            pl.lit(code).alias("kode"),
            (reason if isinstance(reason, pl.Expr) else pl.lit(reason))
            .cast(pl.String)
            .alias("keterangan"),
            pl.lit(kind).alias("jenis"),
            pl.col("nomor_kartu_keluarga").cast(pl.String)
            if "nomor_kartu_keluarga" in rows.columns
            else pl.lit(None, pl.String),
            (pl.col(nik) if nik in rows.columns else pl.lit(None, pl.String))
            .cast(pl.String)
            .alias(nik),
        )
        self.parts.append(part.cast(FINDING_COLUMNS))  # type: ignore[arg-type]


WHAT = {"integer": "bilangan bulat", "decimal": "angka", "date": "tanggal yang valid"}
#: Fields whose checks read other fields' raw text too.
CHECKED_WITH = {"desil_nasional": ("desil_provinsi", "desil_kabupaten_kota")}


def _field_checks(
    f: Field, level: Level, rawc: pl.Expr, typc: pl.Expr, peers: tuple[str, ...] = ()
) -> list[tuple[str, str, str, pl.Expr, pl.Expr]]:
    """The checks of one field: (kind, code, reason, failing-row condition, value shown)."""
    present = rawc.is_not_null() & (rawc.str.strip_chars() != "")
    checks: list[tuple[str, str, str, pl.Expr, pl.Expr]] = []
    if f.type in WHAT:
        checks.append(
            (STRUCTURAL, "tipe_salah", f"bukan {WHAT[f.type]}", present & typc.is_null(), rawc)
        )
    elif f.type == "boolean":
        reason = "bukan Ya/Tidak (1/2, true/false)"
        checks.append((QUALITY, "kode_tidak_dikenal", reason, present & typc.is_null(), rawc))
    elif f.type == "code" and (codes := register_schema().codes_for(f)) is not None:
        reason = f"kode tidak ada dalam daftar {codes.name}; nilai asli disimpan"
        unknown = typc.is_not_null() & ~typc.is_in(list(codes.by_code()))
        checks.append((QUALITY, "kode_tidak_dikenal", reason, unknown, rawc))
    if f.required:
        checks.append((STRUCTURAL, "kunci_kosong", "kolom wajib kosong", typc.is_null(), rawc))
    if f.name in EXPECTED_FIELDS[level]:
        blank = ~present
        if peers:
            # all three desil blank is DTSEN's "belum ditentukan" (not ranked yet), a status;
            # a national desil blank beside a provincial or kabupaten one is a missing value.
            # Only where the file carries those columns (``peers``: filled somewhere in it).
            given = [
                pl.col(f"raw__{c}").is_not_null() & (pl.col(f"raw__{c}").str.strip_chars() != "")
                for c in peers
            ]
            blank = blank & pl.any_horizontal(given)
        checks.append((QUALITY, "kolom_kosong", "isian kosong", blank, pl.lit(None)))
    return checks


def _filled_somewhere(raw: pl.DataFrame, columns: tuple[str, ...]) -> bool:
    """Whether any of ``columns`` holds a non-blank value in some row of ``raw``."""
    present = [c for c in columns if c in raw.columns]
    if not present:
        return False
    filled = pl.any_horizontal(
        [
            pl.col(c).is_not_null() & (pl.col(c).cast(pl.String).str.strip_chars() != "")
            for c in present
        ]
    )
    return bool(raw.select(filled.any()).item())


def _type_level(
    raw_by_level: dict[Level, pl.DataFrame], level: Level, out: _Findings
) -> pl.DataFrame:
    """Typed columns for every field of ``level``, with wrong-type and unknown-code findings.

    The raw text frame is taken out of ``raw_by_level`` and each raw column is dropped as soon
    as it is typed and checked, so the text and the typed copy never coexist whole.
    """
    schema = register_schema()
    fields = schema.level(level)
    raw = raw_by_level.pop(level).with_row_index(RID).with_columns(pl.col(RID).cast(pl.Int64))
    raw = raw.with_columns(
        [pl.lit(None, dtype=pl.String).alias(f.name) for f in fields if f.name not in raw.columns]
    )
    typed = raw.select(
        RID, FILE, ROW, *[_typed_expr(f).alias(f.name) for f in fields if f.required]
    )
    keys = [
        f.name
        for f in fields
        if f.required and f.name in ("nomor_kartu_keluarga", "nomor_induk_kependudukan")
    ]
    columns: dict[str, pl.Series] = {}
    # the raw text of fields other checks read, kept before the loop drops columns
    peer_text = {
        name: {c: raw.get_column(c) for c in peers}
        for name, peers in CHECKED_WITH.items()
        if name in raw.columns and _filled_somewhere(raw, peers)
    }
    for f in fields:
        rawc, typc = pl.col(f"raw__{f.name}"), pl.col(f.name)
        value = (
            typed.get_column(f.name)
            if f.name in typed.columns
            else raw.select(_typed_expr(f).alias(f.name)).to_series()
        )
        peers = peer_text.pop(f.name, {})
        checked = typed.select(RID, FILE, ROW, *[k for k in keys if k != f.name]).with_columns(
            value,
            raw.get_column(f.name).alias(f"raw__{f.name}"),
            *[text.alias(f"raw__{c}") for c, text in peers.items()],
        )
        raw = raw.drop(f.name)
        for kind, code, reason, condition, shown in _field_checks(
            f, level, rawc, typc, tuple(peers)
        ):
            out.emit(
                checked.filter(condition),
                kind=kind,
                code=code,
                reason=reason,
                column=f.name,
                value=shown,
            )
        columns[f.name] = value
        del checked
    return typed.select(RID, FILE, ROW).with_columns(*columns.values())


def _regions(
    typed: pl.DataFrame, regions: Regions, crosswalk: Mapping[str, str], out: _Findings
) -> tuple[pl.DataFrame, str]:
    """Region codes as dotted Kemendagri codes; unknown or inconsistent ones are structural."""
    kec_codes = typed.get_column("kode_kecamatan").drop_nulls().head(2000).to_list()
    scheme = detect_scheme(kec_codes)
    exprs = []
    for col, level in REGION_FIELDS.items():
        if scheme == "bps":
            lookup = dict(crosswalk)
            if level == "provinsi":
                lookup = {r.digits: r.kode for r in regions.at_level("provinsi")} | lookup
        else:
            lookup = {k: r.kode for k, r in regions.codes(level).items()}
        exprs.append(
            pl.col(col)
            .replace_strict(lookup, default=None, return_dtype=pl.String)
            .alias(f"kd__{col}")
        )
    work = typed.with_columns(exprs)
    if scheme == "bps" and not crosswalk:
        out.emit(
            work.head(1),
            kind=STRUCTURAL,
            code="crosswalk_kosong",
            reason=(
                "kode wilayah BPS terdeteksi (kecamatan 7 digit) tetapi tabel crosswalk "
                "BPS-Kemendagri belum dimuat; muat dengan `padu regions crosswalk FILE`"
            ),
            column="kode_kecamatan",
        )
    for col, level in REGION_FIELDS.items():
        bad = work.filter(pl.col(col).is_not_null() & pl.col(f"kd__{col}").is_null())
        why = f"kode {level} tidak dikenal" + (
            " (skema BPS, tidak ada di crosswalk)" if scheme == "bps" else " (Kemendagri 2025)"
        )
        out.emit(bad, kind=STRUCTURAL, code="wilayah_tidak_dikenal", reason=why, column=col)
    parents = pl.DataFrame(
        [
            {
                "kd__kode_kelurahan_desa": r.kode,
                "_kec": regions.ancestor(r.kode, "kecamatan").kode,
                "_kab": regions.ancestor(r.kode, "kabupaten_kota").kode,
                "_prov": regions.ancestor(r.kode, "provinsi").kode,
            }
            for r in regions.at_level("desa_kelurahan")
        ]
    )
    work = work.join(parents, on="kd__kode_kelurahan_desa", how="left")
    incons = work.filter(
        pl.col("_kec").is_not_null()
        & pl.col("kd__kode_kecamatan").is_not_null()
        & pl.col("kd__kode_kabupaten_kota").is_not_null()
        & (
            (pl.col("_kec") != pl.col("kd__kode_kecamatan"))
            | (pl.col("_kab") != pl.col("kd__kode_kabupaten_kota"))
            | (pl.col("_prov") != pl.col("kd__kode_provinsi"))
        )
    )
    out.emit(
        incons,
        kind=STRUCTURAL,
        code="wilayah_tidak_konsisten",
        reason=pl.format(
            "desa {} tidak berada di kecamatan {} / kabupaten {}",
            pl.col("kd__kode_kelurahan_desa"),
            pl.col("kd__kode_kecamatan"),
            pl.col("kd__kode_kabupaten_kota"),
        ),
        column="kode_kelurahan_desa",
    )
    typed = work.with_columns([pl.col(f"kd__{c}").alias(c) for c in REGION_FIELDS]).drop(
        [f"kd__{c}" for c in REGION_FIELDS] + ["_kec", "_kab", "_prov"]
    )
    return typed, scheme


def validate(
    raw: dict[Level, pl.DataFrame],
    regions: Regions,
    crosswalk: Mapping[str, str],
    today: dt.date | None = None,
) -> Validated:
    """Type and check the families and members of one import."""
    today = today or dt.date.today()
    kel_f, ind_f = _Findings("keluarga"), _Findings("individu")
    kel = _type_level(raw, "keluarga", kel_f)
    kel, scheme = _regions(kel, regions, crosswalk, kel_f)
    kk = pl.col("nomor_kartu_keluarga")
    kel_f.emit(
        kel.filter(kk.is_not_null() & kk.is_duplicated()),
        kind=STRUCTURAL,
        code="kk_ganda",
        reason="nomor KK muncul lebih dari sekali di set keluarga",
        column="nomor_kartu_keluarga",
    )
    kel_f.emit(
        kel.with_columns(_p=ids.kk_problem(kk)).filter(
            kk.is_not_null() & pl.col("_p").is_not_null()
        ),
        kind=QUALITY,
        code="kk_tidak_valid",
        reason=pl.col("_p"),
        column="nomor_kartu_keluarga",
    )

    ind = _type_level(raw, "individu", ind_f)
    nik = pl.col("nomor_induk_kependudukan")
    known_kk = kel.get_column("nomor_kartu_keluarga").drop_nulls().unique()
    ind_f.emit(
        ind.filter(kk.is_not_null() & ~kk.is_in(known_kk.implode())),
        kind=STRUCTURAL,
        code="keluarga_tidak_ada",
        reason="nomor KK anggota ini tidak ada di set keluarga",
        column="nomor_kartu_keluarga",
    )
    checked = ind.select(
        RID,
        FILE,
        ROW,
        "nomor_kartu_keluarga",
        "nomor_induk_kependudukan",
        "jenis_kelamin",
        "tanggal_lahir",
    ).with_columns(_p=ids.nik_problem(nik, today))
    ind_f.emit(
        checked.filter(nik.is_not_null() & pl.col("_p").is_not_null()),
        kind=QUALITY,
        code="nik_tidak_valid",
        reason=pl.col("_p"),
        column="nomor_induk_kependudukan",
    )
    ind_f.emit(
        ind.filter(nik.is_not_null() & nik.is_duplicated()),
        kind=QUALITY,
        code="nik_ganda",
        reason="NIK yang sama dipakai lebih dari satu anggota",
        column="nomor_induk_kependudukan",
    )
    valid = checked.filter(pl.col("_p").is_null() & nik.is_not_null())
    ind_f.emit(
        valid.filter(ids.nik_sex_mismatch(nik, pl.col("jenis_kelamin"))),
        kind=QUALITY,
        code="jenis_kelamin_tidak_sesuai_nik",
        reason="jenis kelamin berbeda dengan yang tersirat di NIK (tanggal +40 untuk perempuan)",
        column="jenis_kelamin",
    )
    ind_f.emit(
        valid.filter(
            pl.col("tanggal_lahir").is_not_null()
            & ids.nik_birth_mismatch(nik, pl.col("tanggal_lahir"), today)
        ),
        kind=QUALITY,
        code="tanggal_lahir_tidak_sesuai_nik",
        reason=pl.format(
            "tanggal lahir berbeda dengan NIK ({})", ids.nik_birth_date(nik, today).cast(pl.String)
        ),
        column="tanggal_lahir",
    )
    born = pl.col("tanggal_lahir")
    ind_f.emit(
        ind.filter(born.is_not_null() & ((born > today) | (born < dt.date(1900, 1, 1)))),
        kind=QUALITY,
        code="tanggal_lahir_tidak_wajar",
        reason="tanggal lahir di masa depan atau sebelum 1900",
        column="tanggal_lahir",
    )

    heads = ind.group_by("nomor_kartu_keluarga").agg(
        _n=pl.len(), _heads=(pl.col("status_hubungan_keluarga") == "1").sum()
    )
    fam = kel.join(heads, on="nomor_kartu_keluarga", how="left")
    kel_f.emit(
        fam.filter(pl.col("_n").is_null()),
        kind=QUALITY,
        code="tanpa_anggota",
        reason="keluarga tanpa satu pun anggota di set individu",
        column="nomor_kartu_keluarga",
    )
    kel_f.emit(
        fam.filter(pl.col("_n").is_not_null() & (pl.col("_heads") == 0)),
        kind=QUALITY,
        code="tanpa_kepala_keluarga",
        reason="tidak ada anggota dengan status hubungan 1 (kepala keluarga)",
        column="status_hubungan_keluarga",
        value=pl.lit(None),
    )
    kel_f.emit(
        fam.filter(pl.col("_heads") > 1),
        kind=QUALITY,
        code="kepala_keluarga_ganda",
        reason=pl.format("{} anggota berstatus kepala keluarga", pl.col("_heads")),
        column="status_hubungan_keluarga",
        value=pl.lit(None),
    )
    kel_f.emit(
        fam.filter(
            pl.col("jumlah_anggota_keluarga").is_not_null()
            & pl.col("_n").is_not_null()
            & (pl.col("jumlah_anggota_keluarga") != pl.col("_n"))
        ),
        kind=QUALITY,
        code="jumlah_anggota_tidak_sesuai",
        reason=pl.format("{} anggota tercatat di set individu", pl.col("_n")),
        column="jumlah_anggota_keluarga",
    )

    parts = kel_f.parts + ind_f.parts
    findings = pl.concat(parts) if parts else pl.DataFrame(schema=FINDING_COLUMNS)
    return Validated(
        keluarga=_flag(kel, findings, "keluarga"),
        individu=_flag(ind, findings, "individu"),
        findings=findings,
        scheme=scheme,
    )


def _flag(typed: pl.DataFrame, findings: pl.DataFrame, level: str) -> pl.DataFrame:
    """Add ``kualitas``: the record's quality-finding codes, joined by ``;`` (null if clean)."""
    flags = (
        findings.filter((pl.col("tingkat") == level) & (pl.col("jenis") == QUALITY))
        .group_by(RID)
        .agg(pl.col("kode").unique().sort().str.join(";").alias("kualitas"))
    )
    # row ids are 0..n-1 in order, so the flags are scattered in place (a join would copy)
    column = pl.Series("kualitas", [None] * typed.height, dtype=pl.String)
    if flags.height:
        column = column.scatter(flags.get_column(RID), flags.get_column("kualitas"))
    return typed.with_columns(column)
