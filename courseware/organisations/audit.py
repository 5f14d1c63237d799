"""The audit log: who did what, when, in the admin and manager areas. No Flask here.

Every admin or manager action (a role granted, an account deleted, a certificate
revoked, an organisation or link created, staff invited) calls `record_action` in
the same session as the change, so the entry is committed with it or not at all.
The actor's e-mail is copied into the entry: the log still says who it was after
that account is deleted (actor_id then becomes NULL).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .models import AuditEntry

# The actions the admin and manager areas record, in the order the audit page
# offers them as a filter.
ACTIONS = (
    "role.grant",
    "user.delete",
    "certificate.revoke",
    "organisation.create",
    "link.create",
    "manager.add",
    "manager.remove",
    "invitations.import",
)

_TARGET_LENGTH = AuditEntry.__table__.c.target.type.length or 300


class Actor(Protocol):
    """An accounts.Identity or a models.User: anything with an id and an e-mail."""

    id: int
    email: str


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor_id: int | None
    actor_email: str
    action: str
    target: str
    detail: str | None


def record_action(session: Session, *, actor: Actor | None, action: str, target: str,
                  detail: str | None = None, now: datetime) -> AuditEntry:
    """Add an entry to the session (the caller commits it with the change it records).

    `actor` None is the command line (no signed-in user): the entry says "cli".
    """
    entry = AuditEntry(
        at=now,
        actor_id=actor.id if actor is not None else None,
        actor_email=actor.email if actor is not None else "cli",
        action=action,
        target=target[:_TARGET_LENGTH],
        detail=detail,
    )
    session.add(entry)
    return entry


def _filtered(statement, action: str | None):
    return statement.where(AuditEntry.action == action) if action else statement


def recent_actions(executor: Connection | Session, *, limit: int, offset: int,
                   action: str | None = None) -> list[AuditRow]:
    """A page of the log, newest first (the index on `at` serves the ordering)."""
    columns = AuditEntry.__table__.c
    statement = _filtered(
        select(columns.id, columns.at, columns.actor_id, columns.actor_email, columns.action,
               columns.target, columns.detail),
        action,
    ).order_by(columns.at.desc(), columns.id.desc()).limit(limit).offset(offset)
    return [AuditRow(*row) for row in executor.execute(statement)]


def count_actions(executor: Connection | Session, *, action: str | None = None) -> int:
    """How many entries (for the pager)."""
    statement = _filtered(select(func.count()).select_from(AuditEntry), action)
    return int(executor.execute(statement).scalar_one())
