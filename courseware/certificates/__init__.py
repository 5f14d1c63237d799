"""Certificates of completion: issuing (domain), PDF rendering, signing, verification.

No Flask here: the web layer and the CLI call these functions.
"""

from . import dsa_warning  # noqa: F401  (first: before anything imports pyHanko)
from .fonts import (
    DEFAULT_BRANDING_DIR,
    FontSet,
    default_fonts,
    font_for_text,
    fonts_for_layout,
    unsupported_characters,
)
from .ids import new_public_id, normalise_public_id
from .issuing import (
    CertificateError,
    CertificateNotFound,
    CourseLike,
    CourseNotCompleted,
    InvalidPrintedName,
    current_certificate_id,
    current_key,
    detach_certificates_for_deleted_user,
    find_certificate,
    find_current_certificate,
    issue_certificate,
    normalise_printed_name,
    reissue_certificate,
    revoke_certificate,
    validate_printed_name,
)
from .keys import SigningIdentity, SigningIdentityError, ensure_signing_identity
from .layout import Layout, LayoutError, Wording, load_layout
from .pdf import render_certificate_pdf
from .pdf_limits import DEFAULT_LIMITS as DEFAULT_CHECK_LIMITS
from .pdf_limits import CheckLimits
from .preview import render_preview_png
from .signing import sign_pdf
from .snapshot import CertificateSnapshot
from .verification import (
    FileVerdict,
    PdfCheck,
    check_certificate_file,
    confined_check,
    verify_certificate_pdf,
)


def signed_certificate_pdf(
    snapshot: CertificateSnapshot, layout: Layout, identity: SigningIdentity
) -> bytes:
    """Render and sign a certificate, dated (and signed) at its issue time."""
    return sign_pdf(render_certificate_pdf(snapshot, layout, identity), identity, snapshot.issued_at)


__all__ = [
    "DEFAULT_BRANDING_DIR", "DEFAULT_CHECK_LIMITS", "CertificateError", "CertificateNotFound",
    "CertificateSnapshot", "CheckLimits",
    "CourseLike", "CourseNotCompleted", "FontSet", "InvalidPrintedName", "Layout", "LayoutError",
    "FileVerdict", "PdfCheck", "SigningIdentity", "SigningIdentityError", "Wording",
    "check_certificate_file", "confined_check", "current_key",
    "default_fonts", "detach_certificates_for_deleted_user", "ensure_signing_identity",
    "current_certificate_id", "find_certificate", "find_current_certificate", "font_for_text",
    "fonts_for_layout", "issue_certificate",
    "load_layout", "new_public_id", "normalise_printed_name", "normalise_public_id",
    "reissue_certificate", "render_certificate_pdf", "render_preview_png", "revoke_certificate",
    "sign_pdf", "signed_certificate_pdf", "unsupported_characters", "validate_printed_name",
    "verify_certificate_pdf",
]
