"""The chapter fast path (web/chapter_fast_path.py) answers exactly as the view
would, in every state it serves, and leaves every other case to the view."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, update

from courseware.db import READER_KEY, get_engine
from courseware.models import ChapterProgress, LoginSession, User
from courseware.web.chapter_fast_path import CachedChapterPages
from courseware.web.login_cache import login_cache
from tests.helpers import Auth, cut_login_listener, prepared_app, settle_login_cache, write_course
from tests.translated_course import CHAPTERS_EN, CHAPTERS_FR, RIGHT, write_translation
from tests.web.conftest import english_client

COURSE = "/courses/basics/"
WELCOME, QUIZ, NEXT = (f"{COURSE}{slug}/" for slug in ("welcome", "quiz", "next"))
GZIP = {"Accept-Encoding": "gzip, deflate, br"}
# Reading times of the three chapters: what is left depends on which ones are done.
MINUTES = {"01-welcome.md": 5, "02-quiz.md": 20, "03-next.md": 30}


def with_minutes(chapters: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    return {name: (f"{title}\nminutes: {MINUTES[name]}", body) for name, (title, body) in chapters.items()}


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """The French course with its English translation (a quiz in chapter 2)."""
    content = tmp_path / "content"
    course = write_course(content / "basics", chapters=with_minutes(CHAPTERS_FR))
    write_translation(course, chapters=with_minutes(CHAPTERS_EN))
    return content


def fast_path(app: Flask) -> CachedChapterPages:
    return app.extensions["courseware.chapter_fast_path"]


def both_ways(client: FlaskClient, url: str, headers: dict[str, str] | None = None):
    """The page from the view (fast path off), then again with the fast path on;
    and whether the fast path answered the second time."""
    fast = fast_path(client.application)
    fast.enabled = False
    try:
        slow = client.get(url, headers=headers)
    finally:
        fast.enabled = True
    served = fast.served
    quick = client.get(url, headers=headers)
    return slow, quick, fast.served == served + 1


def assert_same(slow, quick) -> None:
    assert quick.status_code == slow.status_code == 200

    def headers(response) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in response.headers.items() if k != "X-Request-ID")

    assert headers(quick) == headers(slow)
    assert quick.get_data() == slow.get_data()


def text(response) -> str:
    body = response.get_data()
    if response.headers.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return body.decode()


def signed_in(app: Flask, email: str, role: str = "learner") -> Auth:
    auth = Auth(english_client(app))
    auth.signup(email=email)
    if role != "learner":
        with get_engine(app).begin() as connection:
            connection.execute(update(User).where(User.email == email).values(role=role))
    auth.client.get("/")  # shows (and clears) the welcome message
    return auth


@pytest.mark.parametrize("headers", [None, GZIP, {"Accept-Encoding": "gzip;q=0"}])
def test_a_returning_learner_gets_the_very_page_the_view_makes(app, headers):
    learner = signed_in(app, "ana@example.org")
    client = learner.client
    first = client.get(WELCOME)  # the first visit writes its progress row: the view's job
    assert first.status_code == 200 and fast_path(app).served == 0
    slow, quick, fast = both_ways(client, WELCOME, headers)
    assert fast
    assert_same(slow, quick)
    assert quick.headers["Cache-Control"] == "no-store"
    assert (quick.headers.get("Content-Encoding") == "gzip") == (headers is GZIP)
    assert "Log out" in text(quick) and "Mark as complete" in text(quick)

    learner.complete(WELCOME)
    client.get(WELCOME)  # the flash message of the completion: the view shows it
    slow, quick, fast = both_ways(client, WELCOME, headers)
    assert fast
    assert_same(slow, quick)
    assert "You have completed this chapter." in text(quick)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_language_is_chosen_as_the_view_chooses_it(app, language):
    learner = signed_in(app, f"{language}@example.org")
    with get_engine(app).begin() as connection:  # the account's language would win
        connection.execute(update(User).values(locale=None))
    settle_login_cache(app)
    client = learner.client
    client.delete_cookie("lang")
    headers = {"Accept-Language": f"{language};q=0.9, de;q=0.5"}
    client.get(WELCOME, headers=headers)
    slow, quick, fast = both_ways(client, WELCOME, headers)
    assert fast
    assert_same(slow, quick)
    assert ("Hello and welcome." in text(quick)) == (language == "en")
    client.set_cookie("lang", "fr")  # the cookie wins over the browser
    slow, quick, fast = both_ways(client, WELCOME, {"Accept-Language": "en"})
    assert fast
    assert_same(slow, quick)
    assert "Bonjour et bienvenue." in text(quick)


def test_a_visitor_who_opened_the_chapter_gets_the_same_page(app):
    client = english_client(app)
    client.get(WELCOME)  # notes the chapter in the visitor's session
    slow, quick, fast = both_ways(client, WELCOME, GZIP)
    assert fast
    assert_same(slow, quick)
    assert "Cache-Control" not in quick.headers
    assert "Log in" in text(quick)


def test_a_visitor_without_a_session_is_left_to_the_view(app):
    client = english_client(app)
    for _ in range(2):
        response = client.get(WELCOME, headers={"Cookie": "lang=en"})
        assert response.status_code == 200
    assert fast_path(app).served == 0


def test_the_menu_follows_the_reader_role(app):
    """The instructor's menu links to their dashboard; a learner's never does."""
    instructor = signed_in(app, "prof@example.org", role="instructor")
    learner = signed_in(app, "ana@example.org")
    for auth in (instructor, learner, instructor, learner):
        page = auth.client.get(NEXT)
        assert page.status_code == 200
        assert ("Instructor dashboard" in page.text) == (auth is instructor)


def test_the_time_left_counts_the_chapters_this_learner_finished(app):
    """Two learners with one chapter done each, not the same one."""
    ana, bob = signed_in(app, "ana@example.org"), signed_in(app, "bob@example.org")
    ana.client.get(WELCOME)
    ana.complete(WELCOME)
    bob.client.get(NEXT)
    bob.complete(NEXT)
    for auth, left in ((ana, "About 50 min left."), (bob, "About 25 min left."),
                       (ana, "About 50 min left."), (bob, "About 25 min left.")):
        auth.client.get(QUIZ)
        assert left in auth.client.get(QUIZ).text
    assert fast_path(app).served >= 2


def test_a_cookie_copied_before_logout_reads_as_a_visitor(app):
    learner = signed_in(app, "ana@example.org")
    learner.client.get(WELCOME)
    learner.client.get(WELCOME)
    cookie = learner.client.get_cookie("session").value
    learner.logout()
    thief = english_client(app)
    thief.set_cookie("session", cookie)
    served = fast_path(app).served
    page = thief.get(WELCOME)
    assert page.status_code == 200
    assert "Log out" not in page.text and "Log in" in page.text
    assert fast_path(app).served == served


def test_a_remembered_learner_gets_the_same_page_and_a_lost_session_logs_in_again(app):
    learner = signed_in(app, "ana@example.org")
    learner.logout()
    learner.login(email="ana@example.org", remember=True)
    client = learner.client
    assert client.get_cookie("remember_token") is not None
    client.get("/")  # the welcome back message
    client.get(WELCOME)
    slow, quick, fast = both_ways(client, WELCOME, GZIP)
    assert fast  # a "remember me" cookie beside a live session changes nothing
    assert_same(slow, quick)
    assert "Log out" in text(quick)

    # The browser was closed: the session cookie is gone, the remember-me cookie
    # is still there. The view logs the learner in again from it.
    client.delete_cookie("session")
    served = fast_path(app).served
    page = client.get(WELCOME)
    assert page.status_code == 200 and "Log out" in page.text
    assert fast_path(app).served == served


def test_an_idle_session_ends_on_the_chapter_page_too(app):
    learner = signed_in(app, "ana@example.org")
    learner.client.get(WELCOME)
    assert "Log out" in learner.client.get(WELCOME).text
    with get_engine(app).begin() as connection:
        connection.execute(update(LoginSession).values(
            last_seen_at=LoginSession.last_seen_at - app.config["SESSION_IDLE_TIMEOUT"] - 1))
    settle_login_cache(app)  # heard as another server would hear it (PostgreSQL)
    served = fast_path(app).served
    page = learner.client.get(WELCOME)
    assert "Log in" in page.text and "Log out" not in page.text
    assert fast_path(app).served == served


def test_a_flash_message_is_shown_by_the_view(app):
    learner = signed_in(app, "ana@example.org")
    for url in (WELCOME, QUIZ):
        learner.client.get(url)
    completed = learner.complete(WELCOME)  # "marked as complete", then the next chapter
    served = fast_path(app).served
    page = learner.client.get(completed.headers["Location"])
    assert "marked as complete" in page.text
    assert fast_path(app).served == served
    assert "marked as complete" not in learner.client.get(QUIZ).text  # shown once
    learner.client.get(QUIZ)
    assert fast_path(app).served == served + 1  # the page of this state is cached by now


def test_first_visits_are_left_to_the_view(app, progress_rows):
    learner = signed_in(app, "ana@example.org")
    for url in (WELCOME, QUIZ, NEXT):  # each first visit writes its row
        served = fast_path(app).served
        assert learner.client.get(url).status_code == 200
        assert fast_path(app).served == served
    assert len(progress_rows("ana@example.org")) == 3


def test_a_finished_course_gets_the_views_page_before_and_after_the_claim(app):
    """The end box of a finished course names the certificate: to get, then to view
    (the fast path looks it up too, so a graduate re-reading is served quickly)."""
    learner = signed_in(app, "ana@example.org")
    for url in (WELCOME, QUIZ, NEXT):
        learner.client.get(url)
    learner.complete(WELCOME)
    learner.post(f"{QUIZ}quiz/1", RIGHT, token_from=QUIZ)
    learner.complete(NEXT)
    learner.client.get(NEXT)  # the completion's flash message: the view shows it
    slow, quick, fast = both_ways(learner.client, NEXT)
    assert fast
    assert_same(slow, quick)
    assert "Get my certificate" in text(quick)

    claimed = learner.post("/courses/basics/certificate", {"name": "Ana Dupont", "confirm": "y"},
                           token_from="/courses/basics/certificate")
    public_id = claimed.headers["Location"].rsplit("/", 1)[1]
    learner.client.get(claimed.headers["Location"])  # its flash message
    slow, quick, fast = both_ways(learner.client, NEXT)
    assert fast
    assert_same(slow, quick)
    assert "See my certificate" in text(quick) and public_id in text(quick)


def test_a_host_the_site_does_not_answer_to_gets_the_view_400(app):
    learner = signed_in(app, "ana@example.org")
    learner.client.get(WELCOME)
    learner.client.get(WELCOME)
    served = fast_path(app).served
    response = learner.client.get(WELCOME, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert fast_path(app).served == served


def test_language_links_use_the_public_address_not_the_host_header(app_config):
    from courseware.db import dispose_engines

    app = prepared_app({**app_config, "BASE_URL": "https://cours.example.fr"})
    try:
        learner = signed_in(app, "ana@example.org")
        for host in ("127.0.0.1", "localhost", "127.0.0.1"):
            page = learner.client.get(WELCOME, headers={"Host": host}).text
            assert 'hreflang="en" href="https://cours.example.fr/courses/basics/welcome/?lang=en"' in page
            assert f"http://{host}" not in page
    finally:
        dispose_engines(app)


def test_the_database_down_gives_the_outage_page_not_a_stale_one(app):
    learner = signed_in(app, "ana@example.org")
    learner.client.get(WELCOME)
    learner.client.get(WELCOME)
    working = app.extensions[READER_KEY]
    app.extensions[READER_KEY] = create_engine("sqlite:////nonexistent-folder/courseware.db")
    try:
        # A stopped PostgreSQL also ends the login cache's connection: its entries go.
        cut_login_listener(app)
        response = learner.client.get(WELCOME)
    finally:
        app.extensions[READER_KEY].dispose()
        app.extensions[READER_KEY] = working
    assert response.status_code == 503
    assert "briefly unavailable" in response.text
    assert learner.client.get(WELCOME).status_code == 200


def test_the_hooks_the_fast_path_stands_in_for_are_the_known_ones(app):
    """A new before/after-request hook may change the chapter page: look at
    chapter_fast_path.py, then add the hook here."""
    names = {f"{f.__module__}.{f.__qualname__}"
             for funcs in (*app.before_request_funcs.values(), *app.after_request_funcs.values())
             for f in funcs}
    expected = KNOWN_HOOKS if login_cache(app) is not None else KNOWN_HOOKS - {NEW_COOKIE_AFTER_A_FORM}
    assert names == expected


NEW_COOKIE_AFTER_A_FORM = "courseware.web.login_cache._new_cookie_after_a_form"
KNOWN_HOOKS = {
    # Flask-WTF: checks POSTs only; the fast path answers GETs.
    "flask_wtf.csrf.CSRFProtect.init_app.<locals>.csrf_protect",
    # Flask-Login: sets or clears the remember-me cookie; the fast path steps aside
    # whenever that cookie is sent or the session asks for it.
    "flask_login.login_manager.LoginManager._update_remember_cookie",
    # Cached pages are compressed by the page cache itself, not by this hook.
    "courseware.web.compression._compress_response",
    # Tracking-link visits come with a query string: never on the fast path.
    "courseware.web.attribution._utm_visit",
    # Static files only.
    "courseware.web.static_files.init_app.<locals>._cache_versioned",
    # `Cache-Control: no-store` for signed-in readers: the fast path adds it too.
    "courseware.web._private_pages_are_not_stored",
    # A new session cookie after a signed-in learner's form (not a GET): PostgreSQL only.
    NEW_COOKIE_AFTER_A_FORM,
}


def _cookie_parts(response, app: Flask) -> tuple[dict, str]:
    """The session a Set-Cookie header carries, and the header's attributes."""
    header = response.headers["Set-Cookie"]
    pair, _, attributes = header.partition(";")
    name, _, value = pair.partition("=")
    assert name == app.config["SESSION_COOKIE_NAME"]
    session = app.session_interface.get_signing_serializer(app).loads(value)
    return session, attributes


def test_a_visitor_s_first_view_of_a_chapter_notes_it_as_the_view_does(app):
    """Two browsers with the same visitor cookie: one answered by the view, one by the
    fast path. Same page, same headers, and a cookie holding the same session."""
    through_view = english_client(app)
    through_view.get("/")  # a new session: the view's job
    through_view.get(COURSE)  # the cookie comes back once: verified, known to the fast path
    cookie = through_view.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    through_fast_path = english_client(app)
    through_fast_path.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    fast = fast_path(app)
    served = fast.served
    fast.enabled = False
    try:
        slow = through_view.get(WELCOME, headers=GZIP)
    finally:
        fast.enabled = True
    quick = through_fast_path.get(WELCOME, headers=GZIP)
    assert fast.served == served + 1, "the fast path left a visitor's first view to the view"
    assert quick.status_code == slow.status_code == 200

    def headers(response) -> list[tuple[str, str]]:
        return sorted((k, v) for k, v in response.headers.items() if k not in ("X-Request-ID", "Set-Cookie"))

    assert headers(quick) == headers(slow)
    assert quick.get_data() == slow.get_data()
    assert _cookie_parts(quick, app) == _cookie_parts(slow, app)
    assert "basics/welcome" in _cookie_parts(quick, app)[0]["visitor_opened"]

    # The next chapter comes with the cookie the fast path signed: it is known, so the
    # fast path answers again (once the page is rendered), and the visit carries both chapters.
    english_client(app).get(NEXT)  # another visitor has the page rendered and cached
    served = fast.served - 1
    nxt = through_fast_path.get(NEXT)
    assert fast.served == served + 2
    assert _cookie_parts(nxt, app)[0]["visitor_opened"].split() == ["basics/welcome", "basics/next"]
    again = through_fast_path.get(WELCOME)  # read again: nothing to note, no cookie to send
    assert fast.served == served + 3 and "Set-Cookie" not in again.headers


def test_what_a_visitor_read_through_the_fast_path_is_carried_into_their_account(app):
    for path in (WELCOME, NEXT):  # another visitor has the pages rendered and cached
        english_client(app).get(path)
    visitor = Auth(english_client(app))
    visitor.client.get("/")
    visitor.client.get(COURSE)
    served = fast_path(app).served
    visitor.client.get(WELCOME)
    visitor.client.get(NEXT)
    assert fast_path(app).served == served + 2
    visitor.signup(email="new@example.org")
    with get_engine(app).connect() as connection:
        opened = connection.execute(
            select(ChapterProgress.chapter_slug).join(User, User.id == ChapterProgress.user_id)
            .where(User.email == "new@example.org")).scalars().all()
    assert sorted(opened) == ["next", "welcome"]
