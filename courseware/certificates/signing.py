"""PAdES signing of the rendered PDF, byte-for-byte reproducible."""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSigningSession

from .blocking import run_blocking
from .keys import SigningIdentity

FIELD_NAME = "CertificateSignature"


class _FixedTimePdfSigner(signers.PdfSigner):
    """A PdfSigner whose session uses a given time instead of the clock.

    The time appears in the signature dictionary (/M) and the CMS signing-time
    attribute; fixing it to the issue time makes re-signing reproducible.
    """

    def __init__(self, *args: object, signing_time: datetime, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False) -> PdfSigningSession:  # type: ignore[no-untyped-def]
        session = super().init_signing_session(pdf_out, existing_fields_only=existing_fields_only)
        session.system_time = self._signing_time
        return session


class _PinnedIncrementalWriter(IncrementalPdfFileWriter):
    """An incremental writer that dates /ModDate at signing time, not at the clock."""

    modified_at: datetime

    def _update_meta(self) -> None:
        super()._update_meta()  # sets /ModDate to "now"
        if self._info is not None:
            self._info.get_object()[generic.pdf_name("/ModDate")] = generic.pdf_date(
                self.modified_at
            )


_METADATA = signers.PdfSignatureMetadata(
    field_name=FIELD_NAME,  # without a name pyHanko would make up a random one
    subfilter=fields.SigSeedSubFilter.PADES,
    md_algorithm="sha256",
)


def _bytes_reserved(identity: SigningIdentity) -> int:
    # The CMS holds the certificate, its hash and issuer (signing-certificate-v2),
    # the signature and ~1.5 kB of attributes and structure;
    # it is written as hex, hence twice its DER size. Fixed, so pyHanko signs once.
    return 2 * (2 * len(identity.certificate_der) + identity.key_size_bytes + 2048)


def sign_pdf(unsigned: bytes, identity: SigningIdentity, signing_time: datetime) -> bytes:
    """Return ``unsigned`` with a PAdES signature by ``identity`` dated ``signing_time``.

    Deterministic: the same input, key and time always give the same bytes
    (RSA PKCS#1 v1.5 is deterministic; the time, /ModDate, document ID and field
    name are pinned).
    """
    if signing_time.tzinfo is None:
        raise ValueError("signing_time must be timezone-aware")
    signing_time = signing_time.astimezone(UTC).replace(microsecond=0)
    writer = _PinnedIncrementalWriter(io.BytesIO(unsigned))
    writer.modified_at = signing_time
    # pyHanko gives the new revision a random second ID; derive it from the content.
    first_id = writer.document_id[0]
    second_id = hashlib.sha256(unsigned + signing_time.isoformat().encode()).digest()[:16]
    writer._document_id = generic.ArrayObject(  # noqa: SLF001 - no public setter
        [generic.ByteStringObject(first_id), generic.ByteStringObject(second_id)]
    )
    pdf_signer = _FixedTimePdfSigner(_METADATA, identity.signer, signing_time=signing_time)
    output = run_blocking(pdf_signer.async_sign_pdf(writer, bytes_reserved=_bytes_reserved(identity)))
    return output.getvalue()
