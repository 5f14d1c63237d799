"""`courseware reports send`, run as cron runs it (a separate process) against a real
SMTP server on loopback: each organisation's managers get one mail with the PDF
attached, in their language; a second run sends nothing; an organisation without
managers is skipped and reported; a refused mail is retried by the next run."""

from __future__ import annotations

import email
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from courseware.models import Organisation, OrganisationManager, ReportDelivery, TrackingLink, User
from courseware.reports.counters import count_event
from tests.helpers import cli_environment
from tests.live_server import free_port

REPO = Path(__file__).parents[2]
NOW = datetime(2027, 1, 3, 9, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, _server, _session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        message = email.message_from_bytes(envelope.content, policy=default_policy)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["X-Envelope-To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def _user(session: Session, email_address: str, name: str, locale: str | None) -> User:
    user = User(email=email_address, name=name, password_hash="x", role="learner", locale=locale,
                created_at=NOW, session_version=1)
    session.add(user)
    session.flush()
    return user


@pytest.fixture
def partners(app: Flask) -> None:
    """Organisation "a" with two managers (French, English) and figures in January;
    "b" with one manager and no figures; "c" without managers."""
    with Session(app.extensions["courseware.engine"]) as session:
        for slug, name in (("a", "Gendarmerie nationale"), ("b", "Université de Lille"),
                           ("c", "Mairie de Brest")):
            session.add(Organisation(slug=slug, name=name, created_at=NOW))
        session.flush()
        orgs = {org.slug: org for org in session.scalars(select(Organisation))}
        link = TrackingLink(organisation_id=orgs["a"].id, code="gend01", label="Officiers",
                            created_at=NOW)
        session.add(link)
        session.flush()
        for user, org in ((_user(session, "chef@a.example.org", "Claire Chef", "fr"), "a"),
                          (_user(session, "boss@a.example.org", "Bob Boss", "en"), "a"),
                          (_user(session, "resp@b.example.org", "Rémi Resp", None), "b")):
            session.add(OrganisationManager(organisation_id=orgs[org].id, user_id=user.id,
                                            created_at=NOW))
        for step, amount in (("click", 30), ("signup", 12), ("started", 9)):
            count_event(session, step=step, day=date(2027, 1, 10), organisation_id=orgs["a"].id,
                        link_id=link.id, course_slug="" if step in ("click", "signup") else "basics",
                        amount=amount)
        session.commit()


@pytest.fixture
def environment(app: Flask, app_config: dict, smtp: tuple[Inbox, int]) -> dict[str, str]:
    return cli_environment(app, app_config, COURSEWARE_SMTP_HOST="127.0.0.1",
                           COURSEWARE_SMTP_PORT=str(smtp[1]), COURSEWARE_SMTP_STARTTLS="0",
                           COURSEWARE_MAIL_FROM="rapports@courseware.test")


def send(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "courseware.cli", "reports", "send", *args],
                            cwd=REPO, env=environment, capture_output=True, text=True, timeout=180)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-3000:]
    return result


def _deliveries(app: Flask) -> list[tuple[str, date, date, int]]:
    with Session(app.extensions["courseware.engine"]) as session:
        return session.execute(
            select(Organisation.slug, ReportDelivery.period_start, ReportDelivery.period_end,
                   ReportDelivery.recipients)
            .join(Organisation, Organisation.id == ReportDelivery.organisation_id)
            .order_by(Organisation.slug)).all()


def _pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_managers_get_the_report_once_and_an_organisation_without_managers_is_reported(
        app: Flask, partners: None, environment: dict[str, str], smtp: tuple[Inbox, int],
        tmp_path: Path) -> None:
    inbox = smtp[0]
    first = send(environment, "--today", "2027-02-20")
    assert first.returncode == 0, first.stderr
    assert "sent\ta\t2 manager(s)" in first.stdout
    assert "sent\tb\t1 manager(s)" in first.stdout
    assert "no-managers\tc\tskipped: the organisation has no manager" in first.stdout
    assert "reports for 2027-01-01..2027-02-14 (half-quarter)" in first.stderr
    assert len(inbox.messages) == 3

    french, = inbox.to("chef@a.example.org")
    english, = inbox.to("boss@a.example.org")
    assert french["Subject"] == ("Rapport pour Gendarmerie nationale\u00a0: "
                                 "du 1 janvier 2027 au 14 février 2027")
    assert english["Subject"] == "Report for Gendarmerie nationale: January 1, 2027 to February 14, 2027"
    assert "Bonjour Claire Chef" in french.get_body(("plain",)).get_content()
    for message in (french, english):
        attachment, = list(message.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_filename() == "a-basics-2027-01-01-2027-02-14.pdf"
        pdf = attachment.get_content()
        assert pdf.startswith(b"%PDF")
        text = _pdf_text(pdf, tmp_path)
        assert "Gendarmerie nationale" in text
    assert french["Message-ID"] != english["Message-ID"]
    assert len(inbox.to("resp@b.example.org")) == 1  # French (the default) for a manager without locale

    assert _deliveries(app) == [("a", date(2027, 1, 1), date(2027, 2, 14), 2),
                                ("b", date(2027, 1, 1), date(2027, 2, 14), 1)]

    again = send(environment, "--today", "2027-03-01")  # same period still the last one ended
    assert again.returncode == 0
    assert "already-sent\ta" in again.stdout and "already-sent\tb" in again.stdout
    assert "no-managers\tc" in again.stdout
    assert len(inbox.messages) == 3
    assert len(_deliveries(app)) == 2


def test_a_dry_run_sends_and_records_nothing(
        app: Flask, partners: None, environment: dict[str, str], smtp: tuple[Inbox, int]) -> None:
    result = send(environment, "--today", "2027-02-20", "--dry-run")
    assert result.returncode == 0
    assert "would-send\ta\tto boss@a.example.org, chef@a.example.org" in result.stdout
    assert "[dry run]" in result.stderr
    assert smtp[0].messages == [] and _deliveries(app) == []


def test_a_refused_mail_is_not_recorded_so_the_next_run_sends_it(
        app: Flask, partners: None, environment: dict[str, str], smtp: tuple[Inbox, int]) -> None:
    down = dict(environment, COURSEWARE_SMTP_PORT=str(free_port()))  # nothing listens there
    failed = send(down, "--today", "2027-02-20")
    assert failed.returncode == 1
    assert "failed\ta\tnot sent, will be retried" in failed.stdout
    assert _deliveries(app) == []
    retried = send(environment, "--today", "2027-02-20")
    assert retried.returncode == 0 and "sent\ta\t2 manager(s)" in retried.stdout
    assert len(smtp[0].messages) == 3


def test_periods_follow_the_setting_and_a_bad_one_is_a_clear_error(
        app: Flask, partners: None, environment: dict[str, str], smtp: tuple[Inbox, int]) -> None:
    monthly = send(dict(environment, COURSEWARE_REPORT_PERIOD="month"), "--today", "2027-02-20")
    assert "reports for 2027-01-01..2027-01-31 (month)" in monthly.stderr
    bad = send(dict(environment, COURSEWARE_REPORT_PERIOD="fortnight"))
    assert bad.returncode == 1
    assert "COURSEWARE_REPORT_PERIOD: unknown report period 'fortnight'" in bad.stderr
    bad_date = send(environment, "--today", "20-02-2027")
    assert bad_date.returncode == 2 and "--today" in bad_date.stderr
