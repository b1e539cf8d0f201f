"""The words of the web pages in Bahasa Indonesia (the default) and English.

A small dictionary per language is enough for part 1: templates call ``t("key")``.
A missing English word falls back to the Indonesian one, and a missing key shows the key
itself, so a forgotten entry is visible on the page and in the tests.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

Lang = Literal["id", "en"]
LANGS: tuple[Lang, ...] = ("id", "en")
COOKIE = "lang"

WORDS: dict[str, dict[str, str]] = {
    "id": {
        "app": "Padu",
        "app.tagline": "Data terpadu penanggulangan kemiskinan Kalimantan Utara",
        "nav.beranda": "Beranda",
        "nav.kemiskinan": "Kemiskinan multidimensi",
        "nav.snapshot": "Snapshot & kualitas",
        "nav.keluarga": "Cari keluarga",
        "nav.pengguna": "Pengguna",
        "nav.audit": "Audit",
        "nav.logout": "Keluar",
        "nav.language": "English",
        "login.title": "Masuk",
        "login.username": "Nama pengguna",
        "login.password": "Kata sandi",
        "login.submit": "Masuk",
        "login.failed": "Nama pengguna atau kata sandi salah.",
        "login.throttled": (
            "Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam {menit} menit."
        ),
        "login.expired": "Sesi Anda berakhir. Silakan masuk lagi.",
        "login.logged_out": "Anda sudah keluar.",
        "login.note": "Data ini memuat data pribadi (UU 27/2022). Gunakan hanya untuk tugas Anda.",
        "user.role": "Peran",
        "role.admin": "Admin",
        "role.operator": "Operator",
        "role.opd": "OPD",
        "role.viewer": "Pembaca",
        "beranda.title": "Beranda",
        "beranda.snapshot": "Snapshot",
        "beranda.date": "tanggal data",
        "beranda.measure": "Ukuran",
        "beranda.no_snapshot": (
            "Belum ada snapshot register. Operator dapat mengimpor register terlebih dahulu."
        ),
        "beranda.province": "Provinsi Kalimantan Utara",
        "beranda.families": "Keluarga",
        "beranda.poor_families": "Keluarga miskin multidimensi",
        "beranda.H": "H (tingkat kemiskinan)",
        "beranda.A": "A (intensitas)",
        "beranda.M0": "M0 (indeks)",
        "beranda.H_short": "H",
        "beranda.A_short": "A",
        "beranda.M0_short": "M0",
        "beranda.by_kabupaten": "Per kabupaten/kota",
        "beranda.region": "Wilayah",
        "beranda.top": "Deprivasi terbesar",
        "beranda.top_note": (
            "Persentase keluarga yang miskin multidimensi sekaligus terdeprivasi pada indikator "
            "itu (headcount tersensor)."
        ),
        "beranda.desil": "Sebaran desil nasional (keluarga)",
        "beranda.desil_blank": "Kosong",
        "beranda.total": "Jumlah",
        "beranda.map": "Peta per kecamatan",
        "beranda.indicator": "Indikator",
        "beranda.rate": "tingkat deprivasi",
        "beranda.legend_none": "< 5 keluarga atau tanpa data",
        "beranda.suppressed": (
            "Angka dari kurang dari 5 keluarga disembunyikan (ditulis \u201c< 5\u201d) agar "
            "keluarga tidak dapat dikenali."
        ),
        "beranda.missing": "keluarga tanpa data lengkap (tidak dihitung)",
        "error.title": "Terjadi kesalahan",
        "error.back": "Kembali ke Beranda",
        "error.not_found": "Halaman tidak ditemukan.",
        "error.internal": (
            "Terjadi kesalahan di server. Kejadian ini dicatat; coba lagi atau hubungi admin."
        ),
        "error.csrf": (
            "Formulir ini kedaluwarsa atau tidak sah (token keamanan tidak cocok). "
            "Muat ulang halaman, lalu kirim lagi."
        ),
        "error.login_required": "Silakan masuk terlebih dahulu.",
        "error.bad_request": "Permintaan tidak lengkap atau tidak valid.",
        "footer.data": "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)",
    },
    "en": {
        "app.tagline": "Integrated poverty-reduction data for North Kalimantan",
        "nav.beranda": "Home",
        "nav.kemiskinan": "Multidimensional poverty",
        "nav.snapshot": "Snapshots & quality",
        "nav.keluarga": "Find a family",
        "nav.pengguna": "Users",
        "nav.audit": "Audit",
        "nav.logout": "Log out",
        "nav.language": "Bahasa Indonesia",
        "login.title": "Log in",
        "login.username": "Username",
        "login.password": "Password",
        "login.submit": "Log in",
        "login.failed": "Wrong username or password.",
        "login.throttled": "Too many failed logins. Try again in {menit} minutes.",
        "login.expired": "Your session has ended. Please log in again.",
        "login.logged_out": "You have logged out.",
        "login.note": "This system holds personal data (Law 27/2022). Use it only for your duties.",
        "user.role": "Role",
        "role.viewer": "Viewer",
        "beranda.title": "Home",
        "beranda.date": "data date",
        "beranda.measure": "Measure",
        "beranda.no_snapshot": (
            "No register snapshot yet. An operator must import the register first."
        ),
        "beranda.province": "North Kalimantan Province",
        "beranda.families": "Families",
        "beranda.poor_families": "Multidimensionally poor families",
        "beranda.H": "H (headcount ratio)",
        "beranda.A": "A (intensity)",
        "beranda.M0": "M0 (adjusted headcount)",
        "beranda.by_kabupaten": "By regency/city",
        "beranda.region": "Region",
        "beranda.top": "Largest deprivations",
        "beranda.top_note": (
            "Share of families both multidimensionally poor and deprived in that indicator "
            "(censored headcount)."
        ),
        "beranda.desil": "National welfare decile (families)",
        "beranda.desil_blank": "Blank",
        "beranda.total": "Total",
        "beranda.map": "Map by district (kecamatan)",
        "beranda.indicator": "Indicator",
        "beranda.rate": "deprivation rate",
        "beranda.legend_none": "< 5 families or no data",
        "beranda.suppressed": (
            "Figures from fewer than 5 families are hidden (shown as \u201c< 5\u201d) so that "
            "no family can be recognised."
        ),
        "beranda.missing": "families with incomplete data (not counted)",
        "error.title": "Something went wrong",
        "error.back": "Back to Home",
        "error.not_found": "Page not found.",
        "error.internal": "A server error occurred. It has been logged; try again or ask an admin.",
        "error.csrf": (
            "This form has expired or is not valid (security token mismatch). "
            "Reload the page and submit again."
        ),
        "error.login_required": "Please log in first.",
        "error.bad_request": "The request is incomplete or not valid.",
        "footer.data": "Boundaries: cahyadsn/wilayah_boundaries (MIT)",
    },
}


def _merge_page_words() -> None:
    """Add each page's words (``padu/web/words/<page>.py``: ``ID`` and ``EN`` dicts).

    Each page keeps its own dictionary so page modules never edit one shared file; a key
    defined twice is a mistake and fails at import, naming the key and the page.
    """
    import importlib
    import pkgutil

    from padu.web import words as package

    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for lang, name in (("id", "ID"), ("en", "EN")):
            extra: dict[str, str] = getattr(module, name, {})
            twice = sorted(set(extra) & set(WORDS[lang]))
            if twice:
                raise RuntimeError(f"kata ganda di words/{info.name}.py ({lang}): {twice}")
            WORDS[lang].update(extra)


_merge_page_words()


def pick_lang(value: str | None, default: str = "id") -> Lang:
    """The language a cookie value names; the default for anything else."""
    if value == "en":
        return "en"
    if value == "id":
        return "id"
    return "en" if default == "en" else "id"


def translator(lang: Lang) -> Callable[[str], str]:
    """``t(key)``: the word in ``lang``, else Indonesian, else the key itself."""
    words, base = WORDS[lang], WORDS["id"]

    def t(key: str) -> str:
        return words.get(key) or base.get(key) or key

    return t
