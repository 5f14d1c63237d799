"""One certificate, however many times the claim arrives at once, against a real
`courseware serve` (gunicorn, 2 workers) on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, select

from courseware.certificates import SigningIdentity
from courseware.models import Certificate
from tests.live_server import LiveServer, mailed_path, running_server

CLAIMS = 16
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"')
ID_PATH = re.compile(r"^/certificates/[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$")


@pytest.fixture
def server(engine: Engine, database_url: str, course_dir: Path, tmp_path: Path,
           signing: tuple[SigningIdentity, Path]) -> Iterator[LiveServer]:
    instance = tmp_path / "instance"
    instance.mkdir()
    keys = signing[1]
    with running_server(content_dir=course_dir, instance_dir=instance, database_url=database_url,
                        extra_env={"COURSEWARE_SIGNING_KEY": str(keys / "signing-key.pem"),
                                   "COURSEWARE_SIGNING_CERT": str(keys / "signing-cert.pem")},
                        ) as live:
        yield live
    port = live.url.rsplit(":", 1)[1]
    log = (tmp_path / f"server-{port}.log").read_text(errors="replace")
    assert "Traceback" not in log and "database is locked" not in log, log[-3000:]


def token_from(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=30)
    assert response.status_code == 200, (url, response.status_code)
    match = TOKEN.search(response.text)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def test_simultaneous_claims_give_one_certificate(server: LiveServer, engine: Engine):
    ana = requests.Session()
    ana.cookies.set("lang", "en")
    signup = ana.post(server.url + "/signup", allow_redirects=False, timeout=30, data={
        "csrf_token": token_from(ana, server.url + "/signup"), "email": "ana@example.org",
        "name": "Ana Dupont", "password": "un mot de passe solide"})
    assert signup.status_code == 302
    ana.get(server.url + mailed_path(server.instance_dir, "ana@example.org"), timeout=30)
    for chapter in ("welcome", "data", "next"):
        url = f"{server.url}/courses/basics/{chapter}/"
        done = ana.post(url + "complete", data={"csrf_token": token_from(ana, url)},
                        allow_redirects=False, timeout=30)
        assert done.status_code == 302
    claim_url = server.url + "/courses/basics/certificate"
    token = token_from(ana, claim_url)
    cookies = ana.cookies.get_dict()
    start = threading.Barrier(CLAIMS)

    def claim(_index: int) -> requests.Response:
        start.wait(timeout=30)
        return requests.post(claim_url, cookies=cookies, allow_redirects=False, timeout=60,
                             data={"csrf_token": token, "name": "Ana Dupont", "confirm": "y"})

    with ThreadPoolExecutor(max_workers=CLAIMS) as pool:
        responses = list(pool.map(claim, range(CLAIMS)))

    assert [r.status_code for r in responses] == [302] * CLAIMS, \
        [(r.status_code, r.text[-300:]) for r in responses if r.status_code != 302]
    locations = {r.headers["Location"] for r in responses}
    assert len(locations) == 1, locations
    [location] = locations
    assert ID_PATH.match(location)
    with engine.connect() as connection:
        rows = connection.execute(select(Certificate.public_id, Certificate.current_key)).all()
    assert len(rows) == 1, rows
    [(public_id, current_key)] = rows
    assert location == f"/certificates/{public_id}"
    assert current_key is not None
    page = requests.get(server.url + location, cookies={"lang": "en"}, timeout=30)
    assert page.status_code == 200 and "Valid certificate" in page.text
