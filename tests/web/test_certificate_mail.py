"""The learner gets an e-mail with the certificate's link and the LinkedIn button
link when it is issued: through the outbox, to a real SMTP server, in their
language, once, and not at all when they turned it off on the account page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import EmailMessage

import pytest
from flask import Flask
from flask.testing import FlaskClient

from courseware.db import dispose_engines, get_engine
from courseware.mail import deliver_due
from tests.helpers import Auth, prepared_app
from tests.smtp import Inbox, smtp_server

CHAPTERS = ("/courses/basics/welcome/", "/courses/basics/data/", "/courses/basics/next/")
CLAIM = "/courses/basics/certificate"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def smtp_app(app_config: dict, smtp: tuple[Inbox, int]) -> Iterator[Flask]:
    app = prepared_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp[1],
                         "SMTP_STARTTLS": False, "MAIL_FROM": "cours@example.fr"})
    yield app
    dispose_engines(app)


def delivered(app: Flask, inbox: Inbox, to: str) -> list[EmailMessage]:
    deliver_due(get_engine(app), app.config)
    return [m for m in inbox.messages if m["To"] == to]


def learner(app: Flask, inbox: Inbox, language: str = "en", email: str = "ana@example.org") -> Auth:
    """Signed up through the form, confirmed with the link that came by SMTP, course done."""
    client: FlaskClient = app.test_client()
    client.set_cookie("lang", language)
    auth = Auth(client)
    auth.client.post("/signup", data={"csrf_token": auth.token("/signup"), "email": email,
                                      "name": "Ana Dupont", "password": "un mot de passe solide",
                                      "next": ""})
    [confirmation] = delivered(app, inbox, email)
    link = re.search(r"https?://[^/\s]+(/signup/confirm/\S+)", confirmation.get_body().get_content())
    assert link and client.get(link.group(1)).status_code in (200, 302)
    for chapter in CHAPTERS:
        assert auth.complete(chapter).status_code == 302
    return auth


def claim(auth: Auth, name: str = "Ana Dupont") -> str:
    response = auth.post(CLAIM, {"name": name, "confirm": "y"}, token_from=CLAIM)
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]
    return response.headers["Location"].rsplit("/", 1)[1]


def certificate_mails(app: Flask, inbox: Inbox, to: str = "ana@example.org") -> list[EmailMessage]:
    return [m for m in delivered(app, inbox, to) if "/signup/confirm/" not in m.get_body().get_content()]


def test_the_learner_gets_the_link_and_the_linkedin_button_link(smtp_app, smtp):
    inbox, _port = smtp
    auth = learner(smtp_app, inbox)
    public_id = claim(auth)
    [mail] = certificate_mails(smtp_app, inbox)
    assert mail["Subject"] == "Your certificate for “Les bases”"
    body = mail.get_body().get_content()
    assert f"http://courseware.test/certificates/{public_id}" in body
    page = auth.client.get(f"/certificates/{public_id}").get_data(as_text=True)
    [add] = re.findall(r'href="(https://www\.linkedin\.com/profile/add[^"]+)"', page)
    assert add.replace("&amp;", "&") in body  # the very link of the page's LinkedIn button
    assert "http://courseware.test/account/" in body  # where to turn it off
    # Once: a double click on the claim form sends nothing more.
    assert auth.post(CLAIM, {"name": "Ana Dupont", "confirm": "y"}, token_from=CLAIM).status_code == 302
    assert len(certificate_mails(smtp_app, inbox)) == 1


def test_the_mail_is_in_the_learners_language(smtp_app, smtp):
    inbox, _port = smtp
    claim(learner(smtp_app, inbox, language="fr"))
    [mail] = certificate_mails(smtp_app, inbox)
    assert mail["Subject"] == "Votre certificat pour «\u00a0Les bases\u00a0»"
    assert "Félicitations" in mail.get_body().get_content()


def test_a_corrected_name_sends_the_new_link(smtp_app, smtp):
    inbox, _port = smtp
    auth = learner(smtp_app, inbox)
    first = claim(auth)
    second = claim(auth, "Ana Dupond")
    assert first != second
    mails = certificate_mails(smtp_app, inbox)
    assert [second in m.get_body().get_content() for m in mails] == [False, True]


def test_no_mail_once_the_learner_turns_it_off(smtp_app, smtp):
    inbox, _port = smtp
    auth = learner(smtp_app, inbox)
    account = auth.client.get("/account/").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" id="certificate_mail" name="certificate_mail" '
                     r'value="y" checked>', account)
    response = auth.post("/account/certificate-mail", {}, token_from="/account/")  # box unticked
    assert response.status_code == 302
    account = auth.client.get("/account/").get_data(as_text=True)
    assert "You will no longer get an e-mail" in account
    assert 'name="certificate_mail" value="y">' in account  # shown unticked
    claim(auth)
    assert certificate_mails(smtp_app, inbox) == []
    assert auth.client.get("/account/export.json").get_json()["account"]["certificate_mail"] is False
    # Ticked again: the next certificate (a corrected name) is mailed.
    auth.post("/account/certificate-mail", {"certificate_mail": "y"}, token_from="/account/")
    claim(auth, "Ana Dupond")
    assert len(certificate_mails(smtp_app, inbox)) == 1


def test_the_choice_needs_an_account_and_the_form_token(smtp_app, smtp):
    client = smtp_app.test_client()
    response = client.post("/account/certificate-mail", data={"certificate_mail": "y"})
    assert response.status_code == 400  # no CSRF token: refused before anything else
    token = Auth(client).token("/login")
    response = client.post("/account/certificate-mail", data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
