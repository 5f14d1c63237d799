"""Faults an operations team will meet: the server killed mid-write, the database
stopped for a while, the disk full. Nothing acknowledged is lost, nothing is
half-saved, and the site comes back by itself."""

from __future__ import annotations

import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy import create_engine, select

from courseware.certificates import ensure_signing_identity, verify_certificate_pdf
from courseware.models import Certificate, ChapterProgress, User
from tests.helpers import csrf_token_from_html, write_course
from tests.live_server import kill_hard, mailed_path, running_server

CHAPTERS = ("welcome", "data", "next")
PASSWORD = "un mot de passe solide"


class Learner:
    """One browser: its own cookies, its own CSRF token."""

    def __init__(self, url: str, email: str, *instance_dirs: Path) -> None:
        self.url, self.email = url, email
        self.instance_dirs = instance_dirs  # where the servers write the mail they send
        self.http = requests.Session()

    def token(self, path: str) -> str:
        return csrf_token_from_html(self.http.get(self.url + path, timeout=30).text)

    def signup(self) -> None:
        response = self.http.post(self.url + "/signup", allow_redirects=False, timeout=30, data={
            "csrf_token": self.token("/signup"), "email": self.email, "name": "Ana Dupont",
            "password": PASSWORD, "next": ""})
        assert response.status_code == 302, response.text[-500:]
        path = self._confirmation_path()
        # Waiting for the mail can outlast the server's keep-alive: a pooled connection
        # closed meanwhile would fail the next request (as a browser, open a new one).
        self.http.close()
        confirm = self.http.get(self.url + path, timeout=30)
        assert confirm.status_code == 200 and "Se déconnecter" in confirm.text

    def _confirmation_path(self) -> str:
        """The link of the confirmation mail, from whichever server sent it."""
        deadline = time.monotonic() + 30
        while True:
            for folder in self.instance_dirs:
                try:
                    return mailed_path(folder, self.email, timeout=0.5)
                except AssertionError:
                    pass
            assert time.monotonic() < deadline, f"no confirmation mail for {self.email}"

    def post(self, path: str, data: dict | None = None) -> requests.Response:
        return self.http.post(self.url + path, allow_redirects=False, timeout=30,
                              data={"csrf_token": self.token("/courses/basics/welcome/"), **(data or {})})


def _course(tmp_path: Path) -> Path:
    write_course(tmp_path / "content" / "basics")
    return tmp_path / "content"


def test_sigkill_mid_traffic_loses_no_acknowledged_completion_and_no_certificate(tmp_path, engine):
    content, instance = _course(tmp_path), tmp_path / "instance"
    acknowledged: set[tuple[str, str]] = set()
    claimed: dict[str, str] = {}  # e-mail -> certificate ID, for claims that got their redirect
    lock, enough = threading.Lock(), threading.Event()
    database_url = engine.url.render_as_string(hide_password=False)

    def journey(learner: Learner, claims: bool) -> None:
        try:
            for chapter in CHAPTERS:
                response = learner.post(f"/courses/basics/{chapter}/complete")
                if response.status_code == 302:
                    with lock:
                        acknowledged.add((learner.email, chapter))
                        if len(acknowledged) >= 24:
                            enough.set()
            if claims:
                response = learner.post("/courses/basics/certificate",
                                        {"name": "Ana Dupont", "confirm": "y"})
                if response.status_code == 302 and "/certificates/" in response.headers["Location"]:
                    with lock:
                        claimed[learner.email] = response.headers["Location"].rsplit("/", 1)[1]
        except requests.RequestException:
            pass  # the server died under this request: no acknowledgement, no promise

    with running_server(content_dir=content, instance_dir=instance, database_url=database_url) as server:
        learners = [Learner(server.url, f"learner{n}@example.org", instance) for n in range(16)]
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(Learner.signup, learners))
        with ThreadPoolExecutor(max_workers=16) as pool:
            for n, learner in enumerate(learners):
                pool.submit(journey, learner, n % 2 == 0)
            enough.wait(timeout=120)
            kill_hard(server.process)
    assert len(acknowledged) >= 24  # the kill came in the middle of the traffic

    with engine.connect() as connection:
        saved = set(connection.execute(
            select(User.email, ChapterProgress.chapter_slug).join(User)
            .where(ChapterProgress.completed_at.is_not(None))).all())
        certificates = connection.execute(select(Certificate)).all()
    assert acknowledged <= saved
    # Every certificate row is whole, each learner has at most one, and every
    # claim that got its redirect is there.
    assert all(row.signer_fingerprint and row.verification_url and row.printed_name
               for row in certificates)
    owners = [row.user_id for row in certificates if row.status == "valid"]
    assert len(owners) == len(set(owners))
    assert set(claimed.values()) <= {row.public_id for row in certificates}

    with running_server(content_dir=content, instance_dir=instance, database_url=database_url) as again:
        identity = ensure_signing_identity(instance)
        for row in certificates:
            pdf = requests.get(f"{again.url}/certificates/{row.public_id}.pdf", timeout=30)
            assert pdf.status_code == 200 and verify_certificate_pdf(pdf.content, identity).authentic


def test_the_database_stopped_and_started_gives_503s_then_recovers(tmp_path, private_postgres):
    content = _course(tmp_path)
    with running_server(content_dir=content, instance_dir=tmp_path / "instance",
                        database_url=private_postgres.url) as server:
        learner = Learner(server.url, "ana@example.org", server.instance_dir)
        learner.signup()
        chapter = server.url + "/courses/basics/welcome/"
        assert learner.http.get(chapter, timeout=30).status_code == 200
        token = learner.token("/courses/basics/welcome/")

        private_postgres.stop()
        try:
            down = learner.http.get(chapter, timeout=30)
            assert down.status_code == 503 and down.headers["Retry-After"]
            assert "momentanément indisponible" in down.text and "Traceback" not in down.text
            health = requests.get(server.url + "/healthz", timeout=30)
            assert health.status_code == 503 and health.json()["database"]["ok"] is False
            refused = learner.http.post(chapter + "complete", data={"csrf_token": token},
                                        allow_redirects=False, timeout=30)
            assert refused.status_code == 503
            # A visitor reading the course needs no database.
            assert requests.get(chapter, timeout=30).status_code == 200
        finally:
            private_postgres.start()

        deadline = time.monotonic() + 30
        while learner.http.get(chapter, timeout=30).status_code != 200:
            assert time.monotonic() < deadline, "the site did not recover by itself"
            time.sleep(0.5)
        assert requests.get(server.url + "/healthz", timeout=30).status_code == 200
        done = learner.post("/courses/basics/welcome/complete")
        assert done.status_code == 302
    engine = create_engine(private_postgres.url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(ChapterProgress.chapter_slug, ChapterProgress.completed_at)).all()
    finally:
        engine.dispose()
    assert [(slug, completed is not None) for slug, completed in rows] == [("welcome", True)]


def test_a_full_disk_on_sqlite_is_a_clear_page_and_loses_nothing_saved(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(disk)], check=True)
    try:
        content = _course(tmp_path)
        database_url = f"sqlite:///{disk / 'site.db'}"
        with running_server(content_dir=content, instance_dir=tmp_path / "instance",
                            database_url=database_url) as server:
            ana = Learner(server.url, "ana@example.org", server.instance_dir)
            ana.signup()
            assert ana.post("/courses/basics/welcome/complete").status_code == 302
            # Fill the disk to the last byte.
            with open(disk / "filler", "wb") as filler:
                try:
                    while True:
                        filler.write(b"\0" * 65536)
                        filler.flush()
                except OSError:
                    pass
            statuses, pages = set(), []
            for n in range(40):  # sign-ups write rows until the database cannot grow
                learner = Learner(server.url, f"learner{n}@example.org")
                response = learner.http.post(server.url + "/signup", allow_redirects=False, timeout=30,
                                             data={"csrf_token": learner.token("/signup"),
                                                   "email": learner.email, "name": "X" * 100,
                                                   "password": PASSWORD, "next": ""})
                statuses.add(response.status_code)
                pages.append(response.text)
                if response.status_code == 503:
                    break
            assert 503 in statuses and 500 not in statuses
            assert "plus d’espace de stockage" in pages[-1]
            (disk / "filler").unlink()
            # Space again: the site works and Ana's progress is intact.
            assert ana.post("/courses/basics/data/complete").status_code == 302
        engine = create_engine(database_url)
        try:
            with engine.connect() as connection:
                done = set(connection.execute(select(ChapterProgress.chapter_slug).join(User).where(
                    User.email == "ana@example.org", ChapterProgress.completed_at.is_not(None))).scalars())
        finally:
            engine.dispose()
        assert done == {"welcome", "data"}
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
