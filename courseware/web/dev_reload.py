"""`courseware serve --dev`: content reloaded on save, its problems shown in the browser.

Only installed when the app is built with DEV_CONTENT_RELOAD (the `--dev` flag);
the production server loads content once and refuses to start on broken content.
The reload itself is domain work (`content/live.py`); this module swaps the
library the views read, drops the pages rendered from the old one, and while
the content is broken answers every page with the list of problems.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, render_template, request

from ..content.live import ContentState, LiveContent
from ..content.translations import library_warnings
from .chapter_fast_path import PAGES_KEY
from .visitor_pages import VISITOR_PAGES_KEY

LIVE_KEY = "courseware.live_content"
_GENERATION_KEY = "courseware.live_generation"
# Rendered chapter pages (learn.py) hold the old HTML: dropped on every reload.
# Pages rendered from the content (page_cache.py users): dropped at each reload.
_PAGE_CACHE_KEYS = (PAGES_KEY, VISITOR_PAGES_KEY)
# The error page needs its style sheet; nothing else gets past a broken course.
_ALWAYS_SERVED = frozenset({"static"})


def install(app: Flask, library_key: str) -> ContentState:
    """Watch the content folder and reload it before any request that follows a change."""
    live = LiveContent(Path(app.config["CONTENT_DIR"]))
    state = live.current()
    app.extensions[LIVE_KEY] = live
    app.extensions[library_key] = state.library
    app.extensions[_GENERATION_KEY] = state.generation

    @app.before_request
    def _reload_changed_content():  # type: ignore[no-untyped-def]
        if request.endpoint in _ALWAYS_SERVED:
            return None
        # Started by the first request, in the process that serves: Flask's reloader
        # also builds the app in its parent process, which never serves a page.
        live.start_watching()
        state = live.current()
        if state.generation != app.extensions[_GENERATION_KEY]:
            app.extensions[library_key] = state.library
            for key in _PAGE_CACHE_KEYS:
                app.extensions.pop(key, None)
            app.extensions[_GENERATION_KEY] = state.generation
            # Once per reload, in the terminal too: the author may be looking there.
            for problem in state.problems:
                app.logger.warning("content problem: %s", problem)
            if not state.is_broken:
                app.logger.info("content reloaded: %d course(s)", len(state.library.courses))
                for warning in library_warnings(state.library):
                    app.logger.warning("content: %s", warning)
        if state.is_broken:
            return _problems_page(state, live.folder)
        return None

    return state


def _problems_page(state: ContentState, folder: Path) -> tuple[str, int, dict[str, str]]:
    """503: the course is not available until the content is fixed (and no cache keeps it)."""
    lines = [_display(problem.path, folder) + (f":{problem.line}" if problem.line > 0 else "")
             for problem in state.problems]
    problems = list(zip(lines, (problem.message for problem in state.problems), strict=True))
    page = render_template("dev/content_errors.html", problems=problems,
                           folder=str(folder.resolve()))
    return page, 503, {"Cache-Control": "no-store"}


def _display(path: Path, folder: Path) -> str:
    """Paths relative to the content folder: short, and the same on every machine."""
    try:
        return path.resolve().relative_to(folder.resolve()).as_posix() or "."
    except ValueError:
        return str(path)
