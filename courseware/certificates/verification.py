"""Checking that an uploaded PDF is a certificate we signed and nobody changed."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from asn1crypto import cms
from asn1crypto import parser as asn1_parser
from pyhanko.pdf_utils.misc import PdfDecodeLimitError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from sqlalchemy.orm import Session

from ..models import Certificate
from .blocking import run_blocking
from .ids import normalise_public_id
from .issuing import find_certificate
from .keys import SigningIdentity, certificate_fingerprint
from .pdf import KEYWORD_PREFIX
from .pdf_limits import DEFAULT_LIMITS, CheckLimits, refusal_before_parsing
from .sandbox import check_slot, run_confined

log = logging.getLogger(__name__)

_KEYWORD = re.compile(re.escape(KEYWORD_PREFIX) + r"\s*([0-9A-Za-z-]{16,19})")


@dataclass(frozen=True)
class PdfCheck:
    """Outcome of checking a PDF. ``reason`` is a stable code for messages and logs.

    Codes: ok, not_a_pdf, unsigned, invalid_signature, modified, foreign_signer,
    too_complex (a cap of :class:`CheckLimits` was reached: nothing can be said).
    """

    authentic: bool
    reason: str
    public_id: str | None = None
    signer_fingerprint: str | None = None


def _public_id(reader: PdfFileReader) -> str | None:
    try:
        info = reader.trailer["/Info"]
        keywords = str(info.get("/Keywords", ""))
    except Exception:  # noqa: BLE001 - a broken /Info just means "no ID"
        return None
    match = _KEYWORD.search(keywords)
    return normalise_public_id(match.group(1)) if match else None


def _contents_untouched(data: bytes, signature: object) -> bool:
    """True when the one uncovered region, /Contents, holds exactly what the signer wrote.

    The signature digest covers everything except the hex-encoded CMS and its zero
    padding; a changed padding byte or a re-cased hex digit would otherwise go unseen.
    """
    start, gap_start, gap_end, _ = (int(v) for v in signature.sig_object["/ByteRange"])  # type: ignore[attr-defined]
    contents = bytes(signature.sig_object["/Contents"])  # type: ignore[attr-defined]
    _, _, _, header, body, _ = asn1_parser.parse(contents)
    der = header + body
    expected = b"<" + contents.hex().upper().encode() + b">"
    return (
        start == 0
        and data[start + gap_start : gap_end] == expected
        and cms.ContentInfo.load(der).dump(force=True) == der  # canonical DER only
        # fields outside the signed attributes must hold the values pyHanko writes
        and signature.signed_data["version"].native == "v1"  # type: ignore[attr-defined]
        and signature.signer_info["version"].native == "v1"  # type: ignore[attr-defined]
        and not signature.signer_info["unsigned_attrs"].native  # type: ignore[attr-defined]
        and not contents[len(der) :].strip(b"\x00")
    )


# Running out of a budget says nothing about the file's authenticity.
_OVER_BUDGET = (PdfDecodeLimitError, MemoryError, RecursionError)


def _too_many_fields(reader: PdfFileReader, limit: int) -> bool:
    """True when the AcroForm field tree has more than ``limit`` nodes (cycles count forever)."""
    form = reader.root.get("/AcroForm")
    if form is None:
        return False
    pending = list(form.get_object().get("/Fields", []))
    seen = 0
    while pending:
        seen += 1
        if seen > limit or len(pending) > limit:
            return True
        kids = pending.pop().get_object().get("/Kids")
        if kids is not None:
            pending.extend(kids.get_object())
    return False


def verify_certificate_pdf(data: bytes, identity: SigningIdentity,
                           limits: CheckLimits = DEFAULT_LIMITS) -> PdfCheck:
    """Check a PDF's signature, that it covers the whole file, and that we made it.

    Never raises on bad input. Decompression and the form's size are capped by
    ``limits``, but time and memory are not: untrusted files go through
    :func:`check_certificate_file`, which runs this in a confined process. The
    caller still looks ``public_id`` up to check the certificate's status.
    """
    if not isinstance(data, bytes | bytearray) or not data.lstrip()[:5] == b"%PDF-":
        return PdfCheck(False, "not_a_pdf")
    try:
        return _verify(bytes(data), identity, limits)
    except _OVER_BUDGET:
        return PdfCheck(False, "too_complex")


def _verify(data: bytes, identity: SigningIdentity, limits: CheckLimits) -> PdfCheck:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False, decode_limits=limits.decode_limits())
        if _too_many_fields(reader, limits.max_form_fields):
            return PdfCheck(False, "too_complex")
        signatures = reader.embedded_signatures
    except _OVER_BUDGET:
        raise
    except Exception:  # noqa: BLE001 - any parse failure means it is not a usable PDF
        return PdfCheck(False, "not_a_pdf")
    public_id = _public_id(reader)
    if not signatures:
        return PdfCheck(False, "unsigned", public_id)
    if len(signatures) != 1:
        return PdfCheck(False, "modified", public_id)
    signature = signatures[0]
    try:
        fingerprint = certificate_fingerprint(signature.signer_cert.dump())
    except Exception:  # noqa: BLE001
        return PdfCheck(False, "invalid_signature", public_id)
    try:
        embedded = [certificate_fingerprint(c.chosen.dump()) for c in signature.signed_data["certificates"]]
    except Exception:  # noqa: BLE001
        embedded = []
    if fingerprint != identity.fingerprint or set(embedded) != {identity.fingerprint}:
        return PdfCheck(False, "foreign_signer", public_id, fingerprint)
    try:
        context = ValidationContext(trust_roots=[identity.signer.signing_cert])
        # Diff analysis is pointless: anything but whole-file coverage is refused below.
        status = run_blocking(async_validate_pdf_signature(signature, context, skip_diff=True))
    except _OVER_BUDGET:
        raise
    except Exception:  # noqa: BLE001
        return PdfCheck(False, "invalid_signature", public_id, fingerprint)
    try:
        untouched = _contents_untouched(data, signature)
    except Exception:  # noqa: BLE001
        untouched = False
    if not (status.intact and status.valid and untouched):
        return PdfCheck(False, "invalid_signature", public_id, fingerprint)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return PdfCheck(False, "modified", public_id, fingerprint)
    if not status.bottom_line:
        return PdfCheck(False, "invalid_signature", public_id, fingerprint)
    return PdfCheck(True, "ok", public_id, fingerprint)


@dataclass(frozen=True)
class FileVerdict:
    """What the upload check and `courseware certificates verify` report about a PDF.

    verdict: authentic | not_authentic (see ``reason``) | unknown (our signature,
    no such record) | revoked | replaced | withdrawn | unchecked (``reason``:
    too_large, too_complex, timeout, or busy when every checking slot is taken).
    """

    verdict: str
    reason: str
    certificate: Certificate | None


def confined_check(data: bytes, identity: SigningIdentity,
                   limits: CheckLimits = DEFAULT_LIMITS) -> tuple[PdfCheck | None, str, str]:
    """:func:`verify_certificate_pdf` bounded in time and memory, after the cheap caps.

    Returns ``(check, reason, detail)``: the check, or None with why it could not be made.
    """
    refusal = refusal_before_parsing(data, limits)
    if refusal is not None:
        return None, *refusal
    return _check_in_child(data, identity, limits)


def _check_in_child(data: bytes, identity: SigningIdentity,
                    limits: CheckLimits) -> tuple[PdfCheck | None, str, str]:
    outcome = run_confined(lambda: asdict(verify_certificate_pdf(data, identity, limits)),
                           cpu_seconds=limits.cpu_seconds, memory_bytes=limits.memory_bytes,
                           wall_seconds=limits.wall_seconds)
    if outcome.answer is None:
        return None, outcome.failure or "too_complex", outcome.detail
    try:
        check = PdfCheck(**outcome.answer)
    except TypeError:
        return None, "too_complex", "malformed answer from the checker"
    if check.reason == "too_complex":
        return None, "too_complex", "a decompression or form-field cap was reached"
    return check, check.reason, ""


def check_certificate_file(session: Session, data: bytes, identity: SigningIdentity, *,
                           limits: CheckLimits = DEFAULT_LIMITS,
                           slots_dir: Path | None = None) -> FileVerdict:
    """Signature, signer and record: is this PDF a valid certificate of ours?

    Safe on any upload: caps first, then a confined process (see :mod:`.sandbox`).
    With ``slots_dir`` (the instance folder) at most ``limits.checks_at_once`` checks
    run at once on the machine. A refused file logs one warning line, no traceback.
    """
    refusal = refusal_before_parsing(data, limits)  # cheap: no slot needed to refuse
    if refusal is not None:
        check, reason, detail = None, *refusal
    else:
        with check_slot(slots_dir, limits.checks_at_once, limits.slot_wait_seconds) as free:
            if free:
                check, reason, detail = _check_in_child(data, identity, limits)
            else:
                check, reason, detail = None, "busy", f"{limits.checks_at_once} check(s) already running"
    if check is None:
        log.warning("certificate check refused: %s (%d bytes; %s)", reason, len(data), detail)
        return FileVerdict("unchecked", reason, None)
    certificate = find_certificate(session, check.public_id) if check.public_id else None
    if not check.authentic:
        verdict = "not_authentic"
    elif certificate is None:
        verdict = "unknown"
    elif certificate.status != "valid":
        verdict = certificate.status
    else:
        verdict = "authentic"
    return FileVerdict(verdict, check.reason, certificate)
