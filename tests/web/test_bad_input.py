"""Whatever a browser or a script sends, the answer is a 4xx page, never a 500."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.helpers import csrf_token

SECRET = "top secret, not course material"


def assert_error_page(response, status: int, text: str) -> None:
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f"Error {status}" in html
    assert text in html
    assert "Traceback" not in html


@pytest.mark.parametrize("url", [
    "/courses/nope/",
    "/courses/nope/welcome/",
    "/courses/basics/nope/",
    "/courses/basics/welcome/nope/",
    "/courses/BASICS/",
    "/nowhere",
    "/courses/nope/assets/images/diagram.svg",
])
def test_unknown_pages_are_404_pages(client, url):
    assert_error_page(client.get(url), 404, "Page not found")


def test_completing_an_unknown_chapter_is_404(client, auth, progress_rows):
    auth.signup()
    token = csrf_token(client.get("/"))
    for url in ("/courses/basics/nope/complete", "/courses/nope/welcome/complete"):
        assert_error_page(client.post(url, data={"csrf_token": token}), 404, "Page not found")
    assert progress_rows() == []


@pytest.fixture
def private_files(course_dir: Path) -> None:
    """Files near the course that must never be served."""
    folder = course_dir / "basics"
    (course_dir / "secret.txt").write_text(SECRET)
    (course_dir.parent / "secret.txt").write_text(SECRET)
    (folder / ".hidden.txt").write_text(SECRET)
    (folder / ".drafts").mkdir()
    (folder / ".drafts" / "notes.txt").write_text(SECRET)


@pytest.mark.parametrize("path", [
    "../course.yaml",
    "%2e%2e/course.yaml",
    "..%2fcourse.yaml",
    "../secret.txt",
    "..%2Fsecret.txt",
    "%2e%2e/%2e%2e/secret.txt",
    "images/../../secret.txt",
    "images/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "..%5c..%5csecret.txt",
    "/etc/hostname",
    "%2Fetc%2Fhostname",
    "course.yaml",
    "01-welcome.md",
    "02-DATA.MD",
    "01-welcome.md%00.txt",
    ".hidden.txt",
    ".drafts/notes.txt",
    "images/",
    "images",
])
def test_course_files_outside_assets_are_never_served(client, private_files, path):
    url = f"/courses/basics/assets/{path}"
    with client.get(url, follow_redirects=True) as response:
        assert response.status_code == 404, url
        assert SECRET not in response.get_data(as_text=True)
        assert "title: Bienvenue" not in response.get_data(as_text=True)
        assert "issuer:" not in response.get_data(as_text=True)
        # A redirect (double slashes are merged) must stay on this site.
        assert urlsplit(response.request.url).netloc in ("", "localhost")


def test_real_assets_are_served(client):
    for url in ("/courses/basics/assets/images/diagram.svg",
                "/courses/basics/assets/images%2Fdiagram.svg"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.mimetype == "image/svg+xml"
            assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("url", "data"), [
    ("/login", {"email": "ana@example.org", "password": "un mot de passe solide"}),
    ("/signup", {"email": "ana@example.org", "name": "Ana", "password": "un mot de passe solide"}),
    ("/logout", {}),
    ("/courses/basics/welcome/complete", {}),
    ("/password/forgot", {"email": "ana@example.org"}),
    ("/language", {"language": "en"}),
])
def test_posting_without_csrf_token_is_a_clear_400(client, url, data):
    response = client.post(url, data=data)
    assert_error_page(response, 400, "The form had expired or was sent from elsewhere")


def test_posting_with_a_wrong_csrf_token_is_refused(client, auth, app, user_row):
    auth.signup()
    response = client.post("/account/name", data={"csrf_token": "forged", "name": "Pirate"})
    assert_error_page(response, 400, "The form had expired or was sent from elsewhere")
    assert user_row("ana@example.org").name == "Ana Dupont"


def test_a_csrf_token_from_another_session_is_refused(client, auth, second_auth, user_row):
    auth.signup()
    attacker_token = csrf_token(second_auth.client.get("/"))
    response = client.post("/account/name", data={"csrf_token": attacker_token, "name": "Pirate"})
    assert response.status_code == 400
    assert user_row("ana@example.org").name == "Ana Dupont"


@pytest.mark.parametrize("url", [
    "/logout", "/courses/basics/welcome/complete", "/account/name", "/account/password",
    "/language",
])
def test_get_on_post_only_urls_is_a_405_page(client, auth, url):
    auth.signup()
    response = client.get(url)
    assert_error_page(response, 405, "Method not allowed")


@pytest.mark.parametrize("url", ["/", "/courses/basics/", "/courses/basics/welcome/"])
def test_post_on_pages_is_a_405_page(client, url):
    response = client.post(url, data={"csrf_token": csrf_token(client.get("/"))})
    assert_error_page(response, 405, "Method not allowed")


@pytest.mark.parametrize("url", ["/login", "/signup", "/courses/basics/welcome/complete"])
def test_oversized_request_body_is_413(app, client, url):
    token = csrf_token(client.get("/"))
    too_big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1024)
    response = client.post(url, data={"csrf_token": token, "name": too_big})
    assert_error_page(response, 413, "What you sent is too large.")


UNSAFE_NEXT = [
    "//evil.example",
    "//evil.example/courses/basics/",
    "https://evil.example",
    "http://evil.example/",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "http:/evil.example",
    "https:evil.example",
    "///evil.example",
    "evil.example",
]


def lands_on_this_site(location: str) -> bool:
    browser_sees = location.replace("\\", "/")
    for character in "\t\n\r":
        browser_sees = browser_sees.replace(character, "")
    target = urlsplit(urljoin("http://localhost/login", browser_sees.strip()))
    return target.scheme == "http" and target.netloc == "localhost"


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_login_never_redirects_off_site(client, auth, target):
    auth.signup()
    auth.logout()
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    response = client.post("/login", data={
        "csrf_token": csrf_token(page), "email": "ana@example.org",
        "password": "un mot de passe solide", "next": target})
    assert response.status_code == 302
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_signup_and_language_never_redirect_off_site(client, auth, target):
    response = auth.signup(next=target)
    assert response.status_code == 302
    assert lands_on_this_site(response.headers["Location"]), response.headers["Location"]
    language = auth.post("/language", {"language": "en", "next": target})
    assert language.status_code == 302
    assert lands_on_this_site(language.headers["Location"]), language.headers["Location"]


def test_safe_next_keeps_its_query_string(client):
    response = client.post("/language", data={
        "csrf_token": csrf_token(client.get("/")), "language": "fr",
        "next": "/courses/basics/?x=1"})
    assert response.headers["Location"] == "/courses/basics/?x=1"


@pytest.mark.parametrize("token", [
    "a" * 5000, "%00", "%ff%fe", "é", "<script>",
])
def test_odd_reset_tokens_are_400_not_500(client, token):
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400
    assert "This link no longer works" in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["email", "password", "name", "next"])
@pytest.mark.parametrize("odd", ["%FF%FE", "%00", "%E2%80%AE", "x&{field}=y"])
def test_odd_bytes_and_repeated_fields_are_handled(client, field, odd):
    """Invalid UTF-8, NUL, bidi controls, repeated fields: a 4xx or a redirect, never a 500."""
    token = csrf_token(client.get("/signup"))
    values = {"email": "ana%40example.org", "name": "Ana", "password": "un+mot+de+passe+solide",
              "next": "%2F"}
    values[field] += odd.format(field=field)
    body = f"csrf_token={token}&" + "&".join(f"{key}={value}" for key, value in values.items())
    response = client.post("/signup", data=body.encode(),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert lands_on_this_site(response.headers["Location"])


def test_non_form_bodies_are_refused_cleanly(client):
    token = csrf_token(client.get("/login"))
    response = client.post("/login", data=b'{"email": "x"}', content_type="application/json",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


# -- values that reach a column: checked before the database sees them (issue 9, finding 7) --
# PostgreSQL refuses NUL bytes and over-long strings with an error (a 500); SQLite stores them.

@pytest.mark.parametrize("url", ["/login", "/password/forgot", "/signup"])
def test_a_nul_byte_in_the_email_is_refused_with_a_message(client, url):
    token = csrf_token(client.get(url))
    response = client.post(url, data={"csrf_token": token, "email": "ana\x00@example.org",
                                      "password": "un mot de passe solide", "name": "Ana"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "This field contains characters that are not allowed." in html
    assert "Traceback" not in html


@pytest.mark.parametrize("cookie", ["x" * 9, "e\x00n", "english-please"])
def test_an_odd_language_cookie_at_sign_up_is_ignored(app, client, auth, user_row, cookie):
    client.set_cookie("lang", cookie)
    response = auth.signup()
    assert response.status_code == 302
    assert user_row("ana@example.org").locale is None
    assert client.get("/").status_code == 200  # the odd cookie still gets a page


def test_a_known_language_cookie_is_kept_at_sign_up(client, auth, user_row):
    client.set_cookie("lang", "en")
    auth.signup()
    assert user_row("ana@example.org").locale == "en"


@pytest.fixture
def linked_files(app, course_dir: Path) -> Path:
    """Links dropped into images/ after start-up: to the instance's secret, to its folder, and
    one to a file of the course itself."""
    images = course_dir / "basics" / "images"
    secret = Path(app.config["INSTANCE_DIR"]) / "secret_key"
    secret.parent.mkdir(parents=True, exist_ok=True)
    secret.write_text("instance-secret-value")
    (images / "secret.txt").symlink_to(secret)
    (images / "hostname.txt").symlink_to("/etc/hostname")
    (secret.parent / "notes.txt").write_text("instance-secret-value")
    (images / "instance").symlink_to(secret.parent)
    (images / "loop.txt").symlink_to(images / "loop.txt")
    (images / "same.svg").symlink_to("diagram.svg")
    return images


@pytest.mark.parametrize("path", ["images/secret.txt", "images/hostname.txt", "images/instance/notes.txt",
                                  "images%2Finstance%2Fnotes.txt", "images/loop.txt"])
def test_links_out_of_the_course_folder_are_not_followed(client, linked_files, path):
    with client.get(f"/courses/basics/assets/{path}") as response:
        assert response.status_code == 404
        assert "instance-secret-value" not in response.get_data(as_text=True)


def test_a_link_inside_the_course_folder_is_served(client, linked_files):
    with client.get("/courses/basics/assets/images/same.svg") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
