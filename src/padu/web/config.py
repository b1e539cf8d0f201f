"""The web app's settings: Padu's one settings object plus what only a server needs.

``WebSettings`` extends :class:`padu.settings.Settings` (same ``PADU_`` environment
variables), so the stores are configured exactly as for the CLI. The session secret is
never a default: given as ``PADU_SECRET_KEY``, or else generated once into
``PADU_HOME/web-secret.key`` (mode 0600), so sessions survive a restart and two servers
on one home sign alike.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pydantic import Field

from padu.errors import UsageError
from padu.settings import Settings

SECRET_FILE = "web-secret.key"  # noqa: S105 - a file name, not a secret
#: The shortest secret accepted: 32 bytes of randomness as URL-safe text is 43 characters.
MIN_SECRET = 32


class WebSettings(Settings):
    """Settings of ``padu serve`` (environment ``PADU_*``)."""

    secret_key: str | None = None
    #: minutes a session may sit unused before the officer must log in again (8 hours)
    session_idle_minutes: int = Field(default=480, ge=1)
    #: hours after login when a session ends however busy it is (a stolen cookie dies too)
    session_absolute_hours: int = Field(default=12, ge=1)
    #: the largest upload (a multipart form: a register file), in megabytes
    max_upload_mb: int = Field(default=200, ge=1)
    #: days a refused upload's report and rejected rows (personal data) are kept under
    #: ``PADU_HOME/ditolak`` before the server removes them at start-up
    rejects_keep_days: int = Field(default=7, ge=0)
    #: the largest body of any other request (forms, JSON), in kilobytes
    max_body_kb: int = Field(default=256, ge=1)
    #: honour ``X-Forwarded-Proto``/``X-Forwarded-For`` (only behind a proxy you run)
    trust_proxy: bool = False
    language: str = "id"
    #: demo mode (``padu serve --demo``, ``make demo``): only then may the demo accounts,
    #: whose passwords ``make demo`` prints, sign in or use a token
    demo: bool = False
    #: compute the latest snapshot's Beranda and API figures in the background at start-up
    #: (``padu serve`` turns it on; on the full register the first officer would otherwise
    #: wait half a minute)
    warm_up: bool = False

    def session_secret(self) -> str:
        """The key that signs session cookies: given, or read/created in ``home``."""
        if self.secret_key:
            if len(self.secret_key) < MIN_SECRET:
                raise UsageError(
                    f"PADU_SECRET_KEY terlalu pendek (minimal {MIN_SECRET} karakter acak)"
                )
            return self.secret_key
        path = Path(self.home) / SECRET_FILE
        if not path.exists():
            _create_secret(path)
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < MIN_SECRET:  # an empty key would let anyone sign a session cookie
            raise UsageError(
                f"{path} rusak atau terlalu pendek (minimal {MIN_SECRET} karakter): hapus "
                "berkas itu lalu jalankan ulang (semua sesi yang ada berakhir)"
            )
        return key


def _create_secret(path: Path) -> None:
    """Write a new random key, whole or not at all: it is written and synced under a
    temporary name, then linked into place (which fails if another server made one first,
    and then that one is used)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(secrets.token_urlsafe(48) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def web_settings(settings: Settings) -> WebSettings:
    """``settings`` as web settings (a plain ``Settings`` gains the web defaults)."""
    if isinstance(settings, WebSettings):
        return settings
    return WebSettings(**settings.model_dump())
