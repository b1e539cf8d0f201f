"""Login rate limiting: after repeated wrong passwords, further attempts wait.

The state is in memory, in the one server process that answers logins: it guards the
password form against guessing, not against a restart. Failures count per username and per
client address separately, so guessing many passwords for one account and one password for
many accounts are both slowed. A refused attempt does not verify the password at all.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

LIMIT = 5
WINDOW_S = 15 * 60.0
LOCKOUT_S = 15 * 60.0
#: Above this many tracked keys, stale ones are dropped on the next call (bounded memory
#: against a flood of made-up usernames).
PRUNE_ABOVE = 10_000


@dataclass
class _Entry:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0


class LoginThrottle:
    """Counts failed logins per username and per client address; thread-safe.

    Use: ``wait = throttle.retry_after(user, addr)``; when it is above zero refuse the
    attempt (HTTP 429) without checking the password; otherwise check it, then call
    :meth:`failure` or :meth:`success`. ``clock`` is injectable for tests (seconds,
    monotonic).
    """

    def __init__(
        self,
        *,
        limit: int = LIMIT,
        window_s: float = WINDOW_S,
        lockout_s: float = LOCKOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.window_s, self.lockout_s = limit, window_s, lockout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str], _Entry] = {}

    @staticmethod
    def _keys(username: str, address: str) -> tuple[tuple[str, str], tuple[str, str]]:
        return ("user", username.strip().lower()), ("addr", address)

    def retry_after(self, username: str, address: str) -> float:
        """Seconds until this username or address may try again (0.0: it may now)."""
        now = self._clock()
        with self._lock:
            waits = [
                entry.locked_until - now
                for key in self._keys(username, address)
                if (entry := self._entries.get(key)) is not None
            ]
        return max([0.0, *waits])

    def allowed(self, username: str, address: str) -> bool:
        return self.retry_after(username, address) <= 0

    def failure(self, username: str, address: str) -> None:
        """Count a wrong password; the attempt that reaches the limit starts the lockout."""
        now = self._clock()
        with self._lock:
            if len(self._entries) > PRUNE_ABOVE:
                self._prune(now)
            for key in self._keys(username, address):
                entry = self._entries.setdefault(key, _Entry())
                while entry.failures and entry.failures[0] <= now - self.window_s:
                    entry.failures.popleft()
                entry.failures.append(now)
                if len(entry.failures) >= self.limit:
                    entry.locked_until = now + self.lockout_s
                    entry.failures.clear()

    def success(self, username: str, address: str) -> None:
        """A correct password: the account's count starts again. The address keeps its
        count, so one known password does not reset guessing at other accounts."""
        with self._lock:
            self._entries.pop(self._keys(username, address)[0], None)

    def _prune(self, now: float) -> None:
        stale = [
            key
            for key, e in self._entries.items()
            if e.locked_until <= now and (not e.failures or e.failures[-1] <= now - self.window_s)
        ]
        for key in stale:
            del self._entries[key]
