"""Learner accounts: sign-up, authentication, changes, export and deletion. No Flask here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from sqlalchemy import and_, bindparam, delete, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import sessions
from .db import HotQuery
from .login_cache import CachedLogin
from .models import Certificate, ChapterProgress, LoginSession, Organisation, TrackingLink, User
from .organisations.attribution import Attribution, attribute_new_account
from .passwords import verify_password
from .progress import ProgressRow, progress_rows_for_export
from .quizzes.attempts import attempts_for_export
from .quizzes.models import QuizAttempt
from .sessions import SessionLifetimes

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
    # The random key of this log-in (see courseware/sessions.py).
    session_key: str
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
        # What the session and "remember me" cookies hold: valid while the
        # login_sessions row for this key exists.
        return f"{self.id}:{self.session_key}"


# Built once: this runs on every request of a signed-in learner. The session
# check and the learner's progress rows come in the same round trip (a course
# has a handful of chapters), so the chapter page needs no second query.
_progress = ChapterProgress.__table__
_sessions = LoginSession.__table__
_IDENTITY_QUERY = HotQuery(
    select(
        _users.c.id, _users.c.email, _users.c.name, _users.c.role, _users.c.locale,
        _sessions.c.id, _sessions.c.remember, _sessions.c.created_at, _sessions.c.last_seen_at,
        _users.c.organisation_id, _users.c.link_id,
        _progress.c.course_slug, _progress.c.chapter_slug, _progress.c.completed_at,
    )
    .select_from(
        _users.join(_sessions, and_(_sessions.c.user_id == _users.c.id,
                                    _sessions.c.key_hash == bindparam("key_hash")))
        .outerjoin(_progress, _progress.c.user_id == _users.c.id)
    )
    .where(_users.c.id == bindparam("user_id"))
)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def load_identity(connection: Connection, session_id: str, lifetimes: SessionLifetimes,
                  now: int | None = None) -> Identity | None:
    """The learner behind a cookie's `<user id>:<session key>`, while that log-in lasts."""
    login = load_login(connection, session_id, lifetimes, now)
    return login.identity if login is not None else None


def load_login(connection: Connection, session_id: str, lifetimes: SessionLifetimes,
               now: int | None = None) -> CachedLogin[Identity] | None:
    """load_identity, with the session's times (for the login cache: login_cache/)."""
    user_id_text, _, key = session_id.partition(":")
    if not key or not user_id_text.isdigit():
        return None
    user_id = int(user_id_text)
    rows = _IDENTITY_QUERY.rows(connection, {"user_id": user_id, "key_hash": sessions.key_hash(key)})
    if not rows:
        return None
    (user_id, email, name, role, locale, row_id, remember, created_at, last_seen_at,
     organisation_id, link_id) = rows[0][:11]
    now = sessions.now_seconds() if now is None else now
    if not sessions.is_live(lifetimes, remember=bool(remember), created_at=created_at,
                            last_seen_at=last_seen_at, now=now):
        sessions.forget(connection, row_id)
        return None
    if now - last_seen_at >= lifetimes.touch_interval:
        sessions.touch(connection, row_id, now)
        last_seen_at = now
    progress = tuple(ProgressRow(course, chapter, completed is not None)
                     for *_user, course, chapter, completed in rows if course is not None)
    identity = Identity(user_id, email, name, role, locale, key, organisation_id, link_id, progress)
    return CachedLogin(identity, user_id, bool(remember), created_at, last_seen_at)


def login_is_current(login: CachedLogin[Identity], lifetimes: SessionLifetimes, now: int) -> bool:
    """Whether a log-in read a moment ago may answer without the database: still
    within its lifetimes, and seen recently enough that load_login would not
    write "last seen" (so every session still gets its touch, and a session
    whose last-seen time another server wrote is never taken for idle)."""
    return now - login.last_seen_at < lifetimes.touch_interval and sessions.is_live(
        lifetimes, remember=login.remember, created_at=login.created_at,
        last_seen_at=login.last_seen_at, now=now)


def create_user(session: Session, hasher: PasswordHasher, *, email: str, name: str,
                password: str, role: str = "learner", locale: str | None = None,
                confirmed: bool = True, attribution: Attribution | None = None,
                share_progress: bool = False) -> User:
    """Create an account; raises EmailTaken if the address is in use (any case).

    A learner's sign-up is counted (for the organisation they came through, if
    they kept it) in the same transaction: no account without its count, and no
    count without its account.
    """
    now = datetime.now(UTC)
    user = User(email=normalise_email(email), name=name.strip(),
                password_hash=hasher.hash(password), role=role,
                locale=locale, created_at=now, session_version=1,
                email_confirmed=confirmed)
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


@dataclass(frozen=True)
class SignUp:
    user: User
    # False when the address already belongs to a confirmed account: its owner is
    # told by mail, and the person signing up sees the same answer as anyone.
    is_new: bool


def sign_up(session: Session, hasher: PasswordHasher, *, email: str, name: str, password: str,
            locale: str | None = None, attribution: Attribution | None = None,
            share_progress: bool = False) -> SignUp:
    """Sign-up as the web form does it: an unconfirmed account, whoever had the address.

    Does not commit: the caller queues the mail and commits once. Every path
    hashes the password once, reads once and writes in one transaction, so the
    time taken does not tell whether the address was free.
    """
    password_hash = hasher.hash(password)
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        now = datetime.now(UTC)
        user = User(email=email, name=name.strip(), password_hash=password_hash, role="learner",
                    locale=locale, created_at=now, session_version=1,
                    email_confirmed=False)
        session.add(user)
        try:
            session.flush()  # the id, for the mailed link
        except IntegrityError:
            session.rollback()  # a simultaneous sign-up took the address: it is taken now
            return sign_up(session, hasher, email=email, name=name, password=password, locale=locale,
                           attribution=attribution, share_progress=share_progress)
        # Counted as a sign-up now, with its organisation (first touch), in this transaction.
        attribute_new_account(session, user, attribution, share_progress=share_progress,
                              day=now.date())
        return SignUp(user, is_new=True)
    if user.email_confirmed:
        return SignUp(user, is_new=False)
    # Nobody has proved they own this address yet: the latest sign-up wins, and
    # the links mailed for earlier ones stop working (session_version).
    user.name, user.password_hash, user.locale = name.strip(), password_hash, locale
    user.session_version += 1
    session.flush()
    return SignUp(user, is_new=True)


def confirm_email(session: Session, user: User) -> None:
    user.email_confirmed = True
    session.commit()


# Verified against when the e-mail is unknown, so a wrong address takes as long
# as a wrong password and response times do not reveal who has an account.
_DUMMY_PASSWORD = secrets.token_urlsafe(16)


def authenticate(session: Session, hasher: PasswordHasher, email: str,
                 password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    stored_hash = user.password_hash if user is not None else None
    # Argon2 takes tens of ms: end the read before it. On SQLite a session's
    # transaction holds the write lock, and every write of the site waited for
    # each log-in's hashing. (The user is read again, by key, when next used.)
    session.rollback()
    stored_hash = stored_hash or _dummy_hash(hasher)
    if not verify_password(hasher, stored_hash, password) or user is None:
        return None
    if hasher.check_needs_rehash(stored_hash):
        user.password_hash = hasher.hash(password)
        session.commit()
    return user


_dummy_hashes: dict[tuple[int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    key = (hasher.time_cost, hasher.memory_cost)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = hasher.hash(_DUMMY_PASSWORD)
    return _dummy_hashes[key]


def set_password(session: Session, hasher: PasswordHasher, user: User, password: str,
                 keep_session_key: str | None = None) -> None:
    """New password; every session (but `keep_session_key`'s) and pending reset link stops working."""
    user.password_hash = hasher.hash(password)
    user.session_version += 1
    sessions.end_all_sessions(session, user.id, keep_key=keep_session_key, commit=False)
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
            "certificate_mail": user.certificate_mail,
        },
        "organisation": _organisation_export(session, user),
        "progress": progress_rows_for_export(session, user.id),
        "quiz_attempts": attempts_for_export(session, user.id),
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
    session.execute(delete(QuizAttempt).where(QuizAttempt.user_id == user_id))
    sessions.end_all_sessions(session, user_id, commit=False)
    session.execute(
        update(Certificate).where(Certificate.user_id == user_id).values(user_id=None)
    )
    session.execute(delete(User).where(User.id == user_id))
    session.commit()


def identity_of(user: User, session_key: str) -> Identity:
    return Identity(user.id, user.email, user.name, user.role, user.locale, session_key,
                    user.organisation_id, user.link_id)
