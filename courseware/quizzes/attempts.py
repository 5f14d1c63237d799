"""Storing quiz attempts and completing chapters whose quizzes are all passed.

Core statements on a Connection or Session, like progress.py. Completion goes
through `progress.record_chapter_completed`, the one place that marks a
chapter done.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..progress import ChapterChange, record_chapter_completed
from .grading import QuizResult
from .model import Quiz
from .models import QuizAttempt

_table = QuizAttempt.__table__


class ChapterWithQuizzes(Protocol):
    slug: str
    quizzes: tuple[Quiz, ...]


@dataclass(frozen=True)
class StoredAttempt:
    quiz_index: int
    answers: tuple[frozenset[int], ...]
    score: int
    passed: bool
    key_version: str
    created_at: datetime


@dataclass(frozen=True)
class AttemptOutcome:
    attempt_id: int
    # This attempt completed the chapter: its last quiz passed for the first time (a
    # passing retake of a chapter already done completes nothing).
    chapter_completed: bool
    # The learner's first attempt at this version of the quiz (what analytics count).
    first_attempt: bool = False


def record_attempt(executor: Connection | Session, *, user_id: int, course_slug: str,
                   chapter: ChapterWithQuizzes, quiz: Quiz, result: QuizResult,
                   now: datetime | None = None,
                   complete: Callable[..., ChapterChange] = record_chapter_completed
                   ) -> AttemptOutcome:
    """Store one graded attempt; complete the chapter once each of its quizzes is passed.

    `complete(executor, user_id, course_slug, chapter_slug, now=...)` marks the chapter
    done: the web layer passes the one that also counts the funnel events. The caller
    commits (a Session) or uses an autocommit Connection. A later failed retry never
    takes a completion back.
    """
    moment = now or datetime.now(UTC)
    answers = json.dumps([sorted(chosen) for chosen in result.answers], separators=(",", ":"))
    first = executor.execute(select(_table.c.id).where(
        _table.c.user_id == user_id, _table.c.course_slug == course_slug,
        _table.c.chapter_slug == chapter.slug, _table.c.quiz_index == quiz.number,
        _table.c.key_version == quiz.key_version).limit(1)).first() is None
    attempt_id = executor.execute(insert(_table).values(
        user_id=user_id, course_slug=course_slug, chapter_slug=chapter.slug,
        quiz_index=quiz.number, key_version=quiz.key_version, answers=answers,
        score=result.score, passed=result.passed, created_at=moment,
    ).returning(_table.c.id)).scalar_one()
    completed = False
    if result.passed:
        passed = passed_quiz_numbers(executor, user_id, course_slug, chapter.slug)
        if all(q.number in passed for q in chapter.quizzes):
            completed = complete(executor, user_id, course_slug, chapter.slug, now=moment).completed
    return AttemptOutcome(attempt_id, completed, first)


def passed_quiz_numbers(executor: Connection | Session, user_id: int, course_slug: str,
                        chapter_slug: str) -> frozenset[int]:
    """The quizzes of a chapter this learner has passed at least once."""
    rows = executor.execute(select(_table.c.quiz_index).distinct().where(
        _table.c.user_id == user_id, _table.c.course_slug == course_slug,
        _table.c.chapter_slug == chapter_slug, _table.c.passed.is_(True)))
    return frozenset(number for (number,) in rows)


def latest_attempt(executor: Connection | Session, user_id: int, course_slug: str,
                   chapter_slug: str, quiz_index: int) -> StoredAttempt | None:
    """The learner's most recent attempt at one quiz, or None."""
    row = executor.execute(
        select(_table.c.answers, _table.c.score, _table.c.passed, _table.c.key_version,
               _table.c.created_at)
        .where(_table.c.user_id == user_id, _table.c.course_slug == course_slug,
               _table.c.chapter_slug == chapter_slug, _table.c.quiz_index == quiz_index)
        .order_by(_table.c.created_at.desc(), _table.c.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    answers = tuple(frozenset(int(i) for i in chosen) for chosen in json.loads(row.answers))
    return StoredAttempt(quiz_index, answers, row.score, bool(row.passed), row.key_version,
                         row.created_at)


def attempts_for_export(executor: Connection | Session, user_id: int) -> list[dict]:
    """Every quiz attempt of a learner, for their data download (RGPD right of access)."""
    rows = executor.execute(
        select(_table.c.course_slug, _table.c.chapter_slug, _table.c.quiz_index,
               _table.c.answers, _table.c.score, _table.c.passed, _table.c.created_at)
        .where(_table.c.user_id == user_id).order_by(_table.c.created_at, _table.c.id))
    return [
        {"course": course, "chapter": chapter, "quiz": quiz, "answers": json.loads(answers),
         "score": score, "passed": bool(passed), "submitted_at": created.isoformat()}
        for course, chapter, quiz, answers, score, passed, created in rows
    ]
