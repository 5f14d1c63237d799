"""Helpers shared by the blueprints."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from ..content import Course, Library
from ..i18n import LANGUAGES
from ..progress import CourseProgress, progress_from_rows


def library() -> Library:
    return current_app.extensions["courseware.library"]


def course_or_404(course_slug: str) -> Course:
    course = library().course(course_slug)
    if course is None:
        abort(404)
    return course


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


def base_url() -> str:
    """The public address of the site, without a trailing slash."""
    configured = current_app.config.get("BASE_URL")
    return str(configured).rstrip("/") if configured else request.url_root.rstrip("/")


def external_url(endpoint: str, **values: object) -> str:
    return base_url() + url_for(endpoint, **values)


def template_globals() -> dict[str, object]:
    return {"current_locale": str(get_locale()), "languages": LANGUAGES}
