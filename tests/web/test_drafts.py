"""Drafts: instructors and admins preview them; learners and visitors get a 404, and
drafts count for no completion, progress figure or certificate."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from courseware.db import get_engine
from courseware.models import Certificate, QuizAttempt, User
from tests.helpers import COURSE_YAML, Auth, write_course

QUIZ = "::: quiz\n### Deux plus deux ?\n- [x] Quatre\n- [ ] Cinq\n:::\n"
CHAPTERS = {
    "01-welcome.md": ("Bienvenue", "## Premiers pas\n\nBonjour.\n"),
    "02-data.md": ("Brouillon en cours", "## Données\n\nPas encore prêt.\n\n" + QUIZ),
    "03-next.md": ("Et ensuite", "## Ensuite\n\nFin du cours.\n"),
}
COURSE = "/courses/basics/"
WELCOME, DRAFT, NEXT = (f"{COURSE}{slug}/" for slug in ("welcome", "data", "next"))
DRAFT_COURSE = "/courses/atelier/"


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    folder = write_course(content / "basics", chapters=CHAPTERS)
    draft = folder / "02-data.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1),
                     encoding="utf-8")
    write_course(content / "atelier", COURSE_YAML.replace("slug: basics", "slug: atelier")
                 .replace("title: Les bases", "title: Atelier secret") + "draft: true\n")
    return content


def signed_in(app: Flask, role: str) -> Auth:
    auth = Auth(app.test_client())
    email = f"{role}@example.org"
    auth.signup(email=email)
    if role != "learner":
        with get_engine(app).begin() as connection:
            connection.execute(update(User).where(User.email == email).values(role=role))
    auth.login(email=email)
    return auth


def test_learners_and_visitors_get_a_404_and_never_see_a_draft_listed(app: Flask):
    visitor = Auth(app.test_client())
    learner = signed_in(app, "learner")
    for auth in (visitor, learner):
        client = auth.client
        for url in (DRAFT, DRAFT_COURSE, DRAFT_COURSE + "welcome/"):
            assert client.get(url).status_code == 404, url
        course = client.get(COURSE).text
        assert "Brouillon en cours" not in course and "draft-badge" not in course
        assert "Atelier secret" not in client.get("/").text
        # Numbered among published chapters: the last one is "2 of 2".
        assert "Chapitre 2 sur 2" in client.get(NEXT).text or "Chapter 2 of 2" in client.get(NEXT).text
        assert auth.post(DRAFT + "quiz/1", {"q1": "0"}, token_from=WELCOME).status_code == 404
    assert learner.complete(DRAFT).status_code == 404


@pytest.mark.parametrize("role", ["instructor", "admin"])
def test_instructors_and_admins_preview_drafts_with_a_banner(app: Flask, role: str, progress_rows):
    auth = signed_in(app, role)
    client = auth.client
    client.set_cookie("lang", "en")
    page = client.get(DRAFT)
    assert page.status_code == 200
    assert 'class="callout callout-warning draft-banner"' in page.text
    assert "This chapter is a draft" in page.text and "Pas encore prêt." in page.text
    assert "Chapter 2 of 3" in page.text  # in its place in the course as it will be
    assert "Mark as complete" not in page.text
    course = client.get(COURSE).text
    assert "Brouillon en cours" in course and "draft-badge" in course
    assert "draft-banner" not in client.get(WELCOME).text  # published chapters: no banner
    # Reading a draft records nothing; its quiz is neither graded nor stored.
    assert "data" not in [row.chapter_slug for row in progress_rows(f"{role}@example.org")]
    answered = auth.post(DRAFT + "quiz/1", {"q1": "0"}, token_from=DRAFT)
    assert answered.status_code == 303 and answered.headers["Location"].endswith(DRAFT)
    with get_engine(app).connect() as connection:
        assert connection.execute(select(QuizAttempt.id)).first() is None
    # A whole draft course: listed for them, with the banner on its pages.
    assert "Atelier secret" in client.get("/").text
    draft_course = client.get(DRAFT_COURSE)
    assert draft_course.status_code == 200 and "This course is a draft" in draft_course.text
    assert "This course is a draft" in client.get(DRAFT_COURSE + "welcome/").text


def test_drafts_count_for_no_completion_figure_or_certificate(app: Flask):
    learner = signed_in(app, "learner")
    learner.client.set_cookie("lang", "en")
    assert learner.complete(WELCOME).status_code == 302
    assert learner.complete(NEXT).status_code == 302
    course = learner.client.get(COURSE).text
    assert "You have completed every chapter." in course
    claim = COURSE + "certificate"
    response = learner.post(claim, {"name": "Ana Dupont", "confirm": "y"}, token_from=claim)
    assert response.status_code == 302 and "/certificates/" in response.headers["Location"]


def test_a_draft_course_never_gives_a_certificate_even_to_its_instructor(app: Flask):
    instructor = signed_in(app, "instructor")
    claim = DRAFT_COURSE + "certificate"
    assert instructor.client.get(claim).status_code == 404
    response = instructor.post(claim, {"name": "Ana Dupont", "confirm": "y"}, token_from=DRAFT_COURSE)
    assert response.status_code == 404
    with get_engine(app).connect() as connection:
        assert connection.execute(select(Certificate.id)).first() is None
