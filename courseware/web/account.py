"""The learner's account: name, password, data download and deletion (RGPD)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from .. import accounts, sessions
from ..certificates import detach_certificates_for_deleted_user
from ..db import get_session
from ..models import Certificate, Organisation, User
from ..organisations.attribution import leave_organisation, set_share_progress
from ..passwords import verify_password
from .auth import end_this_session
from .certificates import certificates_of
from .forms import ChangePasswordForm, DeleteAccountForm, EmptyForm, NameForm, ShareProgressForm
from .views import learner_progress, library

bp = Blueprint("account", __name__, url_prefix="/account")


def _user() -> User:
    user = get_session().get(User, current_user.id)
    assert user is not None  # login_required and the loader guarantee it
    return user


def _page(name_form: NameForm | None = None, password_form: ChangePasswordForm | None = None,
          status: int = 200) -> tuple[str, int]:
    user = _user()
    organisation = (get_session().get(Organisation, user.organisation_id)
                    if user.organisation_id is not None else None)
    share_form = ShareProgressForm(share_progress=user.share_progress)
    if organisation is not None:
        share_form.share_progress.label.text = _(
            "Let %(organisation)s’s managers see my individual progress",
            organisation=organisation.name)
    certificates = certificates_of(user.id)
    # "My courses": every course the learner has opened, with where they stand.
    courses = [(course, progress) for course in library().courses
               if (progress := learner_progress(course)).states]
    return render_template(
        "account/index.html", user=user, certificates=certificates, courses=courses,
        certificate_by_course={c.course_slug: c for c in reversed(certificates)},
        name_form=name_form or NameForm(name=user.name),
        password_form=password_form or ChangePasswordForm(), everywhere_form=EmptyForm(),
        organisation=organisation, share_form=share_form, leave_form=EmptyForm(),
    ), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _page()


@bp.post("/name")
@login_required
def change_name() -> Response | tuple[str, int]:
    form = NameForm()
    if not form.validate_on_submit():
        return _page(name_form=form, status=400)
    user = _user()
    accounts.rename(get_session(), user, form.name.data)
    login_user(accounts.identity_of(user, current_user.session_key))
    flash(_("Your name has been updated."))
    return redirect(url_for("account.index"))


@bp.post("/password")
@login_required
def change_password() -> Response | tuple[str, int]:
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        return _page(password_form=form, status=400)
    user = _user()
    hasher = current_app.extensions["courseware.hasher"]
    if not verify_password(hasher, user.password_hash, form.current_password.data):
        form.current_password.errors.append(_("This is not your current password."))
        return _page(password_form=form, status=400)
    # This session stays, the others end.
    accounts.set_password(get_session(), hasher, user, form.password.data,
                          keep_session_key=current_user.session_key)
    flash(_("Your password has been changed. Other devices have been logged out."))
    return redirect(url_for("account.index"))


@bp.post("/organisation/consent")
@login_required
def change_share_progress() -> Response | tuple[str, int]:
    form = ShareProgressForm()
    if not form.validate_on_submit():
        return _page(status=400)
    user = _user()
    if user.organisation_id is None:
        return redirect(url_for("account.index"))
    set_share_progress(get_session(), user, bool(form.share_progress.data))
    get_session().commit()
    flash(_("Your organisation’s managers can now see your individual progress.")
          if user.share_progress else
          _("Your organisation’s managers now see only totals, without you in particular."))
    return redirect(url_for("account.index"))


@bp.post("/organisation/leave")
@login_required
def leave() -> Response | tuple[str, int]:
    form = EmptyForm()
    if not form.validate_on_submit():
        return _page(status=400)
    user = _user()
    if user.organisation_id is not None:
        leave_organisation(get_session(), user)
        get_session().commit()
        flash(_("Your account is no longer linked to an organisation."))
    return redirect(url_for("account.index"))


@bp.post("/logout-everywhere")
@login_required
def logout_everywhere() -> Response:
    """For a lost phone or a shared computer left logged in: end every log-in of the account."""
    form = EmptyForm()
    if form.validate_on_submit():
        sessions.end_all_sessions(get_session(), current_user.id)
        end_this_session()
        flash(_("You are logged out on every device."))
        return redirect(url_for("main.home"))
    return redirect(url_for("account.index"))


@bp.get("/export.json")
@login_required
def export() -> Response:
    data = accounts.export_user_data(get_session(), _user())
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": 'attachment; filename="courseware-my-data.json"',
        "Cache-Control": "no-store",
    })


@bp.route("/delete", methods=["GET", "POST"])
@login_required
def delete() -> str | Response | tuple[str, int]:
    form = DeleteAccountForm()
    holds_certificates = _holds_certificates(current_user.id)
    if not holds_certificates:
        # Nothing to keep or withdraw: the question would only puzzle the learner.
        del form.certificates
    elif request.method == "POST" and "certificates" not in request.form:
        # A certificate arrived after the page was shown without the question: ask it,
        # since keeping leaves the printed name public.
        form.validate_on_submit()
        form.certificates.errors = [_("Please choose what happens to your certificates.")]
        return render_template("account/delete.html", form=form), 400
    if form.validate_on_submit():
        user = _user()
        hasher = current_app.extensions["courseware.hasher"]
        if verify_password(hasher, user.password_hash, form.password.data):
            if holds_certificates:
                _detach_certificates(user.id, keep=form.certificates.data == "keep")
            accounts.delete_user(get_session(), user.id)
            end_this_session()
            flash(_("Your account and your progress have been deleted for good."))
            return redirect(url_for("main.home"))
        form.password.errors.append(_("This is not your password."))
    return render_template("account/delete.html", form=form), 400 if form.errors else 200


def _holds_certificates(user_id: int) -> bool:
    """Any certificate record still linked to the account, whatever its status: each one
    shows the printed name, so the learner decides what becomes of it."""
    return get_session().scalar(
        select(Certificate.id).where(Certificate.user_id == user_id).limit(1)) is not None


def _detach_certificates(user_id: int, keep: bool) -> None:
    """Before erasing the account: keep certificates verifiable, or withdraw them."""
    detach_certificates_for_deleted_user(get_session(), user_id, keep, datetime.now(UTC))
