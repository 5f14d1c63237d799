import io
import shutil
import subprocess

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from courseware.certificates import (
    SigningIdentityError,
    ensure_signing_identity,
    render_certificate_pdf,
    sign_pdf,
    signed_certificate_pdf,
    verify_certificate_pdf,
)
from courseware.certificates.blocking import run_blocking

from .conftest import ISSUED_AT, make_snapshot, write


@pytest.fixture(scope="module")
def signed(layout, identity):
    return signed_certificate_pdf(make_snapshot("Łukasz Żółć"), layout, identity)


def test_signed_certificate_verifies(signed, identity):
    check = verify_certificate_pdf(signed, identity)
    assert (check.authentic, check.reason, check.public_id) == (True, "ok", "7Q2K-9MXD-4HRT-0B3V")
    assert check.signer_fingerprint == identity.fingerprint


def test_pyhanko_validates_the_pades_signature(signed, identity):
    reader = PdfFileReader(io.BytesIO(signed))
    (signature,) = reader.embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = run_blocking(async_validate_pdf_signature(
        signature, ValidationContext(trust_roots=[identity.signer.signing_cert])))
    assert status.bottom_line and status.signer_reported_dt == ISSUED_AT


def test_poppler_pdfsig_reports_a_valid_untouched_signature(signed, tmp_path):
    pdfsig = shutil.which("pdfsig")
    if pdfsig is None:
        pytest.fail("pdfsig (poppler-utils) is required: apt-get install poppler-utils")
    out = subprocess.run([pdfsig, str(write(tmp_path, signed))], capture_output=True, text=True).stdout
    assert "Signature Validation: Signature is Valid." in out
    assert "Total document signed" in out
    assert "Signing Time: Nov 22 2026 10:30:00" in out


def test_any_flipped_byte_is_detected(signed, identity):
    # 48 places spread over the whole file (header, page content, fonts, xref,
    # trailer) and 16 inside the signature's own /Contents (the CMS and its padding).
    contents = signed.index(b"/Contents <") + len(b"/Contents <")
    spread = range(0, len(signed), max(1, len(signed) // 48))
    inside_signature = range(contents, contents + 16 * 301, 301)
    for offset in [*spread, *inside_signature]:
        tampered = bytearray(signed)
        tampered[offset] ^= 0x01
        check = verify_certificate_pdf(bytes(tampered), identity)
        assert not check.authentic, offset


def test_an_appended_update_is_detected(signed, identity):
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.set_info(None)
    info = writer.trailer["/Info"]
    from pyhanko.pdf_utils.generic import TextStringObject, pdf_name
    info[pdf_name("/Title")] = TextStringObject("Certificat de réussite — Mallory")
    writer.update_container(info)
    out = io.BytesIO()
    writer.write(out)
    check = verify_certificate_pdf(out.getvalue(), identity)
    assert (check.authentic, check.reason) == (False, "modified")


def test_a_pdf_signed_by_another_key_is_foreign(layout, identity, tmp_path):
    other = ensure_signing_identity(tmp_path)
    forged = sign_pdf(render_certificate_pdf(make_snapshot(), layout), other, ISSUED_AT)
    assert verify_certificate_pdf(forged, other).authentic
    check = verify_certificate_pdf(forged, identity)
    assert (check.authentic, check.reason) == (False, "foreign_signer")


def test_an_unsigned_certificate_is_not_authentic(layout, identity):
    check = verify_certificate_pdf(render_certificate_pdf(make_snapshot(), layout), identity)
    assert (check.authentic, check.reason, check.public_id) == (False, "unsigned", "7Q2K-9MXD-4HRT-0B3V")


@pytest.mark.parametrize("junk", [b"", b"hello", b"%PDF-1.7\n garbage", b"\x00" * 5000,
                                  b"<html>%PDF-</html>"])
def test_junk_is_not_authentic_and_does_not_raise(junk, identity, signed):
    assert verify_certificate_pdf(junk, identity).authentic is False
    assert verify_certificate_pdf(signed[: len(signed) // 2], identity).authentic is False


def test_signing_identity_is_generated_once_with_a_private_key_file(tmp_path):
    first = ensure_signing_identity(tmp_path)
    again = ensure_signing_identity(tmp_path)
    assert first.fingerprint == again.fingerprint and len(first.fingerprint) == 64
    assert (tmp_path / "signing-key.pem").stat().st_mode & 0o777 == 0o600
    assert first.certificate.public_key().key_size == 3072


def test_configured_key_must_exist_and_match(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    ensure_signing_identity(a)
    ensure_signing_identity(b)
    loaded = ensure_signing_identity(tmp_path, a / "signing-key.pem", a / "signing-cert.pem")
    assert loaded.fingerprint == ensure_signing_identity(a).fingerprint
    with pytest.raises(SigningIdentityError, match="does not match"):
        ensure_signing_identity(tmp_path, a / "signing-key.pem", b / "signing-cert.pem")
    with pytest.raises(SigningIdentityError, match="does not exist"):
        ensure_signing_identity(tmp_path, tmp_path / "missing.pem", a / "signing-cert.pem")


def test_workers_starting_together_share_one_signing_identity(tmp_path):
    # Four processes ask for the identity at the same moment on a fresh instance
    # folder: exactly one key is generated and all four load it.
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; "
            "from courseware.certificates import ensure_signing_identity; "
            "print(ensure_signing_identity(Path(sys.argv[1])).fingerprint)")
    processes = [subprocess.Popen([sys.executable, "-c", code, str(tmp_path)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(4)]
    results = [process.communicate(timeout=60) for process in processes]
    assert all(process.returncode == 0 for process in processes), [err for _, err in results]
    assert len({out.strip() for out, _ in results}) == 1


def test_signing_and_checking_work_inside_a_running_event_loop(layout, identity):
    # An async server (or Playwright's sync API in this very suite) runs a loop in
    # the calling thread; pyHanko's own asyncio.run() would refuse to start there.
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    async def inside_a_loop() -> tuple[bool, str]:
        signed = sign_pdf(render_certificate_pdf(make_snapshot(), layout), identity, ISSUED_AT)
        check = verify_certificate_pdf(signed, identity)
        return check.authentic, check.reason

    # A thread of its own, so the loop is ours even if this thread already runs one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(asyncio.run, inside_a_loop()).result() == (True, "ok")
