"""Many requests at once against a real `courseware serve` (gunicorn, 2 workers).

Double clicks, several tabs and a class starting together must never produce
a 500, a "database is locked" or a duplicate row, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, func, select

from courseware.models import ChapterProgress, User
from tests.live_server import LiveServer, mailed_path, running_server

PASSWORD = "un mot de passe solide"
CHAPTERS = ("welcome", "data", "next")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def server(engine: Engine, database_url: str, course_dir: Path, tmp_path: Path) -> Iterator[LiveServer]:
    instance = tmp_path / "instance"
    instance.mkdir()
    with running_server(content_dir=course_dir, instance_dir=instance,
                        database_url=database_url) as live:
        yield live
    port = live.url.rsplit(":", 1)[1]
    log = (tmp_path / f"server-{port}.log").read_text(errors="replace")
    assert "Traceback" not in log and "database is locked" not in log, log[-3000:]


def token_from(session: requests.Session, url: str) -> str:
    match = TOKEN.search(session.get(url, timeout=30).text)
    assert match, f"no CSRF token on {url}"
    return match.group(1) or match.group(2)


def english_session() -> requests.Session:
    session = requests.Session()
    session.cookies.set("lang", "en")
    return session


def sign_up(server: LiveServer, email: str) -> requests.Session:
    session = english_session()
    response = session.post(server.url + "/signup", allow_redirects=False, timeout=30, data={
        "csrf_token": token_from(session, server.url + "/signup"), "email": email,
        "name": email.split("@")[0], "password": PASSWORD})
    assert response.status_code == 302, response.text[-500:]
    opened = session.get(server.url + mailed_path(server.instance_dir, email), allow_redirects=False,
                         timeout=30)
    assert opened.status_code == 302
    return session


def all_at_once(count: int, action: Callable[[int], requests.Response]) -> list[requests.Response]:
    start = threading.Barrier(count)

    def run(index: int) -> requests.Response:
        start.wait(timeout=30)
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def progress_of(engine: Engine) -> dict[str, set[tuple[str, bool]]]:
    table = ChapterProgress.__table__
    with engine.connect() as connection:
        rows = connection.execute(select(User.email, table.c.chapter_slug, table.c.completed_at)
                                  .join(User, User.id == table.c.user_id))
        result: dict[str, set[tuple[str, bool]]] = {}
        for email, chapter, completed_at in rows:
            result.setdefault(email, set()).add((chapter, completed_at is not None))
        return result


def count_rows(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model.__table__))


def test_concurrent_requests_against_a_real_server(server, engine):
    # One server per backend for the three scenarios: starting gunicorn is the slow part.
    same_chapter_clicked_from_many_tabs(server, engine)
    a_class_completing_chapters_together(server, engine)
    one_address_signing_up_twice_at_once(server, engine)


def same_chapter_clicked_from_many_tabs(server: LiveServer, engine: Engine) -> None:
    ana = sign_up(server, "ana@example.org")
    # The token comes from the course page, which records nothing: the 32 requests
    # below race to insert the very first row for the chapter.
    token = token_from(ana, server.url + "/courses/basics/")
    cookies = ana.cookies.get_dict()

    def complete(_index: int) -> requests.Response:
        return requests.post(server.url + "/courses/basics/data/complete", cookies=cookies,
                             data={"csrf_token": token}, allow_redirects=False, timeout=60)

    responses = all_at_once(32, complete)
    assert [r.status_code for r in responses] == [302] * 32, {r.status_code for r in responses}
    assert {r.headers["Location"] for r in responses} == {"/courses/basics/next/"}
    assert progress_of(engine) == {"ana@example.org": {("data", True)}}
    assert count_rows(engine, ChapterProgress) == 1


def a_class_completing_chapters_together(server: LiveServer, engine: Engine) -> None:
    learners = [f"learner{n}@example.org" for n in range(6)]
    sessions = {email: sign_up(server, email) for email in learners}
    tokens = {email: token_from(s, server.url + "/") for email, s in sessions.items()}
    cookies = {email: s.cookies.get_dict() for email, s in sessions.items()}
    # Every learner opens and completes every chapter, twice, all mixed together.
    work = [(email, chapter, step) for email in learners for chapter in CHAPTERS
            for step in ("open", "complete", "complete")]

    def act(index: int) -> requests.Response:
        email, chapter, step = work[index]
        url = f"{server.url}/courses/basics/{chapter}/"
        if step == "open":
            return requests.get(url, cookies=cookies[email], timeout=60)
        return requests.post(url + "complete", cookies=cookies[email], allow_redirects=False,
                             data={"csrf_token": tokens[email]}, timeout=60)

    responses = all_at_once(len(work), act)
    assert {r.status_code for r in responses} <= {200, 302}, [r.status_code for r in responses]
    progress = progress_of(engine)
    for email in learners:
        assert progress[email] == {(chapter, True) for chapter in CHAPTERS}, email
    assert count_rows(engine, ChapterProgress) == 1 + 3 * len(learners)
    # And each learner's own page says so.
    for email in learners:
        page = sessions[email].get(server.url + "/courses/basics/", timeout=30).text
        assert "3 of 3 chapters done (100%)" in page


def one_address_signing_up_twice_at_once(server: LiveServer, engine: Engine) -> None:
    sessions = [english_session() for _ in range(6)]
    tokens = [token_from(s, server.url + "/signup") for s in sessions]

    def sign_up_again(index: int) -> requests.Response:
        return sessions[index].post(server.url + "/signup", allow_redirects=False, timeout=60,
                                    data={"csrf_token": tokens[index], "name": f"Bob {index}",
                                          "email": "bob@example.org", "password": PASSWORD})

    statuses = sorted(r.status_code for r in all_at_once(len(sessions), sign_up_again))
    # The same answer to each (no error, nothing telling the address was taken), one account.
    assert statuses == [302] * len(sessions)
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).where(User.email == "bob@example.org")) == 1
