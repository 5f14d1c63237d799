"""The admin pages for organisations and links, as an admin uses them."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from courseware.db import get_engine
from courseware.models import AuditEntry, Organisation, OrganisationManager, TrackingLink, User
from courseware.organisations.directory import create_organisation
from tests.helpers import Auth, csrf_token

SVG_LOGO = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'


def png(width: int = 120, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 60, 160)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def admin(app, client, auth) -> Auth:
    auth.signup(email="admin@example.org", name="Admin")
    with Session(get_engine(app)) as session:
        session.scalar(select(User).where(User.email == "admin@example.org")).role = "admin"
        session.commit()
    return auth


def create(client, **fields) -> object:
    token = csrf_token(client.get("/admin/organisations/new"))
    data = {"csrf_token": token, "name": "Gendarmerie nationale", "slug": "gendarmerie",
            "linkedin_id": "", "contact_name": "", "contact_email": "", **fields}
    return client.post("/admin/organisations/new", data=data, content_type="multipart/form-data")


def stored(app, slug: str = "gendarmerie") -> Organisation | None:
    with Session(get_engine(app)) as session:
        return session.scalar(select(Organisation).where(Organisation.slug == slug))


def test_create_an_organisation_with_a_logo_then_two_links(app, client, admin):
    response = create(client, linkedin_id="1234", contact_name="Cne Martin",
                      contact_email="com@gendarmerie.fr", logo=(io.BytesIO(png()), "logo.png"))
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/organisations/gendarmerie/"
    organisation = stored(app)
    assert organisation.logo_type == "image/png" and organisation.linkedin_id == "1234"
    logo = client.get("/admin/organisations/gendarmerie/logo")
    assert logo.mimetype == "image/png" and "sandbox" in logo.headers["Content-Security-Policy"]

    page = client.get("/admin/organisations/gendarmerie/")
    token = csrf_token(page)
    assert client.post("/admin/organisations/gendarmerie/links", data={
        "csrf_token": token, "label": "Officiers", "course": "basics", "utm_source": "",
        "utm_campaign": ""}).status_code == 302
    assert client.post("/admin/organisations/gendarmerie/links", data={
        "csrf_token": token, "label": "Réservistes", "course": "", "utm_source": "intranet",
        "utm_campaign": "reserve"}).status_code == 302
    with Session(get_engine(app)) as session:
        links = {link.label: link for link in session.scalars(select(TrackingLink))}
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert links["Officiers"].course_slug == "basics" and links["Réservistes"].course_slug is None
    assert actions == ["organisation.create", "link.create", "link.create"]

    client.get(f"/go/{links['Officiers'].code}")
    client.get(f"/go/{links['Officiers'].code}")
    page = client.get("/admin/organisations/gendarmerie/").get_data(as_text=True)
    assert f"http://courseware.test/go/{links['Officiers'].code}" in page
    assert "utm_campaign=reserve" in page
    row = page.split("Officiers</th>", 1)[1].split("</tr>", 1)[0]
    assert '<td class="number">2</td>' in row

    listing = client.get("/admin/organisations/").get_data(as_text=True)
    assert "Gendarmerie nationale" in listing and '<td class="number">2</td>' in listing


def test_the_qr_code_and_the_poster(app, client, admin, tmp_path):
    create(client, logo=(io.BytesIO(png()), "logo.png"))
    token = csrf_token(client.get("/admin/organisations/gendarmerie/"))
    client.post("/admin/organisations/gendarmerie/links", data={
        "csrf_token": token, "label": "Gendarmerie — réservistes", "course": ""})
    with Session(get_engine(app)) as session:
        code = session.scalar(select(TrackingLink.code))

    qr = client.get(f"/admin/organisations/gendarmerie/links/{code}/qr.svg")
    assert qr.status_code == 200 and qr.mimetype == "image/svg+xml"
    assert qr.data.startswith(b"<?xml") and b"<svg" in qr.data
    assert f"http://courseware.test/go/{code}".encode() in qr.data  # its title

    poster = client.get(f"/admin/organisations/gendarmerie/links/{code}/poster.pdf")
    assert poster.status_code == 200 and poster.mimetype == "application/pdf"
    path = tmp_path / "poster.pdf"
    path.write_bytes(poster.data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout
    for expected in ("Gendarmerie nationale", "Gendarmerie — réservistes", "Les bases",
                     f"courseware.test/go/{code}"):
        assert expected in text, (expected, text)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    assert "(A4)" in info
    assert re.search(r"^Pages:\s+1$", info, re.M)

    assert client.get("/admin/organisations/gendarmerie/links/zzzzzz/poster.pdf").status_code == 404
    with Session(get_engine(app)) as session:
        other = create_organisation(session, slug="other", name="Other", now=datetime.now(UTC))
        session.commit()
        assert other.id
    # A link is only reachable under its own organisation.
    assert client.get(f"/admin/organisations/other/links/{code}/qr.svg").status_code == 404


@pytest.mark.parametrize(("logo", "message"), [
    (b"GIF89a" + b"\0" * 20, "must be a PNG, JPEG or SVG"),
    (b"\x89PNG\r\n\x1a\n" + b"broken", "must be a PNG, JPEG or SVG"),
    (png(1000, 1000) + b"\0" * 210_000, "larger than 200 KB"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "scripts"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "scripts"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink">'
     b'<image x:href="https://tracker.example/p.png"/></svg>', "external references"),
    (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]><svg>&a;</svg>', "scripts"),
])
def test_a_bad_logo_is_refused_with_a_clear_message(app, client, admin, logo, message):
    response = create(client, logo=(io.BytesIO(logo), "logo.bin"))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert stored(app) is None


def test_an_svg_logo_is_accepted(app, client, admin):
    assert create(client, logo=(io.BytesIO(SVG_LOGO), "logo.svg")).status_code == 302
    assert stored(app).logo_type == "image/svg+xml"
    poster_free = stored(app)
    assert poster_free.logo == SVG_LOGO


def test_form_errors(app, client, admin):
    assert create(client).status_code == 302
    taken = create(client, name="Another")
    assert taken.status_code == 400
    assert "Another organisation already uses this slug." in taken.get_data(as_text=True)
    bad = create(client, slug="Not A Slug", contact_email="nope")
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "lower-case letters, digits and single hyphens" in page
    assert "does not look valid" in page

    token = csrf_token(client.get("/admin/organisations/gendarmerie/"))
    lone = client.post("/admin/organisations/gendarmerie/links", data={
        "csrf_token": token, "label": "L", "course": "", "utm_source": "intranet"})
    assert lone.status_code == 400
    assert "Give both utm_source and utm_campaign" in lone.get_data(as_text=True)
    assert client.post("/admin/organisations/gendarmerie/links", data={
        "csrf_token": token, "label": "L", "course": "", "utm_source": "s",
        "utm_campaign": "c"}).status_code == 302
    taken_pair = client.post("/admin/organisations/gendarmerie/links", data={
        "csrf_token": token, "label": "M", "course": "", "utm_source": "s", "utm_campaign": "c"})
    assert taken_pair.status_code == 400
    assert "already uses this utm_source and utm_campaign pair" in taken_pair.get_data(as_text=True)
    no_course = client.post("/admin/organisations/gendarmerie/links", data={
        "csrf_token": token, "label": "N", "course": "nope"})
    assert no_course.status_code == 400
    assert client.get("/admin/organisations/nope/").status_code == 404


def test_add_and_remove_a_manager(app, client, admin, second_auth):
    second_auth.signup(email="chef@gendarmerie.fr", name="Cne Martin")
    create(client)
    token = csrf_token(client.get("/admin/organisations/gendarmerie/"))
    unknown = client.post("/admin/organisations/gendarmerie/managers",
                          data={"csrf_token": token, "email": "nobody@example.org"})
    assert unknown.status_code == 400
    assert "No account uses this e-mail address" in unknown.get_data(as_text=True)
    for _twice in range(2):
        response = client.post("/admin/organisations/gendarmerie/managers",
                               data={"csrf_token": token, "email": "Chef@Gendarmerie.fr"})
        assert response.status_code == 302
    page = client.get("/admin/organisations/gendarmerie/").get_data(as_text=True)
    assert "chef@gendarmerie.fr" in page
    with Session(get_engine(app)) as session:
        assert session.query(OrganisationManager).count() == 1
    assert client.post("/admin/organisations/gendarmerie/managers/remove",
                       data={"email": "chef@gendarmerie.fr"}).status_code == 400  # no CSRF token
    response = client.post("/admin/organisations/gendarmerie/managers/remove",
                           data={"csrf_token": token, "email": "chef@gendarmerie.fr"})
    assert response.status_code == 302
    with Session(get_engine(app)) as session:
        assert session.query(OrganisationManager).count() == 0
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["organisation.create", "manager.add", "manager.remove"]
