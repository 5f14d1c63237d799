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


# The longest DNS name (253) with a port.
MAX_HOST_LENGTH = 259


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


def served_language(course: Course) -> str:
    """The language `course`'s page is served in, recorded with the learner's events for
    the instructor dashboard. Today the interface language; the one place to change
    when course translations decide it (then the served course's own language)."""
    return str(get_locale())


def template_globals() -> dict[str, object]:
    return {"current_locale": str(get_locale()), "languages": LANGUAGES}
