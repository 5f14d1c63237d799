"""Learner accounts: sign-up, authentication, changes, export and deletion. No Flask here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .db import HotQuery
from .models import Certificate, ChapterProgress, Organisation, TrackingLink, User
from .organisations.attribution import Attribution, attribute_new_account
from .passwords import verify_password
from .progress import ProgressRow, progress_rows_for_export

_users = User.__table__


class EmailTaken(Exception):
    """Another account already uses this e-mail address."""


@dataclass(frozen=True)
class Identity:
    """The signed-in learner as the web layer sees it: a plain row, no ORM object."""

    id: int
    email: str
    name: str
    role: str  # learner | instructor | admin
    locale: str | None
    session_version: int
    # Attribution (first touch), read with the identity so that progress events
    # can be counted for the learner's organisation without another query.
    organisation_id: int | None = None
    link_id: int | None = None
    # Every chapter the learner opened, as loaded with the identity (see below).
    progress: tuple[ProgressRow, ...] = ()

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    # Flask-Login's user protocol.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        # The version makes old sessions and "remember me" cookies stop working
        # once the password changes.
        return f"{self.id}:{self.session_version}"


# Built once: this runs on every request of a signed-in learner. The learner's
# progress rows come in the same round trip (a course has a handful of chapters),
# so the chapter page needs no second query.
_progress = ChapterProgress.__table__
_IDENTITY_QUERY = HotQuery(
    select(
        _users.c.id, _users.c.email, _users.c.name, _users.c.role, _users.c.locale,
        _users.c.session_version, _users.c.organisation_id, _users.c.link_id,
        _progress.c.course_slug, _progress.c.chapter_slug, _progress.c.completed_at,
    )
    .select_from(_users.outerjoin(_progress, _progress.c.user_id == _users.c.id))
    .where(_users.c.id == bindparam("user_id"))
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_identity(connection: Connection, session_id: str) -> Identity | None:
    """The learner behind a session id `<user id>:<session version>`, if still valid."""
    try:
        user_id, version = (int(part) for part in session_id.split(":", 1))
    except ValueError:
        return None
    rows = _IDENTITY_QUERY.rows(connection, {"user_id": user_id})
    if not rows or rows[0][5] != version:
        return None
    user_id, email, name, role, locale, session_version, organisation_id, link_id = rows[0][:8]
    progress = tuple(ProgressRow(course, chapter, completed is not None)
                     for *_user, course, chapter, completed in rows if course is not None)
    return Identity(user_id, email, name, role, locale, session_version, organisation_id,
                    link_id, progress)


def create_user(session: Session, hasher: PasswordHasher, *, email: str, name: str,
                password: str, role: str = "learner", locale: str | None = None,
                attribution: Attribution | None = None, share_progress: bool = False) -> User:
    """Create an account; raises EmailTaken if the address is in use (any case).

    A learner's sign-up is counted (for the organisation they came through, if
    they kept it) in the same transaction: no account without its count, and no
    count without its account.
    """
    now = datetime.now(UTC)
    user = User(email=normalise_email(email), name=name.strip(),
                password_hash=hasher.hash(password), role=role, locale=locale,
                created_at=now, session_version=1)
    session.add(user)
    try:
        session.flush()  # a taken e-mail fails here, before anything is counted
        if role == "learner":
            attribute_new_account(session, user, attribution, share_progress=share_progress,
                                  day=now.date())
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise EmailTaken(email) from exc
    return user


# Verified against when the e-mail is unknown, so a wrong address takes as long
# as a wrong password and response times do not reveal who has an account.
_DUMMY_PASSWORD = secrets.token_urlsafe(16)


def authenticate(session: Session, hasher: PasswordHasher, email: str,
                 password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        verify_password(hasher, _dummy_hash(hasher), password)
        return None
    if not verify_password(hasher, user.password_hash, password):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        session.commit()
    return user


_dummy_hashes: dict[tuple[int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(_DUMMY_PASSWORD)
    return _dummy_hashes[key]


def set_password(session: Session, hasher: PasswordHasher, user: User, password: str) -> None:
    """New password; every other session and pending reset link stops working."""
    user.password_hash = hasher.hash(password)
    user.session_version += 1
    session.commit()


def rename(session: Session, user: User, name: str) -> None:
    user.name = name.strip()
    session.commit()


def export_user_data(session: Session, user: User) -> dict:
    """Everything stored about a learner (RGPD right of access), as JSON-ready data."""
    certificates = session.scalars(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at)
    )
    return {
        "account": {
            "email": user.email,
            "name": user.name,
            "language": user.locale,
            "role": user.role,
            "created_at": user.created_at.isoformat(),
        },
        "organisation": _organisation_export(session, user),
        "progress": progress_rows_for_export(session, user.id),
        "certificates": [
            {
                "id": c.public_id, "course": c.course_slug, "course_title": c.course_title,
                "printed_name": c.printed_name, "issued_at": c.issued_at.isoformat(),
                "status": c.status,
            }
            for c in certificates
        ],
    }


def _organisation_export(session: Session, user: User) -> dict | None:
    """The organisation the learner came through and what they agreed to share."""
    if user.organisation_id is None:
        return None
    organisation = session.get(Organisation, user.organisation_id)
    link = session.get(TrackingLink, user.link_id) if user.link_id is not None else None
    return {
        "slug": organisation.slug if organisation else None,
        "name": organisation.name if organisation else None,
        "joined_through": user.attribution,
        "link": link.label if link else None,
        "managers_see_my_progress": user.share_progress,
    }


def delete_user(session: Session, user_id: int) -> None:
    """Erase the account and its progress for good (RGPD right to erasure)."""

    session.execute(delete(ChapterProgress).where(ChapterProgress.user_id == user_id))
    session.execute(
        update(Certificate).where(Certificate.user_id == user_id).values(user_id=None)
    )
    session.execute(delete(User).where(User.id == user_id))
    session.commit()


def identity_of(user: User) -> Identity:
    return Identity(user.id, user.email, user.name, user.role, user.locale,
                    user.session_version, user.organisation_id, user.link_id)
