"""Linking family-keyed agency lists to register families.

House-repair (RTLH), clean-water and sanitation programmes keep one row per family: the
No. KK, the name of the head as the agency wrote it (often the spouse's), an address and
the desa; no NIK and no birth date. A row links to a register *family*, reported as the
family's head (``status_hubungan_keluarga`` 1), or its first member by ``pid`` when the
register has no head for it.

1. **KK exact** (method ``kk``). The KK is in the register: matched when the listed name
   agrees with the head or another adult member; otherwise review, never unmatched (a KK
   that exists is strong evidence, and the name may be one the register does not hold).
   Review too when a family one KK slip away has a head or spouse whose name fits as well:
   KKs of one kecamatan and issue date differ only in the serial, so a typed KK often
   lands on a neighbour's, and common names make the neighbour's name agree.
2. **KK repaired** (``kk_repaired``). The KK is not in the register but one keying slip
   (an adjacent transposition or one wrong digit) reaches a family whose member's name
   agrees: matched when exactly one family does and its desa does not conflict.
3. **Name and place** (``keluarga_nama``). Families with an adult member whose name keys
   equal the listed name's (sorted phonetic keys, or first-name key in the same desa),
   in the row's desa, else its kecamatan. Matched when the head's or spouse's name is all
   but equal (:data:`NAME_SURE`), the desa is the same, the RT (where both give one) too,
   and no other family in that desa has a member whose name agrees. RT and address
   agreement can break such a tie (the only family in the row's RT at the row's address);
   they never make a match on their own.

Scores (0..1): 1.0 for a family found by an exact KK; otherwise the best name similarity
among the family's adults times a place weight (same desa 1.0, same kecamatan 0.9,
elsewhere or unknown 0.8). A candidate is shown for review when its name agrees (or, for
a repaired KK in the same desa, comes near: :data:`NAME_NEAR`) and its score reaches
``bands.review``; acceptance follows the rules above, not a threshold. Review rows carry
the stage that found their best candidate as ``method``.

Everything is joins on the list's rows and the register's families; names are compared
only for candidate pairs, once per distinct pair of spellings. Nothing depends on row
order: candidates are ranked by score (the family of an exact KK first), then supporting
evidence, then ``pid``.
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from padu.linkage.evidence import NAME_AGREES, NAME_SURE, name_sim
from padu.linkage.matcher import Bands, Linkage
from padu.linkage.names import NICKNAME, similarity_bound
from padu.linkage.nik import slip_variants
from padu.linkage.persons import NAME_COLUMNS, with_name_columns

ADULT_YEARS = 17  # members this old (at the register's latest birth date) can head a family
MAX_CANDIDATES = 5
NAME_NEAR = 0.7  # a name this close to a family's reached by a repaired KK is worth a look
ALAMAT_AGREES = 90  # token-set ratio of two normalised addresses taken as the same place
PLACE_WEIGHT = {"desa": 1.0, "kecamatan": 0.9, "other": 0.8}
SOURCES = ("kk", "kk_repaired", "keluarga_nama")  # stage of a candidate, strongest first

_OPTIONAL = ("kk", "kk_awalan", "nama", "desa", "kecamatan", "alamat", "rt")
_NAME_KEYS = ("kunci_depan", "kunci_urut")
_NAMES = ("nama", "nama_normal")
_PLACE = ("desa", "kecamatan", "rt", "alamat")
_ADDRESS = ("alamat_kata", "alamat_angka")

NOT_FOUND = "tidak ditemukan di register"
KK_NAME_DIFFERS = "No. KK ada di register tetapi nama tidak cocok dengan anggota keluarga mana pun"
KK_SLIP_RIVAL = (
    "No. KK ada di register, tetapi nama sama cocoknya dengan keluarga yang No. KK-nya "
    "berbeda satu ketikan"
)
KK_REPAIRED_MANY = (
    "No. KK tidak ada di register; beberapa keluarga dengan No. KK berbeda satu ketikan "
    "punya nama yang mirip"
)
KK_REPAIRED_ELSEWHERE = (
    "No. KK berbeda satu ketikan dari keluarga yang namanya cocok, tetapi desanya berbeda"
)
KK_REPAIRED_NEAR = "No. KK berbeda satu ketikan dari keluarga di desa ini yang namanya agak mirip"
RIVALS = "{} keluarga di desa ini dengan nama yang mirip"
RT_DIFFERS = "nama dan desa cocok tetapi RT berbeda"
KK_UNKNOWN = "nama dan desa cocok, tetapi No. KK di daftar tidak ada di register"
ONE_WORD = "nama satu kata dan desa cocok; terlalu umum untuk ditautkan otomatis"
NOT_SURE = "nama mirip tetapi tidak sama dengan anggota keluarga di desa ini"
OTHER_DESA = "keluarga dengan nama mirip hanya ada di desa lain di kecamatan ini"
NO_DESA = "desa tidak terbaca; keluarga dengan nama mirip ada di kecamatan ini"


def link_families(rows: pl.DataFrame, persons: pl.DataFrame, bands: Bands | None = None) -> Linkage:
    """Link the rows of a family-keyed list (:mod:`padu.linkage.reader` records, one per
    family) to register families, reported as their heads among ``persons``
    (:func:`padu.linkage.persons.register_persons`)."""
    bands = bands or Bands()
    rows = _kk_from_nik(_optional_columns(rows), persons)
    families, adults = _families(persons)
    found = _exact_pairs(rows, families)
    exact = _scored(_compared(found, rows, adults, NAME_AGREES), rows, families, keep=found)
    slips = _scored(
        _slip_rivals(rows.join(found, on="row", how="semi"), families, adults), rows, families
    )
    by_kk = _accept_kk(exact, slips)
    rest = rows.join(by_kk.select("row"), on="row", how="anti")
    missing = rest.join(found, on="row", how="anti")
    near = _compared(_repaired_pairs(missing, families), rest, adults, NAME_NEAR)
    repaired = _scored(near, rest, families)
    by_repair = _accept_repaired(repaired)
    rest = rest.join(by_repair.select("row"), on="row", how="anti")
    named = _scored(_name_pairs(rest, adults, NAME_AGREES), rest, families)
    pairs = pl.concat(
        [p.join(rest.select("row"), on="row", how="semi") for p in (exact, slips, repaired, named)]
    )
    links, candidates = _decide(rest, pairs, bands)
    matched = pl.concat([by_kk, by_repair]).with_columns(
        status=pl.lit("matched"), reason=pl.lit(None, pl.String)
    )
    row_type = rows.schema["row"]
    allrows = pl.concat([matched.select(links.columns), links]).with_columns(
        pl.col("row").cast(row_type)
    )
    return Linkage(allrows.sort("row"), candidates.with_columns(pl.col("row").cast(row_type)))


# -- the two sides -----------------------------------------------------------------------


def _optional_columns(rows: pl.DataFrame) -> pl.DataFrame:
    """The list's rows with every optional column (null where absent), the name columns,
    and a kecamatan taken from the desa code where only the desa is known."""
    missing = [pl.lit(None, pl.String).alias(c) for c in _OPTIONAL if c not in rows.columns]
    rows = rows.with_columns(missing)
    if not set(NAME_COLUMNS) <= set(rows.columns):
        rows = with_name_columns(rows.drop(NAME_COLUMNS, strict=False))
    return rows.with_columns(
        kecamatan=pl.coalesce("kecamatan", pl.col("desa").str.slice(0, 6)),
        rt=pl.col("rt").cast(pl.String).str.strip_chars().str.strip_chars_start("0"),
        **_address_parts(pl.col("alamat"), ""),
    )


def _address_parts(alamat: pl.Expr, suffix: str) -> dict[str, pl.Expr]:
    """An address for comparison: its words (upper case, JALAN/JLN as JL, GANG as GG) and
    its numbers (house, RT, RW) without leading zeros, sorted; null when blank."""
    text = alamat.cast(pl.String).str.to_uppercase().str.replace_all(r"[^A-Z0-9]+", " ")
    text = text.str.replace_all(r"\bJALAN\b|\bJLN\b", "JL").str.replace_all(r"\bGANG\b", "GG")
    text = pl.when(text.str.strip_chars() != "").then(text)
    words = text.str.replace_all(r"\b\d+\b", " ").str.replace_all(r"\s+", " ").str.strip_chars()
    numbers = text.str.extract_all(r"\d+").list.eval(pl.element().str.strip_chars_start("0"))
    return {
        f"alamat_kata{suffix}": words,
        f"alamat_angka{suffix}": numbers.list.sort().list.join(" "),
    }


def _families(persons: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The register's families (KK, representative ``pid``, place) and their adults."""
    members = persons.filter(pl.col("kk").is_not_null())
    if "hubungan" not in members.columns:
        members = members.with_columns(hubungan=pl.lit(None, pl.String))
    for col in ("rt", "alamat", "tanggal_lahir"):
        if col not in members.columns:
            members = members.with_columns(pl.lit(None).alias(col))
    head = (pl.col("hubungan") == "1").fill_null(False)
    first = members.group_by("kk").agg(
        pid=pl.coalesce(pl.col("pid").filter(head).min(), pl.col("pid").min()),
        headless=~head.any(),
    )
    families = first.join(
        members.select("pid", *(pl.col(c).alias(f"{c}_f") for c in _PLACE)), on="pid"
    )
    latest = members.get_column("tanggal_lahir").max()
    if latest is None:
        adult = pl.lit(True)
    else:
        cutoff = pl.lit(latest).cast(pl.Date).dt.offset_by(f"-{ADULT_YEARS}y")
        adult = (
            head | (pl.col("hubungan") == "2") | (pl.col("tanggal_lahir") <= cutoff).fill_null(True)
        )
    # the listed name is the head's or the spouse's; any adult's in a family without a head
    lead = head | (pl.col("hubungan") == "2").fill_null(False) | pl.col("headless")
    members = members.join(first.select("kk", "headless"), on="kk")
    adults = members.filter(adult).select(
        pl.col("kk").alias("kk_f"),
        pl.col("nama").alias("nama_r"),
        pl.col("nama_normal").alias("nama_normal_r"),
        *_NAME_KEYS,
        "desa",
        "kecamatan",
        lead=lead,
    )
    return families, adults


# -- candidate pairs -----------------------------------------------------------------------


def _exact_pairs(rows: pl.DataFrame, families: pl.DataFrame) -> pl.DataFrame:
    found = rows.select("row", "kk").join(families.select("kk"), on="kk")
    return found.select(pl.col("row").cast(pl.Int64), kk_f="kk", source=pl.lit("kk"))


def _repaired_pairs(rows: pl.DataFrame, families: pl.DataFrame) -> pl.DataFrame:
    """(row, family) for each register KK one slip away from the row's KK, and, for a KK
    Excel stored as a number, each register KK that starts with the 15 digits it kept (KKs
    issued on one day in one kecamatan: at most ten). Both are weak without the name and
    the desa, and are judged as such (:func:`_accept_repaired`)."""
    number = pl.col("kk").cast(pl.Int64)
    typed = rows.filter(pl.col("kk").str.contains(r"^\d{16}$")).select("row", number=number)
    variants = typed.select(
        "row", "number", slip=slip_variants(pl.col("number"), plus40=False)
    ).explode("slip")
    known = families.select(kk_f="kk", slip=pl.col("kk").cast(pl.Int64, strict=False))
    found = variants.filter(pl.col("slip") != pl.col("number")).join(known, on="slip")
    kept = rows.filter(pl.col("kk").is_null() & (pl.col("kk_awalan").str.len_chars() == 15))
    by_prefix = kept.select("row", prefix="kk_awalan").join(
        families.select(kk_f="kk", prefix=pl.col("kk").str.slice(0, 15)), on="prefix"
    )
    return pl.concat([found.select("row", "kk_f"), by_prefix.select("row", "kk_f")]).select(
        pl.col("row").cast(pl.Int64), "kk_f", source=pl.lit("kk_repaired")
    )


def _kk_from_nik(rows: pl.DataFrame, persons: pl.DataFrame) -> pl.DataFrame:
    """A KK cell that holds a register NIK (and no register KK) stands for that person's
    family: agencies type the head's NIK into the KK column."""
    kks = persons.select("kk").unique()
    owner = persons.select("nik", kk_of="kk").unique("nik", keep="none")
    typed = (
        rows.filter(pl.col("kk").is_not_null())
        .join(kks, on="kk", how="anti")
        .join(owner, left_on="kk", right_on="nik")
        .select("row", "kk_of")
    )
    if typed.is_empty():
        return rows
    return (
        rows.join(typed, on="row", how="left")
        .with_columns(kk=pl.coalesce("kk_of", "kk"))
        .drop("kk_of")
    )


def _compared(
    pairs: pl.DataFrame, rows: pl.DataFrame, adults: pl.DataFrame, floor: float
) -> pl.DataFrame:
    """(row, family) pairs -> (row, adult) pairs with their name similarity, for every adult
    of the family whose name reaches ``floor``."""
    names = pairs.join(adults.select("kk_f", "nama_r", "nama_normal_r", "lead"), on="kk_f")
    names = names.join(rows.select(pl.col("row").cast(pl.Int64), *_NAMES), on="row")
    sims = _similarities(names, floor)
    return names.join(sims, on=["nama_normal", "nama_normal_r"]).select(
        "row", "kk_f", "source", "lead", "sim"
    )


def _slip_rivals(rows: pl.DataFrame, families: pl.DataFrame, adults: pl.DataFrame) -> pl.DataFrame:
    """For rows whose KK is in the register: the families one KK slip away whose head or
    spouse has a name key of the listed name (as :func:`_name_pairs` finds families), with
    the similarity of those names. A typed KK may land on another family's."""
    keys = rows.select(pl.col("row").cast(pl.Int64), *_NAMES, *_NAME_KEYS)
    lead = adults.filter("lead").select("kk_f", "nama_r", "nama_normal_r", "lead", *_NAME_KEYS)
    pairs = (
        _repaired_pairs(rows, families)
        .join(lead, on="kk_f")
        .join(keys, on="row", suffix="_l")
        .filter(
            (pl.col("kunci_urut") == pl.col("kunci_urut_l"))
            | (pl.col("kunci_depan") == pl.col("kunci_depan_l"))
        )
    )
    sims = _similarities(pairs, NAME_AGREES)
    return pairs.join(sims, on=["nama_normal", "nama_normal_r"]).select(
        "row", "kk_f", "source", "lead", "sim"
    )


def _name_pairs(rows: pl.DataFrame, adults: pl.DataFrame, floor: float) -> pl.DataFrame:
    """(row, adult) pairs whose name keys are equal and whose names reach ``floor``: sorted
    keys or first-name key in the row's desa; sorted keys in its kecamatan where the desa
    has no such adult (or is unknown). Names are compared once per distinct spelling of
    the block, before the block's adults are joined."""
    with_desa = rows.filter(pl.col("desa").is_not_null())
    blocks = [(with_desa, on) for on in (("kunci_urut", "desa"), ("kunci_depan", "desa"))]
    in_desa = pl.concat([_block(side, adults, on).select("row") for side, on in blocks])
    elsewhere = rows.join(in_desa.unique(), on="row", how="anti")
    blocks.append((elsewhere, ("kunci_urut", "kecamatan")))
    forms = [_block(side, adults, on) for side, on in blocks]
    sims = _similarities(
        pl.concat([f.drop(*on) for f, (_, on) in zip(forms, blocks, strict=True)]), floor
    )
    found = [
        f.join(sims, on=["nama_normal", "nama_normal_r"])
        .join(adults.select("kk_f", "nama_normal_r", "lead", *on), on=["nama_normal_r", *on])
        .select("row", "kk_f", "lead", "sim")
        for f, (_, on) in zip(forms, blocks, strict=True)
    ]
    return pl.concat(found).unique().with_columns(source=pl.lit("keluarga_nama"))


def _block(rows: pl.DataFrame, adults: pl.DataFrame, on: tuple[str, str]) -> pl.DataFrame:
    """(row, register name form) pairs sharing the block's keys, one spelling per form."""
    listed = rows.select(pl.col("row").cast(pl.Int64), *_NAMES, *on).drop_nulls(on)
    forms = adults.group_by(*on, "nama_normal_r").agg(pl.col("nama_r").min())
    return listed.join(forms, on=list(on))


def _scored(
    compared: pl.DataFrame,
    rows: pl.DataFrame,
    families: pl.DataFrame,
    *,
    keep: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """(row, family) pairs, from compared (row, adult) pairs, with the best name similarity
    among the adults (and among the head and spouse), place agreement, score and agreeing
    fields. The pairs in ``keep`` stay even when no adult's name was close enough (0)."""
    best = compared.group_by("row", "kk_f").agg(
        pl.col("source").first(),
        sim=pl.col("sim").max(),
        sim_lead=pl.col("sim").filter("lead").max(),
    )
    if keep is not None:
        best = keep.join(best.drop("source"), on=["row", "kk_f"], how="left")
    listed = rows.select(pl.col("row").cast(pl.Int64), *_PLACE, *_ADDRESS)
    fams = families.join(best.select("kk_f").unique(), left_on="kk", right_on="kk_f", how="semi")
    out = (
        best.join(listed, on="row")
        .join(
            fams.with_columns(**_address_parts(pl.col("alamat_f"), "_f")),
            left_on="kk_f",
            right_on="kk",
        )
        .with_columns(pl.col("sim", "sim_lead").fill_null(0.0))
    )
    desa_eq = (pl.col("desa") == pl.col("desa_f")).fill_null(False)
    kec_eq = (pl.col("kecamatan") == pl.col("kecamatan_f")).fill_null(False)
    known_differ = [(pl.col(c) != pl.col(f"{c}_f")).fill_null(False) for c in ("desa", "kecamatan")]
    out = out.with_columns(
        desa_eq=desa_eq,
        conflict=pl.any_horizontal(known_differ),
        rt_eq=(pl.col("rt") == pl.col("rt_f")).fill_null(False),
        rt_differs=(pl.col("rt") != pl.col("rt_f")).fill_null(False),
        alamat_eq=_addresses_agree(out),
        weight=pl.when(desa_eq)
        .then(PLACE_WEIGHT["desa"])
        .when(kec_eq)
        .then(PLACE_WEIGHT["kecamatan"])
        .otherwise(PLACE_WEIGHT["other"]),
    )
    exact = pl.col("source") == "kk"
    agree = [
        pl.when(exact).then(pl.lit("kk")),
        pl.when(pl.col("sim") >= NAME_AGREES).then(pl.lit("nama")),
        pl.when(pl.col("desa_eq")).then(pl.lit("desa")),
        pl.when(pl.col("rt_eq")).then(pl.lit("rt")),
        pl.when(pl.col("alamat_eq")).then(pl.lit("alamat")),
    ]
    return out.select(
        "row",
        "kk_f",
        "pid",
        "source",
        "sim",
        "sim_lead",
        "desa_eq",
        "conflict",
        "rt_eq",
        "rt_differs",
        "alamat_eq",
        score=pl.when(exact).then(1.0).otherwise((pl.col("sim") * pl.col("weight")).round(6)),
        agree=pl.concat_str(agree, separator=",", ignore_nulls=True),
    )


def _similarities(pairs: pl.DataFrame, floor: float = 0.0) -> pl.DataFrame:
    """Name similarity of each distinct pair of normal forms that can reach ``floor``
    (:func:`padu.linkage.names.similarity_bound`). The similarity depends on the normal
    forms alone (their tokens), so one spelling of each stands for all; equal forms score 1
    at once. A one-word register name found in a longer listed name (Ibrahim for Muhammad
    Ibrahim) counts as a short form, below agreement: a typed KK that lands on another
    family often finds such a name there."""
    a, b = pl.col("nama_normal"), pl.col("nama_normal_r")
    forms = (
        pairs.filter(a.is_not_null() & b.is_not_null())
        .group_by("nama_normal", "nama_normal_r")
        .agg(pl.col("nama", "nama_r").min())
    )
    same = forms.filter(a == b).select(a, b, sim=pl.lit(1.0))
    other = forms.filter(a != b)
    if floor > 0:
        bound = similarity_bound(other.get_column("nama_normal"), other.get_column("nama_normal_r"))
        other = other.filter(bound >= floor - 1e-6)  # sims are rounded
    sims = [
        name_sim(x, y)
        for x, y in zip(
            other.get_column("nama").to_list(), other.get_column("nama_r").to_list(), strict=True
        )
    ]
    # a one-word register name inside the longer listed one is a short form at most
    words = [c.str.count_matches(" ") + 1 for c in (a, b)]
    scored = other.select(a, b, sim=pl.Series(sims, dtype=pl.Float64)).with_columns(
        sim=pl.when((words[1] == 1) & (words[0] > 1))
        .then(pl.min_horizontal("sim", pl.lit(NICKNAME)))
        .otherwise("sim")
    )
    return pl.concat([same, scored]).filter(pl.col("sim") >= floor)


def _addresses_agree(pairs: pl.DataFrame) -> pl.Series:
    """Whether the two addresses of each pair name the same place: both given, the same
    numbers (house, RT, RW) and alike in words (street, dusun)."""
    parts = pairs.select(
        numbers=(pl.col("alamat_angka") == pl.col("alamat_angka_f")).fill_null(False),
        a=pl.col("alamat_kata").fill_null(""),
        b=pl.col("alamat_kata_f").fill_null(""),
    )
    alike = cpdist(
        parts.get_column("a").to_list(),
        parts.get_column("b").to_list(),
        scorer=fuzz.token_set_ratio,
        workers=1,
    )
    same = pl.Series("alamat_eq", alike >= ALAMAT_AGREES, dtype=pl.Boolean)
    return same & parts.get_column("numbers")


# -- decisions -----------------------------------------------------------------------------


def _accepted(frame: pl.DataFrame, method: str) -> pl.DataFrame:
    return frame.select(
        pl.col("row").cast(pl.Int64), method=pl.lit(method), pid="pid", score="score", agree="agree"
    )


def _accept_kk(exact: pl.DataFrame, slips: pl.DataFrame) -> pl.DataFrame:
    """Rows whose KK is in the register and whose name agrees with one of its adults,
    unless a family one KK slip away has a head or spouse whose name fits as well (a
    typed KK that landed on another family's)."""
    rival = slips.group_by("row").agg(rival=pl.col("sim_lead").max())
    agrees = exact.filter(pl.col("sim") >= NAME_AGREES).join(rival, on="row", how="left")
    return _accepted(agrees.filter(~(pl.col("rival") >= pl.col("sim")).fill_null(False)), "kk")


def _accept_repaired(repaired: pl.DataFrame) -> pl.DataFrame:
    """Rows whose KK, one slip repaired, reaches exactly one family whose name agrees, and
    that family's head or spouse has the listed name all but exactly, in the listed desa.

    A repaired KK is weaker evidence than a repaired NIK (no birth date to confirm it), and
    KKs issued on one day in one kecamatan differ only in the serial: a new family's KK is
    one slip from its neighbours'. So the name and the desa must carry it."""
    agrees = repaired.filter(pl.col("sim") >= NAME_AGREES)
    single = agrees.filter((pl.len().over("row") == 1) & ~pl.col("conflict"))
    sure = single.filter((pl.col("sim_lead") >= NAME_SURE) & pl.col("desa_eq"))
    return _accepted(sure, "kk_repaired")


def _decide(
    rows: pl.DataFrame, pairs: pl.DataFrame, bands: Bands
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Status, best candidate and reason of the rows the KK stages left."""
    stage = pl.col("source").replace_strict(
        {s: i for i, s in enumerate(SOURCES)}, return_dtype=pl.Int8
    )
    pairs = pairs.sort("row", "kk_f", stage).unique(["row", "kk_f"], keep="first")
    agrees = pl.col("sim") >= NAME_AGREES
    near_kk = (pl.col("source") == "kk_repaired") & (pl.col("sim") >= NAME_NEAR) & pl.col("desa_eq")
    plausible = (pl.col("source") == "kk") | (
        (agrees | near_kk) & (pl.col("score") >= bands.review)
    )
    shown = pairs.filter(plausible)
    in_desa = pl.col("desa_eq").any().over("row")
    # the kecamatan is looked at only where the desa has no family with an agreeing name
    shown = shown.filter(~((pl.col("source") == "keluarga_nama") & ~pl.col("desa_eq") & in_desa))
    ranked = shown.sort(
        ["row", pl.col("source") == "kk", "score", "rt_eq", "alamat_eq", "pid"],
        descending=[False, True, True, True, True, False],
    ).with_columns(rank=pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("row"))
    rival = pl.col("desa_eq") & (pl.col("rank") > 1) & agrees
    summary = ranked.group_by("row").agg(
        has_kk=(pl.col("source") == "kk").any(),
        kk_agrees=((pl.col("source") == "kk") & agrees).any(),
        n_repaired=(pl.col("source") == "kk_repaired").sum(),
        repaired_agrees=((pl.col("source") == "kk_repaired") & agrees).any(),
        rivals=rival.sum(),
        rival_rt=(rival & pl.col("rt_eq")).any(),
    )
    best = ranked.filter(pl.col("rank") == 1).join(summary, on="row")
    weakest = pairs.group_by("row").agg(top=pl.col("score").max())
    listed = rows.select(
        pl.col("row").cast(pl.Int64),
        "kk",
        "kk_awalan",
        "desa",
        "kecamatan",
        words=pl.col("nama_normal").str.count_matches(" ").fill_null(-1) + 1,
    )
    frame = listed.join(best, on="row", how="left").join(weakest, on="row", how="left")

    sure = (pl.col("sim_lead") >= NAME_SURE) & pl.col("desa_eq") & ~pl.col("rt_differs")
    tie_broken = pl.col("rt_eq") & pl.col("alamat_eq") & ~pl.col("rival_rt")
    # a KK written in the list that no family holds contradicts a family found by name, and
    # a one-word name is too common to find a family by unless RT and address agree too
    # (an independent list showed both)
    by_name = (
        pl.col("kk").is_null()
        & pl.col("kk_awalan").is_null()  # digits Excel kept that no family's KK starts with
        & ((pl.col("words") >= 2) | (pl.col("rt_eq") & pl.col("alamat_eq")))
    )
    auto = (
        ~pl.col("has_kk")
        & (pl.col("n_repaired") == 0)
        & sure
        & by_name
        & ((pl.col("rivals") == 0) | tie_broken)
    ).fill_null(False)
    found = pl.col("pid").is_not_null()
    reason = (
        pl.when(pl.col("kk_agrees"))
        .then(pl.lit(KK_SLIP_RIVAL))
        .when(pl.col("has_kk"))
        .then(pl.lit(KK_NAME_DIFFERS))
        .when(pl.col("n_repaired") > 1)
        .then(pl.lit(KK_REPAIRED_MANY))
        .when(pl.col("repaired_agrees"))
        .then(pl.lit(KK_REPAIRED_ELSEWHERE))
        .when(pl.col("n_repaired") == 1)
        .then(pl.lit(KK_REPAIRED_NEAR))
        .when(pl.col("rivals") > 0)
        .then(pl.format(RIVALS, pl.col("rivals") + 1))
        .when((pl.col("kk").is_not_null() | pl.col("kk_awalan").is_not_null()) & sure)
        .then(pl.lit(KK_UNKNOWN))
        .when((pl.col("words") < 2) & sure)
        .then(pl.lit(ONE_WORD))
        .when(pl.col("desa_eq") & pl.col("rt_differs"))
        .then(pl.lit(RT_DIFFERS))
        .when(pl.col("desa_eq"))
        .then(pl.lit(NOT_SURE))
        .when(pl.col("desa").is_not_null())
        .then(pl.lit(OTHER_DESA))
        .otherwise(pl.lit(NO_DESA))
    )
    links = frame.select(
        "row",
        status=pl.when(auto)
        .then(pl.lit("matched"))
        .when(found)
        .then(pl.lit("review"))
        .otherwise(pl.lit("unmatched")),
        method=pl.when(found).then("source"),
        pid="pid",
        score=pl.coalesce("score", "top"),
        agree="agree",
        reason=pl.when(auto).then(None).when(found).then(reason).otherwise(_not_found()),
    )
    review = links.filter(pl.col("status") == "review").select("row")
    candidates = ranked.join(review, on="row").filter(pl.col("rank") <= MAX_CANDIDATES)
    return links, candidates.select("row", "rank", "pid", "score", "agree").sort("row", "rank")


def _not_found() -> pl.Expr:
    """Why a row found no family: what it lacked or what was too weak."""
    return pl.concat_str(
        [
            pl.lit(NOT_FOUND),
            pl.when(pl.col("top").is_not_null()).then(pl.lit(" (calon terbaik terlalu lemah)")),
            pl.when(pl.col("kk").is_not_null()).then(pl.lit("; No. KK tidak ada di register")),
            pl.when(pl.col("desa").is_null() & pl.col("kecamatan").is_null()).then(
                pl.lit("; desa dan kecamatan tidak terbaca")
            ),
        ],
        ignore_nulls=True,
    )
