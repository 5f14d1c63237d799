"""The upload check at /certificates/verify: anyone can drop a PDF and learn
whether we issued it, untouched, and whether it still stands."""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from courseware.certificates import (
    DEFAULT_BRANDING_DIR,
    DEFAULT_CHECK_LIMITS,
    CertificateSnapshot,
    SigningIdentity,
    ensure_signing_identity,
    load_layout,
    revoke_certificate,
    signed_certificate_pdf,
)
from courseware.certificates.sandbox import check_slot
from courseware.db import get_engine
from courseware.models import Certificate
from tests.helpers import Auth
from tests.hostile_pdfs import many_signature_fields, padded_object_streams

VERIFY = "/certificates/verify"
CLAIM = "/courses/basics/certificate"
CHAPTERS = ("/courses/basics/welcome/", "/courses/basics/data/", "/courses/basics/next/")


@pytest.fixture(scope="session")
def someone_elses_key(tmp_path_factory: pytest.TempPathFactory) -> SigningIdentity:
    return ensure_signing_identity(tmp_path_factory.mktemp("elsewhere"), issuer_name="Imitation")


@pytest.fixture
def visitor(app: Flask) -> Auth:
    """An employer with no account, checking a file they were sent."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return Auth(client)


def claim(auth: Auth, name: str):
    return auth.post(CLAIM, {"name": name, "confirm": "y"}, token_from=CLAIM)


@pytest.fixture
def issued(auth: Auth, visitor: Auth) -> tuple[str, bytes]:
    """Ana's certificate: its public ID and the PDF she downloaded."""
    auth.signup()
    for chapter in CHAPTERS:
        auth.complete(chapter)
    response = claim(auth, "Ana Dupont")
    assert response.status_code == 302
    public_id = response.headers["Location"].rsplit("/", 1)[1]
    pdf = visitor.client.get(f"/certificates/{public_id}.pdf")
    assert pdf.status_code == 200
    return public_id, pdf.data


def upload(visitor: Auth, data: bytes | None, filename: str = "certificate.pdf"):
    form: dict[str, object] = {"csrf_token": visitor.token(VERIFY)}
    if data is not None:
        form["pdf"] = (io.BytesIO(data), filename)
    response = visitor.client.post(VERIFY, data=form, content_type="multipart/form-data")
    response.get_data()
    # The test client spools big uploads to a temporary file that closing the
    # response leaves open (it closes only a wrapper around it).
    response.request.environ["wsgi.input"].close()
    return response


def verdict(response) -> str:  # type: ignore[no-untyped-def]
    """The status box's title and text, as one line."""
    html = response.get_data(as_text=True)
    match = re.search(r'<div class="status[^"]*" role="status">(.*?)</div>', html, re.S)
    assert match, html[-1500:]
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def snapshot_of(app: Flask, issued_id: str, **changes: object) -> CertificateSnapshot:
    with get_engine(app).connect() as connection:
        row = connection.execute(select(Certificate.__table__)
                                 .where(Certificate.public_id == issued_id)).one()
    snapshot = CertificateSnapshot.from_record(row, row.verification_url)
    return CertificateSnapshot(**{**snapshot.__dict__, **changes})


def test_the_form_is_open_to_anyone(visitor):
    response = visitor.client.get(VERIFY)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'type="file"' in html and 'enctype="multipart/form-data"' in html


def test_an_authentic_certificate(visitor, issued):
    public_id, pdf = issued
    response = upload(visitor, pdf)
    assert response.status_code == 200
    text = verdict(response)
    assert text.startswith("Authentic certificate")
    assert "Issued to Ana Dupont for “Les bases”." in text
    assert f'href="/certificates/{public_id}"' in response.get_data(as_text=True)


@pytest.mark.parametrize("where", [0.1, 0.5, 0.97], ids=["start", "middle", "end"])
def test_one_changed_byte_is_noticed(visitor, issued, where):
    _, pdf = issued
    tampered = bytearray(pdf)
    tampered[int(len(pdf) * where)] ^= 0x01
    response = upload(visitor, bytes(tampered))
    assert response.status_code == 200
    assert verdict(response).startswith("Not authentic")


def test_a_pdf_signed_with_another_key(app, visitor, issued, someone_elses_key):
    public_id, _ = issued
    layout = load_layout(DEFAULT_BRANDING_DIR)
    forged = signed_certificate_pdf(snapshot_of(app, public_id), layout, someone_elses_key)
    text = verdict(upload(visitor, forged))
    assert text.startswith("Not authentic")
    assert "signed by someone else" in text


def test_our_signature_on_an_id_we_never_issued(app, visitor, issued, signing):
    public_id, _ = issued
    layout = load_layout(DEFAULT_BRANDING_DIR)
    unknown = snapshot_of(app, public_id, public_id="0000-0000-0000-0000")
    stray = signed_certificate_pdf(unknown, layout, signing[0])
    assert verdict(upload(visitor, stray)).startswith("Unknown certificate")


def test_an_unsigned_pdf(visitor):
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(100, 700, "Certificate of completion - Ana Dupont")
    canvas.save()
    text = verdict(upload(visitor, out.getvalue()))
    assert text.startswith("Not authentic")
    assert "carries no digital signature" in text


@pytest.mark.parametrize("data", [b"\x00\xffnot a pdf at all" * 50, b"", b"%PDF-1.7\n%%EOF\n"],
                         ids=["junk", "empty", "truncated"])
def test_files_that_are_not_certificates_get_a_message(visitor, data):
    response = upload(visitor, data)
    assert response.status_code in (200, 400)
    text = verdict(response)
    assert text.startswith("Not authentic")
    assert "not a readable PDF" in text or "no digital signature" in text


def test_no_file_chosen(visitor):
    response = upload(visitor, None)
    assert response.status_code == 400
    assert "Please choose a PDF file." in response.get_data(as_text=True)


def test_a_file_over_4_mb_is_refused_with_a_message(visitor, issued):
    _, pdf = issued
    big = pdf + b"\n%" + b"x" * (4 * 1024 * 1024)
    response = upload(visitor, big)
    assert response.status_code == 400
    assert "The file is larger than 4 MB." in response.get_data(as_text=True)


def test_a_revoked_certificate(app, visitor, issued):
    public_id, pdf = issued
    with Session(get_engine(app)) as session:
        revoke_certificate(session, public_id, "fraud", datetime.now(UTC))
        session.commit()
    response = upload(visitor, pdf)
    assert response.status_code == 200
    assert verdict(response).startswith("Revoked certificate")


def test_a_replaced_certificate_points_to_the_new_one(visitor, auth, issued):
    old_id, old_pdf = issued
    response = claim(auth, "Ana Dupont-Martin")
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    assert new_id != old_id
    replaced = upload(visitor, old_pdf)
    assert verdict(replaced).startswith("Replaced certificate")
    assert f'href="/certificates/{new_id}"' in replaced.get_data(as_text=True)
    current = visitor.client.get(f"/certificates/{new_id}.pdf").data
    assert verdict(upload(visitor, current)).startswith("Authentic certificate")


def test_uploading_needs_the_form_token(visitor: Auth, issued):
    client: FlaskClient = visitor.client
    response = client.post(VERIFY, data={"pdf": (io.BytesIO(issued[1]), "c.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Authentic certificate" not in response.get_data(as_text=True)


HOSTILE = {
    "object-streams": padded_object_streams,  # 171 KB; pyHanko alone scans it for ~1 min
    "signature-fields": many_signature_fields,  # 60,000 fields in ~1.3 MB
    "decompression": lambda: padded_object_streams(count=4),  # under the count cap, over the size cap
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_file_gets_a_could_not_be_checked_page_and_one_log_line(visitor, name, caplog):
    caplog.set_level(logging.INFO)
    response = upload(visitor, HOSTILE[name]())
    assert response.status_code == 422
    text = verdict(response)
    assert text.startswith("This file could not be checked")
    assert "too large or too complex to be checked safely" in text
    lines = [r for r in caplog.records if r.name.startswith("courseware.certificates")]
    assert [r.getMessage().split(" (")[0] for r in lines] == ["certificate check refused: too_complex"]
    assert lines[0].exc_info is None and "Traceback" not in caplog.text


def test_the_could_not_be_checked_page_in_french(app):
    client = app.test_client()
    client.set_cookie("lang", "fr")
    response = upload(Auth(client), padded_object_streams())
    assert response.status_code == 422
    assert verdict(response).startswith("Ce fichier n’a pas pu être vérifié")


def test_when_every_checking_slot_is_taken_the_visitor_is_asked_to_retry(app, visitor, issued):
    with check_slot(Path(app.config["INSTANCE_DIR"]), DEFAULT_CHECK_LIMITS.checks_at_once, 0):
        response = upload(visitor, issued[1])
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert verdict(response).startswith("This file could not be checked Too many files")
    assert verdict(upload(visitor, issued[1])).startswith("Authentic certificate")


# -- Looking up an ID typed from paper -------------------------------------------------


def test_the_page_has_a_box_for_a_certificate_id(visitor):
    html = visitor.client.get(VERIFY).get_data(as_text=True)
    assert re.search(r'<form method="get" action="/certificates/verify"[^>]*>', html)
    assert 'name="certificate"' in html and "Certificate ID" in html


@pytest.mark.parametrize("typed", ["{id}", "{lower}", "{bare}"])
def test_a_typed_id_leads_to_the_certificate_page(visitor, issued, typed):
    public_id, _ = issued
    text = typed.format(id=public_id, lower=public_id.lower(), bare=public_id.replace("-", " "))
    response = visitor.client.get(VERIFY, query_string={"certificate": text})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/certificates/{public_id}"


def test_an_id_we_never_issued_is_explained(visitor, issued):
    response = visitor.client.get(VERIFY, query_string={"certificate": "ABCD-EFGH-JKMN-PQRS"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No certificate has this ID" in html and 'aria-invalid="true"' in html
    assert 'value="ABCD-EFGH-JKMN-PQRS"' in html  # kept, to correct a character


@pytest.mark.parametrize("typed", ["", "ABCD", "ABCD-EFGH-JKMN-PQRU", "x" * 5000, "<script>"])
def test_a_malformed_id_gets_a_clear_400(visitor, typed):
    response = visitor.client.get(VERIFY, query_string={"certificate": typed})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<script>" not in html
    assert ("16 letters and digits" in html) or ("Please type the certificate ID" in html)


def test_the_id_box_in_french(app):
    client = app.test_client()
    client.set_cookie("lang", "fr")
    html = client.get(VERIFY, query_string={"certificate": "nope"}).get_data(as_text=True)
    assert "16 lettres et chiffres" in html
