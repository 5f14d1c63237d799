"""The analytics counters: small rows added to in the transaction of the event they count.

Like the funnel counters (`organisations.models.FunnelCount`), the number of rows
grows with days x chapters x languages (x questions and options), never with
learners, so the dashboard for 1,000,000 learners sums a few hundred thousand
rows at most (benchmarks/analytics.py). Each table also has a covering index,
(course, day, the columns the dashboard groups by, language, count): the
dashboard reads the range of days from the index alone. Without it SQLite looked
up every row in the table: 1.2 s instead of 0.3 s for a year of answer counters
(158k rows) on the benchmark machine. Every key column is NOT NULL with ""
defaults: NULLs never collide in a unique index, and the upsert
(`reports.counters.add_to_counter`) relies on that index.

`language` is the language the page was served in when the event happened.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base


class ChapterDayCount(Base):
    """How many learners first opened (`step` "opened") or first completed ("completed")
    a chapter on a day, in a language. Each learner counts once per chapter and step."""

    __tablename__ = "analytics_chapter_counts"
    __table_args__ = (UniqueConstraint("course_slug", "day", "chapter_slug", "language", "step",
                                       name="uq_analytics_chapter_counts_key"),
                      Index("ix_analytics_chapter_counts_read", "course_slug", "day", "chapter_slug",
                            "step", "language", "count"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    chapter_slug: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(16), default="")
    step: Mapped[str] = mapped_column(String(16))  # opened | completed
    count: Mapped[int] = mapped_column(Integer, default=0)


class CompletionTimeCount(Base):
    """How many first completions of a chapter, on a day (of the completion) and in a
    language, took a time in bucket `bucket` since the chapter was first opened
    (see `analytics.durations.BUCKET_UPPER_SECONDS`)."""

    __tablename__ = "analytics_completion_times"
    __table_args__ = (
        UniqueConstraint("course_slug", "day", "chapter_slug", "language", "bucket",
                         name="uq_analytics_completion_times_key"),
        Index("ix_analytics_completion_times_read", "course_slug", "day", "chapter_slug", "bucket",
              "language", "count"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    chapter_slug: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(16), default="")
    bucket: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)


# `AnswerCount.option_index` for the two per-question totals; 0, 1, ... are options.
FIRST_ATTEMPTS = -1
FIRST_ATTEMPTS_RIGHT = -2


class AnswerCount(Base):
    """First attempts at quiz questions, counted on the day of the attempt, in a language.

    One row per (question, measure): `option_index` FIRST_ATTEMPTS counts first
    attempts at the question, FIRST_ATTEMPTS_RIGHT those that were right, and
    0, 1, ... how many first attempts ticked that option. A question is identified
    by its position (`quizzes.model`); `key_version` keeps counts made against
    another shape of the quiz apart, so a changed key starts from zero.
    """

    __tablename__ = "analytics_answer_counts"
    __table_args__ = (
        UniqueConstraint("course_slug", "day", "chapter_slug", "quiz_index", "question_index",
                         "key_version", "language", "option_index",
                         name="uq_analytics_answer_counts_key"),
        Index("ix_analytics_answer_counts_read", "course_slug", "day", "chapter_slug", "quiz_index",
              "question_index", "key_version", "option_index", "language", "count"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    day: Mapped[date] = mapped_column(Date)
    chapter_slug: Mapped[str] = mapped_column(String(100))
    quiz_index: Mapped[int] = mapped_column(Integer)
    question_index: Mapped[int] = mapped_column(Integer)
    key_version: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16), default="")
    option_index: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer, default=0)
