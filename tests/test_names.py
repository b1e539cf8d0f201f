"""Indonesian name normalisation: titles, patronymics, Muhammad, old spellings, sound keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from padu.linkage import name_similarity, normalise_name, phonetic
from padu.linkage.matcher import NAME_AGREES


@pytest.mark.parametrize(
    ("name", "normalised", "patronymic", "titles"),
    [
        ("H. Muhammad Yusuf, S.Pd.", "MUHAMAD YUSUF", None, {"H", "SPD"}),
        ("Hj. Siti Fatimah binti Ahmad", "SITI FATIMAH", "AHMAD", {"HJ"}),
        ("Ir. H. Syamsuddin, M.Si", "SYAMSUDIN", None, {"IR", "H", "MSI"}),
        ("Drs. Achmad Rifa'i", "AKHMAD RIFAI", None, {"DRS"}),
        ("Bpk. Slamet", "SLAMET", None, {"BPK"}),
        # dotted titles at the end without a comma, as agencies type them
        ("ZAINAL S.PD.I", "ZAINAL", None, {"SPDI"}),
        ("ELIA S.IP", "ELIA", None, {"SIP"}),
        ("SITI AMINAH A.MD.KEB", "SITI AMINAH", None, {"AMDKEB"}),
        ("ABDUL S.", "ABDUL S", None, set()),  # an initial, not a title
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


#: The same person written two ways, as agency lists and the register write them.
SAME_PERSON = [
    ("Muhammad Yusuf", "H. Moh. Jusuf, S.Pd."), ("Djoko Tjahjono", "Joko Cahyono"),
    ("Yusuf Muhammad", "Muhammad Yusuf"), ("A. Rahman", "Abdul Rahman"),
    ("Siti Fatimah", "Siti Fatimah binti Ahmad"), ("Markus Balang", "Markus"),
    ("Soekarno", "Sukarno"), ("Hj. Siti Aminah", "Siti Aminah"),
    ("Drs. H. Abdul Karim, M.Si", "Abdul Karim"), ("Ir. Bambang Soetrisno", "Bambang Sutrisno"),
    ("Nurhayati, S.E.", "Nurhayati"), ("Bpk. Slamet Riyadi", "Slamet Riyadi"),
    ("Ibu Sri Wahyuni", "Sri Wahyuni"), ("Mochammad Rizki", "Muhammad Rizki"),
    ("Moch. Ali", "Muhammad Ali"), ("M. Ridwan", "Muhammad Ridwan"),
    ("Mohamad Arif", "Muhamad Arif"), ("Muh. Fadli", "Muhammad Fadli"),
    ("Achmad Fauzi", "Ahmad Fauzi"), ("Chairul Anwar", "Khairul Anwar"),
    ("Sjamsuddin", "Syamsudin"), ("Tjitra Dewi", "Citra Dewi"), ("Djamaluddin", "Jamaludin"),
    ("Joesoef", "Yusuf"), ("Oemar Bakri", "Umar Bakri"), ("Fatimah Zahra", "Fatima Zahra"),
    ("Selamet", "Slamet"), ("Juliana", "Yuliana"), ("Zainal Abidin", "Jainal Abidin"),
    ("Hasanuddin", "Hasanudin"), ("Abdullah", "Abdulah"), ("Siti Nur Halizah", "Siti Nurhalizah"),
    ("NURUL HUDA", "Nurul Huda"), ("Agustinus  Lawing", "agustinus lawing"),
    ("Yohanes Ngau", "Ngau Yohanes"), ("Maria Goreti", "Maria Gorety"),
    ("Fransiskus Xaverius", "Fransiskus Xaverius, S.Pd."),
    ("Andi Baso", "Andi Baso bin Lamaddukelleng"),
    ("Dewi Sartika binti Usman", "Dewi Sartika bt Usman"), ("Rahmawati", "Rachmawati"),
    ("Suharto", "Soeharto"), ("Hj. Nurjanah", "Nurjannah"), ("Wahyudi", "Wahjudi"),
    ("Mulyadi", "Muljadi"), ("Supriyadi", "Soepriyadi"),
]  # fmt: skip
#: Different people with similar names, as found in one desa: they must not agree on name.
DIFFERENT_PEOPLE = [
    ("Siti Aminah", "Budi Santoso"), ("Yohanes", "Fatimah"), ("Ahmad", "Hamid"),
    ("Siti Aminah", "Siti Rahmah"), ("Ahmad Yani", "Ahmad Yanto"),
    ("Agus Salim", "Agus Setiawan"), ("Dewi Lestari", "Dewi Kartika"),
    ("Sri Wahyuni", "Sri Rahayu"), ("Muhammad Rizki", "Muhammad Rizal"),
    ("Budi Santoso", "Budi Susanto"), ("Hasan", "Husin"), ("Nurhayati", "Nurjanah"),
    ("Yohanes Lawing", "Yosef Lawing"), ("Maria Ulfa", "Maria Ulpah Rahman"),
    ("Andi Baso", "Andi Basri"), ("Markus Balang", "Martinus Balang"),
    ("Suparman", "Suparmi"), ("Hendra Gunawan", "Hendro Gunadi"), ("Rahmat", "Rahmi"),
    ("Yuliana", "Yuliani"),
]  # fmt: skip


def test_the_variant_table_is_large_enough() -> None:
    assert len(SAME_PERSON) + len(DIFFERENT_PEOPLE) >= 60


@pytest.mark.parametrize(("a", "b"), SAME_PERSON)
def test_same_person_agrees_on_name(a: str, b: str) -> None:
    assert name_similarity(a, b) >= NAME_AGREES


@pytest.mark.parametrize(("a", "b"), DIFFERENT_PEOPLE)
def test_different_people_do_not_agree_on_name(a: str, b: str) -> None:
    assert name_similarity(a, b) < NAME_AGREES


@given(st.text(max_size=40), st.text(max_size=40))
def test_similarity_is_symmetric_bounded_and_total(a: str, b: str) -> None:
    s = name_similarity(a, b)
    assert 0.0 <= s <= 1.0
    assert s == pytest.approx(name_similarity(b, a))
    form = normalise_name(a)
    assert form.original == a and form.normalised == form.normalised.upper()
