"""Two tabs submitting a learner's first attempt at the same moment count one first attempt:
the second waits for the first (the learner's row is locked) and then sees its attempt."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from courseware.accounts import Identity
from courseware.analytics.events import record_quiz_attempt
from courseware.models import AnswerCount, QuizAttempt, User
from courseware.quizzes.grading import grade
from tests.analytics.fixture import load_quiz_course

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_two_tabs_submitting_at_once_count_one_first_attempt(engine: Engine, tmp_path: Path):
    course = load_quiz_course(tmp_path / "content")
    chapter = course.chapters[1]
    quiz = chapter.quizzes[0]
    with engine.begin() as connection:
        user_id = connection.execute(insert(User.__table__).values(
            email="ana@example.org", name="Ana", password_hash="x", role="learner",
            created_at=NOW, session_version=1).returning(User.__table__.c.id)).scalar_one()
    learner = Identity(user_id, "ana@example.org", "Ana", "learner", None, "key")
    wrong = grade(quiz, (frozenset({0}), frozenset({0})), course.pass_mark)
    right = grade(quiz, (frozenset({1}), frozenset({1})), course.pass_mark)
    writer = engine.execution_options(sqlite_immediate=True)
    first_done = threading.Event()

    def second_tab() -> bool:
        with Session(writer) as session:
            first_done.wait(timeout=30)
            outcome = record_quiz_attempt(session, learner, course, chapter, quiz, right, NOW, "fr")
            session.commit()
            return outcome.first_attempt

    with Session(writer) as first, ThreadPoolExecutor(max_workers=1) as pool:
        assert record_quiz_attempt(first, learner, course, chapter, quiz, wrong, NOW, "fr").first_attempt
        second = pool.submit(second_tab)
        first_done.set()
        threading.Event().wait(0.3)  # time for the second tab to reach the lock
        first.commit()
        assert second.result(timeout=30) is False
    with engine.connect() as connection:
        attempts = connection.scalar(select(func.count()).select_from(QuizAttempt))
        counted = connection.execute(select(AnswerCount.option_index, func.sum(AnswerCount.count))
                                     .where(AnswerCount.span == "day", AnswerCount.question_index == 1)
                                     .group_by(AnswerCount.option_index)).all()
    assert attempts == 2
    assert dict(counted) == {-1: 1, 0: 1}  # the wrong first attempt only: no "right" row
