"""The web app's settings: Padu's one settings object plus what only a server needs.

``WebSettings`` extends :class:`padu.settings.Settings` (same ``PADU_`` environment
variables), so the stores are configured exactly as for the CLI. The session secret is
never a default: given as ``PADU_SECRET_KEY``, or else generated once into
``PADU_HOME/web-secret.key`` (mode 0600), so sessions survive a restart and two servers
on one home sign alike.
"""

from __future__ import annotations

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
    #: honour ``X-Forwarded-Proto``/``X-Forwarded-For`` (only behind a proxy you run)
    trust_proxy: bool = False
    language: str = "id"

    def session_secret(self) -> str:
        """The key that signs session cookies: given, or read/created in ``home``."""
        if self.secret_key:
            if len(self.secret_key) < MIN_SECRET:
                raise UsageError(
                    f"PADU_SECRET_KEY terlalu pendek (minimal {MIN_SECRET} karakter acak)"
                )
            return self.secret_key
        path = Path(self.home) / SECRET_FILE
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another server on this home made it first
            return path.read_text(encoding="utf-8").strip()
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(key + "\n")
        return key


def web_settings(settings: Settings) -> WebSettings:
    """``settings`` as web settings (a plain ``Settings`` gains the web defaults)."""
    if isinstance(settings, WebSettings):
        return settings
    return WebSettings(**settings.model_dump())
