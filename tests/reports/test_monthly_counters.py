"""Monthly counters: kept equal to the daily ones, and a period read through
`counts_for_period` (whole months monthly, edges daily) sums to exactly what the
daily rows alone give, whatever the range."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from courseware.demo import SeedOptions, course_facts, seed_demo
from courseware.models import FunnelCount, FunnelCountMonthly
from courseware.reports import platform_report
from courseware.reports.counters import count_event, counts_for_period

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)


def _daily_sums(session: Session, start: date, end: date, course_slug: str) -> Counter:
    table = FunnelCount.__table__
    rows = session.execute(
        select(table.c.organisation_id, table.c.step, table.c.chapter_slug, func.sum(table.c.count))
        .where(table.c.day >= start, table.c.day <= end, table.c.course_slug.in_(("", course_slug)))
        .group_by(table.c.organisation_id, table.c.step, table.c.chapter_slug))
    return Counter({tuple(row[:3]): int(row[3]) for row in rows})


def _period_sums(session: Session, start: date, end: date, course_slug: str) -> Counter:
    counts = counts_for_period(start, end, course_slug)
    rows = session.execute(
        select(counts.c.organisation_id, counts.c.step, counts.c.chapter_slug, func.sum(counts.c.count))
        .group_by(counts.c.organisation_id, counts.c.step, counts.c.chapter_slug))
    return Counter({tuple(row[:3]): int(row[3]) for row in rows})


def test_each_event_is_added_to_its_day_and_its_month(app: Flask, engine: Engine) -> None:
    with Session(engine) as session:
        for day in (date(2027, 1, 31), date(2027, 1, 2), date(2027, 2, 1)):
            count_event(session, step="signup", day=day, organisation_id=3, link_id=7)
        count_event(session, step="opened", day=date(2027, 1, 5), course_slug="basics",
                    chapter_slug="welcome", amount=4)
        session.commit()
        monthly = {(row.month, row.organisation_id, row.link_id, row.step, row.chapter_slug): row.count
                   for row in session.scalars(select(FunnelCountMonthly))}
    assert monthly == {(date(2027, 1, 1), 3, 7, "signup", ""): 2,
                       (date(2027, 2, 1), 3, 7, "signup", ""): 1,
                       (date(2027, 1, 1), 0, 0, "opened", "welcome"): 4}


def test_any_period_sums_the_same_through_the_monthly_counters(app: Flask, engine: Engine) -> None:
    course = app.extensions["courseware.library"].courses[0]
    seed_demo(engine, SeedOptions(
        learners=1200, organisations=4, course=course_facts(course), end=NOW, password_hash="x",
        signer_fingerprint="00" * 32, months=7, seed=11, batch_size=500,
        verification_url_for=lambda public_id: f"http://courseware.test/certificates/{public_id}"))
    rng = random.Random(5)
    first = date(2026, 7, 1)
    ranges = [(date(2000, 1, 1), NOW.date()), (date(2026, 9, 1), date(2026, 11, 30)),
              (date(2026, 9, 15), date(2026, 9, 20)), (date(2026, 9, 15), date(2026, 10, 31)),
              (date(2026, 10, 1), date(2026, 12, 14)), (date(2026, 10, 31), date(2026, 11, 1)),
              # edges read as "the month minus the days outside", on one side or both
              (date(2026, 9, 3), date(2026, 11, 28)), (date(2026, 10, 5), date(2026, 10, 28)),
              (date(2027, 2, 2), date(2027, 3, 31)), (date(2026, 12, 20), date(2026, 12, 19))]
    for _ in range(20):
        start = first + timedelta(days=rng.randrange(260))
        ranges.append((start, start + timedelta(days=rng.randrange(200))))
    with Session(engine) as session:
        # The seed writes the monthly rows the hooks would have added.
        monthly = Counter()
        for row in session.scalars(select(FunnelCount)):
            monthly[(row.day.replace(day=1), row.organisation_id, row.link_id, row.course_slug,
                     row.chapter_slug, row.step)] += row.count
        assert monthly == Counter({(row.month, row.organisation_id, row.link_id, row.course_slug,
                                    row.chapter_slug, row.step): row.count
                                   for row in session.scalars(select(FunnelCountMonthly))})
        for start, end in ranges:
            expected = _daily_sums(session, start, end, course.slug)
            assert _period_sums(session, start, end, course.slug) == expected, (start, end)
        # And the platform report's totals are those sums.
        report = platform_report(session, date(2026, 8, 20), date(2027, 1, 31), course)
        sums = _daily_sums(session, date(2026, 8, 20), date(2027, 1, 31), course.slug)
        assert report.total.signups == sum(v for (_o, step, _c), v in sums.items() if step == "signup")
        assert report.total.certified == sum(v for (_o, step, _c), v in sums.items()
                                             if step == "certified")
