"""courseware: self-paced Markdown courses with progress and signed certificates."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from flask import Flask

from . import config as settings
from . import db, i18n
from .content import load_library
from .content.translations import library_warnings
from .extensions import csrf, limiter, login_manager
from .passwords import make_hasher

LIBRARY_KEY = "courseware.library"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: settings (defaults -> environment -> test overrides), then parts.

    Content is loaded and rendered here, once: broken content stops start-up
    with `path:line: message` lines (raised as ContentError). With
    DEV_CONTENT_RELOAD (`serve --dev`) it is reloaded on every change instead.
    """
    app = Flask(__name__)
    app.config.update(settings.settings_from_env())
    if test_config:
        app.config.update(test_config)
    settings.resolve_paths(app.config)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["SECURE_COOKIES"],
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=app.config["SECURE_COOKIES"],
        REMEMBER_COOKIE_DURATION=app.config["REMEMBER_ME_MAX_AGE"],
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        RATELIMIT_STORAGE_URI=app.config["RATELIMIT_STORAGE_URI"],
        RATELIMIT_ENABLED=app.config.get("RATELIMIT_ENABLED", True),
        BABEL_TRANSLATION_DIRECTORIES="translations",
        BABEL_DEFAULT_LOCALE=app.config["DEFAULT_LOCALE"],
    )
    logging.basicConfig(level=logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration is noise

    if app.config.get("DEV_CONTENT_RELOAD"):  # `serve --dev`: broken content shows in the browser
        from .web.dev_reload import install as install_content_reload

        install_content_reload(app, LIBRARY_KEY)
    else:
        app.extensions[LIBRARY_KEY] = load_library(app.config["CONTENT_DIR"])
        # Stale or incomplete translations are served (or held back) but not refused:
        # say so where the operator looks, as `content check` does.
        for warning in library_warnings(app.extensions[LIBRARY_KEY]):
            app.logger.warning("content: %s", warning)
    app.extensions["courseware.hasher"] = make_hasher(fast=app.config.get("FAST_PASSWORD_HASH", False))

    db.init_app(app)
    i18n.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from .web import init_app as init_web

    init_web(app)
    return app
