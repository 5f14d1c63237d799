"""Rate-limit counters in a SQLite file, shared by every worker of one machine.

The `limits` library's default, `memory://`, keeps one set of counters per
process: with 2 gunicorn workers "10 per minute" let 20 attempts through, as
many as the worker that answered had not yet seen. This storage (the default,
`instance/ratelimits.db`) keeps them in one small file instead; several
servers need Redis (RATELIMIT_STORAGE_URI=redis://...).

Only the fixed-window operations Flask-Limiter uses are implemented. Each is
one statement on a connection of the current thread and process (counters
are never shared across a fork); WAL and a busy timeout let workers write in
turn. Counting costs ~50 µs and happens only on the POSTs that are limited.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import closing
from typing import Any

from limits.storage import Storage

SCHEME = "courseware+sqlite"
# Expired counters are deleted every this many increments of a process.
_PURGE_EVERY = 500
_CREATE_SECONDS = 5
_CREATE_TABLE = ("CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY, "
                 "count INTEGER NOT NULL, expires REAL NOT NULL)")


def storage_uri(path: os.PathLike[str] | str) -> str:
    return f"{SCHEME}://{os.fspath(path)}"


class SQLiteFileStorage(Storage):
    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str, wrap_exceptions: bool = False, **options: Any) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.path = uri.split("://", 1)[1]
        self._create_file()
        self._local = threading.local()
        self._increments = 0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _create_file(self) -> None:
        """Switch the file to WAL and create its table once, when the app is built
        (before gunicorn forks its workers).

        Done lazily by each worker's first limited POST instead, two connections
        switching a new file to WAL at the same moment made one fail at once with
        "database is locked" (SQLite does not wait there): a launch's very first
        sign-up got a 503. Two servers starting together still race here, so a
        locked file is tried again for a few seconds.
        """
        deadline = time.monotonic() + _CREATE_SECONDS
        while True:
            try:
                with closing(sqlite3.connect(self.path, timeout=_CREATE_SECONDS,
                                             isolation_level=None)) as connection:
                    connection.execute("PRAGMA journal_mode=WAL")  # kept by the file
                    connection.execute(_CREATE_TABLE)
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    def _db(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None or self._local.pid != os.getpid():
            connection = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection, self._local.pid = connection, os.getpid()
        return connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        db = self._db()
        # One statement, so concurrent workers never lose a count.
        (count,) = db.execute(
            "INSERT INTO counters (key, count, expires) VALUES (?1, ?2, ?3) "
            "ON CONFLICT (key) DO UPDATE SET "
            "count = CASE WHEN expires <= ?4 THEN ?2 ELSE count + ?2 END, "
            "expires = CASE WHEN expires <= ?4 THEN ?3 ELSE expires END "
            "RETURNING count",
            (key, amount, now + expiry, now),
        ).fetchone()
        self._increments += 1
        if self._increments % _PURGE_EVERY == 0:
            db.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(count)

    def get(self, key: str) -> int:
        row = self._db().execute("SELECT count FROM counters WHERE key = ? AND expires > ?",
                                 (key, time.time())).fetchone()
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        row = self._db().execute("SELECT expires FROM counters WHERE key = ? AND expires > ?",
                                 (key, now)).fetchone()
        return float(row[0]) if row else now

    def check(self) -> bool:
        try:
            self._db().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._db().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._db().execute("DELETE FROM counters WHERE key = ?", (key,))
