"""A course's figures for instructors, read from the analytics counters only.

`course_dashboard` runs grouped sums over the counter rows of one course and a
date range (optionally one language): whole months from the month rows, the edge
days from the day rows (`period_parts`). It returns plain dataclasses; the
page, its charts and the CSV all render the same object, so figures never
disagree between formats.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..quizzes.model import Quiz
from .durations import BUCKET_COUNT, median_seconds
from .models import FIRST_ATTEMPTS, FIRST_ATTEMPTS_RIGHT, AnswerCount, ChapterDayCount, CompletionTimeCount

# A question whose first attempts are right less often than this is flagged as confusing.
CONFUSING_BELOW = 0.5


class ChapterLike(Protocol):
    slug: str
    title: str
    quizzes: tuple[Quiz, ...]


class CourseLike(Protocol):
    slug: str
    title: str

    @property
    def chapters(self) -> Sequence[ChapterLike]: ...


@dataclass(frozen=True)
class ChapterFigures:
    position: int  # 1-based, in course order
    slug: str
    title: str
    opened: int  # learners who first opened it in the period
    completed: int  # learners who first completed it in the period
    # Estimated from a histogram (see durations.py): show it as "about".
    median_seconds: float | None
    # Share of the previous chapter's openers who did not open this one (None: first
    # chapter, or nobody opened the previous one). Negative when more opened this one.
    drop_off: float | None


@dataclass(frozen=True)
class OptionFigures:
    number: int  # 1-based, as the learner sees the options
    html: str  # inline HTML of the option, as rendered from the course's Markdown
    right: bool
    chosen: int  # first attempts that ticked it

    def share(self, first_attempts: int) -> float | None:
        return self.chosen / first_attempts if first_attempts else None


@dataclass(frozen=True)
class QuestionFigures:
    chapter_position: int
    chapter_title: str
    quiz_number: int
    number: int  # 1-based within its quiz
    html: str
    first_attempts: int
    right: int  # first attempts that were right
    options: tuple[OptionFigures, ...]

    @property
    def right_share(self) -> float | None:
        return self.right / self.first_attempts if self.first_attempts else None

    @property
    def confusing(self) -> bool:
        share = self.right_share
        return share is not None and share < CONFUSING_BELOW

    @property
    def most_chosen_wrong(self) -> tuple[OptionFigures, ...]:
        """The wrong answers chosen most often: every one of them when several tie."""
        wrong = [option for option in self.options if not option.right and option.chosen]
        most = max((option.chosen for option in wrong), default=0)
        return tuple(option for option in wrong if option.chosen == most)


@dataclass(frozen=True)
class CourseDashboard:
    course_slug: str
    course_title: str
    start: date
    end: date  # included
    language: str | None  # None: every language
    chapters: tuple[ChapterFigures, ...]
    questions: tuple[QuestionFigures, ...]


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def period_parts(start: date, end: date) -> list[tuple[str, date, date]]:
    """The days start..end (inclusive) as counter rows to read: (span, first, last) with
    `day` between first and last. Whole calendar months come from the "month" rows
    (their `day` is the 1st), the days before the first and after the last whole
    month from the "day" rows; a range inside one month is day rows only."""
    if end < start:
        return []
    first_whole = start if start.day == 1 else _next_month(start)
    after_whole = _next_month(end) if _next_month(end) - timedelta(days=1) == end else end.replace(day=1)
    if first_whole >= after_whole:  # no whole month inside
        return [("day", start, end)]
    parts = [("month", first_whole, after_whole - timedelta(days=1))]
    if start < first_whole:
        parts.append(("day", start, first_whole - timedelta(days=1)))
    if after_whole <= end:
        parts.append(("day", after_whole, end))
    return parts


def _sums(executor: Connection | Session, model: type, grouped: tuple[str, ...], course_slug: str,
          start: date, end: date, language: str | None) -> Counter:
    """The counts of `model` summed by the `grouped` columns, over the days start..end."""
    table = model.__table__
    columns = [table.c[name] for name in grouped]
    totals: Counter = Counter()
    for span, low, high in period_parts(start, end):
        conditions = [table.c.course_slug == course_slug, table.c.span == span,
                      table.c.day >= low, table.c.day <= high]
        if language is not None:
            conditions.append(table.c.language == language)
        rows = executor.execute(
            select(*columns, func.sum(table.c.count)).where(*conditions).group_by(*columns))
        for row in rows:
            totals[tuple(row[:-1])] += int(row[-1])
    return totals


def _duration_histograms(totals: Counter) -> dict[str, list[int]]:
    histograms: dict[str, list[int]] = defaultdict(lambda: [0] * BUCKET_COUNT)
    for (slug, bucket), total in totals.items():
        if 0 <= bucket < BUCKET_COUNT:
            histograms[slug][bucket] += total
    return histograms


def _drop_off(previous_opened: int | None, opened: int) -> float | None:
    if not previous_opened:
        return None
    return (previous_opened - opened) / previous_opened


def course_dashboard(executor: Connection | Session, course: CourseLike, start: date, end: date,
                     language: str | None = None) -> CourseDashboard:
    """Per chapter and per quiz question figures of `course` for the days start..end
    (inclusive), counted in `language` only, or in every language when None.

    Chapters and questions come from the course as it is now, in its order;
    counters of removed chapters, and of quizzes whose key has changed since
    (another `key_version`), are left out.
    """
    where = {"course_slug": course.slug, "start": start, "end": end, "language": language}
    counts = _sums(executor, ChapterDayCount, ("chapter_slug", "step"), **where)
    histograms = _duration_histograms(
        _sums(executor, CompletionTimeCount, ("chapter_slug", "bucket"), **where))
    chapters, previous = [], None
    for position, chapter in enumerate(course.chapters, start=1):
        opened = counts.get((chapter.slug, "opened"), 0)
        median = median_seconds(histograms[chapter.slug]) if chapter.slug in histograms else None
        chapters.append(ChapterFigures(position, chapter.slug, chapter.title, opened,
                                       counts.get((chapter.slug, "completed"), 0), median,
                                       _drop_off(previous, opened) if position > 1 else None))
        previous = opened
    return CourseDashboard(course.slug, course.title, start, end, language, tuple(chapters),
                           _questions(course, _sums(executor, AnswerCount, _ANSWER_KEY, **where)))


_ANSWER_KEY = ("chapter_slug", "quiz_index", "question_index", "key_version", "option_index")


def _questions(course: CourseLike, answers: Counter) -> tuple[QuestionFigures, ...]:
    figures = []
    for position, chapter in enumerate(course.chapters, start=1):
        for quiz in chapter.quizzes:
            for question in quiz.questions:
                key = (chapter.slug, quiz.number, question.number, quiz.key_version)
                options = tuple(
                    OptionFigures(index + 1, option.html, option.right, answers.get((*key, index), 0))
                    for index, option in enumerate(question.options))
                figures.append(QuestionFigures(
                    position, chapter.title, quiz.number, question.number, question.html,
                    answers.get((*key, FIRST_ATTEMPTS), 0), answers.get((*key, FIRST_ATTEMPTS_RIGHT), 0),
                    options))
    return tuple(figures)
