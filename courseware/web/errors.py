"""Every error is a page with a clear message in the learner's language, never a trace."""

from __future__ import annotations

from flask import Flask, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


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


def render_error(code: int, detail: str | None = None) -> tuple[str, int]:
    title, message = _messages().get(code, (_("Error"), _("Something went wrong.")))
    return render_template("error.html", code=code, title=title,
                           message=detail or message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> tuple[str, int]:
        return render_error(400, _("The form had expired or was sent from elsewhere. "
                                   "Please go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
        return render_error(error.code or 500)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        # Roll back so a failed write leaves nothing half-done in the session.
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()
            session.close()
        app.logger.exception("Unhandled error on %s %s", request.method, request.path,
                             exc_info=error)
        return render_error(InternalServerError.code)
