"""PostgreSQL itself says when what the login cache holds changes (migration
0010): whoever writes (the app, the CLI, psql, a restore), in the writing
transaction, heard on every server once it commits."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import Connection, Engine, delete, insert, text, update

from courseware.login_cache import CHANNEL
from courseware.models import Certificate, ChapterProgress, LoginSession, User
from tests.conftest import POSTGRESQL_ONLY

NOW = datetime(2026, 12, 8, 9, 0, tzinfo=UTC)


@pytest.fixture
def heard(engine: Engine) -> Iterator[Callable[[Callable[[Connection], object]], list[str]]]:
    """Run a change in its own transaction; the payloads a listener heard for it."""
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute(f"LISTEN {CHANNEL}")

        def run(change: Callable[[Connection], object]) -> list[str]:
            with engine.begin() as connection:
                change(connection)
            marker = "end-" + secrets.token_hex(4)
            with engine.begin() as connection:
                connection.execute(text("SELECT pg_notify(:channel, :marker)"),
                                   {"channel": CHANNEL, "marker": marker})
            payloads = []
            for notification in listener.notifies(timeout=10):
                if notification.payload == marker:
                    return payloads
                payloads.append(notification.payload)
            raise AssertionError(f"no marker within 10 s; heard {payloads}")

        yield run


def add_user(connection: Connection, email: str) -> int:
    return connection.execute(insert(User).values(
        email=email, name="Ana", password_hash="x", role="learner", created_at=NOW,
        session_version=1, email_confirmed=True).returning(User.id)).scalar_one()


def new_learner(engine: Engine, email: str) -> int:
    """An account made outside `heard`: a new account sends nothing (tested below), so
    nothing is left for the next change's list."""
    with engine.begin() as connection:
        return add_user(connection, email)


def add_session(connection: Connection, user_id: int, key_hash: str, seen: int = 1000) -> None:
    connection.execute(insert(LoginSession).values(
        user_id=user_id, key_hash=key_hash, remember=False, created_at=1000, last_seen_at=seen))


def add_certificate(connection: Connection, user_id: int | None, public_id: str) -> None:
    connection.execute(insert(Certificate).values(
        public_id=public_id, user_id=user_id, current_key=f"{user_id}:basics", course_slug="basics",
        course_title="Basics", course_language="en", content_version="v1", duration_minutes=60,
        issuer="Courseware", printed_name="Ana", issued_at=NOW, status="valid",
        signer_fingerprint="0" * 64))


@POSTGRESQL_ONLY
def test_accounts_are_heard_when_they_change_not_when_they_are_created(engine, heard):
    ana = new_learner(engine, "ana@example.org")
    assert heard(lambda c: None) == []  # anything the sign-up sent would show here
    users = User.__table__
    assert heard(lambda c: c.execute(update(users).where(users.c.id == ana).values(role="admin"))) \
        == [str(ana)]
    assert heard(lambda c: c.execute(update(users).where(users.c.id == ana).values(locale="fr"))) \
        == [str(ana)]
    assert heard(lambda c: c.execute(delete(users).where(users.c.id == ana))) == [str(ana)]


@POSTGRESQL_ONLY
def test_log_ins_are_heard_when_they_end_not_when_last_seen_moves_on(engine, heard):
    ana, bob = new_learner(engine, "ana@example.org"), new_learner(engine, "bob@example.org")
    sessions = LoginSession.__table__
    assert heard(lambda c: (add_session(c, ana, "a1"), add_session(c, ana, "a2"),
                            add_session(c, bob, "b1"))) == []
    # "Last seen", written every few minutes per reader: nothing cached goes wrong.
    assert heard(lambda c: c.execute(update(sessions).values(last_seen_at=2000))) == []
    # Moved back (an operator forcing an idle log-out) or otherwise changed: heard.
    assert heard(lambda c: c.execute(update(sessions).where(sessions.c.key_hash == "a1")
                                     .values(last_seen_at=10))) == [str(ana)]
    assert heard(lambda c: c.execute(update(sessions).where(sessions.c.key_hash == "a1")
                                     .values(remember=True))) == [str(ana)]
    # Log-out, "log out everywhere" (one notification for the learner, not per device).
    assert heard(lambda c: c.execute(delete(sessions).where(sessions.c.key_hash == "b1"))) == [str(bob)]
    assert heard(lambda c: c.execute(delete(sessions).where(sessions.c.user_id == ana))) == [str(ana)]


@POSTGRESQL_ONLY
def test_progress_is_heard_opened_completed_and_removed(engine, heard):
    ana = new_learner(engine, "ana@example.org")
    progress = ChapterProgress.__table__
    assert heard(lambda c: c.execute(insert(progress).values(
        user_id=ana, course_slug="basics", chapter_slug="welcome", started_at=NOW))) == [str(ana)]
    assert heard(lambda c: c.execute(update(progress).values(completed_at=NOW))) == [str(ana)]
    # An account deleted takes its progress with it (ON DELETE CASCADE): heard too.
    users = User.__table__
    assert heard(lambda c: c.execute(delete(users).where(users.c.id == ana))) == [str(ana)]


@POSTGRESQL_ONLY
def test_certificates_are_heard_for_their_learner_only(engine, heard):
    ana = new_learner(engine, "ana@example.org")
    certificates = Certificate.__table__
    assert heard(lambda c: add_certificate(c, ana, "AAAA-BBBB-CCCC-DDDD")) == [str(ana)]
    assert heard(lambda c: c.execute(update(certificates).values(
        status="revoked", current_key=None))) == [str(ana)]
    # The record of a deleted account stays verifiable, with no learner to tell.
    heard(lambda c: c.execute(update(certificates).values(user_id=None)))
    assert heard(lambda c: c.execute(update(certificates).values(status="valid"))) == []


@POSTGRESQL_ONLY
def test_a_truncated_table_is_heard_as_everyone(engine, heard):
    new_learner(engine, "ana@example.org")
    assert heard(lambda c: c.execute(text("TRUNCATE login_sessions"))) == ["*"]
    assert heard(lambda c: c.execute(text("TRUNCATE users CASCADE"))) == ["*"]


@POSTGRESQL_ONLY
def test_a_change_rolled_back_is_never_heard(engine, heard):
    new_learner(engine, "ana@example.org")
    users = User.__table__

    def change_then_fail(connection: Connection) -> None:
        connection.execute(update(users).values(role="admin"))
        raise RuntimeError("the request failed")

    with pytest.raises(RuntimeError):
        heard(change_then_fail)
    assert heard(lambda c: None) == []
