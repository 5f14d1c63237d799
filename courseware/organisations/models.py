"""Tables of the organisations capability: partners, their tracking links and
managers, staff invitations, funnel counters, report deliveries and the audit log.

They live on the shared `Base` (one metadata, one Alembic history); the learner's
attribution columns are on `users` (see courseware/models.py).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UtcDateTime


class Organisation(Base):
    """A partner that distributes the course to its staff or public."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    linkedin_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    contact_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    contact_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    # The logo is kept in the database so that several app servers need no shared disk.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    logo_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class TrackingLink(Base):
    """`/go/<code>`: one per population an organisation targets."""

    __tablename__ = "tracking_links"
    # A UTM pair names one link at most, so a visitor's UTM tags attribute unambiguously.
    __table_args__ = (UniqueConstraint("utm_source", "utm_campaign"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    utm_source: Mapped[str | None] = mapped_column(String(100), nullable=True)
    utm_campaign: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # Where the link lands; NULL: the platform's first course.
    course_slug: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class OrganisationManager(Base):
    """A user who may see an organisation's figures (and invite its staff)."""

    __tablename__ = "organisation_managers"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Invitation(Base):
    """A staff member invited by e-mail; unique per organisation, so re-uploading
    the same file sends nobody a second invitation."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("organisation_id", "email"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class FunnelCount(Base):
    """Aggregated, first-party counters: how many times a funnel step happened on
    a day, for an organisation and link. This is what reports read.

    Counters are incremented in the same transaction as the event they count
    (a click, a sign-up, a first opening or completion of a chapter, a course
    finished, a certificate issued), each event once per learner. Reports then
    sum a few thousand counter rows instead of scanning millions of learners and
    progress rows, and deleting an account leaves the figures unchanged.

    `organisation_id` and `link_id` are 0 (not NULL) when there is none: NULLs
    never collide in a unique index, and the upsert relies on that index.

    What keeps reports under a second at 1M learners (benchmarks/reports.py):
    the number of counter rows grows with days x links x steps (each chapter
    two), not with learners: ~2M rows for a year of 100 organisations, 170
    links and 12 chapters. One organisation's report reads its own ~20k rows
    through `ix_funnel_counts_organisation_day`. The platform report would have
    to sum all 2M, so it reads whole months from `FunnelCountMonthly` (30 times
    fewer rows) and only the partial months at the edges of its range from
    here; its sign-ups per week read the "signup" rows alone through
    `ix_funnel_counts_step_day`.
    """

    __tablename__ = "funnel_counts"
    __table_args__ = (
        UniqueConstraint("day", "organisation_id", "link_id", "course_slug", "chapter_slug", "step"),
        # One organisation's report reads its own rows only.
        Index("ix_funnel_counts_organisation_day", "organisation_id", "day"),
        # Sign-ups per week (platform report) read one step's rows only.
        Index("ix_funnel_counts_step_day", "step", "day"),
        # The platform report reads this index alone, in group order (migration 0006).
        Index("ix_funnel_counts_step_totals", "step", "organisation_id", "chapter_slug", "day",
              "course_slug", "count"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    organisation_id: Mapped[int] = mapped_column(Integer, default=0)
    link_id: Mapped[int] = mapped_column(Integer, default=0)
    course_slug: Mapped[str] = mapped_column(String(100), default="")
    chapter_slug: Mapped[str] = mapped_column(String(100), default="")
    # click | signup | started | opened | completed | finished | certified
    step: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer, default=0)


class FunnelCountMonthly(Base):
    """The funnel counters summed per calendar month (`month` is its first day).

    `count_event` adds to both tables in the same transaction, so for any month
    the monthly row equals the sum of that month's daily rows (tested). Reports
    over long ranges read these instead of 30 times as many daily rows; see
    `courseware.reports.counters.counts_for_period`.
    """

    __tablename__ = "funnel_counts_monthly"
    __table_args__ = (
        UniqueConstraint("month", "organisation_id", "link_id", "course_slug", "chapter_slug", "step"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(Date)
    organisation_id: Mapped[int] = mapped_column(Integer, default=0)
    link_id: Mapped[int] = mapped_column(Integer, default=0)
    course_slug: Mapped[str] = mapped_column(String(100), default="")
    chapter_slug: Mapped[str] = mapped_column(String(100), default="")
    step: Mapped[str] = mapped_column(String(16))
    count: Mapped[int] = mapped_column(Integer, default=0)


class ReportDelivery(Base):
    """A periodic report sent to an organisation's managers: never the same period twice."""

    __tablename__ = "report_deliveries"
    __table_args__ = (UniqueConstraint("organisation_id", "period_start", "period_end"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime())
    recipients: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(Base):
    """Who did what, when, in the admin and manager areas."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    # Snapshot: the entry still says who it was once the account is deleted.
    actor_email: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(300))
    detail: Mapped[str | None] = mapped_column(Text, nullable=True)
