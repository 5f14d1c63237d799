"""Funnel events are counted once per learner, with the learner's organisation and link,
however often they click, in however many tabs, and however often they re-issue."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from courseware.db import get_engine
from courseware.models import Certificate, FunnelCount, Organisation, TrackingLink, User
from courseware.reports.events import complete_chapter, open_chapter
from tests.helpers import Auth
from tests.reports.fixture import BASICS
from tests.web.conftest import english_client

CHAPTERS = ("/courses/basics/welcome/", "/courses/basics/data/", "/courses/basics/next/")
CLAIM = "/courses/basics/certificate"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def counts(engine: Engine) -> dict[tuple, int]:
    """(step, chapter, organisation, link) -> count, whatever the day; sign-ups aside
    (they are counted at sign-up, tested in tests/web/test_tracking.py)."""
    table = FunnelCount.__table__
    with engine.connect() as connection:
        rows = connection.execute(select(table.c.step, table.c.chapter_slug,
                                         table.c.organisation_id, table.c.link_id, table.c.count)
                                  .where(table.c.step != "signup"))
        result: dict[tuple, int] = {}
        for step, chapter, organisation, link, count in rows:
            key = (step, chapter, organisation, link)
            result[key] = result.get(key, 0) + count
        return result


def attribute(engine: Engine, email: str) -> tuple[int, int]:
    """Put a learner in an organisation, through a link: (organisation id, link id)."""
    with engine.begin() as connection:
        organisation = connection.execute(insert(Organisation.__table__).values(
            slug="gendarmerie", name="Gendarmerie", created_at=NOW).returning(
            Organisation.__table__.c.id)).scalar_one()
        link = connection.execute(insert(TrackingLink.__table__).values(
            organisation_id=organisation, code="OFF1", label="Officiers", created_at=NOW
        ).returning(TrackingLink.__table__.c.id)).scalar_one()
        connection.execute(update(User.__table__).where(User.email == email).values(
            organisation_id=organisation, link_id=link))
    return organisation, link


def test_repeated_visits_clicks_and_two_tabs_count_once(app: Flask, client, auth: Auth,
                                                        second_auth: Auth):
    auth.signup()
    engine = get_engine(app)
    org, link = attribute(engine, "ana@example.org")
    second_auth.login()  # a second tab (its own session) of the same learner
    for _ in range(3):
        assert client.get(CHAPTERS[0]).status_code == 200
        assert second_auth.client.get(CHAPTERS[0]).status_code == 200
    assert counts(engine) == {("started", "", org, link): 1, ("opened", "welcome", org, link): 1}
    assert second_auth.client.get(CHAPTERS[1]).status_code == 200
    for _ in range(2):
        assert auth.complete(CHAPTERS[0]).status_code == 302
        assert second_auth.complete(CHAPTERS[0]).status_code == 302
    # Completing a chapter never opened counts its opening too.
    for chapter in CHAPTERS[1:]:
        assert auth.complete(chapter).status_code == 302
        assert second_auth.complete(chapter).status_code == 302
    assert counts(engine) == {
        ("started", "", org, link): 1,
        ("opened", "welcome", org, link): 1, ("opened", "data", org, link): 1,
        ("opened", "next", org, link): 1,
        ("completed", "welcome", org, link): 1, ("completed", "data", org, link): 1,
        ("completed", "next", org, link): 1,
        ("finished", "", org, link): 1,
    }


def test_a_learner_of_no_organisation_counts_under_zero(app, client, auth):
    auth.signup()
    client.get(CHAPTERS[0])
    assert counts(get_engine(app)) == {("started", "", 0, 0): 1, ("opened", "welcome", 0, 0): 1}


def test_first_certificate_counts_re_issues_do_not(app, client, auth):
    auth.signup()
    engine = get_engine(app)
    org, link = attribute(engine, "ana@example.org")
    for chapter in CHAPTERS:
        auth.complete(chapter)

    def claim(name: str):
        return auth.post(CLAIM, {"name": name, "confirm": "y"}, token_from=CLAIM)

    assert claim("Ana Dupnot").status_code == 302
    assert claim("Ana Dupnot").status_code == 302  # sent twice
    assert claim("Ana Dupont").status_code == 302  # re-issued with the name corrected
    with engine.connect() as connection:
        assert connection.scalar(select(Certificate.__table__.c.id).where(
            Certificate.status == "replaced")) is not None
    assert counts(engine)[("certified", "", org, link)] == 1


def test_a_certificate_after_a_revocation_is_not_a_second_learner(app, client, auth):
    auth.signup()
    engine = get_engine(app)
    for chapter in CHAPTERS:
        auth.complete(chapter)
    assert auth.post(CLAIM, {"name": "Ana", "confirm": "y"}, token_from=CLAIM).status_code == 302
    with engine.begin() as connection:
        connection.execute(update(Certificate.__table__).values(
            status="revoked", current_key=None))
    assert auth.post(CLAIM, {"name": "Ana", "confirm": "y"}, token_from=CLAIM).status_code == 302
    assert counts(engine)[("certified", "", 0, 0)] == 1


@pytest.fixture
def second_auth(app: Flask) -> Auth:
    """Another tab or browser: its own cookies, its own session."""
    return Auth(english_client(app))


class Learner:
    def __init__(self, user_id: int, organisation_id: int, link_id: int) -> None:
        self.id, self.organisation_id, self.link_id = user_id, organisation_id, link_id


def test_concurrent_completions_of_the_last_chapters_count_one_finish(engine: Engine):
    """Two tabs complete the last two chapters at the same moment: the second waits for
    the first (the learner's row is locked), sees its completion, and counts the finish.
    Without the lock each would see only its own chapter and nobody would count it."""
    with engine.begin() as connection:
        user_id = connection.execute(insert(User.__table__).values(
            email="ana@example.org", name="Ana", password_hash="x", role="learner",
            created_at=NOW, session_version=1).returning(User.__table__.c.id)).scalar_one()
    learner = Learner(user_id, 0, 0)
    writer = engine.execution_options(sqlite_immediate=True)
    with Session(writer) as session:
        complete_chapter(session, learner, BASICS, "welcome", NOW)
        session.commit()
    first_done = threading.Event()

    def second_tab() -> None:
        with Session(writer) as session:
            first_done.wait(timeout=30)
            complete_chapter(session, learner, BASICS, "next", NOW)
            session.commit()

    with Session(writer) as first, ThreadPoolExecutor(max_workers=1) as pool:
        complete_chapter(first, learner, BASICS, "data", NOW)  # not committed yet
        second = pool.submit(second_tab)
        first_done.set()
        # Give the second tab time to reach the lock (the result does not depend on it).
        threading.Event().wait(0.3)
        first.commit()
        second.result(timeout=30)
    found = counts(engine)
    assert found[("finished", "", 0, 0)] == 1
    assert found[("started", "", 0, 0)] == 1
    assert [found[("completed", slug, 0, 0)] for slug in ("welcome", "data", "next")] == [1, 1, 1]
    assert [found[("opened", slug, 0, 0)] for slug in ("welcome", "data", "next")] == [1, 1, 1]


@pytest.mark.parametrize("chapter", ["data", "next"])
def test_opening_twice_in_one_transaction_counts_once(engine: Engine, chapter: str):
    with engine.begin() as connection:
        user_id = connection.execute(insert(User.__table__).values(
            email="bob@example.org", name="Bob", password_hash="x", role="learner",
            created_at=NOW, session_version=1).returning(User.__table__.c.id)).scalar_one()
    with Session(engine) as session:
        assert open_chapter(session, Learner(user_id, 0, 0), BASICS, chapter, NOW)
        assert not open_chapter(session, Learner(user_id, 0, 0), BASICS, chapter, NOW)
        session.commit()
    assert counts(engine) == {("started", "", 0, 0): 1, ("opened", chapter, 0, 0): 1}


def test_the_chapter_page_writes_only_on_the_first_visit(app: Flask, client, auth: Auth):
    """Counting lives on the first-visit path: a repeat view runs no statement through
    SQLAlchemy at all (its two reads are HotQuery's, on the driver's cursor)."""
    from sqlalchemy import event

    from courseware.db import READER_KEY

    auth.signup()
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement.split()[0].upper())

    engines = [get_engine(app), app.extensions[READER_KEY]]
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(CHAPTERS[0]).status_code == 200
        assert "INSERT" in statements
        statements.clear()
        assert client.get(CHAPTERS[0]).status_code == 200
        assert statements == []
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
