"""Helpers shared by the blueprints."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, request, session, url_for
from flask_babel import get_locale
from flask_login import current_user

from ..content import Course, Library
from ..i18n import LANGUAGES, content_language, language_name
from ..organisations.access import can_preview_drafts
from ..progress import ChapterState, CourseProgress, progress_from_rows


def library() -> Library:
    return current_app.extensions["courseware.library"]


def course_or_404(course_slug: str) -> Course:
    """The course as published, in the learner's language (content_language); a draft
    course is a 404 except to instructors and admins. Its `language` is the one the
    learner's events are counted in for the instructor dashboard."""
    course = library().course(course_slug)
    if course is None or not (course.is_published or previews_drafts()):
        abort(404)
    return in_learner_language(course)


def in_learner_language(course: Course) -> Course:
    return course.in_language(content_language(course.languages, course.language))


def previews_drafts() -> bool:
    """The visitor may read drafts (an instructor or admin)."""
    return current_user.is_authenticated and can_preview_drafts(current_user)


def visible_courses() -> tuple[Course, ...]:
    """The courses listed to this visitor: with drafts in place for instructors and admins."""
    courses = tuple(in_learner_language(course) for course in library().courses)
    if previews_drafts():
        return tuple(course.preview() for course in courses)
    return tuple(course for course in courses if course.is_published)


def learner_progress(course: Course) -> CourseProgress:
    """The signed-in learner's progress in a course, from the rows loaded with
    their identity (no query of its own); all "not started" for visitors."""
    rows = current_user.progress if current_user.is_authenticated else ()
    return progress_from_rows(rows, course)


def safe_next_url(target: str | None, fallback: str) -> str:
    """Only same-site paths: `next=` must never send a learner to another site."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return fallback
    return target


# The longest DNS name (253) with a port.
MAX_HOST_LENGTH = 259


def page_for_this_view_only() -> bool:
    """Whether this page must be rendered for this view and never taken from a
    page cache: it shows a message (a flash, shown once) or answers a query
    string (such as `?lang=`)."""
    return "_flashes" in session or bool(request.query_string)


def base_url() -> str:
    """The public address of the site, without a trailing slash.

    BASE_URL when set. Otherwise the request's address, which is safe only because
    TRUSTED_HOSTS (config.trusted_hosts) refused every Host header not listed in
    ALLOWED_HOSTS or loopback before the view ran.
    """
    configured = current_app.config.get("BASE_URL")
    if configured:
        return str(configured).rstrip("/")
    if len(request.host) > MAX_HOST_LENGTH:
        # A sub-domain of an allowed `.domain` can be long; links built from it
        # would overflow the stored verification URL (300 characters).
        abort(400)
    return request.host_url.rstrip("/")


def external_url(endpoint: str, **values: object) -> str:
    return base_url() + url_for(endpoint, **values)


def minutes_left(course: Course, progress: CourseProgress) -> int:
    """Reading time of the chapters not yet done: "1 h 05 min left" motivates more than a percent."""
    return sum(chapter.minutes for chapter in course.chapters
               if progress.state(chapter.slug) is not ChapterState.DONE)


def template_globals() -> dict[str, object]:
    return {"current_locale": str(get_locale()), "languages": LANGUAGES,
            "language_name": language_name,
            "platform": current_app.extensions["courseware.platform"],
            "minutes_left": minutes_left, "base_url": base_url}
