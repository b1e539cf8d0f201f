"""Login rate limiting: after repeated wrong passwords, further attempts wait.

The state is in memory, in the one server process that answers logins: it guards the
password form against guessing, not against a restart. Failures are counted three ways:

- per (client address, username): 5 in 15 minutes locks *that* pair for 15 minutes, so an
  officer who mistypes locks only themselves, not the whole office behind one NAT address;
- per username, from any address: a higher limit, against guessing one account from many
  addresses;
- per client address, over all usernames: a much higher ceiling, against one machine
  trying a password on many accounts (an office of officers mistyping now and then stays
  far below it).

An attempt in progress counts as a failure until its answer is known (:meth:`begin`), so
fifty parallel guesses cannot all slip past the count while argon2 is still verifying the
first ones. A refused attempt does not verify the password at all.

:class:`HashGate` bounds the argon2 work itself: argon2id takes 64 MiB and tens of
milliseconds per check, so a burst of logins waits for a few slots instead of exhausting
memory and CPU, and beyond a short queue it is refused at once.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

#: failures per (address, username) before that pair waits
LIMIT = 5
#: failures per username, from any address, before the account waits everywhere
USER_LIMIT = 10
#: failures per address, over all usernames, before the address waits
ADDRESS_LIMIT = 50
WINDOW_S = 15 * 60.0
LOCKOUT_S = 15 * 60.0
#: the wait given when the limit is reached only by attempts still being checked
PENDING_WAIT_S = 5.0
#: Above this many tracked keys, stale ones are dropped on the next call (bounded memory
#: against a flood of made-up usernames).
PRUNE_ABOVE = 10_000

Key = tuple[str, ...]


@dataclass
class _Entry:
    failures: deque[float] = field(default_factory=deque)
    locked_until: float = 0.0
    pending: int = 0


class Attempt:
    """One login attempt reserved by :meth:`LoginThrottle.begin`.

    ``wait`` above zero means refused (seconds until another try makes sense). Otherwise
    check the password and report :meth:`failed` or :meth:`succeeded`; an attempt left
    without an answer (an error while checking) is released without counting.
    """

    def __init__(self, throttle: LoginThrottle, keys: list[Key], wait: float) -> None:
        self._throttle, self._keys, self.wait = throttle, keys, wait
        self._open = wait <= 0

    @property
    def refused(self) -> bool:
        return self.wait > 0

    def failed(self) -> None:
        self._close(failed=True)

    def succeeded(self) -> None:
        self._close(failed=False, reset=True)

    def release(self) -> None:
        """Give the slot back without counting (the answer never came)."""
        self._close(failed=False)

    def _close(self, *, failed: bool, reset: bool = False) -> None:
        if self._open:
            self._open = False
            self._throttle._finish(self._keys, failed=failed, reset=reset)


class LoginThrottle:
    """Counts failed logins per (address, username), per username and per address;
    thread-safe.

    Use ``with throttle.attempt(user, addr) as a:``; when ``a.refused``, answer HTTP 429
    without checking the password (``a.wait`` seconds); otherwise check it and call
    ``a.failed()`` or ``a.succeeded()``. :meth:`failure` and :meth:`success` record an
    answer directly. ``clock`` is injectable for tests (seconds, monotonic).
    """

    def __init__(
        self,
        *,
        limit: int = LIMIT,
        user_limit: int = USER_LIMIT,
        address_limit: int = ADDRESS_LIMIT,
        window_s: float = WINDOW_S,
        lockout_s: float = LOCKOUT_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit, self.user_limit, self.address_limit = limit, user_limit, address_limit
        self.window_s, self.lockout_s = window_s, lockout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[Key, _Entry] = {}

    def _limits(self, username: str, address: str) -> list[tuple[Key, int]]:
        name = username.strip().lower()
        return [
            (("pair", address, name), self.limit),
            (("user", name), self.user_limit),
            (("addr", address), self.address_limit),
        ]

    def retry_after(self, username: str, address: str) -> float:
        """Seconds until this username may try again from this address (0.0: now)."""
        now = self._clock()
        with self._lock:
            return self._locked_for(username, address, now)

    def allowed(self, username: str, address: str) -> bool:
        return self.retry_after(username, address) <= 0

    def _locked_for(self, username: str, address: str, now: float) -> float:
        waits = [
            entry.locked_until - now
            for key, _ in self._limits(username, address)
            if (entry := self._entries.get(key)) is not None
        ]
        return max([0.0, *waits])

    def begin(self, username: str, address: str) -> Attempt:
        """Reserve an attempt: refused while locked, or while the failures so far plus the
        attempts still being checked already reach a limit."""
        now = self._clock()
        limits = self._limits(username, address)
        with self._lock:
            wait = self._locked_for(username, address, now)
            if wait > 0:
                return Attempt(self, [], wait)
            if len(self._entries) > PRUNE_ABOVE:
                self._prune(now)
            entries = [(self._entries.setdefault(key, _Entry()), n) for key, n in limits]
            for entry, n in entries:
                self._expire(entry, now)
                if len(entry.failures) + entry.pending >= n:
                    return Attempt(self, [], PENDING_WAIT_S)
            for entry, _ in entries:
                entry.pending += 1
        return Attempt(self, [key for key, _ in limits], 0.0)

    @contextmanager
    def attempt(self, username: str, address: str) -> Iterator[Attempt]:
        """:meth:`begin`, released at the end of the block if it got no answer."""
        reserved = self.begin(username, address)
        try:
            yield reserved
        finally:
            reserved.release()

    def failure(self, username: str, address: str) -> None:
        """Count a wrong password; the attempt that reaches a limit starts its lockout."""
        keys = [key for key, _ in self._limits(username, address)]
        with self._lock:
            if len(self._entries) > PRUNE_ABOVE:
                self._prune(self._clock())
            for key in keys:
                self._entries.setdefault(key, _Entry()).pending += 1
        self._finish(keys, failed=True, reset=False)

    def success(self, username: str, address: str) -> None:
        """A correct password: the pair's and the account's counts start again. The
        address keeps its count, so one known password does not reset guessing at other
        accounts."""
        with self._lock:
            for key, _ in self._limits(username, address)[:2]:
                entry = self._entries.get(key)
                if entry is not None:
                    entry.failures.clear()

    def _finish(self, keys: list[Key], *, failed: bool, reset: bool) -> None:
        now = self._clock()
        limits = dict(self._limits_of(keys))
        with self._lock:
            for key in keys:
                entry = self._entries.setdefault(key, _Entry())
                entry.pending = max(0, entry.pending - 1)
                if reset and key[0] != "addr":
                    entry.failures.clear()
                if not failed:
                    continue
                self._expire(entry, now)
                entry.failures.append(now)
                if len(entry.failures) >= limits[key]:
                    entry.locked_until = now + self.lockout_s
                    entry.failures.clear()

    def _limits_of(self, keys: list[Key]) -> Iterator[tuple[Key, int]]:
        by_kind = {"pair": self.limit, "user": self.user_limit, "addr": self.address_limit}
        for key in keys:
            yield key, by_kind[key[0]]

    def _expire(self, entry: _Entry, now: float) -> None:
        while entry.failures and entry.failures[0] <= now - self.window_s:
            entry.failures.popleft()

    def _prune(self, now: float) -> None:
        stale = [
            key
            for key, e in self._entries.items()
            if e.locked_until <= now
            and e.pending == 0
            and (not e.failures or e.failures[-1] <= now - self.window_s)
        ]
        for key in stale:
            del self._entries[key]


def default_slots() -> int:
    """Argon2 checks allowed at once: the cores, at most 4 (4 x 64 MiB of memory)."""
    return max(1, min(4, os.cpu_count() or 1))


class HashGate:
    """At most ``slots`` password checks at once and at most ``waiting`` more queued for up
    to ``timeout_s``; a check beyond that is refused at once (the caller answers "busy").
    """

    def __init__(self, slots: int | None = None, waiting: int = 16, timeout_s: float = 10.0):
        self.slots = slots or default_slots()
        self._free = threading.BoundedSemaphore(self.slots)
        self._queue = threading.BoundedSemaphore(self.slots + waiting)
        self.timeout_s = timeout_s

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """True inside the block when a slot was had (then check the password), False
        when the server is too busy (then refuse without checking)."""
        if not self._queue.acquire(blocking=False):
            yield False
            return
        try:
            got = self._free.acquire(timeout=self.timeout_s)
            try:
                yield got
            finally:
                if got:
                    self._free.release()
        finally:
            self._queue.release()
