"""Staff invitations as a manager and an invited person meet them: the upload,
bad rows by line number, "import the valid rows", no duplicates on re-upload,
10,000 addresses queued and sent in batches off the request, and the e-mailed
link attributing the sign-up to the organisation."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from courseware.accounts import create_user
from courseware.db import dispose_engines, get_engine
from courseware.models import AuditEntry, Invitation, Organisation, OrganisationManager, User
from courseware.web.invitations import wait_for_sender
from tests.helpers import Auth, csrf_token, prepared_app
from tests.smtp import smtp_server
from tests.web.conftest import english_client

PAGE = "/organisations/a/invitations"
LINK = re.compile(r"http://courseware\.test/invitations/[A-Za-z0-9_.-]+")


def organisation_with_manager(app: Flask) -> tuple[FlaskClient, int]:
    """Organisation "a" and its manager, logged in."""
    client = english_client(app)
    now = datetime.now(UTC)
    with Session(get_engine(app)) as session:
        create_user(session, app.extensions["courseware.hasher"], email="boss@example.org",
                    name="Boss", password="un mot de passe solide")
    assert Auth(client).login(email="boss@example.org").status_code == 302
    with Session(get_engine(app)) as session:
        organisation = Organisation(slug="a", name="Gendarmerie", created_at=now)
        session.add(organisation)
        session.flush()
        boss = session.scalar(select(User).where(User.email == "boss@example.org"))
        session.add(OrganisationManager(organisation_id=organisation.id, user_id=boss.id,
                                        created_at=now))
        session.commit()
        return client, organisation.id


def upload(client: FlaskClient, data: bytes, name: str = "staff.csv"):
    token = csrf_token(client.get(PAGE))
    return client.post(PAGE, data={"csrf_token": token, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def invitations(app: Flask) -> list:
    with get_engine(app).connect() as connection:
        return list(connection.execute(
            select(Invitation.email, Invitation.name, Invitation.sent_at, Invitation.accepted_at)
            .order_by(Invitation.id)))


def mail_files(app: Flask) -> list[Path]:
    """The invitation mails written to the instance folder (not the sign-up confirmations
    of the accounts the test made)."""
    folder = Path(app.config["INSTANCE_DIR"]) / "mail"
    return sorted(path for path in folder.glob("*.eml")
                  if b"/signup/confirm/" not in path.read_bytes()) if folder.exists() else []


def test_bad_rows_are_listed_by_line_and_nothing_is_imported_until_confirmed(app):
    client, organisation_id = organisation_with_manager(app)
    data = b"email;nom\nana@example.org;Ana\nnot an address;Bob\ncid@example.org;Cid\n"
    response = upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and invitations(app) == []
    assert re.search(r"<th scope=\"row\">3</th><td>This is not an e-mail address.</td>", html)
    assert "Or import the 2 valid rows" in html

    confirm = re.search(r'name="upload" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(f"{PAGE}/confirm", data={"csrf_token": csrf_token(response),
                                                    "upload": confirm})
    assert response.status_code == 302
    wait_for_sender(organisation_id)
    assert [(row.email, row.name) for row in invitations(app)] == [
        ("ana@example.org", "Ana"), ("cid@example.org", "Cid")]
    # The stashed upload is used once.
    again = client.post(f"{PAGE}/confirm", data={"csrf_token": csrf_token(client.get(PAGE)),
                                                 "upload": confirm})
    assert again.status_code == 400 and len(invitations(app)) == 2


def test_a_file_that_cannot_be_read_says_why(app):
    client, _ = organisation_with_manager(app)
    response = upload(client, b"ana@example.org\n\xe9t\xe9@example.org\n")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Line 2:" in html and "UTF-8" in html
    assert upload(client, b"").status_code == 400  # an empty file
    assert invitations(app) == []


def test_uploading_the_same_file_twice_sends_no_duplicates(app):
    client, organisation_id = organisation_with_manager(app)
    data = b"ana@example.org,Ana\nbob@example.org\n"
    assert upload(client, data).status_code == 302
    wait_for_sender(organisation_id)
    assert len(mail_files(app)) == 2
    response = upload(client, data)
    assert response.status_code == 302
    wait_for_sender(organisation_id)
    assert len(mail_files(app)) == 2 and len(invitations(app)) == 2
    page = client.get(PAGE).get_data(as_text=True)
    assert "2 of 2 invitations sent" in page
    with get_engine(app).connect() as connection:
        details = list(connection.scalars(select(AuditEntry.detail).where(
            AuditEntry.action == "invitations.import").order_by(AuditEntry.id)))
    assert details == ["2 new, 0 already invited, 0 bad rows skipped",
                       "0 new, 2 already invited, 0 bad rows skipped"]


def test_the_invitation_link_attributes_the_sign_up_and_is_marked_accepted(app):
    client, organisation_id = organisation_with_manager(app)
    upload(client, b"ana@example.org,Ana Dupont\n")
    wait_for_sender(organisation_id)
    [mail] = mail_files(app)
    body = message_from_bytes(mail.read_bytes(), policy=policy.default).get_content()
    link = LINK.search(body).group(0)
    assert "Gendarmerie" in body

    visitor = english_client(app)
    landing = visitor.get(link.removeprefix("http://courseware.test"))
    assert landing.status_code == 302 and landing.headers["Location"] == "/signup"
    form = visitor.get("/signup").get_data(as_text=True)
    assert 'value="ana@example.org"' in form
    assert Auth(visitor).signup(email="ana@example.org", name="Ana Dupont").status_code == 302
    with get_engine(app).connect() as connection:
        user = connection.execute(select(User.organisation_id, User.attribution)
                                  .where(User.email == "ana@example.org")).one()
    assert tuple(user) == (organisation_id, "invitation")
    assert invitations(app)[0].accepted_at is not None


def test_a_broken_invitation_link_gets_a_clear_page(app):
    response = english_client(app).get("/invitations/not-a-real-token")
    assert response.status_code == 400
    assert "This invitation link does not work" in response.get_data(as_text=True)


@pytest.fixture
def smtp_app(app_config: dict) -> Iterator[tuple[Flask, object]]:
    with smtp_server() as (inbox, port):
        app = prepared_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
                             "SMTP_STARTTLS": False, "INVITATION_BATCH_SIZE": 2})
        yield app, inbox
        dispose_engines(app)


def test_invitations_go_out_over_smtp_one_connection_per_batch(smtp_app):
    app, inbox = smtp_app
    client, organisation_id = organisation_with_manager(app)
    upload(client, "".join(f"agent{i}@gendarmerie.example,Agent {i}\n" for i in range(5)).encode())
    wait_for_sender(organisation_id)
    messages = inbox.messages
    assert sorted(message["To"] for message in messages) == [
        f"agent{i}@gendarmerie.example" for i in range(5)]
    assert len(inbox.connections) == 3  # batches of 2, 2 and 1
    # In the platform's default language (French here), whoever uploaded the file.
    assert messages[0]["Subject"] == "Gendarmerie vous invite à suivre la formation"
    assert LINK.search(messages[0].get_content())
    assert all(row.sent_at is not None for row in invitations(app))


@pytest.fixture
def batch_app(app_config: dict) -> Iterator[Flask]:
    app = prepared_app({**app_config, "INVITATION_BATCH_SIZE": 500})
    yield app
    dispose_engines(app)


def test_ten_thousand_invitations_are_queued_by_the_request_and_sent_by_the_sender(batch_app):
    app = batch_app
    client, organisation_id = organisation_with_manager(app)
    data = "".join(f"agent{i:05d}@gendarmerie.example;Agent {i}\r\n" for i in range(10_000))
    # The request only stores the invitations; a background thread sends them.
    response = upload(client, data.encode())
    assert response.status_code == 302
    assert len(invitations(app)) == 10_000
    assert "of 10000 invitations sent" in client.get(PAGE).get_data(as_text=True)
    wait_for_sender(organisation_id)
    assert all(row.sent_at is not None for row in invitations(app))
    assert len(mail_files(app)) == 10_000
    assert "10000 of 10000 invitations sent" in client.get(PAGE).get_data(as_text=True)
