"""Account questions of the admin area: finding users, changing roles under the
last-admin rule, deleting accounts. No Flask here.

Searching: a complete e-mail address is looked up through the unique index on
`users.email` (the common case: an admin pastes the address from a support
request). Anything else matches part of the e-mail address or of the name, with LIKE
patterns whose wildcards are escaped (courseware.search);
that is a scan, bounded by LIMIT, and the unfiltered list pages through the
primary key, newest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .accounts import delete_user, normalise_email
from .certificates import detach_certificates_for_deleted_user
from .models import Organisation, User
from .organisations.audit import Actor, record_action
from .organisations.directory import grant_role
from .search import ESCAPE, contains_pattern

_users = User.__table__


class LastAdmin(Exception):
    """The change would leave the platform without an admin."""


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    name: str
    role: str
    created_at: datetime
    organisation: str | None


def _looks_like_full_address(text: str) -> bool:
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain and " " not in text)


def _search_condition(query: str):  # type: ignore[no-untyped-def]
    text = query.strip()
    if _looks_like_full_address(text):
        return _users.c.email == normalise_email(text)
    return or_(
        # "@gendarmerie" finds a whole domain; "dup" finds "Ana Dupont-Martin".
        _users.c.email.like(contains_pattern(text), escape=ESCAPE),
        func.lower(_users.c.name).like(contains_pattern(text), escape=ESCAPE),
    )


def search_users(executor: Connection | Session, query: str, *, limit: int,
                 offset: int) -> list[UserRow]:
    """A page of users matching `query` (all users when it is blank), newest first."""
    organisations = Organisation.__table__
    statement = (
        select(_users.c.id, _users.c.email, _users.c.name, _users.c.role, _users.c.created_at,
               organisations.c.name)
        .select_from(_users.outerjoin(organisations,
                                      organisations.c.id == _users.c.organisation_id))
        .order_by(_users.c.id.desc()).limit(limit).offset(offset))
    if query.strip():
        statement = statement.where(_search_condition(query))
    return [UserRow(*row) for row in executor.execute(statement)]


def count_users(executor: Connection | Session, query: str) -> int:
    statement = select(func.count()).select_from(_users)
    if query.strip():
        statement = statement.where(_search_condition(query))
    return int(executor.execute(statement).scalar_one())


def _admin_count(session: Session) -> int:
    return int(session.execute(
        select(func.count()).select_from(_users).where(_users.c.role == "admin")).scalar_one())


def change_role(session: Session, user: User, role: str, *, actor: Actor, now: datetime) -> bool:
    """Give `user` the role; returns False when it already had it. Raises LastAdmin
    rather than leave no admin (an admin demoting themselves included). The
    change and its audit entry are committed together."""
    if user.role == role:
        return False
    if user.role == "admin" and _admin_count(session) <= 1:
        raise LastAdmin(user.email)
    previous = user.role
    grant_role(session, user, role)  # raises directory.UnknownRole
    record_action(session, actor=actor, action="role.grant", target=user.email,
                  detail=f"{previous} → {role}", now=now)
    session.commit()
    return True


def delete_account(session: Session, user: User, *, keep_certificates: bool, actor: Actor,
                   now: datetime) -> None:
    """Erase an account as the learner themselves would (accounts.delete_user),
    after keeping or withdrawing its certificates. Funnel counters are not
    touched: aggregated figures stay as they were. Refuses to delete the last admin."""
    if user.role == "admin" and _admin_count(session) <= 1:
        raise LastAdmin(user.email)
    email, user_id = user.email, user.id
    detach_certificates_for_deleted_user(session, user_id, keep_certificates, now)
    record_action(session, actor=actor, action="user.delete", target=email,
                  detail="certificates kept" if keep_certificates else "certificates withdrawn",
                  now=now)
    session.flush()
    delete_user(session, user_id)  # commits, the audit entry with it
