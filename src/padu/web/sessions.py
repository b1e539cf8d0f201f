"""Signed session cookies: who is logged in, the form token, and when it was last used.

Every visitor gets a session (an anonymous one before logging in) so the login form
carries a CSRF token too. The cookie holds ``{"sid", "csrf", "user"}`` signed with
itsdangerous; nothing secret is in it, and a change to any byte breaks the signature.
Idle expiry is the signature's age: each request re-signs a cookie older than a minute,
so a session dies after ``session_idle_minutes`` without a request.

Logging in always starts a new session (new id, new token: no session fixation).
Logging out revokes the id in this process's memory until it would have expired anyway,
so a copied cookie is useless afterwards (a restart forgets revocations: the idle limit
still bounds them). Cookie flags: HttpOnly, SameSite=Lax, Path=/, Secure when the request
came over https.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COOKIE = "padu_sesi"
#: the form field and header carrying the CSRF token
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: re-sign the cookie when it is older than this (seconds), to slide the idle expiry
REFRESH_AFTER = 60


@dataclass(frozen=True)
class Session:
    """One browser's session: an id, the CSRF token, the user (None before login)."""

    sid: str
    csrf: str
    user: str | None = None
    #: when the user's password last changed, at login: a later change ends the session
    stamp: str | None = None
    #: seconds since the cookie was signed (0 for a session made in this request)
    age: float = 0.0
    #: made in this request (so the response must set the cookie)
    new: bool = False

    def token_matches(self, given: str | None) -> bool:
        """Whether ``given`` is this session's CSRF token (constant-time comparison)."""
        return bool(given) and hmac.compare_digest(self.csrf, str(given))


def new_session(user: str | None = None, stamp: str | None = None) -> Session:
    """A fresh session with a new id and token."""
    return Session(
        secrets.token_urlsafe(16), secrets.token_urlsafe(32), user, stamp, age=0.0, new=True
    )


class SessionCodec:
    """Signs and reads session cookies; remembers revoked session ids."""

    def __init__(self, secret: str, idle_seconds: int) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="padu.session")
        self.idle_seconds = idle_seconds
        self._revoked: dict[str, float] = {}  # sid -> when it would expire
        self._lock = threading.Lock()

    def dumps(self, session: Session) -> str:
        return self._signer.dumps(
            {"sid": session.sid, "csrf": session.csrf, "u": session.user, "pc": session.stamp}
        )

    def loads(self, cookie: str | None) -> Session | None:
        """The session in a cookie; None if absent, forged, expired or revoked."""
        if not cookie:
            return None
        try:
            data, signed = self._signer.loads(
                cookie, max_age=self.idle_seconds, return_timestamp=True
            )
        except (SignatureExpired, BadSignature):
            return None
        if not isinstance(data, dict) or self.revoked(str(data.get("sid"))):
            return None
        user, stamp = data.get("u"), data.get("pc")
        return Session(
            sid=str(data["sid"]),
            csrf=str(data["csrf"]),
            user=str(user) if user else None,
            stamp=str(stamp) if stamp else None,
            age=max(0.0, time.time() - signed.timestamp()),
        )

    def revoke(self, sid: str) -> None:
        """Refuse this session id from now on (logout)."""
        now = time.time()
        with self._lock:
            self._revoked = {s: t for s, t in self._revoked.items() if t > now}
            self._revoked[sid] = now + self.idle_seconds

    def revoked(self, sid: str) -> bool:
        with self._lock:
            until = self._revoked.get(sid)
        return until is not None and until > time.time()
