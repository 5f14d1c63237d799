"""`courseware keys init` and `courseware certificates revoke|verify`, run as an
administrator runs them: a separate process configured by COURSEWARE_* variables."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from flask import Flask
from flask.testing import FlaskClient

from tests.helpers import Auth, cli_environment
from tests.hostile_pdfs import padded_object_streams

REPO = Path(__file__).parents[2]
CLAIM = "/courses/basics/certificate"
CHAPTERS = ("/courses/basics/welcome/", "/courses/basics/data/", "/courses/basics/next/")


@pytest.fixture
def environment(app: Flask, app_config: dict) -> dict[str, str]:
    """The same instance, content, database and key as the web app under test."""
    return cli_environment(app, app_config)


def courseware(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "courseware.cli", *args], cwd=REPO,
                            env=environment, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr[-2000:]
    return result


def in_parallel(*calls: tuple) -> list[subprocess.CompletedProcess]:
    """Independent commands at once: each spends most of its time importing."""
    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(lambda call: courseware(*call), calls))


@pytest.fixture
def page(client: FlaskClient) -> FlaskClient:
    client.set_cookie("lang", "en")
    return client


@pytest.fixture
def issued(auth: Auth, page: FlaskClient, tmp_path: Path) -> tuple[str, Path]:
    """Ana's certificate: its public ID and the PDF she downloaded, saved to a file."""
    auth.signup()
    for chapter in CHAPTERS:
        auth.complete(chapter)
    response = auth.post(CLAIM, {"name": "Ana Dupont", "confirm": "y"}, token_from=CLAIM)
    assert response.status_code == 302
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    pdf = tmp_path / "ana.pdf"
    pdf.write_bytes(page.get(f"/certificates/{public_id}.pdf").data)
    return public_id, pdf


def test_keys_init_prints_the_fingerprint_and_can_run_again(tmp_path, course_dir):
    environment = {
        "PATH": "/usr/bin:/bin",
        "COURSEWARE_INSTANCE_DIR": str(tmp_path / "instance"),
        "COURSEWARE_CONTENT_DIR": str(course_dir),
        "COURSEWARE_SECRET_KEY": "cli-test-key",
    }
    first = courseware(environment, "keys", "init")
    assert first.returncode == 0, first.stderr
    certificate = x509.load_pem_x509_certificate(
        (tmp_path / "instance" / "signing-cert.pem").read_bytes())
    fingerprint = hashlib.sha256(certificate.public_bytes(serialization.Encoding.DER)).hexdigest()
    assert f"SHA-256 fingerprint: {fingerprint}" in first.stdout.splitlines()
    key_file = tmp_path / "instance" / "signing-key.pem"
    key_before = key_file.read_bytes()
    second = courseware(environment, "keys", "init")
    assert second.returncode == 0, second.stderr
    assert f"SHA-256 fingerprint: {fingerprint}" in second.stdout.splitlines()
    assert key_file.read_bytes() == key_before


def test_verify_then_revoke_then_verify(environment, issued, page, tmp_path):
    public_id, pdf = issued
    tampered = bytearray(pdf.read_bytes())
    tampered[len(tampered) // 2] ^= 0x01
    (tmp_path / "tampered.pdf").write_bytes(bytes(tampered))

    genuine, altered = in_parallel((environment, "certificates", "verify", str(pdf)),
                                   (environment, "certificates", "verify",
                                    str(tmp_path / "tampered.pdf")))
    assert genuine.returncode == 0, genuine.stderr
    assert genuine.stdout.startswith(f"authentic: {public_id}, Ana Dupont, Les bases")
    assert altered.returncode == 1
    assert "NOT VALID" in altered.stderr and "authentic:" not in altered.stdout

    # Typed from paper: lower case and without hyphens is the same certificate.
    revoked = courseware(environment, "certificates", "revoke",
                         public_id.replace("-", "").lower(), "--reason", "fraud")
    assert revoked.returncode == 0, revoked.stderr
    assert f"certificate {public_id} revoked" in revoked.stdout
    html = page.get(f"/certificates/{public_id}").get_data(as_text=True)
    assert "This certificate has been revoked" in html and "Reason: fraud" in html
    assert "Valid certificate" not in html

    after = courseware(environment, "certificates", "verify", str(pdf))
    assert after.returncode == 1
    assert "revoked" in after.stderr and "authentic:" not in after.stdout


def test_revoking_an_unknown_or_malformed_id(environment, page):
    unknown, malformed = in_parallel(
        (environment, "certificates", "revoke", "0000-0000-0000-0000", "--reason", "fraud"),
        (environment, "certificates", "revoke", "not-an-id", "--reason", "fraud"))
    assert unknown.returncode == 1
    assert "Error: no certificate 0000-0000-0000-0000" in unknown.stderr.splitlines()
    assert malformed.returncode == 1
    assert "'not-an-id' is not a certificate ID" in malformed.stderr


def test_verifying_a_file_that_does_not_exist(tmp_path):
    result = courseware({"PATH": "/usr/bin:/bin", "COURSEWARE_INSTANCE_DIR": str(tmp_path)},
                        "certificates", "verify", str(tmp_path / "missing.pdf"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr



def test_verifying_a_hostile_file_says_it_could_not_be_checked(environment, tmp_path):
    hostile = tmp_path / "hostile.pdf"
    hostile.write_bytes(padded_object_streams())
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b" " * (5 * 1024 * 1024))
    padded, too_big = in_parallel((environment, "certificates", "verify", str(hostile)),
                                  (environment, "certificates", "verify", str(big)))
    assert padded.returncode == 1
    assert f"NOT CHECKED: {hostile}: too large or too complex to check safely (too_complex)" \
        in padded.stderr.splitlines()
    assert too_big.returncode == 1 and "(too_large)" in too_big.stderr
    assert sum("certificate check refused" in line for line in padded.stderr.splitlines()) == 1


def test_a_foreign_signature_is_explained_in_the_web_page_words(app, environment, issued, tmp_path):
    """The CLI says what the upload page says (verdict_wording), then the code for scripts."""
    from sqlalchemy import select

    from courseware.certificates import (
        DEFAULT_BRANDING_DIR,
        CertificateSnapshot,
        ensure_signing_identity,
        load_layout,
        signed_certificate_pdf,
    )
    from courseware.db import get_engine
    from courseware.models import Certificate

    public_id, _pdf = issued
    with get_engine(app).connect() as connection:
        row = connection.execute(select(Certificate.__table__)
                                 .where(Certificate.public_id == public_id)).one()
    imitation = ensure_signing_identity(tmp_path / "elsewhere", issuer_name="Imitation")
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(signed_certificate_pdf(CertificateSnapshot.from_record(row, row.verification_url),
                                              load_layout(DEFAULT_BRANDING_DIR), imitation))
    result = courseware(environment, "certificates", "verify", str(forged))
    assert result.returncode == 1
    assert (f"NOT VALID: {forged}: Not authentic. This PDF was signed by someone else, "
            "not by this platform. (foreign_signer)") in result.stderr.splitlines()
