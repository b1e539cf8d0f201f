"""Reading the values agencies type into their own spreadsheets: dates and NIKs.

Dates come in every common form: ``dd-mm-yyyy``, ``dd/mm/yy``, ``yyyy-mm-dd``, Excel serial
numbers, ``12 Januari 1980``, ``12-Jan-1980`` and ``Nunukan, 12-01-1980`` (a
Tempat/Tgl Lahir column). NIKs that Excel stored as numbers (scientific notation, a ``.0``,
or the last digit lost to 15 significant digits) are detected and reported, never matched as
if they were intact. Both are Polars expressions, so a whole column is read at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import polars as pl
from rapidfuzz import fuzz, process

from padu.regions import kaltara

MONTHS = {
    "01": ("januari", "january", "jan"),
    "02": ("februari", "pebruari", "february", "feb", "peb"),
    "03": ("maret", "march", "mar"),
    "04": ("april", "apr"),
    "05": ("mei", "may"),
    "06": ("juni", "june", "jun"),
    "07": ("juli", "july", "jul"),
    "08": ("agustus", "august", "agu", "agt", "aug"),
    "09": ("september", "sept", "sep"),
    "10": ("oktober", "october", "okt", "oct"),
    "11": ("november", "nopember", "nov", "nop"),
    "12": ("desember", "december", "des", "dec"),
}


def parse_agency_date(value: pl.Expr, today: dt.date | None = None) -> pl.Expr:
    """A date from the forms agencies write (null when it cannot be read)."""
    today = today or dt.date.today()
    text = value.cast(pl.String).str.to_lowercase().str.strip_chars()
    text = text.str.replace(r"^.*,\s*", "")  # "Nunukan, 12-01-1980" -> "12-01-1980"
    # a birth place before the date without a comma: "Toraja / 20 April 1981", "Tarakan 5/6/90"
    text = text.str.replace(r"^[^\d]*[a-z][^\d]*?[\s/]+(\d)", "${1}")
    for number, names in MONTHS.items():  # "12 januari 1980" -> "12-01-1980"
        pattern = r"[\s\-/\.]*\b(" + "|".join(names) + r")\b[\s\-/\.]*"
        text = text.str.replace(pattern, f"-{number}-")
    text = text.str.replace_all(r"[/\.\s]+", "-").str.strip_chars("-")
    short = text.str.extract(r"^(\d{1,2}-\d{1,2}-)(\d{2})$", 2).cast(pl.Int32, strict=False)
    cut = today.year % 100
    century = (
        pl.when(short <= cut)
        .then(pl.lit(today.year // 100 * 100))
        .otherwise(pl.lit(today.year // 100 * 100 - 100))
    )
    long_year = pl.concat_str(
        [text.str.extract(r"^(\d{1,2}-\d{1,2}-)\d{2}$", 1), (century + short).cast(pl.String)]
    )
    serial = text.cast(pl.Int64, strict=False)
    iso = text.str.contains(r"^\d{4}-\d{1,2}-\d{1,2}$")
    day_first = text.str.contains(r"^\d{1,2}-\d{1,2}-\d{4}$")
    return pl.coalesce(
        pl.when(iso).then(text.str.to_date("%Y-%m-%d", strict=False)),
        pl.when(day_first).then(text.str.to_date("%d-%m-%Y", strict=False)),
        long_year.str.to_date("%d-%m-%Y", strict=False),
        pl.when(serial.is_between(1, 60000) & text.str.contains(r"^\d{1,5}$")).then(
            pl.lit(dt.date(1899, 12, 30)) + pl.duration(days=serial)
        ),
    )


def nik_excel_problem(value: pl.Expr) -> pl.Expr:
    """Why a NIK cell looks damaged by Excel, or null: the value must not be matched as is."""
    text = value.cast(pl.String).str.strip_chars()
    return (
        pl.when(text.str.contains(r"(?i)^\d(\.\d+)?e\+?\d+$"))
        .then(
            pl.lit("NIK tersimpan sebagai angka oleh Excel (notasi ilmiah); digit terakhir hilang")
        )
        .when(text.str.contains(r"^\d{15,16}\.0+$"))
        .then(pl.lit("NIK tersimpan sebagai angka oleh Excel (.0); periksa digit terakhir"))
        .when(text.str.contains(r"^\d{13,15}$"))
        .then(pl.lit("NIK kurang dari 16 digit (nol di depan atau digit hilang)"))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


def nik_excel_prefix(value: pl.Expr) -> pl.Expr:
    """The leading digits of an Excel-damaged NIK cell that can still be trusted, or null.

    A 16-digit number cell (``6501070101800001.0``: the reader's mark of a number) kept 15
    significant digits, so its first 15 are sound. Scientific notation
    (``6.50102123456789E+15``) rounds the last digit it shows; the ones before it are kept
    when there are at least 12.
    Any other cell gives null: an intact NIK needs no prefix, a short one has no sure place.
    """
    text = value.cast(pl.String).str.strip_chars()
    mantissa = text.str.extract(r"(?i)^(\d\.\d+)e\+?15$", 1).str.replace(r"\.", "")
    return (
        pl.when(text.str.contains(r"^\d{16}\.0+$"))
        .then(text.str.slice(0, 15))
        # the last digit shown is rounded, not cut: only the ones before it are sound
        .when(mantissa.str.len_chars() >= 13)
        .then(mantissa.str.head(mantissa.str.len_chars() - 1).str.slice(0, 15))
        .otherwise(pl.lit(None, dtype=pl.String))
    )


#: Short forms agencies write inside place names, and the words they stand for.
_PLACE_WORDS = {
    "TG": "TANJUNG", "TJ": "TANJUNG", "TJG": "TANJUNG", "TANJ": "TANJUNG",
    "SEI": "SUNGAI", "SG": "SUNGAI", "SGI": "SUNGAI", "SGAI": "SUNGAI",
    "KP": "KAMPUNG", "KPG": "KAMPUNG", "KAMP": "KAMPUNG", "GN": "GUNUNG", "GNG": "GUNUNG",
    "KTT": "TANA TIDUNG",
    "I": "1", "II": "2", "III": "3", "IV": "4", "V": "5", "VI": "6", "VII": "7", "VIII": "8",
    "IX": "9", "X": "10", "SATU": "1", "DUA": "2", "TIGA": "3", "EMPAT": "4", "LIMA": "5",
    "ENAM": "6", "TUJUH": "7", "DELAPAN": "8", "SEMBILAN": "9", "SEPULUH": "10",
}  # fmt: skip
#: Words naming a region's level ("Ds. Long Bawan", "Kab. Bulungan"): not part of the name.
_LEVEL_WORDS = frozenset(
    {"DESA", "DS", "KELURAHAN", "KEL", "KEC", "KECAMATAN", "KABUPATEN", "KAB", "KOTA"}
)
#: A level word inside a name starts a trailing place ("Long Bawan Kec. Krayan").
_TRAILING_LEVEL = frozenset({"KEC", "KECAMATAN", "KAB", "KABUPATEN"})
#: Fuzzy matches: the least similarity (0-100) and the least lead over the runner-up.
PLACE_MIN_SCORE = 85.0
PLACE_MARGIN = 8.0


def place_key(text: str) -> str:
    """A place name as comparable text: level words off, short forms written out, no spaces.

    ``"Ds. Long Bawan"``, ``"DESA LONG BAWAN"`` and ``"Longbawan"`` all give ``LONGBAWAN``;
    ``"Tg. Selor"`` gives ``TANJUNGSELOR``; ``"Sei Menggaris"`` and ``"Sungai Menggaris"``
    agree; ``"Kampung I Skip"`` and ``"Kampung 1 Skip"`` agree.
    """
    head = re.split(r"[,(]", text, maxsplit=1)[0].upper().replace("'", "").replace("`", "")
    tokens = re.sub(r"[^A-Z0-9]+", " ", head).split()
    while len(tokens) > 1 and tokens[0] in _LEVEL_WORDS:
        tokens = tokens[1:]
    cut = next((i for i, t in enumerate(tokens) if i > 0 and t in _TRAILING_LEVEL), len(tokens))
    return "".join(_PLACE_WORDS.get(t, t).replace(" ", "") for t in tokens[:cut])


@dataclass(frozen=True)
class Place:
    """A place written in an agency list, as Kemendagri codes (null where not sure).

    ``desa_score`` is 1.0 for a code or an exact name, the name similarity (below 1) for a
    fuzzy match, and null when the desa was not resolved.
    """

    kabupaten: str | None = None
    kecamatan: str | None = None
    desa: str | None = None
    desa_score: float | None = None


def resolve_place(kabupaten: str | None, kecamatan: str | None, desa: str | None) -> Place:
    """Kemendagri codes for a (kabupaten, kecamatan, desa) as agencies write them.

    Each level is a code or a name. A kecamatan name is looked for within the kabupaten
    when one is known, a desa name within the kecamatan, else within the kabupaten, else in
    the whole province. A name is taken when it is the only exact match in that scope, or a
    close spelling clearly ahead of every other (:data:`PLACE_MIN_SCORE`,
    :data:`PLACE_MARGIN`); anything less leaves the code null: a wrong desa is worse than none.
    A desa name the kecamatan (or kabupaten) given does not hold is still taken when it is
    the exact name of one desa in the province (a kecamatan cell is wrong more often than a
    whole desa name), never when it is only a close spelling. The kecamatan and kabupaten
    codes come from their own cells when those resolve, else from the desa.
    """
    index = _place_index()
    kab = _region_code(kabupaten, 4)
    if kab is None and kabupaten:
        kab = _match(place_key(kabupaten), index.kabupaten)
    kec = _region_code(kecamatan, 6)
    if kec is None and kecamatan:
        kec = _match(place_key(kecamatan), _within(index.kecamatan, kab))
    found = (_region_code(desa, 10), 1.0)
    if found[0] is None and desa:
        key = place_key(desa)
        found = _scored(key, _within(index.desa, kec or kab)) or (None, 1.0)
        if found[0] is None and (kec or kab):
            exact = [code for k, code in index.desa if k == key]
            found = (exact[0] if len(exact) == 1 else None, 1.0)
    desa_code, score = found
    if desa_code is None:
        return Place(kab or (kec[:4] if kec else None), kec)
    kec = kec or desa_code[:6]
    return Place(kab or kec[:4], kec, desa_code, score)


@dataclass(frozen=True)
class _PlaceIndex:
    kabupaten: list[tuple[str, str]]  # (place_key(name), code digits)
    kecamatan: list[tuple[str, str]]
    desa: list[tuple[str, str]]


@cache
def _place_index() -> _PlaceIndex:
    levels: dict[str, list[tuple[str, str]]] = {}
    for r in kaltara():
        levels.setdefault(r.level, []).append((place_key(r.nama), r.digits))
    return _PlaceIndex(levels["kabupaten_kota"], levels["kecamatan"], levels["desa_kelurahan"])


def _within(options: list[tuple[str, str]], parent: str | None) -> list[tuple[str, str]]:
    return [o for o in options if o[1].startswith(parent)] if parent else options


def _region_code(text: str | None, digits: int) -> str | None:
    """``text`` as a Kaltara code of ``digits`` digits (dotted or not), else None."""
    if not text or re.search(r"[A-Za-z]", text):
        return None
    code = re.sub(r"[^0-9]", "", text)
    return code if len(code) == digits and kaltara().find(code) is not None else None


def _match(key: str, options: list[tuple[str, str]]) -> str | None:
    found = _scored(key, options)
    return found[0] if found else None


def _scored(key: str, options: list[tuple[str, str]]) -> tuple[str, float] | None:
    """The one option ``key`` names (its code and similarity, 1.0 exact), or None if unsure."""
    if not key or not options:
        return None
    exact = [code for k, code in options if k == key]
    if exact:
        return (exact[0], 1.0) if len(exact) == 1 else None
    # a close spelling never changes a number: "Tinampak I" is not "Tinampak II"
    digits = re.sub(r"\D", "", key)
    options = [o for o in options if re.sub(r"\D", "", o[0]) == digits]
    if not options:
        return None
    best = process.extract(key, [k for k, _ in options], scorer=fuzz.ratio, limit=2)
    top, runner_up = best[0][1], (best[1][1] if len(best) > 1 else 0.0)
    if top < PLACE_MIN_SCORE or top - runner_up < PLACE_MARGIN:
        return None
    return options[best[0][2]][1], round(top / 100, 3)
