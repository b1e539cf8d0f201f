"""Indonesian name normalisation: the comparison forms a careful data officer would use.

The original name is always kept. :func:`normalise_name` removes honorifics and academic
titles (H., Hj., Drs., Ir., S.Pd., A.Md., Bpk/Ibu, ...), splits off a patronymic after
``bin/binti/bt``, unifies the variants of Muhammad, rewrites the old (pre-1972) spellings
(oe -> u, dj -> j, tj -> c, sj -> sy, ch -> kh), removes punctuation and spacing
differences and collapses doubled letters. :func:`phonetic` gives a per-token key suited to
Indonesian spelling variation (vowels, h, kh/h, j/y, z/s, d/t, b/p), so that Yusuf, Jusuf and
Yoesoef, or Fatimah and Fatima, share a key. :func:`name_similarity` compares two names on
both forms, independent of token order, and lets an initial stand for a name;
:func:`similarity_bound` bounds it from above for many pairs at once, to screen pairs cheaply.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import polars as pl
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

#: Honorifics and titles written before a name (after punctuation is removed).
PREFIX_TITLES = frozenset(
    {
        "H", "HJ", "HAJI", "HAJJAH", "HAJAH", "DRS", "DRA", "IR", "DR",
        "PROF", "BPK", "BAPAK", "PAK", "IBU", "BU", "SDR", "SDRI", "SAUDARA",
        "SAUDARI", "TN", "TUAN", "NY", "NYONYA", "NONA", "NN", "KH", "USTADZ",
        "USTAD", "USTADZAH",
    }
)  # fmt: skip
#: Academic titles written after a name (``, S.Pd.``) as they read once dots are removed.
SUFFIX_TITLES = frozenset(
    {
        "SPD", "SE", "SH", "ST", "SSOS", "SKEP", "SKOM", "SAG", "SIP",
        "SHUT", "SPT", "SSI", "SKM", "SFARM", "SKED", "SPSI", "SAP", "SAK",
        "SIKOM", "SHI", "SPDI", "SPDSD", "AMD", "AMDKEP", "AMDKEB", "AMK", "MPD",
        "MSI", "MM", "MH", "MKES", "MAG", "MT", "MKOM", "MAP", "MBA",
        "MSC", "PHD", "SKOMP",
    }
)  # fmt: skip
PATRONYMIC = frozenset({"BIN", "BINTI", "BT", "BTE", "BINTY", "BN"})
MUHAMMAD = frozenset(
    {
        "MUHAMMAD", "MUHAMAD", "MUHAMMED", "MOHAMMAD", "MOHAMAD", "MOHAMMED",
        "MOCHAMMAD", "MOCHAMAD", "MUCHAMMAD", "MUCHAMAD", "MUH", "MOH",
        "MOCH", "MUCH", "MHD", "MD", "MOHD",
    }
)  # fmt: skip
OLD_SPELLINGS = (("OE", "U"), ("DJ", "J"), ("TJ", "C"), ("SJ", "SY"), ("CH", "KH"))


@dataclass(frozen=True)
class NameForm:
    """A name and its comparison forms."""

    original: str
    normalised: str  # comparison form: upper case, no titles, unified spelling
    tokens: tuple[str, ...]
    key: str  # phonetic keys of the tokens, space-separated
    patronymic: str | None  # the part after bin/binti, normalised
    titles: tuple[str, ...]  # titles that were removed


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).upper()


def _respell(token: str) -> str:
    for old, new in OLD_SPELLINGS:
        token = token.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", token)  # doubled letters: MUHAMMAD -> MUHAMAD


def normalise_name(name: str | None) -> NameForm:
    """The comparison forms of ``name`` (an empty form for a blank name)."""
    original = name or ""
    text = _fold(original)
    titles: list[str] = []
    if "," in text:  # academic titles follow a comma: "AHMAD, S.PD., M.SI"
        text, _, tail = text.partition(",")
        titles += [t for t in re.sub(r"[^A-Z ,]", "", tail.replace(" ", "")).split(",") if t]
    text, trailing = _dotted_titles(text)
    titles += trailing
    text = text.replace("'", "").replace("`", "").replace("’", "")
    # an initial or abbreviation written with a dot stays a token of its own: "M.YUSUF"
    raw = [t for t in re.split(r"[^A-Z0-9]+", text.replace(".", ". ")) if t]
    tokens: list[str] = []
    patronymic: list[str] = []
    target = tokens
    for i, tok in enumerate(raw):
        if tok in PATRONYMIC and target is tokens and tokens:
            target = patronymic
            continue
        if target is tokens and not tokens and tok in PREFIX_TITLES and i + 1 < len(raw):
            titles.append(tok)
            continue
        if tok in SUFFIX_TITLES and tokens:
            titles.append(tok)
            continue
        target.append(tok)
    tokens = [_unify(t, first=(i == 0), more=len(tokens) > 1) for i, t in enumerate(tokens)]
    tokens = [_respell(t) for t in tokens]
    patronymic = [_respell(_unify(t, first=False, more=False)) for t in patronymic]
    return NameForm(
        original=original,
        normalised=" ".join(tokens),
        tokens=tuple(tokens),
        key=" ".join(phonetic(t) for t in tokens),
        patronymic=" ".join(patronymic) or None,
        titles=tuple(titles),
    )


#: A dotted academic title at the end of a name written without a comma: "ELIA S.IP".
_DOTTED_TITLE = re.compile(r"\s+([SAMD]\.\s?[A-Z]{1,5}(?:\.\s?[A-Z]{1,4})*\.?)\s*$")


def _dotted_titles(text: str) -> tuple[str, list[str]]:
    """``text`` without the academic titles that end it ("ZAINAL S.PD.I" -> "ZAINAL")."""
    found: list[str] = []
    while (m := _DOTTED_TITLE.search(text)) and re.sub(r"[^A-Z]", "", m[1]) in SUFFIX_TITLES:
        found.insert(0, re.sub(r"[^A-Z]", "", m[1]))
        text = text[: m.start()]
    return text, found


def _unify(word: str, *, first: bool, more: bool) -> str:
    if word in MUHAMMAD or (word == "M" and first and more):
        return "MUHAMMAD"
    return word


_GROUPS = (
    ("KH", "H"), ("SY", "S"), ("DZ", "J"), ("TS", "S"), ("PH", "F"), ("NG", "N"), ("NY", "N"),
    ("Q", "K"), ("X", "KS"), ("V", "F"), ("Z", "J"), ("Y", "J"), ("C", "J"), ("D", "T"),
    ("B", "P"), ("G", "K"),
)  # fmt: skip


_FINAL_VOWEL = {"A": "A", "E": "I", "I": "I", "O": "U", "U": "U"}


@lru_cache(maxsize=100_000)
def phonetic(token: str) -> str:
    """A key for one name token: first sound kept, vowels and h dropped after it, similar
    consonants merged (d/t, b/p, g/k, j/y/c/z, kh/h, sy/s), repeats collapsed; a final
    vowel is kept as a class (a; e/i; o/u), because it often tells two names apart
    (Yuliana, Yuliani; Rahmat, Rahmi) while a final h does not (Fatimah, Fatima)."""
    word = _respell(_fold(token))
    word = re.sub(r"[^A-Z]", "", word)
    if not word:
        return ""
    for old, new in _GROUPS:
        word = word.replace(old, new)
    head, rest = word[0], word[1:]
    if head in "AEIOU":
        head = "A"
    stem = rest.rstrip("H")
    final = _FINAL_VOWEL.get(stem[-1], "") if stem else ""
    rest = re.sub(r"[AEIOUH]", "", rest)
    return re.sub(r"(.)\1+", r"\1", head + rest) + final


def name_similarity(a: str | NameForm, b: str | NameForm) -> float:
    """0..1: how alike two names are, on spelling and sound, whatever the token order.

    Tokens are aligned (each token of the shorter name with its best partner in the
    other), and the name scores the mean of its tokens, so one different token in a
    two-token name (Ahmad Yani, Ahmad Yanto) keeps the pair below agreement. A token
    agrees on sound only if its spelling is not far off (Hasan and Husin share a key);
    an initial (``A.``) stands for a name that starts with that letter; a name that is
    part of the other (Markus, Markus Balang) scores 0.9; names that differ only in
    spacing (Nur Halizah, Nurhalizah) are compared without it.
    """
    fa = a if isinstance(a, NameForm) else normalise_name(a)
    fb = b if isinstance(b, NameForm) else normalise_name(b)
    if not fa.tokens or not fb.tokens:
        return 0.0
    if len(fa.tokens) == len(fb.tokens):  # either side may lead the alignment: take both
        aligned = max(_aligned(fa.tokens, fb.tokens), _aligned(fb.tokens, fa.tokens))
    else:
        aligned = _aligned(*sorted((fa.tokens, fb.tokens), key=len))
    joined = 0.0
    if len(fa.tokens) != len(fb.tokens):  # only a spacing difference counts here
        joined = fuzz.ratio("".join(fa.tokens), "".join(fb.tokens)) / 100 * 0.98
        joined = joined if joined >= 0.9 else 0.0
    return round(max(aligned, joined), 6)


def _aligned(short: tuple[str, ...], long: tuple[str, ...]) -> float:
    """Mean score of each token of ``short`` with its best free partner in ``long``."""
    free = list(long)
    scores = []
    for tok in short:
        best = max(free, key=lambda f: _token_score(tok, f))
        scores.append(_token_score(tok, best))
        free.remove(best)
    return sum(scores) / len(scores) * (0.9 if free else 1.0)


@lru_cache(maxsize=200_000)
def _token_score(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:  # an initial
        return 0.9 if a[0] == b[0] else 0.0
    spelled = fuzz.ratio(a, b) / 100
    if phonetic(a) == phonetic(b):
        return max(spelled, 0.97) if spelled >= 0.7 else spelled
    short, long = sorted((a, b), key=len)
    if len(short) >= 3 and (long.startswith(short) or long.endswith(short)):
        return max(spelled - 0.05, NICKNAME)  # a short form: Nur, Yati for Nurhayati
    return max(spelled - 0.05, 0.0)


#: The score of a token that begins or ends the other (a short form): below agreement, so
#: a short form alone never makes two names one, but not "different" either.
NICKNAME = 0.8


def similarity_bound(a: pl.Series, b: pl.Series) -> pl.Series:
    """For each pair of normal forms (:attr:`NameForm.normalised`), a number never below
    :func:`name_similarity` of the two names: a vectorised screen that drops the pairs
    that cannot reach a floor before the exact (per-pair) similarity is computed.

    It must stay an upper bound of :func:`name_similarity`: a change to that scorer or to
    :func:`_token_score` needs the same change here (a hypothesis test checks the bound).
    Each token is scored with its best partner, free or not, and a token pair at most its
    spelling ratio, 0.97 when they sound alike, 0.9 for an initial.
    """
    pair = pl.DataFrame({"a": a.str.split(" "), "b": b.str.split(" ")}).with_row_index("i")
    counts = pair.select("i", na=pl.col("a").list.len(), nb=pl.col("b").list.len())
    ta = pair.select("i", "a").with_columns(pos=pl.int_ranges(pl.col("a").list.len()))
    ta = ta.explode("a", "pos")
    tb = pair.select("i", "b").explode("b")
    tokens = ta.join(tb, on="i")
    scores = _token_bounds(tokens.select("a", "b").unique())
    tokens = tokens.join(scores, on=["a", "b"])
    # A's tokens against their best in B, and B's (by position) against their best in A
    tb_pos = pair.select("i", "b").with_columns(pos=pl.int_ranges(pl.col("b").list.len()))
    tokens_b = (
        tb_pos.explode("b", "pos").join(ta.select("i", "a"), on="i").join(scores, on=["a", "b"])
    )
    by_a = (
        tokens.group_by("i", "pos")
        .agg(pl.col("ub").max())
        .group_by("i")
        .agg(ua=pl.col("ub").mean())
    )
    by_b = (
        tokens_b.group_by("i", "pos")
        .agg(pl.col("ub").max())
        .group_by("i")
        .agg(ub=pl.col("ub").mean())
    )
    joined = cpdist(
        a.str.replace_all(" ", "").to_list(),
        b.str.replace_all(" ", "").to_list(),
        scorer=fuzz.ratio,
        workers=1,
    )
    bound = (
        counts.join(by_a, on="i", how="left")
        .join(by_b, on="i", how="left")
        .sort("i")
        .with_columns(joined=pl.Series(joined, dtype=pl.Float64) / 100 * 0.98)
        .select(
            pl.max_horizontal(
                pl.when(pl.col("na") == pl.col("nb"))
                .then(pl.max_horizontal("ua", "ub"))
                .when(pl.col("na") < pl.col("nb"))
                .then(pl.col("ua") * 0.9)
                .otherwise(pl.col("ub") * 0.9),
                pl.when(pl.col("na") != pl.col("nb")).then("joined"),
            ).fill_null(1.0)
        )
    )
    return bound.to_series()


def _token_bounds(tokens: pl.DataFrame) -> pl.DataFrame:
    """The most two name tokens can score (:func:`_token_score` never exceeds it)."""
    a, b = pl.col("a"), pl.col("b")
    spelled = cpdist(
        tokens.get_column("a").to_list(),
        tokens.get_column("b").to_list(),
        scorer=fuzz.ratio,
        workers=1,
    )
    keys = pl.concat([tokens.get_column("a"), tokens.get_column("b")]).unique()
    sound = pl.DataFrame({"t": keys, "k": [phonetic(t) for t in keys.to_list()]})
    return (
        tokens.with_columns(spelled=pl.Series(spelled, dtype=pl.Float64) / 100)
        .join(sound.rename({"t": "a", "k": "ka"}), on="a", how="left")
        .join(sound.rename({"t": "b", "k": "kb"}), on="b", how="left")
        .select(
            "a",
            "b",
            ub=pl.when(a == b)
            .then(1.0)
            .when((a.str.len_chars() == 1) | (b.str.len_chars() == 1))
            .then(pl.when(a.str.slice(0, 1) == b.str.slice(0, 1)).then(0.9).otherwise(0.0))
            .when(pl.col("ka") == pl.col("kb"))
            .then(pl.max_horizontal("spelled", pl.lit(0.97)))
            .when(_short_form(a, b) | _short_form(b, a))
            .then(pl.max_horizontal("spelled", pl.lit(NICKNAME)))
            .otherwise("spelled"),
        )
    )


def _short_form(short: pl.Expr, long: pl.Expr) -> pl.Expr:
    """``short`` (3 letters or more) begins or ends ``long``: Nur, Yati for Nurhayati."""
    return (
        (short.str.len_chars() >= 3)
        & (short.str.len_chars() <= long.str.len_chars())
        & (long.str.starts_with(short) | long.str.ends_with(short))
    )
