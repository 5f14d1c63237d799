"""Certificates on the web: claim, public verification page, PDF, preview, upload check."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import metrics
from ..certificates import (
    CertificateSnapshot,
    CourseNotCompleted,
    InvalidPrintedName,
    check_certificate_file,
    find_certificate,
    find_current_certificate,
    issue_certificate,
    normalise_printed_name,
    normalise_public_id,
    reissue_certificate,
)
from ..certificates.linkedin import add_to_profile_url, share_url
from ..db import get_session, read_session
from ..extensions import limiter
from ..models import Certificate
from ..progress import completed_chapter_slugs
from .certificate_support import certificate_files, snapshot_of
from .forms import CertificateNameForm, VerifyUploadForm
from .views import course_or_404, external_url, library

bp = Blueprint("certificates", __name__)


def _lookup_limit() -> str:
    return current_app.config["CERTIFICATE_RATE_LIMIT"]


# One budget for every certificate lookup, so IDs cannot be guessed by switching URL.
lookup_limit = limiter.shared_limit(_lookup_limit, scope="certificate-lookup")


def _claim_limit() -> str:
    return current_app.config["CLAIM_RATE_LIMIT"]


def _claim_address_limit() -> str:
    return current_app.config["CLAIM_ADDRESS_RATE_LIMIT"]


def _account_key() -> str:
    return f"account:{current_user.id}"


def _claim_refused() -> str:
    return _("Several certificates have been issued in a short time for this account or this "
             "network. Please try again later: your course progress is kept.")


def _issued(_response: Response) -> bool:
    # Only claims that sign a new certificate count: a typo in the form, a double
    # click or the same name sent twice cost nothing.
    return bool(g.get("certificate_issued"))


# Signing a certificate costs a signature and a row: a script must not mint them
# by the dozen (per account), nor spread over many accounts (per address).
claim_limits = (
    limiter.limit(_claim_limit, key_func=_account_key, methods=["POST"], scope="certificate-claim",
                  error_message=_claim_refused, deduct_when=_issued),
    limiter.limit(_claim_address_limit, methods=["POST"], scope="certificate-claim-address",
                  error_message=_claim_refused, deduct_when=_issued),
)


@bp.route("/courses/<course_slug>/certificate", methods=["GET", "POST"])
@login_required
@claim_limits[0]
@claim_limits[1]
def claim(course_slug: str) -> str | Response | tuple[str, int]:
    course = course_or_404(course_slug)
    session = get_session()
    existing = find_current_certificate(session, current_user.id, course.slug)
    done = completed_chapter_slugs(session, current_user.id, course.slug)
    missing = [chapter for chapter in course.chapters if chapter.slug not in done]
    if existing is None and missing:
        return render_template("certificates/not_yet.html", course=course, missing=missing), 403
    form = CertificateNameForm(name=existing.printed_name if existing else current_user.name)
    if form.validate_on_submit():
        if existing is not None and normalise_printed_name(form.name.data) == existing.printed_name:
            # A double click or a form sent twice: the certificate already says this.
            return redirect(url_for("certificates.show", public_id=existing.public_id))
        try:
            if existing is None:
                certificate = issue_certificate(
                    session, user_id=current_user.id, course=course, completed_slugs=done,
                    printed_name=form.name.data, identity=certificate_files().identity,
                    now=datetime.now(UTC), verification_url_for=_verification_url,
                    fonts=certificate_files().fonts)
                message = _("Congratulations! Here is your certificate.")
            else:
                certificate = reissue_certificate(
                    session, certificate=existing, printed_name=form.name.data,
                    identity=certificate_files().identity, now=datetime.now(UTC),
                    verification_url_for=_verification_url, fonts=certificate_files().fonts)
                message = _("Your certificate has been issued again with the corrected name. "
                            "The previous one now points to it.")
            session.commit()
            g.certificate_issued = True
            metrics.CERTIFICATES.inc()
        except (CourseNotCompleted, InvalidPrintedName) as error:
            session.rollback()
            form.name.errors.append(str(error))
        else:
            flash(message)
            return redirect(url_for("certificates.show", public_id=certificate.public_id))
    template = "certificates/claim.html"
    return render_template(template, course=course, form=form, existing=existing), \
        400 if form.errors else 200


def _verification_url(public_id: str) -> str:
    return external_url("certificates.show", public_id=public_id)


def _certificate_or_404(public_id: str) -> Certificate:
    canonical = normalise_public_id(public_id)
    # Public pages and files only read: no write lock, no transaction (db.read_session).
    certificate = find_certificate(read_session(), canonical) if canonical else None
    if certificate is None:
        abort(404)
    return certificate


@bp.get("/certificates/<public_id>")
@lookup_limit
def show(public_id: str) -> str | Response:
    certificate = _certificate_or_404(public_id)
    if certificate.public_id != public_id:
        # Typed in lower case or without hyphens: send to the one canonical address.
        return redirect(url_for("certificates.show", public_id=certificate.public_id), 301)
    owner = current_user.is_authenticated and current_user.id == certificate.user_id
    page_url = external_url("certificates.show", public_id=certificate.public_id)
    return render_template(
        "certificates/show.html", certificate=certificate, owner=owner,
        linkedin=_linkedin_links(certificate) if owner else None,
        share=share_url(page_url), page_url=page_url,
        image_url=external_url("certificates.preview", public_id=certificate.public_id),
    )


def _linkedin_links(certificate: Certificate) -> dict[str, object]:
    course = library().course(certificate.course_slug)
    organisation = course.organisation if course else None
    organisation_name = organisation.name if organisation else certificate.issuer
    organisation_id = organisation.linkedin_id if organisation else None
    verify_url = certificate.verification_url or _verification_url(certificate.public_id)
    return {
        "add": add_to_profile_url(
            course_title=certificate.course_title, organisation_name=organisation_name,
            organisation_id=organisation_id, issued_at=certificate.issued_at,
            verify_url=verify_url, public_id=certificate.public_id),
        "fields": [
            (_("Name"), certificate.course_title),
            (_("Issuing organisation"), organisation_name),
            (_("Issue date"), certificate.issued_at.strftime("%m/%Y")),
            (_("Credential ID"), certificate.public_id),
            (_("Credential URL"), verify_url),
        ],
    }


def _file_response(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Same record, same bytes, on every worker and server: the hash is a stable ETag.
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response.make_conditional(request)


@bp.get("/certificates/<public_id>.pdf")
@lookup_limit
def pdf(public_id: str) -> Response:
    return _certificate_file(public_id, certificate_files().pdf, "application/pdf", "pdf")


@bp.get("/certificates/<public_id>.png")
@lookup_limit
def preview(public_id: str) -> Response:
    return _certificate_file(public_id, certificate_files().preview, "image/png", "png")


def _certificate_file(public_id: str, build: Callable[[CertificateSnapshot], bytes],
                      mimetype: str, extension: str) -> Response:
    """The PDF or preview of a certificate, built from its record (same record, same bytes)."""
    certificate = _certificate_or_404(public_id)
    if certificate.status == "withdrawn" or not certificate.printed_name:
        abort(410)
    return _file_response(build(snapshot_of(certificate)), mimetype,
                          f"certificate-{certificate.public_id}.{extension}")


@bp.route("/certificates/verify", methods=["GET", "POST"])
@lookup_limit
def verify() -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    form = VerifyUploadForm()
    result = None
    if form.validate_on_submit():
        result = check_certificate_file(get_session(), form.pdf.data.read(),
                                        certificate_files().identity,
                                        slots_dir=Path(current_app.config["INSTANCE_DIR"]))
    if result is not None:
        metrics.UPLOADS.labels(result.verdict).inc()
    page = render_template("certificates/verify.html", form=form, result=result)
    if form.errors:
        return page, 400
    if result is not None and result.verdict == "unchecked":
        # busy: try again shortly; otherwise the file itself is refused.
        return (page, 503, {"Retry-After": "30"}) if result.reason == "busy" else (page, 422)
    return page, 200


def certificates_of(user_id: int) -> list[Certificate]:
    """A learner's current certificates, newest first (for the account page)."""
    return list(get_session().scalars(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.status == "valid")
        .order_by(Certificate.issued_at.desc())))

