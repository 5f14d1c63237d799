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
from ..certificates.preview import PREVIEW_WIDTHS
from ..certificates.verdict_wording import verdict_wording
from ..db import get_session, read_session
from ..extensions import limiter
from ..models import Certificate, User
from ..progress import completed_chapter_slugs
from .certificate_mail import queue_certificate_mail
from .certificate_support import certificate_files, snapshot_of
from .forms import CertificateIdForm, CertificateMailForm, CertificateNameForm, VerifyUploadForm
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
    if not course.is_published:
        abort(404)  # a draft course (seen by its instructors) gives no certificate
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
        # Only a claim that signed a certificate counts (rate limit, metric): of simultaneous
        # claims, the ones that lost the race get the winner's certificate and cost nothing.
        issued: list[Certificate] = []

        def on_issued(certificate: Certificate) -> None:
            _queue_mail(certificate)
            issued.append(certificate)

        try:
            if existing is None:
                certificate = issue_certificate(
                    session, user_id=current_user.id, course=course, completed_slugs=done,
                    printed_name=form.name.data, identity=certificate_files().identity,
                    now=datetime.now(UTC), verification_url_for=_verification_url,
                    fonts=certificate_files().fonts, on_issued=on_issued)
                message = _("Congratulations! Here is your certificate.")
            else:
                certificate = reissue_certificate(
                    session, certificate=existing, printed_name=form.name.data,
                    identity=certificate_files().identity, now=datetime.now(UTC),
                    verification_url_for=_verification_url, fonts=certificate_files().fonts)
                on_issued(certificate)
                message = _("Your certificate has been issued again with the corrected name. "
                            "The previous one now points to it.")
            session.commit()
            if issued:
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


def _queue_mail(certificate: Certificate) -> None:
    session = get_session()
    session.flush()  # the public ID and the record the mail links to
    user = session.get(User, certificate.user_id)
    if user is not None:
        queue_certificate_mail(session, user, certificate, str(_linkedin_links(certificate)["add"]))


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
        share=share_url(page_url), page_url=page_url, course_titles=course_titles(certificate),
        image_url=external_url("certificates.preview", public_id=certificate.public_id),
    )


def _linkedin_links(certificate: Certificate) -> dict[str, object]:
    course = library().course(certificate.course_slug)
    organisation = course.organisation if course else None
    # One issuer name everywhere: the one printed on the PDF and recorded with the
    # certificate (the course organisation's LinkedIn page, when known, by its id).
    organisation_name = certificate.issuer
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


# The preview shows only what never changes on a certificate (a corrected name
# is a new certificate, with a new ID): browsers may keep it for a year. A
# withdrawn certificate's preview answers 410 from then on; copies already
# loaded stay in those browsers' caches.
PREVIEW_MAX_AGE = 365 * 24 * 3600


def _file_response(body: bytes, mimetype: str, filename: str, max_age: int = 3600) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    # Same record, same bytes, on every worker and server: the hash is a stable ETag.
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.cache_control.immutable = max_age >= PREVIEW_MAX_AGE
    return response.make_conditional(request)


@bp.get("/certificates/<public_id>.pdf")
@lookup_limit
def pdf(public_id: str) -> Response:
    """The signed PDF; `?lang=en` prints it in another language the course has."""
    language = request.args.get("lang")
    if language is None:
        return _certificate_file(public_id, certificate_files().pdf, "application/pdf", "pdf")
    certificate = _certificate_or_404(public_id)
    titles = course_titles(certificate)
    if language not in titles:
        abort(404)
    if certificate.status == "withdrawn" or not certificate.printed_name:
        abort(410)
    snapshot = snapshot_of(certificate).in_language(language, titles[language])
    return _file_response(certificate_files().pdf(snapshot), "application/pdf",
                          f"certificate-{certificate.public_id}-{language}.pdf")


def course_titles(certificate: Certificate) -> dict[str, str]:
    """The certificate's course title in each language it can be printed in (its own first)."""
    titles = {certificate.course_language: certificate.course_title}
    course = library().course(certificate.course_slug)
    for language in course.languages if course else ():
        titles.setdefault(language, course.in_language(language).title)
    return titles


@bp.get("/certificates/<public_id>.png")
@lookup_limit
def preview(public_id: str) -> Response:
    """The link card (1200 px), or a smaller copy for the page's srcset (`?w=600`)."""
    typed = request.args.get("w", str(PREVIEW_WIDTHS[-1]))
    width = int(typed) if typed.isdecimal() and len(typed) <= 5 else 0
    if width not in PREVIEW_WIDTHS:
        abort(404)
    return _certificate_file(public_id, lambda snapshot: certificate_files().preview(snapshot, width),
                             "image/png", "png", max_age=PREVIEW_MAX_AGE)


def _certificate_file(public_id: str, build: Callable[[CertificateSnapshot], bytes],
                      mimetype: str, extension: str, max_age: int = 3600) -> Response:
    """The PDF or preview of a certificate, built from its record (same record, same bytes)."""
    certificate = _certificate_or_404(public_id)
    if certificate.status == "withdrawn" or not certificate.printed_name:
        abort(410)
    return _file_response(build(snapshot_of(certificate)), mimetype,
                          f"certificate-{certificate.public_id}.{extension}", max_age)


@bp.route("/certificates/verify", methods=["GET", "POST"])
@lookup_limit
def verify() -> tuple[str, int] | tuple[str, int, dict[str, str]] | Response:
    form = VerifyUploadForm()
    lookup = CertificateIdForm(request.args)
    result = None
    if request.method == "GET" and "certificate" in request.args:
        # A GET form: looking up changes nothing. Found: its page; else the reason, here.
        status = 400
        if lookup.validate():
            public_id = normalise_public_id(lookup.certificate.data)
            certificate = find_certificate(read_session(), public_id) if public_id else None
            if certificate is not None:
                return redirect(url_for("certificates.show", public_id=certificate.public_id))
            lookup.certificate.errors = [_("No certificate has this ID. Check each character, "
                                           "or upload the PDF file below.")]
            status = 404
        return render_template("certificates/verify.html", form=form, lookup=lookup, result=None), status
    if form.validate_on_submit():
        result = check_certificate_file(read_session(), form.pdf.data.read(),
                                        certificate_files().identity,
                                        slots_dir=Path(current_app.config["INSTANCE_DIR"]))
    if result is not None:
        metrics.UPLOADS.labels(result.verdict).inc()
    wording = verdict_wording(result) if result is not None else None
    page = render_template("certificates/verify.html", form=form, lookup=lookup, result=result,
                           wording=wording)
    if form.errors:
        return page, 400
    if result is not None and result.verdict == "unchecked":
        # busy: try again shortly; otherwise the file itself is refused.
        return (page, 503, {"Retry-After": "30"}) if result.reason == "busy" else (page, 422)
    return page, 200


def current_certificates_by_course() -> dict[str, Certificate]:
    """The signed-in learner's valid certificates by course slug (none for visitors)."""
    if not current_user.is_authenticated:
        return {}
    return {c.course_slug: c for c in reversed(certificates_of(current_user.id))}


@bp.post("/account/certificate-mail")
@login_required
def mail_preference() -> Response:
    """The account page's checkbox: an e-mail when a certificate is issued, or not."""
    form = CertificateMailForm()
    if not form.validate_on_submit():
        abort(400)  # only a missing or stale CSRF token gets here
    user = get_session().get(User, current_user.id)
    if user is None:
        abort(404)
    user.certificate_mail = bool(form.certificate_mail.data)
    get_session().commit()
    flash(_("You will get an e-mail when a certificate is issued to you.") if user.certificate_mail
          else _("You will no longer get an e-mail when a certificate is issued to you."))
    return redirect(url_for("account.index") + "#certificates-title")


def certificates_of(user_id: int) -> list[Certificate]:
    """A learner's current certificates, newest first (the home and account pages): a
    read, so it takes no write lock (db.read_session)."""
    return list(read_session().scalars(
        select(Certificate).where(Certificate.user_id == user_id, Certificate.status == "valid")
        .order_by(Certificate.issued_at.desc())))

