"""Outgoing mail goes through the outbox to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import requests
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

from courseware import accounts, mail
from courseware.cli import main
from courseware.db import dispose_engines, get_engine
from courseware.mail import deliver_due, queue_mail, retry_delay
from courseware.models import OutboxMessage
from tests.helpers import Auth, prepared_app
from tests.live_server import free_port, running_server

PASSWORD = "un mot de passe solide"


class Inbox:
    """What the SMTP server received."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, _server, _session, envelope) -> str:  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp_down() -> Iterator[SmtpServer]:
    """A port where nothing listens yet; `start()` brings the server up."""
    server = SmtpServer(free_port())
    yield server
    server.stop()


def _app(app_config: dict, port: int) -> Flask:
    app = prepared_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
                         "SMTP_STARTTLS": False, "MAIL_FROM": "cours@example.fr"})
    return app


@pytest.fixture
def smtp_app(app_config: dict, smtp: SmtpServer) -> Iterator[Flask]:
    app = _app(app_config, smtp.port)
    yield app
    dispose_engines(app)


@pytest.fixture
def down_app(app_config: dict, smtp_down: SmtpServer) -> Iterator[Flask]:
    app = _app(app_config, smtp_down.port)
    yield app
    dispose_engines(app)


def outbox(app: Flask) -> list:
    with get_engine(app).connect() as connection:
        return list(connection.execute(select(OutboxMessage.__table__)))


def add_learner(app: Flask, email: str = "ana@example.org") -> None:
    with app.app_context():
        from courseware.db import get_session

        accounts.create_user(get_session(), app.extensions["courseware.hasher"], email=email,
                             name="Ana Dupont", password=PASSWORD)


def ask_for_reset(app: Flask, address: str):
    client = app.test_client()
    client.set_cookie("lang", "en")
    return Auth(client).post("/password/forgot", {"email": address}, token_from="/password/forgot")


def test_a_reset_mail_is_queued_by_the_request_and_delivered_by_smtp(smtp_app, smtp):
    add_learner(smtp_app)
    response = ask_for_reset(smtp_app, "ana@example.org")
    assert response.status_code == 302
    assert smtp.inbox.messages == []  # the request itself sends nothing
    assert len(outbox(smtp_app)) == 1

    report = deliver_due(get_engine(smtp_app), smtp_app.config)
    assert (report.sent, report.failed) == (1, 0)
    [message] = smtp.inbox.messages
    assert message["To"] == "ana@example.org"
    assert message["From"] == "cours@example.fr"
    assert message["Subject"] == "Reset your password"
    assert "http://courseware.test/password/reset/" in message.get_body().get_content()
    assert outbox(smtp_app) == []  # delivered mail (and its link) is not kept


def test_attachments_arrive_intact(smtp_app, smtp):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 4
    with get_engine(smtp_app).begin() as connection:
        queue_mail(connection, to="manager@example.org", subject="Rapport de novembre",
                   body="Le rapport est en pièce jointe.",
                   attachments=[("rapport.pdf", "application/pdf", pdf),
                                ("chiffres.csv", "text/csv", b"a;b\n1;2\n")])
    deliver_due(get_engine(smtp_app), smtp_app.config)
    [message] = smtp.inbox.messages
    assert message["Subject"] == "Rapport de novembre"
    assert "pièce jointe" in message.get_body(preferencelist=("plain",)).get_content()
    parts = {part.get_filename(): part for part in message.iter_attachments()}
    assert parts["rapport.pdf"].get_content_type() == "application/pdf"
    assert parts["rapport.pdf"].get_content() == pdf
    assert parts["chiffres.csv"].get_content().replace("\r\n", "\n") == "a;b\n1;2\n"


def test_nothing_is_queued_unless_the_transaction_commits(smtp_app, smtp):
    with get_engine(smtp_app).connect() as connection:
        transaction = connection.begin()
        queue_mail(connection, to="ana@example.org", subject="Bonjour", body="...")
        transaction.rollback()
    assert outbox(smtp_app) == []


def test_smtp_down_loses_no_mail_and_shows_no_error(down_app, smtp_down):
    add_learner(down_app)
    known = ask_for_reset(down_app, "ana@example.org")
    unknown = ask_for_reset(down_app, "nobody@example.org")
    # The same answer either way, and no 500 although the mail server is down.
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]

    engine = get_engine(down_app)
    first = datetime.now(UTC)
    report = deliver_due(engine, down_app.config, now=first)
    assert (report.sent, report.failed) == (0, 1)
    [row] = outbox(down_app)
    assert row.attempts == 1 and "ConnectionRefusedError" in row.last_error
    assert "reset" not in row.last_error  # the error never carries the message

    smtp_down.start()
    # Not retried before its time...
    assert deliver_due(engine, down_app.config, now=first + timedelta(seconds=1)).sent == 0
    # ...then delivered once the backoff has passed.
    later = first + timedelta(seconds=retry_delay(1) + 1)
    assert deliver_due(engine, down_app.config, now=later).sent == 1
    [message] = smtp_down.inbox.messages
    assert message["To"] == "ana@example.org"
    assert outbox(down_app) == []


def test_the_cli_delivers_the_outbox(smtp_app, smtp, app_config):
    with get_engine(smtp_app).begin() as connection:
        queue_mail(connection, to="ana@example.org", subject="Bonjour", body="Un message.")
    env = {"COURSEWARE_INSTANCE_DIR": app_config["INSTANCE_DIR"],
           "COURSEWARE_CONTENT_DIR": app_config["CONTENT_DIR"],
           "COURSEWARE_DATABASE_URL": app_config["DATABASE_URL"],
           "COURSEWARE_SECRET_KEY": "cli-test-key", "COURSEWARE_SMTP_HOST": "127.0.0.1",
           "COURSEWARE_SMTP_PORT": str(smtp.port), "COURSEWARE_SMTP_STARTTLS": "0"}
    result = CliRunner().invoke(main, ["mail", "deliver"], env=env)
    assert result.exit_code == 0, result.output
    assert "1 mail(s) sent, 0 failed, 0 waiting" in result.output
    assert [m["Subject"] for m in smtp.inbox.messages] == ["Bonjour"]


def test_mail_a_request_queued_goes_out_once_the_answer_is_sent(smtp_app, smtp, monkeypatch):
    """The delivery thread is woken when the response closes, not at its next poll."""
    monkeypatch.setattr(mail, "POLL_SECONDS", 600)  # so only the wake-up can deliver in time
    add_learner(smtp_app)
    stop = mail.start_delivery_thread(get_engine(smtp_app), smtp_app.config)
    try:
        time.sleep(0.2)  # its first round found nothing: it now waits for a wake-up or 600 s
        client = smtp_app.test_client()
        client.set_cookie("lang", "en")
        token = Auth(client).token("/password/forgot")
        response = client.post("/password/forgot", data={"email": "ana@example.org", "csrf_token": token},
                               buffered=True)  # closes the response, as a server does once it is sent
        assert response.status_code == 302
        for _ in range(300):
            if smtp.inbox.messages:
                break
            time.sleep(0.1)
        assert [m["Subject"] for m in smtp.inbox.messages] == ["Reset your password"]
    finally:
        stop.set()
        mail.deliver_soon()  # lets the thread see `stop` now


def test_each_server_process_delivers_in_the_background(engine, database_url, tmp_path,
                                                        course_dir, smtp):
    instance = tmp_path / "instance"
    instance.mkdir()
    env = {"COURSEWARE_SMTP_HOST": "127.0.0.1", "COURSEWARE_SMTP_PORT": str(smtp.port),
           "COURSEWARE_SMTP_STARTTLS": "0"}
    with running_server(content_dir=course_dir, instance_dir=instance, database_url=database_url,
                        extra_env=env) as server:
        http = requests.Session()
        page = http.get(f"{server.url}/signup", timeout=10).text
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        http.post(f"{server.url}/signup", timeout=10, data={
            "csrf_token": token, "email": "ana@example.org", "name": "Ana", "password": PASSWORD})
        anonymous = requests.Session()
        page = anonymous.get(f"{server.url}/password/forgot", timeout=10).text
        token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        response = anonymous.post(f"{server.url}/password/forgot", timeout=10, allow_redirects=False,
                                  data={"csrf_token": token, "email": "ana@example.org"})
        assert response.status_code == 302
        for _ in range(200):  # nobody runs `mail deliver`: a worker's thread sends it
            if any(m["To"] == "ana@example.org" and "reset" in m.get_body().get_content()
                   for m in smtp.inbox.messages):
                break
            time.sleep(0.1)
        else:
            raise AssertionError("the server never delivered the reset mail")
