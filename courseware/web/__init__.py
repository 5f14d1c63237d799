"""The web layer: blueprints that ask the domain layer and render templates."""

from __future__ import annotations

from flask import Flask

from ..accounts import load_identity
from ..db import request_connection
from ..extensions import limiter, login_manager
from . import (
    account,
    admin,
    attribution,
    auth,
    certificate_support,
    certificates,
    errors,
    invitations,
    learn,
    main,
    pages,
    tracking,
)
from .fast_paths import CachedCookieSessionInterface, DefaultHeaders
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
    for module in (main, auth, account, learn, certificates, pages, tracking, invitations):
        app.register_blueprint(module.bp)
    admin.init_app(app)
    attribution.init_app(app)
    certificate_support.init_app(app)
    errors.init_app(app)
    app.context_processor(template_globals)
    app.jinja_env.filters["fingerprint"] = _grouped_hex
    app.session_interface = CachedCookieSessionInterface()
    app.wsgi_app = DefaultHeaders(app.wsgi_app, SECURITY_HEADERS)  # type: ignore[method-assign]

    # Limits are declared per view (the decorators check them); without default
    # limits the global before_request hook only costs time on every page.
    hooks = app.before_request_funcs.get(None, [])
    if limiter._check_request_limit in hooks:  # absent when rate limiting is disabled
        hooks.remove(limiter._check_request_limit)

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    # Sessions are signed and invalidated on password change; "basic" protection
    # would hash the user agent on every request for a "fresh login" we never use.
    login_manager.session_protection = None

    @login_manager.user_loader
    def _load_user(session_id: str):  # type: ignore[no-untyped-def]
        return load_identity(request_connection(), session_id)


def _grouped_hex(digest: str) -> str:
    """`ab12cd…` -> `AB:12:CD…`, the way certificate tools show fingerprints."""
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2)).upper()
