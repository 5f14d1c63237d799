"""Staff invitations on the web: the link in the e-mail (`/invitations/<token>`,
public) and the sender that e-mails queued invitations off the request.

The link attributes the visitor to the organisation (source "invitation", first
touch wins) and lands on sign-up with the invited address filled in; the
invitation is marked accepted when the account is created.

Sending: an upload only stores the invitations; `start_sending` then e-mails
them from a background thread of the server process, in batches (one SMTP
connection each), so a file of 10,000 addresses returns at once and the
organisation's page shows the progress. At most one sender thread runs per
organisation and process; if the process stops mid-way, the next visit to the
invitations page (or `courseware orgs invite`) resumes with what is left.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, session, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from ..db import get_engine, request_connection
from ..mail import send_mails
from ..models import Organisation
from ..organisations.invitations import (
    PendingInvitation,
    invitation_by_id,
    invitation_id_from_token,
    invitation_token,
    mark_accepted,
    send_pending_invitations,
)
from .attribution import remember_attribution

log = logging.getLogger(__name__)
bp = Blueprint("invitations", __name__)

# What the invitation link leaves in the (signed) session cookie until sign-up.
SESSION_KEY = "invitation"



@bp.get("/invitations/<token>")
def accept(token: str) -> object:
    invitation_id = invitation_id_from_token(
        current_app.config["SECRET_KEY"], token, current_app.config["INVITATION_MAX_AGE"])
    invitation = invitation_by_id(request_connection(), invitation_id) if invitation_id else None
    if invitation is None:
        return render_template("invitations/invalid.html"), 400
    if current_user.is_authenticated:
        flash(_("You already have an account: you are logged in."))
        return redirect(url_for("main.home"))
    # First touch wins: a visitor who came through a tracking link keeps that one.
    remember_attribution(invitation.organisation_id, None, "invitation")
    session[SESSION_KEY] = {"id": invitation.id, "email": invitation.email}
    return redirect(url_for("auth.signup"))


def pending_invitation_email() -> str | None:
    """The invited address, to fill in the sign-up form."""
    pending = session.get(SESSION_KEY)
    return pending.get("email") if isinstance(pending, dict) else None


def accept_pending_invitation(db_session: Session, user: object) -> None:
    """At sign-up (before the session is renewed): mark the invitation accepted.
    (The attribution itself travels in the attribution cookie, like a link's.)"""
    pending = session.pop(SESSION_KEY, None)
    if not isinstance(pending, dict) or not isinstance(pending.get("id"), int):
        return
    mark_accepted(db_session, pending["id"], datetime.now(UTC))
    db_session.commit()


def invitation_sender(app: Flask, base_url: str) -> Callable[[list[PendingInvitation]], None]:
    """A `send_batch` for send_pending_invitations: one e-mail per invitation, in
    the platform's default language, over one SMTP connection per batch."""
    names: dict[int, str] = {}

    def organisation_name(organisation_id: int) -> str:
        if organisation_id not in names:
            with Session(get_engine(app)) as db_session:
                organisation = db_session.get(Organisation, organisation_id)
                names[organisation_id] = organisation.name if organisation else ""
        return names[organisation_id]

    def send_batch(batch: list[PendingInvitation]) -> None:
        secret = app.config["SECRET_KEY"]
        days = app.config["INVITATION_MAX_AGE"] // 86400
        with app.app_context(), force_locale(app.config["DEFAULT_LOCALE"]):
            messages = []
            for invitation in batch:
                organisation = organisation_name(invitation.organisation_id)
                link = f"{base_url}/invitations/{invitation_token(secret, invitation.id)}"
                greeting = (_("Hello %(name)s,", name=invitation.name) if invitation.name
                            else _("Hello,"))
                messages.append((
                    invitation.email,
                    _("%(organisation)s invites you to take the course", organisation=organisation),
                    greeting + "\n\n" + _(
                        "%(organisation)s invites you to learn the basics of artificial "
                        "intelligence on this platform, at your own pace.\n\nTo create your "
                        "account, open this link within %(days)s days:\n\n%(link)s\n\nIf you "
                        "were not expecting this invitation, ignore this message.\n",
                        organisation=organisation, days=days, link=link)))
        send_mails(app.config, messages)

    return send_batch


_running: dict[int, threading.Thread] = {}
_running_lock = threading.Lock()


def send_now(app: Flask, base_url: str, organisation_id: int | None = None) -> int:
    """Send every queued invitation (of one organisation, or all) in this thread."""
    return send_pending_invitations(
        get_engine(app), send_batch=invitation_sender(app, base_url),
        batch_size=app.config["INVITATION_BATCH_SIZE"], now=lambda: datetime.now(UTC),
        organisation_id=organisation_id)


def start_sending(app: Flask, base_url: str, organisation_id: int) -> threading.Thread:
    """Send an organisation's queued invitations from a background thread (one per
    organisation at a time); returns the running thread."""
    with _running_lock:
        thread = _running.get(organisation_id)
        if thread is not None and thread.is_alive():
            return thread

        def run() -> None:
            try:
                sent = send_now(app, base_url, organisation_id)
                log.info("Sent %s invitation(s) of organisation %s", sent, organisation_id)
            except Exception:
                log.exception("Sending the invitations of organisation %s stopped; "
                              "they stay queued", organisation_id)

        thread = threading.Thread(target=run, name=f"invitations-{organisation_id}", daemon=True)
        _running[organisation_id] = thread
        thread.start()
        return thread


def sending_in_progress(organisation_id: int) -> bool:
    thread = _running.get(organisation_id)
    return thread is not None and thread.is_alive()


def wait_for_sender(organisation_id: int, timeout: float | None = None) -> None:
    """Block until the organisation's background sender (if any) is done (tests, CLI)."""
    thread = _running.get(organisation_id)
    if thread is not None:
        thread.join(timeout)
