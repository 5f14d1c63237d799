"""Server-side login sessions: one row per log-in, so ending it really ends it. No Flask here.

The session cookie and the "remember me" cookie carry `<user id>:<random key>`,
a new key at every log-in. The `login_sessions` table holds the key's SHA-256:
logging out deletes the row, so a copy of either cookie taken before stops
working; "log out everywhere" and a password change delete every row of the
learner. A session also ends after SESSION_IDLE_TIMEOUT without a request and
SESSION_MAX_AGE after log-in ("remember me": REMEMBER_ME_MAX_AGE after log-in).

The check costs no extra round trip: accounts.load_identity joins this table in
the query that loads the learner and their progress. "Last seen" is written at
most once every TOUCH_INTERVAL seconds per session, so a reading learner causes
one small UPDATE every few minutes, not one per page.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, or_, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import LoginSession

_sessions = LoginSession.__table__

# At most one "last seen" write per session this often (seconds).
TOUCH_INTERVAL = 300


@dataclass(frozen=True)
class SessionLifetimes:
    """How long a log-in lasts, in seconds (from courseware/config.py)."""

    idle: int  # without any request
    absolute: int  # after log-in, however active
    remembered: int  # after log-in with "remember me" (no idle limit: the device is trusted)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SessionLifetimes:
        return cls(idle=int(config["SESSION_IDLE_TIMEOUT"]), absolute=int(config["SESSION_MAX_AGE"]),
                   remembered=int(config["REMEMBER_ME_MAX_AGE"]))

    @property
    def touch_interval(self) -> int:
        # An idle limit of a few minutes (tests, kiosks) still gets a fresh "last seen".
        return max(1, min(TOUCH_INTERVAL, self.idle // 4))


def now_seconds() -> int:
    return int(time.time())


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(session: Session, user_id: int, *, remember: bool,
                  lifetimes: SessionLifetimes, now: int | None = None) -> str:
    """Record a new log-in and return its random key (for the cookie; never stored)."""
    now = now_seconds() if now is None else now
    key = secrets.token_urlsafe(32)
    # Sessions of this learner that ran out are deleted here, so the table holds
    # live sessions (and those of learners who never came back) only.
    session.execute(delete(_sessions).where(_sessions.c.user_id == user_id, _expired(lifetimes, now)))
    session.execute(insert(_sessions).values(
        user_id=user_id, key_hash=key_hash(key), remember=remember, created_at=now, last_seen_at=now))
    session.commit()
    return key


def _expired(lifetimes: SessionLifetimes, now: int):  # type: ignore[no-untyped-def]
    c = _sessions.c
    return or_(
        (c.remember.is_(False) & ((c.created_at < now - lifetimes.absolute)
                                  | (c.last_seen_at < now - lifetimes.idle))),
        (c.remember.is_(True) & (c.created_at < now - lifetimes.remembered)),
    )


def is_live(lifetimes: SessionLifetimes, *, remember: bool, created_at: int, last_seen_at: int,
            now: int) -> bool:
    """Whether a session found in the table is still within its lifetimes."""
    if remember:
        return now - created_at <= lifetimes.remembered
    return now - created_at <= lifetimes.absolute and now - last_seen_at <= lifetimes.idle


def touch(connection: Connection, session_id: int, now: int) -> None:
    """Note a request on a session (the caller throttles: see TOUCH_INTERVAL)."""
    connection.execute(update(_sessions).where(_sessions.c.id == session_id).values(last_seen_at=now))


def forget(connection: Connection, session_id: int) -> None:
    """Drop a session found expired."""
    connection.execute(delete(_sessions).where(_sessions.c.id == session_id))


def end_session(session: Session, key: str) -> None:
    """Log-out: the cookies holding this key stop working, wherever they were copied."""
    session.execute(delete(_sessions).where(_sessions.c.key_hash == key_hash(key)))
    session.commit()


def end_all_sessions(session: Session, user_id: int, *, keep_key: str | None = None,
                     commit: bool = True) -> None:
    """Log the learner out on every device (but the one holding `keep_key`, if given)."""
    statement = delete(_sessions).where(_sessions.c.user_id == user_id)
    if keep_key is not None:
        statement = statement.where(_sessions.c.key_hash != key_hash(keep_key))
    session.execute(statement)
    if commit:
        session.commit()
