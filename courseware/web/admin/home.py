"""The admin area's front page: where each admin task lives."""

from __future__ import annotations

from flask import render_template

from .blueprints import admin_bp, admin_required


@admin_bp.get("/")
@admin_required
def home() -> str:
    return render_template("admin/home.html")
