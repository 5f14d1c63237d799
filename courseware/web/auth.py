"""Sign-up, log-in, log-out and password reset."""

from __future__ import annotations

import hashlib
import math
import time

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
from flask_login import current_user, login_user, logout_user
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from limits import parse_many
from sqlalchemy import select

from .. import accounts, metrics, sessions
from ..db import get_session, read_session
from ..extensions import limiter
from ..i18n import chosen_language
from ..mail import queue_mail, queue_no_mail
from ..models import User
from ..organisations.attribution import checked_attribution
from .attribution import forget_attribution, remembered_attribution
from .forms import EmptyForm, ForgotPasswordForm, LoginForm, ResetPasswordForm, SignupForm
from .invitations import accept_pending_invitation, pending_invitation_email
from .mail_after_response import deliver_after_response
from .quizzes import record_visitor_answers
from .views import external_url, library, safe_next_url
from .visitor_quizzes import QUIZZES_KEY, take_visitor_answers
from .visitor_reading import OPENED_KEY, record_visitor_reading, take_visitor_reading

bp = Blueprint("auth", __name__)


def _rate_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _hasher():  # type: ignore[no-untyped-def]
    return current_app.extensions["courseware.hasher"]


def _start_session(user: User, remember: bool) -> None:
    # Only what the visitor read and answered carries over; the rest of the
    # session is dropped (session fixation).
    reading = take_visitor_reading()
    answered = take_visitor_answers()
    session.clear()
    key = sessions.start_session(get_session(), user.id, remember=remember,
                                 lifetimes=sessions.SessionLifetimes.from_config(current_app.config))
    identity = accounts.identity_of(user, key)
    login_user(identity, remember=remember)
    if reading.opened or reading.completion or answered:
        record_visitor_reading(get_session(), identity, library(), reading)
        record_visitor_answers(get_session(), identity, answered)  # after: chapters opened first
        get_session().commit()


def end_this_session() -> None:
    """Log out here: the server forgets this log-in, the browser its cookies."""
    if current_user.is_authenticated:
        sessions.end_session(get_session(), current_user.session_key)
    session.clear()
    logout_user()  # after clear(): it leaves the note that deletes the remember-me cookie


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def signup() -> str | Response:
    form = SignupForm(next=request.args.get("next", ""), email=pending_invitation_email())
    # The organisation this visitor came through, if any: shown on the form, kept
    # on the account unless the learner removes it. Read outside the writer session:
    # that one takes SQLite's write lock at its first query, and sign_up hashes the
    # password (Argon2, tens of ms) before its own, so no writer waits for the hash.
    joined = checked_attribution(read_session(), remembered_attribution())
    organisation = joined[1] if joined else None
    if organisation is not None:
        form.leave_organisation.label.text = _("Don’t link my account to %(organisation)s",
                                               organisation=organisation.name)
        form.share_progress.label.text = _(
            "Let %(organisation)s’s managers see my individual progress",
            organisation=organisation.name)
    if form.validate_on_submit():
        keep = joined is not None and not form.leave_organisation.data
        email = accounts.normalise_email(form.email.data)
        result = accounts.sign_up(get_session(), _hasher(), email=email, name=form.name.data,
                                  password=form.password.data, locale=chosen_language(),
                                  attribution=joined[0] if keep and joined else None,
                                  share_progress=keep and bool(form.share_progress.data))
        if result.is_new:
            _queue_confirmation(result.user, safe_next_url(form.next.data, url_for("main.home")))
        else:
            _queue_already_registered(result.user)
        if result.is_new:
            accept_pending_invitation(get_session(), result.user)  # commits the sign-up too
        get_session().commit()
        if result.is_new:
            metrics.SIGNUPS.inc()
        # The same answer whether the address was free or not: the mailbox's owner
        # learns which, nobody else does (no user enumeration).
        flash(_("Almost there: we have sent a message to %(email)s. Open the link in it to "
                "start learning.", email=email))
        return forget_attribution(redirect(url_for("auth.signup_sent")))
    return render_template("auth/signup.html", form=form, organisation=organisation), \
        400 if form.errors else 200


@bp.get("/signup/sent")
def signup_sent() -> str:
    """After the sign-up form: what to do next (open the mail), not a log-in form that
    the learner cannot use yet. Says what this browser keeps until the link is opened."""
    kept = bool(session.get(OPENED_KEY) or session.get(QUIZZES_KEY))
    return render_template("auth/signup_sent.html", kept=kept,
                           days=CONFIRM_LINK_MAX_AGE // 86400)


# A sign-up link works for a week (mail can be read late); then signing up again sends a new one.
CONFIRM_LINK_MAX_AGE = 7 * 24 * 3600


def _confirm_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="signup-confirm")


def _queue_confirmation(user: User, next_url: str) -> None:
    token = _confirm_serializer().dumps({"u": user.id, "v": user.session_version, "n": next_url})
    queue_mail(get_session(), to=user.email, subject=_("Confirm your address to start learning"),
               body=_("Hello %(name)s,\n\nWelcome! To confirm your address and start learning, "
                      "open this link within %(days)s days:\n\n%(link)s\n\nIf you did not sign "
                      "up, ignore this message: no account opens without this link.\n",
                      name=user.name, days=CONFIRM_LINK_MAX_AGE // 86400,
                      link=external_url("auth.confirm_signup", token=token)))
    deliver_after_response()


def _queue_already_registered(user: User) -> None:
    queue_mail(get_session(), to=user.email, subject=_("You already have an account"),
               body=_("Hello %(name)s,\n\nSomeone, probably you, has just tried to create an "
                      "account with this address. You already have one: log in here:\n\n"
                      "%(login)s\n\nForgot your password? Choose a new one here:\n\n"
                      "%(forgot)s\n\nIf it was not you, ignore this message: nothing has "
                      "changed on your account.\n",
                      name=user.name, login=external_url("auth.login"),
                      forgot=external_url("auth.forgot_password")))
    deliver_after_response()


@bp.get("/signup/confirm/<token>")
def confirm_signup(token: str) -> Response | tuple[str, int]:
    """The link of the sign-up mail: confirms the address and logs the learner in, once."""
    try:
        data = _confirm_serializer().loads(token, max_age=CONFIRM_LINK_MAX_AGE)
    except (SignatureExpired, BadSignature):
        data = None
    user = get_session().get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.session_version != data.get("v"):
        return render_template("auth/confirm_invalid.html"), 400
    if user.email_confirmed:
        # Used already (or opened by a mail scanner first): log in as usual.
        flash(_("Your address is confirmed. Log in to continue."))
        return redirect(url_for("auth.login"))
    accounts.confirm_email(get_session(), user)
    _start_session(user, remember=False)
    flash(_("Welcome, %(name)s! Your progress will now be saved.", name=user.name))
    return redirect(safe_next_url(data.get("n") or "", url_for("main.home")))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_rate_limit, methods=["POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        account = _AccountBudget(form.email.data)
        wait = account.minutes_to_wait()
        if wait:
            form.password.errors.append(_(
                "Too many failed log-ins for this account. Try again in %(minutes)s minutes, "
                "or choose a new password with “Forgot your password?”.", minutes=wait))
            return render_template("auth/login.html", form=form), 429
        user = accounts.authenticate(get_session(), _hasher(), form.email.data, form.password.data)
        if user is not None and not user.email_confirmed:
            # The right password of an account whose address nobody confirmed: the
            # same answer as a wrong one (or sign-up would tell which addresses were
            # free), and the link again, for the learner who lost the first mail.
            _queue_confirmation(user, safe_next_url(form.next.data, url_for("main.home")))
            get_session().commit()
            user = None
        if user is not None:
            account.clear()
            _start_session(user, remember=form.remember.data)
            return redirect(safe_next_url(form.next.data, url_for("main.home")))
        account.count_failure()
        form.password.errors.append(_("Wrong e-mail address or password."))
        # Said after every failure, so it tells nothing about the account: a learner who
        # has not opened the sign-up mail yet otherwise thinks the password is wrong.
        form.password.errors.append(_("Just signed up? Open the link we e-mailed you first. If "
                                      "the password was right, we have sent you the link again."))
    return render_template("auth/login.html", form=form), 400 if form.errors else 200


class _AccountBudget:
    """Failed log-ins per e-mail address (ACCOUNT_LOGIN_RATE_LIMIT), wherever they come
    from: an attacker changing address gets no fresh guesses at one account.

    Counted for any address, known or not, so the answer tells nothing about who has
    an account; the counter key is a hash, so the storage holds no e-mail address.
    """

    def __init__(self, email: str) -> None:
        digest = hashlib.sha256(accounts.normalise_email(email).encode()).hexdigest()[:32]
        self.key = ("login-account", digest)
        self.items = parse_many(current_app.config["ACCOUNT_LOGIN_RATE_LIMIT"])
        self.enabled = current_app.config.get("RATELIMIT_ENABLED", True)

    def minutes_to_wait(self) -> int:
        if not self.enabled:
            return 0
        waits = [limiter.limiter.get_window_stats(item, *self.key).reset_time - time.time()
                 for item in self.items if not limiter.limiter.test(item, *self.key)]
        return max(1, math.ceil(max(waits) / 60)) if waits else 0

    def count_failure(self) -> None:
        if self.enabled:
            for item in self.items:
                limiter.limiter.hit(item, *self.key)

    def clear(self) -> None:
        if self.enabled:
            for item in self.items:
                limiter.limiter.clear(item, *self.key)


@bp.post("/logout")
def logout() -> Response:
    form = EmptyForm()
    if form.validate_on_submit():
        end_this_session()
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
            # Queued, not sent: the answer takes the same time for unknown addresses.
            queue_mail(get_session(), to=user.email, subject=_("Reset your password"),
                       body=_("Hello %(name)s,\n\nTo choose a new password, open this link within "
                              "%(minutes)s minutes:\n\n%(link)s\n\nIf you did not ask for it, "
                              "ignore this message: your password stays the same.\n",
                              name=user.name, minutes=minutes, link=link))
        else:
            queue_no_mail(get_session())  # the same work, so the same time
        deliver_after_response()
        get_session().commit()
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
        user.email_confirmed = True  # the link came by mail: the address is theirs
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

