"""Progress events and the funnel counters they feed, in one transaction (domain, no Flask).

Each funnel step is counted once per learner, with the learner's organisation
and link at that moment:
- "opened": the first opening of a chapter (the progress row is new);
- "started": the learner's first opened chapter in a course;
- "completed": the first completion of a chapter;
- "finished": the completion that makes every chapter of the course done;
- "certified": counted by certificates/issuing.py (first certificate, never a re-issue).

Who counts is decided by the database: the rowcount of the progress write says
whether this request changed anything, so repeated clicks and two tabs count
once. "started" and "finished" also depend on the learner's other rows, so the
learner's row is locked first (SELECT ... FOR UPDATE on PostgreSQL; SQLite
write transactions are serialised by BEGIN IMMEDIATE): two tabs finishing the
last two chapters at once see each other's work and count one "finished".

The caller runs these in a transaction and commits (the counters roll back with
the progress if anything fails). A chapter added to a course after a learner
finished it makes their next completion a new "finished": content changes are
rare, and the figure then says how many finished the course as it now stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..models import User
from ..progress import (
    ChapterChange,
    chapters_opened_in_course,
    completed_chapter_slugs,
    record_chapter_completed,
    record_chapter_opened,
)
from .counters import count_event

Executor = Connection | Session


class LearnerLike(Protocol):
    """The signed-in learner (accounts.Identity fits): who, and attributed to whom."""

    id: int
    organisation_id: int | None
    link_id: int | None


class ChapterLike(Protocol):
    slug: str


class CourseLike(Protocol):
    slug: str

    @property
    def chapters(self) -> Sequence[ChapterLike]: ...


def lock_learner(executor: Executor, user_id: int) -> None:
    """Make this transaction the only one writing this learner's events until it ends."""
    # FOR UPDATE is left out on SQLite, whose writers already take turns.
    executor.execute(select(User.id).where(User.id == user_id).with_for_update())


def _count(executor: Executor, learner: LearnerLike, step: str, now: datetime,
           course_slug: str, chapter_slug: str = "") -> None:
    count_event(executor, step=step, day=now.astimezone(UTC).date(),
                organisation_id=learner.organisation_id, link_id=learner.link_id,
                course_slug=course_slug, chapter_slug=chapter_slug)


def _count_opening(executor: Executor, learner: LearnerLike, course: CourseLike,
                   chapter_slug: str, now: datetime) -> None:
    _count(executor, learner, "opened", now, course.slug, chapter_slug)
    if chapters_opened_in_course(executor, learner.id, course.slug) == 1:
        _count(executor, learner, "started", now, course.slug)


def open_chapter(executor: Executor, learner: LearnerLike, course: CourseLike,
                 chapter_slug: str, now: datetime) -> bool:
    """Record a learner's visit to a chapter; True (and counted) on the first one."""
    lock_learner(executor, learner.id)
    if not record_chapter_opened(executor, learner.id, course.slug, chapter_slug, now):
        return False
    _count_opening(executor, learner, course, chapter_slug, now)
    return True


def complete_chapter(executor: Executor, learner: LearnerLike, course: CourseLike,
                     chapter_slug: str, now: datetime) -> ChapterChange:
    """Mark a chapter done and count what this completion made happen for the first time."""
    lock_learner(executor, learner.id)
    change = record_chapter_completed(executor, learner.id, course.slug, chapter_slug, now)
    if change.opened:
        _count_opening(executor, learner, course, chapter_slug, now)
    if change.completed:
        _count(executor, learner, "completed", now, course.slug, chapter_slug)
        done = completed_chapter_slugs(executor, learner.id, course.slug)
        if course.chapters and all(chapter.slug in done for chapter in course.chapters):
            _count(executor, learner, "finished", now, course.slug)
    return change

