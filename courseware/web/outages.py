"""The database briefly unreachable, or the disk full: a clear 503 page, never a trace.

Nothing is half-saved: the request's transaction is rolled back (or was never
committed), so what was saved before stays as it was. Pages that need no
database (a visitor reading a chapter) keep working during the outage, and the
connection pools reconnect by themselves when the database is back
(`pool_pre_ping`, and HotQuery's reconnect-and-retry).
"""

from __future__ import annotations

import sqlite3

import psycopg
from flask import Flask, Response, g
from flask_babel import gettext as _
from sqlalchemy.exc import InterfaceError, OperationalError

from ..extensions import login_manager
from .errors import render_error

# Errors that mean "the database cannot be used right now" (down, unreachable,
# locked for too long, out of space), wrapped by SQLAlchemy or raw from
# HotQuery's direct cursor. Integrity and programming errors stay 500s.
UNAVAILABLE = (OperationalError, InterfaceError, sqlite3.OperationalError,
               psycopg.OperationalError, psycopg.InterfaceError)
RETRY_AFTER_SECONDS = 10


def _is_disk_full(error: BaseException) -> bool:
    text = str(getattr(error, "orig", None) or error).lower()
    return "disk is full" in text or "no space left" in text


def _unavailable(error: BaseException) -> tuple[str | Response, int]:
    for key in ("db_session", "db_read_session"):
        session = g.pop(key, None)
        if session is not None:
            try:
                session.rollback()
                session.close()
            except Exception:  # noqa: BLE001, S110 - the connection is gone already
                pass
    g.pop("db_connection", None)
    # The page layout asks who is signed in, which needs the database: show the
    # outage page as to a visitor instead.
    g._login_user = login_manager.anonymous_user()
    if _is_disk_full(error):
        message = _("The server has run out of storage space, so this was not saved. What you "
                    "saved before is safe. Please try again later.")
    else:
        message = _("The service is briefly unavailable. Nothing you saved is lost; please try "
                    "again in a few seconds.")
    body, code = render_error(503, message)
    response = body if isinstance(body, Response) else Response(body, status=code, mimetype="text/html")
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response, 503


def init_app(app: Flask) -> None:
    def _handle(error: Exception) -> tuple[str | Response, int]:
        # One line, no traceback: an outage would otherwise flood the log.
        app.logger.warning("database unavailable: %s", type(getattr(error, "orig", error)).__name__)
        return _unavailable(error)

    for error_type in UNAVAILABLE:
        app.register_error_handler(error_type, _handle)
