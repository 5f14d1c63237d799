"""Links that leave the site (reset mail, certificates, share tags) never come from
a Host header an attacker chose, and an odd Host gets a clean 400 page.

Security review, issue 9, findings 2 and 7 (Host part).
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.error import HTTPError
from urllib.request import Request, urlopen

import pytest
import requests
from flask import Flask
from sqlalchemy import select

from courseware.db import dispose_engines, get_engine
from courseware.models import Certificate
from tests.helpers import CSRF_PATTERN, Auth, mails_to, prepared_app
from tests.live_server import mailed_path, running_server
from tests.web.conftest import english_client

ROOT = Path(__file__).resolve().parents[2]
EVIL = "evil.example"
CLAIM = "/courses/basics/certificate"
CHAPTERS = ("/courses/basics/welcome/", "/courses/basics/data/", "/courses/basics/next/")
LONG_LABEL_HOST = "a" * 64 + ".courseware.test"


def sent_mail(app: Flask) -> list[email.message.EmailMessage]:
    """The reset mails the app has sent (the outbox delivered first; sign-up confirmations aside)."""
    return [message for message in mails_to(app, "ana@example.org")
            if "/signup/confirm/" not in message.get_body().get_content()]


def certificates(app: Flask) -> list:
    with get_engine(app).connect() as connection:
        return list(connection.execute(select(Certificate.__table__)))


def with_cookies_for(client, host: str) -> dict[str, str]:
    """Headers for a request to `host` that carry this browser's cookies: the test
    client only sends a cookie to the host it came from, an attacker's script
    or proxy sends whatever it likes."""
    hostname = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
    for name in ("session", "lang", "remember_token"):
        cookie = client.get_cookie(name)
        if cookie is not None:
            client.set_cookie(name, cookie.value, domain=hostname)
    return {"Host": host}


def assert_untrusted_host_page(response) -> None:
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Error 400" in html
    assert "This site does not answer to this address." in html
    assert "Traceback" not in html and EVIL not in html


@contextmanager
def made_app(app_config: dict, **overrides: object) -> Iterator[Flask]:
    app = prepared_app({**app_config, **overrides})
    try:
        yield app
    finally:
        dispose_engines(app)


@pytest.fixture
def unset_app(app_config: dict) -> Iterator[Flask]:
    """BASE_URL unset, nothing allowed: what `create_app()` does out of the box."""
    with made_app(app_config, BASE_URL=None) as app:
        yield app


@pytest.fixture
def allowed_app(app_config: dict) -> Iterator[Flask]:
    """No BASE_URL, but a list of the names the site is reached by."""
    with made_app(app_config, BASE_URL=None, ALLOWED_HOSTS="cours.example.fr, .academie.example") as app:
        yield app


def finished_course(auth: Auth, **headers: str) -> None:
    auth.signup()
    for chapter in CHAPTERS:
        assert auth.client.post(chapter + "complete", headers=headers,
                                data={"csrf_token": auth.token(chapter)}).status_code == 302


def claim(auth: Auth, token: str | None = None, **headers: str):
    token = token or auth.token(CLAIM)
    return auth.client.post(CLAIM, headers=headers,
                            data={"csrf_token": token, "name": "Ana Dupont", "confirm": "y"})


# -- the reset mail ---------------------------------------------------------------------

@pytest.mark.parametrize("fixture", ["app", "unset_app", "allowed_app"])
def test_a_reset_asked_with_a_forged_host_sends_no_link_to_that_host(request, fixture):
    app = request.getfixturevalue(fixture)
    auth = Auth(english_client(app))
    auth.signup()
    auth.logout()
    token = auth.token("/password/forgot")
    for host in (EVIL, f"{EVIL}:443", "cours.example.fr.evil.example"):
        response = auth.client.post("/password/forgot", headers=with_cookies_for(auth.client, host),
                                    data={"csrf_token": token, "email": "ana@example.org"})
        assert_untrusted_host_page(response)
    assert sent_mail(app) == []

    # X-Forwarded-Host without trusted proxies changes nothing either.
    auth.client.post("/password/forgot", headers={"X-Forwarded-Host": EVIL},
                     data={"csrf_token": token, "email": "ana@example.org"})
    [message] = sent_mail(app)
    body = message.get_body().get_content()
    assert EVIL not in body
    expected = {"app": "http://courseware.test/password/reset/",
                "unset_app": "http://localhost/password/reset/",
                "allowed_app": "http://localhost/password/reset/"}[fixture]
    assert expected in body


def test_with_allowed_hosts_the_link_uses_the_name_the_learner_came_by(allowed_app):
    auth = Auth(english_client(allowed_app))
    auth.signup()
    auth.logout()
    for host in ("cours.example.fr", "lyon.academie.example"):
        token = auth.token("/password/forgot")
        response = auth.client.post("/password/forgot", headers=with_cookies_for(auth.client, host),
                                    data={"csrf_token": token, "email": "ana@example.org"})
        assert response.status_code == 302
    bodies = " ".join(message.get_body().get_content() for message in sent_mail(allowed_app))
    assert "http://cours.example.fr/password/reset/" in bodies
    assert "http://lyon.academie.example/password/reset/" in bodies


# -- certificates and share tags --------------------------------------------------------

@pytest.mark.parametrize("fixture", ["app", "unset_app"])
def test_a_certificate_claimed_with_a_forged_host_is_refused(request, fixture):
    app = request.getfixturevalue(fixture)
    auth = Auth(english_client(app))
    finished_course(auth)
    token = auth.token(CLAIM)
    assert_untrusted_host_page(claim(auth, token, **with_cookies_for(auth.client, EVIL)))
    assert certificates(app) == []

    response = claim(auth, **{"X-Forwarded-Host": EVIL})
    assert response.status_code == 302
    [row] = certificates(app)
    expected = "http://courseware.test" if fixture == "app" else "http://localhost"
    assert row.verification_url == f"{expected}/certificates/{row.public_id}"

    # The public page and its share tags: never the forged host.
    assert_untrusted_host_page(auth.client.get(f"/certificates/{row.public_id}",
                                               headers=with_cookies_for(auth.client, EVIL)))
    html = auth.client.get(f"/certificates/{row.public_id}").get_data(as_text=True)
    assert EVIL not in html
    assert f'content="{expected}/certificates/{row.public_id}"' in html
    assert f'content="{expected}/certificates/{row.public_id}.png"' in html


def test_every_page_refuses_an_untrusted_host_with_a_400_page(client):
    for url in ("/", "/login", "/courses/basics/welcome/", "/nowhere", "/static/css/site.css"):
        assert_untrusted_host_page(client.get(url, headers=with_cookies_for(client, EVIL)))
    assert client.get("/", headers={"Host": "courseware.test"}).status_code == 200
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200


# -- malformed Host headers (finding 7) -------------------------------------------------

@pytest.mark.parametrize("host", [LONG_LABEL_HOST, "b" * 301, "courseware.test:99999", "bad host"])
def test_a_malformed_host_gets_a_400_page_not_a_500(client, host):
    # No cookies: the test client cannot file one under such a name.
    response = client.get("/", headers={"Host": host})
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert re.search("Err(or|eur) 400", html) and "Traceback" not in html


def test_a_long_label_under_an_allowed_domain_gets_a_400_page(app_config):
    # `.courseware.test` lets the name through the host check; building URLs for it fails.
    with made_app(app_config, ALLOWED_HOSTS=".courseware.test") as app:
        response = app.test_client().get("/login", headers={"Host": LONG_LABEL_HOST})
        assert response.status_code == 400
        assert "Erreur 400" in response.get_data(as_text=True)


def test_a_host_over_300_characters_at_claim_gets_a_400_and_no_certificate(app_config):
    host = "c" * 60 + "." + "d" * 60 + "." + "e" * 60 + "." + "f" * 60 + "." + "g" * 60 + ".courseware.test"
    assert len(host) > 300
    with made_app(app_config, BASE_URL=None, ALLOWED_HOSTS=".courseware.test") as app:
        auth = Auth(english_client(app))
        finished_course(auth)
        token = auth.token(CLAIM)
        response = claim(auth, token, **with_cookies_for(auth.client, host))
        assert response.status_code == 400
        assert "Error 400" in response.get_data(as_text=True)
        assert certificates(app) == []


# -- the defaults of `courseware serve` and wsgi.py -------------------------------------

@pytest.mark.parametrize(("host", "expected"), [
    ("127.0.0.1", "http://127.0.0.1:8000"), ("0.0.0.0", "http://127.0.0.1:8000"),  # noqa: S104
    ("::", "http://127.0.0.1:8000"), ("cours.example.fr", "http://cours.example.fr:8000"),
])
def test_serve_derives_the_base_url_from_where_it_listens(host, expected):
    from courseware.cli.commands import listening_url

    assert listening_url(host, 8000) == expected


def test_the_served_default_builds_links_to_its_own_address(tmp_path, course_dir, database_url):
    env = {"COURSEWARE_BASE_URL": ""}
    with running_server(content_dir=course_dir, instance_dir=tmp_path / "instance",
                        database_url=database_url, workers=1, extra_env=env) as server:
        with urlopen(server.url + "/") as response:  # the default answers its own address
            assert response.status == 200
        forged = Request(server.url + "/", headers={"Host": EVIL})
        with pytest.raises(HTTPError) as refused:
            urlopen(forged)
        refused.value.close()
        assert refused.value.code == 400
        log = (tmp_path / f"server-{server.url.rsplit(':', 1)[1]}.log").read_text()
        assert f"links in e-mails and certificates use {server.url} " in log

        # A reset asked through the default server links back to it, whatever Host says.
        with requests.Session() as browser:
            browser.cookies.set("lang", "en")
            signup = server.url + "/signup"
            browser.post(signup, data={"csrf_token": token_on(browser, signup), "name": "Ana Dupont",
                                       "email": "ana@example.org", "password": "un mot de passe solide"})
            forgot = server.url + "/password/forgot"
            token = token_on(browser, forgot)
            refused = browser.post(forgot, headers={"Host": EVIL}, allow_redirects=False,
                                   data={"csrf_token": token, "email": "ana@example.org"})
            assert refused.status_code == 400
            asked = browser.post(forgot, headers={"X-Forwarded-Host": EVIL}, allow_redirects=False,
                                 data={"csrf_token": token, "email": "ana@example.org"})
            assert asked.status_code == 302
        body = mailed_path(tmp_path / "instance", "ana@example.org", r"\S+/password/reset/\S+")
        assert f"{server.url}/password/reset/" in body and EVIL not in body


def token_on(browser: requests.Session, url: str) -> str:
    match = CSRF_PATTERN.search(browser.get(url).text)
    assert match, url
    return match.group(1) or match.group(2)


def test_wsgi_refuses_to_start_without_a_base_url(tmp_path, course_dir):
    env = {key: value for key, value in os.environ.items() if not key.startswith("COURSEWARE_")}
    env.update(COURSEWARE_CONTENT_DIR=str(course_dir), COURSEWARE_INSTANCE_DIR=str(tmp_path / "i"))
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "set COURSEWARE_BASE_URL" in result.stderr and "Traceback" not in result.stderr

    env["COURSEWARE_BASE_URL"] = "https://cours.example.fr"
    result = subprocess.run([sys.executable, "-c", "import wsgi; print(wsgi.app.config['TRUSTED_HOSTS'])"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "cours.example.fr" in result.stdout


def test_a_base_url_without_a_host_stops_start_up_with_a_message(tmp_path, course_dir):
    env = {**os.environ, "COURSEWARE_CONTENT_DIR": str(course_dir),
           "COURSEWARE_INSTANCE_DIR": str(tmp_path / "i"), "COURSEWARE_BASE_URL": "cours.example.fr"}
    result = subprocess.run([sys.executable, "-m", "courseware.cli", "db", "upgrade"], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "COURSEWARE_BASE_URL must be an absolute http(s) address" in result.stderr
    assert "Traceback" not in result.stderr
