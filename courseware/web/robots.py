"""`/robots.txt`: search engines index the course, not the private or secret pages.

Certificate pages stay crawlable on purpose: they carry `noindex` themselves,
which a crawler only sees if it may fetch them, and the PNG preview must stay
open to the crawlers that build LinkedIn and Mastodon link cards. The PDFs
hold a learner's name and are not for search results.
"""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("robots", __name__)

DISALLOWED = (
    "/account/", "/admin/", "/organisations/", "/instructor/", "/password/", "/signup/confirm/",
    "/invitations/",
    "/go/", "/language", "/logout", "/metrics", "/courses/*/certificate",
    "/courses/*/*/quiz/", "/certificates/*.pdf$",
)
ROBOTS_TXT = "User-agent: *\n" + "".join(f"Disallow: {path}\n" for path in DISALLOWED)


@bp.get("/robots.txt")
def robots_txt() -> Response:
    response = Response(ROBOTS_TXT, mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = 24 * 3600
    return response
