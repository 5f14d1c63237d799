"""Admin area, certificates: search by ID or printed name, a certificate's
history (what replaced what, both ways), revocation with a reason."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...certificates import find_certificate, normalise_public_id, revoke_certificate
from ...certificates.search import count_certificates, replaced_certificate, search_certificates
from ...db import get_session
from ...models import Certificate, User
from ...organisations.audit import record_action
from .blueprints import admin_bp, admin_required
from .forms import RevokeForm
from .paging import PER_PAGE, Pager, requested_page

QUERY_MAX = 200


@admin_bp.get("/certificates")
@admin_required
def certificates() -> str | Response:
    query = request.args.get("q", "")[:QUERY_MAX]
    session = get_session()
    pager = Pager(requested_page(), count_certificates(session, query))
    rows = search_certificates(session, query, limit=PER_PAGE, offset=pager.offset)
    return render_template("admin/certificates.html", rows=rows, query=query, pager=pager)


def _certificate_or_404(public_id: str) -> Certificate:
    canonical = normalise_public_id(public_id)
    certificate = find_certificate(get_session(), canonical) if canonical else None
    if certificate is None:
        abort(404)
    return certificate


def _page(certificate: Certificate, form: RevokeForm | None = None,
          status: int = 200) -> tuple[str, int]:
    session = get_session()
    learner = session.get(User, certificate.user_id) if certificate.user_id else None
    return render_template(
        "admin/certificate.html", certificate=certificate, learner=learner,
        replaces=replaced_certificate(session, certificate.public_id),
        form=form or RevokeForm()), status


@admin_bp.get("/certificates/<public_id>")
@admin_required
def certificate(public_id: str) -> tuple[str, int] | Response:
    found = _certificate_or_404(public_id)
    if found.public_id != public_id:
        return redirect(url_for("admin.certificate", public_id=found.public_id))
    return _page(found)


@admin_bp.post("/certificates/<public_id>/revoke")
@admin_required
def revoke(public_id: str) -> Response | tuple[str, int]:
    found = _certificate_or_404(public_id)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _page(found, form, status=400)
    if found.status in ("revoked", "withdrawn"):
        flash(_("This certificate is no longer valid: nothing to revoke."))
        return redirect(url_for("admin.certificate", public_id=found.public_id))
    session = get_session()
    now = datetime.now(UTC)
    reason = form.reason.data.strip()
    revoke_certificate(session, found.public_id, reason, now)
    record_action(session, actor=current_user, action="certificate.revoke",
                  target=found.public_id, detail=reason, now=now)
    session.commit()
    flash(_("Certificate %(id)s has been revoked.", id=found.public_id))
    return redirect(url_for("admin.certificate", public_id=found.public_id))
