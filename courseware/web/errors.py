"""Every error is a page with a clear message in the learner's language, never a trace.

The handlers themselves must never fail: a request can be broken in ways that
also break the page template (an untrusted or malformed Host header leaves
Flask without a URL adapter, so `url_for` in the layout raises). Then a plain
page, built without templates or URL building, is sent instead.
"""

from __future__ import annotations

from html import escape

from flask import Flask, Response, current_app, g, render_template, request
from flask.globals import request_ctx
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

# Used when even the translations cannot be reached.
_FALLBACK = ("Error", "Something went wrong.")


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Access denied"), _("You are not allowed to see this page.")),
        404: (_("Page not found"),
              _("This page does not exist. Check the address, or go back to the courses.")),
        405: (_("Method not allowed"), _("This page cannot be used that way.")),
        413: (_("Too large"), _("What you sent is too large.")),
        429: (_("Too many attempts"),
              _("Too many attempts in a short time. Please wait a minute and try again.")),
        503: (_("Service unavailable"),
              _("The service is briefly unavailable. Please try again in a few seconds.")),
        500: (_("Something went wrong"),
              _("An unexpected error happened on our side. Your progress is safe; please try again.")),
    }


def render_error(code: int, detail: str | None = None) -> tuple[str | Response, int]:
    try:
        title, message = _messages().get(code, (_("Error"), _("Something went wrong.")))
    except Exception:  # the error page must come out whatever broke
        title, message = _FALLBACK
    message = detail or message
    context = request_ctx._get_current_object() if request_ctx else None
    if context is None or context.url_adapter is None:
        # No URL can be built for this request (bad Host): the layout would fail.
        return plain_error_page(code, title, message), code
    try:
        return render_template("error.html", code=code, title=title, message=message), code
    except Exception:
        current_app.logger.warning("Error page template failed for %s; sent the plain page",
                                   code, exc_info=True)
        return plain_error_page(code, title, message), code


def plain_error_page(code: int, title: str, message: str) -> Response:
    """The error page without templates, URL building or the request's host."""
    try:
        locale, heading, back = str(get_locale() or "en"), _("Error %(code)s", code=code), \
            _("Back to the courses")
    except Exception:
        locale, heading, back = "en", f"Error {code}", "Back to the courses"
    body = (f'<!doctype html>\n<html lang="{escape(locale)}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title></head>\n<body><main><p>{escape(heading)}</p>"
            f"<h1>{escape(title)}</h1><p>{escape(message)}</p>"
            f'<p><a href="/">{escape(back)}</a></p></main></body></html>\n')
    return Response(body, status=code, mimetype="text/html")


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str | Response, int]:
        return render_error(400, _("The form had expired or was sent from elsewhere. "
                                   "Please go back, reload the page and try again."))

    @app.errorhandler(SecurityError)
    def _untrusted_host(_error: SecurityError) -> tuple[str | Response, int]:
        # Raised for a Host header the site does not answer to (TRUSTED_HOSTS).
        return render_error(400, _("This site does not answer to this address. "
                                   "Check the address you typed."))

    @app.errorhandler(RateLimitExceeded)
    def _too_many(error: RateLimitExceeded) -> tuple[str | Response, int]:
        # A limit with its own message (certificates) explains itself.
        custom = error.limit.error_message if error.limit is not None else None
        return render_error(429, error.description if custom else None)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str | Response, int]:
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str | Response, int]:
        # Roll back so a failed write leaves nothing half-done in the session.
        try:
            session = g.pop("db_session", None)
            if session is not None:
                session.rollback()
                session.close()
        except Exception:  # a dead database must not hide the first error
            app.logger.warning("Rollback after an error failed", exc_info=True)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path,
                             exc_info=error)
        return render_error(InternalServerError.code)
