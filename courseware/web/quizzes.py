"""Quizzes on chapter pages: the form in place of each `::: quiz`, grading, results.

The form shows questions and options only; which options are right, and the
explanations, stay on the server until the learner has passed the quiz (the
results page of a failed attempt says which questions were wrong, not why).
Submissions follow post/redirect/get: the POST grades and stores an attempt,
then redirects to the results page, which reads the latest attempt.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from .. import metrics
from ..analytics.events import record_quiz_attempt
from ..content import Chapter, Course
from ..db import get_session, request_connection
from ..extensions import limiter
from ..progress import course_progress
from ..quizzes.attempts import latest_attempt, passed_quiz_numbers
from ..quizzes.grading import InvalidSubmission, QuizResult, answers_from_form, grade
from ..quizzes.model import QUIZ_SLOT, Quiz
from ..reports.events import LearnerLike
from .views import course_or_404, library, previews_drafts
from .visitor_quizzes import VisitorAnswers, remember_quiz_answers
from .visitor_reading import course_and_chapter

bp = Blueprint("quizzes", __name__, url_prefix="/courses")


def _rate_limit() -> str:
    return current_app.config["QUIZ_RATE_LIMIT"]


def chapter_html_with_quizzes(course: Course, chapter: Chapter, csrf_token: Callable[[], str],
                              chapter_done: bool = False) -> str:
    """The chapter's HTML with each quiz slot replaced by its (answer-free) form; once the
    chapter is done, each form says so and links to the learner's last results."""
    html = chapter.html
    for quiz in chapter.quizzes:
        form = render_template("quizzes/form.html", course=course, chapter=chapter, quiz=quiz,
                               csrf_token=csrf_token, chapter_done=chapter_done)
        html = html.replace(QUIZ_SLOT.format(number=quiz.number), form, 1)
    return html


@bp.post("/<course_slug>/<chapter_slug>/quiz/<int:number>")
@limiter.limit(_rate_limit)
def submit(course_slug: str, chapter_slug: str, number: int) -> Response:
    course, chapter, quiz = _quiz_or_404(course_slug, chapter_slug, number)
    try:
        answers = answers_from_form(quiz, request.form.to_dict(flat=False))
        result = grade(quiz, answers, course.pass_mark)
    except InvalidSubmission:
        abort(400)
    results_url = url_for("quizzes.results", course_slug=course.slug, chapter_slug=chapter.slug,
                          number=quiz.number)
    if not current_user.is_authenticated:
        # Kept in the visitor's session, graded and stored once they have an account
        # (auth.py); the sign-up then lands on the results.
        remember_quiz_answers(course.slug, chapter.slug, quiz.number, quiz.key_version, answers)
        flash(_("Create a free account or log in to see your results: your answers are kept until then."))
        return redirect(url_for("auth.signup", next=results_url))
    # CSRFProtect has checked the token already.
    db = get_session()
    _store_attempt(db, current_user, course, chapter, quiz, result)
    db.commit()
    return redirect(results_url, code=303)


def record_visitor_answers(db: Session, learner: LearnerLike, answered: Iterable[VisitorAnswers]) -> None:
    """Grade and store the quizzes a visitor answered before they had an account.

    Each is checked again as a submitted form is: answers to a quiz that no longer
    exists, changed since (another key version) or is a draft now are dropped.
    """
    for visitor in answered:
        found = course_and_chapter(library(), f"{visitor.course_slug}/{visitor.chapter_slug}")
        course = found[0] if found and found[0].is_published else None
        chapter = course.chapter(found[1]) if course is not None else None
        if chapter is None or not 1 <= visitor.quiz_number <= len(chapter.quizzes):
            continue
        quiz = chapter.quizzes[visitor.quiz_number - 1]
        if quiz.key_version != visitor.key_version:
            continue
        try:
            result = grade(quiz, answers_from_form(quiz, visitor.form), course.pass_mark)
        except InvalidSubmission:
            continue
        _store_attempt(db, learner, course, chapter, quiz, result)


def _store_attempt(db: Session, learner: LearnerLike, course: Course, chapter: Chapter, quiz: Quiz,
                   result: QuizResult) -> None:
    """Store one graded attempt. The attempt, the completion it may bring and its
    counters are one transaction (the caller commits), as for "mark as complete"."""
    outcome = record_quiz_attempt(db, learner, course, chapter, quiz, result,
                                  datetime.now(UTC), course.language)
    if outcome.chapter_completed:
        metrics.COMPLETIONS.inc()
        flash(_("Chapter “%(title)s” complete.", title=chapter.title))


@bp.get("/<course_slug>/<chapter_slug>/quiz/<int:number>/results")
def results(course_slug: str, chapter_slug: str, number: int) -> Response | str:
    course, chapter, quiz = _quiz_or_404(course_slug, chapter_slug, number)
    chapter_url = url_for("learn.chapter", course_slug=course.slug, chapter_slug=chapter.slug)
    if not current_user.is_authenticated:
        return redirect(f"{chapter_url}#quiz-{quiz.number}")
    connection = request_connection()
    attempt = latest_attempt(connection, current_user.id, course.slug, chapter.slug, quiz.number)
    if attempt is None or len(attempt.answers) != len(quiz.questions) \
            or attempt.key_version != quiz.key_version:
        # Nothing to show (or an attempt at an older version of the quiz): answer it first.
        return redirect(f"{chapter_url}#quiz-{quiz.number}")
    result = grade(quiz, attempt.answers, course.pass_mark)
    passed = passed_quiz_numbers(connection, current_user.id, course.slug, chapter.slug)
    remaining = [q for q in chapter.quizzes if q.number not in passed]
    progress = course_progress(connection, current_user.id, course)
    _previous, following = course.neighbours(chapter)
    return render_template("quizzes/results.html", course=course, chapter=chapter, quiz=quiz,
                           result=result, reveal=quiz.number in passed,
                           remaining=remaining, progress=progress,
                           following=following, chapter_url=chapter_url)


def _quiz_or_404(course_slug: str, chapter_slug: str, number: int) -> tuple[Course, Chapter, Quiz]:
    course = course_or_404(course_slug)
    chapter = course.chapter(chapter_slug)
    if chapter is None and course.draft_chapter(chapter_slug) and previews_drafts():
        # A preview: answers to a draft are neither graded nor stored (they would count).
        flash(_("Quizzes in a draft chapter are graded once the chapter is published."))
        abort(redirect(url_for("learn.chapter", course_slug=course.slug, chapter_slug=chapter_slug),
                       code=303))
    if chapter is None or not 1 <= number <= len(chapter.quizzes):
        abort(404)
    return course, chapter, chapter.quizzes[number - 1]
