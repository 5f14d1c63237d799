"""The audit log's domain functions: entries survive the actor, newest first, filter by action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from courseware.models import User
from courseware.organisations.audit import count_actions, recent_actions, record_action

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _admin(session: Session) -> User:
    user = User(email="root@example.org", name="Root", password_hash="x", role="admin",
                created_at=T0, session_version=1)
    session.add(user)
    session.flush()
    return user


def test_entries_newest_first_filtered_and_paged(engine: Engine) -> None:
    with Session(engine) as session:
        admin = _admin(session)
        for minute, action in enumerate(["role.grant", "user.delete", "role.grant"]):
            record_action(session, actor=admin, action=action, target=f"user {minute}",
                          detail="learner → instructor", now=T0 + timedelta(minutes=minute))
        session.commit()
        rows = recent_actions(session, limit=10, offset=0)
        assert [row.target for row in rows] == ["user 2", "user 1", "user 0"]
        assert rows[0].actor_email == "root@example.org" and rows[0].detail == "learner → instructor"
        grants = recent_actions(session, limit=1, offset=1, action="role.grant")
        assert [row.target for row in grants] == ["user 0"]
        assert count_actions(session) == 3 and count_actions(session, action="role.grant") == 2


def test_entry_keeps_the_actor_email_after_the_account_is_gone(engine: Engine) -> None:
    with Session(engine) as session:
        admin = _admin(session)
        record_action(session, actor=admin, action="user.delete", target="x", now=T0)
        session.commit()
        session.execute(delete(User).where(User.id == admin.id))
        session.commit()
        (row,) = recent_actions(session, limit=5, offset=0)
        assert row.actor_id is None and row.actor_email == "root@example.org"


def test_the_command_line_is_recorded_as_cli(engine: Engine) -> None:
    with Session(engine) as session:
        record_action(session, actor=None, action="invitations.import", target="a", now=T0)
        session.commit()
        assert recent_actions(session, limit=5, offset=0)[0].actor_email == "cli"
