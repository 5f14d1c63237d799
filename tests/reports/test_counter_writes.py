"""Counter additions wait for the commit: the rows every learner adds to are locked only
while a transaction commits, never while the rest of it runs (reports/counter_writes.py)."""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.orm import Session

from courseware.models import FunnelCount, FunnelCountMonthly, User
from courseware.reports.counters import count_event
from tests.conftest import POSTGRESQL_ONLY

DAY = date(2026, 3, 2)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def completions(engine: Engine) -> dict[str, int]:
    table = FunnelCount.__table__
    with engine.connect() as connection:
        return dict(connection.execute(select(table.c.chapter_slug, table.c.count)).all())


def complete(session: Session, chapter: str) -> None:
    count_event(session, step="completed", day=DAY, course_slug="basics", chapter_slug=chapter)


def test_additions_are_written_last_one_statement_per_table_summed_per_row(engine: Engine):
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda _c, _cur, statement, *_rest: statements.extend(
        re.findall(r"^INSERT INTO (\w+)", statement)))
    event.listen(engine, "commit", lambda _connection: statements.append("COMMIT"))
    with Session(engine) as session:
        complete(session, "welcome")
        complete(session, "data")
        complete(session, "welcome")
        session.add(User(email="ana@example.org", name="Ana", password_hash="x", created_at=NOW))
        assert statements == []  # nothing written, no row locked, before the commit
        session.flush()  # a flush ends an inner transaction: the additions stay pending
        assert statements == ["users"]
        session.commit()
    assert statements == ["users", "funnel_counts", "funnel_counts_monthly", "COMMIT"]
    assert completions(engine) == {"welcome": 2, "data": 1}
    monthly = FunnelCountMonthly.__table__
    with engine.connect() as connection:
        assert connection.execute(select(monthly.c.count).where(
            monthly.c.chapter_slug == "welcome")).scalar_one() == 2


def test_a_rolled_back_transaction_adds_nothing_and_its_additions_do_not_leak_into_the_next(
        engine: Engine):
    with Session(engine) as session:
        complete(session, "welcome")
        session.rollback()
        complete(session, "data")
        session.commit()
        complete(session, "next")
    # The session closed without a commit: "next" is dropped with its transaction.
    with Session(engine) as session:
        session.commit()
    assert completions(engine) == {"data": 1}


def test_an_addition_inside_a_savepoint_goes_with_the_savepoint(engine: Engine):
    with Session(engine) as session:
        complete(session, "welcome")
        with pytest.raises(RuntimeError), session.begin_nested():
            complete(session, "data")
            raise RuntimeError("roll the savepoint back")
        with session.begin_nested():
            complete(session, "next")
        session.commit()
    assert completions(engine) == {"welcome": 1, "next": 1}


@POSTGRESQL_ONLY
def test_a_learner_adding_to_a_counter_does_not_wait_for_another_learners_open_transaction(
        engine: Engine):
    """Before: the first upsert locked the row until its transaction ended, so every other
    learner completing the same chapter that day waited for it (lock_timeout here)."""
    with Session(engine) as first:
        complete(first, "welcome")
        first.execute(insert(User.__table__).values(email="ana@example.org", name="Ana",
                                                    password_hash="x", created_at=NOW))
        with Session(engine) as second:
            second.execute(text("SET LOCAL lock_timeout = '2s'"))
            complete(second, "welcome")
            second.commit()
        assert completions(engine) == {"welcome": 1}  # the second one's, the first still open
        first.commit()
    assert completions(engine) == {"welcome": 2}


@POSTGRESQL_ONLY
def test_two_transactions_adding_to_the_same_rows_in_opposite_orders_both_commit(engine: Engine):
    """Rows are locked in one order whatever order the events came in: before, these two
    deadlocked and PostgreSQL cancelled one (a 500 for that learner)."""
    barrier = threading.Barrier(2, timeout=10)
    failures: list[BaseException] = []

    def learner(chapters: tuple[str, str]) -> None:
        try:
            with Session(engine) as session:
                session.execute(text("SET LOCAL deadlock_timeout = '100ms'"))
                complete(session, chapters[0])
                barrier.wait()
                complete(session, chapters[1])
                session.commit()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)

    threads = [threading.Thread(target=learner, args=(order,))
               for order in (("welcome", "data"), ("data", "welcome"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert completions(engine) == {"welcome": 2, "data": 2}
