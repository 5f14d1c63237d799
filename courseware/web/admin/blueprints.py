"""The two blueprints of the admin and organisation areas, and their guard."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, abort
from flask_login import current_user, login_required

from ...organisations import access

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
organisation_bp = Blueprint("organisation", __name__, url_prefix="/organisations")


def admin_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Visitors go to log in; signed-in users without the admin role get a 403 page."""

    @wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not access.can_administer(current_user):
            abort(403)
        return view(*args, **kwargs)

    return guarded
