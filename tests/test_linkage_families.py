"""Linking family-keyed agency lists (No. KK, head's name, desa) to register families."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from padu.linkage.evidence import name_sim
from padu.linkage.families import (
    KK_NAME_DIFFERS,
    KK_REPAIRED_MANY,
    KK_SLIP_RIVAL,
    KK_UNKNOWN,
    NO_DESA,
    NOT_FOUND,
    RT_DIFFERS,
    link_families,
)
from padu.linkage.names import similarity_bound
from padu.linkage.nik import slip_variants
from padu.linkage.persons import comparable, with_name_columns

DESA_A, DESA_B, DESA_C = "6501012001", "6501012002", "6502012001"
KK1, KK2, KK3 = "6501011203150001", "6501011203150002", "6501011203150003"
KK4, KK5, KK6 = "6501021101120004", "6502011504180005", "6501011203150006"
KK7 = "6501021502190007"

# kk, nama, hubungan, born, desa, rt, alamat
MEMBERS = [
    (KK1, "Ahmad Yani", "1", "1970-02-01", DESA_A, "001", "RT 001 DUSUN 01"),
    (KK1, "Siti Aminah", "2", "1975-05-05", DESA_A, "001", "RT 001 DUSUN 01"),
    (KK1, "Rina Yani", "3", "2000-03-03", DESA_A, "001", "RT 001 DUSUN 01"),
    (KK1, "Budi", "3", "2016-07-07", DESA_A, "001", "RT 001 DUSUN 01"),
    (KK2, "Sumarni", "1", "1968-01-01", DESA_A, "002", "JL. MAWAR NO. 5 RT 002"),
    (KK2, "Joko Susilo", "2", "1966-01-01", DESA_A, "002", "JL. MAWAR NO. 5 RT 002"),
    (KK3, "Sumarni", "1", "1980-01-01", DESA_A, "003", "JL. MELATI NO. 9 RT 003"),
    (KK3, "Hasan Basri", "2", "1978-01-01", DESA_A, "003", "JL. MELATI NO. 9 RT 003"),
    (KK4, "Yohanes Lawing", "1", "1960-01-01", DESA_B, "005", "RT 005 DUSUN 02"),
    (KK4, "Maria Padan", "2", "1962-01-01", DESA_B, "005", "RT 005 DUSUN 02"),
    (KK4, "Yakobus Lawing", "5", "2025-06-01", DESA_B, "005", "RT 005 DUSUN 02"),
    (KK5, "Theresia Alang", "3", "1990-01-01", DESA_C, "001", "RT 001"),
    (KK5, "Petrus Alo", "4", "1985-01-01", DESA_C, "001", "RT 001"),
    (KK6, "Bambang Sutrisno", "1", "1972-01-01", DESA_A, "004", "RT 004 DUSUN 03"),
    (KK7, "Ibrahim", "1", "1988-01-01", DESA_B, "007", "RT 007 DUSUN 01"),
]


def _persons(order: list[int] | None = None) -> pl.DataFrame:
    """A register of six families as :func:`register_persons` gives it (``pid`` fixed)."""
    records = [
        {
            "pid": i + 1, "nik": f"65010{i:011d}", "kk": kk, "nama": nama,
            "jenis_kelamin": "1", "tanggal_lahir": dt.date.fromisoformat(born), "desa": desa,
            "kecamatan": desa[:6], "rt": rt, "rw": "001", "alamat": alamat, "hubungan": hub,
        }
        for i, (kk, nama, hub, born, desa, rt, alamat) in enumerate(MEMBERS)
    ]  # fmt: skip
    if order is not None:
        records = [records[i] for i in order]
    frame = pl.DataFrame(records).with_columns(pl.col("pid").cast(pl.UInt32))
    return with_name_columns(comparable(frame))


def _pid(nama: str, kk: str) -> int:
    return next(i + 1 for i, m in enumerate(MEMBERS) if m[0] == kk and m[1] == nama)


def _rows(records: list[dict[str, Any]]) -> pl.DataFrame:
    """List rows as the reader gives them (one per family, no NIK or birth date)."""
    fields = ("kk", "kk_awalan", "nama", "desa", "kecamatan", "alamat", "rt", "rw")
    schema = dict.fromkeys(fields, pl.String)
    frame = pl.DataFrame(
        [{c: r.get(c) for c in schema} for r in records], schema=schema
    ).with_row_index("row", offset=1)
    return with_name_columns(frame)


def _one(records: dict[str, Any]) -> tuple[dict[str, Any], pl.DataFrame]:
    result = link_families(_rows([records]), _persons())
    assert result.links.height == 1
    return result.links.row(0, named=True), result.candidates


def test_kk_exact_with_the_heads_name_links_to_the_head() -> None:
    link, cands = _one({"kk": KK1, "nama": "AHMAD YANI", "desa": DESA_A})
    assert (link["status"], link["method"], link["pid"]) == (
        "matched",
        "kk",
        _pid("Ahmad Yani", KK1),
    )
    assert link["score"] == 1.0
    assert link["agree"].split(",")[:3] == ["kk", "nama", "desa"]
    assert cands.is_empty()


@pytest.mark.parametrize("nama", ["Siti Aminah", "Hj. Siti Aminah", "Rina Yani"])
def test_kk_exact_with_the_spouses_or_an_adults_name_links_to_the_head(nama: str) -> None:
    link, _ = _one({"kk": KK1, "nama": nama})
    assert (link["status"], link["method"], link["pid"]) == (
        "matched",
        "kk",
        _pid("Ahmad Yani", KK1),
    )


@pytest.mark.parametrize("nama", ["Bambang Sutrisno", "Budi"])  # a stranger; a minor child
def test_kk_exact_with_no_agreeing_adult_name_waits_for_review(nama: str) -> None:
    link, cands = _one({"kk": KK1, "nama": nama, "desa": DESA_A})
    assert (link["status"], link["method"], link["reason"]) == ("review", "kk", KK_NAME_DIFFERS)
    assert link["pid"] == _pid("Ahmad Yani", KK1)
    assert cands.filter(pl.col("rank") == 1).get_column("pid").to_list() == [link["pid"]]
    if nama == "Bambang Sutrisno":  # the family the name points to is shown too
        assert _pid("Bambang Sutrisno", KK6) in cands.get_column("pid").to_list()


@pytest.mark.parametrize(("typed", "other"), [(KK2, KK3), (KK3, KK2)])
def test_a_kk_whose_name_fits_a_family_one_slip_away_as_well_waits_for_review(
    typed: str, other: str
) -> None:
    # KK2 and KK3 differ in one digit, and both families are headed by a Sumarni
    link, cands = _one({"kk": typed, "nama": "Sumarni", "desa": DESA_A})
    assert (link["status"], link["method"], link["reason"]) == ("review", "kk", KK_SLIP_RIVAL)
    # the family of the KK as typed comes first
    assert cands.get_column("pid").to_list() == [_pid("Sumarni", typed), _pid("Sumarni", other)]


def test_a_one_word_register_name_inside_the_listed_name_is_not_agreement() -> None:
    link, _ = _one({"kk": KK7, "nama": "Muhammad Ibrahim"})
    assert (link["status"], link["reason"]) == ("review", KK_NAME_DIFFERS)
    link, _ = _one({"kk": KK7, "nama": "IBRAHIM"})
    assert (link["status"], link["pid"]) == ("matched", _pid("Ibrahim", KK7))


@pytest.mark.parametrize(
    "typed",
    [KK6[:-2] + "60", KK6[:10] + "9" + KK6[11:]],  # adjacent digits swapped; one wrong digit
)
def test_a_kk_one_slip_away_is_repaired_when_the_name_agrees(typed: str) -> None:
    link, _ = _one({"kk": typed, "nama": "Bambang Sutrisno", "desa": DESA_A})
    assert (link["status"], link["method"]) == ("matched", "kk_repaired")
    assert link["pid"] == _pid("Bambang Sutrisno", KK6)
    assert "kk" not in link["agree"].split(",")


def test_a_repaired_kk_reaching_two_agreeing_families_waits_for_review() -> None:
    link, cands = _one({"kk": KK2[:-1] + "9", "nama": "Sumarni", "desa": DESA_A})
    assert (link["status"], link["method"], link["reason"]) == (
        "review", "kk_repaired", KK_REPAIRED_MANY,
    )  # fmt: skip
    assert set(cands.get_column("pid")) == {_pid("Sumarni", KK2), _pid("Sumarni", KK3)}


def test_a_repaired_kk_with_another_name_is_not_a_link() -> None:
    link, _ = _one({"kk": KK6[:-2] + "60", "nama": "Agustinus Tinggi", "desa": DESA_A})
    assert link["status"] == "unmatched"
    assert "No. KK tidak ada di register" in link["reason"]


def test_no_kk_name_and_desa_link_to_the_family() -> None:
    link, _ = _one({"nama": "YOHANES LAWING", "desa": DESA_B, "rt": "5"})
    assert (link["status"], link["method"]) == ("matched", "keluarga_nama")
    assert link["pid"] == _pid("Yohanes Lawing", KK4)
    assert 0 < link["score"] <= 1
    assert set(link["agree"].split(",")) == {"nama", "desa", "rt"}


def test_a_heads_nik_typed_as_the_kk_finds_the_family() -> None:
    nik = _persons().filter(pl.col("nama") == "Yohanes Lawing").get_column("nik").item()
    link, _ = _one({"kk": nik, "nama": "YOHANES LAWING", "desa": DESA_B})
    assert (link["status"], link["method"], link["pid"]) == (
        "matched", "kk", _pid("Yohanes Lawing", KK4),
    )  # fmt: skip


def test_a_kk_excel_stored_as_a_number_links_on_its_fifteen_digits() -> None:
    link, _ = _one({"kk_awalan": KK4[:15], "nama": "YOHANES LAWING", "desa": DESA_B})
    assert (link["status"], link["method"], link["pid"]) == (
        "matched", "kk_repaired", _pid("Yohanes Lawing", KK4),
    )  # fmt: skip
    # digits no family's KK starts with contradict a family found by name and desa
    link, _ = _one({"kk_awalan": "659999999999999", "nama": "YOHANES LAWING", "desa": DESA_B})
    assert (link["status"], link["reason"]) == ("review", KK_UNKNOWN)


def test_a_written_kk_no_family_holds_keeps_a_name_match_in_review() -> None:
    # an invented family that happens to share a head's name and desa, with its own KK
    link, cands = _one({"kk": "6599991203150001", "nama": "YOHANES LAWING", "desa": DESA_B})
    assert (link["status"], link["reason"]) == ("review", KK_UNKNOWN)
    assert cands.get_column("pid").to_list()[:1] == [_pid("Yohanes Lawing", KK4)]


def test_no_kk_the_spouses_name_links_to_the_head() -> None:
    link, _ = _one({"nama": "Maria Padan", "desa": DESA_B})
    assert (link["status"], link["pid"]) == ("matched", _pid("Yohanes Lawing", KK4))


def test_a_family_without_a_head_links_to_its_first_member() -> None:
    link, _ = _one({"nama": "Theresia Alang", "desa": DESA_C})
    assert (link["status"], link["pid"]) == ("matched", _pid("Theresia Alang", KK5))
    link, _ = _one({"kk": KK5, "nama": "Petrus Alo"})
    assert (link["status"], link["pid"]) == ("matched", _pid("Theresia Alang", KK5))


def test_two_families_with_the_same_head_name_in_one_desa_wait_for_review() -> None:
    link, cands = _one({"nama": "Sumarni", "desa": DESA_A})
    assert (link["status"], link["method"]) == ("review", "keluarga_nama")
    assert link["reason"].startswith("2 keluarga di desa ini")
    assert set(cands.get_column("pid")) == {_pid("Sumarni", KK2), _pid("Sumarni", KK3)}
    assert cands.get_column("rank").to_list() == [1, 2]


def test_rt_and_address_break_a_tie_between_namesakes() -> None:
    link, _ = _one(
        {"nama": "Sumarni", "desa": DESA_A, "rt": "02", "alamat": "Jalan Mawar No 5 RT 2"}
    )
    assert (link["status"], link["pid"]) == ("matched", _pid("Sumarni", KK2))
    # the RT alone does not: the other Sumarni may live at an address the list does not give
    link, _ = _one({"nama": "Sumarni", "desa": DESA_A, "rt": "02"})
    assert link["status"] == "review"


def test_a_different_rt_stops_a_name_only_link() -> None:
    link, _ = _one({"nama": "Yohanes Lawing", "desa": DESA_B, "rt": "9"})
    assert (link["status"], link["reason"]) == ("review", RT_DIFFERS)


def test_without_a_desa_the_kecamatan_gives_candidates_for_review() -> None:
    link, cands = _one({"nama": "Bambang Sutrisno", "kecamatan": "650101"})
    assert (link["status"], link["reason"]) == ("review", NO_DESA)
    assert cands.get_column("pid").to_list() == [_pid("Bambang Sutrisno", KK6)]


def test_a_family_not_in_the_register_is_unmatched() -> None:
    link, cands = _one({"nama": "Agustinus Tinggi", "desa": DESA_A})
    assert (link["status"], link["pid"], link["method"]) == ("unmatched", None, None)
    assert link["reason"].startswith(NOT_FOUND)
    assert cands.is_empty()


def test_a_name_alone_is_never_linked() -> None:
    link, _ = _one({"nama": "Yohanes Lawing"})
    assert link["status"] == "unmatched"
    assert "desa dan kecamatan tidak terbaca" in link["reason"]


def test_missing_optional_columns_are_blank() -> None:
    rows = with_name_columns(pl.DataFrame({"row": [1, 2], "nama": ["Yohanes Lawing", "Sumarni"]}))
    rows = rows.with_columns(desa=pl.Series([DESA_B, None]))
    result = link_families(rows, _persons().drop("hubungan", "alamat"))
    assert result.links.get_column("status").to_list() == ["matched", "unmatched"]
    assert result.links.schema["row"] == rows.schema["row"]


def test_an_empty_list_gives_empty_frames() -> None:
    result = link_families(_rows([]), _persons())
    assert result.links.is_empty() and result.candidates.is_empty()
    assert result.links.columns == ["row", "status", "method", "pid", "score", "agree", "reason"]
    assert result.candidates.columns == ["row", "rank", "pid", "score", "agree"]


LIST = [
    {"kk": KK1, "nama": "Ahmad Yani"},
    {"kk": KK2, "nama": "Sumarni"},
    {"kk": KK1, "nama": "Bambang Sutrisno", "desa": DESA_A},
    {"kk": KK6[:-2] + "60", "nama": "Bambang Sutrisno", "desa": DESA_A},
    {"kk": KK2[:-1] + "9", "nama": "Sumarni", "desa": DESA_A},
    {"nama": "Sumarni", "desa": DESA_A},
    {"nama": "Sumarni", "desa": DESA_A, "rt": "3", "alamat": "JL MELATI 9 RT 003"},
    {"nama": "Maria Padan", "desa": DESA_B},
    {"nama": "Bambang Sutrisno", "kecamatan": "650101"},
    {"nama": "Agustinus Tinggi", "desa": DESA_A},
    {"nama": "Sumarni", "desa": DESA_A},  # the same family twice in the list
]


def test_outcome_is_the_same_in_any_row_order() -> None:
    first = link_families(_rows(LIST), _persons())
    assert first.links.get_column("row").to_list() == list(range(1, len(LIST) + 1))
    assert set(first.links.get_column("status")) == {"matched", "review", "unmatched"}
    for seed in (1, 2, 3):
        order = pl.Series(range(len(LIST))).shuffle(seed=seed).to_list()
        rows = _rows([LIST[i] for i in order]).with_columns(
            row=pl.Series([i + 1 for i in order], dtype=pl.UInt32)
        )
        people = pl.Series(range(len(MEMBERS))).shuffle(seed=seed).to_list()
        again = link_families(rows, _persons(people))
        assert again.links.sort("row").equals(first.links)
        assert again.candidates.sort("row", "rank").equals(first.candidates)


def test_kk_slips_are_one_slip_away() -> None:
    kk = "6501011203150001"
    got = {
        f"{n:016d}"
        for n in pl.select(slip_variants(pl.lit(int(kk)), plus40=False)).item().to_list()
    }
    got.discard(kk)
    swaps = {kk[:i] + kk[i + 1] + kk[i] + kk[i + 2 :] for i in range(15)}
    digits = {kk[:i] + d + kk[i + 1 :] for i in range(16) for d in "0123456789"}
    assert got == (swaps | digits) - {kk}
    assert len(got) == 16 * 9 + sum(kk[i] != kk[i + 1] for i in range(15))


TOKENS = st.sampled_from(
    ["AHMAD", "ACHMAD", "A", "M", "MUHAMMAD", "MOH", "SITI", "SITTI", "NUR", "NURHALIZAH",
     "HALIZAH", "YUSUF", "JUSUF", "YOESOEF", "FATIMAH", "FATIMA", "H", "HJ", "BIN", "HASAN",
     "HUSIN", "YULIANA", "YULIANI", "YULRANA", "MARKUS", "BALANG", "S.PD", "RAHMAT", "RAHMI",
     "YATI", "NURHAYATI", "HAYATI", "ANI", "MULYANI"]
)  # fmt: skip
NAMES = st.lists(TOKENS, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=300, derandomize=True)
@given(pairs=st.lists(st.tuples(NAMES, NAMES), min_size=1, max_size=20))
def test_the_name_screen_never_drops_a_pair_that_could_agree(pairs: list[tuple[str, str]]) -> None:
    """The vectorised bound is never below the similarity it screens for."""
    frame = with_name_columns(pl.DataFrame({"nama": [a for a, _ in pairs]}))
    other = with_name_columns(pl.DataFrame({"nama": [b for _, b in pairs]}))
    both = pl.concat(
        [
            frame.select("nama", "nama_normal"),
            other.select(nama_r="nama", nama_normal_r="nama_normal"),
        ],
        how="horizontal",
    ).drop_nulls()
    if both.is_empty():
        return
    bound = similarity_bound(both.get_column("nama_normal"), both.get_column("nama_normal_r"))
    for (a, b), ub in zip(both.select("nama", "nama_r").iter_rows(), bound, strict=True):
        assert name_sim(a, b) <= ub + 1e-6, (a, b)
