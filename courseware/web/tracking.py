"""`/go/<code>`: the short address printed on a partner's posters and messages.

Counts the click (one counter per link per day: no address, no identifier,
nothing stored about the visitor), remembers the organisation for sign-up
(first touch wins, see attribution.py) and lands on the link's course.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, redirect, url_for
from flask_babel import gettext as _

from ..db import request_connection
from ..organisations.attribution import count_click
from ..organisations.directory import link_by_code
from .attribution import remember_attribution
from .errors import render_error
from .views import library

bp = Blueprint("tracking", __name__)


@bp.get("/go/<code>")
def go(code: str) -> Response | tuple[str, int]:
    connection = request_connection()
    link = link_by_code(connection, code)
    if link is None:
        return render_error(404, _(
            "This link is not in use (or no longer). Check the address printed on the poster "
            "or message, or go to the courses: they are open to everyone."))
    count_click(connection, link, datetime.now(UTC).date())
    remember_attribution(link.organisation_id, link.id, "link")
    response = redirect(_landing(link.course_slug))
    # Every click must reach us to be counted: no browser or proxy may replay it.
    response.headers["Cache-Control"] = "no-store"
    return response


def _landing(course_slug: str | None) -> str:
    courses = [course for course in library().courses if course.is_published]  # no draft
    course = next((c for c in courses if c.slug == course_slug), None) or (
        courses[0] if courses else None)
    if course is None:
        return url_for("main.home")
    return url_for("learn.course", course_slug=course.slug)
