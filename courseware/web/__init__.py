"""The web layer: blueprints that ask the domain layer and render templates."""

from __future__ import annotations

from flask import Flask, Response

from ..accounts import load_identity
from ..db import get_engine
from ..extensions import login_manager
from . import account, auth, certificate_support, certificates, errors, learn, main
from .views import template_globals

# No third party, no inline script: everything comes from this site.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def init_app(app: Flask) -> None:
    for module in (main, auth, account, learn, certificates):
        app.register_blueprint(module.bp)
    certificate_support.init_app(app)
    errors.init_app(app)
    app.context_processor(template_globals)
    app.jinja_env.filters["fingerprint"] = _grouped_hex
    app.after_request(_security_headers)

    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page explains itself
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load_user(session_id: str):  # type: ignore[no-untyped-def]
        with get_engine().connect() as connection:
            return load_identity(connection, session_id)


def _grouped_hex(digest: str) -> str:
    """`ab12cd…` -> `AB:12:CD…`, the way certificate tools show fingerprints."""
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2)).upper()


def _security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "interest-cohort=()")
    return response
