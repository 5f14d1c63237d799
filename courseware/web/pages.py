"""Static pages that belong to the site itself: the accessibility statement."""

from __future__ import annotations

from flask import Blueprint, render_template

bp = Blueprint("pages", __name__)

# Tools of the automated checks reported in the statement; the browser tests
# pin the same axe-core version (tests/browser/vendor/axe.min.js).
AXE_CORE_VERSION = "4.14.1"


@bp.get("/accessibility")
def accessibility() -> str:
    return render_template("accessibility.html", axe_core_version=AXE_CORE_VERSION)
