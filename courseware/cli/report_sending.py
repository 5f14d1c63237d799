"""`courseware reports send`: each organisation's managers get the PDF report of the
period that just ended, once (see courseware/reports/delivery.py for why once).

Meant for cron or a systemd timer, daily: on most days there is nothing new to
send and it says so. Exit codes: 0 done (including "nothing to send"), 1 when a
report could not be handed to the mail server (it is sent by the next run),
2 bad usage.
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from typing import Any

import click

from .base import main, ready_app


@main.group()
def reports() -> None:
    """Periodic reports to organisations."""


@reports.command("send")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, metavar="DATE",
              help="Act as if today were DATE (YYYY-MM-DD, UTC). Default: today.")
@click.option("--dry-run", is_flag=True, help="Say what would be sent; send and record nothing.")
def send(today: datetime | None, dry_run: bool) -> None:
    """E-mail each organisation's managers the PDF report for the period that just ended.

    Periods come from COURSEWARE_REPORT_PERIOD (default: half-quarter). Each
    organisation receives a period once, however often this runs.
    """
    from ..reports.delivery import send_period_reports
    from ..reports.periods import UnknownPeriod, period_just_ended

    app = ready_app()
    kind = str(app.config["REPORT_PERIOD"])
    day = today.date() if today else datetime.now(UTC).date()
    try:
        period = period_just_ended(day, kind)
    except UnknownPeriod as error:
        raise click.ClickException(f"COURSEWARE_REPORT_PERIOD: {error}") from None
    courses = app.extensions["courseware.library"].courses
    if not courses:
        raise click.ClickException(f"no course in {app.config['CONTENT_DIR']}: nothing to report on")
    with app.test_request_context("/"):  # translations of the mail and the PDF
        outcomes = send_period_reports(
            app.extensions["courseware.sessionmaker"], period=period, courses=courses,
            now=datetime.now(UTC), render_pdf=_pdf_renderer(app.config), deliver=_deliverer(app.config),
            dry_run=dry_run)
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
        detail = {
            "sent": f"{len(outcome.recipients)} manager(s)",
            "would-send": "to " + ", ".join(outcome.recipients),
            "already-sent": "this period was sent before",
            "no-managers": "skipped: the organisation has no manager",
            "failed": f"not sent, will be retried: {outcome.error}",
        }[outcome.status]
        click.echo(f"{outcome.status}\t{outcome.organisation_slug}\t{detail}")
    summary = ", ".join(f"{number} {status}" for status, number in sorted(counts.items())) or \
        "no organisation"
    click.echo(f"courseware: reports for {period} ({kind}){' [dry run]' if dry_run else ''}: {summary}",
               err=True)
    if counts.get("failed"):
        raise SystemExit(1)


def _locale(config: dict[str, Any], locale: str | None) -> str:
    return locale if locale in ("fr", "en") else str(config["DEFAULT_LOCALE"])


def _pdf_renderer(config: dict[str, Any]):  # type: ignore[no-untyped-def]
    from flask_babel import force_locale

    from ..reports.pdf import report_pdf

    def render(report: Any, organisation: Any, locale: str | None) -> bytes:
        chosen = _locale(config, locale)
        with force_locale(chosen):
            return report_pdf(report, organisation, chosen)

    return render


def _deliverer(config: dict[str, Any]):  # type: ignore[no-untyped-def]
    from flask_babel import force_locale, format_date, gettext

    from ..mail import Attachment, send_mail
    from ..reports.delivery import DeliveryFailed, ReportMail

    host = str(config["MAIL_FROM"]).rpartition("@")[2] or "courseware"

    def deliver(_session: object, mail: ReportMail) -> None:
        # Today's send_mail talks SMTP directly (at least once, see delivery.py); with
        # the persisted outbox this becomes queue_mail(_session, ...): exactly once.
        organisation, period, recipient = mail.organisation, mail.period, mail.recipient
        with force_locale(_locale(config, recipient.locale)):
            start, end = format_date(period.start, "long"), format_date(period.end, "long")
            subject = gettext("Report for %(organisation)s: %(start)s to %(end)s",
                              organisation=organisation.name, start=start, end=end)
            body = gettext(
                "Hello %(name)s,\n\nAttached is the report for %(organisation)s for the period "
                "from %(start)s to %(end)s: clicks on your links, sign-ups, learners who started, "
                "finished and were certified, and how many opened and completed each chapter.\n\n"
                "To protect individuals, counts from 1 to 4 are shown as “<5”.\n",
                name=recipient.name, organisation=organisation.name, start=start, end=end)
        attachments = [Attachment(f"{organisation.slug}-{course_slug}-{period.start}-{period.end}.pdf",
                                  "application/pdf", pdf) for course_slug, pdf in mail.pdfs]
        message_id = (f"<report-{organisation.id}-{period.start}-{period.end}-{recipient.user_id}"
                      f"@{host}>")
        try:
            send_mail(config, recipient.email, subject, body, attachments, message_id=message_id)
        except (OSError, smtplib.SMTPException) as error:
            raise DeliveryFailed(f"{recipient.email}: {error}") from None

    return deliver
