"""Password hashing and the password rules, through a maintained argon2 library (pwdlib).

Nothing here stores anything: the service keeps the hash in the catalog. The hasher is a
module attribute (:data:`HASHER`) so that the whole process uses one set of parameters, and
a test can watch what is verified.
"""

from __future__ import annotations

import functools
import secrets

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from padu.errors import InputError

MIN_LENGTH = 10
#: argon2 accepts any length, but hashing a megabyte on every login attempt is a cheap way
#: to keep the server busy; no pass phrase needs more than this.
MAX_LENGTH = 1024

#: argon2id with pwdlib's current recommended parameters (64 MiB, 3 passes). A hash made
#: with other parameters still verifies, and :func:`verify` hands back its replacement.
HASHER = PasswordHash((Argon2Hasher(),))


def check_password(password: str, username: str) -> None:
    """InputError when ``password`` breaks a rule: too short or long, or holding the
    account's own name (the first guess of anyone who knows the name)."""
    if len(password) < MIN_LENGTH:
        raise InputError(f"kata sandi terlalu pendek: paling sedikit {MIN_LENGTH} karakter")
    if len(password) > MAX_LENGTH:
        raise InputError(f"kata sandi terlalu panjang: paling banyak {MAX_LENGTH} karakter")
    if username and username.lower() in password.lower():
        raise InputError("kata sandi tidak boleh memuat nama pengguna")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (``$argon2id$...``, salt and parameters inside)."""
    return HASHER.hash(password)


def verify(password: str, hashed: str) -> tuple[bool, str | None]:
    """Whether ``password`` matches ``hashed`` (argon2's comparison is constant-time), and a
    new hash when ``hashed`` was made with outdated parameters (None otherwise)."""
    return HASHER.verify_and_update(password, hashed)


@functools.cache
def dummy_hash() -> str:
    """A hash of a random secret, made once per process: an unknown user's login is checked
    against it, so that it costs as long as a known user's."""
    return hash_password(secrets.token_urlsafe(16))
