"""Progress and quiz events that also feed the instructor's counters, in one transaction.

Each function does what its `reports.events` / `quizzes.attempts` namesake does
(the progress row, the funnel counters) and then adds to the analytics counters
when the event happened for the first time, so the dashboard counts each learner
once per chapter and question. The caller commits: a failure rolls the counters
back with the progress. `language` is the language the page was served in; the
web layer decides it (one function there).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import ChapterProgress
from ..progress import ChapterChange
from ..quizzes.attempts import AttemptOutcome, record_attempt
from ..quizzes.grading import QuizResult
from ..quizzes.model import Quiz
from ..reports import events as funnel
from ..reports.counters import add_to_counter
from .durations import bucket_for
from .models import FIRST_ATTEMPTS, FIRST_ATTEMPTS_RIGHT, AnswerCount, ChapterDayCount, CompletionTimeCount

Executor = Connection | Session
_progress = ChapterProgress.__table__


class ChapterWithQuizzes(Protocol):
    slug: str
    quizzes: tuple[Quiz, ...]


class CourseLike(Protocol):
    slug: str

    @property
    def chapters(self) -> Sequence[funnel.ChapterLike]: ...


def _add(executor: Executor, model: type, key: dict[str, object], now: datetime) -> None:
    """Add one to the counter of `key` for the event's day and for its month (models.py)."""
    day = now.astimezone(UTC).date()
    add_to_counter(executor, model.__table__, {**key, "span": "day", "day": day})
    add_to_counter(executor, model.__table__, {**key, "span": "month", "day": day.replace(day=1)})


def _count_chapter(executor: Executor, course_slug: str, chapter_slug: str, language: str,
                   step: str, now: datetime) -> None:
    _add(executor, ChapterDayCount, {"course_slug": course_slug, "chapter_slug": chapter_slug,
                                     "language": language, "step": step}, now)


def _first_opened_at(executor: Executor, user_id: int, course_slug: str,
                     chapter_slug: str) -> datetime | None:
    return executor.execute(select(_progress.c.started_at).where(
        _progress.c.user_id == user_id, _progress.c.course_slug == course_slug,
        _progress.c.chapter_slug == chapter_slug)).scalar_one_or_none()


def open_chapter(executor: Executor, learner: funnel.LearnerLike, course: CourseLike,
                 chapter_slug: str, now: datetime, language: str) -> bool:
    """Record a visit to a chapter; on the first one, count it for the funnel and here."""
    opened = funnel.open_chapter(executor, learner, course, chapter_slug, now)
    if opened:
        _count_chapter(executor, course.slug, chapter_slug, language, "opened", now)
    return opened


def complete_chapter(executor: Executor, learner: funnel.LearnerLike, course: CourseLike,
                     chapter_slug: str, now: datetime, language: str) -> ChapterChange:
    """Mark a chapter done; on the first completion, also count it and the time it took
    since the chapter was first opened (0 when it is completed without being opened)."""
    change = funnel.complete_chapter(executor, learner, course, chapter_slug, now)
    if change.opened:
        _count_chapter(executor, course.slug, chapter_slug, language, "opened", now)
    if change.completed:
        _count_chapter(executor, course.slug, chapter_slug, language, "completed", now)
        opened_at = _first_opened_at(executor, learner.id, course.slug, chapter_slug) or now
        _add(executor, CompletionTimeCount, {
            "course_slug": course.slug, "chapter_slug": chapter_slug, "language": language,
            "bucket": bucket_for((now - opened_at).total_seconds())}, now)
    return change


def count_first_attempt(executor: Executor, course_slug: str, chapter_slug: str, quiz: Quiz,
                        result: QuizResult, language: str, now: datetime) -> None:
    """Add a first attempt at a quiz to the per-question and per-option counters."""
    for question, outcome in zip(quiz.questions, result.questions, strict=True):
        key = {"course_slug": course_slug, "chapter_slug": chapter_slug,
               "quiz_index": quiz.number, "question_index": question.number,
               "key_version": quiz.key_version, "language": language}
        measures = [FIRST_ATTEMPTS, *([FIRST_ATTEMPTS_RIGHT] if outcome.right else []),
                    *sorted(outcome.chosen)]
        for option_index in measures:
            _add(executor, AnswerCount, {**key, "option_index": option_index}, now)


def record_quiz_attempt(executor: Executor, learner: funnel.LearnerLike, course: CourseLike,
                        chapter: ChapterWithQuizzes, quiz: Quiz, result: QuizResult,
                        now: datetime, language: str) -> AttemptOutcome:
    """Store a graded attempt (completing the chapter when its quizzes are all passed) and,
    for the learner's first attempt at this quiz, count its answers.

    The learner's row is locked first, as for completions: two tabs submitting a
    first attempt at once cannot both count as the first.
    """
    funnel.lock_learner(executor, learner.id)

    def complete(executor: Executor, _user_id: int, _course_slug: str, chapter_slug: str,
                 now: datetime) -> ChapterChange:
        return complete_chapter(executor, learner, course, chapter_slug, now, language)

    outcome = record_attempt(executor, user_id=learner.id, course_slug=course.slug,
                             chapter=chapter, quiz=quiz, result=result, now=now, complete=complete)
    if outcome.first_attempt:
        count_first_attempt(executor, course.slug, chapter.slug, quiz, result, language, now)
    return outcome
