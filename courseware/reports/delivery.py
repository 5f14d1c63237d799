"""Periodic delivery of each organisation's report to its managers (domain, no Flask).

One transaction per organisation holds three things together: the
`report_deliveries` row (unique organisation + period), the report itself and
the hand-over of the mails (`deliver`). So:

- running it twice never sends a period twice: the row is there, the
  organisation is "already sent";
- two runs at once cannot both send it: the second insert of the same
  organisation + period waits for the first transaction and then fails on the
  unique constraint (SQLite takes the write lock up front), and is reported as
  "already sent";
- a failure before the commit (SMTP refused, a crash) rolls the row back with
  everything else, so the next run sends it: a report is never lost.

Exactly once needs the mail to be queued in the same database transaction as
the row: `deliver` is where that happens. With the persisted outbox
(`queue_mail(session, ...)`) it is exactly once. With direct SMTP (today's
`send_mail`) it is at least once: only a crash after the SMTP server accepted
the message and before the COMMIT (a window of milliseconds) sends it again,
under the same Message-ID, so mail clients can tell it is the same message.
Losing a partner's report silently was judged worse than a rare duplicate.

An organisation without managers is skipped and reported, without a row: once
it has managers, the next run sends it the period's report.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Organisation, OrganisationManager, ReportDelivery, User
from .funnel import CourseLike, OrganisationReport, organisation_report
from .periods import Period
from .suppression import suppress_small_counts


class DeliveryFailed(Exception):
    """Raised by `deliver` when the mail could not be handed over (e.g. SMTP refused)."""


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str
    locale: str | None


@dataclass(frozen=True)
class ReportMail:
    """What `deliver` hands over: one manager's mail, with one PDF per course."""

    recipient: Recipient
    organisation: Organisation
    period: Period
    # (course slug, PDF) in course order
    pdfs: tuple[tuple[str, bytes], ...]


@dataclass(frozen=True)
class DeliveryOutcome:
    organisation_slug: str
    organisation_name: str
    # sent | already-sent | no-managers | would-send (dry run) | failed
    status: str
    recipients: tuple[str, ...] = ()
    error: str | None = None


def managers_of(session: Session, organisation_id: int) -> list[Recipient]:
    rows = session.execute(
        select(User.id, User.email, User.name, User.locale)
        .join(OrganisationManager, OrganisationManager.user_id == User.id)
        .where(OrganisationManager.organisation_id == organisation_id)
        .order_by(User.email))
    return [Recipient(*row) for row in rows]


def already_delivered(session: Session, organisation_id: int, period: Period) -> bool:
    return session.scalar(select(ReportDelivery.id).where(
        ReportDelivery.organisation_id == organisation_id,
        ReportDelivery.period_start == period.start,
        ReportDelivery.period_end == period.end)) is not None


def send_period_reports(
    sessions: Callable[[], Session],
    *,
    period: Period,
    courses: Sequence[CourseLike],
    now: datetime,
    render_pdf: Callable[[OrganisationReport, Organisation, str | None], bytes],
    deliver: Callable[[Session, ReportMail], None],
    dry_run: bool = False,
) -> list[DeliveryOutcome]:
    """Send every organisation's report for `period` to its managers, once.

    `render_pdf(report, organisation, locale)` gets the report as an organisation
    may see it (counts 1..4 shown as "<5"). Each organisation is handled in its
    own transaction, so one failure neither blocks nor undoes the others.
    """
    with sessions() as session:
        organisations = session.execute(
            select(Organisation.id, Organisation.slug, Organisation.name).order_by(Organisation.slug)
        ).all()
    outcomes = []
    for organisation_id, slug, name in organisations:
        try:
            status, recipients = _deliver_one(sessions, organisation_id, period, courses, now,
                                              render_pdf, deliver, dry_run)
        except DeliveryFailed as error:  # rolled back: no row, the next run sends it
            outcomes.append(DeliveryOutcome(slug, name, "failed", error=str(error)))
        else:
            outcomes.append(DeliveryOutcome(slug, name, status, tuple(r.email for r in recipients)))
    return outcomes


def _deliver_one(sessions: Callable[[], Session], organisation_id: int, period: Period,
                 courses: Sequence[CourseLike], now: datetime,
                 render_pdf: Callable[[OrganisationReport, Organisation, str | None], bytes],
                 deliver: Callable[[Session, ReportMail], None], dry_run: bool
                 ) -> tuple[str, list[Recipient]]:
    # Read first (report, PDFs) without holding SQLite's write lock; then one short
    # write transaction: the row, the hand-over of the mails, COMMIT.
    with sessions() as session:
        if already_delivered(session, organisation_id, period):
            return "already-sent", []
        recipients = managers_of(session, organisation_id)
        if not recipients:
            return "no-managers", []
        if dry_run:
            return "would-send", recipients
        organisation = session.get(Organisation, organisation_id)
        assert organisation is not None
        pdfs: dict[str | None, tuple[tuple[str, bytes], ...]] = {}
        for locale in sorted({r.locale for r in recipients}, key=str):
            pdfs[locale] = tuple(
                (course.slug, render_pdf(suppress_small_counts(organisation_report(
                    session, organisation_id, period.start, period.end, course)), organisation, locale))
                for course in courses)
        session.expunge(organisation)
    with sessions() as session, session.begin():
        try:
            with session.begin_nested():
                session.add(ReportDelivery(organisation_id=organisation_id, period_start=period.start,
                                           period_end=period.end, sent_at=now,
                                           recipients=len(recipients)))
        except IntegrityError:  # another run got there first
            return "already-sent", []
        for recipient in recipients:
            deliver(session, ReportMail(recipient, organisation, period, pdfs[recipient.locale]))
    return "sent", recipients
