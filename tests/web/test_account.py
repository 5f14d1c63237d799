"""The learner's account page: name, password, data download, deletion."""

from __future__ import annotations

import json

from tests.helpers import csrf_token

PASSWORD = "un mot de passe solide"
NEW_PASSWORD = "une toute nouvelle phrase"
WELCOME, DATA = "/courses/basics/welcome/", "/courses/basics/data/"


def change_password(auth, current: str, new: str, confirm: str | None = None):
    return auth.post("/account/password", {
        "current_password": current, "password": new,
        "confirm": new if confirm is None else confirm}, token_from="/account/")


def delete_account(auth, password: str, certificates: str = "keep"):
    return auth.post("/account/delete", {"password": password, "certificates": certificates},
                     token_from="/account/delete")


def test_account_page_shows_who_is_logged_in(client, auth):
    auth.signup()
    html = client.get("/account/").get_data(as_text=True)
    assert "Logged in as ana@example.org." in html
    assert 'value="Ana Dupont"' in html


def test_change_name_is_reflected(client, auth, user_row):
    auth.signup()
    response = auth.post("/account/name", {"name": "  Ana Martin "}, token_from="/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/"
    html = client.get("/account/").get_data(as_text=True)
    assert "Your name has been updated." in html
    assert 'value="Ana Martin"' in html
    assert user_row("ana@example.org").name == "Ana Martin"


def test_change_name_refuses_empty_or_control_characters(auth, user_row):
    auth.signup()
    for name, message in (("", "Please enter your name."),
                          ("Ana\x07", "This field contains characters that are not allowed.")):
        response = auth.post("/account/name", {"name": name}, token_from="/account/")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert user_row("ana@example.org").name == "Ana Dupont"


def test_change_password(client, auth):
    auth.signup()
    response = change_password(auth, PASSWORD, NEW_PASSWORD)
    assert response.status_code == 302
    assert "Your password has been changed." in client.get("/account/").get_data(as_text=True)
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 400
    assert auth.login(password=NEW_PASSWORD).status_code == 302


def test_change_password_needs_the_current_one(auth, user_row):
    auth.signup()
    before = user_row("ana@example.org").password_hash
    wrong = change_password(auth, "pas le bon mot de passe", NEW_PASSWORD)
    assert wrong.status_code == 400
    assert "This is not your current password." in wrong.get_data(as_text=True)
    short = change_password(auth, PASSWORD, "court")
    assert short.status_code == 400
    assert "Use at least 10 characters." in short.get_data(as_text=True)
    mismatch = change_password(auth, PASSWORD, NEW_PASSWORD, "autre chose que ça")
    assert mismatch.status_code == 400
    assert "The two passwords are different." in mismatch.get_data(as_text=True)
    assert user_row("ana@example.org").password_hash == before
    auth.logout()
    assert auth.login(password=PASSWORD).status_code == 302


def test_export_contains_my_account_and_progress_and_nothing_of_others(client, auth, second_auth):
    second_auth.signup(email="bob@example.org", name="Bob Martin")
    second_auth.complete("/courses/basics/next/")
    auth.signup()
    client.get(WELCOME)
    auth.complete(DATA)

    response = client.get("/account/export.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "ana@example.org"
    assert data["account"]["name"] == "Ana Dupont"
    assert "password_hash" not in json.dumps(data) and "argon2" not in json.dumps(data)
    by_chapter = {row["chapter"]: row for row in data["progress"]}
    assert set(by_chapter) == {"welcome", "data"}
    assert all(row["course"] == "basics" for row in data["progress"])
    assert by_chapter["welcome"]["first_opened_at"] and by_chapter["welcome"]["completed_at"] is None
    assert by_chapter["data"]["completed_at"]
    assert "bob" not in response.get_data(as_text=True).lower()
    assert data["certificates"] == []


def test_delete_account_needs_the_right_password(client, auth, user_row, progress_rows):
    auth.signup()
    auth.complete(WELCOME)
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert "Delete my account" in page.get_data(as_text=True)
    wrong = delete_account(auth, "pas le bon mot de passe")
    assert wrong.status_code == 400
    assert "This is not your password." in wrong.get_data(as_text=True)
    empty = delete_account(auth, "")
    assert empty.status_code == 400
    assert user_row("ana@example.org") is not None
    assert len(progress_rows("ana@example.org")) == 1
    assert client.get("/account/").status_code == 200


def test_deleting_the_account_erases_it_and_only_it(app, client, auth, second_auth, user_row,
                                                    progress_rows):
    second_auth.signup(email="bob@example.org", name="Bob Martin")
    second_auth.complete(WELCOME)
    bob_rows = progress_rows("bob@example.org")
    auth.signup()
    auth.complete(WELCOME)
    client.get(DATA)
    ana_id = user_row("ana@example.org").id

    response = delete_account(auth, PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "Your account and your progress have been deleted for good." in \
        client.get("/").get_data(as_text=True)
    assert user_row("ana@example.org") is None
    assert [row for row in progress_rows() if row.user_id == ana_id] == []
    assert client.get("/account/").status_code == 302
    assert auth.login().status_code == 400

    assert user_row("bob@example.org") is not None
    assert progress_rows("bob@example.org") == bob_rows
    assert second_auth.client.get("/account/").status_code == 200

    # The address is free again.
    assert auth.signup().status_code == 302


def test_cookies_of_a_deleted_account_never_open_a_newer_account(client, auth, second_auth):
    """A shared computer keeps the deleted learner's cookies; the next learner must be safe."""
    auth.signup()
    auth.logout()
    auth.login(remember=True)
    remembered = client.get_cookie("remember_token").value
    old_session = client.get_cookie("session").value
    delete_account(auth, PASSWORD)

    second_auth.signup(email="carla@example.org", name="Carla Petit")
    second_auth.complete(WELCOME)

    client.set_cookie("session", old_session)
    assert client.get("/account/").status_code == 302
    client.delete_cookie("session")
    client.set_cookie("remember_token", remembered)
    page = client.get("/account/")
    assert page.status_code == 302
    assert "carla@example.org" not in page.get_data(as_text=True)


def test_delete_page_form_has_a_csrf_token(client, auth):
    auth.signup()
    assert csrf_token(client.get("/account/delete"))
