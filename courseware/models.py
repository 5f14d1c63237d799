"""Database tables. Rows store slugs and snapshots, never course content.

Content lives in Markdown files; a chapter is identified by its slug so that
editing or reordering chapters never loses anyone's progress.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from .analytics.models import AnswerCount, ChapterDayCount, CompletionTimeCount
from .base import NAMING_CONVENTION, Base, UtcDateTime

# Each capability's tables are on the same Base; importing them here means any
# code that uses the models sees the whole schema (foreign keys resolve).
from .organisations.models import (
    AuditEntry,
    FunnelCount,
    FunnelCountMonthly,
    Invitation,
    Organisation,
    OrganisationManager,
    ReportDelivery,
    TrackingLink,
)
from .quizzes.models import QuizAttempt

__all__ = [
    "NAMING_CONVENTION", "AnswerCount", "AuditEntry", "Base", "ChapterDayCount",
    "CompletionTimeCount", "Certificate", "ChapterProgress", "FunnelCount",
    "FunnelCountMonthly", "Invitation", "Organisation", "OrganisationManager", "QuizAttempt",
    "ReportDelivery",
    "TrackingLink", "User",
    "UtcDateTime",
]


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
    # learner | instructor | admin. Organisation managers are learners with rows in
    # organisation_managers (a manager is scoped to their organisations).
    role: Mapped[str] = mapped_column(String(16), default="learner")
    locale: Mapped[str | None] = mapped_column(String(8), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # False from sign-up until the link mailed to the address is opened (or a
    # password reset by mail): until then the account cannot log in.
    email_confirmed: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The learner's choice: an e-mail with the link when a certificate is issued.
    certificate_mail: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Bumped on password change or reset: invalidates pending reset links.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # Attribution, first touch wins: the organisation (and link) the learner came
    # through, and how (link | utm | invitation). NULL: came on their own.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), nullable=True, index=True)
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("tracking_links.id", ondelete="SET NULL"), nullable=True)
    attribution: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # The learner agreed that the organisation's managers see their individual progress.
    share_progress: Mapped[bool] = mapped_column(Boolean, default=False)


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
    # The course had quizzes, all passed: the wording says "successfully completed".
    graded: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


