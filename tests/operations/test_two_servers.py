"""Two app servers on one database and one Redis, as a national campaign runs:
a learner sent to either at random notices nothing."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import redis
import requests
from sqlalchemy import Engine

from courseware.certificates import SigningIdentity
from tests.helpers import write_course
from tests.live_server import LiveServer, running_server
from tests.operations.test_faults import PASSWORD, Learner

# A Redis database per backend: the two variants of the test run at the same time.
REDIS_URLS = {"sqlite": "redis://127.0.0.1:6379/3", "postgresql": "redis://127.0.0.1:6379/4"}


@contextmanager
def two_servers(tmp_path: Path, engine: Engine, signing: tuple[SigningIdentity, Path],
                **extra_env: str) -> Iterator[tuple[LiveServer, LiveServer]]:
    """Servers a and b on one database, with the tests' three-chapter course and the same signing keys."""
    write_course(tmp_path / "content" / "basics")
    shared = {
        # What every server of a cluster shares: the database (below), the keys (and Redis).
        "COURSEWARE_SIGNING_KEY": str(signing[1] / "signing-key.pem"),
        "COURSEWARE_SIGNING_CERT": str(signing[1] / "signing-cert.pem"),
        **extra_env,
    }
    database_url = engine.url.render_as_string(hide_password=False)
    with ExitStack() as stack:
        a, b = (stack.enter_context(running_server(
            content_dir=tmp_path / "content", instance_dir=tmp_path / f"instance-{name}",
            database_url=database_url, extra_env=shared)) for name in ("a", "b"))
        yield a, b


def test_one_learner_alternating_between_two_servers(tmp_path: Path, engine, signing):
    redis_url = REDIS_URLS[engine.dialect.name]
    redis.Redis.from_url(redis_url).flushdb()
    with two_servers(tmp_path, engine, signing, COURSEWARE_RATELIMIT_STORAGE_URI=redis_url,
                     COURSEWARE_LOGIN_RATE_LIMIT="3 per minute") as (a, b):
        ana = Learner(a.url, "ana@example.org", a.instance_dir, b.instance_dir)
        ana.signup()
        for step, chapter in enumerate(("welcome", "data", "next")):
            ana.url = (a, b)[step % 2].url  # the load balancer's choice
            page = ana.http.get(f"{ana.url}/courses/basics/{chapter}/", timeout=30)
            assert page.status_code == 200
            assert "Se déconnecter" in page.text  # signed in on whichever server answers
            assert ana.post(f"/courses/basics/{chapter}/complete").status_code == 302
        ana.url = b.url
        claim = ana.post("/courses/basics/certificate", {"name": "Ana Dupont", "confirm": "y"})
        assert claim.status_code == 302
        public_id = claim.headers["Location"].rsplit("/", 1)[1]
        pdf_a = requests.get(f"{a.url}/certificates/{public_id}.pdf", timeout=30)
        pdf_b = requests.get(f"{b.url}/certificates/{public_id}.pdf", timeout=30)
        assert pdf_a.status_code == pdf_b.status_code == 200
        assert pdf_a.content == pdf_b.content  # byte for byte, from the record

        # The log-in limit is counted once for the cluster, not per server.
        statuses = []
        for attempt in range(5):
            server = (a, b)[attempt % 2]
            intruder = Learner(server.url, "ana@example.org")
            response = intruder.http.post(server.url + "/login", allow_redirects=False, timeout=30,
                                          data={"csrf_token": intruder.token("/login"),
                                                "email": "ana@example.org", "password": "wrong" + PASSWORD})
            statuses.append(response.status_code)
        assert statuses == [400, 400, 400, 429, 429]


def test_a_change_on_one_server_reaches_the_pages_of_the_other(tmp_path: Path, engine, signing):
    """On PostgreSQL each server keeps its readers' log-ins in memory (login_cache/):
    a learner's own change shows at once on the other server, and a log-out from
    another device ends the session there within a notification's time."""
    welcome = "/courses/basics/welcome/"
    with two_servers(tmp_path, engine, signing) as (a, b):
        laptop = Learner(a.url, "ana@example.org", a.instance_dir, b.instance_dir)
        laptop.signup()

        def read_on_b() -> str:
            page = laptop.http.get(b.url + welcome, timeout=30)
            assert page.status_code == 200
            return page.text

        for _view in range(8):  # both workers of b keep her log-in
            assert "Se déconnecter" in read_on_b()
        assert "Vous avez terminé ce chapitre." not in read_on_b()
        assert laptop.post(welcome + "complete").status_code == 302  # on a
        assert "Vous avez terminé ce chapitre." in read_on_b()  # at once, no waiting

        phone = Learner(a.url, "ana@example.org")
        logged_in = phone.http.post(a.url + "/login", allow_redirects=False, timeout=30, data={
            "csrf_token": phone.token("/login"), "email": "ana@example.org", "password": PASSWORD})
        assert logged_in.status_code == 302
        for _view in range(4):
            assert "Se déconnecter" in read_on_b()
        everywhere = phone.http.post(a.url + "/account/logout-everywhere", allow_redirects=False,
                                     timeout=30, data={"csrf_token": phone.token("/account/")})
        assert everywhere.status_code == 302
        ended = time.monotonic()
        while "Se déconnecter" in read_on_b():
            assert time.monotonic() - ended < 5, "server b still shows her logged in after 5 s"
        # And on every worker of b from then on, not just the one that heard first.
        for _view in range(8):
            page = read_on_b()
            assert "Se connecter" in page and "Se déconnecter" not in page
