"""Reading a course: course page, chapter pages, completion and course files.

The chapter page is the hottest path of the site. It reads progress with one
Core query, writes only on a learner's first visit, and splices the chapter's
pre-rendered, pre-encoded HTML into the page instead of passing it through
Jinja on every request.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from ..certificates import find_current_certificate
from ..db import get_engine, get_session
from ..progress import ChapterState, course_progress, record_chapter_completed, record_chapter_opened
from .forms import EmptyForm
from .views import course_or_404

bp = Blueprint("learn", __name__, url_prefix="/courses")

# Files a course folder may serve; Markdown sources and YAML stay private.
ASSET_TYPES = {".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".pdf", ".mp3",
               ".mp4", ".webm", ".vtt", ".csv", ".txt", ".zip"}
_BODY_MARKER = "\x00chapter-body\x00"


@bp.get("/<course_slug>/")
def course(course_slug: str) -> str:
    course = course_or_404(course_slug)
    with get_engine().connect() as connection:
        progress = course_progress(connection, _user_id(), course)
    certificate = None
    if progress.is_complete:
        certificate = find_current_certificate(get_session(), current_user.id, course.slug)
    return render_template("learn/course.html", course=course, progress=progress,
                           certificate=certificate)


@bp.get("/<course_slug>/<chapter_slug>/")
def chapter(course_slug: str, chapter_slug: str) -> Response:
    course = course_or_404(course_slug)
    chapter = course.chapter(chapter_slug)
    if chapter is None:
        abort(404)
    user_id = _user_id()
    with get_engine().connect() as connection:
        progress = course_progress(connection, user_id, course)
        if user_id is not None and progress.state(chapter.slug) is ChapterState.NOT_STARTED:
            connection.commit()  # end the read: the write starts its own transaction
            record_chapter_opened(connection, user_id, course.slug, chapter.slug)
            connection.commit()
            progress.states[chapter.slug] = ChapterState.STARTED
    previous, following = course.neighbours(chapter)
    page = render_template("learn/chapter.html", course=course, chapter=chapter,
                           progress=progress, previous=previous, following=following,
                           form=EmptyForm(), chapter_body=Markup(_BODY_MARKER))  # noqa: S704 - a constant
    head, tail = page.split(_BODY_MARKER, 1)
    return Response(b"".join((head.encode(), chapter.html_bytes, tail.encode())),
                    mimetype="text/html")


@bp.post("/<course_slug>/<chapter_slug>/complete")
def complete(course_slug: str, chapter_slug: str) -> Response:
    course = course_or_404(course_slug)
    chapter = course.chapter(chapter_slug)
    if chapter is None:
        abort(404)
    chapter_url = url_for("learn.chapter", course_slug=course.slug, chapter_slug=chapter.slug)
    user_id = _user_id()
    if user_id is None:
        flash(_("Create an account or log in to save your progress."))
        return redirect(url_for("auth.signup", next=chapter_url))
    EmptyForm().validate_on_submit()  # CSRFProtect has already checked the token
    with get_engine().begin() as connection:
        record_chapter_completed(connection, user_id, course.slug, chapter.slug)
        progress = course_progress(connection, user_id, course)
    if progress.is_complete:
        flash(_("Congratulations, you have completed every chapter of this course!"))
        return redirect(url_for("learn.course", course_slug=course.slug))
    flash(_("Chapter “%(title)s” marked as complete.", title=chapter.title))
    _previous, following = course.neighbours(chapter)
    target = following.slug if following else progress.next_chapter_slug
    return redirect(url_for("learn.chapter", course_slug=course.slug, chapter_slug=target))


@bp.get("/<course_slug>/assets/<path:asset>")
def asset(course_slug: str, asset: str) -> Response:
    course = course_or_404(course_slug)
    name = asset.rsplit("/", 1)[-1]
    if name.startswith(".") or "." not in name or "." + name.rsplit(".", 1)[-1].lower() not in ASSET_TYPES:
        abort(404)
    # send_from_directory refuses any path that escapes the course folder.
    return send_from_directory(course.folder, asset, max_age=3600)


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None
