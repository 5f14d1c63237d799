"""A duration reads the same on the course page as on the certificate PDF, in both
languages: "45 min", "1 h", "3 h 25 min", "6 h" (never "6 h 00 min" or "3 h 25")."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from courseware.web.certificate_support import certificate_files
from tests.helpers import COURSE_YAML, write_course

EXPECTED = {45: "45 min", 60: "1 h", 205: "3 h 25 min", 360: "6 h"}


@pytest.fixture(params=sorted(EXPECTED))
def minutes(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture
def course_dir(tmp_path: Path, minutes: int) -> Path:
    """A one-chapter course that takes `minutes`, so the page shows that duration."""
    content = tmp_path / "content"
    folder = write_course(content / "basics", COURSE_YAML, {"01-welcome.md": ("Bienvenue", "Bonjour.\n")})
    (folder / "01-welcome.md").write_text(
        f"---\ntitle: Bienvenue\nminutes: {minutes}\n---\nBonjour.\n", encoding="utf-8")
    return content


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_course_page_and_the_certificate_write_a_duration_alike(
        app: Flask, client: FlaskClient, minutes: int, language: str) -> None:
    client.set_cookie("lang", language)
    page = client.get("/courses/basics/").get_data(as_text=True)
    with app.app_context():
        on_the_pdf = certificate_files().layout.wording_for(language).duration_text(minutes)
    assert on_the_pdf == EXPECTED[minutes]
    assert f'<span class="meta" lang="{language}">{on_the_pdf}</span>' in page  # the chapter's duration
