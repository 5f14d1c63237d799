"""Database tables. Rows store slugs and snapshots, never course content.

Content lives in Markdown files; a chapter is identified by its slug so that
editing or reordering chapters never loses anyone's progress.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every database.

    SQLite stores no offset, so values come back naive; this reattaches UTC so
    that a certificate's issue time is the same instant whatever the backend.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, _dialect: object) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC datetime")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, _dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class User(Base):
    __tablename__ = "users"
    # Never reuse a deleted account's id on SQLite: its old session cookies
    # ("<id>:<version>") would otherwise open the next learner's account.
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-cased: uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # False from sign-up until the link mailed to the address is opened (or a
    # password reset by mail): until then the account cannot log in.
    email_confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Bumped on password change or reset: invalidates pending reset links.
    session_version: Mapped[int] = mapped_column(Integer, default=1)


class LoginSession(Base):
    """One row per log-in (see courseware/sessions.py): deleting it ends that session.

    Only the SHA-256 of the cookie's random key is stored, so a copy of the
    database opens no account. Times are Unix seconds: the identity query reads
    them on every page view and compares plain integers on every database.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[int] = mapped_column(Integer)
    last_seen_at: Mapped[int] = mapped_column(Integer)


class OutboxMessage(Base):
    """A mail waiting to be sent (courseware/mail.py), deleted once delivered.

    Written in the transaction of the request that wants it sent, so a mail is
    queued exactly when the change it reports is committed.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    # The MIME message is built at delivery, off the request path (~1 ms of the
    # email package per message, which would tell known addresses from unknown).
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # JSON list of [file name, MIME type, base64 content]; NULL without attachments.
    attachments: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # NULL once delivery was given up (see mail.MAX_ATTEMPTS).
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True, index=True)
    last_error: Mapped[str | None] = mapped_column(String(200), nullable=True)


class ChapterProgress(Base):
    __tablename__ = "chapter_progress"
    __table_args__ = (UniqueConstraint("user_id", "course_slug", "chapter_slug"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    chapter_slug: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class Certificate(Base):
    """A snapshot of what a certificate shows, taken when it was issued."""

    __tablename__ = "certificates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    public_id: Mapped[str] = mapped_column(String(19), unique=True)
    # NULL once the learner deleted their account (the record may stay verifiable).
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # "<user_id>:<course_slug>" while this is the learner's current certificate for
    # the course, NULL once replaced/revoked/withdrawn. Unique, so two concurrent
    # claims cannot both succeed (NULLs never collide, on SQLite or PostgreSQL).
    current_key: Mapped[str | None] = mapped_column(String(140), unique=True, nullable=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    course_title: Mapped[str] = mapped_column(String(300))
    course_language: Mapped[str] = mapped_column(String(8))
    content_version: Mapped[str] = mapped_column(String(64))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    issuer: Mapped[str] = mapped_column(String(200))
    # NULL when the learner withdrew the certificate on deleting their account.
    printed_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # valid | revoked | replaced | withdrawn
    status: Mapped[str] = mapped_column(String(16), default="valid")
    status_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    status_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    replaced_by: Mapped[str | None] = mapped_column(String(19), nullable=True)
    # Printed on the PDF and in its QR code; stored so the same record always
    # renders to the same bytes, whatever address the site is reached by.
    verification_url: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # SHA-256 of the signing certificate (DER) that signed this PDF.
    signer_fingerprint: Mapped[str] = mapped_column(String(64))
