"""Who may see what: log-in walls, and one learner never reaching another's data."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import csrf_token

PROTECTED = [
    ("GET", "/account/"),
    ("GET", "/account/export.json"),
    ("GET", "/account/delete"),
    ("POST", "/account/delete"),
    ("POST", "/account/name"),
    ("POST", "/account/password"),
]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_visitors_are_sent_to_log_in_and_back(client, method, url):
    data = {"csrf_token": csrf_token(client.get("/login"))} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [url]


@pytest.mark.parametrize(("method", "url"), PROTECTED)
def test_protected_pages_open_once_logged_in(client, auth, method, url):
    auth.signup()
    token = csrf_token(client.get("/account/"))
    data = {"csrf_token": token} if method == "POST" else None
    response = client.open(url, method=method, data=data)
    assert response.status_code in (200, 400)  # 400: the empty form is refused, not the learner


def test_login_page_brings_the_learner_back_to_the_protected_page(client, auth):
    auth.signup()
    auth.logout()
    wall = client.get("/account/export.json")
    login_page = client.get(wall.headers["Location"])
    assert 'name="next" type="hidden" value="/account/export.json"' in login_page.get_data(
        as_text=True)
    response = client.post("/login", data={
        "csrf_token": csrf_token(login_page), "email": "ana@example.org",
        "password": "un mot de passe solide", "next": "/account/export.json"})
    assert response.headers["Location"] == "/account/export.json"


def course_summary(client) -> str:
    html = client.get("/courses/basics/").get_data(as_text=True)
    return re.search(r"\d+ of \d+ chapters done \(\d+%\)", html).group(0)


def test_learners_see_and_change_only_their_own_progress(client, auth, second_auth, progress_rows):
    auth.signup()
    second_auth.signup(email="bob@example.org", name="Bob Martin")

    auth.complete("/courses/basics/welcome/")
    auth.complete("/courses/basics/data/")
    second_auth.client.get("/courses/basics/next/")
    assert course_summary(client) == "2 of 3 chapters done (67%)"
    assert course_summary(second_auth.client) == "0 of 3 chapters done (0%)"

    bob_chapter = second_auth.client.get("/courses/basics/welcome/").get_data(as_text=True)
    assert "Mark as complete" in bob_chapter  # Ana's "done" does not show for Bob
    second_auth.complete("/courses/basics/next/")
    assert course_summary(client) == "2 of 3 chapters done (67%)"
    assert course_summary(second_auth.client) == "1 of 3 chapters done (33%)"

    ana = {(row.chapter_slug, row.completed_at is not None) for row in progress_rows("ana@example.org")}
    bob = {(row.chapter_slug, row.completed_at is not None)
           for row in progress_rows("bob@example.org")}
    assert ana == {("welcome", True), ("data", True)}
    assert bob == {("welcome", False), ("next", True)}

    ana_export = json.loads(client.get("/account/export.json").get_data(as_text=True))
    bob_export = json.loads(second_auth.client.get("/account/export.json").get_data(as_text=True))
    assert {row["chapter"] for row in ana_export["progress"]} == {"welcome", "data"}
    assert {row["chapter"] for row in bob_export["progress"]} == {"welcome", "next"}
    assert ana_export["account"]["email"] == "ana@example.org"
    assert bob_export["account"]["email"] == "bob@example.org"


def test_account_forms_only_ever_change_the_logged_in_learner(client, auth, second_auth, user_row):
    auth.signup()
    second_auth.signup(email="bob@example.org", name="Bob Martin")
    bob_id = user_row("bob@example.org").id
    # Extra fields naming another learner are ignored: the account is the session's.
    auth.post("/account/name", {"name": "Pirate", "user_id": bob_id, "id": bob_id,
                                "email": "bob@example.org"}, token_from="/account/")
    assert user_row("bob@example.org").name == "Bob Martin"
    assert user_row("ana@example.org").name == "Pirate"


def test_no_url_takes_a_user_id(app):
    """Pages find the learner from the session only; nothing in a URL can name another one."""
    suspicious = re.compile(r"user|uid|account|learner|member|^id$|^email$")
    # The admin area names accounts on purpose (admins only: see test_role_matrix.py).
    arguments = {argument for rule in app.url_map.iter_rules()
                 if not rule.rule.startswith("/admin/") for argument in rule.arguments}
    assert arguments  # the check looks at real routes
    assert {argument for argument in arguments if suspicious.search(argument)} == set()

