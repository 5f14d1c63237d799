"""Log-ins are server-side: log-out, "log out everywhere" and lifetimes end them for good."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from courseware.db import dispose_engines, get_engine
from courseware.models import LoginSession
from courseware.sessions import TOUCH_INTERVAL, now_seconds
from tests.helpers import Auth, prepared_app, settle_login_cache
from tests.web.conftest import english_client

PASSWORD = "un mot de passe solide"
_rows = LoginSession.__table__


def is_logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


def session_rows(app: Flask) -> list:
    with get_engine(app).connect() as connection:
        return list(connection.execute(select(_rows).order_by(_rows.c.id)))


def age_sessions(app: Flask, *, created: int = 0, last_seen: int = 0) -> None:
    """Move every session's log-in and last request `created`/`last_seen` seconds back."""
    with get_engine(app).begin() as connection:
        connection.execute(update(_rows).values(created_at=_rows.c.created_at - created,
                                                last_seen_at=_rows.c.last_seen_at - last_seen))
    settle_login_cache(app)  # time moved in the table: heard as any change is (PostgreSQL)


def copied_cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")
            if client.get_cookie(name) is not None}


def replay(app: Flask, cookies: dict[str, str]):
    """Another browser that got hold of copies of these cookies."""
    thief = english_client(app)
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def test_a_session_cookie_copied_before_logout_no_longer_works(app, client, auth):
    auth.signup()
    copy = copied_cookies(client)
    assert is_logged_in(replay(app, copy))
    auth.logout()
    assert not is_logged_in(replay(app, copy))
    assert session_rows(app) == []


def test_a_remember_me_cookie_copied_before_logout_no_longer_works(app, client, auth):
    auth.signup()
    auth.logout()
    auth.login(remember=True)
    remembered = {"remember_token": client.get_cookie("remember_token").value}
    assert is_logged_in(replay(app, remembered))
    auth.logout()
    assert not is_logged_in(replay(app, remembered))


def test_remember_me_tokens_differ_per_log_in_and_are_stored_hashed(app, client, auth, second_auth):
    auth.signup()
    auth.logout()
    auth.login(remember=True)
    laptop = client.get_cookie("remember_token").value
    second_auth.login(remember=True)
    phone = second_auth.client.get_cookie("remember_token").value
    assert laptop != phone
    for row in session_rows(app):
        assert row.key_hash not in laptop and row.key_hash not in phone
    # Logging out on the laptop leaves the phone logged in.
    auth.logout()
    second_auth.client.delete_cookie("session")
    assert is_logged_in(second_auth.client)
    assert not is_logged_in(replay(app, {"remember_token": laptop}))


def test_log_out_everywhere_ends_every_session_of_the_account_only(app, client, auth, second_auth):
    auth.signup()
    phone = second_auth
    phone.login(remember=True)
    bob = Auth(english_client(app))
    bob.signup(email="bob@example.org", name="Bob Martin")
    phone_cookies = copied_cookies(phone.client)

    page = client.get("/account/").get_data(as_text=True)
    assert "Log out everywhere" in page
    response = auth.post("/account/logout-everywhere", token_from="/account/")
    assert response.status_code == 302
    assert "You are logged out on every device." in client.get("/").get_data(as_text=True)
    assert not is_logged_in(client)
    assert not is_logged_in(phone.client)
    assert not is_logged_in(replay(app, {"remember_token": phone_cookies["remember_token"]}))
    assert is_logged_in(bob.client)


def test_log_out_everywhere_needs_the_csrf_token(client, auth):
    auth.signup()
    response = client.post("/account/logout-everywhere")
    assert response.status_code == 400
    assert is_logged_in(client)


def test_a_session_ends_after_the_idle_timeout(app, client, auth):
    auth.signup()
    age_sessions(app, last_seen=app.config["SESSION_IDLE_TIMEOUT"] - 60)
    assert is_logged_in(client)  # a request in time keeps it going...
    age_sessions(app, last_seen=app.config["SESSION_IDLE_TIMEOUT"] - 60)
    assert is_logged_in(client)
    age_sessions(app, last_seen=app.config["SESSION_IDLE_TIMEOUT"] + 1)
    assert not is_logged_in(client)  # ...too long without one ends it
    assert session_rows(app) == []


def test_a_session_ends_after_its_absolute_lifetime_however_active(app, client, auth):
    auth.signup()
    age_sessions(app, created=app.config["SESSION_MAX_AGE"] - 60)
    assert is_logged_in(client)
    age_sessions(app, created=120)
    assert not is_logged_in(client)


def test_remember_me_lasts_its_own_lifetime_without_idle_limit(app, client, auth):
    auth.signup()
    auth.logout()
    auth.login(remember=True)
    client.delete_cookie("session")
    lifetime = app.config["REMEMBER_ME_MAX_AGE"]
    age_sessions(app, created=lifetime - 60, last_seen=lifetime - 60)
    assert is_logged_in(client)
    age_sessions(app, created=120)
    client.delete_cookie("session")
    assert not is_logged_in(client)


def test_last_seen_is_written_at_most_once_per_interval(app, client, auth):
    auth.signup()
    [row] = session_rows(app)
    for _ in range(3):
        assert is_logged_in(client)
    assert session_rows(app)[0].last_seen_at == row.last_seen_at  # no write per page
    age_sessions(app, last_seen=TOUCH_INTERVAL + 1)
    assert is_logged_in(client)
    assert session_rows(app)[0].last_seen_at >= now_seconds() - 5


@pytest.fixture
def short_app(app_config: dict):
    app = prepared_app({**app_config, "SESSION_IDLE_TIMEOUT": 600, "SESSION_MAX_AGE": 3600,
                         "REMEMBER_ME_MAX_AGE": 7200})
    yield app
    dispose_engines(app)


def test_lifetimes_come_from_the_settings(short_app):
    client = english_client(short_app)
    auth = Auth(client)
    auth.signup()
    age_sessions(short_app, last_seen=601)
    assert not is_logged_in(client)
    auth.login(remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.expires.timestamp() <= now_seconds() + 7200 + 5


def test_expired_sessions_are_purged_at_the_next_log_in(app, client, auth):
    auth.signup()
    auth.logout()
    for _ in range(3):
        auth.login()
        client.delete_cookie("session")  # closed the browser without logging out
    age_sessions(app, created=app.config["SESSION_MAX_AGE"] + 1)
    auth.login()
    with get_engine(app).connect() as connection:
        assert connection.scalar(select(func.count()).select_from(_rows)) == 1
