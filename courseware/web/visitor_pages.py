"""The home and course pages of visitors, rendered once per language (see page_cache.py).

A visitor's home and course pages are the same for every visitor who reads in
the same language: only the CSRF token of their forms differs, and PageCache
fills it in. Rendering them through Jinja costs 2.5-3 ms (some thirty
translated strings, each looked up through Flask-Babel); a cached page costs
tens of µs. On a launch day most readers are visitors (benchmarks/launch_day.py).
Signed-in learners see their own progress and certificates: rendered each time.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from flask import Response
from flask_babel import get_locale
from flask_login import current_user

from .page_cache import app_page_cache
from .views import base_url, page_for_this_view_only

VISITOR_PAGES_KEY = "courseware.visitor_pages"


def visitor_page(key: Hashable, render: Callable[[Callable[[], str]], str]) -> Response | None:
    """The cached page for a visitor, or None when the view must render it
    (signed in, a message to show, or a query string such as `?lang=`)."""
    if current_user.is_authenticated or page_for_this_view_only():
        return None
    pages = app_page_cache(VISITOR_PAGES_KEY, max_pages=256)
    # The interface language and the site's address (absolute hreflang links) are in every page.
    return pages.response((key, str(get_locale()), base_url()), render)
