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
from tests.helpers import Auth, confirmation_link, csrf_token, mails_to
from tests.web.conftest import english_client

PASSWORD = "un mot de passe solide"
NEW_PASSWORD = "une toute nouvelle phrase"
GOOD = {"name": "Ana Dupont", "email": "ana@example.org", "password": PASSWORD}


def count_users(app) -> int:
    with get_engine(app).connect() as connection:
        return connection.scalar(select(func.count()).select_from(User.__table__))


def sent_mail(app) -> list[email.message.EmailMessage]:
    """Reset mail the site sent: the outbox is delivered (to files, no SMTP here) first."""
    deliver_due(get_engine(app), app.config)
    folder = Path(app.config["INSTANCE_DIR"]) / "mail"
    paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in paths]
    return [m for m in messages if m["Subject"] == "Reset your password"]


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


def post_signup(auth: Auth, **changes: str):
    """The sign-up form alone, without opening the mailed link."""
    return auth.post("/signup", {**GOOD, "next": "", **changes}, token_from="/signup")


def test_signing_up_with_a_taken_address_answers_exactly_as_for_a_free_one(app, auth, second_auth,
                                                                           user_row):
    auth.signup(email="Ana@Example.ORG")
    assert user_row("ana@example.org") is not None  # stored lower-cased
    stranger = Auth(english_client(app))
    free = post_signup(stranger, email="bob@example.org", name="Bob Martin")
    taken = post_signup(second_auth, email="ana@EXAMPLE.org", name="Someone else",
                        password="le mot de passe de quelqu’un")
    assert free.status_code == taken.status_code == 302
    assert free.headers["Location"] == taken.headers["Location"] == "/signup/sent"
    for who, response in ((stranger, free), (second_auth, taken)):
        page = who.client.get(response.headers["Location"]).get_data(as_text=True)
        assert "Almost there: we have sent a message to" in page
        assert not is_logged_in(who.client)
    # Nor does logging in with the password just chosen tell them apart.
    assert auth.logout().status_code == 302
    for address, password in (("bob@example.org", PASSWORD),
                              ("ana@example.org", "le mot de passe de quelqu’un")):
        response = stranger.login(email=address, password=password)
        assert response.status_code == 400
        assert "Wrong e-mail address or password." in response.get_data(as_text=True)

    assert count_users(app) == 2
    assert user_row("ana@example.org").name == "Ana Dupont"  # the account is untouched
    # The owner is told, with what to do if it was them.
    [notice] = [m for m in mails_to(app, "ana@example.org")
                if m["Subject"] == "You already have an account"]
    text = notice.get_body().get_content()
    assert "http://courseware.test/login" in text and "http://courseware.test/password/forgot" in text
    assert "/signup/confirm/" not in text


def test_a_new_account_opens_with_the_mailed_link_once(app, client, auth):
    response = post_signup(auth, next="/courses/basics/data/")
    assert response.status_code == 302
    link = confirmation_link(app, "ana@example.org")
    assert link
    assert auth.login(password="pas le bon mot de passe").status_code == 400
    opened = client.get(link)
    assert opened.status_code == 302
    assert opened.headers["Location"] == "/courses/basics/data/"
    assert "Welcome, Ana Dupont!" in client.get("/").get_data(as_text=True)
    assert is_logged_in(client)
    auth.logout()
    again = client.get(link)
    assert again.status_code == 302 and not is_logged_in(client)
    assert "Your address is confirmed. Log in to continue." in client.get("/login").get_data(as_text=True)
    assert auth.login().status_code == 302


def test_signing_up_again_before_confirming_replaces_the_pending_sign_up(app, client, auth, user_row):
    post_signup(auth)
    first_link = confirmation_link(app, "ana@example.org")
    post_signup(auth, name="Ana Martin", password=NEW_PASSWORD)
    second_link = confirmation_link(app, "ana@example.org")
    assert first_link != second_link
    assert client.get(first_link).status_code == 400
    assert "This link no longer works" in client.get(first_link).get_data(as_text=True)
    assert client.get(second_link).status_code == 302
    assert user_row("ana@example.org").name == "Ana Martin"
    auth.logout()
    assert auth.login(password=NEW_PASSWORD).status_code == 302


def test_a_tampered_confirmation_link_is_refused(app, client, auth):
    post_signup(auth)
    link = confirmation_link(app, "ana@example.org")
    response = client.get(link[:-3] + "xyz")
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)
    assert not is_logged_in(client)


def test_logging_in_before_confirming_mails_the_link_again(app, auth):
    post_signup(auth)
    right, wrong = auth.login(), auth.login(password="pas le bon mot de passe")
    assert right.status_code == wrong.status_code == 400
    # The same words either way (sign-up must not tell which addresses are taken),
    # and they tell the learner what to do.
    hint = "Just signed up? Open the link we e-mailed you first."
    assert hint in right.get_data(as_text=True) and hint in wrong.get_data(as_text=True)
    links = [m for m in mails_to(app, "ana@example.org")
             if "/signup/confirm/" in m.get_body().get_content()]
    assert len(links) == 2  # sign-up, then the log-in with the right password


def test_a_password_reset_confirms_the_address(app, client, auth):
    post_signup(auth)
    ask_for_reset(auth, "ana@example.org")
    link = reset_link(sent_mail(app)[-1])
    form = client.get(link)
    client.post(link, data={"csrf_token": csrf_token(form), "password": NEW_PASSWORD,
                            "confirm": NEW_PASSWORD})
    auth.logout()
    assert auth.login(password=NEW_PASSWORD).status_code == 302


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



def test_after_signing_up_the_learner_is_told_to_open_the_mail_not_to_log_in(app, client, auth):
    response = post_signup(auth)
    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Check your inbox" in html and "ana@example.org" in html  # the flash names it
    assert 'name="password"' not in html  # no log-in form they cannot use yet
    assert "kept in this browser" not in html  # nothing was read or answered before


def test_the_mail_page_says_what_this_browser_keeps_until_the_link_is_opened(app, client, auth):
    client.get("/courses/basics/welcome/")  # read as a visitor
    page = client.get(post_signup(auth).headers["Location"]).get_data(as_text=True)
    assert "The chapters you read and the quiz answers you gave are kept in this browser" in page
    french = app.test_client().get("/signup/sent", headers={"Accept-Language": "fr"})
    assert "Consultez votre messagerie" in french.get_data(as_text=True)


def test_the_mail_page_still_reads_right_when_reloaded(client, auth):
    """A reload (or a bookmark) comes without the flash that named the address."""
    post_signup(auth)
    client.get("/signup/sent")
    again = client.get("/signup/sent")
    html = again.get_data(as_text=True)
    assert again.status_code == 200 and "Check your inbox" in html
    assert "Almost there" not in html and "shown above" not in html
