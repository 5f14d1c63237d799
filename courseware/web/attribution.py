"""Remembering a visitor's first touch until they sign up: a first-party cookie.

The cookie holds only which organisation and link (signed, so it cannot be
forged into another organisation's figures), never who the visitor is; the server
stores nothing per visitor. It is SameSite=Lax, HttpOnly, Secure when cookies
are, and lives ATTRIBUTION_DAYS (at most 13 months, as the CNIL requires for
its audience-measurement exemption). Sign-up deletes it.

UTM-tagged visits: `?utm_source=…&utm_campaign=…` on any page is checked by a
before_request hook that costs one substring test on the query string when
those tags are absent, so the chapter page's hot path does not change. A
matching visit counts one click (it is an arrival through the partner's
campaign, like /go/), is remembered like a /go/ click, and is redirected to the
same address without its utm_* tags, so a reload, bookmark or copied address
does not count again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlencode

from flask import Flask, Response, after_this_request, current_app, g, redirect, request
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..db import request_connection
from ..organisations.attribution import SOURCES, Attribution, count_click
from ..organisations.directory import link_by_utm
from .views import safe_next_url

COOKIE_NAME = "courseware_attribution"
_SALT = "attribution"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def max_age_seconds() -> int:
    return int(current_app.config["ATTRIBUTION_DAYS"]) * 24 * 3600


def remembered_attribution() -> Attribution | None:
    """The attribution this browser carries, if any (signed and not expired)."""
    pending = g.get("attribution_pending")
    if pending is not None:
        return pending
    raw = request.cookies.get(COOKIE_NAME)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=max_age_seconds())
        organisation_id, link_id, source = data["o"], data["l"], data["s"]
    except (BadSignature, KeyError, TypeError):
        return None
    if not isinstance(organisation_id, int) or not (link_id is None or isinstance(link_id, int)) \
            or source not in SOURCES:
        return None
    return Attribution(organisation_id, link_id, source)


def remember_attribution(organisation_id: int, link_id: int | None, source: str) -> None:
    """Remember where this visitor came from, unless something is remembered
    already (first touch wins) or they have an account (they signed up before)."""
    if source not in SOURCES:
        raise ValueError(f"unknown attribution source {source!r}")
    if current_user.is_authenticated or remembered_attribution() is not None:
        return
    g.attribution_pending = Attribution(organisation_id, link_id, source)
    value = _serializer().dumps({"o": organisation_id, "l": link_id, "s": source})

    @after_this_request
    def _set_cookie(response: Response) -> Response:
        response.set_cookie(COOKIE_NAME, value, max_age=max_age_seconds(),
                            secure=bool(current_app.config["SECURE_COOKIES"]), httponly=True,
                            samesite="Lax")
        return response


def forget_attribution(response: Response) -> Response:
    """Delete the cookie (at sign-up: the account now holds the attribution, or
    the learner removed it)."""
    response.delete_cookie(COOKIE_NAME, secure=bool(current_app.config["SECURE_COOKIES"]),
                           httponly=True, samesite="Lax")
    return response


def _utm_visit() -> Response | None:
    # The whole cost for every other request: one substring test on raw bytes.
    if b"utm_campaign=" not in request.query_string or request.method != "GET":
        return None
    source = request.args.get("utm_source", "")
    campaign = request.args.get("utm_campaign", "")
    # Only pages that exist: the redirect below must never be built from an unknown
    # path (`//elsewhere.example/` would leave the site).
    if request.url_rule is None or request.endpoint == "static" or not source or not campaign \
            or len(source) > 100 or len(campaign) > 100:
        return None
    link = link_by_utm(request_connection(), source, campaign)
    if link is None:
        return None  # someone else's campaign tags: leave the visit alone
    count_click(request_connection(), link, datetime.now(UTC).date())
    remember_attribution(link.organisation_id, link.id, "utm")
    kept = [(key, value) for key, value in request.args.items(multi=True)
            if not key.startswith("utm_")]
    target = safe_next_url(request.path, "/") + ("?" + urlencode(kept) if kept else "")
    response = redirect(target)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_utm_visit)
