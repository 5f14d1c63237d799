"""Funnel counters: upserts in the transaction of the event itself, and the rows a
report sums for a period.

See `FunnelCount` for why reports read counters rather than scanning learners,
and `FunnelCountMonthly` for why each event is added to a daily and a monthly row.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Subquery, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..organisations.models import FunnelCount, FunnelCountMonthly

_table = FunnelCount.__table__
_monthly = FunnelCountMonthly.__table__

# The funnel, in order. "opened" and "completed" are per chapter (chapter_slug set);
# "started", "finished" and "certified" per course; "click" and "signup" platform-wide.
STEPS = ("click", "signup", "started", "opened", "completed", "finished", "certified")
_KEY = ["day", "organisation_id", "link_id", "course_slug", "chapter_slug", "step"]
_MONTHLY_KEY = ["month", *_KEY[1:]]


def count_event(executor: Connection | Session, *, step: str, day: date,
                organisation_id: int | None = None, link_id: int | None = None,
                course_slug: str = "", chapter_slug: str = "", amount: int = 1) -> None:
    """Add `amount` to the counter of one funnel step for a day (and its month),
    organisation and link."""
    if step not in STEPS:
        raise ValueError(f"unknown funnel step {step!r}")
    bind = executor if isinstance(executor, Connection) else executor.get_bind()
    insert = postgresql.insert if bind.dialect.name == "postgresql" else sqlite.insert
    values = dict(organisation_id=organisation_id or 0, link_id=link_id or 0,
                  course_slug=course_slug, chapter_slug=chapter_slug, step=step, count=amount)
    for table, key, when in ((_table, _KEY, {"day": day}),
                             (_monthly, _MONTHLY_KEY, {"month": day.replace(day=1)})):
        statement = insert(table).values(**when, **values)
        statement = statement.on_conflict_do_update(
            index_elements=key, set_={"count": table.c.count + statement.excluded.count})
        executor.execute(statement)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def counts_for_period(start: date, end: date, course_slug: str | None = None) -> Subquery:
    """The counter rows of days start..end (inclusive) as one subquery with the
    columns organisation_id, link_id, course_slug, chapter_slug, step and count.

    Whole calendar months come from the monthly table, the partial months at
    either edge from the daily one, so a year's platform report sums ~70k rows
    instead of ~2M (figures in benchmarks/README.md). Group and sum it exactly
    as the daily table. `course_slug` keeps only that course's rows and the
    platform-wide steps (course "").
    """
    # Whole months: [first_whole, after_whole), first days of months.
    first_whole = start if start.day == 1 else _next_month(start)
    ends_a_month = _next_month(end) - timedelta(days=1) == end
    after_whole = _next_month(end) if ends_a_month else end.replace(day=1)
    columns = ("organisation_id", "link_id", "course_slug", "chapter_slug", "step", "count")

    def daily(low: date, high: date):  # type: ignore[no-untyped-def]
        return select(*(_table.c[name] for name in columns)).where(
            _table.c.day >= low, _table.c.day <= high, *_course(_table, course_slug))

    parts = []
    if first_whole < after_whole:
        parts.append(select(*(_monthly.c[name] for name in columns)).where(
            _monthly.c.month >= first_whole, _monthly.c.month < after_whole,
            *_course(_monthly, course_slug)))
        if start < first_whole:
            parts.append(daily(start, first_whole - timedelta(days=1)))
        if after_whole <= end:
            parts.append(daily(after_whole, end))
    else:  # within one month, or less than a whole month
        parts.append(daily(start, end))
    return union_all(*parts).subquery("counts") if len(parts) > 1 else parts[0].subquery("counts")


def _course(table, course_slug: str | None) -> list:  # type: ignore[no-untyped-def]
    return [] if course_slug is None else [table.c.course_slug.in_(("", course_slug))]
