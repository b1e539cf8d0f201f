"""Numbers and dates as an Indonesian officer reads them: 10.793, Rp1.500.000, 12,5 %,
23 Januari 2026, 14.05 WITA.

Every count, amount and share that the CLI (and later the web pages) shows goes through
these, so an export never mixes ``44,337`` and ``44.337``.
"""

from __future__ import annotations

import datetime as dt

#: Kalimantan Utara keeps Waktu Indonesia Tengah (UTC+8, no daylight saving).
WITA = dt.timezone(dt.timedelta(hours=8), "WITA")
BULAN = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni",
    "Juli", "Agustus", "September", "Oktober", "November", "Desember",
)  # fmt: skip


def angka(n: object) -> str:
    """A whole number with dots between thousands: ``10793`` -> ``10.793`` (text as it is)."""
    if not isinstance(n, int | float):
        return str(n)
    return f"{round(n):,}".replace(",", ".")


def rupiah(n: object) -> str:
    """An amount in rupiah: ``1500000`` -> ``Rp1.500.000``."""
    return "Rp" + angka(n)


def desimal(x: float, digits: int = 2) -> str:
    """A decimal with a comma: ``12.5`` -> ``12,50``; thousands with dots."""
    text = f"{x:,.{digits}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def persen(x: float, digits: int = 2) -> str:
    """A share given as a percentage number: ``12.5`` -> ``12,50 %``."""
    return f"{desimal(x, digits)} %"


def tanggal(d: dt.date) -> str:
    """A date in words: ``23 Januari 2026``."""
    return f"{d.day} {BULAN[d.month - 1]} {d.year}"


def waktu_wita(moment: dt.datetime | None = None) -> str:
    """A moment in Kaltara's time: ``30 November 2026, 09.05 WITA`` (naive means UTC)."""
    moment = moment or dt.datetime.now(dt.UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    local = moment.astimezone(WITA)
    return f"{tanggal(local.date())}, {local:%H.%M} WITA"


def tanggal_teks(value: object) -> str:
    """A date, datetime or ISO date text in words; ``-`` for nothing, other text as it is."""
    if value is None or value == "":
        return "-"
    if isinstance(value, dt.datetime):
        return tanggal(value.date())
    if isinstance(value, dt.date):
        return tanggal(value)
    text = str(value)
    try:
        return tanggal(dt.date.fromisoformat(text[:10]))
    except ValueError:
        return text


_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y")


def baca_tanggal(text: str) -> dt.date:
    """A date as an officer types it: ``23-01-2026``, ``23/01/2026`` or ``2026-01-23``.

    Raises ``ValueError`` naming the accepted forms when ``text`` is none of them.
    """
    cleaned = text.strip()
    for form in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
    raise ValueError(
        f"bukan tanggal: {text!r} (tulis HH-BB-TTTT, HH/BB/TTTT atau TTTT-BB-HH, "
        "misalnya 23-01-2026)"
    )
