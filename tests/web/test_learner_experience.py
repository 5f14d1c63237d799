"""What a learner sees go wrong between pages (issue 10): the certificate's state
everywhere it is offered, reading done before sign-up, a chapter added after the
certificate, the demo course's typography and announced duration."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask

from courseware import create_app
from courseware.db import dispose_engines
from courseware.web.visitor_reading import COMPLETION_KEY, OPENED_KEY
from tests.helpers import Auth, csrf_token
from tests.web.conftest import english_client
from tests.web.test_certificates import learner_with_certificate

COURSE = "/courses/basics/"
WELCOME, DATA, NEXT = (f"{COURSE}{slug}/" for slug in ("welcome", "data", "next"))
DEMO_CONTENT = Path(__file__).resolve().parents[2] / "content"


def states(progress_rows, email: str = "ana@example.org") -> dict[str, str]:
    return {row.chapter_slug: "done" if row.completed_at else "opened"
            for row in progress_rows(email)}


# -- the certificate, once claimed, is what every page offers --------------------------


def test_a_claimed_certificate_is_offered_on_the_home_card_and_the_last_chapter(client, auth):
    public_id = learner_with_certificate(auth)
    for url in ("/", NEXT, COURSE):
        html = client.get(url).get_data(as_text=True)
        assert f'href="/certificates/{public_id}"' in html, url
        assert "See my certificate" in html, url
        assert "Get my certificate" not in html, url


def test_before_claiming_the_home_card_and_last_chapter_offer_to_get_it(client, auth):
    auth.signup()
    for url in (WELCOME, DATA, NEXT):
        auth.complete(url)
    for url in ("/", NEXT):
        html = client.get(url).get_data(as_text=True)
        assert "Get my certificate" in html, url
        assert "See my certificate" not in html, url


def test_a_chapter_added_after_the_certificate_keeps_it_and_shows_as_new(
        app, app_config, auth, tmp_path):
    public_id = learner_with_certificate(auth)
    longer = tmp_path / "longer"
    import shutil
    shutil.copytree(app_config["CONTENT_DIR"], longer)
    (longer / "basics" / "04-bonus.md").write_text("---\ntitle: En bonus\n---\nDu neuf.\n",
                                                   encoding="utf-8")
    new_app = create_app({**app_config, "CONTENT_DIR": str(longer)})
    try:
        client = english_client(new_app)
        Auth(client).login()
        page = client.get(COURSE).get_data(as_text=True)
        assert "3 of 4 chapters done" in page
        assert f'href="/certificates/{public_id}"' in page
        assert "See my certificate" in page
        bonus = page.split('href="/courses/basics/bonus/"', 1)[1].split("</li>", 1)[0]
        assert '<span class="state">New</span>' in bonus
        assert "New" not in page.split('href="/courses/basics/welcome/"', 1)[1].split("</li>", 1)[0]
        home = client.get("/").get_data(as_text=True)
        assert f'href="/certificates/{public_id}"' in home
    finally:
        dispose_engines(new_app)


def test_finishing_the_course_leads_to_a_page_of_achievement(client, auth):
    assert client.get(COURSE + "done").headers["Location"].startswith("/login")
    auth.signup(name="Ana Dupont")
    auth.complete(WELCOME)
    assert client.get(COURSE + "done").headers["Location"] == COURSE  # not finished yet
    auth.complete(DATA)
    response = auth.complete(NEXT)
    assert response.headers["Location"] == COURSE + "done"
    page = client.get(COURSE + "done").get_data(as_text=True)
    assert "Congratulations, Ana Dupont!" in page
    assert "3 of 3 chapters done (100%)" in page
    assert 'href="/courses/basics/certificate"' in page and "Get my certificate" in page


def test_the_quiz_results_of_a_finished_course_lead_to_the_achievement_page(app, client, auth,
                                                                            tmp_path):
    from tests.browser.pages import QUIZ_CHAPTERS, QUIZ_COURSE_YAML
    from tests.helpers import write_course

    content = tmp_path / "quizzes-content"
    write_course(content / "quizzes", QUIZ_COURSE_YAML, QUIZ_CHAPTERS)
    quiz_app = create_app({**app.config, "CONTENT_DIR": str(content), "SECRET_KEY": "k"})
    try:
        quiz_client = english_client(quiz_app)
        quiz_auth = Auth(quiz_client)
        quiz_auth.signup(email="quiz@example.org")
        page = "/courses/quizzes/quiz/"
        response = quiz_auth.post(page + "quiz/1", {"q1": "1", "q2": ["0", "2"]}, token_from=page)
        results = quiz_client.get(response.headers["Location"]).get_data(as_text=True)
        assert 'href="/courses/quizzes/done"' in results
        assert "Course completed: on to the certificate" in results
        # Said at the top, before the explanations, not only at the end of the page.
        assert results.index("You have completed the course!") < results.index("Question 1")
    finally:
        dispose_engines(quiz_app)


def test_the_course_page_says_which_chapter_is_next_and_the_time_left(client, auth):
    auth.signup()
    auth.complete(WELCOME)
    page = client.get(COURSE).get_data(as_text=True)
    assert '<p class="next-up">Chapter 2 of 3: <span lang="fr">Les données</span></p>' in page
    assert re.search(r"About \d+ min left\.", page)


# -- reading before sign-up is not lost ------------------------------------------------


def test_the_click_that_led_to_sign_up_counts_and_earlier_reading_is_kept(
        client, auth, progress_rows):
    client.get(WELCOME)
    page = client.get(DATA)
    refused = client.post(DATA + "complete", data={"csrf_token": csrf_token(page)})
    assert refused.headers["Location"].startswith("/signup")
    signup_page = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "this chapter will be marked as complete" in signup_page
    assert progress_rows() == []  # nothing stored for a visitor

    signed_up = auth.signup(next=DATA)
    assert signed_up.headers["Location"] == DATA
    assert states(progress_rows) == {"welcome": "opened", "data": "done"}
    back = client.get(DATA).get_data(as_text=True)
    assert "You have completed this chapter." in back
    assert "Mark as complete" not in back
    with client.session_transaction() as session:
        assert OPENED_KEY not in session and COMPLETION_KEY not in session


def test_reading_before_logging_in_to_an_existing_account_counts_too(client, auth, progress_rows):
    auth.signup()
    auth.complete(WELCOME)
    auth.logout()
    page = client.get(NEXT)
    client.post(NEXT + "complete", data={"csrf_token": csrf_token(page)})
    assert auth.login().status_code == 302
    assert states(progress_rows) == {"welcome": "done", "next": "done"}
    assert "2 of 3 chapters done" in client.get(COURSE).get_data(as_text=True)


def test_a_visitor_who_only_reads_has_their_chapters_recorded_as_opened(client, auth, progress_rows):
    client.get(NEXT)
    client.get(WELCOME)
    client.get(WELCOME)
    auth.signup()
    assert states(progress_rows) == {"next": "opened", "welcome": "opened"}


def test_reading_carried_over_sign_up_offers_to_continue_not_to_start(client, auth):
    client.get(WELCOME)
    client.get(DATA)
    auth.signup()
    for url in ("/", COURSE):
        page = client.get(url).get_data(as_text=True)
        assert "Continue" in page, url
        assert "Start the course" not in page, url


def test_a_stale_or_forged_session_naming_unknown_chapters_is_ignored(client, auth, progress_rows):
    with client.session_transaction() as session:
        session[OPENED_KEY] = "basics/gone other-course/welcome basics nonsense//"
        session[COMPLETION_KEY] = "basics/removed"
    response = auth.signup()
    assert response.status_code == 302
    assert progress_rows() == []
    assert client.get(COURSE).status_code == 200


# -- the demo course: typographic apostrophes, a duration computed once ---------------


class TextOf(HTMLParser):
    """The visible text of a page (and its <title>), without scripts and styles."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style", "pre", "code")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style", "pre", "code")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


@pytest.fixture
def demo_app(app_config: dict) -> Flask:
    demo = create_app({**app_config, "CONTENT_DIR": str(DEMO_CONTENT)})
    yield demo
    dispose_engines(demo)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_titles_and_the_home_page_use_typographic_apostrophes(demo_app, language):
    client = demo_app.test_client()
    client.set_cookie("lang", language)
    for url in ("/", "/courses/ia-pour-tous/", "/courses/ia-pour-tous/et-maintenant/", "/login",
                "/signup"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = TextOf(response.get_data(as_text=True)).text
        chapter_free = text if "/et-maintenant/" not in url else text[:600]  # body: the authors'
        assert "'" not in chapter_free, (url, re.findall(r".{20}'.{20}", chapter_free))


def test_the_course_announces_the_duration_its_chapters_add_up_to(demo_app):
    client = demo_app.test_client()
    client.set_cookie("lang", "fr")
    course = demo_app.extensions["courseware.library"].course("ia-pour-tous")
    hours, minutes = divmod(course.total_minutes, 60)
    for url in ("/", "/courses/ia-pour-tous/"):
        text = TextOf(client.get(url).get_data(as_text=True)).text
        assert f"{hours} h {minutes:02d}" in text, url
        assert "trois heures" not in text, url


def test_the_visitor_cookie_remembers_a_bounded_number_of_chapters(app):
    from types import SimpleNamespace

    from flask import session

    from courseware.web.visitor_reading import MAX_REMEMBERED, remember_opened, take_visitor_reading

    with app.test_request_context("/"):
        course = SimpleNamespace(slug="basics")
        for number in range(MAX_REMEMBERED + 25):
            remember_opened(course, f"chapter-{number}")
        remember_opened(course, f"chapter-{MAX_REMEMBERED + 24}")  # again: no duplicate
        reading = take_visitor_reading()
        assert len(reading.opened) == MAX_REMEMBERED
        assert reading.opened[-1] == f"basics/chapter-{MAX_REMEMBERED + 24}"  # the latest kept
        assert OPENED_KEY not in session


def test_with_several_courses_the_home_page_lists_them_as_cards(app_config, tmp_path):
    from tests.helpers import COURSE_YAML, write_course

    content = tmp_path / "two"
    write_course(content / "basics")
    write_course(content / "second", COURSE_YAML.replace("slug: basics", "slug: second")
                 .replace("Les bases", "La suite"))
    two = create_app({**app_config, "CONTENT_DIR": str(content)})
    try:
        html = english_client(two).get("/").get_data(as_text=True)
        assert "<h1 id=\"hero-title\">Learn at your own pace</h1>" in html
        assert html.count('<li class="course-card"') == 2
        assert 'href="/courses/second/"' in html and 'href="/courses/basics/"' in html
    finally:
        dispose_engines(two)


def test_with_one_course_the_home_page_presents_it(client):
    html = client.get("/").get_data(as_text=True)
    assert '<h1 id="hero-title" lang="fr">Les bases</h1>' in html
    assert "3 chapters" in html or "in 3 short chapters" in html
    assert 'href="/courses/basics/welcome/">Start the course' in html


def test_the_home_page_explains_quizzes_where_chapters_are_passed_by_them(app, client, tmp_path):
    from tests.browser.pages import QUIZ_CHAPTERS, QUIZ_COURSE_YAML
    from tests.helpers import write_course

    # A course without quizzes: progress is marked by hand.
    assert "Mark each chapter as complete" in client.get("/").get_data(as_text=True)
    content = tmp_path / "quizzes-content"
    write_course(content / "quizzes", QUIZ_COURSE_YAML, QUIZ_CHAPTERS)
    quiz_app = create_app({**app.config, "CONTENT_DIR": str(content), "SECRET_KEY": "k"})
    try:
        home = english_client(quiz_app).get("/").get_data(as_text=True)
        assert "Short quizzes check what you understood" in home
        assert "Mark each chapter as complete" not in home  # there is no such button there
    finally:
        dispose_engines(quiz_app)
