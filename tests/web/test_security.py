"""CSRF, headers, cookies, password storage, rate limits and escaping."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from flask import Flask
from sqlalchemy import select

from courseware import create_app
from courseware.db import dispose_engines, get_engine, get_session
from courseware.models import User
from tests.helpers import Auth, csrf_token, prepared_app
from tests.web.conftest import english_client

PASSWORD = "un mot de passe solide"
# Values for URL variables, taken from the tiny course where they name something.
URL_VALUES = {"course_slug": "basics", "chapter_slug": "welcome", "asset": "images/diagram.svg",
              "token": "some-token", "public_id": "7Q2K-9MXD-4HRT-0B3V", "number": 1, "user_id": 1}
CSRF_MESSAGE = "The form had expired or was sent from elsewhere"


def post_routes(app: Flask) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in (rule.methods or ()):
            values = {name: URL_VALUES.get(name, "x") for name in rule.arguments}
            urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(urls)


def test_every_form_is_protected_against_csrf(app, client, auth, user_row):
    auth.signup()
    urls = post_routes(app)
    assert {"/login", "/signup", "/logout", "/account/name", "/account/delete",
            "/courses/basics/welcome/complete"} <= set(urls)
    for url in urls:
        for data in ({}, {"csrf_token": ""}, {"csrf_token": "forged.token"}):
            response = client.post(url, data={**data, "name": "Pirate", "password": PASSWORD})
            assert response.status_code == 400, url
            assert CSRF_MESSAGE in response.get_data(as_text=True), url
    assert user_row("ana@example.org").name == "Ana Dupont"
    assert client.get("/account/").status_code == 200  # nothing logged them out or deleted them


def test_every_form_page_carries_a_csrf_token(client, auth):
    for url in ("/login", "/signup", "/password/forgot", "/courses/basics/welcome/"):
        html = client.get(url).get_data(as_text=True)
        assert html.count("<form") == len(re.findall(r'name="csrf_token"', html)), url
    auth.signup()
    for url in ("/account/", "/account/delete", "/courses/basics/welcome/"):
        html = client.get(url).get_data(as_text=True)
        assert html.count("<form") == len(re.findall(r'name="csrf_token"', html)), url


@pytest.mark.parametrize("url", [
    "/", "/courses/basics/", "/courses/basics/welcome/", "/login", "/courses/nope/",
    "/courses/basics/assets/images/diagram.svg", "/healthz",
])
def test_security_headers_on_every_kind_of_response(client, url):
    with client.get(url) as response:
        policy = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["default-src"] == "'self'"
        assert "'unsafe-inline'" not in directives["script-src"]
        assert directives["frame-ancestors"] == "'none'"
        # Nothing is fetched from third parties: only this site (and inline data: images).
        for value in directives.values():
            assert not re.search(r"https?:|\*|//", value), policy
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin",
                                                       "no-referrer")


def test_pages_use_no_third_party_resources(client, auth):
    auth.signup()
    for url in ("/", "/courses/basics/", "/courses/basics/data/", "/account/"):
        html = client.get(url).get_data(as_text=True)
        external = re.findall(r'(?:src|href)="((?:https?:)?//[^"]+)"', html)
        assert [link for link in external if "courseware.test" not in link] == [], url
        assert "<script>" not in html and "style=" not in html, url


def cookie_header(response, name: str) -> str:
    headers = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    assert headers, f"no {name} cookie set"
    return headers[-1]


def test_session_cookie_is_httponly_and_samesite_lax_but_not_secure_over_http(auth):
    header = cookie_header(auth.signup(), "session")
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # http:// BASE_URL: a Secure cookie would never come back


@pytest.fixture
def https_app(app_config: dict) -> Iterator[Flask]:
    app = prepared_app({**app_config, "BASE_URL": "https://cours.example.fr"})
    yield app
    dispose_engines(app)


def test_cookies_are_secure_when_the_site_is_https(https_app, app):
    auth = Auth(english_client(https_app))
    auth.signup()
    auth.logout()
    response = auth.login(remember=True)
    for name in ("session", "remember_token"):
        header = cookie_header(response, name)
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_passwords_are_stored_as_argon2id_hashes(auth, user_row):
    auth.signup()
    stored = user_row("ana@example.org").password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    auth.post("/account/password", {"current_password": PASSWORD, "password": "une autre phrase",
                                    "confirm": "une autre phrase"}, token_from="/account/")
    changed = user_row("ana@example.org").password_hash
    assert changed.startswith("$argon2id$") and changed != stored


def test_production_hasher_uses_strong_parameters(app_config):
    app = create_app({**app_config, "FAST_PASSWORD_HASH": False})
    try:
        hasher = app.extensions["courseware.hasher"]
        # OWASP minimum for Argon2id: 19 MiB of memory, 2 passes.
        assert hasher.memory_cost >= 19 * 1024
        assert hasher.time_cost >= 2
    finally:
        dispose_engines(app)


def test_a_password_hashed_with_the_former_parameters_still_logs_in(app_config):
    # Accounts created before the switch to OWASP's parameters carry argon2-cffi's
    # defaults in their hash: they log in, and the hash is renewed with today's.
    app = prepared_app({**app_config, "FAST_PASSWORD_HASH": False})
    try:
        auth = Auth(english_client(app))
        auth.signup(email="old@example.org")
        auth.client.post("/logout", data={"csrf_token": auth.token("/account/")})
        with app.app_context():
            user = get_session().scalar(select(User).where(User.email == "old@example.org"))
            user.password_hash = PasswordHasher().hash(PASSWORD)  # the former defaults
            get_session().commit()
        assert auth.login("old@example.org", PASSWORD).status_code == 302
        assert auth.client.get("/account/").status_code == 200
        with app.app_context():
            renewed = get_session().scalar(select(User.password_hash)
                                           .where(User.email == "old@example.org"))
        assert "m=65536,t=3,p=4" not in renewed and "m=19456,t=2,p=1" in renewed
    finally:
        dispose_engines(app)


class LockProbingHasher(PasswordHasher):
    """The real hasher, noting at each verification whether another connection could
    take SQLite's write lock at that moment."""

    def __init__(self, database_file: str) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)  # the suite's cheap ones
        self.database_file = database_file
        self.writable: list[bool] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002 - the base's name
        probe = sqlite3.connect(self.database_file, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            self.writable.append(True)
        except sqlite3.OperationalError:
            self.writable.append(False)
        finally:
            probe.close()
        return super().verify(hash, password)


# SQLite only: PostgreSQL has no database-wide write lock to hold.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_logging_in_leaves_the_database_free_for_writes_while_hashing(app, auth):
    # Argon2 takes tens of ms: a log-in holding SQLite's write lock meanwhile made
    # every completion, quiz answer and sign-up of the site wait for it.
    engine = get_engine(app)
    auth.signup()
    auth.logout()
    hasher = LockProbingHasher(str(engine.url.database))
    app.extensions["courseware.hasher"] = hasher
    assert auth.login().status_code == 302
    assert auth.client.get("/account/").status_code == 200
    auth.logout()
    auth.login(password="pas le bon mot de passe")
    auth.login(email="personne@example.org")
    assert hasher.writable == [True, True, True]


@pytest.fixture
def limited_app(app_config: dict) -> Iterator[Flask]:
    app = prepared_app({**app_config, "RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "3 per minute"})
    yield app
    dispose_engines(app)


@pytest.mark.parametrize("url", ["/login", "/signup", "/password/forgot"])
def test_too_many_attempts_get_a_429_page(app, limited_app, url):
    client = english_client(limited_app)
    data = {"email": "ana@example.org", "password": "pas le bon", "name": "Ana"}
    for _ in range(3):
        response = client.post(url, data={**data, "csrf_token": csrf_token(client.get(url))})
        assert response.status_code in (302, 400)
    response = client.post(url, data={**data, "csrf_token": csrf_token(client.get(url))})
    assert response.status_code == 429
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Too many attempts" in html and "Error 429" in html
    # Reading pages is not limited.
    assert client.get("/courses/basics/welcome/").status_code == 200


def test_the_limit_counts_per_client_address_and_ignores_forged_proxy_headers(app, limited_app):
    attacker = english_client(limited_app)
    statuses = []
    for attempt in range(5):
        # Without TRUSTED_PROXIES, a forged X-Forwarded-For must not buy fresh attempts.
        response = attacker.post("/login", headers={"X-Forwarded-For": f"203.0.113.{attempt}"},
                                 data={"csrf_token": csrf_token(attacker.get("/login")),
                                       "email": "ana@example.org", "password": "pas le bon"})
        statuses.append(response.status_code)
    assert statuses == [400, 400, 400, 429, 429]

    neighbour = english_client(limited_app)
    neighbour.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    response = neighbour.post("/login", data={
        "csrf_token": csrf_token(neighbour.get("/login")), "email": "bob@example.org",
        "password": "pas le bon"})
    assert response.status_code == 400


SCRIPT_NAME = "<script>alert(1)</script>"


def test_learner_names_are_escaped(client, auth):
    auth.signup(name=SCRIPT_NAME)
    for url in ("/", "/account/"):  # the welcome message, the account form
        html = client.get(url).get_data(as_text=True)
        assert SCRIPT_NAME not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    auth.post("/account/name", {"name": '"><img src=x onerror=alert(1)>'}, token_from="/account/")
    html = client.get("/account/").get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html or \
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_form_errors_echo_input_escaped(auth):
    html = auth.signup(email=SCRIPT_NAME).get_data(as_text=True)
    assert SCRIPT_NAME not in html
    assert "&lt;script&gt;" in html


def test_error_pages_do_not_reflect_the_url_unescaped(client):
    html = client.get("/courses/%3Cscript%3Ealert(1)%3C%2Fscript%3E/").get_data(as_text=True)
    assert SCRIPT_NAME not in html
