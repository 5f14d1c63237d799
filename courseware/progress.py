"""Chapter progress: who opened and completed what. No Flask here.

Every function takes a SQLAlchemy Connection or Session and uses Core
statements: the chapter page reads progress on every view, and plain rows are
an order of magnitude cheaper than ORM objects there. Writes are single
upserts, so two clicks or two tabs record one row and never raise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import NamedTuple, Protocol

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .db import HotQuery
from .models import ChapterProgress

_table = ChapterProgress.__table__


class CourseLike(Protocol):
    slug: str

    @property
    def chapter_slugs(self) -> tuple[str, ...]: ...


class ProgressRow(NamedTuple):
    course_slug: str
    chapter_slug: str
    completed: bool


class ChapterState(StrEnum):
    NOT_STARTED = "not_started"
    STARTED = "started"
    DONE = "done"


@dataclass(frozen=True)
class CourseProgress:
    """One learner's standing in one course."""

    states: dict[str, ChapterState]
    chapter_order: tuple[str, ...]

    @property
    def done(self) -> int:
        return sum(state is ChapterState.DONE for state in self.states.values())

    @property
    def total(self) -> int:
        return len(self.chapter_order)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def has_begun(self) -> bool:
        """A chapter opened or done: "Continue", not "Start" (reading carried over
        from before sign-up opens chapters without finishing any)."""
        return any(state is not ChapterState.NOT_STARTED for state in self.states.values())

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def next_chapter_slug(self) -> str | None:
        """The first unfinished chapter: where "Continue" leads."""
        for slug in self.chapter_order:
            if self.states.get(slug) is not ChapterState.DONE:
                return slug
        return None

    def state(self, chapter_slug: str) -> ChapterState:
        return self.states.get(chapter_slug, ChapterState.NOT_STARTED)


# Built once: the chapter page runs it on every view.
_PROGRESS_QUERY = HotQuery(select(_table.c.chapter_slug, _table.c.completed_at).where(
    _table.c.user_id == bindparam("user_id"), _table.c.course_slug == bindparam("course_slug")
))


def _now() -> datetime:
    return datetime.now(UTC)


def _insert_or_nothing(executor: Connection | Session, values: dict) -> bool:
    """Insert a progress row unless the learner has one for that chapter; True if inserted.

    INSERT ... ON CONFLICT DO NOTHING RETURNING id returns a row only to the
    request that inserted: when two race, exactly one wins, and that is what lets
    funnel events be counted exactly once. (RETURNING rather than rowcount: with
    SQLAlchemy's implicit RETURNING the psycopg rowcount of a single insert is -1.)
    """
    bind = executor if isinstance(executor, Connection) else executor.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    statement = insert(_table).values(**values).on_conflict_do_nothing(
        index_elements=["user_id", "course_slug", "chapter_slug"]).returning(_table.c.id)
    return executor.execute(statement).first() is not None


class ChapterChange(NamedTuple):
    """What a completion changed: a first opening (the row was new) and/or a first completion."""

    opened: bool
    completed: bool


def record_chapter_opened(executor: Connection | Session, user_id: int, course_slug: str,
                          chapter_slug: str, now: datetime | None = None) -> bool:
    """Remember when the learner first opened a chapter (later visits change nothing).

    True only for the first opening, so the caller can count it once.
    """
    values = dict(user_id=user_id, course_slug=course_slug, chapter_slug=chapter_slug,
                  started_at=now or _now(), completed_at=None)
    return _insert_or_nothing(executor, values)


def record_chapter_completed(executor: Connection | Session, user_id: int, course_slug: str,
                             chapter_slug: str, now: datetime | None = None) -> ChapterChange:
    """Mark a chapter done; the first completion time is kept on repeats.

    An UPDATE of a row not yet completed, else an insert-or-nothing (completing a
    chapter never opened, e.g. from a stale page): on PostgreSQL a concurrent
    second request waits for the first and then matches nothing, so exactly one
    of them reports the completion.
    """
    moment = now or _now()
    updated = executor.execute(
        update(_table)
        .where(_table.c.user_id == user_id, _table.c.course_slug == course_slug,
               _table.c.chapter_slug == chapter_slug, _table.c.completed_at.is_(None))
        .values(completed_at=moment)).rowcount
    if updated:
        return ChapterChange(opened=False, completed=True)
    values = dict(user_id=user_id, course_slug=course_slug, chapter_slug=chapter_slug,
                  started_at=moment, completed_at=moment)
    inserted = _insert_or_nothing(executor, values)
    return ChapterChange(opened=inserted, completed=inserted)


def chapters_opened_in_course(executor: Connection | Session, user_id: int,
                              course_slug: str) -> int:
    """How many progress rows the learner has in a course (1 right after their first opening)."""
    return executor.execute(
        select(func.count()).select_from(_table)
        .where(_table.c.user_id == user_id, _table.c.course_slug == course_slug)).scalar_one()


def course_progress(executor: Connection | Session, user_id: int | None,
                    course: CourseLike) -> CourseProgress:
    """Each chapter's state for a learner, read now; everything "not started" for visitors."""
    if user_id is None:
        return progress_from_rows((), course)
    connection = executor if isinstance(executor, Connection) else executor.connection()
    rows = _PROGRESS_QUERY.rows(connection, {"user_id": user_id, "course_slug": course.slug})
    return progress_from_rows(
        (ProgressRow(course.slug, slug, completed_at is not None) for slug, completed_at in rows),
        course)


def progress_from_rows(rows: Iterable[ProgressRow], course: CourseLike) -> CourseProgress:
    """Each chapter's state from a learner's progress rows (any course's rows may be mixed in).

    Rows for chapters that no longer exist (renamed or removed slugs) are ignored.
    """
    known = set(course.chapter_slugs)
    states = {
        row.chapter_slug: ChapterState.DONE if row.completed else ChapterState.STARTED
        for row in rows
        if row.course_slug == course.slug and row.chapter_slug in known
    }
    return CourseProgress(states=states, chapter_order=course.chapter_slugs)


def completed_chapter_slugs(executor: Connection | Session, user_id: int,
                            course_slug: str) -> frozenset[str]:
    """Slugs of the chapters this learner has completed in a course."""
    rows = executor.execute(
        select(_table.c.chapter_slug).where(
            _table.c.user_id == user_id,
            _table.c.course_slug == course_slug,
            _table.c.completed_at.is_not(None),
        )
    )
    return frozenset(slug for (slug,) in rows)


def progress_rows_for_export(executor: Connection | Session, user_id: int) -> list[dict]:
    """Every progress row of a learner, for their data download."""
    rows = executor.execute(
        select(_table.c.course_slug, _table.c.chapter_slug, _table.c.started_at,
               _table.c.completed_at)
        .where(_table.c.user_id == user_id)
        .order_by(_table.c.course_slug, _table.c.started_at)
    )
    return [
        {
            "course": course, "chapter": chapter,
            "first_opened_at": started.isoformat() if started else None,
            "completed_at": completed.isoformat() if completed else None,
        }
        for course, chapter, started, completed in rows
    ]
