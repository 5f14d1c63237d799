"""Certificates through the browser's eyes: claiming, the public page, the PDF,
LinkedIn links, correcting the name, and what deleting the account does to them.

The PDF and signature internals are tested in tests/certificates/; here every
check is something a learner, an employer or a visitor would notice.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from babel.dates import format_date
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import Engine, func, select

from courseware import create_app
from courseware.certificates import (
    DEFAULT_BRANDING_DIR,
    SigningIdentity,
    unsupported_characters,
    verify_certificate_pdf,
)
from courseware.db import get_engine
from courseware.models import Certificate, User
from tests.helpers import COURSE_YAML, Auth, write_course

CLAIM = "/courses/basics/certificate"
CHAPTERS = ("/courses/basics/welcome/", "/courses/basics/data/", "/courses/basics/next/")
ID_PATTERN = re.compile(r"^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")
BASE_URL = "http://courseware.test"
PASSWORD = "un mot de passe solide"


@pytest.fixture
def identity(signing: tuple[SigningIdentity, Path]) -> SigningIdentity:
    return signing[0]


# -- helpers ---------------------------------------------------------------------------


class Page(HTMLParser):
    """The links, meta tags, scripts and inputs of an HTML page (attributes unescaped)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.meta: dict[str, str] = {}
        self.scripts: list[str | None] = []
        self.inputs: list[dict[str, str | None]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        elif tag == "meta" and attributes.get("property"):
            self.meta[str(attributes["property"])] = str(attributes.get("content"))
        elif tag == "script":
            self.scripts.append(attributes.get("src"))
        elif tag == "input":
            self.inputs.append(attributes)


def english(client: FlaskClient) -> FlaskClient:
    client.set_cookie("lang", "en")
    return client


def complete_course(auth: Auth) -> None:
    for chapter in CHAPTERS:
        assert auth.complete(chapter).status_code == 302


def claim(auth: Auth, name: str = "Ana Dupont", confirm: bool = True):
    data = {"name": name, **({"confirm": "y"} if confirm else {})}
    return auth.post(CLAIM, data, token_from=CLAIM)


def learner_with_certificate(auth: Auth, name: str = "Ana Dupont") -> str:
    """Sign up, finish the course, claim: the certificate's public ID."""
    auth.signup()
    complete_course(auth)
    response = claim(auth, name)
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    return response.headers["Location"].rsplit("/", 1)[1]


def certificate_rows(app: Flask) -> list:
    with get_engine(app).connect() as connection:
        return list(connection.execute(
            select(Certificate.__table__).order_by(Certificate.id)))


def count_certificates(app: Flask) -> int:
    with get_engine(app).connect() as connection:
        return connection.scalar(select(func.count()).select_from(Certificate.__table__))


def text_of_pdf(tmp_path: Path, body: bytes) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(body)
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, check=True, timeout=30)
    return " ".join(result.stdout.decode("utf-8").split())


def close_app(app: Flask) -> None:
    """Close every connection pool of an extra app made inside a test."""
    for extension in app.extensions.values():
        if isinstance(extension, Engine):
            extension.dispose()


@pytest.fixture
def anonymous(app: Flask) -> FlaskClient:
    return english(app.test_client())


# -- 1. issuing only when the course is complete ---------------------------------------


def test_no_certificate_before_every_chapter_is_done(app, client, auth):
    auth.signup()
    auth.complete(CHAPTERS[0])
    for response in (client.get(CLAIM), claim(auth)):
        assert response.status_code == 403
        html = response.get_data(as_text=True)
        assert "Almost there" in html
        still_to_do = re.search(r"Still to do:</p>\s*<ul[^>]*>(.*?)</ul>", html, re.S).group(1)
        assert Page(still_to_do).links == ["/courses/basics/data/", "/courses/basics/next/"]
        assert "Les données" in still_to_do and "Et ensuite" in still_to_do
    assert count_certificates(app) == 0
    # Nothing offers a certificate yet.
    for url in ("/courses/basics/", CHAPTERS[-1]):
        assert CLAIM not in Page(client.get(url).get_data(as_text=True)).links


def test_claiming_needs_an_account(client, auth):
    response = client.get(CLAIM)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"
    assert dict(parse_qsl(urlsplit(response.headers["Location"]).query))["next"] == CLAIM
    response = auth.post(CLAIM, {"name": "Ana", "confirm": "y"}, token_from="/login")
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/login"


def test_a_finished_course_offers_the_certificate_with_the_account_name(client, auth):
    auth.signup()
    complete_course(auth)
    for url in ("/courses/basics/", CHAPTERS[-1]):
        html = client.get(url).get_data(as_text=True)
        assert "Get my certificate" in html
        assert CLAIM in Page(html).links
    form = client.get(CLAIM)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    name_input = next(i for i in Page(html).inputs if i.get("name") == "name")
    assert name_input["value"] == "Ana Dupont"
    assert "The name will appear exactly as typed here" in html


def test_the_name_must_be_confirmed(app, auth):
    auth.signup()
    complete_course(auth)
    response = claim(auth, confirm=False)
    assert response.status_code == 400
    assert "Please confirm the name as it will be printed." in response.get_data(as_text=True)
    assert count_certificates(app) == 0


@pytest.mark.parametrize("name", ["Ana 😀", "अनन्या शर्मा"], ids=["emoji", "devanagari"])
def test_a_name_no_font_can_print_is_refused_with_the_characters(app, auth, name):
    missing = unsupported_characters(name)
    assert missing  # the premise: no shipped font covers these
    auth.signup()
    complete_course(auth)
    response = claim(auth, name)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    message = re.search(r"These characters cannot be printed on the certificate: ([^<]*)", html)
    assert message, html[-1500:]
    assert set(message.group(1).split(". Please")[0].split()) == missing
    assert count_certificates(app) == 0


@pytest.mark.parametrize("name", [
    "Éloïse Çağlar-Nguyễn", "Ελένη Παπαδοπούλου", "Анна Кузнецова", "فاطمة الزهراء", "王小明",
], ids=["latin", "greek", "cyrillic", "arabic", "chinese"])
def test_names_in_supported_scripts_are_issued(app, auth, anonymous, name):
    public_id = learner_with_certificate(auth, name)
    assert ID_PATTERN.match(public_id)
    [row] = certificate_rows(app)
    assert row.printed_name == name
    html = anonymous.get(f"/certificates/{public_id}").get_data(as_text=True)
    assert f'<span class="certificate-name">{name}</span>' in html


def test_the_certificate_records_what_it_certifies(app, client, auth, identity):
    before = datetime.now(UTC).replace(microsecond=0)
    response = (auth.signup(), complete_course(auth), claim(auth))[-1]
    after = datetime.now(UTC)
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).path == location and location.startswith("/certificates/")
    public_id = location.removeprefix("/certificates/")
    assert ID_PATTERN.match(public_id)
    assert "Congratulations! Here is your certificate." in client.get(location).get_data(as_text=True)

    course = app.extensions["courseware.library"].course("basics")
    [row] = certificate_rows(app)
    assert row.public_id == public_id
    assert row.printed_name == "Ana Dupont"
    assert (row.course_slug, row.course_title, row.course_language) == ("basics", "Les bases", "fr")
    assert row.content_version == course.content_version
    assert row.duration_minutes == course.total_minutes
    assert row.issuer == "Académie de test"
    assert before <= row.issued_at <= after
    assert row.status == "valid"
    assert row.verification_url == f"{BASE_URL}/certificates/{public_id}"
    assert row.signer_fingerprint == identity.fingerprint
    # A snapshot: renaming the account later changes nothing on the certificate.
    auth.post("/account/name", {"name": "Somebody Else"}, token_from="/account/")
    html = client.get(location).get_data(as_text=True)
    assert "Ana Dupont" in html and "Somebody Else" not in html


def test_a_double_click_gives_one_certificate(app, auth):
    auth.signup()
    complete_course(auth)
    first, second = claim(auth), claim(auth)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert count_certificates(app) == 1


# -- 3. the public page ----------------------------------------------------------------


def test_the_public_page_needs_no_login(app, auth, anonymous, identity):
    public_id = learner_with_certificate(auth)
    [row] = certificate_rows(app)
    response = anonymous.get(f"/certificates/{public_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Valid certificate" in html
    assert '<span class="certificate-name">Ana Dupont</span>' in html
    assert "Les bases" in html and "Académie de test" in html
    assert format_date(row.issued_at, "long", locale="en") in html
    assert "<dd>3 min</dd>" in html  # three one-minute chapters
    assert f"<code>{public_id}</code>" in html
    grouped = ":".join(re.findall("..", identity.fingerprint)).upper()
    assert grouped in html
    page = Page(html)
    assert f"/certificates/{public_id}.pdf" in page.links
    page_url = f"{BASE_URL}/certificates/{public_id}"
    assert page.meta["og:url"] == page_url
    assert page.meta["og:title"] == "Ana Dupont completed “Les bases”"
    assert "Académie de test" in page.meta["og:description"]
    assert page.meta["og:image"] == f"{page_url}.png"

    image = anonymous.get(urlsplit(page.meta["og:image"]).path)
    assert image.status_code == 200
    assert image.mimetype == "image/png"
    with Image.open(io.BytesIO(image.data)) as picture:
        assert picture.format == "PNG"
        assert picture.size == (1200, 630)


def test_an_id_typed_loosely_redirects_to_the_canonical_address(auth, anonymous):
    public_id = learner_with_certificate(auth)
    for typed in (public_id.lower(), public_id.replace("-", ""), public_id.replace("-", "").lower()):
        response = anonymous.get(f"/certificates/{typed}")
        assert response.status_code == 301
        assert response.headers["Location"] == f"/certificates/{public_id}"


@pytest.mark.parametrize("path", [
    "/certificates/0000-0000-0000-0000",
    "/certificates/0000-0000-0000-0000.pdf",
    "/certificates/0000-0000-0000-0000.png",
    "/certificates/not-a-certificate",
    "/certificates/UUUU-UUUU-UUUU-UUUU",
    "/certificates/" + "A" * 80,
])
def test_unknown_or_malformed_ids_are_not_found(anonymous, path):
    response = anonymous.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_certificate_lookups_are_rate_limited(app_config, auth):
    public_id = learner_with_certificate(auth)
    limited = create_app({**app_config, "RATELIMIT_ENABLED": True,
                          "CERTIFICATE_RATE_LIMIT": "5 per minute"})
    try:
        visitor = english(limited.test_client())
        lookups = [f"/certificates/{public_id}", f"/certificates/{public_id}.pdf",
                   f"/certificates/{public_id}.png", "/certificates/0000-0000-0000-0000",
                   f"/certificates/{public_id.lower()}"]
        assert [visitor.get(url).status_code for url in lookups] == [200, 200, 200, 404, 301]
        for url in (f"/certificates/{public_id}", "/certificates/1111-1111-1111-1111"):
            response = visitor.get(url)
            assert response.status_code == 429
            assert "Too many attempts" in response.get_data(as_text=True)
    finally:
        close_app(limited)


# -- 4. the PDF ------------------------------------------------------------------------


def test_the_pdf_is_signed_stable_and_shows_the_name(app, app_config, auth, anonymous, identity,
                                                     tmp_path):
    public_id = learner_with_certificate(auth, "Éloïse Çağlar-Nguyễn")
    first = anonymous.get(f"/certificates/{public_id}.pdf")
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    assert anonymous.get(f"/certificates/{public_id}.pdf").data == first.data
    assert "Éloïse Çağlar-Nguyễn" in text_of_pdf(tmp_path, first.data)
    check = verify_certificate_pdf(first.data, identity)
    assert (check.authentic, check.public_id) == (True, public_id)
    # Another server process on the same database and key makes the very same file.
    other = create_app(app_config)
    try:
        assert english(other.test_client()).get(f"/certificates/{public_id}.pdf").data == first.data
    finally:
        close_app(other)


# -- 5. LinkedIn -----------------------------------------------------------------------


def test_the_owner_gets_linkedin_links_and_values_to_copy(app, client, auth):
    public_id = learner_with_certificate(auth)
    [row] = certificate_rows(app)
    html = client.get(f"/certificates/{public_id}").get_data(as_text=True)
    page = Page(html)
    page_url = f"{BASE_URL}/certificates/{public_id}"
    [add] = [link for link in page.links if link.startswith("https://www.linkedin.com/profile/add")]
    assert parse_qsl(urlsplit(add).query) == [
        ("startTask", "CERTIFICATION_NAME"), ("name", "Les bases"),
        ("organizationName", "Académie de test"),
        ("issueYear", str(row.issued_at.year)), ("issueMonth", str(row.issued_at.month)),
        ("certUrl", page_url), ("certId", public_id),
    ]
    assert add == (
        "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&name=Les%20bases"
        "&organizationName=Acad%C3%A9mie%20de%20test"
        f"&issueYear={row.issued_at.year}&issueMonth={row.issued_at.month}"
        f"&certUrl=http%3A%2F%2Fcourseware.test%2Fcertificates%2F{public_id}&certId={public_id}"
    )
    share = "https://www.linkedin.com/sharing/share-offsite/?url=" \
        f"http%3A%2F%2Fcourseware.test%2Fcertificates%2F{public_id}"
    assert share in page.links
    copied = {i["value"] for i in page.inputs if "readonly" in i}
    assert copied == {"Les bases", "Académie de test", row.issued_at.strftime("%m/%Y"),
                      public_id, page_url}


def test_nobody_else_sees_the_add_to_profile_link(app, auth, anonymous, second_auth):
    public_id = learner_with_certificate(auth)
    second_auth.signup(email="bob@example.org", name="Bob Martin")
    for visitor in (anonymous, second_auth.client):
        html = visitor.get(f"/certificates/{public_id}").get_data(as_text=True)
        assert "Ana Dupont" in html
        assert "linkedin.com/profile/add" not in html
        assert "Add to my LinkedIn profile" not in html


@pytest.mark.parametrize(("organisation", "expected"), [
    ('organisation:\n  name: Lycée Numérique\n  linkedin_id: "1234"\n',
     [("organizationId", "1234")]),
    # The name printed on the certificate (course.yaml's issuer), not the organisation's.
    ("organisation:\n  name: Lycée Numérique\n", [("organizationName", "Académie de test")]),
], ids=["with-linkedin-id", "name-only"])
def test_the_course_organisation_goes_to_linkedin(app, app_config, tmp_path, organisation,
                                                  expected):
    content = tmp_path / "content-organisation"
    write_course(content / "basics", COURSE_YAML + organisation)
    organised = create_app({**app_config, "CONTENT_DIR": str(content)})
    try:
        auth = Auth(english(organised.test_client()))
        public_id = learner_with_certificate(auth)
        html = auth.client.get(f"/certificates/{public_id}").get_data(as_text=True)
        [add] = [link for link in Page(html).links if "linkedin.com/profile/add" in link]
        query = parse_qsl(urlsplit(add).query)
        assert [pair for pair in query if pair[0].startswith("organization")] == expected
        assert ("name", "Les bases") in query
    finally:
        close_app(organised)


def test_no_page_loads_a_script_from_another_site(app, client, auth, anonymous, second_auth):
    second_auth.signup(email="bob@example.org", name="Bob Martin")
    second_auth.complete(CHAPTERS[0])
    public_id = learner_with_certificate(auth)
    pages = [
        (anonymous, "/"), (anonymous, "/login"), (anonymous, "/signup"),
        (anonymous, "/courses/basics/"), (anonymous, CHAPTERS[0]), (anonymous, "/nowhere"),
        (anonymous, "/certificates/verify"), (anonymous, f"/certificates/{public_id}"),
        (client, "/courses/basics/"), (client, CHAPTERS[-1]), (client, "/account/"),
        (client, CLAIM), (client, f"/certificates/{public_id}"),
        (second_auth.client, CLAIM),
    ]
    scripts: set[str | None] = set()
    for visitor, url in pages:
        response = visitor.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        scripts.update(Page(response.get_data(as_text=True)).scripts)
    assert scripts  # the certificate page loads its copy button script
    assert all(src and src.startswith("/static/") for src in scripts), scripts


# -- 7. correcting the name ------------------------------------------------------------


def test_the_owner_corrects_a_typo_and_gets_a_new_certificate(app, client, auth, anonymous,
                                                               tmp_path):
    old_id = learner_with_certificate(auth, "Ana Dupnot")
    form = client.get(CLAIM)
    assert form.status_code == 200
    html = form.get_data(as_text=True)
    assert "Correct the name on your certificate" in html
    assert next(i for i in Page(html).inputs if i.get("name") == "name")["value"] == "Ana Dupnot"

    response = claim(auth, "Ana Dupont")
    assert response.status_code == 302
    new_id = response.headers["Location"].rsplit("/", 1)[1]
    assert ID_PATTERN.match(new_id) and new_id != old_id

    old_page = anonymous.get(f"/certificates/{old_id}").get_data(as_text=True)
    assert "This certificate has been replaced" in old_page
    assert f"/certificates/{new_id}" in Page(old_page).links
    new_page = anonymous.get(f"/certificates/{new_id}").get_data(as_text=True)
    assert "Valid certificate" in new_page and "Ana Dupont" in new_page
    pdf_text = text_of_pdf(tmp_path, anonymous.get(f"/certificates/{new_id}.pdf").data)
    assert "Ana Dupont" in pdf_text and "Dupnot" not in pdf_text


def test_another_learner_cannot_touch_someone_elses_certificate(app, auth, second_auth, anonymous):
    public_id = learner_with_certificate(auth)
    second_auth.signup(email="bob@example.org", name="Bob Martin")
    assert second_auth.client.get(CLAIM).status_code == 403
    assert claim(second_auth, "Bob Martin").status_code == 403
    [row] = certificate_rows(app)
    assert (row.public_id, row.printed_name, row.status) == (public_id, "Ana Dupont", "valid")
    assert "Valid certificate" in anonymous.get(f"/certificates/{public_id}").get_data(as_text=True)


# -- 8. deleting the account -----------------------------------------------------------


def delete_account(auth: Auth, certificates: str):
    return auth.post("/account/delete", {"password": PASSWORD, "certificates": certificates},
                     token_from="/account/delete")


def user_count(app: Flask) -> int:
    with get_engine(app).connect() as connection:
        return connection.scalar(select(func.count()).select_from(User.__table__))


def test_the_data_export_lists_the_certificates(client, auth):
    public_id = learner_with_certificate(auth)
    data = json.loads(client.get("/account/export.json").get_data(as_text=True))
    assert [(c["id"], c["course"], c["printed_name"], c["status"]) for c in data["certificates"]] \
        == [(public_id, "basics", "Ana Dupont", "valid")]


def test_deleting_the_account_can_keep_the_certificate_verifiable(app, auth, anonymous):
    public_id = learner_with_certificate(auth)
    assert delete_account(auth, "keep").status_code == 302
    assert user_count(app) == 0
    html = anonymous.get(f"/certificates/{public_id}").get_data(as_text=True)
    assert "Valid certificate" in html and "Ana Dupont" in html
    assert anonymous.get(f"/certificates/{public_id}.pdf").status_code == 200


def test_deleting_the_account_can_withdraw_the_certificate(app, auth, anonymous):
    public_id = learner_with_certificate(auth)
    assert delete_account(auth, "withdraw").status_code == 302
    assert user_count(app) == 0
    response = anonymous.get(f"/certificates/{public_id}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "This certificate has been withdrawn" in html
    assert "Ana Dupont" not in html and "og:title" not in html
    for suffix in (".pdf", ".png"):
        assert anonymous.get(f"/certificates/{public_id}{suffix}").status_code == 410


def test_the_delete_page_asks_about_certificates_only_of_a_learner_who_holds_one(app, client, auth,
                                                                                 anonymous):
    auth.signup()
    complete_course(auth)  # done, but no certificate claimed
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Your certificates" not in page and 'name="certificates"' not in page
    response = auth.post("/account/delete", {"password": PASSWORD}, token_from="/account/delete")
    assert response.status_code == 302 and user_count(app) == 0

    public_id = learner_with_certificate(auth, "Bea Martin")
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Your certificates" in page and page.count('name="certificates"') == 2
    assert delete_account(auth, "withdraw").status_code == 302
    assert user_count(app) == 0
    assert "This certificate has been withdrawn" in anonymous.get(f"/certificates/{public_id}").get_data(
        as_text=True)


def test_a_certificate_claimed_after_the_delete_page_opened_is_still_asked_about(app, client, auth):
    """Opened in one tab without the question; the certificate claimed in another."""
    auth.signup()
    complete_course(auth)
    assert 'name="certificates"' not in client.get("/account/delete").get_data(as_text=True)
    assert claim(auth).status_code == 302
    response = auth.post("/account/delete", {"password": PASSWORD}, token_from="/account/delete")
    assert response.status_code == 400
    assert "Please choose what happens to your certificates." in response.get_data(as_text=True)
    assert user_count(app) == 1


def test_names_are_checked_against_the_configured_branding_fonts(app, app_config, tmp_path):
    # An organisation's branding with Latin fonts only: a Chinese name would print as boxes.
    branding = tmp_path / "my-branding"
    shutil.copytree(DEFAULT_BRANDING_DIR, branding, ignore=shutil.ignore_patterns("wqy-*", "*Arabic*"))
    layout = (branding / "layout.yaml").read_text(encoding="utf-8")
    (branding / "layout.yaml").write_text(layout.split("  - name: NotoSansArabic")[0], encoding="utf-8")
    assert unsupported_characters("王小明") == set()  # the shipped branding covers it
    branded = create_app({**app_config, "CERTIFICATES_DIR": str(branding)})
    try:
        auth = Auth(english(branded.test_client()))
        auth.signup()
        complete_course(auth)
        refused = claim(auth, "王小明")
        assert refused.status_code == 400
        assert "These characters cannot be printed on the certificate: 小 明 王" \
            in refused.get_data(as_text=True)
        assert count_certificates(branded) == 0
        assert claim(auth, "Zoë Ødegård").status_code == 302
    finally:
        close_app(branded)


# -- The preview on the certificate page (issue 10) ------------------------------------


def test_the_preview_comes_in_two_widths_cached_for_a_year(app, client, auth, anonymous):
    public_id = learner_with_certificate(auth)
    html = client.get(f"/certificates/{public_id}").get_data(as_text=True)
    [img] = re.findall(r'<img src="[^"]+\.png[^>]*>', html)
    assert f'srcset="/certificates/{public_id}.png?w=600 600w, /certificates/{public_id}.png 1200w"' in img
    assert 'sizes="' in img and 'fetchpriority="high"' in img
    assert 'width="1200" height="630"' in img  # no layout shift while it loads
    sizes = {}
    for url in (f"/certificates/{public_id}.png?w=600", f"/certificates/{public_id}.png"):
        response = anonymous.get(url)
        assert response.status_code == 200 and response.mimetype == "image/png"
        assert response.cache_control.max_age == 365 * 24 * 3600
        assert response.cache_control.public and response.cache_control.immutable
        assert response.headers.get("Content-Encoding") is None
        sizes[url] = len(response.data)
    assert min(sizes.values()) < 20_000 and max(sizes.values()) < 25_000
    assert anonymous.get(f"/certificates/{public_id}.png?w=601").status_code == 404
    assert anonymous.get(f"/certificates/{public_id}.png?w=abc").status_code == 404


def test_the_issuer_is_one_name_on_the_pdf_the_page_and_linkedin(app, app_config, tmp_path,
                                                                   anonymous):
    """The demo course names an issuer and an organisation: LinkedIn used to get the other."""
    content = tmp_path / "content-issuer"
    write_course(content / "basics", COURSE_YAML + "organisation:\n  name: Lycée Numérique\n")
    organised = create_app({**app_config, "CONTENT_DIR": str(content)})
    try:
        auth = Auth(english(organised.test_client()))
        public_id = learner_with_certificate(auth)
        page = Page(auth.client.get(f"/certificates/{public_id}").get_data(as_text=True))
        [add] = [link for link in page.links if "linkedin.com/profile/add" in link]
        assert ("organizationName", "Académie de test") in parse_qsl(urlsplit(add).query)
        copied = {i["value"] for i in page.inputs if "readonly" in i}
        assert "Académie de test" in copied and "Lycée Numérique" not in copied
        pdf = text_of_pdf(tmp_path, auth.client.get(f"/certificates/{public_id}.pdf").data)
        assert "Académie de test" in pdf
    finally:
        close_app(organised)


def test_a_graduates_pages_answer_while_a_write_is_under_way(app, auth):
    """The home, course, chapter and "done" pages of a learner who holds a certificate
    look it up, and so does the ID look-up form: reads that must not take SQLite's write
    lock (they queued behind every write of the site under load, benchmarks/launch_day.py;
    with a write held longer than the busy timeout they failed)."""
    public_id = learner_with_certificate(auth)
    paths = {"/": public_id, "/courses/basics/": public_id, "/courses/basics/data/": public_id,
             "/courses/basics/done": public_id}
    with get_engine(app).connect() as writer:
        writer = writer.execution_options(sqlite_immediate=True)
        with writer.begin() as transaction:
            writer.execute(User.__table__.update().values(name=User.name))  # holds the write lock
            for path, shown in paths.items():
                response = auth.client.get(path)
                assert response.status_code == 200, path
                assert shown in response.get_data(as_text=True), path
            lookup = auth.client.get(f"/certificates/verify?certificate={public_id}")
            assert lookup.status_code == 302 and lookup.headers["Location"].endswith(public_id)
            transaction.rollback()


def test_the_public_page_and_files_answer_while_a_write_is_under_way(app, auth, anonymous):
    """A look-up only reads: it neither waits for nor blocks the site's writes
    (on SQLite an ORM session would take the write lock and wait for it)."""
    public_id = learner_with_certificate(auth)
    paths = [f"/certificates/{public_id}", f"/certificates/{public_id}.pdf",
             f"/certificates/{public_id}.png"]

    def without_token(body: bytes) -> bytes:  # signed tokens carry the second they were made
        return re.sub(rb'name="csrf_token" value="[^"]*"', b"", body)

    before = {path: without_token(anonymous.get(path).data) for path in paths}
    with get_engine(app).connect() as writer:
        writer = writer.execution_options(sqlite_immediate=True)
        with writer.begin() as transaction:
            writer.execute(User.__table__.update().values(name=User.name))  # holds the write lock
            for path in paths:
                response = anonymous.get(path)
                assert response.status_code == 200, path
                assert without_token(response.data) == before[path], path
            transaction.rollback()
