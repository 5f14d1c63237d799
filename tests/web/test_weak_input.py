"""Passwords that are easy to guess and names that print as something else are
refused with a clear message; certificates cannot be minted by the dozen.

Security review, issue 9, finding 11.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from courseware.db import dispose_engines, get_engine
from courseware.models import Certificate, User
from tests.helpers import Auth, prepared_app
from tests.web.conftest import english_client

PASSWORD = "un mot de passe solide"
CLAIM = "/courses/basics/certificate"
CHAPTERS = ("/courses/basics/welcome/", "/courses/basics/data/", "/courses/basics/next/")
COMMON = "This password is one of the most common ones"
GUESSABLE = "This password is too easy to guess"
PERSONAL = "This password is mostly your name or e-mail address."
INVISIBLE = "This name contains invisible characters"
NOT_VISIBLE = "Please enter a name made of visible letters."


def count(app: Flask, table) -> int:
    with get_engine(app).connect() as connection:
        return connection.scalar(select(func.count()).select_from(table.__table__))


# -- passwords -------------------------------------------------------------------------

@pytest.mark.parametrize(("password", "message"), [
    ("password12", COMMON), ("1234567890", GUESSABLE), ("aaaaaaaaaa", GUESSABLE),
    ("azertyuiop", GUESSABLE), ("0987654321", GUESSABLE), ("abcabcabcabc", GUESSABLE),
    ("iloveyou12", COMMON), ("Sunshine2024!", COMMON), ("motdepasse", COMMON),
    ("anadupont2024", PERSONAL), ("ana@example.org1", PERSONAL), ("Dupont-1234", PERSONAL),
])
def test_easy_passwords_are_refused_at_sign_up(app, auth, password, message):
    response = auth.signup(password=password)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, User) == 0


@pytest.mark.parametrize("password", [
    PASSWORD, "je suis Dupont et j’aime le jazz", "Correct horse battery staple 42", "k7#Qv!2pLm9z",
])
def test_good_passwords_are_accepted(auth, password):
    assert auth.signup(password=password).status_code == 302


def test_a_short_password_gets_one_message_only(auth):
    html = auth.signup(password="aaaa").get_data(as_text=True)
    assert "Use at least 10 characters." in html and GUESSABLE not in html


def test_changing_the_password_refuses_easy_ones(client, auth):
    auth.signup()
    for password, message in (("password12", COMMON), ("anadupont12", PERSONAL)):
        response = auth.post("/account/password", {"current_password": PASSWORD, "password": password,
                                                   "confirm": password}, token_from="/account/")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    auth.logout()
    assert auth.login().status_code == 302  # the old password still works


def test_a_reset_refuses_easy_passwords_and_the_learners_own_name(app, client, auth):
    from itsdangerous import URLSafeTimedSerializer

    auth.signup()
    auth.logout()
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset").dumps({"u": 1, "v": 1})
    link = f"/password/reset/{token}"
    for password, message in (("1234567890", GUESSABLE), ("dupont2024!", PERSONAL)):
        response = auth.post(link, {"password": password, "confirm": password}, token_from=link)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert auth.login().status_code == 302


# -- names -----------------------------------------------------------------------------

INVISIBLE_NAMES = [
    ("\u200b\u200b\u200b", INVISIBLE), ("\u3164", INVISIBLE), ("\u0301\u0301", NOT_VISIBLE),
    ("Ana\u200fDupont", INVISIBLE), ("Ana\u00adDupont", INVISIBLE), ("\ufeffAna Dupont", INVISIBLE),
    ("Ana\u200b", INVISIBLE), ("\u3164\u3164 \u3164", INVISIBLE), ("- . -", NOT_VISIBLE),
]
IDS = ["zero-width-spaces", "hangul-filler", "combining-marks", "rlm", "soft-hyphen", "bom",
       "trailing-zwsp", "fillers-and-space", "punctuation-only"]


@pytest.mark.parametrize(("name", "message"), INVISIBLE_NAMES, ids=IDS)
def test_invisible_names_are_refused_at_sign_up(app, auth, name, message):
    response = auth.signup(name=name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, User) == 0


@pytest.mark.parametrize(("name", "message"), INVISIBLE_NAMES[:5], ids=IDS[:5])
def test_invisible_names_are_refused_at_name_change(auth, user_row, name, message):
    auth.signup()
    response = auth.post("/account/name", {"name": name}, token_from="/account/")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert user_row("ana@example.org").name == "Ana Dupont"


def finish_course(auth: Auth) -> None:
    for chapter in CHAPTERS:
        assert auth.complete(chapter).status_code == 302


def claim(auth: Auth, name: str = "Ana Dupont"):
    return auth.post(CLAIM, {"name": name, "confirm": "y"}, token_from=CLAIM)


@pytest.mark.parametrize(("name", "message"), INVISIBLE_NAMES[:6], ids=IDS[:6])
def test_invisible_names_are_never_printed_on_a_certificate(app, auth, name, message):
    auth.signup()
    finish_course(auth)
    response = claim(auth, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(app, Certificate) == 0


def test_a_persian_name_with_a_joiner_between_letters_is_accepted(auth, user_row):
    name = "ن\u200cهایی"  # ZWNJ between two letters, as Persian writes it
    assert auth.signup(name=name).status_code == 302
    assert user_row("ana@example.org").name == name


# -- certificate claims: rate limits --------------------------------------------------

@pytest.fixture
def limited_app(app_config: dict) -> Iterator[Flask]:
    app = prepared_app({**app_config, "RATELIMIT_ENABLED": True, "CLAIM_RATE_LIMIT": "2 per hour",
                         "CLAIM_ADDRESS_RATE_LIMIT": "3 per hour", "LOGIN_RATE_LIMIT": "100 per minute"})
    yield app
    dispose_engines(app)


def test_one_account_cannot_mint_certificates_by_the_dozen(limited_app):
    auth = Auth(english_client(limited_app))
    auth.signup()
    finish_course(auth)
    assert claim(auth, "Ana Dupont").status_code == 302
    for _ in range(3):  # double clicks issue nothing and cost nothing
        assert claim(auth, "Ana Dupont").status_code == 302
    assert claim(auth, "Ana Dupond").status_code == 302  # a correction: the second issue
    refused = claim(auth, "Ana Dupont")
    assert refused.status_code == 429
    html = refused.get_data(as_text=True)
    assert "Several certificates have been issued in a short time" in html
    assert "Error 429" in html
    assert count(limited_app, Certificate) == 2
    assert auth.client.get(CLAIM).status_code == 200  # the page itself still opens


def test_many_accounts_from_one_address_are_limited_too(limited_app):
    statuses = []
    for index in range(4):
        auth = Auth(english_client(limited_app))
        auth.signup(email=f"learner{index}@example.org", name=f"Learner {index}")
        finish_course(auth)
        statuses.append(claim(auth, f"Learner {index}").status_code)
    assert statuses == [302, 302, 302, 429]

    elsewhere = Auth(english_client(limited_app))
    elsewhere.client.environ_base["REMOTE_ADDR"] = "192.0.2.9"
    elsewhere.signup(email="far@example.org", name="Far Away")
    finish_course(elsewhere)
    assert claim(elsewhere, "Far Away").status_code == 302


def test_the_shipped_list_of_common_passwords_loads():
    from courseware.password_policy import common_passwords

    listed = common_passwords()
    assert len(listed) > 29_000
    assert {"password", "123456", "azertyuiop", "motdepasse"} <= listed
