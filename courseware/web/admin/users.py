"""Admin area, users: search, a user's page (role, organisation, consent,
progress, certificates), role changes and account deletion."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ... import accounts_admin
from ...db import get_session
from ...models import Certificate, Organisation, OrganisationManager, User
from ...progress import course_progress
from ..views import library
from .blueprints import admin_bp, admin_required
from .forms import AdminDeleteUserForm, RoleForm
from .paging import PER_PAGE, Pager, requested_page

QUERY_MAX = 200


def _user_or_404(user_id: int) -> User:
    user = get_session().get(User, user_id)
    if user is None:
        abort(404)
    return user


@admin_bp.get("/users")
@admin_required
def users() -> str:
    query = request.args.get("q", "")[:QUERY_MAX]
    session = get_session()
    pager = Pager(requested_page(), accounts_admin.count_users(session, query))
    rows = accounts_admin.search_users(session, query, limit=PER_PAGE, offset=pager.offset)
    return render_template("admin/users.html", rows=rows, query=query, pager=pager)


def _user_page(user: User, role_form: RoleForm | None = None, status: int = 200) -> tuple[str, int]:
    session = get_session()
    organisation = session.get(Organisation, user.organisation_id) if user.organisation_id else None
    managed = list(session.scalars(
        select(Organisation).join(OrganisationManager,
                                  OrganisationManager.organisation_id == Organisation.id)
        .where(OrganisationManager.user_id == user.id).order_by(Organisation.name)))
    progress = [(course, course_progress(session, user.id, course))
                for course in library().courses]
    certificates = list(session.scalars(
        select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at)))
    return render_template(
        "admin/user.html", user=user, organisation=organisation, managed=managed,
        progress=progress, certificates=certificates,
        role_form=role_form or RoleForm(role=user.role)), status


@admin_bp.get("/users/<int:user_id>")
@admin_required
def user(user_id: int) -> tuple[str, int]:
    return _user_page(_user_or_404(user_id))


@admin_bp.post("/users/<int:user_id>/role")
@admin_required
def change_role(user_id: int) -> Response | tuple[str, int]:
    user = _user_or_404(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        return _user_page(user, form, status=400)
    try:
        changed = accounts_admin.change_role(get_session(), user, form.role.data,
                                             actor=current_user, now=datetime.now(UTC))
    except accounts_admin.LastAdmin:
        form.role.errors.append(_("This is the only admin account: make another account admin "
                                  "first."))
        return _user_page(user, form, status=400)
    if changed:
        flash(_("%(email)s is now: %(role)s.", email=user.email, role=_role_name(user.role)))
    return redirect(url_for("admin.user", user_id=user.id))


def _role_name(role: str) -> str:
    return {"learner": _("Learner"), "instructor": _("Instructor"), "admin": _("Admin")}[role]


@admin_bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
@admin_required
def delete_user(user_id: int) -> str | Response | tuple[str, int]:
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash(_("To delete your own account, use your account page."))
        return redirect(url_for("admin.user", user_id=user.id))
    form = AdminDeleteUserForm()
    if form.validate_on_submit():
        email = user.email
        try:
            accounts_admin.delete_account(get_session(), user,
                                          keep_certificates=form.certificates.data == "keep",
                                          actor=current_user, now=datetime.now(UTC))
        except accounts_admin.LastAdmin:
            form.confirm.errors.append(_("This is the only admin account: it cannot be deleted."))
        else:
            flash(_("The account %(email)s and its progress have been deleted.", email=email))
            return redirect(url_for("admin.users"))
    return render_template("admin/user_delete.html", user=user, form=form), \
        400 if form.errors else 200
