"""Sign-up, log-in, log-out and password reset through the real forms."""

from __future__ import annotations

import email
import re
import time
from email import policy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from courseware.db import get_engine
from courseware.mail import deliver_due
from courseware.models import User
from tests.helpers import Auth, csrf_token
from tests.web.conftest import english_client

PASSWORD = "un mot de passe solide"
NEW_PASSWORD = "une toute nouvelle phrase"
GOOD = {"name": "Ana Dupont", "email": "ana@example.org", "password": PASSWORD}


def count_users(app) -> int:
    with get_engine(app).connect() as connection:
        return connection.scalar(select(func.count()).select_from(User.__table__))


def sent_mail(app) -> list[email.message.EmailMessage]:
    """Mail the site sent: the outbox is delivered (to files, no SMTP here) first."""
    deliver_due(get_engine(app), app.config)
    folder = Path(app.config["INSTANCE_DIR"]) / "mail"
    paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]


def reset_link(message: email.message.EmailMessage) -> str:
    match = re.search(r"http://courseware\.test(/password/reset/\S+)",
                      message.get_body().get_content())
    assert match, "the mail has no reset link"
    return match.group(1)


def ask_for_reset(auth: Auth, address: str):
    return auth.post("/password/forgot", {"email": address}, token_from="/password/forgot")


def is_logged_in(client) -> bool:
    return client.get("/account/").status_code == 200


# --- sign-up -----------------------------------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    ({"name": ""}, "Please enter your name."),
    ({"email": ""}, "Please enter your e-mail address."),
    ({"password": ""}, "Please choose a password."),
    ({"email": "ana.example.org"}, "This e-mail address does not look valid."),
    ({"email": "ana@"}, "This e-mail address does not look valid."),
    ({"password": "court"}, "Use at least 10 characters."),
    ({"name": "Ana\x00Dupont"}, "This field contains characters that are not allowed."),
    ({"name": "Ana\nDupont"}, "This field contains characters that are not allowed."),
    ({"name": "A" * 121}, "Field cannot be longer than 120 characters."),
    ({"email": "a" * 250 + "@example.org"}, "Field cannot be longer than 254 characters."),
    ({"password": "p" * 201}, "Use at most 200 characters."),
], ids=["no-name", "no-email", "no-password", "email-without-at", "email-without-domain",
        "short-password", "nul-in-name", "newline-in-name", "long-name", "long-email",
        "long-password"])
def test_signup_refuses_bad_input_and_saves_nothing(app, auth, changes, message):
    response = auth.signup(**{**GOOD, **changes})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert "Please correct the following" in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_signup_logs_in_and_greets_by_name(client, auth, user_row):
    response = auth.signup()
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    home = client.get("/").get_data(as_text=True)
    assert "Welcome, Ana Dupont!" in home
    assert "Log out" in home
    assert user_row("ana@example.org").name == "Ana Dupont"


def test_signup_form_is_prefilled_after_an_error(auth):
    html = auth.signup(**{**GOOD, "password": "court"}).get_data(as_text=True)
    assert 'value="ana@example.org"' in html
    assert 'value="Ana Dupont"' in html
    assert PASSWORD not in html and "court" not in html.split("<form", 1)[1]


def test_email_is_unique_whatever_its_case(app, auth, second_auth, user_row):
    assert auth.signup(email="Ana@Example.ORG").status_code == 302
    assert user_row("ana@example.org") is not None  # stored lower-cased
    response = second_auth.signup(email="ana@EXAMPLE.org", name="Someone else")
    assert response.status_code == 400
    assert "An account already uses this e-mail address" in response.get_data(as_text=True)
    assert count_users(app) == 1
    assert user_row("ana@example.org").name == "Ana Dupont"


# --- log-in and log-out ---------------------------------------------------------

def test_login_accepts_the_email_in_any_case(client, auth):
    auth.signup()
    auth.logout()
    response = auth.login(email="  ANA@example.org ")
    assert response.status_code == 302
    assert is_logged_in(client)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, auth):
    auth.signup()
    auth.logout()
    wrong_password = auth.login(password="pas le bon mot de passe")
    unknown_email = auth.login(email="nobody@example.org")
    assert wrong_password.status_code == unknown_email.status_code == 400
    for response in (wrong_password, unknown_email):
        assert "Wrong e-mail address or password." in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_login_follows_a_safe_next(client, auth):
    auth.signup()
    auth.logout()
    page = client.get("/login?next=/courses/basics/data/")
    response = client.post("/login", data={
        "csrf_token": csrf_token(page), "email": "ana@example.org", "password": PASSWORD,
        "next": "/courses/basics/data/"})
    assert response.headers["Location"] == "/courses/basics/data/"


def test_remember_me_sets_a_lasting_cookie_only_when_asked(client, auth, app):
    auth.signup()
    auth.logout()
    auth.login()
    assert client.get_cookie("remember_token") is None
    auth.logout()
    response = auth.login(remember=True)
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.expires is not None and cookie.expires.timestamp() > time.time() + 29 * 86400
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token"))
    assert "HttpOnly" in header and "SameSite=Lax" in header

    # The browser is closed: the session cookie is gone, the remember cookie brings them back.
    client.delete_cookie("session")
    assert is_logged_in(client)


def test_logout_is_post_only(client, auth):
    auth.signup()
    response = client.get("/logout")
    assert response.status_code == 405
    assert "Method not allowed" in response.get_data(as_text=True)
    assert is_logged_in(client)
    response = auth.logout()
    assert response.status_code == 302
    assert not is_logged_in(client)
    assert "You are logged out." in client.get("/").get_data(as_text=True)


def test_logout_also_ends_remember_me(client, auth):
    """On a shared computer, "Log out" must mean it, even after "Remember me"."""
    auth.signup()
    auth.logout()
    auth.login(remember=True)
    auth.logout()
    assert not is_logged_in(client)
    client.delete_cookie("session")
    assert not is_logged_in(client)


# --- password reset -------------------------------------------------------------

def test_password_reset_by_mail_link(app, client, auth):
    auth.signup()
    auth.logout()
    response = ask_for_reset(auth, "ANA@example.org")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    [message] = sent_mail(app)
    assert message["To"] == "ana@example.org"
    link = reset_link(message)

    form = client.get(link)
    assert form.status_code == 200
    assert "Choose a new password" in form.get_data(as_text=True)
    mismatch = client.post(link, data={"csrf_token": csrf_token(form), "password": NEW_PASSWORD,
                                       "confirm": "autre chose encore"})
    assert mismatch.status_code == 400
    assert "The two passwords are different." in mismatch.get_data(as_text=True)

    done = client.post(link, data={"csrf_token": csrf_token(form), "password": NEW_PASSWORD,
                                   "confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert is_logged_in(client)
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 400
    assert auth.login(password=NEW_PASSWORD).status_code == 302

    # The link works once.
    auth.logout()
    again = client.get(link)
    assert again.status_code == 400
    assert "This link no longer works" in again.get_data(as_text=True)
    reused = client.post(link, data={"csrf_token": csrf_token(again), "password": "encore une autre",
                                     "confirm": "encore une autre"})
    assert reused.status_code == 400
    assert auth.login(password=NEW_PASSWORD).status_code == 302


def test_forgot_password_answers_the_same_for_unknown_addresses_and_sends_nothing(app, client, auth):
    auth.signup()
    auth.logout()
    unknown = ask_for_reset(auth, "nobody@example.org")
    unknown_page = client.get(unknown.headers["Location"]).get_data(as_text=True)
    assert sent_mail(app) == []
    known = ask_for_reset(auth, "ana@example.org")
    known_page = client.get(known.headers["Location"]).get_data(as_text=True)
    assert len(sent_mail(app)) == 1
    assert unknown.status_code == known.status_code == 302
    assert unknown.headers["Location"] == known.headers["Location"]
    notice = "If an account uses this address, we have sent it a link"
    assert notice in unknown_page and notice in known_page


def test_forgot_password_checks_the_address(app, auth):
    response = ask_for_reset(auth, "pas une adresse")
    assert response.status_code == 400
    assert "This e-mail address does not look valid." in response.get_data(as_text=True)
    assert sent_mail(app) == []


def _user_id(app, address: str) -> int:
    with get_engine(app).connect() as connection:
        return connection.scalar(select(User.id).where(User.email == address))


class _TwoHoursAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 2 * 3600


def test_expired_reset_link_no_longer_works(app, client, auth):
    auth.signup()
    auth.logout()
    # A link signed with the site's key, as the site makes them, but two hours old.
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset",
                                        signer=_TwoHoursAgo)
    token = serializer.dumps({"u": _user_id(app, "ana@example.org"), "v": 1})
    link = f"/password/reset/{token}"
    app.config["RESET_TOKEN_MAX_AGE"] = 3 * 3600
    assert client.get(link).status_code == 200  # still young enough for a 3-hour limit
    app.config["RESET_TOKEN_MAX_AGE"] = 3600
    response = client.get(link)
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)
    posted = client.post(link, data={"csrf_token": csrf_token(response),
                                     "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert posted.status_code == 400
    assert auth.login(password=PASSWORD).status_code == 302


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
    lambda token: "x" + token,
    lambda token: token.split(".")[0],
    lambda _token: "not-a-token",
], ids=["signature", "payload", "truncated", "garbage"])
def test_tampered_reset_link_is_refused(app, client, auth, tamper):
    auth.signup()
    auth.logout()
    ask_for_reset(auth, "ana@example.org")
    link = reset_link(sent_mail(app)[0])
    prefix, token = link.rsplit("/", 1)
    response = client.get(f"{prefix}/{tamper(token)}")
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)


def test_reset_link_for_another_account_cannot_be_forged(app, client, auth):
    """A token signed with another key (another site, an old key) is refused."""
    auth.signup()
    auth.logout()
    forged = URLSafeTimedSerializer("another key", salt="password-reset").dumps(
        {"u": _user_id(app, "ana@example.org"), "v": 1})
    assert client.get(f"/password/reset/{forged}").status_code == 400


def test_changing_password_logs_out_other_sessions_but_keeps_this_one(app, client, auth,
                                                                     second_auth):
    auth.signup()
    laptop = second_auth
    laptop.login()
    phone = Auth(english_client(app))
    phone.login(remember=True)
    phone.client.delete_cookie("session")  # closed the browser: only "remember me" is left
    assert is_logged_in(laptop.client)

    response = auth.post("/account/password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD,
    }, token_from="/account/")
    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(laptop.client)
    assert phone.client.get_cookie("remember_token") is not None
    assert not is_logged_in(phone.client)


def test_resetting_password_logs_out_every_other_session(app, client, auth, second_auth):
    auth.signup()
    ask_for_reset(second_auth, "ana@example.org")
    link = reset_link(sent_mail(app)[0])
    form = second_auth.client.get(link)
    second_auth.client.post(link, data={"csrf_token": csrf_token(form),
                                        "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert is_logged_in(second_auth.client)
    assert not is_logged_in(client)
