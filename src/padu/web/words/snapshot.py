"""Words of the Snapshot & kualitas pages (admin and operator)."""

from __future__ import annotations

ID = {
    "snapshot.title": "Snapshot & kualitas",
    "snapshot.forbidden": (
        "Halaman snapshot dan kualitas data hanya untuk admin dan operator data. "
        "Hubungi admin Padu bila Anda memerlukannya."
    ),
    "snapshot.intro": (
        "Setiap impor register DTSEN menjadi snapshot baru; snapshot lama tidak pernah ditimpa."
    ),
    "snapshot.list": "Daftar snapshot",
    "snapshot.none": "Belum ada snapshot. Impor register DTSEN untuk memulai.",
    "snapshot.id": "No.",
    "snapshot.label": "Label",
    "snapshot.date": "Tanggal data",
    "snapshot.imported": "Diimpor",
    "snapshot.by": "oleh",
    "snapshot.families": "Keluarga",
    "snapshot.individuals": "Individu",
    "snapshot.findings": "Temuan",
    "snapshot.hash": "Sidik isi",
    "snapshot.hash_note": (
        "Sidik isi: SHA-256 berkas sumber (12 karakter pertama), sama untuk ekstrak yang "
        "sama; \u201c-\u201d bila snapshot diimpor lewat perintah baris."
    ),
    "snapshot.reference": "Acuan",
    "snapshot.reference_for": "acuan tahun",
    "snapshot.latest": "terbaru",
    "snapshot.quality": "Kualitas",
    "snapshot.open_quality": "lihat kualitas",
    "snapshot.import": "Impor snapshot baru",
    "snapshot.compare": "Bandingkan dua snapshot",
    "snapshot.from": "Dari (lama)",
    "snapshot.to": "Ke (baru)",
    "snapshot.compare_go": "Bandingkan",
    "snapshot.recent_jobs": "Impor terakhir",
    "snapshot.back": "Kembali ke daftar snapshot",
    # quality
    "snapshot.q.title": "Kualitas snapshot",
    "snapshot.q.summary": "Ringkasan temuan",
    "snapshot.q.none": "Tidak ada temuan kualitas pada snapshot ini.",
    "snapshot.q.dup_values": "NIK berbeda yang dipakai lebih dari satu orang",
    "snapshot.q.by_kabupaten": "Temuan per kabupaten/kota",
    "snapshot.q.by_kecamatan": "Temuan per kecamatan",
    "snapshot.q.by_desa": "Temuan per desa/kelurahan",
    "snapshot.q.region": "Wilayah",
    "snapshot.q.total": "Jumlah temuan",
    "snapshot.q.lowest": "Kelengkapan terendah",
    "snapshot.q.drill": "Klik nama wilayah untuk melihat rinciannya.",
    "snapshot.q.province": "Seluruh provinsi",
    "snapshot.q.up": "Naik ke",
    "snapshot.q.sum": "Jumlah",
    "snapshot.q.completeness": "Kelengkapan isian penting",
    "snapshot.q.completeness_note": (
        "Persentase baris yang terisi. Sel di bawah 90 % ditandai merah muda."
    ),
    "snapshot.q.field": "Isian",
    "snapshot.q.all": "Semua",
    "snapshot.q.file_notes": "Catatan berkas",
    "snapshot.q.completeness_region": "Kelengkapan isian penting per wilayah",
    "snapshot.q.lowest_note": (
        "Kelengkapan terendah: isian penting yang paling sedikit terisi di wilayah itu "
        "(arahkan kursor ke angkanya untuk melihat nama isian)."
    ),
    "snapshot.q.all_fields": "Kelengkapan semua isian",
    "snapshot.q.filled": "terisi",
    "snapshot.q.words": "Apa artinya",
    "snapshot.group.identitas_tidak_valid": "Identitas tidak valid",
    "snapshot.group.duplikat": "Duplikat",
    "snapshot.group.tidak_konsisten": "Tidak konsisten",
    "snapshot.group.tanpa_kepala_keluarga": "Tanpa kepala keluarga",
    "snapshot.group.kode_tidak_dikenal": "Kode tidak dikenal",
    "snapshot.group.kolom_kosong": "Isian kosong",
    "snapshot.finding.nik_tidak_valid": (
        "NIK tidak valid: bukan 16 angka, atau kode wilayah/tanggal lahir di dalamnya mustahil."
    ),
    "snapshot.finding.kk_tidak_valid": (
        "Nomor KK tidak valid: bukan 16 angka atau kode wilayahnya salah."
    ),
    "snapshot.finding.nik_ganda": "NIK yang sama dipakai lebih dari satu anggota keluarga.",
    "snapshot.finding.jenis_kelamin_tidak_sesuai_nik": (
        "Jenis kelamin berbeda dengan yang tersirat di NIK (tanggal lahir +40 untuk perempuan)."
    ),
    "snapshot.finding.tanggal_lahir_tidak_sesuai_nik": (
        "Tanggal lahir berbeda dengan yang tertulis di NIK."
    ),
    "snapshot.finding.tanggal_lahir_tidak_wajar": (
        "Tanggal lahir di masa depan atau sebelum tahun 1900."
    ),
    "snapshot.finding.jumlah_anggota_tidak_sesuai": (
        "Jumlah anggota yang tercatat di keluarga berbeda dengan jumlah di set individu."
    ),
    "snapshot.finding.kepala_keluarga_ganda": "Lebih dari satu anggota berstatus kepala keluarga.",
    "snapshot.finding.tanpa_kepala_keluarga": "Keluarga tanpa anggota berstatus kepala keluarga.",
    "snapshot.finding.tanpa_anggota": "Keluarga tanpa satu pun anggota di set individu.",
    "snapshot.finding.kode_tidak_dikenal": (
        "Isian berkode berisi kode yang tidak ada di daftar kode DTSEN."
    ),
    "snapshot.finding.kolom_kosong": "Isian penting dibiarkan kosong.",
    # diff
    "snapshot.d.title": "Perbandingan snapshot",
    "snapshot.d.counts": "Ringkasan perubahan",
    "snapshot.d.same": "Tidak ada perubahan di antara kedua snapshot ini.",
    "snapshot.d.change": "Perubahan",
    "snapshot.d.count": "Jumlah",
    "snapshot.d.kind.keluarga_baru": "Keluarga baru",
    "snapshot.d.kind.keluarga_keluar": "Keluarga keluar",
    "snapshot.d.kind.anggota_baru": "Anggota baru (NIK)",
    "snapshot.d.kind.anggota_keluar": "Anggota keluar (NIK)",
    "snapshot.d.kind.pindah_desa": "Keluarga pindah desa",
    "snapshot.d.kind.perubahan_desil": "Keluarga berubah desil",
    "snapshot.d.matrix": "Perpindahan desil nasional (keluarga)",
    "snapshot.d.matrix_note": "Baris: desil di snapshot lama; kolom: desil di snapshot baru.",
    "snapshot.d.blank": "Kosong",
    "snapshot.d.lists": "Contoh perubahan",
    "snapshot.d.lists_note": (
        "Paling banyak {n} baris per jenis; NIK dan No. KK disamarkan. Daftar lengkap: "
        "perintah padu register diff --out."
    ),
    "snapshot.d.kk": "No. KK",
    "snapshot.d.nik": "NIK",
    "snapshot.d.old": "Lama",
    "snapshot.d.new": "Baru",
    "snapshot.d.place_desil": "Desa, desil",
    "snapshot.d.pick": "Pilih dua snapshot yang berbeda untuk dibandingkan.",
    # import
    "snapshot.i.title": "Impor snapshot register",
    "snapshot.i.intro": (
        "Unggah ekstrak DTSEN: satu berkas keluarga dan satu berkas individu (CSV, XLSX atau "
        "Parquet, seperti padu register import). Impor diterima utuh atau ditolak utuh: "
        "bila ada baris yang salah, tidak ada yang tersimpan."
    ),
    "snapshot.i.keluarga": "Berkas keluarga",
    "snapshot.i.individu": "Berkas individu",
    "snapshot.i.date": "Tanggal data",
    "snapshot.i.date_hint": "Tanggal ekstrak DTSEN, misalnya 23-01-2026.",
    "snapshot.i.label": "Label (boleh kosong)",
    "snapshot.i.label_hint": "Bawaan: \u201cDTSEN per TANGGAL\u201d.",
    "snapshot.i.limit": "Batas ukuran {mb} per berkas.",
    "snapshot.i.submit": "Unggah dan impor",
    "snapshot.i.refused": "Unggahan ditolak",
    "snapshot.i.bad_date": "Tanggal data",
    "snapshot.i.missing_file": "{what}: belum dipilih",
    "snapshot.j.title": "Impor #{id}",
    "snapshot.j.state.antri": "Menunggu giliran",
    "snapshot.j.state.berjalan": "Sedang berjalan",
    "snapshot.j.state.selesai": "Selesai",
    "snapshot.j.state.gagal": "Ditolak / gagal",
    "snapshot.j.by": "Diunggah oleh",
    "snapshot.j.files": "Berkas",
    "snapshot.j.step": "Langkah",
    "snapshot.j.done": "Impor selesai: snapshot baru tersimpan.",
    "snapshot.j.open": "Buka laporan kualitas snapshot",
    "snapshot.j.rejected": "Impor ditolak; tidak ada yang tersimpan.",
    "snapshot.j.problems": "Masalah yang harus diperbaiki",
    "snapshot.j.shown": "Ditampilkan {n} dari {total} masalah.",
    "snapshot.j.file": "Berkas",
    "snapshot.j.row": "Baris",
    "snapshot.j.column": "Kolom",
    "snapshot.j.value": "Nilai",
    "snapshot.j.reason": "Alasan",
    "snapshot.j.again": "Unggah lagi",
    "snapshot.j.live": "Halaman ini diperbarui sendiri; tidak perlu dimuat ulang.",
    "snapshot.j.none": "Belum ada impor lewat halaman ini.",
    "snapshot.j.when": "Waktu",
    "snapshot.j.result": "Hasil",
}

EN = {
    "snapshot.title": "Snapshots & quality",
    "snapshot.forbidden": (
        "The snapshot and data quality pages are for admins and data operators only. "
        "Ask a Padu admin if you need them."
    ),
    "snapshot.intro": "Each DTSEN register import becomes a new snapshot; none is overwritten.",
    "snapshot.list": "Snapshots",
    "snapshot.none": "No snapshot yet. Import a DTSEN register to begin.",
    "snapshot.label": "Label",
    "snapshot.date": "Data date",
    "snapshot.imported": "Imported",
    "snapshot.by": "by",
    "snapshot.families": "Families",
    "snapshot.individuals": "Persons",
    "snapshot.findings": "Findings",
    "snapshot.hash": "Content hash",
    "snapshot.hash_note": (
        "Content hash: SHA-256 of the source files (first 12 characters), equal for equal "
        "extracts; \u201c-\u201d when imported from the command line."
    ),
    "snapshot.reference": "Reference",
    "snapshot.reference_for": "reference of",
    "snapshot.latest": "latest",
    "snapshot.quality": "Quality",
    "snapshot.open_quality": "view quality",
    "snapshot.import": "Import a new snapshot",
    "snapshot.compare": "Compare two snapshots",
    "snapshot.from": "From (old)",
    "snapshot.to": "To (new)",
    "snapshot.compare_go": "Compare",
    "snapshot.recent_jobs": "Recent imports",
    "snapshot.back": "Back to the snapshots",
    "snapshot.q.title": "Snapshot quality",
    "snapshot.q.summary": "Findings",
    "snapshot.q.none": "No quality findings in this snapshot.",
    "snapshot.q.dup_values": "Distinct NIKs used by more than one person",
    "snapshot.q.by_kabupaten": "Findings by regency/city",
    "snapshot.q.by_kecamatan": "Findings by district",
    "snapshot.q.by_desa": "Findings by village",
    "snapshot.q.region": "Region",
    "snapshot.q.total": "Findings",
    "snapshot.q.lowest": "Lowest completeness",
    "snapshot.q.drill": "Click a region's name for its breakdown.",
    "snapshot.q.province": "Whole province",
    "snapshot.q.up": "Up to",
    "snapshot.q.sum": "Total",
    "snapshot.q.completeness": "Completeness of key fields",
    "snapshot.q.completeness_note": "Share of rows filled in. Cells under 90 % are marked pink.",
    "snapshot.q.field": "Field",
    "snapshot.q.all": "All",
    "snapshot.q.file_notes": "File notes",
    "snapshot.q.completeness_region": "Completeness of key fields by region",
    "snapshot.q.lowest_note": (
        "Lowest completeness: the key field least filled in that region (hover over the "
        "figure for its name)."
    ),
    "snapshot.q.all_fields": "Completeness of every field",
    "snapshot.q.filled": "filled",
    "snapshot.q.words": "What it means",
    "snapshot.group.identitas_tidak_valid": "Invalid identifiers",
    "snapshot.group.duplikat": "Duplicates",
    "snapshot.group.tidak_konsisten": "Inconsistent",
    "snapshot.group.tanpa_kepala_keluarga": "No family head",
    "snapshot.group.kode_tidak_dikenal": "Unknown codes",
    "snapshot.group.kolom_kosong": "Blank fields",
    "snapshot.finding.nik_tidak_valid": (
        "Invalid NIK: not 16 digits, or its region code or birth date is impossible."
    ),
    "snapshot.finding.kk_tidak_valid": "Invalid KK number: not 16 digits or a wrong region code.",
    "snapshot.finding.nik_ganda": "The same NIK is used by more than one member.",
    "snapshot.finding.jenis_kelamin_tidak_sesuai_nik": (
        "Sex differs from the one implied by the NIK (birth day +40 for women)."
    ),
    "snapshot.finding.tanggal_lahir_tidak_sesuai_nik": (
        "Birth date differs from the one in the NIK."
    ),
    "snapshot.finding.tanggal_lahir_tidak_wajar": "Birth date in the future or before 1900.",
    "snapshot.finding.jumlah_anggota_tidak_sesuai": (
        "The family's member count differs from its members in the person file."
    ),
    "snapshot.finding.kepala_keluarga_ganda": "More than one member is the family head.",
    "snapshot.finding.tanpa_kepala_keluarga": "No member is the family head.",
    "snapshot.finding.tanpa_anggota": "A family without any member in the person file.",
    "snapshot.finding.kode_tidak_dikenal": "A coded field holds a code not in the DTSEN list.",
    "snapshot.finding.kolom_kosong": "A key field left blank.",
    "snapshot.d.title": "Snapshot comparison",
    "snapshot.d.counts": "Changes",
    "snapshot.d.same": "Nothing changed between these two snapshots.",
    "snapshot.d.change": "Change",
    "snapshot.d.count": "Count",
    "snapshot.d.kind.keluarga_baru": "New families",
    "snapshot.d.kind.keluarga_keluar": "Families gone",
    "snapshot.d.kind.anggota_baru": "New members (NIK)",
    "snapshot.d.kind.anggota_keluar": "Members gone (NIK)",
    "snapshot.d.kind.pindah_desa": "Families that moved village",
    "snapshot.d.kind.perubahan_desil": "Families whose decile changed",
    "snapshot.d.matrix": "National decile moves (families)",
    "snapshot.d.matrix_note": "Rows: decile in the old snapshot; columns: in the new one.",
    "snapshot.d.blank": "Blank",
    "snapshot.d.lists": "Examples of changes",
    "snapshot.d.lists_note": (
        "At most {n} rows per kind; NIK and KK masked. Full list: padu register diff --out."
    ),
    "snapshot.d.kk": "KK",
    "snapshot.d.old": "Old",
    "snapshot.d.new": "New",
    "snapshot.d.place_desil": "Village, decile",
    "snapshot.d.pick": "Choose two different snapshots to compare.",
    "snapshot.i.title": "Import a register snapshot",
    "snapshot.i.intro": (
        "Upload a DTSEN extract: one family file and one person file (CSV, XLSX or Parquet, "
        "as for padu register import). An import is accepted whole or refused whole: if "
        "any row is wrong, nothing is stored."
    ),
    "snapshot.i.keluarga": "Family file",
    "snapshot.i.individu": "Person file",
    "snapshot.i.date": "Data date",
    "snapshot.i.date_hint": "The date of the DTSEN extract, e.g. 23-01-2026.",
    "snapshot.i.label": "Label (optional)",
    "snapshot.i.label_hint": "Default: \u201cDTSEN per DATE\u201d.",
    "snapshot.i.limit": "At most {mb} per file.",
    "snapshot.i.submit": "Upload and import",
    "snapshot.i.refused": "Upload refused",
    "snapshot.i.bad_date": "Data date",
    "snapshot.i.missing_file": "{what}: not chosen",
    "snapshot.j.title": "Import #{id}",
    "snapshot.j.state.antri": "Queued",
    "snapshot.j.state.berjalan": "Running",
    "snapshot.j.state.selesai": "Done",
    "snapshot.j.state.gagal": "Refused / failed",
    "snapshot.j.by": "Uploaded by",
    "snapshot.j.files": "Files",
    "snapshot.j.step": "Step",
    "snapshot.j.done": "Import done: a new snapshot is stored.",
    "snapshot.j.open": "Open the snapshot's quality report",
    "snapshot.j.rejected": "Import refused; nothing was stored.",
    "snapshot.j.problems": "Problems to fix",
    "snapshot.j.shown": "Showing {n} of {total} problems.",
    "snapshot.j.file": "File",
    "snapshot.j.row": "Row",
    "snapshot.j.column": "Column",
    "snapshot.j.value": "Value",
    "snapshot.j.reason": "Reason",
    "snapshot.j.again": "Upload again",
    "snapshot.j.live": "This page updates by itself; no need to reload.",
    "snapshot.j.none": "No imports through this page yet.",
    "snapshot.j.when": "When",
    "snapshot.j.result": "Result",
}
