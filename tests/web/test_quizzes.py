"""Quizzes on chapter pages: the key stays on the server, grading, retries, completion."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import flask
import pytest
from flask import Flask
from sqlalchemy import select

from courseware.db import get_engine
from courseware.models import Certificate, QuizAttempt
from courseware.web.visitor_quizzes import MAX_LENGTH, MAX_QUIZZES, QUIZZES_KEY, remember_quiz_answers
from tests.helpers import COURSE_YAML, Auth, csrf_token, prepared_app, write_course

QUIZ_CHAPTER = """\
## Un peu de cours

Les modèles apprennent à partir d'exemples.

## Testez-vous

::: quiz
### Qu'apprend un système d'apprentissage automatique ?
- [ ] Des règles écrites une à une
- [x] Des régularités tirées d'exemples
- [ ] Rien du tout
> EXPLANATION-ONE personne n'écrit les règles à la main.

### Lesquels sont des exemples d'IA ?
- [x] Un filtre anti-spam
- [ ] Un thermostat à règle fixe
- [x] La reconnaissance faciale
> EXPLANATION-TWO les deux apprennent à partir d'exemples.

### Une IA générale existe-t-elle aujourd'hui ?
- [ ] Oui
- [x] Non
> EXPLANATION-THREE elle reste une hypothèse.
:::
"""

TWO_QUIZZES = """\
Premier quiz :

::: quiz Premier
### Deux plus deux ?
- [x] Quatre
- [ ] Cinq
:::

Second quiz :

::: quiz Second
### La Terre est-elle ronde ?
- [x] Oui
- [ ] Non
:::
"""

CHAPTERS = {
    "01-welcome.md": ("Bienvenue", "## Premiers pas\n\nBonjour.\n"),
    "02-quiz.md": ("Le quiz", QUIZ_CHAPTER),
    "03-two.md": ("Deux quiz", TWO_QUIZZES),
}
COURSE = "/courses/basics/"
WELCOME, QUIZ, TWO = (f"{COURSE}{slug}/" for slug in ("welcome", "quiz", "two"))
RIGHT = {"q1": "1", "q2": ["0", "2"], "q3": "1"}


def flipped(body: str) -> str:
    """The same quiz with a different key (same number of right answers per question)."""
    return (body.replace("- [ ] Des règles", "- [x] Des règles")
            .replace("- [x] Des régularités", "- [ ] Des régularités")
            .replace("- [ ] Oui", "- [x] Oui").replace("- [x] Non", "- [ ] Non"))


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    write_course(content / "basics", chapters=CHAPTERS)
    other = {**CHAPTERS, "02-quiz.md": ("Le quiz", flipped(QUIZ_CHAPTER))}
    write_course(content / "flipped", COURSE_YAML.replace("slug: basics", "slug: flipped"),
                 chapters=other)
    return content


def attempts(app: Flask) -> list:
    with get_engine(app).connect() as connection:
        return list(connection.execute(select(QuizAttempt.__table__).order_by(QuizAttempt.id)))


def answer(auth: Auth, chapter: str, number: int, data: dict):
    return auth.post(f"{chapter}quiz/{number}", data, token_from=chapter)


def test_the_form_shows_questions_and_options_but_never_the_key(client, auth):
    for signed_in in (False, True):
        if signed_in:
            auth.signup()
        html = client.get(QUIZ).get_data(as_text=True)
        assert "EXPLANATION" not in html
        assert "[x]" not in html and "[ ]" not in html and "checked" not in html
        form = html.split('<form class="quiz"')[1].split("</form>")[0]
        # Only plain attributes, none that could carry the key.
        assert set(re.findall(r'([\w-]+)="', form)) <= {
            "id", "class", "method", "action", "aria-labelledby", "aria-describedby", "type",
            "name", "value", "for", "lang"}
        assert not re.search(r'class="[^"]*(right|correct|wrong)', form)
        assert html.count('<fieldset class="quiz-question"') == 3
        assert html.count("<legend>") == 3
        assert html.count('type="radio" name="q1"') == 3
        assert html.count('type="checkbox" name="q2"') == 3
        assert html.count('type="radio" name="q3"') == 2
        for input_id in re.findall(r'<input type="(?:radio|checkbox)" name="q\d" id="([^"]+)"', html):
            assert f'<label for="{input_id}">' in html
        assert f'action="{QUIZ}quiz/1"' in html
        assert csrf_token(client.get(QUIZ))
        assert "Mark as complete" not in html


def test_the_page_is_the_same_whatever_the_right_answers_are(client, auth):
    auth.signup()
    client.get(WELCOME)  # shows (and clears) the welcome message
    page = client.get(QUIZ).get_data(as_text=True)
    other = client.get("/courses/flipped/quiz/").get_data(as_text=True)
    assert other.replace("/courses/flipped/", COURSE) == page


def test_the_old_complete_post_cannot_complete_a_quiz_chapter(client, auth, progress_rows):
    auth.signup()
    client.get(QUIZ)
    refused = auth.complete(QUIZ)
    assert refused.status_code == 303
    assert refused.headers["Location"] == f"{QUIZ}#quiz-1"
    assert [row.completed_at for row in progress_rows()] == [None]
    assert "completed by passing its quiz" in client.get(QUIZ).get_data(as_text=True)


def question_result(page: str, number: int) -> str:
    """The results page's section for one question."""
    return page.split(f'id="result-q{number}"', 1)[1].split("</section>", 1)[0]


def test_a_failed_attempt_says_what_was_wrong_not_the_answers_then_a_retry_completes(
        app, client, auth, progress_rows):
    auth.signup()
    client.get(QUIZ)
    failed = answer(auth, QUIZ, 1, {"q1": "0", "q2": ["0", "2"], "q3": "1"})
    assert failed.status_code == 303
    assert failed.headers["Location"] == f"{QUIZ}quiz/1/results"
    page = client.get(failed.headers["Location"]).get_data(as_text=True)
    assert "Result: 2 out of 3 (66 %)." in page
    assert "Not passed yet: 70 % is needed." in page
    assert "Wrong answer." in page and page.count("Right answer.") == 2
    # The question answered wrong gives nothing away: neither the right option nor why.
    wrong = question_result(page, 1)
    assert "your answer" in wrong
    assert "right answer" not in wrong and "option-right" not in wrong and "EXPLANATION-ONE" not in page
    # Questions answered right may say why: it reveals nothing the verdict does not.
    assert "EXPLANATION-TWO" in page and "EXPLANATION-THREE" in page
    assert '<h1>Your quiz results</h1>' in page
    assert f'href="{QUIZ}#quiz-1">Try the quiz again' in page
    assert [row.completed_at for row in progress_rows()] == [None]

    passed = answer(auth, QUIZ, 1, RIGHT)
    page = client.get(passed.headers["Location"]).get_data(as_text=True)
    assert "Chapter “Le quiz” complete." in page
    assert "Result: 3 out of 3 (100 %)." in page and "Quiz passed." in page
    for explanation in ("EXPLANATION-ONE", "EXPLANATION-TWO", "EXPLANATION-THREE"):
        assert explanation in page
    assert f'href="{TWO}"' in page  # on to the next chapter
    assert progress_rows()[0].completed_at is not None

    rows = attempts(app)
    assert [(r.quiz_index, r.score, r.passed) for r in rows] == [(1, 66, False), (1, 100, True)]
    assert [json.loads(r.answers) for r in rows] == [[[0], [0, 2], [1]], [[1], [0, 2], [1]]]
    assert rows[0].created_at.tzinfo is not None and rows[0].course_slug == "basics"
    assert rows[0].chapter_slug == "quiz"
    # A later failed retry is stored but does not take the completion back.
    answer(auth, QUIZ, 1, {})
    assert len(attempts(app)) == 3
    assert progress_rows()[0].completed_at is not None
    page = client.get(f"{QUIZ}quiz/1/results").get_data(as_text=True)
    assert "Not answered." in page
    # Passed before: the answers are no secret any more, and the chapter stays done.
    assert "You passed it before" in page and "EXPLANATION-ONE" in page
    assert "right answer" in question_result(page, 1)


def test_a_partial_answer_to_a_multiple_choice_question_is_wrong(app, auth):
    auth.signup()
    answer(auth, QUIZ, 1, {"q1": "1", "q2": "0", "q3": "1"})
    assert [(r.score, r.passed) for r in attempts(app)] == [(66, False)]


def test_every_quiz_of_a_chapter_must_be_passed(app, client, auth, progress_rows):
    auth.signup()
    client.get(TWO)
    answer(auth, TWO, 2, {"q1": "0"})
    page = client.get(f"{TWO}quiz/2/results").get_data(as_text=True)
    assert "Quiz passed." in page and f'href="{TWO}#quiz-1">Go to the next quiz' in page
    assert [row.completed_at for row in progress_rows()] == [None]
    answer(auth, TWO, 1, {"q1": "0"})
    assert progress_rows()[0].completed_at is not None


def test_visitors_are_asked_to_sign_up_and_nothing_is_stored_on_the_server(app, client):
    token = csrf_token(client.get(QUIZ))
    response = client.post(f"{QUIZ}quiz/1", data={"csrf_token": token, **RIGHT})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/signup?next={QUIZ}quiz/1/results"
    assert attempts(app) == []
    assert client.get(f"{QUIZ}quiz/1/results").status_code == 302
    assert "your answers are kept until then" in client.get("/signup").get_data(as_text=True)


def test_a_visitor_who_answers_then_signs_up_lands_on_the_results_with_the_chapter_done(
        app, client, auth, progress_rows):
    client.get(QUIZ)
    response = auth.post(f"{QUIZ}quiz/1", RIGHT, token_from=QUIZ)
    signed_up = auth.signup(next=parse_qs(urlsplit(response.headers["Location"]).query)["next"][0])
    assert signed_up.headers["Location"] == f"{QUIZ}quiz/1/results"
    page = client.get(signed_up.headers["Location"]).get_data(as_text=True)
    assert "Result: 3 out of 3 (100 %)." in page and "Quiz passed." in page
    assert "Chapter “Le quiz” complete." in page
    assert [(r.quiz_index, r.score, r.passed) for r in attempts(app)] == [(1, 100, True)]
    assert [row.completed_at is not None for row in progress_rows()] == [True]
    with client.session_transaction() as session:
        assert QUIZZES_KEY not in session


def test_a_visitor_who_fails_then_logs_in_sees_the_failed_attempt_and_can_retry(
        app, client, auth, progress_rows):
    auth.signup()
    auth.logout()
    auth.post(f"{QUIZ}quiz/1", {"q1": "0"}, token_from=QUIZ)
    assert auth.login().status_code == 302
    page = client.get(f"{QUIZ}quiz/1/results").get_data(as_text=True)
    assert "Result: 0 out of 3 (0 %)." in page and "Not passed yet" in page
    assert [(r.score, r.passed) for r in attempts(app)] == [(0, False)]
    assert [row.completed_at for row in progress_rows()] == [None]  # opened, not done


def test_only_the_latest_answers_to_each_quiz_are_kept_and_the_cookie_stays_small(app, client):
    for answers in ({"q1": "0"}, RIGHT):  # the second replaces the first
        client.post(f"{QUIZ}quiz/1", data={"csrf_token": csrf_token(client.get(QUIZ)), **answers})
    client.post(f"{TWO}quiz/1", data={"csrf_token": csrf_token(client.get(TWO)), "q1": "0"})
    with client.session_transaction() as session:
        entries = session[QUIZZES_KEY].split()
    assert [e.rsplit("/", 1)[1] for e in entries] == ["1,0.2,1", "0"]
    with app.test_request_context("/"):
        for number in range(1, 40):
            remember_quiz_answers("basics", f"chapter-{number}", 1, "k" * 40, (frozenset(range(9)),) * 20)
        kept = flask.session[QUIZZES_KEY]
    assert len(kept) <= MAX_LENGTH and len(kept.split()) <= MAX_QUIZZES
    assert kept.split()[-1].startswith("basics/chapter-39/1/")


def test_forged_or_stale_answers_kept_by_a_visitor_are_dropped_at_sign_up(app, client, auth, progress_rows):
    assert auth.post(f"{QUIZ}quiz/1", {"q1": "9"}, token_from=QUIZ).status_code == 400  # checked first
    with client.session_transaction() as session:
        assert QUIZZES_KEY not in session
    client.post(f"{QUIZ}quiz/1", data={"csrf_token": csrf_token(client.get(QUIZ)), **RIGHT})
    with client.session_transaction() as session:
        right = session[QUIZZES_KEY]
        course, chapter, number, version, answers = right.split("/")
        session[QUIZZES_KEY] = " ".join([
            f"{course}/{chapter}/{number}/{'0' * len(version)}/{answers}",  # the quiz changed since
            f"{course}/{chapter}/{number}/{version}/7,0.2,1",  # no option 7
            f"{course}/{chapter}/{number}/{version}/1.0,0.2,1",  # two answers to a single choice
            f"{course}/{chapter}/9/{version}/{answers}",  # no quiz 9
            f"nowhere/{chapter}/1/{version}/{answers}", "not-an-entry", f"{course}/{chapter}/x/y/z",
        ])
    auth.signup()
    assert attempts(app) == []
    assert client.get(f"{QUIZ}quiz/1/results").status_code == 302  # nothing to show: answer it


def test_forged_answers_unknown_quizzes_and_missing_tokens_are_refused(app, client, auth):
    auth.signup()
    assert answer(auth, QUIZ, 1, {"q1": "7"}).status_code == 400
    assert answer(auth, QUIZ, 1, {"q1": ["0", "1"]}).status_code == 400
    assert answer(auth, QUIZ, 2, RIGHT).status_code == 404
    assert answer(auth, WELCOME, 1, RIGHT).status_code == 404
    assert client.post(f"{QUIZ}quiz/1", data=RIGHT).status_code == 400  # no CSRF token
    assert attempts(app) == []
    # No attempt yet: the results page sends the learner to the quiz.
    response = client.get(f"{QUIZ}quiz/1/results")
    assert (response.status_code, response.headers["Location"]) == (302, f"{QUIZ}#quiz-1")


def test_passing_every_quiz_earns_a_certificate_that_says_successfully(app, client, auth):
    auth.signup()
    assert auth.complete(WELCOME).status_code == 302
    answer(auth, QUIZ, 1, RIGHT)
    answer(auth, TWO, 1, {"q1": "0"})
    answer(auth, TWO, 2, {"q1": "0"})
    claim = f"{COURSE}certificate"
    response = auth.post(claim, {"name": "Ana Dupont", "confirm": "y"}, token_from=claim)
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]
    with get_engine(app).connect() as connection:
        assert connection.execute(select(Certificate.graded)).scalar_one() is True


def test_attempts_are_in_the_data_download_and_go_with_the_account(app, client, auth):
    auth.signup()
    answer(auth, QUIZ, 1, RIGHT)
    export = client.get("/account/export.json")
    assert export.status_code == 200, export.status_code
    data = json.loads(export.get_data(as_text=True))
    assert data["quiz_attempts"][0]["answers"] == [[1], [0, 2], [1]]
    response = auth.post("/account/delete", {"password": "un mot de passe solide",
                                             "certificates": "keep"}, token_from="/account/delete")
    assert response.status_code == 302
    assert attempts(app) == []


def test_the_demo_course_never_serves_its_explanations_before_an_answer(app_config):
    from html import unescape

    from courseware.db import dispose_engines

    demo = Path(__file__).resolve().parents[2] / "content"
    app = prepared_app({**app_config, "CONTENT_DIR": str(demo)})
    try:
        client = app.test_client()
        course = app.extensions["courseware.library"].courses[0]
        for chapter in course.chapters:
            html = unescape(client.get(f"/courses/{course.slug}/{chapter.slug}/")
                            .get_data(as_text=True))
            assert "Marquer comme terminé" not in html and "Mark as complete" not in html
            assert "[x]" not in html
            for quiz in chapter.quizzes:
                assert f'id="quiz-{quiz.number}"' in html
                for question in quiz.questions:
                    explanation = re.sub(r"<[^>]+>", "", unescape(question.explanation_html)).strip()
                    assert explanation and explanation not in html, chapter.slug
    finally:
        dispose_engines(app)


def test_completing_by_quiz_is_counted_in_the_organisation_funnel_once(app, client, auth):
    """A quiz chapter's completion feeds the reports like "mark as complete" does."""
    from courseware.models import FunnelCount

    auth.signup()
    client.get(QUIZ)
    answer(auth, QUIZ, 1, RIGHT)
    answer(auth, QUIZ, 1, RIGHT)  # a second pass changes nothing
    table = FunnelCount.__table__
    with get_engine(app).connect() as connection:
        rows = connection.execute(select(table.c.step, table.c.chapter_slug, table.c.count)
                                  .where(table.c.step == "completed")).all()
    chapter = QUIZ.rstrip("/").rsplit("/", 1)[1]
    assert [tuple(row) for row in rows] == [("completed", chapter, 1)]


def test_a_completed_chapter_says_its_quiz_is_passed_and_links_to_the_results(client, auth):
    auth.signup()
    client.get(QUIZ)
    before = client.get(QUIZ).get_data(as_text=True)
    assert "This chapter is complete" not in before
    assert "the explanations are shown once you pass" in before
    answer(auth, QUIZ, 1, RIGHT)
    client.get(QUIZ)  # the completion message
    for _view in range(2):  # rendered, then from the page cache
        page = client.get(QUIZ).get_data(as_text=True)
        assert "This chapter is complete. You can take the quiz again" in page
        assert f'href="{QUIZ}quiz/1/results">See my last results' in page
    assert "Result: 3 out of 3" in client.get(f"{QUIZ}quiz/1/results").get_data(as_text=True)


def test_passing_again_a_chapter_already_complete_announces_no_new_completion(client, auth):
    """The page promised a retake "will not change your progress": no "Chapter … complete"
    message the second time, and the completions counter of /metrics counts one."""
    from courseware import metrics

    auth.signup()
    client.get(QUIZ)
    completions = metrics.COMPLETIONS._value.get()
    first = answer(auth, QUIZ, 1, RIGHT)
    assert "complete." in client.get(first.headers["Location"]).get_data(as_text=True)
    again = answer(auth, QUIZ, 1, RIGHT)
    results = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Result: 3 out of 3" in results
    assert "complete.</" not in results and "Chapter “" not in results
    assert metrics.COMPLETIONS._value.get() == completions + 1
