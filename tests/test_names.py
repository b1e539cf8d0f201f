"""Indonesian name normalisation: titles, patronymics, Muhammad, old spellings, sound keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from padu.linkage import name_similarity, normalise_name, phonetic


@pytest.mark.parametrize(
    ("name", "normalised", "patronymic", "titles"),
    [
        ("H. Muhammad Yusuf, S.Pd.", "MUHAMAD YUSUF", None, {"H", "SPD"}),
        ("Hj. Siti Fatimah binti Ahmad", "SITI FATIMAH", "AHMAD", {"HJ"}),
        ("Ir. H. Syamsuddin, M.Si", "SYAMSUDIN", None, {"IR", "H", "MSI"}),
        ("Drs. Achmad Rifa'i", "AKHMAD RIFAI", None, {"DRS"}),
        ("Bpk. Slamet", "SLAMET", None, {"BPK"}),
        ("Ibu Sri Wahyuni, A.Md.", "SRI WAHYUNI", None, {"IBU", "AMD"}),
        ("Soekarno", "SUKARNO", None, set()),
        ("Djoko Tjahjono", "JOKO CAHJONO", None, set()),
        ("Sjamsul Chairul", "SYAMSUL KHAIRUL", None, set()),
        ("Moh. Jusuf", "MUHAMAD JUSUF", None, set()),
        ("M.Yusuf", "MUHAMAD YUSUF", None, set()),
        ("Muh Ali bin Hasan", "MUHAMAD ALI", "HASAN", set()),
        ("  yohanes   LAWING ", "YOHANES LAWING", None, set()),
        ("Désirée", "DESIRE", None, set()),
        ("H", "H", None, set()),  # a single token is a name, not a title
        ("", "", None, set()),
    ],
)
def test_normalised_forms(
    name: str, normalised: str, patronymic: str | None, titles: set[str]
) -> None:
    form = normalise_name(name)
    assert form.original == name
    assert form.normalised == normalised
    assert form.patronymic == patronymic
    assert set(form.titles) == titles


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Yusuf", "Jusuf"),
        ("Yusuf", "Yoesoef"),
        ("Fatimah", "Fatima"),
        ("Slamet", "Selamet"),
        ("Ahmad", "Achmad"),
        ("Ahmad", "Akhmad"),
        ("Khairul", "Chairul"),
        ("Muhammad", "Mohamad"),
        ("Cahyono", "Tjahjono"),
        ("Zainal", "Jainal"),
        ("Syamsudin", "Samsudin"),
    ],
)
def test_spelling_variants_share_a_sound_key(a: str, b: str) -> None:
    assert phonetic(a) == phonetic(b)


@pytest.mark.parametrize(
    ("a", "b", "low"),
    [
        ("Muhammad Yusuf", "H. Moh. Jusuf, S.Pd.", 0.95),
        ("Djoko Tjahjono", "Joko Cahyono", 0.95),
        ("Yusuf Muhammad", "Muhammad Yusuf", 0.99),  # order swap
        ("A. Rahman", "Abdul Rahman", 0.85),  # initial
        ("Siti Fatimah", "Siti Fatimah binti Ahmad", 0.99),  # patronymic left out
        ("Markus Balang", "Markus", 0.8),  # a single-word name inside a longer one
    ],
)
def test_same_person_scores_high(a: str, b: str, low: float) -> None:
    assert name_similarity(a, b) >= low


@pytest.mark.parametrize(
    ("a", "b"), [("Siti Aminah", "Budi Santoso"), ("Yohanes", "Fatimah"), ("Ahmad", "Hamid")]
)
def test_different_people_score_low(a: str, b: str) -> None:
    assert name_similarity(a, b) < 0.7


@given(st.text(max_size=40), st.text(max_size=40))
def test_similarity_is_symmetric_bounded_and_total(a: str, b: str) -> None:
    s = name_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(name_similarity(b, a))
    form = normalise_name(a)
    assert form.original == a and form.normalised == form.normalised.upper()
