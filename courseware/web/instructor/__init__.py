"""The instructor dashboard (/instructor, instructors and admins): where learners struggle.

Thin views over courseware.analytics: the figures come from `course_dashboard`
(counters only), the decision from `organisations.access.can_view_content_analytics`.
tests/web/test_role_matrix.py checks every route for every role.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ...analytics.csv_export import dashboard_csv
from ...analytics.dashboard import CourseDashboard, course_dashboard
from ...content import Course
from ...db import request_connection
from ...i18n import LANGUAGES
from ...organisations import access
from ...reports import default_period
from ...reports.charts import Bar, bar_chart_svg
from ...reports.wording import wording
from ..errors import render_error
from ..forms import AnalyticsFilterForm
from ..views import course_or_404, library
from .formatting import about_duration, percent

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


def staff_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Visitors go to log in; signed-in users who are neither instructor nor admin get a 403."""

    @wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not access.can_view_content_analytics(current_user):
            abort(403)
        return view(*args, **kwargs)

    return guarded


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


def _filters() -> tuple[AnalyticsFilterForm, bool]:
    """The filter form read from the query string, defaults filled in; False when invalid."""
    form = AnalyticsFilterForm(request.args)
    form.language.choices = [("", _("All languages")), *LANGUAGES.items()]
    valid = form.validate() if request.args else True
    if valid:
        first, last = default_period(datetime.now(UTC).date())
        # A date left empty shows the one used (raw_data None), not an empty box.
        if form.start.data is None:
            form.start.data, form.start.raw_data = first, None
        if form.end.data is None:
            form.end.data, form.end.raw_data = max(last, form.start.data), None
    return form, valid


def _dashboard(course: Course, form: AnalyticsFilterForm) -> CourseDashboard:
    return course_dashboard(request_connection(), course, form.start.data, form.end.data,
                            form.language.data or None)


def _query(form: AnalyticsFilterForm) -> dict[str, str]:
    return {"start": form.start.data.isoformat(), "end": form.end.data.isoformat(),
            "language": form.language.data or ""}


def _label(text: str, limit: int = 27) -> str:
    """Short enough for the chart's label column (the full titles are in the table)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _charts(dashboard: CourseDashboard) -> dict[str, Markup]:
    words = wording(str(get_locale()))
    chapters = [Bar(_label(f"{row.position}. {row.title}"), (row.opened, row.completed))
                for row in dashboard.chapters]
    # Hardest first: the questions that confuse learners are at the top of the chart.
    answered = sorted((question for question in dashboard.questions if question.first_attempts),
                      key=lambda question: question.right_share or 0)
    # The question's own words tell which one it is at a glance (the table has them whole).
    questions = [Bar(_("Ch. %(chapter)s Q%(n)s: %(question)s", chapter=q.chapter_position,
                       n=q.number, question=Markup(q.html).striptags()),  # noqa: S704
                     # Per mille: the bar's figure is then written as the table writes it
                     # (0.575 is 58 % in both; a percent rounded first drew 57 %).
                     (round(1000 * (q.right_share or 0)),)) for q in answered]
    # Every text in the SVG is escaped where it is drawn (reports/charts.py).
    return {
        "chapters": Markup(bar_chart_svg(  # noqa: S704
            _("Learners per chapter"), chapters, series=(words.opened, words.completed),
            wording=words)),
        "questions": Markup(bar_chart_svg(  # noqa: S704
            _("Right at the first attempt, per question, hardest first"), questions,
            value_text=lambda value: percent(int(value) / 1000))) if questions else Markup(""),
    }


@bp.get("/")
@staff_required
def index() -> str:
    """The courses an instructor can look at."""
    return render_template("instructor/index.html", courses=library().courses)


@bp.get("/<course_slug>/")
@staff_required
def dashboard(course_slug: str) -> tuple[str, int]:
    course = course_or_404(course_slug)
    form, valid = _filters()
    if not valid:
        return render_template("instructor/dashboard.html", course=course, form=form,
                               dashboard=None), 400
    dashboard = _dashboard(course, form)
    return render_template(
        "instructor/dashboard.html", course=course, form=form, dashboard=dashboard,
        charts=_charts(dashboard), words=wording(str(get_locale())), about_duration=about_duration,
        percent=percent, language_name=LANGUAGES.get(dashboard.language or "", ""),
        csv_url=url_for("instructor.dashboard_csv_download", course_slug=course.slug, **_query(form)),
    ), 200


@bp.get("/<course_slug>/analytics.csv")
@staff_required
def dashboard_csv_download(course_slug: str) -> Response | tuple[str | Response, int]:
    course = course_or_404(course_slug)
    form, valid = _filters()
    if not valid:
        errors = [error for field in form for error in field.errors]
        return render_error(400, " ".join(str(error) for error in errors))
    dashboard = _dashboard(course, form)
    response = Response(dashboard_csv(dashboard, str(get_locale())), mimetype="text/csv")
    name = f"{course.slug}-analytics-{dashboard.start}-{dashboard.end}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
