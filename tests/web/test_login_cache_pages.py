"""Chapter pages from the login cache (PostgreSQL): no database work for a
returning reader, and never a page older than what the learner did or what
another server changed once it is heard."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import create_engine, delete, update

from courseware.db import READER_KEY, get_engine
from courseware.login_cache import listener_for
from courseware.models import ChapterProgress, LoginSession, User
from courseware.web.login_cache import CACHE_KEY, login_cache
from tests.conftest import POSTGRESQL_ONLY
from tests.helpers import Auth, cut_login_listener, settle_login_cache
from tests.translated_course import RIGHT
from tests.web.conftest import english_client
from tests.web.test_chapter_fast_path import (
    NEXT,
    QUIZ,
    WELCOME,
    course_dir,  # noqa: F401 - the same course (a quiz in chapter 2)
    fast_path,
    signed_in,
)

DONE = "You have completed this chapter."


def reading(app: Flask, email: str = "ana@example.org") -> Auth:
    """A signed-in learner reading WELCOME from the cache (second fast-path view)."""
    learner = signed_in(app, email)
    learner.client.get(WELCOME)  # the first view writes its progress row (the view's job)
    settle_login_cache(app)  # ...whose notification would refuse a read it crossed
    learner.client.get(WELCOME)
    assert login_cache(app).get(session_cookie(learner)) is not None
    return learner


def session_cookie(learner: Auth) -> str:
    return learner.client.get_cookie("session").value


def from_cache(app: Flask, learner: Auth, url: str = WELCOME) -> tuple[str, bool]:
    """The page, and whether the fast path answered it from the cache."""
    cache, served = login_cache(app), fast_path(app).served
    hits = cache.hits
    page = learner.client.get(url)
    assert page.status_code == 200
    return page.text, fast_path(app).served == served + 1 and cache.hits == hits + 1


@POSTGRESQL_ONLY
def test_a_returning_reader_is_answered_without_the_database(app):
    learner = reading(app)
    before, cached = from_cache(app, learner)
    assert cached and "Log out" in before
    # Proof that no query runs: the database the pages read from is gone, the page is not.
    working = app.extensions[READER_KEY]
    app.extensions[READER_KEY] = create_engine("sqlite:////nonexistent-folder/courseware.db")
    try:
        page, cached = from_cache(app, learner)
    finally:
        app.extensions[READER_KEY].dispose()
        app.extensions[READER_KEY] = working
    assert cached and page == before


def _role(app: Flask, learner: Auth) -> None:
    with get_engine(app).begin() as connection:
        connection.execute(update(User).values(role="instructor"))


def _completed_elsewhere(app: Flask, learner: Auth) -> None:
    with get_engine(app).begin() as connection:
        connection.execute(update(ChapterProgress).values(completed_at=ChapterProgress.started_at))


def _logged_out_everywhere_from_another_device(app: Flask, learner: Auth) -> None:
    phone = Auth(english_client(app))
    phone.login()
    assert phone.post("/account/logout-everywhere", token_from="/account/").status_code == 302


def _session_expired_by_an_operator(app: Flask, learner: Auth) -> None:
    with get_engine(app).begin() as connection:
        connection.execute(update(LoginSession).values(last_seen_at=0))


def _account_deleted(app: Flask, learner: Auth) -> None:
    with get_engine(app).begin() as connection:
        connection.execute(delete(User))


CHANGES = {
    "made an instructor": (_role, lambda page: "Instructor" in page),
    "chapter completed on another device": (_completed_elsewhere, lambda page: DONE in page),
    "logged out everywhere": (_logged_out_everywhere_from_another_device,
                              lambda page: "Log in" in page and "Log out" not in page),
    "idle log-out forced": (_session_expired_by_an_operator,
                            lambda page: "Log in" in page and "Log out" not in page),
    "account deleted": (_account_deleted, lambda page: "Log in" in page and "Log out" not in page),
}


@POSTGRESQL_ONLY
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_change_made_elsewhere_shows_once_heard(app, change):
    learner = reading(app)
    make, shows = CHANGES[change]
    before, _cached = from_cache(app, learner)
    assert not shows(before)
    make(app, learner)
    settle_login_cache(app)  # what every server hears within milliseconds (the README's figure)
    assert login_cache(app).get(session_cookie(learner)) is None
    page = learner.client.get(WELCOME).text
    assert shows(page)


@POSTGRESQL_ONLY
@pytest.mark.parametrize("form", ["complete", "quiz"])
def test_the_page_after_a_learners_own_form_never_waits_for_a_notification(app, form):
    learner = reading(app)
    url = WELCOME if form == "complete" else QUIZ
    learner.client.get(url)
    settle_login_cache(app)
    learner.client.get(url)
    assert DONE not in from_cache(app, learner, url)[0]
    old_cookie = session_cookie(learner)
    if form == "complete":
        response = learner.complete(WELCOME)
    else:
        response = learner.post(f"{QUIZ}quiz/1", RIGHT, token_from=QUIZ)
    assert response.status_code in (302, 303)
    # A new cookie, so no server answers from what it kept for the old one,
    # whether or not it has heard of the change yet.
    assert session_cookie(learner) != old_cookie
    assert login_cache(app).get(session_cookie(learner)) is None
    assert DONE in learner.client.get(url).text


@POSTGRESQL_ONLY
def test_every_form_a_learner_sends_gives_a_new_cookie(app):
    """Even one that says nothing back (a wrong quiz answer: no message in the
    session), so a form added later that changes what the page shows is safe too."""
    learner = reading(app)
    learner.client.get(QUIZ)
    for _attempt in range(2):
        cookie = session_cookie(learner)
        response = learner.post(f"{QUIZ}quiz/1", {"q1": "0", "q2": ["1"]}, token_from=QUIZ)
        assert response.status_code in (302, 303)
        assert session_cookie(learner) != cookie


@POSTGRESQL_ONLY
def test_a_reading_learner_keeps_their_cookie(app):
    learner = reading(app)
    cookie = session_cookie(learner)
    learner.client.get(NEXT)
    learner.client.get(WELCOME)
    assert session_cookie(learner) == cookie  # reading rewrites nothing


@POSTGRESQL_ONLY
def test_a_lost_notification_connection_empties_the_cache(app):
    learner = reading(app)
    cut_login_listener(app)  # as a PostgreSQL restart does; back within a second
    assert len(login_cache(app)) == 0  # changes made meanwhile may have gone unheard
    _page, cached = from_cache(app, learner)
    assert not cached  # read again from the database...
    _page, cached = from_cache(app, learner)
    assert cached  # ...then kept again


@POSTGRESQL_ONLY
def test_a_finished_course_remembers_its_certificate_until_it_changes(app):
    learner = reading(app)
    for url in (QUIZ, NEXT):
        learner.client.get(url)
    learner.complete(WELCOME)
    learner.post(f"{QUIZ}quiz/1", RIGHT, token_from=QUIZ)
    learner.complete(NEXT)
    claim = learner.post("/courses/basics/certificate", {"name": "Ana Dupont", "confirm": "y"},
                         token_from="/courses/basics/certificate")
    assert claim.status_code == 302
    public_id = claim.headers["Location"].rsplit("/", 1)[1]
    learner.client.get(claim.headers["Location"])  # its flash message
    settle_login_cache(app)
    learner.client.get(WELCOME)  # the new cookie: verified by Flask (the view answers)...
    learner.client.get(WELCOME)  # ...then read from the database once by the fast path
    page, cached = from_cache(app, learner)
    assert cached and public_id in page
    with get_engine(app).begin() as connection:
        connection.execute(delete(ChapterProgress).where(ChapterProgress.chapter_slug == "next"))
    settle_login_cache(app)
    assert public_id not in learner.client.get(WELCOME).text


@POSTGRESQL_ONLY
def test_a_log_out_is_forgotten_by_its_own_process_before_any_notification(app):
    """The process that logs a learner out forgets them there and then; only
    other processes wait for the notification."""
    learner = reading(app)
    cache = login_cache(app)
    # As if the notification were slow to come: this cache no longer hears any.
    listener_for(app.extensions[CACHE_KEY].conninfo)._caches.discard(cache)
    copied = session_cookie(learner)
    assert learner.logout().status_code == 302
    thief = english_client(app)
    thief.set_cookie("session", copied)
    page = thief.get(WELCOME)
    assert "Log in" in page.text and "Log out" not in page.text
    assert cache.get(copied) is None
