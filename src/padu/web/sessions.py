"""Signed session cookies: who is logged in, the form token, and when the session began.

Every visitor gets a session (an anonymous one before logging in) so the login form
carries a CSRF token too. The cookie holds ``{"sid", "csrf", "u", "pc", "t0"}`` signed with
itsdangerous; nothing secret is in it, and a change to any byte breaks the signature.
A session ends after ``session_idle_minutes`` without a request (the signature's age: each
request re-signs a cookie older than a minute) and, however busy, ``session_absolute_hours``
after it began (``t0``), so a stolen cookie cannot be kept alive for ever.

Logging in always starts a new session (new id, new token: no session fixation).
Sessions are stateless, so logging out must be remembered by the server: the id is revoked
in memory and appended to ``PADU_HOME/web-revoked.txt`` until it would have expired
anyway, so a copied cookie is useless afterwards, also after a restart. Only logged-in
sessions are revoked (an anonymous one grants nothing), which keeps that list as short as
the number of logouts in the last hours. Cookie flags: HttpOnly, SameSite=Lax, Path=/,
Secure when the request came over https.

The CSRF token a page carries is masked afresh on every render (BREACH): the secret token
XOR a random pad, sent as ``pad + masked``, so a gzipped page never repeats a secret an
attacker could recover byte by byte from the compressed size. :meth:`Session.token_matches`
unmasks what comes back.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

COOKIE = "padu_sesi"
#: the form field and header carrying the CSRF token
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
#: re-sign the cookie when it is older than this (seconds), to slide the idle expiry
REFRESH_AFTER = 60
#: bytes of the CSRF secret
TOKEN_BYTES = 32
REVOKED_FILE = "web-revoked.txt"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def mask_token(secret: str) -> str:
    """``secret`` (URL-safe base64) XOR a fresh random pad, as ``pad + masked`` in base64."""
    raw = _unb64(secret)
    pad = secrets.token_bytes(len(raw))
    return _b64(pad + bytes(a ^ b for a, b in zip(pad, raw, strict=True)))


def unmask_token(given: str) -> str | None:
    """The secret inside a masked token; None when ``given`` is not one."""
    try:
        raw = _unb64(given)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != 2 * TOKEN_BYTES:
        return None
    pad, masked = raw[:TOKEN_BYTES], raw[TOKEN_BYTES:]
    return _b64(bytes(a ^ b for a, b in zip(pad, masked, strict=True)))


@dataclass(frozen=True)
class Session:
    """One browser's session: an id, the CSRF secret, the user (None before login)."""

    sid: str
    secret: str
    user: str | None = None
    #: when the user's password last changed, at login: a later change ends the session
    stamp: str | None = None
    #: when the session began (epoch seconds): the absolute lifetime counts from here
    issued: float = 0.0
    #: seconds since the cookie was signed (0 for a session made in this request)
    age: float = 0.0
    #: made in this request (so the response must set the cookie)
    new: bool = False

    @property
    def csrf(self) -> str:
        """The CSRF token for a page to carry: masked with a fresh pad on every read, so
        read it once per response (``render`` does)."""
        return mask_token(self.secret)

    def token_matches(self, given: str | None) -> bool:
        """Whether ``given`` is a masked form of this session's token (constant time)."""
        if not given:
            return False
        secret = unmask_token(str(given))
        return secret is not None and hmac.compare_digest(self.secret, secret)


def new_session(user: str | None = None, stamp: str | None = None) -> Session:
    """A fresh session with a new id and token, beginning now."""
    return Session(
        secrets.token_urlsafe(16),
        _b64(secrets.token_bytes(TOKEN_BYTES)),
        user,
        stamp,
        issued=time.time(),
        age=0.0,
        new=True,
    )


class SessionCodec:
    """Signs and reads session cookies; remembers revoked session ids (in memory and, when
    given ``home``, in ``home/web-revoked.txt`` so that a restart keeps them)."""

    def __init__(
        self,
        secret: str,
        idle_seconds: int,
        absolute_seconds: int | None = None,
        home: Path | None = None,
    ) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="padu.session")
        self.idle_seconds = idle_seconds
        self.absolute_seconds = absolute_seconds or 12 * 3600
        self._revoked: dict[str, float] = {}  # sid -> when it would expire anyway
        self._lock = threading.Lock()
        self._file = Path(home) / REVOKED_FILE if home is not None else None
        self._load_revoked()

    def dumps(self, session: Session) -> str:
        return self._signer.dumps(
            {
                "sid": session.sid,
                "csrf": session.secret,
                "u": session.user,
                "pc": session.stamp,
                "t0": round(session.issued),
            }
        )

    def max_age(self, session: Session) -> int:
        """Seconds the cookie should live: the idle limit, or less near the absolute end."""
        left = session.issued + self.absolute_seconds - time.time()
        return max(0, min(self.idle_seconds, int(left)))

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
        issued = data.get("t0")
        if not isinstance(issued, int | float) or time.time() - issued > self.absolute_seconds:
            return None
        user, stamp = data.get("u"), data.get("pc")
        return Session(
            sid=str(data["sid"]),
            secret=str(data["csrf"]),
            user=str(user) if user else None,
            stamp=str(stamp) if stamp else None,
            issued=float(issued),
            age=max(0.0, time.time() - signed.timestamp()),
        )

    def revoke(self, session: Session) -> None:
        """Refuse this session from now on (logout), until it would have expired anyway."""
        now = time.time()
        until = min(now + self.idle_seconds, session.issued + self.absolute_seconds)
        with self._lock:
            self._revoked = {s: t for s, t in self._revoked.items() if t > now}
            self._revoked[session.sid] = until
            if self._file is not None:
                self._file.parent.mkdir(parents=True, exist_ok=True)
                with self._file.open("a", encoding="utf-8") as fh:
                    fh.write(f"{session.sid}\t{until:.0f}\n")

    def revoked(self, sid: str) -> bool:
        with self._lock:
            until = self._revoked.get(sid)
        return until is not None and until > time.time()

    def _load_revoked(self) -> None:
        """Read the revocations still in force and rewrite the file with only those."""
        if self._file is None or not self._file.exists():
            return
        now = time.time()
        for line in self._file.read_text(encoding="utf-8").splitlines():
            sid, _, until = line.partition("\t")
            with contextlib.suppress(ValueError):
                if float(until) > now:
                    self._revoked[sid] = float(until)
        temp = self._file.with_name(f".{self._file.name}.{secrets.token_hex(4)}.tmp")
        temp.write_text("".join(f"{s}\t{t:.0f}\n" for s, t in self._revoked.items()), "utf-8")
        os.replace(temp, self._file)
