"""A translated course on the web: the learner's language, the switch, hreflang links,
progress, quizzes and the certificate shared across languages."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from courseware import create_app
from courseware.db import dispose_engines, get_engine
from courseware.models import Certificate
from tests.helpers import Auth, csrf_token, write_course
from tests.translated_course import RIGHT, write_translated_course

COURSE = "/courses/basics/"
WELCOME, QUIZ, NEXT = (f"{COURSE}{slug}/" for slug in ("welcome", "quiz", "next"))


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    write_translated_course(content)
    return content


def page(client: FlaskClient, url: str, **headers: str) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def choose(auth: Auth, language: str, on: str = COURSE):
    """Press the course's language switch on page `on`."""
    return auth.post("/language", {"language": language, "next": on}, token_from=on)


def test_the_browser_language_decides_when_nothing_was_chosen(client):
    client.delete_cookie("lang")
    assert "<h1>Les bases</h1>" in page(client, COURSE)  # nothing said: the original
    english = page(client, COURSE, **{"Accept-Language": "en-GB,en;q=0.9,fr;q=0.5"})
    assert "<h1>The basics</h1>" in english and '<article class="course" lang="en">' in english
    assert "<h1>Welcome</h1>" in page(client, WELCOME, **{"Accept-Language": "en-US"})
    # A language the course does not have: its original language.
    assert "<h1>Les bases</h1>" in page(client, COURSE, **{"Accept-Language": "de, es;q=0.8"})


def test_the_switch_goes_to_the_same_page_in_the_other_language_and_is_remembered(client, auth):
    client.set_cookie("lang", "fr")
    french = page(client, WELCOME)
    assert "<h1>Bienvenue</h1>" in french
    switch = re.search(r'<form method="post" action="/language" class="course-languages".*?</form>',
                       french, re.S)
    assert switch, "no language switch on the chapter page"
    assert 'value="en" class="link-button" lang="en">English</button>' in switch.group(0)
    assert f'name="next" value="{WELCOME}"' in switch.group(0)
    response = choose(auth, "en", on=WELCOME)
    assert response.status_code == 302 and response.headers["Location"] == WELCOME
    assert "<h1>Welcome</h1>" in page(client, WELCOME)
    assert "<h1>What next</h1>" in page(client, NEXT)  # remembered on the next pages
    assert ">The basics</" in page(client, "/")  # and on the list of courses
    choose(auth, "fr", on=NEXT)
    assert "<h1>Et ensuite</h1>" in page(client, NEXT)


def test_hreflang_links_and_the_lang_argument(client):
    client.set_cookie("lang", "fr")
    html = page(client, WELCOME)
    links = re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html)
    assert [(code, href.split("://", 1)[1].split("/", 1)[1]) for code, href in links] == [
        ("fr", "courses/basics/welcome/?lang=fr"), ("en", "courses/basics/welcome/?lang=en"),
        ("x-default", "courses/basics/welcome/")]
    english = page(client, f"{WELCOME}?lang=en")
    assert "<h1>Welcome</h1>" in english and '<html lang="en">' in english
    assert "<h1>Bienvenue</h1>" in page(client, WELCOME)  # ?lang= is for that page only
    assert "<h1>Bienvenue</h1>" in page(client, f"{WELCOME}?lang=xx")  # unknown: the choice stands
    assert "<h1>Bienvenue</h1>" in page(client, f"{WELCOME}?lang=%3Cscript%3E")


def test_a_chapter_page_served_from_the_cache_is_in_the_reader_language(client):
    # Same visitor state, two languages: the page cache must not hand one to the other.
    for _ in range(2):
        client.set_cookie("lang", "fr")
        assert "<h1>Bienvenue</h1>" in page(client, WELCOME)
        client.set_cookie("lang", "en")
        assert "<h1>Welcome</h1>" in page(client, WELCOME)


def test_the_switch_refuses_languages_nobody_has(client, auth):
    client.set_cookie("lang", "fr")
    response = choose(auth, "xx", on=WELCOME)
    assert response.status_code == 302
    assert "<h1>Bienvenue</h1>" in page(client, WELCOME)
    response = client.post("/language", data={"language": "en", "next": WELCOME})
    assert response.status_code == 400  # no CSRF token


def test_a_course_without_translation_has_no_switch(app_config: dict, tmp_path: Path):
    content = tmp_path / "single"
    write_course(content / "basics")
    app = create_app({**app_config, "CONTENT_DIR": str(content)})
    try:
        client = app.test_client()
        client.set_cookie("lang", "en")
        html = page(client, WELCOME)
        assert "<h1>Bienvenue</h1>" in html
        assert "course-languages" not in html and "hreflang" not in html
        # The English reader is told why the page is in French.
        assert "This course is not available in your language yet: here it is in Français." in html
        client.set_cookie("lang", "fr")
        assert "language-notice" not in page(client, WELCOME)
    finally:
        dispose_engines(app)


def passed_quiz(auth: Auth, chapter: str = QUIZ):
    return auth.post(f"{chapter}quiz/1", RIGHT, token_from=chapter)


def test_progress_quiz_results_and_certificate_are_shared_across_languages(app: Flask, client, auth):
    client.set_cookie("lang", "en")
    auth.signup()
    auth.complete(WELCOME)
    response = passed_quiz(auth)  # answered in English
    assert response.status_code == 303
    results = page(client, response.headers["Location"])
    assert "Patterns drawn from examples" in results
    choose(auth, "fr", on=QUIZ)
    # In French, the same results (the attempt is keyed by position, not by text)...
    results = page(client, f"{QUIZ}quiz/1/results")
    assert "Des régularités tirées d’exemples" in results  # typed d'exemples
    # ...and the same progress: two chapters of three done.
    course = page(client, COURSE)
    assert "<h1>Les bases</h1>" in course
    assert len(re.findall(r'class="chapter-item state-done"', course)) == 2
    auth.complete(NEXT)
    response = auth.post(f"{COURSE}certificate", {"name": "Ana Dupont", "confirm": "y"},
                         token_from=f"{COURSE}certificate")
    assert response.status_code == 302
    with get_engine(app).connect() as connection:
        certificate = connection.execute(select(Certificate.__table__)).one()
    assert (certificate.course_title, certificate.course_language) == ("Les bases", "fr")


@pytest.fixture
def english_certificate(client, auth) -> str:
    """Ana takes the course in English and gets her certificate: its public ID."""
    client.set_cookie("lang", "en")
    auth.signup()
    auth.complete(WELCOME)
    passed_quiz(auth)
    auth.complete(NEXT)
    claim = f"{COURSE}certificate"
    response = auth.post(claim, {"name": "Ana Dupont", "confirm": "y"}, token_from=claim)
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[1]


def pdf_lines(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [line.strip() for line in text.splitlines()]


def upload(client: FlaskClient, data: bytes) -> str:
    token = csrf_token(client.get("/certificates/verify"))
    response = client.post("/certificates/verify", content_type="multipart/form-data",
                           data={"csrf_token": token, "pdf": (io.BytesIO(data), "c.pdf")})
    html = response.get_data(as_text=True)
    response.request.environ["wsgi.input"].close()
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_certificate_in_each_language_has_the_same_id_and_verifies(app, client,
                                                                       english_certificate, tmp_path):
    public_id = english_certificate
    with get_engine(app).connect() as connection:
        record = connection.execute(select(Certificate.__table__)).one()
    assert (record.course_title, record.course_language) == ("The basics", "en")
    show = page(client, f"/certificates/{public_id}")
    assert f'href="/certificates/{public_id}.pdf?lang=fr" hreflang="fr"' in show
    english = client.get(f"/certificates/{public_id}.pdf")
    french = client.get(f"/certificates/{public_id}.pdf?lang=fr")
    assert english.status_code == french.status_code == 200
    assert french.headers["Content-Disposition"] == f'inline; filename="certificate-{public_id}-fr.pdf"'
    english_lines, french_lines = pdf_lines(english.data, tmp_path), pdf_lines(french.data, tmp_path)
    assert "Certificate of Completion" in english_lines and "The basics" in english_lines
    assert "Certificat de réussite" in french_lines and "Les bases" in french_lines
    assert public_id in english_lines and public_id in french_lines
    assert any(re.search(r"Délivré le \d{1,2} \w+ 20\d\d", line) for line in french_lines)
    for data in (english.data, french.data):
        verdict = upload(client, data)
        assert "Authentic certificate" in verdict and "Not authentic" not in verdict
    # The same PDF again: same bytes (cached and deterministic).
    assert client.get(f"/certificates/{public_id}.pdf?lang=fr").data == french.data


@pytest.mark.parametrize("language", ["de", "xx", "<script>", ""])
def test_a_certificate_in_a_language_the_course_lacks_is_not_found(client, english_certificate,
                                                                   language):
    response = client.get(f"/certificates/{english_certificate}.pdf", query_string={"lang": language})
    assert response.status_code == 404


def test_an_instructor_reading_in_english_previews_a_draft_not_translated_yet(
        app_config: dict, course_dir: Path):
    from tests.web.test_drafts import signed_in

    draft = course_dir / "basics" / "03-next.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("---\n", "---\ndraft: true\n", 1),
                     encoding="utf-8")
    (course_dir / "basics" / "en" / "03-next.md").unlink()  # written in French so far
    app = create_app(app_config)
    try:
        instructor = signed_in(app, "instructor")
        instructor.client.set_cookie("lang", "en")
        html = page(instructor.client, NEXT)
        assert "Fin du cours." in html and "This chapter is a draft" in html
        # The published chapters stay in English; learners get a 404 for the draft.
        assert "Hello and welcome." in page(instructor.client, WELCOME)
        learner = app.test_client()
        learner.set_cookie("lang", "en")
        assert learner.get(NEXT).status_code == 404
    finally:
        dispose_engines(app)


def test_a_stale_translation_is_reported_in_the_server_log_at_start_up(app_config: dict,
                                                                      course_dir: Path, caplog):
    original = course_dir / "basics" / "01-welcome.md"
    original.write_text(original.read_text(encoding="utf-8") + "\nUne phrase de plus.\n",
                        encoding="utf-8")
    with caplog.at_level("WARNING", logger="courseware"):
        app = create_app(app_config)
    dispose_engines(app)
    assert any("stale: 01-welcome.md has changed since it was translated" in record.getMessage()
               for record in caplog.records), caplog.text
