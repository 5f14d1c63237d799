"""Log-ins read from the database, kept per process until a notification drops them.

A read and a notification can cross: a query that started before a change was
committed may return the old rows after the change's notification was handled.
Every read therefore takes a ticket first (`ticket()`), and `store` refuses
rows read under a ticket older than the learner's last drop (or the last
reset). Without that, one unlucky page view would keep a stale entry until the
next change of that learner.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Generic, TypeVar

Identity = TypeVar("Identity")

# Entries per process (about 2 KB each): the learners reading right now, several
# times over. When full, the oldest entry goes.
MAX_ENTRIES = 10_000
# Drops remembered per process to refuse stale stores (see `store`); past this,
# the cache is reset instead (it empties, and reads in flight are refused).
MAX_REMEMBERED_DROPS = 50_000


@dataclass
class CachedLogin(Generic[Identity]):
    """What the log-in query said about one session cookie, when it was read."""

    identity: Identity
    user_id: int
    remember: bool
    created_at: int
    last_seen_at: int
    # Course slug -> public ID of the learner's current certificate (or None):
    # the chapter page of a finished course names it.
    certificates: dict[str, str | None] = field(default_factory=dict)


class LoginCache(Generic[Identity]):
    """Thread-safe; every method is a few dictionary operations under one lock."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, CachedLogin[Identity]] = {}
        self._keys_of_user: dict[int, set[str]] = {}
        self._max_entries = max_entries
        self._clock = 0  # advances on every drop and reset: tickets compare against it
        self._dropped_at: dict[int, int] = {}  # user id -> clock of their last drop
        self._reset_at = 0
        self._listening = False
        self.hits = 0
        self.misses = 0

    # --- reading

    def get(self, key: str) -> CachedLogin[Identity] | None:
        with self._lock:
            entry = self._entries.get(key) if self._listening else None
            if entry is None:
                self.misses += 1
            else:
                self.hits += 1
            return entry

    def ticket(self) -> int:
        """Take before reading the database for `store` (see the module docstring)."""
        with self._lock:
            return self._clock

    def store(self, key: str, ticket: int, entry: CachedLogin[Identity]) -> bool:
        """Keep `entry` unless it may predate a change; True if kept."""
        with self._lock:
            if not self._fresh(ticket, entry.user_id):
                return False
            if key not in self._entries and len(self._entries) >= self._max_entries:
                self._forget(next(iter(self._entries)))
            self._entries[key] = entry
            self._keys_of_user.setdefault(entry.user_id, set()).add(key)
            return True

    def store_certificate(self, key: str, ticket: int, course_slug: str, public_id: str | None) -> None:
        """Note the current certificate of a cached learner for a course."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self._fresh(ticket, entry.user_id):
                entry.certificates[course_slug] = public_id

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def listening(self) -> bool:
        return self._listening

    # --- what the listener says

    def drop_user(self, user_id: int) -> None:
        """A row of this learner changed somewhere: forget all their sessions."""
        with self._lock:
            self._clock += 1
            if len(self._dropped_at) >= MAX_REMEMBERED_DROPS:
                self._reset()
                return
            self._dropped_at[user_id] = self._clock
            for key in self._keys_of_user.pop(user_id, ()):
                self._entries.pop(key, None)

    def reset(self) -> None:
        """Forget everything (a whole table changed, or the listener reconnected)."""
        with self._lock:
            self._reset()

    def suspend(self) -> None:
        """The listener is not connected: changes may go unheard, so answer nothing."""
        with self._lock:
            self._listening = False
            self._reset()

    def resume(self) -> None:
        """The listener is connected again: start empty, heard from now on."""
        with self._lock:
            self._reset()
            self._listening = True

    # --- under the lock

    def _fresh(self, ticket: int, user_id: int) -> bool:
        return (self._listening and ticket >= self._reset_at
                and ticket >= self._dropped_at.get(user_id, -1))

    def _reset(self) -> None:
        self._clock += 1
        self._reset_at = self._clock
        self._entries.clear()
        self._keys_of_user.clear()
        self._dropped_at.clear()

    def _forget(self, key: str) -> None:
        entry = self._entries.pop(key)
        keys = self._keys_of_user.get(entry.user_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_of_user[entry.user_id]
