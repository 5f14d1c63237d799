"""The analytics counters: small rows added to in the transaction of the event they count.

Like the funnel counters (`organisations.models.FunnelCount`), the number of rows
grows with days x chapters x languages (x questions and options), never with
learners. Each event is added twice, like the funnel's daily and monthly tables:
to its day's row (`span` "day", `day` the day) and to its month's (`span` "month",
`day` the first of the month). The dashboard reads whole months from the month
rows and only the days at the edges of its range from the day rows
(`analytics.dashboard.period_parts`): a year of answer counters is ~13k rows to
sum instead of 158k (1.15 s -> see benchmarks/analytics.py on SQLite).

Each table also has a covering index (course, span, day, the columns the
dashboard groups by, language, count): the dashboard reads its rows from the
index alone (SQLite otherwise looked up every row: 4x slower). Every key column
is NOT NULL: NULLs never collide in a unique index, and the upsert
(`reports.counters.add_to_counter`) relies on that index.

`language` is the language the page was served in when the event happened.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..base import Base

SPANS = ("day", "month")


class ChapterDayCount(Base):
    """How many learners first opened (`step` "opened") or first completed ("completed")
    a chapter on a day (or in a month), in a language. Each learner counts once per
    chapter and step."""

    __tablename__ = "analytics_chapter_counts"
    __table_args__ = (
        UniqueConstraint("course_slug", "span", "day", "chapter_slug", "language", "step",
                         name="uq_analytics_chapter_counts_key"),
        Index("ix_analytics_chapter_counts_read", "course_slug", "span", "day", "chapter_slug",
              "step", "language", "count"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    span: Mapped[str] = mapped_column(String(5))  # day | month
    day: Mapped[date] = mapped_column(Date)
    chapter_slug: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(16))  # opened | completed
    count: Mapped[int] = mapped_column(Integer)


class CompletionTimeCount(Base):
    """How many first completions of a chapter, on a day (or in a month) of the
    completion and in a language, took a time in bucket `bucket` since the chapter
    was first opened (see `analytics.durations.BUCKET_UPPER_SECONDS`)."""

    __tablename__ = "analytics_completion_times"
    __table_args__ = (
        UniqueConstraint("course_slug", "span", "day", "chapter_slug", "language", "bucket",
                         name="uq_analytics_completion_times_key"),
        Index("ix_analytics_completion_times_read", "course_slug", "span", "day", "chapter_slug",
              "bucket", "language", "count"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    span: Mapped[str] = mapped_column(String(5))
    day: Mapped[date] = mapped_column(Date)
    chapter_slug: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(16))
    bucket: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)


# `AnswerCount.option_index` for the two per-question totals; 0, 1, ... are options.
FIRST_ATTEMPTS = -1
FIRST_ATTEMPTS_RIGHT = -2


class AnswerCount(Base):
    """First attempts at quiz questions, counted on the day (and month) of the attempt,
    in a language.

    One row per (question, measure): `option_index` FIRST_ATTEMPTS counts first
    attempts at the question, FIRST_ATTEMPTS_RIGHT those that were right, and
    0, 1, ... how many first attempts ticked that option. A question is identified
    by its position (`quizzes.model`); `key_version` keeps counts made against
    another shape of the quiz apart, so a changed key starts from zero.
    """

    __tablename__ = "analytics_answer_counts"
    __table_args__ = (
        UniqueConstraint("course_slug", "span", "day", "chapter_slug", "quiz_index", "question_index",
                         "key_version", "language", "option_index",
                         name="uq_analytics_answer_counts_key"),
        Index("ix_analytics_answer_counts_read", "course_slug", "span", "day", "chapter_slug",
              "quiz_index", "question_index", "key_version", "option_index", "language", "count"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_slug: Mapped[str] = mapped_column(String(100))
    span: Mapped[str] = mapped_column(String(5))
    day: Mapped[date] = mapped_column(Date)
    chapter_slug: Mapped[str] = mapped_column(String(100))
    quiz_index: Mapped[int] = mapped_column(Integer)
    question_index: Mapped[int] = mapped_column(Integer)
    key_version: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(16))
    option_index: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
