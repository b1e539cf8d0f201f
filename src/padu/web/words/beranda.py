"""Words of Beranda's map (the rest of Beranda's words are in :mod:`padu.web.i18n`)."""

from __future__ import annotations

ID = {
    "beranda.peta_judul": "Peta per kecamatan/desa",
    "beranda.peta_tingkat": "Tingkat wilayah",
    "beranda.peta_kecamatan": "Kecamatan",
    "beranda.peta_desa": "Desa/kelurahan",
    "beranda.peta_memuat": "Memuat peta\u2026",
    "beranda.peta_gagal": "Peta tidak dapat dimuat. Muat ulang halaman atau coba lagi nanti.",
    "beranda.peta_kec": "Kec.",
    "beranda.peta_petunjuk": (
        "Arahkan kursor ke wilayah untuk melihat angkanya. Warna: lima kelompok dengan jumlah "
        "wilayah yang kira-kira sama."
    ),
}

EN = {
    "beranda.peta_judul": "Map by district or village",
    "beranda.peta_tingkat": "Area level",
    "beranda.peta_kecamatan": "District (kecamatan)",
    "beranda.peta_desa": "Village (desa/kelurahan)",
    "beranda.peta_memuat": "Loading the map\u2026",
    "beranda.peta_gagal": "The map could not be loaded. Reload the page or try again later.",
    "beranda.peta_kec": "District",
    "beranda.peta_petunjuk": (
        "Point at an area to see its figures. Colours: five classes with about the same "
        "number of areas each."
    ),
}
