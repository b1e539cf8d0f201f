"""Words of the Kemiskinan multidimensi page."""

from __future__ import annotations

ID = {
    "kemiskinan.title": "Kemiskinan multidimensi",
    "kemiskinan.breadcrumb": "Jejak wilayah",
    "kemiskinan.snapshot": "Snapshot",
    "kemiskinan.measure": "Ukuran",
    "kemiskinan.saved": "tersimpan",
    "kemiskinan.compare": "Bandingkan dengan",
    "kemiskinan.compare_none": "(tidak dibandingkan)",
    "kemiskinan.show": "Tampilkan",
    "kemiskinan.date": "tanggal data",
    "kemiskinan.no_snapshot": (
        "Belum ada snapshot register. Operator dapat mengimpor register terlebih dahulu."
    ),
    "kemiskinan.families": "Keluarga",
    "kemiskinan.poor": "Keluarga miskin multidimensi",
    "kemiskinan.poor_short": "Keluarga miskin",
    "kemiskinan.missing": "keluarga tanpa data lengkap (tidak dihitung)",
    "kemiskinan.missing_short": "Tanpa data lengkap",
    "kemiskinan.H": "H (tingkat kemiskinan)",
    "kemiskinan.A": "A (intensitas)",
    "kemiskinan.M0": "M0 (indeks)",
    "kemiskinan.region": "Wilayah",
    "kemiskinan.level.provinsi": "Provinsi",
    "kemiskinan.level.kabupaten_kota": "Kabupaten/kota",
    "kemiskinan.level.kecamatan": "Kecamatan",
    "kemiskinan.level.desa_kelurahan": "Desa/kelurahan",
    "kemiskinan.children.kabupaten_kota": "Per kabupaten/kota",
    "kemiskinan.children.kecamatan": "Per kecamatan",
    "kemiskinan.children.desa_kelurahan": "Per desa/kelurahan",
    "kemiskinan.children_note": "Klik nama wilayah untuk melihat rinciannya.",
    "kemiskinan.unknown_code": "kode tidak dikenal",
    "kemiskinan.blank_code": "Tanpa kode wilayah",
    "kemiskinan.total": "Jumlah",
    "kemiskinan.no_data": "tidak ada keluarga",
    "kemiskinan.contributions": "Kontribusi indikator terhadap M0",
    "kemiskinan.contributions_note": (
        "Bagian M0 yang berasal dari tiap indikator (bobot × headcount tersensor ÷ M0)."
    ),
    "kemiskinan.chart_label": "Grafik batang kontribusi tiap indikator terhadap M0",
    "kemiskinan.chart_empty": "Tidak ada keluarga miskin di wilayah ini: tidak ada kontribusi.",
    "kemiskinan.indicators": "Indikator",
    "kemiskinan.indicator": "Indikator",
    "kemiskinan.dimension": "Dimensi",
    "kemiskinan.weight": "Bobot",
    "kemiskinan.deprived": "Terdeprivasi",
    "kemiskinan.uncensored": "Tingkat deprivasi",
    "kemiskinan.censored_count": "Miskin & terdeprivasi",
    "kemiskinan.censored": "Headcount tersensor",
    "kemiskinan.contribution": "Kontribusi",
    "kemiskinan.indicators_note": (
        "Tingkat deprivasi: bagian keluarga terdeprivasi pada indikator itu. Headcount "
        "tersensor: bagian keluarga yang miskin multidimensi sekaligus terdeprivasi."
    ),
    "kemiskinan.sensitivity": "Sensitivitas terhadap batas miskin k",
    "kemiskinan.sensitivity_note": (
        "Keluarga miskin bila skor deprivasinya ≥ k. Baris yang disorot adalah k ukuran ini."
    ),
    "kemiskinan.k": "k",
    "kemiskinan.change": "Perubahan antar-snapshot",
    "kemiskinan.change_none": (
        "Perlu minimal dua snapshot untuk melihat perubahan. Pilih snapshot pembanding di atas."
    ),
    "kemiskinan.change_from": "dari",
    "kemiskinan.change_to": "ke",
    "kemiskinan.old": "lama",
    "kemiskinan.new": "baru",
    "kemiskinan.delta": "perubahan",
    "kemiskinan.change_indicators": "Perubahan headcount tersensor per indikator",
    "kemiskinan.points": "poin persen",
    "kemiskinan.download": "Unduh",
    "kemiskinan.download_xlsx": "Excel (wilayah dan indikator)",
    "kemiskinan.download_csv_region": "CSV tabel wilayah",
    "kemiskinan.download_csv_indicator": "CSV tabel indikator",
    "kemiskinan.download_note": "Angka agregat; setiap unduhan dicatat di log audit.",
    "kemiskinan.families_link": "Lihat keluarga di desa ini",
    "kemiskinan.suppressed": (
        "Angka dari kurang dari 5 keluarga disembunyikan (ditulis \u201c< 5\u201d), begitu "
        "pula angka yang dapat dihitung balik dari jumlahnya, agar keluarga tidak dapat "
        "dikenali."
    ),
    "kemiskinan.chart_axis": "Kontribusi terhadap M0 (%)",
}

EN = {
    "kemiskinan.title": "Multidimensional poverty",
    "kemiskinan.breadcrumb": "Region trail",
    "kemiskinan.measure": "Measure",
    "kemiskinan.saved": "saved",
    "kemiskinan.compare": "Compare with",
    "kemiskinan.compare_none": "(no comparison)",
    "kemiskinan.show": "Show",
    "kemiskinan.date": "data date",
    "kemiskinan.no_snapshot": (
        "No register snapshot yet. An operator must import the register first."
    ),
    "kemiskinan.families": "Families",
    "kemiskinan.poor": "Multidimensionally poor families",
    "kemiskinan.poor_short": "Poor families",
    "kemiskinan.missing": "families with incomplete data (not counted)",
    "kemiskinan.missing_short": "Incomplete data",
    "kemiskinan.H": "H (headcount ratio)",
    "kemiskinan.A": "A (intensity)",
    "kemiskinan.M0": "M0 (adjusted headcount)",
    "kemiskinan.region": "Region",
    "kemiskinan.level.provinsi": "Province",
    "kemiskinan.level.kabupaten_kota": "Regency/city",
    "kemiskinan.level.kecamatan": "District",
    "kemiskinan.level.desa_kelurahan": "Village",
    "kemiskinan.children.kabupaten_kota": "By regency/city",
    "kemiskinan.children.kecamatan": "By district (kecamatan)",
    "kemiskinan.children.desa_kelurahan": "By village (desa/kelurahan)",
    "kemiskinan.children_note": "Click a region's name to see its details.",
    "kemiskinan.unknown_code": "unknown code",
    "kemiskinan.blank_code": "No region code",
    "kemiskinan.total": "Total",
    "kemiskinan.no_data": "no families",
    "kemiskinan.contributions": "Contribution of each indicator to M0",
    "kemiskinan.contributions_note": (
        "Share of M0 coming from each indicator (weight × censored headcount ÷ M0)."
    ),
    "kemiskinan.chart_label": "Bar chart of each indicator's contribution to M0",
    "kemiskinan.chart_empty": "No poor families in this region: no contributions.",
    "kemiskinan.indicators": "Indicators",
    "kemiskinan.indicator": "Indicator",
    "kemiskinan.dimension": "Dimension",
    "kemiskinan.weight": "Weight",
    "kemiskinan.deprived": "Deprived",
    "kemiskinan.uncensored": "Deprivation rate",
    "kemiskinan.censored_count": "Poor & deprived",
    "kemiskinan.censored": "Censored headcount",
    "kemiskinan.contribution": "Contribution",
    "kemiskinan.indicators_note": (
        "Deprivation rate: share of families deprived in the indicator. Censored headcount: "
        "share of families both multidimensionally poor and deprived in it."
    ),
    "kemiskinan.sensitivity": "Sensitivity to the poverty cut-off k",
    "kemiskinan.sensitivity_note": (
        "A family is poor when its deprivation score is ≥ k. The highlighted row is this "
        "measure's k."
    ),
    "kemiskinan.change": "Change between snapshots",
    "kemiskinan.change_none": (
        "At least two snapshots are needed to see a change. Pick a snapshot to compare above."
    ),
    "kemiskinan.change_from": "from",
    "kemiskinan.change_to": "to",
    "kemiskinan.old": "old",
    "kemiskinan.new": "new",
    "kemiskinan.delta": "change",
    "kemiskinan.change_indicators": "Change of the censored headcount by indicator",
    "kemiskinan.points": "percentage points",
    "kemiskinan.download": "Download",
    "kemiskinan.download_xlsx": "Excel (regions and indicators)",
    "kemiskinan.download_csv_region": "CSV region table",
    "kemiskinan.download_csv_indicator": "CSV indicator table",
    "kemiskinan.download_note": "Aggregate figures; every download is recorded in the audit log.",
    "kemiskinan.families_link": "See the families in this village",
    "kemiskinan.suppressed": (
        "Figures from fewer than 5 families are hidden (shown as \u201c< 5\u201d), and so are "
        "figures that would give them back by subtraction, so that no family can be "
        "recognised."
    ),
    "kemiskinan.chart_axis": "Contribution to M0 (%)",
}
