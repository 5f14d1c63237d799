"""Admin pages for partner organisations and their tracking links: the list, a
new organisation (with its logo), an organisation's links with their click
counts, a new link, and each link's QR code (SVG) and A4 poster (PDF)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy import func, select
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from ...db import get_session
from ...models import FunnelCount, Organisation, OrganisationManager, TrackingLink, User
from ...organisations import directory
from ...organisations.audit import record_action
from ...organisations.logos import MAX_LOGO_BYTES, InvalidLogo, checked_logo
from ...organisations.posters import PosterText, poster_pdf, qr_svg
from ..forms import EmptyForm, _no_control_characters
from ..views import base_url, library
from .blueprints import admin_bp, admin_required

_LOGO_ERRORS = {
    "too_large": _l("The logo is larger than 200 KB."),
    "not_an_image": _l("The logo must be a PNG, JPEG or SVG image."),
    "unsafe_svg": _l("This SVG contains scripts, links or external references: export it "
                     "again as a plain drawing."),
}
_UTM = Regexp(r"^[A-Za-z0-9._~-]*$", message=_l("Use letters, digits, dots, hyphens and "
                                                  "underscores only."))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[
        DataRequired(_l("Please enter the organisation's name.")), Length(max=200),
        _no_control_characters])
    slug = StringField(_l("Short name in addresses (slug)"), validators=[
        DataRequired(_l("Please enter a slug.")), Length(max=directory.SLUG_MAX_LENGTH),
        Regexp(directory.SLUG_PATTERN.pattern,
               message=_l("Use lower-case letters, digits and single hyphens only."))])
    linkedin_id = StringField(_l("LinkedIn organisation ID"), validators=[
        Optional(), Length(max=40), Regexp(r"^[0-9]+$", message=_l("Digits only."))])
    contact_name = StringField(_l("Contact name"), validators=[
        Optional(), Length(max=120), _no_control_characters])
    contact_email = EmailField(_l("Contact e-mail address"), validators=[
        Optional(), Email(_l("This e-mail address does not look valid."),
                          check_deliverability=False), Length(max=254)])
    logo = FileField(_l("Logo (PNG, JPEG or SVG, at most 200 KB)"))

    def validate_logo(self, field: FileField) -> None:
        if not field.data or not getattr(field.data, "filename", ""):
            self.logo_bytes, self.logo_type = None, None
            return
        data = field.data.read(MAX_LOGO_BYTES + 1)
        try:
            self.logo_type = checked_logo(data)
        except InvalidLogo as error:
            raise ValidationError(_LOGO_ERRORS[error.reason]) from None
        self.logo_bytes = data


class LinkForm(FlaskForm):
    label = StringField(_l("Population it targets (label)"), validators=[
        DataRequired(_l("Please enter a label.")), Length(max=200), _no_control_characters])
    course = SelectField(_l("Lands on"), choices=[], validate_choice=True)
    utm_source = StringField(_l("utm_source (optional)"), validators=[Length(max=100), _UTM])
    utm_campaign = StringField(_l("utm_campaign (optional)"), validators=[Length(max=100), _UTM])

    def validate_utm_campaign(self, field: StringField) -> None:
        if bool((self.utm_source.data or "").strip()) != bool((field.data or "").strip()):
            raise ValidationError(_l("Give both utm_source and utm_campaign, or neither."))


class ManagerForm(FlaskForm):
    email = EmailField(_l("E-mail address of their account"), validators=[
        DataRequired(_l("Please enter an e-mail address.")), Length(max=254)])


def _link_form() -> LinkForm:
    form = LinkForm()
    form.course.choices = [("", _("The first course"))] + [
        (course.slug, course.title) for course in library().courses]
    return form


def _organisation_or_404(slug: str) -> Organisation:
    organisation = directory.organisation_by_slug(get_session(), slug)
    if organisation is None:
        abort(404)
    return organisation


def _link_or_404(organisation: Organisation, code: str) -> TrackingLink:
    link = directory.link_by_code(get_session(), code)
    if link is None or link.organisation_id != organisation.id:
        abort(404)
    return link


@admin_bp.get("/organisations/")
@admin_required
def organisations() -> str:
    return render_template("admin/organisations/list.html",
                           rows=directory.organisation_summaries(get_session()))


@admin_bp.route("/organisations/new", methods=["GET", "POST"])
@admin_required
def new_organisation() -> str | Response | tuple[str, int]:
    form = OrganisationForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            organisation = directory.create_organisation(
                session, slug=form.slug.data, name=form.name.data, now=datetime.now(UTC),
                linkedin_id=form.linkedin_id.data, contact_name=form.contact_name.data,
                contact_email=form.contact_email.data)
        except directory.OrganisationExists:
            form.slug.errors.append(_("Another organisation already uses this slug."))
        else:
            organisation.logo, organisation.logo_type = form.logo_bytes, form.logo_type
            record_action(session, actor=current_user, action="organisation.create",
                          target=organisation.slug, detail=organisation.name,
                          now=datetime.now(UTC))
            session.commit()
            flash(_("Organisation “%(name)s” created. Now add its tracking links.",
                    name=organisation.name))
            return redirect(url_for("admin.organisation", slug=organisation.slug))
    return render_template("admin/organisations/new.html", form=form), 400 if form.errors else 200


def _clicks_by_link(organisation_id: int) -> dict[int, int]:
    rows = get_session().execute(
        select(FunnelCount.link_id, func.sum(FunnelCount.count))
        .where(FunnelCount.organisation_id == organisation_id, FunnelCount.step == "click")
        .group_by(FunnelCount.link_id))
    return {link_id: int(total) for link_id, total in rows}


def _organisation_page(organisation: Organisation, form: LinkForm | None = None,
                       manager_form: ManagerForm | None = None,
                       status: int = 200) -> tuple[str, int]:
    session = get_session()
    links = session.scalars(
        select(TrackingLink).where(TrackingLink.organisation_id == organisation.id)
        .order_by(TrackingLink.label)).all()
    managers = session.scalars(
        select(User).join(OrganisationManager, OrganisationManager.user_id == User.id)
        .where(OrganisationManager.organisation_id == organisation.id).order_by(User.email)).all()
    return render_template(
        "admin/organisations/show.html", organisation=organisation, links=links,
        clicks=_clicks_by_link(organisation.id), base=base_url(),
        courses={course.slug: course.title for course in library().courses},
        tracking_url=directory.tracking_url, form=form or _link_form(),
        managers=managers, manager_form=manager_form or ManagerForm(),
        remove_form=EmptyForm()), status


@admin_bp.get("/organisations/<slug>/")
@admin_required
def organisation(slug: str) -> tuple[str, int]:
    return _organisation_page(_organisation_or_404(slug))


@admin_bp.post("/organisations/<slug>/links")
@admin_required
def new_link(slug: str) -> Response | tuple[str, int]:
    organisation = _organisation_or_404(slug)
    form = _link_form()
    if form.validate_on_submit():
        session = get_session()
        try:
            link = directory.create_tracking_link(
                session, organisation, label=form.label.data, now=datetime.now(UTC),
                utm_source=form.utm_source.data, utm_campaign=form.utm_campaign.data,
                course_slug=form.course.data or None)
        except directory.UtmPairTaken:
            form.utm_campaign.errors.append(_("Another link already uses this utm_source and "
                                              "utm_campaign pair."))
        else:
            record_action(session, actor=current_user, action="link.create",
                          target=f"{organisation.slug}/{link.code}", detail=link.label,
                          now=datetime.now(UTC))
            session.commit()
            flash(_("Link “%(label)s” created: %(url)s", label=link.label,
                    url=directory.tracking_url(base_url(), link.code)))
            return redirect(url_for("admin.organisation", slug=organisation.slug))
    return _organisation_page(organisation, form, status=400)


@admin_bp.post("/organisations/<slug>/managers")
@admin_required
def add_manager(slug: str) -> Response | tuple[str, int]:
    organisation = _organisation_or_404(slug)
    form = ManagerForm()
    if form.validate_on_submit():
        session = get_session()
        user = directory.user_by_email(session, form.email.data)
        if user is None:
            form.email.errors.append(_("No account uses this e-mail address: the person must "
                                       "sign up first."))
        else:
            if directory.add_manager(session, organisation, user, datetime.now(UTC)):
                record_action(session, actor=current_user, action="manager.add",
                              target=organisation.slug, detail=user.email, now=datetime.now(UTC))
                session.commit()
            flash(_("%(email)s manages %(organisation)s.", email=user.email,
                    organisation=organisation.name))
            return redirect(url_for("admin.organisation", slug=organisation.slug))
    return _organisation_page(organisation, manager_form=form, status=400)


@admin_bp.post("/organisations/<slug>/managers/remove")
@admin_required
def remove_manager(slug: str) -> Response:
    # The manager is named in the form, not the URL: no URL of the site names an account.
    organisation = _organisation_or_404(slug)
    form = ManagerForm()
    if not form.validate_on_submit():
        abort(400)
    session = get_session()
    user = directory.user_by_email(session, form.email.data)
    if user is not None and directory.remove_manager(session, organisation, user):
        record_action(session, actor=current_user, action="manager.remove",
                      target=organisation.slug, detail=user.email, now=datetime.now(UTC))
        session.commit()
        flash(_("%(email)s no longer manages %(organisation)s.", email=user.email,
                organisation=organisation.name))
    return redirect(url_for("admin.organisation", slug=organisation.slug))


@admin_bp.get("/organisations/<slug>/logo")
@admin_required
def organisation_logo(slug: str) -> Response:
    organisation = _organisation_or_404(slug)
    if not organisation.logo or not organisation.logo_type:
        abort(404)
    response = Response(organisation.logo, mimetype=organisation.logo_type)
    # An SVG opened on its own is a document: nothing in it may run or load.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


@admin_bp.get("/organisations/<slug>/links/<code>/qr.svg")
@admin_required
def link_qr(slug: str, code: str) -> Response:
    link = _link_or_404(_organisation_or_404(slug), code)
    response = Response(qr_svg(directory.tracking_url(base_url(), link.code)),
                        mimetype="image/svg+xml")
    response.headers["Content-Disposition"] = f'inline; filename="{slug}-{link.code}.svg"'
    return response


@admin_bp.get("/organisations/<slug>/links/<code>/poster.pdf")
@admin_required
def link_poster(slug: str, code: str) -> Response:
    organisation = _organisation_or_404(slug)
    link = _link_or_404(organisation, code)
    courses = library().courses
    course = library().course(link.course_slug) if link.course_slug else None
    course = course or (courses[0] if courses else None)
    text = PosterText(heading=course.title if course else _("Free online courses"),
                      scan=_("Scan the code or type the address:"),
                      free=_("Free, at your own pace, in your browser."))
    pdf = poster_pdf(organisation_name=organisation.name, logo=organisation.logo,
                     logo_type=organisation.logo_type, label=link.label,
                     url=directory.tracking_url(base_url(), link.code), text=text)
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{slug}-{link.code}-poster.pdf"'
    return response
