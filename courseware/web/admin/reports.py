"""Report dashboards: an organisation's (/organisations/<slug>/, its managers and admins),
the list of one's organisations (/organisations/) and the platform report
(/admin/reports, admins only), with CSV and PDF downloads of the same figures.

Thin views: the figures come from courseware.reports, the decisions from
courseware.organisations.access. What a manager sees, downloads or prints has
counts from 1 to 4 shown as "<5"; admins see exact figures.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from flask import Response, abort, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from ...content import Course
from ...db import get_session
from ...organisations import access
from ...organisations.models import Organisation
from ...reports import (
    OrganisationReport,
    PlatformReport,
    default_period,
    organisation_report,
    platform_report,
    suppress_small_counts,
)
from ...reports.charts import chapters_chart, funnel_chart, week_label, weeks_chart
from ...reports.csv_export import report_csv
from ...reports.learners import consenting_learners
from ...reports.pdf import report_pdf
from ...reports.wording import wording
from ..forms import ReportPeriodForm
from ..views import library
from .blueprints import admin_bp, admin_required, organisation_bp


def _managed() -> frozenset[int]:
    return access.managed_organisation_ids(get_session(), current_user.id)


def _period_form() -> tuple[ReportPeriodForm, date, date, Course, bool]:
    """The range and course asked for in the query string, else the current period and
    the first course. The last value is False when the form has errors (then 400)."""
    courses = library().courses
    if not courses:
        abort(404)
    form = ReportPeriodForm(request.args)
    form.course.choices = [(course.slug, course.title) for course in courses]
    first, last = default_period(datetime.now(UTC).date())
    valid = form.validate() if request.args else True
    if not valid:
        return form, first, last, courses[0], False
    start = form.start.data or first
    end = form.end.data or max(last, start)
    course = library().course(form.course.data or "") or courses[0]
    form.start.data, form.end.data, form.course.data = start, end, course.slug
    return form, start, end, course, True


def _query(start: date, end: date, course: Course) -> dict[str, str]:
    return {"start": start.isoformat(), "end": end.isoformat(), "course": course.slug}


def _charts(report: OrganisationReport | PlatformReport) -> dict[str, Markup]:
    words = wording(str(get_locale()))
    # Every text in the SVG is escaped where it is drawn (charts.py).
    charts = {"funnel": Markup(funnel_chart(report, words)),  # noqa: S704
              "chapters": Markup(chapters_chart(report, words))}  # noqa: S704
    if isinstance(report, PlatformReport):
        charts["weeks"] = Markup(weeks_chart(report, words))  # noqa: S704
    return charts


def _organisation_or_404(slug: str) -> Organisation:
    organisation = get_session().scalars(
        select(Organisation).where(Organisation.slug == slug)).one_or_none()
    if organisation is None:
        abort(404)
    if not access.can_view_organisation(current_user, organisation.id, _managed()):
        abort(403)
    return organisation


def _organisation_report(organisation: Organisation, start: date, end: date,
                         course: Course) -> OrganisationReport:
    report = organisation_report(get_session(), organisation.id, start, end, course)
    return report if access.sees_exact_counts(current_user) else suppress_small_counts(report)


def _download(body: bytes, mimetype: str, name: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@organisation_bp.get("/")
@login_required
def index() -> str:
    """The organisations the user manages (every organisation for an admin)."""
    managed = _managed()
    if not access.can_list_organisations(current_user, managed):
        abort(403)
    statement = select(Organisation).order_by(Organisation.name)
    if not access.is_admin(current_user):
        statement = statement.where(Organisation.id.in_(managed))
    organisations = get_session().scalars(statement).all()
    return render_template("admin/organisations.html", organisations=organisations)


@organisation_bp.get("/<slug>/")
@login_required
def dashboard(slug: str) -> tuple[str, int]:
    organisation = _organisation_or_404(slug)
    form, start, end, course, valid = _period_form()
    report = _organisation_report(organisation, start, end, course)
    # Individual rows: only of learners who agreed, only to those allowed to see them.
    page = request.args.get("page", 1, type=int) or 1
    candidates = consenting_learners(get_session(), organisation.id, course, page=page)
    managed = _managed()
    visible = tuple(
        learner for learner in candidates.learners
        if access.can_view_individual_progress(current_user, organisation.id, managed,
                                               learner.organisation_id, learner.shares_progress))
    learners = replace(candidates, learners=visible)
    query = _query(start, end, course)
    return render_template(
        "admin/organisation_report.html", organisation=organisation, report=report, form=form,
        words=wording(str(get_locale())), charts=_charts(report), learners=learners,
        query=query, week_label=week_label,
        csv_url=url_for("organisation.report_csv_download", slug=slug, **query),
        pdf_url=url_for("organisation.report_pdf_download", slug=slug, **query),
    ), 200 if valid else 400


@organisation_bp.get("/<slug>/report.csv")
@login_required
def report_csv_download(slug: str) -> Response:
    organisation = _organisation_or_404(slug)
    _form, start, end, course, valid = _period_form()
    if not valid:
        abort(400)
    report = _organisation_report(organisation, start, end, course)
    return _download(report_csv(report, str(get_locale())), "text/csv",
                     f"{organisation.slug}-{start}-{end}.csv")


@organisation_bp.get("/<slug>/report.pdf")
@login_required
def report_pdf_download(slug: str) -> Response:
    organisation = _organisation_or_404(slug)
    _form, start, end, course, valid = _period_form()
    if not valid:
        abort(400)
    report = _organisation_report(organisation, start, end, course)
    return _download(report_pdf(report, organisation, str(get_locale())), "application/pdf",
                     f"{organisation.slug}-{start}-{end}.pdf")


def _platform_report() -> tuple[ReportPeriodForm, PlatformReport, dict[str, str], bool]:
    if not access.can_view_platform_report(current_user):
        abort(403)
    form, start, end, course, valid = _period_form()
    return form, platform_report(get_session(), start, end, course), _query(start, end, course), \
        valid


@admin_bp.get("/reports")
@admin_required
def reports() -> tuple[str, int]:
    form, report, query, valid = _platform_report()
    return render_template(
        "admin/platform_report.html", report=report, form=form, words=wording(str(get_locale())),
        charts=_charts(report), week_label=week_label, query=query,
        csv_url=url_for("admin.reports_csv", **query), pdf_url=url_for("admin.reports_pdf", **query),
    ), 200 if valid else 400


@admin_bp.get("/reports.csv")
@admin_required
def reports_csv() -> Response:
    _form, report, _query_args, valid = _platform_report()
    if not valid:
        abort(400)
    return _download(report_csv(report, str(get_locale())), "text/csv",
                     f"platform-{report.start}-{report.end}.csv")


@admin_bp.get("/reports.pdf")
@admin_required
def reports_pdf() -> Response:
    _form, report, _query_args, valid = _platform_report()
    if not valid:
        abort(400)
    return _download(report_pdf(report, None, str(get_locale())), "application/pdf",
                     f"platform-{report.start}-{report.end}.pdf")
