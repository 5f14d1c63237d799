"""What a certificate shows, frozen at issue time."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True)
class CertificateSnapshot:
    """Everything printed on a certificate; rendering depends on nothing else."""

    public_id: str
    printed_name: str
    course_title: str
    course_language: str
    issued_at: datetime  # tz-aware UTC
    duration_minutes: int
    issuer: str
    verify_url: str
    graded: bool = False  # the course had quizzes: "has successfully completed"

    @classmethod
    def from_record(cls, certificate: object, verify_url: str) -> CertificateSnapshot:
        """Build the snapshot from a :class:`courseware.models.Certificate` row."""
        return cls(
            public_id=certificate.public_id,  # type: ignore[attr-defined]
            printed_name=certificate.printed_name or "",  # type: ignore[attr-defined]
            course_title=certificate.course_title,  # type: ignore[attr-defined]
            course_language=certificate.course_language,  # type: ignore[attr-defined]
            issued_at=certificate.issued_at,  # type: ignore[attr-defined]
            duration_minutes=certificate.duration_minutes,  # type: ignore[attr-defined]
            issuer=certificate.issuer,  # type: ignore[attr-defined]
            verify_url=verify_url,
            graded=bool(getattr(certificate, "graded", False)),
        )

    def in_language(self, language: str, course_title: str) -> CertificateSnapshot:
        """The same certificate printed in another language of the course.

        Only the wording, the date and the course's title change: the ID, name,
        issue time and issuer stay, so the PDF verifies like the original one.
        """
        return replace(self, course_language=language, course_title=course_title)
