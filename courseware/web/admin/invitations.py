"""Organisation area, staff invitations: upload a CSV, see the bad rows with
their line numbers, confirm importing only the valid ones, follow the sending.

For that organisation's managers and admins (access.can_view_organisation).
Without JavaScript, "import the N valid rows" is a second POST: the uploaded
file waits in the instance folder under a random name (for a day at most) so
the manager does not have to choose it again.
"""

from __future__ import annotations

import re
import secrets
import time
from datetime import UTC, datetime
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from ...db import get_session, request_connection
from ...models import Organisation
from ...organisations import access
from ...organisations.audit import record_action
from ...organisations.invitations import (
    MAX_BYTES,
    InvitationFileError,
    ParsedFile,
    import_invitations,
    invitation_progress,
    parse_invitation_csv,
    recent_invitations,
)
from ...private_files import make_private_folder, write_private_file
from ..invitations import sending_in_progress, start_sending
from ..views import base_url
from .blueprints import organisation_bp
from .forms import InvitationConfirmForm, InvitationUploadForm
from .paging import PER_PAGE, Pager, requested_page

# The web page's wording of each problem (the CLI prints PROBLEMS' English text).
PROBLEM_TEXT = {
    "too_large": _l("The file is larger than 2 MB."),
    "too_many_rows": _l("The file has more than 20,000 rows: split it into several files."),
    "not_utf8": _l("The file is not UTF-8 text: in Excel, save it as “CSV UTF-8”."),
    "empty": _l("The file has no e-mail address."),
    "bad_email": _l("This is not an e-mail address."),
    "email_too_long": _l("The e-mail address is longer than 254 characters."),
    "name_too_long": _l("The name is longer than 120 characters."),
    "bad_characters": _l("The row contains characters that are not allowed."),
    "too_many_columns": _l("Expected at most two columns: e-mail address, then name."),
    "bad_quoting": _l("A quotation mark is not closed."),
}
_UPLOAD_NAME = re.compile(r"^[A-Za-z0-9_-]{16,40}$")
_UPLOAD_MAX_AGE = 24 * 3600


def _organisation(slug: str) -> Organisation:
    """The organisation in the URL, if the signed-in user may see it (else 404/403)."""
    organisation = get_session().scalar(select(Organisation).where(Organisation.slug == slug))
    if organisation is None:
        abort(404)
    managed = access.managed_organisation_ids(request_connection(), current_user.id)
    if not access.can_view_organisation(current_user, organisation.id, managed):
        abort(403)
    return organisation


def _uploads() -> Path:
    folder = Path(current_app.config["INSTANCE_DIR"]) / "uploads"
    make_private_folder(folder)
    return folder


def _stash(organisation: Organisation, data: bytes) -> str:
    """Keep an uploaded file until the manager confirms; drop stale ones."""
    folder = _uploads()
    for old in folder.glob("invitations-*.csv"):
        if time.time() - old.stat().st_mtime > _UPLOAD_MAX_AGE:
            old.unlink(missing_ok=True)
    name = secrets.token_urlsafe(18)
    write_private_file(folder / f"invitations-{organisation.id}-{name}.csv", data)
    return name


def _stashed(organisation: Organisation, name: str) -> Path | None:
    if not _UPLOAD_NAME.match(name):
        return None
    path = _uploads() / f"invitations-{organisation.id}-{name}.csv"
    return path if path.is_file() else None


def _page(organisation: Organisation, *, form: InvitationUploadForm | None = None,
          parsed: ParsedFile | None = None, file_error: InvitationFileError | None = None,
          confirm: InvitationConfirmForm | None = None, status: int = 200) -> tuple[str, int]:
    connection = request_connection()
    progress = invitation_progress(connection, organisation.id)
    pager = Pager(requested_page(), progress.total)
    return render_template(
        "admin/invitations.html", organisation=organisation, progress=progress, pager=pager,
        invitations=recent_invitations(connection, organisation.id, limit=PER_PAGE,
                                       offset=pager.offset),
        sending=sending_in_progress(organisation.id), form=form or InvitationUploadForm(),
        parsed=parsed, file_error=file_error, confirm=confirm, problem_text=PROBLEM_TEXT,
    ), status


@organisation_bp.get("/<slug>/invitations")
@login_required
def invitations(slug: str) -> tuple[str, int]:
    organisation = _organisation(slug)
    progress = invitation_progress(request_connection(), organisation.id)
    if progress.pending and not sending_in_progress(organisation.id):
        # A server restart stopped the sender: carry on with what is left.
        start_sending(current_app._get_current_object(), base_url(), organisation.id)  # type: ignore[attr-defined]
    return _page(organisation)


def _import(organisation: Organisation, parsed: ParsedFile) -> Response:
    session = get_session()
    now = datetime.now(UTC)
    result = import_invitations(session, organisation.id, parsed.rows, now)
    record_action(session, actor=current_user, action="invitations.import",
                  target=organisation.slug,
                  detail=f"{result.added} new, {result.already_invited} already invited, "
                         f"{len(parsed.problems)} bad rows skipped", now=now)
    session.commit()
    if result.added:
        start_sending(current_app._get_current_object(), base_url(), organisation.id)  # type: ignore[attr-defined]
    flash(_("Invitations queued for sending: %(added)s. Addresses already invited, skipped: "
            "%(already)s.", added=result.added, already=result.already_invited))
    return redirect(url_for("organisation.invitations", slug=organisation.slug))


@organisation_bp.post("/<slug>/invitations")
@login_required
def upload_invitations(slug: str) -> Response | tuple[str, int]:
    organisation = _organisation(slug)
    form = InvitationUploadForm()
    if not form.validate_on_submit():
        return _page(organisation, form=form, status=400)
    data = form.file.data.read(MAX_BYTES + 1)  # one byte more tells "too large"
    try:
        parsed = parse_invitation_csv(data)
    except InvitationFileError as error:
        return _page(organisation, form=form, file_error=error, status=400)
    if parsed.problems:
        confirm = InvitationConfirmForm(upload=_stash(organisation, data)) if parsed.rows else None
        return _page(organisation, form=form, parsed=parsed, confirm=confirm, status=400)
    return _import(organisation, parsed)


@organisation_bp.post("/<slug>/invitations/confirm")
@login_required
def confirm_invitations(slug: str) -> Response | tuple[str, int]:
    organisation = _organisation(slug)
    form = InvitationConfirmForm()
    path = _stashed(organisation, form.upload.data or "") if form.validate_on_submit() else None
    if path is None:
        flash(_("This upload has expired: please choose the file again."))
        return _page(organisation, status=400)
    data = path.read_bytes()
    path.unlink(missing_ok=True)
    return _import(organisation, parse_invitation_csv(data))
