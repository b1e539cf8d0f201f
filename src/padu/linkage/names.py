"""Indonesian name normalisation: the comparison forms a careful data officer would use.

The original name is always kept. :func:`normalise_name` removes honorifics and academic
titles (H., Hj., Drs., Ir., S.Pd., A.Md., Bpk/Ibu, ...), splits off a patronymic after
``bin/binti/bt``, unifies the variants of Muhammad, rewrites the old (pre-1972) spellings
(oe -> u, dj -> j, tj -> c, sj -> sy, ch -> kh), removes punctuation and spacing
differences and collapses doubled letters. :func:`phonetic` gives a per-token key suited to
Indonesian spelling variation (vowels, h, kh/h, j/y, z/s, d/t, b/p), so that Yusuf, Jusuf and
Yoesoef, or Fatimah and Fatima, share a key. :func:`name_similarity` compares two names on
both forms, independent of token order, and lets an initial stand for a name.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

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
