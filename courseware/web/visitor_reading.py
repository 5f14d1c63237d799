"""What a visitor read before signing up, carried into their new account.

Nothing is stored on the server for visitors: the chapters they opened and the
"Mark as complete" click that sent them to sign up live in their own signed
session cookie, and are recorded as progress when they log in (after sign-up,
a password reset or a plain log-in). Values are plain strings, not lists, so
the session cache of fast_paths.py keeps working for visitors too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask import session
from sqlalchemy.orm import Session

from .. import metrics
from ..analytics.events import complete_chapter, open_chapter
from ..content import Course, Library
from ..reports.events import LearnerLike
from .views import in_learner_language

OPENED_KEY = "visitor_opened"
COMPLETION_KEY = "visitor_completion"
# A cookie holds ~4 KB; a whole course of chapter paths fits with room to spare.
MAX_REMEMBERED = 40


@dataclass(frozen=True)
class VisitorReading:
    """Chapters opened (``course/chapter`` paths, oldest first) and a pending completion."""

    opened: tuple[str, ...]
    completion: str | None


def remember_opened(course: Course, chapter_slug: str) -> None:
    """Note in the visitor's session that they opened a chapter (once per chapter)."""
    opened = opened_with(session.get(OPENED_KEY, ""), course.slug, chapter_slug)
    if opened is not None:
        session[OPENED_KEY] = opened


def opened_with(opened: str, course_slug: str, chapter_slug: str) -> str | None:
    """The session's OPENED_KEY value with this chapter noted; None if it is already.
    (Also used below Flask by chapter_fast_path.py, which must write what this view would.)"""
    path = f"{course_slug}/{chapter_slug}"
    paths = opened.split()
    if path in paths:
        return None
    return " ".join([*paths, path][-MAX_REMEMBERED:])


def remember_completion_click(course: Course, chapter_slug: str) -> None:
    """The visitor clicked "Mark as complete": it counts once they have an account."""
    remember_opened(course, chapter_slug)
    session[COMPLETION_KEY] = f"{course.slug}/{chapter_slug}"


def take_visitor_reading() -> VisitorReading:
    """Read (and forget) what the visitor's session remembers; call before session.clear()."""
    opened = tuple(str(session.pop(OPENED_KEY, "")).split()[:MAX_REMEMBERED])
    completion = session.pop(COMPLETION_KEY, None)
    return VisitorReading(opened, str(completion) if completion else None)


def record_visitor_reading(db: Session, learner: LearnerLike, library: Library,
                           reading: VisitorReading, now: datetime | None = None) -> None:
    """Record the visitor's openings and pending completion as the learner's progress.

    Paths naming a course or chapter that no longer exists (or never did: the
    cookie is signed, but an old one may outlive a content change) are skipped.
    Repeats change nothing, as for any opening or completion.
    """
    moment = now or datetime.now(UTC)
    for path in reading.opened:
        found = course_and_chapter(library, path)
        if found:
            open_chapter(db, learner, found[0], found[1], moment, found[0].language)
    found = course_and_chapter(library, reading.completion or "")
    if found and not found[0].chapter(found[1]).quizzes:  # quizzes complete by passing them
        if complete_chapter(db, learner, found[0], found[1], moment, found[0].language).completed:
            metrics.COMPLETIONS.inc()


def course_and_chapter(library: Library, path: str) -> tuple[Course, str] | None:
    """The course (in the learner's language) and chapter slug a `course/chapter` path
    remembered by a visitor names, or None when either no longer exists."""
    course_slug, _, chapter_slug = path.partition("/")
    course = library.course(course_slug)
    if course is not None:  # as the visitor read it, for the instructor dashboard's language
        course = in_learner_language(course)
    if course is None or course.chapter(chapter_slug) is None:
        return None
    return course, chapter_slug
