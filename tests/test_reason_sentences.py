"""Eligibility reasons as sentences an officer reads (issue 12, "Outputs an officer reads").

Each condition of a rule is written in Indonesian from the field's short name and the code
list's labels, numbers the Indonesian way; what the words do not cover stays as rule text
(in Indonesian keywords), never dropped. Table-driven on hand-written rules, then on every
condition of the shipped presets.
"""

from __future__ import annotations

import re

import pytest

from padu.programmes import preset_workshop
from padu.programmes.targeting import _reason_nodes, _reasons
from padu.rules import parse
from padu.rules.explain import explain, rule_text, sentence

CASES = [
    ("jenis_atap_terluas dalam [5, 7, 8]",
     "Atap: bambu, jerami/ijuk/daun-daunan/rumbia atau lainnya"),
    ("desil_nasional <= 4", "Desil nasional 1-4"),
    ("desil_nasional < 4", "Desil nasional 1-3"),
    ("desil_nasional > 5", "Desil nasional 6-10"),
    ("desil_nasional = 3", "Desil nasional 3"),
    ("tidak (desil_nasional <= 4)", "Desil nasional 5-10"),
    ("desil_nasional >= 2 dan desil_nasional <= 4", "Desil nasional 2-4"),
    ("ada anggota(umur(tanggal_lahir) >= 70)", "Ada anggota berumur 70 tahun ke atas"),
    ("ada anggota(umur(tanggal_lahir) <= 6)", "Ada anggota berumur 6 tahun ke bawah"),
    ("ada anggota(umur(tanggal_lahir) >= 7 dan umur(tanggal_lahir) <= 21 dan "
     "partisipasi_sekolah = 2)", "Ada anggota berumur 7-21 tahun dan masih sekolah"),
    ("tidak ada anggota(jenis_kelamin = 2)", "Tidak ada anggota perempuan"),
    ("jumlah anggota(umur(tanggal_lahir) >= 60) >= 2",
     "Paling sedikit 2 anggota berumur 60 tahun ke atas"),
    ("status_kepemilikan_rumah = 1", "Rumah: milik sendiri"),
    ("jenis_atap_terluas tidak dalam [1, 2]", "Atap: selain beton atau genteng"),
    ("jenis_kloset != 1",
     "Kloset: plengsengan dengan tutup, plengsengan tanpa tutup atau cemplung/cubluk"),
    ("tidak pbi_nas", "Bukan penerima PBI JKN nasional (APBN)"),
    ("pbi_pemda", "Penerima PBI JKN daerah (APBD)"),
    ("perkotaan dan jumlah_penghuni_rumah > 10",
     "Tinggal di perkotaan dan jumlah penghuni rumah lebih dari 10"),
    ("luas_lantai / jumlah_anggota_keluarga < 7.2",
     "Luas lantai (m²) dibagi jumlah anggota keluarga kurang dari 7,2"),
    ("jumlah_anggota_keluarga >= 10000", "Jumlah anggota keluarga paling sedikit 10.000"),
    ("desil_nasional kosong", "Desil nasional kosong"),
    ("ada anggota(kepemilikan_usaha dan status_hubungan_keluarga dalam [1, 2])",
     "Ada anggota memiliki usaha dan berstatus kepala keluarga atau istri/suami"),
    ("ada anggota(penglihatan dalam [1, 2])",
     "Ada anggota dengan kesulitan melihat: sama sekali tidak bisa atau banyak kesulitan dan "
     "membutuhkan bantuan"),
    ("fasilitas_bab dalam [4, 6]",
     "Fasilitas BAB: ada, di MCK umum/siapapun menggunakan atau tidak ada fasilitas"),
    ("fasilitas_bab dalam [4, 5, 6]",  # labels with commas of their own: ";" between them
     "Fasilitas BAB: ada, di MCK umum/siapapun menggunakan; ada, anggota keluarga tidak "
     "menggunakan atau tidak ada fasilitas"),
    ("ada anggota(jenjang_tertinggi_yang_diduduki dalam [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, "
     "12, 13, 14, 15, 16, 17])",  # the few codes left out are named instead
     "Ada anggota bersekolah paling tinggi di jenjang selain D1/D2/D3, D4/S1, profesi, S2 atau "
     "S3"),
    ("sumber_air_minum_utama dalam [1, 2, 3, 4, 5, 7, 12]",
     "Sumber air minum: air kemasan bermerk, air isi ulang, leding, sumur bor/pompa, sumur "
     "terlindung, mata air terlindung atau air kemasan/isi ulang"),
    ("desil_nasional <= 4 dan (jenis_lantai_terluas = 8 atau jenis_atap_terluas = 5)",
     "Desil nasional 1-4 dan (lantai: tanah atau atap: bambu)"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "words"), CASES)
def test_a_condition_reads_as_a_sentence(rule: str, words: str) -> None:
    assert sentence(parse(rule)) == words


def test_a_member_rule_reads_about_one_person() -> None:
    got = sentence(parse("umur(tanggal_lahir) >= 18 dan status_bekerja = 2"), member=True)
    assert got == "Berumur 18 tahun ke atas dan tidak bekerja selama seminggu yang lalu"
    assert sentence(parse("benar"), member=True) == "Semua anggota keluarga"


def test_what_the_words_do_not_cover_stays_as_rule_text() -> None:
    node = parse("tahun(tanggal_lahir) + 1 > 2000")
    assert sentence(node) == "Tahun(tanggal_lahir) ditambah 1 lebih dari 2.000"
    assert rule_text(parse("ada anggota(tidak pbi_nas)")) == "ada anggota(tidak pbi_nas)"
    # a code the list does not have is shown as written, not dropped
    assert sentence(parse("jenis_atap_terluas = 77")) == "Atap: 77"


RULE_SYNTAX = re.compile(r"<=|>=|!=|\bdalam\b|\[|\]|_|\bumur\(")


def test_every_reason_of_every_preset_is_a_sentence() -> None:
    """No preset reason shows rule syntax or a field's identifier; the roof, floor and
    wall conditions of RTLH name the code list's labels."""
    seen = 0
    for p in preset_workshop().programmes:
        for text in _reasons(parse(p.rule)):
            assert not RULE_SYNTAX.search(text), (p.code, text)
            assert text[:1].isupper(), (p.code, text)
            seen += 1
    assert seen >= len(preset_workshop().programmes)
    rtlh = next(p for p in preset_workshop().programmes if p.code == "RTLH")
    reasons = list(_reasons(parse(rtlh.rule)))
    roof = next(r for r in reasons if r.startswith("Atap: "))
    assert "bambu" in roof and "jerami/ijuk/daun-daunan/rumbia" in roof
    assert any(r.startswith("Lantai: ") and "tanah" in r for r in reasons)
    assert any(r.startswith("Desil nasional 1-") for r in reasons)


def test_an_or_inside_ada_anggota_gives_one_reason_per_branch() -> None:
    rule = parse(
        "desil_nasional <= 4 dan ada anggota(umur(tanggal_lahir) <= 6 atau "
        "umur(tanggal_lahir) >= 70)"
    )
    assert [sentence(n) for n in _reason_nodes(rule)] == [
        "Desil nasional 1-4",
        "Ada anggota berumur 6 tahun ke bawah",
        "Ada anggota berumur 70 tahun ke atas",
    ]


def test_two_conditions_that_read_the_same_are_one_reason() -> None:
    reasons = _reasons(parse("desil_nasional <= 4 atau desil_nasional < 5"))
    assert list(reasons) == ["Desil nasional 1-4"]
    assert reasons["Desil nasional 1-4"].text == "((desil_nasional <= 4) or (desil_nasional < 5))"


def test_rule_explain_gives_each_clause_in_words() -> None:
    e = explain("desil_nasional <= 4 dan status_kepemilikan_rumah = 1").to_dict()
    assert e["sentence"] == "Desil nasional 1-4 dan rumah: milik sendiri"
    assert [c["sentence"] for c in e["clauses"]] == ["Desil nasional 1-4", "Rumah: milik sendiri"]
