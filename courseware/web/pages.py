"""Pages that belong to the site itself: the accessibility statement and the privacy page."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from ..i18n import LANGUAGE_COOKIE
from . import attribution
from .main import LANGUAGE_COOKIE_DAYS

bp = Blueprint("pages", __name__)

# Tools of the automated checks reported in the statement; the browser tests
# pin the same axe-core version (tests/browser/vendor/axe.min.js).
AXE_CORE_VERSION = "4.14.1"


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("accessibility.html", axe_core_version=AXE_CORE_VERSION)


@bp.get("/privacy")
def privacy() -> str:
    """Generated from the configuration, so the cookie names and lifetimes it
    states are the ones the site actually sets."""
    config = current_app.config
    return render_template(
        "privacy.html",
        session_cookie=config["SESSION_COOKIE_NAME"],
        remember_cookie=config.get("REMEMBER_COOKIE_NAME", "remember_token"),
        remember_days=int(config["REMEMBER_COOKIE_DURATION"]) // (24 * 3600),
        language_cookie=LANGUAGE_COOKIE, language_days=LANGUAGE_COOKIE_DAYS,
        attribution_cookie=attribution.COOKIE_NAME,
        attribution_days=int(config["ATTRIBUTION_DAYS"]),
        contact=config.get("CONTACT_EMAIL") or config["MAIL_FROM"])
