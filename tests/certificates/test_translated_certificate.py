"""A certificate printed in another language of its course: same ID, translated wording,
title and date, and a signature that verifies."""

from __future__ import annotations

from courseware.certificates import (
    render_certificate_pdf,
    signed_certificate_pdf,
    verify_certificate_pdf,
)

from .conftest import make_snapshot, write
from .test_pdf import pdftotext


def test_in_language_changes_only_the_language_and_the_title():
    french = make_snapshot()
    english = french.in_language("en", "The basics of artificial intelligence")
    assert (english.course_language, english.course_title) == ("en", "The basics of artificial intelligence")
    assert (english.public_id, english.printed_name, english.issued_at, english.issuer,
            english.duration_minutes, english.verify_url, english.graded) == \
        (french.public_id, french.printed_name, french.issued_at, french.issuer,
         french.duration_minutes, french.verify_url, french.graded)


def test_the_english_print_of_a_french_certificate(layout, identity, tmp_path):
    french = make_snapshot(graded=True)
    english = french.in_language("en", "The basics of artificial intelligence")
    lines = pdftotext(write(tmp_path, render_certificate_pdf(english, layout)))
    assert "Certificate of Completion" in lines
    assert "for successfully completing the course" in lines
    assert "The basics of artificial intelligence" in lines
    assert "Duration: 5 h 30 min · Issued on 22 November 2026" in lines
    assert "7Q2K-9MXD-4HRT-0B3V" in lines
    for snapshot in (french, english):
        check = verify_certificate_pdf(signed_certificate_pdf(snapshot, layout, identity), identity)
        assert check.authentic and check.public_id == "7Q2K-9MXD-4HRT-0B3V"
