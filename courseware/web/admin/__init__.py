"""The admin area (/admin, admins only) and the organisation dashboards
(/organisations/<slug>/, that organisation's managers and admins).

One module per area registers its views on these two blueprints. Every view
asks courseware.organisations.access; tests/web/test_role_matrix.py checks every
route of both blueprints for every role.
"""

from __future__ import annotations

from flask import Flask

from . import (  # noqa: F401 - each area module registers its views
    audit,
    certificates,
    home,
    invitations,
    organisations,
    reports,
    users,
)
from .blueprints import admin_bp, organisation_bp


def init_app(app: Flask) -> None:
    app.register_blueprint(admin_bp)
    app.register_blueprint(organisation_bp)
