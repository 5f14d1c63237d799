"""Sign-up, log-in, log-out and password reset."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from .. import accounts
from ..db import get_session
from ..extensions import limiter
from ..i18n import chosen_language
from ..mail import send_mail
from ..models import User
from ..organisations.attribution import checked_attribution
from .attribution import forget_attribution, remembered_attribution
from .forms import EmptyForm, ForgotPasswordForm, LoginForm, ResetPasswordForm, SignupForm
from .invitations import accept_pending_invitation, pending_invitation_email
from .views import external_url, safe_next_url

bp = Blueprint("auth", __name__)


def _rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _hasher():  # type: ignore[no-untyped-def]
    return current_app.extensions["courseware.hasher"]


def _start_session(user: User, remember: bool) -> None:
    session.clear()  # nothing from before log-in carries over (session fixation)
    login_user(accounts.identity_of(user), remember=remember)


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def signup() -> str | Response:
    form = SignupForm(next=request.args.get("next", ""), email=pending_invitation_email())
    # The organisation this visitor came through, if any: shown on the form, kept
    # on the account unless the learner removes it.
    joined = checked_attribution(get_session(), remembered_attribution())
    organisation = joined[1] if joined else None
    if organisation is not None:
        form.leave_organisation.label.text = _("Don’t link my account to %(organisation)s",
                                               organisation=organisation.name)
        form.share_progress.label.text = _(
            "Let %(organisation)s’s managers see my individual progress",
            organisation=organisation.name)
    if form.validate_on_submit():
        keep = joined is not None and not form.leave_organisation.data
        try:
            user = accounts.create_user(
                get_session(), _hasher(), email=form.email.data, name=form.name.data,
                password=form.password.data, locale=chosen_language(),
                attribution=joined[0] if keep and joined else None,
                share_progress=keep and bool(form.share_progress.data))
        except accounts.EmailTaken:
            form.email.errors.append(_("An account already uses this e-mail address. "
                                       "Log in, or reset your password."))
        else:
            accept_pending_invitation(get_session(), user)  # before the session is renewed
            _start_session(user, remember=False)
            flash(_("Welcome, %(name)s! Your progress will now be saved.", name=user.name))
            return forget_attribution(redirect(safe_next_url(form.next.data, url_for("main.home"))))
    return render_template("auth/signup.html", form=form, organisation=organisation), \
        400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def login() -> str | Response:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = accounts.authenticate(get_session(), _hasher(), form.email.data, form.password.data)
        if user is not None:
            _start_session(user, remember=form.remember.data)
            return redirect(safe_next_url(form.next.data, url_for("main.home")))
        form.password.errors.append(_("Wrong e-mail address or password."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


@bp.post("/logout")
def logout() -> Response:
    form = EmptyForm()
    if form.validate_on_submit():
        session.clear()
        logout_user()  # after clear(): it leaves the note that deletes the remember-me cookie
        flash(_("You are logged out."))
    return redirect(url_for("main.home"))


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="password-reset")


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def forgot_password() -> str | Response:
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = accounts.normalise_email(form.email.data)
        user = get_session().scalar(select(User).where(User.email == email))
        if user is not None:
            token = _reset_serializer().dumps({"u": user.id, "v": user.session_version})
            link = external_url("auth.reset_password", token=token)
            minutes = current_app.config["RESET_TOKEN_MAX_AGE"] // 60
            send_mail(current_app.config, user.email, _("Reset your password"),
                      _("Hello %(name)s,\n\nTo choose a new password, open this link within "
                        "%(minutes)s minutes:\n\n%(link)s\n\nIf you did not ask for it, ignore "
                        "this message: your password stays the same.\n",
                        name=user.name, minutes=minutes, link=link))
        # Same answer whether or not the address has an account.
        flash(_("If an account uses this address, we have sent it a link to choose a new "
                "password. Check your inbox."))
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def reset_password(token: str) -> str | Response | tuple[str, int]:
    user = _user_for_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 400
    form = ResetPasswordForm()
    form.owner = user  # the new password must not be their name or address
    if form.validate_on_submit():
        accounts.set_password(get_session(), _hasher(), user, form.password.data)
        _start_session(user, remember=False)
        flash(_("Your password has been changed."))
        return redirect(url_for("main.home"))
    return render_template("auth/reset.html", form=form), 400 if form.errors else 200


def _user_for_token(token: str) -> User | None:
    """The user a reset link is for; None once expired, tampered with or used."""
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["RESET_TOKEN_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = get_session().get(User, data.get("u"))
    # Changing the password bumps session_version: the link works once.
    if user is None or user.session_version != data.get("v"):
        return None
    return user

