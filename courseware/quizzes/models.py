"""The `quiz_attempts` table: every submission of a quiz by a learner.

Attempts are never updated: each submission is a new row, so retries, first
attempts and per-question analytics can all be read back.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base, UtcDateTime


class QuizAttempt(Base):
    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # The results page and completion: this learner's attempts in this chapter, latest first.
        Index("ix_quiz_attempts_learner_chapter", "user_id", "course_slug", "chapter_slug",
              "created_at"),
        # Analytics: every attempt at one quiz, by time (first attempts, answer counts).
        Index("ix_quiz_attempts_quiz", "course_slug", "chapter_slug", "quiz_index", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_slug: Mapped[str] = mapped_column(String(100))
    chapter_slug: Mapped[str] = mapped_column(String(100))
    quiz_index: Mapped[int] = mapped_column(Integer)  # 1-based position in the chapter
    # Quiz.key_version when the attempt was made: tells attempts at another shape apart.
    key_version: Mapped[str] = mapped_column(String(16))
    # JSON list, one list of chosen 0-based option indexes per question: [[1], [0, 2], []].
    answers: Mapped[str] = mapped_column(Text)
    score: Mapped[int] = mapped_column(Integer)  # percent of questions right
    passed: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
