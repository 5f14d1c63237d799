"""Headers that keep private pages private: no-store, HSTS, Secure cookies, and
no proxy header believed from an untrusted hop.

Security review, issue 9, finding 9.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from flask import Flask
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from courseware.db import dispose_engines, get_engine
from courseware.models import User
from tests.helpers import CSRF_PATTERN, csrf_token, prepared_app
from tests.live_server import running_server
from tests.web.conftest import english_client

SIGNED_IN_PAGES = ["/", "/account/", "/account/delete", "/courses/basics/", "/courses/basics/welcome/",
                   "/courses/basics/certificate", "/accessibility"]


@pytest.fixture
def https_app(app_config: dict) -> Iterator[Flask]:
    app = prepared_app({**app_config, "BASE_URL": "https://cours.example.fr"})
    yield app
    dispose_engines(app)


def reset_link(app: Flask, email: str) -> str:
    with get_engine(app).connect() as connection:
        user_id = connection.scalar(select(User.id).where(User.email == email))
    token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset").dumps(
        {"u": user_id, "v": 1})
    return f"/password/reset/{token}"


def test_every_page_of_a_signed_in_learner_is_no_store(app, client, auth):
    auth.signup()
    for url in SIGNED_IN_PAGES:
        with client.get(url) as response:
            assert response.status_code in (200, 403), url
            assert response.headers.get("Cache-Control") == "no-store", url


def test_reset_pages_are_no_store_whoever_asks(app, client, auth):
    auth.signup()
    auth.logout()
    for url in (reset_link(app, "ana@example.org"), "/password/reset/not-a-token"):
        response = client.get(url)
        assert response.headers.get("Cache-Control") == "no-store", url
    token = csrf_token(client.get(reset_link(app, "ana@example.org")))
    posted = client.post(reset_link(app, "ana@example.org"),
                         data={"csrf_token": token, "password": "x", "confirm": "y"})
    assert posted.status_code == 400
    assert posted.headers.get("Cache-Control") == "no-store"


def test_visitors_pages_and_static_files_stay_cacheable(client, auth):
    for url in ("/", "/courses/basics/welcome/", "/login"):
        assert "no-store" not in client.get(url).headers.get("Cache-Control", ""), url
    auth.signup()
    with client.get("/static/css/site.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_hsts_only_when_the_public_address_is_https(https_app, client):
    secure = english_client(https_app)
    for url in ("/", "/login", "/static/css/site.css", "/nowhere"):
        with secure.get(url) as response:
            assert response.headers.get("Strict-Transport-Security") == "max-age=31536000", url
    assert "Strict-Transport-Security" not in client.get("/").headers


def language_cookie(client) -> str:
    token = csrf_token(client.get("/"))
    response = client.post("/language", data={"csrf_token": token, "language": "fr", "next": "/"})
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("lang=")]
    return header


def test_the_language_cookie_is_secure_when_the_site_is_https(https_app, client):
    assert "Secure" in language_cookie(english_client(https_app))
    assert "Secure" not in language_cookie(client)  # over http it would never come back


def test_gunicorn_believes_no_forwarded_proto_without_trusted_proxies(tmp_path, course_dir, database_url):
    """With X-Forwarded-Proto believed, the request counts as https and Flask-WTF
    then demands a Referer: a local process could flip the scheme the app sees."""
    with running_server(content_dir=course_dir, instance_dir=tmp_path / "instance",
                        database_url=database_url, workers=1) as server, requests.Session() as browser:
        browser.cookies.set("lang", "en")
        page = browser.get(server.url + "/login")
        token = csrf_token_from(page.text)
        response = browser.post(server.url + "/login", headers={"X-Forwarded-Proto": "https"},
                                data={"csrf_token": token, "email": "nobody@example.org",
                                      "password": "pas le bon mot de passe"})
        assert response.status_code == 400
        assert "Wrong e-mail address or password." in response.text
        assert "sent from elsewhere" not in response.text


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match
    return match.group(1) or match.group(2)


