"""Reading a course: course page, chapter pages, completion and course files.

The chapter page is the hottest path of the site. It reads the learner and
their progress with two prepared Core queries on one autocommit connection,
writes only on a learner's first visit (one transaction with the funnel
counters), and serves a page rendered once per state (see page_cache.py)
instead of running Jinja on every request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from .. import metrics
from ..analytics.events import complete_chapter, open_chapter
from ..certificates import find_current_certificate
from ..content import Chapter, Course
from ..db import get_session, read_session
from ..progress import ChapterState, course_progress
from .chapter_fast_path import PAGES_KEY, chapter_page_key
from .compression import CompressedFiles
from .page_cache import PageCache, app_page_cache
from .quizzes import chapter_html_with_quizzes
from .views import base_url, course_or_404, learner_progress, page_for_this_view_only, previews_drafts
from .visitor_pages import visitor_page
from .visitor_reading import remember_completion_click, remember_opened

bp = Blueprint("learn", __name__, url_prefix="/courses")

# Files a course folder may serve; Markdown sources and YAML stay private.
ASSET_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".pdf", ".mp3",
               ".mp4", ".webm", ".vtt", ".csv", ".txt", ".zip"}
_BODY_MARKER = "\x00chapter-body\x00"


@bp.get("/<course_slug>/")
def course(course_slug: str) -> Response | str:
    course = course_or_404(course_slug)
    if previews_drafts():
        course = course.preview()  # drafts listed in their place, marked as drafts
    progress = learner_progress(course)
    # Looked up even when the course is no longer complete: a chapter added after
    # the certificate was issued does not make it any less valid.
    certificate = None
    if current_user.is_authenticated:
        certificate = find_current_certificate(read_session(), current_user.id, course.slug)

    def render(csrf_token: Callable[[], str]) -> str:
        return render_template("learn/course.html", course=course, progress=progress,
                               certificate=certificate, csrf_token=csrf_token)

    return visitor_page(("course", course.slug, course.language), render) or render(generate_csrf)


@bp.get("/<course_slug>/<chapter_slug>/")
def chapter(course_slug: str, chapter_slug: str) -> Response:
    course, chapter = _course_and_chapter_or_404(course_slug, chapter_slug, drafts=True)
    if chapter.draft:
        return _draft_chapter_page(course, chapter)
    user_id = _user_id()
    progress = learner_progress(course)
    if user_id is not None and progress.state(chapter.slug) is ChapterState.NOT_STARTED:
        # First visit only: the progress row and its funnel counters commit together
        # (the ORM session's transaction); later views write nothing.
        db = get_session()
        open_chapter(db, current_user, course, chapter.slug, datetime.now(UTC), course.language)
        db.commit()
        progress.states[chapter.slug] = ChapterState.STARTED
    elif user_id is None:
        remember_opened(course, chapter.slug)

    # Only a finished course's end box names the certificate (one query then). A read:
    # the writer session would take SQLite's write lock and queue behind every write
    # (measured: 37 % of a worker's time under benchmarks/launch_day.py).
    certificate = None
    if user_id is not None and progress.is_complete:
        certificate = find_current_certificate(read_session(), user_id, course.slug)

    def render(csrf_token: Callable[[], str]) -> str:
        previous, following = course.neighbours(chapter)
        page = render_template("learn/chapter.html", course=course, chapter=chapter,
                               progress=progress, previous=previous, following=following,
                               certificate=certificate,
                               chapter_body=Markup(_BODY_MARKER), csrf_token=csrf_token,  # noqa: S704
                               # code.css (10 KB) only where the chapter has highlighted code
                               has_code='class="highlight"' in chapter.html)
        done = progress.state(chapter.slug) is ChapterState.DONE  # in the page key too
        return page.replace(_BODY_MARKER, chapter_html_with_quizzes(course, chapter, csrf_token, done))

    if page_for_this_view_only():
        return Response(render(generate_csrf), mimetype="text/html")
    # Everything the page shows is in the key; the CSRF token is filled in per session.
    key = chapter_page_key(course, chapter, locale=str(get_locale()),
                           role=current_user.role if user_id is not None else None,
                           progress=progress, certificate_id=certificate.public_id if certificate else None,
                           base_url=base_url())
    return _pages().response(key, render)


def _draft_chapter_page(course: Course, chapter: Chapter) -> Response:
    """A draft, for an instructor or admin: in the course as it will be, recording no
    progress (it counts for nothing until published) and never cached."""
    previous, following = course.neighbours(chapter)
    progress = learner_progress(course)
    page = render_template("learn/chapter.html", course=course, chapter=chapter, progress=progress,
                           previous=previous, following=following,
                           chapter_body=Markup(_BODY_MARKER), csrf_token=generate_csrf)  # noqa: S704
    body = chapter_html_with_quizzes(course, chapter, generate_csrf)
    return Response(page.replace(_BODY_MARKER, body), mimetype="text/html")


def _pages() -> PageCache:
    return app_page_cache(PAGES_KEY)


@bp.post("/<course_slug>/<chapter_slug>/complete")
def complete(course_slug: str, chapter_slug: str) -> Response:
    course, chapter = _course_and_chapter_or_404(course_slug, chapter_slug)
    chapter_url = url_for("learn.chapter", course_slug=course.slug, chapter_slug=chapter.slug)
    if chapter.quizzes:  # completed by passing its quizzes (web/quizzes.py), not by a click
        flash(_("This chapter is completed by passing its quiz."))
        return redirect(f"{chapter_url}#quiz-1", code=303)
    user_id = _user_id()
    if user_id is None:
        remember_completion_click(course, chapter.slug)
        flash(_("Create an account or log in: this chapter will be marked as complete."))
        return redirect(url_for("auth.signup", next=chapter_url))
    # CSRFProtect has checked the token already. The completion and its funnel
    # counters are one transaction; a repeated click changes and counts nothing.
    db = get_session()
    change = complete_chapter(db, current_user, course, chapter.slug, datetime.now(UTC),
                              course.language)
    progress = course_progress(db, user_id, course)
    db.commit()
    if change.completed:
        metrics.COMPLETIONS.inc()
    if progress.is_complete:
        return redirect(url_for("learn.achievement", course_slug=course.slug))
    flash(_("Chapter “%(title)s” marked as complete.", title=chapter.title))
    _previous, following = course.neighbours(chapter)
    target = following.slug if following else progress.next_chapter_slug
    return redirect(url_for("learn.chapter", course_slug=course.slug, chapter_slug=target))


@bp.get("/<course_slug>/done")
@login_required
def achievement(course_slug: str) -> Response | str:
    """The moment the course is finished: a page of its own, so it works without JavaScript."""
    course = course_or_404(course_slug)
    progress = learner_progress(course)
    if not progress.is_complete:
        return redirect(url_for("learn.course", course_slug=course.slug))
    certificate = find_current_certificate(read_session(), current_user.id, course.slug)
    return render_template("learn/achievement.html", course=course, progress=progress,
                           certificate=certificate)


@bp.get("/<course_slug>/assets/<path:asset>")
def asset(course_slug: str, asset: str) -> Response:
    course = course_or_404(course_slug)
    name = asset.rsplit("/", 1)[-1]
    hidden = any(part.startswith(".") for part in asset.split("/"))
    if hidden or "." not in name or "." + name.rsplit(".", 1)[-1].lower() not in ASSET_TYPES:
        abort(404)
    # send_from_directory refuses "..", but follows symbolic links: refuse any path
    # that resolves outside the course folder (a link to the secret key, /etc/...).
    try:
        inside = (course.folder / asset).resolve().is_relative_to(course.folder)
    except (OSError, RuntimeError, ValueError):  # a loop of links, a NUL byte
        inside = False
    if not inside:
        abort(404)
    response = _compressed_assets().response(course.folder / asset, request)  # SVG drawings
    if response is None:
        return send_from_directory(course.folder, asset, max_age=3600)
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


def _compressed_assets() -> CompressedFiles:
    return current_app.extensions.setdefault("courseware.compressed_assets", CompressedFiles())


def _course_and_chapter_or_404(course_slug: str, chapter_slug: str,
                               drafts: bool = False) -> tuple[Course, Chapter]:
    """The chapter; with `drafts`, a draft too for instructors and admins (in the
    course's preview, where it has its place and neighbours)."""
    course = course_or_404(course_slug)
    chapter = course.chapter(chapter_slug)
    if chapter is None and drafts and previews_drafts():
        # A draft not translated yet is previewed in the course's own language.
        version = course if course.draft_chapter(chapter_slug) else course.original
        if version.draft_chapter(chapter_slug):
            course = version.preview()
            chapter = course.chapter(chapter_slug)
    if chapter is None:
        abort(404)
    return course, chapter


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None
