"""The progress domain on a plain engine: no Flask, real SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from courseware.models import ChapterProgress, User
from courseware.progress import (
    ChapterState,
    completed_chapter_slugs,
    course_progress,
    progress_rows_for_export,
    record_chapter_completed,
    record_chapter_opened,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
T1, T2, T3 = (T0 + timedelta(hours=n) for n in (1, 2, 3))
rows_table = ChapterProgress.__table__


@dataclass(frozen=True)
class Course:
    slug: str
    chapter_slugs: tuple[str, ...]


BASICS = Course("basics", ("welcome", "data", "next"))


def add_user(engine: Engine, email: str) -> int:
    with engine.begin() as connection:
        return connection.execute(insert(User.__table__).values(
            email=email, name=email.split("@")[0], password_hash="$argon2id$x", role="learner",
            created_at=T0, session_version=1).returning(User.__table__.c.id)).scalar_one()


@pytest.fixture
def ana(engine: Engine) -> int:
    return add_user(engine, "ana@example.org")


def rows(engine: Engine) -> list:
    with engine.connect() as connection:
        return list(connection.execute(select(
            rows_table.c.user_id, rows_table.c.course_slug, rows_table.c.chapter_slug,
            rows_table.c.started_at, rows_table.c.completed_at).order_by(rows_table.c.id)))


def opened(engine: Engine, user: int, chapter: str, at: datetime, course: str = "basics") -> None:
    with engine.begin() as connection:
        record_chapter_opened(connection, user, course, chapter, now=at)


def completed(engine: Engine, user: int, chapter: str, at: datetime, course: str = "basics") -> None:
    with engine.begin() as connection:
        record_chapter_completed(connection, user, course, chapter, now=at)


def progress(engine: Engine, user: int | None, course: Course = BASICS):
    with engine.connect() as connection:
        return course_progress(connection, user, course)


def test_opening_is_recorded_once_with_the_first_time(engine, ana):
    opened(engine, ana, "welcome", T0)
    opened(engine, ana, "welcome", T1)
    assert rows(engine) == [(ana, "basics", "welcome", T0, None)]


def test_completing_keeps_the_first_opening_and_the_first_completion(engine, ana):
    opened(engine, ana, "welcome", T0)
    completed(engine, ana, "welcome", T1)
    completed(engine, ana, "welcome", T2)
    opened(engine, ana, "welcome", T3)  # reading it again does not undo anything
    assert rows(engine) == [(ana, "basics", "welcome", T0, T1)]


def test_completing_an_unopened_chapter_starts_and_completes_it_at_once(engine, ana):
    completed(engine, ana, "data", T1)
    assert rows(engine) == [(ana, "basics", "data", T1, T1)]


def test_times_come_back_as_aware_utc(engine, ana):
    paris = datetime(2026, 3, 1, 10, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Paris"))
    completed(engine, ana, "data", paris)
    [row] = rows(engine)
    assert row.completed_at.tzinfo is not None
    assert row.completed_at.utcoffset() == timedelta(0)
    assert row.completed_at == paris


def test_naive_times_are_refused(engine, ana):
    with pytest.raises(StatementError, match="naive datetime"):
        completed(engine, ana, "data", datetime(2026, 3, 1, 10, 0))
    assert rows(engine) == []


def test_session_and_connection_both_work(engine, ana):
    with Session(engine) as session:
        record_chapter_opened(session, ana, "basics", "welcome", now=T0)
        record_chapter_completed(session, ana, "basics", "data", now=T1)
        session.commit()
        assert course_progress(session, ana, BASICS).done == 1
        assert completed_chapter_slugs(session, ana, "basics") == {"data"}
    assert len(rows(engine)) == 2


def test_course_progress_states_and_counts(engine, ana):
    fresh = progress(engine, ana)
    assert [fresh.state(slug) for slug in BASICS.chapter_slugs] == [ChapterState.NOT_STARTED] * 3
    assert (fresh.done, fresh.total, fresh.percent, fresh.is_complete) == (0, 3, 0, False)
    assert fresh.next_chapter_slug == "welcome"

    opened(engine, ana, "welcome", T0)
    completed(engine, ana, "next", T1)
    middle = progress(engine, ana)
    assert middle.state("welcome") is ChapterState.STARTED
    assert middle.state("data") is ChapterState.NOT_STARTED
    assert middle.state("next") is ChapterState.DONE
    assert (middle.done, middle.percent, middle.is_complete) == (1, 33, False)
    assert middle.next_chapter_slug == "welcome"  # the first unfinished, not the one after "next"

    completed(engine, ana, "welcome", T2)
    assert progress(engine, ana).next_chapter_slug == "data"
    assert progress(engine, ana).percent == 67

    completed(engine, ana, "data", T3)
    done = progress(engine, ana)
    assert (done.done, done.percent, done.is_complete, done.next_chapter_slug) == (3, 100, True, None)


def test_visitors_have_everything_not_started(engine, ana):
    completed(engine, ana, "welcome", T0)
    visitor = progress(engine, None)
    assert visitor.done == 0
    assert visitor.state("welcome") is ChapterState.NOT_STARTED
    assert visitor.next_chapter_slug == "welcome"


def test_removed_or_renamed_chapters_are_ignored(engine, ana):
    completed(engine, ana, "welcome", T0)
    completed(engine, ana, "data", T1)
    completed(engine, ana, "next", T2)
    shorter = Course("basics", ("welcome", "next", "extra"))  # "data" removed, "extra" added
    result = progress(engine, ana, shorter)
    assert (result.done, result.total, result.percent) == (2, 3, 67)
    assert not result.is_complete
    assert result.next_chapter_slug == "extra"
    assert "data" not in result.states


def test_empty_course_is_never_complete(engine, ana):
    result = progress(engine, ana, Course("basics", ()))
    assert (result.done, result.total, result.percent, result.is_complete) == (0, 0, 0, False)


def test_other_learners_and_other_courses_do_not_count(engine, ana):
    bob = add_user(engine, "bob@example.org")
    completed(engine, bob, "welcome", T0)
    completed(engine, ana, "welcome", T0, course="other")
    completed(engine, ana, "data", T1)
    result = progress(engine, ana)
    assert result.done == 1
    assert result.state("welcome") is ChapterState.NOT_STARTED
    with engine.connect() as connection:
        assert completed_chapter_slugs(connection, ana, "basics") == {"data"}
        assert completed_chapter_slugs(connection, ana, "other") == {"welcome"}
        assert completed_chapter_slugs(connection, bob, "basics") == {"welcome"}
    assert progress(engine, bob).done == 1


def test_completed_slugs_leave_out_chapters_only_opened(engine, ana):
    opened(engine, ana, "welcome", T0)
    completed(engine, ana, "data", T1)
    with engine.connect() as connection:
        assert completed_chapter_slugs(connection, ana, "basics") == frozenset({"data"})


def test_export_rows_are_the_learners_own_in_order(engine, ana):
    bob = add_user(engine, "bob@example.org")
    completed(engine, bob, "welcome", T0)
    completed(engine, ana, "data", T2)
    opened(engine, ana, "welcome", T1)
    completed(engine, ana, "intro", T3, course="another")
    with engine.connect() as connection:
        exported = progress_rows_for_export(connection, ana)
    assert exported == [
        {"course": "another", "chapter": "intro", "first_opened_at": T3.isoformat(),
         "completed_at": T3.isoformat()},
        {"course": "basics", "chapter": "welcome", "first_opened_at": T1.isoformat(),
         "completed_at": None},
        {"course": "basics", "chapter": "data", "first_opened_at": T2.isoformat(),
         "completed_at": T2.isoformat()},
    ]


def test_deleting_a_user_deletes_their_progress_rows(engine, ana):
    """The foreign key cascades, on SQLite too (foreign keys are switched on)."""
    completed(engine, ana, "welcome", T0)
    with engine.begin() as connection:
        connection.execute(User.__table__.delete().where(User.__table__.c.id == ana))
    assert rows(engine) == []


def test_progress_for_an_unknown_user_is_refused(engine):
    with pytest.raises(IntegrityError):
        completed(engine, 999, "welcome", T0)
    assert rows(engine) == []
