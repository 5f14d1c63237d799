"""Issuing, re-issuing, revoking and detaching certificates (domain layer, no Flask)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import Certificate, User
from ..reports.counters import count_event
from ..text_safety import has_invisible_characters, has_unsafe_characters, has_visible_letters
from .fonts import FontSet, unsupported_characters
from .ids import new_public_id
from .keys import SigningIdentity

MAX_NAME_LENGTH = 120


class ChapterLike(Protocol):
    slug: str


class CourseLike(Protocol):
    """What issuing needs from a course (the content package's Course fits)."""

    slug: str
    title: str
    language: str
    issuer: str
    total_minutes: int
    content_version: str
    chapters: Sequence[ChapterLike]
    # Optional `has_quizzes` (the content Course has it): prints "successfully completed".


class CertificateError(Exception):
    """Base class for refusals the caller should show to the learner."""


class CourseNotCompleted(CertificateError):
    def __init__(self, missing_slugs: list[str]):
        super().__init__(f"Chapters not completed yet: {', '.join(missing_slugs)}")
        self.missing_slugs = missing_slugs


class InvalidPrintedName(CertificateError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class CertificateNotFound(CertificateError):
    pass


def current_key(user_id: int, course_slug: str) -> str:
    """The value of ``Certificate.current_key`` for a learner's current certificate."""
    return f"{user_id}:{course_slug}"


def normalise_printed_name(name: str) -> str:
    """NFC, trimmed, inner runs of whitespace collapsed to one space."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def validate_printed_name(name: str, fonts: FontSet | None = None) -> list[str]:
    """Problems that stop ``name`` being printed on a certificate; empty when it is fine.

    ``fonts``: the branding the PDF will be drawn with (default: the shipped one).
    """
    if has_unsafe_characters(name):
        return ["The name contains control characters."]
    if has_invisible_characters(name):
        return ["The name contains invisible characters (zero-width spaces, soft hyphens, "
                "direction marks)."]
    cleaned = normalise_printed_name(name)
    problems = []
    if not cleaned:
        problems.append("The name is empty.")
    elif not has_visible_letters(cleaned):
        problems.append("The name has no visible letters.")
    if len(cleaned) > MAX_NAME_LENGTH:
        problems.append(f"The name is longer than {MAX_NAME_LENGTH} characters.")
    missing = unsupported_characters(cleaned, fonts)
    if missing:
        shown = " ".join(sorted(missing))
        problems.append(f"These characters cannot be printed on the certificate: {shown}")
    return problems


def find_certificate(session: Session, public_id: str) -> Certificate | None:
    """The certificate with this (canonical) public ID, whatever its status."""
    return session.scalars(select(Certificate).where(Certificate.public_id == public_id)).one_or_none()


def find_current_certificate(session: Session, user_id: int, course_slug: str) -> Certificate | None:
    """The learner's current (valid, not replaced) certificate for a course, if any."""
    return session.scalars(
        select(Certificate).where(Certificate.current_key == current_key(user_id, course_slug))
    ).one_or_none()


def current_certificate_id(executor: Connection | Session, user_id: int, course_slug: str
                           ) -> str | None:
    """The public ID of find_current_certificate's certificate: one column, for the
    chapter fast path (web/chapter_fast_path.py), which only needs it for its page key."""
    return executor.execute(select(Certificate.public_id).where(
        Certificate.current_key == current_key(user_id, course_slug))).scalar_one_or_none()


def _new_certificate(user_id: int, printed_name: str, identity: SigningIdentity, now: datetime,
                     verification_url_for: Callable[[str], str], **course_facts: object) -> Certificate:
    """A valid, current certificate with a fresh public ID (not yet added to the session).

    The verification URL is stored with it, so the PDF and its QR code render the
    same whatever address the site is later reached by.
    """
    public_id = new_public_id()
    return Certificate(
        public_id=public_id,
        verification_url=verification_url_for(public_id),
        user_id=user_id,
        current_key=current_key(user_id, str(course_facts["course_slug"])),
        printed_name=normalise_printed_name(printed_name),
        issued_at=now.replace(microsecond=0),
        status="valid",
        signer_fingerprint=identity.fingerprint,
        **course_facts,
    )


def issue_certificate(
    session: Session,
    *,
    user_id: int,
    course: CourseLike,
    completed_slugs: frozenset[str] | set[str],
    printed_name: str,
    identity: SigningIdentity,
    now: datetime,
    verification_url_for: Callable[[str], str],
    fonts: FontSet | None = None,
    on_issued: Callable[[Certificate], None] | None = None,
) -> Certificate:
    """Issue the learner's certificate for ``course``, or return the one they already have.

    ``on_issued`` is called, in the same transaction, only when this call issued
    it (not for one that already existed or that a concurrent request issued):
    the place for what must happen exactly once, such as queueing the learner's mail.

    Safe against double clicks and concurrent requests: the UNIQUE ``current_key``
    lets only one insert win; the loser rolls back to a savepoint and returns the
    winner's certificate. The learner's first certificate for the course is
    counted in the funnel ("certified") in the same transaction; a certificate
    after a revocation is not a new learner certified. The caller commits.
    """
    existing = find_current_certificate(session, user_id, course.slug)
    if existing is not None:
        return existing
    missing = [ch.slug for ch in course.chapters if ch.slug not in completed_slugs]
    if missing or not course.chapters:
        raise CourseNotCompleted(missing)
    problems = validate_printed_name(printed_name, fonts)
    if problems:
        raise InvalidPrintedName(problems)
    certificate = _new_certificate(
        user_id, printed_name, identity, now, verification_url_for, course_slug=course.slug,
        course_title=course.title, course_language=course.language, content_version=course.content_version,
        duration_minutes=course.total_minutes, issuer=course.issuer,
        graded=bool(getattr(course, "has_quizzes", False)))
    try:
        with session.begin_nested():
            session.add(certificate)
    except IntegrityError:
        winner = find_current_certificate(session, user_id, course.slug)
        if winner is None:  # not a lost race (e.g. a public ID collision): a real error
            raise
        return winner
    _count_if_first(session, certificate, now)
    if on_issued is not None:
        on_issued(certificate)
    return certificate


def _count_if_first(session: Session, certificate: Certificate, now: datetime) -> None:
    earlier = session.scalar(select(Certificate.id).where(
        Certificate.user_id == certificate.user_id, Certificate.course_slug == certificate.course_slug,
        Certificate.id != certificate.id).limit(1))
    if earlier is not None:
        return
    organisation_id, link_id = session.execute(
        select(User.organisation_id, User.link_id).where(User.id == certificate.user_id)).one()
    count_event(session, step="certified", day=now.astimezone(UTC).date(),
                organisation_id=organisation_id, link_id=link_id, course_slug=certificate.course_slug)


def reissue_certificate(
    session: Session,
    *,
    certificate: Certificate,
    printed_name: str,
    identity: SigningIdentity,
    now: datetime,
    verification_url_for: Callable[[str], str],
    fonts: FontSet | None = None,
) -> Certificate:
    """Replace a current certificate by one with a new public ID (e.g. a corrected name).

    The old record becomes "replaced" and points to the new one, in the same
    transaction. The caller commits.
    """
    if certificate.status != "valid" or certificate.current_key is None:
        raise CertificateError("Only a current, valid certificate can be re-issued.")
    problems = validate_printed_name(printed_name, fonts)
    if problems:
        raise InvalidPrintedName(problems)
    assert certificate.user_id is not None  # a current certificate belongs to an account
    new = _new_certificate(
        certificate.user_id, printed_name, identity, now, verification_url_for,
        course_slug=certificate.course_slug,
        course_title=certificate.course_title, course_language=certificate.course_language,
        content_version=certificate.content_version,
        duration_minutes=certificate.duration_minutes, issuer=certificate.issuer,
        graded=certificate.graded)
    with session.begin_nested():
        certificate.current_key = None
        certificate.status = "replaced"
        certificate.status_reason = "re-issued"
        certificate.status_changed_at = now
        certificate.replaced_by = new.public_id
        session.flush()  # free current_key before the new row claims it
        session.add(new)
    return new


def revoke_certificate(session: Session, public_id: str, reason: str, now: datetime) -> Certificate:
    """Revoke a certificate (verification will then report it revoked). The caller commits."""
    certificate = find_certificate(session, public_id)
    if certificate is None:
        raise CertificateNotFound(public_id)
    if certificate.status in ("revoked", "withdrawn"):
        return certificate
    certificate.status = "revoked"
    certificate.status_reason = reason
    certificate.status_changed_at = now
    certificate.current_key = None
    session.flush()
    return certificate


def detach_certificates_for_deleted_user(
    session: Session, user_id: int, keep: bool, now: datetime
) -> list[Certificate]:
    """Before deleting an account: keep the certificates verifiable, or withdraw them.

    keep=True: the records lose their link to the account and keep only what the
    certificate shows. keep=False: they become "withdrawn" and the name is erased.
    """
    certificates = list(session.scalars(select(Certificate).where(Certificate.user_id == user_id)))
    for certificate in certificates:
        certificate.user_id = None
        certificate.current_key = None
        if not keep:
            certificate.printed_name = None
            certificate.status = "withdrawn"
            certificate.status_reason = "account deleted"
            certificate.status_changed_at = now
    session.flush()
    return certificates
