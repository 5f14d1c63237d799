"""The web layer: blueprints that ask the domain layer and render templates."""

from __future__ import annotations

from flask import Flask, Response, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from ..accounts import load_identity
from ..db import request_connection
from ..extensions import limiter, login_manager
from ..sessions import SessionLifetimes
from . import (
    account,
    admin,
    attribution,
    auth,
    certificate_support,
    certificates,
    compression,
    course_theme,
    errors,
    instructor,
    invitations,
    learn,
    login_cache,
    main,
    observability,
    outages,
    pages,
    platform,
    quizzes,
    robots,
    static_files,
    tracking,
)
from .chapter_fast_path import CachedChapterPages
from .duration_filter import page_duration
from .fast_paths import CachedCookieSessionInterface, DefaultHeaders
from .typography import typographic_apostrophes
from .views import template_globals

# No third party, no inline script: everything comes from this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "interest-cohort=()"),
]


def init_app(app: Flask) -> None:
    for module in (main, auth, account, learn, quizzes, certificates, pages, tracking, invitations,
                   course_theme, robots):
        app.register_blueprint(module.bp)
    platform.init_app(app)
    admin.init_app(app)
    instructor.init_app(app)
    attribution.init_app(app)
    certificate_support.init_app(app)
    static_files.init_app(app)
    compression.init_app(app)
    errors.init_app(app)
    outages.init_app(app)
    login_cache.init_app(app)
    app.context_processor(template_globals)
    app.jinja_env.filters["fingerprint"] = _grouped_hex
    app.jinja_env.filters["typo"] = typographic_apostrophes
    app.jinja_env.filters["duration"] = page_duration
    app.session_interface = CachedCookieSessionInterface()
    # Innermost first: the chapter fast path sees the environ as ProxyFix fixed it.
    app.wsgi_app = CachedChapterPages(app, app.wsgi_app)  # type: ignore[method-assign]
    app.extensions["courseware.chapter_fast_path"] = app.wsgi_app
    if app.config.get("TRUSTED_PROXIES"):
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.wsgi_app = DefaultHeaders(app.wsgi_app, security_headers(app))  # type: ignore[method-assign]
    app.after_request(_private_pages_are_not_stored)
    observability.init_app(app)  # outermost: times and logs everything above

    # Limits are declared per view (the decorators check them); without default
    # limits the global before_request hook only costs time on every page.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when rate limiting is disabled
        hooks.remove(limiter._check_request_limit)

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    # Sessions are checked against the login_sessions table on every request;
    # "basic" protection would hash the user agent for a "fresh login" we never use.
    login_manager.session_protection = None
    lifetimes = SessionLifetimes.from_config(app.config)

    @login_manager.user_loader
    def _load_user(session_id: str):  # type: ignore[no-untyped-def]
        identity = load_identity(request_connection(), session_id, lifetimes)
        if identity is not None:
            # Who sent this request, even once a log-out has cleared the session (web/login_cache.py).
            g.signed_in_user_id = identity.id
        return identity



def security_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers of every response; HSTS once the public address is https
    (a year, this host only: sub-domains may be other services)."""
    if str(app.config.get("BASE_URL") or "").startswith("https://"):
        return [*SECURITY_HEADERS, ("Strict-Transport-Security", "max-age=31536000")]
    return SECURITY_HEADERS


# Pages whose address is a secret (a reset link): never kept by a browser or proxy.
TOKEN_ENDPOINTS = frozenset({"auth.reset_password"})


def _private_pages_are_not_stored(response: Response) -> Response:
    """`Cache-Control: no-store` on every page of a signed-in learner and every
    token page, so the back button on a shared computer or a caching proxy never
    shows them to the next person. Cheap on the hot path: it reads the learner
    Flask-Login already loaded for the view (pages that never ask, such as static
    files, are not private) and sets nothing when the view chose its own caching.
    """
    user = g.get("_login_user")  # set by Flask-Login once current_user was used
    if (user is not None and user.is_authenticated) or request.endpoint in TOKEN_ENDPOINTS:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _grouped_hex(digest: str) -> str:
    """`ab12cd…` -> `AB:12:CD…`, the way certificate tools show fingerprints."""
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2)).upper()
