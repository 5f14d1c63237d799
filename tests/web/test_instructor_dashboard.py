"""The instructor dashboard through the web: learners' real visits and quiz answers
show up per chapter and per question, filters and CSV agree, bad input gets a clear
400 page, and only instructors and admins get in (the full table is in test_role_matrix)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from courseware.accounts import create_user
from courseware.content.translations import source_hash
from courseware.db import get_engine
from tests.analytics.fixture import quiz_course
from tests.helpers import Auth
from tests.web.conftest import english_client

PASSWORD = "un mot de passe solide"
DASHBOARD = "/instructor/basics/"
CSV = "/instructor/basics/analytics.csv"
QUIZ = "/courses/basics/quiz/"


def chapter_rows(html: str) -> list[list[str]]:
    """The cells of the per-chapter table, as text."""
    table = html.split('id="chapters-heading"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    cells = r"<t[hd][^>]*>(.*?)</t[hd]>"
    return [[re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(cells, row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)]


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    course = quiz_course(content)
    # An English version (same words will do), so the English learner reads, and is
    # counted, in English: events carry the language the course was served in.
    english = course / "en"
    english.mkdir()
    (english / "course.yaml").write_text("language: en\ntitle: The basics\n", encoding="utf-8")
    for chapter in course.glob("*.md"):
        (english / chapter.name).write_text(chapter.read_text(encoding="utf-8").replace(
            "---\n", f"---\ntranslated_from: {source_hash(chapter)}\n", 1), encoding="utf-8")
    return content


def add_staff(app: Flask, email: str, role: str) -> None:
    with Session(get_engine(app)) as session:
        create_user(session, app.extensions["courseware.hasher"], email=email, name=role.title(),
                    password=PASSWORD, role=role)


def learner_reads(app: Flask, email: str, language: str, answers: dict) -> None:
    """A learner in their own browser: opens and completes welcome, answers the quiz once."""
    client = app.test_client()
    client.set_cookie("lang", language)
    auth = Auth(client)
    auth.signup(email=email)
    client.get("/courses/basics/welcome/")
    auth.complete("/courses/basics/welcome/")
    client.get(QUIZ)
    assert auth.post(f"{QUIZ}quiz/1", answers, token_from=QUIZ).status_code == 303


@pytest.fixture
def instructor(app: Flask, client) -> Auth:
    learner_reads(app, "ana@example.org", "fr", {"q1": "0", "q2": "1"})  # q1 wrong
    learner_reads(app, "ben@example.org", "en", {"q1": "1", "q2": "1"})  # all right
    add_staff(app, "teacher@example.org", "instructor")
    auth = Auth(client)
    assert auth.login(email="teacher@example.org", password=PASSWORD).status_code == 302
    return auth


def test_the_dashboard_shows_what_learners_did(client, instructor):
    page = client.get(DASHBOARD)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Learners per chapter" in html and "<svg" in html
    # Both learners opened and completed welcome, and opened the quiz chapter; one passed it.
    welcome, quiz, following = chapter_rows(html)
    assert welcome[:3] == ["1. Bienvenue", "2", "2"] and welcome[3].startswith("about ")
    assert welcome[4] == "—"
    assert quiz[:3] == ["2. Le quiz", "2", "1"] and quiz[4] == "0%"
    assert following == ["3. Et ensuite", "0", "0", "—", "100%"]
    assert ">often wrong</strong>" not in html  # q1: 1 of 2 right is not less than half
    assert "most chosen wrong answer" in html
    # The question chart names each question by its own words, not only by its number.
    labels = re.findall(r"<text[^>]*>([^<]*)</text>", html)
    assert any(label.startswith("Ch. 2 Q1: Qu’apprend un syst") for label in labels), labels


def test_the_language_filter_keeps_the_pages_read_in_it(client, instructor):
    html = client.get(f"{DASHBOARD}?language=fr").get_data(as_text=True)
    assert chapter_rows(html)[0][:3] == ["1. Bienvenue", "1", "1"]
    assert ">often wrong</strong>" in html  # the French learner got q1 wrong: 0 %
    assert "Pages read in Français" in html


def test_a_period_before_anything_happened_shows_zeros(client, instructor):
    html = client.get(f"{DASHBOARD}?start=2026-01-01&end=2026-01-31").get_data(as_text=True)
    assert chapter_rows(html)[0] == ["1. Bienvenue", "0", "0", "—", "—"]


def test_the_csv_has_the_same_figures(client, instructor):
    today = datetime.now(UTC).date()
    response = client.get(f"{CSV}?start={today - timedelta(days=1)}&end={today}&language=en")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[1][:3] == ["1. Bienvenue", "1", "1"]
    assert rows[2][:3] == ["2. Le quiz", "1", "1"]


@pytest.mark.parametrize(("query", "message"), [
    ("start=2026-13-45", "Not a valid date value."),
    ("start=2026-03-10&end=2026-03-01", "The end of the period must not be before its start."),
    ("start=1900-01-01", "Choose a date between 2000 and 2100."),
    ("start=%00", "Not a valid date value."),
    ("end=" + "9" * 40, "Not a valid date value."),
    ("language=xx", "There is no such language."),
    ("language=" + "%C3%A9" * 300, "There is no such language."),
])
def test_bad_filters_get_a_clear_400_page(client, instructor, query, message):
    page = client.get(f"{DASHBOARD}?{query}")
    assert page.status_code == 400 and message in page.get_data(as_text=True)
    download = client.get(f"{CSV}?{query}")
    assert download.status_code == 400 and download.mimetype == "text/html"
    if "language" not in query:
        assert message in download.get_data(as_text=True)


def test_an_unknown_course_is_a_404(client, instructor):
    assert client.get("/instructor/nope/").status_code == 404


def test_staff_find_the_dashboard_in_the_menu_and_learners_do_not(app, client, instructor):
    assert 'href="/instructor/"' in client.get("/").get_data(as_text=True)
    assert "Les bases" in client.get("/instructor/").get_data(as_text=True)
    learner = english_client(app)
    Auth(learner).login(email="ana@example.org")
    assert 'href="/instructor/"' not in learner.get("/").get_data(as_text=True)
    assert learner.get(DASHBOARD).status_code == 403


def test_visitors_are_sent_to_log_in(app):
    response = english_client(app).get(DASHBOARD)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_question_chart_writes_each_share_as_its_table_does(app):
    """23 right of 40 is 57.5 %: the table says 58 %, and so must the bar (it said 57 %)."""
    from types import SimpleNamespace

    from courseware.analytics.dashboard import QuestionFigures
    from courseware.web.instructor import _charts
    from courseware.web.instructor.formatting import percent

    question = QuestionFigures(chapter_position=1, chapter_title="Bienvenue", quiz_number=1,
                               number=1, html="<p>Une question</p>", first_attempts=40, right=23,
                               options=())
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        charts = _charts(SimpleNamespace(chapters=[], questions=[question]))
        table = percent(question.right_share)
    assert table == "58%"
    assert re.findall(r"<text[^>]*>(\d+%)</text>", str(charts["questions"])) == [table]
