"""Admin area, the audit log: who did what and when, newest first."""

from __future__ import annotations

from flask import render_template, request

from ...db import request_connection
from ...organisations.audit import ACTIONS, count_actions, recent_actions
from .blueprints import admin_bp, admin_required
from .paging import PER_PAGE, Pager, requested_page


@admin_bp.get("/audit")
@admin_required
def audit() -> str:
    action = request.args.get("action", "")
    if action not in ACTIONS:
        action = ""
    connection = request_connection()
    pager = Pager(requested_page(), count_actions(connection, action=action or None))
    rows = recent_actions(connection, limit=PER_PAGE, offset=pager.offset, action=action or None)
    return render_template("admin/audit.html", rows=rows, pager=pager, action=action,
                           actions=ACTIONS)
