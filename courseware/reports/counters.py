"""Funnel counters: upserts in the transaction of the event itself, and the rows a
report sums for a period.

See `FunnelCount` for why reports read counters rather than scanning learners,
and `FunnelCountMonthly` for why each event is added to a daily and a monthly row.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Subquery, Table, select, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..organisations.models import FunnelCount, FunnelCountMonthly
from .counter_writes import defer_until_commit, upsert_counts

_table = FunnelCount.__table__
_monthly = FunnelCountMonthly.__table__

# The funnel, in order. "opened" and "completed" are per chapter (chapter_slug set);
# "started", "finished" and "certified" per course; "click" and "signup" platform-wide.
STEPS = ("click", "signup", "started", "opened", "completed", "finished", "certified")


def add_to_counter(executor: Connection | Session, table: Table, key: dict[str, object],
                   amount: int = 1) -> None:
    """Add `amount` to the `count` column of the row of `table` whose unique key is `key`,
    creating the row at `amount` if there is none.

    An INSERT ... ON CONFLICT DO UPDATE on the table's unique constraint over exactly
    the columns of `key`: two events at once both add up, and neither ever fails on the
    constraint. Every counter table (funnel, analytics) goes through here.

    In a Session's transaction the addition waits for the commit (`counter_writes`):
    counter rows are shared by every learner (today's completions of a chapter, the
    answers to a quiz), and an upsert locks its row until the transaction ends, so
    written early they made each learner's answer wait for every other one's whole
    transaction. On a Connection, or inside a savepoint, it is written at once.
    """
    if isinstance(executor, Session) and executor.get_nested_transaction() is None:
        defer_until_commit(executor, table, key, amount)
        return
    upsert_counts(executor, table, [(key, amount)])


def count_event(executor: Connection | Session, *, step: str, day: date,
                organisation_id: int | None = None, link_id: int | None = None,
                course_slug: str = "", chapter_slug: str = "", amount: int = 1) -> None:
    """Add `amount` to the counter of one funnel step for a day (and its month),
    organisation and link."""
    if step not in STEPS:
        raise ValueError(f"unknown funnel step {step!r}")
    values = dict(organisation_id=organisation_id or 0, link_id=link_id or 0,
                  course_slug=course_slug, chapter_slug=chapter_slug, step=step)
    add_to_counter(executor, _table, {"day": day, **values}, amount)
    add_to_counter(executor, _monthly, {"month": day.replace(day=1), **values}, amount)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def counts_for_period(start: date, end: date, course_slug: str | None = None) -> Subquery:
    """The counter rows of days start..end (inclusive) as one subquery with the
    columns organisation_id, link_id, course_slug, chapter_slug, step and count.

    Whole calendar months come from the monthly table. A partial month at an edge
    is read from whichever is smaller: its days in the range from the daily table,
    or its monthly row minus the daily rows of its days outside the range (counts
    negated). So a year's platform report sums ~100k rows instead of ~2M, and no
    edge costs more than about half a month of daily rows (figures in
    benchmarks/README.md). Group and sum it exactly as the daily table.
    `course_slug` keeps only that course's rows and the platform-wide steps (course "").
    """
    columns = ("organisation_id", "link_id", "course_slug", "chapter_slug", "step")

    def daily(low: date, high: date, sign: int = 1):  # type: ignore[no-untyped-def]
        amount = _table.c.count if sign > 0 else (-_table.c.count).label("count")
        return select(*(_table.c[name] for name in columns), amount).where(
            _table.c.day >= low, _table.c.day <= high, *_course(_table, course_slug))

    def monthly(first: date, after: date):  # type: ignore[no-untyped-def]
        return select(*(_monthly.c[name] for name in columns), _monthly.c.count).where(
            _monthly.c.month >= first, _monthly.c.month < after, *_course(_monthly, course_slug))

    parts, whole = [], []  # whole: first days of the months entirely in the range
    month = start.replace(day=1)
    while month <= end:
        following = _next_month(month)
        low, high = max(start, month), min(end, following - timedelta(days=1))
        inside, length = (high - low).days + 1, (following - month).days
        if inside == length:
            whole.append(month)
        elif 2 * inside <= length:
            parts.append(daily(low, high))
        else:
            parts.append(monthly(month, following))
            if low > month:
                parts.append(daily(month, low - timedelta(days=1), sign=-1))
            if high < following - timedelta(days=1):
                parts.append(daily(high + timedelta(days=1), following - timedelta(days=1), sign=-1))
        month = following
    if whole:  # contiguous: one range
        parts.append(monthly(whole[0], _next_month(whole[-1])))
    if not parts:  # end before start: an empty range
        parts.append(daily(start, end))
    return union_all(*parts).subquery("counts") if len(parts) > 1 else parts[0].subquery("counts")


def _course(table, course_slug: str | None) -> list:  # type: ignore[no-untyped-def]
    return [] if course_slug is None else [table.c.course_slug.in_(("", course_slug))]
