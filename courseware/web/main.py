"""Home page, health check and language choice."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import generate_csrf

from ..db import database_status, get_engine
from ..i18n import LANGUAGE_COOKIE, LANGUAGES
from .certificates import current_certificates_by_course
from .views import learner_progress, library, safe_next_url, visible_courses
from .visitor_pages import visitor_page

bp = Blueprint("main", __name__)

# How long the language choice is remembered (stated on the privacy page).
LANGUAGE_COOKIE_DAYS = 365


@bp.get("/")
def home() -> Response | str:
    courses = visible_courses()
    progress = {course.slug: learner_progress(course) for course in courses}

    def render(csrf_token: Callable[[], str]) -> str:
        return render_template("home.html", courses=courses, progress=progress,
                               certificates=current_certificates_by_course(), csrf_token=csrf_token)

    key = ("home", tuple((course.slug, course.language) for course in courses))
    return visitor_page(key, render) or render(generate_csrf)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    status = database_status(get_engine())
    body = {"status": "ok" if status["ok"] else "error", "database": status,
            "courses": len(library().courses)}
    return jsonify(body), 200 if status["ok"] else 503


@bp.post("/language")
def set_language() -> Response:
    language = request.form.get("language", "")
    response = redirect(safe_next_url(request.form.get("next"), url_for("main.home")))
    course_languages = {code for course in library().courses for code in course.languages}
    if language in LANGUAGES or language in course_languages:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
                            samesite="Lax", httponly=True,
                            secure=current_app.config["SECURE_COOKIES"])
    return response
