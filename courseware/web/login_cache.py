"""The login cache (courseware/login_cache/) in the app: one per app, on PostgreSQL.

Entries are keyed by the session cookie, so a learner's own change must come
with a new cookie: every form a signed-in learner sends (any method but GET
and HEAD) bumps a counter in their session. The page after the redirect then
reads the database, on whichever server it lands, without waiting for the
notification of the change to reach that server. The process that handled the
form also forgets the learner there and then: after a log-out, a copy of the
old cookie finds nothing in it even before the notification is heard.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, Response, current_app, g, request, session

from ..accounts import Identity
from ..db import READER_KEY
from ..login_cache import LoginCache, listener_for

CACHE_KEY = "courseware.login_cache"
# The session key that changes with each form a signed-in learner sends.
WRITES_KEY = "_w"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def init_app(app: Flask) -> None:
    engine = app.extensions[READER_KEY]
    if (not app.config.get("LOGIN_CACHE") or engine.dialect.name != "postgresql"
            or app.config.get("DEV_CONTENT_RELOAD")):
        return
    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    app.extensions[CACHE_KEY] = _AppLoginCache(conninfo)
    app.after_request(_new_cookie_after_a_form)


def login_cache(app: Flask) -> LoginCache[Identity] | None:
    """This app's cache in this process, its listener started (None: off)."""
    holder: _AppLoginCache | None = app.extensions.get(CACHE_KEY)
    return holder.in_this_process() if holder is not None else None


class _AppLoginCache:
    """A cache per process: the gunicorn master's would be copied into each worker
    at the fork with entries its listener (a thread: not copied) no longer drops."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._pid = -1
        self._cache: LoginCache[Identity] | None = None

    def in_this_process(self) -> LoginCache[Identity]:
        if self._pid != os.getpid() or self._cache is None:
            cache: LoginCache[Identity] = LoginCache()
            listener_for(self.conninfo).attach(cache)
            self._cache, self._pid = cache, os.getpid()
        return self._cache


def settle(app: Flask, timeout: float = 5.0) -> bool:
    """Wait until this process has heard every change committed so far (tests,
    and anything that changed a learner outside a request and shows it next)."""
    holder: _AppLoginCache | None = app.extensions.get(CACHE_KEY)
    if holder is None:
        return True
    holder.in_this_process()
    return listener_for(holder.conninfo).settle(timeout)


def _new_cookie_after_a_form(response: Response) -> Response:
    if request.method in SAFE_METHODS:
        return response
    user_id = g.get("signed_in_user_id")
    if user_id is not None:
        # This process forgets the learner at once (a log-out, say), without waiting for its
        # own notification: a copy of the old cookie sent next to this process finds nothing.
        cache = login_cache(current_app)
        if cache is not None:
            cache.drop_user(int(user_id))
    user: Any = g.get("_login_user")
    if user is not None and user.is_authenticated:
        session[WRITES_KEY] = (int(session.get(WRITES_KEY, 0)) + 1) % 1_000_000
    return response
